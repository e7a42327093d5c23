"""The list message: a line per task (with its due time in the list's zone), a row of buttons
per task (tick, rename, delete), paging, the open/done switch, Undo and "Open app"."""

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from handlers.callbacks import AskNewTitle, Delete, ListView, SetDone, ShowList, Undo, encode
from handlers.i18n import _, isolate, number, task_ref
from handlers.render import BUTTON_TITLE_LENGTH, shorten, task_line
from storage.local_time import chat_zone
from storage.models import TaskPage

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
    tz = chat_zone(page.timezone)
    view = ListView(done=page.done, start=page.tasks[0].number if page.tasks else 1)
    lines = [notice, ""] if notice else []
    if page.done:
        header = (
            _("✅ <b>Done</b> · %(count)s", count=number(page.done_total))
            if page.done_total
            else _("✅ Nothing done yet.")
        )
    elif page.open_total:
        header = _("📋 <b>To do</b> · %(count)s", count=number(page.open_total))
    else:
        header = _("📋 Nothing to do. Add a task: /add Buy milk")
    lines.append(header)
    lines += [task_line(task, tz=tz, now=now) for task in page.tasks]

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
        label = (
            f"{box} {task_ref(task.number)} {isolate(shorten(task.title, BUTTON_TITLE_LENGTH))}"
        )
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
        target = ListView(done=page.done, start=page.previous_start)
        paging.append(InlineKeyboardButton(_("◀ Back"), callback_data=encode(ShowList(target))))
    if page.next_start is not None:
        target = ListView(done=page.done, start=page.next_start)
        paging.append(InlineKeyboardButton(_("More ▶"), callback_data=encode(ShowList(target))))
    if paging:
        rows.append(paging)
    if page.done:
        switch = InlineKeyboardButton(
            _("📋 To do (%(count)s)", count=number(page.open_total)),
            callback_data=encode(ShowList(ListView(done=False))),
        )
    else:
        switch = InlineKeyboardButton(
            _("✅ Done (%(count)s)", count=number(page.done_total)),
            callback_data=encode(ShowList(ListView(done=True))),
        )
    rows.append([switch])
    if app_url is not None and app_url.startswith(TELEGRAM_LINK):
        # A group's: a t.me link opens the Mini App through Telegram, on the list.
        rows.append([InlineKeyboardButton(_("📱 Open app"), url=app_url)])
    elif app_url is not None:
        rows.append([InlineKeyboardButton(_("📱 Open app"), web_app=WebAppInfo(app_url))])
    return "\n".join(lines), InlineKeyboardMarkup(rows)
