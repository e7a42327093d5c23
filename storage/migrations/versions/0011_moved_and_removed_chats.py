"""Chats that moved or lost the bot: `chats.moved_to` (a basic group upgraded to a supergroup
points to it) and `chats.bot_removed_at` (the bot was removed from the chat, or blocked); and
the count trigger fixed for deleted tasks, which forgetting a chat is the first to do.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# 0001's tasks_keep_counts() named the columns of its deltas only for inserted rows, so a
# statement that deletes tasks (and no other) failed with "column open_delta does not exist".
_OPEN = "count(*) FILTER (WHERE NOT done AND deleted_at IS NULL)"
_DONE = "count(*) FILTER (WHERE done AND deleted_at IS NULL)"
_ADDED = (
    f"SELECT chat_id, {_OPEN} AS open_delta, {_DONE} AS done_delta FROM new_rows GROUP BY chat_id"
)


def _count_function(removed: str) -> str:
    def apply(deltas: str) -> str:
        return f"""
        UPDATE chats AS c
        SET open_tasks = c.open_tasks + d.open_delta, done_tasks = c.done_tasks + d.done_delta
        FROM (
            SELECT chat_id, sum(open_delta) AS open_delta, sum(done_delta) AS done_delta
            FROM ({deltas}) AS x GROUP BY chat_id
        ) AS d
        WHERE c.chat_id = d.chat_id AND (d.open_delta <> 0 OR d.done_delta <> 0);
        """

    return f"""
    CREATE OR REPLACE FUNCTION tasks_keep_counts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {apply(_ADDED)}
        ELSIF TG_OP = 'DELETE' THEN
            {apply(removed)}
        ELSE
            {apply(_ADDED + " UNION ALL " + removed)}
        END IF;
        RETURN NULL;
    END
    $$;
    """


_REMOVED = (
    f"SELECT chat_id, -{_OPEN} AS open_delta, -{_DONE} AS done_delta"
    " FROM old_rows GROUP BY chat_id"
)
_REMOVED_0001 = f"SELECT chat_id, -{_OPEN}, -{_DONE} FROM old_rows GROUP BY chat_id"


def upgrade() -> None:
    op.execute(_count_function(_REMOVED))
    op.add_column("chats", sa.Column("moved_to", sa.BigInteger(), nullable=True))
    op.add_column("chats", sa.Column("bot_removed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_chats_moved_to",
        "chats",
        ["moved_to"],
        postgresql_where=sa.text("moved_to IS NOT NULL"),
    )
    op.create_index(
        "ix_chats_bot_removed_at",
        "chats",
        ["bot_removed_at"],
        postgresql_where=sa.text("bot_removed_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.execute(_count_function(_REMOVED_0001))
    op.drop_index("ix_chats_bot_removed_at", table_name="chats")
    op.drop_index("ix_chats_moved_to", table_name="chats")
    op.drop_column("chats", "bot_removed_at")
    op.drop_column("chats", "moved_to")
