"""A repeating task's rule as an iCalendar RRULE (RFC 5545), for the calendar feed.

Every rule of storage.recurrence has one, except a rule counted from completion: its next
times depend on when the task is done, so the feed shows its next due time as a single event.
A day of the month from 29 to 31, which the bot moves to a shorter month's last day, is written
as "the last of the days 28 to n that the month has" (BYMONTHDAY=28,...,n;BYSETPOS=-1).
"""

import calendar
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from storage.local_time import in_zone, wall_to_utc
from storage.recurrence import LAST, WEEKDAY_CODES, Recurrence


def rrule_of(rule: Recurrence, tz: ZoneInfo) -> dict[str, object] | None:
    """The RRULE of a rule in the list's zone `tz` (for a DTSTART in that zone), or None when
    RRULE cannot say it."""
    if rule.from_done:
        return None
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
    if rule.month_day == LAST:
        rrule["bymonthday"] = [-1]
    elif rule.month_day is not None:
        shortest = 28 if rule.month is None else calendar.monthrange(2001, rule.month)[1]
        if rule.month_day <= shortest:
            rrule["bymonthday"] = [rule.month_day]
        else:  # a shorter month's last day
            rrule["bymonthday"] = list(range(shortest, rule.month_day + 1))
            rrule["bysetpos"] = [-1]
    if rule.until is not None:
        # The last local day an occurrence may fall on, as the UTC moment it ends
        # (RFC 5545: with a zoned DTSTART, UNTIL is in UTC).
        last = datetime.combine(rule.until, time(23, 59, 59), tzinfo=tz)
        rrule["until"] = last.astimezone(UTC)
    return rrule


def rule_start(rule: Recurrence, due: datetime, tz: ZoneInfo) -> datetime | None:
    """The DTSTART of a task due at `due` repeating by `rule`: the rule's wall time on the due
    date, in `tz`. None when the due time is no occurrence of the rule (a file imported with
    a due time off its rule): the RRULE would then name other times than the bot's."""
    day = in_zone(due, tz).date()
    wall = datetime.combine(day, time(rule.hour, rule.minute))
    if not rule.falls_on(day) or wall_to_utc(wall, tz) != due:
        return None
    return wall.replace(tzinfo=tz)
