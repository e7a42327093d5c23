"""Full-text search over a chat's tasks (titles and notes), through the GIN index on `search`.

Every word the user gives must match the start of a word of the task (`mil` finds "milk"),
ranked by how well the task matches (ts_rank: a word that occurs more often weighs more), then
by number. The words are split by PostgreSQL's own text-search parser, the same one that built
the tasks' `search` column, and each word is quoted and escaped before it becomes a query term:
no user text can be read as a query operator or break the query.
"""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import REGCONFIG

from storage import tasks as task_store
from storage.db import Database
from storage.tables import CHAT_ID, ONE_ROW, TASK_COLUMNS, param, task_from_row, tasks
from storage.values import Completed, Task, UpdateKey

MAX_SEARCH_PAGE = 50
# Offsets past this are not paged to (a search that finds this many needs better words).
MAX_SEARCH_OFFSET = 10_000

# The configuration of the tasks' own `search` column (storage.models.SEARCH_EXPRESSION).
_SIMPLE = sa.cast(sa.literal_column("'simple'"), REGCONFIG)


def _find() -> sa.Select[Any]:
    """One page of the chat's tasks (with `:done` NULL open and done, else only those) that
    hold every word of `:words`, best match first, then by number: `:limit` from `:offset`
    on, each row with `total`, the number of all the matches (one row of NULL tasks when the
    page is empty)."""
    # The words as a prefix query: `'milk':* & 'eggs':*`. Inside single quotes a tsquery takes
    # any character once `\` and `'` are escaped. With no word at all (only punctuation) the
    # query is NULL and matches nothing. Materialized, it is built once per statement and can
    # drive the GIN index.
    words = sa.func.unnest(
        sa.func.to_tsvector(_SIMPLE, sa.bindparam("words", type_=sa.Text))
    ).table_valued("lexeme")
    escaped = sa.func.replace(
        sa.func.replace(words.c.lexeme, "\\", "\\\\", type_=sa.Text), "'", "''", type_=sa.Text
    )
    term = sa.literal("'") + escaped + sa.literal("':*")
    query = (
        sa.select(sa.func.to_tsquery(_SIMPLE, sa.func.string_agg(term, " & ")).label("terms"))
        .cte("query")
        .prefix_with("MATERIALIZED")
    )
    terms = sa.select(query.c.terms).scalar_subquery()
    # Typed in the SQL: a NULL parameter alone (`IS NULL`) has no type the server can infer.
    done = sa.cast(param(tasks.c.done), sa.Boolean)
    matches = (
        sa.select(*TASK_COLUMNS, sa.func.ts_rank(tasks.c.search, terms).label("rank"))
        .where(
            tasks.c.chat_id == CHAT_ID,
            tasks.c.deleted_at.is_(None),
            tasks.c.search.bool_op("@@")(terms),
            sa.or_(done.is_(None), tasks.c.done == done),
        )
        .cte("matches")
    )
    by_rank = (matches.c.rank.desc(), matches.c.number)
    page = (
        sa.select(*matches.c)
        .order_by(*by_rank)
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
        .subquery("page")
    )
    total = sa.select(sa.func.count()).select_from(matches).scalar_subquery()
    return (
        sa.select(total.label("total"), *page.c)
        .select_from(ONE_ROW.outerjoin(page, sa.true()))
        .order_by(page.c.rank.desc(), page.c.number)
    )


_FIND = _find()


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
        "list_id": chat_id,
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
    update_key: UpdateKey | None = None,
) -> tuple[Completed, SearchPage]:
    """Mark a found task done or open (as tasks.set_task_done), then the results page from
    `offset` after it: what a tick on a results message needs (two round trips)."""
    completed = await task_store.set_task_done(
        db, chat_id=chat_id, number=number, done=done, update_key=update_key
    )
    page = await find_tasks(db, chat_id=chat_id, words=words, offset=offset, limit=limit)
    return completed, page
