"""Typed errors raised by the storage layer; the chat handlers turn each into a reply."""


class StorageError(Exception):
    """Base class of every error that storage raises on purpose."""


class StorageUnavailable(StorageError):
    """The database could not be reached in time (down, suspended, or the network dropped)."""


class TaskNotFound(StorageError):
    """No task with this number exists in the chat (or it was deleted)."""

    def __init__(self, number: int) -> None:
        super().__init__(f"task #{number} not found")
        self.number = number


class InvalidTitle(StorageError):
    """A title was empty after trimming or longer than the limit.

    `length` is the too long title's length (None: it was empty); `line` is its line in a
    message of several titles. The chat says why in its own language from these.
    """

    def __init__(self, reason: str, *, length: int | None = None, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.length = length
        self.line = line


class InvalidDescription(StorageError):
    """A description was longer than the limit (`length` characters)."""

    def __init__(self, reason: str, *, length: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.length = length


class TooManyTasks(StorageError):
    """One request tried to add more tasks than a single add allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} tasks can be added at once")
        self.limit = limit


class ListFull(StorageError):
    """The list would hold more tasks than its caps allow (storage.lists): nothing was added."""

    def __init__(self, max_open: int, max_total: int) -> None:
        super().__init__(
            f"a list holds at most {max_open} open tasks and {max_total} in all (done included)"
        )
        self.max_open = max_open
        self.max_total = max_total


class InvalidDue(StorageError):
    """A due time (or another moment of a task) outside what storage keeps: nothing changed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DuplicateUpdate(StorageError):
    """This Telegram update was processed before (Telegram delivered it again): nothing changed."""

    def __init__(self, bot_id: int, update_id: int) -> None:
        super().__init__(f"update {update_id} of bot {bot_id} was processed before")
        self.bot_id = bot_id
        self.update_id = update_id


class NotAssignee(StorageError):
    """Only a task's assignees may do this (or there is no such task): nothing changed."""

    def __init__(self, number: int) -> None:
        super().__init__(f"not an assignee of task #{number}")
        self.number = number


class InvalidChecklistItem(StorageError):
    """A checklist item was empty after trimming or longer than the limit.

    `length` is the too long item's length (None: it was empty); `place` its place among the
    items given at once (None: it was alone).
    """

    def __init__(
        self, reason: str, *, length: int | None = None, place: int | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.length = length
        self.place = place


class ChecklistFull(StorageError):
    """The checklist of task `number` (None: of a task being added) would hold more than
    `limit` items: nothing was added."""

    def __init__(self, number: int | None, limit: int) -> None:
        super().__init__(f"a checklist holds at most {limit} items")
        self.number = number
        self.limit = limit


class AttachmentsFull(StorageError):
    """The task would hold more than `limit` attachments: nothing was attached."""

    def __init__(self, number: int, limit: int) -> None:
        super().__init__(f"task #{number} would have more than {limit} attachments")
        self.number = number
        self.limit = limit


class ItemNotFound(StorageError):
    """The task has no checklist item (or, with `attachment`, no attachment) at this place."""

    def __init__(self, number: int, place: int, *, attachment: bool = False) -> None:
        what = "attachment" if attachment else "checklist item"
        super().__init__(f"task #{number} has no {what} {place}")
        self.number = number
        self.place = place
        self.attachment = attachment
