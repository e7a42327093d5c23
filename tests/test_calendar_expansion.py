"""Calendar apps read the feed's repeating tasks at the times the bot reminds of them.

The feed of repeating tasks in zones with DST (two hemispheres, and rules of three shapes) is
expanded through 2040 by independent readers: `icalendar` with `recurring-ical-events` (as
served, where it takes the zone from zoneinfo, and with the zone renamed, where it must read the
file's VTIMEZONE through dateutil), and Mozilla's ical.js, the reader of Thunderbird and many
web calendars, run by node. Each must give exactly the instants of
storage.recurrence.Recurrence.next_after, the bot's own rule.

ical.js comes from npm (tests/icaljs, `npm ci` there); without node or the package these tests
skip locally and fail in CI (`CI` set), where .ci/run installs them.
"""

import json
import os
import shutil
import subprocess
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from bot.web.calendar_ics import MOVED_YEARS, render_calendar
from bot.web.calendar_rrule import FEBRUARY_UID
from bot.web.vtimezone import vtimezone
from storage.feed_contents import Feed
from storage.recurrence import LAST, WORKDAYS, Recurrence
from storage.values import Task
from tests.factories import task_value

ICALJS_DIR = Path(__file__).parent / "icaljs"
FIRST = datetime(2026, 6, 1, tzinfo=UTC)
END = datetime(2041, 1, 1, tzinfo=UTC)
# Occurrences at skipped or repeated wall times are given as overrides up to here (the feed is
# written in 2026 here).
MOVED_END = datetime(2026 + MOVED_YEARS + 1, 1, 1, tzinfo=UTC)
ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Pacific/Auckland"]
# Rules whose dates are not "the n-th or last weekday of a month": Israel's Friday before the
# last Sunday of March, Chile's first Sunday on or after the 2nd.
OTHER_RULE_ZONES = ["Asia/Jerusalem", "America/Santiago"]
RULES = [
    Recurrence("weekly", 9, 0, weekdays=(0,)),
    Recurrence("weekly", 18, 30, weekdays=WORKDAYS),
    # On the night the clocks change: a time that is skipped once and repeated once a year.
    Recurrence("daily", 2, 30),
    Recurrence("weekly", 2, 30, weekdays=(6,), until=date(2033, 10, 30)),
    # Each kind of the smarter repeats (tests/test_calendar_repeats.py has them all in
    # recurring-ical-events alone): intervals counted from a start, the week starting on
    # Monday, a day that falls on a shorter month's last day, the n-th and last weekday (the
    # last Sunday at 02:30: the night Europe's clocks change), and yearly dates.
    Recurrence("daily", 7, 15, interval=3, start=date(2026, 6, 2)),
    Recurrence("weekly", 18, 0, interval=2, weekdays=(4,), start=date(2026, 6, 5)),
    Recurrence("weekly", 20, 0, interval=2, weekdays=(0, 6), start=date(2026, 6, 1)),
    Recurrence("monthly", 9, 0, month_day=31),
    Recurrence("monthly", 9, 0, month_day=30),
    Recurrence("monthly", 8, 0, month_day=29, interval=6, start=date(2026, 6, 29)),
    Recurrence("monthly", 23, 45, month_day=LAST),
    Recurrence("monthly", 10, 0, nth=1, weekdays=(0,)),
    Recurrence("monthly", 2, 30, nth=LAST, weekdays=(6,)),
    Recurrence("yearly", 9, 0, month=2, month_day=29),
    Recurrence("yearly", 11, 0, month=9, nth=1, weekdays=(0,), interval=2, start=date(2026, 9, 7)),
]


def _task(zone: ZoneInfo, rule: Recurrence, number: int) -> Task:
    due = rule.next_after(FIRST, zone)
    assert due is not None
    # The UID starts with the number, so that a mismatch names its rule (RULES[number - 1]).
    task_id = uuid.UUID(f"{number:08d}-0000-4000-8000-000000000000")
    return task_value(number, due_at=due, recurrence=rule.encode(), task_id=task_id)


def _bots_instants(task: Task, zone: ZoneInfo) -> list[datetime]:
    """Every time the bot would have the task due before END, as it reopens it."""
    assert task.due_at is not None and task.recurrence is not None
    rule = Recurrence.decode(task.recurrence)
    instants: list[datetime] = []
    moment: datetime | None = task.due_at
    while moment is not None and moment < END:
        instants.append(moment)
        moment = rule.next_after(moment, zone)
    return instants


def _feed(zone_name: str) -> tuple[bytes, dict[str, list[datetime]]]:
    """A feed of every rule in the zone, and what the bot expects of each event (by UID)."""
    zone = ZoneInfo(zone_name)
    tasks = [_task(zone, rule, number) for number, rule in enumerate(RULES, 1)]
    ics = render_calendar(
        Feed(list_id=1, chat_id=1, user_id=1, timezone=zone_name, tasks=tasks), year=2026
    )
    expected = {f"{task.id}@todo-bot": _bots_instants(task, zone) for task in tasks}
    return ics, expected


def _python_instants(ics: bytes) -> dict[str, list[datetime]]:
    calendar = icalendar.Calendar.from_ical(ics)
    found: dict[str, list[datetime]] = {}
    for event in recurring_ical_events.of(calendar).between(FIRST, END):
        uid = _task_uid(str(event["UID"]))
        found.setdefault(uid, []).append(event.decoded("DTSTART").astimezone(UTC))
    return {uid: sorted(instants) for uid, instants in found.items()}


def _task_uid(uid: str) -> str:
    """The task's UID of an event's (a rule's February event, bot.web.calendar_rrule, is the
    task's too)."""
    return uid.replace(f"{FEBRUARY_UID}@", "@")


def _readers_may_differ(instant: datetime, rule: Recurrence, zone: ZoneInfo) -> bool:
    """Whether the occurrence is on a clock-change night after the years the feed spells those
    out for, at a wall time the zone skips or repeats (readers read those differently)."""
    day = instant.astimezone(zone).date()
    wall = datetime.combine(day, time(rule.hour, rule.minute))
    odd = wall.replace(tzinfo=zone).astimezone(UTC) != wall.replace(tzinfo=zone, fold=1)
    return instant >= MOVED_END and odd


def _mismatches(
    found: dict[str, list[datetime]],
    expected: dict[str, list[datetime]],
    zone_name: str,
) -> str:
    """A readable account of the instants that differ, empty when none do."""
    zone = ZoneInfo(zone_name)
    lines = []
    for uid, wanted in expected.items():
        rule = RULES[int(uid.split("-")[0]) - 1]
        got = [i for i in found.get(uid, []) if not _readers_may_differ(i, rule, zone)]
        wanted = [i for i in wanted if not _readers_may_differ(i, rule, zone)]
        if got != wanted:
            wrong = sorted(set(got) ^ set(wanted))
            lines.append(f"{uid}: {len(wrong)} differ of {len(wanted)}, first: {wrong[:3]}")
    return "\n".join(lines)


@pytest.mark.parametrize("zone_name", ZONES + OTHER_RULE_ZONES)
def test_icalendar_expands_the_feed_to_the_bots_instants(zone_name: str) -> None:
    ics, expected = _feed(zone_name)
    assert sum(map(len, expected.values())) > 8_000
    assert _mismatches(_python_instants(ics), expected, zone_name) == ""


@pytest.mark.parametrize("zone_name", ZONES + OTHER_RULE_ZONES)
def test_dateutil_reading_the_files_vtimezone_gets_the_bots_instants(zone_name: str) -> None:
    # Under a name zoneinfo does not know, icalendar must build the zone from the file.
    ics, expected = _feed(zone_name)
    unfolded = ics.replace(b"\r\n ", b"")
    # (icalendar keeps the zones it built by name for the whole process: one name per zone)
    name = "Feed-" + zone_name.replace("/", "-")
    renamed = unfolded.replace(f"TZID:{zone_name}".encode(), f"TZID:{name}".encode())
    renamed = renamed.replace(f"TZID={zone_name}".encode(), f"TZID={name}".encode())
    assert zone_name.encode() not in renamed
    assert _mismatches(_python_instants(renamed), expected, zone_name) == ""


def _icaljs() -> str:
    """The node to run ical.js with; skips (fails in CI) when node or the package is missing."""
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "node is not installed (apt-get install -y nodejs npm)"
    elif not (ICALJS_DIR / "node_modules" / "ical.js" / "package.json").exists():
        problem = "ical.js is not installed (npm ci in tests/icaljs)"
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    assert node is not None
    return node


def _icaljs_instants(node: str, ics: bytes) -> dict[str, list[datetime]]:
    done = subprocess.run(
        [node, "expand.mjs", END.date().isoformat()],
        input=ics,
        cwd=ICALJS_DIR,
        capture_output=True,
        check=True,
        timeout=60,
    )
    found: dict[str, list[datetime]] = {}
    for uid, instants in json.loads(done.stdout).items():
        times = [datetime.fromtimestamp(seconds, UTC) for seconds in instants if seconds >= 0]
        found.setdefault(_task_uid(uid), []).extend(times)
    return {uid: sorted(instants) for uid, instants in found.items()}


@pytest.mark.parametrize("zone_name", ZONES + OTHER_RULE_ZONES)
def test_icaljs_expands_the_feed_to_the_bots_instants(zone_name: str) -> None:
    node = _icaljs()
    ics, expected = _feed(zone_name)
    assert _mismatches(_icaljs_instants(node, ics), expected, zone_name) == ""


@pytest.mark.parametrize("zone_name", ZONES)
def test_vtimezone_is_yearly_rules_with_onsets_in_the_offset_before(zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    component = icalendar.Timezone.from_ical(vtimezone(zone_name, 2026).to_ical())
    parts = component.walk("STANDARD") + component.walk("DAYLIGHT")
    assert len(parts) == 2
    for part in parts:
        assert "RDATE" not in part
        assert part["RRULE"]["FREQ"] == ["YEARLY"]
        assert "UNTIL" not in part["RRULE"]
        onset = part.decoded("DTSTART")
        assert onset.tzinfo is None
        before = part.decoded("TZOFFSETFROM")
        # The wall time of the onset, read in the offset before the change, is the instant the
        # zone changes: a second earlier it still has the old offset, at it the new one.
        instant = (onset - before).replace(tzinfo=UTC)
        assert (instant - timedelta(seconds=1)).astimezone(zone).utcoffset() == before
        assert instant.astimezone(zone).utcoffset() == part.decoded("TZOFFSETTO")


def test_a_zone_without_dst_is_one_standard_part() -> None:
    parts = vtimezone("Asia/Tokyo", 2026).subcomponents
    assert [part.name for part in parts] == ["STANDARD"]
    assert parts[0].decoded("TZOFFSETTO") == timedelta(hours=9)
