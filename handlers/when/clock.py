"""Clock times and durations in canonical words (handlers.when.vocabulary): "9:30 PM",
"8 EVENING", "9 HOURS_OCLOCK 30", "1 HOURS 30 MINUTES". Errors quote what the user typed."""

import re

from handlers.when.errors import WhenError

PERIOD = "MORNING|AFTERNOON|EVENING|NIGHT"
# Default times of the parts of a day ("tomorrow evening").
PERIOD_TIMES = {"MORNING": (9, 0), "AFTERNOON": (15, 0), "EVENING": (19, 0), "NIGHT": (20, 0)}
# Words that may stand before a clock time: "at", "в", "ساعت".
BEFORE_CLOCK = "AT|PREP|HOURS_AT"

_CLOCK_PARTS = (
    r"(?P<noon>NOON)|(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?"
    r"(?: (?P<half>AM|PM)|(?: (?:OCLOCK|HOURS_OCLOCK))?"
    rf"(?: (?P<period>{PERIOD}|DAYS_PM))?)"
)
_CLOCK = re.compile(_CLOCK_PARTS)
# A clock time inside a longer pattern: 9, 09:30, 6 PM, 9 HOURS_OCLOCK 30 ("9h30"), 8 EVENING.
CLOCK = "(?:{}|{})".format(
    re.sub(r"\(\?P<\w+>", "(?:", _CLOCK_PARTS),
    rf"\d{{1,2}} HOURS_OCLOCK \d{{2}}(?: (?:{PERIOD}|DAYS_PM))?",
)
_DURATION_UNITS = {
    "WEEKS": "weeks",
    "DAYS": "days",
    "DAYS_PM": "days",
    "HOURS": "hours",
    "HOURS_OCLOCK": "hours",
    "HOURS_AT": "hours",
    "MINUTES": "minutes",
}
_UNIT_ORDER = ("weeks", "days", "hours", "minutes")


def clock_time(clock: str, *, typed: str, period: str | None = None) -> tuple[int, int]:
    """(hour, minute) of a clock time in canonical words; `period` is the part of the day said
    before it ("evening at 8" is 20:00 unless am is said)."""
    clock = re.sub(r"^(\d{1,2}) HOURS_OCLOCK (\d{2})", r"\1:\2 OCLOCK", clock)
    match = _CLOCK.fullmatch(clock)
    if match is None:
        raise WhenError("not_time_of_day", text=typed)
    if match["noon"]:
        return 12, 0
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if match["half"]:
        if hour not in range(1, 13):
            raise WhenError("twelve_hour_clock", text=typed)
        hour = hour % 12 + (12 if match["half"] == "PM" else 0)
    elif match["period"]:
        hour = _in_period(hour, match["period"])
    elif period in ("AFTERNOON", "EVENING", "NIGHT") and 1 <= hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        raise WhenError("not_time_of_day", text=typed)
    return hour, minute


def _in_period(hour: int, period: str) -> int:
    """The hour said with the part of the day after it: "8 вечера" 20, "2 ночи" 2, "12 ночи" 0."""
    if period in ("AFTERNOON", "EVENING", "DAYS_PM") and 1 <= hour < 12:
        return hour + 12
    if period == "NIGHT":
        if hour == 12:
            return 0
        if 6 <= hour < 12:
            return hour + 12
    return hour


def duration_counts(canonical: str, *, typed: str) -> dict[str, int]:
    """{"hours": 1, "minutes": 30} for "1 HOURS 30 MINUTES": each unit at most once, biggest
    first; a unit without a number is one of it ("через час"); minutes after hours may go
    without their unit ("1h30")."""
    words = canonical.split()
    counts: dict[str, int] = {}
    index = 0
    while index < len(words):
        if counts and words[index] == "AND" and index + 1 < len(words):
            index += 1
        count = None
        if re.fullmatch(r"\d{1,6}", words[index]):
            count, index = int(words[index]), index + 1
        elif words[index] == "ONE":
            count, index = 1, index + 1
        unit = _DURATION_UNITS.get(words[index]) if index < len(words) else None
        if unit is None:
            if index == len(words) and _minutes_after_hours(words, counts):
                counts["minutes"] = int(words[-1])
                break
            raise WhenError("not_duration", text=typed)
        if counts and _UNIT_ORDER.index(unit) <= _UNIT_ORDER.index(list(counts)[-1]):
            raise WhenError("not_duration", text=typed)
        counts[unit] = 1 if count is None else count
        index += 1
    if not counts:
        raise WhenError("not_duration", text=typed)
    if not any(counts.values()):
        raise WhenError("zero_duration")
    return counts


def _minutes_after_hours(words: list[str], counts: dict[str, int]) -> bool:
    """Whether the last word is the minutes of "1h30": a number under 60 right after a number
    of hours."""
    return (
        list(counts)[-1:] == ["hours"]
        and len(words) >= 3
        and words[-3].isdecimal()
        and re.fullmatch(r"[0-5]?\d", words[-1]) is not None
    )
