"""Repeat phrases in canonical words (handlers.when.vocabulary) as the rule they state
(storage.recurrence) and its first time: "EVERY OTHER WD4 18:00", "EVERY 3 DAYS",
"EVERY MONTHS ON 15 ORD", "EVERY LAST DAYS OF MONTHS", "EVERY 1 ORD WD0", "EVERY YEAR ON MO12 1",
"EVERY FROM_DONE 3 DAYS" ("every! 3 days"), each with an optional time and `UNTIL` date.

An interval counts from the first occurrence: that of the same rule repeating every time
(the next Friday for "every other friday", the next 09:00 for "every 2 weeks"), whose date
becomes the rule's start. A rule without its days ("every 2 weeks", "every month") takes them
from that first occurrence. An ordinal from 2 to 4 before a weekday needs "of the month" ("every
2nd friday" may mean every other one), and a rule counted from completion takes no days.
"""

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.when.clock import BEFORE_CLOCK, CLOCK, PERIOD, PERIOD_TIMES, clock_time
from handlers.when.days import until_date
from handlers.when.errors import WhenError
from handlers.when.vocabulary import Phrase
from storage.local_time import in_zone
from storage.recurrence import (
    LAST,
    MAX_INTERVAL,
    WORKDAYS,
    Freq,
    InvalidRecurrence,
    Recurrence,
)

DEFAULT_TIME = (9, 0)

_UNITS: dict[str, Freq] = {
    "DAYS": "daily",
    "DAYS_PM": "daily",  # Russian "дня": "каждые 3 дня"
    "WEEKS": "weekly",
    "MONTHS": "monthly",
    "YEAR": "yearly",
}
_COUNT = r"(?:(?P<count>\d{1,3}) |(?P<other>OTHER) )?"
_WEEKDAYS = r"(?P<weekdays>WD[0-6](?: (?:AND )?WD[0-6])*)"
_NTH = r"(?:(?P<nth>[1-4]) ORD|(?P<last>LAST)) WD(?P<weekday>[0-6])"
_MONTH_DAY = r"(?:DAYS )?(?P<day>\d{1,2})\.?(?: ORD)?"
_DATE = (
    r"(?:DAYS )?(?:MO(?P<month>\d{1,2}) (?P<day>\d{1,2})(?: ORD)?"
    r"|(?P<day2>\d{1,2})\.?(?: ORD)?(?: OF)? MO(?P<month2>\d{1,2}))"
)
_OF_EVERY_MONTH = r"(?: OF)? EVERY MONTHS"
# The forms of a rule, each with its own groups (read by _draft). Where an English form and
# another language's order differ ("the last day of every month"), both are here.
_HEADS = (
    r"DAILY",
    r"WEEKDAYS|EVERY WEEKDAY",
    rf"EVERY (?P<period>{PERIOD})",
    # every day, every 3 days, every 3rd day, every other week, every! 2 weeks, every month
    r"EVERY (?P<done>FROM_DONE )?(?:(?P<count>\d{1,3})(?: ORD)? |(?P<other>OTHER) )?"
    rf"(?P<unit>DAYS|DAYS_PM|WEEKS|MONTHS|YEAR)(?: ON {_WEEKDAYS})?",
    rf"EVERY {_COUNT}{_WEEKDAYS}",
    rf"EVERY (?:MONTHS (?:ON )?)?{_NTH}(?P<of> (?:OF )?(?:MONTHS|MO(?P<month>\d{{1,2}})))?",
    rf"(?:ON )?{_NTH}(?P<of>{_OF_EVERY_MONTH})",
    # "jeden zweiten Freitag im Monat": the second Friday of the month
    r"EVERY (?P<other>OTHER) WD(?P<weekday>[0-6]) (?P<of>(?:OF )?MONTHS)",
    rf"EVERY {_COUNT}MONTHS (?:ON )?{_MONTH_DAY}",
    r"EVERY (?P<day>\d{1,2}) ORD(?: DAYS)?(?: (?:OF )?MONTHS)?",
    rf"(?:ON )?{_MONTH_DAY}{_OF_EVERY_MONTH}",
    rf"EVERY {_COUNT}(?:MONTHS (?:ON )?)?(?P<last_day>LAST DAYS)(?: (?:OF )?MONTHS)?",
    rf"(?:ON )?(?P<last_day>LAST DAYS){_OF_EVERY_MONTH}",
    rf"EVERY {_COUNT}YEAR (?:ON )?{_DATE}",
    rf"EVERY {_DATE}",
)
_TAIL = (
    rf"(?: (?P<period_after>{PERIOD}))?(?: (?:(?:{BEFORE_CLOCK}) )?(?P<time>{CLOCK}))?"
    r"(?: UNTIL (?P<until>.+))?"
)
_PHRASES = [re.compile(f"(?P<head>{head}){_TAIL}") for head in _HEADS]
_MONTH_LENGTHS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True)
class _Draft:
    """A rule as a phrase states it, before its first time gives it a start (and, for an
    interval without days, its days)."""

    freq: Freq
    interval: int
    weekdays: tuple[int, ...] = ()
    nth: int | None = None
    month_day: int | None = None
    month: int | None = None
    from_done: bool = False

    @property
    def has_days(self) -> bool:
        return bool(self.weekdays) or self.month_day is not None


def repeat_of(
    phrase: Phrase, *, now: datetime, tz: ZoneInfo
) -> tuple[Recurrence, datetime] | None:
    """The rule the phrase states and its first time after `now` (UTC); None when the phrase
    states no repeat. WhenError for a repeat that cannot be."""
    for pattern in _PHRASES:
        match = pattern.fullmatch(phrase.canonical)
        if match is not None:
            return _repeat(phrase, match, now=now, tz=tz)
    return None


def _typed(phrase: Phrase, match: re.Match[str], group: str) -> str:
    return phrase.typed(match.start(group), match.end(group))


def _group(match: re.Match[str], name: str) -> str | None:
    """A group of the match; None when the form has no such group or it did not take part."""
    return match.groupdict().get(name)


def _repeat(
    phrase: Phrase, match: re.Match[str], *, now: datetime, tz: ZoneInfo
) -> tuple[Recurrence, datetime]:
    period = _group(match, "period") or match["period_after"]
    if match["time"]:
        hour, minute = clock_time(
            match["time"], typed=_typed(phrase, match, "time"), period=period
        )
    else:
        hour, minute = PERIOD_TIMES[period] if period else DEFAULT_TIME
    until = None
    if match["until"]:
        today = in_zone(now, tz).date()
        until = until_date(match["until"], today, typed=_typed(phrase, match, "until"))
    draft = _draft(phrase, match)
    if draft.interval > MAX_INTERVAL[draft.freq]:
        raise WhenError("interval_too_long")
    if draft.from_done and draft.has_days:
        raise WhenError("bad_repeat", text=_typed(phrase, match, "head"))
    try:
        return _first(draft, Recurrence("daily", hour, minute, until=until), now=now, tz=tz)
    except InvalidRecurrence:
        raise WhenError("bad_repeat", text=_typed(phrase, match, "head")) from None


def _draft(phrase: Phrase, match: re.Match[str]) -> _Draft:
    """What the matched form states (see _HEADS)."""
    head = match["head"]
    interval = _interval(phrase, match)
    if head in ("WEEKDAYS", "EVERY WEEKDAY"):
        return _Draft("weekly", 1, weekdays=WORKDAYS)
    if weekdays := _group(match, "weekdays"):
        days = tuple(sorted({int(word[2]) for word in weekdays.split() if word != "AND"}))
        return _Draft("weekly", interval, weekdays=days, from_done=bool(_group(match, "done")))
    if (weekday := _group(match, "weekday")) is not None:
        nth = LAST if _group(match, "last") else 2 if _group(match, "other") else None
        nth = nth or int(match["nth"])
        if nth in (2, 3, 4) and not _group(match, "of"):
            raise WhenError("ambiguous_nth", text=_typed(phrase, match, "head"))
        month = _group(match, "month")
        freq: Freq = "yearly" if month else "monthly"
        month_number = _month_of(month)
        return _Draft(freq, 1, weekdays=(int(weekday),), nth=nth, month=month_number)
    day = _group(match, "day") or _group(match, "day2")
    if day is not None or _group(match, "last_day"):
        month = _group(match, "month") or _group(match, "month2")
        month_number = _month_of(month)
        month_day = LAST if day is None else _day_of_month(int(day), month_number, phrase, match)
        freq = "yearly" if month_number else "monthly"
        return _Draft(freq, interval, month_day=month_day, month=month_number)
    unit = _group(match, "unit")
    freq = _UNITS[unit] if unit else "daily"
    return _Draft(freq, interval, from_done=bool(_group(match, "done")))


def _interval(phrase: Phrase, match: re.Match[str]) -> int:
    if _group(match, "other"):
        return 2
    count = _group(match, "count")
    if count is None:
        return 1
    if int(count) == 0:
        raise WhenError("bad_repeat", text=_typed(phrase, match, "head"))
    return int(count)


def _month_of(word: str | None) -> int | None:
    """The month of a "MO<n>" number, which the vocabulary only ever writes as 1 to 12."""
    return int(word) if word else None


def _day_of_month(day: int, month: int | None, phrase: Phrase, match: re.Match[str]) -> int:
    """The day of the month a phrase names; WhenError for one no month (or not that month)
    has: "There is no 30 February"."""
    if month is None:
        if not 1 <= day <= 31:
            raise WhenError("bad_repeat", text=_typed(phrase, match, "head"))
    elif not 1 <= day <= _MONTH_LENGTHS[month - 1]:
        raise WhenError("no_such_day", day=day, month=month)
    return day


def _first(
    draft: _Draft, base: Recurrence, *, now: datetime, tz: ZoneInfo
) -> tuple[Recurrence, datetime]:
    """The rule with its interval counted from its first time, and that time. `base` holds
    the wall time and the end date."""
    if draft.from_done:  # first at the next wall time; then counted from each completion
        rule = replace(base, freq=draft.freq, interval=draft.interval, from_done=True)
        first = base.next_after(now, tz)
    else:
        every_time = _with_days(base, draft) if draft.has_days else base
        first = every_time.next_after(now, tz)
    if first is None:
        raise WhenError("until_before_start")
    if draft.from_done:
        return rule, first
    day = in_zone(first, tz).date()
    rule = every_time if draft.has_days else _with_days(base, _days_of(draft, day))
    if draft.interval > 1:
        rule = replace(rule, interval=draft.interval, start=day)
    return rule, first


def _with_days(base: Recurrence, draft: _Draft) -> Recurrence:
    """`base` at the draft's frequency on its days, every time (interval 1)."""
    return replace(
        base,
        freq=draft.freq,
        weekdays=draft.weekdays,
        nth=draft.nth,
        month_day=draft.month_day,
        month=draft.month,
    )


def _days_of(draft: _Draft, day: date) -> _Draft:
    """The draft of a rule without days ("every 2 weeks"), on the days of its first `day`."""
    if draft.freq == "weekly":
        return replace(draft, weekdays=(day.weekday(),))
    if draft.freq == "monthly":
        return replace(draft, month_day=day.day)
    if draft.freq == "yearly":
        return replace(draft, month_day=day.day, month=day.month)
    return draft
