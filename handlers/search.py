"""/find and the buttons of its results: search the chat's tasks, page, tick off.

The words searched for live in the results message itself (its first line), so paging and
ticking work on any instance, after any restart, with 64-byte buttons that hold only an offset.
"""

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import render
from handlers.callbacks import FindDone, FindPage
from handlers.common import list_id, once_key, pressed
from handlers.context import BotContext
from handlers.parsing import UsageError, command_text
from handlers.render_search import (
    FIND_TOO_LONG,
    MAX_WORDS_LENGTH,
    USAGE_FIND,
    parse_search_header,
    render_search_results,
    search_words,
)
from storage import tasks as storage
from storage.db import Database
from storage.search import SearchPage, find_tasks


async def _find_page(db: Database, chat_id: int, words: str, offset: int) -> SearchPage:
    """The results from `offset` on; the first page when nothing is left there any more."""
    page = await find_tasks(
        db, chat_id=chat_id, words=words, offset=offset, limit=render.PAGE_SIZE
    )
    if not page.tasks and offset > 0:
        page = await find_tasks(db, chat_id=chat_id, words=words, limit=render.PAGE_SIZE)
    return page


async def find(update: Update, context: BotContext) -> None:
    """The chat's tasks (open and done) whose title or note has every word, best first."""
    message = update.effective_message
    assert message is not None
    words = search_words(command_text(message.text))
    if not words:
        raise UsageError(USAGE_FIND)
    if len(words) > MAX_WORDS_LENGTH:
        raise UsageError(FIND_TOO_LONG)
    page = await _find_page(context.db, await list_id(update, context), words, 0)
    text, markup = render_search_results(page)
    await message.reply_text(text, reply_markup=markup)


async def results_button(update: Update, context: BotContext) -> None:
    """◀ ▶ and the tick buttons of a results message: the words come from the message."""
    press = await pressed(update)
    if press is None:
        return
    query, action = press
    message = query.message
    text = getattr(message, "text", None)  # an inaccessible (old) message has none
    words = parse_search_header(text)
    if message is None or words is None or not isinstance(action, FindPage | FindDone):
        await query.answer(render.BUTTON_OUTDATED, show_alert=True)
        return
    chat_id = await list_id(update, context)
    if isinstance(action, FindDone):
        completed = await storage.set_task_done(
            context.db,
            chat_id=chat_id,
            number=action.number,
            done=action.done,
            once_for=once_key(update, context),
        )
        await query.answer(render.render_notice_done(completed))
    else:
        await query.answer()
    page = await _find_page(context.db, chat_id, words, action.offset)
    text, markup = render_search_results(page)
    await query.edit_message_text(text, reply_markup=markup)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /find and its buttons (before the lists' catch-all button handler)."""
    application.add_handler(CommandHandler("find", find, filters=filters.UpdateType.MESSAGE))
    application.add_handler(CallbackQueryHandler(results_button, pattern=r"^fd?:"))
