"""/export (the chat's tasks as JSON and CSV files) and /import (such a file back in).

Files are built and read in a worker thread (asyncio.to_thread): a 5 MB file takes a good part
of a second of CPU, which on the event loop would hold back every other chat's replies.
"""

import asyncio
import re
from zoneinfo import ZoneInfo

from telegram import Document, Message, Update
from telegram.error import BadRequest
from telegram.ext import CommandHandler, MessageHandler, filters

from handlers import render_transfer as render
from handlers import task_export, task_files, task_import
from handlers.common import NEW_MESSAGES, author_id, chat_id_of, message_of, update_key
from handlers.context import BotApplication, BotContext
from handlers.i18n import _
from storage import transfer as transfer_store
from storage.clock import now_utc
from storage.transfer import NewTask

# A document whose caption is the command (Telegram's CommandHandler reads only text).
_IMPORT_COMMAND = re.compile(r"/import(@\w+)?(\s|$)", re.IGNORECASE)


async def export(update: Update, context: BotContext) -> None:
    """The chat's tasks as two files: JSON to import again, CSV for spreadsheets."""
    message = message_of(update)
    export = await transfer_store.export_tasks(
        context.db, chat_id=await chat_id_of(update, context)
    )
    if not export.tasks:
        await message.reply_text(_(render.EXPORT_EMPTY))
        return
    now, zone = now_utc(), export.timezone
    json_name, csv_name = task_export.export_file_names(now)
    json_file = await asyncio.to_thread(
        task_export.export_json, export.tasks, exported_at=now, timezone=zone
    )
    await message.reply_document(
        json_file,
        filename=json_name,
        caption=render.render_export_caption(export.tasks, truncated=export.truncated),
    )
    csv_file = await asyncio.to_thread(task_export.export_csv, export.tasks, timezone=zone)
    await message.reply_document(csv_file, filename=csv_name, caption=_(render.EXPORT_CSV_CAPTION))


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
    chat_id, author = await chat_id_of(update, context), author_id(message)
    # Per user (an anonymous admin: per group), before the file is even downloaded.
    context.bot_data.limits.imports.spend(author or chat_id)
    data = await _download(message.document, context)
    now = now_utc()

    async def read(tz: ZoneInfo) -> list[NewTask]:
        return await asyncio.to_thread(task_import.read_tasks_file, data, tz=tz, now=now)

    added = await transfer_store.import_tasks_in_zone(
        context.db,
        chat_id=chat_id,
        read=read,
        created_by=author,
        update_key=update_key(update, context),
        caps=context.bot_data.caps,
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
