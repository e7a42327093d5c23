"""What is known of a list as a whole: whether the bot has ever stored it, and how many tasks it
may hold (`ListCaps`, checked by storage.adding in the statement that adds)."""

from dataclasses import dataclass

import sqlalchemy as sa

from storage.db import Database
from storage.tables import CHAT_ID, chats

# What no honest list reaches: more open tasks than two full imports, more tasks in all (open
# and done, deleted ones not counted) than one export holds (storage.transfer.MAX_EXPORT_TASKS),
# so that every list exports whole.
MAX_OPEN_TASKS = 10_000
MAX_TASKS = 20_000


@dataclass(frozen=True, slots=True)
class ListCaps:
    """How many tasks one list may hold: open ones, and open and done together."""

    max_open: int = MAX_OPEN_TASKS
    max_total: int = MAX_TASKS


DEFAULT_CAPS = ListCaps()

# Whether the list `:list_id` has a row (it had a task, a setting or a calendar address).
EXISTS = sa.select(sa.exists().where(chats.c.chat_id == CHAT_ID).label("found"))


async def list_exists(db: Database, *, chat_id: int) -> bool:
    """Whether the bot has ever stored anything of this list; a list it has not cannot hold
    tasks."""
    rows = await db.run(EXISTS, {"list_id": chat_id}, idempotent=True)
    return bool(rows[0]._mapping["found"])
