"""The chat's language: the one chosen with /language, and Telegram's for the chat (the private
chat's user's, or a group's adder's), for reminders and digests.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("chats", sa.Column("language", sa.Text(), nullable=True))
    op.add_column("chats", sa.Column("telegram_language", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("chats", "telegram_language")
    op.drop_column("chats", "language")
