"""A chat the bot is out of, in storage: its reminders and digests parked at once (so no claim
finds them), its data kept, and on its return what still lies ahead resumes."""

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from storage.assignees import reminder_recipients
from storage.assigning import assign
from storage.chat_settings import ChatSettings, save_chat_settings
from storage.db import Database
from storage.local_time import next_local_minute
from storage.presence import mark_back, mark_gone
from storage.reminders import set_due
from storage.tables import chats, tasks
from storage.tasks import add_tasks, list_tasks
from storage.topics import topic_list_id
from storage.users import remember_user
from tests.factories import new_chat_id, new_user_id

FUTURE = datetime(2044, 1, 15, 9, 0, tzinfo=UTC)
PAST = datetime(2020, 1, 15, 9, 0, tzinfo=UTC)


async def _reminders(db: Database, list_id: int) -> list[Any]:
    """The reminder times of the list's tasks, by number."""
    query = sa.select(tasks.c.remind_at).where(tasks.c.chat_id == list_id).order_by(tasks.c.number)
    return [row[0] for row in await db.run(query, idempotent=True)]


async def _next_digest(db: Database, list_id: int) -> Any:
    query = sa.select(chats.c.next_digest_at).where(chats.c.chat_id == list_id)
    return (await db.run(query, idempotent=True))[0][0]


async def test_a_chat_the_bot_left_is_parked_and_resumes_what_lies_ahead(db: Database) -> None:
    group = new_chat_id(group=True)
    topic = await topic_list_id(db, chat_id=group, thread_id=7)
    await add_tasks(db, chat_id=group, titles=["Ahead", "Missed", "No time"], created_by=1)
    await add_tasks(db, chat_id=topic, titles=["In a topic"], created_by=1)
    await set_due(db, chat_id=group, number=1, due_at=FUTURE)
    await set_due(db, chat_id=group, number=2, due_at=PAST)
    await set_due(db, chat_id=topic, number=1, due_at=FUTURE)
    berlin = ChatSettings("Europe/Berlin", digest_minute=8 * 60)
    await save_chat_settings(db, chat_id=group, settings=berlin, next_digest_at=FUTURE)
    await save_chat_settings(db, chat_id=topic, settings=berlin, next_digest_at=FUTURE)

    assert await mark_gone(db, chat_id=group) == 3
    assert await mark_gone(db, chat_id=group) == 0  # once is enough

    assert await _reminders(db, group) == [None, None, None]
    assert await _reminders(db, topic) == [None]
    assert await _next_digest(db, group) is None and await _next_digest(db, topic) is None
    assert (await list_tasks(db, chat_id=group)).open_total == 3  # the data stays

    before = datetime.now(UTC)
    assert await mark_back(db, chat_id=group) == 2
    assert await mark_back(db, chat_id=group) == 0

    assert await _reminders(db, group) == [FUTURE, None, None]
    assert await _reminders(db, topic) == [FUTURE]
    after, tz = datetime.now(UTC), ZoneInfo("Europe/Berlin")
    next_eight = {next_local_minute(moment, tz, 8 * 60) for moment in (before, after)}
    assert await _next_digest(db, group) in next_eight
    assert await _next_digest(db, topic) in next_eight


async def test_back_in_a_chat_never_left_changes_nothing(db: Database) -> None:
    chat = new_chat_id()
    await add_tasks(db, chat_id=chat, titles=["Snoozed"], created_by=chat)
    await set_due(db, chat_id=chat, number=1, due_at=PAST)

    assert await mark_back(db, chat_id=chat) == 0
    assert await _reminders(db, chat) == [PAST]


async def test_an_assignee_who_blocked_the_bot_is_not_written_to_until_unblocked(
    db: Database,
) -> None:
    group, alice = new_chat_id(group=True), new_user_id()
    await remember_user(db, user_id=alice, username=None, first_name="Alice", started=True)
    (task,) = await add_tasks(db, chat_id=group, titles=["Book the room"], created_by=alice)
    await assign(db, chat_id=group, number=1, user_ids=[alice])
    assert [r.started for r in await reminder_recipients(db, task_id=task.id)] == [True]

    await mark_gone(db, chat_id=alice)
    assert [r.started for r in await reminder_recipients(db, task_id=task.id)] == [False]

    await mark_back(db, chat_id=alice)
    assert [r.started for r in await reminder_recipients(db, task_id=task.id)] == [True]
