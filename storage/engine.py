"""The engine and its pool: statements in autocommit, how many connections stay open and how
long a statement waits for one, and connections the server closed replaced at checkout, at no
round trip (storage.db runs statements on it).
"""

import select
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.database_url import ConnectionSettings

POOL_TIMEOUT_SECONDS = 5.0


def create_engine(settings: ConnectionSettings, *, pool_size: int = 20) -> AsyncEngine:
    """An engine for `settings`.

    Statements run in autocommit: a single statement is its own transaction and costs one
    round trip (no BEGIN, no COMMIT). On a direct connection asyncpg caches each prepared
    statement per connection; behind a pooler psycopg sends parse, bind and execute together,
    with nothing prepared to outlive the statement (storage.database_url).
    """
    engine = create_async_engine(
        settings.url,
        connect_args=settings.connect_args,
        # Not one connection per concurrent update: the bot handles up to 64 updates at once
        # (bot/app.py), but an update holds a connection only while its one statement runs (a
        # round trip of a few milliseconds) and spends the rest of its time on Telegram's
        # calls, so far fewer are busy at any moment. `pool_size` stay open (the benchmark's
        # full load of 200 users runs on them, its overflow opening a few at peaks: README,
        # Performance); up to half as many more open under a burst and close after use (a
        # new one costs a backend start). The cap keeps each instance's share of the server's
        # connection slots small, since instances share them; a statement that finds every
        # connection busy waits up to POOL_TIMEOUT_SECONDS, then gets StorageUnavailable.
        pool_size=pool_size,
        max_overflow=pool_size // 2,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        pool_recycle=30 * 60,
        # The connection used last is used next: at a steady pace one connection serves, with
        # its statements prepared already (a connection opened in a burst would otherwise
        # take its turn and prepare each statement again), and the ones a burst opened sit
        # unused until the server or pool_recycle closes them.
        pool_use_lifo=True,
        isolation_level="AUTOCOMMIT",
    )
    event.listen(engine.sync_engine, "checkout", _drop_closed_connection)
    return engine


def _drop_closed_connection(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Make the pool replace a connection the server already closed, at no round trip.

    Neon closes every connection when it suspends an idle compute (and a pooler or
    `pg_terminate_backend` may close one any time): the pool then opens a fresh connection
    instead of failing the caller's statement, so the first statement after a suspend simply
    waits for the compute to start.
    """
    if _closed_by_server(dbapi_connection.driver_connection):
        raise exc.DisconnectionError("connection was closed by the server")


def _closed_by_server(connection: Any) -> bool:
    """Whether an idle connection was closed by the other side, asking nothing of the server.

    asyncpg reads every connection's socket and knows. psycopg reads only while it waits for
    an answer, so its socket is looked at: an idle connection has nothing to read unless the
    server closed it (or said why it is closing it).
    """
    if hasattr(connection, "is_closed"):  # asyncpg
        return bool(connection.is_closed())
    if connection.closed or connection.broken:
        return True
    try:
        readable, _, _ = select.select([connection.pgconn.socket], [], [], 0)
    except (OSError, ValueError):  # the socket is gone already
        return True
    return bool(readable)
