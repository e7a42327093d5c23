"""Changing several things of one task in one statement (the task API's partial update).

The rules are the bot's own: titles and descriptions go through `clean_title` and
`clean_description`, and done is a target state as in `set_done` (setting the state a task
already has keeps its completion time).
"""

from datetime import datetime

from storage import statements
from storage.changes import check_number, completed_from_rows, execute_change
from storage.clock import now_utc
from storage.db import Database
from storage.errors import TaskNotFound
from storage.models import Task, UpdateKey
from storage.validation import clean_description, clean_title

# Each part applies only when its parameter says so; the others keep the row's value. In an
# UPDATE's SET list every column on the right is the row's old value, so `done` in the
# completed_at expression is the state before this change. Completing a repeating task opens it
# again for its next time, as everywhere (statements.completing).
EDIT = statements.Change.of(
    f"""
{statements.completing("tasks.number = :number")},
changed AS (
    UPDATE tasks SET
        title = COALESCE(CAST(:title AS text), title),
        description = CASE WHEN CAST(:set_description AS boolean) THEN :description
            ELSE description END,
        done = CASE WHEN target.next_due IS NULL THEN COALESCE(:done, done) ELSE false END,
        completed_at = CASE
            WHEN target.next_due IS NOT NULL THEN NULL
            WHEN :done IS NULL OR :done = done THEN completed_at
            WHEN :done THEN now()
        END,
        {statements.REOPEN_FOR_NEXT},
        updated_at = now()
    FROM target
    WHERE tasks.id = target.id
    RETURNING {statements.OF_TASKS}, target.next_due
)""",
    tail=statements.DONE_RESULT,
)


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
    once_for: UpdateKey | None = None,
    now: datetime | None = None,
) -> Task:
    """Change a task's title, description and done state at once and return the task.

    None leaves the title or the state as it is; the description stays unless one is given
    (None or blank text clears it). Raises InvalidTitle, InvalidDescription or TaskNotFound,
    and changes nothing then. A repeating task completed comes back open, due at its next time.
    """
    check_number(number)
    params = {
        "chat_id": chat_id,
        "number": number,
        "title": None if title is None else clean_title(title),
        "set_description": not isinstance(description, _Keep),
        "description": None if isinstance(description, _Keep) else clean_description(description),
        "done": done,
        "now": now or now_utc(),
    }
    completed = completed_from_rows(await execute_change(db, EDIT, params, once_for=once_for))
    if not completed:
        raise TaskNotFound(number)
    return completed[0].task
