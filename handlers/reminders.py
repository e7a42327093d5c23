"""Time commands (/due, /today, /timezone, /nag, /quiet, /digest) and reminder buttons.

Settings belong to a list: in a forum supergroup each topic has its own time zone, quiet hours
and digest (its row in `chats`), set with these commands in that topic.
"""

from collections.abc import Sequence
from datetime import datetime

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers import render, render_due
from handlers.callbacks import ChooseDue, ReminderDone, Snooze
from handlers.common import NEW_MESSAGES, list_id, once_key, pressed, reply
from handlers.context import BotContext
from handlers.parsing import UsageError, command_text, parse_number_and_text
from handlers.when import (
    WhenError,
    find_timezone,
    parse_duration,
    parse_time_of_day,
    parse_when,
    quick_choice,
    snooze_until,
)
from storage import reminders as storage_reminders
from storage import tasks as storage
from storage.chat_settings import ChatSettings, get_chat_settings, save_chat_settings
from storage.clock import now_utc
from storage.db import Database
from storage.local_time import chat_zone, local_day_end, next_local_minute

_OFF_WORDS = {"off", "none", "clear", "no", "-"}
MAX_NAG_MINUTES = 7 * 24 * 60


def _when(text: str, *, now: datetime, settings: ChatSettings) -> tuple[datetime, str | None]:
    """A due time (and recurrence) from the user's words; UsageError when they do not parse."""
    try:
        when = parse_when(text, now=now, tz=chat_zone(settings.timezone))
    except WhenError as error:
        raise UsageError(error.message) from None
    return when.due_at, when.recurrence.encode() if when.recurrence else None


def split_due(line: str) -> tuple[str, str | None]:
    """`Title @ when` -> (title, when); a line without ` @ ` is all title."""
    title, marker, when = line.rpartition(" @ ")
    if not marker:
        return line, None
    return title, when


async def parse_add_lines(
    db: Database, chat_id: int, lines: Sequence[str], *, now: datetime
) -> tuple[list[str], list[tuple[datetime | None, str | None]] | None]:
    """Titles and their due times for /add, where lines may end in ` @ when`."""
    split = [split_due(line) for line in lines]
    if all(when is None for _, when in split):
        return [title for title, _ in split], None
    settings = await get_chat_settings(db, chat_id=chat_id)
    dues: list[tuple[datetime | None, str | None]] = [
        _when(when, now=now, settings=settings) if when is not None else (None, None)
        for _, when in split
    ]
    return [title for title, _ in split], dues


async def due(update: Update, context: BotContext) -> None:
    """Set, clear or choose a task's due time (and repetition)."""
    number, words = parse_number_and_text(
        command_text(update.effective_message.text if update.effective_message else ""),
        usage=render_due.USAGE_DUE,
    )
    chat_id = await list_id(update, context)
    if not words:
        task = await storage.get_task(context.db, chat_id=chat_id, number=number)
        await reply(update, *render_due.render_due_choices(task))
        return
    now = now_utc()
    settings = await get_chat_settings(context.db, chat_id=chat_id)
    if words.lower() in _OFF_WORDS:
        due_at, recurrence = None, None
    else:
        due_at, recurrence = _when(words, now=now, settings=settings)
    task = await storage_reminders.set_due(
        context.db,
        chat_id=chat_id,
        number=number,
        due_at=due_at,
        recurrence=recurrence,
        once_for=once_key(update, context),
    )
    text = render_due.render_due_set(
        task,
        tz=chat_zone(settings.timezone),
        now=now,
        default_zone=settings.timezone is None,
    )
    await reply(update, text)


async def today(update: Update, context: BotContext) -> None:
    """What is due today (in the chat's time zone) and what is overdue."""
    chat_id = await list_id(update, context)
    now = now_utc()
    settings = await get_chat_settings(context.db, chat_id=chat_id)
    tz = chat_zone(settings.timezone)
    tasks = await storage_reminders.due_until(
        context.db, chat_id=chat_id, until=local_day_end(now, tz)
    )
    await reply(
        update,
        render_due.render_today(tasks, tz=tz, now=now, default_zone=settings.timezone is None),
    )


async def timezone(update: Update, context: BotContext) -> None:
    """Show or set the chat's time zone."""
    chat_id = await list_id(update, context)
    name = command_text(update.effective_message.text if update.effective_message else "")
    settings = await get_chat_settings(context.db, chat_id=chat_id)
    now = now_utc()
    if not name:
        current = settings.timezone or "UTC"
        text = render_due.render_timezone(current, now=now, tz=chat_zone(settings.timezone))
        if settings.timezone is None:
            text += "\n" + render.render_usage(render_due.USAGE_TIMEZONE)
        await reply(update, text)
        return
    try:
        zone = find_timezone(name)
    except WhenError as error:
        raise UsageError(error.message) from None
    updated = ChatSettings(
        timezone=zone.key,
        quiet_start=settings.quiet_start,
        quiet_end=settings.quiet_end,
        digest_minute=settings.digest_minute,
    )
    await _save(context.db, chat_id, updated, now=now)
    await reply(update, render_due.render_timezone(zone.key, now=now, tz=zone))


async def _save(db: Database, chat_id: int, settings: ChatSettings, *, now: datetime) -> None:
    next_digest = None
    if settings.digest_minute is not None:
        next_digest = next_local_minute(now, chat_zone(settings.timezone), settings.digest_minute)
    await save_chat_settings(db, chat_id=chat_id, settings=settings, next_digest_at=next_digest)


async def nag(update: Update, context: BotContext) -> None:
    """Repeat a task's reminder every interval until it is done (or stop)."""
    number, words = parse_number_and_text(
        command_text(update.effective_message.text if update.effective_message else ""),
        usage=render_due.USAGE_NAG,
    )
    if not words:
        raise UsageError(render_due.USAGE_NAG)
    minutes: int | None = None
    if words.lower() not in _OFF_WORDS:
        try:
            minutes = int(parse_duration(words).total_seconds() // 60)
        except WhenError as error:
            raise UsageError(f"{error.message}\n{render_due.USAGE_NAG}") from None
        if not 1 <= minutes <= MAX_NAG_MINUTES:
            raise UsageError("Choose an interval from 1 minute to 7 days.")
    task = await storage_reminders.set_nag(
        context.db,
        chat_id=await list_id(update, context),
        number=number,
        minutes=minutes,
        once_for=once_key(update, context),
    )
    await reply(update, render_due.render_nag(task))


def _minute(text: str) -> int:
    try:
        hour, minute = parse_time_of_day(text)
    except WhenError as error:
        raise UsageError(error.message) from None
    return hour * 60 + minute


async def quiet(update: Update, context: BotContext) -> None:
    """Set or clear the chat's quiet hours, e.g. /quiet 22:00-07:00."""
    words = command_text(update.effective_message.text if update.effective_message else "")
    chat_id = await list_id(update, context)
    settings = await get_chat_settings(context.db, chat_id=chat_id)
    if not words:
        await reply(update, render_due.render_quiet(settings.quiet_start, settings.quiet_end))
        return
    start: int | None = None
    end: int | None = None
    if words.lower() not in _OFF_WORDS:
        parts = [part.strip() for part in words.replace("–", "-").split("-")]
        if len(parts) != 2 or not all(parts):
            raise UsageError(render_due.USAGE_QUIET)
        start, end = _minute(parts[0]), _minute(parts[1])
        if start == end:
            raise UsageError("Quiet hours need a start and a different end.")
    updated = ChatSettings(settings.timezone, start, end, settings.digest_minute)
    await _save(context.db, chat_id, updated, now=now_utc())
    await reply(update, render_due.render_quiet(start, end))


async def digest(update: Update, context: BotContext) -> None:
    """Set or clear the daily digest time, e.g. /digest 8:00."""
    words = command_text(update.effective_message.text if update.effective_message else "")
    chat_id = await list_id(update, context)
    settings = await get_chat_settings(context.db, chat_id=chat_id)
    if not words:
        await reply(update, render_due.render_digest_setting(settings.digest_minute))
        return
    minute = None if words.lower() in _OFF_WORDS else _minute(words)
    updated = ChatSettings(settings.timezone, settings.quiet_start, settings.quiet_end, minute)
    await _save(context.db, chat_id, updated, now=now_utc())
    await reply(update, render_due.render_digest_setting(minute))


async def button(update: Update, context: BotContext) -> None:
    """Done and Snooze on a reminder; the quick choices of /due."""
    press = await pressed(update)
    if press is None:
        return
    query, action = press
    chat_id = await list_id(update, context)
    db = context.db
    now = now_utc()
    once = once_key(update, context)
    match action:
        case ReminderDone(number=number):
            completed = await storage.set_task_done(
                db, chat_id=chat_id, number=number, done=True, once_for=once, now=now
            )
            settings = await get_chat_settings(db, chat_id=chat_id)
            await query.answer(render.render_notice_done(completed))
            text = render_due.render_reminder_done(
                completed, tz=chat_zone(settings.timezone), now=now
            )
            await query.edit_message_text(text)
        case Snooze(number=number, choice=choice):
            settings = await get_chat_settings(db, chat_id=chat_id)
            tz = chat_zone(settings.timezone)
            try:
                until = snooze_until(choice, now=now, tz=tz)
            except WhenError:
                await query.answer(render.BUTTON_OUTDATED, show_alert=True)
                return
            task = await storage_reminders.snooze(
                db, chat_id=chat_id, number=number, until=until, once_for=once
            )
            await query.answer("💤 Snoozed")
            await query.edit_message_text(render_due.render_snoozed(task, until, tz=tz, now=now))
        case ChooseDue(number=number, choice=choice):
            settings = await get_chat_settings(db, chat_id=chat_id)
            tz = chat_zone(settings.timezone)
            due_at: datetime | None = None
            if choice != "off":
                try:
                    due_at = quick_choice(choice, now=now, tz=tz)
                except WhenError:
                    await query.answer(render.BUTTON_OUTDATED, show_alert=True)
                    return
            task = await storage_reminders.set_due(
                db, chat_id=chat_id, number=number, due_at=due_at, once_for=once
            )
            await query.answer("⏰ Saved")
            text = render_due.render_due_set(
                task, tz=tz, now=now, default_zone=settings.timezone is None
            )
            await query.edit_message_text(text)
        case _:
            await query.answer(render.BUTTON_OUTDATED, show_alert=True)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the time commands and the reminder buttons (before the list's catch-all buttons)."""
    for name, callback in [
        ("due", due),
        ("today", today),
        ("timezone", timezone),
        ("nag", nag),
        ("quiet", quiet),
        ("digest", digest),
    ]:
        application.add_handler(CommandHandler(name, callback, filters=NEW_MESSAGES))
    application.add_handler(CallbackQueryHandler(button, pattern=r"^(rd|rs|dq):"))
