"""Day phrases in canonical words (handlers.when.vocabulary) as the dates they may mean:
"TOMORROW", "ON NEXT WD0", "WD4 NEXT", "1 ORD OF MO12 2027", "2026-12-01", "1.12.", ..."""

import re
from datetime import date, timedelta

from handlers.when.errors import WhenError

_WEEKDAY = r"WD(?P<weekday>[0-6])"
_DAY = r"(?P<day>\d{1,2})"
_YEAR = r"(?: (?:OF )?(?P<year>\d{4})(?: YEAR)?)?"
_THIS_WEEKDAY = re.compile(rf"(?:THIS )?{_WEEKDAY}")
_NEXT_WEEKDAY = re.compile(r"NEXT WD(?P<before>[0-6])|WD(?P<after>[0-6]) NEXT")
_DATES = [
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"),
    re.compile(r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})?"),
    re.compile(rf"MO(?P<month>\d{{1,2}}) {_DAY}(?: ORD)?{_YEAR}"),
    re.compile(rf"{_DAY}\.?(?: ORD)?(?: OF)? MO(?P<month>\d{{1,2}}){_YEAR}"),
]
# "on", "в", and "dia"/"روز" before a date or weekday.
_DAY_PREFIX = re.compile(r"^(?:ON |PREP )?(?:DAYS (?=\d|WD))?")


def day_candidates(head: str, today: date, *, rolls_to_tomorrow: bool) -> list[date] | None:
    """The dates a day phrase may mean, earliest first (the first one still ahead wins).

    None when the phrase is not a day at all; WhenError when it is a day that does not exist.
    """
    head = _DAY_PREFIX.sub("", head, count=1)
    tomorrow = today + timedelta(days=1)
    fixed = {
        "": today,
        "TODAY": today,
        "TOMORROW": tomorrow,
        "OVERMORROW": today + timedelta(days=2),
        "NEXT WEEKS": next_weekday(today, 0),
        "WEEKS NEXT": next_weekday(today, 0),
    }
    if head == "" and rolls_to_tomorrow:
        return [today, tomorrow]
    if head in fixed:
        return [fixed[head]]
    if match := _THIS_WEEKDAY.fullmatch(head):  # this week's (maybe today), else next week's
        first = today + timedelta(days=(int(match["weekday"]) - today.weekday()) % 7)
        return [first, first + timedelta(weeks=1)]
    if match := _NEXT_WEEKDAY.fullmatch(head):
        return [next_weekday(today, int(match["before"] or match["after"]))]
    for pattern in _DATES:
        if match := pattern.fullmatch(head):
            year = int(match["year"]) if match["year"] else None
            return _calendar_days(year, int(match["month"]), int(match["day"]), today)
    return None


def until_date(head: str, today: date, *, typed: str) -> date:
    """The last date of a repeat: "2027-01-31", "dec 31" (the coming one), "friday"."""
    days = day_candidates(head, today, rolls_to_tomorrow=False)
    if days is None:
        raise WhenError("bad_until", text=typed)
    return next((day for day in days if day >= today), days[-1])


def next_weekday(today: date, weekday: int) -> date:
    """The first date strictly after today that falls on `weekday` (0 = Monday)."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _calendar_days(year: int | None, month: int, day: int, today: date) -> list[date]:
    """The date with that year, or without one the coming years' dates (feb 29: leap years)."""
    if year is not None:
        if year < today.year:  # also keeps year 1 from overflowing when converted to UTC
            raise WhenError("passed")
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
            raise WhenError("no_such_month", month=month) from error
        if show_year:
            raise WhenError("no_such_date", day=day, month=month, year=year) from error
        raise WhenError("no_such_day", day=day, month=month) from error
