"""When Telegram or the database misbehave: flood limits, blocked chats, odd errors, no storage."""

import logging
from collections.abc import Iterator

import pytest

from handlers.context import BotApplication
from storage.db import Database
from storage.tasks import list_tasks
from testkit.fake_telegram import FakeTelegram
from testkit.postgres import free_port
from tests.botdriver import ChatDriver
from tests.factories import new_user_id


async def test_flood_limit_is_waited_out_and_the_reply_arrives_once(
    private_chat: ChatDriver, telegram: FakeTelegram, direct_db: Database
) -> None:
    telegram.fail_next("sendMessage", status=429, description="Too Many Requests", retry_after=1)
    mark = telegram.mark()
    reply = await private_chat.send("/add Patience")
    assert reply.text == "➕ Added #1 Patience"
    sent = [c for c in telegram.calls_of("sendMessage")[-3:] if c in telegram.calls[mark:]]
    assert [c.status for c in sent] == [429, 200]
    assert (await list_tasks(direct_db, chat_id=private_chat.chat_id)).total == 1


async def test_a_flood_limit_in_one_chat_holds_up_no_other_chat(
    private_chat: ChatDriver, telegram: FakeTelegram
) -> None:
    other_user = new_user_id()
    other = ChatDriver(telegram, chat_id=other_user, user_id=other_user)
    telegram.fail_next(
        "sendMessage",
        status=429,
        description="Too Many Requests: retry after 3",
        retry_after=3,
        chat_id=private_chat.chat_id,
    )
    mark = telegram.mark()
    telegram.send_message(private_chat.chat_id, "/add Later", user_id=private_chat.user_id)
    await telegram.wait_for("sendMessage", lambda c: c.status == 429, after=mark)
    assert (await other.send("/add Meanwhile")).text == "➕ Added #1 Meanwhile"
    held = [
        c
        for c in telegram.calls[mark:]
        if c.ok and c.params.get("chat_id") == private_chat.chat_id
    ]
    assert held == []  # the flooded chat is still waiting out its 3 s
    later = await telegram.wait_for(
        "sendMessage", lambda c: c.ok and c.params["chat_id"] == private_chat.chat_id, after=mark
    )
    assert later.params["text"] == "➕ Added <b>#1</b> Later"


async def test_a_chat_that_blocked_the_bot_is_logged_and_others_still_served(
    private_chat: ChatDriver,
    telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
    running_app: BotApplication,
) -> None:
    caplog.set_level(logging.INFO)
    telegram.block_chat(private_chat.chat_id)
    mark = telegram.mark()
    telegram.send_message(private_chat.chat_id, "/help", user_id=private_chat.user_id)
    await telegram.wait_for("sendMessage", lambda c: c.status == 403, after=mark)
    telegram.unblock_chat(private_chat.chat_id)
    reply = await private_chat.send("/help")  # handled after the blocked one: the bot is fine
    assert "/add" in reply.text
    assert any("does not let the bot write" in r.getMessage() for r in caplog.records)


async def test_unexpected_error_is_logged_with_the_update_and_the_user_told(
    private_chat: ChatDriver, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    telegram.fail_next("sendMessage", status=400, description="Bad Request: something odd")
    reply = await private_chat.send("/help")
    assert reply.text == "😵 Something went wrong on my side. Please try again."
    failures = [r for r in caplog.records if r.getMessage().startswith("update ")]
    assert failures and failures[-1].getMessage().endswith(" failed")
    assert failures[-1].exc_info is not None


@pytest.fixture
def storage_down(running_app: BotApplication) -> Iterator[None]:
    """The running bot's database swapped for one that nothing answers, then put back."""
    working = running_app.bot_data.database
    down = Database.from_url(f"postgresql://u:p@127.0.0.1:{free_port()}/d")
    running_app.bot_data.database = down
    yield
    running_app.bot_data.database = working


async def test_storage_down_gets_a_clear_reply_and_the_bot_recovers(
    private_chat: ChatDriver,
    storage_down: None,
    running_app: BotApplication,
) -> None:
    reply = await private_chat.send("/add Lost?")
    assert reply.text == "⏳ I can't reach my storage right now. Please try again in a minute."
    listed = await private_chat.send("/list")
    assert "can't reach my storage" in listed.text


async def test_storage_down_on_a_button_press_is_answered(
    private_chat: ChatDriver,
    running_app: BotApplication,
) -> None:
    await private_chat.send("/add Press me")
    listed = await private_chat.send("/list")
    working = running_app.bot_data.database
    running_app.bot_data.database = Database.from_url(
        f"postgresql://u:p@127.0.0.1:{free_port()}/d"
    )
    try:
        answer, _ = await private_chat.press(listed, "⬜ #1", expect_edit=False)
    finally:
        running_app.bot_data.database = working
    assert answer.startswith("⏳ I can't reach my storage")
