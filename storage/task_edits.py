"""Changing several things of one task in one statement (the task API's partial update).

The rules are the bot's own: titles and descriptions go through `clean_title` and
`clean_description`, and done is a target state as in `set_done` (setting the state a task
already has keeps its completion time).
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from storage.changes import check_number, execute_change, once_per_key
from storage.clock import now_utc
from storage.completing import (
    DONE,
    NEXT_DUE_NOW,
    completed_from_rows,
    completing,
    reopened_for_next,
)
from storage.db import Database
from storage.errors import TaskNotFound
from storage.models import Task, UpdateKey
from storage.tables import NUMBER, TASK_COLUMNS, param, tasks
from storage.validation import clean_description, clean_title


def _edit() -> sa.Select[Any]:
    """Change the task `:task_number`: its title to `:title` unless NULL, its description to
    `:description` when `:set_description`, and its done state to `:done` unless NULL
    (completing a repeating task opens it again for its next time, as everywhere:
    storage.completing). It is reported with its `next_due`.

    In an UPDATE's SET list every column on the right is the row's old value, so `done` in the
    `completed_at` expression is the state before this change.
    """
    target = completing(tasks.c.number == NUMBER)
    title = param(tasks.c.title)
    set_description = sa.bindparam("set_description", type_=sa.Boolean)
    repeats = target.c.next_due.is_not(None)
    changed = (
        sa.update(tasks)
        .where(tasks.c.id == target.c.id)
        .values(
            {
                tasks.c.title: sa.func.coalesce(title, tasks.c.title),
                tasks.c.description: sa.case(
                    (set_description, param(tasks.c.description)), else_=tasks.c.description
                ),
                tasks.c.done: sa.case(
                    (repeats, sa.false()), else_=sa.func.coalesce(DONE, tasks.c.done)
                ),
                tasks.c.completed_at: sa.case(
                    (repeats, sa.null()),
                    (DONE.is_(None) | (tasks.c.done == DONE), tasks.c.completed_at),
                    (DONE, sa.func.now()),
                ),
                **reopened_for_next(target),
                tasks.c.updated_at: sa.func.now(),
            }
        )
        .returning(*TASK_COLUMNS, target.c.next_due)
        .cte("changed")
    )
    return once_per_key(changed, as_now=NEXT_DUE_NOW)


EDIT = _edit()


class _Keep:
    """The marker for "leave the description as it is" (None clears it)."""


KEEP = _Keep()


async def edit_task(
    db: Database,
    *,
    chat_id: int,
    number: int,
    title: str | None = None,
    description: str | _Keep | None = KEEP,
    done: bool | None = None,
    update_key: UpdateKey | None = None,
    now: datetime | None = None,
) -> Task:
    """Change a task's title, description and done state at once and return the task.

    None leaves the title or the state as it is; the description stays unless one is given
    (None or blank text clears it). Raises InvalidTitle, InvalidDescription or TaskNotFound,
    and changes nothing then. A repeating task completed comes back open, due at its next time.
    """
    check_number(number)
    params = {
        "list_id": chat_id,
        "task_number": number,
        "title": None if title is None else clean_title(title),
        "set_description": not isinstance(description, _Keep),
        "description": None if isinstance(description, _Keep) else clean_description(description),
        "done": done,
        "now": now or now_utc(),
    }
    completed = completed_from_rows(await execute_change(db, EDIT, params, update_key=update_key))
    if not completed:
        raise TaskNotFound(number)
    return completed[0].task
