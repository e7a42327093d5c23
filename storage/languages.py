"""A chat's language: the one chosen with /language, and Telegram's for the chat (the private
chat's user's language_code, a group's adder's), kept for when no update says it: reminders and
digests. The codes are handlers.i18n's; storage keeps them as text.

A forum's topics share their group's language: callers pass the chat's id, not a topic list's.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from storage.db import Database
from storage.tables import CHAT_ID, chats, param


@dataclass(frozen=True, slots=True)
class ChatLanguage:
    """What a chat's language is made of: the chosen one (None: none), and Telegram's."""

    chosen: str | None = None
    telegram: str | None = None


TELEGRAM_LANGUAGE = param(chats.c.telegram_language)

# The chat `:list_id`'s languages.
_READ = sa.select(chats.c.language, chats.c.telegram_language).where(chats.c.chat_id == CHAT_ID)


def _record_and_read() -> sa.CompoundSelect:
    """Record `:telegram_language` as the chat `:list_id`'s Telegram language when it changed
    (making the row on first use), and read its languages, in one statement: the upsert
    returns the row when it wrote it, the read finds it when the upsert left it alone."""
    made = insert(chats).values(
        {chats.c.chat_id: CHAT_ID, chats.c.telegram_language: TELEGRAM_LANGUAGE}
    )
    saved = (
        made.on_conflict_do_update(
            index_elements=[chats.c.chat_id],
            set_={chats.c.telegram_language: made.excluded.telegram_language},
            where=chats.c.telegram_language.is_distinct_from(made.excluded.telegram_language),
        )
        .returning(chats.c.language, chats.c.telegram_language)
        .cte("saved")
    )
    unchanged = _READ.where(~sa.exists().select_from(saved))
    return sa.union_all(sa.select(saved.c.language, saved.c.telegram_language), unchanged)


_RECORD_AND_READ = _record_and_read()


async def chat_language(
    db: Database, *, chat_id: int, telegram_language: str | None = None
) -> ChatLanguage:
    """The chat's languages; with `telegram_language` (a private chat's user's), that is
    recorded first when it changed. One statement either way."""
    if telegram_language is None:
        rows = await db.run(_READ, {"list_id": chat_id}, idempotent=True)
    else:
        params = {"list_id": chat_id, "telegram_language": telegram_language}
        rows = await db.run(_RECORD_AND_READ, params, idempotent=True)
    if not rows:
        return ChatLanguage()
    m = rows[0]._mapping
    return ChatLanguage(chosen=m["language"], telegram=m["telegram_language"])


def _save(column: sa.Column[str | None]) -> sa.Insert:
    """Set `column` of the chat `:list_id` to the parameter named after it, making the row on
    first use."""
    made = insert(chats).values({chats.c.chat_id: CHAT_ID, column: param(column)})
    return made.on_conflict_do_update(
        index_elements=[chats.c.chat_id], set_={column: made.excluded[column.key]}
    )


_CHOOSE = _save(chats.c.language)
_SAVE_TELEGRAM = _save(chats.c.telegram_language)


async def choose_language(db: Database, *, chat_id: int, language: str | None) -> None:
    """The chat's chosen language (None: back to Telegram's)."""
    await db.run(_CHOOSE, {"list_id": chat_id, "language": language}, idempotent=True)


async def save_telegram_language(db: Database, *, chat_id: int, telegram_language: str) -> None:
    """The chat's Telegram language: for a group, that of whoever added the bot."""
    params = {"list_id": chat_id, "telegram_language": telegram_language}
    await db.run(_SAVE_TELEGRAM, params, idempotent=True)
