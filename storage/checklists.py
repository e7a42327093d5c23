"""A task's checklist: adding items and ticking one (each one statement, once per key).

Items are kept in the task's row (`tasks.checklist`, a JSON array), in the order added, and
named by their place (1 first). Ticking is a target state, as ticking a task is: a stale
button sets what it shows. Ticking the last item does not complete the task; completing a
repeating task unticks them all for its next time (storage.completing).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from storage.assignees import LIST_ZONE, AssignedTask, assigned_task, assignee_arrays
from storage.changes import FIRST_TIME, check_number, execute_change, once_per_key
from storage.db import Database
from storage.errors import ChecklistFull, ItemNotFound, TaskNotFound
from storage.tables import CHAT_ID, NUMBER, TASK_COLUMNS, task_from_row, tasks
from storage.task_fields import MAX_CHECKLIST_ITEMS, checklist_json, clean_items
from storage.values import ChecklistItem, Task, UpdateKey

ITEM = sa.bindparam("item", type_=sa.Integer)
CHECKED = sa.bindparam("checked", type_=sa.Boolean)
NEW_ITEMS = sa.bindparam("new_items", type_=sa.Text)
COUNT = sa.bindparam("item_count", type_=sa.Integer)
MOST = sa.bindparam("most_items", type_=sa.Integer)

_LENGTH = sa.func.jsonb_array_length(tasks.c.checklist, type_=sa.Integer)


def _target() -> sa.CTE:
    """The live task `:task_number` of the list, with how many items its checklist has."""
    return (
        sa.select(tasks.c.id, _LENGTH.label("item_total"))
        .where(tasks.c.chat_id == CHAT_ID, tasks.c.number == NUMBER, tasks.c.deleted_at.is_(None))
        .cte("target")
    )


def _changed(target: sa.CTE, condition: sa.ColumnElement[bool], checklist: Any) -> sa.CTE:
    return (
        sa.update(tasks)
        .where(tasks.c.id == target.c.id, FIRST_TIME, condition)
        .values({tasks.c.checklist: checklist, tasks.c.updated_at: sa.func.now()})
        .returning(*TASK_COLUMNS)
        .cte("changed")
    )


def _items_before(target: sa.CTE) -> sa.ColumnElement[Any]:
    return sa.select(target.c.item_total).scalar_subquery().label("items_before")


def _added() -> sa.Select[Any]:
    """Add the `:item_count` items `:new_items` (a JSON array) at the end of the checklist of
    the task `:task_number`, unless it would then hold more than `:most_items`. Each row has
    `items_before`: how many items the task had (NULL: no such task)."""
    target = _target()
    fits = target.c.item_total + COUNT <= MOST
    appended = tasks.c.checklist.op("||")(sa.cast(NEW_ITEMS, postgresql.JSONB))
    return once_per_key(_changed(target, fits, appended), also=[_items_before(target)])


def _ticked() -> sa.Select[Any]:
    """Set item `:item` (from 1) of the checklist of the task `:task_number` to `:checked`,
    and report the task with its assignees and its list's zone (what its /show card needs).
    Each row has `items_before` (NULL: no such task)."""
    target = _target()
    path = postgresql.array([sa.cast(ITEM - 1, sa.Text), sa.literal("done")])
    ticked = sa.func.jsonb_set(
        tasks.c.checklist, path, sa.func.to_jsonb(CHECKED), type_=tasks.c.checklist.type
    )
    task_id = sa.select(target.c.id).scalar_subquery()
    return once_per_key(
        _changed(target, sa.between(ITEM, 1, target.c.item_total), ticked),
        also=[_items_before(target), *assignee_arrays(task_id), LIST_ZONE],
    )


ADD_ITEMS = _added()
TICK_ITEM = _ticked()


async def add_items(
    db: Database,
    *,
    chat_id: int,
    number: int,
    texts: Sequence[str],
    update_key: UpdateKey | None = None,
) -> Task:
    """Add items (open) at the end of a task's checklist and return the task.

    InvalidChecklistItem for an empty or too long item, ChecklistFull when the checklist
    would hold more than MAX_CHECKLIST_ITEMS (nothing is added), TaskNotFound.
    """
    check_number(number)
    items = [ChecklistItem(text) for text in clean_items(texts)]
    if len(items) > MAX_CHECKLIST_ITEMS:
        raise ChecklistFull(number, MAX_CHECKLIST_ITEMS)
    params = {
        "list_id": chat_id,
        "task_number": number,
        "new_items": checklist_json(items),
        "item_count": len(items),
        "most_items": MAX_CHECKLIST_ITEMS,
    }
    rows = await execute_change(db, ADD_ITEMS, params, update_key=update_key)
    found = [row for row in rows if row._mapping["id"] is not None]
    if not found:
        if rows[0]._mapping["items_before"] is None:
            raise TaskNotFound(number)
        raise ChecklistFull(number, MAX_CHECKLIST_ITEMS)
    return task_from_row(found[0])


async def tick_item(
    db: Database,
    *,
    chat_id: int,
    number: int,
    item: int,
    done: bool,
    update_key: UpdateKey | None = None,
) -> AssignedTask:
    """Set a checklist item done (or open again) and return the task with its assignees and
    its list's zone; TaskNotFound, ItemNotFound."""
    check_number(number)
    if not 1 <= item <= MAX_CHECKLIST_ITEMS:
        raise ItemNotFound(number, item)
    params = {"list_id": chat_id, "task_number": number, "item": item, "checked": done}
    rows = await execute_change(db, TICK_ITEM, params, update_key=update_key)
    if rows[0]._mapping["id"] is None:
        if rows[0]._mapping["items_before"] is None:
            raise TaskNotFound(number)
        raise ItemNotFound(number, item)
    return assigned_task(rows, number)
