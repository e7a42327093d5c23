"""A list's settings: its time zone, quiet hours and daily digest (read and saved whole)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from storage.db import Database
from storage.tables import CHAT_ID, chats, param


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """A chat's notification settings; a chat never configured has all of them unset."""

    timezone: str | None = None
    quiet_start: int | None = None  # minutes after local midnight
    quiet_end: int | None = None
    digest_minute: int | None = None


# The columns a ChatSettings is read from (settings_from_row), in any statement.
SETTINGS_COLUMNS = (
    chats.c.timezone,
    chats.c.quiet_start,
    chats.c.quiet_end,
    chats.c.digest_minute,
)


def settings_from_row(mapping: Any) -> ChatSettings:
    """The settings in a row's mapping that holds SETTINGS_COLUMNS by their names."""
    return ChatSettings(
        timezone=mapping["timezone"],
        quiet_start=mapping["quiet_start"],
        quiet_end=mapping["quiet_end"],
        digest_minute=mapping["digest_minute"],
    )


# The settings of the list `:list_id` (no row for a list never seen).
_GET_SETTINGS = sa.select(*SETTINGS_COLUMNS).where(chats.c.chat_id == CHAT_ID)


async def get_chat_settings(db: Database, *, chat_id: int) -> ChatSettings:
    """The chat's settings (all unset for a chat never seen)."""
    rows = await db.run(_GET_SETTINGS, {"list_id": chat_id}, idempotent=True)
    return settings_from_row(rows[0]._mapping) if rows else ChatSettings()


def _save_settings() -> sa.Insert:
    """Set every setting of `:list_id` and its `:next_digest_at` (each parameter is named after
    its column), making the list's row on first use. (INSERT ... SELECT, where VALUES would
    also write the defaults the model gives the list's counters.)"""
    saved = [*SETTINGS_COLUMNS, chats.c.next_digest_at]
    given = sa.select(CHAT_ID, *(param(column) for column in saved))
    upsert = insert(chats).from_select([chats.c.chat_id, *saved], given, include_defaults=False)
    return upsert.on_conflict_do_update(
        index_elements=[chats.c.chat_id],
        set_={column: upsert.excluded[column.key] for column in saved},
    )


_SAVE_SETTINGS = _save_settings()


async def save_chat_settings(
    db: Database, *, chat_id: int, settings: ChatSettings, next_digest_at: datetime | None
) -> None:
    """Store all of a chat's settings at once (the caller changed one of them)."""
    await db.run(
        _SAVE_SETTINGS,
        {
            "list_id": chat_id,
            "timezone": settings.timezone,
            "quiet_start": settings.quiet_start,
            "quiet_end": settings.quiet_end,
            "digest_minute": settings.digest_minute,
            "next_digest_at": next_digest_at if settings.digest_minute is not None else None,
        },
        idempotent=True,
    )
    db.lists_changed(chat_id)  # its time zone shows in every time of the list
    if next_digest_at is not None and settings.digest_minute is not None:
        db.due_times_moved()
