"""Changing several things of one task in one statement (the task API's partial update).

The rules are the bot's own: titles and descriptions go through `clean_title` and
`clean_description`, done is a target state as in `set_done` (setting the state a task
already has keeps its completion time), and a new due time, repeat rule or reminders before
the due time set the next reminder as /due and /remind do (storage.reminders).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from storage.changes import check_number, execute_change, once_per_key
from storage.clock import now_utc
from storage.completing import (
    DONE,
    NEXT_DUE_NOW,
    NOW,
    completed_from_rows,
    completing,
    unticked_when_repeating,
)
from storage.db import Database
from storage.errors import ChecklistFull, TaskNotFound
from storage.reminder_times import first_reminder_at, reminders_before
from storage.reminders import BEFORE
from storage.tables import NUMBER, TASK_COLUMNS, TIMESTAMP, param, tasks
from storage.task_fields import (
    MAX_CHECKLIST_ITEMS,
    PRIORITIES,
    checklist_json,
    clean_items,
    labels_of,
)
from storage.validation import clean_description, clean_title
from storage.values import ChecklistItem, Task, UpdateKey


def _flag(name: str) -> sa.BindParameter[bool]:
    return sa.bindparam(name, type_=sa.Boolean)


def _edit() -> sa.Select[Any]:
    """Change the task `:task_number`: its title to `:title` (and its labels to `:new_labels`)
    unless NULL, its priority to `:priority` when `:set_priority`, its checklist to
    `:new_checklist` (JSON) when `:set_checklist`, its description to
    `:description` when `:set_description`, its due time and repeat rule to `:due_at` and
    `:recurrence` when `:set_due`, its reminders before the due time to `:before_minutes` when
    `:set_reminders`, its nag interval to `:nag_minutes` when `:set_nag`, and its done state
    to `:done` unless NULL (completing a repeating task opens it again for its next time, by
    its new rule when one is given, as everywhere: storage.completing). It is reported with
    its `next_due`.

    The next reminder is the new due time's first (only while that is still to come, as an
    import sets it), or with new reminders before an unchanged due time, the first of those
    still to come. In an UPDATE's SET list every column on the right is the row's old value, so
    `done` in the `completed_at` expression is the state before this change.
    """
    set_due, set_reminders = _flag("set_due"), _flag("set_reminders")
    due = sa.case((set_due, param(tasks.c.due_at)), else_=tasks.c.due_at)
    rule = sa.case((set_due, param(tasks.c.recurrence)), else_=tasks.c.recurrence)
    before = sa.case((set_reminders, BEFORE), else_=tasks.c.remind_before)
    target = completing(tasks.c.number == NUMBER, due=due, rule=rule)
    title = param(tasks.c.title)
    set_description = _flag("set_description")
    set_priority, set_checklist = _flag("set_priority"), _flag("set_checklist")
    new_checklist = sa.cast(sa.bindparam("new_checklist", type_=sa.Text), postgresql.JSONB)
    checklist = sa.case((set_checklist, new_checklist), else_=tasks.c.checklist)
    repeats = target.c.next_due.is_not(None)
    upcoming = sa.func.next_reminder(tasks.c.due_at, before, NOW, type_=TIMESTAMP)
    remind_at = sa.case(
        (repeats, first_reminder_at(target.c.next_due, before, NOW)),
        (set_due, sa.case((due > NOW, first_reminder_at(due, before, NOW)))),
        (set_reminders, sa.func.coalesce(upcoming, tasks.c.remind_at)),
        else_=tasks.c.remind_at,
    )
    changed = (
        sa.update(tasks)
        .where(tasks.c.id == target.c.id)
        .values(
            {
                tasks.c.title: sa.func.coalesce(title, tasks.c.title),
                tasks.c.labels: sa.func.coalesce(
                    param(tasks.c.labels, "new_labels"), tasks.c.labels
                ),
                tasks.c.priority: sa.case(
                    (set_priority, param(tasks.c.priority)), else_=tasks.c.priority
                ),
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
                tasks.c.due_at: sa.func.coalesce(target.c.next_due, due),
                tasks.c.recurrence: rule,
                tasks.c.nag_minutes: sa.case(
                    (_flag("set_nag"), param(tasks.c.nag_minutes)), else_=tasks.c.nag_minutes
                ),
                tasks.c.remind_before: before,
                tasks.c.remind_at: remind_at,
                tasks.c.reminder_failures: sa.case(
                    (repeats | set_due, 0), else_=tasks.c.reminder_failures
                ),
                tasks.c.checklist: unticked_when_repeating(target.c.next_due, checklist),
                tasks.c.updated_at: sa.func.now(),
            }
        )
        .returning(*TASK_COLUMNS, target.c.next_due)
        .cte("changed")
    )
    return once_per_key(changed, as_now=NEXT_DUE_NOW)


EDIT = _edit()


class _Keep:
    """The marker for "leave the description (or the nag, or the priority) as it is" (None
    clears it)."""


KEEP = _Keep()


@dataclass(frozen=True, slots=True)
class Schedule:
    """A new due time (None: none), its repeat rule (stored text, or None) and, when given, the
    minutes before it the task is reminded at (None: the ones it has)."""

    due_at: datetime | None
    recurrence: str | None = None
    remind_before: Sequence[int] | None = None


async def edit_task(
    db: Database,
    *,
    chat_id: int,
    number: int,
    title: str | None = None,
    description: str | _Keep | None = KEEP,
    done: bool | None = None,
    due: Schedule | None = None,
    remind_before: Sequence[int] | None = None,
    nag_minutes: int | _Keep | None = KEEP,
    priority: int | _Keep | None = KEEP,
    checklist: Sequence[ChecklistItem] | None = None,
    update_key: UpdateKey | None = None,
    now: datetime | None = None,
) -> Task:
    """Change a task's title (its hashtags its labels), description, due time and repeat
    (`due`), reminders before the due time, nag interval, priority, checklist (replaced whole)
    and done state at once and return the task.

    None leaves the title, the state, the due time, the reminders or the checklist as they
    are; the description, the nag interval and the priority stay unless given (None clears
    them). Raises InvalidTitle, InvalidDescription, InvalidChecklistItem, ChecklistFull or
    TaskNotFound, and changes nothing then. A repeating task completed comes back open, due at
    its next time, its checklist unticked.
    """
    check_number(number)
    cleaned = None if title is None else clean_title(title)
    items = None
    if checklist is not None:
        if len(checklist) > MAX_CHECKLIST_ITEMS:
            raise ChecklistFull(number, MAX_CHECKLIST_ITEMS)
        texts = clean_items([item.text for item in checklist])
        items = [ChecklistItem(t, item.done) for t, item in zip(texts, checklist, strict=True)]
    if isinstance(priority, int) and priority not in PRIORITIES:
        raise ValueError("a priority is 1, 2 or 3")
    before = remind_before if remind_before is not None else due.remind_before if due else None
    params = {
        "list_id": chat_id,
        "task_number": number,
        "title": cleaned,
        "new_labels": None if cleaned is None else list(labels_of(cleaned)),
        "set_priority": not isinstance(priority, _Keep),
        "priority": None if isinstance(priority, _Keep) else priority,
        "set_checklist": items is not None,
        "new_checklist": None if items is None else checklist_json(items),
        "set_description": not isinstance(description, _Keep),
        "description": None if isinstance(description, _Keep) else clean_description(description),
        "done": done,
        "set_due": due is not None,
        "due_at": due.due_at if due else None,
        "recurrence": due.recurrence if due and due.due_at else None,
        "set_reminders": before is not None,
        "before_minutes": None if before is None else list(reminders_before(before)),
        "set_nag": not isinstance(nag_minutes, _Keep),
        "nag_minutes": None if isinstance(nag_minutes, _Keep) else nag_minutes,
        "now": now or now_utc(),
    }
    completed = completed_from_rows(await execute_change(db, EDIT, params, update_key=update_key))
    if not completed:
        raise TaskNotFound(number)
    return completed[0].task
