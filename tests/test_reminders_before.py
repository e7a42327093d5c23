"""Reminders before the due time, end to end: /remind and "remind ... before" set them, the
scheduler (on an injected clock) sends each once per occurrence, exactly once however many
instances tick, holds them in quiet hours, and they move with the due time, a snooze, and a
repeating task's next occurrence. The SQL that sets the next reminder agrees with the Python."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.scheduler import Scheduler
from handlers.context import BotApplication
from storage.db import Database
from storage.recurrence import Recurrence
from storage.reminder_times import next_reminder
from storage.reminders import set_due, snooze
from storage.tables import TIMESTAMP, tasks
from storage.tasks import add_task, get_task, set_done
from storage.zoned import snooze_in_zone
from testkit.fake_telegram import FakeTelegram
from tests.botdriver import ChatDriver
from tests.factories import new_chat_id
from tests.test_reminders import FakeClock, T, _as_reply, _reminders, clock, scheduler

__all__ = ["clock", "scheduler"]  # the fixtures, shared with tests/test_reminders.py

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")


async def _remind_at(db: Database, chat_id: int, number: int = 1) -> datetime | None:
    statement = sa.select(tasks.c.remind_at).where(
        tasks.c.chat_id == chat_id, tasks.c.number == number
    )
    rows = await db.run(statement, {}, idempotent=True)
    moment: datetime | None = rows[0]._mapping["remind_at"]
    return moment


async def _task_due_with_reminders(
    db: Database, chat: int, title: str, due: datetime, before: tuple[int, ...], **more: str
) -> int:
    task = await add_task(db, chat_id=chat, title=title, created_by=chat)
    await set_due(
        db,
        chat_id=chat,
        number=task.number,
        due_at=due,
        remind_before=before,
        now=due - timedelta(days=7),
        recurrence=more.get("recurrence"),
    )
    return task.number


async def _tick_at(scheduler: Scheduler, clock: FakeClock, moment: datetime) -> None:
    clock.now = moment
    await scheduler.tick()


async def test_remind_sets_reminders_before_and_says_them(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/add Dentist")
    reply = await private_chat.send("/remind 1 1d 1h before")
    assert reply.text == (
        "🔔 #1 Dentist is reminded 1 day and 1 hour before its due time, and at it, once it has"
        " one: /due 1 fri 18:00"
    )
    due = await private_chat.send("/due 1 fri 18:00")
    assert "🔔 Also 1 day and 1 hour before." in due.text
    task = await get_task(direct_db, chat_id=private_chat.chat_id, number=1)
    assert task.remind_before == (1440, 60) and task.due_at is not None
    assert await _remind_at(direct_db, private_chat.chat_id) == task.due_at - timedelta(days=1)
    asked = await private_chat.send("/remind 1")
    assert asked.text.startswith("🔔 #1 Dentist is reminded 1 day and 1 hour before its due time")
    off = await private_chat.send("/remind 1 off")
    assert off.text == "🔔 #1 Dentist is reminded at its due time only."
    assert await _remind_at(direct_db, private_chat.chat_id) == task.due_at
    refused = await private_chat.send("/remind 1 soon")
    assert "as reminders before the due time" in refused.text and "Usage: /remind" in refused.text


async def test_due_with_remind_sets_both_and_show_says_them(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/add Team lunch")
    reply = await private_chat.send("/due 1 every other friday 12:00 remind 1d 1h before")
    lines = reply.text.splitlines()
    assert lines[1:3] == ["🔁 every other Friday at 12:00", "🔔 Also 1 day and 1 hour before."]
    shown = await private_chat.send("/show 1")
    assert "Repeats: every other Friday at 12:00" in shown.text
    assert "🔔 Also reminded 1 day and 1 hour before" in shown.text
    # A due time set again without "remind" keeps the reminders, moved to the new time.
    await private_chat.send("/due 1 in 2 hours")
    task = await get_task(direct_db, chat_id=private_chat.chat_id, number=1)
    assert task.remind_before == (1440, 60) and task.recurrence is None
    assert task.due_at is not None
    first = await _remind_at(direct_db, private_chat.chat_id)
    assert first == task.due_at - timedelta(hours=1)  # a day before has passed already


async def test_each_reminder_goes_out_once_at_its_time_even_with_two_instances(
    private_chat: ChatDriver,
    direct_db: Database,
    pooled_db: Database,
    telegram: FakeTelegram,
    running_app: BotApplication,
    clock: FakeClock,
) -> None:
    chat = private_chat.chat_id
    await _task_due_with_reminders(direct_db, chat, "Pay rent", T, (1440, 60))
    first = Scheduler(direct_db, running_app.bot, clock=clock)
    second = Scheduler(pooled_db, running_app.bot, clock=clock)
    sent: list[str] = []
    for moment in (
        T - timedelta(days=1, seconds=5),  # not yet
        T - timedelta(days=1) + timedelta(seconds=5),
        T - timedelta(hours=2),
        T - timedelta(hours=1) + timedelta(seconds=5),
        T - timedelta(minutes=30),
        T + timedelta(seconds=5),
        T + timedelta(hours=1),
    ):
        clock.now = moment
        mark = telegram.mark()
        await asyncio.gather(first.tick(), second.tick(), first.tick(), second.tick())
        sent += [
            f"{moment - T}: {_as_reply(telegram, call).text}"
            for call in _reminders(telegram, chat, mark)
        ]
    assert sent == [
        "-1 day, 0:00:05: ⏰ #1 Pay rent\nDue tomorrow 09:00.",
        "-1 day, 23:00:05: ⏰ #1 Pay rent\nDue today 09:00.",
        "0:00:05: ⏰ #1 Pay rent\nDue today 09:00.",
    ]


async def test_quiet_hours_hold_a_reminder_before_the_due_time_and_the_due_one_still_comes(
    private_chat: ChatDriver,
    direct_db: Database,
    telegram: FakeTelegram,
    scheduler: Scheduler,
    clock: FakeClock,
) -> None:
    chat = private_chat.chat_id
    await private_chat.send("/quiet 22:00-07:00")
    # Due 09:00 UTC; reminded 10 hours before (23:00, quiet) and 1 hour before (08:00).
    await _task_due_with_reminders(direct_db, chat, "Flight", T, (600, 60))
    mark = telegram.mark()
    await _tick_at(scheduler, clock, T - timedelta(hours=10) + timedelta(seconds=5))
    assert _reminders(telegram, chat, mark) == []
    await _tick_at(scheduler, clock, T - timedelta(hours=2) + timedelta(seconds=5))  # 07:00:05
    assert len(_reminders(telegram, chat, mark)) == 1
    await _tick_at(scheduler, clock, T - timedelta(hours=1) + timedelta(seconds=5))
    await _tick_at(scheduler, clock, T + timedelta(seconds=5))
    assert len(_reminders(telegram, chat, mark)) == 3


async def test_reminders_move_with_the_due_time_and_a_snooze_keeps_the_due_one(
    private_chat: ChatDriver,
    direct_db: Database,
    telegram: FakeTelegram,
    scheduler: Scheduler,
    clock: FakeClock,
) -> None:
    chat = private_chat.chat_id
    await _task_due_with_reminders(direct_db, chat, "Report", T, (60,))
    later = T + timedelta(days=1)
    await set_due(direct_db, chat_id=chat, number=1, due_at=later, now=T - timedelta(days=1))
    assert await _remind_at(direct_db, chat) == later - timedelta(hours=1)
    mark = telegram.mark()
    await _tick_at(scheduler, clock, T - timedelta(minutes=59))
    assert _reminders(telegram, chat, mark) == []  # the old time's reminder is gone
    await _tick_at(scheduler, clock, later - timedelta(minutes=59))
    (early,) = _reminders(telegram, chat, mark)
    # Snoozed until the next morning: the due time comes first, so it is reminded then.
    await snooze(
        direct_db, chat_id=chat, number=1, until=later + timedelta(hours=20), now=clock.now
    )
    assert await _remind_at(direct_db, chat) == later
    await _tick_at(scheduler, clock, later + timedelta(seconds=5))
    assert len(_reminders(telegram, chat, mark)) == 2
    reply = _as_reply(telegram, early)
    assert reply.text.startswith("⏰ #1 Report\nDue ")


async def test_a_snooze_says_when_the_next_reminder_really_comes(direct_db: Database) -> None:
    chat = new_chat_id()
    await _task_due_with_reminders(direct_db, chat, "Report", T, (60,))
    _, next_at, _ = await snooze_in_zone(
        direct_db,
        chat_id=chat,
        number=1,
        until=lambda tz: T + timedelta(hours=20),
        now=T - timedelta(minutes=59),
    )
    assert next_at == T == await _remind_at(direct_db, chat)
    _, next_at, _ = await snooze_in_zone(
        direct_db,
        chat_id=chat,
        number=1,
        until=lambda tz: T + timedelta(hours=20),
        now=T + timedelta(minutes=1),
    )
    assert next_at == T + timedelta(hours=20) == await _remind_at(direct_db, chat)


async def test_a_repeating_task_gets_its_reminders_again_for_its_next_time(
    private_chat: ChatDriver,
    direct_db: Database,
    telegram: FakeTelegram,
    scheduler: Scheduler,
    clock: FakeClock,
) -> None:
    chat = private_chat.chat_id
    rule = Recurrence("daily", 9, 0).encode()  # T is 09:00 UTC, the chat's zone
    await _task_due_with_reminders(direct_db, chat, "Pills", T, (30,), recurrence=rule)
    mark = telegram.mark()
    await _tick_at(scheduler, clock, T - timedelta(minutes=29))
    await _tick_at(scheduler, clock, T + timedelta(minutes=1))
    assert len(_reminders(telegram, chat, mark)) == 2
    result = await set_done(
        direct_db, chat_id=chat, numbers=[1], done=True, now=T + timedelta(minutes=2)
    )
    assert result.next_due == {1: T + timedelta(days=1)}
    assert await _remind_at(direct_db, chat) == T + timedelta(days=1, minutes=-30)
    await _tick_at(scheduler, clock, T + timedelta(days=1, minutes=-29))
    await _tick_at(scheduler, clock, T + timedelta(days=1, minutes=1))
    assert len(_reminders(telegram, chat, mark)) == 4


_REMINDER = sa.text("SELECT next_reminder(:due, :before, :after) AS next").bindparams(
    sa.bindparam("due", type_=TIMESTAMP),
    sa.bindparam("before", type_=tasks.c.remind_before.type),
    sa.bindparam("after", type_=TIMESTAMP),
)
instants = st.datetimes(datetime(2026, 1, 1), datetime(2040, 12, 31)).map(
    lambda naive: naive.replace(tzinfo=UTC)
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    due=st.none() | instants,
    before=st.lists(st.integers(1, 40320), max_size=5),
    after_due=st.timedeltas(timedelta(days=-30), timedelta(days=2)),
)
async def test_sql_and_python_agree_on_the_next_reminder(
    direct_db: Database, due: datetime | None, before: list[int], after_due: timedelta
) -> None:
    after = (due or datetime(2030, 1, 1, tzinfo=UTC)) + after_due
    rows = await direct_db.run(
        _REMINDER, {"due": due, "before": before, "after": after}, idempotent=True
    )
    assert rows[0]._mapping["next"] == next_reminder(due, before, after)
