"""The chat's calendar feed: its secret token (chats.calendar_token) and the tasks it lists."""

import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from storage import statements
from storage.changes import task_from_row
from storage.db import Database
from storage.models import Task, UpdateKey

# Open tasks with a due time listed in one feed at most (the earliest due first).
MAX_FEED_TASKS = 1_000
# secrets.token_urlsafe(32): 32 random bytes, 43 URL-safe characters.
TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")

# The chat's token: kept as it is, or a new one when there is none or `reset` is asked for.
# A reset records the update in processed_updates in the same statement, so a redelivered
# `/calendar reset` does not revoke the URL the first delivery handed out.
_TOKEN = sa.text("""
WITH seen AS (
    SELECT 1 FROM processed_updates
    WHERE :once AND bot_id = :bot_id AND update_id = :update_id
),
recorded AS (
    INSERT INTO processed_updates (bot_id, update_id)
    SELECT :bot_id, :update_id WHERE :once AND NOT EXISTS (SELECT 1 FROM seen)
),
given AS (
    INSERT INTO chats AS c (chat_id, calendar_token)
    SELECT :chat_id, :new_token WHERE NOT EXISTS (SELECT 1 FROM seen)
    ON CONFLICT (chat_id) DO UPDATE SET calendar_token = CASE
        WHEN :reset OR c.calendar_token IS NULL THEN EXCLUDED.calendar_token
        ELSE c.calendar_token END
    RETURNING c.calendar_token
)
SELECT coalesce(
    (SELECT calendar_token FROM given),
    (SELECT calendar_token FROM chats WHERE chat_id = :chat_id)
) AS calendar_token
""").bindparams(
    sa.bindparam("chat_id", type_=sa.BigInteger),
    sa.bindparam("bot_id", type_=sa.BigInteger),
    sa.bindparam("update_id", type_=sa.BigInteger),
    sa.bindparam("once", type_=sa.Boolean),
    sa.bindparam("reset", type_=sa.Boolean),
    sa.bindparam("new_token", type_=sa.Text),
)

_FEED = sa.text(f"""
SELECT c.chat_id AS feed_chat_id, c.timezone AS feed_timezone, t.*
FROM chats AS c
LEFT JOIN LATERAL (
    SELECT {statements.TASK_COLUMNS} FROM tasks
    WHERE chat_id = c.chat_id AND NOT done AND deleted_at IS NULL AND due_at IS NOT NULL
    ORDER BY due_at, number LIMIT :limit
) AS t ON true
WHERE c.calendar_token = :token
""").bindparams(sa.bindparam("token", type_=sa.Text))


@dataclass(frozen=True, slots=True)
class Feed:
    """What a calendar feed shows: the chat's time zone and its open tasks with due times."""

    chat_id: int
    timezone: str | None
    tasks: list[Task]


async def calendar_token(
    db: Database, *, chat_id: int, reset: bool = False, once_for: UpdateKey | None = None
) -> str:
    """The chat's feed token, made on first use; with `reset` a new one (the old one stops)."""
    params = {
        "chat_id": chat_id,
        "reset": reset,
        "new_token": secrets.token_urlsafe(TOKEN_BYTES),
        "once": once_for is not None,
        "bot_id": once_for.bot_id if once_for else 0,
        "update_id": once_for.update_id if once_for else 0,
    }
    for attempt in (1, 2):
        try:
            # Safe to repeat: a retry writes the same new token again.
            rows = await db.run(_TOKEN, params, idempotent=True)
            break
        except sa.exc.IntegrityError as error:
            # The same update ran at this very moment elsewhere and recorded itself first;
            # running again finds that record and returns the token it set.
            if once_for is None or attempt == 2 or "processed_updates" not in str(error):
                raise
    token: str = rows[0]._mapping["calendar_token"]
    return token


async def feed_for_token(db: Database, *, token: str, limit: int = MAX_FEED_TASKS) -> Feed | None:
    """The feed of the chat holding `token`, or None for a token no chat holds (any more)."""
    if not _TOKEN_SHAPE.fullmatch(token):
        return None
    rows = await db.run(_FEED, {"token": token, "limit": limit}, idempotent=True)
    if not rows:
        return None
    first = rows[0]._mapping
    tasks = [task_from_row(row) for row in rows if row._mapping["id"] is not None]
    return Feed(chat_id=first["feed_chat_id"], timezone=first["feed_timezone"], tasks=tasks)
