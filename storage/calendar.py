"""The chat's calendar feed: its secret token (chats.calendar_token) and the tasks it lists."""

import re
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from storage.changes import FIRST_TIME, recorded, run_under_key
from storage.db import Database
from storage.models import Task, UpdateKey
from storage.tables import CHAT_ID, TASK_COLUMNS, chats, param, task_from_row, tasks

# Open tasks with a due time listed in one feed at most (the earliest due first).
MAX_FEED_TASKS = 1_000
# secrets.token_urlsafe(32): 32 random bytes, 43 URL-safe characters.
TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def _token_given(*conditions: sa.ColumnElement[bool]) -> sa.Insert:
    """The chat's token, kept as it is, or `:new_token` when it has none or `:reset` is asked
    for (making the chat's row on first use), when `conditions` hold."""
    new = sa.select(CHAT_ID, param(chats.c.calendar_token, "new_token")).where(*conditions)
    given = insert(chats).from_select(["chat_id", "calendar_token"], new, include_defaults=False)
    replaced = sa.bindparam("reset", type_=sa.Boolean) | chats.c.calendar_token.is_(None)
    return given.on_conflict_do_update(
        index_elements=[chats.c.chat_id],
        set_={
            chats.c.calendar_token: sa.case(
                (replaced, given.excluded.calendar_token), else_=chats.c.calendar_token
            )
        },
    ).returning(chats.c.calendar_token)


# The token of `:list_id`, made on first use; with `:reset` a new one (`:new_token`).
_TOKEN = _token_given()


def _token_once() -> sa.Select[Any]:
    """_TOKEN once per key (storage.changes): a redelivered `/calendar reset` does not revoke
    the URL its first delivery handed out, and gets the chat's token as it is."""
    given = _token_given(FIRST_TIME).cte("given")
    now_held = sa.select(chats.c.calendar_token).where(chats.c.chat_id == CHAT_ID)
    token = sa.func.coalesce(
        sa.select(given.c.calendar_token).scalar_subquery(), now_held.scalar_subquery()
    )
    return sa.select(token.label("calendar_token")).add_cte(recorded(None))


_TOKEN_ONCE = _token_once()


def _feed() -> sa.Select[Any]:
    """The chat that holds `:token`, with its zone and its open tasks with a due time,
    earliest first, `:limit` at most (one row of NULL tasks when it has none)."""
    chat = chats.alias("feed_chat")
    listed = (
        sa.select(*TASK_COLUMNS)
        .where(
            tasks.c.chat_id == chat.c.chat_id,
            ~tasks.c.done,
            tasks.c.deleted_at.is_(None),
            tasks.c.due_at.is_not(None),
        )
        .order_by(tasks.c.due_at, tasks.c.number)
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .lateral("listed")
    )
    return (
        sa.select(
            chat.c.chat_id.label("feed_chat_id"), chat.c.timezone.label("feed_timezone"), *listed.c
        )
        .select_from(chat.outerjoin(listed, sa.true()))
        .where(chat.c.calendar_token == param(chats.c.calendar_token, "token"))
    )


_FEED = _feed()


@dataclass(frozen=True, slots=True)
class Feed:
    """What a calendar feed shows: the chat's time zone and its open tasks with due times."""

    chat_id: int
    timezone: str | None
    tasks: list[Task]


async def calendar_token(
    db: Database, *, chat_id: int, reset: bool = False, update_key: UpdateKey | None = None
) -> str:
    """The chat's feed token, made on first use; with `reset` a new one (the old one stops)."""
    params: dict[str, Any] = {
        "list_id": chat_id,
        "reset": reset,
        "new_token": secrets.token_urlsafe(TOKEN_BYTES),
    }
    if update_key is None:
        # Safe to repeat: a retry writes the same new token again.
        rows = await db.run(_TOKEN, params, idempotent=True)
    else:
        rows = (await run_under_key(db, _TOKEN_ONCE, params, update_key)).rows
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
    listed = [task_from_row(row) for row in rows if row._mapping["id"] is not None]
    return Feed(chat_id=first["feed_chat_id"], timezone=first["feed_timezone"], tasks=listed)
