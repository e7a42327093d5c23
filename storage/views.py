"""What the Mini App's views read: a list's tasks filtered (done or not, a due-time range, an
assignee, labels, priorities) with their assignees, the lists a user has used, and the people
of a list.

Each is one statement. A view's tasks come in /list's order (priority, due time, number:
storage.list_order), in number order, or by due time (today, upcoming, a month), with the
list's counts and time zone on every row, so a view costs one round trip whatever it shows.
A view filtered by labels reads the tasks of its first label from `ix_task_labels_list` (as
/list's pages do: storage.pages) rather than every task of the list.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from storage.assignees import Assignee, assigned_task, assignee_arrays
from storage.changes import MAX_TASK_NUMBER
from storage.db import Database
from storage.list_order import ALL_RANKS, LABELS, RANKS, due_order_of, rank_of
from storage.local_time import chat_zone, in_zone
from storage.recurrence import InvalidRecurrence, Recurrence
from storage.tables import (
    CHAT_ID,
    ONE_ROW,
    TASK_COLUMNS,
    TIMESTAMP,
    chats,
    param,
    task_assignees,
    task_labels,
    tasks,
    topic_lists,
    users,
)
from storage.values import Task

MAX_VIEW_TASKS = 500
MAX_LISTS = 50
MAX_PEOPLE = 100

# How a view's tasks are ordered: as /list shows them (priority, due time, number), by number,
# or by due time (soonest first, none last; one answer, not paged).
ViewOrder = Literal["list", "number", "due"]


@dataclass(frozen=True, slots=True)
class ViewTask:
    """A task of a view and the people it is assigned to, in the order assigned; for a
    repeating task in a view of days, the local days of those it falls on (from its due time
    on: the next time first)."""

    task: Task
    assignees: list[Assignee]
    falls_on: list[date] | None = None


@dataclass(frozen=True, slots=True)
class View:
    """The tasks a view shows (at most `limit`), the list's counts and time zone, and where
    the next page starts (the number of its first task; list and number order only; None on
    the last page)."""

    tasks: list[ViewTask]
    open_total: int
    done_total: int
    timezone: str | None
    next_start: int | None


@dataclass(frozen=True, slots=True)
class UsedList:
    """A list a user has used: their own, or a group's (or a forum topic's) where they added a
    task or were given one. `group_id` and `thread_id` place a topic's list in its group."""

    list_id: int
    open_total: int
    done_total: int
    timezone: str | None
    group_id: int
    thread_id: int | None


def _local_midnight(day: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """SQL: the moment the local date `day` starts in the list's time zone (UTC when unset)."""
    zone = sa.func.coalesce(
        sa.select(chats.c.timezone).where(chats.c.chat_id == CHAT_ID).scalar_subquery(), "UTC"
    )
    return sa.func.timezone(zone, sa.cast(day, sa.DateTime()), type_=TIMESTAMP)


def _start_bound(by_list: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """Where a page starts: with `:start` NULL, at the first task (the first page, whatever
    task #1's place); in /list's order (`by_list`), at the place of task #`:start` of the
    list (priority rank, due order, number), read whether it is done or deleted since (a
    deleted task keeps its row, so its place is still known); else from number `:start` on.

    A start that names no task of the list (none ever had that number) has no place: that
    page then holds the tasks numbered `:start` or more, still in /list's order, rather than
    starting over (which would show the first page again and, its last task being the same,
    never get further)."""
    start = param(tasks.c.number, "start")
    at = tasks.alias("at_start")

    def of_start(column: sa.ColumnElement[Any]) -> sa.ScalarSelect[Any]:
        return (
            sa.select(column)
            .where(at.c.chat_id == CHAT_ID, at.c.number == start)
            .scalar_subquery()
        )

    start_number = of_start(at.c.number)
    place = sa.tuple_(of_start(at.c.priority_rank), of_start(at.c.due_order), start_number)
    return sa.or_(
        start.is_(None),
        sa.and_(
            by_list, sa.tuple_(tasks.c.priority_rank, tasks.c.due_order, tasks.c.number) >= place
        ),
        sa.and_(sa.or_(~by_list, start_number.is_(None)), tasks.c.number >= start),
    )


# The first of `:with_labels`: the one whose index entries a labelled view reads.
FIRST_LABEL = sa.bindparam("first_label", type_=sa.Text)


def _view(*, labelled: bool) -> sa.Select[Any]:
    """The tasks of `:list_id` that are done as `:done` (NULL: either), due on the local days
    `:from_day` to `:to_day` (NULL: no bound; any bound leaves out tasks with no due time),
    assigned to `:assignee` (NULL: anyone), with a priority rank in `:ranks`, from `:start` on
    (see _start_bound); `labelled`, only those with every one of `:with_labels`, found by the
    first (`:first_label`) in `task_labels`. In /list's order when `:by_list`, by due time when
    `:by_due`, else by number; `:limit` + 1 at most. With `:with_repeats`, open repeating tasks
    due before `:to_day` ends come too, whenever they are due (they may fall on the days
    again). One row of NULL tasks when none match."""
    done = sa.cast(param(tasks.c.done), sa.Boolean)
    from_day = sa.cast(sa.bindparam("from_day", type_=sa.Date), sa.Date)
    to_day = sa.cast(sa.bindparam("to_day", type_=sa.Date), sa.Date)
    due_from = _local_midnight(from_day)
    due_before = _local_midnight(to_day + 1)
    with_repeats = sa.cast(sa.bindparam("with_repeats", type_=sa.Boolean), sa.Boolean)
    repeating = with_repeats & tasks.c.recurrence.is_not(None) & ~tasks.c.done
    assignee = sa.cast(param(task_assignees.c.user_id, "assignee"), sa.BigInteger)
    by_due = sa.cast(sa.bindparam("by_due", type_=sa.Boolean), sa.Boolean)
    by_list = sa.cast(sa.bindparam("by_list", type_=sa.Boolean), sa.Boolean)
    assigned = sa.exists().where(
        task_assignees.c.task_id == tasks.c.id, task_assignees.c.user_id == assignee
    )

    def ordered(row: Any) -> list[sa.ColumnElement[Any]]:
        # The CASEs are NULL (all alike) for the orders that do not use them.
        return [
            sa.case((by_list, rank_of(row.c.priority))).asc(),
            sa.case((by_due, row.c.due_at), (by_list, due_order_of(row.c.due_at)))
            .asc()
            .nulls_last(),
            row.c.number,
        ]

    source: sa.FromClause = tasks
    labels: list[sa.ColumnElement[bool]] = []
    if labelled:
        # The first label's entries (one per live task that has it), each joined to its task;
        # the other labels are checked on the tasks found.
        source = task_labels.join(tasks, tasks.c.id == task_labels.c.task_id)
        labels = [
            task_labels.c.chat_id == CHAT_ID,
            task_labels.c.label == FIRST_LABEL,
            tasks.c.labels.contains(LABELS),
        ]
    page = (
        sa.select(*TASK_COLUMNS, *assignee_arrays(tasks.c.id))
        .select_from(source)
        .where(
            *labels,
            tasks.c.chat_id == CHAT_ID,
            tasks.c.deleted_at.is_(None),
            _start_bound(by_list),
            sa.or_(done.is_(None), tasks.c.done == done),
            tasks.c.priority_rank == sa.any_(RANKS),
            sa.or_(from_day.is_(None), tasks.c.due_at >= due_from, repeating),
            sa.or_(to_day.is_(None), tasks.c.due_at < due_before),
            sa.or_(assignee.is_(None), assigned),
        )
        .order_by(*ordered(tasks))
        .limit(sa.bindparam("limit", type_=sa.Integer) + 1)
        .lateral("page")
    )
    chat = chats.alias("chat")
    return (
        sa.select(
            chat.c.open_tasks,
            chat.c.done_tasks,
            chat.c.timezone,
            chat.c.timezone.label("list_timezone"),  # as assigned_task reads it
            *page.c,
        )
        .select_from(ONE_ROW.outerjoin(chat, chat.c.chat_id == CHAT_ID).outerjoin(page, sa.true()))
        .order_by(*ordered(page))
    )


# By whether the view is filtered by labels.
VIEW = {False: _view(labelled=False), True: _view(labelled=True)}


async def view_tasks(
    db: Database,
    *,
    chat_id: int,
    done: bool | None = False,
    from_day: date | None = None,
    to_day: date | None = None,
    assignee: int | None = None,
    order: ViewOrder = "number",
    start: int | None = None,
    limit: int = 100,
    with_repeats: bool = False,
    labels: Sequence[str] = (),
    priorities: Sequence[int] = (),
) -> View:
    """The list's tasks a view shows, with their assignees (see VIEW), in one statement, in
    `order`, from task #`start` on (None: the first page; see _start_bound); only those with
    every one of `labels` (lower-case, without `#`; name the rarest first: its tasks are the
    ones read) and one of `priorities` (1-3; empty: any, none too); with `with_repeats` (and
    both days given) also the open repeating tasks that fall on the days again, each with the
    days it falls on."""
    limit = max(1, min(limit, MAX_VIEW_TASKS))
    labels = list(dict.fromkeys(labels))
    params = {
        "list_id": chat_id,
        "done": done,
        "from_day": from_day,
        "to_day": to_day,
        "assignee": assignee,
        "by_due": order == "due",
        "by_list": order == "list",
        "start": None if start is None else max(1, min(start, MAX_TASK_NUMBER)),
        "limit": limit,
        "with_repeats": with_repeats and from_day is not None and to_day is not None,
        "ranks": sorted(set(priorities)) or list(ALL_RANKS),
        "with_labels": labels,
        "first_label": labels[0] if labels else None,
    }
    rows = await db.run(VIEW[bool(labels)], params, idempotent=True)
    found = [row for row in rows if row._mapping["id"] is not None]
    first = rows[0]._mapping
    tz = chat_zone(first["timezone"])
    listed = []
    for row in found[:limit]:
        # assigned_task reads one task's row; each row of a view is one task's.
        one = assigned_task([row], row._mapping["number"])
        days = None
        if params["with_repeats"] and one.task.recurrence and not one.task.done:
            assert from_day is not None and to_day is not None
            days = _falls_on(one.task, tz, from_day, to_day)
            if not days:
                continue  # due before the days, and not again on them
        listed.append(ViewTask(one.task, one.assignees, days))
    more = len(found) > limit and order != "due"
    return View(
        tasks=listed,
        open_total=first["open_tasks"] or 0,
        done_total=first["done_tasks"] or 0,
        timezone=first["timezone"],
        next_start=found[limit]._mapping["number"] if more else None,
    )


def _falls_on(task: Task, tz: ZoneInfo, first: date, last: date) -> list[date]:
    """The local days from `first` to `last` a repeating task falls on, from its due day on
    (a rule counted from completion: only its due day, the others are not known yet)."""
    assert task.due_at is not None and task.recurrence is not None
    due_day = in_zone(task.due_at, tz).date()
    try:
        rule = Recurrence.decode(task.recurrence)
    except InvalidRecurrence:
        rule = None
    if rule is None or rule.from_done:
        return [due_day] if first <= due_day <= last else []
    days = [due_day] if first <= due_day <= last else []
    day = max(first, due_day + timedelta(days=1))
    while day <= last and (rule.until is None or day <= rule.until):
        if rule.falls_on(day):
            days.append(day)
        day += timedelta(days=1)
    return days


# The lists `:user_id` has used: their own (when stored), and those where they added a live
# task or are assigned one, except lists of chats that moved or that the bot left; their own
# first, then by open tasks.
_USER = param(users.c.user_id)
_used = sa.union(
    sa.select(_USER.label("chat_id")),
    sa.select(tasks.c.chat_id).where(tasks.c.created_by == _USER, tasks.c.deleted_at.is_(None)),
    sa.select(tasks.c.chat_id)
    .select_from(task_assignees.join(tasks, tasks.c.id == task_assignees.c.task_id))
    .where(task_assignees.c.user_id == _USER, tasks.c.deleted_at.is_(None)),
).subquery("used")
USED_LISTS = (
    sa.select(
        chats.c.chat_id,
        chats.c.open_tasks,
        chats.c.done_tasks,
        chats.c.timezone,
        topic_lists.c.chat_id.label("group_id"),
        topic_lists.c.thread_id,
    )
    .select_from(
        _used.join(chats, chats.c.chat_id == _used.c.chat_id).outerjoin(
            topic_lists, topic_lists.c.list_id == chats.c.chat_id
        )
    )
    .where(chats.c.moved_to.is_(None), chats.c.bot_removed_at.is_(None))
    .order_by((chats.c.chat_id == _USER).desc(), chats.c.open_tasks.desc(), chats.c.chat_id)
    .limit(MAX_LISTS)
)


async def used_lists(db: Database, *, user_id: int) -> list[UsedList]:
    """The lists the user has used (see USED_LISTS), MAX_LISTS at most. The caller shows a
    group's list only to its current members."""
    rows = await db.run(USED_LISTS, {"user_id": user_id}, idempotent=True)
    return [
        UsedList(
            list_id=m["chat_id"],
            open_total=m["open_tasks"],
            done_total=m["done_tasks"],
            timezone=m["timezone"],
            group_id=m["group_id"] if m["group_id"] is not None else m["chat_id"],
            thread_id=m["thread_id"],
        )
        for m in (row._mapping for row in rows)
    ]


# The people of the list `:list_id` the bot knows: who added its live tasks and who is
# assigned to them, with their names, those with most tasks first.
_people = sa.union_all(
    sa.select(tasks.c.created_by.label("user_id")).where(
        tasks.c.chat_id == CHAT_ID, tasks.c.deleted_at.is_(None), tasks.c.created_by > 0
    ),
    sa.select(task_assignees.c.user_id)
    .select_from(task_assignees.join(tasks, tasks.c.id == task_assignees.c.task_id))
    .where(tasks.c.chat_id == CHAT_ID, tasks.c.deleted_at.is_(None)),
).subquery("people")
PEOPLE = (
    sa.select(_people.c.user_id, users.c.username, users.c.first_name)
    .select_from(_people.outerjoin(users, users.c.user_id == _people.c.user_id))
    .group_by(_people.c.user_id, users.c.username, users.c.first_name)
    .order_by(sa.func.count().desc(), _people.c.user_id)
    .limit(MAX_PEOPLE)
)


async def people_of(db: Database, *, chat_id: int) -> list[Assignee]:
    """The people the bot knows in a list (authors and assignees of its tasks)."""
    rows = await db.run(PEOPLE, {"list_id": chat_id}, idempotent=True)
    return [
        Assignee(m["user_id"], m["username"], m["first_name"]) for m in (r._mapping for r in rows)
    ]
