"""WhenError, the refusal of a time phrase: a kind and its parameters, which a translation turns
into the chat's words, and the English message made of them."""

from collections.abc import Mapping
from typing import Any

_EXAMPLES = "tomorrow 9:00, fri 18:00, in 2 hours, dec 1, 2026-12-01 10:00, every monday 9:00"
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# Each kind's English text; {names} are the error's params (texts are already cut by shown()),
# except month_name and suggestion_list, which the English text derives from month and
# suggestions.
ENGLISH: Mapping[str, str] = {
    "empty": f"Tell me when, for example: {_EXAMPLES}.",
    "unreadable": f"I can't read “{{text}}” as a time. Try for example: {_EXAMPLES}.",
    "passed": "That time has already passed.",
    "too_far": "That is too far ahead: I can keep reminders for up to 5 years.",
    "until_before_start": "The “until” date is before the first time it would be due.",
    "bad_until": "I can't read “{text}” as an end date. Try until 2027-01-31 or until dec 31.",
    "bad_repeat": (
        "I can't repeat “{text}”. Try every other friday, every 3 days, every month on the"
        " 15th, every last day of the month, every first monday, every year on dec 1 or"
        " every! 3 days (counted from when it is done)."
    ),
    "interval_too_long": (
        "That repeats too seldom: at most every 365 days, 52 weeks, 24 months or 5 years."
    ),
    "ambiguous_nth": (
        "“{text}” could mean two things: say every other friday, or every 2nd friday of the month."
    ),
    "bad_reminders": (
        "I can't read “{text}” as reminders before the due time. Try remind 1d 1h before."
    ),
    "reminders_limit": (
        "Reminders before the due time: at most {count}, each from 1 minute to 4 weeks before."
    ),
    "not_time_of_day": "“{text}” is not a time of day. Try 9:00, 18:30 or 6pm.",
    "twelve_hour_clock": "“{text}” is not a time of day: with am/pm, use 1 to 12.",
    "not_duration": "“{text}” is not a duration. Try 10m, 2 hours, 1h30m or 3 days.",
    "zero_duration": "That duration is zero.",
    "no_such_month": "There is no month {month}.",
    "no_such_day": "There is no {day} {month_name}.",
    "no_such_date": "There is no {day} {month_name} {year}.",
    "unknown_zone": (
        "I don't know the time zone “{name}”. Try a name like Europe/Berlin or America/New_York."
    ),
    "unknown_zone_suggestions": (
        "I don't know the time zone “{name}”. Did you mean {suggestion_list}?"
    ),
}


class WhenError(ValueError):
    """The text is not a time the bot understands.

    `kind` names the refusal (a key of ENGLISH) and `params` fill its text, so a translation
    can say it in the chat's language; `message` is the English text.
    """

    def __init__(self, kind: str, **params: Any) -> None:
        self.kind = kind
        self.params = params
        self.message = english_message(kind, params)
        super().__init__(self.message)


def english_message(kind: str, params: Mapping[str, Any]) -> str:
    """The English text of a refusal of this kind with these params."""
    fields = dict(params)
    if "month" in params and 1 <= params["month"] <= 12:
        fields["month_name"] = _MONTH_NAMES[params["month"] - 1]
    if "suggestions" in params:
        fields["suggestion_list"] = " or ".join(params["suggestions"])
    return ENGLISH[kind].format(**fields)


def shown(text: str) -> str:
    """User text short enough to quote back."""
    text = " ".join(text.split())
    return text if len(text) <= 30 else text[:30] + "…"
