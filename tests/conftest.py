"""Shared fixtures: one PostgreSQL for the whole session, a migrated database, PgBouncer."""

import os

# The bot opts in to python-telegram-bot's timedelta durations (bot/app.py); the tests run
# with the same setting whichever module imports PTB first.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy.engine import URL

from bot.runner import running_bot
from bot.settings import Settings
from bot.web.server import create_web_app
from handlers.context import BotApplication
from storage.database_url import parse_database_url
from storage.db import Database
from storage.migrate import migrate
from testkit.fake_telegram import TEST_BOT_TOKEN, FakeTelegram
from testkit.pgproxy import PgProxy
from testkit.postgres import (
    create_database,
    drop_database,
    find_pgbouncer,
    pgbouncer,
    postgres_server,
)
from tests.botdriver import ChatDriver
from tests.factories import new_bot_id, new_chat_id, new_user_id
from tests.webapp import WebBot, served


def url_text(url: URL, **query: str) -> str:
    """The URL as a user would paste it into DATABASE_URL, with extra query parameters."""
    if query:
        url = url.update_query_dict(query)
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[URL]:
    """The server's admin URL (embedded PostgreSQL unless TEST_DATABASE_URL is set)."""
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
async def database_url(pg_admin_url: URL) -> AsyncIterator[URL]:
    """A database migrated to the newest schema, shared by the session.

    Tests stay apart by working in chats of their own (see tests.factories.new_chat_id).
    """
    url = await create_database(pg_admin_url)
    await migrate(parse_database_url(url_text(url)))
    yield url
    await drop_database(pg_admin_url, url)


@pytest.fixture(scope="session")
def pgbouncer_admin_url(pg_admin_url: URL) -> Iterator[URL]:
    """Debian's PgBouncer in transaction mode in front of the test server.

    In CI its absence is a failure, not a skip: the pooler tests must run there.
    """
    executable = find_pgbouncer()
    if executable is None:
        message = "pgbouncer is not installed (apt-get install -y pgbouncer)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with pgbouncer(pg_admin_url, executable) as url:
        yield url


@pytest.fixture(scope="session")
async def direct_db(database_url: URL) -> AsyncIterator[Database]:
    """Storage on a direct connection to the test database."""
    database = Database.from_url(url_text(database_url))
    yield database
    await database.close()


@pytest.fixture(scope="session")
async def pooled_db(database_url: URL, pgbouncer_admin_url: URL) -> AsyncIterator[Database]:
    """Storage through PgBouncer in transaction mode, told so by `pgbouncer=true`."""
    url = pgbouncer_admin_url.set(database=database_url.database)
    database = Database.from_url(url_text(url, pgbouncer="true"))
    assert database.settings.pooled
    yield database
    await database.close()


@pytest.fixture(params=["direct", "pgbouncer"])
def db(request: pytest.FixtureRequest) -> Database:
    """Storage, once on a direct connection and once through PgBouncer."""
    name = "direct_db" if request.param == "direct" else "pooled_db"
    database: Database = request.getfixturevalue(name)
    return database


@pytest.fixture(scope="session")
async def telegram() -> AsyncIterator[FakeTelegram]:
    """The fake Bot API server the session's bot talks to."""
    fake = FakeTelegram(TEST_BOT_TOKEN)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def own_telegram() -> AsyncIterator[FakeTelegram]:
    """A fake Bot API of this test's own (the session's bot polls the shared one), for a bot
    id of its own."""
    fake = FakeTelegram(TEST_BOT_TOKEN, bot_id=new_bot_id())
    await fake.start()
    yield fake
    await fake.stop()


def bot_settings(telegram: FakeTelegram, database_url: URL, **more: object) -> Settings:
    """Settings of a bot that talks to the fake Bot API and the test database."""
    return Settings(
        bot_token=TEST_BOT_TOKEN,  # type: ignore[arg-type]
        database_url=url_text(database_url),  # type: ignore[arg-type]
        telegram_base_url=telegram.base_url,
        **more,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
async def running_app(telegram: FakeTelegram, database_url: URL) -> AsyncIterator[BotApplication]:
    """The real bot, polling the fake Bot API, for the whole session."""
    async with running_bot(bot_settings(telegram, database_url), poll_timeout=5) as application:
        yield application


@pytest.fixture
def private_chat(telegram: FakeTelegram, running_app: BotApplication) -> ChatDriver:
    """A new user talking to the bot in a private chat."""
    user = new_user_id()
    return ChatDriver(telegram, chat_id=user, user_id=user)


@pytest.fixture
def group_chat(telegram: FakeTelegram, running_app: BotApplication) -> ChatDriver:
    """A new user in a new group with the bot."""
    return ChatDriver(
        telegram, chat_id=new_chat_id(group=True), user_id=new_user_id(), chat_type="supergroup"
    )


@pytest.fixture
def telegram_calls_all_ok(
    telegram: FakeTelegram, request: pytest.FixtureRequest
) -> Iterator[None]:
    """Fails the test if the bot made a Bot API call that Telegram would have rejected.

    "message is not modified" is allowed: the bot meets it on purpose and shrugs it off. A test
    that provokes another rejection names it with `@pytest.mark.telegram_may_reject("...")`.
    """
    allowed = ["not modified"]
    marker = request.node.get_closest_marker("telegram_may_reject")
    if marker is not None:
        allowed += list(marker.args)
    mark = telegram.mark()
    yield
    rejected = [
        call.describe()
        for call in telegram.calls[mark:]
        if not call.ok
        and not any(reason in str(call.response.get("description")) for reason in allowed)
    ]
    assert rejected == [], "Telegram would have rejected:\n" + "\n".join(rejected)


@pytest.fixture
async def proxied_database_url(
    pg_admin_url: URL, database_url: URL
) -> AsyncIterator[tuple[URL, PgProxy]]:
    """The test database reached through a PgProxy (to count round trips or cut connections)."""
    socket_dir = pg_admin_url.query.get("host")
    if isinstance(socket_dir, str):
        proxy = PgProxy(target_socket=f"{socket_dir}/.s.PGSQL.{pg_admin_url.port or 5432}")
    else:
        proxy = PgProxy(target_host=pg_admin_url.host, target_port=pg_admin_url.port or 5432)
    await proxy.start()
    url = database_url.set(host="127.0.0.1", port=proxy.port).difference_update_query(["host"])
    yield url, proxy
    await proxy.stop()


@pytest.fixture(scope="session")
async def web_bot(
    telegram: FakeTelegram,
    running_app: BotApplication,
) -> AsyncIterator[WebBot]:
    """The session's bot with its web app (task API, Mini App) served on a port, as
    `python -m bot` serves it; its chats are driven with ChatDriver on `telegram`."""
    database = running_app.bot_data.database
    assert database is not None
    web = create_web_app(running_app, database=database, webhook=None)
    async with served(web) as client:
        yield WebBot(running_app, telegram, str(client.base_url).rstrip("/"))


@pytest.fixture
async def web_client(web_bot: WebBot) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of `web_bot`'s web server."""
    async with httpx.AsyncClient(base_url=web_bot.base_url, timeout=30) as client:
        yield client
