"""Assignees of group tasks: who is on which task, what /mine shows, and whom a reminder is for.
(Changing assignees, and what only an assignee may do: storage.assigning; the users the bot
knows: storage.users.)

Every function takes the chat's id, except `assigned_to` and `assignments`, which read one
user's assignments across chats (the caller shows a group's tasks only to its current members).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from storage.changes import (
    check_number,
)
from storage.db import Database
from storage.errors import TaskNotFound
from storage.tables import (
    CHAT_ID,
    NUMBER,
    ONE_ROW,
    TASK_COLUMNS,
    chats,
    list_param,
    param,
    task_assignees,
    task_from_row,
    tasks,
    topic_lists,
    users,
)
from storage.values import Task

MAX_ASSIGNEES_PER_COMMAND = 20
MAX_ASSIGNED_LISTED = 200


@dataclass(frozen=True, slots=True)
class Assignee:
    """Someone a task is assigned to, with what the bot knows of their name."""

    user_id: int
    username: str | None
    first_name: str | None


@dataclass(frozen=True, slots=True)
class AssignedTask:
    """A task and its assignees, in the order they were assigned, and its list's time zone
    (None: unset, UTC), which its times are shown in."""

    task: Task
    assignees: list[Assignee]
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class Recipient:
    """An assignee as the reminder scheduler needs them: may it write to them privately (they
    started the bot and have not blocked it), and in which time zone and language (their
    private chat's; None: not set)."""

    user_id: int
    username: str | None
    first_name: str | None
    started: bool
    timezone: str | None
    # The private chat's chosen language, else the user's Telegram language; None: unknown.
    language: str | None = None


def assigned_task(rows: Sequence[sa.Row[Any]], number: int) -> AssignedTask:
    """The task and its assignees in rows that carry `assignee_ids`, `assignee_usernames`,
    `assignee_names` and LIST_ZONE; TaskNotFound when they hold no task."""
    found = [row for row in rows if row._mapping["id"] is not None]
    if not found:
        raise TaskNotFound(number)
    m = found[0]._mapping
    people = zip(m["assignee_ids"], m["assignee_usernames"], m["assignee_names"], strict=True)
    return AssignedTask(
        task=task_from_row(found[0]),
        assignees=[Assignee(user_id, username, name) for user_id, username, name in people],
        timezone=m["list_timezone"],
    )


# The time zone of the list `:list_id`, as a column of a statement about one of its tasks.
LIST_ZONE = (
    sa.select(chats.c.timezone)
    .where(chats.c.chat_id == CHAT_ID)
    .scalar_subquery()
    .label("list_timezone")
)


# The assignees of the chat's live tasks `:numbers`, by task and in the order assigned.
_ASSIGNEES_OF = (
    sa.select(tasks.c.number, task_assignees.c.user_id, users.c.username, users.c.first_name)
    .select_from(
        tasks.join(task_assignees, task_assignees.c.task_id == tasks.c.id).outerjoin(
            users, users.c.user_id == task_assignees.c.user_id
        )
    )
    .where(
        tasks.c.chat_id == CHAT_ID,
        tasks.c.number == sa.any_(list_param(tasks.c.number, "numbers")),
        tasks.c.deleted_at.is_(None),
    )
    .order_by(tasks.c.number, task_assignees.c.assigned_at, task_assignees.c.user_id)
)


async def assignees_of(
    db: Database, *, chat_id: int, numbers: Sequence[int]
) -> dict[int, list[Assignee]]:
    """The assignees of the chat's tasks with these numbers (tasks with none are left out)."""
    rows = await db.run(
        _ASSIGNEES_OF, {"list_id": chat_id, "numbers": list(numbers)}, idempotent=True
    )
    found: dict[int, list[Assignee]] = {}
    for row in rows:
        m = row._mapping
        found.setdefault(m["number"], []).append(
            Assignee(m["user_id"], m["username"], m["first_name"])
        )
    return found


# The open tasks assigned to `:user_id` in every chat, by chat and number, `:limit` at most.
_ASSIGNED_TO = (
    sa.select(*TASK_COLUMNS)
    .select_from(task_assignees.join(tasks, tasks.c.id == task_assignees.c.task_id))
    .where(
        task_assignees.c.user_id == param(task_assignees.c.user_id),
        ~tasks.c.done,
        tasks.c.deleted_at.is_(None),
    )
    .order_by(tasks.c.chat_id, tasks.c.number)
    .limit(sa.bindparam("limit", type_=sa.Integer))
)


async def assigned_to(
    db: Database, *, user_id: int, limit: int = MAX_ASSIGNED_LISTED
) -> list[Task]:
    """The open tasks assigned to the user in every chat (each Task names its chat), by chat
    and number. The caller must show a group's tasks only to its current members."""
    rows = await db.run(_ASSIGNED_TO, {"user_id": user_id, "limit": limit}, idempotent=True)
    return [task_from_row(row) for row in rows]


# The assignees of the task `:task_id`, in the order assigned, each with their private chat's
# time zone and language; `started`: they started the bot and have not blocked it since
# (storage.presence).
_private = chats.alias("private_chat")
_RECIPIENTS = (
    sa.select(
        task_assignees.c.user_id,
        users.c.username,
        users.c.first_name,
        sa.and_(users.c.started_at.is_not(None), _private.c.bot_removed_at.is_(None)).label(
            "started"
        ),
        _private.c.timezone,
        sa.func.coalesce(_private.c.language, _private.c.telegram_language).label("language"),
    )
    .select_from(
        task_assignees.outerjoin(users, users.c.user_id == task_assignees.c.user_id).outerjoin(
            _private, _private.c.chat_id == task_assignees.c.user_id
        )
    )
    .where(task_assignees.c.task_id == param(task_assignees.c.task_id))
    .order_by(task_assignees.c.assigned_at, task_assignees.c.user_id)
)


async def reminder_recipients(db: Database, *, task_id: UUID) -> list[Recipient]:
    """Who a task's reminder is for: its assignees, whether they started the bot, their zone."""
    rows = await db.run(_RECIPIENTS, {"task_id": task_id}, idempotent=True)
    return [
        Recipient(
            user_id=m["user_id"],
            username=m["username"],
            first_name=m["first_name"],
            started=bool(m["started"]),
            timezone=m["timezone"],
            language=m["language"],
        )
        for m in (row._mapping for row in rows)
    ]


def assignee_arrays(task_id: sa.ColumnElement[Any]) -> list[sa.ColumnElement[Any]]:
    """The assignees of the task `task_id` as three arrays in the order they were assigned:
    `assignee_ids`, `assignee_usernames`, `assignee_names` (as _assigned_task reads them)."""

    def listed(column: sa.ColumnElement[Any], name: str) -> sa.ColumnElement[Any]:
        ordered = (
            sa.select(column)
            .select_from(
                task_assignees.outerjoin(users, users.c.user_id == task_assignees.c.user_id)
            )
            .where(task_assignees.c.task_id == task_id)
            .order_by(task_assignees.c.assigned_at, task_assignees.c.user_id)
        )
        return sa.func.array(ordered.scalar_subquery()).label(name)

    return [
        listed(task_assignees.c.user_id, "assignee_ids"),
        listed(users.c.username, "assignee_usernames"),
        listed(users.c.first_name, "assignee_names"),
    ]


# The live task `:task_number` of the list `:list_id` with its assignees and the list's zone.
_ASSIGNED_TASK = sa.select(*TASK_COLUMNS, *assignee_arrays(tasks.c.id), LIST_ZONE).where(
    tasks.c.chat_id == CHAT_ID, tasks.c.number == NUMBER, tasks.c.deleted_at.is_(None)
)


async def get_assigned_task(db: Database, *, chat_id: int, number: int) -> AssignedTask:
    """The chat's task with its assignees and the list's zone (as get_task, in one round
    trip); TaskNotFound."""
    check_number(number)
    rows = await db.run(
        _ASSIGNED_TASK, {"list_id": chat_id, "task_number": number}, idempotent=True
    )
    return assigned_task(rows, number)


@dataclass(frozen=True, slots=True)
class Assignments:
    """A user's open assigned tasks (each names its list, by list and number), the real group
    of each of those lists (a forum topic's list: its forum), and the user's own time zone."""

    tasks: list[Task]
    groups: dict[int, int]
    timezone: str | None


# What /mine shows of `:user_id`: their private chat's zone, and their open assigned tasks
# (`:limit` at most, by list and number), each with its list's real group (`group_id`).
_own = chats.alias("own")
_assigned = _ASSIGNED_TO.lateral("assigned")
_ASSIGNMENTS = (
    sa.select(
        _own.c.timezone.label("own_timezone"),
        sa.func.coalesce(topic_lists.c.chat_id, _assigned.c.chat_id).label("group_id"),
        *_assigned.c,
    )
    .select_from(
        ONE_ROW.outerjoin(_own, _own.c.chat_id == param(task_assignees.c.user_id))
        .outerjoin(_assigned, sa.true())
        .outerjoin(topic_lists, topic_lists.c.list_id == _assigned.c.chat_id)
    )
    .order_by(_assigned.c.chat_id, _assigned.c.number)
)


async def assignments(
    db: Database, *, user_id: int, limit: int = MAX_ASSIGNED_LISTED
) -> Assignments:
    """What /mine shows, in one round trip: the user's open tasks in every chat (as
    assigned_to), where each list is, and their zone. The caller must show a group's tasks
    only to its current members."""
    rows = await db.run(_ASSIGNMENTS, {"user_id": user_id, "limit": limit}, idempotent=True)
    found = [row for row in rows if row._mapping["id"] is not None]
    return Assignments(
        tasks=[task_from_row(row) for row in found],
        groups={row._mapping["chat_id"]: row._mapping["group_id"] for row in found},
        timezone=rows[0]._mapping["own_timezone"],
    )


# For the list `:list_id` and the user `:user_id`: the list's real group (a forum topic's list:
# its forum) and the zone the user hears times in (their private chat's, else the list's).
_their = chats.alias("their_chat")
_list = chats.alias("list_chat")
_REMINDER_PLACE = sa.select(
    sa.func.coalesce(topic_lists.c.chat_id, CHAT_ID).label("group_id"),
    sa.func.coalesce(_their.c.timezone, _list.c.timezone).label("timezone"),
).select_from(
    ONE_ROW.outerjoin(topic_lists, topic_lists.c.list_id == CHAT_ID)
    .outerjoin(_their, _their.c.chat_id == param(task_assignees.c.user_id))
    .outerjoin(_list, _list.c.chat_id == CHAT_ID)
)


async def reminder_place(db: Database, *, list_id: int, user_id: int) -> tuple[int, str | None]:
    """For the buttons of a private reminder of a list's task: the list's real group (whose
    membership counts) and the time zone the user hears times in (their own, else the list's).
    One round trip."""
    rows = await db.run(_REMINDER_PLACE, {"list_id": list_id, "user_id": user_id}, idempotent=True)
    return int(rows[0]._mapping["group_id"]), rows[0]._mapping["timezone"]
