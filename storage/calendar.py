"""Calendar feeds: each person's address of a list's feed, and what a feed lists.

A feed's token is 32 bytes in base64url (43 characters): its random `feed_id` and an
HMAC-SHA256 tag of it under the server's secret. Nothing secret is stored, the address can be
shown again, and a forged token is turned away before any statement runs. A reset gives the
feed a new `feed_id`, so the old token finds nothing. Tokens stored in plain text before
(migration 0009) are looked up by their SHA-256 until a reset clears them.
"""

import base64
import binascii
import dataclasses
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from storage.db import Database
from storage.models import CalendarFeedRow, ChatRow, ProcessedUpdateRow, TaskRow, UserRow
from storage.tables import task_from_row
from storage.values import Task, UpdateKey

# Open tasks with a due time listed in one feed at most (the earliest due first).
MAX_FEED_TASKS = 1_000
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
_ID_BYTES = 8
_TAG_BYTES = 24
_TAG_CONTEXT = b"todo-bot calendar feed\0"

_feeds: sa.Table = CalendarFeedRow.__table__  # type: ignore[attr-defined]
_chats: sa.Table = ChatRow.__table__  # type: ignore[attr-defined]
_tasks: sa.Table = TaskRow.__table__  # type: ignore[attr-defined]
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
class Feed:
    """What a calendar feed shows, and whose it is."""

    list_id: int
    chat_id: int  # the Telegram chat whose members may read it
    user_id: int | None  # None: a group's shared address from before feeds were personal
    timezone: str | None
    tasks: list[Task]
    # A digest of what it shows, and since when it shows that (see _feed_statement).
    revision: str = ""
    changed_at: datetime | None = None
    # True when only the feed was asked for, not its tasks (`tasks` is then empty).
    tasks_left_out: bool = False


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

_TASK_FIELDS = [field.name for field in dataclasses.fields(Task)]


def _feed_statement(which: sa.ColumnElement[bool]) -> sa.Executable:
    """The feed `which` picks: whose it is, its list's zone, its revision, and its open tasks
    with due times, earliest first, one row per task (task columns NULL when there is none).

    The revision is a digest of the zone and of each listed task's id, last change, due time
    and rule: any change to a listed task (which moves its updated_at), a task joining or
    leaving the list (added, done, deleted, due time set or removed), or a new zone changes it.
    When it differs from the stored one, the same statement stores it with a new `changed_at`.
    Without `with_tasks`, only the first row comes, with no task: what deciding on 304, or
    finding a file rendered before, needs.
    """
    feed = (
        sa.select(
            _feeds.c.feed_id,
            _feeds.c.list_id,
            _feeds.c.chat_id,
            _feeds.c.user_id,
            _feeds.c.changed_at,
            _chats.c.timezone,
        )
        .select_from(_feeds.join(_chats, _chats.c.chat_id == _feeds.c.list_id))
        .where(which)
        .cte("feed")
    )
    listed = (
        sa.select(*(_tasks.c[name] for name in _TASK_FIELDS))
        .select_from(_tasks.join(feed, _tasks.c.chat_id == feed.c.list_id))
        .where(~_tasks.c.done, _tasks.c.deleted_at.is_(None), _tasks.c.due_at.is_not(None))
        .order_by(_tasks.c.due_at, _tasks.c.number)
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .cte("listed")
    )
    each = sa.func.concat_ws(
        ":",
        listed.c.id,
        sa.extract("epoch", listed.c.updated_at),
        sa.extract("epoch", listed.c.due_at),
        listed.c.recurrence,
    )
    digest = sa.func.md5(
        sa.func.concat_ws(
            "|",
            feed.c.timezone,
            sa.func.string_agg(
                each,
                postgresql.aggregate_order_by(
                    sa.literal_column("','"), listed.c.due_at, listed.c.number
                ),
            ),
        )
    )
    revision = (
        sa.select(feed.c.feed_id, digest.label("revision"))
        .select_from(feed.outerjoin(listed, sa.true()))
        .group_by(feed.c.feed_id, feed.c.timezone)
        .cte("revision")
    )
    # Whole seconds (HTTP dates have no finer ones), and always later than the last: two
    # changes in one second must not share a Last-Modified.
    changed_at = sa.func.greatest(
        sa.func.date_trunc("second", sa.func.now()),
        _feeds.c.changed_at + sa.text("interval '1 second'"),
    )
    touched = (
        sa.update(_feeds)
        .where(
            _feeds.c.feed_id == revision.c.feed_id,
            _feeds.c.revision.is_distinct_from(revision.c.revision),
        )
        .values(revision=revision.c.revision, changed_at=changed_at)
        .returning(_feeds.c.changed_at)
        .cte("touched")
    )
    return (
        sa.select(
            feed.c.list_id.label("feed_list_id"),
            feed.c.chat_id.label("feed_chat_id"),
            feed.c.user_id.label("feed_user_id"),
            feed.c.timezone.label("feed_timezone"),
            revision.c.revision.label("feed_revision"),
            sa.func.coalesce(
                sa.select(touched.c.changed_at).scalar_subquery(), feed.c.changed_at
            ).label("feed_changed_at"),
            *(listed.c[name] for name in _TASK_FIELDS),
        )
        .select_from(
            feed.join(revision, sa.true()).outerjoin(
                listed,
                sa.bindparam("with_tasks", type_=sa.Boolean),
            )
        )
        .order_by(listed.c.due_at, listed.c.number)
    )


_FEED_BY_ID = _feed_statement(_feeds.c.feed_id == sa.bindparam("wanted_feed", type_=sa.BigInteger))
_FEED_BY_OLD_TOKEN = _feed_statement(
    _feeds.c.legacy_token_hash == sa.bindparam("wanted_hash", type_=sa.LargeBinary)
)


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


async def feed_for_token(
    db: Database, *, key: bytes, token: str, limit: int = MAX_FEED_TASKS
) -> Feed | None:
    """The feed `token` names, or None for a token no feed has (any more)."""
    found = feed_key(key, token)
    return None if found is None else await feed_for_key(db, found, limit=limit)


async def feed_for_key(
    db: Database, key: FeedKey, *, with_tasks: bool = True, limit: int = MAX_FEED_TASKS
) -> Feed | None:
    """The feed `key` names, or None when no feed has it (any more); without `with_tasks`
    its revision but not its tasks."""
    params: dict[str, Any] = {"with_tasks": with_tasks, "limit": limit}
    if key.feed_id is not None:
        rows = await db.run(_FEED_BY_ID, {**params, "wanted_feed": key.feed_id}, idempotent=True)
    else:
        params["wanted_hash"] = key.old_token_hash
        rows = await db.run(_FEED_BY_OLD_TOKEN, params, idempotent=True)
    if not rows:
        return None
    first = rows[0]._mapping
    tasks = [task_from_row(row) for row in rows if row._mapping["id"] is not None]
    return Feed(
        list_id=first["feed_list_id"],
        chat_id=first["feed_chat_id"],
        user_id=first["feed_user_id"],
        timezone=first["feed_timezone"],
        tasks=tasks,
        revision=first["feed_revision"],
        changed_at=first["feed_changed_at"],
        tasks_left_out=not with_tasks,
    )
