"""Assigning tasks: the once-per-key statements that add and take assignees of a chat's task
(storage.changes), each reporting the task with its assignees after the change."""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from storage.changes import FIRST_TIME, once_per_key
from storage.tables import (
    CHAT_ID,
    NUMBER,
    TASK_COLUMNS,
    list_param,
    task_assignees,
    tasks,
    users,
)

USER_IDS = list_param(task_assignees.c.user_id, "user_ids")

# A change of a task's assignees: given the CTE `target` (the task's id), the select of its
# assignees after the change (`user_id`, `assigned_at`).
AssigneeChange = Callable[[sa.CTE], sa.Select[Any] | sa.CompoundSelect[Any]]


def _assignees_changed(change: AssigneeChange) -> sa.Select[Any]:
    """The once-per-key statement that changes the assignees of the live task `:task_number`
    of the list `:list_id` (as `change` says, given the CTE of the task's id) and reports the
    task with its assignees after the change: `assignee_ids`, `assignee_usernames` and
    `assignee_names`, in the order they were assigned."""
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
        ],
    )


def _holders_after_assigning(target: sa.CTE) -> sa.CompoundSelect[Any]:
    """Add `:user_ids` to the task (those already on it stay as they were)."""
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
    return sa.union_all(
        sa.select(task_assignees.c.user_id, task_assignees.c.assigned_at).where(
            task_assignees.c.task_id.in_(sa.select(target.c.id))
        ),
        sa.select(added.c.user_id, added.c.assigned_at),
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


# Parameters: the task `:task_number` of the list `:list_id`, `:user_ids`, and the key.
ASSIGN = _assignees_changed(_holders_after_assigning)
UNASSIGN = _assignees_changed(_holders_after_unassigning)
