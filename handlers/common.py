"""Small things every handler module needs: the update's idempotency key, its list, who sent it
and what they are in the chat, the action of a button press, a reply, an edit of the pressed
message."""

from typing import TypeVar
from urllib.parse import urlencode

from telegram import (
    CallbackQuery,
    Chat,
    ForceReply,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, ChatMigrated
from telegram.ext import filters

from handlers.button_actions import ButtonAction
from handlers.callbacks import ButtonOutdated, decoded
from handlers.context import BotContext
from handlers.i18n import current_language
from handlers.permissions import NotAMember, Role, may_change
from storage import topics as topic_store
from storage.values import UpdateKey

Action = TypeVar("Action", bound=ButtonAction)
Markup = InlineKeyboardMarkup | ForceReply | None

# Commands react to new messages only: python-telegram-bot's CommandHandler would also take an
# edited message, and an edited /add must not add a second task.
NEW_MESSAGES = filters.UpdateType.MESSAGE


def message_of(update: Update) -> Message:
    """The update's message (for handlers registered on messages only)."""
    message = update.effective_message
    assert message is not None
    return message


def chat_of(update: Update) -> Chat:
    """The update's chat (for handlers registered on messages and button presses)."""
    chat = update.effective_chat
    assert chat is not None
    return chat


def author_id(message: Message) -> int | None:
    """Who wrote a message: the user, or the chat an anonymous admin or channel posted as."""
    if message.sender_chat is not None:
        return message.sender_chat.id
    return message.from_user.id if message.from_user else None


async def role_in_chat(update: Update, context: BotContext, user_id: int | None) -> Role:
    """What the user is in the update's chat (handlers.permissions; a forum topic's: its group's).

    MembershipUnknown when Telegram cannot say (the error handler replies).
    """
    if user_id is None:
        return Role.NONE
    return await context.roles.role(user_id=user_id, chat_id=chat_of(update).id)


async def is_group_admin(update: Update, context: BotContext, user_id: int | None) -> bool:
    """Whether the user is an admin of the update's group (an anonymous admin, posting as the
    group, is one); MembershipUnknown when Telegram cannot say."""
    return await role_in_chat(update, context, user_id) is Role.ADMIN


async def presser_role(update: Update, context: BotContext) -> Role:
    """The role of whoever pressed the button; NotAMember when they are not in the chat (in a
    public group anyone can see the list's buttons, but only members may use them)."""
    query = update.callback_query
    assert query is not None
    role = await role_in_chat(update, context, query.from_user.id)
    if not may_change(role):
        raise NotAMember
    return role


def update_key(update: Update, context: BotContext) -> UpdateKey:
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


async def chat_id_of(update: Update, context: BotContext) -> int:
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
        known[key] = await topic_store.topic_list_id(context.db, chat_id=chat.id, thread_id=thread)
    return known[key]


def pressed(update: Update, kind: type[Action]) -> tuple[CallbackQuery, Action]:
    """The button press and its action, of the kind the handler was registered for.

    ButtonOutdated when the data is not that (a press that reached the wrong handler, or empty
    data) or the message is gone: the error handler then answers "outdated", so every press is
    answered.
    """
    query = update.callback_query
    assert query is not None
    action = decoded(query.data)
    if not isinstance(action, kind) or query.message is None:
        raise ButtonOutdated
    return query, action


async def reply(update: Update, text: str, markup: Markup = None) -> None:
    """Answer the update's message in its chat (quoting it in groups), in its topic.

    A message still from a basic group that has since become a supergroup is answered in the
    supergroup (Telegram refuses the old id, naming the new one).
    """
    message = message_of(update)
    try:
        await message.reply_text(text, reply_markup=markup)
    except ChatMigrated as error:
        await message.get_bot().send_message(error.new_chat_id, text, reply_markup=markup)


async def edit_pressed(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit the pressed button's message in place; an edit that changes nothing is fine.

    A message Telegram no longer lets the bot edit (too old, or deleted) is replaced by a new
    one in the same chat (and topic).
    """
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        reason = error.message.lower()
        if "not modified" in reason:
            return
        if ("can't be edited" in reason or "to edit not found" in reason) and query.message:
            await query.get_bot().send_message(
                query.message.chat.id,
                text,
                reply_markup=markup,
                message_thread_id=topic_of(query.message),
            )
            return
        raise


def app_url(context: BotContext, chat: Chat, list_id: int | None = None) -> str | None:
    """The Mini App's address for a button in this chat, if there is one: in a private chat
    its own https URL (a web_app button), in the chat's language; in a group, where Telegram
    refuses web_app buttons, its t.me link (MINI_APP_NAME) that opens the list `list_id`."""
    if chat.type == ChatType.PRIVATE:
        url = context.bot_data.mini_app_url
        return None if url is None else f"{url}?{urlencode({'lang': current_language()})}"
    name, bot = context.bot_data.mini_app_name, context.bot.username
    if name is None or not bot or context.bot_data.mini_app_url is None:
        return None
    return f"https://t.me/{bot}/{name}?{urlencode({'startapp': list_id or chat.id})}"
