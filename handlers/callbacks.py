"""The callback data inline buttons carry: each action of handlers.button_actions encoded within
Telegram's 64 bytes, and decoded back exactly.

Anything that does not decode exactly (forged, truncated, from an old version) raises
InvalidCallbackData. `is_action(SetDone)` is the pattern that routes a press to the handler
of its kind, and `is_not_ours` the one for data no action decodes to.
"""

import functools
import re
from collections.abc import Callable

from handlers.button_actions import (
    LANGUAGE_CODES,
    NO_DUE_CODE,
    QUICK_DUE_CODES,
    SNOOZE_CODES,
    AskNewTitle,
    AssignedDone,
    AssignedSnooze,
    ButtonAction,
    CheckItem,
    ChooseDue,
    ChooseLanguage,
    ClearDone,
    Delete,
    DropTask,
    FindDone,
    FindPage,
    ForgetChat,
    KeepChat,
    KeepDone,
    ListView,
    Nothing,
    ReminderDone,
    SendAttachment,
    SetDone,
    ShowList,
    Snooze,
    TakeTask,
    Undo,
    UndoClear,
)

MAX_CALLBACK_BYTES = 64
_MAX_NUMBER = 2**31 - 1
_MAX_CHAT_ID = 2**63 - 1


class ButtonOutdated(Exception):
    """A press the bot cannot act on: its data is not ours, or its message is gone. The error
    handler answers it with "This button is outdated"."""


class InvalidCallbackData(ButtonOutdated, ValueError):
    """The button's data is not one this version of the bot produces."""


# /list's filters by due time, as a list button carries them (storage.values.DUE_FILTERS).
DUE_CODES = {"today": "t", "overdue": "v", "upcoming": "u"}

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
    ("cl", re.compile("cl")),
    ("cx", re.compile("cx")),
    ("cu", re.compile(r"cu:(0|[1-9][0-9]{0,17})")),
    ("n", re.compile("n")),
]


def encode(action: ButtonAction) -> str:
    """The callback data for an action (always within Telegram's 64 bytes)."""
    match action:
        case SetDone(number, done, view):
            data = f"t:{number}:{int(done)}:{_view_code(view)}"
        case AskNewTitle(number):
            data = f"e:{number}"
        case Delete(number, view):
            data = f"d:{number}:{_view_code(view) if view else '-'}"
        case Undo(number, view):
            data = f"u:{number}:{_view_code(view) if view else '-'}"
        case ShowList(view):
            data = f"p:{_view_code(view)}"
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
        case ClearDone():
            data = "cl"
        case KeepDone():
            data = "cx"
        case UndoClear(stamp):
            data = f"cu:{stamp}"
        case Nothing():
            data = "n"
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    return data


def _view_code(view: ListView) -> str:
    """A list view as the buttons of its message carry it: `o`/`d`, the start, the filter."""
    code = f"{'d' if view.done else 'o'}{view.start or ''}"
    shown = DUE_CODES[view.due] if view.due else ""
    shown += "".join(map(str, view.priorities)) + ("#" if view.labelled else "")
    return f"{code}.{shown}" if shown else code


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
        if kind in ("cl", "cx"):
            return ClearDone() if kind == "cl" else KeepDone()
        if kind == "cu":
            return UndoClear(int(groups[0]))
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
