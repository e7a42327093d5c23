"""How the bot writes times and repeat rules: "tomorrow 09:00", "every Monday at 09:00"."""

from datetime import datetime
from zoneinfo import ZoneInfo

from storage.local_time import in_zone
from storage.recurrence import LAST, WORKDAYS, InvalidRecurrence, Recurrence

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


_NTH_NAMES = {1: "first", 2: "second", 3: "third", 4: "fourth", LAST: "last"}
_UNIT_NAMES = {"daily": "day", "weekly": "week", "monthly": "month", "yearly": "year"}


def _ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st, 31st."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10)
    return f"{number}{suffix or 'th'}"


def _every(rule: Recurrence) -> str:
    """The interval in words: "every day", "every other week", "every 3 months"."""
    unit = _UNIT_NAMES[rule.freq]
    if rule.interval == 1:
        return f"every {unit}"
    if rule.interval == 2:
        return f"every other {unit}"
    return f"every {rule.interval} {unit}s"


def _names(items: list[str]) -> str:
    """Names listed: "Monday", "Monday and Thursday", "Monday, Wednesday and Friday"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _days(rule: Recurrence) -> str:
    """The rule's days in words, without "every": "on the 15th", "on Monday"."""
    weekdays = [WEEKDAY_NAMES[day] for day in rule.weekdays]
    if rule.nth is not None:
        day = f"the {_NTH_NAMES[rule.nth]} {weekdays[0]}"
    elif rule.month_day == LAST:
        day = "the last day"
    elif rule.month_day is not None and rule.month is not None:
        return f"on {rule.month_day} {MONTH_NAMES[rule.month - 1]}"
    elif rule.month_day is not None:
        day = f"the {_ordinal(rule.month_day)}"
    else:
        return f"on {_names(weekdays)}"
    if rule.month is not None:
        day += f" of {MONTH_NAMES[rule.month - 1]}"
    return f"on {day}"


def describe_recurrence(rule: Recurrence) -> str:
    """The rule in words: "every Monday at 09:00 until 2027-01-31", "every other Friday at
    18:00", "every month on the last day at 09:00", "every 3 days at 09:00, counted from when
    it is done"."""
    if rule.from_done:
        text = _every(rule)
    elif rule.freq == "weekly" and rule.weekdays == WORKDAYS and rule.interval == 1:
        text = "every weekday"
    elif rule.freq == "weekly" and rule.interval <= 2:
        every = "every other" if rule.interval == 2 else "every"
        text = f"{every} {_names([WEEKDAY_NAMES[day] for day in rule.weekdays])}"
    elif rule.freq == "daily":
        text = _every(rule)
    else:
        text = f"{_every(rule)} {_days(rule)}"
    text += f" at {rule.hour:02d}:{rule.minute:02d}"
    if rule.from_done:
        text += ", counted from when it is done"
    return f"{text} until {rule.until.isoformat()}" if rule.until else text


def describe_stored_recurrence(stored: str) -> str:
    """A stored rule in words; "repeats" when it cannot be read."""
    try:
        return describe_recurrence(Recurrence.decode(stored))
    except InvalidRecurrence:
        return "repeats"


def _amount(minutes: int) -> str:
    """A number of minutes in words: "2 weeks", "1 day 1 hour", "1 hour 30 min", "45 min"."""
    if minutes % (7 * 24 * 60) == 0:
        weeks = minutes // (7 * 24 * 60)
        return f"{weeks} week{'' if weeks == 1 else 's'}"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} day{'' if days == 1 else 's'}"] if days else []
    if hours:
        parts.append(f"{hours} hour{'' if hours == 1 else 's'}")
    if minutes:
        parts.append(f"{minutes} min")
    return " ".join(parts)


def describe_reminders_before(minutes: tuple[int, ...]) -> str:
    """Reminders before the due time in words: "1 day and 1 hour before"; "" for none."""
    if not minutes:
        return ""
    amounts = [_amount(minute) for minute in minutes]
    listed = amounts[0] if len(amounts) == 1 else ", ".join(amounts[:-1]) + " and " + amounts[-1]
    return f"{listed} before"
