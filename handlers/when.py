"""Reading the time phrases users type: due times (in the chat's time zone), clock times and
durations. Nothing here writes a time (handlers.render_time does) or knows of buttons.

Only text the user marked as a time reaches `parse_when` (after `/due N`, or after ` @ ` in
`/add`), so it is strict: the whole phrase must be understood, or WhenError says what would be.
Results are aware UTC datetimes. Local wall times go through zoneinfo with fold=0: a time in a
spring-forward gap moves forward by the gap, an ambiguous fall-back time is its first occurrence.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.local_time import OutOfRange, in_zone, wall_to_utc
from storage.recurrence import Recurrence
from storage.validation import MAX_AHEAD

DEFAULT_TIME = (9, 0)

_EXAMPLES = "tomorrow 9:00, fri 18:00, in 2 hours, dec 1, 2026-12-01 10:00, every monday 9:00"
_PASSED = "That time has already passed."
_TOO_FAR = "That is too far ahead: I can keep reminders for up to 5 years."

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_WEEKDAYS = (
    {name.lower(): index for index, name in enumerate(_WEEKDAY_NAMES)}
    | {name.lower()[:3]: index for index, name in enumerate(_WEEKDAY_NAMES)}
    | {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
)
_MONTHS = (
    {name.lower(): index for index, name in enumerate(_MONTH_NAMES, 1)}
    | {name.lower()[:3]: index for index, name in enumerate(_MONTH_NAMES, 1)}
    | {"sept": 9}
)
_PERIODS = {"morning": (9, 0), "afternoon": (15, 0), "evening": (19, 0), "night": (20, 0)}


def _alternatives(names: Iterable[str]) -> str:
    """A regex alternation of the names, longest first so "friday" wins over "fri"."""
    return "|".join(sorted(names, key=len, reverse=True))


_WEEKDAY = _alternatives(_WEEKDAYS)
_MONTH = _alternatives(_MONTHS)
_TIME = r"(?:noon|\d{1,2}(?:[:.]\d{2})?(?:\s*[ap]m)?)"
_TIME_LAST = re.compile(rf"(?:(?P<head>.*?)\s+)??(?:at\s+)?(?P<time>{_TIME})")
_TIME_FIRST = re.compile(rf"(?:at\s+)?(?P<time>{_TIME})\s+(?:on\s+)?(?P<head>.+)")
_PERIOD_LAST = re.compile(rf"(?:(?P<head>.*?)\s+)?(?P<period>{_alternatives(_PERIODS)})")
_NEXT_WEEKDAY = re.compile(rf"next\s+(?P<weekday>{_WEEKDAY})")
_ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})")
_DOTTED_DATE = re.compile(r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})")
_NTH = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
_MONTH_FIRST = re.compile(rf"(?P<month>{_MONTH})\s+{_NTH}{_YEAR}")
_DAY_FIRST = re.compile(rf"{_NTH}\s+(?:of\s+)?(?P<month>{_MONTH}){_YEAR}")
_RECURRENCE = re.compile(
    rf"(?:every\s+(?P<every>day|weekday|{_WEEKDAY})|(?P<daily>daily)|(?P<weekdays>weekdays))"
    rf"(?:\s+(?:at\s+)?(?P<time>{_TIME}))?(?:\s+until\s+(?P<until>.+))?"
)
_TIME_OF_DAY = re.compile(r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>[ap]m)?")
_DURATION_UNITS = {
    "weeks": r"w|wks?|weeks?",
    "days": r"d|days?",
    "hours": r"h|hrs?|hours?",
    "minutes": r"m|mins?|minutes?",
}
_DURATION = re.compile(
    r"\s*".join(
        rf"(?:(?P<{unit}>\d{{1,6}}|an?(?=\s))\s*(?:{spellings})(?![a-z]))?"
        for unit, spellings in _DURATION_UNITS.items()
    )
)


class WhenError(ValueError):
    """The text is not a time the bot understands; `message` tells the chat what would be."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class When:
    """A parsed due time: the first (or only) moment, in UTC, and the repeat rule if any."""

    due_at: datetime
    recurrence: Recurrence | None

    def stored(self) -> tuple[datetime, str | None]:
        """(due time, repeat rule) as storage keeps them: the rule in its text form."""
        return self.due_at, self.recurrence.encode() if self.recurrence else None


def parse_when(text: str, *, now: datetime, tz: ZoneInfo) -> When:
    """When a phrase like "tomorrow 9:00", "in 2 hours" or "every monday until dec 31" is due."""
    local_now = in_zone(now, tz)
    phrase = _normalize(text)
    if not phrase:
        raise WhenError(_unreadable(text))
    recurrence = _parse_recurrence(phrase, local_now.date())
    if recurrence is not None:
        first = recurrence.next_after(now, tz)
        if first is None:
            raise WhenError("The “until” date is before the first time it would be due.")
        return When(first, recurrence)
    due = _parse_relative(phrase, local_now, tz)
    if due is None:
        due = _parse_day_and_time(phrase, local_now, tz)
    if due is None:
        raise WhenError(_unreadable(text))
    if due <= now:
        raise WhenError(_PASSED)
    if due - now > MAX_AHEAD:
        raise WhenError(_TOO_FAR)
    return When(due.astimezone(UTC), None)


def parse_time_of_day(text: str) -> tuple[int, int]:
    """(hour, minute) of a clock time: "9", "09:30", "18.30", "6pm", "9:30 pm", "noon"."""
    cleaned = " ".join(text.lower().split())
    if cleaned == "noon":
        return 12, 0
    match = _TIME_OF_DAY.fullmatch(cleaned)
    if match is None:
        raise WhenError(f"“{shown(text)}” is not a time of day. Try 9:00, 18:30 or 6pm.")
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if match["half"]:
        if hour not in range(1, 13):
            raise WhenError(f"“{shown(text)}” is not a time of day: with am/pm, use 1 to 12.")
        hour = hour % 12 + (12 if match["half"] == "pm" else 0)
    if hour > 23 or minute > 59:
        raise WhenError(f"“{shown(text)}” is not a time of day. Try 9:00, 18:30 or 6pm.")
    return hour, minute


def parse_duration(text: str) -> timedelta:
    """The length of "10m", "30 minutes", "2 hours", "1 day", "1 week", "1h30m" or "an hour"."""
    return timedelta(**_duration_counts(text))


def _wall_to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall time (storage.local_time's rule); too far off is too far."""
    try:
        return wall_to_utc(wall, tz)
    except OutOfRange as error:
        raise WhenError(_TOO_FAR) from error


def _normalize(text: str) -> str:
    """Lower case, single spaces, and the few synonyms rewritten to one spelling."""
    phrase = " ".join(text.lower().split())
    phrase = re.sub(r"(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", r"\1 ", phrase)
    phrase = re.sub(r"^this (morning|afternoon|evening)\b", r"today \1", phrase)
    return re.sub(r"\btonight\b", "today night", phrase)


def _parse_recurrence(phrase: str, today: date) -> Recurrence | None:
    """The repeat rule the phrase states, or None when it is not a repeating phrase."""
    match = _RECURRENCE.fullmatch(phrase)
    if match is None:
        return None
    every = match["every"]
    hour, minute = parse_time_of_day(match["time"]) if match["time"] else DEFAULT_TIME
    until = _parse_until(match["until"], today) if match["until"] else None
    if match["daily"] or every == "day":
        return Recurrence("daily", None, hour, minute, until)
    if match["weekdays"] or every == "weekday":
        return Recurrence("weekdays", None, hour, minute, until)
    return Recurrence("weekly", _WEEKDAYS[every], hour, minute, until)


def _parse_until(text: str, today: date) -> date:
    """The last date of a repeat: "2027-01-31", "dec 31" (the coming one), "friday"."""
    days = _day_candidates(text, today, rolls_to_tomorrow=False)
    if days is None:
        raise WhenError(
            f"I can't read “{shown(text)}” as an end date. Try until 2027-01-31 or until dec 31."
        )
    return next((day for day in days if day >= today), days[-1])


def _parse_relative(phrase: str, local_now: datetime, tz: ZoneInfo) -> datetime | None:
    """now + "in 2 hours"; days and weeks keep the wall-clock time across a DST change."""
    match = re.fullmatch(r"in\s+(.+)", phrase)
    if match is None:
        return None
    counts = _duration_counts(match[1])
    if timedelta(**counts) > MAX_AHEAD:
        raise WhenError(_TOO_FAR)
    days = timedelta(weeks=counts.get("weeks", 0), days=counts.get("days", 0))
    start = _wall_to_utc(local_now.replace(tzinfo=None) + days, tz) if days else local_now
    # Elapsed time is added in UTC: adding to a zoned datetime would move its wall clock instead.
    elapsed = timedelta(hours=counts.get("hours", 0), minutes=counts.get("minutes", 0))
    return start.astimezone(UTC) + elapsed


def _duration_counts(text: str) -> dict[str, int]:
    """{"hours": 1, "minutes": 30} for "1h30m": each unit at most once, biggest first."""
    match = _DURATION.fullmatch(" ".join(text.lower().split()))
    parts = {unit: count for unit, count in (match.groupdict() if match else {}).items() if count}
    if not parts:
        raise WhenError(f"“{shown(text)}” is not a duration. Try 10m, 2 hours, 1h30m or 3 days.")
    counts = {unit: 1 if count in ("a", "an") else int(count) for unit, count in parts.items()}
    if not any(counts.values()):
        raise WhenError("That duration is zero.")
    return counts


def _parse_day_and_time(phrase: str, local_now: datetime, tz: ZoneInfo) -> datetime | None:
    """A day phrase with an optional time; None when no reading of the phrase is a day."""
    for head, clock in _time_splits(phrase):
        head, period = _split_period(head)
        days = _day_candidates(
            head, local_now.date(), rolls_to_tomorrow=bool(clock) and not period
        )
        if days is None:
            continue
        hour, minute = _clock(clock, period)
        moments = [_wall_to_utc(datetime.combine(day, time(hour, minute)), tz) for day in days]
        return next((moment for moment in moments if moment > local_now), moments[-1])
    return None


def _time_splits(phrase: str) -> list[tuple[str, str | None]]:
    """Ways to read the phrase as (day part, time part): time last, time first, no time."""
    splits: list[tuple[str, str | None]] = []
    for pattern in (_TIME_LAST, _TIME_FIRST):
        match = pattern.fullmatch(phrase)
        if match:
            splits.append((match["head"] or "", match["time"]))
    return [*splits, (phrase, None)]


def _split_period(head: str) -> tuple[str, str | None]:
    """("tomorrow", "evening") from "tomorrow evening"; the period is None when there is none."""
    match = _PERIOD_LAST.fullmatch(head)
    return (match["head"] or "", match["period"]) if match else (head, None)


def _clock(clock: str | None, period: str | None) -> tuple[int, int]:
    """The time of day: the one written, else the period's, else 09:00."""
    if clock is None:
        return _PERIODS[period] if period else DEFAULT_TIME
    hour, minute = parse_time_of_day(clock)
    # "this evening at 8" is 20:00, unless the user said am.
    if period in ("afternoon", "evening", "night") and 1 <= hour < 12 and "am" not in clock:
        hour += 12
    return hour, minute


def _day_candidates(head: str, today: date, *, rolls_to_tomorrow: bool) -> list[date] | None:
    """The dates a day phrase may mean, earliest first (the first one still ahead wins).

    None when the phrase is not a day at all; WhenError when it is a day that does not exist.
    """
    head = re.sub(r"^on\s+", "", head)
    tomorrow = today + timedelta(days=1)
    fixed = {"": today, "today": today, "tomorrow": tomorrow, "next week": _next_weekday(today, 0)}
    if head == "" and rolls_to_tomorrow:
        return [today, tomorrow]
    if head in fixed:
        return [fixed[head]]
    if head in _WEEKDAYS:  # this week's (maybe today), or if that has passed, next week's
        first = today + timedelta(days=(_WEEKDAYS[head] - today.weekday()) % 7)
        return [first, first + timedelta(weeks=1)]
    if match := _NEXT_WEEKDAY.fullmatch(head):
        return [_next_weekday(today, _WEEKDAYS[match["weekday"]])]
    for pattern in (_ISO_DATE, _DOTTED_DATE, _MONTH_FIRST, _DAY_FIRST):
        if match := pattern.fullmatch(head):
            month = _MONTHS.get(match["month"]) or int(match["month"])
            year = int(match["year"]) if match["year"] else None
            return _calendar_days(year, month, int(match["day"]), today)
    return None


def _next_weekday(today: date, weekday: int) -> date:
    """The first date strictly after today that falls on `weekday` (0 = Monday)."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _calendar_days(year: int | None, month: int, day: int, today: date) -> list[date]:
    """The date with that year, or without one the coming years' dates (feb 29: leap years)."""
    if year is not None:
        if year < today.year:  # also keeps year 1 from overflowing when converted to UTC
            raise WhenError(_PASSED)
        return [_checked_date(year, month, day, show_year=True)]
    _checked_date(2000, month, day, show_year=False)  # 2000 is a leap year: only never-dates fail
    candidates = []
    for candidate_year in range(today.year, today.year + 9):
        try:
            candidates.append(date(candidate_year, month, day))
        except ValueError:
            continue  # February 29 outside a leap year
    return candidates


def _checked_date(year: int, month: int, day: int, *, show_year: bool) -> date:
    """The date, or WhenError naming the day that does not exist ("There is no 30 February")."""
    try:
        return date(year, month, day)
    except ValueError as error:
        if month not in range(1, 13):
            raise WhenError(f"There is no month {month}.") from error
        year_text = f" {year}" if show_year else ""
        raise WhenError(f"There is no {day} {_MONTH_NAMES[month - 1]}{year_text}.") from error


def _unreadable(text: str) -> str:
    if not text.strip():
        return f"Tell me when, for example: {_EXAMPLES}."
    return f"I can't read “{shown(text)}” as a time. Try for example: {_EXAMPLES}."


def shown(text: str) -> str:
    """User text short enough to quote back."""
    text = " ".join(text.split())
    return text if len(text) <= 30 else text[:30] + "…"
