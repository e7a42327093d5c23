"""An idle bot asks the database nothing, so that Neon can suspend it: the scheduler sleeps until
the next due time (an hour at most) and wakes at once for a change made through its instance;
house-keeping rides on its look; /healthz answers from what the process knows.

The scheduler runs on a clock and a sleep the test moves (hours pass at once), against a
database of the test's own behind a proxy that counts round trips."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import URL

from bot.runner import running_bot
from bot.scheduler import Scheduler
from bot.scheduler_loop import SchedulerLoop
from handlers.context import BotApplication
from storage import zoned as zoned_store
from storage.chat_settings import ChatSettings
from storage.db import Database
from storage.deleting import delete_task, restore_task
from storage.reminders import set_due, snooze
from storage.tasks import add_task, add_tasks, get_task, rename_task, set_task_done
from storage.transfer import NewTask, import_tasks
from testkit.fake_telegram import FakeTelegram
from testkit.pgproxy import PgProxy
from testkit.postgres import asyncpg_dsn, free_port
from tests.botdriver import ChatDriver
from tests.conftest import bot_settings, url_text
from tests.factories import new_chat_id
from tests.fake_time import FakeTime

# The scheduler's clock: far from the real one, so no other scheduler meets these reminders.
T = datetime(2042, 6, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
WEBHOOK_URL = "https://todo.example.test/tg-webhook"


@pytest.fixture
async def counted(pg_admin_url: URL, own_database: URL) -> AsyncIterator[tuple[Database, PgProxy]]:
    """Storage on `own_database` through a proxy that counts round trips."""
    proxy = PgProxy.in_front_of(pg_admin_url)
    await proxy.start()
    # One connection, so that round trips are counted on a connection that prepared its
    # statements once (a new connection costs a few round trips of its own).
    database = Database.from_url(url_text(proxy.url_for(own_database)), pool_size=1)
    yield database, proxy
    await database.close()
    await proxy.stop()


@pytest.fixture
async def sleeping_scheduler(
    counted: tuple[Database, PgProxy], running_app: BotApplication
) -> AsyncIterator[tuple[SchedulerLoop, FakeTime]]:
    """The bot's scheduler on `counted`, on a FakeTime at T, running until the test ends, after
    its first look (nothing due: it sleeps an hour)."""
    database, _ = counted
    time = FakeTime(T)
    loop = SchedulerLoop(
        Scheduler(database, running_app.bot, clock=time), sleep=time.sleep, look_gap=timedelta(0)
    )
    stop = asyncio.Event()
    running = asyncio.create_task(loop.run(stop))
    assert await time.next_nap() == T + HOUR
    yield loop, time
    stop.set()
    await running


async def _warm_up(database: Database) -> None:
    """Add a task and set a due time a year ahead (in a chat of its own), which wakes the
    scheduler for a look: every statement the test counts is then prepared on the connection.
    """
    await add_task(database, chat_id=1, title="warm up", created_by=1)
    await set_due(database, chat_id=1, number=1, due_at=T + 365 * 24 * HOUR)


async def _old_processed_update(url: URL) -> None:
    """A processed update recorded three days ago, by a connection not counted."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.execute(
            "INSERT INTO processed_updates (bot_id, update_id, processed_at)"
            " VALUES (1, 1, now() - interval '3 days')"
        )
    finally:
        await connection.close()


async def _processed_updates(url: URL) -> int:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return int(await connection.fetchval("SELECT count(*) FROM processed_updates"))
    finally:
        await connection.close()


async def test_an_idle_scheduler_asks_nothing_for_an_hour_then_looks_once_and_house_keeps(
    sleeping_scheduler: tuple[SchedulerLoop, FakeTime],
    counted: tuple[Database, PgProxy],
    own_database: URL,
) -> None:
    _, time = sleeping_scheduler
    _, proxy = counted
    await _old_processed_update(own_database)
    proxy.reset()
    for _ in range(59):
        time.advance(timedelta(minutes=1))
    assert proxy.round_trips == 0
    assert time.napping()
    time.advance(timedelta(minutes=1))
    # One look for what other instances changed, forgetting old updates in the same statement.
    assert await time.next_nap() == T + 2 * HOUR
    assert proxy.round_trips == 1
    assert await _processed_updates(own_database) == 0


async def test_a_reminder_set_through_this_instance_wakes_the_scheduler_and_fires_on_time(
    sleeping_scheduler: tuple[SchedulerLoop, FakeTime],
    counted: tuple[Database, PgProxy],
    private_chat: ChatDriver,
    telegram: FakeTelegram,
) -> None:
    _, time = sleeping_scheduler
    database, proxy = counted
    chat = private_chat.chat_id
    await _warm_up(database)
    assert await time.next_nap() == T + HOUR
    proxy.reset()
    await add_task(database, chat_id=chat, title="Call Bob", created_by=chat)  # no due time
    await set_due(database, chat_id=chat, number=1, due_at=T + timedelta(minutes=10))
    # Woken by the change, it looked once and sleeps until the reminder is due.
    assert await time.next_nap() == T + timedelta(minutes=10)
    assert proxy.round_trips == 3  # the add, the due time, the look
    mark = telegram.mark()
    time.advance(timedelta(minutes=10))
    sent = await telegram.wait_for(
        "sendMessage", lambda call: call.ok and call.params["chat_id"] == chat, after=mark
    )
    due = int((T + timedelta(minutes=10)).timestamp())
    assert str(sent.params["text"]) == (
        f'⏰ <b>#1</b> Call Bob\nDue <tg-time unix="{due}" format="wdt">today 09:10</tg-time>.'
    )
    assert "late" not in str(sent.params["text"])
    # Nothing else is due: an hour's sleep after the look that followed the sending.
    assert await time.next_nap() == T + timedelta(minutes=10) + HOUR
    # Another reminder, now that every statement is prepared: what one costs.
    await set_due(database, chat_id=chat, number=1, due_at=T + timedelta(minutes=20))
    assert await time.next_nap() == T + timedelta(minutes=20)
    proxy.reset()
    mark = telegram.mark()
    time.advance(timedelta(minutes=10))
    await telegram.wait_for(
        "sendMessage", lambda call: call.ok and call.params["chat_id"] == chat, after=mark
    )
    assert await time.next_nap() == T + timedelta(minutes=20) + HOUR
    assert proxy.round_trips == 3  # its claim, its finish, and the look after


async def test_a_reminder_set_by_another_instance_goes_out_within_the_hour_saying_late(
    sleeping_scheduler: tuple[SchedulerLoop, FakeTime],
    counted: tuple[Database, PgProxy],
    own_database: URL,
    private_chat: ChatDriver,
    telegram: FakeTelegram,
) -> None:
    _, time = sleeping_scheduler
    _, proxy = counted
    chat = private_chat.chat_id
    other = Database.from_url(url_text(own_database))  # another instance's storage
    try:
        await add_task(other, chat_id=chat, title="Water plants", created_by=chat)
        await set_due(other, chat_id=chat, number=1, due_at=T + timedelta(minutes=10))
    finally:
        await other.close()
    mark = telegram.mark()
    proxy.reset()
    time.advance(timedelta(minutes=30))
    assert proxy.round_trips == 0 and time.napping()
    time.advance(timedelta(minutes=30))
    sent = await telegram.wait_for(
        "sendMessage", lambda call: call.ok and call.params["chat_id"] == chat, after=mark
    )
    assert "(sent late)" in str(sent.params["text"])


async def test_a_burst_of_changes_is_read_in_one_look(
    counted: tuple[Database, PgProxy], running_app: BotApplication
) -> None:
    database, proxy = counted
    time = FakeTime(T)
    loop = SchedulerLoop(Scheduler(database, running_app.bot, clock=time), sleep=time.sleep)
    stop = asyncio.Event()
    running = asyncio.create_task(loop.run(stop))
    try:
        assert await time.next_nap() == T + HOUR
        second = timedelta(seconds=1)
        await _warm_up(database)
        # Woken at once by the change, it waits out the second after its last look first.
        assert await time.next_nap() == T + second
        time.advance(second)
        assert await time.next_nap() == T + second + HOUR
        chat = 987_654_321
        await add_task(database, chat_id=chat, title="t", created_by=chat)
        proxy.reset()
        for minutes in range(10, 0, -1):
            await set_due(database, chat_id=chat, number=1, due_at=T + timedelta(minutes=minutes))
        assert await time.next_nap() == T + 2 * second
        time.advance(second)
        assert await time.next_nap() == T + timedelta(minutes=1)
        assert proxy.round_trips == 10 + 1  # ten changes, one look
    finally:
        stop.set()
        await running


async def test_changes_that_can_bring_a_reminder_forward_wake_the_scheduler(db: Database) -> None:
    chat, due = new_chat_id(), T + timedelta(days=1)
    await add_tasks(
        db,
        chat_id=chat,
        titles=["plain", "due", "repeats", "deleted"],
        created_by=chat,
        due=[(None, None), (due, None), (due, "daily::09:00:"), (due, None)],
    )
    await delete_task(db, chat_id=chat, number=4)
    changes: dict[str, tuple[Callable[[], Awaitable[object]], bool]] = {
        "add, no due time": (
            lambda: add_task(db, chat_id=chat, title="x", created_by=chat),
            False,
        ),
        "add with a due time": (
            lambda: add_tasks(db, chat_id=chat, titles=["y"], created_by=chat, due=[(due, None)]),
            True,
        ),
        "a due time": (lambda: set_due(db, chat_id=chat, number=1, due_at=due), True),
        "no due time": (lambda: set_due(db, chat_id=chat, number=1, due_at=None), False),
        "snooze": (lambda: snooze(db, chat_id=chat, number=2, until=due), True),
        "done": (lambda: set_task_done(db, chat_id=chat, number=2, done=True), False),
        "open again": (lambda: set_task_done(db, chat_id=chat, number=2, done=False), True),
        "a repeating task done, back for its next time": (
            lambda: set_task_done(db, chat_id=chat, number=3, done=True),
            True,
        ),
        "rename, no due time": (lambda: rename_task(db, chat_id=chat, number=1, title="z"), False),
        "restore": (lambda: restore_task(db, chat_id=chat, number=4), True),
        "import with a due time": (
            lambda: import_tasks(
                db, chat_id=chat, tasks=[NewTask("i", due_at=due)], created_by=chat
            ),
            True,
        ),
        "a digest time": (
            lambda: zoned_store.change_chat_settings(
                db, chat_id=chat, change=lambda old: ChatSettings(digest_minute=480), now=T
            ),
            True,
        ),
        "no digest": (
            lambda: zoned_store.change_chat_settings(
                db, chat_id=chat, change=lambda old: ChatSettings(), now=T
            ),
            False,
        ),
        "a read": (lambda: get_task(db, chat_id=chat, number=1), False),
    }
    woke = {}
    with db.watching_due_times() as moved:
        for name, (change, _) in changes.items():
            moved.clear()
            await change()
            woke[name] = moved.is_set()
    assert woke == {name: wakes for name, (_, wakes) in changes.items()}


async def _wait_for_first_look(client: httpx.AsyncClient, base: str) -> None:
    """Until /healthz says the scheduler has read the due times once (its start)."""
    async with asyncio.timeout(10):
        while True:
            report = (await client.get(f"{base}/healthz")).json()
            if report["reminders"]["next_step_at"] is not None:
                return
            await asyncio.sleep(0.05)  # asking again: /healthz has no event to wait on


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_an_idle_bot_makes_no_round_trip_while_health_checks_come_in(
    mode: str, own_telegram: FakeTelegram, pg_admin_url: URL, own_database: URL
) -> None:
    proxy = PgProxy.in_front_of(pg_admin_url)
    await proxy.start()
    more: dict[str, Any] = {"webhook_url": WEBHOOK_URL} if mode == "webhook" else {}
    settings = bot_settings(
        own_telegram,
        proxy.url_for(own_database),
        webhook_listen="127.0.0.1",
        port=free_port(),
        **more,
    )
    base = f"http://127.0.0.1:{settings.port}"
    try:
        async with running_bot(settings, poll_timeout=1), httpx.AsyncClient(timeout=30) as client:
            await _wait_for_first_look(client, base)
            proxy.reset()
            # The window: longer than the 5 s the scheduler used to poll in, a check every
            # half second, as a host's health checks would come.
            for _ in range(11):
                response = await client.get(f"{base}/healthz")
                assert (response.status_code, response.json()["database"]) == (200, "ok")
                await asyncio.sleep(0.5)  # the window passing, not a wait for an outcome
            assert proxy.round_trips == 0
    finally:
        await proxy.stop()


def _connection_set_up(statement: str) -> bool:
    """A statement the driver or SQLAlchemy runs on a new connection (the server's version and
    settings, asyncpg's look-up of a type), not one of the bot's."""
    text = " ".join(statement.lower().split())
    return (
        "pg_catalog" in text
        or "set_config('jit'" in text
        or text.startswith(("show ", "select current_schema"))
    )


async def test_a_command_costs_its_statement_and_wakes_nothing(
    own_telegram: FakeTelegram, pg_admin_url: URL, own_database: URL
) -> None:
    proxy = PgProxy.in_front_of(pg_admin_url)
    await proxy.start()
    settings = bot_settings(
        own_telegram, proxy.url_for(own_database), webhook_listen="127.0.0.1", port=free_port()
    )
    chat = ChatDriver(own_telegram, chat_id=424_242, user_id=424_242)
    try:
        async with running_bot(settings, poll_timeout=1), httpx.AsyncClient(timeout=30) as client:
            await _wait_for_first_look(client, f"http://127.0.0.1:{settings.port}")
            # Warm up: a connection prepares each statement on its first use.
            assert (await chat.send("/add Warm up")).text == "➕ Added #1 Warm up"
            assert (await chat.send("/done 1")).text.startswith("✅")
            # A batch's journal write runs beside its handling and may end after the reply;
            # the next getUpdates (confirming the batch) waits for it.
            await own_telegram.wait_until_confirmed()
            proxy.reset()
            assert (await chat.send("/add Milk")).text == "➕ Added #2 Milk"
            assert (await chat.send("/done 2")).text.startswith("✅")
            await own_telegram.wait_until_confirmed()
            # Each its statement (with its update's once-only record) and its batch's journal
            # write (polling); no due time was set, so the scheduler slept on. The journal's
            # write and the command's statement can run at once on two connections, so the pool
            # may prepare a statement on one or even open one: set-up, not statements.
            ran = [text for text in proxy.executed if not _connection_set_up(text)]
            journal = [text for text in ran if "INSERT INTO received_updates" in text]
            commands = [text for text in ran if text not in journal]
            assert (len(journal), len(commands)) == (2, 2), [
                " ".join(t.split())[:300] for t in ran
            ]
            assert all("processed_updates" in text for text in commands)
    finally:
        await proxy.stop()
