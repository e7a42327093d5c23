"""A time zone's VTIMEZONE (RFC 5545) in the yearly-rule form every calendar app reads right.

`icalendar.add_missing_timezones()` writes each DST change as one value of a multi-value RDATE;
Mozilla's ical.js (Thunderbird, many web calendars) reads only the first value, so repeating
events were an hour off in summer. Here the zone's current rules are found from zoneinfo: its
changes of the coming years, each kind (say, "to summer time") written once as a DAYLIGHT or
STANDARD part with `RRULE:FREQ=YEARLY;BYMONTH=..;BYDAY=..` and a DTSTART in the offset before
the change, as RFC 5545 asks. The rule is checked against zoneinfo for every year from its start
to HORIZON_YEARS ahead; a zone whose changes follow no such rule (Morocco's move with Ramadan)
gets one part per change up to that horizon instead. A zone without DST gets one STANDARD.
"""

import calendar
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

# How far ahead the rules are checked against zoneinfo (and explicit changes written).
HORIZON_YEARS = 30
# How far back a rule may start: older times are of no use to a to-do list.
EARLIEST_YEAR = 1970
_DAY = timedelta(days=1)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True, slots=True)
class Change:
    """One change of a zone's offset: its local onset in the offset before it."""

    onset: datetime  # naive: the wall clock just before the change
    offset_from: timedelta
    offset_to: timedelta
    name: str  # the zone's abbreviation after the change


@dataclass(frozen=True, slots=True)
class YearlyRule:
    """A change that comes back each year: month, weekday, which one, and the wall time.

    `which` is 1-4 (the first to fourth such weekday), -1 (the last), or None with `first_day`
    set: the weekday falling on `first_day` to `first_day + 6` (Israel's "Friday before the last
    Sunday" is the Friday on 23-29 March).
    """

    month: int
    weekday: int
    which: int | None
    first_day: int | None
    offset_from: timedelta
    offset_to: timedelta
    name: str
    wall: timedelta  # the onset's time after midnight

    def day_in(self, year: int) -> date:
        """The date the change falls on in `year`."""
        days = calendar.monthrange(year, self.month)[1]
        if self.which == -1:
            last = date(year, self.month, days)
            return last - timedelta(days=(last.weekday() - self.weekday) % 7)
        first = self.first_day if self.which is None else 7 * (self.which - 1) + 1
        assert first is not None
        start = date(year, self.month, first)
        return start + timedelta(days=(self.weekday - start.weekday()) % 7)

    def change_in(self, year: int) -> Change:
        onset = datetime.combine(self.day_in(year), datetime.min.time()) + self.wall
        return Change(onset, self.offset_from, self.offset_to, self.name)

    def rrule(self) -> dict[str, object]:
        rule: dict[str, object] = {"freq": "yearly", "bymonth": self.month}
        if self.which is None:
            assert self.first_day is not None
            rule["byday"] = _WEEKDAYS[self.weekday]
            rule["bymonthday"] = list(range(self.first_day, self.first_day + 7))
        else:
            rule["byday"] = f"{self.which}{_WEEKDAYS[self.weekday]}"
        return rule


def _offset(tz: ZoneInfo, moment: datetime) -> timedelta:
    offset = moment.astimezone(tz).utcoffset()
    assert offset is not None
    return offset


@functools.lru_cache(maxsize=4096)
def changes_in(tz: ZoneInfo, year: int) -> tuple[Change, ...]:
    """The zone's offset changes during `year` (by UTC), oldest first."""
    found: list[Change] = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    before = _offset(tz, moment)
    while moment < end:
        after_day = _offset(tz, moment + _DAY)
        if after_day != before:
            # Narrow the day down to the second the offset changes at.
            low, high = moment, moment + _DAY
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _offset(tz, middle) == before:
                    low = middle
                else:
                    high = middle
            high = high.replace(microsecond=0)
            name = high.astimezone(tz).tzname() or ""
            onset = (high + before).replace(tzinfo=None)
            found.append(Change(onset, before, after_day, name))
            before = after_day
        moment += _DAY
    return tuple(found)


def odd_wall_times(tz: ZoneInfo, year: int) -> list[tuple[datetime, datetime]]:
    """The wall times of `year` that the zone skips or shows twice, as [start, end) ranges:
    those readers of a calendar disagree on (RFC 5545 takes a skipped time in the offset
    before the gap, a repeated one at its first occurrence; ical.js and dateutil do not)."""
    ranges = []
    for change in changes_in(tz, year):
        width = abs(change.offset_to - change.offset_from)
        if change.offset_to > change.offset_from:  # clocks jump ahead: a gap after the onset
            ranges.append((change.onset, change.onset + width))
        else:  # clocks go back: the hour before the onset comes again
            ranges.append((change.onset - width, change.onset))
    return ranges


def _candidates(change: Change) -> list[YearlyRule]:
    """The yearly rules that put a change on its date, the plainest first."""
    day = change.onset.date()
    days = calendar.monthrange(day.year, day.month)[1]
    wall = change.onset - datetime.combine(day, datetime.min.time())
    kinds: list[tuple[int | None, int | None]] = []
    if day.day <= 28:
        kinds.append(((day.day - 1) // 7 + 1, None))
    if day.day + 7 > days:
        kinds.append((-1, None))
    # A week of days that must lie within the month in every year (February: 28 days).
    shortest = calendar.monthrange(2001, day.month)[1]
    firsts = range(max(1, day.day - 6), min(day.day, shortest - 6) + 1)
    kinds += [(None, first) for first in firsts]
    return [
        YearlyRule(
            day.month,
            day.weekday(),
            which,
            first,
            change.offset_from,
            change.offset_to,
            change.name,
            wall,
        )
        for which, first in kinds
    ]


def _predicted(rules: list[YearlyRule], year: int) -> tuple[Change, ...]:
    return tuple(sorted((rule.change_in(year) for rule in rules), key=lambda c: c.onset))


def _yearly_rules(tz: ZoneInfo, year: int) -> tuple[list[YearlyRule], int] | None:
    """The rules that give every change from `year` to the horizon, and the first year they
    hold since; None when the changes follow no yearly rule."""
    horizon = {y: changes_in(tz, y) for y in range(year, year + HORIZON_YEARS + 1)}
    rules: list[YearlyRule] = []
    for change in horizon[year]:
        fitting = [
            rule
            for rule in _candidates(change)
            if all(rule.change_in(y) in changes for y, changes in horizon.items())
        ]
        if not fitting:
            return None
        rules.append(fitting[0])
    if any(_predicted(rules, y) != changes for y, changes in horizon.items()):
        return None
    since = year
    while since > EARLIEST_YEAR and _predicted(rules, since - 1) == changes_in(tz, since - 1):
        since -= 1
    return rules, since


def _part(change: Change, rule: YearlyRule | None) -> TimezoneStandard | TimezoneDaylight:
    part = TimezoneDaylight() if change.offset_to > change.offset_from else TimezoneStandard()
    part.add("tzname", change.name)
    part.add("tzoffsetfrom", change.offset_from)
    part.add("tzoffsetto", change.offset_to)
    part.add("dtstart", change.onset)
    if rule is not None:
        part.add("rrule", rule.rrule())
    return part


@functools.lru_cache(maxsize=64)
def vtimezone(name: str, year: int) -> Timezone:
    """The zone's VTIMEZONE for a calendar written in `year` (shared: do not change it)."""
    tz = ZoneInfo(name)
    component = Timezone()
    component.add("tzid", name)
    found = _yearly_rules(tz, year)
    if found is not None and found[0]:
        rules, since = found
        for rule in rules:
            component.add_component(_part(rule.change_in(since), rule))
    elif found is not None:
        # No changes from `year` on: one STANDARD with the offset of now.
        offset = _offset(tz, datetime(year, 1, 1, tzinfo=UTC))
        name_now = datetime(year, 1, 1, tzinfo=UTC).astimezone(tz).tzname() or ""
        start = datetime(EARLIEST_YEAR, 1, 1)
        component.add_component(_part(Change(start, offset, offset, name_now), None))
    else:
        # No yearly rule fits: each change up to the horizon, spelled out.
        for y in range(year - 1, year + HORIZON_YEARS + 1):
            for change in changes_in(tz, y):
                component.add_component(_part(change, None))
    return component
