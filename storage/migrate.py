"""Applying the Alembic migrations, safely when several instances start at once."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database_url import ConnectionSettings
from storage.db import Database

log = logging.getLogger(__name__)

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")
# Any fixed 64-bit key; every instance of the bot takes the same one.
MIGRATION_LOCK_KEY = 7_311_642_094_119_302_001
# Wait for the migration lock `:key`; it is released when the transaction ends.
_TAKE_LOCK = sa.select(sa.func.pg_advisory_xact_lock(sa.bindparam("key", type_=sa.BigInteger)))


def alembic_config() -> Config:
    """Alembic's Config for the project's migrations folder."""
    return Config(str(ALEMBIC_INI))


def head_revision() -> str | None:
    """The newest migration's revision id."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@asynccontextmanager
async def migration_connection(settings: ConnectionSettings) -> AsyncIterator[AsyncConnection]:
    """A connection inside one transaction that holds the migration lock; commits at the end.

    The lock is transaction-scoped (`pg_advisory_xact_lock`): two instances starting together
    apply the migrations once, the second waiting for the first, and it holds through a
    transaction-mode pooler, where a session-level lock would not.
    """
    database = Database(settings, pool_size=1)
    try:
        engine = database.engine.execution_options(isolation_level="READ COMMITTED")
        async with engine.connect() as connection:
            await connection.execute(_TAKE_LOCK, {"key": MIGRATION_LOCK_KEY})
            yield connection
            await connection.commit()
    finally:
        await database.close()


async def migrate(settings: ConnectionSettings) -> None:
    """Bring the database to the newest schema; a no-op when it is there already."""
    async with migration_connection(settings) as connection:
        await connection.run_sync(_upgrade)


def _upgrade(connection: sa.Connection) -> None:
    before = MigrationContext.configure(connection).get_current_revision()
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
    after = MigrationContext.configure(connection).get_current_revision()
    if before != after:
        log.info("database migrated from %s to %s", before or "empty", after)


async def current_revision(connection: AsyncConnection) -> str | None:
    """The revision the database is at (None when never migrated)."""
    return await connection.run_sync(
        lambda sync: MigrationContext.configure(sync).get_current_revision()
    )
