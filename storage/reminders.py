"""Due times and reminders of tasks: setting a task's due time (and its repeat), its nagging,
a snooze, and reading a chat's tasks due by a time.

A task's next reminder is `tasks.remind_at`: setting a due time sets it too, a snooze moves it
alone. The scheduler sends reminders through storage.claims.
"""

from datetime import datetime

import sqlalchemy as sa

from storage.changes import one_task_changed, run_change_one
from storage.db import Database
from storage.models import Task, UpdateKey
from storage.tables import CHAT_ID, TASK_COLUMNS, TIMESTAMP, param, task_from_row, tasks
from storage.validation import check_due

DUE_AT = param(tasks.c.due_at)

# Due at `:due_at` (NULL: never), repeating by the rule `:recurrence`, reminded then.
_SET_DUE = one_task_changed(
    {
        tasks.c.due_at: DUE_AT,
        tasks.c.remind_at: DUE_AT,
        tasks.c.recurrence: param(tasks.c.recurrence),
        tasks.c.reminder_failures: 0,
        tasks.c.updated_at: sa.func.now(),
    }
)
# The reminder repeats every `:nag_minutes` until the task is done (NULL: it does not).
_SET_NAG = one_task_changed(
    {tasks.c.nag_minutes: param(tasks.c.nag_minutes), tasks.c.updated_at: sa.func.now()}
)
# The next reminder at `:remind_at`.
_SNOOZE = one_task_changed(
    {tasks.c.remind_at: param(tasks.c.remind_at), tasks.c.reminder_failures: 0}
)


async def set_due(
    db: Database,
    *,
    chat_id: int,
    number: int,
    due_at: datetime | None,
    recurrence: str | None = None,
    update_key: UpdateKey | None = None,
) -> Task:
    """Give a task a due time (its reminder then), or with None take it away; InvalidDue for
    one storage does not keep (storage.validation)."""
    check_due(due_at)
    params = {
        "list_id": chat_id,
        "task_number": number,
        "due_at": due_at,
        "recurrence": recurrence if due_at is not None else None,
    }
    return await run_change_one(db, _SET_DUE, params, update_key=update_key)


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
) -> Task:
    """Remind again at `until` (the due time stays as it is)."""
    check_due(until)
    params = {"list_id": chat_id, "task_number": number, "remind_at": until}
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
