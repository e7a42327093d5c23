"""The task functions: every one takes the owning chat's id and touches only that chat's tasks.

Each function is one SQL statement (storage/statements.py), so on a direct connection each costs
one database round trip (see the README). The functions that change tasks take the Telegram
update they serve, if any (`once_for`): the change then applies once however often the update
arrives, and a repeat raises DuplicateUpdate.
"""

from collections.abc import Sequence
from datetime import datetime

from storage import statements
from storage.changes import (
    MAX_TASK_NUMBER,
    check_number,
    completed_from_rows,
    execute_change,
    run_change,
    run_change_one,
    task_from_row,
)
from storage.clock import now_utc
from storage.db import Database
from storage.errors import InvalidTitle, TaskNotFound, TooManyTasks
from storage.models import Completed, DoneResult, Task, TaskPage, UpdateKey
from storage.validation import clean_description, clean_title

__all__ = ["MAX_TASK_NUMBER", "clean_description", "clean_title"]

MAX_TASKS_PER_ADD = 100
MAX_PAGE_SIZE = 100


async def add_tasks(
    db: Database,
    *,
    chat_id: int,
    titles: Sequence[str],
    created_by: int | None,
    once_for: UpdateKey | None = None,
    due: Sequence[tuple[datetime | None, str | None]] | None = None,
    descriptions: Sequence[str | None] | None = None,
) -> list[Task]:
    """Add tasks to a chat's list, all or none, and return them with their new numbers.

    `due` gives each title its due time and recurrence, and `descriptions` its note (by
    position), when any.
    """
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
    dues = list(due) if due is not None else [(None, None)] * len(cleaned)
    notes = [clean_description(d) for d in descriptions] if descriptions else [None] * len(cleaned)
    if len(dues) != len(cleaned) or len(notes) != len(cleaned):
        raise ValueError("one due entry and one description per title")
    params = {
        "chat_id": chat_id,
        "count": len(cleaned),
        "titles": cleaned,
        "descriptions": notes,
        "dues": [due_at for due_at, _ in dues],
        "recurrences": [recurrence for _, recurrence in dues],
        "created_by": created_by,
    }
    return await run_change(db, statements.ADD, params, once_for=once_for)


async def add_task(
    db: Database,
    *,
    chat_id: int,
    title: str,
    created_by: int | None,
    once_for: UpdateKey | None = None,
    description: str | None = None,
) -> Task:
    """Add one task (with a note, when given) and return it with its number."""
    (task,) = await add_tasks(
        db,
        chat_id=chat_id,
        titles=[title],
        created_by=created_by,
        once_for=once_for,
        descriptions=[description],
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
    tasks = [task_from_row(row) for row in rows if row._mapping["id"] is not None]
    next_start = tasks[limit].number if len(tasks) > limit else None
    return TaskPage(
        done=done,
        tasks=tasks[:limit],
        open_total=first["open_tasks"] or 0,
        done_total=first["done_tasks"] or 0,
        previous_start=first["previous_start"],
        next_start=next_start,
        timezone=first["timezone"],
    )


async def get_task(db: Database, *, chat_id: int, number: int) -> Task:
    """The chat's task with this number; TaskNotFound when there is none."""
    check_number(number)
    rows = await db.run(statements.GET, {"chat_id": chat_id, "number": number}, idempotent=True)
    if not rows:
        raise TaskNotFound(number)
    return task_from_row(rows[0])


async def set_done(
    db: Database,
    *,
    chat_id: int,
    numbers: Sequence[int],
    done: bool,
    once_for: UpdateKey | None = None,
    now: datetime | None = None,
) -> DoneResult:
    """Mark tasks done (or open again); say which numbers do not exist.

    Setting a state a task already has changes nothing (its completion time stays). A
    repeating task completed is opened again for its next time after `now` (or after its due
    time, when that is later) in the same statement, so the two can never part.
    """
    wanted = sorted({n for n in numbers if 1 <= n <= MAX_TASK_NUMBER})
    params = {"chat_id": chat_id, "numbers": wanted, "done": done, "now": now or now_utc()}
    rows = await execute_change(db, statements.SET_DONE, params, once_for=once_for)
    completed = completed_from_rows(rows)
    found = {entry.task.number for entry in completed}
    return DoneResult(completed, sorted({n for n in numbers if n not in found}))


async def set_task_done(
    db: Database,
    *,
    chat_id: int,
    number: int,
    done: bool,
    once_for: UpdateKey | None = None,
    now: datetime | None = None,
) -> Completed:
    """Mark one task done or open (see set_done); TaskNotFound when there is none."""
    result = await set_done(
        db, chat_id=chat_id, numbers=[number], done=done, once_for=once_for, now=now
    )
    if not result.completed:
        raise TaskNotFound(number)
    return result.completed[0]


async def set_done_and_list(
    db: Database,
    *,
    chat_id: int,
    number: int,
    done: bool,
    view_done: bool,
    start: int,
    limit: int = 10,
    once_for: UpdateKey | None = None,
    now: datetime | None = None,
) -> tuple[Completed, TaskPage]:
    """Mark one task done (or open; a repeating one comes back for its next time, as in
    set_done) and return it with the list page a view shows after it: what a tap on a list
    button needs, in one round trip."""
    check_number(number)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    params = {
        "chat_id": chat_id,
        "number": number,
        "done": done,
        "view_done": view_done,
        "start": max(1, min(start, MAX_TASK_NUMBER)),
        "limit": limit,
        "now": now or now_utc(),
    }
    rows = await execute_change(db, statements.DONE_THEN_PAGE, params, once_for=once_for)
    changed = completed_from_rows([row for row in rows if row._mapping["kind"] == "changed"])
    if not changed:
        raise TaskNotFound(number)
    listed = sorted(
        (task_from_row(row) for row in rows if row._mapping["kind"] == "page"),
        key=lambda task: task.number,
    )
    first = rows[0]._mapping
    page = TaskPage(
        done=view_done,
        tasks=listed[:limit],
        open_total=first["open_tasks"] or 0,
        done_total=first["done_tasks"] or 0,
        previous_start=first["previous_start"],
        next_start=listed[limit].number if len(listed) > limit else None,
        timezone=first["timezone"],
    )
    return changed[0], page


async def rename_task(
    db: Database, *, chat_id: int, number: int, title: str, once_for: UpdateKey | None = None
) -> Task:
    """Give a task a new title and return it."""
    params = {"chat_id": chat_id, "number": number, "title": clean_title(title)}
    return await run_change_one(db, statements.RENAME, params, once_for=once_for)


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
    return await run_change_one(db, statements.DESCRIBE, params, once_for=once_for)


async def delete_task(
    db: Database, *, chat_id: int, number: int, once_for: UpdateKey | None = None
) -> Task:
    """Delete a task and return what was deleted, so the caller can offer to restore it."""
    params = {"chat_id": chat_id, "number": number}
    return await run_change_one(db, statements.DELETE, params, once_for=once_for)


async def restore_task(
    db: Database, *, chat_id: int, number: int, once_for: UpdateKey | None = None
) -> Task:
    """Bring a deleted task back, with its number; TaskNotFound unless it was deleted."""
    params = {"chat_id": chat_id, "number": number}
    return await run_change_one(db, statements.RESTORE, params, once_for=once_for)


async def purge_processed_updates(db: Database, *, older_than_seconds: float) -> int:
    """Forget the updates processed longer ago than that; how many records went."""
    rows = await db.run(
        statements.PURGE_PROCESSED_UPDATES, {"age_seconds": older_than_seconds}, idempotent=True
    )
    return int(rows[0]._mapping["purged"])


async def delete_and_list(
    db: Database,
    *,
    chat_id: int,
    number: int,
    view_done: bool,
    start: int,
    limit: int = 10,
    once_for: UpdateKey | None = None,
) -> tuple[Task, TaskPage]:
    """Delete a task (as delete_task) and return it with the list page a view shows after it:
    what the 🗑 button of a list needs, in one round trip."""
    return await _change_and_list(
        db, statements.DELETE_THEN_PAGE, chat_id, number, view_done, start, limit, once_for
    )


async def restore_and_list(
    db: Database,
    *,
    chat_id: int,
    number: int,
    view_done: bool,
    start: int,
    limit: int = 10,
    once_for: UpdateKey | None = None,
) -> tuple[Task, TaskPage]:
    """Bring a deleted task back (as restore_task) and return it with the list page a view
    shows after it: what Undo on a list needs, in one round trip."""
    return await _change_and_list(
        db, statements.RESTORE_THEN_PAGE, chat_id, number, view_done, start, limit, once_for
    )


async def _change_and_list(
    db: Database,
    change: statements.Change,
    chat_id: int,
    number: int,
    view_done: bool,
    start: int,
    limit: int,
    once_for: UpdateKey | None,
) -> tuple[Task, TaskPage]:
    check_number(number)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    params = {
        "chat_id": chat_id,
        "number": number,
        "view_done": view_done,
        "start": max(1, min(start, MAX_TASK_NUMBER)),
        "limit": limit,
    }
    rows = await execute_change(db, change, params, once_for=once_for)
    changed = [task_from_row(row) for row in rows if row._mapping["kind"] == "changed"]
    if not changed:
        raise TaskNotFound(number)
    listed = sorted(
        (task_from_row(row) for row in rows if row._mapping["kind"] == "page"),
        key=lambda task: task.number,
    )
    first = rows[0]._mapping
    page = TaskPage(
        done=view_done,
        tasks=listed[:limit],
        open_total=first["open_tasks"] or 0,
        done_total=first["done_tasks"] or 0,
        previous_start=first["previous_start"],
        next_start=listed[limit].number if len(listed) > limit else None,
        timezone=first["timezone"],
    )
    return changed[0], page
