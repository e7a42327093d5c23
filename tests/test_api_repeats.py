"""The task API carries due times, repeat rules and reminders before the due time: it reads
them, sets them as /due and /remind do (the next reminder with them), and completing a
repeating task over it brings it back for its next time with its reminders."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from storage.db import Database
from storage.tables import tasks
from storage.tasks import get_task
from tests.factories import new_user_id
from tests.webapp import TaskApi, WebBot

# A Friday 18:00 UTC well ahead (the list has no zone: UTC), and the rule that repeats it.
FRIDAY = datetime(2030, 1, 4, 18, 0, tzinfo=UTC)
EVERY_OTHER_FRIDAY = {
    "freq": "weekly",
    "interval": 2,
    "weekdays": ["FR"],
    "time": "18:00",
    "start": "2030-01-04",
}


@pytest.fixture
def me(web_client: httpx.AsyncClient) -> TaskApi:
    return TaskApi(web_client, user_id=new_user_id())


async def _remind_at(db: Database, chat_id: int, number: int) -> datetime | None:
    statement = sa.select(tasks.c.remind_at).where(
        tasks.c.chat_id == chat_id, tasks.c.number == number
    )
    rows = await db.run(statement, {}, idempotent=True)
    moment: datetime | None = rows[0]._mapping["remind_at"]
    return moment


async def _put(me: TaskApi, body: dict[str, Any]) -> dict[str, Any]:
    response = await me.call("PUT", "/1", json=body)
    assert response.status_code == 200, response.text
    task: dict[str, Any] = response.json()
    return task


async def test_a_due_time_with_its_repeat_and_reminders_is_set_and_read_back(
    me: TaskApi, web_bot: WebBot
) -> None:
    await me.add("Team lunch")
    body = {
        "due_at": FRIDAY.isoformat(),
        "repeat": EVERY_OTHER_FRIDAY,
        "remind_before": [60, 1440],
    }
    task = await _put(me, body)
    assert datetime.fromisoformat(task["due_at"]) == FRIDAY
    assert task["remind_before"] == [1440, 60]  # the earliest reminder first
    assert task["repeat"] == {
        **EVERY_OTHER_FRIDAY,
        "nth": None,
        "month_day": None,
        "month": None,
        "until": None,
        "from_completion": False,
        "description": "every other Friday at 18:00",
        "stored": "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;TIME=18:00;START=2030-01-04",
    }
    assert (await me.call("GET", "/1")).json() == task
    assert (await me.listed())["tasks"] == [task]
    db = web_bot.database
    assert await _remind_at(db, me.user_id, 1) == FRIDAY - timedelta(days=1)


async def test_completing_over_the_api_brings_it_back_two_weeks_on_with_its_reminders(
    me: TaskApi, web_bot: WebBot
) -> None:
    await me.add("Team lunch")
    await _put(
        me, {"due_at": FRIDAY.isoformat(), "repeat": EVERY_OTHER_FRIDAY, "remind_before": [60]}
    )
    task = await _put(me, {"completed": True})
    assert task["completed"] is False
    assert datetime.fromisoformat(task["due_at"]) == FRIDAY + timedelta(weeks=2)
    assert task["remind_before"] == [60]
    assert await _remind_at(web_bot.database, me.user_id, 1) == FRIDAY + timedelta(
        weeks=2, hours=-1
    )


async def test_reminders_alone_move_the_next_reminder_and_null_due_at_clears_the_repeat(
    me: TaskApi, web_bot: WebBot
) -> None:
    db = web_bot.database
    await me.add("Dentist")
    await _put(me, {"due_at": FRIDAY.isoformat(), "repeat": EVERY_OTHER_FRIDAY})
    assert await _remind_at(db, me.user_id, 1) == FRIDAY
    await _put(me, {"remind_before": [30]})
    assert await _remind_at(db, me.user_id, 1) == FRIDAY - timedelta(minutes=30)
    cleared = await _put(me, {"due_at": None})
    assert (cleared["due_at"], cleared["repeat"], cleared["remind_before"]) == (None, None, [30])
    assert await _remind_at(db, me.user_id, 1) is None
    # A due time given without a repeat has none.
    plain = await _put(me, {"due_at": FRIDAY.isoformat()})
    assert plain["repeat"] is None and await _remind_at(db, me.user_id, 1) == FRIDAY - timedelta(
        minutes=30
    )


async def test_a_repeat_counted_from_completion_over_the_api(me: TaskApi, web_bot: WebBot) -> None:
    await me.add("Water the ficus")
    rule = {"freq": "daily", "interval": 3, "time": "09:00", "from_completion": True}
    due = datetime(2030, 1, 10, 9, tzinfo=UTC)
    await _put(me, {"due_at": due.isoformat(), "repeat": rule})
    before = datetime.now(UTC)
    task = await _put(me, {"completed": True})
    # Three days after the day it was done, not after the day it was due.
    expected = datetime.combine(before.date() + timedelta(days=3), datetime.min.time(), UTC)
    assert datetime.fromisoformat(task["due_at"]) in {
        expected + timedelta(hours=9),
        expected + timedelta(days=1, hours=9),  # midnight passed meanwhile
    }
    assert task["repeat"]["description"] == "every 3 days at 09:00, counted from when it is done"


@pytest.mark.parametrize(
    ("body", "location", "words"),
    [
        ({"repeat": EVERY_OTHER_FRIDAY}, "body", "repeat goes with due_at"),
        ({"due_at": None, "repeat": EVERY_OTHER_FRIDAY}, "body", "repeat needs a due_at"),
        ({"due_at": "2030-01-04T18:00:00"}, "body", "needs its offset"),
        ({"due_at": "friday"}, "body.due_at", "datetime"),
        (
            {"due_at": "2030-01-04T18:00:00Z", "repeat": {"freq": "weekly", "time": "18:00"}},
            "body.repeat",
            "a weekly rule takes weekdays only",
        ),
        (
            {"due_at": "2030-01-04T18:00:00Z", "repeat": {**EVERY_OTHER_FRIDAY, "start": None}},
            "body.repeat",
            "a start date goes with an interval",
        ),
        (
            {"due_at": "2030-01-04T18:00:00Z", "repeat": {**EVERY_OTHER_FRIDAY, "time": "6pm"}},
            "body.repeat.time",
            "pattern",
        ),
        (
            {"due_at": "2030-01-04T18:00:00Z", "repeat": {**EVERY_OTHER_FRIDAY, "every": 2}},
            "body.repeat.every",
            "unknown field",
        ),
        ({"remind_before": None}, "body", "remind_before cannot be null"),
        ({"remind_before": [0]}, "body.remind_before.0", "greater than or equal to 1"),
        ({"remind_before": [40321]}, "body.remind_before.0", "less than or equal to 40320"),
        ({"remind_before": [1, 2, 3, 4, 5, 6]}, "body.remind_before", "at most 5"),
        ({"remind_before": ["1h"]}, "body.remind_before.0", "valid integer"),
    ],
    ids=str,
)
async def test_a_bad_schedule_is_422_and_changes_nothing(
    me: TaskApi, web_bot: WebBot, body: dict[str, Any], location: str, words: str
) -> None:
    await me.add("Unchanged")
    before = await get_task(web_bot.database, chat_id=me.user_id, number=1)
    response = await me.call("PUT", "/1", json=body)
    assert response.status_code == 422, response.text
    problems = response.json()["problems"]
    assert any(p["location"] == location and words in p["message"] for p in problems), problems
    assert await get_task(web_bot.database, chat_id=me.user_id, number=1) == before


async def test_the_openapi_schema_describes_the_new_fields(web_client: httpx.AsyncClient) -> None:
    schema = (await web_client.get("/openapi.json")).json()
    components = schema["components"]["schemas"]
    read = components["TaskRead"]["properties"]
    assert {"due_at", "repeat", "remind_before"} <= set(read)
    update = components["TaskUpdate"]["properties"]
    assert {"due_at", "repeat", "remind_before"} <= set(update)
    repeat = components["Repeat"]["properties"]
    assert set(repeat) == {
        "freq",
        "interval",
        "weekdays",
        "nth",
        "month_day",
        "month",
        "time",
        "until",
        "start",
        "from_completion",
    }
    assert repeat["freq"]["enum"] == ["daily", "weekly", "monthly", "yearly"]
    assert {"description", "stored"} <= set(components["RepeatRead"]["properties"])
