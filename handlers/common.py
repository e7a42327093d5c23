"""Small things every handler module needs: the update's idempotency key and a reply."""

from telegram import Update

from handlers.context import BotContext
from storage.models import UpdateKey


def once_key(update: Update, context: BotContext) -> UpdateKey:
    """The key that makes a change apply once, however often Telegram delivers the update."""
    return UpdateKey(bot_id=context.bot.id, update_id=update.update_id)


async def reply(update: Update, text: str, markup: object = None) -> None:
    """Answer the update's message in its chat (quoting it in groups)."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(text, reply_markup=markup)  # type: ignore[arg-type]
