"""Priority, labels, checklists and attachments, and /list in priority and due order.

`tasks` gets `priority` (1-3), `labels` (the title's hashtags, lower-case), `checklist` and
`attachments` (JSON arrays), and two generated columns, `priority_rank` and `due_order`, in
which /list sorts: priority (none last), then due time (none last), then number. The index
`ix_tasks_chat_order` reads a page of that order, or of any filter by due time and priority,
as one short range per priority; it replaces `ix_tasks_chat_list` (number order).

`task_labels` holds one row per label of each live task, with the task's place in that order,
indexed by list and label: a page filtered by a label is read by index too, whatever the size
of the list. A row-level trigger keeps it from `tasks` (whatever statement changes a task: a
tick, a move to a supergroup, a delete), so no statement writes it.

`checklist_unticked(items)` is a checklist with every item open again: what completing a
repeating task does to it, in the statement that completes it.

Existing titles' hashtags become their labels.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-20
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# storage.task_fields' rule, as it was written (a migration keeps its own copy).
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_MAX_LABELS = 10
_MAX_LABEL_LENGTH = 64

_KEEP_LABELS = """
CREATE FUNCTION tasks_keep_labels() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM task_labels WHERE task_id = OLD.id;
    END IF;
    IF NEW.deleted_at IS NULL THEN
        INSERT INTO task_labels (task_id, label, chat_id, done, priority_rank, due_order, number)
        SELECT NEW.id, label, NEW.chat_id, NEW.done, NEW.priority_rank, NEW.due_order,
               NEW.number
        FROM unnest(NEW.labels) AS label
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$
"""

# Only tasks with labels (before or after) cost anything: the others never reach the function.
_TRIGGERS = (
    """
    CREATE TRIGGER tasks_keep_labels_on_insert AFTER INSERT ON tasks
    FOR EACH ROW WHEN (cardinality(NEW.labels) > 0)
    EXECUTE FUNCTION tasks_keep_labels()
    """,
    """
    CREATE TRIGGER tasks_keep_labels_on_update AFTER UPDATE ON tasks
    FOR EACH ROW WHEN (
        (cardinality(OLD.labels) > 0 OR cardinality(NEW.labels) > 0)
        AND (OLD.labels, OLD.done, OLD.priority, OLD.due_at, OLD.deleted_at, OLD.chat_id,
             OLD.number)
            IS DISTINCT FROM
            (NEW.labels, NEW.done, NEW.priority, NEW.due_at, NEW.deleted_at, NEW.chat_id,
             NEW.number)
    )
    EXECUTE FUNCTION tasks_keep_labels()
    """,
)

_CHECKLIST_UNTICKED = """
CREATE FUNCTION checklist_unticked(items jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        jsonb_agg(jsonb_set(item, '{done}', 'false') ORDER BY place), '[]'::jsonb
    )
    FROM jsonb_array_elements(items) WITH ORDINALITY AS entry(item, place)
$$
"""


def _labels(title: str) -> list[str]:
    labels: list[str] = []
    for match in _HASHTAG.finditer(title):
        label = match.group(1).lower()
        if not label.isdecimal() and label not in labels and len(label) <= _MAX_LABEL_LENGTH:
            labels.append(label)
        if len(labels) == _MAX_LABELS:
            break
    return labels


def upgrade() -> None:
    op.add_column("tasks", sa.Column("priority", sa.SmallInteger(), nullable=True))
    op.create_check_constraint("ck_tasks_priority", "tasks", "priority BETWEEN 1 AND 3")
    op.add_column(
        "tasks",
        sa.Column("labels", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
    )
    for name in ("checklist", "attachments"):
        op.add_column(
            "tasks",
            sa.Column(
                name,
                postgresql.JSONB(),
                server_default=sa.text("'[]'::jsonb"),
                nullable=False,
            ),
        )
    op.add_column(
        "tasks",
        sa.Column(
            "priority_rank",
            sa.SmallInteger(),
            sa.Computed("COALESCE(priority, 4)", persisted=True),
            nullable=True,
        ),
    )
    op.add_column(
        "tasks",
        sa.Column(
            "due_order",
            sa.DateTime(timezone=True),
            sa.Computed("COALESCE(due_at, 'infinity'::timestamptz)", persisted=True),
            nullable=True,
        ),
    )
    op.create_index(
        "ix_tasks_chat_order",
        "tasks",
        ["chat_id", "done", "priority_rank", "due_order", "number"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index("ix_tasks_chat_list", table_name="tasks")
    op.create_table(
        "task_labels",
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("priority_rank", sa.SmallInteger(), nullable=False),
        sa.Column("due_order", sa.DateTime(timezone=True), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("task_id", "label"),
    )
    op.create_index(
        "ix_task_labels_list",
        "task_labels",
        ["chat_id", "label", "done", "priority_rank", "due_order", "number"],
        unique=False,
    )
    op.execute(_KEEP_LABELS)
    for trigger in _TRIGGERS:
        op.execute(trigger)
    op.execute(_CHECKLIST_UNTICKED)
    _label_existing_titles()


def _label_existing_titles() -> None:
    """Give the tasks whose titles have hashtags their labels (the trigger indexes them)."""
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, title FROM tasks WHERE title LIKE '%#%'"))
    labelled = [(row.id, labels) for row in rows if (labels := _labels(row.title))]
    if not labelled:
        return
    # One array of text per task: unnest would flatten an array of arrays.
    connection.execute(
        sa.text(
            "UPDATE tasks SET labels = new.labels::text[]"
            " FROM unnest(CAST(:ids AS text[]), CAST(:labels AS text[])) AS new(id, labels)"
            " WHERE tasks.id = new.id::uuid"
        ),
        {
            "ids": [str(task_id) for task_id, _ in labelled],
            "labels": [
                "{" + ",".join(_quoted(label) for label in labels) + "}" for _, labels in labelled
            ],
        },
    )


def _quoted(label: str) -> str:
    """A label as an element of a PostgreSQL array literal (letters, digits and `_` only, but
    quoted anyway)."""
    return '"' + label.replace("\\", "\\\\").replace('"', '\\"') + '"'


def downgrade() -> None:
    op.execute("DROP FUNCTION checklist_unticked(jsonb)")
    op.execute("DROP TRIGGER tasks_keep_labels_on_update ON tasks")
    op.execute("DROP TRIGGER tasks_keep_labels_on_insert ON tasks")
    op.execute("DROP FUNCTION tasks_keep_labels()")
    op.drop_index("ix_task_labels_list", table_name="task_labels")
    op.drop_table("task_labels")
    op.create_index(
        "ix_tasks_chat_list",
        "tasks",
        ["chat_id", "done", "number"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index("ix_tasks_chat_order", table_name="tasks")
    for name in ("due_order", "priority_rank", "attachments", "checklist", "labels"):
        op.drop_column("tasks", name)
    op.drop_constraint("ck_tasks_priority", "tasks", type_="check")
    op.drop_column("tasks", "priority")
