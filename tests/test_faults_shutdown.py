"""SIGTERM in the middle of a burst: every update is applied before the exit or after the
restart, none is lost and none applied twice (polling, with Telegram's offset semantics)."""

import asyncio
import signal
from pathlib import Path

from sqlalchemy.engine import URL

from storage.db import Database
from storage.tasks import list_tasks
from testkit.fake_telegram import TEST_BOT_TOKEN, FakeTelegram
from testkit.processes import BotProcess, bot_environment
from tests.conftest import url_text
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
