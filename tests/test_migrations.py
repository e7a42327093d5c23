"""The Alembic migrations: they build exactly the models' schema, go down and up again, and
several instances migrating at once through a transaction-mode pooler apply them once."""

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import URL
from sqlmodel import SQLModel

from storage.database_url import parse_database_url
from storage.db import Database
from storage.migrate import ALEMBIC_INI, alembic_config, head_revision, migrate
from storage.tasks import add_task, list_tasks
from storage.values import ListFilter
from testkit.postgres import asyncpg_dsn, create_database, drop_database
from testkit.processes import bot_environment
from tests.conftest import url_text


@pytest.fixture
async def empty_database(pg_admin_url: URL) -> AsyncIterator[URL]:
    """A database with nothing in it, dropped after the test."""
    url = await create_database(pg_admin_url, prefix="todo_migrations")
    yield url
    await drop_database(pg_admin_url, url)


async def _schema_differences(url: URL) -> list[object]:
    database = Database.from_url(url_text(url))
    try:
        async with database.engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
            )
    finally:
        await database.close()


async def _revision(url: URL) -> str | None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        if not await connection.fetchval("SELECT to_regclass('alembic_version') IS NOT NULL"):
            return None
        return await connection.fetchval("SELECT version_num FROM alembic_version")
    finally:
        await connection.close()


async def test_migrations_build_exactly_the_models_schema(empty_database: URL) -> None:
    await migrate(parse_database_url(url_text(empty_database)))
    assert await _revision(empty_database) == head_revision()
    assert await _schema_differences(empty_database) == []


async def test_migrating_again_changes_nothing(empty_database: URL) -> None:
    settings = parse_database_url(url_text(empty_database))
    await migrate(settings)
    database = Database(settings)
    try:
        task = await add_task(database, chat_id=5, title="survives", created_by=5)
        await migrate(settings)
        page = await list_tasks(database, chat_id=5)
        assert page.tasks == [task]
    finally:
        await database.close()


async def test_every_migration_goes_down_and_up_again(empty_database: URL) -> None:
    settings = parse_database_url(url_text(empty_database))
    await migrate(settings)
    database = Database(settings)
    try:
        engine = database.engine.execution_options(isolation_level="READ COMMITTED")
        async with engine.connect() as connection:

            def down_to_base(sync: object) -> None:
                config = alembic_config()
                config.attributes["connection"] = sync
                command.downgrade(config, "base")

            await connection.run_sync(down_to_base)
            await connection.commit()
    finally:
        await database.close()
    assert await _revision(empty_database) is None
    connection = await asyncpg.connect(asyncpg_dsn(empty_database))
    try:
        leftovers = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename <> 'alembic_version'"
        )
        functions = await connection.fetchval(
            "SELECT count(*) FROM pg_proc WHERE proname = 'tasks_keep_counts'"
        )
    finally:
        await connection.close()
    assert leftovers == [] and functions == 0
    await migrate(settings)
    assert await _schema_differences(empty_database) == []


async def test_instances_migrating_at_once_through_pgbouncer_apply_it_once(
    empty_database: URL, pgbouncer_admin_url: URL
) -> None:
    pooled = pgbouncer_admin_url.set(database=empty_database.database)
    settings = parse_database_url(url_text(pooled, pgbouncer="true"))
    assert settings.pooled
    await asyncio.gather(*(migrate(settings) for _ in range(4)))
    assert await _revision(empty_database) == head_revision()
    assert await _schema_differences(empty_database) == []


async def test_alembic_command_line_migrates_database_url(
    empty_database: URL, tmp_path: Path
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "alembic",
        "-c",
        str(ALEMBIC_INI),
        "upgrade",
        "head",
        env=bot_environment(DATABASE_URL=url_text(empty_database)),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, output.decode()
    assert await _revision(empty_database) == head_revision()


async def test_migration_0013_gives_existing_titles_their_labels(empty_database: URL) -> None:
    settings = parse_database_url(url_text(empty_database))
    database = Database(settings)
    try:
        engine = database.engine.execution_options(isolation_level="READ COMMITTED")
        async with engine.connect() as connection:

            def upgrade_to(revision: str) -> Callable[[object], None]:
                def run(sync: object) -> None:
                    config = alembic_config()
                    config.attributes["connection"] = sync
                    command.upgrade(config, revision)

                return run

            await connection.run_sync(upgrade_to("0012"))
            await connection.exec_driver_sql("INSERT INTO chats (chat_id) VALUES (7)")
            await connection.exec_driver_sql(
                "INSERT INTO tasks (chat_id, number, title) VALUES"
                " (7, 1, 'Pay #Bills #home #bills'), (7, 2, 'Issue #3'), (7, 3, 'No tags')"
            )
            await connection.run_sync(upgrade_to("head"))
            await connection.commit()
        page = await list_tasks(database, chat_id=7, page_filter=ListFilter(labels=("bills",)))
        assert [(task.number, task.labels) for task in page.tasks] == [(1, ("bills", "home"))]
        others = await list_tasks(database, chat_id=7, limit=10)
        assert [task.labels for task in others.tasks] == [("bills", "home"), (), ()]
    finally:
        await database.close()
