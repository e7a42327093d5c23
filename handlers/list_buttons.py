"""The list message's buttons: tick, rename, delete with Undo, paging, open/done switch."""

from telegram import CallbackQuery, Chat, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler

from handlers import render
from handlers.callbacks import (
    AskNewTitle,
    Delete,
    ListView,
    Nothing,
    SetDone,
    ShowList,
    Undo,
)
from handlers.common import list_id, once_key, pressed, topic_of
from handlers.context import BotContext
from handlers.permissions import may_delete
from storage import tasks as storage
from storage.clock import now_utc
from storage.db import Database
from storage.models import TaskPage


def app_url(context: BotContext, chat: Chat) -> str | None:
    """The Mini App's URL for a button in this chat (private chats only), if there is one."""
    return context.bot_data.mini_app_url if chat.type == ChatType.PRIVATE else None


async def load_page(db: Database, chat_id: int, view: ListView) -> TaskPage:
    """The page a view shows; the first page when nothing is left from its start on."""
    page = await storage.list_tasks(
        db, chat_id=chat_id, done=view.done, start=view.start, limit=render.PAGE_SIZE
    )
    if not page.tasks and view.start > 1:
        page = await storage.list_tasks(
            db, chat_id=chat_id, done=view.done, limit=render.PAGE_SIZE
        )
    return page


async def edit_list(query: CallbackQuery, text: str, markup: object = None) -> None:
    """Edit the button's message in place; an edit that changes nothing is fine.

    A message Telegram no longer lets the bot edit (too old, or deleted) is replaced by a new
    one in the same chat (and topic).
    """
    try:
        await query.edit_message_text(text, reply_markup=markup)  # type: ignore[arg-type]
    except BadRequest as error:
        reason = error.message.lower()
        if "not modified" in reason:
            return
        if ("can't be edited" in reason or "to edit not found" in reason) and query.message:
            await query.get_bot().send_message(
                query.message.chat.id,
                text,
                reply_markup=markup,  # type: ignore[arg-type]
                message_thread_id=topic_of(query.message),
            )
            return
        raise


async def button(update: Update, context: BotContext) -> None:
    """Any button of a list or a reply: act on the list of the chat (or forum topic) the
    button's message is in."""
    press = await pressed(update)
    if press is None:
        return
    query, action = press
    message = query.message
    assert message is not None
    chat, owner = message.chat, await list_id(update, context)
    db = context.db
    match action:
        case SetDone(number=number, done=target, view=view):
            completed, page = await storage.set_done_and_list(
                db,
                chat_id=owner,
                number=number,
                done=target,
                view_done=view.done,
                start=view.start,
                limit=render.PAGE_SIZE,
                once_for=once_key(update, context),
            )
            if not page.tasks and view.start > 1:
                page = await load_page(db, owner, view)  # rare: the last of a page went
            await query.answer(render.render_notice_done(completed))
            await edit_list(
                query,
                *render.render_task_list(page, now=now_utc(), app_url=app_url(context, chat)),
            )
        case AskNewTitle(number=number):
            task = await storage.get_task(db, chat_id=owner, number=number)
            asker = None
            if chat.type != ChatType.PRIVATE:
                asker = (query.from_user.id, query.from_user.full_name)
            text, force_reply = render.render_edit_prompt(task, asker=asker)
            await query.answer()
            await context.bot.send_message(
                chat.id, text, reply_markup=force_reply, message_thread_id=topic_of(message)
            )
        case Delete(number=number, view=view):
            task = await storage.get_task(db, chat_id=owner, number=number)
            if not await may_delete(context, chat, task, actor=query.from_user.id):
                await query.answer(
                    render.plain(render.render_delete_refused(task)), show_alert=True
                )
                return
            deleted = await storage.delete_task(
                db, chat_id=owner, number=number, once_for=once_key(update, context)
            )
            await query.answer(f"🗑 Deleted #{deleted.number}")
            page = await load_page(db, owner, view or ListView())
            text, markup = render.render_task_list(
                page,
                notice=render.render_deleted_notice(deleted),
                undo=Undo(deleted.number, view or ListView()),
                now=now_utc(),
                app_url=app_url(context, chat),
            )
            await edit_list(query, text, markup)
        case Undo(number=number, view=view):
            restored = await storage.restore_task(
                db, chat_id=owner, number=number, once_for=once_key(update, context)
            )
            await query.answer(f"↩️ Restored #{restored.number}")
            if view is None:
                await edit_list(query, render.render_restored(restored))
                return
            page = await load_page(db, owner, view)
            notice = render.render_restored(restored)
            text, markup = render.render_task_list(
                page, notice=notice, now=now_utc(), app_url=app_url(context, chat)
            )
            await edit_list(query, text, markup)
        case ShowList(view=view):
            page = await load_page(db, owner, view)
            await query.answer()
            text, markup = render.render_task_list(
                page, now=now_utc(), app_url=app_url(context, chat)
            )
            await edit_list(query, text, markup)
        case Nothing():
            await query.answer()


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the catch-all handler of list buttons (after every handler with a narrower pattern)."""
    application.add_handler(CallbackQueryHandler(button))
