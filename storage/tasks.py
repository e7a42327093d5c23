"""The task functions: every one takes the owning chat's id and touches only that chat's tasks.

Each function is one SQL statement, so on a direct connection each costs one database round
trip (see the README). The simple statements are defined here, next to their functions; adding
(storage.adding), completing (storage.completing) and list pages (storage.pages) have modules
of their own. The functions that change tasks take the Telegram update they serve, if any
(`update_key`): the change then applies once however often the update arrives
(storage.changes), and a repeat raises DuplicateUpdate.
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from storage import adding, completing, pages
from storage.changes import (
    MAX_TASK_NUMBER,
    check_number,
    execute_change,
    one_task_changed,
    run_change_one,
)
from storage.clock import now_utc
from storage.db import Database
from storage.errors import TaskNotFound, TooManyTasks
from storage.lists import DEFAULT_CAPS, ListCaps
from storage.tables import CHAT_ID, NUMBER, TASK_COLUMNS, param, task_from_row, tasks
from storage.task_fields import PRIORITIES, labels_of
from storage.validation import clean_description, clean_title
from storage.values import (
    ChecklistItem,
    Completed,
    DoneResult,
    DueEntry,
    ListFilter,
    PageView,
    Task,
    TaskPage,
    UpdateKey,
)

__all__ = ["MAX_TASK_NUMBER", "clean_description", "clean_title"]

MAX_TASKS_PER_ADD = 100
NO_FILTER = ListFilter()
MAX_PAGE_SIZE = 100


async def add_tasks(
    db: Database,
    *,
    chat_id: int,
    titles: Sequence[str],
    created_by: int | None,
    update_key: UpdateKey | None = None,
    due: Sequence[DueEntry | tuple[datetime | None, str | None]] | None = None,
    descriptions: Sequence[str | None] | None = None,
    priorities: Sequence[int | None] | None = None,
    checklists: Sequence[Sequence[str | ChecklistItem]] | None = None,
    caps: ListCaps = DEFAULT_CAPS,
) -> list[Task]:
    """Add tasks to a chat's list, all or none, and return them with their new numbers.

    `due` gives each title its due time, recurrence and reminders before it, `descriptions`
    its note, `priorities` its priority (1-3) and `checklists` its checklist items (by
    position), when any; each title's hashtags are its labels. ListFull when the list would
    hold more than `caps` allow (nothing is added); InvalidDue for a due time storage does not
    keep (storage.validation); InvalidChecklistItem, ChecklistFull.
    """
    if len(titles) > MAX_TASKS_PER_ADD:
        raise TooManyTasks(MAX_TASKS_PER_ADD)
    fields = adding.checked_fields(
        titles,
        due=due,
        descriptions=descriptions,
        priorities=priorities,
        checklists=checklists,
    )
    return await adding.add_numbered(
        db,
        adding.ADD,
        fields,
        chat_id=chat_id,
        new_open=len(fields["titles"]),
        created_by=created_by,
        caps=caps,
        update_key=update_key,
    )


async def add_task(
    db: Database,
    *,
    chat_id: int,
    title: str,
    created_by: int | None,
    update_key: UpdateKey | None = None,
    description: str | None = None,
    priority: int | None = None,
    checklist: Sequence[str | ChecklistItem] = (),
    caps: ListCaps = DEFAULT_CAPS,
) -> Task:
    """Add one task (with a note, a priority and checklist items, when given) and return it
    with its number."""
    (task,) = await add_tasks(
        db,
        chat_id=chat_id,
        titles=[title],
        created_by=created_by,
        update_key=update_key,
        descriptions=[description],
        priorities=[priority],
        checklists=[checklist],
        caps=caps,
    )
    return task


async def list_tasks(
    db: Database,
    *,
    chat_id: int,
    done: bool = False,
    start: int | None = None,
    limit: int = 10,
    page_filter: ListFilter = NO_FILTER,
    now: datetime | None = None,
) -> TaskPage:
    """One page of the chat's open (or done) tasks that `page_filter` admits, in the order
    /list shows (priority, due time, number): from the task `start` (its number; None: the
    first page) on, `limit` at most. `now` is when today, overdue and upcoming are."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    view = PageView(done=done, start=start, filter=page_filter)
    params = {"list_id": chat_id, **pages.view_params(view, limit=limit, now=now or now_utc())}
    rows = await db.run(pages.LIST[bool(page_filter.labels)], params, idempotent=True)
    listed = [task_from_row(row) for row in rows if row._mapping["id"] is not None]
    return pages.task_page(rows, listed, view_done=done, limit=limit, page_filter=page_filter)


# The chat's live task `:task_number`.
GET = sa.select(*TASK_COLUMNS).where(
    tasks.c.chat_id == CHAT_ID, tasks.c.number == NUMBER, tasks.c.deleted_at.is_(None)
)


async def get_task(db: Database, *, chat_id: int, number: int) -> Task:
    """The chat's task with this number; TaskNotFound when there is none."""
    check_number(number)
    rows = await db.run(GET, {"list_id": chat_id, "task_number": number}, idempotent=True)
    if not rows:
        raise TaskNotFound(number)
    return task_from_row(rows[0])


async def set_done(
    db: Database,
    *,
    chat_id: int,
    numbers: Sequence[int],
    done: bool,
    update_key: UpdateKey | None = None,
    now: datetime | None = None,
) -> DoneResult:
    """Mark tasks done (or open again); say which numbers do not exist.

    Setting a state a task already has changes nothing (its completion time stays). A
    repeating task completed is opened again for its next time after `now` (or after its due
    time, when that is later) in the same statement, so the two can never part.
    """
    wanted = sorted({n for n in numbers if 1 <= n <= MAX_TASK_NUMBER})
    params = {"list_id": chat_id, "numbers": wanted, "done": done, "now": now or now_utc()}
    rows = await execute_change(db, completing.SET_DONE, params, update_key=update_key)
    completed = completing.completed_from_rows(rows)
    found = {entry.task.number for entry in completed}
    return DoneResult(completed, sorted({n for n in numbers if n not in found}))


async def set_task_done(
    db: Database,
    *,
    chat_id: int,
    number: int,
    done: bool,
    update_key: UpdateKey | None = None,
    now: datetime | None = None,
) -> Completed:
    """Mark one task done or open (see set_done); TaskNotFound when there is none."""
    result = await set_done(
        db, chat_id=chat_id, numbers=[number], done=done, update_key=update_key, now=now
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
    view: PageView,
    limit: int = 10,
    update_key: UpdateKey | None = None,
    now: datetime | None = None,
) -> tuple[Completed, TaskPage]:
    """Mark one task done (or open; a repeating one comes back for its next time, as in
    set_done) and return it with the list page `view` shows after it: what a tap on a list
    button needs, in one round trip."""
    check_number(number)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    params = {
        "list_id": chat_id,
        "task_number": number,
        **pages.view_params(view, limit=limit, now=now or now_utc()),
    }
    params["view_done"], params["done"] = params["done"], done
    statement = completing.DONE_THEN_PAGE[bool(view.filter.labels)]
    rows = await execute_change(db, statement, params, update_key=update_key)
    changed = completing.completed_from_rows(
        [row for row in rows if row._mapping["kind"] == "changed"]
    )
    if not changed:
        raise TaskNotFound(number)
    listed = [task_from_row(row) for row in rows if row._mapping["kind"] == "page"]
    return changed[0], pages.task_page(
        rows, listed, view_done=view.done, limit=limit, page_filter=view.filter
    )


# A new `:title` (with its `:labels`) for the task `:task_number` unless NULL, and its
# `:priority` when `:set_priority`.
_SET_PRIORITY = sa.bindparam("set_priority", type_=sa.Boolean)
RENAME = one_task_changed(
    {
        tasks.c.title: sa.func.coalesce(param(tasks.c.title), tasks.c.title),
        tasks.c.labels: sa.func.coalesce(param(tasks.c.labels), tasks.c.labels),
        tasks.c.priority: sa.case(
            (_SET_PRIORITY, param(tasks.c.priority)), else_=tasks.c.priority
        ),
        tasks.c.updated_at: sa.func.now(),
    }
)


class _Keep:
    """The marker for "leave the priority as it is" (None clears it)."""


KEEP_PRIORITY = _Keep()


async def rename_task(
    db: Database,
    *,
    chat_id: int,
    number: int,
    title: str | None,
    priority: int | _Keep | None = KEEP_PRIORITY,
    update_key: UpdateKey | None = None,
) -> Task:
    """Give a task a new title (its hashtags its labels; None: keep it) and, when given, a new
    priority (1-3; None: none), and return it."""
    cleaned = None if title is None else clean_title(title)
    if not isinstance(priority, _Keep) and priority is not None and priority not in PRIORITIES:
        raise ValueError("a priority is 1, 2 or 3")
    params = {
        "list_id": chat_id,
        "task_number": number,
        "title": cleaned,
        "labels": None if cleaned is None else list(labels_of(cleaned)),
        "set_priority": not isinstance(priority, _Keep),
        "priority": None if isinstance(priority, _Keep) else priority,
    }
    return await run_change_one(db, RENAME, params, update_key=update_key)


# A new `:description` (None: none) for the task `:task_number`.
DESCRIBE = one_task_changed(
    {tasks.c.description: param(tasks.c.description), tasks.c.updated_at: sa.func.now()}
)


async def set_description(
    db: Database,
    *,
    chat_id: int,
    number: int,
    description: str | None,
    update_key: UpdateKey | None = None,
) -> Task:
    """Set (or with None or blank text, clear) a task's description and return the task."""
    params = {
        "list_id": chat_id,
        "task_number": number,
        "description": clean_description(description),
    }
    return await run_change_one(db, DESCRIBE, params, update_key=update_key)
