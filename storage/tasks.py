"""The task functions: every one takes the owning chat's id and touches only that chat's tasks.

Each function is one SQL statement (storage/statements.py), so on a direct connection each costs
one database round trip (see the README). The functions that change tasks take the Telegram
update they serve, if any (`once_for`): the change then applies once however often the update
arrives, and a repeat raises DuplicateUpdate.
"""

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from storage import statements
from storage.db import Database
from storage.errors import (
    DuplicateUpdate,
    InvalidDescription,
    InvalidTitle,
    TaskNotFound,
    TooManyTasks,
)
from storage.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Task, TaskPage, UpdateKey

MAX_TASKS_PER_ADD = 100
MAX_PAGE_SIZE = 100
# Task numbers are INTEGER in the database; anything outside cannot exist.
MAX_TASK_NUMBER = 2**31 - 1

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


def _check_number(number: int) -> None:
    if not 1 <= number <= MAX_TASK_NUMBER:
        raise TaskNotFound(number)


async def _change(
    db: Database,
    change: statements.Change,
    params: dict[str, Any],
    *,
    once_for: UpdateKey | None,
    idempotent: bool = True,
) -> list[Task]:
    """Run a changing statement; the tasks it changed (or matched), by number.

    With `once_for` the statement is safe to run again, so a dropped connection is retried
    even under an add; if an earlier attempt of ours turns out to have applied, its result is
    returned. A redelivered update raises DuplicateUpdate.
    """
    if once_for is not None:
        params = {**params, "bot_id": once_for.bot_id, "update_id": once_for.update_id}
    statement = change.pick(once_for is not None)
    for attempt in (1, 2):
        try:
            outcome = await db.execute(
                statement, params, idempotent=idempotent or once_for is not None
            )
            break
        except sa.exc.IntegrityError as error:
            # The same update ran at this very moment elsewhere and recorded itself first:
            # this statement was undone whole; running it again reports the other's work.
            if once_for is None or attempt == 2 or "processed_updates" not in str(error):
                raise
    first = outcome.rows[0]._mapping
    if once_for is not None and not first["first_time"] and not outcome.uncertain:
        raise DuplicateUpdate(once_for.bot_id, once_for.update_id)
    tasks = [_task(row) for row in outcome.rows if row._mapping["id"] is not None]
    return sorted(tasks, key=lambda task: task.number)


async def _change_one(
    db: Database,
    change: statements.Change,
    params: dict[str, Any],
    *,
    once_for: UpdateKey | None,
) -> Task:
    number = params["number"]
    _check_number(number)
    tasks = await _change(db, change, params, once_for=once_for)
    if not tasks:
        raise TaskNotFound(number)
    return tasks[0]


async def add_tasks(
    db: Database,
    *,
    chat_id: int,
    titles: Sequence[str],
    created_by: int | None,
    once_for: UpdateKey | None = None,
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
    params = {
        "chat_id": chat_id,
        "count": len(cleaned),
        "titles": cleaned,
        "created_by": created_by,
    }
    return await _change(db, statements.ADD, params, once_for=once_for, idempotent=False)


async def add_task(
    db: Database,
    *,
    chat_id: int,
    title: str,
    created_by: int | None,
    once_for: UpdateKey | None = None,
) -> Task:
    """Add one task and return it with its number."""
    (task,) = await add_tasks(
        db, chat_id=chat_id, titles=[title], created_by=created_by, once_for=once_for
    )
    return task


async def list_tasks(
    db: Database, *, chat_id: int, done: bool = False, start: int = 1, limit: int = 10
) -> TaskPage:
    """One page of the chat's open (or done) tasks: numbers from `start` on, `limit` at most."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    start = max(1, min(start, MAX_TASK_NUMBER))
    rows = await db.run(
        statements.LIST,
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


async def get_task(db: Database, *, chat_id: int, number: int) -> Task:
    """The chat's task with this number; TaskNotFound when there is none."""
    _check_number(number)
    rows = await db.run(statements.GET, {"chat_id": chat_id, "number": number}, idempotent=True)
    if not rows:
        raise TaskNotFound(number)
    return _task(rows[0])


async def set_done(
    db: Database,
    *,
    chat_id: int,
    numbers: Sequence[int],
    done: bool,
    once_for: UpdateKey | None = None,
) -> tuple[list[Task], list[int]]:
    """Mark tasks done (or open again) and return them with the numbers that do not exist.

    Setting a state a task already has changes nothing (its completion time stays).
    """
    wanted = sorted({n for n in numbers if 1 <= n <= MAX_TASK_NUMBER})
    params = {"chat_id": chat_id, "numbers": wanted, "done": done}
    tasks = await _change(db, statements.SET_DONE, params, once_for=once_for)
    found = {task.number for task in tasks}
    missing = sorted({n for n in numbers if n not in found})
    return tasks, missing


async def set_task_done(
    db: Database, *, chat_id: int, number: int, done: bool, once_for: UpdateKey | None = None
) -> Task:
    """Mark one task done or open; TaskNotFound when there is none."""
    tasks, _ = await set_done(db, chat_id=chat_id, numbers=[number], done=done, once_for=once_for)
    if not tasks:
        raise TaskNotFound(number)
    return tasks[0]


async def rename_task(
    db: Database, *, chat_id: int, number: int, title: str, once_for: UpdateKey | None = None
) -> Task:
    """Give a task a new title and return it."""
    params = {"chat_id": chat_id, "number": number, "title": clean_title(title)}
    return await _change_one(db, statements.RENAME, params, once_for=once_for)


async def set_description(
    db: Database,
    *,
    chat_id: int,
    number: int,
    description: str | None,
    once_for: UpdateKey | None = None,
) -> Task:
    """Set (or with None or blank text, clear) a task's description and return the task."""
    params = {
        "chat_id": chat_id,
        "number": number,
        "description": clean_description(description),
    }
    return await _change_one(db, statements.DESCRIBE, params, once_for=once_for)


async def delete_task(
    db: Database, *, chat_id: int, number: int, once_for: UpdateKey | None = None
) -> Task:
    """Delete a task and return what was deleted, so the caller can offer to restore it."""
    params = {"chat_id": chat_id, "number": number}
    return await _change_one(db, statements.DELETE, params, once_for=once_for)


async def restore_task(
    db: Database, *, chat_id: int, number: int, once_for: UpdateKey | None = None
) -> Task:
    """Bring a deleted task back, with its number; TaskNotFound unless it was deleted."""
    params = {"chat_id": chat_id, "number": number}
    return await _change_one(db, statements.RESTORE, params, once_for=once_for)


async def purge_processed_updates(db: Database, *, older_than_seconds: float) -> int:
    """Forget the updates processed longer ago than that; how many records went."""
    rows = await db.run(
        statements.PURGE_PROCESSED_UPDATES, {"age_seconds": older_than_seconds}, idempotent=True
    )
    return int(rows[0]._mapping["purged"])
