"""A repeating task's rule as iCalendar RRULEs (RFC 5545), for the calendar feed, in the forms
every reader tested expands alike (icalendar with recurring-ical-events, dateutil, ical.js).

Every rule of storage.recurrence has them, except a rule counted from completion: its next
times depend on when the task is done, so the feed shows its next due time alone. The bot
moves a day from 29 to 31 to a shorter month's last day. The 31st of every month is then the
last day (BYMONTHDAY=-1), and so is a yearly date on its month's last day (29 February). The
29th or 30th of the month moves only in February, which RRULE's BYSETPOS could say but ical.js
does not read right: such a rule is two events, the months but February, and each February
the rule falls in on its last day (an event of its own, its UID the task's with "-february").
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from storage.local_time import in_zone, wall_to_utc
from storage.recurrence import LAST, WEEKDAY_CODES, Recurrence

FEBRUARY_UID = "-february"
# How many occurrences are looked through for the first one in (or out of) February: a rule
# that falls in February at all does within twelve.
_SEARCH = 13


@dataclass(frozen=True)
class RepeatingEvent:
    """One event of a repeating task: the end of its UID, its DTSTART (in the list's zone) and
    its RRULE."""

    uid_suffix: str
    start: datetime
    rrule: dict[str, object]


def repeating_events(rule: Recurrence, due: datetime, tz: ZoneInfo) -> list[RepeatingEvent]:
    """The events of a task due at `due` repeating by `rule`, the first one the task's own;
    none when RRULE cannot say the rule (counted from completion) or the due time is no
    occurrence of it (a file imported with one off its rule)."""
    if rule.from_done or rule_start(rule, due, tz) is None:
        return []
    rrule = _rrule(rule, tz)
    if rule.month is None and rule.month_day in (29, 30):
        if _first_occurrence(rule, due, tz, in_february=True) is None:
            pass  # an interval that never falls in February: the day as it is
        elif rule.interval > 1:
            return []
        else:
            return _without_february(rule, rrule, due, tz)
    start = rule_start(rule, due, tz)
    assert start is not None
    return [RepeatingEvent("", start, rrule)]


def rule_start(rule: Recurrence, due: datetime, tz: ZoneInfo) -> datetime | None:
    """The DTSTART of a rule's occurrence `due`: its wall time on that date, in `tz`; None when
    `due` is no occurrence of the rule."""
    day = in_zone(due, tz).date()
    wall = datetime.combine(day, time(rule.hour, rule.minute))
    if not rule.falls_on(day) or wall_to_utc(wall, tz) != due:
        return None
    return wall.replace(tzinfo=tz)


def _rrule(rule: Recurrence, tz: ZoneInfo) -> dict[str, object]:
    rrule: dict[str, object] = {"freq": rule.freq}
    if rule.interval > 1:
        rrule["interval"] = rule.interval
        rrule["wkst"] = "MO"  # the bot's weeks start on Monday
    if rule.month is not None:
        rrule["bymonth"] = [rule.month]
    if rule.nth is not None:
        rrule["byday"] = [f"{rule.nth}{WEEKDAY_CODES[rule.weekdays[0]]}"]
    elif rule.weekdays:
        rrule["byday"] = [WEEKDAY_CODES[day] for day in rule.weekdays]
    if rule.month_day is not None:
        # A month's longest length (29 for February): that day is the month's last.
        longest = 31 if rule.month is None else calendar.monthrange(2000, rule.month)[1]
        last = rule.month_day in (LAST, longest)
        rrule["bymonthday"] = [-1 if last else rule.month_day]
    if rule.until is not None:
        # The last local day an occurrence may fall on, as the UTC moment it ends
        # (RFC 5545: with a zoned DTSTART, UNTIL is in UTC).
        last_moment = datetime.combine(rule.until, time(23, 59, 59), tzinfo=tz)
        rrule["until"] = last_moment.astimezone(UTC)
    return rrule


def _without_february(
    rule: Recurrence, rrule: dict[str, object], due: datetime, tz: ZoneInfo
) -> list[RepeatingEvent]:
    """The 29th or 30th of every month: every month but February, and February's last day."""
    months = _first_occurrence(rule, due, tz, in_february=False)
    februaries = _first_occurrence(rule, due, tz, in_february=True)
    events = []
    if months is not None:
        others = [month for month in range(1, 13) if month != 2]
        events.append(RepeatingEvent("", months, {**rrule, "bymonth": others}))
    if februaries is not None:
        yearly: dict[str, object] = {"freq": "yearly", "bymonth": [2], "bymonthday": [-1]}
        if "until" in rrule:
            yearly["until"] = rrule["until"]
        events.append(RepeatingEvent(FEBRUARY_UID, februaries, yearly))
    return events


def _first_occurrence(
    rule: Recurrence, due: datetime, tz: ZoneInfo, *, in_february: bool
) -> datetime | None:
    """The DTSTART of the rule's first occurrence from `due` on in February (or not)."""
    moment: datetime | None = due
    for _ in range(_SEARCH):
        if moment is None:
            return None
        if (in_zone(moment, tz).month == 2) == in_february:
            return rule_start(rule, moment, tz)
        moment = rule.next_after(moment, tz)
    return None
