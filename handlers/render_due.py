"""Message text and keyboards about time: due times, reminders, the digest, /today, settings."""

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callbacks import ChooseDue, ReminderDone, Snooze, encode
from handlers.render import due_text, escape, fit_lines, shorten
from handlers.render_time import (
    describe_reminders_before,
    describe_stored_recurrence,
    local_datetime_text,
)
from storage.models import Completed, Task

USAGE_DUE = (
    "Usage: /due 3 tomorrow 9:00 — or fri 18:00, in 2 hours, dec 1, every monday 9:00,"
    " every other friday 18:00, fri 18:00 remind 1d 1h before;"
    " /due 3 off removes it; /due 3 alone offers quick choices"
)
USAGE_REMIND = (
    "Usage: /remind 3 1h before — reminders before the due time too (several: /remind 3 1d 1h"
    " before); /remind 3 off keeps only the one at the due time"
)
USAGE_TIMEZONE = "Usage: /timezone Europe/Berlin (a name from the IANA time zone list)"
USAGE_NAG = "Usage: /nag 3 30m — remind every 30 minutes until done; /nag 3 off stops it"
USAGE_QUIET = "Usage: /quiet 22:00-07:00 — reminders wait until the end; /quiet off"
USAGE_DIGEST = "Usage: /digest 8:00 — one message a day instead of one per task; /digest off"
TIMEZONE_HINT = "Times are in UTC here. Set yours with /timezone Europe/Berlin."
QUICK_DUE_LABELS = {
    "1h": "In 1 hour",
    "evening": "This evening",
    "morning": "Tomorrow morning",
    "week": "Next week",
}
SNOOZE_LABELS = {
    "10m": "10 min",
    "1h": "1 hour",
    "evening": "This evening",
    "morning": "Tomorrow morning",
}


def render_due_set(task: Task, *, tz: ZoneInfo, now: datetime, default_zone: bool) -> str:
    """The reply to /due: the time said back in the chat's zone, so the user can check it."""
    if task.due_at is None:
        return render_due_cleared(task)
    when = escape(local_datetime_text(task.due_at, tz, now=now))
    lines = [f"⏰ <b>#{task.number}</b> {escape(shorten(task.title, 100))} is due {when}."]
    if task.recurrence:
        lines.append(f"🔁 {escape(describe_stored_recurrence(task.recurrence))}")
    if task.remind_before:
        lines.append(f"🔔 Also {describe_reminders_before(task.remind_before)}.")
    if default_zone:
        lines.append(TIMEZONE_HINT)
    return "\n".join(lines)


def render_reminders_before(task: Task) -> str:
    """The reply to /remind: when the task is reminded before its due time (and at it)."""
    head = f"<b>#{task.number}</b> {escape(shorten(task.title, 100))}"
    if not task.remind_before:
        return f"🔔 {head} is reminded at its due time only."
    before = describe_reminders_before(task.remind_before)
    text = f"🔔 {head} is reminded {before} its due time, and at it"
    if task.due_at is None:
        return f"{text}, once it has one: /due {task.number} fri 18:00"
    return f"{text}{', each time it repeats' if task.recurrence else ''}."


def render_due_cleared(task: Task) -> str:
    """The reply to /due N off (and to "No due time")."""
    return f"🗑 <b>#{task.number}</b> has no due time any more."


def render_due_choices(task: Task) -> tuple[str, InlineKeyboardMarkup]:
    """/due N without a time: quick choices as buttons."""
    buttons = [
        InlineKeyboardButton(label, callback_data=encode(ChooseDue(task.number, code)))
        for code, label in QUICK_DUE_LABELS.items()
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [InlineKeyboardButton("No due time", callback_data=encode(ChooseDue(task.number, "off")))]
    )
    text = (
        f"⏰ When is <b>#{task.number}</b> {escape(shorten(task.title, 100))} due?\n"
        "Pick one, or send for example /due "
        f"{task.number} fri 18:00"
    )
    return text, InlineKeyboardMarkup(rows)


def reminder_due_line(task: Task, *, tz: ZoneInfo, now: datetime, late: bool) -> str | None:
    """When a reminded task is due: "Due tomorrow 18:00." (a reminder before the due time
    too, even a late one), or "Was due ... (sent late)."; None without a due time."""
    if task.due_at is None:
        return None
    when = escape(local_datetime_text(task.due_at, tz, now=now))
    return f"Was due {when} (sent late)." if late and task.due_at <= now else f"Due {when}."


def render_reminder(
    task: Task, *, tz: ZoneInfo, now: datetime, late: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """The reminder message, with Done and Snooze buttons."""
    lines = [f"⏰ <b>#{task.number}</b> {escape(task.title)}"]
    if (due_line := reminder_due_line(task, tz=tz, now=now, late=late)) is not None:
        lines.append(due_line)
    if task.nag_minutes:
        lines.append(f"I'll remind you every {task.nag_minutes} min until it is done.")
    rows = [
        [InlineKeyboardButton("✅ Done", callback_data=encode(ReminderDone(task.number)))],
        [
            InlineKeyboardButton(f"💤 {label}", callback_data=encode(Snooze(task.number, code)))
            for code, label in list(SNOOZE_LABELS.items())[:2]
        ],
        [
            InlineKeyboardButton(f"💤 {label}", callback_data=encode(Snooze(task.number, code)))
            for code, label in list(SNOOZE_LABELS.items())[2:]
        ],
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def render_snoozed(task: Task, until: datetime, *, tz: ZoneInfo, now: datetime) -> str:
    """A reminder message after Snooze."""
    when = escape(local_datetime_text(until, tz, now=now))
    return f"💤 <b>#{task.number}</b> {escape(task.title)}\nI'll remind you again {when}."


def render_reminder_done(completed: Completed, *, tz: ZoneInfo, now: datetime) -> str:
    """A reminder message after Done (with the next occurrence of a recurring task)."""
    task, next_due = completed.task, completed.next_due
    text = f"✅ <b>#{task.number}</b> <s>{escape(task.title)}</s>"
    if next_due is not None:
        text += f"\n🔁 Next time: {escape(local_datetime_text(next_due, tz, now=now))}"
    return text


def _lines(tasks: Sequence[Task], tz: ZoneInfo, now: datetime) -> list[str]:
    return fit_lines(
        [f"<b>#{t.number}</b> {escape(t.title)}{due_text(t, tz=tz, now=now)}" for t in tasks]
    )


def render_today(tasks: Sequence[Task], *, tz: ZoneInfo, now: datetime, default_zone: bool) -> str:
    """The reply to /today: overdue and due-today tasks."""
    if not tasks:
        lines = ["🌤 Nothing due today."]
    else:
        lines = [f"📅 <b>Due today</b> · {len(tasks)}", *_lines(tasks, tz, now)]
    if default_zone:
        lines += ["", TIMEZONE_HINT]
    return "\n".join(lines)


def render_digest(tasks: Sequence[Task], *, tz: ZoneInfo, now: datetime) -> str:
    """The daily digest message."""
    return "\n".join([f"☀️ <b>Today</b> · {len(tasks)} due", *_lines(tasks, tz, now)])


def render_timezone(name: str, *, now: datetime, tz: ZoneInfo) -> str:
    """The reply to /timezone."""
    local = now.astimezone(tz).strftime("%H:%M")
    return f"🌍 Time zone: <b>{escape(name)}</b> (it is {local} there now)."


def render_nag(task: Task) -> str:
    """The reply to /nag."""
    if not task.nag_minutes:
        return f"🔕 <b>#{task.number}</b> will be reminded once."
    return (
        f"🔔 <b>#{task.number}</b>: I'll repeat its reminder every {task.nag_minutes} min"
        " until it is done."
    )


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def render_quiet(start: int | None, end: int | None) -> str:
    """The reply to /quiet."""
    if start is None or end is None:
        return "🔔 No quiet hours: reminders come when they are due."
    return f"🤫 Quiet hours {_clock(start)}–{_clock(end)}: reminders due then wait until the end."


def render_digest_setting(minute: int | None) -> str:
    """The reply to /digest."""
    if minute is None:
        return "🔔 No digest: each reminder comes on its own."
    return (
        f"☀️ A digest of the day's tasks comes at {_clock(minute)}, instead of one reminder each."
    )
