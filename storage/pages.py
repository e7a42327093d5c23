"""A page of a chat's open or done tasks, in the order /list shows them (storage.list_order),
filtered or not: the parts of the statements that read one (`LIST` here, and the tick, delete
and Undo that return the page after them: storage.completing, storage.deleting), and the
TaskPage of their rows.

A page starts at a task (`:start`, its number; NULL: the first page) and holds the tasks from
that task's place on, one more than `:limit` (to know whether a next page exists); the page
before starts `:limit` places earlier.

Nothing is counted or sorted whole, whatever the list's size: for each wanted priority, the
page is one range of an index on (list, done, priority, due time, number), `ix_tasks_chat_order`,
or with labels of `ix_task_labels_list`, which leads with the first label (the others are
checked on the tasks it finds). Each range starts at the page's start (a priority before it
is not read at all) and the due filter's bounds, and yields `:limit` + 1 entries at most: four
short ranges forward and four back per page, merged (44 rows at most). The counts come from the
chat's row (kept by triggers). tests/test_storage_list_order.py checks the plans read no more
than what they return, in a 60,000-task list.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from storage.list_order import (
    ALL_RANKS,
    DUE_FROM,
    DUE_UNTIL,
    INFINITY,
    LABELS,
    MINUS_INFINITY,
    RANKS,
    due_order_of,
    order_key,
    place_of,
    rank_of,
)
from storage.tables import CHAT_ID, ONE_ROW, TASK_COLUMNS, chats, param, task_labels, tasks
from storage.values import ListFilter, PageView, Task, TaskPage

START = param(tasks.c.number, "start")
LIMIT = sa.bindparam("limit", type_=sa.Integer)
# The first of `:with_labels`: the one a labelled page's index range is of.
FIRST_LABEL = sa.bindparam("first_label", type_=sa.Text)


def _start_key() -> tuple[sa.ColumnElement[Any], ...]:
    """Where `:start` is in the order: its task's priority rank, due order and number, or
    before everything when `:start` is NULL (or names no task of the list). Read once per
    statement (the CTE `start_place`), however often the statement uses them."""
    at = tasks.alias("at_start")
    found = (
        sa.select(at.c.priority_rank, at.c.due_order, at.c.number)
        .where(at.c.chat_id == CHAT_ID, at.c.number == START)
        .subquery("found")
    )
    place = (
        sa.select(
            sa.func.coalesce(found.c.priority_rank, 0).label("start_rank"),
            sa.func.coalesce(found.c.due_order, MINUS_INFINITY).label("start_due"),
            sa.func.coalesce(found.c.number, 0).label("start_number"),
        )
        .select_from(ONE_ROW.outerjoin(found, sa.true()))
        .cte("start_place")
    )
    return tuple(sa.select(column).scalar_subquery() for column in place.c)


START_RANK, START_DUE, START_NUMBER = _start_key()
START_KEY = sa.tuple_(START_RANK, START_DUE, START_NUMBER)
# After every task number (a bound no task reaches).
_AFTER_EVERY_NUMBER = 2**31 - 1


@dataclass(frozen=True)
class Pages:
    """The parts of a page's statements, read from `ix_tasks_chat_order` or, `labelled`,
    from `ix_task_labels_list` (the page is then of the tasks with every one of `:with_labels`)."""

    labelled: bool

    def _ranged(
        self, view_done: sa.ColumnElement[bool], rank: sa.ColumnElement[Any], *, after: bool
    ) -> tuple[sa.Select[Any], sa.Tuple]:
        """The tasks of the view with priority `rank` and a due time the filter admits, from
        `:start` on (`after`) or before it; with their place in the order.

        Within one priority the place is (due order, number): that pair is bounded, so that
        the index range starts (or, going back, ends) at `:start`'s place. A priority wholly
        before `:start` (or, going back, after it) is not read at all: its range is gated by
        a condition on the priority alone, which the server checks before it scans. (A row
        comparison beside another bound of the same column would not start the range: the
        server then reads from the other bound on, the whole priority in a big list.)"""
        source: sa.FromClause
        same = rank == START_RANK
        if self.labelled:
            source = task_labels.join(tasks, tasks.c.id == task_labels.c.task_id)
            key = sa.tuple_(
                task_labels.c.priority_rank, task_labels.c.due_order, task_labels.c.number
            )
            where = [
                task_labels.c.chat_id == CHAT_ID,
                task_labels.c.label == FIRST_LABEL,
                task_labels.c.done == view_done,
                task_labels.c.priority_rank == rank,
                tasks.c.labels.contains(LABELS),
            ]
        else:
            source = tasks
            key = sa.tuple_(tasks.c.priority_rank, tasks.c.due_order, tasks.c.number)
            where = [
                tasks.c.chat_id == CHAT_ID,
                tasks.c.done == view_done,
                tasks.c.deleted_at.is_(None),
                tasks.c.priority_rank == rank,
            ]
        _, due, number = key.clauses
        # One bound on (due order, number) where the range starts, the later (going back: the
        # earlier) of `:start`'s place and the filter's due times, so that the server starts
        # the range there; the filter's other end only ends it.
        if after:
            start_due = sa.case((same, START_DUE), else_=MINUS_INFINITY)
            start_number = sa.case((same, START_NUMBER), else_=0)
            first_due = sa.func.greatest(start_due, DUE_FROM)
            first_number = sa.case((start_due >= DUE_FROM, start_number), else_=0)
            where += [
                rank >= START_RANK,
                sa.tuple_(due, number) >= sa.tuple_(first_due, first_number),
                due <= DUE_UNTIL,
            ]
        else:
            start_due = sa.case((same, START_DUE), else_=INFINITY)
            start_number = sa.case((same, START_NUMBER), else_=_AFTER_EVERY_NUMBER)
            last_due = sa.func.least(start_due, DUE_UNTIL)
            last_number = sa.case(
                (start_due <= DUE_UNTIL, start_number), else_=_AFTER_EVERY_NUMBER
            )
            where += [
                rank <= START_RANK,
                sa.tuple_(due, number) < sa.tuple_(last_due, last_number),
                due >= DUE_FROM,
            ]
        return sa.select().select_from(source).where(*where), key

    def page_tasks(
        self, view_done: sa.ColumnElement[bool], *, leaving_out: sa.Select[Any] | None = None
    ) -> sa.Select[Any]:
        """The view's tasks from `:start` on, in order, `:limit` + 1 at most; without the ids
        `leaving_out` selects, when given."""
        wanted = sa.func.unnest(RANKS).table_valued("rank").render_derived(name="wanted")
        ranged, key = self._ranged(view_done, wanted.c.rank, after=True)
        if leaving_out is not None:
            ranged = ranged.where(tasks.c.id.not_in(leaving_out))
        per_rank = (
            ranged.add_columns(*TASK_COLUMNS)
            .order_by(*key.clauses)
            .limit(LIMIT + 1)
            .lateral("ranked")
        )
        return (
            sa.select(*per_rank.c)
            .select_from(wanted.join(per_rank, sa.true()))
            .order_by(*order_key(per_rank).clauses)
            .limit(LIMIT + 1)
        )

    def previous_start(
        self,
        view_done: sa.ColumnElement[bool],
        *,
        leaving_out: sa.Select[Any] | None = None,
        adding: sa.Select[Any] | None = None,
    ) -> sa.ScalarSelect[Any]:
        """Where the page before `:start` starts: the first of the `:limit` tasks before it in
        the view (NULL when there is none); without the ids `leaving_out` selects and with the
        tasks `adding` selects (`rank`, `due`, `number` of tasks that join the view before
        `:start` in this statement), when given."""
        wanted = sa.func.unnest(RANKS).table_valued("rank").render_derived(name="wanted_before")
        ranged, key = self._ranged(view_done, wanted.c.rank, after=False)
        if leaving_out is not None:
            ranged = ranged.where(tasks.c.id.not_in(leaving_out))
        rank, due, number = key.clauses
        per_rank = (
            ranged.add_columns(rank.label("rank"), due.label("due"), number.label("number"))
            .order_by(rank.desc(), due.desc(), number.desc())
            .limit(LIMIT)
            .lateral("ranked_before")
        )
        before: sa.Select[Any] | sa.CompoundSelect[Any] = sa.select(*per_rank.c).select_from(
            wanted.join(per_rank, sa.true())
        )
        if adding is not None:
            before = sa.union_all(before, adding)
        below = before.subquery("below")
        earlier = (
            sa.select(below.c.rank, below.c.due, below.c.number)
            .order_by(below.c.rank.desc(), below.c.due.desc(), below.c.number.desc())
            .limit(LIMIT)
            .subquery("earlier")
        )
        return (
            sa.select(earlier.c.number)
            .order_by(earlier.c.rank, earlier.c.due, earlier.c.number)
            .limit(1)
            .scalar_subquery()
        )

    def after_change(
        self, view_done: sa.ColumnElement[bool], changed: Any, in_view: sa.ColumnElement[bool]
    ) -> tuple[sa.CTE, sa.ScalarSelect[Any]]:
        """The page of the view from `:start` on after a statement changed the tasks `changed`
        (a CTE holding TASK_COLUMNS), of which `in_view` are in the view now, and where the page
        before it starts. The statement reads the page from its snapshot (before the change):
        the changed tasks are taken out of it and put back where they now belong (a task that
        now sorts before `:start` moves the page before instead). Returns the CTE `page` and
        the previous start."""
        changed_ids = sa.select(changed.c.id)
        unchanged = self.page_tasks(view_done, leaving_out=changed_ids).subquery("unchanged")
        page = sa.union_all(
            sa.select(*unchanged.c),
            sa.select(*(changed.c[column.key] for column in unchanged.c)).where(
                in_view, order_key(changed) >= START_KEY
            ),
        ).cte("page")
        joining = sa.select(
            rank_of(changed.c.priority), due_order_of(changed.c.due_at), changed.c.number
        ).where(in_view, order_key(changed) < START_KEY)
        previous = self.previous_start(view_done, leaving_out=changed_ids, adding=joining)
        return page, previous


PLAIN = Pages(labelled=False)
LABELLED = Pages(labelled=True)


# Task numbers are INTEGER in the database; a start outside names no task.
_MAX_NUMBER = 2**31 - 1


def view_params(view: PageView, *, limit: int, now: datetime) -> dict[str, Any]:
    """The parameters of a page's statement (but the list's) for `view`: `:done`, `:start`,
    `:limit` and the filter's, at `now`."""
    start = view.start if view.start is not None and 1 <= view.start <= _MAX_NUMBER else None
    return {
        "done": view.done,
        "start": start,
        "limit": limit,
        "ranks": list(view.filter.priorities) or list(ALL_RANKS),
        "with_labels": list(view.filter.labels),
        "first_label": view.filter.labels[0] if view.filter.labels else None,
        "due": view.filter.due,
        "now": now,
    }


# The chat's settings row (it may not exist yet), joined to every row of a page's statement.
chat = chats.alias("chat")
ON_CHAT = chat.c.chat_id == CHAT_ID


def _list(pages: Pages) -> sa.Select[Any]:
    """One page of the chat's open (`:done` false) or done tasks, each row with the chat's
    counts, time zone and `previous_start`; one row of NULL tasks when the page is empty."""
    done = param(tasks.c.done)
    page = pages.page_tasks(done).lateral("page")
    return sa.select(
        chat.c.open_tasks,
        chat.c.done_tasks,
        chat.c.timezone,
        pages.previous_start(done).label("previous_start"),
        *page.c,
    ).select_from(ONE_ROW.outerjoin(chat, ON_CHAT).outerjoin(page, sa.true()))


# By whether the page is filtered by labels.
LIST = {False: _list(PLAIN), True: _list(LABELLED)}


def task_page(
    rows: list[sa.Row[Any]],
    listed: list[Task],
    *,
    view_done: bool,
    limit: int,
    page_filter: ListFilter,
) -> TaskPage:
    """The TaskPage of `listed` (`limit` + 1 at most, sorted here) with the counts, zone and
    `previous_start` of the statement's first row."""
    first = rows[0]._mapping
    listed = sorted(listed, key=place_of)
    return TaskPage(
        done=view_done,
        tasks=listed[:limit],
        open_total=first["open_tasks"] or 0,
        done_total=first["done_tasks"] or 0,
        previous_start=first["previous_start"],
        next_start=listed[limit].number if len(listed) > limit else None,
        timezone=first["timezone"],
        filter=page_filter,
    )
