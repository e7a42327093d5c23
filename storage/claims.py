"""The scheduler's queue: claiming the reminders and the daily digests that are due, and
finishing each claim after sending.

Both are one mechanism, a claim with a lease. Every bot instance runs a scheduler that claims
due rows with `FOR UPDATE SKIP LOCKED`, moving their due time to a lease a minute ahead in the
same statement: no two instances ever claim one row, and a claim whose instance died comes due
again when the lease runs out. After sending, the scheduler finishes the claim (the next time,
or never), guarded by the lease, so that a user's change in between is never overwritten.

A forum topic's list (storage.topics) is reminded in its real chat, in its topic: a claim
returns where to send (`send_to`, `thread_id`) joined from `topic_lists` in the same statement.

Between claims the scheduler sleeps until the next thing is due (storage.due_times), which
must agree with the claim on which tasks are reminded (REMINDED).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from storage.chat_settings import SETTINGS_COLUMNS, ChatSettings, settings_from_row
from storage.db import Database
from storage.tables import (
    TASK_COLUMNS,
    TIMESTAMP,
    chats,
    param,
    task_assignees,
    task_from_row,
    tasks,
    topic_lists,
)
from storage.values import Task

NOW = sa.bindparam("now", type_=TIMESTAMP)
LEASE_UNTIL = sa.bindparam("lease_until", type_=TIMESTAMP)
NEXT_AT = sa.bindparam("next_at", type_=TIMESTAMP)
LIMIT = sa.bindparam("limit", type_=sa.Integer)


def _key(table: sa.Table) -> sa.Column[Any]:
    (key,) = table.primary_key.columns
    return key


def claimed(
    due_at: sa.Column[Any],
    *,
    returning: Sequence[sa.ColumnElement[Any]],
    also: Sequence[sa.ColumnElement[bool]] = (),
) -> sa.CTE:
    """The CTE `claimed`: the rows of `due_at`'s table due by `:now` (and for which `also`
    holds), earliest first, `:limit` at most, leaving out rows another instance is claiming at
    this moment; their `due_at` is moved to `:lease_until`. It returns `returning` and `due`
    (when each row was due)."""
    key = _key(due_at.table)  # type: ignore[arg-type]
    due = (
        sa.select(key, due_at.label("due"))
        .where(due_at <= NOW, *also)
        .order_by(due_at)
        .limit(LIMIT)
        .with_for_update(skip_locked=True)
        .cte("due")
    )
    return (
        sa.update(due_at.table)
        .where(key == due.c[key.key])
        .values({due_at: LEASE_UNTIL})
        .returning(*returning, due.c.due)
        .cte("claimed")
    )


def delivered(claimed: sa.CTE, *more: sa.ColumnElement[Any]) -> sa.Select[Any]:
    """The claimed rows (their `chat_id` names their list) with `more` columns, each with its
    list's settings and where its messages go: `send_to` (the list's chat, or for a forum
    topic's list the forum's chat), `thread_id` (the topic, or NULL) and `language` (that
    chat's: a topic has its group's)."""
    chat = chats.alias("chat")
    home = chats.alias("home")
    topic = topic_lists.c
    send_to = sa.func.coalesce(topic.chat_id, claimed.c.chat_id)
    return sa.select(
        *claimed.c,
        *more,
        *(chat.c[column.key] for column in SETTINGS_COLUMNS),
        send_to.label("send_to"),
        topic.thread_id,
        sa.func.coalesce(home.c.language, home.c.telegram_language).label("language"),
    ).select_from(
        claimed.join(chat, chat.c.chat_id == claimed.c.chat_id)
        .outerjoin(topic_lists, topic.list_id == claimed.c.chat_id)
        .outerjoin(home, home.c.chat_id == send_to)
    )


def finishing(
    due_at: sa.Column[Any], row: str, values: Mapping[sa.Column[Any], Any] | None = None
) -> sa.Update:
    """Move `due_at` of the claimed row (its key is the parameter named `row`) to `:next_at`,
    and set `values`, unless `due_at` is no longer the claim's `:lease_until` (the row was
    changed since the claim, and that change stands).

    `row` must be no column's name: SQLAlchemy would take a parameter named after a column of
    the table for a value to set (tests/test_storage_statements.py).
    """
    key = _key(due_at.table)  # type: ignore[arg-type]
    return (
        sa.update(due_at.table)
        .where(key == param(key, row), due_at == LEASE_UNTIL)
        .values({due_at: NEXT_AT, **(values or {})})
    )


async def _claim(
    db: Database, statement: sa.Select[Any], now: datetime, lease_until: datetime, limit: int
) -> list[sa.Row[Any]]:
    params = {"now": now, "lease_until": lease_until, "limit": limit}
    # Not run again once it may have reached the server: a claim applied whose answer was lost
    # comes due again when its lease runs out.
    return await db.run(statement, params, idempotent=False)


@dataclass(frozen=True, slots=True)
class Reminder:
    """A claimed reminder: the task, when it was due, and its chat's settings."""

    task: Task
    due: datetime
    lease_until: datetime
    failures: int
    settings: ChatSettings
    # Where the list's messages go: its chat, and for a forum topic's list the topic.
    send_to: int
    thread_id: int | None
    # Whether the task has assignees (their reminders go to them: storage.assignees).
    assigned: bool = False
    # The language of the chat it goes to (chosen, else Telegram's); None: unknown.
    language: str | None = None


# Which tasks' reminders go out: the claim and `next_due` must agree, or the scheduler would
# wake for a reminder it can never claim.
REMINDED = (~tasks.c.done, tasks.c.deleted_at.is_(None))
# Claim the open tasks whose reminder is due (`:now`, `:lease_until`, `:limit`), each with its
# failures so far and whether it has assignees.
_reminders = claimed(
    tasks.c.remind_at, returning=[*TASK_COLUMNS, tasks.c.reminder_failures], also=REMINDED
)
_CLAIM_REMINDERS = delivered(
    _reminders, sa.exists().where(task_assignees.c.task_id == _reminders.c.id).label("assigned")
)
# The claimed task `:task_id` next reminded at `:next_at` (NULL: never), after `:failures`.
_FINISH_REMINDER = finishing(
    tasks.c.remind_at,
    "task_id",
    {tasks.c.reminder_failures: param(tasks.c.reminder_failures, "failures")},
)


async def claim_due_reminders(
    db: Database, *, now: datetime, lease_until: datetime, limit: int = 100
) -> list[Reminder]:
    """Take the reminders due at `now` (up to `limit`) for this instance to send."""
    rows = await _claim(db, _CLAIM_REMINDERS, now, lease_until, limit)
    return [
        Reminder(
            task=task_from_row(row),
            due=row._mapping["due"],
            lease_until=lease_until,
            failures=row._mapping["reminder_failures"],
            settings=settings_from_row(row._mapping),
            assigned=row._mapping["assigned"],
            send_to=row._mapping["send_to"],
            thread_id=row._mapping["thread_id"],
            language=row._mapping["language"],
        )
        for row in rows
    ]


async def finish_reminder(
    db: Database, *, task_id: UUID, lease_until: datetime, next_at: datetime | None, failures: int
) -> None:
    """Record what became of a claimed reminder: remind next at `next_at`, or never (None).

    Changes nothing when the task's reminder was changed since the claim.
    """
    await db.run(
        _FINISH_REMINDER,
        {"task_id": task_id, "lease_until": lease_until, "next_at": next_at, "failures": failures},
        idempotent=True,
    )


@dataclass(frozen=True, slots=True)
class DigestClaim:
    """A chat whose daily digest is due."""

    chat_id: int
    due: datetime
    lease_until: datetime
    settings: ChatSettings
    # Where the list's messages go: its chat, and for a forum topic's list the topic.
    send_to: int
    thread_id: int | None
    # The language of the chat it goes to (chosen, else Telegram's); None: unknown.
    language: str | None = None


# Claim the lists whose daily digest is due (`:now`, `:lease_until`, `:limit`).
_CLAIM_DIGESTS = delivered(claimed(chats.c.next_digest_at, returning=[chats.c.chat_id]))
# The claimed list `:list_id`'s next digest at `:next_at` (NULL: none).
_FINISH_DIGEST = finishing(chats.c.next_digest_at, "list_id")


async def claim_due_digests(
    db: Database, *, now: datetime, lease_until: datetime, limit: int = 100
) -> list[DigestClaim]:
    """Take the chats whose daily digest is due at `now`."""
    rows = await _claim(db, _CLAIM_DIGESTS, now, lease_until, limit)
    return [
        DigestClaim(
            chat_id=row._mapping["chat_id"],
            due=row._mapping["due"],
            lease_until=lease_until,
            settings=settings_from_row(row._mapping),
            send_to=row._mapping["send_to"],
            thread_id=row._mapping["thread_id"],
            language=row._mapping["language"],
        )
        for row in rows
    ]


async def finish_digest(
    db: Database, *, chat_id: int, lease_until: datetime, next_at: datetime | None
) -> None:
    """Schedule the chat's next digest (unless its settings changed since the claim)."""
    await db.run(
        _FINISH_DIGEST,
        {"list_id": chat_id, "lease_until": lease_until, "next_at": next_at},
        idempotent=True,
    )
