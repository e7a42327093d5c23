"""The users the bot knows: their id, @username and first name, and whether they started the
bot in a private chat (so it may write to them there). Recorded on /start and /help in a private
chat, on /assign (the sender and the member replied to) and on /mine; nowhere else."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from storage.assignees import Assignee
from storage.db import Database
from storage.tables import param, users


def normalize_username(username: str) -> str:
    """A username as stored: without the @, lower-case (Telegram compares them so)."""
    return username.strip().removeprefix("@").lower()


USER_ID = param(users.c.user_id)
USERNAME = param(users.c.username)

# Take `:username` from whoever holds it but `:new_holder` (not `:user_id`: SQLAlchemy would
# take that for a value to set, tests/test_storage_statements.py).
_FORGET_USERNAME = (
    sa.update(users)
    .where(users.c.username == USERNAME, users.c.user_id != param(users.c.user_id, "new_holder"))
    .values({users.c.username: sa.null(), users.c.updated_at: sa.func.now()})
)


def _remember_user() -> sa.Insert:
    """Record `:user_id` with `:username` and `:first_name` (and that they started the bot in a
    private chat, with `:started`; a later call without it keeps that)."""
    user = insert(users).values(
        {
            users.c.user_id: USER_ID,
            users.c.username: USERNAME,
            users.c.first_name: param(users.c.first_name),
            users.c.started_at: sa.case(
                (sa.bindparam("started", type_=sa.Boolean), sa.func.now())
            ),
        }
    )
    return user.on_conflict_do_update(
        index_elements=[users.c.user_id],
        set_={
            users.c.username: user.excluded.username,
            users.c.first_name: user.excluded.first_name,
            users.c.started_at: sa.func.coalesce(user.excluded.started_at, users.c.started_at),
            users.c.updated_at: sa.func.now(),
        },
    )


_REMEMBER_USER = _remember_user()


async def remember_user(
    db: Database,
    *,
    user_id: int,
    username: str | None,
    first_name: str | None,
    started: bool = False,
) -> None:
    """Record a user's current @username and name (and, with `started`, that they started the
    bot in a private chat). A username someone else held before moves to this user."""
    name = normalize_username(username) if username else None
    if name:
        # Usernames change hands on Telegram: the one who has it now is the one who wrote.
        await db.run(_FORGET_USERNAME, {"username": name, "new_holder": user_id}, idempotent=True)
    params = {"user_id": user_id, "username": name, "first_name": first_name, "started": started}
    await db.run(_REMEMBER_USER, params, idempotent=True)


# The user who holds `:username`.
_FIND_USER = sa.select(users.c.user_id, users.c.username, users.c.first_name).where(
    users.c.username == USERNAME
)


async def find_user(db: Database, *, username: str) -> Assignee | None:
    """The known user with this @username (any case), or None: never a guess."""
    rows = await db.run(_FIND_USER, {"username": normalize_username(username)}, idempotent=True)
    if not rows:
        return None
    m = rows[0]._mapping
    return Assignee(user_id=m["user_id"], username=m["username"], first_name=m["first_name"])
