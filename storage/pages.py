"""A page of a chat's open or done tasks: the parts of the statements that read one (`LIST`
here, and the tick that returns the next page in storage.completing), and the TaskPage made of
their rows.

A page is read by index whatever the chat's size: the tasks from number `:start` on, one more
than `:limit` (to know whether a next page exists), and where the previous page starts. The
counts come from the chat's row (kept by triggers), so nothing is counted.
"""

from typing import Any

import sqlalchemy as sa

from storage.models import Task, TaskPage
from storage.tables import CHAT_ID, ONE_ROW, TASK_COLUMNS, chats, param, tasks

START = param(tasks.c.number, "start")
LIMIT = sa.bindparam("limit", type_=sa.Integer)


def page_tasks(
    view_done: sa.BindParameter[bool], *, leaving_out: sa.Select[Any] | None = None
) -> sa.Select[Any]:
    """The chat's tasks in the view (open, or with `view_done` done) from `:start` on, by
    number, `:limit` + 1 at most; without the ids `leaving_out` selects, when given."""
    query = sa.select(*TASK_COLUMNS).where(
        tasks.c.chat_id == CHAT_ID,
        tasks.c.done == view_done,
        tasks.c.deleted_at.is_(None),
        tasks.c.number >= START,
    )
    if leaving_out is not None:
        query = query.where(tasks.c.id.not_in(leaving_out))
    return query.order_by(tasks.c.number).limit(LIMIT + 1)


def previous_start(
    view_done: sa.BindParameter[bool],
    *,
    leaving_out: sa.Select[Any] | None = None,
    adding: sa.Select[Any] | None = None,
) -> sa.ScalarSelect[Any]:
    """Where the page before `:start` starts: the lowest of the `:limit` numbers below it in
    the view (NULL when there is none); without the ids `leaving_out` selects and with the
    numbers `adding` selects (of tasks that join the view in this statement), when given."""
    before = sa.select(tasks.c.number).where(
        tasks.c.chat_id == CHAT_ID,
        tasks.c.done == view_done,
        tasks.c.deleted_at.is_(None),
        tasks.c.number < START,
    )
    if leaving_out is not None:
        before = before.where(tasks.c.id.not_in(leaving_out))
    numbers: sa.Select[Any] | sa.CompoundSelect[Any] = before
    if adding is not None:
        numbers = sa.union_all(before, adding)
    below = numbers.subquery("below")
    earlier = (
        sa.select(below.c.number).order_by(below.c.number.desc()).limit(LIMIT).subquery("earlier")
    )
    return sa.select(sa.func.min(earlier.c.number)).scalar_subquery()


# The chat's settings row (it may not exist yet), joined to every row of a page's statement.
chat = chats.alias("chat")
ON_CHAT = chat.c.chat_id == CHAT_ID

# One page of the chat's open (`:done` false) or done tasks, each row with the chat's counts,
# time zone and `previous_start`; one row of NULL tasks when the page is empty.
_DONE = param(tasks.c.done)
_page = page_tasks(_DONE).lateral("page")
LIST = (
    sa.select(
        chat.c.open_tasks,
        chat.c.done_tasks,
        chat.c.timezone,
        previous_start(_DONE).label("previous_start"),
        *_page.c,
    )
    .select_from(ONE_ROW.outerjoin(chat, ON_CHAT).outerjoin(_page, sa.true()))
    .order_by(_page.c.number)
)


def task_page(
    rows: list[sa.Row[Any]], listed: list[Task], *, view_done: bool, limit: int
) -> TaskPage:
    """The TaskPage of `listed` (by number, `limit` + 1 at most) with the counts, zone and
    `previous_start` of the statement's first row."""
    first = rows[0]._mapping
    return TaskPage(
        done=view_done,
        tasks=listed[:limit],
        open_total=first["open_tasks"] or 0,
        done_total=first["done_tasks"] or 0,
        previous_start=first["previous_start"],
        next_start=listed[limit].number if len(listed) > limit else None,
        timezone=first["timezone"],
    )
