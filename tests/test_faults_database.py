"""The database misbehaving: down, back, connections cut mid-traffic (as Neon does)."""

import asyncio

import asyncpg
import pytest
from sqlalchemy.engine import URL

from bot.runner import running_bot
from storage.db import Database
from storage.tasks import list_tasks
from testkit.fake_telegram import FakeTelegram
from testkit.pgproxy import PgProxy
from testkit.postgres import asyncpg_dsn
from tests.botdriver import ChatDriver
from tests.conftest import bot_settings
from tests.factories import new_user_id

UNAVAILABLE = "⏳ I can't reach my storage right now. Please try again in a minute."


def _chat(telegram: FakeTelegram) -> ChatDriver:
    user = new_user_id()
    return ChatDriver(telegram, chat_id=user, user_id=user)


async def test_database_down_gets_clear_replies_and_the_next_command_works_when_it_returns(
    own_telegram: FakeTelegram,
    proxied_database_url: tuple[URL, PgProxy],
    direct_db: Database,
) -> None:
    url, proxy = proxied_database_url
    chat = _chat(own_telegram)
    async with running_bot(bot_settings(own_telegram, url), poll_timeout=5):
        assert (await chat.send("/add Before")).text == "➕ Added #1 Before"
        await proxy.go_down()
        loop = asyncio.get_running_loop()
        started = loop.time()
        for command in ("/add During", "/list", "/done 1"):
            assert (await chat.send(command)).text == UNAVAILABLE
        assert loop.time() - started < 30  # bounded timeouts, well within "a few seconds" each
        proxy.come_back()
        assert (await chat.send("/add After")).text == "➕ Added #2 After"
    page = await list_tasks(direct_db, chat_id=chat.chat_id)
    assert [t.title for t in page.tasks] == ["Before", "After"]


async def test_a_multi_line_add_is_all_or_nothing_when_the_database_drops(
    own_telegram: FakeTelegram,
    proxied_database_url: tuple[URL, PgProxy],
    direct_db: Database,
) -> None:
    url, proxy = proxied_database_url
    chat = _chat(own_telegram)
    async with running_bot(bot_settings(own_telegram, url), poll_timeout=5):
        await proxy.go_down()
        assert (await chat.send("/add one\ntwo\nthree")).text == UNAVAILABLE
        proxy.come_back()
        reply = await chat.send("/add one\ntwo\nthree")
        assert reply.text.splitlines()[0] == "➕ Added 3 tasks:"
    page = await list_tasks(direct_db, chat_id=chat.chat_id)
    assert [(t.number, t.title) for t in page.tasks] == [(1, "one"), (2, "two"), (3, "three")]


async def test_connections_terminated_during_traffic_cost_no_user_a_failure(
    telegram: FakeTelegram,
    running_app: object,
    pg_admin_url: URL,
    database_url: URL,
    direct_db: Database,
) -> None:
    chats = [_chat(telegram) for _ in range(10)]
    admin = await asyncpg.connect(asyncpg_dsn(pg_admin_url))
    stop = asyncio.Event()
    killed = 0
    waves = 0

    async def keep_terminating() -> None:
        # Waves of "the compute went away": every connection of the bot's database is cut,
        # four times a second, while the users keep typing.
        nonlocal killed, waves
        while not stop.is_set():
            killed += await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = $1 AND pid <> pg_backend_pid()",
                database_url.database,
            )
            waves += 1
            await asyncio.sleep(0.25)  # pacing the fault injection, not waiting for a result

    async def user_session(chat: ChatDriver) -> list[str]:
        replies = []
        for i in range(1, 6):
            replies.append((await chat.send(f"/add task {i}")).text)
        return replies

    terminator = asyncio.create_task(keep_terminating())
    try:
        results = await asyncio.gather(*(user_session(chat) for chat in chats))
    finally:
        stop.set()
        await terminator
        await admin.close()
    assert killed > 0 and waves >= 2
    for chat, replies in zip(chats, results, strict=True):
        assert replies == [f"➕ Added #{i} task {i}" for i in range(1, 6)]
        page = await list_tasks(direct_db, chat_id=chat.chat_id)
        assert [t.title for t in page.tasks] == [f"task {i}" for i in range(1, 6)]


@pytest.mark.soak
async def test_soak_connection_waves_and_bot_api_errors_under_load(
    telegram: FakeTelegram,
    running_app: object,
    pg_admin_url: URL,
    database_url: URL,
    direct_db: Database,
) -> None:
    """Longer and busier than the test above: 20 users, 11 commands each, while connections are
    cut four times a second and about one reply in seven first meets a 502."""
    chats = [_chat(telegram) for _ in range(20)]
    admin = await asyncpg.connect(asyncpg_dsn(pg_admin_url))
    stop = asyncio.Event()

    def delivered() -> int:
        return sum(1 for c in telegram.calls_of("sendMessage") if c.ok)

    async def keep_failing() -> None:
        injected_at = delivered()
        while not stop.is_set():
            await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = $1 AND pid <> pg_backend_pid()",
                database_url.database,
            )
            if delivered() - injected_at >= 7:  # one 502 per seven replies delivered
                injected_at = delivered()
                telegram.fail_next("sendMessage", status=502, description="Bad Gateway")
            await asyncio.sleep(0.25)  # pacing the fault injection, not waiting for a result

    async def user_session(chat: ChatDriver) -> None:
        for i in range(1, 9):
            assert (await chat.send(f"/add t{i}")).text == f"➕ Added #{i} t{i}"
        assert "✅ Done:" in (await chat.send("/done 1 2 3")).text
        listed = await chat.send("/list")
        answer, _ = await chat.press(listed, "⬜ #4")
        assert answer == "✅ #4 done"

    injector = asyncio.create_task(keep_failing())
    try:
        await asyncio.gather(*(user_session(chat) for chat in chats))
    finally:
        stop.set()
        await injector
        await admin.close()
        telegram.clear_faults()
    for chat in chats:
        open_page = await list_tasks(direct_db, chat_id=chat.chat_id)
        done_page = await list_tasks(direct_db, chat_id=chat.chat_id, done=True)
        assert [t.number for t in open_page.tasks] == [5, 6, 7, 8]
        assert [t.number for t in done_page.tasks] == [1, 2, 3, 4]
        assert (open_page.open_total, open_page.done_total) == (4, 4)
