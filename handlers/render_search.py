"""The texts and keyboards of /find and of inline mode: pure functions of plain values.

A results message carries its own query in its first line (`🔎 “milk” · 3 found`), so its
buttons need to carry only a page offset: the button handler reads the words back from the
message the button is on (`parse_search_header`). Nothing is kept in the bot's memory.
"""

import html
import re
from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram.constants import ParseMode

from handlers.button_actions import FindDone, FindPage
from handlers.callbacks import encode
from handlers.i18n import FSI, N_, PDI, _, isolate, ngettext, number, task_ref
from handlers.render_task_line import priority_mark, progress_text
from handlers.render_text import (
    BUTTON_TITLE_LENGTH,
    MAX_MESSAGE_LENGTH,
    escape,
    fit_lines,
    shorten,
)
from storage.search import SearchPage
from storage.values import Task

# The words a search may have: they are shown in the results' first line and read back from it.
MAX_WORDS_LENGTH = 200
# Inline results: Telegram shows about one line of a result's title and two of its description.
INLINE_TITLE_LENGTH = 64
INLINE_DESCRIPTION_LENGTH = 120
INLINE_PAGE_SIZE = 20
INLINE_CACHE_SECONDS = 5
ADD_RESULT_ID = "add"

USAGE_FIND = N_(
    "Usage: /find milk — finds tasks whose title or note has every word (or its start)."
)

# The first line of a results message starts with its words, the same in every language.
_HEADER = re.compile(r"🔎 “(.+)” · .+")


def find_too_long() -> str:
    """The answer to a search that is too long."""
    return ngettext(
        "Search for at most %(count)s character, please.",
        "Search for at most %(count)s characters, please.",
        MAX_WORDS_LENGTH,
    )


def search_words(text: str | None) -> str:
    """The words of a search as the bot keeps them: runs of whitespace folded into one space."""
    return " ".join((text or "").split())


def parse_search_header(text: str | None) -> str | None:
    """The words a results message (as Telegram returns its text) was searched for, if it is
    one."""
    if not text:
        return None
    match = _HEADER.fullmatch(text.split("\n", 1)[0])
    if match is None:
        return None
    words = match.group(1)
    # In a right-to-left language the words are isolated (handlers.render_text.escape).
    if words.startswith(FSI) and words.endswith(PDI):
        words = words[1:-1]
    return words


def _result_line(task: Task) -> str:
    title, head = escape(task.title), f"<b>{task_ref(task.number)}</b> {priority_mark(task)}"
    if task.done:
        return f"{head}<s>{title}</s> ✅"
    return f"{head}{title}{progress_text(task)}"


def render_search_results(page: SearchPage) -> tuple[str, InlineKeyboardMarkup | None]:
    """The reply to /find: a line per task found (✅ for done ones), a tick button per task and
    ◀ ▶ paging; a clear answer when nothing matches."""
    words = escape(page.words)
    if not page.tasks:
        return _("🔎 Nothing matches “%(words)s”. /list shows every task.", words=words), None
    found = ngettext("%(count)s found", "%(count)s found", page.total)
    lines = [f"🔎 “{words}” · {found}"]
    if page.offset or page.next_offset is not None:
        last = page.offset + len(page.tasks)
        shown = _(
            "%(first)s–%(last)s of %(total)s",
            first=number(page.offset + 1),
            last=number(last),
            total=number(page.total),
        )
        lines.append(f"<i>{shown}</i>")
    lines += [_result_line(task) for task in page.tasks]
    rows: list[list[InlineKeyboardButton]] = []
    for task in page.tasks:
        box = "☑️" if task.done else "⬜"
        label = (
            f"{box} {task_ref(task.number)} {isolate(shorten(task.title, BUTTON_TITLE_LENGTH))}"
        )
        action = FindDone(task.number, not task.done, page.offset)
        rows.append([InlineKeyboardButton(label, callback_data=encode(action))])
    paging = []
    if page.previous_offset is not None:
        back = encode(FindPage(page.previous_offset))
        paging.append(InlineKeyboardButton(_("◀ Back"), callback_data=back))
    if page.next_offset is not None:
        more = encode(FindPage(page.next_offset))
        paging.append(InlineKeyboardButton(_("More ▶"), callback_data=more))
    if paging:
        rows.append(paging)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _shared_task(task: Task) -> InputTextMessageContent:
    """What the chat sees when a task is shared: its title, note and checklist, no buttons."""
    text = f"📝 {priority_mark(task)}{escape(task.title)}"
    if task.description:
        text += f"\n\n{escape(task.description)}"
    if task.checklist:
        items = [f"{'☑️' if item.done else '⬜'} {escape(item.text)}" for item in task.checklist]
        text += "\n\n" + "\n".join(fit_lines(items, budget=MAX_MESSAGE_LENGTH - 200 - len(text)))
    return InputTextMessageContent(text, parse_mode=ParseMode.HTML)


def _task_result(task: Task) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=f"t{task.number}",
        title=f"{task_ref(task.number)} {priority_mark(task)}"
        + isolate(shorten(task.title, INLINE_TITLE_LENGTH)),
        description=shorten(" ".join(task.description.split()), INLINE_DESCRIPTION_LENGTH)
        if task.description
        else None,
        input_message_content=_shared_task(task),
    )


def render_inline_results(
    tasks: Sequence[Task], *, add_title: str | None, searched: bool, bot_username: str
) -> list[InlineQueryResultArticle]:
    """The results of an inline query: "Add" for `add_title` (when given), then the user's
    tasks to share; when there is nothing to share, an article saying how to add tasks."""
    results = []
    if add_title is not None:
        results.append(
            InlineQueryResultArticle(
                id=ADD_RESULT_ID,
                title=_(
                    "➕ Add “%(title)s” to my list",
                    title=isolate(shorten(add_title, INLINE_TITLE_LENGTH)),
                ),
                description=_("Adds it to your private list and shares it here"),
                input_message_content=InputTextMessageContent(
                    f"📝 {escape(add_title)}", parse_mode=ParseMode.HTML
                ),
            )
        )
    results += [_task_result(task) for task in tasks]
    if not tasks and not searched:
        results.append(
            InlineQueryResultArticle(
                id="empty",
                title=_("📋 Your list is empty"),
                description=_(
                    "Type @%(bot)s Buy milk and pick ➕, or send me /add Buy milk",
                    bot=bot_username,
                ),
                input_message_content=InputTextMessageContent(
                    _(
                        "📋 I keep to-do lists. Add a task with @%(bot)s Buy milk,"
                        " or start a chat with me and send /add Buy milk.",
                        bot=html.escape(bot_username),
                    ),
                    parse_mode=ParseMode.HTML,
                ),
            )
        )
    return results
