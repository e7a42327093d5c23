"""Reading command arguments: task numbers and text after the command."""

import re
import unicodedata

from handlers.i18n import _

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
