"""Message text and keyboards about assignees: /assign, /unassign, /mine, the /show card of a
group task, and reminders that go to assignees."""

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.button_actions import AssignedDone, AssignedSnooze, DropTask, TakeTask
from handlers.callbacks import encode
from handlers.i18n import N_, _, ngettext, task_ref
from handlers.render_due import SNOOZE_LABELS, reminder_lines, render_reminder, snooze_label
from handlers.render_fields import render_task_in_full
from handlers.render_task_line import due_text
from handlers.render_text import escape, fit_lines, shorten
from storage.assignees import AssignedTask, Assignee
from storage.values import Task

# Translated where they are shown.
USAGE_ASSIGN = N_(
    "Usage: /assign 3 @username (several names are fine) — or reply to a member's message"
    " with /assign 3"
)
USAGE_UNASSIGN = N_(
    "Usage: /unassign 3 takes everyone off #3; /unassign 3 @username (or as a reply) one person"
)
GROUPS_ONLY = N_(
    "ℹ️ Tasks are assigned in groups: add me to a group and use /assign there. Here the list is"
    " yours alone. /mine shows what is assigned to you in your groups."
)
NO_BOTS = N_("ℹ️ Tasks can be assigned to people, not to bots.")


def display_name(person: Assignee) -> str:
    """What to call someone (plain text): their first name, their @username, or their id."""
    if person.first_name:
        return shorten(person.first_name, 64)
    if person.username:
        return f"@{person.username}"
    return _("user %(id)s", id=person.user_id)


def mention(person: Assignee) -> str:
    """A link that notifies the person in a group (HTML)."""
    return f'<a href="tg://user?id={person.user_id}">{escape(display_name(person))}</a>'


def _names(people: Sequence[Assignee]) -> str:
    return ", ".join(escape(display_name(person)) for person in people)


def render_assigned(assigned: AssignedTask) -> str:
    """The reply to /assign and /unassign: who the task is for now."""
    task = assigned.task
    head = f"<b>{task_ref(task.number)}</b> {escape(shorten(task.title, 100))}"
    if not assigned.assignees:
        return _("🙅 %(task)s is assigned to no one now.", task=head)
    return _("🙋 %(task)s is assigned to %(names)s.", task=head, names=_names(assigned.assignees))


def render_unknown_username(username: str, task_number: int) -> str:
    """Why a @username cannot be assigned: the bot has never seen its holder."""
    shown = escape(shorten(username.lstrip("@"), 40))
    return _(
        "🤷 I don't know @%(username)s yet: ask them to send me /start in a private chat, or"
        " reply to one of their messages with /assign %(number)s",
        username=shown,
        number=task_number,
    )


def render_not_members(people: Sequence[Assignee]) -> str:
    """Why someone cannot be assigned in this group."""
    return ngettext(
        "🔒 %(names)s is not in this group.",
        "🔒 %(names)s are not in this group.",
        len(people),
        names=_names(people),
    )


def render_task_card(
    task: Task, *, author: str | None, assignees: Sequence[Assignee], tz: ZoneInfo, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    """/show in a group: the task in full (with a button per checklist item and file), who
    it is assigned to, and Take it / Drop it."""
    assigned = _("Assigned to: %(names)s", names=_names(assignees)) if assignees else ""
    text, rows = render_task_in_full(
        task, author=author, tz=tz, now=now, reserve=len(assigned) + 1
    )
    if assigned:
        text += "\n" + assigned
    buttons = [
        InlineKeyboardButton(_("🙋 Take it"), callback_data=encode(TakeTask(task.number))),
        InlineKeyboardButton(_("🙅 Drop it"), callback_data=encode(DropTask(task.number))),
    ]
    return text, InlineKeyboardMarkup([*rows, buttons])


def render_mine(
    groups: Sequence[tuple[str, Sequence[Task]]], *, tz: ZoneInfo, now: datetime
) -> str:
    """The reply to /mine: per group (its title), the open tasks assigned to the sender."""
    if not groups:
        return _("🙌 Nothing is assigned to you. In a group, /assign 3 @you or 🙋 on /show 3.")
    count = sum(len(tasks) for _title, tasks in groups)
    lines = [
        ngettext(
            "🙋 <b>Assigned to you</b> · %(count)s", "🙋 <b>Assigned to you</b> · %(count)s", count
        )
    ]
    for title, tasks in groups:
        lines.append("")
        lines.append(f"👥 <b>{escape(shorten(title, 100))}</b>")
        lines += [
            f"<b>{task_ref(t.number)}</b> {escape(t.title)}{due_text(t, tz=tz, now=now)}"
            for t in tasks
        ]
    return "\n".join(fit_lines(lines))


def render_assigned_reminder(
    task: Task, *, group_title: str | None, tz: ZoneInfo, now: datetime, late: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """A group task's reminder sent privately to an assignee; its buttons name the group."""
    if group_title:
        where = _("👥 In %(group)s, assigned to you.", group=escape(shorten(group_title, 100)))
    else:
        where = _("👥 In your group, assigned to you.")
    lines = [f"⏰ <b>{task_ref(task.number)}</b> {escape(task.title)}", where]
    lines += reminder_lines(task, tz=tz, now=now, late=late)

    def snooze(code: str, label: str) -> InlineKeyboardButton:
        action = AssignedSnooze(task.chat_id, task.number, code)
        return InlineKeyboardButton(snooze_label(label), callback_data=encode(action))

    rows = [
        [
            InlineKeyboardButton(
                _("✅ Done"), callback_data=encode(AssignedDone(task.chat_id, task.number))
            )
        ],
        [snooze(code, label) for code, label in list(SNOOZE_LABELS.items())[:2]],
        [snooze(code, label) for code, label in list(SNOOZE_LABELS.items())[2:]],
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def render_group_reminder(
    task: Task, *, mentioned: Sequence[Assignee], tz: ZoneInfo, now: datetime, late: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """A task's reminder in its group, mentioning the assignees it could not reach privately."""
    text, markup = render_reminder(task, tz=tz, now=now, late=late)
    if mentioned:
        names = ", ".join(mention(person) for person in mentioned)
        text += "\n" + _("For: %(names)s", names=names)
    return text, markup
