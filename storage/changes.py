"""Running the statements that change tasks, with the rules every change shares: numbers
outside the INTEGER range do not exist, a Telegram update applies once (`once_for`), and the
result comes back as plain Task values."""

from typing import Any

import sqlalchemy as sa

from storage import statements
from storage.db import Database
from storage.errors import DuplicateUpdate, TaskNotFound
from storage.models import Task, UpdateKey

# Task numbers are INTEGER in the database; anything outside cannot exist.
MAX_TASK_NUMBER = 2**31 - 1


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


def check_number(number: int) -> None:
    if not 1 <= number <= MAX_TASK_NUMBER:
        raise TaskNotFound(number)


async def execute_change(
    db: Database,
    change: statements.Change,
    params: dict[str, Any],
    *,
    once_for: UpdateKey | None,
    idempotent: bool = True,
) -> list[sa.Row[Any]]:
    """Run a changing statement and return its rows (the first has `first_time`).

    With `once_for` the statement is safe to run again, so a dropped connection is retried
    even under an add; if an earlier attempt of ours turns out to have applied, its rows are
    returned as if this run had applied, as they are for an update replayed after a crash
    (`once_for.replayed`). A redelivered update raises DuplicateUpdate.
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
    repeat_known = not outcome.uncertain and not (once_for and once_for.replayed)
    if once_for is not None and not first["first_time"] and repeat_known:
        raise DuplicateUpdate(once_for.bot_id, once_for.update_id)
    return outcome.rows


async def run_change(
    db: Database,
    change: statements.Change,
    params: dict[str, Any],
    *,
    once_for: UpdateKey | None,
    idempotent: bool = True,
) -> list[Task]:
    """Run a changing statement; the tasks it changed (or matched), by number."""
    rows = await execute_change(db, change, params, once_for=once_for, idempotent=idempotent)
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
