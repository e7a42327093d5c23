"""Database URLs as Neon, Heroku and Railway give them, turned into the settings asyncpg
accepts, with what a transaction-mode pooler (PgBouncer, Neon's `-pooler` host) needs."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import URL, make_url

CONNECT_TIMEOUT_SECONDS = 5.0
COMMAND_TIMEOUT_SECONDS = 15.0

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
