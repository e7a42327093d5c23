"""Neon's wake-up is invisible: after a compute suspends (every connection closed, the next one
answered only once the compute has started), the first command gets its normal answer and the
scheduler's first claim works, directly and through the pooler; a database that never wakes
gets a clear "try again" within the connect timeout.

The proxy in front of the database acts as the compute (testkit/pgproxy.py): it suspends after
a second without traffic, or when told, and takes WAKE_SECONDS to wake."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from sqlalchemy.engine import URL

from bot.runner import running_bot
from bot.scheduler import Scheduler
from bot.scheduler_loop import SchedulerLoop
from handlers.context import BotApplication
from storage.db import Database
from storage.reminders import set_due
from storage.tasks import add_task
from testkit.fake_telegram import FakeTelegram
from testkit.pgproxy import PgProxy
from tests.botdriver import ChatDriver
from tests.conftest import bot_settings, url_text
from tests.factories import new_user_id
from tests.fake_time import FakeTime
from tests.test_idle import HOUR, T

WAKE_SECONDS = 2.0
UNAVAILABLE = "⏳ I can't reach my storage right now. Please try again in a minute."


@pytest.fixture(params=["direct", "pooled"])
def endpoint(request: pytest.FixtureRequest, pg_admin_url: URL) -> tuple[URL, dict[str, str]]:
    """What the proxy stands in front of (PostgreSQL, or PgBouncer in transaction mode as in
    Neon's pooled endpoint), and the URL query that goes with it."""
    if request.param == "direct":
        return pg_admin_url, {}
    bouncer: URL = request.getfixturevalue("pgbouncer_admin_url")
    return bouncer, {"pgbouncer": "true"}


@asynccontextmanager
async def _compute(
    endpoint: tuple[URL, dict[str, str]],
    *,
    suspend_after: float | None = None,
    wake_delay: float = WAKE_SECONDS,
) -> AsyncIterator[PgProxy]:
    """The database behind `endpoint` as a Neon compute (see PgProxy)."""
    proxy = PgProxy.in_front_of(endpoint[0], suspend_after=suspend_after, wake_delay=wake_delay)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()


def _through(
    proxy: PgProxy, database: URL, endpoint: tuple[URL, dict[str, str]], **more: str
) -> URL:
    """`database` reached through `proxy`, with the endpoint's URL query and `more`."""
    return proxy.url_for(database).update_query_dict({**endpoint[1], **more})


async def test_the_first_command_after_a_suspend_gets_its_answer(
    own_telegram: FakeTelegram, database_url: URL, endpoint: tuple[URL, dict[str, str]]
) -> None:
    user = new_user_id()
    chat = ChatDriver(own_telegram, chat_id=user, user_id=user)
    async with _compute(endpoint, suspend_after=1.0) as compute:
        settings = bot_settings(own_telegram, _through(compute, database_url, endpoint))
        async with running_bot(settings, poll_timeout=1):
            assert (await chat.send("/add Before")).text == "➕ Added #1 Before"
            # The bot idles; the compute suspends and closes every connection.
            await asyncio.wait_for(compute.asleep.wait(), timeout=10)
            woken = compute.wake_ups
            loop = asyncio.get_running_loop()
            started = loop.time()
            assert (await chat.send("/add After")).text == "➕ Added #2 After"
            waited = loop.time() - started
    assert compute.wake_ups == woken + 1
    # It waited for the wake-up, once: a failed first try and a second would take twice as long.
    assert WAKE_SECONDS <= waited < 2 * WAKE_SECONDS


async def test_the_schedulers_first_claim_after_a_suspend_works(
    endpoint: tuple[URL, dict[str, str]],
    own_database: URL,
    running_app: BotApplication,
    telegram: FakeTelegram,
    private_chat: ChatDriver,
) -> None:
    async with _compute(endpoint) as compute:
        database = Database.from_url(url_text(_through(compute, own_database, endpoint)))
        time = FakeTime(T)
        loop = SchedulerLoop(
            Scheduler(database, running_app.bot, clock=time),
            sleep=time.sleep,
            look_gap=timedelta(0),
        )
        stop = asyncio.Event()
        running = asyncio.create_task(loop.run(stop))
        try:
            assert await time.next_nap() == T + HOUR
            chat = private_chat.chat_id
            await add_task(database, chat_id=chat, title="Stretch", created_by=chat)
            await set_due(database, chat_id=chat, number=1, due_at=T + timedelta(minutes=5))
            assert await time.next_nap() == T + timedelta(minutes=5)
            await compute.suspend()
            mark = telegram.mark()
            time.advance(timedelta(minutes=5))
            sent = await telegram.wait_for(
                "sendMessage", lambda call: call.ok and call.params["chat_id"] == chat, after=mark
            )
            assert "late" not in str(sent.params["text"])
            assert compute.wake_ups == 1
            assert loop.state.failures == 0
        finally:
            stop.set()
            await running
            await database.close()


async def test_a_database_that_never_wakes_gets_a_clear_try_again_within_the_timeout(
    own_telegram: FakeTelegram,
    database_url: URL,
    endpoint: tuple[URL, dict[str, str]],
) -> None:
    user = new_user_id()
    chat = ChatDriver(own_telegram, chat_id=user, user_id=user)
    async with _compute(endpoint, wake_delay=3600) as compute:
        url = _through(compute, database_url, endpoint, connect_timeout="2")
        async with running_bot(bot_settings(own_telegram, url), poll_timeout=1):
            await compute.suspend()
            loop = asyncio.get_running_loop()
            started = loop.time()
            assert (await chat.send("/add Lost?")).text == UNAVAILABLE
            assert loop.time() - started < 2 * 2  # one connect timeout, not a second try
