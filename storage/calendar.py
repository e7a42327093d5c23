"""Calendar feed addresses: each person's token of a list's feed (made on first use, reset,
ended) and what a token names (what the feed shows is storage.feed_contents').

A feed's token is 32 bytes in base64url (43 characters): its random `feed_id` and an
HMAC-SHA256 tag of it under the server's secret. Nothing secret is stored, the address can be
shown again, and a forged token is turned away before any statement runs. A reset gives the
feed a new `feed_id`, so the old token finds nothing. Tokens stored in plain text before
(migration 0009) are looked up by their SHA-256 until a reset clears them.
"""

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from storage.db import Database
from storage.models import CalendarFeedRow, ChatRow, ProcessedUpdateRow, UserRow
from storage.values import UpdateKey

_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
_ID_BYTES = 8
_TAG_BYTES = 24
_TAG_CONTEXT = b"todo-bot calendar feed\0"

_feeds: sa.Table = CalendarFeedRow.__table__  # type: ignore[attr-defined]
_chats: sa.Table = ChatRow.__table__  # type: ignore[attr-defined]
_users: sa.Table = UserRow.__table__  # type: ignore[attr-defined]
_processed: sa.Table = ProcessedUpdateRow.__table__  # type: ignore[attr-defined]

_list_id = sa.bindparam("of_list", type_=sa.BigInteger)
_chat_id = sa.bindparam("of_chat", type_=sa.BigInteger)
_user_id = sa.bindparam("of_user", type_=sa.BigInteger)
_private = sa.bindparam("private", type_=sa.Boolean)
_reset = sa.bindparam("reset", type_=sa.Boolean)
_new_feed_id = sa.bindparam("new_feed_id", type_=sa.BigInteger)
_once = sa.bindparam("once", type_=sa.Boolean)
_bot_id = sa.bindparam("of_bot", type_=sa.BigInteger)
_update_id = sa.bindparam("of_update", type_=sa.BigInteger)
# (No parameter is named like a column: SQLAlchemy would add such a one to an UPDATE's SET.)


@dataclass(frozen=True, slots=True)
class FeedKey:
    """What a token names: a feed's id (a token tagged with the key), or the SHA-256 of a token
    from before migration 0009 (any other token of the right shape)."""

    feed_id: int | None = None
    old_token_hash: bytes | None = None


@dataclass(frozen=True, slots=True)
class FeedAddress:
    """A person's feed token, or None when they must first start the bot privately."""

    token: str | None


def feed_token(key: bytes, feed_id: int) -> str:
    """The token of a feed: its id and the id's tag under `key`."""
    raw = feed_id.to_bytes(_ID_BYTES, "big")
    tag = hmac.new(key, _TAG_CONTEXT + raw, hashlib.sha256).digest()[:_TAG_BYTES]
    return base64.urlsafe_b64encode(raw + tag).rstrip(b"=").decode()


def feed_id_of(key: bytes, token: str) -> int | None:
    """The feed id a token made with `key` names; None for any other text."""
    if not _TOKEN_SHAPE.fullmatch(token):
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=")
    except (binascii.Error, ValueError):
        return None
    feed_id = int.from_bytes(raw[:_ID_BYTES], "big")
    # Only the one spelling feed_token writes (the last character carries two spare bits).
    if not hmac.compare_digest(feed_token(key, feed_id), token):
        return None
    return feed_id


def feed_key(key: bytes, token: str) -> FeedKey | None:
    """What `token` may name; None for text no token of a feed ever was."""
    feed_id = feed_id_of(key, token)
    if feed_id is not None:
        return FeedKey(feed_id=feed_id)
    if _TOKEN_SHAPE.fullmatch(token):
        return FeedKey(old_token_hash=hashlib.sha256(token.encode()).digest())
    return None


def _random_feed_id() -> int:
    return secrets.randbits(63) or 1


def _once_ctes() -> tuple[sa.CTE, sa.CTE]:
    """`seen`: the update was applied before; `recorded`: records it now (when not seen)."""
    seen = (
        sa.select(sa.literal(1).label("one"))
        .select_from(_processed)
        .where(_once, _processed.c.bot_id == _bot_id, _processed.c.update_id == _update_id)
        .cte("seen")
    )
    recorded = (
        sa.insert(_processed)
        .from_select(
            [_processed.c.bot_id, _processed.c.update_id],
            sa.select(_bot_id, _update_id).where(_once, ~sa.exists(seen.select())),
            include_defaults=False,
        )
        .cte("recorded")
    )
    return seen, recorded


def _address_statement() -> sa.Executable:
    """The person's feed of the list, made on first use (with `reset`: a new feed id).

    In a group the feed is made only for someone who has started the bot, who can be sent its
    address privately; `started` says whether they have. A reset records the update in the same
    statement, so a redelivered `/calendar reset` does not revoke the address it handed out.
    """
    seen, recorded = _once_ctes()
    may_have = sa.or_(
        _private,
        sa.exists().where(_users.c.user_id == _user_id, _users.c.started_at.is_not(None)),
    )
    go = sa.and_(may_have, ~sa.exists(seen.select()))
    list_row = (
        postgresql.insert(_chats)
        .from_select([_chats.c.chat_id], sa.select(_list_id).where(go), include_defaults=False)
        .on_conflict_do_nothing(index_elements=[_chats.c.chat_id])
        .cte("list_row")
    )
    insert = postgresql.insert(_feeds).from_select(
        [_feeds.c.feed_id, _feeds.c.list_id, _feeds.c.chat_id, _feeds.c.user_id],
        sa.select(_new_feed_id, _list_id, _chat_id, _user_id).where(go),
        include_defaults=False,
    )
    given = (
        insert.on_conflict_do_update(
            index_elements=[_feeds.c.list_id, _feeds.c.user_id],
            set_={
                "feed_id": sa.case((_reset, insert.excluded.feed_id), else_=_feeds.c.feed_id),
                "legacy_token_hash": sa.case(
                    (_reset, sa.null()), else_=_feeds.c.legacy_token_hash
                ),
            },
        )
        .returning(_feeds.c.feed_id)
        .cte("given")
    )
    before = sa.select(_feeds.c.feed_id).where(
        _feeds.c.list_id == _list_id, _feeds.c.user_id == _user_id
    )
    return sa.select(
        may_have.label("started"),
        sa.func.coalesce(
            sa.select(given.c.feed_id).scalar_subquery(), before.scalar_subquery()
        ).label("feed_id"),
    ).add_cte(list_row, recorded)


_ADDRESS = _address_statement()


def _reset_all_statement() -> sa.Executable:
    """Every feed of the list ends (applied once per update)."""
    seen, recorded = _once_ctes()
    ended = (
        sa.delete(_feeds)
        .where(_feeds.c.list_id == _list_id, ~sa.exists(seen.select()))
        .returning(_feeds.c.feed_id)
        .cte("ended")
    )
    return sa.select(sa.func.count().label("ended")).select_from(ended).add_cte(recorded)


_RESET_ALL = _reset_all_statement()


def _once_params(update_key: UpdateKey | None) -> dict[str, Any]:
    return {
        "once": update_key is not None,
        "of_bot": update_key.bot_id if update_key else 0,
        "of_update": update_key.update_id if update_key else 0,
    }


async def _run_once(
    db: Database, statement: sa.Executable, params: dict[str, Any], update_key: UpdateKey | None
) -> list[sa.Row[Any]]:
    for attempt in (1, 2):
        try:
            # Safe to repeat: a retry finds its own record, or writes the same values again.
            return await db.run(statement, params, idempotent=True)
        except sa.exc.IntegrityError as error:
            # The same update ran at this very moment elsewhere and recorded itself first;
            # running again finds that record and changes nothing.
            if update_key is None or attempt == 2 or "processed_updates" not in str(error):
                raise
    raise AssertionError("unreachable")


async def feed_address(
    db: Database,
    *,
    key: bytes,
    list_id: int,
    chat_id: int,
    user_id: int,
    private: bool,
    reset: bool = False,
    update_key: UpdateKey | None = None,
) -> FeedAddress:
    """The user's feed token of the list, made on first use; with `reset` a new one (the old
    stops). In a group (`private` false) none is made until the user has started the bot."""
    params = {
        "of_list": list_id,
        "of_chat": chat_id,
        "of_user": user_id,
        "private": private,
        "reset": reset,
        "new_feed_id": _random_feed_id(),
        **_once_params(update_key),
    }
    row = (await _run_once(db, _ADDRESS, params, update_key))[0]._mapping
    if not row["started"] or row["feed_id"] is None:
        return FeedAddress(token=None)
    return FeedAddress(token=feed_token(key, row["feed_id"]))


async def end_all_feeds(db: Database, *, list_id: int, update_key: UpdateKey | None = None) -> int:
    """End every feed of the list (each member's, and an old shared one); how many ended."""
    params = {"of_list": list_id, **_once_params(update_key)}
    rows = await _run_once(db, _RESET_ALL, params, update_key)
    ended: int = rows[0]._mapping["ended"]
    return ended
