"""What the bot does when a chat changes under it: a basic group that became a supergroup (its
list moves to the new chat id), and the bot removed from a chat or blocked by its user, or back
(reminders and digests stop and resume). Telegram tells of these with service messages and
`my_chat_member` updates; nothing is answered in the chat.
"""

import logging

from telegram import ChatMember, ChatMemberRestricted, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from handlers.common import NEW_MESSAGES, message_of
from handlers.context import BotApplication, BotContext
from storage import group_upgrade as upgrade_store
from storage import presence as presence_store

log = logging.getLogger(__name__)


async def group_upgraded(update: Update, context: BotContext) -> None:
    """A basic group became a supergroup: its list moves to the new id, said by either of the
    two service messages (whichever comes first moves it; the other finds it moved)."""
    message = message_of(update)
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    else:
        assert message.migrate_from_chat_id is not None
        old, new = message.migrate_from_chat_id, message.chat.id
    moved = await upgrade_store.move_group(context.db, old_chat_id=old, new_chat_id=new)
    log.info("group %s became supergroup %s: %d tasks moved", old, new, moved.tasks)


_IN_CHAT = {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}


def may_write(member: ChatMember) -> bool:
    """Whether the bot, as this member of a chat, can send messages there."""
    if isinstance(member, ChatMemberRestricted):
        return member.is_member and member.can_send_messages
    return member.status in _IN_CHAT


async def bot_status_changed(update: Update, context: BotContext) -> None:
    """The bot was removed from a chat or blocked by its user: reminders and digests stop at
    once. Added back or unblocked: those still ahead resume. The chat's data stays."""
    change = update.my_chat_member
    assert change is not None
    chat_id = change.chat.id
    if may_write(change.new_chat_member):
        resumed = await presence_store.mark_back(context.db, chat_id=chat_id)
        log.info("chat %s: the bot is back, %d reminders resume", chat_id, resumed)
    else:
        parked = await presence_store.mark_gone(context.db, chat_id=chat_id)
        log.info(
            "chat %s: the bot is %s, %d reminders stop",
            chat_id,
            change.new_chat_member.status,
            parked,
        )


def register(application: BotApplication) -> None:
    """Add the handlers of chat changes."""
    application.add_handler(
        MessageHandler(NEW_MESSAGES & filters.StatusUpdate.MIGRATE, group_upgraded)
    )
    application.add_handler(
        ChatMemberHandler(bot_status_changed, ChatMemberHandler.MY_CHAT_MEMBER)
    )
