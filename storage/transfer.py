"""Export and import of a chat's tasks: all of them read in one statement, many added in one.

The file formats (JSON and CSV) are in handlers/task_files.py; this module stores and
reads plain values only.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from storage import statements
from storage.changes import run_change, task_from_row
from storage.db import Database
from storage.errors import TooManyTasks
from storage.local_time import chat_zone
from storage.models import Task, UpdateKey
from storage.reminders import get_chat_settings
from storage.validation import clean_description, clean_title

# What one export holds at most (the first ones by number); what one import adds at most.
MAX_EXPORT_TASKS = 20_000
MAX_IMPORT_TASKS = 5_000

EXPORT = sa.text(f"""
SELECT {statements.TASK_COLUMNS} FROM tasks
WHERE chat_id = :chat_id AND deleted_at IS NULL
ORDER BY number LIMIT :limit
""").bindparams(sa.bindparam("chat_id", type_=sa.BigInteger))

# statements.ADD with every field a task keeps: bump the chat's counter once, insert the tasks
# with consecutive numbers after it. A reminder is set only for open tasks due in the future,
# so importing old or finished tasks sends no burst of late reminders.
IMPORT = statements.Change.of(f"""
counter AS (
    INSERT INTO chats AS c (chat_id, last_task_number)
    SELECT :chat_id, :count WHERE {statements.FIRST_TIME}
    ON CONFLICT (chat_id) DO UPDATE SET last_task_number = c.last_task_number + :count
    RETURNING c.last_task_number
),
changed AS (
    INSERT INTO tasks (chat_id, number, title, description, done, completed_at, created_by,
        created_at, due_at, remind_at, recurrence, nag_minutes)
    SELECT :chat_id, counter.last_task_number - :count + new.ord, new.title, new.description,
        new.done, CASE WHEN new.done THEN coalesce(new.completed_at, now()) END, :created_by,
        coalesce(new.created_at, now()), new.due_at,
        CASE WHEN NOT new.done AND new.due_at > now() THEN new.due_at END,
        new.recurrence, new.nag_minutes
    FROM counter, unnest(
        CAST(:titles AS text[]), CAST(:descriptions AS text[]), CAST(:dones AS boolean[]),
        CAST(:completed AS timestamptz[]), CAST(:created AS timestamptz[]),
        CAST(:dues AS timestamptz[]), CAST(:recurrences AS text[]), CAST(:nags AS integer[])
    ) WITH ORDINALITY
        AS new(title, description, done, completed_at, created_at, due_at, recurrence,
            nag_minutes, ord)
    RETURNING {statements.TASK_COLUMNS}
)""")


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


async def export_tasks(
    db: Database, *, chat_id: int, limit: int = MAX_EXPORT_TASKS
) -> tuple[list[Task], bool]:
    """The chat's tasks, open and done (not deleted), by number, and whether more were left."""
    rows = await db.run(EXPORT, {"chat_id": chat_id, "limit": limit + 1}, idempotent=True)
    tasks = [task_from_row(row) for row in rows]
    return tasks[:limit], len(tasks) > limit


async def import_tasks(
    db: Database,
    *,
    chat_id: int,
    tasks: Sequence[NewTask],
    created_by: int | None,
    once_for: UpdateKey | None = None,
) -> list[Task]:
    """Add all the tasks, or none, numbered after the chat's last one; the tasks as added.

    Titles and notes are cleaned here too (InvalidTitle, InvalidDescription), whoever calls.
    """
    if len(tasks) > MAX_IMPORT_TASKS:
        raise TooManyTasks(MAX_IMPORT_TASKS)
    if not tasks:
        return []
    params = {
        "chat_id": chat_id,
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
    }
    return await run_change(db, IMPORT, params, once_for=once_for)


async def import_tasks_in_zone(
    db: Database,
    *,
    chat_id: int,
    read: Callable[[ZoneInfo], Sequence[NewTask]],
    created_by: int | None,
    once_for: UpdateKey | None = None,
) -> list[Task]:
    """Import (as import_tasks) the tasks `read` makes of a file in the list's time zone (a file's
    times without a zone are the list's): two round trips, the zone and the import."""
    settings = await get_chat_settings(db, chat_id=chat_id)
    return await import_tasks(
        db,
        chat_id=chat_id,
        tasks=read(chat_zone(settings.timezone)),
        created_by=created_by,
        once_for=once_for,
    )
