"""/clear: the owner of a private list, or an admin of a group, deletes the list's done tasks
at once, after confirming with a button; Undo brings back exactly those."""

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers import render_clear, render_text
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
from handlers.permissions import Role
from storage import clearing as clear_store


async def _may_clear(update: Update, context: BotContext, user_id: int | None) -> bool:
    """In a private chat its user; in a group its admins (anonymous ones too): the done tasks
    are everyone's work, not only the clearer's."""
    return await role_in_chat(update, context, user_id) in (Role.OWNER, Role.ADMIN)


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
    if not await _may_clear(update, context, query.from_user.id):
        await query.answer(render_text.plain(_(render_clear.ADMINS_ONLY)), show_alert=True)
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
    if not await _may_clear(update, context, query.from_user.id):
        await query.answer(render_text.plain(_(render_clear.ADMINS_ONLY)), show_alert=True)
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
    await edit_pressed(query, _("👍 Nothing was deleted."))


def register(application: BotApplication) -> None:
    """Add /clear and its three buttons."""
    application.add_handler(CommandHandler("clear", clear, filters=NEW_MESSAGES))
    application.add_handler(CallbackQueryHandler(clear_confirmed, pattern=is_action(ClearDone)))
    application.add_handler(CallbackQueryHandler(clear_undone, pattern=is_action(UndoClear)))
    application.add_handler(CallbackQueryHandler(clear_cancelled, pattern=is_action(KeepDone)))
