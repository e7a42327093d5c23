"""Starting and stopping the bot: database (embedded or given), migrations, receiving updates by
polling or by webhook, the reminder scheduler (which also does the house-keeping), and
signals."""

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import BotCommand, MenuButtonWebApp, WebAppInfo
from telegram.error import TelegramError

from bot.app import (
    ALLOWED_UPDATES,
    MAX_CONCURRENT_UPDATES,
    POLL_TIMEOUT_SECONDS,
    build_application,
)
from bot.polling import JournaledPolling, RawUpdatesRequest, polling_request
from bot.scheduler import Scheduler
from bot.scheduler_loop import LoopState, SchedulerLoop
from bot.settings import DatabaseSettings, Settings
from bot.telegram_retry import RetryingRateLimiter
from bot.web.server import WebServer, create_web_app
from handlers.context import BotApplication
from handlers.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, use_language
from handlers.render_help import COMMANDS, DESCRIPTION, SHORT_DESCRIPTION
from storage.database_url import ConnectionSettings, parse_database_url
from storage.db import Database
from storage.embedded import EmbeddedPostgres
from storage.migrate import migrate

log = logging.getLogger(__name__)


class WebServerError(RuntimeError):
    """The webhook server could not start (the port is taken, the address is wrong)."""


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


async def _set_profile(application: BotApplication, code: str) -> None:
    """The command menu, description and short description in one language (English: for
    every language without its own)."""
    bot = application.bot
    with use_language(code) as language:
        commands = [BotCommand(name, _(description)) for name, description in COMMANDS]
        description, short = _(DESCRIPTION), _(SHORT_DESCRIPTION)
    telegram_code = None if code == DEFAULT_LANGUAGE else language.telegram_code
    try:
        await bot.set_my_commands(commands, language_code=telegram_code)
    except TelegramError as error:
        log.warning("could not set the command menu (%s): %s", code, error)
    try:
        await bot.set_my_description(description, language_code=telegram_code)
        await bot.set_my_short_description(short, language_code=telegram_code)
    except TelegramError as error:
        log.warning("could not set the bot's description (%s): %s", code, error)


async def _set_command_menu(application: BotApplication) -> None:
    """Each language's command menu and descriptions, so that Telegram shows each user the
    bot in their language (failures are logged, not fatal)."""
    await asyncio.gather(*(_set_profile(application, code) for code in LANGUAGES))
    await _set_menu_button(application)


async def _set_menu_button(application: BotApplication) -> None:
    """The menu button of every private chat opens the Mini App, when the bot has one (its
    text is one for all languages: Telegram takes no language for it)."""
    url = application.bot_data.mini_app_url
    if url is None:
        return
    button = MenuButtonWebApp(text=_("Tasks"), web_app=WebAppInfo(url))
    try:
        await application.bot.set_chat_menu_button(menu_button=button)
    except TelegramError as error:
        log.warning("could not set the menu button: %s", error)


@asynccontextmanager
async def _web_server(
    application: BotApplication,
    *,
    settings: Settings,
    database: Database,
    reminders: LoopState,
    webhook: tuple[str, str] | None,
) -> AsyncIterator[None]:
    """The web server on its port, listening when the block starts, stopped when it ends."""
    port = settings.web_port
    assert port is not None
    web_app = create_web_app(application, database=database, reminders=reminders, webhook=webhook)
    server = WebServer(web_app, host=settings.webhook_listen, port=port)
    serving = asyncio.create_task(server.serve_until_stopped())
    listening = asyncio.create_task(server.listening.wait())
    await asyncio.wait({serving, listening}, return_when=asyncio.FIRST_COMPLETED)
    if not listening.done():
        listening.cancel()
        failure = serving.exception() if not serving.cancelled() else None
        raise WebServerError(f"cannot listen on {settings.webhook_listen}:{port}") from failure
    try:
        yield
    finally:
        server.should_exit = True
        await serving


@asynccontextmanager
async def _polling(
    application: BotApplication,
    *,
    settings: Settings,
    database: Database,
    reminders: LoopState,
    request: RawUpdatesRequest,
    poll_timeout: int,
) -> AsyncIterator[None]:
    """Long polling with its journal (which first hands on what a killed process left, and
    removes any webhook left from an earlier run), and the web server for health checks when
    PORT is set."""
    async with contextlib.AsyncExitStack() as stack:
        if settings.web_port is not None:
            await stack.enter_async_context(
                _web_server(
                    application,
                    settings=settings,
                    database=database,
                    reminders=reminders,
                    webhook=None,
                )
            )
        await application.bot.delete_webhook()
        limiter = application.bot.rate_limiter
        polling = JournaledPolling(
            application,
            database,
            request=request,
            timeout=poll_timeout,
            allowed_updates=ALLOWED_UPDATES,
            send_backlog=limiter.backlog if isinstance(limiter, RetryingRateLimiter) else None,
        )
        await application.start()
        try:
            await polling.replay_left_over()
            stop = asyncio.Event()
            fetching = asyncio.create_task(polling.run(stop))
            log.info("@%s is up, polling for updates", application.bot.username)
            try:
                yield
            finally:
                # Stop fetching, and confirm what was fetched: it is in the journal.
                stop.set()
                await fetching
                await polling.confirm()
        finally:
            await application.stop()  # finishes the updates in hand
        await polling.forget_handled()


@asynccontextmanager
async def _webhook(
    application: BotApplication,
    *,
    settings: Settings,
    database: Database,
    reminders: LoopState,
) -> AsyncIterator[None]:
    """The web server on PORT, then the webhook registered with Telegram."""
    assert settings.webhook_url is not None
    secret = settings.webhook_secret_token()
    await application.start()
    try:
        webhook = (settings.webhook_path, secret)
        async with _web_server(
            application,
            settings=settings,
            database=database,
            reminders=reminders,
            webhook=webhook,
        ):
            await application.bot.set_webhook(
                settings.webhook_url,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
                max_connections=MAX_CONCURRENT_UPDATES,
            )
            log.info(
                "@%s is up, receiving updates at %s (listening on %s:%s)",
                application.bot.username,
                settings.webhook_url,
                settings.webhook_listen,
                settings.web_port,
            )
            # The webhook stays registered when this instance stops: others may serve it.
            yield
    finally:
        await application.stop()


@asynccontextmanager
async def _sending_reminders(
    database: Database,
    application: BotApplication,
) -> AsyncIterator[SchedulerLoop]:
    """The reminder scheduler, running in the background until the block ends."""
    loop = SchedulerLoop(
        Scheduler(
            database,
            application.bot,
            roles=application.bot_data.roles,
            app_url=application.bot_data.mini_app_url,
        )
    )
    stop = asyncio.Event()
    task = asyncio.create_task(loop.run(stop))
    try:
        yield loop
    finally:
        stop.set()
        await task


@asynccontextmanager
async def running_bot(
    settings: Settings, *, poll_timeout: int = POLL_TIMEOUT_SECONDS
) -> AsyncIterator[BotApplication]:
    """The bot, migrated and receiving updates (webhook with WEBHOOK_URL, else polling), until
    the block ends; then it finishes the updates in hand and closes everything."""
    async with database_connection(settings) as connection:
        await migrate(connection)
        database = Database(connection)
        try:
            request = None if settings.webhook_url else polling_request()
            application = build_application(settings, get_updates_request=request)
            application.bot_data.database = database
            async with application:
                await _set_command_menu(application)
                async with _sending_reminders(database, application) as reminders:
                    if request is None:
                        receiving = _webhook(
                            application,
                            settings=settings,
                            database=database,
                            reminders=reminders.state,
                        )
                    else:
                        receiving = _polling(
                            application,
                            settings=settings,
                            database=database,
                            reminders=reminders.state,
                            request=request,
                            poll_timeout=poll_timeout,
                        )
                    async with receiving:
                        yield application
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
