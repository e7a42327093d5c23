"""How the bot writes times and repeat rules, in the current language: "tomorrow 09:00",
"Fri 5 Dec 18:00" (CLDR's weekday and month names and order, through babel.dates), "every
Monday at 09:00"; and a moment in a message as Telegram's `<tg-time>`, which each reader's app
shows in their own time zone and language (Bot API 9.5), with the bot's text as the fallback.
"""

import html
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from handlers.i18n import N_, _, current, localized_digits
from storage.local_time import in_zone
from storage.recurrence import InvalidRecurrence, Recurrence

_EVERY_WEEKDAY = (
    N_("every Monday at %(time)s"),
    N_("every Tuesday at %(time)s"),
    N_("every Wednesday at %(time)s"),
    N_("every Thursday at %(time)s"),
    N_("every Friday at %(time)s"),
    N_("every Saturday at %(time)s"),
    N_("every Sunday at %(time)s"),
)


# Telegram's date_time entity takes moments from 0 to 1098 days ahead (its MTProto
# messageEntityFormattedDate); a later one is sent as plain text.
MAX_TG_TIME_AHEAD = timedelta(days=1098)
# Formats (Bot API "date-time entity formatting"): weekday, short date, short time; relative.
ABSOLUTE = "wdt"
RELATIVE = "r"


def moment_html(
    moment: datetime, tz: ZoneInfo, *, now: datetime, kind: str = ABSOLUTE, text: str | None = None
) -> str:
    """A moment in an HTML message: `<tg-time unix=".." format="..">` around the bot's own words
    for it (`text`, else the moment in the chat's zone and language), for old apps."""
    fallback = html.escape(text if text is not None else local_datetime_text(moment, tz, now=now))
    unix_time = int(moment.timestamp())
    if unix_time <= 0 or moment > now + MAX_TG_TIME_AHEAD:
        return fallback
    return f'<tg-time unix="{unix_time}" format="{kind}">{fallback}</tg-time>'


def clock_text(hour: int, minute: int) -> str:
    """A time of day on the 24-hour clock, in the language's digits: "09:00"."""
    return localized_digits(f"{hour:02d}:{minute:02d}")


def _skeleton(skeleton: str, moment: datetime) -> str:
    return localized_digits(format_skeleton(skeleton, moment, locale=current().locale))


def local_datetime_text(moment: datetime, tz: ZoneInfo, *, now: datetime) -> str:
    """How the bot writes a moment: "today 18:00", "tomorrow 09:00", "Fri 5 Dec 18:00"."""
    local = in_zone(moment, tz)
    today = in_zone(now, tz).date()
    clock = clock_text(local.hour, local.minute)
    days_away = (local.date() - today).days
    if days_away == -1:
        return _("yesterday %(time)s", time=clock)
    if days_away == 0:
        return _("today %(time)s", time=clock)
    if days_away == 1:
        return _("tomorrow %(time)s", time=clock)
    day = _skeleton("MMMEd" if local.year == today.year else "yMMMEd", local)
    # Translators: a date ("Fri 5 Dec") and a time ("18:00") together.
    return _("%(date)s %(time)s", date=day, time=clock)


def describe_recurrence(rule: Recurrence) -> str:
    """The rule in words: "every Monday at 09:00 until 2027-01-31", "every day at 08:00"."""
    clock = clock_text(rule.hour, rule.minute)
    if rule.weekday is not None:
        text = _(_EVERY_WEEKDAY[rule.weekday], time=clock)
    elif rule.kind == "daily":
        text = _("every day at %(time)s", time=clock)
    else:
        text = _("every weekday at %(time)s", time=clock)
    if rule.until:
        return _(
            "%(rule)s until %(date)s", rule=text, date=localized_digits(rule.until.isoformat())
        )
    return text


def describe_stored_recurrence(stored: str) -> str:
    """A stored rule in words; "repeats" when it cannot be read."""
    try:
        return describe_recurrence(Recurrence.decode(stored))
    except InvalidRecurrence:
        return _("repeats")
