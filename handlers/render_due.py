"""Message text and keyboards about time: due times, reminders, the digest, /today, settings."""

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from handlers.button_actions import ChooseDue, ReminderDone, Snooze
from handlers.callbacks import encode
from handlers.i18n import N_, _, isolate, ngettext, task_ref
from handlers.render_task_line import due_text
from handlers.render_text import escape, fit_lines, shorten
from handlers.render_time import (
    RELATIVE,
    clock_text,
    describe_reminders_before,
    describe_stored_recurrence,
    moment_html,
    reminder_amounts,
)
from storage.values import Completed, Task

# Usage texts, translated where they are shown.
USAGE_DUE = N_(
    "Usage: /due 3 tomorrow 9:00 — or fri 18:00, in 2 hours, dec 1, every monday 9:00,"
    " every other friday 18:00, fri 18:00 remind 1d 1h before;"
    " /due 3 off removes it; /due 3 alone offers quick choices"
)
USAGE_REMIND = N_(
    "Usage: /remind 3 1h before — reminders before the due time too (several: /remind 3 1d 1h"
    " before); /remind 3 off keeps only the one at the due time"
)
USAGE_TIMEZONE = N_("Usage: /timezone Europe/Berlin (a name from the IANA time zone list)")
USAGE_NAG = N_("Usage: /nag 3 30m — remind every 30 minutes until done; /nag 3 off stops it")
USAGE_QUIET = N_("Usage: /quiet 22:00-07:00 — reminders wait until the end; /quiet off")
USAGE_DIGEST = N_("Usage: /digest 8:00 — one message a day instead of one per task; /digest off")
TIMEZONE_HINT = N_("Times are in UTC here. Set yours with /timezone Europe/Berlin.")
QUICK_DUE_LABELS = {
    "1h": N_("In 1 hour"),
    "evening": N_("This evening"),
    "morning": N_("Tomorrow morning"),
    "week": N_("Next week"),
}
SNOOZE_LABELS = {
    "10m": N_("10 min"),
    "1h": N_("1 hour"),
    "evening": N_("This evening"),
    "morning": N_("Tomorrow morning"),
}


def _head(task: Task) -> str:
    """A task's number (bold) and its title, shortened."""
    return f"<b>{task_ref(task.number)}</b> {escape(shorten(task.title, 100))}"


def render_due_set(task: Task, *, tz: ZoneInfo, now: datetime, default_zone: bool) -> str:
    """The reply to /due: the time said back in the chat's zone, so the user can check it."""
    if task.due_at is None:
        return render_due_cleared(task)
    when = moment_html(task.due_at, tz, now=now)
    lines = [_("⏰ %(task)s is due %(when)s.", task=_head(task), when=when)]
    if task.recurrence:
        lines.append(f"🔁 {escape(describe_stored_recurrence(task.recurrence))}")
    if task.remind_before:
        before = describe_reminders_before(task.remind_before)
        lines.append(_("🔔 Also %(reminders)s.", reminders=before))
    if default_zone:
        lines.append(_(TIMEZONE_HINT))
    return "\n".join(lines)


def render_reminders_before(task: Task) -> str:
    """The reply to /remind: when the task is reminded before its due time (and at it)."""
    if not task.remind_before:
        return _("🔔 %(task)s is reminded at its due time only.", task=_head(task))
    params = {"task": _head(task), "amounts": reminder_amounts(task.remind_before)}
    if task.due_at is None:
        return _(
            "🔔 %(task)s is reminded %(amounts)s before its due time, and at it, once it has"
            " one: /due %(number)s fri 18:00",
            number=isolate(str(task.number)),
            **params,
        )
    if task.recurrence:
        # Translators: %(amounts)s is a list such as "1 day and 1 hour".
        return _(
            "🔔 %(task)s is reminded %(amounts)s before its due time, and at it, each time it"
            " repeats.",
            **params,
        )
    return _("🔔 %(task)s is reminded %(amounts)s before its due time, and at it.", **params)


def render_due_cleared(task: Task) -> str:
    """The reply to /due N off (and to "No due time")."""
    return _("🗑 <b>%(task)s</b> has no due time any more.", task=task_ref(task.number))


def render_due_choices(task: Task) -> tuple[str, InlineKeyboardMarkup]:
    """/due N without a time: quick choices as buttons."""
    buttons = [
        InlineKeyboardButton(_(label), callback_data=encode(ChooseDue(task.number, code)))
        for code, label in QUICK_DUE_LABELS.items()
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton(
                _("No due time"), callback_data=encode(ChooseDue(task.number, "off"))
            )
        ]
    )
    text = (
        _("⏰ When is %(task)s due?", task=_head(task))
        + "\n"
        + _(
            "Pick one, or send for example /due %(number)s fri 18:00",
            number=isolate(str(task.number)),
        )
    )
    return text, InlineKeyboardMarkup(rows)


def _nag_line(task: Task) -> list[str]:
    if not task.nag_minutes:
        return []
    return [
        ngettext(
            "I'll remind you every %(count)s min until it is done.",
            "I'll remind you every %(count)s min until it is done.",
            task.nag_minutes,
        )
    ]


def reminder_lines(task: Task, *, tz: ZoneInfo, now: datetime, late: bool) -> list[str]:
    """What a reminder says under its title: when it was due (late or not), and its nag."""
    lines = []
    if task.due_at is not None:
        # (a reminder before the due time says when it is due, even when it was sent late)
        if late and task.due_at <= now:  # "Was due 3 hours ago" where the app can say so
            when = moment_html(task.due_at, tz, now=now, kind=RELATIVE)
            lines.append(_("Was due %(when)s (sent late).", when=when))
        else:
            lines.append(_("Due %(when)s.", when=moment_html(task.due_at, tz, now=now)))
    return lines + _nag_line(task)


def snooze_label(label: str) -> str:
    """A snooze button's text: "💤 10 min"."""
    return f"💤 {_(label)}"


def render_reminder(
    task: Task, *, tz: ZoneInfo, now: datetime, late: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """The reminder message, with Done and Snooze buttons."""
    lines = [f"⏰ <b>{task_ref(task.number)}</b> {escape(task.title)}"]
    lines += reminder_lines(task, tz=tz, now=now, late=late)

    def snooze(code: str, label: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            snooze_label(label), callback_data=encode(Snooze(task.number, code))
        )

    rows = [
        [InlineKeyboardButton(_("✅ Done"), callback_data=encode(ReminderDone(task.number)))],
        [snooze(code, label) for code, label in list(SNOOZE_LABELS.items())[:2]],
        [snooze(code, label) for code, label in list(SNOOZE_LABELS.items())[2:]],
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def with_app_button(markup: InlineKeyboardMarkup, app_url: str | None) -> InlineKeyboardMarkup:
    """The buttons and, with `app_url`, a "📱 Open app" row under them (only for a private
    chat: Telegram refuses web app buttons in groups)."""
    if app_url is None:
        return markup
    button = InlineKeyboardButton(_("📱 Open app"), web_app=WebAppInfo(app_url))
    return InlineKeyboardMarkup([*markup.inline_keyboard, [button]])


def render_snoozed(task: Task, until: datetime, *, tz: ZoneInfo, now: datetime) -> str:
    """A reminder message after Snooze."""
    when = moment_html(until, tz, now=now, kind=RELATIVE)  # "again in 10 minutes"
    return f"💤 <b>{task_ref(task.number)}</b> {escape(task.title)}\n" + _(
        "I'll remind you again %(when)s.", when=when
    )


def render_reminder_done(completed: Completed, *, tz: ZoneInfo, now: datetime) -> str:
    """A reminder message after Done (with the next occurrence of a recurring task)."""
    task, next_due = completed.task, completed.next_due
    text = f"✅ <b>{task_ref(task.number)}</b> <s>{escape(task.title)}</s>"
    if next_due is not None:
        when = moment_html(next_due, tz, now=now)
        text += "\n" + _("🔁 Next time: %(when)s", when=when)
    return text


def _lines(tasks: Sequence[Task], tz: ZoneInfo, now: datetime) -> list[str]:
    return fit_lines(
        [
            f"<b>{task_ref(t.number)}</b> {escape(t.title)}{due_text(t, tz=tz, now=now)}"
            for t in tasks
        ]
    )


def render_today(tasks: Sequence[Task], *, tz: ZoneInfo, now: datetime, default_zone: bool) -> str:
    """The reply to /today: overdue and due-today tasks."""
    if not tasks:
        lines = [_("🌤 Nothing due today.")]
    else:
        lines = [
            ngettext(
                "📅 <b>Due today</b> · %(count)s", "📅 <b>Due today</b> · %(count)s", len(tasks)
            ),
            *_lines(tasks, tz, now),
        ]
    if default_zone:
        lines += ["", _(TIMEZONE_HINT)]
    return "\n".join(lines)


def render_digest(tasks: Sequence[Task], *, tz: ZoneInfo, now: datetime) -> str:
    """The daily digest message."""
    head = ngettext("☀️ <b>Today</b> · %(count)s due", "☀️ <b>Today</b> · %(count)s due", len(tasks))
    return "\n".join([head, *_lines(tasks, tz, now)])


def render_timezone(name: str, *, now: datetime, tz: ZoneInfo) -> str:
    """The reply to /timezone."""
    local = now.astimezone(tz)
    return _(
        "🌍 Time zone: <b>%(zone)s</b> (it is %(time)s there now).",
        zone=escape(name),
        time=clock_text(local.hour, local.minute),
    )


def render_nag(task: Task) -> str:
    """The reply to /nag."""
    ref = task_ref(task.number)
    if not task.nag_minutes:
        return _("🔕 <b>%(task)s</b> will be reminded once.", task=ref)
    return ngettext(
        "🔔 <b>%(task)s</b>: I'll repeat its reminder every %(count)s min until it is done.",
        "🔔 <b>%(task)s</b>: I'll repeat its reminder every %(count)s min until it is done.",
        task.nag_minutes,
        task=ref,
    )


def _clock(minute: int) -> str:
    return clock_text(minute // 60, minute % 60)


def render_quiet(start: int | None, end: int | None) -> str:
    """The reply to /quiet."""
    if start is None or end is None:
        return _("🔔 No quiet hours: reminders come when they are due.")
    return _(
        "🤫 Quiet hours %(start)s–%(end)s: reminders due then wait until the end.",
        start=_clock(start),
        end=_clock(end),
    )


def render_digest_setting(minute: int | None) -> str:
    """The reply to /digest."""
    if minute is None:
        return _("🔔 No digest: each reminder comes on its own.")
    return _(
        "☀️ A digest of the day's tasks comes at %(time)s, instead of one reminder each.",
        time=_clock(minute),
    )
