"""/export (the chat's tasks as JSON and CSV files) and /import (such a file back in)."""

import re

from telegram import Document, Message, Update
from telegram.error import BadRequest
from telegram.ext import CommandHandler, MessageHandler, filters

from handlers import render_transfer as render
from handlers import task_files
from handlers.common import NEW_MESSAGES, chat_id_of, message_of, update_key
from handlers.context import BotApplication, BotContext
from handlers.i18n import _
from handlers.permissions import author_id
from storage import transfer as transfer_store
from storage.clock import now_utc

# A document whose caption is the command (Telegram's CommandHandler reads only text).
_IMPORT_COMMAND = re.compile(r"/import(@\w+)?(\s|$)", re.IGNORECASE)


async def export(update: Update, context: BotContext) -> None:
    """The chat's tasks as two files: JSON to import again, CSV for spreadsheets."""
    message = message_of(update)
    tasks, truncated = await transfer_store.export_tasks(
        context.db, chat_id=await chat_id_of(update, context)
    )
    if not tasks:
        await message.reply_text(_(render.EXPORT_EMPTY))
        return
    now = now_utc()
    json_name, csv_name = task_files.export_file_names(now)
    await message.reply_document(
        task_files.export_json(tasks, exported_at=now),
        filename=json_name,
        caption=render.render_export_caption(tasks, truncated=truncated),
    )
    await message.reply_document(
        task_files.export_csv(tasks), filename=csv_name, caption=_(render.EXPORT_CSV_CAPTION)
    )


async def import_prompt(update: Update, context: BotContext) -> None:
    """A bare /import: ask for the file, as a reply to the bot's message."""
    text, force_reply = render.render_import_prompt()
    await message_of(update).reply_text(text, reply_markup=force_reply)


async def import_file(update: Update, context: BotContext) -> None:
    """A file sent with /import (or in reply to the prompt): all its tasks added, or none (a
    file that will not do is refused with why: ImportRejected, replied by the error handler)."""
    message = message_of(update)
    if not (_IMPORT_COMMAND.match(message.caption or "") or _answers_prompt(message, context)):
        return  # some other file, or a reply to some other message
    assert message.document is not None
    data = await _download(message.document, context)
    added = await transfer_store.import_tasks_in_zone(
        context.db,
        chat_id=await chat_id_of(update, context),
        read=lambda tz: task_files.read_tasks_file(data, tz=tz),
        created_by=author_id(message),
        update_key=update_key(update, context),
    )
    await message.reply_text(render.render_imported(added))


def _answers_prompt(message: Message, context: BotContext) -> bool:
    replied = message.reply_to_message
    return (
        replied is not None
        and replied.from_user is not None
        and replied.from_user.id == context.bot.id
        and render.is_import_prompt(replied.text)
    )


async def _download(document: Document, context: BotContext) -> bytes:
    """The file's bytes; ImportRejected when it is too big (told by its size, or by Telegram)."""
    if document.file_size is not None and document.file_size > task_files.MAX_IMPORT_BYTES:
        raise task_files.too_big(document.file_size)
    try:
        file = await context.bot.get_file(document.file_id)
    except BadRequest as error:
        if "too big" in error.message.lower():
            raise task_files.too_big(
                document.file_size or task_files.MAX_IMPORT_BYTES + 1
            ) from None
        raise
    return bytes(await file.download_as_bytearray())


def register(application: BotApplication) -> None:
    """Add /export, /import and the handler of import files (before any catch-all)."""
    application.add_handler(CommandHandler("export", export, filters=NEW_MESSAGES))
    application.add_handler(CommandHandler("import", import_prompt, filters=NEW_MESSAGES))
    application.add_handler(
        MessageHandler(
            NEW_MESSAGES
            & filters.Document.ALL
            & (filters.CaptionRegex(_IMPORT_COMMAND) | filters.REPLY),
            import_file,
        )
    )
