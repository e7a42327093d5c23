"""Forgetting chats for good: everything kept about a chat's lists (its own, its forum topics',
and the basic group's it was upgraded from) goes: tasks (deleted ones too), assignments,
settings, calendar token. On /forget, and for chats the bot has been out of (removed, blocked:
storage.presence) for longer than FORGET_AFTER.

Kept: the topic-to-list mapping (`topic_lists`: ids only, which instances may have cached), the
users the bot knows (`users`, not any chat's), and the once-per-update records, which hold
task numbers and go by themselves within two days.
"""

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from storage.db import Database
from storage.tables import chats, topic_lists

# How long the data of a chat the bot was removed from (or blocked in) is kept.
FORGET_AFTER = timedelta(days=180)


def _forgetting(real: sa.CTE) -> sa.Select[Any]:
    """Delete the lists of the chats `real` names (its column `chat_id`); returns `chats` (how
    many of them had anything kept) and `tasks` (how many live tasks went)."""
    in_real = sa.select(real.c.chat_id)
    lists = sa.union_all(
        in_real,
        sa.select(topic_lists.c.list_id).where(topic_lists.c.chat_id.in_(in_real)),
        sa.select(chats.c.chat_id).where(chats.c.moved_to.in_(in_real)),
    ).cte("lists")
    # The tasks go with their lists (the foreign key cascades, and on to their assignees).
    gone = (
        sa.delete(chats)
        .where(chats.c.chat_id.in_(sa.select(lists.c.chat_id)))
        .returning(chats.c.chat_id, (chats.c.open_tasks + chats.c.done_tasks).label("tasks"))
        .cte("gone")
    )
    return sa.select(
        sa.select(sa.func.count())
        .where(gone.c.chat_id.in_(in_real))
        .scalar_subquery()
        .label("chats"),
        sa.select(sa.func.coalesce(sa.func.sum(gone.c.tasks), 0)).scalar_subquery().label("tasks"),
    )


# Forget the chat `:real_chat_id`.
FORGET_CHAT = _forgetting(
    sa.select(sa.bindparam("real_chat_id", type_=sa.BigInteger).label("chat_id")).cte("real")
)
# Forget every chat the bot has been out of for longer than `:age`.
FORGET_GONE_CHATS = _forgetting(
    sa.select(chats.c.chat_id)
    .where(chats.c.bot_removed_at < sa.func.now() - sa.bindparam("age", type_=sa.Interval))
    .cte("real")
)


async def forget_chat(db: Database, *, chat_id: int) -> int:
    """Delete everything kept about the chat, for good (one statement); how many tasks went."""
    rows = await db.run(FORGET_CHAT, {"real_chat_id": chat_id}, idempotent=True)
    return int(rows[0]._mapping["tasks"])


async def forget_gone_chats(db: Database, *, older_than: timedelta = FORGET_AFTER) -> int:
    """Forget the chats the bot has been out of for longer than `older_than`; how many."""
    rows = await db.run(FORGET_GONE_CHATS, {"age": older_than}, idempotent=True)
    return int(rows[0]._mapping["chats"])
