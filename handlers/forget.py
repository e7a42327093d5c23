"""/forget: an admin (in a private chat, its user) deletes everything the bot keeps about the
chat, for good, after confirming with a button."""

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers import render_forget, render_text
from handlers.button_actions import ForgetChat, KeepChat
from handlers.callbacks import is_action
from handlers.common import (
    NEW_MESSAGES,
    author_id,
    chat_of,
    edit_pressed,
    is_group_admin,
    message_of,
    pressed,
    reply,
)
from handlers.context import BotApplication, BotContext
from handlers.i18n import _
from storage import forgetting as forget_store


async def _may_forget(update: Update, context: BotContext, user_id: int | None) -> bool:
    """In a private chat its user; in a group its admins (anonymous ones too)."""
    if chat_of(update).type == ChatType.PRIVATE:
        return True
    return await is_group_admin(update, context, user_id)


async def forget(update: Update, context: BotContext) -> None:
    """What /forget would delete, with a button to confirm; admins only in a group."""
    chat = chat_of(update)
    if not await _may_forget(update, context, author_id(message_of(update))):
        await reply(update, _(render_forget.ADMINS_ONLY))
        return
    await reply(update, *render_forget.render_forget_prompt(group=chat.type != ChatType.PRIVATE))


async def forget_confirmed(update: Update, context: BotContext) -> None:
    """🗑 Delete everything: the chat's data goes for good, if the presser may."""
    query, _confirm = pressed(update, ForgetChat)
    chat = chat_of(update)
    if not await _may_forget(update, context, query.from_user.id):
        await query.answer(render_text.plain(_(render_forget.ADMINS_ONLY)), show_alert=True)
        return
    # The whole chat, whichever topic the prompt is in: not chat_id_of's topic list.
    tasks = await forget_store.forget_chat(context.db, chat_id=chat.id)
    await query.answer()
    await edit_pressed(query, render_forget.render_forgotten(tasks))


async def forget_cancelled(update: Update, context: BotContext) -> None:
    """Keep it: nothing is deleted."""
    query, _keep = pressed(update, KeepChat)
    await query.answer()
    await edit_pressed(query, _(render_forget.KEPT))


def register(application: BotApplication) -> None:
    """Add /forget and its two buttons."""
    application.add_handler(CommandHandler("forget", forget, filters=NEW_MESSAGES))
    application.add_handler(CallbackQueryHandler(forget_confirmed, pattern=is_action(ForgetChat)))
    application.add_handler(CallbackQueryHandler(forget_cancelled, pattern=is_action(KeepChat)))
