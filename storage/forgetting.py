"""Forgetting chats for good: everything kept about a chat's lists (its own, its forum topics',
and the basic group's it was upgraded from) goes: tasks (deleted ones too), assignments,
settings, calendar token. On /forget, and for chats the bot has been out of (removed, blocked:
storage.presence) for longer than FORGET_AFTER.

Kept: the topic-to-list mapping (`topic_lists`: ids only, which instances may have cached), the
users the bot knows (`users`, not any chat's), and the once-per-update records, which hold
task numbers and go by themselves within two days.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from storage.db import Database
from storage.tables import chats, topic_lists

# How long the data of a chat the bot was removed from (or blocked in) is kept.
FORGET_AFTER = timedelta(days=180)


@dataclass(frozen=True)
class Forgetting:
    """The CTEs that delete the lists of the chats `real` names, and what they report:
    `chats` (how many of those chats had anything kept) and `tasks` (how many live tasks
    went)."""

    chats: sa.ScalarSelect[Any]
    tasks: sa.ScalarSelect[Any]
    gone: sa.CTE


def forgetting(real: sa.CTE) -> Forgetting:
    """Delete the lists of the chats `real` names (its column `chat_id`): the chats' own, their
    forum topics', and the basic groups' they were upgraded from."""
    in_real = sa.select(real.c.chat_id)
    lists = sa.union_all(
        in_real,
        sa.select(topic_lists.c.list_id).where(topic_lists.c.chat_id.in_(in_real)),
        sa.select(chats.c.chat_id).where(chats.c.moved_to.in_(in_real)),
    ).cte("forgotten_lists")
    # The tasks go with their lists (the foreign key cascades, and on to their assignees and
    # calendar feeds).
    gone = (
        sa.delete(chats)
        .where(chats.c.chat_id.in_(sa.select(lists.c.chat_id)))
        .returning(chats.c.chat_id, (chats.c.open_tasks + chats.c.done_tasks).label("tasks"))
        .cte("forgotten_chats")
    )
    return Forgetting(
        chats=sa.select(sa.func.count()).where(gone.c.chat_id.in_(in_real)).scalar_subquery(),
        tasks=sa.select(sa.func.coalesce(sa.func.sum(gone.c.tasks), 0)).scalar_subquery(),
        gone=gone,
    )


def _statement(forgot: Forgetting) -> sa.Select[Any]:
    return sa.select(forgot.chats.label("chats"), forgot.tasks.label("tasks"))


# Forget the chat `:real_chat_id`.
FORGET_CHAT = _statement(
    forgetting(
        sa.select(sa.bindparam("real_chat_id", type_=sa.BigInteger).label("chat_id")).cte("real")
    )
)


def long_gone_chats() -> sa.CTE:
    """The chats the bot has been out of for longer than `:out_for` (an interval)."""
    return (
        sa.select(chats.c.chat_id)
        .where(chats.c.bot_removed_at < sa.func.now() - sa.bindparam("out_for", type_=sa.Interval))
        .cte("long_gone")
    )


# Forget every chat the bot has been out of for longer than `:out_for`.
FORGET_GONE_CHATS = _statement(forgetting(long_gone_chats()))


async def forget_chat(db: Database, *, chat_id: int) -> int:
    """Delete everything kept about the chat, for good (one statement); how many tasks went."""
    rows = await db.run(FORGET_CHAT, {"real_chat_id": chat_id}, idempotent=True)
    return int(rows[0]._mapping["tasks"])


async def forget_gone_chats(db: Database, *, older_than: timedelta = FORGET_AFTER) -> int:
    """Forget the chats the bot has been out of for longer than `older_than`; how many."""
    rows = await db.run(FORGET_GONE_CHATS, {"out_for": older_than}, idempotent=True)
    return int(rows[0]._mapping["chats"])
