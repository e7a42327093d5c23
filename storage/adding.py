"""Adding tasks: the chat's number sequence, and the statement that adds tasks with
consecutive numbers from it (storage.transfer's import adds through the same sequence)."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert

from storage.changes import FIRST_TIME, once_per_key
from storage.reminder_times import first_reminder_at
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


# A list of each task's minutes before its due time, one array per task written as text
# ("{1440,60}"): unnest would flatten an array of arrays into one list of numbers.
REMIND_BEFORES = sa.bindparam("remind_befores", type_=postgresql.ARRAY(sa.Text))


def remind_before_of(text: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """The minutes of one entry of REMIND_BEFORES, as the column keeps them."""
    return sa.cast(text, tasks.c.remind_before.type)


def remind_befores_param(befores: list[tuple[int, ...] | None]) -> list[str]:
    """REMIND_BEFORES' value for each task's minutes before its due time (None: none)."""
    return ["{" + ",".join(map(str, before or ())) + "}" for before in befores]


def _add() -> sa.Select[Any]:
    """Add `:count` tasks to the chat, numbered in order, one per entry of the lists `:titles`,
    `:descriptions`, `:dues`, `:recurrences` and `:remind_befores`, by `:created_by`; each is
    reminded of at its first reminder before its due time, or then."""
    counter = numbers_taken()
    new = (
        sa.func.unnest(
            list_param(tasks.c.title, "titles"),
            list_param(tasks.c.description, "descriptions"),
            list_param(tasks.c.due_at, "dues"),
            list_param(tasks.c.recurrence, "recurrences"),
            REMIND_BEFORES,
        )
        .table_valued(
            "title", "description", "due_at", "recurrence", "remind_before", with_ordinality="ord"
        )
        .render_derived(name="new_task")
    )
    remind_before = remind_before_of(new.c.remind_before)
    values = {
        "chat_id": CHAT_ID,
        "number": counter.c.last_task_number - COUNT + new.c.ord,
        "title": new.c.title,
        "description": new.c.description,
        "created_by": param(tasks.c.created_by),
        "due_at": new.c.due_at,
        "remind_at": first_reminder_at(new.c.due_at, remind_before, sa.func.now()),
        "recurrence": new.c.recurrence,
        "remind_before": remind_before,
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
