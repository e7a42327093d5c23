"""Running the bot as people do: `python -m bot`, its settings, start-up, logs and shutdown."""

import logging
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from bot.runner import running_bot
from handlers.render_help import COMMANDS
from storage.migrate import head_revision
from testkit.fake_telegram import TEST_BOT_TOKEN, FakeTelegram
from testkit.postgres import create_database, drop_database
from testkit.processes import BotProcess, bot_environment
from tests.botdriver import ChatDriver
from tests.conftest import bot_settings, url_text
from tests.factories import new_user_id


@pytest.fixture
async def processes() -> AsyncIterator[list[BotProcess]]:
    """Bot processes a test starts; any left running are killed afterwards."""
    started: list[BotProcess] = []
    yield started
    for process in started:
        await process.kill()


async def _run(
    processes: list[BotProcess], tmp_path: Path, *args: str, **environment: str
) -> BotProcess:
    process = BotProcess(*args, environment=bot_environment(**environment), cwd=tmp_path)
    processes.append(process)
    await process.start()
    return process


def _private_chat(telegram: FakeTelegram) -> ChatDriver:
    user = new_user_id()
    return ChatDriver(telegram, chat_id=user, user_id=user)


async def test_missing_token_is_one_clear_line(
    processes: list[BotProcess], tmp_path: Path
) -> None:
    process = await _run(processes, tmp_path)
    assert await process.wait() == 2
    assert process.log.strip() == "error: BOT_TOKEN is not set"


async def test_malformed_token_is_one_clear_line_without_the_token(
    processes: list[BotProcess], tmp_path: Path
) -> None:
    process = await _run(processes, tmp_path, BOT_TOKEN="not-a-token-secret123")
    assert await process.wait() == 2
    assert process.log.strip() == (
        "error: BOT_TOKEN does not look like a token from @BotFather (123456:ABC...)"
    )


async def test_token_telegram_rejects_is_one_clear_line(
    processes: list[BotProcess], tmp_path: Path, own_telegram: FakeTelegram, database_url: URL
) -> None:
    process = await _run(
        processes,
        tmp_path,
        BOT_TOKEN="987654321:AAAnotTheTokenTheFakeKnows_abcdefghij",
        DATABASE_URL=url_text(database_url),
        TELEGRAM_BASE_URL=own_telegram.base_url,
    )
    assert await process.wait() == 2
    assert process.log.strip().splitlines()[-1] == (
        "error: Telegram rejected BOT_TOKEN; check it with @BotFather"
    )
    assert "Traceback" not in process.log


async def test_bot_process_serves_sets_its_menu_and_stops_on_sigterm_without_leaking_the_token(
    processes: list[BotProcess], tmp_path: Path, own_telegram: FakeTelegram, database_url: URL
) -> None:
    process = await _run(
        processes,
        tmp_path,
        BOT_TOKEN=TEST_BOT_TOKEN,
        DATABASE_URL=url_text(database_url),
        TELEGRAM_BASE_URL=own_telegram.base_url,
        LOG_LEVEL="DEBUG",
    )
    await process.wait_for_log(r"@todo_test_bot is up")
    commands = own_telegram.calls_of("setMyCommands")[-1].params["commands"]
    names = [c["command"] for c in commands]
    assert names == [name for name, _ in COMMANDS]  # the menu is the help's command list
    assert {"add", "list", "done", "edit", "delete", "show", "note", "due", "help"} <= set(names)
    reply = await _private_chat(own_telegram).send("/add From a real process")
    assert reply.text == "➕ Added #1 From a real process"
    assert await process.stop(signal.SIGTERM) == 0
    assert "stopped" in process.log
    assert TEST_BOT_TOKEN not in process.log
    assert TEST_BOT_TOKEN.split(":")[1] not in process.log


async def test_embedded_postgres_is_used_without_database_url_and_keeps_data(
    processes: list[BotProcess], tmp_path: Path, own_telegram: FakeTelegram
) -> None:
    settings = {
        "BOT_TOKEN": TEST_BOT_TOKEN,
        "TELEGRAM_BASE_URL": own_telegram.base_url,
        "DATA_DIR": str(tmp_path / "pgdata"),
    }
    chat = _private_chat(own_telegram)
    first = await _run(processes, tmp_path, **settings)
    await first.wait_for_log(r"is up")
    assert "embedded PostgreSQL is running" in first.log
    await chat.send("/add Survives a restart")
    assert await first.stop() == 0

    second = await _run(processes, tmp_path, **settings)
    await second.wait_for_log(r"is up")
    listed = await chat.send("/list")
    assert "#1 Survives a restart" in listed.text
    assert await second.stop() == 0


async def test_first_start_on_embedded_postgres_says_in_one_line_where_the_data_lives(
    processes: list[BotProcess], tmp_path: Path, own_telegram: FakeTelegram
) -> None:
    data_dir = tmp_path / "fresh"
    process = await _run(
        processes,
        tmp_path,
        BOT_TOKEN=TEST_BOT_TOKEN,
        TELEGRAM_BASE_URL=own_telegram.base_url,
        DATA_DIR=str(data_dir),
    )
    await process.wait_for_log(r"is up")
    assert await process.stop() == 0
    lines = process.log.splitlines()
    start = lines[: next(i for i, line in enumerate(lines) if "is up" in line) + 1]
    assert [line.split(" ", 3)[3] for line in start] == [
        f"storage.embedded: embedded PostgreSQL is running with its data in {data_dir}"
        " (set DATABASE_URL to use Neon or another server instead)",
        f"storage.migrate: database migrated from empty to {head_revision()}",
        "telegram.ext.Application: Application started",
        "bot.runner: @todo_test_bot is up, polling for updates",
    ]
    assert all(line.split(" ", 3)[2] == "INFO" for line in process.log.splitlines())


async def test_first_start_on_embedded_postgres_shows_initdb_at_debug(
    processes: list[BotProcess], tmp_path: Path, own_telegram: FakeTelegram
) -> None:
    process = await _run(
        processes,
        tmp_path,
        BOT_TOKEN=TEST_BOT_TOKEN,
        TELEGRAM_BASE_URL=own_telegram.base_url,
        DATA_DIR=str(tmp_path / "fresh"),
        LOG_LEVEL="DEBUG",
    )
    await process.wait_for_log(r"is up")
    assert await process.stop() == 0
    assert "DEBUG embedded_postgres: Successful postgres command" in process.log
    assert "creating subdirectories ... ok" in process.log  # initdb's own output
    assert "Running upgrade  -> 0001" in process.log


async def test_migrate_command_applies_migrations_and_exits(
    processes: list[BotProcess], tmp_path: Path, pg_admin_url: URL
) -> None:
    url = await create_database(pg_admin_url, prefix="todo_release")
    try:
        process = await _run(processes, tmp_path, "migrate", DATABASE_URL=url_text(url))
        assert await process.wait() == 0
        assert f"to {head_revision()}" in process.log
        again = await _run(processes, tmp_path, "migrate", DATABASE_URL=url_text(url))
        assert await again.wait() == 0
    finally:
        await drop_database(pg_admin_url, url)


async def test_menu_that_cannot_be_set_is_logged_and_the_bot_still_serves(
    own_telegram: FakeTelegram, database_url: URL, caplog: pytest.LogCaptureFixture
) -> None:
    own_telegram.fail_next(
        "setMyCommands", status=400, description="Bad Request: BOT_COMMAND_INVALID"
    )
    caplog.set_level(logging.INFO)
    async with running_bot(bot_settings(own_telegram, database_url), poll_timeout=5):
        reply = await _private_chat(own_telegram).send("/help")
        assert "/add" in reply.text
    assert any("could not set the command menu" in r.getMessage() for r in caplog.records)
    assert any("is up" in r.getMessage() for r in caplog.records)
