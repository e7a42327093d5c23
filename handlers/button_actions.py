"""What inline buttons ask for, as frozen values: one action per kind of button (what to do,
to which task number, on which list view), each with a handler of its own, and the codes of
the buttons' choices. handlers.callbacks encodes and decodes them.

Almost none names a chat: the chat is the one the button's message is in. The exceptions are the
buttons of a group task's reminder sent privately to an assignee (AssignedDone, AssignedSnooze);
their handler acts only if the presser is an assignee of that task and still in that group.
"""

from dataclasses import dataclass, replace

from storage.values import ListFilter, PageView, TaskPage

# The quick choices of /due N and the snooze buttons of a reminder, as their buttons carry them
# (what each means: handlers.reminder_buttons; their labels: handlers.render_due). Any other
# code does not decode.
QUICK_DUE_CODES = ("1h", "evening", "morning", "week")
NO_DUE_CODE = "off"
SNOOZE_CODES = ("10m", "1h", "evening", "morning")
# /language's choices: the languages (handlers.i18n.LANGUAGES) and "auto", Telegram's language.
AUTO_LANGUAGE = "auto"
LANGUAGE_CODES = ("en", "ru", "uk", "es", "pt_BR", "de", "fa", AUTO_LANGUAGE)


@dataclass(frozen=True, slots=True)
class ListView:
    """Which list a message shows: open or done tasks, from the task `start` on (its number;
    None: the first page), of the tasks due as `due` says (storage.values.DUE_FILTERS), with
    one of `priorities` (none: any) and, when `labelled`, with the labels the message itself
    shows (handlers.render_list: labels do not fit in 64 bytes)."""

    done: bool = False
    start: int | None = None
    due: str | None = None
    priorities: tuple[int, ...] = ()
    labelled: bool = False

    def page(self, labels: tuple[str, ...] = ()) -> PageView:
        """The page storage reads for this view (`labels`: the ones its message shows)."""
        shown = ListFilter(labels=labels, priorities=self.priorities, due=self.due)
        return PageView(done=self.done, start=self.start, filter=shown)

    def at(self, start: int | None, *, done: bool | None = None) -> "ListView":
        """The same filter from another task on (or in the other of open and done)."""
        return replace(self, start=start, done=self.done if done is None else done)

    @classmethod
    def of(cls, page: TaskPage, *, start: int | None) -> "ListView":
        """The view of a page of tasks, from the task `start` on."""
        shown = page.filter
        return cls(page.done, start, shown.due, shown.priorities, bool(shown.labels))


@dataclass(frozen=True, slots=True)
class SetDone:
    """Mark a task done (or open again): a target state, so a stale tap changes nothing."""

    number: int
    done: bool
    view: ListView


@dataclass(frozen=True, slots=True)
class AskNewTitle:
    """Ask for a task's new title."""

    number: int


@dataclass(frozen=True, slots=True)
class Delete:
    """Delete a task, then show `view` again (None: the message is not a list)."""

    number: int
    view: ListView | None


@dataclass(frozen=True, slots=True)
class Undo:
    """Bring a deleted task back, then show `view` again (None: the message is not a list)."""

    number: int
    view: ListView | None


@dataclass(frozen=True, slots=True)
class ShowList:
    """Show a list view (paging, switching between open and done)."""

    view: ListView


@dataclass(frozen=True, slots=True)
class CheckItem:
    """Tick (or untick) item `item` (from 1) of a task's checklist, on its /show message."""

    number: int
    item: int
    done: bool


@dataclass(frozen=True, slots=True)
class SendAttachment:
    """Send the file attached to a task at place `index` (from 1), from its /show message."""

    number: int
    index: int


@dataclass(frozen=True, slots=True)
class ReminderDone:
    """Mark done from a reminder message."""

    number: int


@dataclass(frozen=True, slots=True)
class Snooze:
    """Remind again later; `choice` is one of SNOOZE_CODES."""

    number: int
    choice: str


@dataclass(frozen=True, slots=True)
class ChooseDue:
    """Set a due time from the quick choices (QUICK_DUE_CODES) or `off`."""

    number: int
    choice: str


@dataclass(frozen=True, slots=True)
class FindPage:
    """Show the search results from `offset` on; the words are read from the message itself."""

    offset: int


@dataclass(frozen=True, slots=True)
class FindDone:
    """Mark a found task done (or open again), then show the results from `offset` again."""

    number: int
    done: bool
    offset: int


@dataclass(frozen=True, slots=True)
class TakeTask:
    """Assign the task to whoever presses (a group's /show)."""

    number: int


@dataclass(frozen=True, slots=True)
class DropTask:
    """Take whoever presses off the task's assignees (a group's /show)."""

    number: int


@dataclass(frozen=True, slots=True)
class AssignedDone:
    """Done on a group task's reminder sent privately to an assignee: names the group."""

    chat_id: int
    number: int


@dataclass(frozen=True, slots=True)
class AssignedSnooze:
    """Snooze on a group task's reminder sent privately to an assignee: names the group."""

    chat_id: int
    number: int
    choice: str


@dataclass(frozen=True, slots=True)
class ChooseLanguage:
    """/language's choice: one of handlers.i18n.LANGUAGES, or AUTO_LANGUAGE (Telegram's)."""

    language: str


@dataclass(frozen=True, slots=True)
class ForgetChat:
    """/forget confirmed: delete everything kept about the chat (an admin's press only)."""


@dataclass(frozen=True, slots=True)
class KeepChat:
    """/forget called off."""


@dataclass(frozen=True, slots=True)
class ClearDone:
    """/clear confirmed: delete the list's done tasks (the owner's or an admin's press only)."""


@dataclass(frozen=True, slots=True)
class KeepDone:
    """/clear called off."""


@dataclass(frozen=True, slots=True)
class UndoClear:
    """Bring back the done tasks one /clear deleted: the one whose deletion time is `stamp`
    (microseconds since 1970: storage.clearing.Cleared.stamp)."""

    stamp: int


@dataclass(frozen=True, slots=True)
class Nothing:
    """A button that only labels (the page counter)."""


ButtonAction = (
    SetDone
    | AskNewTitle
    | Delete
    | Undo
    | ShowList
    | CheckItem
    | SendAttachment
    | ReminderDone
    | Snooze
    | ChooseDue
    | FindPage
    | FindDone
    | TakeTask
    | DropTask
    | AssignedDone
    | AssignedSnooze
    | ChooseLanguage
    | ForgetChat
    | KeepChat
    | ClearDone
    | KeepDone
    | UndoClear
    | Nothing
)
