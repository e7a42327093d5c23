"""What the bot does when a chat changes under it: a basic group that became a supergroup (its
list moves to the new chat id), and the bot removed from a chat or blocked by its user, or back
(reminders and digests stop and resume). Telegram tells of these with service messages and
`my_chat_member` updates; nothing is answered in the chat.
"""

import logging

from telegram import Update
from telegram.ext import MessageHandler, filters

from handlers.common import NEW_MESSAGES, message_of
from handlers.context import BotApplication, BotContext
from storage import group_upgrade as upgrade_store

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


def register(application: BotApplication) -> None:
    """Add the handlers of chat changes."""
    application.add_handler(
        MessageHandler(NEW_MESSAGES & filters.StatusUpdate.MIGRATE, group_upgraded)
    )
