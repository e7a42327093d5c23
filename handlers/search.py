"""/find and the buttons of its results: search the chat's tasks, page, tick off.

The words searched for live in the results message itself (its first line), so paging and
ticking work on any instance, after any restart, with 64-byte buttons that hold only an offset.
"""

from telegram import CallbackQuery, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers import render, render_text
from handlers.button_actions import FindDone, FindPage
from handlers.callbacks import ButtonOutdated, is_action
from handlers.common import NEW_MESSAGES, chat_id_of, message_of, pressed, presser_role, update_key
from handlers.context import BotApplication, BotContext
from handlers.i18n import _
from handlers.parsing import UsageError, command_text
from handlers.render_search import (
    MAX_WORDS_LENGTH,
    USAGE_FIND,
    find_too_long,
    parse_search_header,
    render_search_results,
    search_words,
)
from storage import search as search_store
from storage.search import SearchPage


async def find(update: Update, context: BotContext) -> None:
    """The chat's tasks (open and done) whose title or note has every word, best first."""
    message = message_of(update)
    words = search_words(command_text(message.text))
    if not words:
        raise UsageError(_(USAGE_FIND))
    if len(words) > MAX_WORDS_LENGTH:
        raise UsageError(find_too_long())
    page = await search_store.find_tasks(
        context.db,
        chat_id=await chat_id_of(update, context),
        words=words,
        limit=render_text.PAGE_SIZE,
    )
    text, markup = render_search_results(page)
    await message.reply_text(text, reply_markup=markup)


async def find_page(update: Update, context: BotContext) -> None:
    """◀ ▶ on a results message: that page of the results."""
    query, action = pressed(update, FindPage)
    await presser_role(update, context)
    words = _searched_words(query)
    chat_id = await chat_id_of(update, context)
    page = await search_store.find_tasks(
        context.db, chat_id=chat_id, words=words, offset=action.offset, limit=render_text.PAGE_SIZE
    )
    page = await _first_page_if_empty(context, chat_id, page)
    await query.answer()
    text, markup = render_search_results(page)
    await query.edit_message_text(text, reply_markup=markup)


async def find_done(update: Update, context: BotContext) -> None:
    """A tick on a results message: the task is done (or open again), the results shown again."""
    query, action = pressed(update, FindDone)
    await presser_role(update, context)
    words = _searched_words(query)
    chat_id = await chat_id_of(update, context)
    completed, page = await search_store.set_done_and_find(
        context.db,
        chat_id=chat_id,
        number=action.number,
        done=action.done,
        words=words,
        offset=action.offset,
        limit=render_text.PAGE_SIZE,
        update_key=update_key(update, context),
    )
    page = await _first_page_if_empty(context, chat_id, page)
    await query.answer(render.render_notice_done(completed))
    text, markup = render_search_results(page)
    await query.edit_message_text(text, reply_markup=markup)


def _searched_words(query: CallbackQuery) -> str:
    """The words of a results message (its first line); ButtonOutdated when it has none."""
    words = parse_search_header(getattr(query.message, "text", None))  # old messages have none
    if words is None:
        raise ButtonOutdated
    return words


async def _first_page_if_empty(context: BotContext, chat_id: int, page: SearchPage) -> SearchPage:
    """The page, or the first one when nothing is left from its offset on any more."""
    if page.tasks or page.offset == 0:
        return page
    return await search_store.find_tasks(
        context.db, chat_id=chat_id, words=page.words, limit=render_text.PAGE_SIZE
    )


def register(application: BotApplication) -> None:
    """Add /find and a handler per button of its results."""
    application.add_handler(CommandHandler("find", find, filters=NEW_MESSAGES))
    application.add_handler(CallbackQueryHandler(find_page, pattern=is_action(FindPage)))
    application.add_handler(CallbackQueryHandler(find_done, pattern=is_action(FindDone)))
