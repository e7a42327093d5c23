"""Forum supergroups: each topic keeps its own list; the General topic is the group's list."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.scheduler import Scheduler
from handlers.context import BotApplication
from storage.chat_settings import ChatSettings, get_chat_settings, save_chat_settings
from storage.db import Database
from storage.reminders import set_due
from storage.tasks import get_task, list_tasks
from storage.topics import topic_list_id, where_is
from testkit.fake_telegram import FakeTelegram
from tests.botdriver import ChatDriver, Reply

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")

# Two topics of one forum group (any thread ids: Telegram's are message ids).
IDEAS, CHORES = 11, 22
# The scheduler's clock: far ahead of the real one, as in test_reminders.
T = datetime(2042, 5, 6, 9, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def _in(chat: ChatDriver, topic: int | None, text: str, **options: object) -> Reply:
    """Send `text` in a topic of the forum (None: its General topic); the bot's reply."""
    if topic is None:
        return await chat.send(text, **options)
    reply = await chat.send(text, message_thread_id=topic, **options)
    assert reply.message_thread_id == topic, "the reply left the topic"
    return reply


async def _topic_list(db: Database, chat: ChatDriver, topic: int) -> int:
    return await topic_list_id(db, chat_id=chat.chat_id, thread_id=topic)


async def test_each_topic_keeps_its_own_list(group_chat: ChatDriver, direct_db: Database) -> None:
    assert (await _in(group_chat, IDEAS, "/add Paint the fence")).text == (
        "➕ Added #1 Paint the fence"
    )
    added = await _in(group_chat, CHORES, "/add Wash up\nSweep")
    assert added.text.splitlines() == ["➕ Added 2 tasks:", "#1 Wash up", "#2 Sweep"]
    listed = await _in(group_chat, IDEAS, "/list")
    assert listed.text.splitlines() == ["📋 To do · 1", "#1 Paint the fence"]
    done = await _in(group_chat, CHORES, "/done 1")
    assert "#1 Wash up" in done.text
    ideas = await _topic_list(direct_db, group_chat, IDEAS)
    chores = await _topic_list(direct_db, group_chat, CHORES)
    assert not (await get_task(direct_db, chat_id=ideas, number=1)).done
    assert (await get_task(direct_db, chat_id=chores, number=1)).done
    assert await where_is(direct_db, list_id=chores) == (group_chat.chat_id, CHORES)
    assert await where_is(direct_db, list_id=group_chat.chat_id) == (group_chat.chat_id, None)


async def test_general_topic_is_the_groups_main_list(
    group_chat: ChatDriver, direct_db: Database
) -> None:
    await _in(group_chat, IDEAS, "/add In a topic")
    assert (await _in(group_chat, None, "/add In General")).text == "➕ Added #1 In General"
    main = await list_tasks(direct_db, chat_id=group_chat.chat_id)
    assert [task.title for task in main.tasks] == ["In General"]
    listed = await _in(group_chat, None, "/list")
    assert "In a topic" not in listed.text


async def test_list_buttons_in_a_topic_act_on_that_topics_list(
    group_chat: ChatDriver, direct_db: Database, telegram: FakeTelegram
) -> None:
    await _in(group_chat, IDEAS, "/add Idea one")
    await _in(group_chat, CHORES, "/add Chore one")
    listed = await _in(group_chat, CHORES, "/list")
    answer, edited = await group_chat.press(listed, "⬜ #1")
    assert answer == "✅ #1 done"
    assert edited is not None and "Nothing to do" in edited.text
    chores = await _topic_list(direct_db, group_chat, CHORES)
    ideas = await _topic_list(direct_db, group_chat, IDEAS)
    assert (await get_task(direct_db, chat_id=chores, number=1)).done
    assert not (await get_task(direct_db, chat_id=ideas, number=1)).done
    # ✏️ asks for the new title in the same topic; the answer renames that topic's #1.
    listed = await _in(group_chat, IDEAS, "/list")
    mark = telegram.mark()
    await group_chat.press(listed, "✏️", expect_edit=False)
    prompt = await telegram.wait_for(
        "sendMessage", lambda call: call.ok and "New title" in str(call.params["text"]), after=mark
    )
    assert prompt.params["message_thread_id"] == IDEAS
    renamed = await _in(
        group_chat, IDEAS, "Idea two", reply_to_message_id=prompt.response["message_id"]
    )
    assert renamed.text == "✏️ Renamed #1 to Idea two"
    assert (await get_task(direct_db, chat_id=chores, number=1)).title == "Chore one"


async def test_a_forged_press_cannot_reach_another_topics_list(
    group_chat: ChatDriver, direct_db: Database
) -> None:
    await _in(group_chat, IDEAS, "/add Idea one")
    await _in(group_chat, CHORES, "/add Chore one")
    ideas_list = await _in(group_chat, IDEAS, "/list")
    chores_list = await _in(group_chat, CHORES, "/list")
    # The chores list's tick, pressed on the ideas list's message: the message decides.
    data = chores_list.button("⬜ #1")["callback_data"]
    answer, edited = await group_chat.press_data(ideas_list.message_id, data, expect_edit=True)
    assert answer == "✅ #1 done"
    assert edited is not None and "Chore one" not in edited.text
    chores = await _topic_list(direct_db, group_chat, CHORES)
    ideas = await _topic_list(direct_db, group_chat, IDEAS)
    assert not (await get_task(direct_db, chat_id=chores, number=1)).done
    assert (await get_task(direct_db, chat_id=ideas, number=1)).done


async def test_find_in_a_topic_finds_only_that_topics_tasks(group_chat: ChatDriver) -> None:
    await _in(group_chat, IDEAS, "/add Buy milk")
    await _in(group_chat, CHORES, "/add Buy oat milk")
    await _in(group_chat, None, "/add Milk the cow")
    found = await _in(group_chat, IDEAS, "/find milk")
    assert found.text.splitlines() == ["🔎 “milk” · 1 found", "#1 Buy milk"]


async def test_each_topic_has_its_own_time_zone(
    group_chat: ChatDriver, direct_db: Database
) -> None:
    await _in(group_chat, IDEAS, "/timezone Europe/Berlin")
    ideas = await _topic_list(direct_db, group_chat, IDEAS)
    assert (await get_chat_settings(direct_db, chat_id=ideas)).timezone == "Europe/Berlin"
    main = await get_chat_settings(direct_db, chat_id=group_chat.chat_id)
    assert main.timezone is None


async def test_a_topic_tasks_reminder_is_sent_into_its_topic(
    group_chat: ChatDriver,
    direct_db: Database,
    telegram: FakeTelegram,
    running_app: BotApplication,
) -> None:
    await _in(group_chat, CHORES, "/add Take out the bins")
    chores = await _topic_list(direct_db, group_chat, CHORES)
    await set_due(direct_db, chat_id=chores, number=1, due_at=T)
    scheduler = Scheduler(direct_db, running_app.bot, clock=FakeClock(T + timedelta(seconds=5)))
    mark = telegram.mark()
    await scheduler.tick()
    (sent,) = [
        call
        for call in telegram.calls[mark:]
        if call.method == "sendMessage"
        and call.ok
        and call.params["chat_id"] == group_chat.chat_id
    ]
    assert sent.params["message_thread_id"] == CHORES
    assert str(sent.params["text"]).startswith("⏰ <b>#1</b> Take out the bins")
    stored = telegram.messages[(group_chat.chat_id, sent.response["message_id"])]
    reminder = Reply(
        message_id=sent.response["message_id"],
        text=stored["text"],
        html=stored["html"],
        buttons=stored["reply_markup"]["inline_keyboard"],
        message_thread_id=stored["message_thread_id"],
    )
    answer, _ = await group_chat.press(reminder, "✅ Done")
    assert answer == "✅ #1 done"
    assert (await get_task(direct_db, chat_id=chores, number=1)).done


async def test_a_topics_digest_is_sent_into_its_topic(
    group_chat: ChatDriver,
    direct_db: Database,
    telegram: FakeTelegram,
    running_app: BotApplication,
) -> None:
    await _in(group_chat, IDEAS, "/add Sketch the logo")
    ideas = await _topic_list(direct_db, group_chat, IDEAS)
    await set_due(direct_db, chat_id=ideas, number=1, due_at=T + timedelta(hours=3))
    await save_chat_settings(
        direct_db, chat_id=ideas, settings=ChatSettings(digest_minute=9 * 60), next_digest_at=T
    )
    scheduler = Scheduler(direct_db, running_app.bot, clock=FakeClock(T + timedelta(seconds=5)))
    mark = telegram.mark()
    await scheduler.tick()
    sent = [
        call
        for call in telegram.calls[mark:]
        if call.method == "sendMessage"
        and call.ok
        and call.params["chat_id"] == group_chat.chat_id
    ]
    assert len(sent) == 1 and "Sketch the logo" in str(sent[0].params["text"])
    assert sent[0].params["message_thread_id"] == IDEAS
