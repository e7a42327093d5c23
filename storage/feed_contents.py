"""What a calendar feed shows: the feed a token names, its list's zone, its revision and its open
tasks with due times, read in one statement (the addresses and tokens are storage.calendar's)."""

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from storage.calendar import FeedKey, feed_key
from storage.db import Database
from storage.models import CalendarFeedRow, ChatRow, TaskRow
from storage.tables import task_from_row
from storage.values import Task

# Open tasks with a due time listed in one feed at most (the earliest due first).
MAX_FEED_TASKS = 1_000

_feeds: sa.Table = CalendarFeedRow.__table__  # type: ignore[attr-defined]
_chats: sa.Table = ChatRow.__table__  # type: ignore[attr-defined]
_tasks: sa.Table = TaskRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Feed:
    """What a calendar feed shows, and whose it is."""

    list_id: int
    chat_id: int  # the Telegram chat whose members may read it
    user_id: int | None  # None: a group's shared address from before feeds were personal
    timezone: str | None
    tasks: list[Task]
    # A digest of what it shows, and since when it shows that (see _feed_statement).
    revision: str = ""
    changed_at: datetime | None = None
    # True when only the feed was asked for, not its tasks (`tasks` is then empty).
    tasks_left_out: bool = False


_TASK_FIELDS = [field.name for field in dataclasses.fields(Task)]


def _feed_statement(which: sa.ColumnElement[bool]) -> sa.Executable:
    """The feed `which` picks: whose it is, its list's zone, its revision, and its open tasks
    with due times, earliest first, one row per task (task columns NULL when there is none).

    The revision is a digest of the zone and of each listed task's id, last change, due time
    and rule: any change to a listed task (which moves its updated_at), a task joining or
    leaving the list (added, done, deleted, due time set or removed), or a new zone changes it.
    When it differs from the stored one, the same statement stores it with a new `changed_at`.
    Without `with_tasks`, only the first row comes, with no task: what deciding on 304, or
    finding a file rendered before, needs.
    """
    feed = (
        sa.select(
            _feeds.c.feed_id,
            _feeds.c.list_id,
            _feeds.c.chat_id,
            _feeds.c.user_id,
            _feeds.c.changed_at,
            _chats.c.timezone,
        )
        .select_from(_feeds.join(_chats, _chats.c.chat_id == _feeds.c.list_id))
        .where(which)
        .cte("feed")
    )
    listed = (
        sa.select(*(_tasks.c[name] for name in _TASK_FIELDS))
        .select_from(_tasks.join(feed, _tasks.c.chat_id == feed.c.list_id))
        .where(~_tasks.c.done, _tasks.c.deleted_at.is_(None), _tasks.c.due_at.is_not(None))
        .order_by(_tasks.c.due_at, _tasks.c.number)
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .cte("listed")
    )
    each = sa.func.concat_ws(
        ":",
        listed.c.id,
        sa.extract("epoch", listed.c.updated_at),
        sa.extract("epoch", listed.c.due_at),
        listed.c.recurrence,
    )
    digest = sa.func.md5(
        sa.func.concat_ws(
            "|",
            feed.c.timezone,
            sa.func.string_agg(
                each,
                postgresql.aggregate_order_by(
                    sa.literal_column("','"), listed.c.due_at, listed.c.number
                ),
            ),
        )
    )
    revision = (
        sa.select(feed.c.feed_id, digest.label("revision"))
        .select_from(feed.outerjoin(listed, sa.true()))
        .group_by(feed.c.feed_id, feed.c.timezone)
        .cte("revision")
    )
    # Whole seconds (HTTP dates have no finer ones), and always later than the last: two
    # changes in one second must not share a Last-Modified.
    changed_at = sa.func.greatest(
        sa.func.date_trunc("second", sa.func.now()),
        _feeds.c.changed_at + sa.text("interval '1 second'"),
    )
    touched = (
        sa.update(_feeds)
        .where(
            _feeds.c.feed_id == revision.c.feed_id,
            _feeds.c.revision.is_distinct_from(revision.c.revision),
        )
        .values(revision=revision.c.revision, changed_at=changed_at)
        .returning(_feeds.c.changed_at)
        .cte("touched")
    )
    return (
        sa.select(
            feed.c.list_id.label("feed_list_id"),
            feed.c.chat_id.label("feed_chat_id"),
            feed.c.user_id.label("feed_user_id"),
            feed.c.timezone.label("feed_timezone"),
            revision.c.revision.label("feed_revision"),
            sa.func.coalesce(
                sa.select(touched.c.changed_at).scalar_subquery(), feed.c.changed_at
            ).label("feed_changed_at"),
            *(listed.c[name] for name in _TASK_FIELDS),
        )
        .select_from(
            feed.join(revision, sa.true()).outerjoin(
                listed,
                sa.bindparam("with_tasks", type_=sa.Boolean),
            )
        )
        .order_by(listed.c.due_at, listed.c.number)
    )


_FEED_BY_ID = _feed_statement(_feeds.c.feed_id == sa.bindparam("wanted_feed", type_=sa.BigInteger))
_FEED_BY_OLD_TOKEN = _feed_statement(
    _feeds.c.legacy_token_hash == sa.bindparam("wanted_hash", type_=sa.LargeBinary)
)


async def feed_for_token(
    db: Database, *, key: bytes, token: str, limit: int = MAX_FEED_TASKS
) -> Feed | None:
    """The feed `token` names, or None for a token no feed has (any more)."""
    found = feed_key(key, token)
    return None if found is None else await feed_for_key(db, found, limit=limit)


async def feed_for_key(
    db: Database, key: FeedKey, *, with_tasks: bool = True, limit: int = MAX_FEED_TASKS
) -> Feed | None:
    """The feed `key` names, or None when no feed has it (any more); without `with_tasks`
    its revision but not its tasks."""
    params: dict[str, Any] = {"with_tasks": with_tasks, "limit": limit}
    if key.feed_id is not None:
        rows = await db.run(_FEED_BY_ID, {**params, "wanted_feed": key.feed_id}, idempotent=True)
    else:
        params["wanted_hash"] = key.old_token_hash
        rows = await db.run(_FEED_BY_OLD_TOKEN, params, idempotent=True)
    if not rows:
        return None
    first = rows[0]._mapping
    tasks = [task_from_row(row) for row in rows if row._mapping["id"] is not None]
    return Feed(
        list_id=first["feed_list_id"],
        chat_id=first["feed_chat_id"],
        user_id=first["feed_user_id"],
        timezone=first["feed_timezone"],
        tasks=tasks,
        revision=first["feed_revision"],
        changed_at=first["feed_changed_at"],
        tasks_left_out=not with_tasks,
    )
