"""The bot's introduction: the welcome (/start), /help, the command menu and the bot's
descriptions on its profile.
"""

import html

from handlers.i18n import N_, _, ngettext
from storage.values import TITLE_MAX_LENGTH

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
    ("clear", N_("Delete the done tasks, with Undo (admins in a group)")),
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
