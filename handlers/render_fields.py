"""The texts and buttons of a task's priority, labels, checklist and attachments: the /show
message in full (its checklist and files, a button per item and per file), /check, /attach,
/labels, the list's filter line, and the answers to their errors. Pure functions.

A /show message and an /attach prompt start with the task's number (`#3 …`, `📎 #3 …`): a
photo, document, voice note or video sent in reply to either is attached to that task
(`replied_task_number` reads it back, in any language).
"""

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

from handlers.button_actions import CheckItem, SendAttachment
from handlers.callbacks import encode
from handlers.i18n import FSI, N_, PDI, _, isolate, ngettext, number, task_ref
from handlers.render import render_task
from handlers.render_task_line import PRIORITY_MARKS
from handlers.render_text import (
    BUTTON_TITLE_LENGTH,
    MAX_MESSAGE_LENGTH,
    escape,
    fit_lines,
    shorten,
)
from storage.errors import (
    AttachmentsFull,
    ChecklistFull,
    InvalidChecklistItem,
    ItemNotFound,
    StorageError,
)
from storage.labels import LabelCount
from storage.task_fields import ITEM_MAX_LENGTH, MAX_LABELS
from storage.values import ListFilter, Task

USAGE_CHECK = N_(
    "Usage: /check 3 Buy eggs — adds an item to #3's checklist (one per line for several)."
    " Tick items with the buttons of /show 3."
)
USAGE_ATTACH = N_(
    "Usage: /attach 3, then send the photo, document, voice note or video as a reply — or"
    " reply to the task's /show message with it."
)
USAGE_LIST = N_(
    "Usage: /list — or /list done, /list today, /list overdue, /list upcoming, /list !1,"
    " /list #label, combined as you like: /list today #work !1"
)
ATTACH_HINT = N_(
    "📎 To attach this to a task, reply to its /show message with it, or send /attach 3 first."
)
NO_LABELS = N_("🏷 No labels yet. A hashtag in a title is one: /add Call the bank #finance")

# Button texts of a checklist item and of a file: about one line on a phone.
ITEM_BUTTON_LENGTH = 40
# What each kind of file is called on its button and in /show.
_KIND_NAMES = {
    "photo": N_("photo"),
    "document": N_("document"),
    "voice": N_("voice note"),
    "video": N_("video"),
}
_KIND_ICONS = {"photo": "🖼", "document": "📄", "voice": "🎤", "video": "🎬"}
# The first line of a /show message or an /attach prompt, as Telegram returns its text.
_TASK_MESSAGE = re.compile(rf"(?:📎 )?{FSI}?#(\d{{1,10}}){PDI}?(?:\s|$)")


def replied_task_number(text: str | None) -> int | None:
    """The task a /show message or an /attach prompt is about (by its first line), if it is
    one of those, in whichever language and digits it was written."""
    match = _TASK_MESSAGE.match(text or "")
    if match is None:
        return None
    return int("".join(str(unicodedata.digit(digit)) for digit in match.group(1)))


def _item_line(place: int, text: str, done: bool) -> str:
    box = "☑️" if done else "⬜"
    return f"{box} {number(place)}. {escape(text)}"


def render_task_in_full(
    task: Task, *, author: str | None, tz: ZoneInfo, now: datetime, reserve: int = 0
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """/show: the task in full (handlers.render.render_task) with its priority, checklist and
    files, and a button per checklist item (tick) and per file (send it). As many checklist
    lines as fit, leaving `reserve` characters for what the caller adds."""
    text = render_task(task, author=author, tz=tz, now=now)
    extra: list[str] = []
    if task.priority in PRIORITY_MARKS:
        mark, marker = PRIORITY_MARKS[task.priority], isolate(f"!{task.priority}")
        extra.append(_("Priority: %(mark)s %(marker)s", mark=mark, marker=marker))
    if task.attachments:
        files = ", ".join(
            f"{number(place)}. {_KIND_ICONS[file.kind]} {escape(_file_name(file.kind, file.name))}"
            for place, file in enumerate(task.attachments, 1)
        )
        extra.append(_("📎 Files: %(files)s", files=files))
    # The checklist last: when a long note leaves no room for every item, the rest is counted
    # ("… and 5 more"), and every item still has its button.
    if task.checklist:
        done, total = number(task.checked), number(len(task.checklist))
        extra.append(_("☑️ Checklist: %(done)s of %(total)s done", done=done, total=total))
        extra += [
            _item_line(place, item.text, item.done) for place, item in enumerate(task.checklist, 1)
        ]
    if extra:
        budget = MAX_MESSAGE_LENGTH - 200 - len(text) - reserve
        text += "\n" + "\n".join(fit_lines(extra, budget=budget))
    return text, task_buttons(task)


def _file_name(kind: str, name: str | None) -> str:
    return shorten(name, 60) if name else _(_KIND_NAMES[kind])


def task_buttons(task: Task) -> list[list[InlineKeyboardButton]]:
    """A button per checklist item (its box ticks it, or opens it again) and per attached
    file (sends it back), for the task's /show message."""
    rows = []
    for place, item in enumerate(task.checklist, 1):
        box = "☑️" if item.done else "⬜"
        label = f"{box} {number(place)}. {isolate(shorten(item.text, ITEM_BUTTON_LENGTH))}"
        action = CheckItem(task.number, place, not item.done)
        rows.append([InlineKeyboardButton(label, callback_data=encode(action))])
    files = [
        InlineKeyboardButton(
            f"{_KIND_ICONS[file.kind]} {number(place)}. "
            + isolate(shorten(_file_name(file.kind, file.name), BUTTON_TITLE_LENGTH)),
            callback_data=encode(SendAttachment(task.number, place)),
        )
        for place, file in enumerate(task.attachments, 1)
    ]
    rows += [files[i : i + 2] for i in range(0, len(files), 2)]
    return rows


def render_show(
    task: Task, *, tz: ZoneInfo, now: datetime
) -> tuple[str, InlineKeyboardMarkup | None]:
    """/show in a private chat: the task in full, with its item and file buttons."""
    text, rows = render_task_in_full(task, author=None, tz=tz, now=now)
    return text, InlineKeyboardMarkup(rows) if rows else None


def render_items_added(task: Task, added: int) -> str:
    """The reply to /check: how many items are on the task's checklist now, how many done."""
    head = f"<b>{task_ref(task.number)}</b> {escape(shorten(task.title, 100))}"
    count = ngettext(
        "☑️ Added %(count)s item to %(task)s.",
        "☑️ Added %(count)s items to %(task)s.",
        added,
        task=head,
    )
    done = _(
        "Checklist: %(done)s of %(total)s done. /show %(number)s ticks them.",
        done=number(task.checked),
        total=number(len(task.checklist)),
        number=task.number,
    )
    return f"{count}\n{done}"


def render_item_ticked(task: Task, place: int) -> str:
    """The short answer to an item's button."""
    item = task.checklist[place - 1] if place <= len(task.checklist) else None
    if item is not None and item.done:
        return _("☑️ Ticked: %(item)s", item=shorten(item.text, 150))
    text = item.text if item is not None else ""
    return _("⬜ Open again: %(item)s", item=shorten(text, 150))


def render_attach_prompt(task: Task) -> tuple[str, ForceReply]:
    """The answer to /attach N: send the file as a reply to this message (its first line
    names the task, which is how the reply is read)."""
    text = f"📎 <b>{task_ref(task.number)}</b> {escape(shorten(task.title, 200))}\n" + _(
        "Reply to this message with a photo, document, voice note or video to attach it."
    )
    placeholder = _("A file for %(task)s", task=f"#{task.number}")
    return text, ForceReply(selective=True, input_field_placeholder=shorten(placeholder, 64))


def render_attached(task: Task) -> str:
    """The reply to a file attached to a task."""
    file = task.attachments[-1]
    return ngettext(
        "📎 Attached to %(task)s: %(kind)s. It has %(count)s file; /show %(number)s sends it"
        " back.",
        "📎 Attached to %(task)s: %(kind)s. It has %(count)s files; /show %(number)s sends"
        " them back.",
        len(task.attachments),
        kind=_(_KIND_NAMES[file.kind]),
        task=f"<b>{task_ref(task.number)}</b> {escape(shorten(task.title, 100))}",
        number=task.number,
    )


def render_labels(labels: Sequence[LabelCount]) -> str:
    """The reply to /labels: each label with how many open (and done) tasks have it."""
    if not labels:
        return _(NO_LABELS)
    lines = [_("🏷 <b>Labels</b> · %(count)s", count=number(len(labels)))]
    for found in labels:
        tag = isolate(f"#{escape(found.label)}")
        counts = ngettext("%(count)s open", "%(count)s open", found.open)
        if found.done:
            counts += ", " + ngettext("%(count)s done", "%(count)s done", found.done)
        lines.append(f"{tag} · {counts}")
    hint = _("/list #label shows a label's tasks, such as /list #%(label)s", label=labels[0].label)
    body = fit_lines(lines, budget=MAX_MESSAGE_LENGTH - 200 - len(hint))
    return "\n".join([*body, "", escape(hint)])


def render_filter_line(page_filter: ListFilter) -> str | None:
    """The line under a filtered list's header: `🔎 #work #home · !1 !2 · due today`. Its
    labels are read back from it by the list's buttons (`filter_labels`)."""
    if not page_filter:
        return None
    parts = []
    if page_filter.labels:
        parts.append(" ".join(isolate(f"#{escape(label)}") for label in page_filter.labels))
    if page_filter.priorities:
        parts.append(" ".join(isolate(f"!{p}") for p in page_filter.priorities))
    if page_filter.due == "today":
        parts.append(_("due today or overdue"))
    elif page_filter.due == "overdue":
        parts.append(_("overdue"))
    elif page_filter.due == "upcoming":
        parts.append(_("due in the next 7 days"))
    return "🔎 " + " · ".join(parts)


_HASHTAG = re.compile(r"#(\w+)")


def filter_labels(text: str | None) -> tuple[str, ...] | None:
    """The labels a list message shows in its filter line (as Telegram returns its text);
    None when it has no filter line with labels."""
    for line in (text or "").splitlines():
        if line.startswith("🔎 "):
            found = tuple(dict.fromkeys(_HASHTAG.findall(line.split(" · ")[0])))
            return found[:MAX_LABELS] or None
    return None


def item_refusal(error: InvalidChecklistItem) -> str:
    """Why a checklist item was refused, in words (and which one, of several)."""
    if error.length is None:
        reason = _("the item is empty")
    else:
        reason = ngettext(
            "the item is %(length)s character long; the limit is %(count)s",
            "the item is %(length)s characters long; the limit is %(count)s",
            ITEM_MAX_LENGTH,
            length=number(error.length),
        )
    if error.place is not None:
        return _("item %(place)s: %(reason)s", place=number(error.place), reason=reason)
    return reason


def fields_error_text(error: StorageError) -> str | None:
    """The chat's answer to a storage error of checklists and attachments, or None for any
    other error."""
    match error:
        case InvalidChecklistItem():
            return _("⚠️ That checklist item won't do: %(reason)s.", reason=item_refusal(error))
        case ChecklistFull(limit=limit):
            return ngettext(
                "⚠️ A checklist holds at most %(count)s item. Nothing was added.",
                "⚠️ A checklist holds at most %(count)s items. Nothing was added.",
                limit,
            )
        case AttachmentsFull(number=task_number, limit=limit):
            return ngettext(
                "⚠️ %(task)s has %(count)s file already, the most a task holds.",
                "⚠️ %(task)s has %(count)s files already, the most a task holds.",
                limit,
                task=task_ref(task_number),
            )
        case ItemNotFound(number=task_number, place=place, attachment=True):
            return _(
                "🤷 %(task)s has no file %(place)s. /show %(number)s lists them.",
                task=task_ref(task_number),
                place=number(place),
                number=task_number,
            )
        case ItemNotFound(number=task_number, place=place):
            return _(
                "🤷 %(task)s has no checklist item %(place)s. /show %(number)s lists them.",
                task=task_ref(task_number),
                place=number(place),
                number=task_number,
            )
    return None
