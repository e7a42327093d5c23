"""A task in one line, as every list, search and reply shows it: its number, priority mark,
title, due time, checklist progress and files; and task numbers as a list.
"""

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.i18n import _, isolate, ngettext, number, task_ref
from handlers.render_text import escape, shorten
from handlers.render_time import moment_html
from storage.values import TITLE_MAX_LENGTH, Task


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
