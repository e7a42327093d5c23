"""Topic lists: in a forum supergroup each topic keeps its own list, under an id of its own.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Far below any Telegram chat id (those stay above -2**53), so a topic's list id never meets one.
_FIRST_ID = -9223372036854775807


def upgrade() -> None:
    op.execute(
        sa.schema.CreateSequence(
            sa.Sequence("topic_list_ids", start=_FIRST_ID, minvalue=_FIRST_ID, increment=1)
        )
    )
    op.create_table(
        "topic_lists",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("thread_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "list_id",
            sa.BigInteger(),
            server_default=sa.text("nextval('topic_list_ids')"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("chat_id", "thread_id"),
        sa.UniqueConstraint("list_id"),
    )


def downgrade() -> None:
    op.drop_table("topic_lists")
    op.execute(sa.schema.DropSequence(sa.Sequence("topic_list_ids")))
