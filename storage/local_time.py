"""Wall-clock arithmetic in a list's time zone: local times to instants, quiet hours, daily
times. A wall time in a spring-forward gap moves forward by the gap; an ambiguous fall-back time
is its first occurrence (zoneinfo's fold=0)."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MINUTES_PER_DAY = 24 * 60


def chat_zone(name: str | None) -> ZoneInfo:
    """The chat's time zone; UTC when unset (or, defensively, unknown)."""
    if not name:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class OutOfRange(ValueError):
    """A wall time too far from today to be an instant (year 1, year 9999)."""


def in_zone(moment: datetime, tz: ZoneInfo) -> datetime:
    """The moment in the zone; a naive datetime is a bug, not the server's local time.

    A moment at the very edge of what a datetime holds (9999-12-31 23:30 UTC, 0001-01-01 00:30
    UTC) has no date in zones on the far side of UTC (it would be in year 10000, or year 0):
    it stays in UTC, so that whatever is stored can be shown.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an aware datetime is needed, got a naive one")
    try:
        return moment.astimezone(tz)
    except OverflowError:
        return moment.astimezone(UTC)


def wall_to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall time: a gap time moves forward, an ambiguous one is the first."""
    try:
        return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    except OverflowError as error:
        raise OutOfRange(f"{wall:%Y-%m-%d %H:%M} cannot be an instant") from error


def minute_of_day(moment: datetime, tz: ZoneInfo) -> int:
    """Minutes after local midnight at `moment`."""
    local = moment.astimezone(tz)
    return local.hour * 60 + local.minute


def in_quiet_hours(moment: datetime, tz: ZoneInfo, start: int | None, end: int | None) -> bool:
    """Whether `moment` falls in the quiet hours [start, end) (which may span midnight)."""
    if start is None or end is None or start == end:
        return False
    minute = minute_of_day(moment, tz)
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end


def next_local_minute(after: datetime, tz: ZoneInfo, minute: int) -> datetime:
    """The first moment strictly after `after` whose local time is `minute` after midnight
    (in UTC). Across a DST gap the wall time is taken as zoneinfo resolves it."""
    local = after.astimezone(tz)
    wanted = time(minute // 60, minute % 60)
    for days in range(3):
        day = local.date() + timedelta(days=days)
        candidate = datetime.combine(day, wanted, tzinfo=tz).astimezone(UTC)
        if candidate > after:
            return candidate
    raise AssertionError("a local time recurs within three days")


def local_day_end(moment: datetime, tz: ZoneInfo) -> datetime:
    """The last instant of `moment`'s local day (in UTC): for "due today"."""
    local = moment.astimezone(tz)
    next_midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=tz)
    return next_midnight.astimezone(UTC) - timedelta(microseconds=1)
