"""Full-text search over a chat's tasks (titles and notes), through the GIN index on `search`.

Every word the user gives must match the start of a word of the task (`mil` finds "milk"),
ranked by how well the task matches (ts_rank: a word that occurs more often weighs more), then
by number. The words are split by PostgreSQL's own text-search parser, the same one that built
the tasks' `search` column, and each word is quoted and escaped before it becomes a query term:
no user text can be read as a query operator or break the query.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from storage import tasks as task_store
from storage.changes import task_from_row
from storage.db import Database
from storage.models import Completed, Task, UpdateKey
from storage.statements import TASK_COLUMNS

MAX_SEARCH_PAGE = 50
# Offsets past this are not paged to (a search that finds this many needs better words).
MAX_SEARCH_OFFSET = 10_000

# The words as a prefix query: `'milk':* & 'eggs':*`. The lexemes come from to_tsvector with
# the configuration of the tasks' own column; inside single quotes a tsquery takes any character
# once `\` and `'` are escaped (chr(92) is the backslash, kept out of the SQL text). With no word
# at all (only punctuation), the query is NULL and matches nothing. Used as a scalar subquery,
# the query is built once per statement and can drive the GIN index.
_FIND = sa.text(f"""
WITH query AS MATERIALIZED (
    SELECT to_tsquery('simple', string_agg(
        '''' || replace(replace(lexeme, chr(92), chr(92) || chr(92)), '''', '''''') || ''':*',
        ' & '
    )) AS terms
    FROM unnest(to_tsvector('simple', :words))
),
matches AS (
    SELECT {TASK_COLUMNS}, ts_rank(search, (SELECT terms FROM query)) AS rank
    FROM tasks
    WHERE chat_id = :chat_id AND deleted_at IS NULL
        AND search @@ (SELECT terms FROM query)
        AND (CAST(:done AS boolean) IS NULL OR done = :done)
)
SELECT (SELECT count(*) FROM matches) AS total, page.*
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT * FROM matches ORDER BY rank DESC, number LIMIT :limit OFFSET :offset
) AS page ON true
ORDER BY page.rank DESC, page.number
""").bindparams(
    sa.bindparam("chat_id", type_=sa.BigInteger),
    sa.bindparam("words", type_=sa.Text),
    sa.bindparam("done", type_=sa.Boolean),
    sa.bindparam("limit", type_=sa.Integer),
    sa.bindparam("offset", type_=sa.Integer),
)


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of a chat's tasks that match `words`, best match first.

    `total` counts every match; `offset` is where this page starts among them (0: the first).
    """

    words: str
    tasks: list[Task]
    total: int
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        """Where the next page starts, None on the last page."""
        following = self.offset + self.limit
        return following if following < self.total and following <= MAX_SEARCH_OFFSET else None

    @property
    def previous_offset(self) -> int | None:
        """Where the previous page starts, None on the first page."""
        return max(0, self.offset - self.limit) if self.offset > 0 else None


async def find_tasks(
    db: Database,
    *,
    chat_id: int,
    words: str,
    offset: int = 0,
    limit: int = 10,
    done: bool | None = None,
) -> SearchPage:
    """One page of the chat's tasks (open and done; or only those with `done`, when given)
    whose title or note holds every one of `words`, best match first, then by number."""
    limit = max(1, min(limit, MAX_SEARCH_PAGE))
    offset = max(0, min(offset, MAX_SEARCH_OFFSET))
    params = {
        "chat_id": chat_id,
        "words": words,
        "done": done,
        "limit": limit,
        "offset": offset,
    }
    rows = await db.run(_FIND, params, idempotent=True)
    tasks = [task_from_row(row) for row in rows if row._mapping["id"] is not None]
    return SearchPage(
        words=words, tasks=tasks, total=int(rows[0]._mapping["total"]), offset=offset, limit=limit
    )


async def set_done_and_find(
    db: Database,
    *,
    chat_id: int,
    number: int,
    done: bool,
    words: str,
    offset: int = 0,
    limit: int = 10,
    once_for: UpdateKey | None = None,
) -> tuple[Completed, SearchPage]:
    """Mark a found task done or open (as tasks.set_task_done), then the results page from
    `offset` after it: what a tick on a results message needs (two round trips)."""
    completed = await task_store.set_task_done(
        db, chat_id=chat_id, number=number, done=done, once_for=once_for
    )
    page = await find_tasks(db, chat_id=chat_id, words=words, offset=offset, limit=limit)
    return completed, page
