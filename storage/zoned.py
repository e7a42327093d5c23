"""Changes that need the list's time zone first, each in one call: a due time the user typed
("tomorrow 9:00") means a moment only in the list's zone.

These read the list's settings, give the zone to the caller's pure step (a parse), and then
make the change: two round trips, in one call. Each returns the settings too, so the caller can
say times back. (`due_today` needs no second trip: the end of the local day is found after.)
"""

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from storage import reminders, tasks
from storage.chat_settings import (
    SETTINGS_COLUMNS,
    ChatSettings,
    get_chat_settings,
    save_chat_settings,
    settings_from_row,
)
from storage.clock import now_utc
from storage.db import Database
from storage.lists import DEFAULT_CAPS, ListCaps
from storage.local_time import chat_zone, local_day_end, next_local_minute
from storage.pages import ON_CHAT, chat
from storage.reminder_times import snoozed_until
from storage.tables import ONE_ROW, task_from_row
from storage.values import Completed, DueEntry, Task, UpdateKey

__all__ = ["DueEntry"]


async def add_tasks_in_zone(
    db: Database,
    *,
    chat_id: int,
    titles: Sequence[str],
    due: Callable[[ZoneInfo], Sequence[DueEntry]],
    created_by: int | None,
    update_key: UpdateKey | None = None,
    caps: ListCaps = DEFAULT_CAPS,
    priorities: Sequence[int | None] | None = None,
    checklists: Sequence[Sequence[str]] | None = None,
) -> tuple[list[Task], ChatSettings]:
    """Add tasks (as tasks.add_tasks, with their priorities and checklists) with due times
    that `due` reads in the list's zone."""
    settings = await get_chat_settings(db, chat_id=chat_id)
    added = await tasks.add_tasks(
        db,
        chat_id=chat_id,
        titles=titles,
        created_by=created_by,
        update_key=update_key,
        due=due(chat_zone(settings.timezone)),
        priorities=priorities,
        checklists=checklists,
        caps=caps,
    )
    return added, settings


async def set_due_in_zone(
    db: Database,
    *,
    chat_id: int,
    number: int,
    due: Callable[[ZoneInfo], DueEntry],
    update_key: UpdateKey | None = None,
) -> tuple[Task, ChatSettings]:
    """Set a task's due time (as reminders.set_due) to what `due` reads in the list's zone."""
    settings = await get_chat_settings(db, chat_id=chat_id)
    entry = DueEntry(*due(chat_zone(settings.timezone)))
    task = await reminders.set_due(
        db,
        chat_id=chat_id,
        number=number,
        due_at=entry.due_at,
        recurrence=entry.recurrence,
        remind_before=entry.remind_before,
        update_key=update_key,
    )
    return task, settings


async def snooze_in_zone(
    db: Database,
    *,
    chat_id: int,
    number: int,
    until: Callable[[ZoneInfo], datetime],
    update_key: UpdateKey | None = None,
    now: datetime | None = None,
) -> tuple[Task, datetime, ChatSettings]:
    """Remind again (as reminders.snooze) at the moment `until` reads in the list's zone; the
    task, when it is reminded next (that moment, or its next reminder of the occurrence when
    that comes first) and the settings."""
    settings = await get_chat_settings(db, chat_id=chat_id)
    moment = until(chat_zone(settings.timezone))
    now = now or now_utc()
    task = await reminders.snooze(
        db, chat_id=chat_id, number=number, until=moment, update_key=update_key, now=now
    )
    return task, snoozed_until(moment, task.due_at, task.remind_before, now), settings


async def set_task_done_with_settings(
    db: Database,
    *,
    chat_id: int,
    number: int,
    update_key: UpdateKey | None = None,
    now: datetime | None = None,
) -> tuple[Completed, ChatSettings]:
    """Mark a task done (as tasks.set_task_done) from its reminder; with the list's settings, to
    say when a repeating task comes back."""
    completed = await tasks.set_task_done(
        db, chat_id=chat_id, number=number, done=True, update_key=update_key, now=now
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

# The list's settings and its open tasks due by `:until` (earliest first, `:limit` at most).
_due = reminders.DUE_UNTIL.lateral("due")
_DUE_TODAY = (
    sa.select(*(chat.c[column.key] for column in SETTINGS_COLUMNS), *_due.c)
    .select_from(ONE_ROW.outerjoin(chat, ON_CHAT).outerjoin(_due, sa.true()))
    .order_by(_due.c.due_at, _due.c.number)
)


async def due_today(
    db: Database, *, chat_id: int, now: datetime, limit: int = 50
) -> tuple[list[Task], ChatSettings]:
    """The list's open tasks due by the end of its local day (overdue ones first), earliest
    first, and its settings: one round trip."""
    rows = await db.run(
        _DUE_TODAY,
        {"list_id": chat_id, "until": now + _DAY_AHEAD, "limit": limit},
        idempotent=True,
    )
    settings = settings_from_row(rows[0]._mapping) if rows else ChatSettings()
    day_end = local_day_end(now, chat_zone(settings.timezone))
    due = [task_from_row(row) for row in rows if row._mapping["id"] is not None]
    return [task for task in due if task.due_at is not None and task.due_at <= day_end], settings
