"""Repeat rules: what each kind falls on, its stored text (the older text still read), and the SQL
functions the completing statement uses agreeing with storage.recurrence (the Python the parser
and the calendar use), day for day, across DST changes, for every kind of rule."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.db import Database
from storage.recurrence import (
    FREQS,
    LAST,
    MAX_INTERVAL,
    WORKDAYS,
    Freq,
    InvalidRecurrence,
    Recurrence,
)

# Zones with DST both ways, a 30-minute DST change (Lord Howe), a half-hour offset (Kolkata)
# and one that dropped DST (Sao Paulo).
ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Pacific/Auckland",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "America/Sao_Paulo",
]
BERLIN = ZoneInfo("Europe/Berlin")

_TIMESTAMP = sa.DateTime(timezone=True)
_NEXT = sa.text("SELECT next_occurrence(:rule, :after, :zone) AS next").bindparams(
    sa.bindparam("after", type_=_TIMESTAMP)
)
_NEXT_WHEN_DONE = sa.text(
    "SELECT next_due_when_done(:rule, :due, :done_at, :zone) AS next"
).bindparams(sa.bindparam("due", type_=_TIMESTAMP), sa.bindparam("done_at", type_=_TIMESTAMP))


async def sql_next(db: Database, rule: str, after: datetime, zone: str | None) -> datetime | None:
    rows = await db.run(_NEXT, {"rule": rule, "after": after, "zone": zone}, idempotent=True)
    result: datetime | None = rows[0]._mapping["next"]
    return result


async def sql_next_when_done(
    db: Database, rule: str, due: datetime | None, done_at: datetime, zone: str
) -> datetime | None:
    params = {"rule": rule, "due": due, "done_at": done_at, "zone": zone}
    rows = await db.run(_NEXT_WHEN_DONE, params, idempotent=True)
    result: datetime | None = rows[0]._mapping["next"]
    return result


def python_next(text: str, after: datetime, zone: str) -> datetime | None:
    """What the bot makes of a stored text: None for one it cannot read."""
    try:
        rule = Recurrence.decode(text)
    except InvalidRecurrence:
        return None
    return rule.next_after(after, ZoneInfo(zone))


# Hours around the DST changes (01:00-03:00) are the interesting ones.
hours = st.one_of(st.integers(0, 23), st.integers(1, 3))
minutes = st.sampled_from([0, 15, 30, 45, 59])
ends = st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2041, 1, 1)))


@st.composite
def rules(draw: st.DrawFn, freqs: tuple[Freq, ...] = FREQS) -> Recurrence:
    """Any rule the bot can keep: every frequency, short and the longest intervals, sets of
    weekdays, days of the month (29-31 and the last), n-th weekdays, rules from done."""
    freq = draw(st.sampled_from(freqs))
    hour, minute, until = draw(hours), draw(minutes), draw(ends)
    interval = draw(st.one_of(st.just(1), st.integers(2, 4), st.integers(2, MAX_INTERVAL[freq])))
    if draw(st.integers(0, 5)) == 0:
        return Recurrence(freq, hour, minute, interval=interval, until=until, from_done=True)
    start = draw(st.dates(date(2024, 1, 1), date(2040, 12, 31))) if interval > 1 else None
    parts: dict[str, object] = {}
    if freq == "weekly":
        days = draw(st.lists(st.integers(0, 6), min_size=1, max_size=7))
        parts["weekdays"] = tuple(sorted(set(days)))
    elif freq in ("monthly", "yearly"):
        month = draw(st.integers(1, 12)) if freq == "yearly" else None
        longest = (
            31 if month is None else (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
        )
        if draw(st.booleans()):
            parts["month_day"] = draw(
                st.one_of(st.just(LAST), st.integers(1, longest), st.integers(28, longest))
            )
        else:
            parts["nth"] = draw(st.sampled_from([1, 2, 3, 4, LAST]))
            parts["weekdays"] = (draw(st.integers(0, 6)),)
        parts["month"] = month
    return Recurrence(
        freq,
        hour,
        minute,
        interval=interval,
        until=until,
        start=start,
        **parts,  # type: ignore[arg-type]
    )


instants = st.datetimes(datetime(2026, 1, 1), datetime(2040, 12, 31)).map(
    lambda naive: naive.replace(tzinfo=UTC)
)
_slow = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_slow
@given(rule=rules(), after=instants, zone=st.sampled_from(ZONES))
async def test_sql_and_python_agree_on_the_next_occurrence(
    direct_db: Database, rule: Recurrence, after: datetime, zone: str
) -> None:
    expected = rule.next_after(after, ZoneInfo(zone))
    assert await sql_next(direct_db, rule.encode(), after, zone) == expected


@_slow
@given(
    rule=rules(),
    done_at=instants,
    early=st.one_of(st.none(), st.timedeltas(timedelta(days=-40), timedelta(days=40))),
    zone=st.sampled_from(ZONES),
)
async def test_sql_and_python_agree_on_the_next_time_after_completion(
    direct_db: Database,
    rule: Recurrence,
    done_at: datetime,
    early: timedelta | None,
    zone: str,
) -> None:
    due = None if early is None else done_at + early
    expected = rule.next_when_done(due, done_at, ZoneInfo(zone))
    assert await sql_next_when_done(direct_db, rule.encode(), due, done_at, zone) == expected


def _mutations(text: str) -> st.SearchStrategy[str]:
    """Texts near a stored rule: a part dropped, doubled or swapped, a character changed."""
    parts = text.split(";")
    return st.one_of(
        st.integers(0, len(parts) - 1).map(lambda i: ";".join(parts[:i] + parts[i + 1 :])),
        st.integers(0, len(parts) - 1).map(lambda i: ";".join(parts[: i + 1] + parts[i:])),
        st.permutations(parts).map(";".join),
        st.tuples(st.integers(0, len(text) - 1), st.sampled_from("0129-;,=:AMOTUX!")).map(
            lambda edit: text[: edit[0]] + edit[1] + text[edit[0] + 1 :]
        ),
    )


@_slow
@given(
    text=rules().map(Recurrence.encode).flatmap(_mutations),
    after=instants,
    zone=st.sampled_from(ZONES),
)
async def test_sql_reads_exactly_the_texts_python_reads(
    direct_db: Database, text: str, after: datetime, zone: str
) -> None:
    assert await sql_next(direct_db, text, after, zone) == python_next(text, after, zone)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "junk",
        "freq=daily;time=09:00",
        " FREQ=DAILY;TIME=09:00",
        "FREQ=DAILY;TIME=9:00",
        "FREQ=DAILY;TIME=24:00",
        "FREQ=DAILY;INTERVAL=1;TIME=09:00",
        "FREQ=DAILY;INTERVAL=02;TIME=09:00;START=2026-01-01",
        "FREQ=DAILY;INTERVAL=2;TIME=09:00",  # an interval without its start
        "FREQ=DAILY;TIME=09:00;START=2026-01-01",  # a start without an interval
        "FREQ=DAILY;INTERVAL=366;TIME=09:00;START=2026-01-01",
        "FREQ=YEARLY;INTERVAL=6;BYMONTH=1;BYMONTHDAY=1;TIME=09:00;START=2026-01-01",
        "FREQ=DAILY;BYDAY=MO;TIME=09:00",
        "FREQ=WEEKLY;TIME=09:00",
        "FREQ=WEEKLY;BYDAY=TU,MO;TIME=09:00",
        "FREQ=WEEKLY;BYDAY=MO,MO;TIME=09:00",
        "FREQ=WEEKLY;BYDAY=1MO;TIME=09:00",
        "FREQ=WEEKLY;BYMONTHDAY=1;BYDAY=MO;TIME=09:00",
        "FREQ=MONTHLY;TIME=09:00",
        "FREQ=MONTHLY;BYMONTHDAY=15;BYDAY=1MO;TIME=09:00",
        "FREQ=MONTHLY;BYDAY=MO;TIME=09:00",
        "FREQ=MONTHLY;BYDAY=5MO;TIME=09:00",
        "FREQ=MONTHLY;BYDAY=1MO,TU;TIME=09:00",
        "FREQ=MONTHLY;BYMONTHDAY=0;TIME=09:00",
        "FREQ=MONTHLY;BYMONTHDAY=32;TIME=09:00",
        "FREQ=MONTHLY;BYMONTH=1;BYMONTHDAY=1;TIME=09:00",
        "FREQ=YEARLY;BYMONTHDAY=1;TIME=09:00",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;TIME=09:00",
        "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31;TIME=09:00",
        "FREQ=YEARLY;BYMONTH=13;BYMONTHDAY=1;TIME=09:00",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;TIME=09:00;FROM=DONE",
        "FREQ=DAILY;INTERVAL=3;TIME=09:00;START=2026-01-01;FROM=DONE",
        "FREQ=DAILY;TIME=09:00;UNTIL=2027-02-30",
        "FREQ=DAILY;TIME=09:00;UNTIL=0000-01-01",
        "FREQ=DAILY;TIME=09:00;UNTIL=3000-01-01",
        "FREQ=DAILY;TIME=09:00;FROM=DONE;UNTIL=2030-01-01",
        "weekly::09:00:",
        "weekly:7:09:00:",
        "daily:1:09:00:",
        "daily::24:00:",
        "daily::08:00:2027-02-30",
        "daily::08:00:tomorrow",
        "monthly::09:00:",
    ],
)
async def test_an_unreadable_rule_has_no_next_time(direct_db: Database, text: str) -> None:
    with pytest.raises(InvalidRecurrence):
        Recurrence.decode(text)
    after = datetime(2027, 1, 1, tzinfo=UTC)
    assert await sql_next(direct_db, text, after, "Europe/Berlin") is None


async def test_an_unknown_zone_is_read_as_utc(direct_db: Database) -> None:
    after = datetime(2027, 1, 1, 12, tzinfo=UTC)
    for text in ("daily::09:00:", "FREQ=DAILY;TIME=09:00"):
        expected = datetime(2027, 1, 2, 9, tzinfo=UTC)
        assert await sql_next(direct_db, text, after, "Mars/Olympus") == expected
        assert await sql_next(direct_db, text, after, None) == expected


# Each DST change of 2027 in three zones, with a rule at the wall times it skips or repeats.
@pytest.mark.parametrize(
    ("zone", "day", "hour", "minute"),
    [
        ("Europe/Berlin", date(2027, 3, 28), 2, 30),  # 02:30 does not exist
        ("Europe/Berlin", date(2027, 10, 31), 2, 30),  # 02:30 happens twice
        ("America/New_York", date(2027, 3, 14), 2, 15),
        ("America/New_York", date(2027, 11, 7), 1, 30),
        ("Australia/Lord_Howe", date(2027, 4, 4), 1, 45),  # repeated for half an hour
        ("Australia/Lord_Howe", date(2027, 10, 3), 2, 15),  # skipped for half an hour
    ],
)
async def test_dst_change_days_agree(
    direct_db: Database, zone: str, day: date, hour: int, minute: int
) -> None:
    after = datetime.combine(day - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    after += timedelta(hours=12)
    for rule in (
        Recurrence("daily", hour, minute),
        Recurrence("monthly", hour, minute, nth=LAST, weekdays=(6,)),  # the last Sunday
        Recurrence("daily", hour, minute, interval=3, from_done=True),
    ):
        done_at = after - timedelta(days=3) if rule.from_done else after
        expected = rule.next_after(done_at, ZoneInfo(zone))
        assert expected is not None
        assert await sql_next(direct_db, rule.encode(), done_at, zone) == expected


# One of each kind, followed through many occurrences in both (hypothesis finds the rest).
KINDS = [
    Recurrence("daily", 2, 30),
    Recurrence("daily", 9, 0, interval=3, start=date(2026, 6, 11)),
    Recurrence("weekly", 18, 0, interval=2, weekdays=(4,), start=date(2026, 6, 12)),
    Recurrence("weekly", 8, 0, weekdays=WORKDAYS, until=date(2027, 3, 1)),
    Recurrence("weekly", 7, 30, interval=52, weekdays=(0, 3), start=date(2026, 6, 15)),
    Recurrence("monthly", 9, 0, month_day=31),
    Recurrence("monthly", 9, 0, month_day=29, interval=24, start=date(2026, 6, 29)),
    Recurrence("monthly", 23, 45, month_day=LAST),
    Recurrence("monthly", 9, 0, nth=1, weekdays=(0,)),
    Recurrence("monthly", 2, 15, nth=LAST, weekdays=(6,)),
    Recurrence("yearly", 9, 0, month=2, month_day=29),
    Recurrence("yearly", 9, 0, month=12, month_day=1, interval=5, start=date(2026, 12, 1)),
    Recurrence("yearly", 9, 0, month=9, nth=1, weekdays=(0,)),
    Recurrence("daily", 9, 0, interval=3, from_done=True),
    Recurrence("weekly", 9, 0, interval=2, from_done=True),
    Recurrence("monthly", 9, 0, from_done=True),
    Recurrence("yearly", 9, 0, from_done=True),
]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Pacific/Auckland", "America/New_York"])
@pytest.mark.parametrize("rule", KINDS, ids=Recurrence.encode)
async def test_sql_follows_each_kind_of_rule_occurrence_by_occurrence(
    direct_db: Database, rule: Recurrence, zone: str
) -> None:
    moment: datetime | None = datetime(2026, 6, 10, 12, tzinfo=UTC)
    for _ in range(30):
        assert moment is not None
        expected = rule.next_after(moment, ZoneInfo(zone))
        assert await sql_next(direct_db, rule.encode(), moment, zone) == expected
        # A rule from done is completed a day and a half after it falls.
        moment = expected + timedelta(hours=36) if rule.from_done and expected else expected
    assert moment is not None or rule.until is not None


# What each kind of rule falls on


def _times(rule: Recurrence, after: datetime, count: int, tz: ZoneInfo = BERLIN) -> list[str]:
    """The next `count` occurrences after `after`, as local "Fri 2026-06-12 18:00"."""
    shown = []
    for _ in range(count):
        moment = rule.next_after(after, tz)
        assert moment is not None
        shown.append(f"{moment.astimezone(tz):%a %Y-%m-%d %H:%M}")
        after = moment
    return shown


START = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # Wednesday 10 June 2026, 14:00 in Berlin


def test_every_other_friday_skips_a_week_and_keeps_its_wall_time_across_dst() -> None:
    rule = Recurrence("weekly", 18, 0, interval=2, weekdays=(4,), start=date(2026, 10, 16))
    assert _times(rule, START, 3) == [
        "Fri 2026-10-16 18:00",
        "Fri 2026-10-30 18:00",  # after the clocks went back on 25 October
        "Fri 2026-11-13 18:00",
    ]


def test_an_interval_counts_from_its_start_even_when_asked_later() -> None:
    rule = Recurrence("daily", 9, 0, interval=3, start=date(2026, 6, 11))
    assert _times(rule, datetime(2026, 6, 15, 12, tzinfo=UTC), 2) == [
        "Wed 2026-06-17 09:00",
        "Sat 2026-06-20 09:00",
    ]


def test_the_31st_falls_on_a_shorter_months_last_day() -> None:
    rule = Recurrence("monthly", 9, 0, month_day=31)
    assert _times(rule, datetime(2027, 1, 1, tzinfo=UTC), 4) == [
        "Sun 2027-01-31 09:00",
        "Sun 2027-02-28 09:00",
        "Wed 2027-03-31 09:00",
        "Fri 2027-04-30 09:00",
    ]


def test_the_last_day_of_the_month_in_a_leap_year() -> None:
    rule = Recurrence("monthly", 9, 0, month_day=LAST)
    assert _times(rule, datetime(2028, 1, 31, 12, tzinfo=UTC), 2) == [
        "Tue 2028-02-29 09:00",
        "Fri 2028-03-31 09:00",
    ]


def test_the_first_monday_and_the_last_friday_of_the_month() -> None:
    first_monday = Recurrence("monthly", 9, 0, nth=1, weekdays=(0,))
    assert _times(first_monday, START, 2) == ["Mon 2026-07-06 09:00", "Mon 2026-08-03 09:00"]
    last_friday = Recurrence("monthly", 9, 0, nth=LAST, weekdays=(4,))
    assert _times(last_friday, START, 2) == ["Fri 2026-06-26 09:00", "Fri 2026-07-31 09:00"]


def test_every_year_on_february_29_falls_on_the_28th_in_other_years() -> None:
    rule = Recurrence("yearly", 9, 0, month=2, month_day=29)
    assert _times(rule, START, 3) == [
        "Sun 2027-02-28 09:00",
        "Tue 2028-02-29 09:00",
        "Wed 2029-02-28 09:00",
    ]


def test_every_other_year_on_the_first_monday_of_september() -> None:
    rule = Recurrence(
        "yearly", 9, 0, interval=2, month=9, nth=1, weekdays=(0,), start=date(2026, 9, 7)
    )
    assert _times(rule, START, 2) == ["Mon 2026-09-07 09:00", "Mon 2028-09-04 09:00"]


def test_a_rule_from_done_counts_from_the_day_of_completion() -> None:
    rule = Recurrence("daily", 9, 0, interval=3, from_done=True)
    done_early = datetime(2026, 6, 10, 6, 0, tzinfo=UTC)  # 08:00 in Berlin, before 09:00
    assert rule.next_when_done(datetime(2026, 6, 12, 7, tzinfo=UTC), done_early, BERLIN) == (
        datetime(2026, 6, 13, 7, 0, tzinfo=UTC)
    )
    monthly = Recurrence("monthly", 9, 0, from_done=True)
    done = datetime(2027, 1, 31, 20, 0, tzinfo=UTC)
    assert monthly.next_when_done(None, done, BERLIN) == datetime(2027, 2, 28, 8, tzinfo=UTC)


def test_completing_early_skips_to_after_the_due_time_and_late_to_after_now() -> None:
    rule = Recurrence("weekly", 9, 0, weekdays=(0,))
    due = datetime(2026, 6, 15, 7, tzinfo=UTC)  # Monday 09:00 in Berlin
    early, late = due - timedelta(days=2), due + timedelta(days=9)
    assert rule.next_when_done(due, early, BERLIN) == due + timedelta(weeks=1)
    assert rule.next_when_done(due, late, BERLIN) == due + timedelta(weeks=2)


@pytest.mark.parametrize("freq", FREQS)
def test_every_rule_at_its_longest_interval_falls_again_within_the_scan(freq: Freq) -> None:
    # The widest gaps: a yearly rule every 5 years from a 29 February or a last Monday of May.
    longest = MAX_INTERVAL[freq]
    start = date(2028, 2, 29)
    parts: dict[str, object] = {
        "daily": {},
        "weekly": {"weekdays": (start.weekday(),)},
        "monthly": {"month_day": 29},
        "yearly": {"month": 2, "month_day": 29},
    }[freq]
    rule = Recurrence(freq, 23, 59, interval=longest, start=start, **parts)  # type: ignore[arg-type]
    moment = datetime(2028, 2, 29, 23, 59, tzinfo=UTC)
    for _ in range(3):
        following = rule.next_after(moment, ZoneInfo("UTC"))
        assert following is not None and following > moment
        moment = following
    may = Recurrence(
        "yearly", 23, 59, interval=5, month=5, nth=LAST, weekdays=(0,), start=date(2026, 5, 25)
    )
    assert may.next_after(datetime(2026, 5, 26, tzinfo=UTC), BERLIN) is not None


@given(rules(), st.sampled_from(ZONES), instants)
def test_a_rule_without_an_end_always_has_a_next_time(
    rule: Recurrence, zone: str, after: datetime
) -> None:
    endless = Recurrence.decode(re.sub(r";UNTIL=[0-9-]+", "", rule.encode()))
    assert endless.next_after(after, ZoneInfo(zone)) is not None


# The stored text


@given(rules())
def test_any_rule_survives_the_database(rule: Recurrence) -> None:
    assert Recurrence.decode(rule.encode()) == rule


@pytest.mark.parametrize(
    ("rule", "stored"),
    [
        (
            Recurrence("weekly", 18, 0, interval=2, weekdays=(4,), start=date(2026, 6, 12)),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;TIME=18:00;START=2026-06-12",
        ),
        (
            Recurrence("weekly", 8, 0, weekdays=WORKDAYS),
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;TIME=08:00",
        ),
        (Recurrence("monthly", 9, 0, month_day=LAST), "FREQ=MONTHLY;BYMONTHDAY=-1;TIME=09:00"),
        (Recurrence("monthly", 9, 0, nth=1, weekdays=(0,)), "FREQ=MONTHLY;BYDAY=1MO;TIME=09:00"),
        (
            Recurrence("yearly", 9, 0, month=12, month_day=1, until=date(2030, 1, 1)),
            "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=1;TIME=09:00;UNTIL=2030-01-01",
        ),
        (
            Recurrence("daily", 9, 0, interval=3, from_done=True),
            "FREQ=DAILY;INTERVAL=3;TIME=09:00;FROM=DONE",
        ),
    ],
    ids=str,
)
def test_a_rule_is_stored_as_rrule_like_text(rule: Recurrence, stored: str) -> None:
    assert rule.encode() == stored
    assert Recurrence.decode(stored) == rule


@pytest.mark.parametrize(
    ("old", "rule"),
    [
        (
            "weekly:0:09:00:2027-01-31",
            Recurrence("weekly", 9, 0, weekdays=(0,), until=date(2027, 1, 31)),
        ),
        ("daily::08:00:", Recurrence("daily", 8, 0)),
        (
            "weekdays::23:59:2026-12-01",
            Recurrence("weekly", 23, 59, weekdays=WORKDAYS, until=date(2026, 12, 1)),
        ),
        ("weekly:6:00:00:", Recurrence("weekly", 0, 0, weekdays=(6,))),
    ],
    ids=str,
)
async def test_the_older_stored_text_is_still_read_alike(
    direct_db: Database, old: str, rule: Recurrence
) -> None:
    assert Recurrence.decode(old) == rule
    after = datetime(2026, 11, 30, 12, tzinfo=UTC)
    for zone in ("Europe/Berlin", "Pacific/Auckland"):
        assert await sql_next(direct_db, old, after, zone) == rule.next_after(
            after, ZoneInfo(zone)
        )


def test_an_occurrence_moved_to_another_zone_keeps_its_day_and_wall_time() -> None:
    berlin, tokyo, new_york = (
        ZoneInfo(n) for n in ("Europe/Berlin", "Asia/Tokyo", "America/New_York")
    )
    weekly = Recurrence("weekly", 9, 0, weekdays=(0,))
    monday = datetime(2027, 3, 1, 9, 0, tzinfo=berlin)  # 08:00 UTC
    assert weekly.moved_to_zone(monday, berlin, tokyo) == datetime(2027, 3, 1, 9, 0, tzinfo=tokyo)
    assert weekly.moved_to_zone(monday, berlin, berlin) == monday
    # A rule at 23:30 read in Tokyo falls on the previous UTC day: the local day is what counts.
    late = Recurrence("daily", 23, 30)
    tokyo_night = datetime(2027, 3, 2, 23, 30, tzinfo=tokyo)
    moved = late.moved_to_zone(tokyo_night, tokyo, new_york)
    assert moved == datetime(2027, 3, 2, 23, 30, tzinfo=new_york)
    # A due time past the rule's end (an imported file may hold one) stays as it was.
    ended = Recurrence("daily", 9, 0, until=date(2027, 3, 1))
    after_the_end = datetime(2027, 3, 5, 9, 0, tzinfo=tokyo)
    assert ended.moved_to_zone(after_the_end, tokyo, berlin) == after_the_end
