"""The texts and buttons of /forget (deleting a chat's data for good)."""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.button_actions import ForgetChat, KeepChat
from handlers.callbacks import encode
from handlers.i18n import N_, _, ngettext

# Said where they are shown: _(ADMINS_ONLY).
ADMINS_ONLY = N_("🔒 Only an admin of this group can make me forget it.")
KEPT = N_("👍 Nothing was deleted.")


def render_forget_prompt(*, group: bool) -> tuple[str, InlineKeyboardMarkup]:
    """What /forget deletes, and the buttons to confirm (an admin's press only) or not."""
    if group:
        text = _(
            "⚠️ <b>Forget this group?</b>\nThis deletes for good every task of this group (in"
            " every topic), done and deleted ones too, with their notes, due times and"
            " assignees, and its settings and calendar address. It cannot be undone: /export"
            " first to keep a copy."
        )
    else:
        text = _(
            "⚠️ <b>Forget this chat?</b>\nThis deletes for good every task of this chat, done"
            " and deleted ones too, with their notes, due times and assignees, and its settings"
            " and calendar address. It cannot be undone: /export first to keep a copy."
        )
    buttons = [
        InlineKeyboardButton(_("🗑 Delete everything"), callback_data=encode(ForgetChat())),
        InlineKeyboardButton(_("Keep it"), callback_data=encode(KeepChat())),
    ]
    return text, InlineKeyboardMarkup([buttons])


def render_forgotten(tasks: int) -> str:
    """After /forget was confirmed."""
    if not tasks:
        return _(
            "🗑 Forgotten: no tasks and every setting of this chat are deleted for good."
            " /add starts a new list."
        )
    return ngettext(
        "🗑 Forgotten: %(count)s task and every setting of this chat are deleted for good."
        " /add starts a new list.",
        "🗑 Forgotten: %(count)s tasks and every setting of this chat are deleted for good."
        " /add starts a new list.",
        tasks,
    )
