"""The plain values storage takes and returns: tasks, their checklists and attachments, list
pages and filters, the once-only update key, and the limits of a task's fields.

Frozen dataclasses, usable after any session has closed; the tables they are read from are in
storage.models.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

TITLE_MAX_LENGTH = 256
DESCRIPTION_MAX_LENGTH = 2000
# A task without a priority sorts after those with one (priority 1 first): its rank.
NO_PRIORITY_RANK = 4


@dataclass(frozen=True, slots=True)
class UpdateKey:
    """Which Telegram update a change serves: it applies once, however often it arrives.

    `replayed`: the update was left in the journal by a process that was killed, which may have
    made the change without answering; a repeat then reports the change again (so that the
    answer goes out) instead of raising DuplicateUpdate.
    """

    bot_id: int
    update_id: int
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One item of a task's checklist, with its own done state."""

    text: str
    done: bool = False


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file attached to a task, kept as Telegram's `file_id` (nothing is downloaded).

    `kind` is one of ATTACHMENT_KINDS; `name` the document's file name (None for the others).
    """

    kind: str
    file_id: str
    name: str | None = None


# What can be attached, as Telegram names the message's field (and the send method's).
ATTACHMENT_KINDS = ("photo", "document", "voice", "video")


@dataclass(frozen=True, slots=True)
class Task:
    """A task as callers see it: a plain value, usable after any session has closed."""

    id: UUID
    chat_id: int
    number: int
    title: str
    description: str | None
    done: bool
    completed_at: datetime | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None = None
    nag_minutes: int | None = None
    recurrence: str | None = None
    # Minutes before the due time at which it is reminded too, the earliest first.
    remind_before: tuple[int, ...] = ()
    # 1 (highest) to 3, None: none.
    priority: int | None = None
    # The title's hashtags, lower-case (storage.task_fields.labels_of).
    labels: tuple[str, ...] = ()
    checklist: tuple[ChecklistItem, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    @property
    def checked(self) -> int:
        """How many items of the checklist are done."""
        return sum(item.done for item in self.checklist)


class DueEntry(NamedTuple):
    """A due time as a phrase gave it: the moment, the stored repeat rule, and the reminders
    before it (None: the phrase said none, so a task keeps the ones it has)."""

    due_at: datetime | None
    recurrence: str | None = None
    remind_before: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class Completed:
    """A task after it was marked done (or open again). A repeating task completed is open
    again at once, due at `next_due`, its next time; None for any other task."""

    task: Task
    next_due: datetime | None = None


@dataclass(frozen=True, slots=True)
class DoneResult:
    """What marking several tasks did: each task after it, by number, and the numbers asked
    for that no task of the list has."""

    completed: list[Completed]
    missing: list[int]

    @property
    def tasks(self) -> list[Task]:
        return [entry.task for entry in self.completed]

    @property
    def next_due(self) -> dict[int, datetime]:
        """The repeating tasks that are back for their next time: number -> when."""
        return {c.task.number: c.next_due for c in self.completed if c.next_due is not None}


# What `/list today`, `overdue` and `upcoming` show (storage.pages).
DUE_FILTERS = ("today", "overdue", "upcoming")


@dataclass(frozen=True, slots=True)
class ListFilter:
    """Which tasks a list page shows: those with every one of `labels` (lower-case), with one
    of `priorities` (1-3, NO_PRIORITY_RANK for none; empty: any) and, with `due`, due today
    (overdue included), overdue, or upcoming (one of DUE_FILTERS)."""

    labels: tuple[str, ...] = ()
    priorities: tuple[int, ...] = ()
    due: str | None = None

    def __bool__(self) -> bool:
        return bool(self.labels or self.priorities or self.due)


@dataclass(frozen=True, slots=True)
class PageView:
    """Which page of a list to read: open or done tasks, from the task `start` (its number;
    None: the first page) on, of the tasks `filter` admits."""

    done: bool = False
    start: int | None = None
    filter: ListFilter = ListFilter()


@dataclass(frozen=True, slots=True)
class TaskPage:
    """One page of a chat's open or done tasks, in the order /list shows them: priority, then
    due time, then number (storage.pages), of the tasks `filter` admits.

    `open_total` and `done_total` count the chat's tasks of each kind (whatever the filter).
    `previous_start` and `next_start` are the cursors of the neighbouring pages (the number of
    the task each starts at: pass it as `start`), None at either end.
    """

    done: bool
    tasks: list[Task]
    open_total: int
    done_total: int
    previous_start: int | None
    next_start: int | None
    timezone: str | None = None
    filter: ListFilter = ListFilter()

    @property
    def total(self) -> int:
        """How many tasks of the listed kind (open or done) the chat has."""
        return self.done_total if self.done else self.open_total
