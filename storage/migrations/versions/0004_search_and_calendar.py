"""Full-text search over tasks (a generated tsvector with a GIN index) and calendar feed tokens.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_EXPRESSION = "to_tsvector('simple'::regconfig, title || ' ' || coalesce(description, ''))"


def upgrade() -> None:
    op.add_column(
        "tasks",
        sa.Column(
            "search",
            postgresql.TSVECTOR(),
            sa.Computed(SEARCH_EXPRESSION, persisted=True),
            nullable=True,
        ),
    )
    op.create_index("ix_tasks_search", "tasks", ["search"], postgresql_using="gin")
    op.add_column("chats", sa.Column("calendar_token", sa.Text(), nullable=True))
    op.create_unique_constraint("chats_calendar_token_key", "chats", ["calendar_token"])


def downgrade() -> None:
    op.drop_constraint("chats_calendar_token_key", "chats", type_="unique")
    op.drop_column("chats", "calendar_token")
    op.drop_index("ix_tasks_search", table_name="tasks")
    op.drop_column("tasks", "search")
