"""The one place where errors become chat replies, and unexpected ones are logged; and the
answer to a press of a button that is not (or no longer) ours."""

import logging

from telegram import Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler

from handlers import render_errors, render_text, render_transfer
from handlers.callbacks import ButtonOutdated, is_not_ours
from handlers.context import BotApplication, BotContext
from handlers.i18n import _
from handlers.parsing import UsageError
from handlers.permissions import MembershipUnknown, NotAMember
from handlers.rate_limits import RateLimited
from handlers.render_fields import fields_error_text
from handlers.render_when import when_error_text
from handlers.task_files import ImportRejected
from handlers.when import WhenError
from storage.errors import DuplicateUpdate, StorageError, StorageUnavailable

log = logging.getLogger(__name__)


def _reply_for(update: Update, error: BaseException) -> str | None:
    """The chat's answer to an error, or None when the chat should hear nothing."""
    if isinstance(error, DuplicateUpdate):
        # Telegram delivered this update again; the first delivery did the work and answered.
        log.info("update %s was processed before; ignored", update.update_id)
        return None
    if isinstance(error, UsageError):
        return render_errors.render_usage(error.message)
    if isinstance(error, WhenError):
        return render_errors.render_usage(when_error_text(error))
    if isinstance(error, ButtonOutdated):
        return _(render_errors.BUTTON_OUTDATED)
    if isinstance(error, RateLimited):
        return render_errors.render_rate_limited(error)
    if isinstance(error, NotAMember):
        return _(render_errors.NOT_A_MEMBER)
    if isinstance(error, MembershipUnknown):
        log.info("update %s: membership unknown: %s", update.update_id, error)
        return _(render_errors.MEMBERSHIP_UNKNOWN)
    if isinstance(error, ImportRejected):
        return render_transfer.render_import_rejected(error.problems)
    if isinstance(error, StorageUnavailable):
        log.warning("update %s: storage unavailable: %s", update.update_id, error.__cause__)
        return render_errors.render_storage_error(error)
    if isinstance(error, StorageError):
        return fields_error_text(error) or render_errors.render_storage_error(error)
    if isinstance(error, Forbidden):
        chat = update.effective_chat
        log.info("chat %s does not let the bot write (%s)", chat.id if chat else "?", error)
        return None
    if isinstance(error, BadRequest) and "not modified" in error.message.lower():
        return None
    if isinstance(error, ChatMigrated):
        # A message of a basic group that has become a supergroup: its old messages cannot be
        # edited, and its list moved (handlers.groups); a press there is outdated.
        log.info("update %s: chat moved to %s", update.update_id, error.new_chat_id)
        return _(render_errors.BUTTON_OUTDATED) if update.callback_query is not None else None
    log.error("update %s failed", update.update_id, exc_info=error)
    return _(render_errors.SOMETHING_WENT_WRONG)


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
            await update.callback_query.answer(render_text.plain(text), show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text)
    except TelegramError as reply_error:
        # The press may have been answered already, or the chat may be gone: nothing to tell.
        log.info(
            "update %s: could not tell the chat about the error: %s", update.update_id, reply_error
        )


async def outdated_button(update: Update, context: BotContext) -> None:
    """A button whose data no action of this bot decodes to: "This button is outdated"."""
    assert update.callback_query is not None
    await update.callback_query.answer(_(render_errors.BUTTON_OUTDATED), show_alert=True)


def register(application: BotApplication) -> None:
    """Install the error handler, and the handler of presses no other button handler takes."""
    # A game's button carries no data: it is not ours either (every press is answered).
    application.add_handler(
        CallbackQueryHandler(outdated_button, pattern=is_not_ours, game_pattern=".")
    )
    application.add_error_handler(on_error)
