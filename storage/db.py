"""Running statements: `Database`, the one way storage runs a statement (on the engine of
storage.engine), which is the one place where dropped connections are retried and connection
failures become `StorageUnavailable`. It also keeps what its statements tell of the database
(`health`, for /healthz without a query) and passes word to the reminder scheduler when a
change may have brought a due time forward (`due_times_moved`). (How a URL becomes connection
settings: storage.database_url; which errors mean what: storage.connection_errors.)
"""

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from storage.connection_errors import (
    closed_before_sending,
    is_unavailable,
    is_unreachable,
    no_answer,
    timed_out,
)
from storage.database_url import ConnectionSettings, parse_database_url
from storage.engine import create_engine
from storage.errors import StorageUnavailable

log = logging.getLogger(__name__)

# Six attempts ride out connections cut several times a second (the soak test cuts them four
# times a second) within about two seconds of jittered pauses.
MAX_ATTEMPTS = 6
RETRY_PAUSE_SECONDS = 0.1
# After a connection attempt found no answer at all within the connect timeout, statements in
# the next few seconds fail at once rather than each waiting that long again: an update may run
# more than one statement (its chat's language, then its change), and its user should wait one
# timeout for "try again", not several. (A refused connection fails at once anyway.)
SILENT_FAIL_FAST_SECONDS = 5.0


@dataclass
class DatabaseHealth:
    """What this process knows of the database from its own statements, without asking it."""

    # When a statement last succeeded, and when one last found the database unreachable.
    last_ok: datetime | None = None
    last_failure: datetime | None = None
    # Whether the latest statement to finish found it unreachable.
    failing: bool = False


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
        own_timeout = settings.driver == "asyncpg"
        self._statement_timeout = None if own_timeout else settings.command_timeout
        self.health = DatabaseHealth()
        self._due_watchers: set[asyncio.Event] = set()
        # Called with a list's id after each change to it is committed (lists_changed).
        self.list_listeners: list[Callable[[int | None], None]] = []
        self._silent_until = 0.0  # the event loop's time until which to fail at once

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
        try:
            if asyncio.get_running_loop().time() < self._silent_until:
                raise StorageUnavailable("the database did not answer a moment ago")
            outcome = await self._execute_with_retries(statement, params, idempotent=idempotent)
        except StorageUnavailable:
            self.health.last_failure, self.health.failing = datetime.now(UTC), True
            raise
        back = self.health.failing
        self.health.last_ok, self.health.failing = datetime.now(UTC), False
        if back:
            # The scheduler failed meanwhile, and may have missed what came due.
            self.due_times_moved()
        return outcome

    def due_times_moved(self) -> None:
        """Say that a change just made may have brought a reminder or a digest forward (a due
        time set, a snooze, a task opened again, a digest time): whoever watches due times
        (the scheduler) reads them again, at no cost to an idle database, which this change
        has just woken. Storage calls it; see `watching_due_times`."""
        for watcher in self._due_watchers:
            watcher.set()

    def lists_changed(self, list_id: int | None) -> None:
        """Say that a change to the list `list_id` (None: some list) was just committed:
        whoever shows lists (the Mini App's revisions, bot.web.revisions) knows them stale, at
        no cost to the database. Storage calls it after every change."""
        for listener in self.list_listeners:
            listener(list_id)

    @contextlib.contextmanager
    def watching_due_times(self) -> Iterator[asyncio.Event]:
        """An event set each time `due_times_moved` is called, and when the database answers
        again after failing. The watcher clears it before it reads the due times again."""
        moved = asyncio.Event()
        self._due_watchers.add(moved)
        try:
            yield moved
        finally:
            self._due_watchers.discard(moved)

    async def _execute_with_retries(
        self, statement: sa.Executable, params: Mapping[str, Any] | None, *, idempotent: bool
    ) -> Outcome:
        uncertain = False
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                rows = await self._execute_once(statement, params or {})
                return Outcome(rows=rows, uncertain=uncertain)
            except _ConnectFailed as failure:
                log.warning("cannot connect to the database (%s)", type(failure.error).__name__)
                if no_answer(failure.error):
                    loop_time = asyncio.get_running_loop().time()
                    self._silent_until = loop_time + SILENT_FAIL_FAST_SECONDS
                raise StorageUnavailable("the database cannot be reached") from failure.error
            except Exception as error:
                if not is_unavailable(error):
                    raise
                reached_server = not closed_before_sending(error)
                # A statement that ran out of time (or found no free connection in time) is
                # not run again: the user would wait that long once more.
                retry = (
                    attempt < MAX_ATTEMPTS
                    and (idempotent or not reached_server)
                    and not timed_out(error)
                )
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
            if is_unreachable(error):
                raise _ConnectFailed(error) from error
            raise  # e.g. a new connection cut while starting: worth another attempt
        try:
            # asyncpg enforces its own command_timeout; psycopg has none of its own (cancelled,
            # it asks the server to cancel the statement).
            async with asyncio.timeout(self._statement_timeout):
                result = await connection.execute(statement, params)
            rows = list(result.all()) if result.returns_rows else []
            await connection.commit()
            return rows
        except Exception as error:
            if is_unavailable(error) and not connection.invalidated:
                # Never hand a connection in an unknown state back to the pool.
                with contextlib.suppress(Exception):
                    await connection.invalidate()
            raise
        finally:
            await connection.close()

    async def ping(self) -> None:
        """Check that the database answers, raising StorageUnavailable when it does not."""
        await self.run(_PING, idempotent=True)


# Any answer will do: the server is there.
_PING = sa.select(sa.true())


class _ConnectFailed(Exception):
    """No connection could be made: the database is down or unreachable."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error
