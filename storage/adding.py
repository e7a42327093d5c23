"""Adding tasks: the chat's number sequence, and the statement that adds tasks with
consecutive numbers from it (storage.transfer's import adds through the same sequence)."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from storage.changes import FIRST_TIME, once_per_key
from storage.tables import CHAT_ID, TASK_COLUMNS, chats, list_param, param, tasks

COUNT = param(chats.c.last_task_number, "count")


def numbers_taken() -> sa.CTE:
    """The CTE `counter`: moves the chat's number sequence on by `:count` (making the chat's
    row on first use; its row lock orders concurrent adds in one chat) and returns the last
    number it gave out. New task k of the `:count` (from 1) takes last - count + k."""
    bump = sa.select(CHAT_ID, COUNT).where(FIRST_TIME)
    return (
        insert(chats)
        .from_select(["chat_id", "last_task_number"], bump, include_defaults=False)
        .on_conflict_do_update(
            index_elements=[chats.c.chat_id],
            set_={chats.c.last_task_number: chats.c.last_task_number + COUNT},
        )
        .returning(chats.c.last_task_number)
        .cte("counter")
    )


def _add() -> sa.Select[Any]:
    """Add `:count` tasks to the chat, numbered in order, one per entry of the lists `:titles`,
    `:descriptions`, `:dues` and `:recurrences`, by `:created_by`; each is reminded of at its
    due time."""
    counter = numbers_taken()
    new = (
        sa.func.unnest(
            list_param(tasks.c.title, "titles"),
            list_param(tasks.c.description, "descriptions"),
            list_param(tasks.c.due_at, "dues"),
            list_param(tasks.c.recurrence, "recurrences"),
        )
        .table_valued("title", "description", "due_at", "recurrence", with_ordinality="ord")
        .render_derived(name="new_task")
    )
    values = {
        "chat_id": CHAT_ID,
        "number": counter.c.last_task_number - COUNT + new.c.ord,
        "title": new.c.title,
        "description": new.c.description,
        "created_by": param(tasks.c.created_by),
        "due_at": new.c.due_at,
        "remind_at": new.c.due_at,
        "recurrence": new.c.recurrence,
    }
    # Every new task with the counter's one row.
    rows = sa.select(*values.values()).select_from(counter.join(new, sa.true()))
    added = (
        sa.insert(tasks)
        .from_select(list(values), rows, include_defaults=False)
        .returning(*TASK_COLUMNS)
        .cte("changed")
    )
    return once_per_key(added)


ADD = _add()
