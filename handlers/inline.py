"""Inline mode: `@Bot` in any chat offers the user's own open tasks to share, `@Bot text` finds
them by the text and offers "Add" first; picking "Add" adds the text to the user's list (`!1`
in it its priority). Text that is only /list's filters (`#work !1`, `today`) lists those tasks
in /list's order.

Only the user's private list is ever read (its chat id is the user's id), whatever chat the
query is typed in: a group's tasks never appear. Picking a result arrives as a
`chosen_inline_result` update only when inline feedback is on in @BotFather (/setinlinefeedback).
"""

from telegram import Update
from telegram.ext import ChosenInlineResultHandler, InlineQueryHandler

from handlers.common import update_key
from handlers.context import BotApplication, BotContext
from handlers.parsing import UsageError, read_list_arguments, split_priority
from handlers.render_fields import USAGE_LIST
from handlers.render_search import (
    ADD_RESULT_ID,
    INLINE_CACHE_SECONDS,
    INLINE_PAGE_SIZE,
    MAX_WORDS_LENGTH,
    render_inline_results,
    search_words,
)
from storage import search as search_store
from storage import tasks as task_store
from storage.errors import InvalidTitle
from storage.search import MAX_SEARCH_OFFSET
from storage.validation import clean_title
from storage.values import ListFilter


def _offset(text: str) -> int:
    """The page an inline query asks for (Telegram echoes our `next_offset`; anything else: 0)."""
    return int(text) if text.isdigit() and len(text) <= 6 else 0


def _addable(words: str) -> str | None:
    """The words as a task title (without its priority marker), when they make one."""
    try:
        return clean_title(split_priority(words)[0])
    except InvalidTitle:
        return None


def _list_filter(text: str) -> ListFilter | None:
    """The filter of an inline query that is only /list's filters of open tasks, if it is."""
    if not text:
        return None
    try:
        done, page_filter = read_list_arguments(text, usage=USAGE_LIST)
    except UsageError:
        return None
    return page_filter if page_filter and not done else None


async def inline_query(update: Update, context: BotContext) -> None:
    """The user's own open tasks as results to share (filtered by the text, with "Add")."""
    query = update.inline_query
    assert query is not None
    user_id = query.from_user.id
    text = search_words(query.query)
    words = text[:MAX_WORDS_LENGTH]
    offset = _offset(query.offset)
    page_filter = _list_filter(text)
    if words and page_filter is None:
        found = await search_store.find_tasks(
            context.db,
            chat_id=user_id,
            words=words,
            offset=offset,
            limit=INLINE_PAGE_SIZE,
            done=False,
        )
        tasks, following = found.tasks, found.next_offset
    else:
        # The offset Telegram echoes is the next page's start (a task's number).
        page = await task_store.list_tasks(
            context.db,
            chat_id=user_id,
            start=offset or None,
            limit=INLINE_PAGE_SIZE,
            page_filter=page_filter or ListFilter(),
        )
        tasks, following = page.tasks, page.next_start
    results = render_inline_results(
        tasks,
        add_title=_addable(text) if text and offset == 0 else None,
        searched=bool(words) or offset > 0,
        bot_username=context.bot.username,
    )
    await query.answer(
        results,
        cache_time=INLINE_CACHE_SECONDS,
        is_personal=True,
        next_offset=str(following) if following and following <= MAX_SEARCH_OFFSET else None,
    )


async def chosen_result(update: Update, context: BotContext) -> None:
    """The user picked "Add": add the text to their private list, once per update."""
    chosen = update.chosen_inline_result
    assert chosen is not None
    if chosen.result_id != ADD_RESULT_ID:
        return  # a task was shared: nothing changes
    user_id = chosen.from_user.id
    title, priority = split_priority(search_words(chosen.query))
    await task_store.add_task(
        context.db,
        chat_id=user_id,
        title=title,
        priority=priority or None,
        created_by=user_id,
        update_key=update_key(update, context),
        caps=context.bot_data.caps,
    )


def register(application: BotApplication) -> None:
    """Add the inline query and the chosen result handlers."""
    application.add_handler(InlineQueryHandler(inline_query))
    application.add_handler(ChosenInlineResultHandler(chosen_result))
