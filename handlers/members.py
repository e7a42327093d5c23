"""Members joining, leaving, being removed, promoted or demoted (`chat_member` updates, which
Telegram sends only to a bot that is an admin of the group): their cached role follows at once."""

from telegram import Update
from telegram.ext import ChatMemberHandler

from handlers.context import BotApplication, BotContext


async def member_changed(update: Update, context: BotContext) -> None:
    """Nothing is said in the chat; the member's rights change at once (handlers.permissions)."""
    changed = update.chat_member
    assert changed is not None
    context.roles.member_changed(changed.chat.id, changed.new_chat_member)


def register(application: BotApplication) -> None:
    """Add the handler of other members' status changes."""
    application.add_handler(ChatMemberHandler(member_changed, ChatMemberHandler.CHAT_MEMBER))
