"""/clear: the owner of a private list, or an admin of a group, deletes the list's done tasks
at once, after confirming with a button; Undo brings back exactly those."""

from telegram import CallbackQuery, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers import render_clear, render_forget, render_text
from handlers.button_actions import ClearDone, KeepDone, UndoClear
from handlers.callbacks import is_action
from handlers.common import (
    NEW_MESSAGES,
    author_id,
    chat_id_of,
    edit_pressed,
    message_of,
    pressed,
    reply,
    role_in_chat,
    update_key,
)
from handlers.context import BotApplication, BotContext
from handlers.i18n import _
from handlers.permissions import may_clear
from storage import clearing as clear_store


async def _may_clear(update: Update, context: BotContext, user_id: int | None) -> bool:
    """In a private chat its user; in a group its admins (anonymous ones too)."""
    return may_clear(await role_in_chat(update, context, user_id))


async def _presser_may_clear(update: Update, context: BotContext, query: CallbackQuery) -> bool:
    """Whether the presser may; if not, the press is answered with why."""
    if await _may_clear(update, context, query.from_user.id):
        return True
    await query.answer(render_text.plain(_(render_clear.ADMINS_ONLY)), show_alert=True)
    return False


async def clear(update: Update, context: BotContext) -> None:
    """How many done tasks /clear would delete, with a button to confirm."""
    if not await _may_clear(update, context, author_id(message_of(update))):
        await reply(update, _(render_clear.ADMINS_ONLY))
        return
    done = await clear_store.done_count(context.db, chat_id=await chat_id_of(update, context))
    if not done:
        await reply(update, _(render_clear.NOTHING_DONE))
        return
    await reply(update, *render_clear.render_clear_prompt(done))


async def clear_confirmed(update: Update, context: BotContext) -> None:
    """🗑 Delete: the list's done tasks go (those done since the prompt too), with Undo."""
    query, _confirm = pressed(update, ClearDone)
    if not await _presser_may_clear(update, context, query):
        return
    cleared = await clear_store.clear_done(
        context.db,
        chat_id=await chat_id_of(update, context),
        update_key=update_key(update, context),
    )
    await query.answer()
    await edit_pressed(query, *render_clear.render_cleared(cleared.count, cleared.stamp))


async def clear_undone(update: Update, context: BotContext) -> None:
    """↩️ Undo: the done tasks that clear deleted come back."""
    query, undo = pressed(update, UndoClear)
    if not await _presser_may_clear(update, context, query):
        return
    back = await clear_store.restore_cleared(
        context.db,
        chat_id=await chat_id_of(update, context),
        stamp=undo.stamp,
        update_key=update_key(update, context),
    )
    await query.answer()
    await edit_pressed(query, render_clear.render_clear_undone(back.count))


async def clear_cancelled(update: Update, context: BotContext) -> None:
    """Keep them: nothing is deleted."""
    query, _keep = pressed(update, KeepDone)
    await query.answer()
    await edit_pressed(query, _(render_forget.KEPT))


def register(application: BotApplication) -> None:
    """Add /clear and its three buttons."""
    application.add_handler(CommandHandler("clear", clear, filters=NEW_MESSAGES))
    application.add_handler(CallbackQueryHandler(clear_confirmed, pattern=is_action(ClearDone)))
    application.add_handler(CallbackQueryHandler(clear_undone, pattern=is_action(UndoClear)))
    application.add_handler(CallbackQueryHandler(clear_cancelled, pattern=is_action(KeepDone)))
