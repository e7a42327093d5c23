"""The texts and buttons of /forget (deleting a chat's data for good)."""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callbacks import ForgetChat, KeepChat, encode

ADMINS_ONLY = "🔒 Only an admin of this group can make me forget it."
KEPT = "👍 Nothing was deleted."


def render_forget_prompt(*, group: bool) -> tuple[str, InlineKeyboardMarkup]:
    """What /forget deletes, and the buttons to confirm (an admin's press only) or not."""
    whose = "this group" if group else "this chat"
    topics = " (in every topic)" if group else ""
    text = (
        f"⚠️ <b>Forget {whose}?</b>\n"
        f"This deletes for good every task of {whose}{topics}, done and deleted ones too, with"
        " their notes, due times and assignees, and its settings and calendar address."
        " It cannot be undone: /export first to keep a copy."
    )
    buttons = [
        InlineKeyboardButton("🗑 Delete everything", callback_data=encode(ForgetChat())),
        InlineKeyboardButton("Keep it", callback_data=encode(KeepChat())),
    ]
    return text, InlineKeyboardMarkup([buttons])


def render_forgotten(tasks: int) -> str:
    """After /forget was confirmed."""
    counted = f"{tasks} task{'s' if tasks != 1 else ''}" if tasks else "no tasks"
    return (
        f"🗑 Forgotten: {counted} and every setting of this chat are deleted for good."
        " /add starts a new list."
    )
