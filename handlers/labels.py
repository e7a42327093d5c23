"""/labels: the list's labels (its titles' hashtags) with how many tasks have each."""

from telegram import Update
from telegram.ext import CommandHandler

from handlers import render_fields
from handlers.common import NEW_MESSAGES, chat_id_of, reply
from handlers.context import BotApplication, BotContext
from storage import labels as label_store


async def labels(update: Update, context: BotContext) -> None:
    """Each label of the list with its count of open (and done) tasks."""
    found = await label_store.list_labels(context.db, chat_id=await chat_id_of(update, context))
    await reply(update, render_fields.render_labels(found))


def register(application: BotApplication) -> None:
    """Add /labels."""
    application.add_handler(CommandHandler("labels", labels, filters=NEW_MESSAGES))
