"""Repeating due times: the rule, its stored form, and when it next falls.

A rule repeats at a local wall-clock time in the list's time zone, so an occurrence keeps its
wall time across DST changes. The same computation exists in the database as the SQL function
`next_occurrence` (migration 0007), which completing a task uses to reopen it for its next time
in the statement that marks it done; tests/test_recurrence.py checks that both agree.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from storage.local_time import in_zone, wall_to_utc

Kind = Literal["daily", "weekdays", "weekly"]
KINDS: dict[str, Kind] = {"daily": "daily", "weekdays": "weekdays", "weekly": "weekly"}

_ENCODED = re.compile(
    r"(?P<kind>[a-z]+):(?P<weekday>\d?):(?P<hour>\d\d):(?P<minute>\d\d):(?P<until>.*)"
)


class InvalidRecurrence(ValueError):
    """A repeat rule that cannot exist (or stored text that is no rule)."""


@dataclass(frozen=True)
class Recurrence:
    """A due time that repeats at a local wall-clock time: daily, Monday to Friday, or weekly."""

    kind: Kind
    weekday: int | None  # 0 = Monday; set exactly when kind is "weekly"
    hour: int
    minute: int
    until: date | None = None  # the last local date an occurrence may fall on

    def __post_init__(self) -> None:
        weekday_ok = (self.weekday in range(7)) if self.kind == "weekly" else self.weekday is None
        if self.kind not in KINDS or not weekday_ok:
            raise InvalidRecurrence("That repeat rule is not valid.")
        if self.hour not in range(24) or self.minute not in range(60):
            raise InvalidRecurrence("That repeat rule has an impossible time of day.")

    def next_after(self, after: datetime, tz: ZoneInfo) -> datetime | None:
        """The first occurrence strictly after `after`, in UTC; None when it would pass `until`."""
        start = in_zone(after, tz).date()
        for offset in range(8):  # a week and a day always holds the next occurrence
            day = start + timedelta(days=offset)
            if self.until is not None and day > self.until:
                return None
            if self.falls_on(day):
                moment = wall_to_utc(datetime.combine(day, time(self.hour, self.minute)), tz)
                if moment > after:
                    return moment
        raise AssertionError("a recurrence always occurs within eight days")

    def moved_to_zone(self, due: datetime, old: ZoneInfo, new: ZoneInfo) -> datetime:
        """An occurrence `due` of the rule read in zone `old`, as the same rule read in zone
        `new` (a task moved to a chat with another zone): the rule's first occurrence in `new`
        from the local day `due` fell on, which keeps its day and wall time. So the task's
        due time stays an occurrence of its rule, and its next one is the rule's next in
        `new`. When that would pass `until`, `due` stays."""
        day = in_zone(due, old).date()
        day_start = wall_to_utc(datetime.combine(day, time(0, 0)), new)
        moved = self.next_after(day_start - timedelta(microseconds=1), new)
        return due if moved is None else moved

    def falls_on(self, day: date) -> bool:
        """Whether the rule has an occurrence on this local date (ignoring `until`)."""
        if self.kind == "daily":
            return True
        if self.kind == "weekdays":
            return day.weekday() < 5
        return day.weekday() == self.weekday

    def encode(self) -> str:
        """The rule as stored text, e.g. "weekly:0:09:00:2027-01-31" or "daily::08:00:"."""
        weekday = "" if self.weekday is None else str(self.weekday)
        until = self.until.isoformat() if self.until else ""
        return f"{self.kind}:{weekday}:{self.hour:02d}:{self.minute:02d}:{until}"

    @classmethod
    def decode(cls, text: str) -> "Recurrence":
        """The rule `encode` wrote; InvalidRecurrence for anything it would not write."""
        match = _ENCODED.fullmatch(text)
        if match is None or match["kind"] not in KINDS:
            raise InvalidRecurrence("The stored repeat rule is unreadable.")
        try:
            until = date.fromisoformat(match["until"]) if match["until"] else None
        except ValueError as error:
            raise InvalidRecurrence(
                "The stored repeat rule has an impossible end date."
            ) from error
        weekday = int(match["weekday"]) if match["weekday"] else None
        hour, minute = int(match["hour"]), int(match["minute"])
        return cls(KINDS[match["kind"]], weekday, hour, minute, until)
