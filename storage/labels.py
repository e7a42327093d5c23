"""A list's labels with how many open and done tasks have each (/labels), read from the
`task_labels` index (one entry per label of each live task) in one statement."""

from dataclasses import dataclass

import sqlalchemy as sa

from storage.db import Database
from storage.tables import CHAT_ID, task_labels

MAX_LABELS_LISTED = 200


@dataclass(frozen=True, slots=True)
class LabelCount:
    """A label (lower-case, without `#`) and how many of the list's tasks have it."""

    label: str
    open: int
    done: int


_LABELS = (
    sa.select(
        task_labels.c.label,
        sa.func.count().filter(~task_labels.c.done).label("open"),
        sa.func.count().filter(task_labels.c.done).label("done"),
    )
    .where(task_labels.c.chat_id == CHAT_ID)
    .group_by(task_labels.c.label)
    .order_by(task_labels.c.label)
    .limit(sa.bindparam("limit", type_=sa.Integer))
)


async def list_labels(
    db: Database, *, chat_id: int, limit: int = MAX_LABELS_LISTED
) -> list[LabelCount]:
    """The labels of the list's tasks (deleted ones apart), alphabetically, `limit` at most."""
    rows = await db.run(_LABELS, {"list_id": chat_id, "limit": limit}, idempotent=True)
    return [LabelCount(row.label, row.open, row.done) for row in rows]
