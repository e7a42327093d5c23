"""Starting and stopping the bot: database (embedded or given), migrations, polling, signals."""

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import BotCommand
from telegram.error import TelegramError
from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, POLL_TIMEOUT_SECONDS, build_application
from bot.settings import DatabaseSettings, Settings
from handlers.render import COMMANDS
from storage.db import ConnectionSettings, Database, parse_database_url
from storage.embedded import EmbeddedPostgres
from storage.migrate import migrate

log = logging.getLogger(__name__)


@asynccontextmanager
async def database_connection(settings: DatabaseSettings) -> AsyncIterator[ConnectionSettings]:
    """DATABASE_URL's connection settings, or an embedded server's, running until exit."""
    if settings.database_url is not None:
        yield parse_database_url(settings.database_url.get_secret_value())
        return
    embedded = await asyncio.to_thread(EmbeddedPostgres, settings.data_dir)
    try:
        yield parse_database_url(embedded.url)
    finally:
        await asyncio.to_thread(embedded.stop)


async def migrate_only(settings: DatabaseSettings) -> None:
    """Apply pending migrations and return (for a release phase)."""
    async with database_connection(settings) as connection:
        await migrate(connection)


async def _set_command_menu(application: Application) -> None:  # type: ignore[type-arg]
    commands = [BotCommand(name, description) for name, description in COMMANDS]
    try:
        await application.bot.set_my_commands(commands)
    except TelegramError as error:
        log.warning("could not set the command menu: %s", error)


@asynccontextmanager
async def running_bot(
    settings: Settings, *, poll_timeout: int = POLL_TIMEOUT_SECONDS
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The bot, migrated and polling, until the block ends; then it finishes the updates in
    hand, confirms them to Telegram, and closes everything."""
    async with database_connection(settings) as connection:
        await migrate(connection)
        database = Database(connection)
        try:
            application = build_application(settings)
            application.bot_data.database = database
            async with application:
                await _set_command_menu(application)
                assert application.updater is not None
                await application.updater.start_polling(
                    timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
                )
                await application.start()
                log.info("@%s is up, polling for updates", application.bot.username)
                try:
                    yield application
                finally:
                    await application.updater.stop()
                    await application.stop()
        finally:
            await database.close()


async def serve(settings: Settings) -> None:
    """Run the bot until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    async with running_bot(settings):
        await stop.wait()
        log.info("stopping: finishing the updates in hand")
    log.info("stopped")
