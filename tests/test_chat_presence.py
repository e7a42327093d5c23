"""Chats the bot is out of, end to end over the fake Bot API (my_chat_member updates): removed
from a group, its reminders and digest stop at once with no failed send, its data stays, and
they resume when it is added back; an assignee who blocked the bot is not written to privately
(the group hears the reminder for them) until they unblock it; and /forget, confirmed by an
admin, deleting a chat's data for good."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.scheduler import Scheduler
from handlers.context import BotApplication
from storage.assigning import assign
from storage.chat_settings import ChatSettings, save_chat_settings
from storage.db import Database
from storage.reminders import set_due
from storage.tasks import add_tasks, list_tasks
from testkit.fake_telegram import ApiCall, FakeTelegram
from tests.botdriver import ChatDriver
from tests.factories import new_user_id

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")

# Far ahead of the real clock, so the session bot's own scheduler never sends these.
T = datetime(2045, 6, 7, 9, 0, tzinfo=UTC)


def _calls_to(telegram: FakeTelegram, chat: int, mark: int) -> list[ApiCall]:
    """Every call the bot made about `chat` after `mark`, refused ones too."""
    return [c for c in telegram.calls[mark:] if c.params.get("chat_id") == chat]


def _sends_to(telegram: FakeTelegram, chat: int, mark: int) -> list[ApiCall]:
    """The messages the bot tried to send to `chat` after `mark`, refused ones too."""
    return [c for c in _calls_to(telegram, chat, mark) if c.method == "sendMessage"]


async def _handled(chat: ChatDriver) -> None:
    """Wait until the bot has handled this chat's earlier updates: it handles one chat's updates
    in order, and answers a press of a stray button without writing to the chat."""
    answer, _ = await chat.press_data(1, "stray")
    assert answer.startswith("This button is outdated")


async def test_a_group_that_removed_the_bot_gets_nothing_until_it_is_back(
    group_chat: ChatDriver,
    telegram: FakeTelegram,
    direct_db: Database,
    running_app: BotApplication,
) -> None:
    group = group_chat.chat_id
    await add_tasks(direct_db, chat_id=group, titles=["Water plants", "Report"], created_by=1)
    await set_due(direct_db, chat_id=group, number=1, due_at=T)
    await set_due(direct_db, chat_id=group, number=2, due_at=T + timedelta(days=1))
    scheduler = Scheduler(direct_db, running_app.bot, clock=lambda: T + timedelta(seconds=5))

    telegram.change_bot_status(group, "kicked", user_id=group_chat.user_id, chat_type="supergroup")
    await _handled(group_chat)
    mark = telegram.mark()
    await scheduler.tick()

    assert _calls_to(telegram, group, mark) == []  # not even a refused send
    assert (await list_tasks(direct_db, chat_id=group)).open_total == 2

    telegram.change_bot_status(group, "member", user_id=group_chat.user_id, chat_type="supergroup")
    assert (await group_chat.send("/list")).text.splitlines()[2].startswith("#1 Water plants")
    mark = telegram.mark()
    await scheduler.tick()

    (reminder,) = _calls_to(telegram, group, mark)
    assert str(reminder.params["text"]).startswith("⏰ <b>#1</b> Water plants")


async def test_a_digest_stops_when_the_bot_is_removed_and_resumes_when_it_is_back(
    group_chat: ChatDriver,
    telegram: FakeTelegram,
    direct_db: Database,
    running_app: BotApplication,
) -> None:
    group = group_chat.chat_id
    await add_tasks(direct_db, chat_id=group, titles=["Overdue"], created_by=1)
    await set_due(direct_db, chat_id=group, number=1, due_at=T - timedelta(days=1))
    daily = ChatSettings("UTC", digest_minute=8 * 60)
    await save_chat_settings(direct_db, chat_id=group, settings=daily, next_digest_at=T)
    scheduler = Scheduler(direct_db, running_app.bot, clock=lambda: T + timedelta(seconds=5))

    telegram.change_bot_status(group, "left", user_id=group_chat.user_id, chat_type="supergroup")
    await _handled(group_chat)
    mark = telegram.mark()
    await scheduler.tick()
    assert _calls_to(telegram, group, mark) == []

    telegram.change_bot_status(
        group, "administrator", user_id=group_chat.user_id, chat_type="supergroup"
    )
    await group_chat.send("/help")
    mark = telegram.mark()
    await scheduler.tick()  # the next 08:00 from now is long before T

    (digest,) = _calls_to(telegram, group, mark)
    assert str(digest.params["text"]).startswith("☀️ <b>Today</b> · 1 due")


async def test_an_assignee_who_blocked_the_bot_hears_of_group_tasks_in_the_group_until_back(
    group_chat: ChatDriver,
    telegram: FakeTelegram,
    direct_db: Database,
    running_app: BotApplication,
) -> None:
    bob_id = new_user_id()
    bob = ChatDriver(telegram, chat_id=bob_id, user_id=bob_id, first_name="Bob")
    await bob.send("/start")
    group = group_chat.chat_id
    await add_tasks(direct_db, chat_id=group, titles=["Ship it", "Ship more"], created_by=1)
    for number, due in ((1, T), (2, T + timedelta(hours=1))):
        await set_due(direct_db, chat_id=group, number=number, due_at=due)
        await assign(direct_db, chat_id=group, number=number, user_ids=[bob_id])

    telegram.change_bot_status(bob_id, "kicked", user_id=bob_id)
    await _handled(bob)
    mark = telegram.mark()
    await Scheduler(direct_db, running_app.bot, clock=lambda: T + timedelta(seconds=5)).tick()

    assert _sends_to(telegram, bob_id, mark) == []  # no private try that fails
    (in_group,) = _sends_to(telegram, group, mark)
    assert f'<a href="tg://user?id={bob_id}">Bob</a>' in str(in_group.params["text"])

    telegram.change_bot_status(bob_id, "member", user_id=bob_id)
    await bob.send("/help")
    mark = telegram.mark()
    await Scheduler(direct_db, running_app.bot, clock=lambda: T + timedelta(hours=1)).tick()

    (private,) = _sends_to(telegram, bob_id, mark)
    assert str(private.params["text"]).startswith("⏰ <b>#2</b> Ship more")
    assert _sends_to(telegram, group, mark) == []


async def test_forget_deletes_a_groups_data_once_an_admin_confirms(
    group_chat: ChatDriver, telegram: FakeTelegram, direct_db: Database
) -> None:
    group = group_chat.chat_id
    admin = group_chat.as_user(new_user_id(), "Admin")
    telegram.set_chat_member(group, admin.user_id, "administrator")
    await group_chat.send("/add Milk\nBread")

    refused = await group_chat.send("/forget")
    assert refused.text == "🔒 Only an admin of this group can make me forget it."
    prompt = await admin.send("/forget")
    assert prompt.text.startswith("⚠️ Forget this group?")
    assert prompt.button_texts == ["🗑 Delete everything", "Keep it"]
    answer, _ = await group_chat.press(prompt, "🗑 Delete everything", expect_edit=False)
    assert answer == "🔒 Only an admin of this group can make me forget it."
    assert (await list_tasks(direct_db, chat_id=group)).open_total == 2

    _, forgotten = await admin.press(prompt, "🗑 Delete everything")

    assert forgotten is not None and forgotten.text.startswith("🗑 Forgotten: 2 tasks")
    assert (await list_tasks(direct_db, chat_id=group)).open_total == 0
    assert (await group_chat.send("/add Fresh start")).text == "➕ Added #1 Fresh start"


async def test_forget_in_a_private_chat_and_keep_it(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/add Mine")
    prompt = await private_chat.send("/forget")
    assert prompt.text.startswith("⚠️ Forget this chat?")

    _, kept = await private_chat.press(prompt, "Keep it")
    assert kept is not None and kept.text == "👍 Nothing was deleted."
    assert (await list_tasks(direct_db, chat_id=private_chat.chat_id)).open_total == 1

    prompt = await private_chat.send("/forget")
    _, forgotten = await private_chat.press(prompt, "🗑 Delete everything")
    assert forgotten is not None and forgotten.text.startswith("🗑 Forgotten: 1 task and")
    assert (await list_tasks(direct_db, chat_id=private_chat.chat_id)).open_total == 0
