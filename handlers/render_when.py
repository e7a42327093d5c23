"""The refusals of the time phrase reader (handlers.when's WhenError) in the chat's language:
each kind's text (the wording of handlers/when/errors.py's ENGLISH, which the English catalog
keeps), filled with the error's params in the language's digits and words."""

from collections.abc import Mapping
from typing import Any

from babel.dates import get_month_names
from babel.lists import format_list

from handlers.i18n import N_, _, current, isolate, ngettext, number
from handlers.when import MAX_AHEAD, WhenError

# Phrases the reader takes in the chat's language (tests/test_translations.py reads each).
WHEN_EXAMPLES = N_(
    "tomorrow 9:00, fri 18:00, in 2 hours, dec 1, 2026-12-01 10:00, every monday 9:00"
)

# Each kind's text (too_far's, which has plural forms, is in when_error_text); %(examples)s,
# %(month_name)s and %(suggestion_list)s are made here.
_TEXTS: Mapping[str, str] = {
    "empty": N_("Tell me when, for example: %(examples)s."),
    "unreadable": N_("I can't read “%(text)s” as a time. Try for example: %(examples)s."),
    "passed": N_("That time has already passed."),
    "until_before_start": N_("The “until” date is before the first time it would be due."),
    "bad_until": N_(
        "I can't read “%(text)s” as an end date. Try until 2027-01-31 or until dec 31."
    ),
    "bad_repeat": N_(
        "I can't repeat “%(text)s”. Try every other friday, every 3 days, every month on the"
        " 15th, every last day of the month, every first monday, every year on dec 1 or"
        " every! 3 days (counted from when it is done)."
    ),
    "interval_too_long": N_(
        "That repeats too seldom: at most every 365 days, 52 weeks, 24 months or 5 years."
    ),
    "ambiguous_nth": N_(
        "“%(text)s” could mean two things: say every other friday, or every 2nd friday of the"
        " month."
    ),
    "bad_reminders": N_(
        "I can't read “%(text)s” as reminders before the due time. Try remind 1d 1h before."
    ),
    "reminders_limit": N_(
        "Reminders before the due time: at most %(count)s, each from 1 minute to 4 weeks before."
    ),
    "not_time_of_day": N_("“%(text)s” is not a time of day. Try 9:00, 18:30 or 6pm."),
    "twelve_hour_clock": N_("“%(text)s” is not a time of day: with am/pm, use 1 to 12."),
    "not_duration": N_("“%(text)s” is not a duration. Try 10m, 2 hours, 1h30m or 3 days."),
    "zero_duration": N_("That duration is zero."),
    "no_such_month": N_("There is no month %(month)s."),
    "no_such_day": N_("There is no %(day)s %(month_name)s."),
    "no_such_date": N_("There is no %(day)s %(month_name)s %(year)s."),
    "unknown_zone": N_(
        "I don't know the time zone “%(name)s”. Try a name like Europe/Berlin or America/New_York."
    ),
    "unknown_zone_suggestions": N_(
        "I don't know the time zone “%(name)s”. Did you mean %(suggestion_list)s?"
    ),
}


def _fields(params: Mapping[str, Any]) -> dict[str, str]:
    """The error's params as the text shows them: typed text kept in its own direction,
    numbers in the language's digits, a month by its name, suggestions as an "or" list."""
    fields: dict[str, str] = {}
    for name, value in params.items():
        if name in ("text", "name"):
            fields[name] = isolate(str(value))
        elif name == "suggestions":
            names = [isolate(str(zone)) for zone in value]
            fields["suggestion_list"] = format_list(names, style="or", locale=current().locale)
        elif isinstance(value, int):
            fields[name] = number(value)
    month = params.get("month")
    if isinstance(month, int) and 1 <= month <= 12:
        # The form a date takes ("31 февраля", not "31 февраль").
        fields["month_name"] = get_month_names("wide", "format", locale=current().locale)[month]
    return fields


def when_error_text(error: WhenError) -> str:
    """What a time the bot could not read gets as an answer, in the chat's language (plain
    text)."""
    if error.kind == "too_far":
        years = MAX_AHEAD.days // 365
        return ngettext(
            "That is too far ahead: I can keep reminders for up to %(count)s year.",
            "That is too far ahead: I can keep reminders for up to %(count)s years.",
            years,
        )
    text = _TEXTS.get(error.kind)
    if text is None:  # a kind this table does not know yet: its English text
        return error.message
    fields = _fields(error.params)
    if "%(examples)s" in text:
        fields["examples"] = _(WHEN_EXAMPLES)
    return _(text, **fields)
