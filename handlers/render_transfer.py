"""The texts and keyboards of /export, /import and /calendar (the files themselves are made in
handlers/task_export.py and read in handlers/task_import.py)."""

from collections.abc import Sequence

from telegram import ForceReply

from handlers.i18n import N_, _, in_every_language, ngettext, number, task_ref
from handlers.render_text import escape, fit_lines, shorten
from handlers.task_files import MAX_IMPORT_BYTES, MAX_PROBLEMS_SHOWN
from storage.transfer import MAX_IMPORT_TASKS, Imported
from storage.values import Task

# Translated where they are shown.
USAGE_CALENDAR = N_(
    "Usage: /calendar — your own calendar address; /calendar reset for a new one (the old one"
    " stops). In a group, admins can stop everyone's with /calendar reset all"
)
EXPORT_CSV_CAPTION = N_("📊 The same tasks as CSV, for spreadsheets.")
EXPORT_EMPTY = N_("📭 There is nothing to export: this chat has no tasks.")
CALENDAR_UNAVAILABLE = N_(
    "📅 I can't offer a calendar address: this bot doesn't know its public web address."
    " Whoever runs it can set PUBLIC_URL (the https address of its web server), or run it"
    " with WEBHOOK_URL."
)
_IMPORT_PROMPT = N_("📥 Send me the file to import")


def _open_and_done(open_count: int, done: int) -> str:
    return _("%(open)s open, %(done)s done", open=number(open_count), done=number(done))


def render_export_caption(tasks: Sequence[Task], *, truncated: bool) -> str:
    """The caption of the JSON file."""
    done = sum(task.done for task in tasks)
    text = ngettext(
        "📦 %(count)s task (%(states)s).",
        "📦 %(count)s tasks (%(states)s).",
        len(tasks),
        states=_open_and_done(len(tasks) - done, done),
    )
    if truncated:
        text += " " + ngettext(
            "Only the first %(count)s fits in one export.",
            "Only the first %(count)s fit in one export.",
            len(tasks),
        )
    return text + " " + _("Send this file with /import to bring them into any chat.")


# -- import ---------------------------------------------------------------------------------


def render_import_prompt() -> tuple[str, ForceReply]:
    """The answer to a bare /import: what to send, as a reply to this message."""
    text = (
        _(_IMPORT_PROMPT)
        + " "
        + _(
            "as a reply to this message: a JSON file from /export, or a CSV file with a"
            " <b>title</b> column (description, done and due_at are optional)."
        )
        + "\n"
        + ngettext(
            "At most %(count)s tasks and %(size)s MB.",
            "At most %(count)s tasks and %(size)s MB.",
            MAX_IMPORT_TASKS,
            count=number(MAX_IMPORT_TASKS, grouped=True),
            size=number(MAX_IMPORT_BYTES // 1024 // 1024),
        )
        + " "
        + _("You can also send the file with the caption /import.")
    )
    placeholder = shorten(_("Attach the file"), 64)
    return text, ForceReply(selective=True, input_field_placeholder=placeholder)


def is_import_prompt(text: str | None) -> bool:
    """Whether a message of the bot (as Telegram returns its text) is the import prompt, in
    whichever language it was written."""
    return bool(text) and any(str(text).startswith(p) for p in in_every_language(_IMPORT_PROMPT))


def render_imported(added: Imported) -> str:
    """The reply to a successful import."""
    if not added.count:
        return _("📭 The file holds no tasks: nothing was imported.")
    first, last = added.first, added.last
    numbers = task_ref(first) if first == last else f"{task_ref(first)}–{task_ref(last)}"
    return ngettext(
        "📥 Imported %(count)s task as %(numbers)s (%(states)s). /list shows them.",
        "📥 Imported %(count)s tasks as %(numbers)s (%(states)s). /list shows them.",
        added.count,
        numbers=numbers,
        states=_open_and_done(added.count - added.done, added.done),
    )


def render_import_rejected(problems: Sequence[str]) -> str:
    """Why a file was refused; nothing was imported (`problems` are in the chat's language)."""
    shown = [f"• {escape(shorten(problem, 300))}" for problem in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        more = len(problems) - MAX_PROBLEMS_SHOWN
        shown.append(ngettext("… and %(count)s more", "… and %(count)s more", more))
    return "\n".join([_("⚠️ Nothing was imported:"), *fit_lines(shown)])


def render_calendar_url(url: str, *, reset: bool, group: str | None = None) -> str:
    """The person's feed address (of their own list, or of the group `group` names), sent in
    the private chat only."""
    if reset:
        first = _("🔄 New calendar address; the old one no longer works.")
    elif group is None:
        first = _("📅 Your calendar")
    else:
        first = _("📅 Your calendar of <b>%(group)s</b>", group=escape(shorten(group, 100)))
    lines = [
        first,
        _(
            "Subscribe to this address in any calendar app (Google Calendar: Other calendars"
            " → From URL; Apple Calendar: File → New Calendar Subscription). It lists the open"
            " tasks with due times:"
        ),
        "",
        f"<code>{escape(url)}</code>",
        "",
        _(
            "It is yours alone: anyone with it can read these tasks, so keep it private."
            " /calendar reset makes a new one and stops the old."
        ),
    ]
    if group is not None:
        lines.append(_("It stops working when you leave the group."))
    return "\n".join(lines)


def render_calendar_sent(*, reset: bool) -> str:
    """The group's reply to /calendar: the address went to the person privately."""
    if reset:
        return _("🔄 I sent you a new calendar address privately; your old one no longer works.")
    return _("📅 I sent you your calendar address in a private message.")


def render_calendar_start_first(bot_username: str) -> str:
    """The group's reply to /calendar from someone the bot cannot write to privately."""
    return _(
        "📅 Calendar addresses are personal, so I send them privately: first open a chat with"
        " @%(bot)s and press Start, then send /calendar here again.",
        bot=escape(bot_username),
    )


def render_calendar_all_ended(ended: int) -> str:
    """The reply to an admin's /calendar reset all."""
    return ngettext(
        "🔄 Every calendar address of this group's list stops working now (%(count)s ended)."
        " Members get a new one with /calendar.",
        "🔄 Every calendar address of this group's list stops working now (%(count)s ended)."
        " Members get a new one with /calendar.",
        ended,
    )


# Translated where they are shown.
CALENDAR_PERSONAL_ONLY = N_(
    "📅 Calendar addresses are personal: send /calendar from your own account, not as the group"
    " or a channel."
)
CALENDAR_ADMINS_ONLY = N_(
    "Only the group's admins can stop everyone's calendar addresses. /calendar reset renews your"
    " own."
)
