"""The database connection: URLs as Neon, Heroku and Railway give them, poolers, the engine.

Every statement storage runs goes through `Database.run`, which gives the one place where
dropped connections are retried and connection failures become `StorageUnavailable`.
"""

import asyncio
import contextlib
import errno
import logging
import random
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.errors import StorageUnavailable

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 5.0
COMMAND_TIMEOUT_SECONDS = 15.0
POOL_TIMEOUT_SECONDS = 5.0

_TRUE_WORDS = {"1", "true", "yes", "on"}
# libpq's sslmode values, which asyncpg's `ssl` argument takes as they are.
_SSL_MODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


class InvalidDatabaseUrl(ValueError):
    """DATABASE_URL could not be understood."""


@dataclass(frozen=True)
class ConnectionSettings:
    """How to reach the database: the asyncpg URL and the keyword arguments asyncpg needs.

    `pooled` is true behind a transaction-mode pooler (PgBouncer, Neon's `-pooler` host), where
    no prepared statement survives a transaction, so statements run inside explicit transactions
    and nothing is cached on the server.
    """

    url: URL
    connect_args: dict[str, Any] = field(default_factory=dict)
    pooled: bool = False

    def render(self) -> str:
        """The URL with the password hidden, for logs."""
        return self.url.render_as_string(hide_password=True)


def parse_database_url(raw_url: str) -> ConnectionSettings:
    """Turn a URL as pasted from Neon, Heroku or Railway into settings asyncpg accepts.

    libpq's `sslmode` becomes asyncpg's `ssl`; `channel_binding` is dropped (asyncpg
    negotiates SCRAM itself and TLS stays on through `ssl`); `pgbouncer=true` marks a pooler
    and is stripped; `connect_timeout`, `application_name` and `options` are translated.
    """
    try:
        url = make_url(raw_url.strip())
    except exc.ArgumentError as error:
        raise InvalidDatabaseUrl(f"not a database URL: {error}") from None
    if url.get_backend_name() not in {"postgres", "postgresql"}:
        raise InvalidDatabaseUrl(f"not a PostgreSQL URL (scheme {url.drivername!r})")
    query: dict[str, str] = {}
    for key, value in url.query.items():
        query[key] = value[-1] if isinstance(value, tuple) else value

    connect_args: dict[str, Any] = {
        "timeout": CONNECT_TIMEOUT_SECONDS,
        "command_timeout": COMMAND_TIMEOUT_SECONDS,
    }
    server_settings: dict[str, str] = {}

    sslmode = query.pop("sslmode", None)
    if sslmode is not None:
        if sslmode not in _SSL_MODES:
            raise InvalidDatabaseUrl(f"unknown sslmode {sslmode!r}")
        connect_args["ssl"] = sslmode
    query.pop("channel_binding", None)
    pooled_flag = query.pop("pgbouncer", "").lower() in _TRUE_WORDS
    if "connect_timeout" in query:
        try:
            connect_args["timeout"] = float(query.pop("connect_timeout"))
        except ValueError:
            raise InvalidDatabaseUrl("connect_timeout must be a number of seconds") from None
    if "application_name" in query:
        server_settings["application_name"] = query.pop("application_name")
    if "options" in query:
        server_settings["options"] = query.pop("options")
    if server_settings:
        connect_args["server_settings"] = server_settings

    host = url.host or ""
    pooled = pooled_flag or "-pooler." in host
    if pooled:
        # Old PgBouncers (1.18 in Debian 12) keep no prepared statement across transactions:
        # no server-side cache, and only the unnamed statement, which needs no Close later
        # (a named one would cost an extra round trip to close).
        connect_args["statement_cache_size"] = 0
        connect_args["prepared_statement_cache_size"] = 0
        connect_args["prepared_statement_name_func"] = _unnamed_statement

    url = url.set(drivername="postgresql+asyncpg", query=query)
    return ConnectionSettings(url=url, connect_args=connect_args, pooled=pooled)


def database_password(raw_url: str) -> str | None:
    """The password in a database URL, if it has one and can be read (to keep it out of logs)."""
    try:
        return make_url(raw_url.strip()).password
    except exc.ArgumentError:
        return None


def _unnamed_statement() -> str:
    return ""


def create_engine(settings: ConnectionSettings, *, pool_size: int = 20) -> AsyncEngine:
    """An engine for `settings`.

    On a direct connection statements run in autocommit: a single statement is its own
    transaction and costs one round trip (no BEGIN, no COMMIT), and prepared statements are
    cached per connection. Behind a pooler each statement runs in a transaction, so that its
    prepare and execute reach the same server connection.
    """
    engine = create_async_engine(
        settings.url,
        connect_args=settings.connect_args,
        pool_size=pool_size,
        # Connections past the pool are closed after use; a new one costs a backend start,
        # so the pool is sized for the concurrent updates the bot runs (bot/app.py).
        max_overflow=pool_size // 2,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        pool_recycle=30 * 60,
        isolation_level="READ COMMITTED" if settings.pooled else "AUTOCOMMIT",
    )
    event.listen(engine.sync_engine, "checkout", _drop_closed_connection)
    return engine


def _drop_closed_connection(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Make the pool replace a connection the server already closed, at no round trip.

    asyncpg notices a server-side close (Neon suspending, `pg_terminate_backend`) as soon as the
    event loop reads it; the pool then opens a fresh connection instead of failing the caller.
    """
    if dbapi_connection.driver_connection.is_closed():
        raise exc.DisconnectionError("connection was closed by the server")


_UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncio.TimeoutError,
    exc.TimeoutError,
    exc.DisconnectionError,
)


_UNAVAILABLE_NAMES = {
    "ConnectionDoesNotExistError",
    "CannotConnectNowError",
    "ConnectionFailureError",
    "AdminShutdownError",
    "CrashShutdownError",
    "TooManyConnectionsError",
    # asyncpg's state after the server cut a connection in the middle of a call
    "InternalClientError",
}


def _chain(error: BaseException) -> list[BaseException]:
    """The error and what it wraps (SQLAlchemy's `orig`, Python's `__cause__`), outermost first."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not other for other in seen):
        seen.append(current)
        current = getattr(current, "orig", None) or current.__cause__
    return seen


def _is_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database or the connection to it failed (not our SQL)."""
    for link in _chain(error):
        if isinstance(link, _UNAVAILABLE_ERRORS):
            return True
        if isinstance(link, exc.DBAPIError) and link.connection_invalidated:
            return True
        if type(link).__name__ in _UNAVAILABLE_NAMES or "connection is closed" in str(link):
            return True
    return False


_NO_SERVER_ERRNOS = {
    errno.ECONNREFUSED,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.EADDRNOTAVAIL,
    errno.ENOENT,  # no Unix socket: the server is not running
}


def _is_unreachable(error: BaseException) -> bool:
    """True when no server answered at all (refused, unresolvable, timed out): the database is
    down, and trying again at once would only make the user wait."""
    for link in _chain(error):
        if isinstance(link, (TimeoutError, asyncio.TimeoutError, exc.TimeoutError)):
            return True
        if isinstance(link, socket.gaierror):
            return True
        if isinstance(link, OSError) and link.errno in _NO_SERVER_ERRNOS:
            return True
    return False


# The server's own word that it ended the session (pg_terminate_backend, a shutdown, Neon
# suspending a compute): a backend that says this aborts the transaction in hand, and a statement
# that had finished would have had its answer sent before it. So the statement was not applied.
_ENDED_BY_SERVER = ("terminating connection due to administrator command", "AdminShutdownError")


def _closed_before_sending(error: BaseException) -> bool:
    """True when the statement cannot have been applied (it never reached the server, or the
    server ended the session instead of answering), so running it again cannot repeat it."""
    for link in _chain(error):
        if isinstance(link, exc.DisconnectionError) or "connection is closed" in str(link):
            return True
        if type(link).__name__ in _ENDED_BY_SERVER or _ENDED_BY_SERVER[0] in str(link):
            return True
    return False


MAX_ATTEMPTS = 4
RETRY_PAUSE_SECONDS = 0.1


@dataclass(frozen=True)
class Outcome:
    """The rows of a statement, and whether an earlier attempt of it may have been applied.

    `uncertain` is true when an attempt failed after the statement may have reached the server
    (the connection dropped mid-way) and a later attempt succeeded: a changing statement must
    then be written so that applying it twice is harmless, and may find its own earlier work.
    """

    rows: list[sa.Row[Any]]
    uncertain: bool


class Database:
    """The engine and the one way storage runs statements on it."""

    def __init__(self, settings: ConnectionSettings, *, pool_size: int = 20) -> None:
        self.settings = settings
        self.engine = create_engine(settings, pool_size=pool_size)

    @classmethod
    def from_url(cls, url: str, *, pool_size: int = 20) -> "Database":
        """A Database for a URL as users paste it."""
        return cls(parse_database_url(url), pool_size=pool_size)

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()

    async def run(
        self,
        statement: sa.Executable,
        params: Mapping[str, Any] | None = None,
        *,
        idempotent: bool,
    ) -> list[sa.Row[Any]]:
        """Run one statement in its own transaction and return all its rows (see `execute`)."""
        return (await self.execute(statement, params, idempotent=idempotent)).rows

    async def execute(
        self,
        statement: sa.Executable,
        params: Mapping[str, Any] | None = None,
        *,
        idempotent: bool,
    ) -> Outcome:
        """Run one statement in its own transaction.

        A connection that drops under the statement (Neon suspending, a backend terminated) is
        replaced and the statement run again, up to MAX_ATTEMPTS times, when it is idempotent or
        never reached the server. A database that cannot be reached at all raises
        StorageUnavailable at once (no retries to wait through).
        """
        uncertain = False
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                rows = await self._execute_once(statement, params or {})
                return Outcome(rows=rows, uncertain=uncertain)
            except _ConnectFailed as failure:
                log.warning("cannot connect to the database (%s)", type(failure.error).__name__)
                raise StorageUnavailable("the database cannot be reached") from failure.error
            except Exception as error:
                if not _is_unavailable(error):
                    raise
                reached_server = not _closed_before_sending(error)
                retry = attempt < MAX_ATTEMPTS and (idempotent or not reached_server)
                log.warning(
                    "database connection failed under a statement (%s)%s",
                    type(error).__name__,
                    "; running it again on a new connection" if retry else "",
                )
                if not retry:
                    raise StorageUnavailable("the database connection failed") from error
                uncertain = uncertain or reached_server
                # A short, jittered pause: when every connection was cut at once (a restart),
                # the retries should not all land in the same instant again.
                await asyncio.sleep(RETRY_PAUSE_SECONDS * attempt * (0.5 + random.random()))
        raise AssertionError("unreachable")

    async def _execute_once(
        self, statement: sa.Executable, params: Mapping[str, Any]
    ) -> list[sa.Row[Any]]:
        try:
            connection = await self.engine.connect()
        except Exception as error:
            if _is_unreachable(error):
                raise _ConnectFailed(error) from error
            raise  # e.g. a new connection cut while starting: worth another attempt
        try:
            result = await connection.execute(statement, params)
            rows = list(result.all()) if result.returns_rows else []
            await connection.commit()
            return rows
        except Exception as error:
            if _is_unavailable(error) and not connection.invalidated:
                # Never hand a connection in an unknown state back to the pool.
                with contextlib.suppress(Exception):
                    await connection.invalidate()
            raise
        finally:
            await connection.close()

    async def ping(self) -> None:
        """Check that the database answers, raising StorageUnavailable when it does not."""
        await self.run(sa.text("SELECT 1"), idempotent=True)


class _ConnectFailed(Exception):
    """No connection could be made: the database is down or unreachable."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error
