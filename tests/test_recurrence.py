"""A repeating task's next time: the SQL function the completing statement uses agrees with
storage.recurrence (the Python the parser and the calendar use), across DST changes."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.db import Database
from storage.recurrence import Recurrence

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

_NEXT = sa.text("SELECT next_occurrence(:rule, :after, :zone) AS next").bindparams(
    sa.bindparam("after", type_=sa.DateTime(timezone=True))
)


async def sql_next(db: Database, rule: str, after: datetime, zone: str | None) -> datetime | None:
    rows = await db.run(_NEXT, {"rule": rule, "after": after, "zone": zone}, idempotent=True)
    result: datetime | None = rows[0]._mapping["next"]
    return result


rules = st.builds(
    lambda kind, weekday, hour, minute, until: Recurrence(
        kind, weekday if kind == "weekly" else None, hour, minute, until
    ),
    kind=st.sampled_from(["daily", "weekdays", "weekly"]),
    weekday=st.integers(0, 6),
    # Hours around the DST changes (01:00-03:00) are the interesting ones.
    hour=st.one_of(st.integers(0, 23), st.integers(1, 3)),
    minute=st.sampled_from([0, 15, 30, 45, 59]),
    until=st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2041, 1, 1))),
)
instants = st.datetimes(datetime(2026, 1, 1), datetime(2040, 12, 31)).map(
    lambda naive: naive.replace(tzinfo=UTC)
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rule=rules, after=instants, zone=st.sampled_from(ZONES))
async def test_sql_and_python_agree_on_the_next_occurrence(
    direct_db: Database, rule: Recurrence, after: datetime, zone: str
) -> None:
    expected = rule.next_after(after, ZoneInfo(zone))
    assert await sql_next(direct_db, rule.encode(), after, zone) == expected


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
    rule = Recurrence("daily", None, hour, minute)
    after = datetime.combine(day - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    expected = rule.next_after(after + timedelta(hours=12), ZoneInfo(zone))
    assert expected is not None
    assert await sql_next(direct_db, rule.encode(), after + timedelta(hours=12), zone) == expected


@pytest.mark.parametrize(
    "rule",
    ["", "junk", "weekly::09:00:", "daily:1:09:00:", "daily::24:00:", "daily::08:00:2027-02-30"],
)
async def test_an_unreadable_rule_has_no_next_time(direct_db: Database, rule: str) -> None:
    after = datetime(2027, 1, 1, tzinfo=UTC)
    assert await sql_next(direct_db, rule, after, "Europe/Berlin") is None


async def test_an_unknown_zone_is_read_as_utc(direct_db: Database) -> None:
    after = datetime(2027, 1, 1, 12, tzinfo=UTC)
    assert await sql_next(direct_db, "daily::09:00:", after, "Mars/Olympus") == datetime(
        2027, 1, 2, 9, tzinfo=UTC
    )
    assert await sql_next(direct_db, "daily::09:00:", after, None) == datetime(
        2027, 1, 2, 9, tzinfo=UTC
    )


def test_an_occurrence_moved_to_another_zone_keeps_its_day_and_wall_time() -> None:
    berlin, tokyo, new_york = (
        ZoneInfo(n) for n in ("Europe/Berlin", "Asia/Tokyo", "America/New_York")
    )
    weekly = Recurrence("weekly", 0, 9, 0)
    monday = datetime(2027, 3, 1, 9, 0, tzinfo=berlin)  # 08:00 UTC
    assert weekly.moved_to_zone(monday, berlin, tokyo) == datetime(2027, 3, 1, 9, 0, tzinfo=tokyo)
    assert weekly.moved_to_zone(monday, berlin, berlin) == monday
    # A rule at 23:30 read in Tokyo falls on the previous UTC day: the local day is what counts.
    late = Recurrence("daily", None, 23, 30)
    tokyo_night = datetime(2027, 3, 2, 23, 30, tzinfo=tokyo)
    moved = late.moved_to_zone(tokyo_night, tokyo, new_york)
    assert moved == datetime(2027, 3, 2, 23, 30, tzinfo=new_york)
    # A due time past the rule's end (an imported file may hold one) stays as it was.
    ended = Recurrence("daily", None, 9, 0, until=date(2027, 3, 1))
    after_the_end = datetime(2027, 3, 5, 9, 0, tzinfo=tokyo)
    assert ended.moved_to_zone(after_the_end, tokyo, berlin) == after_the_end
