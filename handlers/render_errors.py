"""What the chat is told when something is refused or fails: storage's errors, rate limits,
membership, usage, outdated buttons, unknown commands and plain text.
"""

import html
from datetime import timedelta

from handlers.i18n import N_, _, localized_digits, ngettext, number, task_ref
from handlers.rate_limits import RateLimited
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
from storage.values import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH

# The reasons a title can be refused that are said in words of their own (storage's and an
# import file's); the too-long ones are said from their length.
_TITLE_REASONS = (
    N_("the title is empty"),
    N_("the title is missing"),
    N_("the title is no text"),
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
                " (done ones included). Nothing was added; finish or delete some first (/clear"
                " deletes the done ones).",
                "📦 This list is full: it holds at most %(count)s open tasks and %(total)s in all"
                " (done ones included). Nothing was added; finish or delete some first (/clear"
                " deletes the done ones).",
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
