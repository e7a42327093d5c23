"""The calendar feed writes every kind of repeat as an RRULE that calendar apps expand to the
very times the bot has the task due (a rule counted from completion, which no RRULE can say,
as its next time alone). Each feed is expanded by `icalendar` with `recurring-ical-events`
and compared with storage.recurrence's chain of next times, in zones with DST on both
hemispheres, for ten years."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from bot.web.calendar_ics import render_calendar
from bot.web.calendar_rrule import FEBRUARY_UID
from storage.db import Database
from storage.feed_contents import Feed
from storage.recurrence import LAST, WORKDAYS, Recurrence
from storage.transfer import export_tasks
from storage.values import Task
from tests.botdriver import ChatDriver
from tests.factories import task_value
from tests.feedbot import FeedBot
from tests.test_calendar import _events, feed_bot

__all__ = ["feed_bot"]  # the fixture, shared with tests/test_calendar.py

FIRST = datetime(2026, 6, 1, tzinfo=UTC)
END = datetime(2036, 6, 1, tzinfo=UTC)
ZONES = ["Europe/Berlin", "America/New_York", "Pacific/Auckland", "Asia/Kolkata"]
# Every kind of rule, at wall times no DST change skips or repeats (readers differ there).
RULES = [
    Recurrence("daily", 9, 0),
    Recurrence("daily", 7, 15, interval=3, start=date(2026, 6, 2)),
    Recurrence("weekly", 18, 0, interval=2, weekdays=(4,), start=date(2026, 6, 5)),
    Recurrence("weekly", 8, 30, weekdays=WORKDAYS, until=date(2029, 3, 1)),
    # Monday and Sunday of every other week: the week starts on Monday (WKST=MO)
    Recurrence("weekly", 20, 0, interval=2, weekdays=(0, 6), start=date(2026, 6, 1)),
    Recurrence("monthly", 9, 0, month_day=15),
    Recurrence("monthly", 9, 0, month_day=31),
    Recurrence("monthly", 9, 0, month_day=29, interval=6, start=date(2026, 6, 29)),
    Recurrence("monthly", 9, 0, month_day=30),
    Recurrence("monthly", 8, 0, month_day=29),
    Recurrence("monthly", 23, 45, month_day=LAST),
    Recurrence("monthly", 10, 0, nth=1, weekdays=(0,)),
    Recurrence("monthly", 17, 0, nth=LAST, weekdays=(4,), until=date(2031, 12, 31)),
    Recurrence("monthly", 12, 0, nth=3, weekdays=(2,), interval=2, start=date(2026, 6, 17)),
    Recurrence("yearly", 9, 0, month=12, month_day=1),
    Recurrence("yearly", 9, 0, month=2, month_day=29),
    Recurrence("yearly", 11, 0, month=9, nth=1, weekdays=(0,), interval=2, start=date(2026, 9, 7)),
]
FROM_DONE = Recurrence("daily", 9, 0, interval=3, from_done=True)


def _task(number: int, rule: Recurrence, due: datetime) -> Task:
    return task_value(number, due_at=due, recurrence=rule.encode())


def _bots_times(rule: Recurrence, first: datetime, zone: ZoneInfo) -> list[datetime]:
    """Every time the bot has the task due before END, as completing it reopens it."""
    times: list[datetime] = []
    moment: datetime | None = first
    while moment is not None and moment < END:
        times.append(moment)
        moment = rule.next_after(moment, zone)
    return times


def _feed(zone_name: str | None, tasks: list[Task]) -> bytes:
    feed = Feed(list_id=1, chat_id=1, user_id=1, timezone=zone_name, tasks=tasks)
    return render_calendar(feed, year=2026)


def _expanded(ics: bytes) -> dict[str, list[datetime]]:
    """Each task's times by its UID (a rule's February event, bot.web.calendar_rrule, counted
    with its task's)."""
    calendar = icalendar.Calendar.from_ical(ics)
    found: dict[str, list[datetime]] = {}
    for event in recurring_ical_events.of(calendar).between(FIRST, END):
        uid = str(event["UID"]).replace(f"{FEBRUARY_UID}@", "@")
        found.setdefault(uid, []).append(event.decoded("DTSTART").astimezone(UTC))
    return {uid: sorted(times) for uid, times in found.items()}


@pytest.mark.parametrize("zone_name", ZONES)
def test_every_rrule_expands_to_the_bots_times(zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    tasks, expected, rules = [], {}, {}
    for number, rule in enumerate(RULES, start=1):
        first = rule.next_after(FIRST, zone)
        assert first is not None
        task = _task(number, rule, first)
        tasks.append(task)
        uid = f"{task.id}@todo-bot"
        expected[uid], rules[uid] = _bots_times(rule, first, zone), rule.encode()
    found = _expanded(_feed(zone_name, tasks))
    for uid, times in expected.items():
        assert found.get(uid) == times, rules[uid]
    assert sum(map(len, expected.values())) > 5_000


def test_the_rrules_say_each_kind_as_rfc_5545_does() -> None:
    rules = {
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;WKST=MO": Recurrence(
            "weekly", 18, 0, interval=2, weekdays=(4,), start=date(2026, 6, 5)
        ),
        # the 31st falls on every month's last day, 29 February on February's
        "FREQ=MONTHLY;BYMONTHDAY=-1": Recurrence("monthly", 9, 0, month_day=31),
        "FREQ=MONTHLY;BYDAY=-1FR": Recurrence("monthly", 9, 0, nth=LAST, weekdays=(4,)),
        "FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=2": Recurrence("yearly", 9, 0, month=2, month_day=29),
    }
    # the 30th: every month but February, and February's last day as an event of its own
    split = [
        "FREQ=MONTHLY;BYMONTHDAY=30;BYMONTH=1,3,4,5,6,7,8,9,10,11,12",
        "FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=2",
    ]
    tasks = [
        _task(number, rule, rule.next_after(FIRST, ZoneInfo("UTC")) or FIRST)
        for number, rule in enumerate(
            [*rules.values(), Recurrence("monthly", 9, 0, month_day=30)], start=1
        )
    ]
    events = icalendar.Calendar.from_ical(_feed(None, tasks)).walk("VEVENT")
    assert [event["RRULE"].to_ical().decode() for event in events] == [*rules, *split]
    assert str(events[-1]["UID"]) == f"{tasks[-1].id}{FEBRUARY_UID}@todo-bot"


def test_what_no_rrule_every_reader_expands_alike_says_is_a_single_event() -> None:
    zone = ZoneInfo("Europe/Berlin")
    due = datetime(2026, 6, 11, 7, tzinfo=UTC)  # Thursday 11 June, 09:00 in Berlin
    off_rule = Recurrence("weekly", 9, 0, weekdays=(0,))  # Mondays, but due on a Thursday
    # every other month on the 30th, in February too (ical.js misreads BYMONTH with INTERVAL)
    thirtieth = Recurrence("monthly", 9, 0, month_day=30, interval=2, start=date(2026, 6, 30))
    thirtieth_due = datetime(2026, 6, 30, 7, tzinfo=UTC)
    tasks = [_task(1, FROM_DONE, due), _task(2, off_rule, due), _task(3, thirtieth, thirtieth_due)]
    ics = _feed("Europe/Berlin", tasks)
    events = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert ["RRULE" in event for event in events] == [False, False, False]
    assert list(_expanded(ics).values()) == [[due], [due], [thirtieth_due]]
    assert FROM_DONE.next_after(due, zone) is not None  # it does repeat, after each completion


async def test_the_served_feed_expands_to_the_times_the_bot_reminds_of(
    feed_bot: FeedBot, direct_db: Database
) -> None:
    chat: ChatDriver = feed_bot.private_chat()
    await chat.send("/timezone America/New_York")
    await chat.send(
        "/add Lunch @ every other friday 12:00\n"
        "Rent @ every last day of the month 9:00\n"
        "Review @ every first monday 10:00\n"
        "Birthday @ every year on dec 1\n"
        "Ficus @ every! 3 days"
    )
    path = await feed_bot.feed_path(chat)
    response = await feed_bot.client.get(path)
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    events = _events(calendar)
    assert "RRULE" not in events["Ficus"]
    zone = ZoneInfo("America/New_York")
    expanded = _expanded(response.content)
    stored = {
        task.title: task for task in (await export_tasks(direct_db, chat_id=chat.chat_id)).tasks
    }
    for title in ("Lunch", "Rent", "Review", "Birthday"):
        event, task = events[title], stored[title]
        first = event.decoded("DTSTART").astimezone(UTC)
        # The rule the bot stored from /add's phrase gives the times the calendar shows.
        assert task.due_at == first and task.recurrence is not None
        rule = Recurrence.decode(task.recurrence)
        assert expanded[str(event["UID"])] == _bots_times(rule, first, zone)
    assert expanded[str(events["Ficus"]["UID"])] == [stored["Ficus"].due_at]
