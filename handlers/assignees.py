"""Assignees in groups: /assign, /unassign, /mine, Take it / Drop it on /show, and the buttons
of a group task's reminder sent privately to an assignee.

A group's tasks are shown to, and changed by, its current members only: Telegram is asked
(getChatMember) each time, and a private reminder's buttons act only for an assignee of that
task, checked in the statement that changes it.

In a forum supergroup the tasks are the topic's list's (storage by list id), while membership,
admins and names are always asked of the real group.
"""

import asyncio
import re

from telegram import Message, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers import render, render_assignees, render_due
from handlers.callbacks import (
    AssignedDone,
    AssignedSnooze,
    DropTask,
    TakeTask,
)
from handlers.common import NEW_MESSAGES, list_id, once_key, pressed, reply
from handlers.context import BotContext
from handlers.list_buttons import edit_list
from handlers.parsing import UsageError, command_text, parse_number_and_text
from handlers.permissions import is_member
from handlers.tasks import author_name
from handlers.when import WhenError, snooze_until
from storage import assignees as storage
from storage.assignees import MAX_ASSIGNEES_PER_COMMAND, Assignee
from storage.chat_settings import get_chat_settings
from storage.clock import now_utc
from storage.db import Database
from storage.local_time import chat_zone
from storage.topics import where_is
from storage.users import find_user, remember_user

_USERNAME = re.compile(r"@?([A-Za-z0-9_]{1,32})")


async def remember(db: Database, user: User, *, started: bool = False) -> None:
    """Record the user's id, @username and first name (see storage.assignees)."""
    await remember_user(
        db,
        user_id=user.id,
        username=user.username,
        first_name=user.first_name,
        started=started,
    )


def _as_assignee(user: User) -> Assignee:
    return Assignee(user.id, user.username.lower() if user.username else None, user.first_name)


def _replied_person(message: Message) -> User | None:
    """The member whose message this one replies to (not a bot, not a channel or anonymous)."""
    replied = message.reply_to_message
    if replied is None or replied.sender_chat is not None:
        return None
    return replied.from_user


async def _named_people(
    update: Update, context: BotContext, words: str, *, number: int, usage: str
) -> list[Assignee] | None:
    """The people a command names: @usernames, or the member replied to; None when a name is
    unknown (the chat was told why). An empty list: nobody was named."""
    message = update.effective_message
    assert message is not None
    tokens = words.split()
    if len(tokens) > MAX_ASSIGNEES_PER_COMMAND:
        raise UsageError(f"At most {MAX_ASSIGNEES_PER_COMMAND} people at once, please.")
    people: list[Assignee] = []
    for token in tokens:
        match = _USERNAME.fullmatch(token)
        if match is None:
            raise UsageError(usage)
        found = await find_user(context.db, username=match.group(1))
        if found is None:
            await reply(update, render_assignees.render_unknown_username(token, number))
            return None
        people.append(found)
    if not people and (person := _replied_person(message)) is not None:
        if person.is_bot:
            raise UsageError(render_assignees.NO_BOTS)
        await remember(context.db, person)
        people.append(_as_assignee(person))
    return people


async def assign_command(update: Update, context: BotContext) -> None:
    """Assign a group task to members named by @username, or to the member replied to."""
    message = update.effective_message
    assert message is not None
    if message.chat.type == ChatType.PRIVATE:
        await reply(update, render_assignees.GROUPS_ONLY)
        return
    usage = render_assignees.USAGE_ASSIGN
    number, words = parse_number_and_text(command_text(message.text), usage=usage)
    if message.from_user is not None and message.sender_chat is None:
        await remember(context.db, message.from_user)
    people = await _named_people(update, context, words, number=number, usage=usage)
    if people is None:
        return
    if not people:
        raise UsageError(usage)
    chat_id = message.chat.id
    members = await asyncio.gather(
        *(is_member(context.bot, chat_id, person.user_id) for person in people)
    )
    outsiders = [person for person, member in zip(people, members, strict=True) if not member]
    if outsiders:
        await reply(update, render_assignees.render_not_members(outsiders))
        return
    assigned = await storage.assign(
        context.db,
        chat_id=await list_id(update, context),
        number=number,
        user_ids=[person.user_id for person in people],
        once_for=once_key(update, context),
    )
    await reply(update, render_assignees.render_assigned(assigned))


async def unassign_command(update: Update, context: BotContext) -> None:
    """Take everyone (or the people named or replied to) off a group task."""
    message = update.effective_message
    assert message is not None
    if message.chat.type == ChatType.PRIVATE:
        await reply(update, render_assignees.GROUPS_ONLY)
        return
    usage = render_assignees.USAGE_UNASSIGN
    number, words = parse_number_and_text(command_text(message.text), usage=usage)
    people = await _named_people(update, context, words, number=number, usage=usage)
    if people is None:
        return
    assigned = await storage.unassign(
        context.db,
        chat_id=await list_id(update, context),
        number=number,
        user_ids=[person.user_id for person in people] if people else None,
        once_for=once_key(update, context),
    )
    await reply(update, render_assignees.render_assigned(assigned))


async def _group_title(context: BotContext, chat_id: int) -> str:
    try:
        chat = await context.bot.get_chat(chat_id)
    except TelegramError:
        return "A group"
    return chat.title or "A group"


async def mine(update: Update, context: BotContext) -> None:
    """The open tasks assigned to the sender, per group, in groups they are still in."""
    message = update.effective_message
    assert message is not None
    user = message.from_user
    if user is None or message.sender_chat is not None:
        raise UsageError("Send /mine as yourself, not as the group or a channel.")
    await remember(context.db, user)
    tasks = await storage.assigned_to(context.db, user_id=user.id)
    if message.chat.type != ChatType.PRIVATE:
        # In a group, only that list's: its members must not read the sender's other groups.
        here = await list_id(update, context)
        tasks = [task for task in tasks if task.chat_id == here]
    list_ids = list(dict.fromkeys(task.chat_id for task in tasks))
    # A forum topic's list is asked about, and titled, by its real group.
    places = await asyncio.gather(*(where_is(context.db, list_id=list_) for list_ in list_ids))
    chats = [chat for chat, _ in places]
    members = await asyncio.gather(*(is_member(context.bot, c, user.id) for c in chats))
    kept = [
        (list_, chat)
        for list_, chat, member in zip(list_ids, chats, members, strict=True)
        if member
    ]
    titles = await asyncio.gather(*(_group_title(context, chat) for _, chat in kept))
    groups = [
        (title, [task for task in tasks if task.chat_id == list_])
        for (list_, _), title in zip(kept, titles, strict=True)
    ]
    settings = await get_chat_settings(context.db, chat_id=user.id)
    now = now_utc()
    await reply(
        update, render_assignees.render_mine(groups, tz=chat_zone(settings.timezone), now=now)
    )


async def _personal_zone(db: Database, *, user_id: int, chat_id: int) -> str | None:
    """The user's own time zone (their private chat's), else the group's."""
    own = (await get_chat_settings(db, chat_id=user_id)).timezone
    return own or (await get_chat_settings(db, chat_id=chat_id)).timezone


async def button(update: Update, context: BotContext) -> None:
    """Take it / Drop it on a group's /show, and Done / Snooze on a private assigned reminder."""
    press = await pressed(update)
    if press is None:
        return
    query, action = press
    assert query.message is not None  # pressed() answered presses on vanished messages
    db, user, once = context.db, query.from_user, once_key(update, context)
    now = now_utc()
    match action:
        case TakeTask(number=number) | DropTask(number=number):
            chat = query.message.chat
            if chat.type == ChatType.PRIVATE:
                await query.answer(render.plain(render_assignees.GROUPS_ONLY), show_alert=True)
                return
            owner = await list_id(update, context)
            if isinstance(action, TakeTask):
                await remember(db, user)
                assigned = await storage.assign(
                    db, chat_id=owner, number=number, user_ids=[user.id], once_for=once
                )
                await query.answer(f"🙋 #{number} is yours")
            else:
                assigned = await storage.unassign(
                    db, chat_id=owner, number=number, user_ids=[user.id], once_for=once
                )
                await query.answer(f"🙅 You are off #{number}")
            author = await author_name(context, chat, assigned.task)
            text, markup = render_assignees.render_task_card(
                assigned.task, author=author, assignees=assigned.assignees
            )
            await edit_list(query, text, markup)
        case AssignedDone(chat_id=chat_id, number=number):
            group, _ = await where_is(db, list_id=chat_id)  # a topic list's real group
            if not await is_member(context.bot, group, user.id):
                await query.answer(render.plain(render_assignees.NOT_YOURS), show_alert=True)
                return
            completed = await storage.set_done_by_assignee(
                db, chat_id=chat_id, number=number, user_id=user.id, once_for=once, now=now
            )
            zone = await _personal_zone(db, user_id=user.id, chat_id=chat_id)
            await query.answer(render.render_notice_done(completed))
            text = render_due.render_reminder_done(completed, tz=chat_zone(zone), now=now)
            await query.edit_message_text(text)
        case AssignedSnooze(chat_id=chat_id, number=number, choice=choice):
            group, _ = await where_is(db, list_id=chat_id)  # a topic list's real group
            if not await is_member(context.bot, group, user.id):
                await query.answer(render.plain(render_assignees.NOT_YOURS), show_alert=True)
                return
            tz = chat_zone(await _personal_zone(db, user_id=user.id, chat_id=chat_id))
            try:
                until = snooze_until(choice, now=now, tz=tz)
            except WhenError:
                await query.answer(render.BUTTON_OUTDATED, show_alert=True)
                return
            task = await storage.snooze_by_assignee(
                db, chat_id=chat_id, number=number, user_id=user.id, until=until, once_for=once
            )
            await query.answer("💤 Snoozed")
            await query.edit_message_text(render_due.render_snoozed(task, until, tz=tz, now=now))
        case _:
            await query.answer(render.BUTTON_OUTDATED, show_alert=True)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the assignee commands and buttons (before the list's catch-all buttons)."""
    for name, callback in [
        ("assign", assign_command),
        ("unassign", unassign_command),
        ("mine", mine),
    ]:
        application.add_handler(CommandHandler(name, callback, filters=NEW_MESSAGES))
    application.add_handler(CallbackQueryHandler(button, pattern=r"^(ta|tu|ad|as):"))
