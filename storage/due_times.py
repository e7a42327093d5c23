"""When the scheduler next has something to do: the next reminder's and the next digest's due
time (a claim's lease counts: a claimed row's due time is its lease's end), read in one
statement that can also forget old processed updates and long-gone chats, so house-keeping
never wakes an idle database (storage.claims claims what is due).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from storage.changes import FORGOTTEN_UPDATES
from storage.claims import REMINDED
from storage.db import Database
from storage.forgetting import FORGET_AFTER, long_gone_chats
from storage.forgetting import forgetting as forgetting_chats
from storage.tables import chats, tasks


@dataclass(frozen=True, slots=True)
class DueTimes:
    """When the next reminder and the next digest are due (None: nothing is), leases included,
    and how many old processed-update records were forgotten in the same statement."""

    reminder: datetime | None
    digest: datetime | None
    forgotten: int = 0
    # Chats the bot had been out of for long (storage.forgetting), forgotten with them.
    forgotten_chats: int = 0

    def earliest(self) -> datetime | None:
        """The sooner of the two, or None when nothing is due at all."""
        return min((t for t in (self.reminder, self.digest) if t is not None), default=None)


def _next_due(*, forgetting: bool) -> sa.Select[Any]:
    """The next reminder's and the next digest's due time; with `forgetting`, also the count
    of processed-update records older than `:age`, deleted by the same statement (the
    DELETE is a CTE, which PostgreSQL runs at the top of the statement)."""
    reminder = sa.select(sa.func.min(tasks.c.remind_at)).where(*REMINDED).scalar_subquery()
    digest = sa.select(sa.func.min(chats.c.next_digest_at)).scalar_subquery()
    forgotten: sa.ColumnElement[int] = sa.literal(0)
    forgotten_chats: sa.ColumnElement[int] = sa.literal(0)
    if forgetting:
        forgotten = sa.select(sa.func.count()).select_from(FORGOTTEN_UPDATES).scalar_subquery()
        forgotten_chats = forgetting_chats(long_gone_chats()).chats
    return sa.select(
        reminder.label("reminder"),
        digest.label("digest"),
        forgotten.label("forgotten"),
        forgotten_chats.label("forgotten_chats"),
    )


NEXT_DUE = _next_due(forgetting=False)
NEXT_DUE_FORGETTING = _next_due(forgetting=True)


async def next_due(
    db: Database,
    *,
    forget_older_than: timedelta | None = None,
    forget_chats_out_for: timedelta = FORGET_AFTER,
) -> DueTimes:
    """When the next reminder and digest are due; with `forget_older_than`, forget the updates
    processed longer ago than that, and the chats the bot has been out of for longer than
    `forget_chats_out_for`, in the same statement (house-keeping at no round trip)."""
    if forget_older_than is None:
        rows = await db.run(NEXT_DUE, idempotent=True)
    else:
        params = {"age": forget_older_than, "out_for": forget_chats_out_for}
        rows = await db.run(NEXT_DUE_FORGETTING, params, idempotent=True)
    row = rows[0]._mapping
    return DueTimes(
        reminder=row["reminder"],
        digest=row["digest"],
        forgotten=row["forgotten"],
        forgotten_chats=row["forgotten_chats"],
    )
