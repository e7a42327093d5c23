"""The list's settings commands: /timezone, /quiet (quiet hours) and /digest (a daily digest).

Settings belong to a list: in a forum supergroup each topic has its own (its row in `chats`),
set with these commands in that topic. Each command alone shows the setting.
"""

from dataclasses import replace

from telegram import Update
from telegram.ext import CommandHandler

from handlers import render_due, render_errors
from handlers.common import NEW_MESSAGES, chat_id_of, message_of, reply
from handlers.context import BotApplication, BotContext
from handlers.i18n import _
from handlers.parsing import OFF_WORDS, UsageError, command_text
from handlers.when import parse_time_of_day
from handlers.zone_names import find_timezone
from storage import chat_settings as settings_store
from storage import zoned as zoned_store
from storage.clock import now_utc
from storage.local_time import chat_zone


async def timezone(update: Update, context: BotContext) -> None:
    """/timezone Europe/Berlin: the list's zone, said back with the time there now."""
    name = command_text(message_of(update).text)
    chat_id, now = await chat_id_of(update, context), now_utc()
    if not name:
        settings = await settings_store.get_chat_settings(context.db, chat_id=chat_id)
        current = settings.timezone or "UTC"
        text = render_due.render_timezone(current, now=now, tz=chat_zone(settings.timezone))
        if settings.timezone is None:
            text += "\n" + render_errors.render_usage(_(render_due.USAGE_TIMEZONE))
        await reply(update, text)
        return
    zone = find_timezone(name)
    await zoned_store.change_chat_settings(
        context.db, chat_id=chat_id, change=lambda old: replace(old, timezone=zone.key), now=now
    )
    await reply(update, render_due.render_timezone(zone.key, now=now, tz=zone))


async def quiet(update: Update, context: BotContext) -> None:
    """/quiet 22:00-07:00: reminders due then wait until the end (off: none)."""
    words = command_text(message_of(update).text)
    chat_id = await chat_id_of(update, context)
    if not words:
        settings = await settings_store.get_chat_settings(context.db, chat_id=chat_id)
        await reply(update, render_due.render_quiet(settings.quiet_start, settings.quiet_end))
        return
    start, end = (None, None) if words.lower() in OFF_WORDS else _quiet_hours(words)
    await zoned_store.change_chat_settings(
        context.db,
        chat_id=chat_id,
        change=lambda old: replace(old, quiet_start=start, quiet_end=end),
        now=now_utc(),
    )
    await reply(update, render_due.render_quiet(start, end))


async def digest(update: Update, context: BotContext) -> None:
    """/digest 8:00: one message a day with what is due, instead of one reminder each."""
    words = command_text(message_of(update).text)
    chat_id = await chat_id_of(update, context)
    if not words:
        settings = await settings_store.get_chat_settings(context.db, chat_id=chat_id)
        await reply(update, render_due.render_digest_setting(settings.digest_minute))
        return
    minute = None if words.lower() in OFF_WORDS else _minute(words)
    await zoned_store.change_chat_settings(
        context.db,
        chat_id=chat_id,
        change=lambda old: replace(old, digest_minute=minute),
        now=now_utc(),
    )
    await reply(update, render_due.render_digest_setting(minute))


def _quiet_hours(words: str) -> tuple[int, int]:
    """Start and end (minutes after midnight) of "22:00-07:00"."""
    parts = [part.strip() for part in words.replace("–", "-").split("-")]
    if len(parts) != 2 or not all(parts):
        raise UsageError(_(render_due.USAGE_QUIET))
    start, end = _minute(parts[0]), _minute(parts[1])
    if start == end:
        raise UsageError(_("Quiet hours need a start and a different end."))
    return start, end


def _minute(text: str) -> int:
    hour, minute = parse_time_of_day(text)
    return hour * 60 + minute


def register(application: BotApplication) -> None:
    """Add /timezone, /quiet and /digest."""
    for name, callback in [("timezone", timezone), ("quiet", quiet), ("digest", digest)]:
        application.add_handler(CommandHandler(name, callback, filters=NEW_MESSAGES))
