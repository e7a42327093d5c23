"""The texts and buttons of /clear (deleting a list's done tasks at once, with Undo)."""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.button_actions import ClearDone, KeepDone, UndoClear
from handlers.callbacks import encode
from handlers.i18n import N_, _, ngettext, number

# Said where they are shown: _(ADMINS_ONLY), _(NOTHING_DONE).
ADMINS_ONLY = N_("🔒 Only an admin of this group can clear its done tasks.")
NOTHING_DONE = N_("🧹 There are no done tasks to clear.")


def render_clear_prompt(done: int) -> tuple[str, InlineKeyboardMarkup]:
    """What /clear deletes, and the buttons to confirm (the owner's or an admin's press) or not."""
    count = number(done, grouped=True)
    text = ngettext(
        "🧹 <b>Delete the %(count)s done task of this list?</b>\nOpen tasks stay. Undo brings"
        " it back right after.",
        "🧹 <b>Delete the %(count)s done tasks of this list?</b>\nOpen tasks stay. Undo brings"
        " them back right after.",
        done,
        count=count,
    )
    confirm = ngettext(
        "🗑 Delete %(count)s done task", "🗑 Delete %(count)s done tasks", done, count=count
    )
    buttons = [
        InlineKeyboardButton(confirm, callback_data=encode(ClearDone())),
        InlineKeyboardButton(_("Keep them"), callback_data=encode(KeepDone())),
    ]
    return text, InlineKeyboardMarkup([buttons])


def render_cleared(count: int, stamp: int | None) -> tuple[str, InlineKeyboardMarkup | None]:
    """After /clear was confirmed: how many went, with Undo (none went: nothing to undo)."""
    if not count or stamp is None:
        return _(NOTHING_DONE), None
    text = ngettext(
        "🗑 Deleted %(count)s done task. /list shows the open ones.",
        "🗑 Deleted %(count)s done tasks. /list shows the open ones.",
        count,
        count=number(count, grouped=True),
    )
    undo = InlineKeyboardButton(_("↩️ Undo"), callback_data=encode(UndoClear(stamp)))
    return text, InlineKeyboardMarkup([[undo]])


def render_clear_undone(count: int) -> str:
    """After the clear's Undo: how many came back (none: they were already back)."""
    if not count:
        return _("↩️ Nothing to bring back: those tasks are back already.")
    return ngettext(
        "↩️ Brought back %(count)s done task.",
        "↩️ Brought back %(count)s done tasks.",
        count,
        count=number(count, grouped=True),
    )
