"""Files attached to tasks: /attach N asks for one; a photo, document, voice note or video
sent in reply to that question or to the task's /show message (or captioned `/attach N`) is
attached by its Telegram file_id; a file's button on /show sends it back by that id. Nothing
is downloaded or uploaded.

The messages this module takes are told apart by a filter of their own (`FOR_A_TASK`), so
that a document for /import, or a reply to any other message, goes on to its own handler.
"""

import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers import render_fields
from handlers.button_actions import SendAttachment
from handlers.callbacks import is_action
from handlers.common import (
    NEW_MESSAGES,
    chat_id_of,
    chat_of,
    message_of,
    pressed,
    presser_role,
    reply,
    topic_of,
    update_key,
)
from handlers.context import BotApplication, BotContext
from handlers.i18n import _, task_ref
from handlers.parsing import UsageError, command_text, parse_number
from handlers.render_text import escape, shorten
from storage import attachments as attachment_store
from storage import tasks as task_store
from storage.errors import ItemNotFound
from storage.values import Attachment

# A file whose caption is the command (Telegram's CommandHandler reads only text).
_ATTACH_CAPTION = re.compile(r"/attach(?:@\w+)?\s+(\S+)\s*$", re.IGNORECASE)
FILES = filters.PHOTO | filters.Document.ALL | filters.VOICE | filters.VIDEO


class _ForATask(filters.MessageFilter):
    """A message that names the task it is for: captioned `/attach N`, or a reply to the bot's
    /show message or /attach question."""

    def filter(self, message: Message) -> bool:
        if _ATTACH_CAPTION.match(message.caption or ""):
            return True  # (a number that is none gets its answer from the handler)
        return _replied_task(message) is not None


FOR_A_TASK = _ForATask(name="for_a_task")


def _asked_task(message: Message) -> int | None:
    """The number of the task a file is for, if its message says (caption or reply);
    UsageError for a caption whose number is none."""
    caption = _ATTACH_CAPTION.match(message.caption or "")
    if caption is not None:
        return parse_number(caption.group(1), usage=render_fields.USAGE_ATTACH)
    return _replied_task(message)


def _replied_task(message: Message) -> int | None:
    """The task of the bot's /show message or /attach question the message replies to."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None:
        return None
    if replied.from_user.id != message.get_bot().id:
        return None
    return render_fields.replied_task_number(replied.text)


def attachment_of(message: Message) -> Attachment:
    """The file a message holds, as storage keeps it (the largest size of a photo)."""
    if message.photo:
        kind, file_id, name = "photo", message.photo[-1].file_id, None
    elif message.document is not None:
        kind, file_id, name = "document", message.document.file_id, message.document.file_name
    elif message.voice is not None:
        kind, file_id, name = "voice", message.voice.file_id, None
    else:
        assert message.video is not None
        kind, file_id, name = "video", message.video.file_id, message.video.file_name
    return attachment_store.checked_attachment(kind, file_id, name)


async def attach_prompt(update: Update, context: BotContext) -> None:
    """/attach N: the bot asks for the file, as a reply to its message."""
    argument = command_text(message_of(update).text)
    if not argument or len(argument.split()) != 1:
        raise UsageError(_(render_fields.USAGE_ATTACH))
    number = parse_number(argument, usage=render_fields.USAGE_ATTACH)
    task = await task_store.get_task(
        context.db, chat_id=await chat_id_of(update, context), number=number
    )
    await reply(update, *render_fields.render_attach_prompt(task))


async def attach_file(update: Update, context: BotContext) -> None:
    """A file for a task (FOR_A_TASK): attached to it by its file_id."""
    message = message_of(update)
    number = _asked_task(message)
    assert number is not None
    task = await attachment_store.attach(
        context.db,
        chat_id=await chat_id_of(update, context),
        number=number,
        attachment=attachment_of(message),
        update_key=update_key(update, context),
    )
    await reply(update, render_fields.render_attached(task))


async def file_hint(update: Update, context: BotContext) -> None:
    """A photo, voice note or video in a private chat that is for no task: how to attach it."""
    await reply(update, _(render_fields.ATTACH_HINT))


async def send_file(update: Update, context: BotContext) -> None:
    """A file's button on /show: the file is sent back into the chat, by its file_id."""
    query, action = pressed(update, SendAttachment)
    await presser_role(update, context)
    task = await task_store.get_task(
        context.db, chat_id=await chat_id_of(update, context), number=action.number
    )
    if action.index > len(task.attachments):
        raise ItemNotFound(action.number, action.index, attachment=True)
    file = task.attachments[action.index - 1]
    bot = context.bot
    send: dict[str, Callable[..., Awaitable[Any]]] = {
        "photo": bot.send_photo,
        "document": bot.send_document,
        "voice": bot.send_voice,
        "video": bot.send_video,
    }
    caption = f"<b>{task_ref(task.number)}</b> {escape(shorten(task.title, 200))}"
    try:
        await send[file.kind](
            chat_of(update).id,
            file.file_id,
            caption=caption,
            message_thread_id=topic_of(query.message),
        )
    except BadRequest as error:
        # A file_id of another bot (an import from elsewhere), or a file Telegram dropped.
        if "file" not in error.message.lower():
            raise
        text = _("⚠️ Telegram can't send this file any more (it may come from another bot).")
        await query.answer(text, show_alert=True)
        return
    await query.answer()


def register(application: BotApplication) -> None:
    """Add /attach, the handler of files for a task (before /import's, which takes other
    documents), the file buttons' handler, and the hint for a private chat's stray files."""
    application.add_handler(CommandHandler("attach", attach_prompt, filters=NEW_MESSAGES))
    application.add_handler(MessageHandler(NEW_MESSAGES & FILES & FOR_A_TASK, attach_file))
    application.add_handler(CallbackQueryHandler(send_file, pattern=is_action(SendAttachment)))
    application.add_handler(
        MessageHandler(
            NEW_MESSAGES
            & filters.ChatType.PRIVATE
            & (filters.PHOTO | filters.VOICE | filters.VIDEO)
            & ~filters.REPLY,
            file_hint,
        )
    )
