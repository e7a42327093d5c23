"""/export and /import keep repeat rules and reminders before the due time, in JSON and CSV,
and files written before them (the older rule text, no remind_before) still import."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from storage.db import Database
from storage.recurrence import Recurrence
from storage.tables import tasks
from storage.transfer import export_tasks
from storage.values import Task
from testkit.fake_telegram import FakeTelegram
from tests.botdriver import ChatDriver
from tests.factories import new_user_id
from tests.test_export_import import _export, _send_file

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")

SCHEDULES = (
    "/add Lunch @ every other friday 12:00 remind 1d 1h before\n"
    "Rent @ every month on the last day remind 3d before\n"
    "Water the ficus @ every! 3 days\n"
    "Stand-up @ every weekday 9:30\n"
    "Birthday @ every year on dec 1 remind 1 week before\n"
    "Review @ every first monday until 2031-01-01\n"
    "Call back @ tomorrow 18:00 remind 30m before"
)


def _fields(task: Task) -> tuple[Any, ...]:
    return (task.title, task.due_at, task.recurrence, task.remind_before, task.done)


async def _remind_at(db: Database, chat_id: int) -> list[datetime | None]:
    statement = (
        sa.select(tasks.c.remind_at).where(tasks.c.chat_id == chat_id).order_by(tasks.c.number)
    )
    return [row._mapping["remind_at"] for row in await db.run(statement, {}, idempotent=True)]


def _other(telegram: FakeTelegram) -> ChatDriver:
    user = new_user_id()
    return ChatDriver(telegram, chat_id=user, user_id=user)


@pytest.mark.parametrize("kind", ["json", "csv"])
async def test_repeats_and_reminders_survive_export_and_import(
    private_chat: ChatDriver, telegram: FakeTelegram, direct_db: Database, kind: str
) -> None:
    await private_chat.send(SCHEDULES)
    json_file, csv_file, _ = await _export(private_chat)
    exported = json.loads(json_file.data)["tasks"]
    assert exported[0]["remind_before"] == [1440, 60]
    assert exported[0]["recurrence"].startswith("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;TIME=12:00;")
    assert exported[2]["recurrence"] == "FREQ=DAILY;INTERVAL=3;TIME=09:00;FROM=DONE"
    rows = list(csv.DictReader(io.StringIO(csv_file.data.decode("utf-8-sig"))))
    assert [row["remind_before"] for row in rows] == ["1440 60", "4320", "", "", "10080", "", "30"]

    other = _other(telegram)
    file = json_file if kind == "json" else csv_file
    answer = await _send_file(other, file.file_name, file.data)
    assert answer.startswith("📥 Imported 7 tasks as #1–#7")
    original = (await export_tasks(direct_db, chat_id=private_chat.chat_id)).tasks
    imported = (await export_tasks(direct_db, chat_id=other.chat_id)).tasks
    assert [_fields(t) for t in imported] == [_fields(t) for t in original]
    # Each imported task is reminded at its first reminder still to come, as the original is.
    assert await _remind_at(direct_db, other.chat_id) == await _remind_at(
        direct_db, private_chat.chat_id
    )


async def test_a_file_from_before_the_new_repeats_still_imports(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    due = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    document = {
        "format": "todo-bot/tasks",
        "version": 1,
        "exported_at": "2026-06-01T10:00:00+00:00",
        "tasks": [
            {
                "number": 1,
                "title": "Gym",
                "description": None,
                "done": False,
                "completed_at": None,
                "created_at": "2026-05-01T10:00:00+00:00",
                "due_at": due.isoformat(),
                "recurrence": "weekly:0:07:30:2030-01-31",
                "nag_minutes": None,
            }
        ],
    }
    answer = await _send_file(private_chat, "old.json", json.dumps(document).encode())
    assert answer.startswith("📥 Imported 1 task as #1")
    old_csv = (
        "number,title,description,done,completed_at,created_at,due_at,recurrence,nag_minutes\r\n"
        f"1,Stand-up,,no,,,{due.isoformat()},weekdays::09:30:,\r\n"
    )
    answer = await _send_file(private_chat, "old.csv", old_csv.encode())
    assert answer.startswith("📥 Imported 1 task as #2")
    gym, standup = (await export_tasks(direct_db, chat_id=private_chat.chat_id)).tasks
    assert gym.recurrence == "FREQ=WEEKLY;BYDAY=MO;TIME=07:30;UNTIL=2030-01-31"
    assert standup.recurrence == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;TIME=09:30"
    assert gym.remind_before == standup.remind_before == ()
    assert Recurrence.decode(gym.recurrence) == Recurrence.decode("weekly:0:07:30:2030-01-31")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b"title,due_at,remind_before\nMilk,2030-01-01 09:00,0\n",
            "line 2: remind_before: a reminder before the due time must be 1 minute to 4 weeks",
        ),
        (b"title,due_at,remind_before\nMilk,2030-01-01 09:00,1h\n", "must be numbers of minutes"),
        (
            b"title,due_at,remind_before\nMilk,2030-01-01 09:00,1 2 3 4 5 6\n",
            "at most 5 reminders before the due time",
        ),
        (
            b"title,due_at,recurrence\nMilk,2030-01-01 09:00,FREQ=WEEKLY;TIME=09:00\n",
            "line 2: recurrence: not a repeat rule as /export writes them",
        ),
    ],
)
async def test_bad_reminders_or_rules_in_a_file_are_refused_with_their_line(
    private_chat: ChatDriver, direct_db: Database, data: bytes, reason: str
) -> None:
    answer = await _send_file(private_chat, "t.csv", data)
    assert answer.startswith("⚠️ Nothing was imported:")
    assert reason in answer
    assert (await export_tasks(direct_db, chat_id=private_chat.chat_id)).tasks == []
