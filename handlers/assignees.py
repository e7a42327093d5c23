"""The assignee commands of groups: /assign, /unassign, and /mine (in a private chat: what is
assigned to you in every group you are still in).

A group's tasks are shown to, and changed by, its current members only: Telegram is asked
(getChatMember) each time. In a forum supergroup the tasks are the topic's list's (storage by
list id), while membership, admins and names are always asked of the real group.
"""

import asyncio
import re

from telegram import Message, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import CommandHandler

from handlers import render_assignees
from handlers.common import NEW_MESSAGES, chat_id_of, reply, update_key
from handlers.context import BotApplication, BotContext
from handlers.i18n import _, ngettext
from handlers.parsing import UsageError, command_text, parse_number_and_text
from handlers.permissions import is_member
from storage import assignees as assignee_store
from storage import assigning as assigning_store
from storage import users as user_store
from storage.assignees import MAX_ASSIGNEES_PER_COMMAND, Assignee
from storage.clock import now_utc
from storage.db import Database
from storage.local_time import chat_zone

_USERNAME = re.compile(r"@?([A-Za-z0-9_]{1,32})")


async def remember(db: Database, user: User, *, started: bool = False) -> None:
    """Record the user's id, @username and first name (see storage.assignees)."""
    await user_store.remember_user(
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
        raise UsageError(
            ngettext(
                "At most %(count)s person at once, please.",
                "At most %(count)s people at once, please.",
                MAX_ASSIGNEES_PER_COMMAND,
            )
        )
    people: list[Assignee] = []
    for token in tokens:
        match = _USERNAME.fullmatch(token)
        if match is None:
            raise UsageError(_(usage))
        found = await user_store.find_user(context.db, username=match.group(1))
        if found is None:
            await reply(update, render_assignees.render_unknown_username(token, number))
            return None
        people.append(found)
    if not people and (person := _replied_person(message)) is not None:
        if person.is_bot:
            raise UsageError(_(render_assignees.NO_BOTS))
        await remember(context.db, person)
        people.append(_as_assignee(person))
    return people


async def assign_command(update: Update, context: BotContext) -> None:
    """Assign a group task to members named by @username, or to the member replied to."""
    message = update.effective_message
    assert message is not None
    if message.chat.type == ChatType.PRIVATE:
        await reply(update, _(render_assignees.GROUPS_ONLY))
        return
    usage = render_assignees.USAGE_ASSIGN
    number, words = parse_number_and_text(command_text(message.text), usage=usage)
    if message.from_user is not None and message.sender_chat is None:
        await remember(context.db, message.from_user)
    people = await _named_people(update, context, words, number=number, usage=usage)
    if people is None:
        return
    if not people:
        raise UsageError(_(usage))
    chat_id = message.chat.id
    members = await asyncio.gather(
        *(is_member(context.bot, chat_id, person.user_id) for person in people)
    )
    outsiders = [person for person, member in zip(people, members, strict=True) if not member]
    if outsiders:
        await reply(update, render_assignees.render_not_members(outsiders))
        return
    assigned = await assigning_store.assign(
        context.db,
        chat_id=await chat_id_of(update, context),
        number=number,
        user_ids=[person.user_id for person in people],
        update_key=update_key(update, context),
    )
    await reply(update, render_assignees.render_assigned(assigned))


async def unassign_command(update: Update, context: BotContext) -> None:
    """Take everyone (or the people named or replied to) off a group task."""
    message = update.effective_message
    assert message is not None
    if message.chat.type == ChatType.PRIVATE:
        await reply(update, _(render_assignees.GROUPS_ONLY))
        return
    usage = render_assignees.USAGE_UNASSIGN
    number, words = parse_number_and_text(command_text(message.text), usage=usage)
    people = await _named_people(update, context, words, number=number, usage=usage)
    if people is None:
        return
    assigned = await assigning_store.unassign(
        context.db,
        chat_id=await chat_id_of(update, context),
        number=number,
        user_ids=[person.user_id for person in people] if people else None,
        update_key=update_key(update, context),
    )
    await reply(update, render_assignees.render_assigned(assigned))


async def _group_title(context: BotContext, chat_id: int) -> str:
    try:
        chat = await context.bot.get_chat(chat_id)
    except TelegramError:
        return _("A group")
    return chat.title or _("A group")


async def mine(update: Update, context: BotContext) -> None:
    """The open tasks assigned to the sender, per group, in groups they are still in."""
    message = update.effective_message
    assert message is not None
    user = message.from_user
    if user is None or message.sender_chat is not None:
        raise UsageError(_("Send /mine as yourself, not as the group or a channel."))
    # Two storage calls: remembering the sender (their name may have changed) is a change of
    # its own, apart from the read of what is assigned.
    await remember(context.db, user)
    found = await assignee_store.assignments(context.db, user_id=user.id)
    tasks = found.tasks
    if message.chat.type != ChatType.PRIVATE:
        # In a group, only that list's: its members must not read the sender's other groups.
        here = await chat_id_of(update, context)
        tasks = [task for task in tasks if task.chat_id == here]
    list_ids = list(dict.fromkeys(task.chat_id for task in tasks))
    # A forum topic's list is asked about, and titled, by its real group.
    chats = [found.groups[list_] for list_ in list_ids]
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
    await reply(
        update,
        render_assignees.render_mine(groups, tz=chat_zone(found.timezone), now=now_utc()),
    )


def register(application: BotApplication) -> None:
    """Add /assign, /unassign and /mine."""
    for name, callback in [
        ("assign", assign_command),
        ("unassign", unassign_command),
        ("mine", mine),
    ]:
        application.add_handler(CommandHandler(name, callback, filters=NEW_MESSAGES))
