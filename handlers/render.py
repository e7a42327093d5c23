"""The task commands' replies: added, done, renamed (and the edit prompt), noted, deleted,
restored, a task in full, and their usage lines: pure functions of plain values. The list
message is render_list's; the other areas have a render_<area> of their own.
"""

import functools
import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

from handlers.button_actions import Undo
from handlers.callbacks import encode
from handlers.i18n import N_, _, in_every_language, ngettext, task_ref
from handlers.render_task_line import priority_mark, task_line, task_refs
from handlers.render_text import MAX_MESSAGE_LENGTH, escape, fit_lines, shorten
from handlers.render_time import describe_reminders_before, describe_stored_recurrence, moment_html
from storage.values import Completed, DoneResult, Task

# Usage texts, translated where they are shown (`_(USAGE_ADD)`).
USAGE_ADD = N_("Usage: /add Buy milk — or one task per line:\n/add Milk\nEggs\nBread")
USAGE_DONE = N_("Usage: /done 3 — or several: /done 3 4 5")
USAGE_EDIT = N_("Usage: /edit 3 New title — or /edit 3 and then send the title")
USAGE_DELETE = N_("Usage: /delete 3")
USAGE_SHOW = N_("Usage: /show 3")
USAGE_NOTE = N_("Usage: /note 3 Some details — or /note 3 - to remove the note")

_EDIT_PROMPT = N_("✏️ New title for %(task)s? Now: %(title)s")


def render_added(
    tasks: Sequence[Task], *, tz: ZoneInfo | None = None, now: datetime | None = None
) -> str:
    """The reply to /add (with due times said back in the chat's zone, when given)."""
    if len(tasks) == 1:
        return _("➕ Added %(task)s", task=task_line(tasks[0], tz=tz, now=now))
    lines = [ngettext("➕ Added %(count)s task:", "➕ Added %(count)s tasks:", len(tasks))]
    lines += fit_lines([task_line(task, tz=tz, now=now) for task in tasks])
    return "\n".join(lines)


def render_done_result(result: DoneResult, *, done: bool) -> str:
    """The reply to /done: what was marked, which numbers do not exist, and which recurring
    tasks come back when (as many lines as fit in one message)."""
    head, body, tail = [], [], []
    missing = result.missing
    if result.completed:
        head.append(_("✅ Done:") if done else _("↩️ Open again:"))
        # A repeating task is open again for its next time, but this occurrence was done.
        body += [
            task_line(c.task, struck=c.next_due is not None or None) for c in result.completed
        ]
    for task_number in sorted(result.next_due):
        body.append(_("🔁 %(task)s is back for its next time.", task=task_ref(task_number)))
    if missing:
        tail.append(
            ngettext(
                "🤷 No task %(numbers)s here. /list shows the numbers.",
                "🤷 No task %(numbers)s here. /list shows the numbers.",
                len(missing),
                numbers=task_refs(missing),
            )
        )
    budget = MAX_MESSAGE_LENGTH - 200 - sum(len(line) + 1 for line in head + tail)
    return "\n".join([*head, *fit_lines(body, budget=budget), *tail])


def render_notice_done(completed: Completed) -> str:
    """The short answer to a tick or untick button."""
    task = completed.task
    ref = task_ref(task.number)
    if completed.next_due is not None:
        return _("✅ %(task)s done; it is back for its next time", task=ref)
    if task.done:
        return _("✅ %(task)s done", task=ref)
    return _("↩️ %(task)s is open again", task=ref)


def render_renamed(task: Task) -> str:
    """The reply to a rename."""
    return _(
        "✏️ Renamed <b>%(task)s</b> to %(title)s",
        task=task_ref(task.number),
        title=escape(task.title),
    )


def render_edit_prompt(
    task: Task, *, asker: tuple[int, str] | None = None
) -> tuple[str, ForceReply]:
    """Asks for a new title; the reply to this message is read by its `#N`.

    `asker` (user id, name) is mentioned, so that in a group the reply field opens for that
    person (a selective ForceReply targets mentioned users, or the sender of a quoted message).
    """
    text = (
        _(_EDIT_PROMPT, task=task_ref(task.number), title=escape(shorten(task.title, 200)))
        + "\n"
        + _("Reply to this message with the new title.")
    )
    if asker is not None:
        user_id, name = asker
        text += f' <a href="tg://user?id={user_id}">{escape(shorten(name, 64))}</a>'
    placeholder = _("New title for %(task)s", task=f"#{task.number}")
    return text, ForceReply(selective=True, input_field_placeholder=shorten(placeholder, 64))


@functools.cache
def _edit_prompt_patterns() -> list[re.Pattern[str]]:
    """The start of the edit prompt in every language, up to the task's number."""
    patterns = []
    for prompt in in_every_language(_EDIT_PROMPT):
        before = prompt.split("%(task)s", 1)[0]
        # Task numbers are written in the language's digits, maybe isolated (right-to-left).
        patterns.append(re.compile(re.escape(before) + r"\u2068?#(\d{1,10})\u2069?"))
    return patterns


def parse_edit_prompt(text: str | None) -> int | None:
    """The task number an edit prompt (as Telegram returns its text) asks about, if it is one,
    in whichever language it was written."""
    if not text:
        return None
    for pattern in _edit_prompt_patterns():
        match = pattern.match(text)
        if match:
            return int(match.group(1))
    return None


def render_note_set(task: Task) -> str:
    """The reply to /note."""
    ref = task_ref(task.number)
    if task.description is None:
        return _("📝 Removed the note of <b>%(task)s</b>.", task=ref)
    return _(
        "📝 Saved the note of <b>%(task)s</b> %(title)s.",
        task=ref,
        title=escape(shorten(task.title, 100)),
    )


def render_deleted(task: Task) -> tuple[str, InlineKeyboardMarkup]:
    """The reply to /delete, with an Undo button."""
    undo = Undo(task.number, None)
    button = InlineKeyboardButton(_("↩️ Undo"), callback_data=encode(undo))
    text = _(
        "🗑 Deleted <b>%(task)s</b> %(title)s", task=task_ref(task.number), title=escape(task.title)
    )
    return text, InlineKeyboardMarkup([[button]])


def render_deleted_notice(task: Task) -> str:
    """The line on top of a list after a delete from it."""
    return _(
        "🗑 Deleted <b>%(task)s</b> %(title)s",
        task=task_ref(task.number),
        title=escape(shorten(task.title, 100)),
    )


def render_deleted_answer(task: Task) -> str:
    """The short answer to 🗑 on a list."""
    return _("🗑 Deleted %(task)s", task=task_ref(task.number))


def render_restored(task: Task) -> str:
    """The reply (or list notice) after Undo."""
    return _(
        "↩️ Restored <b>%(task)s</b> %(title)s",
        task=task_ref(task.number),
        title=escape(shorten(task.title, 100)),
    )


def render_restored_answer(task: Task) -> str:
    """The short answer to Undo."""
    return _("↩️ Restored %(task)s", task=task_ref(task.number))


def render_task(task: Task, *, author: str | None, tz: ZoneInfo, now: datetime) -> str:
    """The reply to /show: the task in full, its times in each reader's own zone (the chat's
    for old apps)."""
    status = _("✅ done") if task.done else _("⬜ to do")
    lines = [
        f"<b>{task_ref(task.number)}</b> {priority_mark(task)}{escape(task.title)}",
        _("Status: %(status)s", status=status),
    ]
    if task.due_at is not None:
        when = moment_html(task.due_at, tz, now=now)
        if not task.done and task.due_at <= now:
            lines.append(_("Due: %(when)s ⚠️ overdue", when=when))
        else:
            lines.append(_("Due: %(when)s", when=when))
    if task.recurrence:
        lines.append(
            _("Repeats: %(rule)s", rule=escape(describe_stored_recurrence(task.recurrence)))
        )
    if task.nag_minutes:
        lines.append(
            ngettext(
                "Reminder repeats every %(count)s min until done",
                "Reminder repeats every %(count)s min until done",
                task.nag_minutes,
            )
        )
    if task.description:
        lines += ["", escape(task.description), ""]
    if author:
        lines.append(_("Added by %(name)s", name=escape(author)))
    lines.append(_("Created: %(when)s", when=moment_html(task.created_at, tz, now=now)))
    if task.completed_at is not None:
        lines.append(_("Completed: %(when)s", when=moment_html(task.completed_at, tz, now=now)))
    if task.remind_before:
        before = describe_reminders_before(task.remind_before)
        lines.append(_("🔔 Also reminded %(reminders)s", reminders=before))
    return "\n".join(lines)


def render_delete_refused(task: Task) -> str:
    """Why a group member may not delete a task."""
    return _(
        "🔒 Only the person who added <b>%(task)s</b> or a group admin can delete it.",
        task=task_ref(task.number),
    )


def render_undo_refused(task: Task) -> str:
    """Why a group member may not bring a deleted task back."""
    return _(
        "🔒 Only the person who added <b>%(task)s</b> or a group admin can bring it back.",
        task=task_ref(task.number),
    )
