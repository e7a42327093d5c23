"""Reminders before the due time: how many a task may have, how far ahead, and which one comes
next. `next_reminder` is the Python twin of the SQL function of that name (migration 0012),
which the statements that set a due time, snooze or complete a task use to set `remind_at`
(`first_reminder_at`)."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from storage.tables import TIMESTAMP

MAX_REMINDERS_BEFORE = 5
MAX_MINUTES_BEFORE = 28 * 24 * 60  # four weeks


def reminders_before(minutes: Iterable[int]) -> tuple[int, ...]:
    """The minutes as a task keeps them: distinct, the earliest reminder first; ValueError for
    more than MAX_REMINDERS_BEFORE or one outside 1 minute to four weeks."""
    kept = tuple(sorted(set(minutes), reverse=True))
    if len(kept) > MAX_REMINDERS_BEFORE:
        raise ValueError(f"at most {MAX_REMINDERS_BEFORE} reminders before the due time")
    if any(not 1 <= minute <= MAX_MINUTES_BEFORE for minute in kept):
        raise ValueError("a reminder before the due time must be 1 minute to 4 weeks before it")
    return kept


def next_reminder(due: datetime | None, before: Iterable[int], after: datetime) -> datetime | None:
    """The first of the due time and the moments `before` minutes ahead of it that is later
    than `after`; None when the due time itself has come (or there is none)."""
    if due is None:
        return None
    moments = [due - timedelta(minutes=minutes) for minutes in before] + [due]
    upcoming = [moment for moment in moments if moment > after]
    return min(upcoming, default=None)


def snoozed_until(
    until: datetime, due: datetime | None, before: Iterable[int], now: datetime
) -> datetime:
    """When a task snoozed at `now` until `until` is reminded next: then, or at its next
    reminder before (or at) its due time when that comes first (storage.reminders.snoozed)."""
    upcoming = next_reminder(due, before, now)
    return until if upcoming is None else min(until, upcoming)


def first_reminder_at(
    due: sa.ColumnElement[Any], before: sa.ColumnElement[Any], now: sa.ColumnElement[Any]
) -> sa.ColumnElement[Any]:
    """SQL: when a task due at `due` is first reminded, seen at `now`: its first reminder
    `before` minutes ahead that is still to come, else the due time itself (even when that has
    passed: a reminder is late rather than lost). NULL when `due` is."""
    upcoming = sa.func.next_reminder(due, before, now, type_=TIMESTAMP)
    return sa.func.coalesce(upcoming, due)
