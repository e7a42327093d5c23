"""The journal of updates a polling bot has fetched and not yet handled (`received_updates`).

A batch is written before Telegram is told it arrived, in one statement that also forgets the
updates handled since the last batch; what a killed process left is taken by the next start.
The updates are JSON text here: storage never looks inside them.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from storage.db import Database
from storage.tables import list_param, param, received_updates

_journal = received_updates.c
_BOT = param(_journal.bot_id, "journal_bot")
_HANDLED = list_param(_journal.update_id, "handled")
_OF_BOT = _journal.bot_id == _BOT


def _record() -> sa.Insert:
    """Journal the updates `:update_ids` with their JSON `:bodies` (an update already journaled
    stays as it is) and, in the same statement, forget the `:handled` ones."""
    forgotten = (
        sa.delete(received_updates)
        .where(_OF_BOT, _journal.update_id == sa.any_(_HANDLED))
        .cte("forgotten")
    )
    received = (
        sa.func.unnest(
            list_param(_journal.update_id, "update_ids"),
            list_param(sa.Column("b", sa.Text), "bodies"),
        )
        .table_valued("update_id", "body")
        .render_derived(name="received")
    )
    rows = sa.select(_BOT, received.c.update_id, sa.cast(received.c.body, _journal.body.type))
    return (
        insert(received_updates)
        .from_select(["bot_id", "update_id", "body"], rows, include_defaults=False)
        .on_conflict_do_nothing(index_elements=["bot_id", "update_id"])
        .add_cte(forgotten)
    )


_RECORD = _record()
# Forget the bot's `:handled` updates.
_FORGET = sa.delete(received_updates).where(_OF_BOT, _journal.update_id == sa.any_(_HANDLED))
# Every update the journal holds for the bot, each counted as found once more.
_TAKE = (
    sa.update(received_updates)
    .where(_OF_BOT)
    .values({_journal.replays: _journal.replays + 1})
    .returning(_journal.update_id, sa.cast(_journal.body, sa.Text).label("body"), _journal.replays)
)


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
        "journal_bot": bot_id,
        "handled": list(handled),
        "update_ids": [update_id for update_id, _ in received],
        "bodies": [body for _, body in received],
    }
    await db.run(_RECORD, params, idempotent=True)


async def forget_handled(db: Database, *, bot_id: int, handled: Sequence[int]) -> None:
    """Delete the journal's records of the `handled` updates."""
    await db.run(_FORGET, {"journal_bot": bot_id, "handled": list(handled)}, idempotent=True)


async def take_left_over(db: Database, *, bot_id: int) -> list[ReceivedUpdate]:
    """The updates the journal still holds for the bot, oldest first, each counted as found
    once more (they stay in the journal until forgotten)."""
    rows = await db.run(_TAKE, {"journal_bot": bot_id}, idempotent=True)
    found = [
        ReceivedUpdate(update_id=row.update_id, body=row.body, replays=row.replays) for row in rows
    ]
    return sorted(found, key=lambda update: update.update_id)
