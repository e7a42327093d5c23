"""Changing several things of one task in one statement (the task API's partial update).

The rules are the bot's own: titles and descriptions go through `clean_title` and
`clean_description`, and done is a target state as in `set_done` (setting the state a task
already has keeps its completion time).
"""

from storage import statements
from storage.changes import run_change_one
from storage.db import Database
from storage.models import Task, UpdateKey
from storage.validation import clean_description, clean_title

# Each part applies only when its parameter says so; the others keep the row's value. In an
# UPDATE's SET list every column on the right is the row's old value, so `done` in the
# completed_at expression is the state before this change.
EDIT = statements.update_one("""
    title = COALESCE(CAST(:title AS text), title),
    description = CASE WHEN CAST(:set_description AS boolean) THEN :description
        ELSE description END,
    done = COALESCE(:done, done),
    completed_at = CASE
        WHEN :done IS NULL OR :done = done THEN completed_at
        WHEN :done THEN now()
    END,
    updated_at = now()""")


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
) -> Task:
    """Change a task's title, description and done state at once and return the task.

    None leaves the title or the state as it is; the description stays unless one is given
    (None or blank text clears it). Raises InvalidTitle, InvalidDescription or TaskNotFound,
    and changes nothing then.
    """
    params = {
        "chat_id": chat_id,
        "number": number,
        "title": None if title is None else clean_title(title),
        "set_description": not isinstance(description, _Keep),
        "description": None if isinstance(description, _Keep) else clean_description(description),
        "done": done,
    }
    return await run_change_one(db, EDIT, params, once_for=once_for)
