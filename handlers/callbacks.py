"""The callback data carried by inline buttons: what to do, to which task number, on which view.

Almost none names a chat: the chat is the one the button's message is in. The exceptions are the
buttons of a group task's reminder sent privately to an assignee (AssignedDone, AssignedSnooze);
their handler acts only if the presser is an assignee of that task and still in that group.
Anything that does not decode exactly (forged, truncated, from an old version) raises
InvalidCallbackData. Each kind of action has its own handler: `is_action(SetDone)` is the
pattern that routes a press to it, and `is_not_ours` the one for data no action decodes to.
"""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from storage.values import ListFilter, PageView, TaskPage

MAX_CALLBACK_BYTES = 64
_MAX_NUMBER = 2**31 - 1
_MAX_CHAT_ID = 2**63 - 1


# The quick choices of /due N and the snooze buttons of a reminder, as their buttons carry them
# (what each means: handlers.reminder_buttons; their labels: handlers.render_due). Any other
# code does not decode.
QUICK_DUE_CODES = ("1h", "evening", "morning", "week")
NO_DUE_CODE = "off"
SNOOZE_CODES = ("10m", "1h", "evening", "morning")
# /language's choices: the languages (handlers.i18n.LANGUAGES) and "auto", Telegram's language.
AUTO_LANGUAGE = "auto"
LANGUAGE_CODES = ("en", "ru", "uk", "es", "pt_BR", "de", "fa", AUTO_LANGUAGE)


class ButtonOutdated(Exception):
    """A press the bot cannot act on: its data is not ours, or its message is gone. The error
    handler answers it with "This button is outdated"."""


class InvalidCallbackData(ButtonOutdated, ValueError):
    """The button's data is not one this version of the bot produces."""


# /list's filters by due time, as a list button carries them (storage.models.DUE_FILTERS).
DUE_CODES = {"today": "t", "overdue": "v", "upcoming": "u"}


@dataclass(frozen=True, slots=True)
class ListView:
    """Which list a message shows: open or done tasks, from the task `start` on (its number;
    None: the first page), of the tasks due as `due` says (one of DUE_CODES), with one of
    `priorities` (none: any) and, when `labelled`, with the labels the message itself shows
    (handlers.render_list: labels do not fit in 64 bytes)."""

    done: bool = False
    start: int | None = None
    due: str | None = None
    priorities: tuple[int, ...] = ()
    labelled: bool = False

    def encode(self) -> str:
        view = f"{'d' if self.done else 'o'}{self.start or ''}"
        shown = DUE_CODES[self.due] if self.due else ""
        shown += "".join(map(str, self.priorities)) + ("#" if self.labelled else "")
        return f"{view}.{shown}" if shown else view

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
    | Nothing
)

_NUMBER = r"([1-9][0-9]{0,9})"
_VIEW = r"([od])([1-9][0-9]{0,9})?(?:\.(?=[tvu1-3#])([tvu])?([1-3]{0,3})(#)?)?"
_DUE_OF_CODE = {code: due for due, code in DUE_CODES.items()}
_OFFSET = r"(0|[1-9][0-9]{0,9})"
_CHAT = r"(-?[1-9][0-9]{0,18})"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("t", re.compile(rf"t:{_NUMBER}:([01]):{_VIEW}")),
    ("e", re.compile(rf"e:{_NUMBER}")),
    ("d", re.compile(rf"d:{_NUMBER}:(?:-|{_VIEW})")),
    ("u", re.compile(rf"u:{_NUMBER}:(?:-|{_VIEW})")),
    ("p", re.compile(rf"p:{_VIEW}")),
    ("ck", re.compile(rf"ck:{_NUMBER}:([1-9][0-9]?):([01])")),
    ("af", re.compile(rf"af:{_NUMBER}:([1-9][0-9]?)")),
    ("rd", re.compile(rf"rd:{_NUMBER}")),
    ("rs", re.compile(rf"rs:{_NUMBER}:([a-z0-9]{{1,8}})")),
    ("dq", re.compile(rf"dq:{_NUMBER}:([a-z0-9]{{1,8}})")),
    ("f", re.compile(rf"f:{_OFFSET}")),
    ("fd", re.compile(rf"fd:{_NUMBER}:([01]):{_OFFSET}")),
    ("ta", re.compile(rf"ta:{_NUMBER}")),
    ("tu", re.compile(rf"tu:{_NUMBER}")),
    ("ad", re.compile(rf"ad:{_CHAT}:{_NUMBER}")),
    ("as", re.compile(rf"as:{_CHAT}:{_NUMBER}:([a-z0-9]{{1,8}})")),
    ("lg", re.compile(r"lg:([A-Za-z_]{2,8})")),
    ("fg", re.compile("fg")),
    ("fk", re.compile("fk")),
    ("n", re.compile("n")),
]


def encode(action: ButtonAction) -> str:
    """The callback data for an action (always within Telegram's 64 bytes)."""
    match action:
        case SetDone(number, done, view):
            data = f"t:{number}:{int(done)}:{view.encode()}"
        case AskNewTitle(number):
            data = f"e:{number}"
        case Delete(number, view):
            data = f"d:{number}:{view.encode() if view else '-'}"
        case Undo(number, view):
            data = f"u:{number}:{view.encode() if view else '-'}"
        case ShowList(view):
            data = f"p:{view.encode()}"
        case CheckItem(number, item, done):
            data = f"ck:{number}:{item}:{int(done)}"
        case SendAttachment(number, index):
            data = f"af:{number}:{index}"
        case ReminderDone(number):
            data = f"rd:{number}"
        case Snooze(number, choice):
            data = f"rs:{number}:{choice}"
        case ChooseDue(number, choice):
            data = f"dq:{number}:{choice}"
        case FindPage(offset):
            data = f"f:{offset}"
        case FindDone(number, done, offset):
            data = f"fd:{number}:{int(done)}:{offset}"
        case TakeTask(number):
            data = f"ta:{number}"
        case DropTask(number):
            data = f"tu:{number}"
        case AssignedDone(chat_id, number):
            data = f"ad:{chat_id}:{number}"
        case AssignedSnooze(chat_id, number, choice):
            data = f"as:{chat_id}:{number}:{choice}"
        case ChooseLanguage(language):
            data = f"lg:{language}"
        case ForgetChat():
            data = "fg"
        case KeepChat():
            data = "fk"
        case Nothing():
            data = "n"
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    return data


def _int(text: str) -> int:
    value = int(text)
    if value > _MAX_NUMBER:
        raise InvalidCallbackData("number out of range")
    return value


def _chat(text: str) -> int:
    value = int(text)
    if abs(value) > _MAX_CHAT_ID:
        raise InvalidCallbackData("chat id out of range")
    return value


def _code(text: str, codes: tuple[str, ...]) -> str:
    if text not in codes:
        raise InvalidCallbackData("not a choice of this button")
    return text


def _view(groups: tuple[str | None, ...]) -> ListView | None:
    """The view of _VIEW's five groups (None when they matched nothing: no view)."""
    kind, start, due, priorities, labelled = groups
    if kind is None:
        return None
    wanted = tuple(sorted({int(digit) for digit in priorities or ""}))
    return ListView(
        done=kind == "d",
        start=_int(start) if start else None,
        due=_DUE_OF_CODE[due] if due else None,
        priorities=wanted,
        labelled=labelled is not None,
    )


def decode(data: object) -> ButtonAction:
    """The action a button's data asks for; InvalidCallbackData for anything else."""
    if not isinstance(data, str) or len(data) > MAX_CALLBACK_BYTES:
        raise InvalidCallbackData("not callback data of this bot")
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(data)
        if match is None:
            continue
        groups = match.groups()
        if kind == "t":
            view = _view(groups[2:])
            assert view is not None
            return SetDone(_int(groups[0]), groups[1] == "1", view)
        if kind == "e":
            return AskNewTitle(_int(groups[0]))
        if kind in ("d", "u"):
            action = Delete if kind == "d" else Undo
            return action(_int(groups[0]), _view(groups[1:]))
        if kind == "ck":
            return CheckItem(_int(groups[0]), int(groups[1]), groups[2] == "1")
        if kind == "af":
            return SendAttachment(_int(groups[0]), int(groups[1]))
        if kind == "rd":
            return ReminderDone(_int(groups[0]))
        if kind == "rs":
            return Snooze(_int(groups[0]), _code(groups[1], SNOOZE_CODES))
        if kind == "dq":
            return ChooseDue(_int(groups[0]), _code(groups[1], (*QUICK_DUE_CODES, NO_DUE_CODE)))
        if kind == "f":
            return FindPage(_int(groups[0]))
        if kind == "fd":
            return FindDone(_int(groups[0]), groups[1] == "1", _int(groups[2]))
        if kind in ("ta", "tu"):
            return (TakeTask if kind == "ta" else DropTask)(_int(groups[0]))
        if kind == "ad":
            return AssignedDone(_chat(groups[0]), _int(groups[1]))
        if kind == "as":
            return AssignedSnooze(
                _chat(groups[0]), _int(groups[1]), _code(groups[2], SNOOZE_CODES)
            )
        if kind == "lg":
            return ChooseLanguage(_code(groups[0], LANGUAGE_CODES))
        if kind == "p":
            view = _view(groups)
            assert view is not None
            return ShowList(view)
        if kind in ("fg", "fk"):
            return ForgetChat() if kind == "fg" else KeepChat()
        return Nothing()
    raise InvalidCallbackData("not callback data of this bot")


@functools.lru_cache(maxsize=1024)
def _decoded_text(data: str) -> ButtonAction | None:
    try:
        return decode(data)
    except InvalidCallbackData:
        return None


def decoded(data: object) -> ButtonAction | None:
    """The action a button's data asks for; None for anything that is not ours.

    Every button handler's pattern asks this of each press, so the answers are kept (actions
    are frozen values).
    """
    return _decoded_text(data) if isinstance(data, str) else None


def is_action(kind: type[ButtonAction]) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern: the data decodes to an action of this kind."""
    return lambda data: isinstance(decoded(data), kind)


def is_not_ours(data: object) -> bool:
    """A CallbackQueryHandler pattern: the data decodes to no action (forged, truncated, old)."""
    return decoded(data) is None
