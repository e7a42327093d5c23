"""Cleaning and checking what users type before it is stored."""

import re
import unicodedata

from storage.errors import InvalidDescription, InvalidTitle
from storage.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _has_visible_character(text: str) -> bool:
    # Letters, marks, numbers, punctuation and symbols show; separators, format characters
    # (zero-width spaces, direction marks) and other controls do not.
    return any(unicodedata.category(character)[0] in "LMNPS" for character in text)


def clean_title(raw: str) -> str:
    """The title as stored: whitespace runs folded to one space, control characters removed.

    Raises InvalidTitle when nothing is left or it is longer than TITLE_MAX_LENGTH.
    """
    title = " ".join(_CONTROL_CHARACTERS.sub(" ", raw).split())
    if not _has_visible_character(title):
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
