"""`python -m bot` runs the bot; `python -m bot migrate` only applies database migrations."""

import argparse
import asyncio
import sys
from collections.abc import Callable

from telegram.error import InvalidToken, NetworkError

from bot.logs import configure_logging
from bot.runner import WebServerError, migrate_only, serve
from bot.settings import DatabaseSettings, Settings, SettingsError, load_settings
from storage.database_url import InvalidDatabaseUrl, database_password
from storage.errors import StorageUnavailable


def _event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (it costs less CPU per update), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("command", nargs="?", choices=["run", "migrate"], default="run")
    command = parser.parse_args(argv).command
    try:
        settings = load_settings(Settings if command == "run" else DatabaseSettings)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    secrets = []
    if settings.database_url is not None:
        url = settings.database_url.get_secret_value()
        secrets += [url, database_password(url) or ""]
    if isinstance(settings, Settings):
        # The webhook's secret too: python-telegram-bot logs setWebhook's parameters at DEBUG.
        secrets += [settings.bot_token.get_secret_value(), settings.webhook_secret_token()]
    configure_logging(settings.log_level, secrets=secrets)
    try:
        with asyncio.Runner(loop_factory=_event_loop_factory()) as runner:
            if isinstance(settings, Settings):
                runner.run(serve(settings))
            else:
                runner.run(migrate_only(settings))
    except InvalidToken:
        print("error: Telegram rejected BOT_TOKEN; check it with @BotFather", file=sys.stderr)
        return 2
    except InvalidDatabaseUrl as error:
        print(f"error: DATABASE_URL: {error}", file=sys.stderr)
        return 2
    except StorageUnavailable:
        print("error: cannot reach the database at DATABASE_URL", file=sys.stderr)
        return 1
    except WebServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except NetworkError as error:
        print(f"error: cannot reach the Telegram Bot API: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
