"""SIGTERM or SIGKILL in the middle of a burst: every update is applied before the exit or
after the restart, none is lost and none applied twice (polling, with Telegram's offset
semantics)."""

import asyncio
import json
import logging
import signal
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

from bot.polling import MAX_REPLAYS
from bot.runner import running_bot
from storage.db import Database
from storage.tasks import list_tasks
from storage.update_journal import record_received, take_left_over
from testkit.fake_telegram import TEST_BOT_TOKEN, ApiCall, FakeTelegram
from testkit.processes import BotProcess, bot_environment
from tests.conftest import bot_settings, url_text
from tests.factories import new_user_id


async def test_sigterm_mid_burst_loses_nothing_and_applies_nothing_twice(
    own_telegram: FakeTelegram, database_url: URL, direct_db: Database, tmp_path: Path
) -> None:
    environment = bot_environment(
        BOT_TOKEN=TEST_BOT_TOKEN,
        DATABASE_URL=url_text(database_url),
        TELEGRAM_BASE_URL=own_telegram.base_url,
    )
    chats = [new_user_id() for _ in range(8)]
    titles = {
        chat: [f"chat {index} task {n}" for n in range(1, 7)] for index, chat in enumerate(chats)
    }

    first = BotProcess(environment=environment, cwd=tmp_path)
    second = BotProcess(environment=environment, cwd=tmp_path)
    try:
        await first.start()
        await first.wait_for_log("is up")
        hold = own_telegram.hold_chat(chats[0])  # this chat's first reply hangs
        for n in range(4):
            for chat in chats:
                own_telegram.send_message(chat, f"/add {titles[chat][n]}")
        await asyncio.wait_for(hold.reached.wait(), timeout=15)
        first.stop_nowait(signal.SIGTERM)  # while updates are in hand
        await first.wait_for_log("stopping")
        for n in range(4, 6):  # and more arrive while it stops: they wait for the restart
            for chat in chats:
                own_telegram.send_message(chat, f"/add {titles[chat][n]}")
        hold.released.set()
        assert await first.wait(timeout=30) == 0
        applied_before_restart = len(own_telegram.calls_of("sendMessage"))
        assert 0 < applied_before_restart < len(chats) * 6

        await second.start()
        await second.wait_for_log("is up")

        def added(title: str):  # type: ignore[no-untyped-def]
            return lambda c: c.ok and c.method == "sendMessage" and title in c.params["text"]

        for chat in chats:
            for title in titles[chat]:
                await own_telegram.wait_for("sendMessage", added(title), timeout=30)
        assert await second.stop() == 0
    finally:
        await first.kill()
        await second.kill()

    for chat in chats:
        page = await list_tasks(direct_db, chat_id=chat)
        assert sorted(t.title for t in page.tasks) == sorted(titles[chat])
        replies = [
            c
            for c in own_telegram.calls
            if c.method == "sendMessage" and c.ok and c.params["chat_id"] == chat
        ]
        assert len(replies) == len(titles[chat])  # one "Added" each, never a second


def _ok_replies(telegram: FakeTelegram) -> list[ApiCall]:
    return [c for c in telegram.calls if c.method == "sendMessage" and c.ok]


async def _updates_telegram_still_holds(telegram: FakeTelegram) -> int:
    """What Telegram would deliver again: updates fetched but not yet confirmed, and new ones."""
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{telegram.base_url}{TEST_BOT_TOKEN}/getWebhookInfo")
    count: int = answer.json()["result"]["pending_update_count"]
    return count


async def test_sigkill_mid_burst_loses_no_update_and_applies_none_twice(
    own_telegram: FakeTelegram, database_url: URL, direct_db: Database, tmp_path: Path
) -> None:
    environment = bot_environment(
        BOT_TOKEN=TEST_BOT_TOKEN,
        DATABASE_URL=url_text(database_url),
        TELEGRAM_BASE_URL=own_telegram.base_url,
    )
    chats = [new_user_id() for _ in range(6)]
    titles = {chat: [f"chat {i} task {n}" for n in range(1, 6)] for i, chat in enumerate(chats)}
    held = chats[-1]  # its first /add is applied, and its answer never leaves the first process
    hold = own_telegram.hold_chat(held)
    first = BotProcess(environment=environment, cwd=tmp_path)
    second = BotProcess(environment=environment, cwd=tmp_path)
    try:
        await first.start()
        await first.wait_for_log("is up")
        await own_telegram.wait_until_polling()
        for chat in chats:  # every answer takes half a second: the burst takes 2.5 s
            own_telegram.slow_chats[chat] = 0.5
        for n in range(5):
            for chat in chats:
                own_telegram.send_message(chat, f"/add {titles[chat][n]}")
        await asyncio.wait_for(hold.reached.wait(), timeout=15)
        while len(_ok_replies(own_telegram)) < len(chats) - 1:
            await own_telegram.wait_for("sendMessage", after=own_telegram.mark(), timeout=15)
        first.stop_nowait(signal.SIGKILL)
        assert await first.wait() == -signal.SIGKILL
        # Mid-burst: some answers out, and Telegram was told the whole burst arrived.
        assert 0 < len(_ok_replies(own_telegram)) < 30
        assert await _updates_telegram_still_holds(own_telegram) == 0
        assert [t.title for t in (await list_tasks(direct_db, chat_id=held)).tasks] == [
            titles[held][0]
        ]
        assert not [c for c in _ok_replies(own_telegram) if c.params["chat_id"] == held]

        own_telegram.slow_chats.clear()
        del own_telegram.held_chats[held]
        await second.start()
        await second.wait_for_log("is up")
        assert "handling 30 updates that a stopped process had fetched" in second.log
        for chat in chats:
            for title in titles[chat]:
                await own_telegram.wait_for(
                    "sendMessage",
                    lambda c, t=title, chat=chat: (  # type: ignore[misc]
                        c.ok and c.params["chat_id"] == chat and t in c.params["text"]
                    ),
                    timeout=30,
                )
        assert await second.stop() == 0
    finally:
        hold.released.set()
        await first.kill()
        await second.kill()

    for chat in chats:
        page = await list_tasks(direct_db, chat_id=chat)
        assert sorted(t.title for t in page.tasks) == sorted(titles[chat])  # each once
        replies = [
            c.params["text"] for c in _ok_replies(own_telegram) if c.params["chat_id"] == chat
        ]
        for task in page.tasks:  # its answer, maybe twice when it went out just before the kill
            answers = [text for text in replies if text.endswith(f" {task.title}")]
            assert answers and set(answers) == {f"➕ Added <b>#{task.number}</b> {task.title}"}
    # A graceful stop leaves nothing in the journal to hand on.
    assert await take_left_over(direct_db, bot_id=own_telegram.bot_user["id"]) == []


async def test_an_update_that_stopped_three_processes_is_dropped_and_the_rest_handled(
    own_telegram: FakeTelegram,
    database_url: URL,
    direct_db: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot_id = own_telegram.bot_user["id"]
    as_telegram_sends = FakeTelegram(TEST_BOT_TOKEN)  # never started: it only builds updates
    poison_chat, fine_chat = new_user_id(), new_user_id()
    poison = as_telegram_sends.send_message(poison_chat, "/add Poison")
    fine = as_telegram_sends.send_message(fine_chat, "/add Fine")
    for update in (poison, fine):
        received = [(update["update_id"], json.dumps(update))]
        await record_received(direct_db, bot_id=bot_id, received=received, handled=[])
        if update is poison:  # found left over by that many starts already
            for _ in range(MAX_REPLAYS):
                await take_left_over(direct_db, bot_id=bot_id)
    caplog.set_level(logging.INFO)
    async with running_bot(bot_settings(own_telegram, database_url), poll_timeout=1):
        answer = await own_telegram.wait_for(
            "sendMessage", lambda c: c.ok and c.params["chat_id"] == fine_chat
        )
    assert answer.params["text"] == "➕ Added <b>#1</b> Fine"
    assert (await list_tasks(direct_db, chat_id=poison_chat)).total == 0
    assert f"dropping update {poison['update_id']}" in caplog.text
    assert await take_left_over(direct_db, bot_id=bot_id) == []
