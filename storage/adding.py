"""Adding tasks: the chat's number sequence, the statement that adds tasks with consecutive
numbers from it (storage.transfer's import is built and run the same way), and the checks of
the fields an add is given.

A list holds at most so many tasks (storage.lists.ListCaps): the sequence moves on only while
the list's counts plus the new tasks stay within `:max_open` open and `:max_total` in all, in
the statement that adds, under the chat row's lock. Concurrent adds cannot overshoot the caps,
and an add that would is refused whole: it adds nothing (`ADD` returns no task)."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert

from storage.changes import FIRST_TIME, once_per_key, run_change
from storage.db import Database
from storage.errors import InvalidTitle, ListFull
from storage.lists import ListCaps
from storage.reminder_times import first_reminder_at
from storage.tables import CHAT_ID, TASK_COLUMNS, chats, list_param, param, tasks
from storage.task_fields import PRIORITIES as PRIORITY_VALUES
from storage.task_fields import checklist_items, checklist_json, labels_of
from storage.validation import check_due, clean_description, clean_title
from storage.values import ChecklistItem, DueEntry, Task, UpdateKey

COUNT = param(chats.c.last_task_number, "count")
# How many of the `:count` new tasks are open; the list's caps (storage.lists.ListCaps).
NEW_OPEN = param(chats.c.open_tasks, "new_open")
MAX_OPEN = param(chats.c.open_tasks, "max_open")
MAX_TOTAL = param(chats.c.open_tasks, "max_total")


def numbers_taken() -> sa.CTE:
    """The CTE `counter`: moves the chat's number sequence on by `:count` (making the chat's
    row on first use; its row lock orders concurrent adds in one chat) and returns the last
    number it gave out. New task k of the `:count` (from 1) takes last - count + k.

    It returns no row, and so nothing is added, when the list would then hold more than
    `:max_open` open tasks or `:max_total` in all (`:new_open` of the new ones are open). The
    counts are read from the row as the lock leaves it: an add that waited for another sees
    the tasks that one added (ON CONFLICT DO UPDATE reads the newest row version)."""
    fits_new = (NEW_OPEN <= MAX_OPEN) & (COUNT <= MAX_TOTAL)
    bump = sa.select(CHAT_ID, COUNT).where(FIRST_TIME, fits_new)
    fits = (chats.c.open_tasks + NEW_OPEN <= MAX_OPEN) & (
        chats.c.open_tasks + chats.c.done_tasks + COUNT <= MAX_TOTAL
    )
    return (
        insert(chats)
        .from_select(["chat_id", "last_task_number"], bump, include_defaults=False)
        .on_conflict_do_update(
            index_elements=[chats.c.chat_id],
            set_={chats.c.last_task_number: chats.c.last_task_number + COUNT},
            where=fits,
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


# Each task's labels as an array written as text ("{\"finance\",\"urgent\"}"), as
# REMIND_BEFORES; each task's checklist (and, for an import, attachments) as JSON text.
LABEL_LISTS = sa.bindparam("label_lists", type_=postgresql.ARRAY(sa.Text))
CHECKLISTS = sa.bindparam("checklists", type_=postgresql.ARRAY(sa.Text))
PRIORITIES = list_param(tasks.c.priority, "priorities")


def labels_param(label_lists: Sequence[Sequence[str]]) -> list[str]:
    """LABEL_LISTS' value for each task's labels. Every element is quoted (a label may be
    `null`, which would otherwise be read as NULL); labels hold no quote or backslash."""
    return ["{" + ",".join(f'"{label}"' for label in labels) + "}" for labels in label_lists]


def jsonb_of(text: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """An entry of CHECKLISTS (JSON text) as the jsonb columns keep it."""
    return sa.cast(text, postgresql.JSONB)


def numbered_insert(
    lists: dict[str, sa.BindParameter[Any]], values: Callable[[Any], dict[str, Any]]
) -> sa.Select[Any]:
    """The statement that adds `:count` tasks to the chat, numbered in order after its last
    one: a task per position of the array parameters `lists` (keyed by the name of the column
    their entries are read as, in the row `new_task`), its columns `values(new_task)` (beside
    `chat_id` and `number`). It returns the tasks added, none when the list's caps refuse them
    (numbers_taken), and applies once per key."""
    counter = numbers_taken()
    new = (
        sa.func.unnest(*lists.values())
        .table_valued(*lists, with_ordinality="ord")
        .render_derived(name="new_task")
    )
    columns = {
        "chat_id": CHAT_ID,
        "number": counter.c.last_task_number - COUNT + new.c.ord,
        **values(new),
    }
    # Every new task with the counter's one row.
    rows = sa.select(*columns.values()).select_from(counter.join(new, sa.true()))
    added = (
        sa.insert(tasks)
        .from_select(list(columns), rows, include_defaults=False)
        .returning(*TASK_COLUMNS)
        .cte("changed")
    )
    return once_per_key(added)


def _add() -> sa.Select[Any]:
    """Add `:count` tasks to the chat, numbered in order, one per entry of the lists `:titles`,
    `:descriptions`, `:dues`, `:recurrences`, `:remind_befores`, `:priorities`, `:label_lists`
    and `:checklists`, by `:created_by`; each is reminded of at its first reminder before its
    due time, or then."""
    lists = {
        "title": list_param(tasks.c.title, "titles"),
        "description": list_param(tasks.c.description, "descriptions"),
        "due_at": list_param(tasks.c.due_at, "dues"),
        "recurrence": list_param(tasks.c.recurrence, "recurrences"),
        "remind_before": REMIND_BEFORES,
        "priority": PRIORITIES,
        "labels": LABEL_LISTS,
        "checklist": CHECKLISTS,
    }

    def values(new: Any) -> dict[str, Any]:
        remind_before = remind_before_of(new.c.remind_before)
        return {
            "title": new.c.title,
            "description": new.c.description,
            "created_by": param(tasks.c.created_by),
            "due_at": new.c.due_at,
            "remind_at": first_reminder_at(new.c.due_at, remind_before, sa.func.now()),
            "recurrence": new.c.recurrence,
            "remind_before": remind_before,
            "priority": new.c.priority,
            "labels": sa.cast(new.c.labels, tasks.c.labels.type),
            "checklist": jsonb_of(new.c.checklist),
        }

    return numbered_insert(lists, values)


ADD = _add()


def checked_fields(
    titles: Sequence[str],
    *,
    due: Sequence[DueEntry | tuple[datetime | None, str | None]] | None,
    descriptions: Sequence[str | None] | None,
    priorities: Sequence[int | None] | None,
    checklists: Sequence[Sequence[str | ChecklistItem]] | None,
) -> dict[str, Any]:
    """ADD's parameters of the tasks' fields (one entry per title; None: none for any),
    cleaned and checked: InvalidTitle (naming the line when there are several),
    InvalidDescription, InvalidDue, InvalidChecklistItem, ChecklistFull."""
    cleaned = []
    for line, title in enumerate(titles, start=1):
        try:
            cleaned.append(clean_title(title))
        except InvalidTitle as error:
            if len(titles) == 1:
                raise
            raise InvalidTitle(
                f"line {line}: {error.reason}", length=error.length, line=line
            ) from None
    if not cleaned:
        raise InvalidTitle("the title is empty")
    dues = (
        [DueEntry(*entry) for entry in due] if due is not None else [DueEntry(None)] * len(cleaned)
    )
    notes = [clean_description(d) for d in descriptions] if descriptions else [None] * len(cleaned)
    ranks = list(priorities) if priorities is not None else [None] * len(cleaned)
    items = [checklist_items(c) for c in checklists] if checklists else [[]] * len(cleaned)
    if len({len(dues), len(notes), len(ranks), len(items)} | {len(cleaned)}) != 1:
        raise ValueError("one due entry, description, priority and checklist per title")
    if any(p is not None and p not in PRIORITY_VALUES for p in ranks):
        raise ValueError("a priority is 1, 2 or 3")
    for entry in dues:
        check_due(entry.due_at)
    return {
        "titles": cleaned,
        "descriptions": notes,
        "dues": [entry.due_at for entry in dues],
        "recurrences": [entry.recurrence for entry in dues],
        "remind_befores": remind_befores_param([entry.remind_before for entry in dues]),
        "priorities": ranks,
        "label_lists": labels_param([labels_of(title) for title in cleaned]),
        "checklists": [checklist_json(entries) for entries in items],
    }


def adding_params(
    fields: dict[str, Any], *, chat_id: int, new_open: int, created_by: int | None, caps: ListCaps
) -> dict[str, Any]:
    """The parameters of an adding statement (ADD, or storage.transfer's IMPORT) for the tasks
    `fields` give, `new_open` of them open, within `caps`."""
    return {
        "list_id": chat_id,
        "count": len(fields["titles"]),
        "new_open": new_open,
        "max_open": caps.max_open,
        "max_total": caps.max_total,
        "created_by": created_by,
        **fields,
    }


async def add_numbered(
    db: Database,
    statement: sa.Executable,
    fields: dict[str, Any],
    *,
    chat_id: int,
    new_open: int,
    created_by: int | None,
    caps: ListCaps,
    update_key: UpdateKey | None,
) -> list[Task]:
    """Run the adding statement ADD for the tasks `fields` give (`new_open` of them open) and
    return them as added; ListFull when the list would then hold more than `caps` allow
    (nothing is added)."""
    params = adding_params(
        fields, chat_id=chat_id, new_open=new_open, created_by=created_by, caps=caps
    )
    added = await run_change(db, statement, params, update_key=update_key)
    if not added:
        raise ListFull(caps.max_open, caps.max_total)
    return added
