"""The python-telegram-bot Application: client settings, context types, handlers in one place."""

import os

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.settings import Settings
from bot.telegram_retry import RetryingRateLimiter
from bot.updates import PerChatUpdateProcessor
from handlers import (
    assignee_buttons,
    assignees,
    attachments,
    calendar,
    chat_settings,
    checklists,
    clear,
    due,
    errors,
    forget,
    groups,
    inline,
    labels,
    language,
    list_buttons,
    members,
    reminder_buttons,
    search,
    tasks,
    transfer,
    welcome,
)
from handlers.context import BotApplication, BotContext, BotData
from handlers.permissions import Roles
from handlers.rate_limits import RateLimits
from storage.lists import ListCaps

# Take python-telegram-bot's coming durations (timedelta) now: otherwise every flood-limit error
# (RetryAfter) warns that the old kind is deprecated.
os.environ.setdefault("PTB_TIMEDELTA", "true")

# Updates the bot asks Telegram for; anything else is never sent to it.
ALLOWED_UPDATES = [
    "message",
    "edited_message",
    "callback_query",
    "inline_query",
    "chosen_inline_result",
    # The bot added to or removed from a chat, or blocked and unblocked in a private chat
    # (handlers.groups); added to a group, it speaks its adder's language (handlers.language).
    "my_chat_member",
    # Members joining, leaving, promoted or demoted (sent only where the bot is an admin):
    # their cached role follows at once (handlers.permissions).
    "chat_member",
]
# Updates handled at once (of different chats; one chat's updates always run one by one).
MAX_CONCURRENT_UPDATES = 64
# How long one getUpdates call waits for news before asking again (long polling).
POLL_TIMEOUT_SECONDS = 25


def build_application(
    settings: Settings, *, get_updates_request: BaseRequest | None = None
) -> BotApplication:
    """An Application with every handler registered; storage is attached when it starts.

    `get_updates_request`: what getUpdates goes through (polling's, which keeps the raw
    updates); by default one like python-telegram-bot's.
    """
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,
            )
        )
        # Waits out flood limits (429 RetryAfter), retries network trouble where it is safe.
        .rate_limiter(
            RetryingRateLimiter(
                overall_max_rate=settings.telegram_rate_limit,
                lookup_rate=settings.telegram_lookup_rate,
                max_retries=3,
            )
        )
        .connect_timeout(10)
        .read_timeout(15)
        .write_timeout(15)
        .concurrent_updates(PerChatUpdateProcessor(max_workers=MAX_CONCURRENT_UPDATES))
        # Polling runs its own loop (bot/polling.py), not PTB's Updater.
        .updater(None)
    )
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    if settings.telegram_base_url:
        base = settings.telegram_base_url.rstrip("/")
        builder = builder.base_url(base).base_file_url(base.removesuffix("/bot") + "/file/bot")
    application = builder.build()
    application.bot_data.mini_app_url = settings.mini_app_url
    application.bot_data.mini_app_name = settings.mini_app_name
    application.bot_data.calendar_key = settings.calendar_key()
    application.bot_data.roles = Roles(
        application.bot, cache_seconds=settings.membership_cache_seconds
    )
    application.bot_data.limits = RateLimits.of(
        api_per_minute=settings.api_rate_limit,
        tasks_per_minute=settings.add_rate_limit,
        imports_per_hour=settings.import_rate_limit,
    )
    application.bot_data.caps = ListCaps(
        max_open=settings.max_open_tasks, max_total=settings.max_tasks
    )
    # Each button press goes to the one handler of the action its data decodes to (errors has
    # the one for data that decodes to none), so the buttons' order does not matter. Order
    # matters only for messages: tasks.register adds the handler of a reply with a new title,
    # and welcome.register those of texts that are no command (an unknown command, plain text),
    # last.
    language.register(application)
    due.register(application)
    chat_settings.register(application)
    reminder_buttons.register(application)
    list_buttons.register(application)
    checklists.register(application)
    labels.register(application)
    # Before transfer: its /import takes any document sent as a reply.
    attachments.register(application)
    search.register(application)
    inline.register(application)
    transfer.register(application)
    calendar.register(application, base_url=settings.public_base_url)
    assignees.register(application)
    assignee_buttons.register(application)
    members.register(application)
    groups.register(application)
    forget.register(application)
    clear.register(application)
    errors.register(application)
    tasks.register(application)
    welcome.register(application)
    return application
