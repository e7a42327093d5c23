"""How the bot writes times and repeat rules, in the current language: "tomorrow 09:00",
"Fri 5 Dec 18:00" (CLDR's weekday and month names and order, through babel.dates), "every
Monday at 09:00"; and a moment in a message as Telegram's `<tg-time>`, which each reader's app
shows in their own time zone and language (Bot API 9.5), with the bot's text as the fallback.
"""

import html
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, get_day_names, get_month_names
from babel.lists import format_list

from handlers.i18n import N_, _, current, localized_digits, ngettext, number
from storage.local_time import in_zone
from storage.recurrence import LAST, WORKDAYS, InvalidRecurrence, Recurrence

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


_EVERY_OTHER_WEEKDAY = (
    N_("every other Monday at %(time)s"),
    N_("every other Tuesday at %(time)s"),
    N_("every other Wednesday at %(time)s"),
    N_("every other Thursday at %(time)s"),
    N_("every other Friday at %(time)s"),
    N_("every other Saturday at %(time)s"),
    N_("every other Sunday at %(time)s"),
)
# The n-th weekday of the month ("the first Monday"), its weekday a CLDR name.
_NTH_WEEKDAY = {
    1: N_("on the first %(weekday)s"),
    2: N_("on the second %(weekday)s"),
    3: N_("on the third %(weekday)s"),
    4: N_("on the fourth %(weekday)s"),
    LAST: N_("on the last %(weekday)s"),
}


def _every(rule: Recurrence) -> str:
    """How often, in words: "every month", "every 3 weeks"."""
    count = rule.interval
    if rule.freq == "daily":
        if count == 1:
            return _("every day")
        return ngettext("every %(count)s day", "every %(count)s days", count)
    if rule.freq == "weekly":
        if count == 1:
            return _("every week")
        return ngettext("every %(count)s week", "every %(count)s weeks", count)
    if rule.freq == "monthly":
        if count == 1:
            return _("every month")
        return ngettext("every %(count)s month", "every %(count)s months", count)
    if count == 1:
        return _("every year")
    return ngettext("every %(count)s year", "every %(count)s years", count)


def _names(items: list[str]) -> str:
    """Names as a list in the language's words: "Monday and Thursday"."""
    return format_list(items, locale=current().locale)


def _month_name(month: int) -> str:
    return get_month_names("wide", "stand-alone", locale=current().locale)[month]


def _days(rule: Recurrence) -> str:
    """Which days, in words: "on Monday and Thursday", "on day 15", "on 1 December"."""
    weekday_names = get_day_names("wide", "format", locale=current().locale)
    if rule.nth is not None:
        text = _(_NTH_WEEKDAY[rule.nth], weekday=weekday_names[rule.weekdays[0]])
        if rule.month is None:
            return text
        # Translators: "on the first Monday" and a month: "… in September".
        return _("%(day)s in %(month)s", day=text, month=_month_name(rule.month))
    if rule.weekdays:
        return _("on %(weekdays)s", weekdays=_names([weekday_names[d] for d in rule.weekdays]))
    if rule.month_day == LAST:
        if rule.month is None:
            return _("on the last day")
        return _("on the last day of %(month)s", month=_month_name(rule.month))
    assert rule.month_day is not None
    if rule.month is None:
        return _("on day %(day)s", day=number(rule.month_day))
    # CLDR's day and month ("1 December", "1. Dezember", "1 декабря"), in a leap year
    day = _skeleton("MMMMd", datetime(2000, rule.month, rule.month_day))
    return _("on %(date)s", date=day)


def describe_recurrence(rule: Recurrence) -> str:
    """The rule in words: "every Monday at 09:00 until 2027-01-31", "every other Friday at
    18:00", "every month on the last day at 09:00", "every 3 days at 09:00, counted from when
    it is done"."""
    clock = clock_text(rule.hour, rule.minute)
    single = rule.weekdays[0] if rule.freq == "weekly" and len(rule.weekdays) == 1 else None
    if rule.from_done or (rule.freq == "daily" and rule.interval > 1):
        text = _("%(every)s at %(time)s", every=_every(rule), time=clock)
    elif rule.freq == "daily":
        text = _("every day at %(time)s", time=clock)
    elif rule.freq == "weekly" and rule.weekdays == WORKDAYS and rule.interval == 1:
        text = _("every weekday at %(time)s", time=clock)
    elif single is not None and rule.interval == 1:
        text = _(_EVERY_WEEKDAY[single], time=clock)
    elif single is not None and rule.interval == 2:
        text = _(_EVERY_OTHER_WEEKDAY[single], time=clock)
    else:
        # Translators: how often ("every 3 weeks"), which days ("on Monday"), at what time.
        text = _(
            "%(every)s %(days)s at %(time)s", every=_every(rule), days=_days(rule), time=clock
        )
    if rule.from_done:
        text = _("%(rule)s, counted from when it is done", rule=text)
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


def _amount(minutes: int) -> str:
    """A number of minutes in words: "2 weeks", "1 day 1 hour", "1 hour 30 min", "45 min"."""
    if minutes % (7 * 24 * 60) == 0:
        weeks = minutes // (7 * 24 * 60)
        return ngettext("%(count)s week", "%(count)s weeks", weeks)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [ngettext("%(count)s day", "%(count)s days", days)] if days else []
    if hours:
        parts.append(ngettext("%(count)s hour", "%(count)s hours", hours))
    if minutes:
        parts.append(ngettext("%(count)s min", "%(count)s min", minutes))
    return " ".join(parts)


def reminder_amounts(minutes: tuple[int, ...]) -> str:
    """How long before the due time the reminders are, as a list: "1 day and 1 hour"."""
    return _names([_amount(minute) for minute in minutes])


def describe_reminders_before(minutes: tuple[int, ...]) -> str:
    """Reminders before the due time in words: "1 day and 1 hour before"; "" for none."""
    if not minutes:
        return ""
    # Translators: "1 day and 1 hour before" (the due time).
    return _("%(amounts)s before", amounts=reminder_amounts(minutes))
