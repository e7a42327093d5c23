"""Initial schema: chats (number sequence and task counts) and tasks.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Statement-level triggers keep chats.open_tasks and chats.done_tasks equal to the counts of the
# chat's live (not deleted) tasks, whatever statement changes them, so a list page reads its
# total from one row instead of counting a chat's tasks.
_OPEN = "count(*) FILTER (WHERE NOT done AND deleted_at IS NULL)"
_DONE = "count(*) FILTER (WHERE done AND deleted_at IS NULL)"


def _apply_deltas(deltas_sql: str) -> str:
    return f"""
    UPDATE chats AS c
    SET open_tasks = c.open_tasks + d.open_delta, done_tasks = c.done_tasks + d.done_delta
    FROM (
        SELECT chat_id, sum(open_delta) AS open_delta, sum(done_delta) AS done_delta
        FROM ({deltas_sql}) AS x GROUP BY chat_id
    ) AS d
    WHERE c.chat_id = d.chat_id AND (d.open_delta <> 0 OR d.done_delta <> 0);
    """


_ADDED = (
    f"SELECT chat_id, {_OPEN} AS open_delta, {_DONE} AS done_delta FROM new_rows GROUP BY chat_id"
)
_REMOVED = f"SELECT chat_id, -{_OPEN}, -{_DONE} FROM old_rows GROUP BY chat_id"

_COUNT_FUNCTION = f"""
CREATE FUNCTION tasks_keep_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_apply_deltas(_ADDED)}
    ELSIF TG_OP = 'DELETE' THEN
        {_apply_deltas(_REMOVED)}
    ELSE
        {_apply_deltas(_ADDED + " UNION ALL " + _REMOVED)}
    END IF;
    RETURN NULL;
END
$$;
"""

_TRIGGERS = [
    "CREATE TRIGGER tasks_counts_insert AFTER INSERT ON tasks"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_keep_counts()",
    "CREATE TRIGGER tasks_counts_update AFTER UPDATE ON tasks"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION tasks_keep_counts()",
    "CREATE TRIGGER tasks_counts_delete AFTER DELETE ON tasks"
    " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_keep_counts()",
]


def upgrade() -> None:
    op.create_table(
        "chats",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("last_task_number", sa.Integer(), server_default="0", nullable=False),
        sa.Column("open_tasks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("done_tasks", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("chat_id"),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("done", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.chat_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chat_id", "number", name="uq_tasks_chat_id_number"),
    )
    op.create_index(
        "ix_tasks_chat_list",
        "tasks",
        ["chat_id", "done", "number"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.execute(_COUNT_FUNCTION)
    for trigger in _TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    op.drop_table("tasks")
    op.execute("DROP FUNCTION tasks_keep_counts()")
    op.drop_table("chats")
