"""The list message: a line per task (its priority, due time in the list's zone, checklist
progress), a row of buttons per task (tick, rename, delete), paging, the open/done switch, Undo
and "Open app"; a filtered list shows its filter in a line of its own (handlers.render_fields),
where its buttons read its labels back."""

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from handlers.button_actions import AskNewTitle, Delete, ListView, SetDone, ShowList, Undo
from handlers.callbacks import encode
from handlers.i18n import _, isolate, number, task_ref
from handlers.render_fields import render_filter_line
from handlers.render_task_line import priority_mark, task_line
from handlers.render_text import BUTTON_TITLE_LENGTH, MAX_MESSAGE_LENGTH, shorten, shown_length
from storage.local_time import chat_zone
from storage.values import TITLE_MAX_LENGTH, TaskPage

# Titles in a list are never shortened below this to fit the message.
MIN_TITLE_LENGTH = 64


def _task_lines(page: TaskPage, *, budget: int, now: datetime | None) -> list[str]:
    """A line per task of the page, their titles shortened (evenly) as far as the lines must
    be to fit in `budget` characters: a page of ten of the longest titles with a long filter
    line would not fit in one message."""
    tz = chat_zone(page.timezone)
    length = TITLE_MAX_LENGTH
    while True:
        lines = [task_line(task, tz=tz, now=now, title_length=length) for task in page.tasks]
        excess = sum(shown_length(line) + 1 for line in lines) - budget
        if excess <= 0 or length <= MIN_TITLE_LENGTH or not lines:
            return lines
        length = max(MIN_TITLE_LENGTH, length - excess // len(lines) - 1)


# A Telegram link (t.me/<bot>/<app>): what a group gets instead of a web_app button.
TELEGRAM_LINK = "https://t.me/"


def render_task_list(
    page: TaskPage,
    *,
    notice: str | None = None,
    undo: Undo | None = None,
    now: datetime | None = None,
    app_url: str | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """A list message: a line per task, a row of buttons per task, paging and a view switch.

    `notice` (already HTML) goes on top; `undo` adds an Undo button for a task just deleted.
    With `now`, due times show in the chat's time zone and overdue tasks are marked. With
    `app_url` a button opens the Mini App: a web_app button in a private chat, a t.me link in
    a group (Telegram refuses web app buttons there).
    """
    view = ListView.of(page, start=page.tasks[0].number if page.tasks else None)
    lines = [notice, ""] if notice else []
    filtered = render_filter_line(page.filter)
    if filtered is not None:
        # A filtered page is not counted (that would read every match): no count here.
        if page.tasks:
            header = _("✅ <b>Done</b>") if page.done else _("📋 <b>To do</b>")
        else:
            header = _("🔎 Nothing here matches.")
        lines += [header, filtered]
    elif page.done:
        header = (
            _("✅ <b>Done</b> · %(count)s", count=number(page.done_total))
            if page.done_total
            else _("✅ Nothing done yet.")
        )
        lines.append(header)
    elif page.open_total:
        lines.append(_("📋 <b>To do</b> · %(count)s", count=number(page.open_total)))
    else:
        lines.append(_("📋 Nothing to do. Add a task: /add Buy milk"))
    if len(page.tasks) > 1 or page.next_start is not None or page.previous_start is not None:
        lines.append("<i>" + _("by priority, then due time, then number") + "</i>")
    budget = MAX_MESSAGE_LENGTH - 100 - shown_length("\n".join(lines))
    lines += _task_lines(page, budget=budget, now=now)

    rows: list[list[InlineKeyboardButton]] = []
    if undo is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    _("↩️ Undo delete %(task)s", task=task_ref(undo.number)),
                    callback_data=encode(undo),
                )
            ]
        )
    for task in page.tasks:
        box = "☑️" if task.done else "⬜"
        title = isolate(shorten(task.title, BUTTON_TITLE_LENGTH))
        label = f"{box} {task_ref(task.number)} {priority_mark(task)}{title}"
        rows.append(
            [
                InlineKeyboardButton(
                    label, callback_data=encode(SetDone(task.number, not task.done, view))
                ),
                InlineKeyboardButton("✏️", callback_data=encode(AskNewTitle(task.number))),
                InlineKeyboardButton("🗑", callback_data=encode(Delete(task.number, view))),
            ]
        )
    paging = []
    if page.previous_start is not None:
        target = view.at(page.previous_start)
        paging.append(InlineKeyboardButton(_("◀ Back"), callback_data=encode(ShowList(target))))
    if page.next_start is not None:
        target = view.at(page.next_start)
        paging.append(InlineKeyboardButton(_("More ▶"), callback_data=encode(ShowList(target))))
    if paging:
        rows.append(paging)
    # The switch keeps the filter: /list #work's done view shows the done #work tasks.
    if page.done:
        switch = InlineKeyboardButton(
            _("📋 To do (%(count)s)", count=number(page.open_total)),
            callback_data=encode(ShowList(view.at(None, done=False))),
        )
    else:
        switch = InlineKeyboardButton(
            _("✅ Done (%(count)s)", count=number(page.done_total)),
            callback_data=encode(ShowList(view.at(None, done=True))),
        )
    rows.append([switch])
    if app_url is not None and app_url.startswith(TELEGRAM_LINK):
        # A group's: a t.me link opens the Mini App through Telegram, on the list.
        rows.append([InlineKeyboardButton(_("📱 Open app"), url=app_url)])
    elif app_url is not None:
        rows.append([InlineKeyboardButton(_("📱 Open app"), web_app=WebAppInfo(app_url))])
    return "\n".join(lines), InlineKeyboardMarkup(rows)
