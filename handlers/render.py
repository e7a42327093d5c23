"""The task commands' texts and keyboards, and what every render module shares (escaping,
shortening, fitting lines into a message, the usage and error texts): pure functions of plain
values. The list message is render_list's; the other areas have a render_<area> of their own.

All user text passes through `escape` before it is shown; messages stay within Telegram's
limits (a list page holds at most PAGE_SIZE tasks of at most 256 characters each).
"""

import functools
import html
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callbacks import Undo, encode
from handlers.i18n import (
    N_,
    _,
    in_every_language,
    isolate,
    localized_digits,
    ngettext,
    number,
    task_ref,
)
from handlers.rate_limits import RateLimited
from handlers.render_time import (
    describe_reminders_before,
    describe_stored_recurrence,
    moment_html,
)
from storage.errors import (
    InvalidDescription,
    InvalidDue,
    InvalidTitle,
    ListFull,
    NotAssignee,
    StorageError,
    StorageUnavailable,
    TaskNotFound,
    TooManyTasks,
)
from storage.validation import EARLIEST_MOMENT, LATEST_MOMENT
from storage.values import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Completed, DoneResult, Task

PAGE_SIZE = 10
BUTTON_TITLE_LENGTH = 28
MAX_MESSAGE_LENGTH = 4096

# Usage texts, translated where they are shown (`_(USAGE_ADD)`).
USAGE_ADD = N_("Usage: /add Buy milk — or one task per line:\n/add Milk\nEggs\nBread")
USAGE_DONE = N_("Usage: /done 3 — or several: /done 3 4 5")
USAGE_EDIT = N_("Usage: /edit 3 New title — or /edit 3 and then send the title")
USAGE_DELETE = N_("Usage: /delete 3")
USAGE_SHOW = N_("Usage: /show 3")
USAGE_NOTE = N_("Usage: /note 3 Some details — or /note 3 - to remove the note")

# The command menu and /help, in the order shown; the descriptions are translated where shown.
COMMANDS: list[tuple[str, str]] = [
    ("add", N_("Add tasks: /add Buy milk (one per line for several)")),
    ("list", N_("Show the list with buttons")),
    ("done", N_("Mark tasks done: /done 3 4")),
    ("edit", N_("Rename a task: /edit 3 New title")),
    ("delete", N_("Delete a task: /delete 3")),
    ("show", N_("Show a task in full: /show 3")),
    ("note", N_("Add details to a task: /note 3 Some details")),
    ("check", N_("Add checklist items to a task: /check 3 Buy eggs")),
    ("attach", N_("Attach a photo or file to a task: /attach 3, then send it")),
    ("labels", N_("The list's labels (hashtags in titles) with counts")),
    ("find", N_("Search titles and notes: /find milk")),
    ("due", N_("Set a due time and reminder: /due 3 tomorrow 9:00")),
    ("remind", N_("Remind before the due time too: /remind 3 1h before")),
    ("today", N_("What is due today and overdue")),
    ("timezone", N_("Set the chat's time zone: /timezone Europe/Berlin")),
    ("nag", N_("Repeat a reminder until done: /nag 3 30m")),
    ("quiet", N_("Quiet hours for reminders: /quiet 22:00-07:00")),
    ("digest", N_("One daily digest instead of reminders: /digest 8:00")),
    ("assign", N_("In a group, assign a task: /assign 3 @username")),
    ("unassign", N_("Take a task's assignees off: /unassign 3")),
    ("mine", N_("The tasks assigned to you in your groups")),
    ("export", N_("Download the tasks as JSON and CSV files")),
    ("import", N_("Add tasks from a JSON (from /export) or CSV file")),
    ("calendar", N_("Your private calendar address of the tasks' due times")),
    ("language", N_("Choose the language I speak here")),
    ("forget", N_("Delete this chat's tasks and settings for good (admins)")),
    ("help", N_("How to use this bot")),
]
# What Telegram shows on the bot's profile and in an empty chat with it (setMyShortDescription,
# setMyDescription), in each language.
SHORT_DESCRIPTION = N_("A to-do list for you and your groups, with reminders.")
DESCRIPTION = N_(
    "I keep to-do lists: yours in this chat, and a shared one in each group I am added to."
    " Add tasks with /add, tick them off in /list, set due times and reminders with /due."
)
# The reasons a title can be refused that are said in words of their own (storage's and an
# import file's); the too-long ones are said from their length.
_TITLE_REASONS = (
    N_("the title is empty"),
    N_("the title is missing"),
    N_("the title is no text"),
)

_EDIT_PROMPT = N_("✏️ New title for %(task)s? Now: %(title)s")


def escape(text: str) -> str:
    """User text made safe for HTML parse mode (and, in a right-to-left language, isolated so
    that its own direction and its digits leave the message's order alone)."""
    return isolate(html.escape(text, quote=False))


def shorten(text: str, length: int) -> str:
    """At most `length` characters, with an ellipsis when cut."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def render_help(*, first_time: bool) -> str:
    """The welcome (for /start) or the help text (for /help)."""
    lines = []
    if first_time:
        lines += [
            _("👋 <b>Hi! I keep a to-do list for this chat.</b>"),
            _("In a group, the list belongs to the group and everyone can use it."),
            "",
        ]
    lines.append(_("<b>Commands</b>"))
    lines += [f"/{name} — {html.escape(_(description))}" for name, description in COMMANDS]
    lines += [
        "",
        _("Tap a task in /list to tick it off; ✏️ renames it and 🗑 deletes it (with Undo)."),
        _("Add with a due time: /add Call mom @ tomorrow 18:00 (or every monday 9:00)."),
        _(
            "Repeat: /due 3 every other friday 18:00 — or every 3 days, every month on the 15th,"
            " every last day of the month, every first monday, every year on dec 1, or every! 3"
            " days (counted from when it is done)."
        ),
        _("Remind before: /due 3 fri 18:00 remind 1d 1h before."),
        _(
            "/calendar reset makes you a new calendar address and stops the old one; in a group,"
            " admins stop everyone's with /calendar reset all."
        ),
        _(
            "Priority: /add Call the bank !1 (!1 is the highest, then !2 and !3); /list shows"
            " tasks by priority, then due time."
        ),
        _("Labels are hashtags in a title: /add Pay rent #home; /list #home shows them."),
        _("Filter the list: /list today, /list overdue, /list upcoming, /list !1 #work."),
        _(
            "Checklist: lines starting with “- ” under a task in /add are its items; /check 3"
            " Charger adds one; /show 3 ticks them."
        ),
        _("Files: reply to /show 3 with a photo, document, voice note or video to attach it."),
        ngettext(
            "Titles can be up to %(count)s character long.",
            "Titles can be up to %(count)s characters long.",
            TITLE_MAX_LENGTH,
        ),
        _("/language changes the language I speak here."),
    ]
    return "\n".join(lines)


def fit_lines(lines: Sequence[str], *, budget: int = MAX_MESSAGE_LENGTH - 200) -> list[str]:
    """As many of `lines` as fit in `budget` characters, then a line saying how many were left."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        if used + len(line) + 1 > budget:
            left = len(lines) - index
            kept.append(ngettext("… and %(count)s more", "… and %(count)s more", left))
            break
        kept.append(line)
        used += len(line) + 1
    return kept


def render_added(
    tasks: Sequence[Task], *, tz: ZoneInfo | None = None, now: datetime | None = None
) -> str:
    """The reply to /add (with due times said back in the chat's zone, when given)."""
    if len(tasks) == 1:
        return _("➕ Added %(task)s", task=task_line(tasks[0], tz=tz, now=now))
    lines = [ngettext("➕ Added %(count)s task:", "➕ Added %(count)s tasks:", len(tasks))]
    lines += fit_lines([task_line(task, tz=tz, now=now) for task in tasks])
    return "\n".join(lines)


def due_text(task: Task, *, tz: ZoneInfo, now: datetime) -> str:
    """The due part of a task line: ` · ⏰ tomorrow 09:00`, overdue, or '' when none."""
    if task.due_at is None or task.done:
        return ""
    when = moment_html(task.due_at, tz, now=now)
    repeat = " 🔁" if task.recurrence else ""
    if task.due_at <= now:
        return " · " + _("⚠️ overdue (%(when)s)", when=when) + repeat
    return f" · ⏰ {when}{repeat}"


# How a task's priority shows, before its title (`!1` is the highest).
PRIORITY_MARKS = {1: "🔴", 2: "🟠", 3: "🟡"}


def priority_mark(task: Task) -> str:
    """The mark of a task's priority and a space, or '' without one."""
    return f"{PRIORITY_MARKS[task.priority]} " if task.priority in PRIORITY_MARKS else ""


def progress_text(task: Task) -> str:
    """What a task line shows after its due time: ` · ☑️ 2/5` of its checklist, ` · 📎 2`
    files attached; '' when it has neither."""
    parts = []
    if task.checklist:
        parts.append("☑️ " + isolate(f"{number(task.checked)}/{number(len(task.checklist))}"))
    if task.attachments:
        parts.append(f"📎 {number(len(task.attachments))}")
    return "".join(f" · {part}" for part in parts)


def task_line(
    task: Task,
    *,
    tz: ZoneInfo | None = None,
    now: datetime | None = None,
    struck: bool | None = None,
    title_length: int = TITLE_MAX_LENGTH,
) -> str:
    """A task in one line (its priority's mark, title, due time, checklist progress, files);
    its title struck through when it is done (or `struck` says so), and shortened to
    `title_length` when asked."""
    title = escape(shorten(task.title, title_length))
    due = due_text(task, tz=tz, now=now) if tz is not None and now is not None else ""
    struck = task.done if struck is None else struck
    shown = f"<s>{title}</s>" if struck else title
    return f"<b>{task_ref(task.number)}</b> {priority_mark(task)}{shown}{due}{progress_text(task)}"


def task_refs(numbers: Sequence[int], *, most: int = 20) -> str:
    """Task numbers as a list: "#3, #4" (and how many more past `most`)."""
    shown = ", ".join(task_ref(number) for number in numbers[:most])
    if len(numbers) <= most:
        return shown
    more = len(numbers) - most
    return ngettext(
        "%(numbers)s and %(count)s more", "%(numbers)s and %(count)s more", more, numbers=shown
    )


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


def invalid_text_reason(error: InvalidTitle | InvalidDescription) -> str:
    """Why a title or a note was refused, in words (plain text), and on which line of
    several."""
    if isinstance(error, InvalidDescription):
        if error.length is None:
            return error.reason
        return ngettext(
            "the note is %(length)s character long; the limit is %(count)s",
            "the note is %(length)s characters long; the limit is %(count)s",
            DESCRIPTION_MAX_LENGTH,
            length=number(error.length),
        )
    if error.length is not None:
        reason = ngettext(
            "the title is %(length)s character long; the limit is %(count)s",
            "the title is %(length)s characters long; the limit is %(count)s",
            TITLE_MAX_LENGTH,
            length=number(error.length),
        )
    else:
        reason = _(error.reason.split(": ")[-1])  # one of _TITLE_REASONS
    if error.line is not None:
        return _("line %(line)s: %(reason)s", line=number(error.line), reason=reason)
    return reason


def render_undo_refused(task: Task) -> str:
    """Why a group member may not bring a deleted task back."""
    return _(
        "🔒 Only the person who added <b>%(task)s</b> or a group admin can bring it back.",
        task=task_ref(task.number),
    )


# Said where they are shown: _(NOT_A_MEMBER).
NOT_A_MEMBER = N_("🔒 Only members of this group can use its list.")
MEMBERSHIP_UNKNOWN = N_(
    "⏳ I can't check with Telegram that you are in this group right now. Please try again in a"
    " moment."
)


def render_storage_error(error: StorageError) -> str:
    """A storage error as the chat sees it."""
    match error:
        case TaskNotFound(number=task_number):
            return _(
                "🤷 There is no task %(task)s here. /list shows the numbers.",
                task=task_ref(task_number),
            )
        case InvalidTitle():
            reason = html.escape(invalid_text_reason(error))
            return _("⚠️ That title won't do: %(reason)s.", reason=reason)
        case InvalidDescription():
            reason = html.escape(invalid_text_reason(error))
            return _("⚠️ That note won't do: %(reason)s.", reason=reason)
        case TooManyTasks(limit=limit):
            return ngettext(
                "⚠️ That is too many at once: add at most %(count)s task per message.",
                "⚠️ That is too many at once: add at most %(count)s tasks per message.",
                limit,
            )
        case ListFull(max_open=max_open, max_total=max_total):
            return ngettext(
                "📦 This list is full: it holds at most %(count)s open task and %(total)s in all"
                " (done ones included). Nothing was added; delete or finish some first.",
                "📦 This list is full: it holds at most %(count)s open tasks and %(total)s in all"
                " (done ones included). Nothing was added; delete or finish some first.",
                max_open,
                count=number(max_open, grouped=True),
                total=number(max_total, grouped=True),
            )
        case InvalidDue():
            # Storage's reason is English; the chat's time phrases never get this far (they
            # are at most five years ahead), so the window is said instead.
            return _(
                "⚠️ That time won't do: I keep times from %(earliest)s to %(latest)s.",
                earliest=localized_digits(EARLIEST_MOMENT.date().isoformat()),
                latest=localized_digits((LATEST_MOMENT - timedelta(days=1)).date().isoformat()),
            )
        case NotAssignee():
            return _(
                "🔒 Only the people this task is assigned to can do that,"
                " while they are in its group."
            )
        case StorageUnavailable():
            return _("⏳ I can't reach my storage right now. Please try again in a minute.")
    return _("⚠️ That didn't work. Please try again.")


def render_rate_limited(error: RateLimited) -> str:
    """The answer to a user over a rate limit (nothing was done)."""
    text = _RATE_LIMITED.get(error.what, _RATE_LIMITED["requests"])
    return _(text, seconds=number(error.retry_after))


# What each rate limit (handlers.rate_limits.RateLimits) says, by its `what`.
_RATE_LIMITED = {
    "tasks added": N_(
        "⏳ That is a lot of tasks added in a short time. Nothing was done this time; please try"
        " again in %(seconds)s s."
    ),
    "imports": N_(
        "⏳ That is a lot of imports in a short time. Nothing was done this time; please try"
        " again in %(seconds)s s."
    ),
    "requests": N_(
        "⏳ That is a lot of requests in a short time. Nothing was done this time; please try"
        " again in %(seconds)s s."
    ),
}


def render_usage(message: str) -> str:
    """A usage explanation (`message` is in the chat's language already, plain text)."""
    return f"ℹ️ {html.escape(message, quote=False)}"


# Said where they are shown: _(SOMETHING_WENT_WRONG).
SOMETHING_WENT_WRONG = N_("😵 Something went wrong on my side. Please try again.")
BUTTON_OUTDATED = N_("This button is outdated. Send /list for a fresh list.")
PLAIN_TEXT_HINT = N_("To add this as a task, send /add followed by it. /help lists what I can do.")
UNKNOWN_COMMAND = N_("ℹ️ I don't know that command. /help lists what I can do.")

_TAG = re.compile(r"<[^>]*>")


def shown_length(text_html: str) -> int:
    """How long the text an HTML message shows is, as Telegram's 4,096 limit counts it (in
    UTF-16 code units: an emoji counts two)."""
    return len(html.unescape(_TAG.sub("", text_html)).encode("utf-16-le")) // 2


def plain(text_html: str) -> str:
    """An HTML message as plain text (for button answers, which take no markup), ≤200 chars."""
    return shorten(html.unescape(_TAG.sub("", text_html)), 200)
