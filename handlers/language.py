"""Which language each update is answered in, and /language to choose it.

A private chat speaks its user's Telegram language (`language_code`, read on every update, so
changing Telegram's language changes the bot's), unless they chose one with /language. A group
speaks what an admin chose with /language; until then the language of whoever added the bot
(recorded when it was added), else English. Inline queries are answered in the user's private
chat's language.

The chat's stored language is kept in this process for CACHE_SECONDS, so an update costs no
statement of its own for it: a private chat pays one when it is first seen in that time (which
also records the user's Telegram language when it changed, for reminders). Another instance
notices a /language choice made elsewhere within CACHE_SECONDS.
"""

import logging
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import CallbackQueryHandler, ChatMemberHandler, CommandHandler, TypeHandler

from handlers import render_text
from handlers.button_actions import AUTO_LANGUAGE, ChooseLanguage
from handlers.callbacks import encode, is_action
from handlers.common import NEW_MESSAGES, chat_of, edit_pressed, is_group_admin, pressed, reply
from handlers.context import BotApplication, BotContext
from handlers.i18n import LANGUAGES, NATIVE_NAMES, _, activate, current, language_for
from storage import languages as language_store
from storage.errors import StorageUnavailable
from storage.languages import ChatLanguage

log = logging.getLogger(__name__)

CACHE_SECONDS = 60.0
# After storage failed to answer, the update's own language is used this long without asking.
UNAVAILABLE_CACHE_SECONDS = 10.0
MAX_CACHED_CHATS = 100_000
_IN = {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}


async def _stored(context: BotContext, chat_id: int, telegram: str | None) -> ChatLanguage:
    """The chat's stored languages, from the cache when it is fresh (and, for a private chat,
    knows the user's current Telegram language); else from storage, which records it."""
    cache = context.bot_data.chat_languages
    now = time.monotonic()
    known = cache.pop(chat_id, None)
    if (
        known is not None
        and known[1] > now
        and (telegram is None or known[0].telegram == telegram)
    ):
        cache[chat_id] = known  # most recently used last
        return known[0]
    try:
        found = await language_store.chat_language(
            context.db, chat_id=chat_id, telegram_language=telegram
        )
        until = now + CACHE_SECONDS
    except StorageUnavailable:
        found, until = ChatLanguage(telegram=telegram), now + UNAVAILABLE_CACHE_SECONDS
    if len(cache) >= MAX_CACHED_CHATS:
        del cache[next(iter(cache))]  # the least recently used
    cache[chat_id] = (found, until)
    return found


def forget(context: BotContext, chat_id: int) -> None:
    """Read the chat's language from storage next time (it was just changed)."""
    context.bot_data.chat_languages.pop(chat_id, None)


async def language_of(update: Update, context: BotContext) -> str:
    """The language to answer this update in (a code of handlers.i18n.LANGUAGES)."""
    user, chat = update.effective_user, update.effective_chat
    telegram = user.language_code if user else None
    if chat is None or chat.type == ChatType.PRIVATE:
        if user is None:
            return language_for(None)
        # Inline queries too: the user's private chat's language.
        stored = await _stored(context, user.id, telegram)
        return language_for(stored.chosen or telegram)
    if chat.type == ChatType.CHANNEL:
        return language_for(None)
    stored = await _stored(context, chat.id, None)
    return language_for(stored.chosen or stored.telegram)


async def private_language(context: BotContext, user: User) -> str:
    """The language of the user's private chat with the bot, for a message sent there on a
    group's command (as language_of answers an update in that chat)."""
    stored = await _stored(context, user.id, user.language_code)
    return language_for(stored.chosen or user.language_code)


async def speak_the_chats_language(update: Update, context: BotContext) -> None:
    """Before any handler: write in the chat's language from now on in this update."""
    activate(await language_of(update, context))


def render_language_menu() -> tuple[str, InlineKeyboardMarkup]:
    """/language: the languages as buttons, each in itself, and (for a private chat's user)
    going back to Telegram's language."""
    rows = [
        [InlineKeyboardButton(NATIVE_NAMES[code], callback_data=encode(ChooseLanguage(code)))]
        for code in LANGUAGES
    ]
    automatic = InlineKeyboardButton(
        _("🔄 Telegram's language"), callback_data=encode(ChooseLanguage(AUTO_LANGUAGE))
    )
    text = _(
        "🌐 I speak %(language)s here. Choose a language:",
        language=NATIVE_NAMES[current().code],
    )
    return text, InlineKeyboardMarkup([*rows, [automatic]])


async def language_command(update: Update, context: BotContext) -> None:
    """/language: the languages to choose from, as buttons."""
    await reply(update, *render_language_menu())


async def choose(update: Update, context: BotContext) -> None:
    """A language pressed in /language's menu: the chat speaks it from now on (in a group, if
    the presser is an admin)."""
    query, action = pressed(update, ChooseLanguage)
    chat = chat_of(update)
    if chat.type != ChatType.PRIVATE and not await is_group_admin(
        update, context, query.from_user.id
    ):
        await query.answer(
            _("🔒 Only the group's admins can change its language."), show_alert=True
        )
        return
    chosen = None if action.language == AUTO_LANGUAGE else action.language
    await language_store.choose_language(context.db, chat_id=chat.id, language=chosen)
    forget(context, chat.id)
    activate(await language_of(update, context))
    text = _("✅ I'll speak %(language)s here.", language=NATIVE_NAMES[current().code])
    await query.answer(render_text.plain(text))
    await edit_pressed(query, text)


async def added_to_group(update: Update, context: BotContext) -> None:
    """The bot was added to a group: until an admin chooses, it speaks its adder's language."""
    change = update.my_chat_member
    assert change is not None
    joined = change.new_chat_member.status in _IN and change.old_chat_member.status not in _IN
    adder = change.from_user
    if not joined or change.chat.type == ChatType.PRIVATE or adder.is_bot:
        return
    if not adder.language_code:
        return
    await language_store.save_telegram_language(
        context.db, chat_id=change.chat.id, telegram_language=adder.language_code
    )
    forget(context, change.chat.id)


# The handler group of the language the bot records on joining a group (see register).
LANGUAGE_GROUP = 1


def register(application: BotApplication) -> None:
    """Add the language choice before all other handlers (group -1), /language, its buttons, and
    what the bot records when it is added to a group (in a group of its own, LANGUAGE_GROUP:
    handlers.groups answers the same my_chat_member update, and a handler group lets only its
    first match run)."""
    application.add_handler(TypeHandler(Update, speak_the_chats_language), group=-1)
    application.add_handler(CommandHandler("language", language_command, filters=NEW_MESSAGES))
    application.add_handler(CallbackQueryHandler(choose, pattern=is_action(ChooseLanguage)))
    application.add_handler(
        ChatMemberHandler(added_to_group, chat_member_types=ChatMemberHandler.MY_CHAT_MEMBER),
        group=LANGUAGE_GROUP,
    )
