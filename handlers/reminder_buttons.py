"""The buttons about time, one handler each: ✅ Done and 💤 Snooze on a reminder, and the quick
choices of /due N; and what each choice's code means."""

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CallbackQueryHandler

from handlers import render, render_due
from handlers.button_actions import NO_DUE_CODE, ChooseDue, ReminderDone, Snooze
from handlers.callbacks import is_action
from handlers.common import chat_id_of, pressed, presser_role, update_key
from handlers.context import BotApplication, BotContext
from handlers.i18n import _
from handlers.when import parse_when
from storage import reminders as reminder_store
from storage import zoned as zoned_store
from storage.clock import now_utc
from storage.local_time import chat_zone
from storage.values import DueEntry

# What each button code (handlers.button_actions.QUICK_DUE_CODES, SNOOZE_CODES) means, as a phrase:
# "evening" is a bare time, so after 19:00 it is tomorrow's.
_CHOICE_PHRASES = {
    "10m": "in 10 minutes",
    "1h": "in 1 hour",
    "evening": "19:00",
    "morning": "tomorrow 9:00",
    "week": "next week",
}


def choice_time(code: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """The moment (UTC) a quick-choice or snooze code stands for, e.g. "evening" -> 19:00."""
    return parse_when(_CHOICE_PHRASES[code], now=now, tz=tz).due_at


async def done(update: Update, context: BotContext) -> None:
    """✅ Done on a reminder: the task is done, and the reminder says when it comes back."""
    query, action = pressed(update, ReminderDone)
    await presser_role(update, context)
    now = now_utc()
    completed, settings = await zoned_store.set_task_done_with_settings(
        context.db,
        chat_id=await chat_id_of(update, context),
        number=action.number,
        update_key=update_key(update, context),
        now=now,
    )
    await query.answer(render.render_notice_done(completed))
    tz = chat_zone(settings.timezone)
    await query.edit_message_text(render_due.render_reminder_done(completed, tz=tz, now=now))


async def snooze(update: Update, context: BotContext) -> None:
    """💤 on a reminder: it comes again at the chosen time, said in the list's zone."""
    query, action = pressed(update, Snooze)
    await presser_role(update, context)
    now = now_utc()
    task, until, settings = await zoned_store.snooze_in_zone(
        context.db,
        chat_id=await chat_id_of(update, context),
        number=action.number,
        until=lambda tz: choice_time(action.choice, now=now, tz=tz),
        update_key=update_key(update, context),
        now=now,
    )
    await query.answer(_("💤 Snoozed"))
    tz = chat_zone(settings.timezone)
    await query.edit_message_text(render_due.render_snoozed(task, until, tz=tz, now=now))


async def choose_due(update: Update, context: BotContext) -> None:
    """A quick choice of /due N: the due time is set and said back (or taken away)."""
    query, action = pressed(update, ChooseDue)
    await presser_role(update, context)
    chat_id, once = await chat_id_of(update, context), update_key(update, context)
    if action.choice == NO_DUE_CODE:
        task = await reminder_store.set_due(
            context.db, chat_id=chat_id, number=action.number, due_at=None, update_key=once
        )
        await query.answer(_("⏰ Saved"))
        await query.edit_message_text(render_due.render_due_cleared(task))
        return
    now = now_utc()
    task, settings = await zoned_store.set_due_in_zone(
        context.db,
        chat_id=chat_id,
        number=action.number,
        due=lambda tz: DueEntry(choice_time(action.choice, now=now, tz=tz)),
        update_key=once,
    )
    await query.answer(_("⏰ Saved"))
    text = render_due.render_due_set(
        task, tz=chat_zone(settings.timezone), now=now, default_zone=settings.timezone is None
    )
    await query.edit_message_text(text)


def register(application: BotApplication) -> None:
    """Add a handler per reminder button and per quick choice."""
    application.add_handler(CallbackQueryHandler(done, pattern=is_action(ReminderDone)))
    application.add_handler(CallbackQueryHandler(snooze, pattern=is_action(Snooze)))
    application.add_handler(CallbackQueryHandler(choose_due, pattern=is_action(ChooseDue)))
