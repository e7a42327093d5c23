"""/calendar: the chat's private calendar feed address (served by bot/web/calendar_feed.py)."""

from functools import partial

from telegram import Update
from telegram.ext import CommandHandler

from handlers import render_transfer as render
from handlers.common import NEW_MESSAGES, chat_id_of, update_key
from handlers.context import BotApplication, BotContext
from handlers.i18n import _
from handlers.parsing import UsageError, command_text
from storage import calendar as calendar_store

FEED_PATH = "/calendar/{token}.ics"
_RESET_WORDS = {"reset", "new", "revoke"}


def feed_url(base_url: str, token: str) -> str:
    """The feed's address under the bot's public web address."""
    return base_url.rstrip("/") + FEED_PATH.format(token=token)


async def calendar(update: Update, context: BotContext, *, base_url: str | None) -> None:
    """The feed's address (made on first use); `/calendar reset`: a new one, the old stops."""
    message = update.effective_message
    assert message is not None
    argument = command_text(message.text).lower()
    if argument and argument not in _RESET_WORDS:
        raise UsageError(_(render.USAGE_CALENDAR))
    if base_url is None:
        await message.reply_text(_(render.CALENDAR_UNAVAILABLE))
        return
    reset = bool(argument)
    token = await calendar_store.calendar_token(
        context.db,
        chat_id=await chat_id_of(update, context),
        reset=reset,
        update_key=update_key(update, context) if reset else None,
    )
    await message.reply_text(render.render_calendar_url(feed_url(base_url, token), reset=reset))


def register(application: BotApplication, *, base_url: str | None) -> None:
    """Add /calendar; `base_url` is the bot's public web address (None: it has none)."""
    application.add_handler(
        CommandHandler(
            "calendar",
            partial(calendar, base_url=base_url),
            filters=NEW_MESSAGES,
        )
    )
