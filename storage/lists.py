"""What is known of a list as a whole: whether the bot has ever stored it."""

import sqlalchemy as sa

from storage.db import Database
from storage.tables import CHAT_ID, chats

# Whether the list `:list_id` has a row (it had a task, a setting or a calendar address).
EXISTS = sa.select(sa.exists().where(chats.c.chat_id == CHAT_ID).label("found"))


async def list_exists(db: Database, *, chat_id: int) -> bool:
    """Whether the bot has ever stored anything of this list; a list it has not cannot hold
    tasks."""
    rows = await db.run(EXISTS, {"list_id": chat_id}, idempotent=True)
    return bool(rows[0]._mapping["found"])
