"""The schema's tables as SQLAlchemy Core sees them, the parameters typed from their columns,
and a task's columns as every statement returns them (and the Task value they make).

The statements of storage are built from these once, at import; SQLAlchemy caches each one's
compiled SQL, and asyncpg the server's prepared statement of that SQL.
"""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import SQLModel

from storage.models import (
    CalendarFeedRow,
    ChatRow,
    ProcessedUpdateRow,
    ReceivedUpdateRow,
    TaskAssigneeRow,
    TaskLabelRow,
    TaskRow,
    TopicListRow,
    UserRow,
)
from storage.task_fields import attachments_of, checklist_of
from storage.values import Task


def _table(model: type[SQLModel]) -> sa.Table:
    """The Core table of a model (SQLModel sets it on each `table=True` class)."""
    table = model.__table__  # type: ignore[attr-defined]  # not in SQLModel's annotations
    assert isinstance(table, sa.Table)
    return table


chats = _table(ChatRow)
tasks = _table(TaskRow)
processed_updates = _table(ProcessedUpdateRow)
users = _table(UserRow)
task_assignees = _table(TaskAssigneeRow)
topic_lists = _table(TopicListRow)
received_updates = _table(ReceivedUpdateRow)
calendar_feeds = _table(CalendarFeedRow)
task_labels = _table(TaskLabelRow)

# What a statement that returns tasks returns of each, under these names (task_from_row).
TASK_COLUMNS: tuple[sa.Column[Any], ...] = tuple(
    tasks.c[name]
    for name in (
        "id",
        "chat_id",
        "number",
        "title",
        "description",
        "done",
        "completed_at",
        "created_by",
        "created_at",
        "updated_at",
        "due_at",
        "nag_minutes",
        "recurrence",
        "remind_before",
        "priority",
        "labels",
        "checklist",
        "attachments",
    )
)
TASK_COLUMN_NAMES = tuple(column.name for column in TASK_COLUMNS)

# A point in time that is no column's (now, a lease's end), typed as the timestamps are.
TIMESTAMP = sa.DateTime(timezone=True)


def param(column: sa.ColumnElement[Any], name: str | None = None) -> sa.BindParameter[Any]:
    """A statement's parameter, typed as `column` and named after it unless `name` is given."""
    return sa.bindparam(name or column.key, type_=column.type)


def list_param(column: sa.ColumnElement[Any], name: str) -> sa.BindParameter[Any]:
    """A parameter that holds a list of `column`'s values (an array of the column's type)."""
    return sa.bindparam(name, type_=postgresql.ARRAY(column.type))


# A FROM of one row, to outer-join the rest to: the statement returns a row even when nothing
# else matched (its other columns NULL), to carry counts and flags.
ONE_ROW = sa.select(sa.true().label("one")).subquery("one")

# The parameters nearly every statement takes: the list (a chat's, or a forum topic's:
# storage.topics) and a task's number in it. They are not named `chat_id` and `number`:
# SQLAlchemy takes a parameter named after a column of a table that a statement updates for a
# value to set (tests/test_storage_statements.py).
LIST_ID = param(tasks.c.chat_id, "list_id")
NUMBER = param(tasks.c.number, "task_number")

# The list a statement acts on: `:list_id`, or when that names a basic group that became a
# supergroup, the supergroup's (storage.group_upgrade): an update that still carries the old
# id reads and changes the moved list, in the same statement (a lookup of the chats' primary
# key, no round trip more).
_moved = chats.alias("moved_chat")
CHAT_ID: sa.ColumnElement[Any] = sa.func.coalesce(
    sa.select(_moved.c.moved_to).where(_moved.c.chat_id == LIST_ID).scalar_subquery(), LIST_ID
)


def task_from_row(row: sa.Row[Any]) -> Task:
    """The Task in a row that holds TASK_COLUMNS by their names (other columns are ignored)."""
    m = row._mapping
    return Task(
        id=m["id"],
        chat_id=m["chat_id"],
        number=m["number"],
        title=m["title"],
        description=m["description"],
        done=m["done"],
        completed_at=m["completed_at"],
        created_by=m["created_by"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        due_at=m["due_at"],
        nag_minutes=m["nag_minutes"],
        recurrence=m["recurrence"],
        remind_before=tuple(m["remind_before"] or ()),
        priority=m["priority"],
        labels=tuple(m["labels"] or ()),
        checklist=checklist_of(m["checklist"]),
        attachments=attachments_of(m["attachments"]),
    )
