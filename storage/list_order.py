"""The order /list shows tasks in, and what a page's filter admits, in SQL: a task's place
(priority, 1 first and none last; then due time, none last; then number), the filter's
parameters (`:ranks`, the wanted priorities with NO_PRIORITY_RANK for none; `:due`: today,
overdue, upcoming, in the list's zone at `:now`; `:with_labels`, every one of them) and the due
times it admits. storage.pages reads a page in this order; the tick, delete and Undo
(storage.completing, storage.deleting) place the tasks they change in it.
"""

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from storage.tables import CHAT_ID, TIMESTAMP, chats
from storage.values import NO_PRIORITY_RANK, Task

RANKS = sa.bindparam("ranks", type_=postgresql.ARRAY(sa.SmallInteger))
LABELS = sa.bindparam("with_labels", type_=postgresql.ARRAY(sa.Text))
DUE = sa.bindparam("due", type_=sa.Text)
NOW = sa.bindparam("now", type_=TIMESTAMP)

# How far ahead "upcoming" looks.
UPCOMING_DAYS = 7
ALL_RANKS = (1, 2, 3, NO_PRIORITY_RANK)

INFINITY = sa.literal_column("'infinity'::timestamptz", TIMESTAMP)
MINUS_INFINITY = sa.literal_column("'-infinity'::timestamptz", TIMESTAMP)
_MICROSECOND = sa.literal_column("interval '1 microsecond'", sa.Interval)


def _bounds() -> tuple[sa.ScalarSelect[Any], sa.ScalarSelect[Any]]:
    """The first and the last due time (both included) that `:due` admits: everything
    (no due time sorts as infinity) unless it asks for today (due by the end of the list's
    day, overdue included), overdue (before `:now`) or upcoming (from `:now` through the next
    UPCOMING_DAYS days). Computed once per statement, so that they bound the index ranges."""
    zone_chat = chats.alias("zone_chat")
    zone = sa.func.coalesce(
        sa.select(zone_chat.c.timezone).where(zone_chat.c.chat_id == CHAT_ID).scalar_subquery(),
        "UTC",
    )
    local_now = sa.func.timezone(zone, NOW, type_=sa.DateTime())
    tomorrow = sa.func.date_trunc("day", local_now, type_=sa.DateTime()) + sa.literal_column(
        "interval '1 day'", sa.Interval
    )
    end_of_today = sa.func.timezone(zone, tomorrow, type_=TIMESTAMP)
    first = sa.case((DUE == "upcoming", NOW), else_=MINUS_INFINITY)
    last = sa.case(
        (DUE == "overdue", NOW - _MICROSECOND),
        (DUE == "today", end_of_today - _MICROSECOND),
        (
            DUE == "upcoming",
            NOW + sa.literal_column(f"interval '{UPCOMING_DAYS} days'", sa.Interval),
        ),
        else_=INFINITY,
    )
    return (
        sa.select(first.label("due_from")).scalar_subquery(),
        sa.select(last.label("due_until")).scalar_subquery(),
    )


DUE_FROM, DUE_UNTIL = _bounds()


def rank_of(priority: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A priority's place in the order (none after 3)."""
    return sa.func.coalesce(priority, NO_PRIORITY_RANK)


def due_order_of(due_at: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A due time's place in the order (none after every time)."""
    return sa.func.coalesce(due_at, INFINITY)


def order_key(row: Any) -> sa.Tuple:
    """The place of a row holding TASK_COLUMNS (of a CTE, say) in the order."""
    return sa.tuple_(rank_of(row.c.priority), due_order_of(row.c.due_at), row.c.number)


def admits(row: Any) -> sa.ColumnElement[bool]:
    """Whether the filter admits a row holding TASK_COLUMNS (a task a statement changed), its
    state and place apart."""
    due = due_order_of(row.c.due_at)
    return sa.and_(
        rank_of(row.c.priority) == sa.any_(RANKS),
        due >= DUE_FROM,
        due <= DUE_UNTIL,
        row.c.labels.contains(LABELS),
    )


def place_of(task: Task) -> tuple[int, datetime, int]:
    """A task's place in the order, in Python (to sort rows a statement returned)."""
    return (
        task.priority or NO_PRIORITY_RANK,
        task.due_at or datetime.max.replace(tzinfo=UTC),
        task.number,
    )
