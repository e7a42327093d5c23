"""Running the statements that change tasks, with the rules every change shares: numbers
outside the INTEGER range do not exist, a Telegram update applies once (`once_for`), and the
result comes back as plain Task values."""

import secrets
from typing import Any

import sqlalchemy as sa

from storage import statements
from storage.db import Database
from storage.errors import DuplicateUpdate, TaskNotFound
from storage.models import Completed, Task, UpdateKey

# Task numbers are INTEGER in the database; anything outside cannot exist.
MAX_TASK_NUMBER = 2**31 - 1
# A change made for no Telegram update (the task API, tests) is recorded under this "bot" with
# a random id of its own, so that running it again after a lost answer finds the first run
# instead of applying twice. Telegram's bot ids are positive, so it never meets one.
OWN_KEY_BOT_ID = 0


def task_from_row(row: sa.Row[Any]) -> Task:
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
        due_at=m["due_at"],
        nag_minutes=m["nag_minutes"],
        recurrence=m["recurrence"],
    )


def completed_from_rows(rows: list[sa.Row[Any]]) -> list[Completed]:
    """The tasks of a done-marking statement's rows (with their `next_due`), by number."""
    completed = [
        Completed(task_from_row(row), row._mapping["next_due"])
        for row in rows
        if row._mapping["id"] is not None
    ]
    return sorted(completed, key=lambda entry: entry.task.number)


def check_number(number: int) -> None:
    if not 1 <= number <= MAX_TASK_NUMBER:
        raise TaskNotFound(number)


async def execute_change(
    db: Database,
    change: statements.Change,
    params: dict[str, Any],
    *,
    once_for: UpdateKey | None,
) -> list[sa.Row[Any]]:
    """Run a changing statement and return its rows (the first has `first_time`).

    Every change runs under a key (the update's, or without one a random key of its own), so
    it is safe to run again: a dropped connection is retried even under an add, and if an
    earlier attempt turns out to have applied, its rows are returned as if this run had
    applied. A redelivered update raises DuplicateUpdate.
    """
    key = once_for or UpdateKey(bot_id=OWN_KEY_BOT_ID, update_id=secrets.randbits(63))
    params = {**params, "bot_id": key.bot_id, "update_id": key.update_id}
    for attempt in (1, 2):
        try:
            outcome = await db.execute(change.once, params, idempotent=True)
            break
        except sa.exc.IntegrityError as error:
            # The same update ran at this very moment elsewhere and recorded itself first:
            # this statement was undone whole; running it again reports the other's work.
            if attempt == 2 or "processed_updates" not in str(error):
                raise
    first = outcome.rows[0]._mapping
    if once_for is not None and not first["first_time"] and not outcome.uncertain:
        raise DuplicateUpdate(once_for.bot_id, once_for.update_id)
    return outcome.rows


async def run_change(
    db: Database,
    change: statements.Change,
    params: dict[str, Any],
    *,
    once_for: UpdateKey | None,
) -> list[Task]:
    """Run a changing statement; the tasks it changed (or matched), by number."""
    rows = await execute_change(db, change, params, once_for=once_for)
    tasks = [task_from_row(row) for row in rows if row._mapping["id"] is not None]
    return sorted(tasks, key=lambda task: task.number)


async def run_change_one(
    db: Database,
    change: statements.Change,
    params: dict[str, Any],
    *,
    once_for: UpdateKey | None,
) -> Task:
    number = params["number"]
    check_number(number)
    tasks = await run_change(db, change, params, once_for=once_for)
    if not tasks:
        raise TaskNotFound(number)
    return tasks[0]
