"""How the bot writes times and repeat rules: "tomorrow 09:00", "every Monday at 09:00"."""

from datetime import datetime
from zoneinfo import ZoneInfo

from storage.local_time import in_zone
from storage.recurrence import InvalidRecurrence, Recurrence

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def local_datetime_text(moment: datetime, tz: ZoneInfo, *, now: datetime) -> str:
    """How the bot writes a moment: "today 18:00", "tomorrow 09:00", "Fri 5 Dec 18:00"."""
    local = in_zone(moment, tz)
    today = in_zone(now, tz).date()
    clock = f"{local:%H:%M}"
    days_away = (local.date() - today).days
    named = {-1: "yesterday", 0: "today", 1: "tomorrow"}.get(days_away)
    if named:
        return f"{named} {clock}"
    day = f"{WEEKDAY_NAMES[local.weekday()][:3]} {local.day} {MONTH_NAMES[local.month - 1][:3]}"
    year = f" {local.year}" if local.year != today.year else ""
    return f"{day}{year} {clock}"


def describe_recurrence(rule: Recurrence) -> str:
    """The rule in words: "every Monday at 09:00 until 2027-01-31", "every day at 08:00"."""
    if rule.weekday is not None:
        days = WEEKDAY_NAMES[rule.weekday]
    else:
        days = "day" if rule.kind == "daily" else "weekday"
    text = f"every {days} at {rule.hour:02d}:{rule.minute:02d}"
    return f"{text} until {rule.until.isoformat()}" if rule.until else text


def describe_stored_recurrence(stored: str) -> str:
    """A stored rule in words; "repeats" when it cannot be read."""
    try:
        return describe_recurrence(Recurrence.decode(stored))
    except InvalidRecurrence:
        return "repeats"
