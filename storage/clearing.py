"""Clearing a list's done tasks at once (/clear), and bringing them back (its Undo).

A list counts its done tasks against the tasks it may hold in all (storage.lists), so a list
used for years, or a busy group's, fills up with finished work; clearing deletes them as
/delete does (the rows stay, marked, with their numbers, which are never handed out again).
Every task one clear deletes gets the same deletion time, the statement's, and that time is
what its Undo brings back: exactly those tasks, whatever else was deleted before or since.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from storage.changes import FIRST_TIME, execute_change, once_per_key, summarized
from storage.db import Database
from storage.tables import CHAT_ID, TASK_COLUMNS, chats, tasks
from storage.values import UpdateKey

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Cleared:
    """What a clear deleted (or its Undo brought back): `count` done tasks, deleted at `at`
    (None when there were none)."""

    count: int
    at: datetime | None

    @property
    def stamp(self) -> int | None:
        """`at` in whole microseconds since 1970 (what an Undo button carries), exactly."""
        return None if self.at is None else (self.at - _EPOCH) // timedelta(microseconds=1)


def at_stamp(stamp: int) -> datetime:
    """The deletion time a Cleared.stamp stands for."""
    return _EPOCH + timedelta(microseconds=stamp)


def _summary(changed: sa.CTE) -> sa.Select[Any]:
    """One row of what the change did (storage.changes.summarized), with when the tasks were
    deleted: no task is read back, a clear may delete thousands."""
    return summarized(
        once_per_key(changed), lambda rows: [sa.func.max(rows.c.deleted_at).label("deleted_at")]
    )


# Delete the list's live done tasks, all at the statement's time.
CLEAR_DONE = _summary(
    sa.update(tasks)
    .where(tasks.c.chat_id == CHAT_ID, tasks.c.done, tasks.c.deleted_at.is_(None), FIRST_TIME)
    .values({tasks.c.deleted_at: sa.func.now()})
    .returning(*TASK_COLUMNS, tasks.c.deleted_at)
    .cte("changed")
)

# Bring back the list's done tasks deleted at `:deleted_at` (one clear's).
_CLEARED_AT = sa.bindparam("cleared_at", type_=tasks.c.deleted_at.type)
RESTORE_CLEARED = _summary(
    sa.update(tasks)
    .where(tasks.c.chat_id == CHAT_ID, tasks.c.done, tasks.c.deleted_at == _CLEARED_AT, FIRST_TIME)
    .values({tasks.c.deleted_at: sa.null(), tasks.c.updated_at: sa.func.now()})
    .returning(*TASK_COLUMNS, _CLEARED_AT.label("deleted_at"))
    .cte("changed")
)

# How many live done tasks the list has (its counts row; none: 0).
DONE_COUNT = sa.select(chats.c.done_tasks).where(chats.c.chat_id == CHAT_ID)


async def done_count(db: Database, *, chat_id: int) -> int:
    """How many done tasks the list holds now (deleted ones apart)."""
    rows = await db.run(DONE_COUNT, {"list_id": chat_id}, idempotent=True)
    return int(rows[0].done_tasks) if rows else 0


async def clear_done(
    db: Database, *, chat_id: int, update_key: UpdateKey | None = None
) -> Cleared:
    """Delete every done task of the list, in one statement, once per key."""
    return await _run(db, CLEAR_DONE, {"list_id": chat_id}, update_key)


async def restore_cleared(
    db: Database, *, chat_id: int, stamp: int, update_key: UpdateKey | None = None
) -> Cleared:
    """Bring back the done tasks the clear of `stamp` (Cleared.stamp) deleted from the list
    that are still deleted, once per key."""
    params = {"list_id": chat_id, "cleared_at": at_stamp(stamp)}
    return await _run(db, RESTORE_CLEARED, params, update_key)


async def _run(
    db: Database, statement: sa.Select[Any], params: dict[str, Any], key: UpdateKey | None
) -> Cleared:
    (row,) = await execute_change(db, statement, params, update_key=key)
    found = row._mapping
    return Cleared(count=found["count"], at=found["deleted_at"])
