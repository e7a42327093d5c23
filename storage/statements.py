"""The SQL of the task functions, one statement each.

Every statement that changes tasks runs under a key: the Telegram update it serves, or a random
key of the call's own (storage.changes). If `processed_updates` already records that key, it
changes nothing and returns the tasks the first run changed; otherwise it makes the change and
records the key, with the numbers of the tasks it changed, in the same statement. Two runs under
one key at the same moment cannot both apply: the second one's record collides with the
first's on the primary key and the whole second statement fails (unique violation).

Each returns `first_time` (false when the key was seen before) and the tasks, one per row (task
columns NULL when there are none).
"""

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

TASK_COLUMNS = (
    "id, chat_id, number, title, description, done, completed_at, created_by, created_at,"
    " updated_at, due_at, nag_minutes, recurrence"
)
OF_TASKS = ", ".join(f"tasks.{column.strip()}" for column in TASK_COLUMNS.split(","))

_SEEN = """seen AS (
    SELECT task_numbers FROM processed_updates WHERE bot_id = :bot_id AND update_id = :update_id
)"""
_RECORD = """recorded AS (
    INSERT INTO processed_updates (bot_id, update_id, task_numbers)
    SELECT :bot_id, :update_id, COALESCE((SELECT array_agg(number) FROM changed), '{}')
    WHERE NOT EXISTS (SELECT 1 FROM seen)
)"""
# Put into the WHERE clause of the change itself.
FIRST_TIME = "NOT EXISTS (SELECT 1 FROM seen)"
RESULT_ROWS = f"""result AS (
    SELECT {TASK_COLUMNS} FROM changed
    UNION ALL
    SELECT {TASK_COLUMNS} FROM tasks
    WHERE chat_id = :chat_id AND number = ANY(COALESCE((SELECT task_numbers FROM seen), '{{}}'))
)"""
_RESULT = f"""{RESULT_ROWS}
SELECT NOT EXISTS (SELECT 1 FROM seen) AS first_time, result.*
FROM (SELECT 1) AS one LEFT JOIN result ON true
"""

_TYPES: dict[str, Any] = {
    "chat_id": sa.BigInteger,
    "bot_id": sa.BigInteger,
    "update_id": sa.BigInteger,
    "created_by": sa.BigInteger,
    "user_id": sa.BigInteger,
    "count": sa.Integer,
    "done": sa.Boolean,
    "view_done": sa.Boolean,
    "start": sa.Integer,
    "limit": sa.Integer,
    "description": sa.Text,
    "due_at": sa.DateTime(timezone=True),
    "remind_at": sa.DateTime(timezone=True),
    "now": sa.DateTime(timezone=True),
    "recurrence": sa.Text,
    "nag_minutes": sa.Integer,
}


def _text(sql: str) -> sa.TextClause:
    """A text statement with explicit types for the parameters asyncpg cannot infer."""
    statement = sa.text(sql)
    params: list[sa.BindParameter[Any]] = [
        sa.bindparam(name, type_=kind)
        for name, kind in _TYPES.items()
        if re.search(rf":{name}\b", sql)
    ]
    return statement.bindparams(*params)


@dataclass(frozen=True)
class Change:
    """A changing statement in its "once" form (see the module's docstring)."""

    once: sa.TextClause

    @classmethod
    def of(cls, body: str, *, tail: str = _RESULT) -> "Change":
        """`body`: CTEs that make the change (gated by FIRST_TIME) and end in one named
        `changed` holding the tasks to report, with TASK_COLUMNS. `tail`: the final query
        (RESULT_ROWS and a SELECT of `first_time` and its rows, when not the usual one)."""
        return cls(once=_text(f"WITH {_SEEN},\n{body},\n{_RECORD},\n{tail}"))


def update_one(assignments: str, *, deleted: bool = False, also: str = "true") -> Change:
    """Change one live (or, with `deleted`, one deleted) task of a chat by its number, when
    the condition `also` (on `tasks`) holds too."""
    state = "IS NOT NULL" if deleted else "IS NULL"
    return Change.of(f"""
changed AS (
    UPDATE tasks SET {assignments}
    WHERE chat_id = :chat_id AND number = :number AND deleted_at {state} AND {FIRST_TIME}
        AND {also}
    RETURNING {TASK_COLUMNS}
)""")


# Bump the chat's number sequence (creating the chat on first use; its row lock orders
# concurrent adds in one chat) and insert the tasks with consecutive numbers.
ADD = Change.of(f"""
counter AS (
    INSERT INTO chats AS c (chat_id, last_task_number)
    SELECT :chat_id, :count WHERE {FIRST_TIME}
    ON CONFLICT (chat_id) DO UPDATE SET last_task_number = c.last_task_number + :count
    RETURNING c.last_task_number
),
changed AS (
    INSERT INTO tasks (
        chat_id, number, title, description, created_by, due_at, remind_at, recurrence
    )
    SELECT :chat_id, counter.last_task_number - :count + new.ord, new.title, new.description,
        :created_by, new.due_at, new.due_at, new.recurrence
    FROM counter, unnest(
        CAST(:titles AS text[]),
        CAST(:descriptions AS text[]),
        CAST(:dues AS timestamptz[]),
        CAST(:recurrences AS text[])
    ) WITH ORDINALITY AS new(title, description, due_at, recurrence, ord)
    RETURNING {TASK_COLUMNS}
)""")


def completing(which: str) -> str:
    """The CTE `target`: the ids of the chat's live tasks matching `which`, each with the
    `next_due` it comes back for when `:done` completes it (NULL unless it repeats)."""
    return f"""target AS (
    SELECT tasks.id,
        CASE WHEN :done AND NOT tasks.done AND tasks.recurrence IS NOT NULL THEN
            next_occurrence(tasks.recurrence, GREATEST(:now, tasks.due_at), settings.timezone)
        END AS next_due
    FROM tasks LEFT JOIN chats AS settings ON settings.chat_id = tasks.chat_id
    WHERE tasks.chat_id = :chat_id AND {which} AND tasks.deleted_at IS NULL AND {FIRST_TIME}
)"""


# SET assignments (with `target` from `completing`) that move a completed repeating task to
# its next time; other tasks keep their due time and reminder.
REOPEN_FOR_NEXT = """due_at = COALESCE(target.next_due, tasks.due_at),
        remind_at = COALESCE(target.next_due, tasks.remind_at),
        reminder_failures = CASE WHEN target.next_due IS NULL THEN tasks.reminder_failures
            ELSE 0 END"""


def _set_done(which: str) -> str:
    """CTEs that set `done` on the chat's live tasks matching `which` (a condition on `tasks`),
    ending in `changed`: every matched task after the change with its `next_due` (`flipped`:
    only those whose state changed).

    A target state rather than a toggle, so a double tap or a stale button cannot flip a task
    back; tasks already in that state are left untouched but reported too. Completing a
    repeating task opens it again at once, due at its next time in the list's zone
    (`next_occurrence`, migration 0007) after the later of now and its due time; `next_due`
    says when. Past its `until` it stays done.
    """
    return f"""
{completing(which)},
flipped AS (
    UPDATE tasks SET
        done = :done AND target.next_due IS NULL,
        completed_at = CASE WHEN :done AND target.next_due IS NULL THEN now() END,
        {REOPEN_FOR_NEXT},
        updated_at = now()
    FROM target
    WHERE tasks.id = target.id AND tasks.done <> :done
    RETURNING {OF_TASKS}, target.next_due
),
changed AS (
    SELECT {TASK_COLUMNS}, next_due FROM flipped
    UNION ALL
    SELECT {TASK_COLUMNS}, NULL FROM tasks
    WHERE id IN (SELECT id FROM target) AND id NOT IN (SELECT id FROM flipped)
)"""


# The tasks a "once" statement changed, as the result's rows: this run's, or on a repeat of
# the update the first run's (a repeating task that is open again was completed then).
DONE_RESULT = f"""result AS (
    SELECT {TASK_COLUMNS}, next_due FROM changed
    UNION ALL
    SELECT {TASK_COLUMNS},
        CASE WHEN NOT done AND recurrence IS NOT NULL THEN due_at END AS next_due
    FROM tasks
    WHERE chat_id = :chat_id AND number = ANY(COALESCE((SELECT task_numbers FROM seen), '{{}}'))
)
SELECT NOT EXISTS (SELECT 1 FROM seen) AS first_time, result.*
FROM (SELECT 1) AS one LEFT JOIN result ON true
"""


SET_DONE = Change.of(
    _set_done("tasks.number = ANY(CAST(:numbers AS integer[]))"), tail=DONE_RESULT
)

# Put into the WHERE clause of a change of `tasks`: only when the user is one of its assignees
# (so a button naming a task, or another chat, changes nothing for anyone else).
IS_ASSIGNEE = (
    "EXISTS (SELECT 1 FROM task_assignees AS a"
    " WHERE a.task_id = tasks.id AND a.user_id = :user_id)"
)
SET_DONE_BY_ASSIGNEE = Change.of(
    _set_done(f"tasks.number = :number AND {IS_ASSIGNEE}"), tail=DONE_RESULT
)

# A tick on a list button: set the task's state and return the page the list shows next, in one
# round trip. The page is read from the statement's snapshot (before the change), so the changed
# task is taken out of it (and put in when its new state belongs to the view) and the counts are
# corrected by what changed.
_DONE_THEN_PAGE = _set_done("tasks.number = :number")
_PAGE_AFTER = f"""
moved AS (
    -- +1 for each task that left the open list, -1 for each that came back to it (a repeating
    -- task completed and opened again for its next time stays where it was)
    SELECT COALESCE(sum(CASE WHEN done THEN 1 ELSE -1 END), 0) AS to_done
    FROM flipped WHERE done = :done
),
page AS (
    SELECT * FROM (
        SELECT {TASK_COLUMNS} FROM tasks
        WHERE chat_id = :chat_id AND done = :view_done AND deleted_at IS NULL
            AND number >= :start AND id NOT IN (SELECT id FROM flipped)
        ORDER BY number LIMIT :limit + 1
    ) AS unchanged
    UNION ALL
    SELECT {TASK_COLUMNS} FROM flipped WHERE done = :view_done AND number >= :start
)
SELECT NOT EXISTS (SELECT 1 FROM seen) AS first_time,
    c.open_tasks - (SELECT to_done FROM moved) AS open_tasks,
    c.done_tasks + (SELECT to_done FROM moved) AS done_tasks,
    c.timezone,
    (SELECT min(p.number) FROM (
        SELECT number FROM tasks
        WHERE chat_id = :chat_id AND done = :view_done AND deleted_at IS NULL
            AND number < :start AND id NOT IN (SELECT id FROM flipped)
        ORDER BY number DESC LIMIT :limit
    ) AS p) AS previous_start,
    rows.*
FROM (SELECT 1) AS one
LEFT JOIN chats AS c ON c.chat_id = :chat_id
LEFT JOIN (
    SELECT 'changed' AS kind, changed.* FROM changed
    UNION ALL
    SELECT 'changed' AS kind, {TASK_COLUMNS},
        CASE WHEN NOT done AND recurrence IS NOT NULL THEN due_at END AS next_due
    FROM tasks
    WHERE chat_id = :chat_id AND number = ANY(COALESCE((SELECT task_numbers FROM seen), '{{}}'))
    UNION ALL
    SELECT 'page' AS kind, page.*, NULL FROM page
) AS rows ON true
"""
DONE_THEN_PAGE = Change(
    once=_text(f"WITH {_SEEN},\n{_DONE_THEN_PAGE},\n{_RECORD},\n{_PAGE_AFTER}"),
)

RENAME = update_one("title = :title, updated_at = now()")
DESCRIBE = update_one("description = :description, updated_at = now()")
# Deleting keeps the row, marked, so that Undo can bring it back with its number and id; the
# number is never handed out again either way.
DELETE = update_one("deleted_at = now()")
RESTORE = update_one("deleted_at = NULL, updated_at = now()", deleted=True)

# The chat's counts, one page of tasks from `start` on (one row more, to know whether a next
# page exists) and where the previous page starts: all by index, whatever the chat's size.
LIST = _text(f"""
SELECT c.open_tasks, c.done_tasks, c.timezone,
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


def _change_then_page(assignments: str, *, deleted: bool) -> Change:
    """One task of a chat changed by its number (live, or with `deleted` a deleted one), then
    the page a list view shows after it, as DONE_THEN_PAGE does for a tick: the page is read
    from the statement's snapshot (before the change), so the changed task is taken out of it
    (and put back in when it is live again and belongs to the view) and the counts corrected.
    Rows: `kind` 'changed' (the task) or 'page', with the counts, zone and `previous_start`."""
    state = "IS NOT NULL" if deleted else "IS NULL"
    sign = 1 if deleted else -1  # brought back: counts again; deleted: counts no more
    back = "true" if deleted else "false"  # whether the changed task is on lists after
    body = f"""
changed AS (
    UPDATE tasks SET {assignments}
    WHERE chat_id = :chat_id AND number = :number AND deleted_at {state} AND {FIRST_TIME}
    RETURNING {TASK_COLUMNS}
)"""
    tail = f"""
moved AS (
    SELECT COALESCE(sum(CASE WHEN done THEN 0 ELSE {sign} END), 0) AS to_open,
        COALESCE(sum(CASE WHEN done THEN {sign} ELSE 0 END), 0) AS to_done
    FROM changed
),
page AS (
    SELECT * FROM (
        SELECT {TASK_COLUMNS} FROM tasks
        WHERE chat_id = :chat_id AND done = :view_done AND deleted_at IS NULL
            AND number >= :start AND id NOT IN (SELECT id FROM changed)
        ORDER BY number LIMIT :limit + 1
    ) AS unchanged
    UNION ALL
    SELECT {TASK_COLUMNS} FROM changed WHERE {back} AND done = :view_done AND number >= :start
)
SELECT NOT EXISTS (SELECT 1 FROM seen) AS first_time,
    c.open_tasks + (SELECT to_open FROM moved) AS open_tasks,
    c.done_tasks + (SELECT to_done FROM moved) AS done_tasks,
    c.timezone,
    (SELECT min(p.number) FROM (
        SELECT number FROM (
            SELECT number FROM tasks
            WHERE chat_id = :chat_id AND done = :view_done AND deleted_at IS NULL
                AND number < :start AND id NOT IN (SELECT id FROM changed)
            ORDER BY number DESC LIMIT :limit
        ) AS unchanged
        UNION ALL
        SELECT number FROM changed WHERE {back} AND done = :view_done AND number < :start
        ORDER BY number DESC LIMIT :limit
    ) AS p) AS previous_start,
    rows.*
FROM (SELECT 1) AS one
LEFT JOIN chats AS c ON c.chat_id = :chat_id
LEFT JOIN (
    SELECT 'changed' AS kind, {TASK_COLUMNS} FROM changed
    UNION ALL
    SELECT 'changed' AS kind, {TASK_COLUMNS} FROM tasks
    WHERE chat_id = :chat_id AND number = ANY(COALESCE((SELECT task_numbers FROM seen), '{{}}'))
    UNION ALL
    SELECT 'page' AS kind, page.* FROM page
) AS rows ON true
"""
    return Change(once=_text(f"WITH {_SEEN},\n{body},\n{_RECORD},\n{tail}"))


# A delete, or its Undo, on a list button: the change and the page the list shows next, in one
# round trip.
DELETE_THEN_PAGE = _change_then_page("deleted_at = now()", deleted=False)
RESTORE_THEN_PAGE = _change_then_page("deleted_at = NULL, updated_at = now()", deleted=True)
