"""The task commands: /add, /list, /done, /edit, /delete, /show, /note, and a reply with a new
title. (A task's checklist, files and labels have handlers.checklists, .attachments and
.labels; /start, /help and other texts handlers.welcome.)

Each handler reads the update into plain values, calls storage with its list's id (the chat's,
or in a forum its topic's: handlers.common.list_id), and sends what render built. Errors
(storage's, UsageError, WhenError) go to the error handler, which replies.
"""

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Chat, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import CommandHandler, MessageHandler, filters

from handlers import render, render_assignees, render_fields, render_list, render_text, welcome
from handlers.common import (
    NEW_MESSAGES,
    app_url,
    author_id,
    chat_id_of,
    chat_of,
    message_of,
    reply,
    role_in_chat,
    update_key,
)
from handlers.context import BotApplication, BotContext
from handlers.i18n import _, current_language, ngettext
from handlers.parsing import (
    UsageError,
    command_text,
    parse_number,
    parse_number_and_text,
    parse_numbers,
    read_list_arguments,
    read_new_tasks,
    split_priority,
)
from handlers.permissions import Role, may_delete
from handlers.render_fields import USAGE_LIST
from handlers.when import parse_when
from storage import assignees as assignee_store
from storage import deleting as delete_store
from storage import tasks as task_store
from storage import zoned as zoned_store
from storage.assignees import AssignedTask
from storage.clock import now_utc
from storage.errors import TooManyTasks
from storage.local_time import chat_zone
from storage.values import Task
from storage.zoned import DueEntry

MAX_NUMBERS_PER_COMMAND = 100


async def add(update: Update, context: BotContext) -> None:
    """Add a task, or one per line (`Title @ when` with a due time, `!1` a priority, `- item`
    lines under it its checklist); reply with their numbers."""
    message = message_of(update)
    new = read_new_tasks(command_text(message.text), usage=render.USAGE_ADD)
    if not new:
        raise UsageError(_(render.USAGE_ADD))
    if len(new) > task_store.MAX_TASKS_PER_ADD:
        raise TooManyTasks(task_store.MAX_TASKS_PER_ADD)
    titles = [line.title for line in new]
    phrases = [line.when for line in new]
    chat_id, now, once = await chat_id_of(update, context), now_utc(), update_key(update, context)
    author = author_id(message)
    # Per user (an anonymous admin: per group), by tasks: a pasted list of 100 is one message.
    context.bot_data.limits.added_tasks.spend(author or chat_id, cost=len(new))
    priorities, checklists = [line.priority for line in new], [line.items for line in new]
    if all(phrase is None for phrase in phrases):
        added = await task_store.add_tasks(
            context.db,
            chat_id=chat_id,
            titles=titles,
            created_by=author,
            update_key=once,
            caps=context.bot_data.caps,
            priorities=priorities,
            checklists=checklists,
        )
        await reply(update, render.render_added(added))
        return
    added, settings = await zoned_store.add_tasks_in_zone(
        context.db,
        chat_id=chat_id,
        titles=titles,
        due=lambda tz: due_entries(phrases, now=now, tz=tz),
        created_by=author,
        update_key=once,
        caps=context.bot_data.caps,
        priorities=priorities,
        checklists=checklists,
    )
    await reply(update, render.render_added(added, tz=chat_zone(settings.timezone), now=now))


def due_entries(phrases: Sequence[str | None], *, now: datetime, tz: ZoneInfo) -> list[DueEntry]:
    """Each line's due time and repeat rule (none for a line without ` @ `)."""
    return [
        DueEntry(None)
        if phrase is None
        else parse_when(phrase, now=now, tz=tz, language=current_language()).stored()
        for phrase in phrases
    ]


async def list_command(update: Update, context: BotContext) -> None:
    """The list with a row of buttons per task, by priority, then due time (`/list done` for
    finished tasks; `today`, `overdue`, `upcoming`, `!1`, `#label` filter it)."""
    argument = command_text(message_of(update).text)
    done, page_filter = read_list_arguments(argument, usage=USAGE_LIST)
    chat_id = await chat_id_of(update, context)
    page = await task_store.list_tasks(
        context.db,
        chat_id=chat_id,
        done=done,
        limit=render_text.PAGE_SIZE,
        page_filter=page_filter,
    )
    text, markup = render_list.render_task_list(
        page, now=now_utc(), app_url=app_url(context, chat_of(update), chat_id)
    )
    await reply(update, text, markup)


async def done(update: Update, context: BotContext) -> None:
    """Mark the given tasks done and say which numbers do not exist."""
    numbers = parse_numbers(command_text(message_of(update).text), usage=render.USAGE_DONE)
    if len(numbers) > MAX_NUMBERS_PER_COMMAND:
        raise UsageError(
            ngettext(
                "At most %(count)s number at once, please.",
                "At most %(count)s numbers at once, please.",
                MAX_NUMBERS_PER_COMMAND,
            )
        )
    chat_id = await chat_id_of(update, context)
    result = await task_store.set_done(
        context.db,
        chat_id=chat_id,
        numbers=numbers,
        done=True,
        update_key=update_key(update, context),
    )
    await reply(update, render.render_done_result(result, done=True))


async def edit(update: Update, context: BotContext) -> None:
    """Rename a task (`!1`..`!3` in the new title sets its priority, `!0` removes it; a marker
    alone changes only the priority), or ask for the new title when none is given."""
    number, title = parse_number_and_text(
        command_text(message_of(update).text), usage=render.USAGE_EDIT
    )
    chat_id = await chat_id_of(update, context)
    if title:
        task = await _retitle(update, context, chat_id, number, title)
        await reply(update, render.render_renamed(task))
        return
    task = await task_store.get_task(context.db, chat_id=chat_id, number=number)
    text, force_reply = render.render_edit_prompt(task)
    await reply(update, text, force_reply)


async def _retitle(
    update: Update, context: BotContext, chat_id: int, number: int, text: str
) -> Task:
    """Give the task the title `text` (and the priority its marker says, if any)."""
    title, priority = split_priority(text)
    return await task_store.rename_task(
        context.db,
        chat_id=chat_id,
        number=number,
        title=title if title.strip() or priority is None else None,
        priority=task_store.KEEP_PRIORITY if priority is None else priority or None,
        update_key=update_key(update, context),
    )


async def edit_reply(update: Update, context: BotContext) -> None:
    """A reply to the bot's "new title for #N" question renames task N."""
    message = message_of(update)
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        await welcome.plain_text(update, context)
        return
    number = render.parse_edit_prompt(replied.text)
    if number is None:
        await welcome.plain_text(update, context)
        return
    chat_id = await chat_id_of(update, context)
    task = await _retitle(update, context, chat_id, number, message.text or "")
    await reply(update, render.render_renamed(task))


async def delete(update: Update, context: BotContext) -> None:
    """Delete a task at once, with an Undo button (in groups: its author or an admin)."""
    message = message_of(update)
    argument = command_text(message.text)
    if not argument or len(argument.split()) != 1:
        raise UsageError(_(render.USAGE_DELETE))
    number = parse_number(argument, usage=render.USAGE_DELETE)
    actor, chat_id = author_id(message), await chat_id_of(update, context)
    role = await role_in_chat(update, context, actor)
    if role not in (Role.OWNER, Role.ADMIN):
        # A member may delete only their own tasks: the task's author is read first.
        task = await task_store.get_task(context.db, chat_id=chat_id, number=number)
        if actor is None or not may_delete(role, task, user_id=actor):
            await reply(update, render.render_delete_refused(task))
            return
    deleted = await delete_store.delete_task(
        context.db, chat_id=chat_id, number=number, update_key=update_key(update, context)
    )
    text, markup = render.render_deleted(deleted)
    await reply(update, text, markup)


async def show(update: Update, context: BotContext) -> None:
    """One task in full: title, due time and repeat, note, checklist and files (a button per
    item and per file), author, times (in the chat's zone)."""
    argument = command_text(message_of(update).text)
    if not argument or len(argument.split()) != 1:
        raise UsageError(_(render.USAGE_SHOW))
    number = parse_number(argument, usage=render.USAGE_SHOW)
    chat, chat_id = chat_of(update), await chat_id_of(update, context)
    assigned = await assignee_store.get_assigned_task(context.db, chat_id=chat_id, number=number)
    await reply(update, *await show_message(context, chat, assigned))


async def show_message(
    context: BotContext, chat: Chat, assigned: AssignedTask
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The /show message of a task: in a group, with who added it, its assignees and Take it /
    Drop it (the author's name is asked of Telegram)."""
    task, tz, now = assigned.task, chat_zone(assigned.timezone), now_utc()
    if chat.type == ChatType.PRIVATE:
        return render_fields.render_show(task, tz=tz, now=now)
    author = await author_name(context, chat, task)
    return render_assignees.render_task_card(
        task, author=author, assignees=assigned.assignees, tz=tz, now=now
    )


async def author_name(context: BotContext, chat: Chat, task: Task) -> str | None:
    """Who added the task, as the group knows them (None in a private chat)."""
    if chat.type == ChatType.PRIVATE or task.created_by is None:
        return None
    if task.created_by == chat.id:
        return _("an anonymous admin")
    try:
        member = await context.bot.get_chat_member(chat.id, task.created_by)
    except TelegramError:
        return _("user %(id)s", id=task.created_by)
    return member.user.full_name


async def note(update: Update, context: BotContext) -> None:
    """Set a task's note (description); `-` removes it."""
    number, text = parse_number_and_text(
        command_text(message_of(update).text), usage=render.USAGE_NOTE
    )
    if not text:
        raise UsageError(_(render.USAGE_NOTE))
    task = await task_store.set_description(
        context.db,
        chat_id=await chat_id_of(update, context),
        number=number,
        description=None if text == "-" else text,
        update_key=update_key(update, context),
    )
    await reply(update, render.render_note_set(task))


def register(application: BotApplication) -> None:
    """Add the task commands (new messages only, never edited ones), then the handler of a
    reply with a new title: it goes after every other module's commands and message handlers,
    which bot.app registers first (handlers.welcome's come after it)."""
    commands = [
        ("add", add),
        ("list", list_command),
        ("done", done),
        ("edit", edit),
        ("delete", delete),
        ("show", show),
        ("note", note),
    ]
    for name, callback in commands:
        application.add_handler(CommandHandler(name, callback, filters=NEW_MESSAGES))
    application.add_handler(
        MessageHandler(NEW_MESSAGES & filters.REPLY & filters.TEXT & ~filters.COMMAND, edit_reply)
    )
