"""Topic lists: in a forum supergroup each topic (`message_thread_id`) keeps its own list.

A topic's list has an id of its own from the `topic_list_ids` sequence, far below any Telegram
chat id, and every other storage function takes it as the list's `chat_id`. The mapping from
(chat, topic) to list id is made on first use and never changes, so callers may cache it.
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from storage.db import Database
from storage.tables import param, topic_lists

# Telegram's chat ids have at most 52 significant bits; topic list ids are all below this.
_LOWEST_CHAT_ID = -(2**53)


def _topic_list_id() -> sa.Insert:
    """The list id of the topic `:thread_id` of the chat `:chat_id`, made on first use. The
    no-op update on a conflict makes RETURNING give the existing row's id."""
    made = insert(topic_lists).values(
        {
            topic_lists.c.chat_id: param(topic_lists.c.chat_id),
            topic_lists.c.thread_id: param(topic_lists.c.thread_id),
        }
    )
    return made.on_conflict_do_update(
        index_elements=[topic_lists.c.chat_id, topic_lists.c.thread_id],
        set_={topic_lists.c.chat_id: made.excluded.chat_id},
    ).returning(topic_lists.c.list_id)


_TOPIC_LIST_ID = _topic_list_id()

# The real chat and topic of the list `:list_id`.
_WHERE_IS = sa.select(topic_lists.c.chat_id, topic_lists.c.thread_id).where(
    topic_lists.c.list_id == param(topic_lists.c.list_id)
)


async def topic_list_id(db: Database, *, chat_id: int, thread_id: int) -> int:
    """The list id of a topic of a forum chat, made on first use (one statement)."""
    # The no-op update makes RETURNING give the existing row's id on a conflict.
    rows = await db.run(
        _TOPIC_LIST_ID, {"chat_id": chat_id, "thread_id": thread_id}, idempotent=True
    )
    return int(rows[0]._mapping["list_id"])


async def where_is(db: Database, *, list_id: int) -> tuple[int, int | None]:
    """The real chat and topic of a list: (list_id, None) for an ordinary chat's list."""
    if list_id >= _LOWEST_CHAT_ID:
        return list_id, None  # a chat's own list: no need to ask
    rows = await db.run(_WHERE_IS, {"list_id": list_id}, idempotent=True)
    if not rows:
        return list_id, None
    return int(rows[0]._mapping["chat_id"]), int(rows[0]._mapping["thread_id"])
