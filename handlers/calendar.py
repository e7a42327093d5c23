"""/calendar: each person's private calendar feed address of the list (served by
bot/web/calendar_feed.py). In a group the address goes to the person in a private message
(in their own language, as their private chat speaks), never into the group, and stops working
when they leave it."""

from functools import partial

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import Forbidden
from telegram.ext import CommandHandler

from handlers import render_transfer as render
from handlers.common import (
    NEW_MESSAGES,
    author_id,
    chat_id_of,
    is_group_admin,
    message_of,
    update_key,
)
from handlers.context import BotApplication, BotContext
from handlers.i18n import _, use_language
from handlers.language import private_language
from handlers.parsing import UsageError, command_text
from storage.calendar import end_all_feeds, feed_address

FEED_PATH = "/calendar/{token}.ics"
_RESET_WORDS = {"reset", "new", "revoke"}


def feed_url(base_url: str, token: str) -> str:
    """The feed's address under the bot's public web address."""
    return base_url.rstrip("/") + FEED_PATH.format(token=token)


def _parse(text: str | None) -> tuple[bool, bool]:
    """(reset, everyone's) from `/calendar`, `/calendar reset`, `/calendar reset all`."""
    words = command_text(text).lower().split()
    if not words:
        return False, False
    if words[0] in _RESET_WORDS and words[1:] in ([], ["all"]):
        return True, words[1:] == ["all"]
    raise UsageError(_(render.USAGE_CALENDAR))


async def calendar(update: Update, context: BotContext, *, base_url: str | None) -> None:
    """Your own feed address, privately (made on first use); `reset`: a new one, the old stops;
    in a group, `reset all` (admins): every member's address stops."""
    message = message_of(update)
    reset, everyone = _parse(message.text)
    if base_url is None:
        await message.reply_text(_(render.CALENDAR_UNAVAILABLE))
        return
    if message.chat.type == ChatType.PRIVATE:
        await _own_list(update, context, base_url=base_url, reset=reset)
    elif everyone:
        await _end_everyones(update, context, message)
    else:
        await _in_group(update, context, message, base_url=base_url, reset=reset)


async def _own_list(update: Update, context: BotContext, *, base_url: str, reset: bool) -> None:
    message = message_of(update)
    address = await feed_address(
        context.db,
        key=context.bot_data.calendar_key,
        list_id=await chat_id_of(update, context),
        chat_id=message.chat.id,
        user_id=message.chat.id,
        private=True,
        reset=reset,
        update_key=update_key(update, context) if reset else None,
    )
    assert address.token is not None
    url = feed_url(base_url, address.token)
    await message.reply_text(render.render_calendar_url(url, reset=reset))


async def _in_group(
    update: Update, context: BotContext, message: Message, *, base_url: str, reset: bool
) -> None:
    """The sender's own address of the group's list, sent to them privately."""
    user = message.from_user
    if user is None or message.sender_chat is not None:
        await message.reply_text(_(render.CALENDAR_PERSONAL_ONLY))
        return
    address = await feed_address(
        context.db,
        key=context.bot_data.calendar_key,
        list_id=await chat_id_of(update, context),
        chat_id=message.chat.id,
        user_id=user.id,
        private=False,
        reset=reset,
        update_key=update_key(update, context) if reset else None,
    )
    sent = False
    if address.token is not None:
        # In the person's own language, as everything else in their private chat.
        with use_language(await private_language(context, user)):
            text = render.render_calendar_url(
                feed_url(base_url, address.token), reset=reset, group=message.chat.title or ""
            )
        sent = await _send_privately(context, user.id, text)
    if not sent:
        await message.reply_text(render.render_calendar_start_first(context.bot.username))
        return
    await message.reply_text(render.render_calendar_sent(reset=reset))


async def _send_privately(context: BotContext, user_id: int, text: str) -> bool:
    """Send to the user's private chat with the bot; False when they blocked it (or, despite
    the record, never started it)."""
    try:
        await context.bot.send_message(user_id, text)
    except Forbidden:
        return False
    return True


async def _end_everyones(update: Update, context: BotContext, message: Message) -> None:
    """An admin's `/calendar reset all`: every address of the group's list stops."""
    if not await is_group_admin(update, context, author_id(message)):
        await message.reply_text(_(render.CALENDAR_ADMINS_ONLY))
        return
    ended = await end_all_feeds(
        context.db,
        list_id=await chat_id_of(update, context),
        update_key=update_key(update, context),
    )
    await message.reply_text(render.render_calendar_all_ended(ended))


def register(application: BotApplication, *, base_url: str | None) -> None:
    """Add /calendar; `base_url` is the bot's public web address (None: it has none)."""
    application.add_handler(
        CommandHandler(
            "calendar",
            partial(calendar, base_url=base_url),
            filters=NEW_MESSAGES,
        )
    )
