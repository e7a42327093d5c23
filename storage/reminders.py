"""Due times and reminders of tasks: setting a task's due time (and its repeat), its reminders
before the due time, its nagging, a snooze, and reading a chat's tasks due by a time.

A task's next reminder is `tasks.remind_at`, the one column the scheduler claims by: the first
of its reminders before the due time still to come, else the due time (storage.reminder_times).
Setting a due time or the reminders before it sets it again; a snooze moves it, but never past
the occurrence's next reminder. The scheduler sends reminders through storage.claims, and after
each one moves `remind_at` to the next of the occurrence.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from storage.changes import one_task_changed, run_change_one
from storage.clock import now_utc
from storage.db import Database
from storage.reminder_times import first_reminder_at, reminders_before
from storage.tables import CHAT_ID, TASK_COLUMNS, TIMESTAMP, param, task_from_row, tasks
from storage.validation import check_due
from storage.values import Task, UpdateKey

DUE_AT = param(tasks.c.due_at)
NOW = sa.bindparam("now", type_=TIMESTAMP)
# Minutes before the due time (a parameter not named after the column: the statement sets it).
BEFORE = param(tasks.c.remind_before, "before_minutes")

# Due at `:due_at` (NULL: never), repeating by the rule `:recurrence`, reminded before it by
# `:before_minutes` (NULL: the reminders it has) and then, as seen at `:now`.
_before_or_kept = sa.func.coalesce(BEFORE, tasks.c.remind_before)
_SET_DUE = one_task_changed(
    {
        tasks.c.due_at: DUE_AT,
        tasks.c.remind_at: first_reminder_at(DUE_AT, _before_or_kept, NOW),
        tasks.c.recurrence: param(tasks.c.recurrence),
        tasks.c.remind_before: _before_or_kept,
        tasks.c.reminder_failures: 0,
        tasks.c.updated_at: sa.func.now(),
    }
)
# Reminded `:before_minutes` before its due time: the next reminder of the occurrence is
# recomputed as seen at `:now` (one that has passed leaves a nag or snooze as it is).
_upcoming = sa.func.next_reminder(tasks.c.due_at, BEFORE, NOW, type_=TIMESTAMP)
_SET_REMINDERS_BEFORE = one_task_changed(
    {
        tasks.c.remind_before: BEFORE,
        tasks.c.remind_at: sa.func.coalesce(_upcoming, tasks.c.remind_at),
        tasks.c.updated_at: sa.func.now(),
    }
)
# The reminder repeats every `:nag_minutes` until the task is done (NULL: it does not).
_SET_NAG = one_task_changed(
    {tasks.c.nag_minutes: param(tasks.c.nag_minutes), tasks.c.updated_at: sa.func.now()}
)


def snoozed(until: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """SQL: a snoozed task's next reminder: at `until`, or at the occurrence's next reminder
    (before its due time, or then) as seen at `:now` when that comes first."""
    upcoming = sa.func.next_reminder(tasks.c.due_at, tasks.c.remind_before, NOW, type_=TIMESTAMP)
    return sa.func.least(until, upcoming)


SNOOZE_UNTIL = param(tasks.c.remind_at, "snooze_until")
# Snoozed until `:snooze_until` (seen at `:now`).
_SNOOZE = one_task_changed(
    {tasks.c.remind_at: snoozed(SNOOZE_UNTIL), tasks.c.reminder_failures: 0}
)


async def set_due(
    db: Database,
    *,
    chat_id: int,
    number: int,
    due_at: datetime | None,
    recurrence: str | None = None,
    remind_before: Sequence[int] | None = None,
    update_key: UpdateKey | None = None,
    now: datetime | None = None,
) -> Task:
    """Give a task a due time (reminded at its first reminder before it still to come, or
    then), or with None take it away. `remind_before` replaces the minutes before the due
    time it is reminded at; None keeps them. InvalidDue for one storage does not keep
    (storage.validation)."""
    check_due(due_at)
    params = {
        "list_id": chat_id,
        "task_number": number,
        "due_at": due_at,
        "recurrence": recurrence if due_at is not None else None,
        "before_minutes": None if remind_before is None else list(reminders_before(remind_before)),
        "now": now or now_utc(),
    }
    return await run_change_one(db, _SET_DUE, params, update_key=update_key)


async def set_reminders_before(
    db: Database,
    *,
    chat_id: int,
    number: int,
    minutes: Sequence[int],
    update_key: UpdateKey | None = None,
    now: datetime | None = None,
) -> Task:
    """Remind of the task `minutes` before its due time too (none: only then), for this
    occurrence and the next ones; ValueError for too many, or too far ahead."""
    params = {
        "list_id": chat_id,
        "task_number": number,
        "before_minutes": list(reminders_before(minutes)),
        "now": now or now_utc(),
    }
    return await run_change_one(db, _SET_REMINDERS_BEFORE, params, update_key=update_key)


async def set_nag(
    db: Database,
    *,
    chat_id: int,
    number: int,
    minutes: int | None,
    update_key: UpdateKey | None = None,
) -> Task:
    """Repeat the task's reminder every `minutes` until it is done (None: remind once)."""
    params = {"list_id": chat_id, "task_number": number, "nag_minutes": minutes}
    return await run_change_one(db, _SET_NAG, params, update_key=update_key)


async def snooze(
    db: Database,
    *,
    chat_id: int,
    number: int,
    until: datetime,
    update_key: UpdateKey | None = None,
    now: datetime | None = None,
) -> Task:
    """Remind again at `until`, or at the task's next reminder (before its due time, or then)
    when that comes first; the due time stays as it is."""
    check_due(until)
    params = {
        "list_id": chat_id,
        "task_number": number,
        "snooze_until": until,
        "now": now or now_utc(),
    }
    return await run_change_one(db, _SNOOZE, params, update_key=update_key)


# The chat's open tasks due by `:until`, earliest first, `:limit` at most (also read by
# storage.zoned.due_today).
DUE_UNTIL = (
    sa.select(*TASK_COLUMNS)
    .where(
        tasks.c.chat_id == CHAT_ID,
        tasks.c.due_at <= sa.bindparam("until", type_=TIMESTAMP),
        tasks.c.deleted_at.is_(None),
        ~tasks.c.done,
    )
    .order_by(tasks.c.due_at, tasks.c.number)
    .limit(sa.bindparam("limit", type_=sa.Integer))
)


async def due_until(db: Database, *, chat_id: int, until: datetime, limit: int = 50) -> list[Task]:
    """The chat's open tasks due up to `until` (overdue ones first), earliest first."""
    rows = await db.run(
        DUE_UNTIL, {"list_id": chat_id, "until": until, "limit": limit}, idempotent=True
    )
    return [task_from_row(row) for row in rows]
