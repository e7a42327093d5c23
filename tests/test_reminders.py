"""Due times and reminders end to end: commands, the scheduler on an injected clock (no real
waiting), two instances claiming at once, late reminders, snooze, nag, quiet hours, digest,
recurrence, blocked chats and failed sends."""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.scheduler import Scheduler
from handlers.context import BotApplication
from storage.chat_settings import ChatSettings, save_chat_settings
from storage.db import Database
from storage.errors import TaskNotFound
from storage.reminders import set_due, set_nag
from storage.tasks import add_task, get_task
from testkit.fake_telegram import ApiCall, FakeTelegram
from tests.botdriver import ChatDriver, Reply

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")

# The scheduler's clock in these tests: far ahead of the real one, so the session bot's own
# scheduler (on the real clock) never touches these reminders.
T = datetime(2041, 3, 4, 9, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T)


@pytest.fixture
def scheduler(
    direct_db: Database,
    running_app: BotApplication,
    clock: FakeClock,
) -> Scheduler:
    """A scheduler like the bot's, on the test's clock."""
    return Scheduler(direct_db, running_app.bot, clock=clock)


def _reminders(telegram: FakeTelegram, chat: int, mark: int) -> list[ApiCall]:
    return [
        c
        for c in telegram.calls[mark:]
        if c.method == "sendMessage" and c.ok and c.params["chat_id"] == chat
    ]


async def _task_due(db: Database, chat: int, title: str, due: datetime) -> int:
    task = await add_task(db, chat_id=chat, title=title, created_by=chat)
    await set_due(db, chat_id=chat, number=task.number, due_at=due)
    return task.number


def _as_reply(telegram: FakeTelegram, call: ApiCall) -> Reply:
    stored = telegram.messages[(call.params["chat_id"], call.response["message_id"])]
    return Reply(
        message_id=call.response["message_id"],
        text=stored["text"],
        html=stored["html"],
        buttons=(stored.get("reply_markup") or {}).get("inline_keyboard", []),
    )


async def test_due_says_the_time_back_and_hints_at_the_time_zone(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/add Dentist")
    reply = await private_chat.send("/due 1 tomorrow 9:00")
    assert reply.text.startswith("⏰ #1 Dentist is due tomorrow 09:00.")
    assert "/timezone" in reply.text
    task = await get_task(direct_db, chat_id=private_chat.chat_id, number=1)
    now = datetime.now(UTC)
    expected = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    assert task.due_at == expected + timedelta(hours=9)


async def test_time_zone_is_set_checked_and_used(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    wrong = await private_chat.send("/timezone Europe/Berln")
    assert "Europe/Berlin" in wrong.text
    reply = await private_chat.send("/timezone europe/berlin")
    assert reply.text.startswith("🌍 Time zone: Europe/Berlin")
    await private_chat.send("/add Call")
    said = await private_chat.send("/due 1 tomorrow 9:00")
    assert "tomorrow 09:00" in said.text and "/timezone" not in said.text
    task = await get_task(direct_db, chat_id=private_chat.chat_id, number=1)
    assert task.due_at is not None
    local = task.due_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.hour, local.minute) == (9, 0)


async def test_due_without_a_time_offers_quick_choices(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/add Stretch")
    choices = await private_chat.send("/due 1")
    assert choices.button_texts == [
        "In 1 hour",
        "This evening",
        "Tomorrow morning",
        "Next week",
        "No due time",
    ]
    before = datetime.now(UTC)
    answer, edited = await private_chat.press(choices, "In 1 hour")
    assert (answer == "⏰ Saved" and edited is not None and "is due today" in edited.text) or (
        edited is not None and "is due tomorrow" in edited.text
    )
    task = await get_task(direct_db, chat_id=private_chat.chat_id, number=1)
    assert task.due_at is not None
    assert timedelta(minutes=59) <= task.due_at - before <= timedelta(minutes=61)


async def test_add_with_a_marked_time_and_titles_that_only_look_like_dates(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    added = await private_chat.send("/add Buy 2 milk\nCall mom @ tomorrow 18:00")
    assert added.text.splitlines() == [
        "➕ Added 2 tasks:",
        "#1 Buy 2 milk",
        "#2 Call mom · ⏰ tomorrow 18:00",
    ]
    refused = await private_chat.send("/add Lunch @ soon")
    assert "can't read “soon” as a time" in refused.text
    task = await get_task(direct_db, chat_id=private_chat.chat_id, number=1)
    assert task.due_at is None
    # A marker with nothing after it asks for the time; it is not taken as "no due time".
    empty = await private_chat.send("/add Lunch @ \nDinner")
    assert empty.text.startswith("ℹ️ Tell me when, for example: tomorrow 9:00")
    with pytest.raises(TaskNotFound):
        await get_task(direct_db, chat_id=private_chat.chat_id, number=3)


async def test_list_and_today_show_due_and_overdue_tasks(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    chat = private_chat.chat_id
    now = datetime.now(UTC)
    await _task_due(direct_db, chat, "Overdue", now - timedelta(days=2))
    await _task_due(direct_db, chat, "Far", now + timedelta(days=30))
    await add_task(direct_db, chat_id=chat, title="Whenever", created_by=chat)
    listed = await private_chat.send("/list")
    lines = listed.text.splitlines()
    assert lines[1] == "by priority, then due time, then number"
    lines = lines[1:]
    assert lines[1].startswith("#1 Overdue · ⚠️ overdue (")
    assert lines[2].startswith("#2 Far · ⏰ ")
    assert lines[3] == "#3 Whenever"
    today = await private_chat.send("/today")
    assert today.text.splitlines()[:2] == ["📅 Due today · 1", lines[1]]


async def test_a_reminder_is_sent_once_even_with_two_instances_ticking(
    private_chat: ChatDriver,
    direct_db: Database,
    pooled_db: Database,
    telegram: FakeTelegram,
    running_app: BotApplication,
    clock: FakeClock,
) -> None:
    chat = private_chat.chat_id
    await _task_due(direct_db, chat, "Pay rent", T)
    clock.now = T + timedelta(seconds=30)
    first = Scheduler(direct_db, running_app.bot, clock=clock)
    second = Scheduler(pooled_db, running_app.bot, clock=clock)
    mark = telegram.mark()
    await asyncio.gather(first.tick(), second.tick(), first.tick(), second.tick())
    sent = _reminders(telegram, chat, mark)
    assert len(sent) == 1
    reminder = _as_reply(telegram, sent[0])
    assert reminder.text.startswith("⏰ #1 Pay rent\nDue ")
    assert "late" not in reminder.text
    assert reminder.button_texts == [
        "✅ Done",
        "💤 10 min",
        "💤 1 hour",
        "💤 This evening",
        "💤 Tomorrow morning",
    ]
    await first.tick()
    assert len(_reminders(telegram, chat, mark)) == 1


async def test_missed_reminders_go_out_at_start_marked_late(
    private_chat: ChatDriver,
    direct_db: Database,
    telegram: FakeTelegram,
    scheduler: Scheduler,
    clock: FakeClock,
) -> None:
    chat = private_chat.chat_id
    await _task_due(direct_db, chat, "Missed", T)
    clock.now = T + timedelta(hours=5)  # the bot was down meanwhile
    mark = telegram.mark()
    await scheduler.tick()
    (sent,) = _reminders(telegram, chat, mark)
    assert "(sent late)" in str(sent.params["text"])


async def test_done_on_a_reminder_and_snooze_on_another(
    private_chat: ChatDriver,
    direct_db: Database,
    telegram: FakeTelegram,
    scheduler: Scheduler,
    clock: FakeClock,
) -> None:
    chat = private_chat.chat_id
    await _task_due(direct_db, chat, "Water plants", T)
    await _task_due(direct_db, chat, "Call back", T)
    clock.now = T + timedelta(seconds=5)
    mark = telegram.mark()
    await scheduler.tick()
    sent = sorted(_reminders(telegram, chat, mark), key=lambda c: str(c.params["text"]))
    water, call_back = (_as_reply(telegram, c) for c in sent)
    answer, done = await private_chat.press(water, "✅ Done")
    assert answer == "✅ #1 done"
    assert done is not None and done.text == "✅ #1 Water plants" and done.buttons == []
    assert (await get_task(direct_db, chat_id=chat, number=1)).done
    before = datetime.now(UTC)
    answer, snoozed = await private_chat.press(call_back, "💤 10 min")
    assert answer == "💤 Snoozed"
    assert snoozed is not None and "I'll remind you again" in snoozed.text
    # Ten real minutes from now, the reminder is due again (the scheduler's clock goes there).
    clock.now = before + timedelta(minutes=10, seconds=5)
    mark = telegram.mark()
    await scheduler.tick()
    assert [str(c.params["text"]).split("\n")[0] for c in _reminders(telegram, chat, mark)] == [
        "⏰ <b>#2</b> Call back"
    ]


async def test_nag_repeats_until_done(
    private_chat: ChatDriver,
    direct_db: Database,
    telegram: FakeTelegram,
    scheduler: Scheduler,
    clock: FakeClock,
) -> None:
    chat = private_chat.chat_id
    await _task_due(direct_db, chat, "Take pills", T)
    reply = await private_chat.send("/nag 1 30m")
    assert "every 30 min" in reply.text
    mark = telegram.mark()
    for minutes in (1, 31, 61):
        clock.now = T + timedelta(minutes=minutes)
        await scheduler.tick()
    assert len(_reminders(telegram, chat, mark)) == 3
    await private_chat.send("/done 1")
    mark = telegram.mark()
    clock.now = T + timedelta(minutes=95)
    await scheduler.tick()
    assert _reminders(telegram, chat, mark) == []


async def test_quiet_hours_hold_a_reminder_until_they_end(
    private_chat: ChatDriver,
    direct_db: Database,
    telegram: FakeTelegram,
    scheduler: Scheduler,
    clock: FakeClock,
) -> None:
    chat = private_chat.chat_id
    reply = await private_chat.send("/quiet 08:30-10:00")
    assert reply.text == "🤫 Quiet hours 08:30–10:00: reminders due then wait until the end."
    await _task_due(direct_db, chat, "Quietly", T)  # 09:00 UTC, the chat's zone
    mark = telegram.mark()
    clock.now = T + timedelta(seconds=10)
    await scheduler.tick()
    assert _reminders(telegram, chat, mark) == []
    clock.now = T + timedelta(minutes=61)  # 10:01
    await scheduler.tick()
    assert len(_reminders(telegram, chat, mark)) == 1


async def test_the_daily_digest_replaces_single_reminders(
    private_chat: ChatDriver,
    direct_db: Database,
    telegram: FakeTelegram,
    scheduler: Scheduler,
    clock: FakeClock,
) -> None:
    chat = private_chat.chat_id
    reply = await private_chat.send("/digest 8:00")
    assert "08:00" in reply.text
    await _task_due(direct_db, chat, "Report", T + timedelta(hours=3))
    await _task_due(direct_db, chat, "Late one", T - timedelta(days=1))
    await save_chat_settings(
        direct_db,
        chat_id=chat,
        settings=ChatSettings("UTC", digest_minute=8 * 60),
        next_digest_at=T - timedelta(hours=1),
    )
    mark = telegram.mark()
    clock.now = T  # 09:00: the 08:00 digest is due, and so is the overdue reminder
    await scheduler.tick()
    (digest,) = _reminders(telegram, chat, mark)
    lines = str(digest.params["text"]).splitlines()
    assert lines[0] == "☀️ <b>Today</b> · 2 due"
    assert lines[1].startswith("<b>#2</b> Late one · ⚠️ overdue")
    # Each reader's app shows the due time in their own zone; "today 12:00" is the fallback.
    assert lines[2].startswith('<b>#1</b> Report · ⏰ <tg-time unix="')
    assert 'format="wdt">today 12:00</tg-time>' in lines[2]
    clock.now = T + timedelta(hours=4)
    await scheduler.tick()  # Report's time: no single reminder in digest mode
    assert len(_reminders(telegram, chat, mark)) == 1


async def test_completing_a_recurring_task_schedules_the_next(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/add Stand-up")
    reply = await private_chat.send("/due 1 every day 9:00")
    assert "🔁 every day at 09:00" in reply.text
    first_due = (await get_task(direct_db, chat_id=private_chat.chat_id, number=1)).due_at
    assert first_due is not None
    done = await private_chat.send("/done 1")
    assert "🔁 #1 is back for its next time." in done.text
    task = await get_task(direct_db, chat_id=private_chat.chat_id, number=1)
    assert not task.done and task.due_at == first_due + timedelta(days=1)


async def test_a_recurrence_that_ended_leaves_the_task_done(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    chat = private_chat.chat_id
    task = await add_task(direct_db, chat_id=chat, title="Last one", created_by=chat)
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    until = tomorrow.isoformat()
    await set_due(
        direct_db,
        chat_id=chat,
        number=task.number,
        due_at=datetime.combine(tomorrow, datetime.min.time(), UTC) + timedelta(hours=9),
        recurrence=f"daily::09:00:{until}",
    )
    done = await private_chat.send("/done 1")
    assert "is back" not in done.text
    assert (await get_task(direct_db, chat_id=chat, number=1)).done


@pytest.mark.telegram_may_reject("bot was blocked by the user")
async def test_a_chat_that_blocked_the_bot_loses_its_reminder_not_the_scheduler(
    private_chat: ChatDriver,
    direct_db: Database,
    telegram: FakeTelegram,
    scheduler: Scheduler,
    clock: FakeClock,
) -> None:
    chat = private_chat.chat_id
    await _task_due(direct_db, chat, "Unheard", T)
    telegram.block_chat(chat)
    mark = telegram.mark()
    try:
        clock.now = T + timedelta(seconds=5)
        await scheduler.tick()
    finally:
        telegram.unblock_chat(chat)
    tried = [c for c in telegram.calls[mark:] if c.params.get("chat_id") == chat]
    assert [c.status for c in tried] == [403]
    mark = telegram.mark()
    clock.now = T + timedelta(days=1)
    await scheduler.tick()
    assert _reminders(telegram, chat, mark) == []  # dropped, not retried forever


@pytest.mark.telegram_may_reject("Internal Server Error")
async def test_a_failed_send_is_retried_with_backoff(
    private_chat: ChatDriver,
    direct_db: Database,
    telegram: FakeTelegram,
    scheduler: Scheduler,
    clock: FakeClock,
) -> None:
    chat = private_chat.chat_id
    await _task_due(direct_db, chat, "Persist", T)
    await set_nag(direct_db, chat_id=chat, number=1, minutes=None)
    telegram.fail_next(
        "sendMessage", status=500, description="Internal Server Error", count=4, chat_id=chat
    )
    clock.now = T + timedelta(seconds=5)
    mark = telegram.mark()
    await scheduler.tick()  # four attempts within the tick, all refused
    tried = [c for c in telegram.calls[mark:] if c.params.get("chat_id") == chat]
    assert [c.status for c in tried] == [500] * 4
    clock.now = T + timedelta(seconds=30)
    await scheduler.tick()
    assert _reminders(telegram, chat, mark) == []  # backing off: not yet
    clock.now = T + timedelta(minutes=1, seconds=10)
    await scheduler.tick()
    assert len(_reminders(telegram, chat, mark)) == 1
