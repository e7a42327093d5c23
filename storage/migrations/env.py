"""Alembic's environment.

`python -m bot migrate` (and the bot at start-up) hands it a connection that already holds the
migration lock. Run from the alembic command line instead (`alembic -c storage/alembic.ini ...`,
e.g. for `revision --autogenerate`), it connects to DATABASE_URL itself, asynchronously, with
the same URL handling and the same lock.
"""

import asyncio
import os

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)


def run_migrations(connection: sa.Connection) -> None:
    """Run the migrations Alembic was asked for on `connection`."""
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_command_line() -> None:
    """Connect to DATABASE_URL, take the migration lock, and run the migrations."""
    from storage.database_url import parse_database_url
    from storage.migrate import migration_connection

    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        raise SystemExit("set DATABASE_URL to the database to migrate")
    async with migration_connection(parse_database_url(url)) as connection:
        await connection.run_sync(run_migrations)


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them on a database")
given = context.config.attributes.get("connection")
if given is not None:
    run_migrations(given)
else:
    asyncio.run(run_from_command_line())
