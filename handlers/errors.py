"""The one place where errors become chat replies, and unexpected ones are logged."""

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from handlers import render
from handlers.context import BotContext
from handlers.parsing import UsageError
from storage.errors import DuplicateUpdate, StorageError, StorageUnavailable

log = logging.getLogger(__name__)


def _reply_for(update: Update, error: BaseException) -> str | None:
    """The chat's answer to an error, or None when the chat should hear nothing."""
    if isinstance(error, DuplicateUpdate):
        # Telegram delivered this update again; the first delivery did the work and answered.
        log.info("update %s was processed before; ignored", update.update_id)
        return None
    if isinstance(error, UsageError):
        return render.render_usage(error.message)
    if isinstance(error, StorageUnavailable):
        log.warning("update %s: storage unavailable: %s", update.update_id, error.__cause__)
        return render.render_storage_error(error)
    if isinstance(error, StorageError):
        return render.render_storage_error(error)
    if isinstance(error, Forbidden):
        chat = update.effective_chat
        log.info("chat %s does not let the bot write (%s)", chat.id if chat else "?", error)
        return None
    if isinstance(error, BadRequest) and "not modified" in error.message.lower():
        return None
    log.error("update %s failed", update.update_id, exc_info=error)
    return render.SOMETHING_WENT_WRONG


async def on_error(update: object, context: BotContext) -> None:
    """Tell the chat what went wrong (in words it can act on) and log what was unexpected."""
    error = context.error
    if error is None:
        return
    if not isinstance(update, Update):
        log.error("error outside of an update", exc_info=error)
        return
    text = _reply_for(update, error)
    if text is None:
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(render.plain(text), show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text)
    except TelegramError as reply_error:
        # The press may have been answered already, or the chat may be gone: nothing to tell.
        log.info(
            "update %s: could not tell the chat about the error: %s", update.update_id, reply_error
        )


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Install the error handler."""
    application.add_error_handler(on_error)
