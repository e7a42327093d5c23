"""Cleaning and checking what users type before it is stored."""

import re
import unicodedata
from datetime import UTC, datetime, timedelta

from storage.errors import InvalidDescription, InvalidDue, InvalidTitle
from storage.values import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH

# The moments storage keeps (due times; an import's creation and completion times too). Every
# moment in this window is a date in every time zone (year 1 or 9999 in UTC is not), so anything
# stored can be shown. The chat's own due times are stricter (handlers.when): in the future and
# at most MAX_AHEAD ahead, the same window an import's due times get (handlers.task_files).
EARLIEST_MOMENT = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(2200, 1, 1, tzinfo=UTC)
MAX_AHEAD = timedelta(days=5 * 365)

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _has_visible_character(text: str) -> bool:
    # Letters, marks, numbers, punctuation and symbols show; separators, format characters
    # (zero-width spaces, direction marks) and other controls do not.
    return any(unicodedata.category(character)[0] in "LMNPS" for character in text)


def clean_text(raw: str) -> str | None:
    """A line of text as stored (a title, a checklist item): whitespace runs folded to one
    space, control characters removed; None when no visible character is left."""
    text = " ".join(_CONTROL_CHARACTERS.sub(" ", raw).split())
    return text if _has_visible_character(text) else None


def clean_title(raw: str) -> str:
    """The title as stored: whitespace runs folded to one space, control characters removed.

    Raises InvalidTitle when nothing is left or it is longer than TITLE_MAX_LENGTH.
    """
    title = clean_text(raw)
    if title is None:
        raise InvalidTitle("the title is empty")
    if len(title) > TITLE_MAX_LENGTH:
        raise InvalidTitle(
            f"the title is {len(title)} characters long; the limit is {TITLE_MAX_LENGTH}",
            length=len(title),
        )
    return title


def clean_description(raw: str | None) -> str | None:
    """The description as stored (None clears it): trimmed, NUL and control bytes removed.

    Line breaks are kept. Raises InvalidDescription past DESCRIPTION_MAX_LENGTH.
    """
    if raw is None:
        return None
    lines = [" ".join(_CONTROL_CHARACTERS.sub(" ", line).split()) for line in raw.splitlines()]
    description = "\n".join(lines).strip()
    if not description:
        return None
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise InvalidDescription(
            f"the description is {len(description)} characters long;"
            f" the limit is {DESCRIPTION_MAX_LENGTH}",
            length=len(description),
        )
    return description


def moment_problem(moment: datetime) -> str | None:
    """Why storage would not keep this moment (in words for people), or None when it would."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return "it has no time zone"
    if moment < EARLIEST_MOMENT:
        return f"it is before {EARLIEST_MOMENT:%Y-%m-%d}"
    if moment >= LATEST_MOMENT:
        return f"it is not before {LATEST_MOMENT:%Y-%m-%d}"
    return None


def check_due(due_at: datetime | None) -> None:
    """Raise InvalidDue when storage would not keep this due time (None: no due time, fine)."""
    if due_at is None:
        return
    problem = moment_problem(due_at)
    if problem is not None:
        raise InvalidDue(f"the due time {due_at.isoformat()} will not do: {problem}")
