"""Whether the bot may write to a chat. A chat the bot was removed from (or, a private chat,
that blocked it) is marked, and its reminders and digests are parked at once; when the bot is
back they resume. Telegram tells of both with `my_chat_member`; a send refused for good (the
scheduler's) tells of the first too. The chat's tasks and settings stay as they were.

Parked, not skipped: a parked reminder has no due time in the scheduler's queue (`remind_at`,
`next_digest_at` are cleared), so no instance claims it, sends it, fails or retries. What
resumes is what still lies ahead: the reminders of open tasks due in the future, and the daily
digest at its next time; a reminder that fell due while the bot was out is not sent late (the
task shows as overdue). A chat's forum topics' lists are parked and resumed with it.
"""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from storage.db import Database
from storage.tables import chats, tasks, topic_lists

# The real chat (not a name of a column: SQLAlchemy would take it for a value to set).
REAL_CHAT_ID = sa.bindparam("real_chat_id", type_=sa.BigInteger)


def _topics() -> sa.Select[Any]:
    """The lists of the chat's forum topics (storage.topics)."""
    return sa.select(topic_lists.c.list_id).where(topic_lists.c.chat_id == REAL_CHAT_ID)


def _of_the_chat(list_id: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """The list is the chat's own or one of its topics'."""
    return sa.or_(list_id == REAL_CHAT_ID, list_id.in_(_topics()))


# When the digest of a chats row is next due, from now (NULL: it has none): the next time of
# its local minute in its zone, as SQL's next_occurrence (migration 0007) reckons a daily rule.
_CLOCK = sa.func.to_char(
    sa.func.make_interval(0, 0, 0, 0, 0, chats.c.digest_minute), sa.literal_column("'HH24:MI'")
)
NEXT_DIGEST = sa.func.next_occurrence(
    sa.func.format(sa.literal_column("'daily::%s:'"), _CLOCK), sa.func.now(), chats.c.timezone
)


def _gone() -> sa.Select[Any]:
    """Mark `:real_chat_id` as out of reach (since the first time it was marked) and park its
    lists' reminders and digests; how many reminders were parked."""
    c = chats.c
    marked = (
        insert(chats)
        .from_select(
            [c.chat_id, c.bot_removed_at],
            sa.select(REAL_CHAT_ID, sa.func.now()),
            include_defaults=False,
        )
        .on_conflict_do_update(
            index_elements=[c.chat_id],
            set_={
                c.bot_removed_at: sa.func.coalesce(c.bot_removed_at, sa.func.now()),
                c.next_digest_at: None,
            },
        )
        .returning(c.chat_id)
        .cte("marked")
    )
    topic_digests = (
        sa.update(chats)
        .where(c.chat_id.in_(_topics()), c.next_digest_at.is_not(None))
        .values({c.next_digest_at: None})
        .returning(c.chat_id)
        .cte("topic_digests")
    )
    parked = (
        sa.update(tasks)
        .where(_of_the_chat(tasks.c.chat_id), tasks.c.remind_at.is_not(None))
        .values({tasks.c.remind_at: None, tasks.c.reminder_failures: 0})
        .returning(tasks.c.id)
        .cte("parked")
    )
    return sa.select(
        sa.select(sa.func.count()).select_from(parked).scalar_subquery().label("parked"),
        sa.select(sa.func.count()).select_from(marked).scalar_subquery().label("marked"),
        sa.select(sa.func.count()).select_from(topic_digests).scalar_subquery().label("topics"),
    )


def _back() -> sa.Select[Any]:
    """`:real_chat_id` is reachable again: if it was marked, its lists' reminders still ahead
    and their digests resume; how many reminders resumed."""
    c = chats.c
    back = (
        sa.update(chats)
        .where(c.chat_id == REAL_CHAT_ID, c.bot_removed_at.is_not(None))
        .values({c.bot_removed_at: None, c.next_digest_at: NEXT_DIGEST})
        .returning(c.chat_id)
        .cte("back")
    )
    was_out = sa.exists(back.select())
    topic_digests = (
        sa.update(chats)
        .where(c.chat_id.in_(_topics()), c.digest_minute.is_not(None), was_out)
        .values({c.next_digest_at: NEXT_DIGEST})
        .returning(c.chat_id)
        .cte("topic_digests")
    )
    resumed = (
        sa.update(tasks)
        .where(
            _of_the_chat(tasks.c.chat_id),
            ~tasks.c.done,
            tasks.c.deleted_at.is_(None),
            tasks.c.due_at > sa.func.now(),
            tasks.c.remind_at.is_(None),
            was_out,
        )
        .values({tasks.c.remind_at: tasks.c.due_at})
        .returning(tasks.c.id)
        .cte("resumed")
    )
    return sa.select(
        sa.select(sa.func.count()).select_from(resumed).scalar_subquery().label("resumed"),
        sa.select(sa.func.count()).select_from(topic_digests).scalar_subquery().label("topics"),
    )


GONE = _gone()
BACK = _back()


async def mark_gone(db: Database, *, chat_id: int) -> int:
    """The bot was removed from the chat (or blocked by its user): nothing more is sent there
    until `mark_back`. One statement; how many reminders were parked."""
    rows = await db.run(GONE, {"real_chat_id": chat_id}, idempotent=True)
    return int(rows[0]._mapping["parked"])


async def mark_back(db: Database, *, chat_id: int) -> int:
    """The bot is in the chat again (added back, or unblocked): reminders still ahead and the
    digest resume. One statement; how many reminders resumed (none for a chat never marked)."""
    rows = await db.run(BACK, {"real_chat_id": chat_id}, idempotent=True)
    resumed = int(rows[0]._mapping["resumed"])
    db.due_times_moved()  # reminders and the digest are due again: the scheduler looks now
    return resumed
