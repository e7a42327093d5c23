"""Reading "when" phrases: the due times users type, in their chat's time zone.

Every expected value below is worked out by hand from a calendar and the zones' offsets
(Berlin +01:00/+02:00, New York -05:00/-04:00, Kolkata +05:30, Auckland +12:00/+13:00).
Wednesday 10 June 2026 is the usual "now"; no test reads the real clock.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.button_actions import QUICK_DUE_CODES, SNOOZE_CODES
from handlers.callbacks import InvalidCallbackData, decode
from handlers.reminder_buttons import choice_time
from handlers.render_due import QUICK_DUE_LABELS, SNOOZE_LABELS
from handlers.render_time import describe_recurrence, local_datetime_text
from handlers.when import MAX_AHEAD, WhenError, parse_duration, parse_time_of_day, parse_when
from handlers.zone_names import find_timezone
from storage.recurrence import LAST, WORKDAYS, Recurrence

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
AUCKLAND = ZoneInfo("Pacific/Auckland")
UTC_ZONE = ZoneInfo("UTC")
ZONES = [UTC_ZONE, BERLIN, NEW_YORK, KOLKATA, AUCKLAND]


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def wall_clock_due(phrase: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """The parsed due time as a naive local wall time, checking it came back in UTC."""
    due = parse_when(phrase, now=now, tz=tz).due_at
    assert due.utcoffset() == timedelta(0)
    return due.astimezone(tz).replace(tzinfo=None)


def error_message(phrase: str, *, now: datetime, tz: ZoneInfo = UTC_ZONE) -> str:
    with pytest.raises(WhenError) as caught:
        parse_when(phrase, now=now, tz=tz)
    return caught.value.message


# Wall-clock results for a chat whose clock shows Wednesday 10 June 2026, 14:00. No zone has a
# DST change near these dates, so the wall times are the same in every zone.
WALL_CLOCK_PHRASES = [
    ("in 2 hours", (2026, 6, 10, 16, 0)),
    ("in 10 minutes", (2026, 6, 10, 14, 10)),
    ("in 3 days", (2026, 6, 13, 14, 0)),
    ("in 1 week", (2026, 6, 17, 14, 0)),
    ("in 1h30m", (2026, 6, 10, 15, 30)),
    ("in an hour", (2026, 6, 10, 15, 0)),
    ("today 18:00", (2026, 6, 10, 18, 0)),
    ("tonight", (2026, 6, 10, 20, 0)),
    ("tonight 22:30", (2026, 6, 10, 22, 30)),
    ("this evening", (2026, 6, 10, 19, 0)),
    ("evening", (2026, 6, 10, 19, 0)),
    ("this evening at 8", (2026, 6, 10, 20, 0)),
    ("this afternoon", (2026, 6, 10, 15, 0)),
    ("tomorrow", (2026, 6, 11, 9, 0)),
    ("tomorrow 9:00", (2026, 6, 11, 9, 0)),
    ("tomorrow at 9", (2026, 6, 11, 9, 0)),
    ("tomorrow 7am", (2026, 6, 11, 7, 0)),
    ("tomorrow morning", (2026, 6, 11, 9, 0)),
    ("tomorrow evening", (2026, 6, 11, 19, 0)),
    ("tomorrow evening at 8", (2026, 6, 11, 20, 0)),
    ("9:00 tomorrow", (2026, 6, 11, 9, 0)),
    ("18:00", (2026, 6, 10, 18, 0)),
    ("6pm", (2026, 6, 10, 18, 0)),
    ("at 6:30 pm", (2026, 6, 10, 18, 30)),
    ("18.30", (2026, 6, 10, 18, 30)),
    ("13:00", (2026, 6, 11, 13, 0)),
    ("14:00", (2026, 6, 11, 14, 0)),  # exactly now is not ahead any more
    ("at 9", (2026, 6, 11, 9, 0)),
    ("fri", (2026, 6, 12, 9, 0)),
    ("friday", (2026, 6, 12, 9, 0)),
    ("fri 18:00", (2026, 6, 12, 18, 0)),
    ("on friday at 6pm", (2026, 6, 12, 18, 0)),
    ("6pm friday", (2026, 6, 12, 18, 0)),
    ("friday evening", (2026, 6, 12, 19, 0)),
    ("tue", (2026, 6, 16, 9, 0)),
    ("wed 15:00", (2026, 6, 10, 15, 0)),
    ("wed 13:00", (2026, 6, 17, 13, 0)),
    ("wednesday", (2026, 6, 17, 9, 0)),
    ("next monday", (2026, 6, 15, 9, 0)),
    ("next monday 18:00", (2026, 6, 15, 18, 0)),
    ("next wednesday", (2026, 6, 17, 9, 0)),
    ("next wed 18:00", (2026, 6, 17, 18, 0)),
    ("next week", (2026, 6, 15, 9, 0)),
    ("dec 1", (2026, 12, 1, 9, 0)),
    ("1 dec", (2026, 12, 1, 9, 0)),
    ("1st of december", (2026, 12, 1, 9, 0)),
    ("december 1 18:00", (2026, 12, 1, 18, 0)),
    ("on dec 1 at 10:00", (2026, 12, 1, 10, 0)),
    ("1 december 2027", (2027, 12, 1, 9, 0)),
    ("dec 1, 2027", (2027, 12, 1, 9, 0)),
    ("jun 1", (2027, 6, 1, 9, 0)),
    ("june 10 15:00", (2026, 6, 10, 15, 0)),
    ("jun 10", (2027, 6, 10, 9, 0)),
    ("feb 29", (2028, 2, 29, 9, 0)),
    ("2026-12-01", (2026, 12, 1, 9, 0)),
    ("2026-12-01 10:00", (2026, 12, 1, 10, 0)),
    ("2026-12-01T10:00", (2026, 12, 1, 10, 0)),
    ("1.12.2026 10:00", (2026, 12, 1, 10, 0)),
    ("1.12.2026", (2026, 12, 1, 9, 0)),
    ("  Tomorrow   AT 9  ", (2026, 6, 11, 9, 0)),
    ("FRI 6PM", (2026, 6, 12, 18, 0)),
]


@pytest.mark.parametrize("tz", ZONES, ids=str)
@pytest.mark.parametrize(("phrase", "expected"), WALL_CLOCK_PHRASES, ids=lambda v: str(v))
def test_phrase_is_due_at_the_expected_local_time(
    tz: ZoneInfo, phrase: str, expected: tuple[int, int, int, int, int]
) -> None:
    now = datetime(2026, 6, 10, 14, 0, tzinfo=tz)
    assert wall_clock_due(phrase, now=now, tz=tz) == datetime(*expected)


@pytest.mark.parametrize(
    ("tz", "phrase", "expected_utc"),
    [
        (UTC_ZONE, "tomorrow", utc(2026, 6, 11, 9, 0)),
        (BERLIN, "dec 1 18:00", utc(2026, 12, 1, 17, 0)),
        (NEW_YORK, "18:00", utc(2026, 6, 10, 22, 0)),
        (NEW_YORK, "dec 1", utc(2026, 12, 1, 14, 0)),
        (KOLKATA, "tomorrow 9:00", utc(2026, 6, 11, 3, 30)),
        (KOLKATA, "in 2 hours", utc(2026, 6, 10, 10, 30)),
        (AUCKLAND, "tomorrow", utc(2026, 6, 10, 21, 0)),
        (AUCKLAND, "dec 1", utc(2026, 11, 30, 20, 0)),
    ],
    ids=str,
)
def test_due_time_is_the_right_utc_instant(
    tz: ZoneInfo, phrase: str, expected_utc: datetime
) -> None:
    now = datetime(2026, 6, 10, 14, 0, tzinfo=tz)
    assert parse_when(phrase, now=now, tz=tz).due_at == expected_utc


# Around the DST changes: Berlin 2026-03-29 02:00->03:00 and 2026-10-25 03:00->02:00; New York
# 2026-03-08 02:00->03:00 and 2026-11-01 02:00->01:00. "now" is the Saturday before at 12:00.
@pytest.mark.parametrize(
    ("tz", "now", "phrase", "expected_utc"),
    [
        # 02:30 does not exist: it becomes 03:30 CEST.
        (BERLIN, utc(2026, 3, 28, 11, 0), "tomorrow 2:30", utc(2026, 3, 29, 1, 30)),
        (BERLIN, utc(2026, 3, 28, 11, 0), "tomorrow 1:30", utc(2026, 3, 29, 0, 30)),
        (BERLIN, utc(2026, 3, 28, 11, 0), "tomorrow 3:00", utc(2026, 3, 29, 1, 0)),
        (BERLIN, utc(2026, 3, 28, 11, 0), "tomorrow", utc(2026, 3, 29, 7, 0)),
        # a day keeps the wall clock (23 hours here); 24 hours are 24 hours.
        (BERLIN, utc(2026, 3, 28, 11, 0), "in 1 day", utc(2026, 3, 29, 10, 0)),
        (BERLIN, utc(2026, 3, 28, 11, 0), "in 24 hours", utc(2026, 3, 29, 11, 0)),
        # 02:30 happens twice: the first one, still CEST.
        (BERLIN, utc(2026, 10, 24, 10, 0), "tomorrow 2:30", utc(2026, 10, 25, 0, 30)),
        (BERLIN, utc(2026, 10, 24, 10, 0), "tomorrow 3:00", utc(2026, 10, 25, 2, 0)),
        (BERLIN, utc(2026, 10, 24, 10, 0), "sunday", utc(2026, 10, 25, 8, 0)),
        (BERLIN, utc(2026, 10, 24, 10, 0), "in 1 day", utc(2026, 10, 25, 11, 0)),
        (NEW_YORK, utc(2026, 3, 7, 17, 0), "tomorrow 2:30", utc(2026, 3, 8, 7, 30)),
        (NEW_YORK, utc(2026, 3, 7, 17, 0), "tomorrow 9:00", utc(2026, 3, 8, 13, 0)),
        (NEW_YORK, utc(2026, 10, 31, 16, 0), "tomorrow 1:30", utc(2026, 11, 1, 5, 30)),
        (NEW_YORK, utc(2026, 10, 31, 16, 0), "sun 9:00", utc(2026, 11, 1, 14, 0)),
        # On the night itself: Berlin at 01:45 CET, then at the second 02:30 (CET).
        (BERLIN, utc(2026, 3, 29, 0, 45), "2:30", utc(2026, 3, 29, 1, 30)),
        (BERLIN, utc(2026, 3, 29, 0, 45), "in 1 hour", utc(2026, 3, 29, 1, 45)),
        (BERLIN, utc(2026, 10, 25, 1, 30), "in 1 hour", utc(2026, 10, 25, 2, 30)),
        # the first 02:45 (00:45 UTC) has passed, so it is tomorrow's 02:45 CET.
        (BERLIN, utc(2026, 10, 25, 1, 30), "2:45", utc(2026, 10, 26, 1, 45)),
    ],
    ids=str,
)
def test_wall_times_around_dst_changes(
    tz: ZoneInfo, now: datetime, phrase: str, expected_utc: datetime
) -> None:
    assert parse_when(phrase, now=now, tz=tz).due_at == expected_utc


@pytest.mark.parametrize(
    ("phrase", "expected_words"),
    [
        ("today 8:00", "already passed"),
        ("today 14:00", "already passed"),  # exactly now
        ("2026-06-01", "already passed"),
        ("1.6.2026 18:00", "already passed"),
        ("2025-12-01", "already passed"),
        ("2031-06-09 14:01", "too far ahead"),
        ("2031-06-10", "too far ahead"),
        ("1 jan 2035", "too far ahead"),
        ("in 300 weeks", "too far ahead"),
        ("in 999999 weeks", "too far ahead"),
        ("feb 30", "There is no 30 February."),
        ("31.04.2027", "There is no 31 April 2027."),
        ("2026-13-01", "There is no month 13."),
        ("tomorrow 25:00", "“25:00” is not a time of day"),
        ("tomorrow 13pm", "“13pm” is not a time of day"),
        ("in 0 minutes", "zero"),
        ("in 1 month", "“1 month” is not a duration"),
        ("Buy 2 milk", "I can't read “Buy 2 milk” as a time"),
        ("soon", "I can't read “soon” as a time"),
        ("next", "I can't read"),
        ("tomorrow tomorrow", "I can't read"),
        ("friday 9:00 friday", "I can't read"),
        ("at at 9", "I can't read"),
        ("every", "I can't read"),
        ("every day until whenever", "“whenever” as an end date"),
        ("every day 9:00 until today", "before the first time"),
        ("every 2nd friday", "could mean two things"),
        ("every 0 days", "I can't repeat"),
        ("every month on the 32nd", "I can't repeat"),
        ("every year on feb 30", "There is no 30 February."),
        ("every 400 days", "too seldom"),
        ("every 6 years", "too seldom"),
        ("every! friday", "I can't read"),
        ("every! 2 weeks on friday", "I can't repeat"),
        ("every other", "I can't read"),
        ("every last", "I can't read"),
        ("remind 1h before", "I can't read"),
        ("fri 18:00 remind", "as reminders before the due time"),
        ("fri 18:00 remind soon before", "as reminders before the due time"),
        ("fri 18:00 remind 0 minutes before", "as reminders before the due time"),
        ("fri 18:00 remind 5 weeks before", "at most 5, each from 1 minute to 4 weeks"),
        ("daily until 2026-06-01", "before the first time"),
        ("", "Tell me when"),
        ("   ", "Tell me when"),
    ],
    ids=str,
)
def test_phrase_is_refused_with_a_reason(phrase: str, expected_words: str) -> None:
    message = error_message(phrase, now=utc(2026, 6, 10, 14, 0))
    assert expected_words in message


def test_weekday_named_today_moves_to_next_week_once_its_time_has_come() -> None:
    # Unlike "today 14:00", a weekday rolls on: Wednesday 14:00 at Wednesday 14:00 is next week.
    assert wall_clock_due("wed 14:00", now=utc(2026, 6, 10, 14, 0), tz=UTC_ZONE) == datetime(
        2026, 6, 17, 14, 0
    )


def test_unreadable_phrase_lists_examples_of_what_works() -> None:
    message = error_message("soon", now=utc(2026, 6, 10, 14, 0))
    assert "tomorrow 9:00" in message and "in 2 hours" in message


def test_last_moment_within_max_ahead_is_accepted() -> None:
    # 5 * 365 days after 2026-06-10 is 2031-06-09 (2028 has a 29 February).
    due = parse_when("2031-06-09 14:00", now=utc(2026, 6, 10, 14, 0), tz=UTC_ZONE).due_at
    assert due == utc(2031, 6, 9, 14, 0)
    assert due - utc(2026, 6, 10, 14, 0) == MAX_AHEAD


@pytest.mark.parametrize(
    ("tz", "phrase", "expected_words"),
    [(NEW_YORK, "9999-12-31 23:59", "too far ahead"), (AUCKLAND, "0001-01-01", "already passed")],
    ids=str,
)
def test_dates_at_the_ends_of_the_calendar_are_refused_not_crashing(
    tz: ZoneInfo, phrase: str, expected_words: str
) -> None:
    # Converting these to UTC would overflow datetime's range.
    assert expected_words in error_message(phrase, now=utc(2026, 6, 10, 14, 0), tz=tz)


def test_naive_now_is_a_programming_error_not_a_chat_reply() -> None:
    with pytest.raises(ValueError) as caught:
        parse_when("tomorrow", now=datetime(2026, 6, 10, 14, 0), tz=UTC_ZONE)
    assert not isinstance(caught.value, WhenError)


# Recurrences


def test_every_day_keeps_nine_oclock_across_spring_forward() -> None:
    when = parse_when("every day 9:00", now=utc(2026, 3, 27, 11, 0), tz=BERLIN)
    assert when.recurrence == Recurrence("daily", 9, 0)
    assert when.due_at == utc(2026, 3, 28, 8, 0)  # CET
    second = when.recurrence.next_after(when.due_at, BERLIN)
    assert second == utc(2026, 3, 29, 7, 0)  # CEST
    assert when.recurrence.next_after(utc(2026, 3, 29, 7, 0), BERLIN) == utc(2026, 3, 30, 7, 0)


def test_every_day_keeps_nine_oclock_across_fall_back() -> None:
    rule = Recurrence("daily", 9, 0)
    assert rule.next_after(utc(2026, 10, 24, 8, 0), BERLIN) == utc(2026, 10, 25, 8, 0)


def test_daily_time_in_the_spring_gap_moves_forward_that_day_only() -> None:
    rule = Recurrence("daily", 2, 30)
    assert rule.next_after(utc(2026, 3, 28, 2, 0), BERLIN) == utc(2026, 3, 29, 1, 30)
    assert rule.next_after(utc(2026, 3, 29, 1, 30), BERLIN) == utc(2026, 3, 30, 0, 30)


def test_weekly_keeps_wall_clock_across_new_york_fall_back() -> None:
    when = parse_when("every monday 9:00", now=utc(2026, 10, 28, 16, 0), tz=NEW_YORK)
    assert when.recurrence == Recurrence("weekly", 9, 0, weekdays=(0,))
    assert when.due_at == utc(2026, 11, 2, 14, 0)  # EST
    rule = when.recurrence
    assert rule.next_after(utc(2026, 10, 25, 0, 0), NEW_YORK) == utc(2026, 10, 26, 13, 0)  # EDT


def test_every_weekday_skips_the_weekend() -> None:
    when = parse_when("every weekday 8:00", now=utc(2026, 6, 12, 10, 0), tz=UTC_ZONE)  # a Friday
    assert when.recurrence == Recurrence("weekly", 8, 0, weekdays=WORKDAYS)
    assert when.due_at == utc(2026, 6, 15, 8, 0)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("every day 8:00", Recurrence("daily", 8, 0)),
        ("daily 8:00", Recurrence("daily", 8, 0)),
        ("daily at 6pm", Recurrence("daily", 18, 0)),
        ("every day", Recurrence("daily", 9, 0)),
        ("every weekday", Recurrence("weekly", 9, 0, weekdays=WORKDAYS)),
        ("weekdays 8:30", Recurrence("weekly", 8, 30, weekdays=WORKDAYS)),
        ("every monday 9:00", Recurrence("weekly", 9, 0, weekdays=(0,))),
        ("every sun", Recurrence("weekly", 9, 0, weekdays=(6,))),
        ("Every Friday at 17:30", Recurrence("weekly", 17, 30, weekdays=(4,))),
        (
            "every monday 9:00 until 2027-01-31",
            Recurrence("weekly", 9, 0, weekdays=(0,), until=date(2027, 1, 31)),
        ),
        ("daily until dec 31", Recurrence("daily", 9, 0, until=date(2026, 12, 31))),
        (
            "every friday until jan 31",
            Recurrence("weekly", 9, 0, weekdays=(4,), until=date(2027, 1, 31)),
        ),
        ("every day 18:00 until friday", Recurrence("daily", 18, 0, until=date(2026, 6, 12))),
        ("every day 18:00 until today", Recurrence("daily", 18, 0, until=date(2026, 6, 10))),
        # the repeats of issue #18 and their neighbours (now: Wednesday 10 June 2026, 14:00)
        (
            "every other friday 18:00",
            Recurrence("weekly", 18, 0, interval=2, weekdays=(4,), start=date(2026, 6, 12)),
        ),
        (
            "every other week on friday at 6pm",
            Recurrence("weekly", 18, 0, interval=2, weekdays=(4,), start=date(2026, 6, 12)),
        ),
        (
            "every 2 weeks 8:00",
            Recurrence("weekly", 8, 0, interval=2, weekdays=(3,), start=date(2026, 6, 11)),
        ),
        ("every 3 days", Recurrence("daily", 9, 0, interval=3, start=date(2026, 6, 11))),
        ("every 3rd day", Recurrence("daily", 9, 0, interval=3, start=date(2026, 6, 11))),
        ("every other day 20:00", Recurrence("daily", 20, 0, interval=2, start=date(2026, 6, 10))),
        ("every monday and thursday", Recurrence("weekly", 9, 0, weekdays=(0, 3))),
        ("every mon, wed and fri 7:30", Recurrence("weekly", 7, 30, weekdays=(0, 2, 4))),
        ("weekly", Recurrence("weekly", 9, 0, weekdays=(3,))),
        ("every month", Recurrence("monthly", 9, 0, month_day=11)),
        ("every month on the 15th", Recurrence("monthly", 9, 0, month_day=15)),
        ("every 15th at 10:00", Recurrence("monthly", 10, 0, month_day=15)),
        ("the 31st of every month", Recurrence("monthly", 9, 0, month_day=31)),
        (
            "every 3 months on the 1st",
            Recurrence("monthly", 9, 0, interval=3, month_day=1, start=date(2026, 7, 1)),
        ),
        ("every last day of the month", Recurrence("monthly", 9, 0, month_day=LAST)),
        ("every month on the last day", Recurrence("monthly", 9, 0, month_day=LAST)),
        ("every first monday", Recurrence("monthly", 9, 0, nth=1, weekdays=(0,))),
        ("every last friday 17:00", Recurrence("monthly", 17, 0, nth=LAST, weekdays=(4,))),
        ("every 2nd tuesday of the month", Recurrence("monthly", 9, 0, nth=2, weekdays=(1,))),
        (
            "every first monday of september",
            Recurrence("yearly", 9, 0, month=9, nth=1, weekdays=(0,)),
        ),
        ("every year on dec 1", Recurrence("yearly", 9, 0, month=12, month_day=1)),
        ("every year on the 1st of december", Recurrence("yearly", 9, 0, month=12, month_day=1)),
        ("every dec 24 18:00", Recurrence("yearly", 18, 0, month=12, month_day=24)),
        ("yearly", Recurrence("yearly", 9, 0, month=6, month_day=11)),
        ("every! 3 days", Recurrence("daily", 9, 0, interval=3, from_done=True)),
        ("every! week", Recurrence("weekly", 9, 0, from_done=True)),
        ("every! 2 months 8:00", Recurrence("monthly", 8, 0, interval=2, from_done=True)),
        (
            "every other friday until dec 31",
            Recurrence(
                "weekly",
                9,
                0,
                interval=2,
                weekdays=(4,),
                start=date(2026, 6, 12),
                until=date(2026, 12, 31),
            ),
        ),
    ],
    ids=str,
)
def test_recurrence_phrase_gives_the_rule(phrase: str, expected: Recurrence) -> None:
    assert parse_when(phrase, now=utc(2026, 6, 10, 14, 0), tz=UTC_ZONE).recurrence == expected


def test_a_repeat_first_falls_on_its_first_occurrence_after_now() -> None:
    now = utc(2026, 6, 10, 14, 0)
    cases = {
        "every other friday 18:00": utc(2026, 6, 12, 18, 0),
        "every 3 days": utc(2026, 6, 11, 9, 0),
        "every month on the 15th": utc(2026, 6, 15, 9, 0),
        "every last day of the month": utc(2026, 6, 30, 9, 0),
        "every first monday": utc(2026, 7, 6, 9, 0),
        "every year on dec 1": utc(2026, 12, 1, 9, 0),
        "every! 3 days": utc(2026, 6, 11, 9, 0),  # the next 09:00, then counted from completion
    }
    for phrase, first in cases.items():
        assert parse_when(phrase, now=now, tz=UTC_ZONE).due_at == first, phrase


@pytest.mark.parametrize(
    ("phrase", "minutes"),
    [
        ("fri 18:00 remind 1d 1h before", (1440, 60)),
        ("fri 18:00 remind me 1 day and 1 hour before", (1440, 60)),
        ("fri 18:00 remind 1h30m before", (90,)),
        ("fri 18:00 remind an hour and a half before", (90,)),
        ("fri 18:00 remind 1h, 10m before", (60, 10)),
        ("fri 18:00 remind 1 week before", (10080,)),
        ("every other friday 18:00 until dec 31 remind 1d before", (1440,)),
        ("in 2 hours remind 30m before", (30,)),
        ("fri 18:00", None),
    ],
    ids=str,
)
def test_reminders_before_the_due_time_follow_remind(
    phrase: str, minutes: tuple[int, ...] | None
) -> None:
    when = parse_when(phrase, now=utc(2026, 6, 10, 14, 0), tz=UTC_ZONE)
    assert when.remind_before == minutes
    assert when.stored().remind_before == minutes


def test_recurrence_stops_after_its_until_date() -> None:
    when = parse_when(
        "every monday 9:00 until 2026-06-22", now=utc(2026, 6, 10, 14, 0), tz=UTC_ZONE
    )
    assert when.due_at == utc(2026, 6, 15, 9, 0)
    assert when.recurrence is not None
    assert when.recurrence.next_after(when.due_at, UTC_ZONE) == utc(2026, 6, 22, 9, 0)
    assert when.recurrence.next_after(utc(2026, 6, 22, 9, 0), UTC_ZONE) is None


def test_until_is_a_date_on_the_chats_clock() -> None:
    # 21:00 UTC on 10 June is 09:00 on 11 June in Auckland: the 11th's occurrence is then done.
    rule = Recurrence("daily", 9, 0, until=date(2026, 6, 11))
    assert rule.next_after(utc(2026, 6, 10, 20, 59), AUCKLAND) == utc(2026, 6, 10, 21, 0)
    assert rule.next_after(utc(2026, 6, 10, 21, 0), AUCKLAND) is None


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (
            Recurrence("weekly", 9, 0, weekdays=(0,), until=date(2027, 1, 31)),
            "every Monday at 09:00 until 2027-01-31",
        ),
        (Recurrence("weekly", 8, 0, weekdays=WORKDAYS), "every weekday at 08:00"),
        (Recurrence("daily", 7, 5), "every day at 07:05"),
        (Recurrence("weekly", 18, 30, weekdays=(6,)), "every Sunday at 18:30"),
        (
            Recurrence("weekly", 18, 0, interval=2, weekdays=(4,), start=date(2026, 6, 12)),
            "every other Friday at 18:00",
        ),
        (
            Recurrence("weekly", 8, 0, interval=3, weekdays=(0, 3), start=date(2026, 6, 15)),
            "every 3 weeks on Monday and Thursday at 08:00",
        ),
        (
            Recurrence("daily", 9, 0, interval=3, start=date(2026, 6, 11)),
            "every 3 days at 09:00",
        ),
        (Recurrence("monthly", 9, 0, month_day=15), "every month on day 15 at 09:00"),
        (Recurrence("monthly", 9, 0, month_day=LAST), "every month on the last day at 09:00"),
        (
            Recurrence("monthly", 9, 0, nth=1, weekdays=(0,)),
            "every month on the first Monday at 09:00",
        ),
        (Recurrence("yearly", 9, 0, month=12, month_day=1), "every year on 1 December at 09:00"),
        (
            Recurrence("yearly", 9, 0, month=9, nth=LAST, weekdays=(4,)),
            "every year on the last Friday in September at 09:00",
        ),
        (
            Recurrence("daily", 9, 0, interval=3, from_done=True),
            "every 3 days at 09:00, counted from when it is done",
        ),
    ],
    ids=str,
)
def test_recurrence_describes_itself(rule: Recurrence, text: str) -> None:
    assert describe_recurrence(rule) == text


@given(
    after=st.datetimes(datetime(2020, 1, 1), datetime(2035, 1, 1), timezones=st.just(UTC)),
    tz=st.sampled_from([BERLIN, NEW_YORK, AUCKLAND, KOLKATA]),
    hour=st.integers(0, 23).filter(lambda hour: hour != 2),  # 02:xx falls in the spring gaps
    minute=st.integers(0, 59),
)
def test_daily_recurrence_is_the_next_wall_clock_time_in_any_zone(
    after: datetime, tz: ZoneInfo, hour: int, minute: int
) -> None:
    due = Recurrence("daily", hour, minute).next_after(after, tz)
    assert due is not None
    assert after < due <= after + timedelta(hours=25)
    local = due.astimezone(tz)
    assert (local.hour, local.minute) == (hour, minute)


# Durations and times of day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10m", timedelta(minutes=10)),
        ("10 min", timedelta(minutes=10)),
        ("30 minutes", timedelta(minutes=30)),
        ("1 minute", timedelta(minutes=1)),
        ("1h", timedelta(hours=1)),
        ("2 hours", timedelta(hours=2)),
        ("an hour", timedelta(hours=1)),
        ("1d", timedelta(days=1)),
        ("1 day", timedelta(days=1)),
        ("3 days", timedelta(days=3)),
        ("1w", timedelta(weeks=1)),
        ("1 week", timedelta(weeks=1)),
        ("1h30m", timedelta(minutes=90)),
        ("1 hour 30 minutes", timedelta(minutes=90)),
        ("2d 4h", timedelta(hours=52)),
        (" 90 MIN ", timedelta(minutes=90)),
    ],
    ids=str,
)
def test_duration_is_read(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "10", "soon", "1 month", "2 years", "0m", "1m1h", "1h 1h", "-1h", "1.5h", "ah", "10 mx"],
)
def test_duration_refuses_anything_else(text: str) -> None:
    with pytest.raises(WhenError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9", (9, 0)),
        ("9:00", (9, 0)),
        ("09:30", (9, 30)),
        ("9am", (9, 0)),
        ("6pm", (18, 0)),
        ("9:30 pm", (21, 30)),
        (" 9:30 PM ", (21, 30)),
        ("18.30", (18, 30)),
        ("0:00", (0, 0)),
        ("23:59", (23, 59)),
        ("12am", (0, 0)),
        ("12pm", (12, 0)),
        ("12:15 am", (0, 15)),
        ("noon", (12, 0)),
        ("nine", (9, 0)),
        ("six pm", (18, 0)),
    ],
    ids=str,
)
def test_time_of_day_is_read(text: str, expected: tuple[int, int]) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "24:00", "9:60", "9:5", "13pm", "0am", "930", "nine thirty", "9:00:00", "9 o'clock"],
)
def test_time_of_day_refuses_anything_else(text: str) -> None:
    with pytest.raises(WhenError):
        parse_time_of_day(text)


@given(hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_time_of_day_reads_24_hour_and_12_hour_spellings_alike(hour: int, minute: int) -> None:
    twelve = f"{(hour - 1) % 12 + 1}:{minute:02d} {'pm' if hour >= 12 else 'am'}"
    assert parse_time_of_day(f"{hour:02d}:{minute:02d}") == (hour, minute)
    assert parse_time_of_day(twelve) == (hour, minute)


# Time zones


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        ("America/New York", "America/New_York"),
        (" Asia/Kolkata ", "Asia/Kolkata"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
    ],
)
def test_time_zone_is_found_by_its_iana_name(name: str, key: str) -> None:
    assert find_timezone(name).key == key


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        ("Europe/Berln", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("Berln", "Europe/Berlin"),
        ("new york", "America/New_York"),
    ],
)
def test_unknown_time_zone_suggests_close_names(name: str, suggested: str) -> None:
    with pytest.raises(WhenError) as caught:
        find_timezone(name)
    message = caught.value.message
    assert "Did you mean" in message and suggested in message
    assert message.count("/") <= 3 + name.count("/")  # at most three suggestions


@pytest.mark.parametrize("name", ["", "Nowhere/Qqqqq", "localtime", "../../etc/passwd"])
def test_unknown_time_zone_is_refused(name: str) -> None:
    with pytest.raises(WhenError) as caught:
        find_timezone(name)
    assert "Europe/Berlin" in caught.value.message  # says what a name looks like


# How times are said back


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (utc(2026, 6, 10, 16, 0), "today 18:00"),
        (utc(2026, 6, 11, 7, 0), "tomorrow 09:00"),
        (utc(2026, 6, 10, 22, 30), "tomorrow 00:30"),  # midnight has passed in Berlin
        (utc(2026, 6, 9, 18, 0), "yesterday 20:00"),
        (utc(2026, 6, 12, 16, 0), "Fri 12 Jun 18:00"),
        (utc(2026, 12, 5, 17, 0), "Sat 5 Dec 18:00"),
        (utc(2029, 1, 1, 8, 0), "Mon, 1 Jan 2029 09:00"),  # CLDR (en_GB): a comma with a year
        (utc(2025, 12, 31, 8, 0), "Wed, 31 Dec 2025 09:00"),
    ],
    ids=str,
)
def test_moment_is_said_in_the_chats_words(moment: datetime, text: str) -> None:
    now = datetime(2026, 6, 10, 14, 0, tzinfo=BERLIN)
    assert local_datetime_text(moment, BERLIN, now=now) == text


def test_today_is_the_chats_today_not_utcs() -> None:
    # 23:30 UTC on 10 June is already 11 June, 05:00 in Kolkata, where it is then 11 June too.
    now = utc(2026, 6, 10, 23, 30)
    assert local_datetime_text(utc(2026, 6, 11, 3, 30), KOLKATA, now=now) == "today 09:00"


# Buttons


@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_every_button_code_has_a_label_and_a_moment_ahead(zone: ZoneInfo) -> None:
    now = datetime(2026, 6, 10, 22, 30, tzinfo=zone)
    assert set(QUICK_DUE_LABELS) == set(QUICK_DUE_CODES)
    assert set(SNOOZE_LABELS) == set(SNOOZE_CODES)
    for code in QUICK_DUE_CODES:
        assert now < choice_time(code, now=now, tz=zone) <= now + timedelta(days=8)
    for code in SNOOZE_CODES:
        assert now < choice_time(code, now=now, tz=zone) <= now + timedelta(days=1)


@pytest.mark.parametrize(
    "data",
    ["dq:3:10m", "rs:3:week", "as:-100123:3:week", "dq:3:EVENING", "rs:3:2h", "dq:3:"],
)
def test_a_code_that_is_no_button_of_its_kind_does_not_decode(data: str) -> None:
    # a snooze code is no quick due choice, and the other way round
    with pytest.raises(InvalidCallbackData):
        decode(data)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("1h", utc(2026, 6, 10, 13, 0)),
        ("evening", utc(2026, 6, 10, 17, 0)),
        ("morning", utc(2026, 6, 11, 7, 0)),
        ("week", utc(2026, 6, 15, 7, 0)),
    ],
)
def test_quick_choice_in_berlin_on_a_wednesday_afternoon(code: str, expected: datetime) -> None:
    now = datetime(2026, 6, 10, 14, 0, tzinfo=BERLIN)
    assert choice_time(code, now=now, tz=BERLIN) == expected


def test_this_evening_after_seven_means_tomorrow_evening() -> None:
    now = datetime(2026, 6, 10, 19, 30, tzinfo=BERLIN)
    assert choice_time("evening", now=now, tz=BERLIN) == utc(2026, 6, 11, 17, 0)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("10m", utc(2026, 6, 10, 12, 10)),
        ("1h", utc(2026, 6, 10, 13, 0)),
        ("evening", utc(2026, 6, 10, 17, 0)),
        ("morning", utc(2026, 6, 11, 7, 0)),
    ],
)
def test_snooze_in_berlin_on_a_wednesday_afternoon(code: str, expected: datetime) -> None:
    now = datetime(2026, 6, 10, 14, 0, tzinfo=BERLIN)
    assert choice_time(code, now=now, tz=BERLIN) == expected


# Anything a user might type


_WORDS = st.sampled_from(
    ["in", "at", "on", "every", "until", "next", "tomorrow", "today", "fri", "dec", "1", "9",
     "18:00", "2 hours", "2026-12-01", "1.12.2026", "pm", "evening", "week", "day", "daily", "x"]
)  # fmt: skip


@given(
    text=st.text(max_size=40) | st.lists(_WORDS, max_size=6).map(" ".join),
    now=st.datetimes(datetime(2020, 1, 1), datetime(2035, 1, 1), timezones=st.just(UTC)),
    tz=st.sampled_from(ZONES),
)
def test_any_text_is_a_future_time_or_a_friendly_refusal(
    text: str, now: datetime, tz: ZoneInfo
) -> None:
    try:
        due = parse_when(text, now=now, tz=tz).due_at
    except WhenError as error:
        assert error.message
        return
    assert due.utcoffset() == timedelta(0)
    assert now < due <= now + MAX_AHEAD


@given(
    now=st.datetimes(datetime(2020, 1, 1), datetime(2035, 1, 1), timezones=st.just(UTC)),
    tz=st.sampled_from(ZONES),
    minutes=st.integers(1, 24 * 60 - 1),
)
def test_in_minutes_is_elapsed_time_whatever_the_zone(
    now: datetime, tz: ZoneInfo, minutes: int
) -> None:
    due = parse_when(f"in {minutes} minutes", now=now, tz=tz).due_at
    assert due == now + timedelta(minutes=minutes)
