"""The tasks each user added, by index: what finds the lists a user has used (the Mini App's
list switcher, storage.views.USED_LISTS) without reading every task.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-15
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_tasks_created_by",
        "tasks",
        ["created_by", "chat_id"],
        postgresql_where=sa.text("created_by IS NOT NULL AND deleted_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_tasks_created_by", table_name="tasks")
