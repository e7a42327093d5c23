"""The task commands' texts and keyboards, and what every render module shares (escaping,
shortening, fitting lines into a message, the usage and error texts): pure functions of plain
values. The list message is render_list's; the other areas have a render_<area> of their own.

All user text passes through `escape` before it is shown; messages stay within Telegram's
limits (a list page holds at most PAGE_SIZE tasks of at most 256 characters each).
"""

import html
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callbacks import Undo, encode
from handlers.render_time import (
    describe_reminders_before,
    describe_stored_recurrence,
    local_datetime_text,
)
from storage.errors import (
    InvalidDescription,
    InvalidTitle,
    NotAssignee,
    StorageError,
    StorageUnavailable,
    TaskNotFound,
    TooManyTasks,
)
from storage.models import TITLE_MAX_LENGTH, Completed, DoneResult, Task

PAGE_SIZE = 10
BUTTON_TITLE_LENGTH = 28
MAX_MESSAGE_LENGTH = 4096

USAGE_ADD = "Usage: /add Buy milk — or one task per line:\n/add Milk\nEggs\nBread"
USAGE_DONE = "Usage: /done 3 — or several: /done 3 4 5"
USAGE_EDIT = "Usage: /edit 3 New title — or /edit 3 and then send the title"
USAGE_DELETE = "Usage: /delete 3"
USAGE_SHOW = "Usage: /show 3"
USAGE_NOTE = "Usage: /note 3 Some details — or /note 3 - to remove the note"

COMMANDS: list[tuple[str, str]] = [
    ("add", "Add tasks: /add Buy milk (one per line for several)"),
    ("list", "Show the list with buttons"),
    ("done", "Mark tasks done: /done 3 4"),
    ("edit", "Rename a task: /edit 3 New title"),
    ("delete", "Delete a task: /delete 3"),
    ("show", "Show a task in full: /show 3"),
    ("note", "Add details to a task: /note 3 Some details"),
    ("find", "Search titles and notes: /find milk"),
    ("due", "Set a due time and reminder: /due 3 tomorrow 9:00"),
    ("remind", "Remind before the due time too: /remind 3 1h before"),
    ("today", "What is due today and overdue"),
    ("timezone", "Set the chat's time zone: /timezone Europe/Berlin"),
    ("nag", "Repeat a reminder until done: /nag 3 30m"),
    ("quiet", "Quiet hours for reminders: /quiet 22:00-07:00"),
    ("digest", "One daily digest instead of reminders: /digest 8:00"),
    ("assign", "In a group, assign a task: /assign 3 @username"),
    ("unassign", "Take a task's assignees off: /unassign 3"),
    ("mine", "The tasks assigned to you in your groups"),
    ("export", "Download the tasks as JSON and CSV files"),
    ("import", "Add tasks from a JSON (from /export) or CSV file"),
    ("calendar", "A private calendar address of the tasks' due times"),
    ("help", "How to use this bot"),
]

_EDIT_PROMPT_PREFIX = "✏️ New title for #"
_EDIT_PROMPT = re.compile(re.escape(_EDIT_PROMPT_PREFIX) + r"([0-9]{1,10})\b")


def escape(text: str) -> str:
    """User text made safe for HTML parse mode."""
    return html.escape(text, quote=False)


def shorten(text: str, length: int) -> str:
    """At most `length` characters, with an ellipsis when cut."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def render_help(*, first_time: bool) -> str:
    """The welcome (for /start) or the help text (for /help)."""
    lines = []
    if first_time:
        lines += [
            "👋 <b>Hi! I keep a to-do list for this chat.</b>",
            "In a group, the list belongs to the group and everyone can use it.",
            "",
        ]
    lines.append("<b>Commands</b>")
    lines += [f"/{name} — {escape(description)}" for name, description in COMMANDS]
    lines += [
        "",
        "Tap a task in /list to tick it off; ✏️ renames it and 🗑 deletes it (with Undo).",
        "Add with a due time: /add Call mom @ tomorrow 18:00 (or every monday 9:00).",
        "Repeat: /due 3 every other friday 18:00 — or every 3 days, every month on the 15th,"
        " every last day of the month, every first monday, every year on dec 1, or every! 3"
        " days (counted from when it is done).",
        "Remind before: /due 3 fri 18:00 remind 1d 1h before.",
        f"Titles can be up to {TITLE_MAX_LENGTH} characters long.",
    ]
    return "\n".join(lines)


def fit_lines(lines: Sequence[str], *, budget: int = MAX_MESSAGE_LENGTH - 200) -> list[str]:
    """As many of `lines` as fit in `budget` characters, then a line saying how many were left."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        if used + len(line) + 1 > budget:
            kept.append(f"… and {len(lines) - index} more")
            break
        kept.append(line)
        used += len(line) + 1
    return kept


def render_added(
    tasks: Sequence[Task], *, tz: ZoneInfo | None = None, now: datetime | None = None
) -> str:
    """The reply to /add (with due times said back in the chat's zone, when given)."""
    if len(tasks) == 1:
        return f"➕ Added {task_line(tasks[0], tz=tz, now=now)}"
    lines = [f"➕ Added {len(tasks)} tasks:"]
    lines += fit_lines([task_line(task, tz=tz, now=now) for task in tasks])
    return "\n".join(lines)


def due_text(task: Task, *, tz: ZoneInfo, now: datetime) -> str:
    """The due part of a task line: ` · ⏰ tomorrow 09:00`, overdue, or '' when none."""
    if task.due_at is None or task.done:
        return ""
    when = local_datetime_text(task.due_at, tz, now=now)
    repeat = " 🔁" if task.recurrence else ""
    if task.due_at <= now:
        return f" · ⚠️ overdue ({escape(when)}){repeat}"
    return f" · ⏰ {escape(when)}{repeat}"


def task_line(
    task: Task,
    *,
    tz: ZoneInfo | None = None,
    now: datetime | None = None,
    struck: bool | None = None,
) -> str:
    """A task in one line; its title struck through when it is done (or `struck` says so)."""
    title = escape(task.title)
    due = due_text(task, tz=tz, now=now) if tz is not None and now is not None else ""
    struck = task.done if struck is None else struck
    return f"<b>#{task.number}</b> {f'<s>{title}</s>' if struck else title}{due}"


def render_done_result(result: DoneResult, *, done: bool) -> str:
    """The reply to /done: what was marked, which numbers do not exist, and which recurring
    tasks come back when."""
    lines = []
    missing = result.missing
    if result.completed:
        mark = "✅ Done" if done else "↩️ Open again"
        lines.append(f"{mark}:")
        # A repeating task is open again for its next time, but this occurrence was done.
        lines += fit_lines(
            [task_line(c.task, struck=c.next_due is not None or None) for c in result.completed]
        )
    for number in sorted(result.next_due):
        lines.append(f"🔁 #{number} is back for its next time.")
    if missing:
        numbers = ", ".join(f"#{number}" for number in missing[:20])
        more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
        lines.append(f"🤷 No task {numbers}{more} here. /list shows the numbers.")
    return "\n".join(lines)


def render_notice_done(completed: Completed) -> str:
    """The short answer to a tick or untick button."""
    task = completed.task
    if completed.next_due is not None:
        return f"✅ #{task.number} done; it is back for its next time"
    return f"✅ #{task.number} done" if task.done else f"↩️ #{task.number} is open again"


def render_renamed(task: Task) -> str:
    """The reply to a rename."""
    return f"✏️ Renamed <b>#{task.number}</b> to {escape(task.title)}"


def render_edit_prompt(
    task: Task, *, asker: tuple[int, str] | None = None
) -> tuple[str, ForceReply]:
    """Asks for a new title; the reply to this message is read by its `#N`.

    `asker` (user id, name) is mentioned, so that in a group the reply field opens for that
    person (a selective ForceReply targets mentioned users, or the sender of a quoted message).
    """
    text = (
        f"{_EDIT_PROMPT_PREFIX}{task.number}? Now: {escape(shorten(task.title, 200))}\n"
        "Reply to this message with the new title."
    )
    if asker is not None:
        user_id, name = asker
        text += f' <a href="tg://user?id={user_id}">{escape(shorten(name, 64))}</a>'
    return text, ForceReply(
        selective=True, input_field_placeholder=f"New title for #{task.number}"
    )


def parse_edit_prompt(text: str | None) -> int | None:
    """The task number an edit prompt (as Telegram returns its text) asks about, if it is one."""
    if not text:
        return None
    match = _EDIT_PROMPT.match(text)
    return int(match.group(1)) if match else None


def render_note_set(task: Task) -> str:
    """The reply to /note."""
    if task.description is None:
        return f"📝 Removed the note of <b>#{task.number}</b>."
    return f"📝 Saved the note of <b>#{task.number}</b> {escape(shorten(task.title, 100))}."


def render_deleted(task: Task) -> tuple[str, InlineKeyboardMarkup]:
    """The reply to /delete, with an Undo button."""
    undo = Undo(task.number, None)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("↩️ Undo", callback_data=encode(undo))]])
    return f"🗑 Deleted <b>#{task.number}</b> {escape(task.title)}", markup


def render_deleted_notice(task: Task) -> str:
    """The line on top of a list after a delete from it."""
    return f"🗑 Deleted <b>#{task.number}</b> {escape(shorten(task.title, 100))}"


def render_restored(task: Task) -> str:
    """The reply (or list notice) after Undo."""
    return f"↩️ Restored <b>#{task.number}</b> {escape(shorten(task.title, 100))}"


def _utc_text(moment: datetime) -> str:
    """A moment as /show writes it: "2026-06-10 14:00 UTC"."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def render_task(task: Task, *, author: str | None) -> str:
    """The reply to /show: the task in full."""
    status = "✅ done" if task.done else "⬜ to do"
    lines = [f"<b>#{task.number}</b> {escape(task.title)}", f"Status: {status}"]
    if task.description:
        lines += ["", escape(task.description), ""]
    if author:
        lines.append(f"Added by {escape(author)}")
    lines.append(f"Created: {_utc_text(task.created_at)}")
    if task.completed_at is not None:
        lines.append(f"Completed: {_utc_text(task.completed_at)}")
    if task.due_at is not None:
        lines.append(f"Due: {_utc_text(task.due_at)}")
    if task.recurrence:
        lines.append(f"🔁 {escape(describe_stored_recurrence(task.recurrence))}")
    if task.remind_before:
        lines.append(f"🔔 Also reminded {describe_reminders_before(task.remind_before)}")
    return "\n".join(lines)


def render_delete_refused(task: Task) -> str:
    """Why a group member may not delete a task."""
    return f"🔒 Only the person who added <b>#{task.number}</b> or a group admin can delete it."


def render_storage_error(error: StorageError) -> str:
    """A storage error as the chat sees it."""
    match error:
        case TaskNotFound(number=number):
            return f"🤷 There is no task #{number} here. /list shows the numbers."
        case InvalidTitle(reason=reason):
            return f"⚠️ That title won't do: {escape(reason)}."
        case InvalidDescription(reason=reason):
            return f"⚠️ That note won't do: {escape(reason)}."
        case TooManyTasks(limit=limit):
            return f"⚠️ That is too many at once: add at most {limit} tasks per message."
        case NotAssignee():
            return (
                "🔒 Only the people this task is assigned to can do that,"
                " while they are in its group."
            )
        case StorageUnavailable():
            return "⏳ I can't reach my storage right now. Please try again in a minute."
    return "⚠️ That didn't work. Please try again."


def render_usage(message: str) -> str:
    """A usage explanation."""
    return f"ℹ️ {escape(message)}"


SOMETHING_WENT_WRONG = "😵 Something went wrong on my side. Please try again."
BUTTON_OUTDATED = "This button is outdated. Send /list for a fresh list."
PLAIN_TEXT_HINT = "To add this as a task, send /add followed by it. /help lists what I can do."
UNKNOWN_COMMAND = "ℹ️ I don't know that command. /help lists what I can do."

_TAG = re.compile(r"<[^>]*>")


def plain(text_html: str) -> str:
    """An HTML message as plain text (for button answers, which take no markup), ≤200 chars."""
    return shorten(html.unescape(_TAG.sub("", text_html)), 200)
