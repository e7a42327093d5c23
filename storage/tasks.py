"""The task functions: every one takes the owning chat's id and touches only that chat's tasks.

Each function is one SQL statement, so on a direct connection each costs one database round
trip (see the README for the table). Counts of open and done tasks are kept in `chats` by
triggers, so listing never counts rows.
"""

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from storage.db import Database
from storage.errors import InvalidDescription, InvalidTitle, TaskNotFound, TooManyTasks
from storage.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Task, TaskPage

MAX_TASKS_PER_ADD = 100
MAX_PAGE_SIZE = 100
# Task numbers are INTEGER in the database; anything outside cannot exist.
MAX_TASK_NUMBER = 2**31 - 1

_TASK_COLUMNS = (
    "id, chat_id, number, title, description, done, completed_at, created_by, created_at,"
    " updated_at"
)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _has_visible_character(text: str) -> bool:
    # Letters, marks, numbers, punctuation and symbols show; separators, format characters
    # (zero-width spaces, direction marks) and other controls do not.
    return any(unicodedata.category(character)[0] in "LMNPS" for character in text)


def clean_title(raw: str) -> str:
    """The title as stored: whitespace runs folded to one space, control characters removed.

    Raises InvalidTitle when nothing is left or it is longer than TITLE_MAX_LENGTH.
    """
    title = " ".join(_CONTROL_CHARACTERS.sub(" ", raw).split())
    if not _has_visible_character(title):
        raise InvalidTitle("the title is empty")
    if len(title) > TITLE_MAX_LENGTH:
        raise InvalidTitle(
            f"the title is {len(title)} characters long; the limit is {TITLE_MAX_LENGTH}"
        )
    return title


def clean_description(raw: str | None) -> str | None:
    """The description as stored (None clears it): trimmed, NUL and control bytes removed.

    Line breaks are kept. Raises InvalidDescription past DESCRIPTION_MAX_LENGTH.
    """
    if raw is None:
        return None
    lines = [" ".join(_CONTROL_CHARACTERS.sub(" ", line).split()) for line in raw.splitlines()]
    description = "\n".join(lines).strip()
    if not description:
        return None
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise InvalidDescription(
            f"the description is {len(description)} characters long;"
            f" the limit is {DESCRIPTION_MAX_LENGTH}"
        )
    return description


def _task(row: sa.Row[Any]) -> Task:
    m = row._mapping
    return Task(
        id=m["id"],
        chat_id=m["chat_id"],
        number=m["number"],
        title=m["title"],
        description=m["description"],
        done=m["done"],
        completed_at=m["completed_at"],
        created_by=m["created_by"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


def _one(rows: list[sa.Row[Any]], number: int) -> Task:
    if not rows:
        raise TaskNotFound(number)
    return _task(rows[0])


def _check_number(number: int) -> None:
    if not 1 <= number <= MAX_TASK_NUMBER:
        raise TaskNotFound(number)


# One statement: bump the chat's number sequence (creating the chat on first use; the row lock
# serialises concurrent adds in one chat) and insert the tasks with consecutive numbers.
_ADD = sa.text(f"""
WITH counter AS (
    INSERT INTO chats AS c (chat_id, last_task_number) VALUES (:chat_id, :count)
    ON CONFLICT (chat_id) DO UPDATE SET last_task_number = c.last_task_number + :count
    RETURNING c.last_task_number
)
INSERT INTO tasks (chat_id, number, title, created_by)
SELECT :chat_id, counter.last_task_number - :count + new.ord, new.title, :created_by
FROM counter, unnest(CAST(:titles AS text[])) WITH ORDINALITY AS new(title, ord)
RETURNING {_TASK_COLUMNS}
""").bindparams(
    sa.bindparam("chat_id", type_=sa.BigInteger),
    sa.bindparam("count", type_=sa.Integer),
    sa.bindparam("created_by", type_=sa.BigInteger),
)


async def add_tasks(
    db: Database, *, chat_id: int, titles: Sequence[str], created_by: int | None
) -> list[Task]:
    """Add tasks to a chat's list, all or none, and return them with their new numbers."""
    if len(titles) > MAX_TASKS_PER_ADD:
        raise TooManyTasks(MAX_TASKS_PER_ADD)
    cleaned = []
    for line, title in enumerate(titles, start=1):
        try:
            cleaned.append(clean_title(title))
        except InvalidTitle as error:
            if len(titles) == 1:
                raise
            raise InvalidTitle(f"line {line}: {error.reason}") from None
    if not cleaned:
        raise InvalidTitle("the title is empty")
    if len(cleaned) > MAX_TASKS_PER_ADD:
        raise TooManyTasks(MAX_TASKS_PER_ADD)
    rows = await db.run(
        _ADD,
        {"chat_id": chat_id, "count": len(cleaned), "titles": cleaned, "created_by": created_by},
        idempotent=False,
    )
    return sorted((_task(row) for row in rows), key=lambda task: task.number)


async def add_task(db: Database, *, chat_id: int, title: str, created_by: int | None) -> Task:
    """Add one task and return it with its number."""
    (task,) = await add_tasks(db, chat_id=chat_id, titles=[title], created_by=created_by)
    return task


# One statement: the chat's counts, one page of tasks from `start` on (one row more, to know
# whether a next page exists) and where the previous page starts, all by index.
_LIST = sa.text(f"""
SELECT c.open_tasks, c.done_tasks,
    (SELECT min(p.number) FROM (
        SELECT number FROM tasks
        WHERE chat_id = :chat_id AND done = :done AND deleted_at IS NULL AND number < :start
        ORDER BY number DESC LIMIT :limit
    ) AS p) AS previous_start,
    page.*
FROM (SELECT 1) AS one
LEFT JOIN chats AS c ON c.chat_id = :chat_id
LEFT JOIN LATERAL (
    SELECT {_TASK_COLUMNS} FROM tasks
    WHERE chat_id = :chat_id AND done = :done AND deleted_at IS NULL AND number >= :start
    ORDER BY number LIMIT :limit + 1
) AS page ON true
ORDER BY page.number
""").bindparams(
    sa.bindparam("chat_id", type_=sa.BigInteger),
    sa.bindparam("done", type_=sa.Boolean),
    sa.bindparam("start", type_=sa.Integer),
    sa.bindparam("limit", type_=sa.Integer),
)


async def list_tasks(
    db: Database, *, chat_id: int, done: bool = False, start: int = 1, limit: int = 10
) -> TaskPage:
    """One page of the chat's open (or done) tasks: numbers from `start` on, `limit` at most."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    start = max(1, min(start, MAX_TASK_NUMBER))
    rows = await db.run(
        _LIST,
        {"chat_id": chat_id, "done": done, "start": start, "limit": limit},
        idempotent=True,
    )
    first = rows[0]._mapping
    tasks = [_task(row) for row in rows if row._mapping["id"] is not None]
    next_start = tasks[limit].number if len(tasks) > limit else None
    return TaskPage(
        done=done,
        tasks=tasks[:limit],
        open_total=first["open_tasks"] or 0,
        done_total=first["done_tasks"] or 0,
        previous_start=first["previous_start"],
        next_start=next_start,
    )


_GET = sa.text(f"""
SELECT {_TASK_COLUMNS} FROM tasks
WHERE chat_id = :chat_id AND number = :number AND deleted_at IS NULL
""").bindparams(sa.bindparam("chat_id", type_=sa.BigInteger))


async def get_task(db: Database, *, chat_id: int, number: int) -> Task:
    """The chat's task with this number; TaskNotFound when there is none."""
    _check_number(number)
    rows = await db.run(_GET, {"chat_id": chat_id, "number": number}, idempotent=True)
    return _one(rows, number)


# Sets a target state rather than toggling, so a double tap or a stale button cannot flip a task
# back. Rows already in that state are left untouched but still returned.
_SET_DONE = sa.text(f"""
WITH target AS (
    SELECT id FROM tasks
    WHERE chat_id = :chat_id AND number = ANY(CAST(:numbers AS integer[])) AND deleted_at IS NULL
),
changed AS (
    UPDATE tasks SET
        done = :done,
        completed_at = CASE WHEN :done THEN now() END,
        updated_at = now()
    FROM target
    WHERE tasks.id = target.id AND tasks.done <> :done
    RETURNING {", ".join(f"tasks.{c.strip()}" for c in _TASK_COLUMNS.split(","))}
)
SELECT {_TASK_COLUMNS}, true AS changed FROM changed
UNION ALL
SELECT {_TASK_COLUMNS}, false AS changed FROM tasks
WHERE id IN (SELECT id FROM target) AND id NOT IN (SELECT id FROM changed)
""").bindparams(
    sa.bindparam("chat_id", type_=sa.BigInteger),
    sa.bindparam("done", type_=sa.Boolean),
)


async def set_done(
    db: Database, *, chat_id: int, numbers: Sequence[int], done: bool
) -> tuple[list[Task], list[int]]:
    """Mark tasks done (or open again) and return them with the numbers that do not exist.

    Setting a state a task already has changes nothing (its completion time stays).
    """
    wanted = sorted({n for n in numbers if 1 <= n <= MAX_TASK_NUMBER})
    rows = await db.run(
        _SET_DONE, {"chat_id": chat_id, "numbers": wanted, "done": done}, idempotent=True
    )
    tasks = sorted((_task(row) for row in rows), key=lambda task: task.number)
    found = {task.number for task in tasks}
    missing = sorted({n for n in numbers if n not in found})
    return tasks, missing


async def set_task_done(db: Database, *, chat_id: int, number: int, done: bool) -> Task:
    """Mark one task done or open; TaskNotFound when there is none."""
    tasks, _ = await set_done(db, chat_id=chat_id, numbers=[number], done=done)
    if not tasks:
        raise TaskNotFound(number)
    return tasks[0]


_RENAME = sa.text(f"""
UPDATE tasks SET title = :title, updated_at = now()
WHERE chat_id = :chat_id AND number = :number AND deleted_at IS NULL
RETURNING {_TASK_COLUMNS}
""").bindparams(sa.bindparam("chat_id", type_=sa.BigInteger))


async def rename_task(db: Database, *, chat_id: int, number: int, title: str) -> Task:
    """Give a task a new title and return it."""
    cleaned = clean_title(title)
    _check_number(number)
    rows = await db.run(
        _RENAME, {"chat_id": chat_id, "number": number, "title": cleaned}, idempotent=True
    )
    return _one(rows, number)


_DESCRIBE = sa.text(f"""
UPDATE tasks SET description = :description, updated_at = now()
WHERE chat_id = :chat_id AND number = :number AND deleted_at IS NULL
RETURNING {_TASK_COLUMNS}
""").bindparams(
    sa.bindparam("chat_id", type_=sa.BigInteger),
    sa.bindparam("description", type_=sa.Text),
)


async def set_description(
    db: Database, *, chat_id: int, number: int, description: str | None
) -> Task:
    """Set (or with None or blank text, clear) a task's description and return the task."""
    cleaned = clean_description(description)
    _check_number(number)
    rows = await db.run(
        _DESCRIBE,
        {"chat_id": chat_id, "number": number, "description": cleaned},
        idempotent=True,
    )
    return _one(rows, number)


# Deleting keeps the row, marked, so that Undo can bring it back with its number and id; the
# number is never handed out again either way.
_DELETE = sa.text(f"""
UPDATE tasks SET deleted_at = now()
WHERE chat_id = :chat_id AND number = :number AND deleted_at IS NULL
RETURNING {_TASK_COLUMNS}
""").bindparams(sa.bindparam("chat_id", type_=sa.BigInteger))

_RESTORE = sa.text(f"""
UPDATE tasks SET deleted_at = NULL, updated_at = now()
WHERE chat_id = :chat_id AND number = :number AND deleted_at IS NOT NULL
RETURNING {_TASK_COLUMNS}
""").bindparams(sa.bindparam("chat_id", type_=sa.BigInteger))


async def delete_task(db: Database, *, chat_id: int, number: int) -> Task:
    """Delete a task and return what was deleted, so the caller can offer to restore it."""
    _check_number(number)
    rows = await db.run(_DELETE, {"chat_id": chat_id, "number": number}, idempotent=True)
    return _one(rows, number)


async def restore_task(db: Database, *, chat_id: int, number: int) -> Task:
    """Bring a deleted task back, with its number; TaskNotFound unless it was deleted."""
    _check_number(number)
    rows = await db.run(_RESTORE, {"chat_id": chat_id, "number": number}, idempotent=True)
    return _one(rows, number)
