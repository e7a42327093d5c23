"""Changes made once per key: how a changing statement is composed so that it applies once
however often it runs (`once_per_key`), and how it is run (`run_change`).

Every change runs under a key: the Telegram update it serves, or a random key of the call's
own. The statement looks the key up in `processed_updates` (`seen`), gates each part of the
change with FIRST_TIME (false when the key was seen), and on the first run records the key with
the numbers of the tasks it changed, all in one statement. A repeat changes nothing and reports
the tasks the first run changed, as they are now. Two runs under one key at the same moment
cannot both apply: the second one's record collides with the first's on the primary key and the
whole second statement fails (unique violation); run again, it finds the first one's record.
"""

import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from storage.db import Database, Outcome
from storage.errors import DuplicateUpdate, TaskNotFound
from storage.tables import (
    CHAT_ID,
    NUMBER,
    TASK_COLUMNS,
    param,
    processed_updates,
    task_from_row,
    tasks,
)
from storage.values import Task, UpdateKey

# Task numbers are INTEGER in the database; anything outside cannot exist.
MAX_TASK_NUMBER = 2**31 - 1
# A change made for no Telegram update (the task API, tests) is recorded under this "bot" with
# a random id of its own, so that running it again after a lost answer finds the first run
# instead of applying twice. Telegram's bot ids are positive, so it never meets one.
OWN_KEY_BOT_ID = 0

_record = processed_updates.c
# The key's record from an earlier run (no row on the first run): `task_numbers`.
seen = (
    sa.select(_record.task_numbers)
    .where(_record.bot_id == param(_record.bot_id), _record.update_id == param(_record.update_id))
    .cte("seen")
)

# Put this into the WHERE clause of every part of a change: on a repeat it is false, so the
# change matches nothing.
FIRST_TIME: sa.ColumnElement[bool] = ~sa.exists(seen.select())


def recorded(changed: sa.CTE | None) -> sa.CTE:
    """The CTE that records the key on its first run, with the numbers of the tasks `changed`
    returns (none when `changed` is None). Nothing references it: add it with `add_cte`."""
    numbers: sa.ColumnElement[Any] = sa.cast(postgresql.array([]), _record.task_numbers.type)
    if changed is not None:
        changed_numbers = sa.select(sa.func.array_agg(changed.c.number)).scalar_subquery()
        numbers = sa.func.coalesce(changed_numbers, numbers)
    key = sa.select(param(_record.bot_id), param(_record.update_id), numbers).where(FIRST_TIME)
    return (
        sa.insert(processed_updates)
        .from_select(["bot_id", "update_id", "task_numbers"], key, include_defaults=False)
        .cte("recorded")
    )


def reported(
    changed: sa.CTE, *, as_now: Mapping[str, sa.ColumnElement[Any]] | None = None
) -> sa.CTE:
    """The CTE `result`: the tasks `changed` returns, or on a repeat the tasks the first run
    changed, as they are now. Its columns are `changed`'s; on a repeat each is read from
    `tasks` by its name, or is the expression `as_now` gives for that name."""
    given = as_now or {}
    then = [given[c.key].label(c.key) if c.key in given else tasks.c[c.key] for c in changed.c]
    # `seen` joins in as a second FROM: one row on a repeat, none on the first run.
    first_run = sa.select(*then).where(
        tasks.c.chat_id == CHAT_ID, tasks.c.number == sa.any_(seen.c.task_numbers)
    )
    return sa.union_all(sa.select(*changed.c), first_run).cte("result")


def once_per_key(
    changed: sa.CTE,
    *,
    as_now: Mapping[str, sa.ColumnElement[Any]] | None = None,
    also: Sequence[sa.ColumnElement[Any]] = (),
) -> sa.Select[Any]:
    """The statement that makes the change `changed` once per key (`:bot_id`, `:update_id`).

    `changed` is a CTE that makes the change, with FIRST_TIME in the WHERE clause of each of
    its parts, and returns the tasks it changed (TASK_COLUMNS, and any columns more). The
    statement records the key with those tasks' numbers, and returns one row per task (see
    `reported` and its `as_now`), or one row of NULLs when there is none; every row starts
    with `first_time` (false on a repeat) and ends with the columns `also`. For example:

        RENAME = once_per_key(
            sa.update(tasks)
            .where(tasks.c.chat_id == CHAT_ID, tasks.c.number == NUMBER, FIRST_TIME)
            .values({tasks.c.title: param(tasks.c.title)})
            .returning(*TASK_COLUMNS)
            .cte("changed")
        )
    """
    result = reported(changed, as_now=as_now)
    gate = sa.select(FIRST_TIME.label("first_time")).subquery("gate")
    return (
        sa.select(gate.c.first_time, *result.c, *also)
        .select_from(gate.outerjoin(result, sa.true()))
        .add_cte(recorded(changed))
    )


def summarized(
    change: sa.Select[Any],
    more: Callable[[sa.Subquery], Sequence[sa.ColumnElement[Any]]] = lambda rows: (),
) -> sa.Select[Any]:
    """One row instead of the rows of the once-per-key statement `change` (on a repeat: of the
    first run's tasks): `first_time`, how many tasks (`count`), whether one is open with a due
    time (`opens_due`, what execute_change asks of the rows), and the aggregates `more` makes
    of the rows. For changes of many tasks whose answer needs no task (an import, a clear):
    thousands of tasks are neither carried back nor built on the event loop."""
    rows = change.subquery("changed_rows")
    open_and_due = ~rows.c.done & rows.c.due_at.is_not(None)
    return sa.select(
        sa.func.bool_and(rows.c.first_time).label("first_time"),
        sa.func.count(rows.c.id).label("count"),
        sa.func.coalesce(sa.func.bool_or(open_and_due), False).label("opens_due"),
        *more(rows),
    )


def one_task_changed(
    values: Mapping[sa.Column[Any], Any],
    *,
    deleted: bool = False,
    also: Sequence[sa.ColumnElement[bool]] = (),
) -> sa.Select[Any]:
    """The once-per-key statement that sets `values` on the live task `:task_number` of the
    list `:list_id` (with `deleted`, on its deleted one) when `also` holds for it too, and
    reports the task."""
    state = tasks.c.deleted_at.is_not(None) if deleted else tasks.c.deleted_at.is_(None)
    changed = (
        sa.update(tasks)
        .where(tasks.c.chat_id == CHAT_ID, tasks.c.number == NUMBER, state, FIRST_TIME, *also)
        .values(values)
        .returning(*TASK_COLUMNS)
        .cte("changed")
    )
    return once_per_key(changed)


def check_number(number: int) -> None:
    if not 1 <= number <= MAX_TASK_NUMBER:
        raise TaskNotFound(number)


async def execute_change(
    db: Database,
    statement: sa.Executable,
    params: dict[str, Any],
    *,
    update_key: UpdateKey | None,
) -> list[sa.Row[Any]]:
    """Run a once-per-key statement and return its rows (the first has `first_time`).

    Every change runs under a key (the update's, or without one a random key of its own), so
    it is safe to run again: a dropped connection is retried even under an add, and if an
    earlier attempt turns out to have applied, its rows are returned as if this run had
    applied, as they are for an update replayed after a crash (`update_key.replayed`). A
    redelivered update raises DuplicateUpdate.
    """
    key = update_key or UpdateKey(bot_id=OWN_KEY_BOT_ID, update_id=secrets.randbits(63))
    outcome = await run_under_key(db, statement, params, key)
    first = outcome.rows[0]._mapping
    applied = first["first_time"] or outcome.uncertain
    if applied and any(_open_and_due(row._mapping) for row in outcome.rows):
        db.due_times_moved()
    if applied:
        db.lists_changed(params.get("list_id"))
    repeat_known = not outcome.uncertain and not (update_key and update_key.replayed)
    if update_key is not None and not first["first_time"] and repeat_known:
        raise DuplicateUpdate(update_key.bot_id, update_key.update_id)
    return outcome.rows


def _open_and_due(task: sa.RowMapping) -> bool:
    """Whether a task a change reported is open with a due time: given one, moved, snoozed,
    completed and back for its next time, opened again or brought back. Its reminder may now
    be due sooner than the scheduler knows. (Rows of a list page the change also returned are
    not changed tasks; a `summarized` change's one row says it in `opens_due`.)"""
    if "opens_due" in task:
        return bool(task["opens_due"])
    changed = task.get("kind", "changed") == "changed"
    return changed and task.get("due_at") is not None and task.get("done") is False


async def run_under_key(
    db: Database, statement: sa.Executable, params: Mapping[str, Any], key: UpdateKey
) -> Outcome:
    """Run a once-per-key statement under `key` (safe to retry: it applies once).

    When the same key ran at this very moment elsewhere and recorded itself first, this
    statement was undone whole (unique violation); running it again reports the other's work.
    """
    params = {**params, "bot_id": key.bot_id, "update_id": key.update_id}
    for attempt in (1, 2):
        try:
            return await db.execute(statement, params, idempotent=True)
        except sa.exc.IntegrityError as error:
            if attempt == 2 or "processed_updates" not in str(error):
                raise
    raise AssertionError("unreachable")


async def run_change(
    db: Database,
    statement: sa.Executable,
    params: dict[str, Any],
    *,
    update_key: UpdateKey | None,
) -> list[Task]:
    """Run a once-per-key statement; the tasks it changed (or matched), by number."""
    rows = await execute_change(db, statement, params, update_key=update_key)
    found = [task_from_row(row) for row in rows if row._mapping["id"] is not None]
    return sorted(found, key=lambda task: task.number)


async def run_change_one(
    db: Database,
    statement: sa.Executable,
    params: dict[str, Any],
    *,
    update_key: UpdateKey | None,
) -> Task:
    """Run a once-per-key statement about the task `params["task_number"]`; TaskNotFound when
    it matched none."""
    number = params["task_number"]
    check_number(number)
    found = await run_change(db, statement, params, update_key=update_key)
    if not found:
        raise TaskNotFound(number)
    return found[0]


# The CTE that forgets records made longer ago than :age. Telegram keeps an update for
# redelivery for 24 hours; older records only cost space. (The scheduler runs it inside its
# look at the due times: storage.due_times.next_due.)
FORGOTTEN_UPDATES = (
    sa.delete(processed_updates)
    .where(_record.processed_at < sa.func.now() - sa.bindparam("age", type_=sa.Interval))
    .returning(_record.bot_id)
    .cte("gone")
)
PURGE_PROCESSED_UPDATES = sa.select(sa.func.count().label("purged")).select_from(FORGOTTEN_UPDATES)


async def purge_processed_updates(db: Database, *, older_than_seconds: float) -> int:
    """Forget the updates processed longer ago than that; how many records went."""
    rows = await db.run(
        PURGE_PROCESSED_UPDATES,
        {"age": timedelta(seconds=older_than_seconds)},
        idempotent=True,
    )
    return int(rows[0]._mapping["purged"])
