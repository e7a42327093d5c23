"""Database URLs as Neon, Heroku and Railway give them, turned into the settings of the driver
that suits the connection: asyncpg for a direct one, psycopg behind a transaction-mode pooler
(PgBouncer, Neon's `-pooler` host)."""

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import URL, make_url

CONNECT_TIMEOUT_SECONDS = 5.0
COMMAND_TIMEOUT_SECONDS = 15.0

_TRUE_WORDS = {"1", "true", "yes", "on"}
# libpq's sslmode values, which asyncpg's `ssl` argument takes as they are.
_SSL_MODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}
_CHANNEL_BINDINGS = {"disable", "prefer", "require"}


class InvalidDatabaseUrl(ValueError):
    """DATABASE_URL could not be understood."""


@dataclass(frozen=True)
class ConnectionSettings:
    """How to reach the database: the SQLAlchemy URL (its driver chosen) and the keyword
    arguments that driver's connect() takes.

    `pooled` is true behind a transaction-mode pooler (PgBouncer, Neon's `-pooler` host). There
    the driver is psycopg: it sends a statement's parse, bind and execute in one exchange, with
    the unnamed statement, so a statement outside a transaction costs one round trip and never
    needs a server connection of its own for longer. (asyncpg prepares before it executes,
    which through such a pooler needs BEGIN and COMMIT around them: four round trips.)
    `command_timeout` is enforced by storage.db for psycopg (asyncpg enforces its own).
    """

    url: URL
    connect_args: dict[str, Any] = field(default_factory=dict)
    pooled: bool = False
    command_timeout: float = COMMAND_TIMEOUT_SECONDS

    @property
    def driver(self) -> str:
        """`asyncpg` or `psycopg`."""
        return self.url.get_driver_name()

    def render(self) -> str:
        """The URL with the password hidden, for logs."""
        return self.url.render_as_string(hide_password=True)


def parse_database_url(raw_url: str) -> ConnectionSettings:
    """Turn a URL as pasted from Neon, Heroku or Railway into driver settings.

    `pgbouncer=true` (stripped) or a Neon `-pooler` host marks a transaction-mode pooler. For
    asyncpg (direct): libpq's `sslmode` becomes asyncpg's `ssl`; `channel_binding` is dropped
    (asyncpg negotiates SCRAM itself and TLS stays on through `ssl`); `connect_timeout`,
    `application_name` and `options` are translated. For psycopg (pooled) they are libpq's own
    parameters and pass as they are (`connect_timeout` in whole seconds, at least 2).
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

    sslmode = query.pop("sslmode", None)
    if sslmode is not None and sslmode not in _SSL_MODES:
        raise InvalidDatabaseUrl(f"unknown sslmode {sslmode!r}")
    channel_binding = query.pop("channel_binding", None)
    if channel_binding is not None and channel_binding not in _CHANNEL_BINDINGS:
        raise InvalidDatabaseUrl(f"unknown channel_binding {channel_binding!r}")
    connect_timeout = CONNECT_TIMEOUT_SECONDS
    if "connect_timeout" in query:
        try:
            connect_timeout = float(query.pop("connect_timeout"))
        except ValueError:
            raise InvalidDatabaseUrl("connect_timeout must be a number of seconds") from None
    server_settings: dict[str, str] = {
        name: query.pop(name) for name in ("application_name", "options") if name in query
    }
    pooled = query.pop("pgbouncer", "").lower() in _TRUE_WORDS or "-pooler." in (url.host or "")

    if pooled:
        libpq: dict[str, str] = {**query, **server_settings}
        if sslmode is not None:
            libpq["sslmode"] = sslmode
        if channel_binding is not None:
            libpq["channel_binding"] = channel_binding
        # libpq counts whole seconds and psycopg waits at least 2.
        libpq["connect_timeout"] = str(max(2, math.ceil(connect_timeout)))
        return ConnectionSettings(
            url=url.set(drivername="postgresql+psycopg", query=libpq),
            # No server-side prepared statements: the pooler keeps none across transactions.
            connect_args={"prepare_threshold": None},
            pooled=True,
        )

    connect_args: dict[str, Any] = {
        "timeout": connect_timeout,
        "command_timeout": COMMAND_TIMEOUT_SECONDS,
    }
    if sslmode is not None:
        connect_args["ssl"] = sslmode
    if server_settings:
        connect_args["server_settings"] = server_settings
    url = url.set(drivername="postgresql+asyncpg", query=query)
    return ConnectionSettings(url=url, connect_args=connect_args, pooled=False)


def database_password(raw_url: str) -> str | None:
    """The password in a database URL, if it has one and can be read (to keep it out of logs)."""
    try:
        return make_url(raw_url.strip()).password
    except exc.ArgumentError:
        return None
