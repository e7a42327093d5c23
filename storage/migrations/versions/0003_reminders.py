"""Due times, reminders, recurrence, and each chat's time zone, quiet hours and digest.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("chats", sa.Column("timezone", sa.Text(), nullable=True))
    op.add_column("chats", sa.Column("quiet_start", sa.SmallInteger(), nullable=True))
    op.add_column("chats", sa.Column("quiet_end", sa.SmallInteger(), nullable=True))
    op.add_column("chats", sa.Column("digest_minute", sa.SmallInteger(), nullable=True))
    op.add_column("chats", sa.Column("next_digest_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_chats_next_digest_at",
        "chats",
        ["next_digest_at"],
        postgresql_where=sa.text("next_digest_at IS NOT NULL"),
    )
    op.add_column("tasks", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("tasks", sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("tasks", sa.Column("nag_minutes", sa.Integer(), nullable=True))
    op.add_column("tasks", sa.Column("recurrence", sa.Text(), nullable=True))
    op.add_column(
        "tasks",
        sa.Column("reminder_failures", sa.Integer(), server_default="0", nullable=False),
    )
    op.create_index(
        "ix_tasks_remind_at",
        "tasks",
        ["remind_at"],
        postgresql_where=sa.text("remind_at IS NOT NULL"),
    )
    op.create_index(
        "ix_tasks_chat_due",
        "tasks",
        ["chat_id", "due_at"],
        postgresql_where=sa.text("due_at IS NOT NULL AND deleted_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_tasks_chat_due", table_name="tasks")
    op.drop_index("ix_tasks_remind_at", table_name="tasks")
    for column in ("reminder_failures", "recurrence", "nag_minutes", "remind_at", "due_at"):
        op.drop_column("tasks", column)
    op.drop_index("ix_chats_next_digest_at", table_name="chats")
    for column in ("next_digest_at", "digest_minute", "quiet_end", "quiet_start", "timezone"):
        op.drop_column("chats", column)
