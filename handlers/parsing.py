"""Reading command arguments: task numbers and text after the command."""

import re
import unicodedata
from dataclasses import dataclass

from handlers.i18n import _
from storage.task_fields import MAX_LABELS, label_key
from storage.values import DUE_FILTERS, ListFilter

# More digits than any task number can have; such input is refused, not parsed.
_MAX_DIGITS = 10
# Digits of any script: "#۳" (Persian) is task 3 too, as the bot writes it in Persian.
_NUMBER_TOKEN = re.compile(r"#?(\d+)")
_SEPARATORS = re.compile(r"[\s,;]+")
# What turns a setting off: /due 3 off, /nag 3 off, /quiet off, /digest off.
OFF_WORDS = {"off", "none", "clear", "no", "-"}


class UsageError(ValueError):
    """The command's arguments cannot be used; the message (in the chat's language) says how
    to use it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def command_text(message_text: str | None) -> str:
    """Everything after the command word (`/add@Bot`), newlines kept, outer whitespace trimmed."""
    if not message_text:
        return ""
    parts = message_text.split(maxsplit=1)
    if not parts or not parts[0].startswith("/"):
        return message_text.strip()
    return parts[1].strip() if len(parts) > 1 else ""


def parse_number(token: str, *, usage: str) -> int:
    """A task number written as `3` or `#3`; `usage` is the command's usage text, translated
    here (an N_ text)."""
    match = _NUMBER_TOKEN.fullmatch(token.strip())
    if match is None:
        shown = token if len(token) <= 20 else token[:20] + "…"
        problem = _("“%(text)s” is not a task number.", text=shown)
        raise UsageError(f"{problem}\n{_(usage)}")
    digits = "".join(str(unicodedata.digit(digit)) for digit in match.group(1)).lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS:
        problem = _("That number is too big to be a task number.")
        raise UsageError(f"{problem}\n{_(usage)}")
    return int(digits)


def parse_numbers(text: str, *, usage: str) -> list[int]:
    """One or more task numbers separated by spaces or commas, in the order given, no repeats."""
    tokens = [token for token in _SEPARATORS.split(text) if token]
    if not tokens:
        raise UsageError(_(usage))
    numbers: list[int] = []
    for token in tokens:
        number = parse_number(token, usage=usage)
        if number not in numbers:
            numbers.append(number)
    return numbers


def parse_number_and_text(text: str, *, usage: str) -> tuple[int, str]:
    """A task number, then the rest of the text (possibly empty)."""
    parts = text.split(maxsplit=1)
    if not parts:
        raise UsageError(_(usage))
    number = parse_number(parts[0], usage=usage)
    return number, parts[1].strip() if len(parts) > 1 else ""


def split_due(line: str) -> tuple[str, str | None]:
    """`Title @ when` -> (title, when), for /add; a line without ` @ ` is all title."""
    title, marker, when = line.rpartition(" @ ")
    if not marker:
        return line, None
    return title, when


# A priority marker: `!1` (highest) to `!3`, or `!0` for none, as a word of its own. No word
# people write is one, so a title never gains a priority by accident.
_PRIORITY_MARKER = re.compile(r"(?<!\S)!([0-3])(?!\S)")
NO_PRIORITY = 0
# A checklist item's line under a task's line in /add: `- eggs` or `• eggs` (a dash needs a
# space after it, so `-5 degrees` stays a title).
_ITEM_LINE = re.compile(r"\s*(?:-(?:\s+|$)|•\s*)(.*)", re.DOTALL)


def split_priority(text: str) -> tuple[str, int | None]:
    """`Call the bank !1` -> ("Call the bank", 1): the text without its priority markers, and
    the last marker's priority (NO_PRIORITY for `!0`; None when there is no marker)."""
    found = _PRIORITY_MARKER.findall(text)
    if not found:
        return text, None
    return " ".join(_PRIORITY_MARKER.sub(" ", text).split()), int(found[-1])


def checklist_item(line: str) -> str | None:
    """The item a line of /add is (`- eggs` -> "eggs"), or None when it is a task's line."""
    match = _ITEM_LINE.fullmatch(line)
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class NewTaskLine:
    """A task as a line of /add gave it: its title, its due phrase (after ` @ `), its priority
    (`!1`..`!3`; None: none) and the checklist items on the lines under it."""

    title: str
    when: str | None = None
    priority: int | None = None
    items: tuple[str, ...] = ()


def read_new_tasks(text: str, *, usage: str) -> list[NewTaskLine]:
    """The tasks of /add's text: one per line, each with the `- item` lines under it as its
    checklist. UsageError for an item with no task line above it (`usage`: an N_ text)."""
    found: list[NewTaskLine] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        item = checklist_item(line)
        if item is not None:
            if not found:
                raise UsageError(
                    _("A checklist item (“- …”) goes under its task's line.") + "\n" + _(usage)
                )
            last = found[-1]
            found[-1] = NewTaskLine(last.title, last.when, last.priority, (*last.items, item))
            continue
        title, when = split_due(line)
        title, priority = split_priority(title)
        found.append(NewTaskLine(title, when, priority or None))
    return found


# The words /list takes (as well as `#label` and `!1`..`!3`).
DONE_WORDS = {"done", "finished", "completed"}
OPEN_WORDS = {"open", "todo"}


def read_list_arguments(text: str, *, usage: str) -> tuple[bool, ListFilter]:
    """What /list shows: done tasks or open ones, and its filter (`today`, `overdue`,
    `upcoming`, `!1`..`!3`, `#label`, in any order and number). UsageError for anything else
    (`usage`: an N_ text)."""
    done, due = False, None
    priorities: set[int] = set()
    labels: list[str] = []
    for word in text.split():
        lowered = word.lower()
        marker = _PRIORITY_MARKER.fullmatch(word)
        if lowered in DONE_WORDS | OPEN_WORDS:
            done = lowered in DONE_WORDS
        elif lowered in DUE_FILTERS:
            due = lowered
        elif marker and marker.group(1) != "0":
            priorities.add(int(marker.group(1)))
        elif word.startswith("#") and (label := label_key(word)) is not None:
            if label not in labels:
                labels.append(label)
        else:
            shown = word if len(word) <= 20 else word[:20] + "…"
            problem = _("I can't filter the list by “%(word)s”.", word=shown)
            raise UsageError(f"{problem}\n{_(usage)}")
    if len(labels) > MAX_LABELS:
        raise UsageError(_(usage))
    page_filter = ListFilter(labels=tuple(labels), priorities=tuple(sorted(priorities)), due=due)
    return done, page_filter
