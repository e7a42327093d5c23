"""A task's checklist in the chat: /check adds items, and a /show message's item buttons tick
them (the message is shown again with the item ticked)."""

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers import render_fields
from handlers.button_actions import CheckItem
from handlers.callbacks import is_action
from handlers.common import (
    NEW_MESSAGES,
    chat_id_of,
    chat_of,
    edit_pressed,
    message_of,
    pressed,
    presser_role,
    reply,
    update_key,
)
from handlers.context import BotApplication, BotContext
from handlers.i18n import _
from handlers.parsing import UsageError, checklist_item, command_text, parse_number_and_text
from handlers.tasks import show_message
from storage import checklists as checklist_store


async def check(update: Update, context: BotContext) -> None:
    """Add items at the end of a task's checklist: the rest of the line, or one per line."""
    number, text = parse_number_and_text(
        command_text(message_of(update).text), usage=render_fields.USAGE_CHECK
    )
    # `- eggs` lines (as /add takes them) are items too.
    items = [checklist_item(line) or line for line in text.splitlines() if line.strip()]
    if not items:
        raise UsageError(_(render_fields.USAGE_CHECK))
    task = await checklist_store.add_items(
        context.db,
        chat_id=await chat_id_of(update, context),
        number=number,
        texts=items,
        update_key=update_key(update, context),
    )
    await reply(update, render_fields.render_items_added(task, len(items)))


async def tick_item(update: Update, context: BotContext) -> None:
    """An item's button on /show: it is ticked (or open again), and /show shown again."""
    query, action = pressed(update, CheckItem)
    await presser_role(update, context)
    assigned = await checklist_store.tick_item(
        context.db,
        chat_id=await chat_id_of(update, context),
        number=action.number,
        item=action.item,
        done=action.done,
        update_key=update_key(update, context),
    )
    await query.answer(render_fields.render_item_ticked(assigned.task, action.item))
    await edit_pressed(query, *await show_message(context, chat_of(update), assigned))


def register(application: BotApplication) -> None:
    """Add /check and the item buttons' handler."""
    application.add_handler(CommandHandler("check", check, filters=NEW_MESSAGES))
    application.add_handler(CallbackQueryHandler(tick_item, pattern=is_action(CheckItem)))
