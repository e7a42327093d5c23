"""Export and import of a chat's tasks: all of them read in one statement, many added in one.

The file formats (JSON and CSV) are in handlers/task_files.py; this module stores and
reads plain values only.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from storage.adding import (
    CHECKLISTS,
    LABEL_LISTS,
    PRIORITIES,
    REMIND_BEFORES,
    adding_params,
    jsonb_of,
    labels_param,
    numbered_insert,
    remind_before_of,
    remind_befores_param,
)
from storage.changes import execute_change, summarized
from storage.chat_settings import get_chat_settings
from storage.db import Database
from storage.errors import InvalidDue, ListFull, TooManyTasks
from storage.lists import DEFAULT_CAPS, ListCaps
from storage.local_time import chat_zone
from storage.reminder_times import first_reminder_at, reminders_before
from storage.tables import (
    CHAT_ID,
    TASK_COLUMNS,
    chats,
    list_param,
    param,
    task_from_row,
    tasks,
)
from storage.task_fields import PRIORITIES as PRIORITY_VALUES
from storage.task_fields import attachments_json, checklist_items, checklist_json, labels_of
from storage.validation import clean_description, clean_title, moment_problem
from storage.values import Attachment, ChecklistItem, Task, UpdateKey

# What one export holds at most (the first ones by number); what one import adds at most.
MAX_EXPORT_TASKS = 20_000
MAX_IMPORT_TASKS = 5_000

# The chat's tasks, open and done (not deleted), by number, `:limit` at most, each with the
# list's time zone.
EXPORT = (
    sa.select(*TASK_COLUMNS, chats.c.timezone)
    .select_from(tasks.join(chats, chats.c.chat_id == tasks.c.chat_id))
    .where(tasks.c.chat_id == CHAT_ID, tasks.c.deleted_at.is_(None))
    .order_by(tasks.c.number)
    .limit(sa.bindparam("limit", type_=sa.Integer))
)


def _import() -> sa.Select[Any]:
    """storage.adding's ADD with every field a task keeps: `:count` tasks numbered after the
    chat's last one, one per entry of the lists `:titles`, `:descriptions`, `:dones`,
    `:completed`, `:created`, `:dues`, `:recurrences`, `:nags`, `:remind_befores`,
    `:priorities`, `:label_lists`, `:checklists` and `:attachment_lists`, by `:created_by`.

    A reminder is set only for open tasks due in the future (the first of its reminders before
    the due time still to come, or then), so importing old or finished tasks sends no burst of
    late reminders; a done task without a completion time is completed now, and one without a
    creation time created now.
    """
    fields = ("title", "description", "done", "completed_at", "created_at", "due_at")
    names = ("titles", "descriptions", "dones", "completed", "created", "dues")
    lists = {
        **{
            field: list_param(tasks.c[field], name)
            for field, name in zip(fields, names, strict=True)
        },
        "recurrence": list_param(tasks.c.recurrence, "recurrences"),
        "nag_minutes": list_param(tasks.c.nag_minutes, "nags"),
        "remind_before": REMIND_BEFORES,
        "priority": PRIORITIES,
        "labels": LABEL_LISTS,
        "checklist": CHECKLISTS,
        "attachments": ATTACHMENT_LISTS,
    }

    def values(new: Any) -> dict[str, Any]:
        now = sa.func.now()
        remind_before = remind_before_of(new.c.remind_before)
        reminded = first_reminder_at(new.c.due_at, remind_before, now)
        return {
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
            "priority": new.c.priority,
            "labels": sa.cast(new.c.labels, tasks.c.labels.type),
            "checklist": jsonb_of(new.c.checklist),
            "attachments": jsonb_of(new.c.attachments),
        }

    return numbered_insert(lists, values)


# Each task's attachments as JSON text (as storage.adding's CHECKLISTS).
ATTACHMENT_LISTS = sa.bindparam("attachment_lists", type_=postgresql.ARRAY(sa.Text))
# One row of what an import added (storage.changes.summarized): the answer needs no task.
IMPORT = summarized(
    _import(),
    lambda rows: [
        sa.func.count(rows.c.id).filter(rows.c.done).label("done_count"),
        sa.func.min(rows.c.number).label("first_number"),
        sa.func.max(rows.c.number).label("last_number"),
    ],
)


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
    priority: int | None = None
    checklist: tuple[ChecklistItem, ...] = ()
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import added: `count` tasks numbered `first` to `last`, `done` of them done
    (NOTHING_IMPORTED: a file of no tasks)."""

    count: int
    done: int
    first: int
    last: int


NOTHING_IMPORTED = Imported(count=0, done=0, first=0, last=0)


@dataclass(frozen=True, slots=True)
class Export:
    """A chat's tasks, open and done (not deleted), by number; whether more were left out; and
    the chat's time zone (None: unset, UTC), which its repeating tasks' rules are read in."""

    tasks: list[Task]
    truncated: bool
    timezone: str | None


async def export_tasks(db: Database, *, chat_id: int, limit: int = MAX_EXPORT_TASKS) -> Export:
    """What an export of the chat holds (one statement)."""
    rows = await db.run(EXPORT, {"list_id": chat_id, "limit": limit + 1}, idempotent=True)
    tasks = [task_from_row(row) for row in rows]
    zone = rows[0]._mapping["timezone"] if rows else None
    return Export(tasks=tasks[:limit], truncated=len(tasks) > limit, timezone=zone)


async def import_tasks(
    db: Database,
    *,
    chat_id: int,
    tasks: Sequence[NewTask],
    created_by: int | None,
    update_key: UpdateKey | None = None,
    caps: ListCaps = DEFAULT_CAPS,
) -> Imported:
    """Add all the tasks, or none, numbered after the chat's last one; what was added.

    Titles and notes are cleaned here too (InvalidTitle, InvalidDescription), and times checked
    (InvalidDue: storage.validation's window), whoever calls. ListFull when the list would hold
    more than `caps` allow.
    """
    if len(tasks) > MAX_IMPORT_TASKS:
        raise TooManyTasks(MAX_IMPORT_TASKS)
    if not tasks:
        return NOTHING_IMPORTED
    # Checking 5,000 tasks takes a tenth of a second: off the event loop, which serves every
    # chat (handlers.transfer parses the file there too).
    fields = await asyncio.to_thread(_checked_fields, tasks)
    new_open = sum(not task.done for task in tasks)
    params = adding_params(
        fields, chat_id=chat_id, new_open=new_open, created_by=created_by, caps=caps
    )
    (row,) = await execute_change(db, IMPORT, params, update_key=update_key)
    added = row._mapping
    if not added["count"]:
        raise ListFull(caps.max_open, caps.max_total)
    return Imported(
        count=added["count"],
        done=added["done_count"],
        first=added["first_number"],
        last=added["last_number"],
    )


def _checked_fields(tasks: Sequence[NewTask]) -> dict[str, list[Any]]:
    """The IMPORT parameters of the tasks' fields, cleaned and checked (InvalidTitle,
    InvalidDescription, InvalidDue)."""
    _check_moments(tasks)
    titles = [clean_title(task.title) for task in tasks]
    if any(task.priority is not None and task.priority not in PRIORITY_VALUES for task in tasks):
        raise ValueError("a priority is 1, 2 or 3")
    return {
        "titles": titles,
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
        "priorities": [task.priority for task in tasks],
        "label_lists": labels_param([labels_of(title) for title in titles]),
        "checklists": [checklist_json(checklist_items(task.checklist)) for task in tasks],
        "attachment_lists": [attachments_json(task.attachments) for task in tasks],
    }


def _check_moments(tasks: Sequence[NewTask]) -> None:
    """InvalidDue for the first task with a time storage would not keep (a year-9999 due time
    could not be shown in every zone)."""
    for place, task in enumerate(tasks, start=1):
        for name in ("due_at", "created_at", "completed_at"):
            moment = getattr(task, name)
            problem = moment_problem(moment) if moment is not None else None
            if problem is not None:
                raise InvalidDue(f"task {place}: {name} {moment.isoformat()}: {problem}")


async def import_tasks_in_zone(
    db: Database,
    *,
    chat_id: int,
    read: Callable[[ZoneInfo], Awaitable[Sequence[NewTask]]],
    created_by: int | None,
    update_key: UpdateKey | None = None,
    caps: ListCaps = DEFAULT_CAPS,
) -> Imported:
    """Import (as import_tasks) the tasks `read` makes of a file in the list's time zone (a
    file's times without a zone are the list's): two round trips, the zone and the import.
    `read` is awaited, so that the caller can parse a big file off the event loop."""
    settings = await get_chat_settings(db, chat_id=chat_id)
    return await import_tasks(
        db,
        chat_id=chat_id,
        tasks=await read(chat_zone(settings.timezone)),
        created_by=created_by,
        update_key=update_key,
        caps=caps,
    )
