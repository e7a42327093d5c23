"""The task commands (/add, /list, /done, /edit, /delete, /show, /note) and the list's buttons.

Each handler reads the update into plain values, calls storage with the chat's own id, and sends
what render built. Errors (storage's and UsageError) go to the error handler, which replies.
"""

from telegram import CallbackQuery, Chat, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers import reminders, render
from handlers.callbacks import (
    AskNewTitle,
    Delete,
    InvalidCallbackData,
    ListView,
    Nothing,
    SetDone,
    ShowList,
    Undo,
    decode,
)
from handlers.common import once_key, reply
from handlers.context import BotContext
from handlers.local_time import chat_zone
from handlers.parsing import (
    UsageError,
    command_text,
    parse_number,
    parse_number_and_text,
    parse_numbers,
)
from storage import tasks as storage
from storage.db import Database
from storage.errors import TooManyTasks
from storage.models import Task, TaskPage
from storage.reminders import get_chat_settings

MAX_NUMBERS_PER_COMMAND = 100
_ADMIN_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}
_NEW_MESSAGES = filters.UpdateType.MESSAGE


def _message(update: Update) -> Message:
    message = update.effective_message
    assert message is not None
    return message


def _chat(update: Update) -> Chat:
    chat = update.effective_chat
    assert chat is not None
    return chat


def _author_id(message: Message) -> int | None:
    """Who wrote a message: the user, or the chat an anonymous admin or channel posted as."""
    if message.sender_chat is not None:
        return message.sender_chat.id
    return message.from_user.id if message.from_user else None


async def _is_group_admin(context: BotContext, chat: Chat, *, user_id: int | None) -> bool:
    if user_id is None:
        return False
    if user_id == chat.id:  # an anonymous admin posts as the group itself
        return True
    member = await context.bot.get_chat_member(chat.id, user_id)
    return member.status in _ADMIN_STATUSES


async def _may_delete(context: BotContext, chat: Chat, task: Task, *, actor: int | None) -> bool:
    """In a private chat, always; in a group, the task's author and the group's admins."""
    if chat.type == ChatType.PRIVATE:
        return True
    if actor is not None and task.created_by == actor:
        return True
    return await _is_group_admin(context, chat, user_id=actor)


async def start(update: Update, context: BotContext) -> None:
    """Welcome with the list of commands."""
    await reply(update, render.render_help(first_time=True))


async def help_command(update: Update, context: BotContext) -> None:
    """The list of commands with examples."""
    await reply(update, render.render_help(first_time=False))


async def add(update: Update, context: BotContext) -> None:
    """Add a task, or one per line; reply with their numbers."""
    message = _message(update)
    text = command_text(message.text)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise UsageError(render.USAGE_ADD)
    if len(lines) > storage.MAX_TASKS_PER_ADD:
        raise TooManyTasks(storage.MAX_TASKS_PER_ADD)
    now = reminders.now_utc()
    chat_id = _chat(update).id
    titles, due = await reminders.parse_add_lines(context.db, chat_id, lines, now=now)
    added = await storage.add_tasks(
        context.db,
        chat_id=chat_id,
        titles=titles,
        created_by=_author_id(message),
        once_for=once_key(update, context),
        due=due,
    )
    timezone = None
    if due is not None:
        timezone = (await get_chat_settings(context.db, chat_id=chat_id)).timezone
    await reply(update, render.render_added(added, tz=chat_zone(timezone), now=now))


async def list_command(update: Update, context: BotContext) -> None:
    """The list with a row of buttons per task (`/list done` for finished tasks)."""
    argument = command_text(_message(update).text).lower()
    view = ListView(done=argument in {"done", "finished", "completed"})
    page = await _load_page(context.db, _chat(update).id, view)
    text, markup = render.render_task_list(
        page, now=reminders.now_utc(), app_url=_app_url(context, _chat(update))
    )
    await reply(update, text, markup)


async def done(update: Update, context: BotContext) -> None:
    """Mark the given tasks done and say which numbers do not exist."""
    numbers = parse_numbers(command_text(_message(update).text), usage=render.USAGE_DONE)
    if len(numbers) > MAX_NUMBERS_PER_COMMAND:
        raise UsageError(f"At most {MAX_NUMBERS_PER_COMMAND} numbers at once, please.")
    chat_id = _chat(update).id
    changed, missing = await storage.set_done(
        context.db, chat_id=chat_id, numbers=numbers, done=True, once_for=once_key(update, context)
    )
    following = await reminders.roll_recurring(
        context.db, chat_id, changed, now=reminders.now_utc()
    )
    await reply(update, render.render_done_result(changed, missing, done=True, next_due=following))


async def edit(update: Update, context: BotContext) -> None:
    """Rename a task, or ask for the new title when none is given."""
    number, title = parse_number_and_text(
        command_text(_message(update).text), usage=render.USAGE_EDIT
    )
    chat_id = _chat(update).id
    if title:
        task = await storage.rename_task(
            context.db,
            chat_id=chat_id,
            number=number,
            title=title,
            once_for=once_key(update, context),
        )
        await reply(update, render.render_renamed(task))
        return
    task = await storage.get_task(context.db, chat_id=chat_id, number=number)
    text, force_reply = render.render_edit_prompt(task)
    await reply(update, text, force_reply)


async def edit_reply(update: Update, context: BotContext) -> None:
    """A reply to the bot's "new title for #N" question renames task N."""
    message = _message(update)
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        await _plain_text(update, context)
        return
    number = render.parse_edit_prompt(replied.text)
    if number is None:
        await _plain_text(update, context)
        return
    task = await storage.rename_task(
        context.db,
        chat_id=_chat(update).id,
        number=number,
        title=message.text or "",
        once_for=once_key(update, context),
    )
    await reply(update, render.render_renamed(task))


async def _plain_text(update: Update, context: BotContext) -> None:
    if _chat(update).type == ChatType.PRIVATE:
        await reply(update, render.render_usage(render.PLAIN_TEXT_HINT))


async def plain_text(update: Update, context: BotContext) -> None:
    """Text that is no command: in a private chat, explain how to add it as a task."""
    await _plain_text(update, context)


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not know: in a private chat, point to /help."""
    await reply(update, render.UNKNOWN_COMMAND)


async def delete(update: Update, context: BotContext) -> None:
    """Delete a task at once, with an Undo button (in groups: its author or an admin)."""
    message = _message(update)
    argument = command_text(message.text)
    if not argument or len(argument.split()) != 1:
        raise UsageError(render.USAGE_DELETE)
    number = parse_number(argument, usage=render.USAGE_DELETE)
    chat = _chat(update)
    if chat.type != ChatType.PRIVATE:
        task = await storage.get_task(context.db, chat_id=chat.id, number=number)
        if not await _may_delete(context, chat, task, actor=_author_id(message)):
            await reply(update, render.render_delete_refused(task))
            return
    deleted = await storage.delete_task(
        context.db, chat_id=chat.id, number=number, once_for=once_key(update, context)
    )
    text, markup = render.render_deleted(deleted)
    await reply(update, text, markup)


async def show(update: Update, context: BotContext) -> None:
    """One task in full: title, note, author, times."""
    argument = command_text(_message(update).text)
    if not argument or len(argument.split()) != 1:
        raise UsageError(render.USAGE_SHOW)
    number = parse_number(argument, usage=render.USAGE_SHOW)
    chat = _chat(update)
    task = await storage.get_task(context.db, chat_id=chat.id, number=number)
    await reply(update, render.render_task(task, author=await _author_name(context, chat, task)))


async def _author_name(context: BotContext, chat: Chat, task: Task) -> str | None:
    if chat.type == ChatType.PRIVATE or task.created_by is None:
        return None
    if task.created_by == chat.id:
        return "an anonymous admin"
    try:
        member = await context.bot.get_chat_member(chat.id, task.created_by)
    except TelegramError:
        return f"user {task.created_by}"
    return member.user.full_name


async def note(update: Update, context: BotContext) -> None:
    """Set a task's note (description); `-` removes it."""
    number, text = parse_number_and_text(
        command_text(_message(update).text), usage=render.USAGE_NOTE
    )
    if not text:
        raise UsageError(render.USAGE_NOTE)
    task = await storage.set_description(
        context.db,
        chat_id=_chat(update).id,
        number=number,
        description=None if text == "-" else text,
        once_for=once_key(update, context),
    )
    await reply(update, render.render_note_set(task))


def _app_url(context: BotContext, chat: Chat) -> str | None:
    """The Mini App's URL for a button in this chat (private chats only), if there is one."""
    return context.bot_data.mini_app_url if chat.type == ChatType.PRIVATE else None


async def _load_page(db: Database, chat_id: int, view: ListView) -> TaskPage:
    """The page a view shows; the first page when nothing is left from its start on."""
    page = await storage.list_tasks(
        db, chat_id=chat_id, done=view.done, start=view.start, limit=render.PAGE_SIZE
    )
    if not page.tasks and view.start > 1:
        page = await storage.list_tasks(
            db, chat_id=chat_id, done=view.done, limit=render.PAGE_SIZE
        )
    return page


async def _edit_list(query: CallbackQuery, text: str, markup: object = None) -> None:
    """Edit the button's message in place; an edit that changes nothing is fine.

    A message Telegram no longer lets the bot edit (too old, or deleted) is replaced by a new
    one in the same chat.
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
            )
            return
        raise


async def button(update: Update, context: BotContext) -> None:
    """Any button of a list or a reply: act on the chat the button's message is in."""
    query = update.callback_query
    assert query is not None
    message = query.message
    try:
        action = decode(query.data)
    except InvalidCallbackData:
        await query.answer(render.BUTTON_OUTDATED, show_alert=True)
        return
    if message is None:
        await query.answer(render.BUTTON_OUTDATED, show_alert=True)
        return
    chat = message.chat
    db = context.db
    match action:
        case SetDone(number=number, done=target, view=view):
            task, page = await storage.set_done_and_list(
                db,
                chat_id=chat.id,
                number=number,
                done=target,
                view_done=view.done,
                start=view.start,
                limit=render.PAGE_SIZE,
                once_for=once_key(update, context),
            )
            now = reminders.now_utc()
            following = await reminders.roll_recurring(db, chat.id, [task], now=now)
            if following or (not page.tasks and view.start > 1):
                page = await _load_page(db, chat.id, view)  # rare: the page needs a fresh look
            await query.answer(render.render_notice_done(task, repeats=bool(following)))
            await _edit_list(
                query, *render.render_task_list(page, now=now, app_url=_app_url(context, chat))
            )
        case AskNewTitle(number=number):
            task = await storage.get_task(db, chat_id=chat.id, number=number)
            asker = None
            if chat.type != ChatType.PRIVATE:
                asker = (query.from_user.id, query.from_user.full_name)
            text, force_reply = render.render_edit_prompt(task, asker=asker)
            await query.answer()
            await context.bot.send_message(chat.id, text, reply_markup=force_reply)
        case Delete(number=number, view=view):
            task = await storage.get_task(db, chat_id=chat.id, number=number)
            if not await _may_delete(context, chat, task, actor=query.from_user.id):
                await query.answer(
                    render.plain(render.render_delete_refused(task)), show_alert=True
                )
                return
            deleted = await storage.delete_task(
                db, chat_id=chat.id, number=number, once_for=once_key(update, context)
            )
            await query.answer(f"🗑 Deleted #{deleted.number}")
            page = await _load_page(db, chat.id, view or ListView())
            text, markup = render.render_task_list(
                page,
                notice=render.render_deleted_notice(deleted),
                undo=Undo(deleted.number, view or ListView()),
                now=reminders.now_utc(),
                app_url=_app_url(context, chat),
            )
            await _edit_list(query, text, markup)
        case Undo(number=number, view=view):
            restored = await storage.restore_task(
                db, chat_id=chat.id, number=number, once_for=once_key(update, context)
            )
            await query.answer(f"↩️ Restored #{restored.number}")
            if view is None:
                await _edit_list(query, render.render_restored(restored))
                return
            page = await _load_page(db, chat.id, view)
            notice = render.render_restored(restored)
            text, markup = render.render_task_list(
                page, notice=notice, now=reminders.now_utc(), app_url=_app_url(context, chat)
            )
            await _edit_list(query, text, markup)
        case ShowList(view=view):
            page = await _load_page(db, chat.id, view)
            await query.answer()
            text, markup = render.render_task_list(
                page, now=reminders.now_utc(), app_url=_app_url(context, chat)
            )
            await _edit_list(query, text, markup)
        case Nothing():
            await query.answer()


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the task handlers. Commands react to new messages only, never to edited ones."""
    commands = [
        ("start", start),
        ("help", help_command),
        ("add", add),
        ("list", list_command),
        ("done", done),
        ("edit", edit),
        ("delete", delete),
        ("show", show),
        ("note", note),
    ]
    for name, callback in commands:
        application.add_handler(CommandHandler(name, callback, filters=_NEW_MESSAGES))
    application.add_handler(CallbackQueryHandler(button))
    application.add_handler(
        MessageHandler(_NEW_MESSAGES & filters.REPLY & filters.TEXT & ~filters.COMMAND, edit_reply)
    )
    application.add_handler(
        MessageHandler(_NEW_MESSAGES & filters.ChatType.PRIVATE & filters.COMMAND, unknown_command)
    )
    application.add_handler(
        MessageHandler(_NEW_MESSAGES & filters.ChatType.PRIVATE & filters.TEXT, plain_text)
    )
