"""The journal of updates a polling bot has fetched and not yet handled (`received_updates`).

A batch is written before Telegram is told it arrived, in one statement that also forgets the
updates handled since the last batch; what a killed process left is taken by the next start.
The updates are JSON text here: storage never looks inside them.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from storage.db import Database

_BOT = sa.bindparam("bot_id", type_=sa.BigInteger)
_HANDLED = sa.bindparam("handled", type_=postgresql.ARRAY(sa.BigInteger))

_RECORD = sa.text("""
WITH forgotten AS (
    DELETE FROM received_updates WHERE bot_id = :bot_id AND update_id = ANY(:handled)
)
INSERT INTO received_updates (bot_id, update_id, body)
SELECT :bot_id, received.update_id, CAST(received.body AS json)
FROM unnest(:update_ids, :bodies) AS received(update_id, body)
ON CONFLICT (bot_id, update_id) DO NOTHING
""").bindparams(
    _BOT,
    _HANDLED,
    sa.bindparam("update_ids", type_=postgresql.ARRAY(sa.BigInteger)),
    sa.bindparam("bodies", type_=postgresql.ARRAY(sa.Text)),
)
_FORGET = sa.text(
    "DELETE FROM received_updates WHERE bot_id = :bot_id AND update_id = ANY(:handled)"
).bindparams(_BOT, _HANDLED)
_TAKE = sa.text("""
UPDATE received_updates SET replays = replays + 1 WHERE bot_id = :bot_id
RETURNING update_id, CAST(body AS text) AS body, replays
""").bindparams(_BOT)


@dataclass(frozen=True, slots=True)
class ReceivedUpdate:
    """An update left in the journal: its id, its JSON, and how many starts have found it
    left over (this one included)."""

    update_id: int
    body: str
    replays: int


async def record_received(
    db: Database, *, bot_id: int, received: Sequence[tuple[int, str]], handled: Sequence[int]
) -> None:
    """Journal `received` (update id, JSON) and forget the `handled` ids, in one statement.

    Safe to run again: an update already journaled is left as it is.
    """
    params = {
        "bot_id": bot_id,
        "handled": list(handled),
        "update_ids": [update_id for update_id, _ in received],
        "bodies": [body for _, body in received],
    }
    await db.run(_RECORD, params, idempotent=True)


async def forget_handled(db: Database, *, bot_id: int, handled: Sequence[int]) -> None:
    """Delete the journal's records of the `handled` updates."""
    await db.run(_FORGET, {"bot_id": bot_id, "handled": list(handled)}, idempotent=True)


async def take_left_over(db: Database, *, bot_id: int) -> list[ReceivedUpdate]:
    """The updates the journal still holds for the bot, oldest first, each counted as found
    once more (they stay in the journal until forgotten)."""
    rows = await db.run(_TAKE, {"bot_id": bot_id}, idempotent=True)
    found = [
        ReceivedUpdate(update_id=row.update_id, body=row.body, replays=row.replays) for row in rows
    ]
    return sorted(found, key=lambda update: update.update_id)
