"""Telling a failed connection from a failed statement, for asyncpg and psycopg alike: whether
the database or the link to it failed (storage unavailable), whether no server answered at all
(no point in trying again at once), and whether a statement cut off can have been applied."""

import asyncio
import errno
import socket

from sqlalchemy import exc

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
    # psycopg's names for the same (after the SQLSTATE, without "Error")
    "ConnectionDoesNotExist",
    "CannotConnectNow",
    "ConnectionFailure",
    "ConnectionException",
    "AdminShutdown",
    "CrashShutdown",
    "TooManyConnections",
    "ConnectionTimeout",
}


def chain(error: BaseException) -> list[BaseException]:
    """The error and what it wraps (SQLAlchemy's `orig`, Python's `__cause__`), outermost first."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not other for other in seen):
        seen.append(current)
        current = getattr(current, "orig", None) or current.__cause__
    return seen


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database or the connection to it failed (not our SQL)."""
    for link in chain(error):
        if isinstance(link, _UNAVAILABLE_ERRORS):
            return True
        if isinstance(link, exc.DBAPIError) and link.connection_invalidated:
            return True
        if type(link).__name__ in _UNAVAILABLE_NAMES or "connection is closed" in str(link):
            return True
        if _is_psycopg_link_failure(link):
            return True
    return False


def _is_psycopg_link_failure(link: BaseException) -> bool:
    """psycopg's error for a connection that failed on our side of the wire (refused, cut,
    unresolvable, TLS refused): an OperationalError with no SQLSTATE, as libpq reports it."""
    return (
        type(link).__name__ == "OperationalError"
        and type(link).__module__.startswith("psycopg")
        and getattr(link, "sqlstate", None) is None
    )


_NO_SERVER_ERRNOS = {
    errno.ECONNREFUSED,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.EADDRNOTAVAIL,
    errno.ENOENT,  # no Unix socket: the server is not running
}


def is_unreachable(error: BaseException) -> bool:
    """True when no server answered at all (refused, unresolvable, timed out): the database is
    down, and trying again at once would only make the user wait."""
    for link in chain(error):
        if isinstance(link, (TimeoutError, asyncio.TimeoutError, exc.TimeoutError)):
            return True
        if isinstance(link, socket.gaierror):
            return True
        if isinstance(link, OSError) and link.errno in _NO_SERVER_ERRNOS:
            return True
        if _is_psycopg_link_failure(link) or type(link).__name__ == "ConnectionTimeout":
            # libpq has tried every address of the host already, each within the timeout.
            return True
    return False


def timed_out(error: BaseException) -> bool:
    """Whether a statement ran out of time, or found no free connection in time."""
    return any(isinstance(link, (TimeoutError, exc.TimeoutError)) for link in chain(error))


# The server's own word that it ended the session (pg_terminate_backend, a shutdown, Neon
# suspending a compute): a backend that says this aborts the transaction in hand, and a statement
# that had finished would have had its answer sent before it. So the statement was not applied.
_ENDED_BY_SERVER = ("terminating connection due to administrator command", "AdminShutdownError")


def closed_before_sending(error: BaseException) -> bool:
    """True when the statement cannot have been applied (it never reached the server, or the
    server ended the session instead of answering), so running it again cannot repeat it."""
    for link in chain(error):
        if isinstance(link, exc.DisconnectionError) or "connection is closed" in str(link):
            return True
        if type(link).__name__ in _ENDED_BY_SERVER or _ENDED_BY_SERVER[0] in str(link):
            return True
    return False


def no_answer(error: BaseException) -> bool:
    """Whether a connection attempt heard nothing within its timeout (a silent server, or a
    compute that does not wake): not a refusal, and not a pool with no free connection."""
    return any(
        isinstance(link, TimeoutError) or type(link).__name__ == "ConnectionTimeout"
        for link in chain(error)
    )
