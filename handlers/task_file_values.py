"""One value of an import file read and checked: a title, note, yes/no, moment, zone, repeat
rule, reminders before and nag minutes; ValueError or TypeError (or storage's InvalidTitle
and InvalidDescription) say, in the chat's language, why one will not do.

Times must be ones the chat could have set: a due time at most five years ahead (as /due
allows), every time within what storage keeps (storage.validation), so that all of them can
be shown.
"""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers.i18n import _, isolate, ngettext
from handlers.render_text import shorten
from handlers.task_files import stamp
from storage.errors import InvalidTitle
from storage.recurrence import Recurrence
from storage.reminder_times import MAX_REMINDERS_BEFORE, reminders_before
from storage.validation import (
    EARLIEST_MOMENT,
    LATEST_MOMENT,
    MAX_AHEAD,
    clean_description,
    clean_title,
    moment_problem,
)

MAX_NAG_MINUTES = 7 * 24 * 60

_TRUE = {"true", "yes", "y", "1", "x", "done", "✓", "✅"}
_FALSE = {"false", "no", "n", "0", "", "open", "todo"}


def read_zone(value: Any) -> ZoneInfo:
    """The time zone a cell names (Europe/Berlin)."""
    if not isinstance(value, str):
        raise TypeError(_("must be the name of a time zone, such as Europe/Berlin"))
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            _(
                "%(value)s is no time zone I know (such as Europe/Berlin)",
                value=_quoted(value, 40),
            )
        ) from None


def read_title(value: Any) -> str:
    """A task's title, cleaned as storage keeps it."""
    if not isinstance(value, str):
        # The reasons are translated where they are said
        # (handlers.render_errors.invalid_text_reason).
        raise InvalidTitle("the title is missing" if value is None else "the title is no text")
    return clean_title(value)


def read_description(value: Any) -> str | None:
    """A task's note, cleaned as storage keeps it (None when empty)."""
    if not isinstance(value, str):
        raise TypeError(_("must be text"))
    return clean_description(value)


def read_done(value: Any) -> bool:
    """Yes or no, in the words a spreadsheet may use (yes, x, ✓, done; no, open, ...)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(_("%(value)s is neither yes nor no", value=_quoted(str(value), 20)))


def read_moment(value: Any, tz: ZoneInfo, *, latest: datetime | None = None) -> datetime:
    """The moment a cell means (in `tz` without a zone), if storage keeps it and it is not
    after `latest` (for due times: at most five years ahead, as /due allows)."""
    if not isinstance(value, str):
        raise TypeError(_("must be an ISO 8601 date and time as text"))
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            _(
                "%(value)s is no ISO 8601 date and time (2027-01-31 09:00)",
                value=_quoted(value, 40),
            )
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        raise ValueError(_("%(value)s is no date I can keep", value=_quoted(value, 40))) from None
    if latest is not None and moment > latest:
        raise ValueError(
            ngettext(
                "%(time)s is more than %(count)s year ahead",
                "%(time)s is more than %(count)s years ahead",
                MAX_AHEAD // timedelta(days=365),
                time=isolate(str(stamp(moment))),
            )
        )
    if moment_problem(moment) is not None:
        # storage.validation's window, said in the chat's language.
        raise ValueError(_window_problem(moment, value))
    return moment


def _window_problem(moment: datetime, value: str) -> str:
    """Why a moment outside the window storage keeps will not do."""
    if moment < EARLIEST_MOMENT:
        return _(
            "%(value)s will not do: it is before %(date)s",
            value=_quoted(value, 40),
            date=isolate(EARLIEST_MOMENT.date().isoformat()),
        )
    return _(
        "%(value)s will not do: it is not before %(date)s",
        value=_quoted(value, 40),
        date=isolate(LATEST_MOMENT.date().isoformat()),
    )


def _quoted(value: str, length: int) -> str:
    """A value of the file, cut to `length`, as a problem quotes it: '2027-13-01'."""
    return isolate(repr(shorten(value, length)))


def read_recurrence(value: Any) -> str:
    """A repeat rule as /export writes it, in its canonical form."""
    if not isinstance(value, str):
        raise TypeError(_("must be text"))
    return Recurrence.decode(value.strip()).encode()


def read_remind_before(value: Any) -> tuple[int, ...]:
    """Minutes before the due time: a JSON list of numbers, or in CSV numbers between spaces
    or commas ("1440 60")."""
    if isinstance(value, str):
        words = value.replace(",", " ").split()
        if not all(word.isdigit() for word in words):
            raise ValueError(_("must be numbers of minutes, like 1440 60"))
        value = [int(word) for word in words]
    if not isinstance(value, list) or not all(
        isinstance(minutes, int) and not isinstance(minutes, bool) for minutes in value
    ):
        raise TypeError(_("must be a list of numbers of minutes"))
    try:
        return reminders_before(value)
    except ValueError:
        # storage.reminder_times' limits, said in the chat's language.
        if len(set(value)) > MAX_REMINDERS_BEFORE:
            raise ValueError(
                ngettext(
                    "at most %(count)s reminder before the due time",
                    "at most %(count)s reminders before the due time",
                    MAX_REMINDERS_BEFORE,
                )
            ) from None
        raise ValueError(
            _("a reminder before the due time must be 1 minute to 4 weeks before it")
        ) from None


def read_nag_minutes(value: Any) -> int:
    """How often a reminder repeats until done, in minutes (1 minute to a week)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(_("must be a number of minutes"))
    if not 1 <= value <= MAX_NAG_MINUTES:
        raise ValueError(
            ngettext(
                "must be 1 to %(count)s minute",
                "must be 1 to %(count)s minutes",
                MAX_NAG_MINUTES,
            )
        )
    return value
