"""Assigning tasks: adding and taking assignees of a chat's task, and what only an assignee
may do (Done and Snooze from a private reminder). Each is one once-per-key statement
(storage.changes) that reports the task (with its assignees) after the change."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from storage.assignees import LIST_ZONE, AssignedTask, assigned_task
from storage.changes import (
    FIRST_TIME,
    check_number,
    execute_change,
    once_per_key,
    one_task_changed,
    run_change_one,
)
from storage.clock import now_utc
from storage.completing import NEXT_DUE_NOW, completed_from_rows, set_done
from storage.db import Database
from storage.errors import NotAssignee, TaskNotFound
from storage.reminders import SNOOZE_UNTIL, snoozed
from storage.tables import (
    CHAT_ID,
    NUMBER,
    TASK_COLUMNS,
    list_param,
    param,
    task_assignees,
    tasks,
    users,
)
from storage.values import Completed, Task, UpdateKey

USER_IDS = list_param(task_assignees.c.user_id, "user_ids")

# A change of a task's assignees: given the CTE `target` (the task's id), the select of its
# assignees after the change (`user_id`, `assigned_at`).
AssigneeChange = Callable[[sa.CTE], sa.Select[Any] | sa.CompoundSelect[Any]]


def _assignees_changed(change: AssigneeChange) -> sa.Select[Any]:
    """The once-per-key statement that changes the assignees of the live task `:task_number`
    of the list `:list_id` (as `change` says, given the CTE of the task's id) and reports the
    task with its assignees after the change: `assignee_ids`, `assignee_usernames` and
    `assignee_names`, in the order they were assigned, and the list's zone."""
    target = (
        sa.select(tasks.c.id)
        .where(tasks.c.chat_id == CHAT_ID, tasks.c.number == NUMBER, tasks.c.deleted_at.is_(None))
        .cte("target")
    )
    changed = (
        sa.select(*TASK_COLUMNS)
        .where(tasks.c.id.in_(sa.select(target.c.id)), FIRST_TIME)
        .cte("changed")
    )
    # What the table holds once the statement is done (a statement does not see its own
    # changes), with what the bot knows of each user.
    holders = change(target).cte("holders")
    people = (
        sa.select(holders.c.user_id, holders.c.assigned_at, users.c.username, users.c.first_name)
        .select_from(holders.outerjoin(users, users.c.user_id == holders.c.user_id))
        .cte("people")
    )

    def listed(column: sa.ColumnElement[Any], name: str) -> sa.ColumnElement[Any]:
        ordered = sa.select(column).order_by(people.c.assigned_at, people.c.user_id)
        return sa.func.array(ordered.scalar_subquery()).label(name)

    return once_per_key(
        changed,
        also=[
            listed(people.c.user_id, "assignee_ids"),
            listed(people.c.username, "assignee_usernames"),
            listed(people.c.first_name, "assignee_names"),
            LIST_ZONE,
        ],
    )


def _added(target: sa.CTE) -> sa.Select[Any]:
    """Add `:user_ids` to the task (those already on it stay as they were); the ones added."""
    new = sa.func.unnest(USER_IDS).table_valued("user_id").render_derived(name="new_assignee")
    added = (
        insert(task_assignees)
        .from_select(
            ["task_id", "user_id"],
            sa.select(target.c.id, new.c.user_id)
            .select_from(target.join(new, sa.true()))
            .where(FIRST_TIME),
            include_defaults=False,
        )
        .on_conflict_do_nothing()
        .returning(task_assignees.c.user_id, task_assignees.c.assigned_at)
        .cte("added")
    )
    return sa.select(added.c.user_id, added.c.assigned_at)


def _holders_after_assigning(target: sa.CTE) -> sa.CompoundSelect[Any]:
    """Add `:user_ids` to the task (those already on it stay as they were)."""
    return sa.union_all(
        sa.select(task_assignees.c.user_id, task_assignees.c.assigned_at).where(
            task_assignees.c.task_id.in_(sa.select(target.c.id))
        ),
        _added(target),
    )


def _holders_after_unassigning(target: sa.CTE) -> sa.Select[Any]:
    """Take `:user_ids` (NULL: everyone) off the task."""
    on_task = task_assignees.c.task_id.in_(sa.select(target.c.id))
    wanted = sa.or_(USER_IDS.is_(None), task_assignees.c.user_id == sa.any_(USER_IDS))
    removed = (
        sa.delete(task_assignees)
        .where(on_task, FIRST_TIME, wanted)
        .returning(task_assignees.c.user_id)
        .cte("removed")
    )
    return sa.select(task_assignees.c.user_id, task_assignees.c.assigned_at).where(
        on_task, task_assignees.c.user_id.not_in(sa.select(removed.c.user_id))
    )


def _holders_after_setting(target: sa.CTE) -> sa.CompoundSelect[Any]:
    """Make `:user_ids` the task's assignees: the others are taken off, the new ones added, and
    those who stay keep their place (their assigned_at)."""
    on_task = task_assignees.c.task_id.in_(sa.select(target.c.id))
    removed = (
        sa.delete(task_assignees)
        .where(on_task, FIRST_TIME, task_assignees.c.user_id != sa.all_(USER_IDS))
        .returning(task_assignees.c.user_id)
        .cte("removed")
    )
    staying = sa.select(task_assignees.c.user_id, task_assignees.c.assigned_at).where(
        on_task, task_assignees.c.user_id.not_in(sa.select(removed.c.user_id))
    )
    return sa.union_all(staying, _added(target))


# Parameters: the task `:task_number` of the list `:list_id`, `:user_ids`, and the key.
ASSIGN = _assignees_changed(_holders_after_assigning)
UNASSIGN = _assignees_changed(_holders_after_unassigning)
SET_ASSIGNEES = _assignees_changed(_holders_after_setting)


async def assign(
    db: Database,
    *,
    chat_id: int,
    number: int,
    user_ids: Sequence[int],
    update_key: UpdateKey | None = None,
) -> AssignedTask:
    """Assign the chat's task to these users (those already on it stay); the task with all its
    assignees after the change. TaskNotFound when the chat has no such task."""
    return await _change_assignees(db, ASSIGN, chat_id, number, user_ids, update_key)


async def unassign(
    db: Database,
    *,
    chat_id: int,
    number: int,
    user_ids: Sequence[int] | None = None,
    update_key: UpdateKey | None = None,
) -> AssignedTask:
    """Take these users (None: everyone) off the chat's task; the task with who is left."""
    check_number(number)
    wanted = sorted(set(user_ids)) if user_ids is not None else None
    params = {"list_id": chat_id, "task_number": number, "user_ids": wanted}
    rows = await execute_change(db, UNASSIGN, params, update_key=update_key)
    return assigned_task(rows, number)


async def set_assignees(
    db: Database,
    *,
    chat_id: int,
    number: int,
    user_ids: Sequence[int],
    update_key: UpdateKey | None = None,
) -> AssignedTask:
    """Assign the chat's task to exactly these users (the task API's "assignees": [...]): who
    is not on it yet is added, who is on it and not named taken off; those who stay keep their
    place. One statement; TaskNotFound when the chat has no such task."""
    return await _change_assignees(db, SET_ASSIGNEES, chat_id, number, user_ids, update_key)


async def _change_assignees(
    db: Database,
    statement: sa.Executable,
    chat_id: int,
    number: int,
    user_ids: Sequence[int],
    update_key: UpdateKey | None,
) -> AssignedTask:
    check_number(number)
    params = {"list_id": chat_id, "task_number": number, "user_ids": sorted(set(user_ids))}
    rows = await execute_change(db, statement, params, update_key=update_key)
    return assigned_task(rows, number)


# Put into the WHERE clause of a change of `tasks`: only when `:user_id` is one of the task's
# assignees (so a button naming a task, or another chat, changes nothing for anyone else).
IS_ASSIGNEE = sa.exists().where(
    task_assignees.c.task_id == tasks.c.id,
    task_assignees.c.user_id == param(task_assignees.c.user_id),
)

# Complete the task `:task_number` (storage.completing) when `:user_id` is an assignee.
_SET_DONE_BY_ASSIGNEE = once_per_key(
    set_done((tasks.c.number == NUMBER) & IS_ASSIGNEE).changed, as_now=NEXT_DUE_NOW
)
# Remind of the task `:task_number` again at `:snooze_until` (or sooner: reminders.snoozed,
# seen at `:now`) when `:user_id` is an assignee.
_SNOOZE_BY_ASSIGNEE = one_task_changed(
    {tasks.c.remind_at: snoozed(SNOOZE_UNTIL), tasks.c.reminder_failures: 0},
    also=[IS_ASSIGNEE],
)


async def set_done_by_assignee(
    db: Database,
    *,
    chat_id: int,
    number: int,
    user_id: int,
    update_key: UpdateKey | None = None,
    now: datetime | None = None,
) -> Completed:
    """Mark the chat's task done (a repeating one comes back for its next time), only if
    `user_id` is one of its assignees (checked in the same statement); NotAssignee otherwise
    (or when there is no such task), changing nothing."""
    params = {
        "list_id": chat_id,
        "task_number": number,
        "user_id": user_id,
        "done": True,
        "now": now or now_utc(),
    }
    try:
        check_number(number)
        rows = await execute_change(db, _SET_DONE_BY_ASSIGNEE, params, update_key=update_key)
    except TaskNotFound:
        raise NotAssignee(number) from None
    completed = completed_from_rows(rows)
    if not completed:
        raise NotAssignee(number)
    return completed[0]


async def snooze_by_assignee(
    db: Database,
    *,
    chat_id: int,
    number: int,
    user_id: int,
    until: datetime,
    update_key: UpdateKey | None = None,
    now: datetime | None = None,
) -> Task:
    """Remind again at `until` (or at the occurrence's next reminder, when that comes first:
    reminders.snoozed), only if `user_id` is one of the task's assignees (checked in the same
    statement); NotAssignee otherwise, changing nothing."""
    params = {
        "list_id": chat_id,
        "task_number": number,
        "user_id": user_id,
        "snooze_until": until,
        "now": now or now_utc(),
    }
    try:
        return await run_change_one(db, _SNOOZE_BY_ASSIGNEE, params, update_key=update_key)
    except TaskNotFound:
        raise NotAssignee(number) from None
