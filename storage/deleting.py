"""Deleting a task and bringing it back (Undo), alone or with the list page a view shows after
it (what a list's 🗑 and Undo buttons need, in one round trip).

Deleting keeps the row, marked, so that Undo can bring it back with its number and id; the
number is never handed out again either way.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from storage.changes import (
    FIRST_TIME,
    check_number,
    execute_change,
    one_task_changed,
    recorded,
    reported,
    run_change_one,
)
from storage.clock import now_utc
from storage.db import Database
from storage.errors import TaskNotFound
from storage.list_order import admits
from storage.pages import LABELLED, ON_CHAT, PLAIN, Pages, chat, task_page, view_params
from storage.tables import CHAT_ID, NUMBER, TASK_COLUMNS, param, task_from_row, tasks
from storage.tasks import MAX_PAGE_SIZE
from storage.values import PageView, Task, TaskPage, UpdateKey

_DELETED: dict[sa.Column[Any], Any] = {tasks.c.deleted_at: sa.func.now()}
_RESTORED: dict[sa.Column[Any], Any] = {
    tasks.c.deleted_at: sa.null(),
    tasks.c.updated_at: sa.func.now(),
}

# Delete the task `:task_number`; bring the deleted task `:task_number` back.
DELETE = one_task_changed(_DELETED)
RESTORE = one_task_changed(_RESTORED, deleted=True)


async def delete_task(
    db: Database, *, chat_id: int, number: int, update_key: UpdateKey | None = None
) -> Task:
    """Delete a task and return what was deleted, so the caller can offer to restore it."""
    params = {"list_id": chat_id, "task_number": number}
    return await run_change_one(db, DELETE, params, update_key=update_key)


# The chat's deleted task `:task_number`.
GET_DELETED = sa.select(*TASK_COLUMNS).where(
    tasks.c.chat_id == CHAT_ID, tasks.c.number == NUMBER, tasks.c.deleted_at.is_not(None)
)


async def get_deleted_task(db: Database, *, chat_id: int, number: int) -> Task:
    """The chat's deleted task with this number (what Undo would bring back); TaskNotFound
    when there is none."""
    check_number(number)
    rows = await db.run(GET_DELETED, {"list_id": chat_id, "task_number": number}, idempotent=True)
    if not rows:
        raise TaskNotFound(number)
    return task_from_row(rows[0])


async def restore_task(
    db: Database, *, chat_id: int, number: int, update_key: UpdateKey | None = None
) -> Task:
    """Bring a deleted task back, with its number; TaskNotFound unless it was deleted."""
    params = {"list_id": chat_id, "task_number": number}
    return await run_change_one(db, RESTORE, params, update_key=update_key)


def _change_then_page(
    values: dict[sa.Column[Any], Any], *, deleted: bool, pages: Pages
) -> sa.Select[Any]:
    """Set `values` on the live task `:task_number` (with `deleted`, on the deleted one), then
    read the page the list view (`:view_done` and a page's parameters: storage.pages) shows
    after it, as the tick does (storage.completing): the page is read from the statement's
    snapshot (before the change), so the changed task is taken out of it (and put back in when
    it is live again and belongs to the view) and the counts corrected.

    Rows: `kind` 'changed' (the task, as reported by once-per-key) or 'page', each with
    `first_time`, the corrected counts, `timezone` and `previous_start`.
    """
    view_done = param(tasks.c.done, "view_done")
    state = tasks.c.deleted_at.is_not(None) if deleted else tasks.c.deleted_at.is_(None)
    changed = (
        sa.update(tasks)
        .where(tasks.c.chat_id == CHAT_ID, tasks.c.number == NUMBER, state, FIRST_TIME)
        .values(values)
        .returning(*TASK_COLUMNS)
        .cte("changed")
    )
    back = sa.true() if deleted else sa.false()  # whether the task is on lists afterwards
    sign = 1 if deleted else -1  # brought back: it counts again; deleted: it counts no more
    moved = sa.select(
        sa.func.coalesce(sa.func.sum(sa.case((changed.c.done, 0), else_=sign)), 0).label(
            "to_open"
        ),
        sa.func.coalesce(sa.func.sum(sa.case((changed.c.done, sign), else_=0)), 0).label(
            "to_done"
        ),
    ).cte("moved")
    in_view = sa.and_(back, changed.c.done == view_done, admits(changed))
    page, previous_start = pages.after_change(view_done, changed, in_view)
    rows = sa.union_all(
        sa.select(sa.literal("changed").label("kind"), *reported(changed).c),
        sa.select(sa.literal("page"), *page.c),
    ).subquery("rows")
    gate = sa.select(FIRST_TIME.label("first_time")).subquery("gate")
    return (
        sa.select(
            gate.c.first_time,
            (chat.c.open_tasks + sa.select(moved.c.to_open).scalar_subquery()).label("open_tasks"),
            (chat.c.done_tasks + sa.select(moved.c.to_done).scalar_subquery()).label("done_tasks"),
            chat.c.timezone,
            previous_start.label("previous_start"),
            *rows.c,
        )
        .select_from(gate.outerjoin(chat, ON_CHAT).outerjoin(rows, sa.true()))
        .add_cte(recorded(changed))
    )


DELETE_THEN_PAGE = {
    labelled: _change_then_page(_DELETED, deleted=False, pages=pages)
    for labelled, pages in ((False, PLAIN), (True, LABELLED))
}
RESTORE_THEN_PAGE = {
    labelled: _change_then_page(_RESTORED, deleted=True, pages=pages)
    for labelled, pages in ((False, PLAIN), (True, LABELLED))
}


async def delete_and_list(
    db: Database,
    *,
    chat_id: int,
    number: int,
    view: PageView,
    limit: int = 10,
    update_key: UpdateKey | None = None,
    now: datetime | None = None,
) -> tuple[Task, TaskPage]:
    """Delete a task (as delete_task) and return it with the list page `view` shows after
    it: what the 🗑 button of a list needs, in one round trip."""
    statement = DELETE_THEN_PAGE[bool(view.filter.labels)]
    return await _change_and_list(db, statement, chat_id, number, view, limit, update_key, now)


async def restore_and_list(
    db: Database,
    *,
    chat_id: int,
    number: int,
    view: PageView,
    limit: int = 10,
    update_key: UpdateKey | None = None,
    now: datetime | None = None,
) -> tuple[Task, TaskPage]:
    """Bring a deleted task back (as restore_task) and return it with the list page `view`
    shows after it: what Undo on a list needs, in one round trip."""
    statement = RESTORE_THEN_PAGE[bool(view.filter.labels)]
    return await _change_and_list(db, statement, chat_id, number, view, limit, update_key, now)


async def _change_and_list(
    db: Database,
    statement: sa.Select[Any],
    chat_id: int,
    number: int,
    view: PageView,
    limit: int,
    update_key: UpdateKey | None,
    now: datetime | None,
) -> tuple[Task, TaskPage]:
    check_number(number)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    params = {
        "list_id": chat_id,
        "task_number": number,
        **view_params(view, limit=limit, now=now or now_utc()),
    }
    params["view_done"] = params.pop("done")
    rows = await execute_change(db, statement, params, update_key=update_key)
    changed = [task_from_row(row) for row in rows if row._mapping["kind"] == "changed"]
    if not changed or changed[0].id is None:
        raise TaskNotFound(number)
    listed = [task_from_row(row) for row in rows if row._mapping["kind"] == "page"]
    return changed[0], task_page(
        rows, listed, view_done=view.done, limit=limit, page_filter=view.filter
    )
