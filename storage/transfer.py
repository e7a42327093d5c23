"""Export and import of a chat's tasks: all of them read in one statement, many added in one.

The file formats (JSON and CSV) are in handlers/task_files.py; this module stores and
reads plain values only.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from storage.adding import (
    COUNT,
    REMIND_BEFORES,
    numbers_taken,
    remind_before_of,
    remind_befores_param,
)
from storage.changes import once_per_key, run_change
from storage.chat_settings import get_chat_settings
from storage.db import Database
from storage.errors import TooManyTasks
from storage.local_time import chat_zone
from storage.models import Task, UpdateKey
from storage.reminder_times import first_reminder_at, reminders_before
from storage.tables import CHAT_ID, TASK_COLUMNS, list_param, param, task_from_row, tasks
from storage.validation import clean_description, clean_title

# What one export holds at most (the first ones by number); what one import adds at most.
MAX_EXPORT_TASKS = 20_000
MAX_IMPORT_TASKS = 5_000

# The chat's tasks, open and done (not deleted), by number, `:limit` at most.
EXPORT = (
    sa.select(*TASK_COLUMNS)
    .where(tasks.c.chat_id == CHAT_ID, tasks.c.deleted_at.is_(None))
    .order_by(tasks.c.number)
    .limit(sa.bindparam("limit", type_=sa.Integer))
)


def _import() -> sa.Select[Any]:
    """storage.adding's ADD with every field a task keeps: `:count` tasks numbered after the
    chat's last one, one per entry of the lists `:titles`, `:descriptions`, `:dones`,
    `:completed`, `:created`, `:dues`, `:recurrences`, `:nags` and `:remind_befores`, by
    `:created_by`.

    A reminder is set only for open tasks due in the future (the first of its reminders before
    the due time still to come, or then), so importing old or finished tasks sends no burst of
    late reminders; a done task without a completion time is completed now, and one without a
    creation time created now.
    """
    counter = numbers_taken()
    fields = ("title", "description", "done", "completed_at", "created_at", "due_at")
    names = ("titles", "descriptions", "dones", "completed", "created", "dues")
    new = (
        sa.func.unnest(
            *(list_param(tasks.c[field], name) for field, name in zip(fields, names, strict=True)),
            list_param(tasks.c.recurrence, "recurrences"),
            list_param(tasks.c.nag_minutes, "nags"),
            REMIND_BEFORES,
        )
        .table_valued(*fields, "recurrence", "nag_minutes", "remind_before", with_ordinality="ord")
        .render_derived(name="new_task")
    )
    now = sa.func.now()
    remind_before = remind_before_of(new.c.remind_before)
    reminded = first_reminder_at(new.c.due_at, remind_before, now)
    values = {
        "chat_id": CHAT_ID,
        "number": counter.c.last_task_number - COUNT + new.c.ord,
        "title": new.c.title,
        "description": new.c.description,
        "done": new.c.done,
        "completed_at": sa.case((new.c.done, sa.func.coalesce(new.c.completed_at, now))),
        "created_by": param(tasks.c.created_by),
        "created_at": sa.func.coalesce(new.c.created_at, now),
        "due_at": new.c.due_at,
        "remind_at": sa.case((~new.c.done & (new.c.due_at > now), reminded)),
        "recurrence": new.c.recurrence,
        "nag_minutes": new.c.nag_minutes,
        "remind_before": remind_before,
    }
    # Every new task with the counter's one row.
    rows = sa.select(*values.values()).select_from(counter.join(new, sa.true()))
    added = (
        sa.insert(tasks)
        .from_select(list(values), rows, include_defaults=False)
        .returning(*TASK_COLUMNS)
        .cte("changed")
    )
    return once_per_key(added)


IMPORT = _import()


@dataclass(frozen=True, slots=True)
class NewTask:
    """A task to import, with everything a task keeps (its number is given on import)."""

    title: str
    description: str | None = None
    done: bool = False
    completed_at: datetime | None = None
    created_at: datetime | None = None
    due_at: datetime | None = None
    recurrence: str | None = None
    nag_minutes: int | None = None
    remind_before: tuple[int, ...] = ()


async def export_tasks(
    db: Database, *, chat_id: int, limit: int = MAX_EXPORT_TASKS
) -> tuple[list[Task], bool]:
    """The chat's tasks, open and done (not deleted), by number, and whether more were left."""
    rows = await db.run(EXPORT, {"list_id": chat_id, "limit": limit + 1}, idempotent=True)
    tasks = [task_from_row(row) for row in rows]
    return tasks[:limit], len(tasks) > limit


async def import_tasks(
    db: Database,
    *,
    chat_id: int,
    tasks: Sequence[NewTask],
    created_by: int | None,
    update_key: UpdateKey | None = None,
) -> list[Task]:
    """Add all the tasks, or none, numbered after the chat's last one; the tasks as added.

    Titles and notes are cleaned here too (InvalidTitle, InvalidDescription), whoever calls.
    """
    if len(tasks) > MAX_IMPORT_TASKS:
        raise TooManyTasks(MAX_IMPORT_TASKS)
    if not tasks:
        return []
    params = {
        "list_id": chat_id,
        "count": len(tasks),
        "created_by": created_by,
        "titles": [clean_title(task.title) for task in tasks],
        "descriptions": [clean_description(task.description) for task in tasks],
        "dones": [task.done for task in tasks],
        "completed": [task.completed_at if task.done else None for task in tasks],
        "created": [task.created_at for task in tasks],
        "dues": [task.due_at for task in tasks],
        "recurrences": [task.recurrence if task.due_at else None for task in tasks],
        "nags": [task.nag_minutes for task in tasks],
        "remind_befores": remind_befores_param(
            [reminders_before(task.remind_before) for task in tasks]
        ),
    }
    return await run_change(db, IMPORT, params, update_key=update_key)


async def import_tasks_in_zone(
    db: Database,
    *,
    chat_id: int,
    read: Callable[[ZoneInfo], Sequence[NewTask]],
    created_by: int | None,
    update_key: UpdateKey | None = None,
) -> list[Task]:
    """Import (as import_tasks) the tasks `read` makes of a file in the list's time zone (a file's
    times without a zone are the list's): two round trips, the zone and the import."""
    settings = await get_chat_settings(db, chat_id=chat_id)
    return await import_tasks(
        db,
        chat_id=chat_id,
        tasks=read(chat_zone(settings.timezone)),
        created_by=created_by,
        update_key=update_key,
    )
