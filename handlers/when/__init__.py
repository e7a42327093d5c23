"""Reading the time phrases users type, in the chat's language and in English: due times (in
the chat's time zone) with their repeats and reminders before them, clock times and durations.
Nothing here writes a time (handlers.render_time does) or knows of buttons.

A phrase is read into canonical words by its language's vocabulary (vocabulary.py, with the
words of languages/), then by one grammar for every language (parser.py, days.py, clock.py,
repeats.py, reminders.py).
The chat's language is tried first, then English; a refusal is a WhenError with a kind and
params for translation (errors.py).
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from handlers.when.clock import clock_time, duration_counts
from handlers.when.errors import WhenError, shown
from handlers.when.languages import ENGLISH, LANGUAGES, language_code
from handlers.when.parser import DEFAULT_TIME, MAX_AHEAD, When, when_of
from handlers.when.reminders import minutes_before
from handlers.when.vocabulary import Phrase, ascii_digits, language_vocabulary
from storage.local_time import in_zone

__all__ = [
    "DEFAULT_TIME",
    "LANGUAGES",
    "MAX_AHEAD",
    "When",
    "WhenError",
    "ascii_digits",
    "parse_duration",
    "parse_reminders",
    "parse_time_of_day",
    "parse_when",
    "shown",
]

_Read = TypeVar("_Read")


def parse_when(text: str, *, now: datetime, tz: ZoneInfo, language: str | None = None) -> When:
    """When a phrase like "tomorrow 9:00", "через 2 часа" or "jeden Montag bis 31. Dezember"
    is due; `language` is the chat's (a code such as "de" or "pt-BR"; English is always read).
    """
    in_zone(now, tz)  # a naive `now` is a bug, refused before the text is looked at
    if not text.strip():
        raise WhenError("empty")
    return _in_languages(
        lambda phrase: when_of(phrase, text=text, now=now, tz=tz),
        text,
        language,
        vague="unreadable",
    )


def parse_time_of_day(text: str, *, language: str | None = None) -> tuple[int, int]:
    """(hour, minute) of a clock time: "9", "09:30", "18.30", "6pm", "noon", "22 Uhr", "9h"."""
    return _in_languages(
        lambda phrase: clock_time(phrase.canonical, typed=shown(text)),
        text,
        language,
        vague="not_time_of_day",
    )


def parse_duration(text: str, *, language: str | None = None) -> timedelta:
    """The length of "10m", "30 minutes", "1h30m", "an hour", "2 Stunden", "полчаса"..."""
    counts = _in_languages(
        lambda phrase: duration_counts(phrase.canonical, typed=shown(text)),
        text,
        language,
        vague="not_duration",
    )
    return timedelta(**counts)


def parse_reminders(text: str, *, language: str | None = None) -> tuple[int, ...]:
    """The minutes before the due time of "1d 1h before", "1 hour", "за 1 день и за 1 час",
    the earliest reminder first."""
    if not text.strip():
        raise WhenError("bad_reminders", text="")
    return _in_languages(
        lambda phrase: minutes_before(phrase), text, language, vague="bad_reminders"
    )


def _in_languages(
    read: Callable[[Phrase], _Read], text: str, language: str | None, *, vague: str
) -> _Read:
    """The first reading of the text that succeeds, in the chat's language, then English.

    When none does, the refusal is the chat language's, unless that one only says the text
    is not understood (`vague`) and English says more.
    """
    code = language_code(language)
    refusal: WhenError | None = None
    for attempt in dict.fromkeys((code, ENGLISH)):
        try:
            return read(language_vocabulary(attempt).read(text))
        except WhenError as error:
            if refusal is None or (refusal.kind == vague and error.kind != vague):
                refusal = error
    assert refusal is not None
    raise refusal
