"""The due-time commands: /due (set, clear or choose a task's due time and repetition),
/remind (reminders before the due time), /today and /nag. Times are read and said in the list's
time zone (a forum topic's own, set there)."""

from telegram import Update
from telegram.ext import CommandHandler

from handlers import render_due
from handlers.common import NEW_MESSAGES, chat_id_of, message_of, reply, update_key
from handlers.context import BotApplication, BotContext
from handlers.i18n import _, current_language
from handlers.parsing import OFF_WORDS, UsageError, command_text, parse_number_and_text
from handlers.render_when import when_error_text
from handlers.when import WhenError, parse_duration, parse_reminders, parse_when
from storage import reminders as reminder_store
from storage import tasks as task_store
from storage import zoned as zoned_store
from storage.clock import now_utc
from storage.local_time import chat_zone

MAX_NAG_MINUTES = 7 * 24 * 60


async def due(update: Update, context: BotContext) -> None:
    """/due N when: the due time said back in the list's zone; /due N off clears it; /due N
    alone offers quick choices as buttons."""
    number, words = parse_number_and_text(
        command_text(message_of(update).text), usage=render_due.USAGE_DUE
    )
    chat_id, once = await chat_id_of(update, context), update_key(update, context)
    if not words:
        task = await task_store.get_task(context.db, chat_id=chat_id, number=number)
        await reply(update, *render_due.render_due_choices(task))
        return
    if words.lower() in OFF_WORDS:
        task = await reminder_store.set_due(
            context.db, chat_id=chat_id, number=number, due_at=None, update_key=once
        )
        await reply(update, render_due.render_due_cleared(task))
        return
    now = now_utc()
    task, settings = await zoned_store.set_due_in_zone(
        context.db,
        chat_id=chat_id,
        number=number,
        due=lambda tz: parse_when(words, now=now, tz=tz, language=current_language()).stored(),
        update_key=once,
    )
    text = render_due.render_due_set(
        task, tz=chat_zone(settings.timezone), now=now, default_zone=settings.timezone is None
    )
    await reply(update, text)


async def remind(update: Update, context: BotContext) -> None:
    """/remind N 1d 1h before: the task is reminded that long before its due time too, for
    every occurrence; /remind N off leaves the one at the due time; /remind N says which."""
    number, words = parse_number_and_text(
        command_text(message_of(update).text), usage=render_due.USAGE_REMIND
    )
    chat_id = await chat_id_of(update, context)
    if not words:
        task = await task_store.get_task(context.db, chat_id=chat_id, number=number)
    else:
        minutes = () if words.lower() in OFF_WORDS else _reminders(words)
        task = await reminder_store.set_reminders_before(
            context.db,
            chat_id=chat_id,
            number=number,
            minutes=minutes,
            update_key=update_key(update, context),
        )
    await reply(update, render_due.render_reminders_before(task))


def _reminders(words: str) -> tuple[int, ...]:
    """The minutes before the due time of /remind; UsageError (with its usage) when unread."""
    try:
        return parse_reminders(words, language=current_language())
    except WhenError as error:
        raise UsageError(f"{when_error_text(error)}\n{_(render_due.USAGE_REMIND)}") from None


async def today(update: Update, context: BotContext) -> None:
    """What is due today (in the list's time zone) and what is overdue."""
    now = now_utc()
    tasks, settings = await zoned_store.due_today(
        context.db, chat_id=await chat_id_of(update, context), now=now
    )
    text = render_due.render_today(
        tasks, tz=chat_zone(settings.timezone), now=now, default_zone=settings.timezone is None
    )
    await reply(update, text)


async def nag(update: Update, context: BotContext) -> None:
    """/nag N 30m: the reminder repeats every 30 minutes until the task is done (off: once)."""
    number, words = parse_number_and_text(
        command_text(message_of(update).text), usage=render_due.USAGE_NAG
    )
    if not words:
        raise UsageError(_(render_due.USAGE_NAG))
    minutes = None if words.lower() in OFF_WORDS else _nag_minutes(words)
    task = await reminder_store.set_nag(
        context.db,
        chat_id=await chat_id_of(update, context),
        number=number,
        minutes=minutes,
        update_key=update_key(update, context),
    )
    await reply(update, render_due.render_nag(task))


def _nag_minutes(words: str) -> int:
    """The interval of /nag in minutes; UsageError (with /nag's usage) when it will not do."""
    try:
        minutes = int(parse_duration(words, language=current_language()).total_seconds() // 60)
    except WhenError as error:
        # The one WhenError not replied as it is: the reply adds how /nag is used.
        raise UsageError(f"{when_error_text(error)}\n{_(render_due.USAGE_NAG)}") from None
    if not 1 <= minutes <= MAX_NAG_MINUTES:
        raise UsageError(_("Choose an interval from 1 minute to 7 days."))
    return minutes


def register(application: BotApplication) -> None:
    """Add /due, /remind, /today and /nag."""
    for name, callback in [("due", due), ("remind", remind), ("today", today), ("nag", nag)]:
        application.add_handler(CommandHandler(name, callback, filters=NEW_MESSAGES))
