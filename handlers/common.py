"""Small things every handler module needs: the update's idempotency key, its list, a reply."""

from telegram import CallbackQuery, MaybeInaccessibleMessage, Message, Update
from telegram.ext import filters

from handlers.callbacks import ButtonAction, InvalidCallbackData, decode
from handlers.context import BotContext
from handlers.render import BUTTON_OUTDATED
from storage.models import UpdateKey
from storage.topics import topic_list_id

# Commands react to new messages only: python-telegram-bot's CommandHandler would also take an
# edited message, and an edited /add must not add a second task.
NEW_MESSAGES = filters.UpdateType.MESSAGE


def message_of(update: Update) -> Message:
    """The update's message (for handlers registered on messages only)."""
    message = update.effective_message
    assert message is not None
    return message


def once_key(update: Update, context: BotContext) -> UpdateKey:
    """The key that makes a change apply once, however often Telegram delivers the update."""
    replayed = update.update_id in context.bot_data.replayed_updates
    return UpdateKey(bot_id=context.bot.id, update_id=update.update_id, replayed=replayed)


def topic_of(message: MaybeInaccessibleMessage | None) -> int | None:
    """The forum topic a message is in (None: not a forum, or its General topic)."""
    if message is None or not message.chat.is_forum:
        return None
    if not getattr(message, "is_topic_message", False):
        return None
    thread: int | None = getattr(message, "message_thread_id", None)
    return thread or None


async def list_id(update: Update, context: BotContext) -> int:
    """The id of the list the update acts on: its chat's, or in a forum its topic's.

    For a button press, the list of the message the button is on: the callback data never
    names a list, so a forged press cannot reach another topic's.
    """
    message = update.effective_message
    chat = update.effective_chat
    assert chat is not None
    thread = topic_of(message)
    if thread is None:
        return chat.id
    known = context.bot_data.topic_lists
    key = (chat.id, thread)
    if key not in known:
        known[key] = await topic_list_id(context.db, chat_id=chat.id, thread_id=thread)
    return known[key]


async def pressed(update: Update) -> tuple[CallbackQuery, ButtonAction] | None:
    """The button press and the action its data asks for; None when the data is not ours or the
    message is gone, after answering the press with "outdated" (a press is always answered)."""
    query = update.callback_query
    assert query is not None
    try:
        action = decode(query.data)
    except InvalidCallbackData:
        action = None
    if action is None or query.message is None:
        await query.answer(BUTTON_OUTDATED, show_alert=True)
        return None
    return query, action


async def reply(update: Update, text: str, markup: object = None) -> None:
    """Answer the update's message in its chat (quoting it in groups), in its topic."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(text, reply_markup=markup)  # type: ignore[arg-type]
