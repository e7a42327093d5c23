"""Assignees of group tasks, and the users the bot knows by id and @username.

Every function that touches tasks takes the chat's id, except `assigned_to`, which reads one
user's assignments across chats (the caller shows a group's tasks only to its current members).
The changes take `once_for` like the task functions, and report the task with its assignees
after the change, in the same statement.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from storage import statements
from storage.changes import (
    check_number,
    completed_from_rows,
    execute_change,
    run_change_one,
    task_from_row,
)
from storage.clock import now_utc
from storage.db import Database
from storage.errors import NotAssignee, TaskNotFound
from storage.models import Completed, Task, UpdateKey

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
    """A task and its assignees, in the order they were assigned."""

    task: Task
    assignees: list[Assignee]


@dataclass(frozen=True, slots=True)
class Recipient:
    """An assignee as the reminder scheduler needs them: may it write to them privately, and
    in which time zone (their private chat's; None: not set)."""

    user_id: int
    username: str | None
    first_name: str | None
    started: bool
    timezone: str | None


def normalize_username(username: str) -> str:
    """A username as stored: without the @, lower-case (Telegram compares them so)."""
    return username.strip().removeprefix("@").lower()


_FORGET_USERNAME = sa.text("""
UPDATE users SET username = NULL, updated_at = now()
WHERE username = :username AND user_id <> :user_id
""").bindparams(sa.bindparam("user_id", type_=sa.BigInteger))

_REMEMBER_USER = sa.text("""
INSERT INTO users AS u (user_id, username, first_name, started_at)
VALUES (:user_id, :username, :first_name, CASE WHEN :started THEN now() END)
ON CONFLICT (user_id) DO UPDATE SET
    username = EXCLUDED.username,
    first_name = EXCLUDED.first_name,
    started_at = COALESCE(EXCLUDED.started_at, u.started_at),
    updated_at = now()
""").bindparams(
    sa.bindparam("user_id", type_=sa.BigInteger),
    sa.bindparam("username", type_=sa.Text),
    sa.bindparam("first_name", type_=sa.Text),
    sa.bindparam("started", type_=sa.Boolean),
)


async def remember_user(
    db: Database,
    *,
    user_id: int,
    username: str | None,
    first_name: str | None,
    started: bool = False,
) -> None:
    """Record a user's current @username and name (and, with `started`, that they started the
    bot in a private chat). A username someone else held before moves to this user."""
    name = normalize_username(username) if username else None
    if name:
        # Usernames change hands on Telegram: the one who has it now is the one who wrote.
        await db.run(_FORGET_USERNAME, {"username": name, "user_id": user_id}, idempotent=True)
    params = {"user_id": user_id, "username": name, "first_name": first_name, "started": started}
    await db.run(_REMEMBER_USER, params, idempotent=True)


_FIND_USER = sa.text("SELECT user_id, username, first_name FROM users WHERE username = :username")


async def find_user(db: Database, *, username: str) -> Assignee | None:
    """The known user with this @username (any case), or None: never a guess."""
    rows = await db.run(_FIND_USER, {"username": normalize_username(username)}, idempotent=True)
    if not rows:
        return None
    m = rows[0]._mapping
    return Assignee(user_id=m["user_id"], username=m["username"], first_name=m["first_name"])


_TARGET = f"""target AS (
    SELECT id FROM tasks
    WHERE chat_id = :chat_id AND number = :number AND deleted_at IS NULL
),
changed AS (
    SELECT {statements.TASK_COLUMNS} FROM tasks
    WHERE id IN (SELECT id FROM target) AND {statements.FIRST_TIME}
)"""

# The task (as the usual result) with its assignees after the change: `holders` is what the
# table holds once the statement is done (a statement does not see its own changes).
_WITH_ASSIGNEES = f"""{statements.RESULT_ROWS},
people AS (
    SELECT h.user_id, h.assigned_at, u.username, u.first_name
    FROM holders AS h LEFT JOIN users AS u ON u.user_id = h.user_id
)
SELECT NOT EXISTS (SELECT 1 FROM seen) AS first_time, result.*,
    ARRAY(SELECT user_id FROM people ORDER BY assigned_at, user_id) AS assignee_ids,
    ARRAY(SELECT username FROM people ORDER BY assigned_at, user_id) AS assignee_usernames,
    ARRAY(SELECT first_name FROM people ORDER BY assigned_at, user_id) AS assignee_names
FROM (SELECT 1) AS one LEFT JOIN result ON true
"""

_ASSIGN = statements.Change.of(
    f"""{_TARGET},
added AS (
    INSERT INTO task_assignees (task_id, user_id)
    SELECT target.id, new.user_id
    FROM target, unnest(CAST(:user_ids AS bigint[])) AS new(user_id)
    WHERE {statements.FIRST_TIME}
    ON CONFLICT DO NOTHING
    RETURNING user_id, assigned_at
),
holders AS (
    SELECT user_id, assigned_at FROM task_assignees WHERE task_id IN (SELECT id FROM target)
    UNION ALL
    SELECT user_id, assigned_at FROM added
)""",
    tail=_WITH_ASSIGNEES,
)

_UNASSIGN = statements.Change.of(
    f"""{_TARGET},
removed AS (
    DELETE FROM task_assignees
    WHERE task_id IN (SELECT id FROM target) AND {statements.FIRST_TIME}
        AND (CAST(:user_ids AS bigint[]) IS NULL OR user_id = ANY(CAST(:user_ids AS bigint[])))
    RETURNING user_id
),
holders AS (
    SELECT user_id, assigned_at FROM task_assignees
    WHERE task_id IN (SELECT id FROM target) AND user_id NOT IN (SELECT user_id FROM removed)
)""",
    tail=_WITH_ASSIGNEES,
)


def _assigned_task(rows: Sequence[sa.Row[Any]], number: int) -> AssignedTask:
    found = [row for row in rows if row._mapping["id"] is not None]
    if not found:
        raise TaskNotFound(number)
    m = found[0]._mapping
    people = zip(m["assignee_ids"], m["assignee_usernames"], m["assignee_names"], strict=True)
    return AssignedTask(
        task=task_from_row(found[0]),
        assignees=[Assignee(user_id, username, name) for user_id, username, name in people],
    )


async def assign(
    db: Database,
    *,
    chat_id: int,
    number: int,
    user_ids: Sequence[int],
    once_for: UpdateKey | None = None,
) -> AssignedTask:
    """Assign the chat's task to these users (those already on it stay); the task with all its
    assignees after the change. TaskNotFound when the chat has no such task."""
    check_number(number)
    params = {"chat_id": chat_id, "number": number, "user_ids": sorted(set(user_ids))}
    rows = await execute_change(db, _ASSIGN, params, once_for=once_for)
    return _assigned_task(rows, number)


async def unassign(
    db: Database,
    *,
    chat_id: int,
    number: int,
    user_ids: Sequence[int] | None = None,
    once_for: UpdateKey | None = None,
) -> AssignedTask:
    """Take these users (None: everyone) off the chat's task; the task with who is left."""
    check_number(number)
    wanted = sorted(set(user_ids)) if user_ids is not None else None
    params = {"chat_id": chat_id, "number": number, "user_ids": wanted}
    rows = await execute_change(db, _UNASSIGN, params, once_for=once_for)
    return _assigned_task(rows, number)


_ASSIGNEES_OF = sa.text("""
SELECT t.number, a.user_id, u.username, u.first_name
FROM tasks AS t
JOIN task_assignees AS a ON a.task_id = t.id
LEFT JOIN users AS u ON u.user_id = a.user_id
WHERE t.chat_id = :chat_id AND t.number = ANY(CAST(:numbers AS integer[]))
    AND t.deleted_at IS NULL
ORDER BY t.number, a.assigned_at, a.user_id
""").bindparams(sa.bindparam("chat_id", type_=sa.BigInteger))


async def assignees_of(
    db: Database, *, chat_id: int, numbers: Sequence[int]
) -> dict[int, list[Assignee]]:
    """The assignees of the chat's tasks with these numbers (tasks with none are left out)."""
    rows = await db.run(
        _ASSIGNEES_OF, {"chat_id": chat_id, "numbers": list(numbers)}, idempotent=True
    )
    found: dict[int, list[Assignee]] = {}
    for row in rows:
        m = row._mapping
        found.setdefault(m["number"], []).append(
            Assignee(m["user_id"], m["username"], m["first_name"])
        )
    return found


_T_COLUMNS = ", ".join(f"t.{column.strip()}" for column in statements.TASK_COLUMNS.split(","))
_ASSIGNED_TO = sa.text(f"""
SELECT {_T_COLUMNS}
FROM task_assignees AS a JOIN tasks AS t ON t.id = a.task_id
WHERE a.user_id = :user_id AND NOT t.done AND t.deleted_at IS NULL
ORDER BY t.chat_id, t.number
LIMIT :limit
""").bindparams(sa.bindparam("user_id", type_=sa.BigInteger))


async def assigned_to(
    db: Database, *, user_id: int, limit: int = MAX_ASSIGNED_LISTED
) -> list[Task]:
    """The open tasks assigned to the user in every chat (each Task names its chat), by chat
    and number. The caller must show a group's tasks only to its current members."""
    rows = await db.run(_ASSIGNED_TO, {"user_id": user_id, "limit": limit}, idempotent=True)
    return [task_from_row(row) for row in rows]


_RECIPIENTS = sa.text("""
SELECT a.user_id, u.username, u.first_name, u.started_at IS NOT NULL AS started, c.timezone
FROM task_assignees AS a
LEFT JOIN users AS u ON u.user_id = a.user_id
LEFT JOIN chats AS c ON c.chat_id = a.user_id
WHERE a.task_id = :task_id
ORDER BY a.assigned_at, a.user_id
""")


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
        )
        for m in (row._mapping for row in rows)
    ]


_SNOOZE_BY_ASSIGNEE = statements.update_one(
    "remind_at = :remind_at, reminder_failures = 0", also=statements.IS_ASSIGNEE
)


async def set_done_by_assignee(
    db: Database,
    *,
    chat_id: int,
    number: int,
    user_id: int,
    once_for: UpdateKey | None = None,
    now: datetime | None = None,
) -> Completed:
    """Mark the chat's task done (a repeating one comes back for its next time), only if
    `user_id` is one of its assignees (checked in the same statement); NotAssignee otherwise
    (or when there is no such task), changing nothing."""
    params = {
        "chat_id": chat_id,
        "number": number,
        "user_id": user_id,
        "done": True,
        "now": now or now_utc(),
    }
    try:
        check_number(number)
        rows = await execute_change(db, statements.SET_DONE_BY_ASSIGNEE, params, once_for=once_for)
    except TaskNotFound:
        raise NotAssignee(number) from None
    completed = completed_from_rows(rows)
    if not completed:
        raise NotAssignee(number)
    return completed[0]


async def snooze_by_assignee(
    db: Database,
    *,
    chat_id: int,
    number: int,
    user_id: int,
    until: datetime,
    once_for: UpdateKey | None = None,
) -> Task:
    """Remind again at `until`, only if `user_id` is one of the task's assignees (checked in
    the same statement); NotAssignee otherwise, changing nothing."""
    params = {"chat_id": chat_id, "number": number, "user_id": user_id, "remind_at": until}
    try:
        return await run_change_one(db, _SNOOZE_BY_ASSIGNEE, params, once_for=once_for)
    except TaskNotFound:
        raise NotAssignee(number) from None


_ASSIGNED_TASK = sa.text(f"""
SELECT {_T_COLUMNS},
    ARRAY(SELECT a.user_id FROM task_assignees AS a
        WHERE a.task_id = t.id ORDER BY a.assigned_at, a.user_id) AS assignee_ids,
    ARRAY(SELECT u.username FROM task_assignees AS a LEFT JOIN users AS u USING (user_id)
        WHERE a.task_id = t.id ORDER BY a.assigned_at, a.user_id) AS assignee_usernames,
    ARRAY(SELECT u.first_name FROM task_assignees AS a LEFT JOIN users AS u USING (user_id)
        WHERE a.task_id = t.id ORDER BY a.assigned_at, a.user_id) AS assignee_names
FROM tasks AS t
WHERE t.chat_id = :chat_id AND t.number = :number AND t.deleted_at IS NULL
""").bindparams(sa.bindparam("chat_id", type_=sa.BigInteger))


async def get_assigned_task(db: Database, *, chat_id: int, number: int) -> AssignedTask:
    """The chat's task with its assignees (as get_task, in one round trip); TaskNotFound."""
    check_number(number)
    rows = await db.run(_ASSIGNED_TASK, {"chat_id": chat_id, "number": number}, idempotent=True)
    return _assigned_task(rows, number)


@dataclass(frozen=True, slots=True)
class Assignments:
    """A user's open assigned tasks (each names its list, by list and number), the real group
    of each of those lists (a forum topic's list: its forum), and the user's own time zone."""

    tasks: list[Task]
    groups: dict[int, int]
    timezone: str | None


_ASSIGNMENTS = sa.text(f"""
SELECT own.timezone AS own_timezone, COALESCE(tl.chat_id, t.chat_id) AS group_id, t.*
FROM (SELECT 1) AS one
LEFT JOIN chats AS own ON own.chat_id = :user_id
LEFT JOIN LATERAL (
    SELECT {_T_COLUMNS}
    FROM task_assignees AS a JOIN tasks AS t ON t.id = a.task_id
    WHERE a.user_id = :user_id AND NOT t.done AND t.deleted_at IS NULL
    ORDER BY t.chat_id, t.number
    LIMIT :limit
) AS t ON true
LEFT JOIN topic_lists AS tl ON tl.list_id = t.chat_id
ORDER BY t.chat_id, t.number
""").bindparams(sa.bindparam("user_id", type_=sa.BigInteger))


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


_REMINDER_PLACE = sa.text("""
SELECT COALESCE(tl.chat_id, :list_id) AS group_id,
    COALESCE(own.timezone, list.timezone) AS timezone
FROM (SELECT 1) AS one
LEFT JOIN topic_lists AS tl ON tl.list_id = :list_id
LEFT JOIN chats AS own ON own.chat_id = :user_id
LEFT JOIN chats AS list ON list.chat_id = :list_id
""").bindparams(
    sa.bindparam("list_id", type_=sa.BigInteger),
    sa.bindparam("user_id", type_=sa.BigInteger),
)


async def reminder_place(db: Database, *, list_id: int, user_id: int) -> tuple[int, str | None]:
    """For the buttons of a private reminder of a list's task: the list's real group (whose
    membership counts) and the time zone the user hears times in (their own, else the list's).
    One round trip."""
    rows = await db.run(_REMINDER_PLACE, {"list_id": list_id, "user_id": user_id}, idempotent=True)
    return int(rows[0]._mapping["group_id"]), rows[0]._mapping["timezone"]
