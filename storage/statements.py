"""The SQL of the task functions, one statement each.

Every statement that changes tasks comes in two forms. The plain one just makes the change. The
claiming one also records the Telegram update it serves in `processed_updates`, in the same
statement, and makes the change only if that update was not recorded before: a re-delivered
update can never apply twice, and a claim never survives without its change. Both return a
`claimed` column (0 for an update seen before) and the changed tasks, one per row (task columns
NULL when nothing changed).
"""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

TASK_COLUMNS = (
    "id, chat_id, number, title, description, done, completed_at, created_by, created_at,"
    " updated_at"
)

_CLAIM = """claim AS (
    INSERT INTO processed_updates (bot_id, update_id) VALUES (:bot_id, :update_id)
    ON CONFLICT DO NOTHING RETURNING update_id
)"""
_NO_CLAIM = "claim AS (SELECT 1 AS update_id)"
_CLAIMED = "EXISTS (SELECT 1 FROM claim)"
_RESULT = """
SELECT (SELECT count(*) FROM claim) AS claimed, result.*
FROM (SELECT 1) AS one LEFT JOIN result ON true
"""

_TYPES = {
    "chat_id": sa.BigInteger,
    "bot_id": sa.BigInteger,
    "update_id": sa.BigInteger,
    "created_by": sa.BigInteger,
    "count": sa.Integer,
    "done": sa.Boolean,
    "start": sa.Integer,
    "limit": sa.Integer,
    "description": sa.Text,
}


def _text(sql: str) -> sa.TextClause:
    """A text statement with explicit types for the parameters asyncpg cannot infer."""
    statement = sa.text(sql)
    params: list[sa.BindParameter[Any]] = [
        sa.bindparam(name, type_=kind) for name, kind in _TYPES.items() if f":{name}" in sql
    ]
    return statement.bindparams(*params)


@dataclass(frozen=True)
class Change:
    """A changing statement in its two forms (see the module's docstring)."""

    plain: sa.TextClause
    claiming: sa.TextClause

    @classmethod
    def of(cls, body: str) -> "Change":
        """`body` is the CTEs after `claim`, ending in one named `result`."""
        return cls(
            plain=_text(f"WITH {_NO_CLAIM},\n{body}\n{_RESULT}"),
            claiming=_text(f"WITH {_CLAIM},\n{body}\n{_RESULT}"),
        )

    def pick(self, claiming: bool) -> sa.TextClause:
        return self.claiming if claiming else self.plain


def _update_one(assignments: str, *, deleted: bool = False) -> Change:
    """Change one live (or, with `deleted`, one deleted) task of a chat by its number."""
    state = "IS NOT NULL" if deleted else "IS NULL"
    return Change.of(f"""
result AS (
    UPDATE tasks SET {assignments}
    WHERE chat_id = :chat_id AND number = :number AND deleted_at {state} AND {_CLAIMED}
    RETURNING {TASK_COLUMNS}
)""")


# Bump the chat's number sequence (creating the chat on first use; its row lock orders
# concurrent adds in one chat) and insert the tasks with consecutive numbers.
ADD = Change.of(f"""
counter AS (
    INSERT INTO chats AS c (chat_id, last_task_number)
    SELECT :chat_id, :count FROM claim
    ON CONFLICT (chat_id) DO UPDATE SET last_task_number = c.last_task_number + :count
    RETURNING c.last_task_number
),
result AS (
    INSERT INTO tasks (chat_id, number, title, created_by)
    SELECT :chat_id, counter.last_task_number - :count + new.ord, new.title, :created_by
    FROM counter, unnest(CAST(:titles AS text[])) WITH ORDINALITY AS new(title, ord)
    RETURNING {TASK_COLUMNS}
)""")

# A target state rather than a toggle, so a double tap or a stale button cannot flip a task
# back. Tasks already in that state are left untouched but returned too.
SET_DONE = Change.of(f"""
target AS (
    SELECT id FROM tasks
    WHERE chat_id = :chat_id AND number = ANY(CAST(:numbers AS integer[]))
        AND deleted_at IS NULL AND {_CLAIMED}
),
changed AS (
    UPDATE tasks SET
        done = :done,
        completed_at = CASE WHEN :done THEN now() END,
        updated_at = now()
    FROM target
    WHERE tasks.id = target.id AND tasks.done <> :done
    RETURNING {", ".join(f"tasks.{column.strip()}" for column in TASK_COLUMNS.split(","))}
),
result AS (
    SELECT {TASK_COLUMNS} FROM changed
    UNION ALL
    SELECT {TASK_COLUMNS} FROM tasks
    WHERE id IN (SELECT id FROM target) AND id NOT IN (SELECT id FROM changed)
)""")

RENAME = _update_one("title = :title, updated_at = now()")
DESCRIBE = _update_one("description = :description, updated_at = now()")
# Deleting keeps the row, marked, so that Undo can bring it back with its number and id; the
# number is never handed out again either way.
DELETE = _update_one("deleted_at = now()")
RESTORE = _update_one("deleted_at = NULL, updated_at = now()", deleted=True)

# The chat's counts, one page of tasks from `start` on (one row more, to know whether a next
# page exists) and where the previous page starts: all by index, whatever the chat's size.
LIST = _text(f"""
SELECT c.open_tasks, c.done_tasks,
    (SELECT min(p.number) FROM (
        SELECT number FROM tasks
        WHERE chat_id = :chat_id AND done = :done AND deleted_at IS NULL AND number < :start
        ORDER BY number DESC LIMIT :limit
    ) AS p) AS previous_start,
    page.*
FROM (SELECT 1) AS one
LEFT JOIN chats AS c ON c.chat_id = :chat_id
LEFT JOIN LATERAL (
    SELECT {TASK_COLUMNS} FROM tasks
    WHERE chat_id = :chat_id AND done = :done AND deleted_at IS NULL AND number >= :start
    ORDER BY number LIMIT :limit + 1
) AS page ON true
ORDER BY page.number
""")

GET = _text(f"""
SELECT {TASK_COLUMNS} FROM tasks
WHERE chat_id = :chat_id AND number = :number AND deleted_at IS NULL
""")

# Telegram keeps an update for redelivery for 24 hours; records older than that only cost space.
PURGE_PROCESSED_UPDATES = sa.text("""
WITH gone AS (
    DELETE FROM processed_updates
    WHERE processed_at < now() - make_interval(secs => :age_seconds)
    RETURNING 1
)
SELECT count(*) AS purged FROM gone
""").bindparams(sa.bindparam("age_seconds", type_=sa.Float))
