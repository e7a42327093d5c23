"""/start and /help, and what a private chat is told of texts that are no task command: an
unknown command points to /help, plain text to /add.

/start (and /help) in a private chat also records that the user started the bot, so that
reminders of group tasks assigned to them may come there.
"""

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler, MessageHandler, filters

from handlers import render_errors, render_help
from handlers.common import NEW_MESSAGES, chat_of, reply
from handlers.context import BotApplication, BotContext
from handlers.i18n import _
from storage import users as user_store
from storage.errors import StorageUnavailable

log = logging.getLogger(__name__)


async def _remember_starter(update: Update, context: BotContext) -> None:
    """In a private chat, record that the user started the bot: reminders of group tasks
    assigned to them may then come here. Help still comes when storage is down."""
    user = update.effective_user
    if chat_of(update).type != ChatType.PRIVATE or user is None:
        return
    try:
        await user_store.remember_user(
            context.db,
            user_id=user.id,
            username=user.username,
            first_name=user.first_name,
            started=True,
        )
    except StorageUnavailable:
        log.warning("update %s: could not record the user's start", update.update_id)


async def start(update: Update, context: BotContext) -> None:
    """Welcome with the list of commands."""
    await _remember_starter(update, context)
    await reply(update, render_help.render_help(first_time=True))


async def help_command(update: Update, context: BotContext) -> None:
    """The list of commands with examples."""
    await _remember_starter(update, context)
    await reply(update, render_help.render_help(first_time=False))


async def plain_text(update: Update, context: BotContext) -> None:
    """Text that is no command: in a private chat, explain how to add it as a task."""
    if chat_of(update).type == ChatType.PRIVATE:
        await reply(update, render_errors.render_usage(_(render_errors.PLAIN_TEXT_HINT)))


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not know: in a private chat, point to /help."""
    await reply(update, _(render_errors.UNKNOWN_COMMAND))


def register(application: BotApplication) -> None:
    """Add /start and /help (new messages only), then the handlers of texts that are no
    command: those go after every other module's commands and message handlers (handlers.tasks'
    reply with a new title among them), which bot.app registers first."""
    for name, callback in (("start", start), ("help", help_command)):
        application.add_handler(CommandHandler(name, callback, filters=NEW_MESSAGES))
    application.add_handler(
        MessageHandler(NEW_MESSAGES & filters.ChatType.PRIVATE & filters.COMMAND, unknown_command)
    )
    application.add_handler(
        MessageHandler(NEW_MESSAGES & filters.ChatType.PRIVATE & filters.TEXT, plain_text)
    )
