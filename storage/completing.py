"""Completing tasks: the statements that set tasks done (or open), in which a repeating task
completed is opened again at once for its next time, and the Completed values of their rows.

A target state rather than a toggle, so a double tap or a stale button cannot flip a task back;
tasks already in that state are left untouched but reported too. A repeating task's next time
is `next_due_when_done()` (migration 0012) of its rule in the list's zone: after the later of
`:now` and its due time, or for a rule counted from completion, after `:now`; past its `until`
there is none and it stays done. Its reminders before the due time come again for that time,
and its checklist comes back with every item open, in the same statement.

Parameters: `:list_id`, `:done` (the state to set), `:now`, and which tasks (`:numbers`,
`:task_number`), besides the key (storage.changes).
"""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from storage.changes import FIRST_TIME, once_per_key, recorded, reported
from storage.list_order import admits
from storage.pages import LABELLED, ON_CHAT, PLAIN, Pages, chat
from storage.reminder_times import first_reminder_at
from storage.tables import (
    CHAT_ID,
    NUMBER,
    TASK_COLUMNS,
    TIMESTAMP,
    chats,
    list_param,
    param,
    task_from_row,
    tasks,
)
from storage.values import Completed

DONE = param(tasks.c.done)
NOW = sa.bindparam("now", type_=TIMESTAMP)
NUMBERS = list_param(tasks.c.number, "numbers")


def completing(
    which: sa.ColumnElement[bool],
    *,
    due: sa.ColumnElement[Any] = tasks.c.due_at,
    rule: sa.ColumnElement[Any] = tasks.c.recurrence,
) -> sa.CTE:
    """The CTE `target`: the ids of the live tasks of the list `:list_id` matching `which`,
    each with the `next_due` it comes back for when `:done` completes it (NULL unless it
    repeats). `due` and `rule` are its due time and repeat rule (the task's own unless a
    change gives new ones)."""
    settings = chats.alias("settings")
    repeats = DONE & ~tasks.c.done & rule.is_not(None)
    next_time = sa.func.next_due_when_done(rule, due, NOW, settings.c.timezone, type_=TIMESTAMP)
    return (
        sa.select(tasks.c.id, sa.case((repeats, next_time)).label("next_due"))
        .select_from(tasks.outerjoin(settings, settings.c.chat_id == tasks.c.chat_id))
        .where(tasks.c.chat_id == CHAT_ID, which, tasks.c.deleted_at.is_(None), FIRST_TIME)
        .cte("target")
    )


def unticked_when_repeating(
    next_due: sa.ColumnElement[Any], checklist: sa.ColumnElement[Any] = tasks.c.checklist
) -> sa.ColumnElement[Any]:
    """The checklist (the task's, or a new one) after a completion: every item open again when
    the task comes back for its next time (`next_due` not NULL), as it was otherwise
    (migration 0013's function)."""
    return sa.case(
        (next_due.is_(None), checklist),
        else_=sa.func.checklist_unticked(checklist, type_=tasks.c.checklist.type),
    )


def reopened_for_next(target: sa.CTE) -> dict[sa.Column[Any], sa.ColumnElement[Any]]:
    """The values that move a completed repeating task (with `target`'s `next_due`) to its next
    time, reminded at its first reminder before that time still to come (or then), with its
    checklist unticked; other tasks keep their due time, reminder and checklist."""
    next_due = target.c.next_due
    first_reminder = first_reminder_at(next_due, tasks.c.remind_before, NOW)
    return {
        tasks.c.due_at: sa.func.coalesce(next_due, tasks.c.due_at),
        tasks.c.remind_at: sa.func.coalesce(first_reminder, tasks.c.remind_at),
        tasks.c.reminder_failures: sa.case(
            (next_due.is_(None), tasks.c.reminder_failures), else_=0
        ),
        tasks.c.checklist: unticked_when_repeating(next_due),
    }


# On a repeat of a completing statement, its tasks as they are now: a repeating task that is
# open again was completed then, and is due at the next time it was given.
NEXT_DUE_NOW = {
    "next_due": sa.case((~tasks.c.done & tasks.c.recurrence.is_not(None), tasks.c.due_at))
}


@dataclass(frozen=True)
class SetDone:
    """The CTEs of setting `:done` on some tasks: `flipped` holds those whose state changed,
    `changed` every matched task after the change; both with their `next_due`."""

    flipped: sa.CTE
    changed: sa.CTE


def set_done(which: sa.ColumnElement[bool]) -> SetDone:
    """Set `:done` on the list's live tasks matching `which` (a condition on `tasks`)."""
    target = completing(which)
    stays_done = DONE & target.c.next_due.is_(None)
    flipped = (
        sa.update(tasks)
        .where(tasks.c.id == target.c.id, tasks.c.done != DONE)
        .values(
            {
                tasks.c.done: stays_done,
                tasks.c.completed_at: sa.case((stays_done, sa.func.now())),
                **reopened_for_next(target),
                tasks.c.updated_at: sa.func.now(),
            }
        )
        .returning(*TASK_COLUMNS, target.c.next_due)
        .cte("flipped")
    )
    unchanged = sa.select(*TASK_COLUMNS, sa.null().label("next_due")).where(
        tasks.c.id.in_(sa.select(target.c.id)), tasks.c.id.not_in(sa.select(flipped.c.id))
    )
    changed = sa.union_all(sa.select(*flipped.c), unchanged).cte("changed")
    return SetDone(flipped=flipped, changed=changed)


# Set `:done` on the list's tasks `:numbers`; they are reported with their `next_due`.
SET_DONE = once_per_key(set_done(tasks.c.number == sa.any_(NUMBERS)).changed, as_now=NEXT_DUE_NOW)


def _done_then_page(pages: Pages) -> sa.Select[Any]:
    """A tick on a list button: set the task's state and return the page the list shows next,
    in one round trip. The page is read from the statement's snapshot (before the change), so
    the changed task is taken out of it (and put in where its new state and place belong to
    the view), and the counts are corrected by what changed. Parameters: `:view_done` and
    those of a page (storage.pages: `:start`, `:limit`, the filter's) and the task
    `:task_number`.

    Rows: `kind` 'changed' (the task, as reported by once_per_key) or 'page' (a task of the
    page), each with `first_time`, the corrected counts, `timezone` and `previous_start`.
    """
    view_done = param(tasks.c.done, "view_done")
    done = set_done(tasks.c.number == NUMBER)
    flipped = done.flipped
    # +1 for each task that left the open list, -1 for each that came back to it (a repeating
    # task completed and opened again for its next time stays where it was).
    to_done = sa.func.coalesce(sa.func.sum(sa.case((flipped.c.done, 1), else_=-1)), 0)
    moved = sa.select(to_done.label("to_done")).where(flipped.c.done == DONE).cte("moved")
    moved_to_done = sa.select(moved.c.to_done).scalar_subquery()
    in_view = sa.and_(flipped.c.done == view_done, admits(flipped))
    # A repeating task moves to its next time: it may now belong before the page.
    page, previous_start = pages.after_change(view_done, flipped, in_view)
    result = reported(done.changed, as_now=NEXT_DUE_NOW)
    rows = sa.union_all(
        sa.select(sa.literal("changed").label("kind"), *result.c),
        sa.select(sa.literal("page"), *page.c, sa.null()),
    ).subquery("rows")
    gate = sa.select(FIRST_TIME.label("first_time")).subquery("gate")
    return (
        sa.select(
            gate.c.first_time,
            (chat.c.open_tasks - moved_to_done).label("open_tasks"),
            (chat.c.done_tasks + moved_to_done).label("done_tasks"),
            chat.c.timezone,
            previous_start.label("previous_start"),
            *rows.c,
        )
        .select_from(gate.outerjoin(chat, ON_CHAT).outerjoin(rows, sa.true()))
        .add_cte(recorded(done.changed))
    )


DONE_THEN_PAGE = {False: _done_then_page(PLAIN), True: _done_then_page(LABELLED)}


def completed_from_rows(rows: list[sa.Row[Any]]) -> list[Completed]:
    """The tasks of a completing statement's rows (with their `next_due`), by number."""
    completed = [
        Completed(task_from_row(row), row._mapping["next_due"])
        for row in rows
        if row._mapping["id"] is not None
    ]
    return sorted(completed, key=lambda entry: entry.task.number)
