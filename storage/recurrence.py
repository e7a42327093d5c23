"""Repeating due times: the rule, its stored form, and when it next falls.

A rule is a small RRULE (RFC 5545): a frequency (daily, weekly, monthly, yearly) with an
interval, the days it falls on (weekdays; a day of the month, where 29-31 fall on a shorter
month's last day, or the last day; the n-th or last weekday of the month), a month for yearly
rules, and a wall-clock time in the list's time zone, so an occurrence keeps its wall time across
DST changes. An interval counts from `start`, the date of the first occurrence. A rule `from
done` counts its interval from the day the task was completed instead ("every! 3 days").

The next occurrence is found by scanning the local days after a moment, at most SCAN_DAYS of
them. The same scan exists in the database as the SQL function `next_occurrence` (migration
0011), which completing a task uses to reopen it for its next time in the statement that marks it
done; tests/test_recurrence.py checks that both agree, day for day, across DST changes.
"""

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from storage.local_time import in_zone, wall_to_utc

Freq = Literal["daily", "weekly", "monthly", "yearly"]
FREQS: tuple[Freq, ...] = ("daily", "weekly", "monthly", "yearly")
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
LAST = -1  # the last day of the month, or the last of a weekday in it
WORKDAYS = (0, 1, 2, 3, 4)  # Monday to Friday
# The longest interval of each frequency: every rule then falls at least once in SCAN_DAYS.
MAX_INTERVAL: dict[Freq, int] = {"daily": 365, "weekly": 52, "monthly": 24, "yearly": 5}
# 5 years and the spread of the last Monday of May (or of a clamped February 29), and more.
SCAN_DAYS = 2000
# Dates of a rule (its start and end) stay well inside the calendar the scan can reach.
LAST_YEAR = 2999

_DAY = "MO|TU|WE|TH|FR|SA|SU"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
# The stored text, exactly as `encode` writes it (migration 0012 has the same pattern).
STORED = re.compile(
    r"FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)"
    r"(?:;INTERVAL=([1-9][0-9]{0,2}))?"
    r"(?:;BYMONTH=([1-9]|1[0-2]))?"
    r"(?:;BYMONTHDAY=(-1|[1-9]|[12][0-9]|3[01]))?"
    rf"(?:;BYDAY=((?:{_DAY})(?:,(?:{_DAY}))*|(?:-1|[1-4])(?:{_DAY})))?"
    r";TIME=([01][0-9]|2[0-3]):([0-5][0-9])"
    rf"(?:;UNTIL=({_DATE}))?"
    rf"(?:;START=({_DATE}))?"
    r"(;FROM=DONE)?"
)
# What the bot stored before migration 0012: "weekly:0:09:00:2027-01-31", "daily::08:00:".
_OLD = re.compile(r"(daily|weekdays|weekly):([0-6]?):([01][0-9]|2[0-3]):([0-5][0-9]):(.*)")


class InvalidRecurrence(ValueError):
    """A repeat rule that cannot exist (or stored text that is no rule)."""


@dataclass(frozen=True)
class Recurrence:
    """A due time that repeats at a local wall-clock time (see the module's docstring)."""

    freq: Freq
    hour: int
    minute: int
    interval: int = 1
    # weekly: the days (0 = Monday), ascending; monthly and yearly: one day, with `nth`.
    weekdays: tuple[int, ...] = ()
    nth: int | None = None  # 1-4, or LAST: which of the month's `weekdays[0]`
    month_day: int | None = None  # 1-31, or LAST
    month: int | None = None  # yearly: 1-12
    until: date | None = None  # the last local date an occurrence may fall on
    start: date | None = None  # the interval counts from here (set exactly when interval > 1)
    from_done: bool = False  # the interval counts from the day the task was completed

    def __post_init__(self) -> None:
        problem = self._problem()
        if problem:
            raise InvalidRecurrence(f"That repeat rule is not valid: {problem}.")

    def _problem(self) -> str | None:
        """What makes the rule impossible, or None (the checks migration 0012 makes too)."""
        if self.freq not in FREQS:
            return "no such frequency"
        if self.hour not in range(24) or self.minute not in range(60):
            return "an impossible time of day"
        if not 1 <= self.interval <= MAX_INTERVAL[self.freq]:
            return "the interval is too long"
        if any(day is not None and day.year > LAST_YEAR for day in (self.until, self.start)):
            return "a date too far ahead"
        if self.from_done:
            by_parts = (self.nth, self.month_day, self.month, self.start)
            if self.weekdays or any(part is not None for part in by_parts):
                return "counted from completion, it takes no days"
            return None
        if (self.start is not None) != (self.interval > 1):
            return "a start date goes with an interval, and only with one"
        days = self.weekdays
        if any(day not in range(7) for day in days) or list(days) != sorted(set(days)):
            return "the weekdays must be distinct and in order"
        if self.freq == "daily":
            return "a daily rule takes no days" if days or self._month_parts() else None
        if self.freq == "weekly":
            return "a weekly rule takes weekdays only" if not days or self._month_parts() else None
        if (self.month is not None) != (self.freq == "yearly"):
            return "a yearly rule, and only one, takes a month"
        if self.nth is not None:
            fits = len(days) == 1 and self.month_day is None and self.nth in (1, 2, 3, 4, LAST)
            return None if fits else "the n-th weekday takes one weekday and no day of the month"
        if days or self.month_day is None:
            return "a monthly or yearly rule takes a day of the month or the n-th weekday"
        longest = 31 if self.month is None else calendar.monthrange(2000, self.month)[1]
        return None if self.month_day == LAST or 1 <= self.month_day <= longest else "no such day"

    def _month_parts(self) -> bool:
        return any(part is not None for part in (self.nth, self.month_day, self.month))

    def falls_on(self, day: date) -> bool:
        """Whether the rule has an occurrence on this local date (ignoring `until`; a rule from
        done falls on the days its interval gives from `start`, when it has one)."""
        start = self.start
        if start is not None and day < start:
            return False
        if self.freq == "daily":
            return start is None or (day - start).days % self.interval == 0
        if self.freq == "weekly":
            if day.weekday() not in self.weekdays:
                return False
            weeks = (_monday(day) - _monday(start)).days // 7 if start else 0
            return weeks % self.interval == 0
        if self.freq == "yearly" and day.month != self.month:
            return False
        if start is not None:
            apart = day.year - start.year
            if self.freq == "monthly":
                apart = apart * 12 + day.month - start.month
            if apart % self.interval:
                return False
        return self._on_day_of_month(day)

    def _on_day_of_month(self, day: date) -> bool:
        length = calendar.monthrange(day.year, day.month)[1]
        if self.month_day == LAST:
            return day.day == length
        if self.month_day is not None:
            return day.day == min(self.month_day, length)
        if day.weekday() != self.weekdays[0]:
            return False
        if self.nth == LAST:
            return day.day + 7 > length
        return (day.day - 1) // 7 + 1 == self.nth

    def counted_from(self, day: date) -> "Recurrence":
        """A rule from done as it stands after completing on `day`: its days counted from
        there (weekly: that weekday; monthly: that day of the month; yearly: that date)."""
        return replace(
            self,
            from_done=False,
            start=day if self.interval > 1 else None,
            weekdays=(day.weekday(),) if self.freq == "weekly" else (),
            month_day=day.day if self.freq in ("monthly", "yearly") else None,
            month=day.month if self.freq == "yearly" else None,
        )

    def next_after(self, after: datetime, tz: ZoneInfo) -> datetime | None:
        """The first occurrence strictly after `after`, in UTC; None when it would pass `until`.

        A rule from done takes `after` as the moment the task was completed: the next is on a
        later day, its interval counted from that day.
        """
        rule, first = self, in_zone(after, tz).date()
        if self.from_done:
            rule, first = self.counted_from(first), first + timedelta(days=1)
        elif self.start is not None and first < self.start:
            first = self.start
        for offset in range(SCAN_DAYS):
            day = first + timedelta(days=offset)
            if self.until is not None and day > self.until:
                return None
            if rule.falls_on(day):
                moment = wall_to_utc(datetime.combine(day, time(self.hour, self.minute)), tz)
                if moment > after:
                    return moment
        return None  # not reached: every interval fits in SCAN_DAYS (tests/test_recurrence.py)

    def next_when_done(
        self, due: datetime | None, done: datetime, tz: ZoneInfo
    ) -> datetime | None:
        """When a task with this rule, due at `due` and completed at `done`, is due next: after
        its due time (or after `done` when that is later: missed times are skipped), or for a
        rule from done, counted from `done`. SQL's `next_due_when_done` (migration 0012)."""
        if self.from_done or due is None:
            return self.next_after(done, tz)
        return self.next_after(max(due, done), tz)

    def moved_to_zone(self, due: datetime, old: ZoneInfo, new: ZoneInfo) -> datetime:
        """An occurrence `due` of the rule read in zone `old`, as the same rule read in zone
        `new` (a task moved to a chat with another zone): the rule's first occurrence in `new`
        from the local day `due` fell on, which keeps its day and wall time. So the task's
        due time stays an occurrence of its rule, and its next one is the rule's next in
        `new`. When that would pass `until`, `due` stays."""
        day = in_zone(due, old).date()
        if self.from_done:  # counted from its completion: the same day and wall time
            if self.until is not None and day > self.until:
                return due
            return wall_to_utc(datetime.combine(day, time(self.hour, self.minute)), new)
        day_start = wall_to_utc(datetime.combine(day, time(0, 0)), new)
        moved = self.next_after(day_start - timedelta(microseconds=1), new)
        return due if moved is None else moved

    def encode(self) -> str:
        """The rule as stored text, e.g. "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;TIME=18:00;START=
        2026-06-12" or "FREQ=MONTHLY;BYMONTHDAY=-1;TIME=09:00;UNTIL=2027-01-31"."""
        parts = [f"FREQ={self.freq.upper()}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.month is not None:
            parts.append(f"BYMONTH={self.month}")
        if self.month_day is not None:
            parts.append(f"BYMONTHDAY={self.month_day}")
        if self.weekdays:
            days = ",".join(WEEKDAY_CODES[day] for day in self.weekdays)
            parts.append(f"BYDAY={'' if self.nth is None else self.nth}{days}")
        parts.append(f"TIME={self.hour:02d}:{self.minute:02d}")
        if self.until is not None:
            parts.append(f"UNTIL={self.until.isoformat()}")
        if self.start is not None:
            parts.append(f"START={self.start.isoformat()}")
        if self.from_done:
            parts.append("FROM=DONE")
        return ";".join(parts)

    @classmethod
    def decode(cls, text: str) -> "Recurrence":
        """The rule `encode` wrote (or the bot's older text form); InvalidRecurrence for
        anything else."""
        if (old := _OLD.fullmatch(text)) is not None:
            return _decode_old(old)
        match = STORED.fullmatch(text)
        if match is None:
            raise InvalidRecurrence("The stored repeat rule is unreadable.")
        freq, interval, month, month_day, byday, hour, minute, until, start, done = match.groups()
        if interval == "1":
            raise InvalidRecurrence("The stored repeat rule is unreadable.")  # never written
        nth: int | None = None
        weekdays: tuple[int, ...] = ()
        if byday:
            *number, days = re.fullmatch(rf"(-1|[1-4])?((?:{_DAY}|,)+)", byday).groups()  # type: ignore[union-attr]
            nth = int(number[0]) if number[0] else None
            weekdays = tuple(WEEKDAY_CODES.index(code) for code in days.split(","))
        return cls(
            freq=FREQS[("DAILY", "WEEKLY", "MONTHLY", "YEARLY").index(freq)],
            hour=int(hour),
            minute=int(minute),
            interval=int(interval or 1),
            weekdays=weekdays,
            nth=nth,
            month_day=int(month_day) if month_day else None,
            month=int(month) if month else None,
            until=_stored_date(until),
            start=_stored_date(start),
            from_done=bool(done),
        )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _stored_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError as error:
        raise InvalidRecurrence("The stored repeat rule has an impossible date.") from error


def _decode_old(match: re.Match[str]) -> Recurrence:
    kind, weekday, hour, minute, until = match.groups()
    if (kind == "weekly") != (weekday != ""):
        raise InvalidRecurrence("The stored repeat rule is unreadable.")
    if until and not re.fullmatch(_DATE, until):
        raise InvalidRecurrence("The stored repeat rule has an impossible date.")
    days = {"daily": (), "weekdays": (0, 1, 2, 3, 4), "weekly": (int(weekday or 0),)}[kind]
    freq: Freq = "daily" if kind == "daily" else "weekly"
    return Recurrence(freq, int(hour), int(minute), weekdays=days, until=_stored_date(until))
