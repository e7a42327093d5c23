"""Which language each update is answered in: the user's Telegram language for now."""

from telegram import Update
from telegram.ext import TypeHandler

from handlers.context import BotApplication, BotContext
from handlers.i18n import activate, language_for


async def speak_the_users_language(update: Update, context: BotContext) -> None:
    """Before any handler: write in the language of whoever sent the update."""
    user = update.effective_user
    activate(language_for(user.language_code if user else None))


def register(application: BotApplication) -> None:
    """Add the language choice, first of all handlers (group -1)."""
    application.add_handler(TypeHandler(Update, speak_the_users_language), group=-1)
