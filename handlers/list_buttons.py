"""The list message's buttons, one handler each: tick, rename, delete with Undo, paging and the
open/done switch, the page counter.

Each acts on the list of the chat (or forum topic) the button's message is in, and only for a
current member of the chat (handlers.permissions): in a public group anyone may see the buttons.
A filtered list keeps its filter: by due time and priority in the button's data, by labels in
the message's filter line (handlers.render_fields), which the button reads back.
"""

from telegram import CallbackQuery, Update
from telegram.ext import CallbackQueryHandler

from handlers import render, render_list, render_text
from handlers.button_actions import AskNewTitle, Delete, ListView, Nothing, SetDone, ShowList, Undo
from handlers.callbacks import ButtonOutdated, is_action
from handlers.common import (
    app_url,
    chat_id_of,
    chat_of,
    edit_pressed,
    pressed,
    presser_role,
    topic_of,
    update_key,
)
from handlers.context import BotApplication, BotContext
from handlers.permissions import Role, may_delete, may_undo
from handlers.render_fields import filter_labels
from storage import deleting as delete_store
from storage import tasks as task_store
from storage.clock import now_utc
from storage.values import PageView, TaskPage


def page_of(query: CallbackQuery, view: ListView) -> PageView:
    """The page a list button's view asks for, with the labels of its message's filter line;
    ButtonOutdated when the message has lost them."""
    if not view.labelled:
        return view.page()
    labels = filter_labels(getattr(query.message, "text", None))  # old messages have none
    if labels is None:
        raise ButtonOutdated
    return view.page(labels)


async def first_page_if_empty(
    context: BotContext, chat_id: int, page: TaskPage, view: PageView
) -> TaskPage:
    """The page, or the view's first page when nothing is left from its start on (rare: the
    last task of a page went)."""
    if page.tasks or view.start is None:
        return page
    return await task_store.list_tasks(
        context.db,
        chat_id=chat_id,
        done=view.done,
        limit=render_text.PAGE_SIZE,
        page_filter=view.filter,
    )


async def tick(update: Update, context: BotContext) -> None:
    """⬜/☑️ on a task: it is done (or open again), and the list is shown again."""
    query, action = pressed(update, SetDone)
    await presser_role(update, context)
    chat_id, view = await chat_id_of(update, context), page_of(query, action.view)
    completed, page = await task_store.set_done_and_list(
        context.db,
        chat_id=chat_id,
        number=action.number,
        done=action.done,
        view=view,
        limit=render_text.PAGE_SIZE,
        update_key=update_key(update, context),
    )
    page = await first_page_if_empty(context, chat_id, page, view)
    await query.answer(render.render_notice_done(completed))
    text, markup = render_list.render_task_list(
        page, now=now_utc(), app_url=app_url(context, chat_of(update), chat_id)
    )
    await edit_pressed(query, text, markup)


async def ask_new_title(update: Update, context: BotContext) -> None:
    """✏️ on a task: the bot asks for its new title, as a message to reply to."""
    query, action = pressed(update, AskNewTitle)
    role = await presser_role(update, context)
    task = await task_store.get_task(
        context.db, chat_id=await chat_id_of(update, context), number=action.number
    )
    chat = chat_of(update)
    asker = None
    if role is not Role.OWNER:
        asker = (query.from_user.id, query.from_user.full_name)
    text, force_reply = render.render_edit_prompt(task, asker=asker)
    await query.answer()
    await context.bot.send_message(
        chat.id, text, reply_markup=force_reply, message_thread_id=topic_of(query.message)
    )


async def delete(update: Update, context: BotContext) -> None:
    """🗑 on a task: it is deleted and the list shown again with an Undo button (in groups only
    for its author or an admin; anyone else is told why not)."""
    query, action = pressed(update, Delete)
    role = await presser_role(update, context)
    chat_id, view = await chat_id_of(update, context), page_of(query, action.view or ListView())
    chat = chat_of(update)
    if role is Role.MEMBER:
        # A member may delete only their own tasks: the task's author is read first.
        task = await task_store.get_task(context.db, chat_id=chat_id, number=action.number)
        if not may_delete(role, task, user_id=query.from_user.id):
            await query.answer(
                render_text.plain(render.render_delete_refused(task)), show_alert=True
            )
            return
    deleted, page = await delete_store.delete_and_list(
        context.db,
        chat_id=chat_id,
        number=action.number,
        view=view,
        limit=render_text.PAGE_SIZE,
        update_key=update_key(update, context),
    )
    page = await first_page_if_empty(context, chat_id, page, view)
    await query.answer(render.render_deleted_answer(deleted))
    text, markup = render_list.render_task_list(
        page,
        notice=render.render_deleted_notice(deleted),
        undo=Undo(deleted.number, action.view or ListView()),
        now=now_utc(),
        app_url=app_url(context, chat, chat_id),
    )
    await edit_pressed(query, text, markup)


async def undo(update: Update, context: BotContext) -> None:
    """↩️ Undo after a delete: the task is back, and the list (if it was one) shown again."""
    query, action = pressed(update, Undo)
    role = await presser_role(update, context)
    chat_id, once = await chat_id_of(update, context), update_key(update, context)
    if role is Role.MEMBER:
        # Undo takes the right to delete: the deleted task's author is read first.
        deleted = await delete_store.get_deleted_task(
            context.db, chat_id=chat_id, number=action.number
        )
        if not may_undo(role, deleted, user_id=query.from_user.id):
            await query.answer(
                render_text.plain(render.render_undo_refused(deleted)), show_alert=True
            )
            return
    if action.view is None:  # the Undo of /delete's reply, which is no list
        restored = await delete_store.restore_task(
            context.db, chat_id=chat_id, number=action.number, update_key=once
        )
        await query.answer(render.render_restored_answer(restored))
        await edit_pressed(query, render.render_restored(restored))
        return
    view = page_of(query, action.view)
    restored, page = await delete_store.restore_and_list(
        context.db,
        chat_id=chat_id,
        number=action.number,
        view=view,
        limit=render_text.PAGE_SIZE,
        update_key=once,
    )
    page = await first_page_if_empty(context, chat_id, page, view)
    await query.answer(render.render_restored_answer(restored))
    text, markup = render_list.render_task_list(
        page,
        notice=render.render_restored(restored),
        now=now_utc(),
        app_url=app_url(context, chat_of(update), chat_id),
    )
    await edit_pressed(query, text, markup)


async def show_page(update: Update, context: BotContext) -> None:
    """◀ ▶ and the open/done switch: the list shows that page."""
    query, action = pressed(update, ShowList)
    await presser_role(update, context)
    chat_id, view = await chat_id_of(update, context), page_of(query, action.view)
    page = await task_store.list_tasks(
        context.db,
        chat_id=chat_id,
        done=view.done,
        start=view.start,
        limit=render_text.PAGE_SIZE,
        page_filter=view.filter,
    )
    page = await first_page_if_empty(context, chat_id, page, view)
    await query.answer()
    text, markup = render_list.render_task_list(
        page, now=now_utc(), app_url=app_url(context, chat_of(update), chat_id)
    )
    await edit_pressed(query, text, markup)


async def page_counter(update: Update, context: BotContext) -> None:
    """A button that only labels: the press is answered, nothing changes."""
    query, _ = pressed(update, Nothing)
    await query.answer()


def register(application: BotApplication) -> None:
    """Add a handler per list button."""
    application.add_handler(CallbackQueryHandler(tick, pattern=is_action(SetDone)))
    application.add_handler(CallbackQueryHandler(ask_new_title, pattern=is_action(AskNewTitle)))
    application.add_handler(CallbackQueryHandler(delete, pattern=is_action(Delete)))
    application.add_handler(CallbackQueryHandler(undo, pattern=is_action(Undo)))
    application.add_handler(CallbackQueryHandler(show_page, pattern=is_action(ShowList)))
    application.add_handler(CallbackQueryHandler(page_counter, pattern=is_action(Nothing)))
