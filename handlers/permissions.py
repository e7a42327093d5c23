"""Who may do what in a group: the task's author and the group's admins may delete; a group's
tasks are shown to and acted on by its current members."""

import logging

from telegram import Bot, Chat, ChatMemberRestricted, Message
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from handlers.context import BotContext
from storage.models import Task

log = logging.getLogger(__name__)

_ADMIN_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}
_MEMBER_STATUSES = _ADMIN_STATUSES | {ChatMemberStatus.MEMBER}


def author_id(message: Message) -> int | None:
    """Who wrote a message: the user, or the chat an anonymous admin or channel posted as."""
    if message.sender_chat is not None:
        return message.sender_chat.id
    return message.from_user.id if message.from_user else None


async def is_group_admin(context: BotContext, chat: Chat, *, user_id: int | None) -> bool:
    if user_id is None:
        return False
    if user_id == chat.id:  # an anonymous admin posts as the group itself
        return True
    member = await context.bot.get_chat_member(chat.id, user_id)
    return member.status in _ADMIN_STATUSES


async def may_delete(context: BotContext, chat: Chat, task: Task, *, actor: int | None) -> bool:
    """In a private chat, always; in a group, the task's author and the group's admins."""
    if chat.type == ChatType.PRIVATE:
        return True
    if actor is not None and task.created_by == actor:
        return True
    return await is_group_admin(context, chat, user_id=actor)


async def is_member(bot: Bot, chat_id: int, user_id: int) -> bool:
    """Whether Telegram says the user is in the group now (left, banned, unknown: False).

    Asked every time, never cached: someone who left a group must lose sight of it at once.
    """
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramError as error:
        # No such chat, a chat the bot left, or Telegram unreachable: not confirmed, so no.
        log.info("getChatMember(%s, %s) failed: %s", chat_id, user_id, error)
        return False
    if member.status in _MEMBER_STATUSES:
        return True
    return isinstance(member, ChatMemberRestricted) and member.is_member
