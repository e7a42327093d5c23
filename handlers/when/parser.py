"""Reading due times: a phrase (in canonical words, handlers.when.vocabulary) as the moment it
names in the chat's time zone, or its repeat rule (handlers.when.repeats), and the reminders
before it that it asks for after a REMIND word (handlers.when.reminders).

Only text the user marked as a time reaches `parse_when` (after `/due N`, or after ` @ ` in
`/add`), so it is strict: the whole phrase must be understood, or WhenError says what would be.
Results are aware UTC datetimes. Local wall times go through zoneinfo with fold=0: a time in a
spring-forward gap moves forward by the gap, an ambiguous fall-back time is its first occurrence.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.when.clock import (
    BEFORE_CLOCK,
    CLOCK,
    PERIOD,
    PERIOD_TIMES,
    clock_time,
    duration_counts,
)
from handlers.when.days import day_candidates
from handlers.when.errors import WhenError, shown
from handlers.when.reminders import minutes_before
from handlers.when.repeats import DEFAULT_TIME, repeat_of
from handlers.when.vocabulary import Phrase
from storage.local_time import OutOfRange, in_zone, wall_to_utc
from storage.recurrence import Recurrence
from storage.values import DueEntry

MAX_AHEAD = timedelta(days=5 * 365)
__all__ = ["DEFAULT_TIME", "MAX_AHEAD", "When", "when_of"]

_TIME_LAST = re.compile(rf"(?:(?P<head>.*?) )??(?:(?:{BEFORE_CLOCK}) )?(?P<time>{CLOCK})")
_TIME_FIRST = re.compile(rf"(?:(?:{BEFORE_CLOCK}) )?(?P<time>{CLOCK}) (?P<head>.+)")
_PERIOD_LAST = re.compile(rf"(?:(?P<head>.*?) )?(?P<period>{PERIOD})")
_RELATIVE = re.compile(r"IN (?P<ahead>.+?)(?: LATER)?|(?P<later>.+) LATER")


@dataclass(frozen=True)
class When:
    """A parsed due time: the first (or only) moment, in UTC, the repeat rule if any, and the
    minutes before it to remind at too when the phrase asked for them (None: it did not)."""

    due_at: datetime
    recurrence: Recurrence | None
    remind_before: tuple[int, ...] | None = None

    def stored(self) -> DueEntry:
        """The due time as storage keeps it: the rule in its text form."""
        rule = self.recurrence.encode() if self.recurrence else None
        return DueEntry(self.due_at, rule, self.remind_before)


def when_of(phrase: Phrase, *, text: str, now: datetime, tz: ZoneInfo) -> When:
    """When the phrase (typed as `text`) is due, seen at `now` in the chat's zone `tz`, and
    the reminders before it that a REMIND part asks for ("fri 18:00 remind 1d 1h before")."""
    local_now = in_zone(now, tz)
    words = phrase.canonical.split()
    before = None
    if "REMIND" in words:
        before = minutes_before(phrase, start=words.index("REMIND"))
        phrase = phrase.first_words(words.index("REMIND"))
    if not phrase.canonical:  # only commas, or a word that only joins ("ی")
        raise WhenError("unreadable", text=shown(text))
    repeat = repeat_of(phrase, now=now, tz=tz)
    if repeat is not None:
        return When(repeat[1], repeat[0], before)
    due = _relative(phrase, local_now, tz)
    if due is None:
        due = _day_and_time(phrase, local_now, tz)
    if due is None:
        raise WhenError("unreadable", text=shown(text))
    if due <= now:
        raise WhenError("passed")
    if due - now > MAX_AHEAD:
        raise WhenError("too_far")
    return When(due.astimezone(UTC), None, before)


def _typed(phrase: Phrase, match: re.Match[str], group: str) -> str:
    """What the user typed for a group of a match on the phrase's canonical words."""
    return phrase.typed(match.start(group), match.end(group))


def _wall_to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall time (storage.local_time's rule); too far off is too far."""
    try:
        return wall_to_utc(wall, tz)
    except OutOfRange as error:
        raise WhenError("too_far") from error


def _relative(phrase: Phrase, local_now: datetime, tz: ZoneInfo) -> datetime | None:
    """now + "in 2 hours"; days and weeks keep the wall-clock time across a DST change."""
    match = _RELATIVE.fullmatch(phrase.canonical)
    if match is None:
        return None
    group = "ahead" if match["ahead"] else "later"
    counts = duration_counts(match[group], typed=_typed(phrase, match, group))
    if timedelta(**counts) > MAX_AHEAD:
        raise WhenError("too_far")
    days = timedelta(weeks=counts.get("weeks", 0), days=counts.get("days", 0))
    start = _wall_to_utc(local_now.replace(tzinfo=None) + days, tz) if days else local_now
    # Elapsed time is added in UTC: adding to a zoned datetime would move its wall clock instead.
    elapsed = timedelta(hours=counts.get("hours", 0), minutes=counts.get("minutes", 0))
    return start.astimezone(UTC) + elapsed


def _day_and_time(phrase: Phrase, local_now: datetime, tz: ZoneInfo) -> datetime | None:
    """A day phrase with an optional time; None when no reading of the phrase is a day."""
    for head, clock, typed in _time_splits(phrase):
        head, period = _split_period(head)
        days = day_candidates(head, local_now.date(), rolls_to_tomorrow=bool(clock) and not period)
        if days is None:
            continue
        if clock is not None:
            hour, minute = clock_time(clock, typed=typed, period=period)
        else:
            hour, minute = PERIOD_TIMES[period] if period else DEFAULT_TIME
        moments = [_wall_to_utc(datetime.combine(day, time(hour, minute)), tz) for day in days]
        return next((moment for moment in moments if moment > local_now), moments[-1])
    return None


def _time_splits(phrase: Phrase) -> list[tuple[str, str | None, str]]:
    """Ways to read the phrase as (day part, time part, the time as typed): time last, time
    first, no time."""
    splits: list[tuple[str, str | None, str]] = []
    for pattern in (_TIME_LAST, _TIME_FIRST):
        match = pattern.fullmatch(phrase.canonical)
        if match:
            splits.append((match["head"] or "", match["time"], _typed(phrase, match, "time")))
    return [*splits, (phrase.canonical, None, "")]


def _split_period(head: str) -> tuple[str, str | None]:
    """("TOMORROW", "EVENING") from "TOMORROW EVENING"; no period gives None."""
    match = _PERIOD_LAST.fullmatch(head)
    return (match["head"] or "", match["period"]) if match else (head, None)
