"""Due times, reminders and the chat settings around them (time zone, quiet hours, digest).

Reminders live in `tasks.remind_at`. Every bot instance runs a scheduler that claims due ones
with `FOR UPDATE SKIP LOCKED`, moving `remind_at` to a lease a minute ahead in the same
statement: no two instances ever claim one reminder, and a claim whose instance died comes due
again when the lease runs out. After sending, the scheduler finishes the claim (next nag, or
nothing), guarded by the lease so that a user's change in between is never overwritten.

A forum topic's list (storage.topics) is reminded in its real chat, in its topic: the claims
return where to send (`send_to`, `thread_id`) joined from `topic_lists` in the same statement.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from storage import statements, tasks
from storage.changes import run_change_one, task_from_row
from storage.db import Database
from storage.local_time import chat_zone, local_day_end, next_local_minute
from storage.models import Completed, Task, UpdateKey

_COLUMNS = statements.TASK_COLUMNS


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """A chat's notification settings; a chat never configured has all of them unset."""

    timezone: str | None = None
    quiet_start: int | None = None  # minutes after local midnight
    quiet_end: int | None = None
    digest_minute: int | None = None


@dataclass(frozen=True, slots=True)
class Reminder:
    """A claimed reminder: the task, when it was due, and its chat's settings."""

    task: Task
    due: datetime
    lease_until: datetime
    failures: int
    settings: ChatSettings
    # Where the list's messages go: its chat, and for a forum topic's list the topic.
    send_to: int
    thread_id: int | None
    # Whether the task has assignees (their reminders go to them: storage.assignees).
    assigned: bool = False


@dataclass(frozen=True, slots=True)
class DigestClaim:
    """A chat whose daily digest is due."""

    chat_id: int
    due: datetime
    lease_until: datetime
    settings: ChatSettings
    # Where the list's messages go: its chat, and for a forum topic's list the topic.
    send_to: int
    thread_id: int | None


def _settings(mapping: Any) -> ChatSettings:
    return ChatSettings(
        timezone=mapping["timezone"],
        quiet_start=mapping["quiet_start"],
        quiet_end=mapping["quiet_end"],
        digest_minute=mapping["digest_minute"],
    )


_GET_SETTINGS = sa.text(
    "SELECT timezone, quiet_start, quiet_end, digest_minute FROM chats WHERE chat_id = :chat_id"
).bindparams(sa.bindparam("chat_id", type_=sa.BigInteger))


async def get_chat_settings(db: Database, *, chat_id: int) -> ChatSettings:
    """The chat's settings (all unset for a chat never seen)."""
    rows = await db.run(_GET_SETTINGS, {"chat_id": chat_id}, idempotent=True)
    return _settings(rows[0]._mapping) if rows else ChatSettings()


_SET_SETTINGS = sa.text("""
INSERT INTO chats AS c (chat_id, timezone, quiet_start, quiet_end, digest_minute, next_digest_at)
VALUES (:chat_id, :timezone, :quiet_start, :quiet_end, :digest_minute, :next_digest_at)
ON CONFLICT (chat_id) DO UPDATE SET
    timezone = EXCLUDED.timezone,
    quiet_start = EXCLUDED.quiet_start,
    quiet_end = EXCLUDED.quiet_end,
    digest_minute = EXCLUDED.digest_minute,
    next_digest_at = EXCLUDED.next_digest_at
""").bindparams(
    sa.bindparam("chat_id", type_=sa.BigInteger),
    sa.bindparam("timezone", type_=sa.Text),
    sa.bindparam("quiet_start", type_=sa.SmallInteger),
    sa.bindparam("quiet_end", type_=sa.SmallInteger),
    sa.bindparam("digest_minute", type_=sa.SmallInteger),
    sa.bindparam("next_digest_at", type_=sa.DateTime(timezone=True)),
)


async def save_chat_settings(
    db: Database, *, chat_id: int, settings: ChatSettings, next_digest_at: datetime | None
) -> None:
    """Store all of a chat's settings at once (the caller changed one of them)."""
    await db.run(
        _SET_SETTINGS,
        {
            "chat_id": chat_id,
            "timezone": settings.timezone,
            "quiet_start": settings.quiet_start,
            "quiet_end": settings.quiet_end,
            "digest_minute": settings.digest_minute,
            "next_digest_at": next_digest_at if settings.digest_minute is not None else None,
        },
        idempotent=True,
    )


_SET_DUE = statements.update_one(
    "due_at = :due_at, remind_at = :due_at, recurrence = :recurrence,"
    " reminder_failures = 0, updated_at = now()"
)
_SET_NAG = statements.update_one("nag_minutes = :nag_minutes, updated_at = now()")
_SNOOZE = statements.update_one("remind_at = :remind_at, reminder_failures = 0")


async def set_due(
    db: Database,
    *,
    chat_id: int,
    number: int,
    due_at: datetime | None,
    recurrence: str | None = None,
    once_for: UpdateKey | None = None,
) -> Task:
    """Give a task a due time (its reminder then), or with None take it away."""
    params = {
        "chat_id": chat_id,
        "number": number,
        "due_at": due_at,
        "recurrence": recurrence if due_at is not None else None,
    }
    return await run_change_one(db, _SET_DUE, params, once_for=once_for)


async def set_nag(
    db: Database,
    *,
    chat_id: int,
    number: int,
    minutes: int | None,
    once_for: UpdateKey | None = None,
) -> Task:
    """Repeat the task's reminder every `minutes` until it is done (None: remind once)."""
    params = {"chat_id": chat_id, "number": number, "nag_minutes": minutes}
    return await run_change_one(db, _SET_NAG, params, once_for=once_for)


async def snooze(
    db: Database,
    *,
    chat_id: int,
    number: int,
    until: datetime,
    once_for: UpdateKey | None = None,
) -> Task:
    """Remind again at `until` (the due time stays as it is)."""
    params = {"chat_id": chat_id, "number": number, "remind_at": until}
    return await run_change_one(db, _SNOOZE, params, once_for=once_for)


_DUE_UNTIL = sa.text(f"""
SELECT {_COLUMNS} FROM tasks
WHERE chat_id = :chat_id AND due_at <= :until AND deleted_at IS NULL AND NOT done
ORDER BY due_at, number
LIMIT :limit
""").bindparams(
    sa.bindparam("chat_id", type_=sa.BigInteger),
    sa.bindparam("until", type_=sa.DateTime(timezone=True)),
)


async def due_until(db: Database, *, chat_id: int, until: datetime, limit: int = 50) -> list[Task]:
    """The chat's open tasks due up to `until` (overdue ones first), earliest first."""
    rows = await db.run(
        _DUE_UNTIL, {"chat_id": chat_id, "until": until, "limit": limit}, idempotent=True
    )
    return [task_from_row(row) for row in rows]


_TASK_COLUMNS_OF_T = ", ".join(f"t.{column.strip()}" for column in _COLUMNS.split(","))

_CLAIM_REMINDERS = sa.text(f"""
WITH due AS (
    SELECT id, chat_id, remind_at FROM tasks
    WHERE remind_at <= :now AND NOT done AND deleted_at IS NULL
    ORDER BY remind_at
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
)
UPDATE tasks AS t SET remind_at = :lease_until
FROM due
JOIN chats AS c ON c.chat_id = due.chat_id
LEFT JOIN topic_lists AS tl ON tl.list_id = due.chat_id
WHERE t.id = due.id
RETURNING {_TASK_COLUMNS_OF_T}, due.remind_at AS reminder_due, t.reminder_failures,
    EXISTS (SELECT 1 FROM task_assignees AS a WHERE a.task_id = t.id) AS assigned,
    c.timezone, c.quiet_start, c.quiet_end, c.digest_minute,
    COALESCE(tl.chat_id, t.chat_id) AS send_to, tl.thread_id
""").bindparams(
    sa.bindparam("now", type_=sa.DateTime(timezone=True)),
    sa.bindparam("lease_until", type_=sa.DateTime(timezone=True)),
)


async def claim_due_reminders(
    db: Database, *, now: datetime, lease_until: datetime, limit: int = 100
) -> list[Reminder]:
    """Take the reminders due at `now` (up to `limit`) for this instance to send."""
    rows = await db.run(
        _CLAIM_REMINDERS,
        {"now": now, "lease_until": lease_until, "limit": limit},
        idempotent=False,
    )
    return [
        Reminder(
            task=task_from_row(row),
            due=row._mapping["reminder_due"],
            lease_until=lease_until,
            failures=row._mapping["reminder_failures"],
            settings=_settings(row._mapping),
            assigned=row._mapping["assigned"],
            send_to=row._mapping["send_to"],
            thread_id=row._mapping["thread_id"],
        )
        for row in rows
    ]


_FINISH_REMINDER = sa.text("""
UPDATE tasks SET remind_at = :next_at, reminder_failures = :failures
WHERE id = :task_id AND remind_at = :lease_until
""").bindparams(
    sa.bindparam("next_at", type_=sa.DateTime(timezone=True)),
    sa.bindparam("lease_until", type_=sa.DateTime(timezone=True)),
)


async def finish_reminder(
    db: Database, *, task_id: UUID, lease_until: datetime, next_at: datetime | None, failures: int
) -> None:
    """Record what became of a claimed reminder: remind next at `next_at`, or never (None).

    Changes nothing when the task's reminder was changed since the claim.
    """
    await db.run(
        _FINISH_REMINDER,
        {"task_id": task_id, "lease_until": lease_until, "next_at": next_at, "failures": failures},
        idempotent=True,
    )


_CLAIM_DIGESTS = sa.text("""
WITH due AS (
    SELECT chat_id, next_digest_at FROM chats
    WHERE next_digest_at <= :now
    ORDER BY next_digest_at
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
)
UPDATE chats AS c SET next_digest_at = :lease_until
FROM due
LEFT JOIN topic_lists AS tl ON tl.list_id = due.chat_id
WHERE c.chat_id = due.chat_id
RETURNING c.chat_id, due.next_digest_at AS digest_due,
    c.timezone, c.quiet_start, c.quiet_end, c.digest_minute,
    COALESCE(tl.chat_id, c.chat_id) AS send_to, tl.thread_id
""").bindparams(
    sa.bindparam("now", type_=sa.DateTime(timezone=True)),
    sa.bindparam("lease_until", type_=sa.DateTime(timezone=True)),
)


async def claim_due_digests(
    db: Database, *, now: datetime, lease_until: datetime, limit: int = 100
) -> list[DigestClaim]:
    """Take the chats whose daily digest is due at `now`."""
    rows = await db.run(
        _CLAIM_DIGESTS,
        {"now": now, "lease_until": lease_until, "limit": limit},
        idempotent=False,
    )
    return [
        DigestClaim(
            chat_id=row._mapping["chat_id"],
            due=row._mapping["digest_due"],
            lease_until=lease_until,
            settings=_settings(row._mapping),
            send_to=row._mapping["send_to"],
            thread_id=row._mapping["thread_id"],
        )
        for row in rows
    ]


_FINISH_DIGEST = sa.text("""
UPDATE chats SET next_digest_at = :next_at
WHERE chat_id = :chat_id AND next_digest_at = :lease_until
""").bindparams(
    sa.bindparam("chat_id", type_=sa.BigInteger),
    sa.bindparam("next_at", type_=sa.DateTime(timezone=True)),
    sa.bindparam("lease_until", type_=sa.DateTime(timezone=True)),
)


async def finish_digest(
    db: Database, *, chat_id: int, lease_until: datetime, next_at: datetime | None
) -> None:
    """Schedule the chat's next digest (unless its settings changed since the claim)."""
    await db.run(
        _FINISH_DIGEST,
        {"chat_id": chat_id, "lease_until": lease_until, "next_at": next_at},
        idempotent=True,
    )


# -- Changes that read the list's time zone first -------------------------------------------
# A due time the user typed ("tomorrow 9:00") means a moment only in the list's zone, so these
# read the settings, give the zone to the caller's pure step (a parse), and then make the
# change: two round trips, in one call. Each returns the settings too, to say times back.

DueEntry = tuple[datetime | None, str | None]  # a due time and its stored repeat rule


async def add_tasks_in_zone(
    db: Database,
    *,
    chat_id: int,
    titles: Sequence[str],
    due: Callable[[ZoneInfo], Sequence[DueEntry]],
    created_by: int | None,
    once_for: UpdateKey | None = None,
) -> tuple[list[Task], ChatSettings]:
    """Add tasks (as tasks.add_tasks) with due times that `due` reads in the list's zone."""
    settings = await get_chat_settings(db, chat_id=chat_id)
    added = await tasks.add_tasks(
        db,
        chat_id=chat_id,
        titles=titles,
        created_by=created_by,
        once_for=once_for,
        due=due(chat_zone(settings.timezone)),
    )
    return added, settings


async def set_due_in_zone(
    db: Database,
    *,
    chat_id: int,
    number: int,
    due: Callable[[ZoneInfo], DueEntry],
    once_for: UpdateKey | None = None,
) -> tuple[Task, ChatSettings]:
    """Set a task's due time (as set_due) to what `due` reads in the list's zone."""
    settings = await get_chat_settings(db, chat_id=chat_id)
    due_at, recurrence = due(chat_zone(settings.timezone))
    task = await set_due(
        db,
        chat_id=chat_id,
        number=number,
        due_at=due_at,
        recurrence=recurrence,
        once_for=once_for,
    )
    return task, settings


async def snooze_in_zone(
    db: Database,
    *,
    chat_id: int,
    number: int,
    until: Callable[[ZoneInfo], datetime],
    once_for: UpdateKey | None = None,
) -> tuple[Task, datetime, ChatSettings]:
    """Remind again (as snooze) at the moment `until` reads in the list's zone; the task, that
    moment and the settings."""
    settings = await get_chat_settings(db, chat_id=chat_id)
    moment = until(chat_zone(settings.timezone))
    task = await snooze(db, chat_id=chat_id, number=number, until=moment, once_for=once_for)
    return task, moment, settings


async def set_task_done_with_settings(
    db: Database,
    *,
    chat_id: int,
    number: int,
    once_for: UpdateKey | None = None,
    now: datetime | None = None,
) -> tuple[Completed, ChatSettings]:
    """Mark a task done (as tasks.set_task_done) from its reminder; with the list's settings, to
    say when a repeating task comes back."""
    completed = await tasks.set_task_done(
        db, chat_id=chat_id, number=number, done=True, once_for=once_for, now=now
    )
    return completed, await get_chat_settings(db, chat_id=chat_id)


async def change_chat_settings(
    db: Database,
    *,
    chat_id: int,
    change: Callable[[ChatSettings], ChatSettings],
    now: datetime,
) -> ChatSettings:
    """Change some of a list's settings (`change` gets the current ones and returns all of them)
    and schedule its next digest after `now` by the new ones; the settings stored."""
    settings = change(await get_chat_settings(db, chat_id=chat_id))
    next_digest = None
    if settings.digest_minute is not None:
        next_digest = next_local_minute(now, chat_zone(settings.timezone), settings.digest_minute)
    await save_chat_settings(db, chat_id=chat_id, settings=settings, next_digest_at=next_digest)
    return settings


# A local day is at most 25 hours long (a DST change day): tasks due this far ahead cover
# what is left of today in any zone; the day's end is then found in Python, by the zone's rule.
_DAY_AHEAD = timedelta(hours=26)

_DUE_TODAY = sa.text(f"""
SELECT c.timezone, c.quiet_start, c.quiet_end, c.digest_minute, due.*
FROM (SELECT 1) AS one
LEFT JOIN chats AS c ON c.chat_id = :chat_id
LEFT JOIN LATERAL (
    SELECT {_COLUMNS} FROM tasks
    WHERE chat_id = :chat_id AND due_at <= :until AND deleted_at IS NULL AND NOT done
    ORDER BY due_at, number
    LIMIT :limit
) AS due ON true
ORDER BY due.due_at, due.number
""").bindparams(
    sa.bindparam("chat_id", type_=sa.BigInteger),
    sa.bindparam("until", type_=sa.DateTime(timezone=True)),
)


async def due_today(
    db: Database, *, chat_id: int, now: datetime, limit: int = 50
) -> tuple[list[Task], ChatSettings]:
    """The list's open tasks due by the end of its local day (overdue ones first), earliest
    first, and its settings: one round trip."""
    rows = await db.run(
        _DUE_TODAY,
        {"chat_id": chat_id, "until": now + _DAY_AHEAD, "limit": limit},
        idempotent=True,
    )
    settings = _settings(rows[0]._mapping) if rows else ChatSettings()
    day_end = local_day_end(now, chat_zone(settings.timezone))
    due = [task_from_row(row) for row in rows if row._mapping["id"] is not None]
    return [task for task in due if task.due_at is not None and task.due_at <= day_end], settings
