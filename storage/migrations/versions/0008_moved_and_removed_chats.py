"""Chats that moved or lost the bot: `chats.moved_to` (a basic group upgraded to a supergroup
points to it) and `chats.bot_removed_at` (the bot was removed from the chat, or blocked).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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
    op.drop_index("ix_chats_bot_removed_at", table_name="chats")
    op.drop_index("ix_chats_moved_to", table_name="chats")
    op.drop_column("chats", "bot_removed_at")
    op.drop_column("chats", "moved_to")
