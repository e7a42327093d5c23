"""What the bots run against: PostgreSQL with a big chat in it, the counting proxy in front of
it (directly or through PgBouncer), and a fake Bot API server per bot run."""

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

import asyncpg
from sqlalchemy.engine import URL

from bench.bot_process import BenchError
from bench.telegram import AnsweringTelegram
from storage.database_url import parse_database_url
from storage.migrate import migrate
from testkit.pgproxy import PgProxy
from testkit.postgres import (
    asyncpg_dsn,
    create_database,
    drop_database,
    find_pgbouncer,
    pgbouncer,
    postgres_server,
)

# Chat ids of the benchmark's own chats; simulated users get USERS_FIRST_CHAT_ID + i.
BIG_CHAT_ID = 4_000_000_001
SMALL_CHAT_ID = 4_000_000_002
SMALL_CHAT_TASKS = 10
QUIET_CHAT_ID = 4_000_000_100  # + 1 per quiet phase, so each starts with an empty list
USERS_FIRST_CHAT_ID = 5_000_000_000
# A filtered /list timed in both chats too: a label, a priority and due in the next 7 days.
FILTERED_LIST = "/list #work !1 upcoming"


@dataclass(frozen=True)
class BenchDatabase:
    """The server's admin URL and the URL of the migrated, filled benchmark database."""

    admin_url: URL
    url: URL


def render(url: URL) -> str:
    """The URL as DATABASE_URL takes it, password included."""
    return url.render_as_string(hide_password=False)


async def fill_chat(url: URL, chat_id: int, tasks: int) -> None:
    """Give a chat `tasks` open tasks numbered from 1, in one statement: of each priority and
    none, two in three with a due time (some overdue, most ahead), one in five labelled #work
    and one in seven #home, so that /list's order and FILTERED_LIST have some of each.

    The triggers on `tasks` bring the chat's counts and the label index up to date, as for
    /add.
    """
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with connection.transaction():
            await connection.execute(
                "INSERT INTO chats (chat_id, last_task_number) VALUES ($1, $2)", chat_id, tasks
            )
            await connection.execute(
                "INSERT INTO tasks (chat_id, number, title, created_by, priority, due_at, labels)"
                " SELECT $1, n,"
                " 'Task number ' || n || CASE WHEN n % 5 = 0 THEN ' #work' ELSE '' END"
                " || CASE WHEN n % 7 = 0 THEN ' #home' ELSE '' END,"
                " $1, NULLIF(n % 4, 0),"
                " CASE WHEN n % 3 <> 0 THEN now() + (n % 2000 - 100) * interval '1 hour' END,"
                " array_remove(ARRAY[CASE WHEN n % 5 = 0 THEN 'work' END,"
                " CASE WHEN n % 7 = 0 THEN 'home' END], NULL)"
                " FROM generate_series(1, $2) AS n",
                chat_id,
                tasks,
            )
        # What autovacuum would soon do after such an insert; plans depend on it.
        await connection.execute("ANALYZE chats; ANALYZE tasks; ANALYZE task_labels")
    finally:
        await connection.close()


@asynccontextmanager
async def bench_database(big_chat_tasks: int) -> AsyncIterator[BenchDatabase]:
    """A migrated database on an embedded PostgreSQL (or TEST_DATABASE_URL's server), with a
    big chat of `big_chat_tasks` tasks and a small one of SMALL_CHAT_TASKS."""
    with postgres_server() as admin_url:
        url = await create_database(admin_url, prefix="todo_bench")
        try:
            await migrate(parse_database_url(render(url)))
            await fill_chat(url, BIG_CHAT_ID, big_chat_tasks)
            await fill_chat(url, SMALL_CHAT_ID, SMALL_CHAT_TASKS)
            yield BenchDatabase(admin_url, url)
        finally:
            await drop_database(admin_url, url)


class CountingProxy(PgProxy):
    """The tests' PgProxy, also counting the connections opened through it."""

    connections_opened = 0

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections_opened += 1
        await super()._accept(reader, writer)


def _proxy_to(server_url: URL, delay: float) -> CountingProxy:
    socket_dir = server_url.query.get("host")
    if isinstance(socket_dir, str):
        socket = f"{socket_dir}/.s.PGSQL.{server_url.port or 5432}"
        return CountingProxy(target_socket=socket, delay=delay)
    return CountingProxy(
        target_host=server_url.host, target_port=server_url.port or 5432, delay=delay
    )


@asynccontextmanager
async def counting_proxy(
    database: BenchDatabase, *, delay: float, through: URL | None = None
) -> AsyncIterator[tuple[CountingProxy, str]]:
    """The proxy (delay per round trip, counting them) and the DATABASE_URL that goes through it.

    With `through` (a pooler's URL) the proxy forwards to the pooler, and the URL says
    `pgbouncer=true`, as it must for a transaction-mode pooler.
    """
    proxy = _proxy_to(through or database.admin_url, delay)
    await proxy.start()
    try:
        url = database.url.set(host="127.0.0.1", port=proxy.port).difference_update_query(["host"])
        if through is not None:
            url = url.update_query_dict({"pgbouncer": "true"})
        yield proxy, render(url)
    finally:
        await proxy.stop()


@contextmanager
def pgbouncer_or_none(database: BenchDatabase) -> Iterator[URL | None]:
    """Debian's PgBouncer in transaction mode in front of the server, or None when it is not
    installed (in CI, with CI set, that is an error, as for the tests)."""
    executable = find_pgbouncer()
    if executable is None:
        if os.environ.get("CI"):
            raise BenchError("pgbouncer is not installed (apt-get install -y pgbouncer)")
        yield None
        return
    with pgbouncer(database.admin_url, executable) as url:
        yield url


@asynccontextmanager
async def fake_telegram(latency: float) -> AsyncIterator[AnsweringTelegram]:
    """A fresh fake Bot API server adding `latency` seconds to every call."""
    telegram = AnsweringTelegram(latency=latency)
    await telegram.start()
    try:
        yield telegram
    finally:
        await telegram.stop()
