"""Reminders before the due time in canonical words (handlers.when.vocabulary): "1 DAYS 1 HOURS
BEFORE" ("1d 1h before"), "BEFORE 1 DAYS" ("за 1 день"), as minutes before the due time.

Each reminder is a number with its unit; several are separated by spaces, commas or "and".
A number written against the one before it ("1h30m") belongs to the same reminder, so
"1d 1h" is two reminders and "1h30m" one of 90 minutes.
"""

from handlers.when.clock import duration_counts
from handlers.when.errors import WhenError, shown
from handlers.when.vocabulary import Phrase
from storage.reminder_times import MAX_REMINDERS_BEFORE, reminders_before

_COUNTS = ("ONE",)


def minutes_before(phrase: Phrase, *, start: int = 0) -> tuple[int, ...]:
    """The minutes before the due time that the phrase's canonical words from the `start`-th
    on state (an optional REMIND word first, then the reminders, with BEFORE before, after or
    between them), the earliest reminder first. WhenError when they are no such reminders."""
    words = phrase.words()[start:]
    typed = phrase.text[words[0][1] : words[-1][2]] if words else phrase.text
    if words and words[0][0] == "REMIND":
        words = words[1:]
    groups: list[list[str]] = []
    previous: tuple[int, int] | None = None
    for word, first, last in words:
        if word in ("AND", "BEFORE"):  # "1d and 1h before", "за 1 день и за 1 час"
            previous = None
            continue
        counted = word.isdigit() or word in _COUNTS
        joined = previous is not None and first in (previous[1], previous[0])
        if not groups or previous is None or (counted and not joined):
            groups.append([])
        groups[-1].append(word)
        previous = (first, last)
    if not groups:
        raise WhenError("bad_reminders", text=shown(typed))
    minutes = []
    for group in groups:
        try:
            counts = duration_counts(" ".join(group), typed=typed)
        except WhenError:
            raise WhenError("bad_reminders", text=shown(typed)) from None
        minutes.append(
            counts.get("weeks", 0) * 7 * 24 * 60
            + counts.get("days", 0) * 24 * 60
            + counts.get("hours", 0) * 60
            + counts.get("minutes", 0)
        )
    try:
        return reminders_before(minutes)
    except ValueError:
        raise WhenError("reminders_limit", count=MAX_REMINDERS_BEFORE) from None
