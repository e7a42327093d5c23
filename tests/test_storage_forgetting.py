"""Forgetting chats in storage: everything of a chat's lists goes (its topics', and the basic
group's it was upgraded from), nothing of any other chat's; and chats the bot has long been
out of are forgotten by the hourly house-keeping."""

from datetime import timedelta

import sqlalchemy as sa

from storage.assigning import assign
from storage.calendar import feed_address
from storage.chat_settings import ChatSettings, get_chat_settings, save_chat_settings
from storage.db import Database
from storage.due_times import next_due
from storage.feed_contents import feed_for_token
from storage.forgetting import FORGET_AFTER, forget_chat, forget_gone_chats
from storage.group_upgrade import move_group
from storage.presence import mark_gone
from storage.tables import chats, task_assignees, tasks
from storage.tasks import add_tasks, list_tasks
from storage.topics import topic_list_id
from tests.factories import new_basic_group_id, new_chat_id

# The key calendar addresses are made with (the bot derives it from its token).
KEY = b"calendar-key-of-these-tests-32-b"


async def _rows(db: Database, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    rows = await db.run(
        sa.select(sa.func.count()).select_from(table).where(*where), idempotent=True
    )
    return int(rows[0][0])


async def test_forgetting_a_chat_deletes_its_lists_and_nothing_else(db: Database) -> None:
    old, group, other = new_basic_group_id(), new_chat_id(group=True), new_chat_id(group=True)
    await add_tasks(db, chat_id=old, titles=["From the basic group"], created_by=1)
    await move_group(db, old_chat_id=old, new_chat_id=group)
    topic = await topic_list_id(db, chat_id=group, thread_id=3)
    (in_topic,) = await add_tasks(db, chat_id=topic, titles=["In a topic"], created_by=1)
    await assign(db, chat_id=topic, number=1, user_ids=[5])
    await save_chat_settings(
        db, chat_id=group, settings=ChatSettings("Asia/Tokyo"), next_digest_at=None
    )
    address = await feed_address(
        db, key=KEY, list_id=group, chat_id=group, user_id=7, private=True
    )
    token = address.token
    assert token is not None
    await add_tasks(db, chat_id=other, titles=["Someone else's"], created_by=1)

    assert await forget_chat(db, chat_id=group) == 2

    for list_id in (old, group, topic):
        assert await _rows(db, chats, chats.c.chat_id == list_id) == 0
        assert await _rows(db, tasks, tasks.c.chat_id == list_id) == 0
    assert await _rows(db, task_assignees, task_assignees.c.task_id == in_topic.id) == 0
    assert await feed_for_token(db, key=KEY, token=token) is None
    assert await get_chat_settings(db, chat_id=group) == ChatSettings()
    assert (await list_tasks(db, chat_id=other)).open_total == 1
    assert await forget_chat(db, chat_id=group) == 0
    # The topic keeps its list id: a topic used again starts an empty list under it.
    assert await topic_list_id(db, chat_id=group, thread_id=3) == topic


async def test_chats_the_bot_has_long_been_out_of_are_forgotten(db: Database) -> None:
    long_gone, lately_gone = new_chat_id(group=True), new_chat_id(group=True)
    for chat in (long_gone, lately_gone):
        await add_tasks(db, chat_id=chat, titles=["Kept a while"], created_by=1)
        await mark_gone(db, chat_id=chat)
    backdate = (
        sa.update(chats)
        .where(chats.c.chat_id == long_gone)
        .values(bot_removed_at=sa.func.now() - FORGET_AFTER - timedelta(days=1))
    )
    await db.run(backdate, idempotent=True)

    assert await forget_gone_chats(db) >= 1

    assert await _rows(db, tasks, tasks.c.chat_id == long_gone) == 0
    assert (await list_tasks(db, chat_id=lately_gone)).open_total == 1


async def test_the_schedulers_hourly_look_forgets_long_gone_chats_in_its_one_statement(
    db: Database,
) -> None:
    long_gone = new_chat_id(group=True)
    await add_tasks(db, chat_id=long_gone, titles=["Kept ten years"], created_by=1)
    await mark_gone(db, chat_id=long_gone)
    await db.run(
        sa.update(chats)
        .where(chats.c.chat_id == long_gone)
        .values(bot_removed_at=sa.func.now() - timedelta(days=3650)),
        idempotent=True,
    )
    due = await next_due(
        db, forget_older_than=timedelta(days=2), forget_chats_out_for=timedelta(days=3000)
    )
    assert due.forgotten_chats >= 1
    assert await _rows(db, chats, chats.c.chat_id == long_gone) == 0
