"""Who may do what in a group: the task's author and the group's admins may delete."""

from telegram import Chat, Message
from telegram.constants import ChatMemberStatus, ChatType

from handlers.context import BotContext
from storage.models import Task

_ADMIN_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}


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
