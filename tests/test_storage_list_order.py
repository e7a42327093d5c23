"""/list's order and filters in storage: priority, then due time, then number; pages that
start at a task; filters by priority, due time and labels, each read by index (the plans are
checked) and paged both ways; the tick, delete and Undo that return a filtered page."""

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from storage import chat_settings as settings_store
from storage.db import Database
from storage.deleting import delete_and_list, restore_and_list
from storage.group_upgrade import move_group
from storage.labels import LabelCount, list_labels
from storage.pages import LIST, view_params
from storage.tasks import add_tasks, list_tasks, rename_task, set_done_and_list
from storage.values import DueEntry, ListFilter, PageView
from tests.factories import new_chat_id

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def _numbers(db: Database, chat: int, **options: object) -> list[int]:
    page = await list_tasks(db, chat_id=chat, limit=100, now=NOW, **options)  # type: ignore[arg-type]
    return [task.number for task in page.tasks]


async def _add(db: Database, chat: int, *specs: tuple[str, int | None, datetime | None]) -> None:
    await add_tasks(
        db,
        chat_id=chat,
        titles=[title for title, _, _ in specs],
        priorities=[priority for _, priority, _ in specs],
        due=[DueEntry(due) for _, _, due in specs],
        created_by=chat,
    )


async def test_the_list_is_in_priority_then_due_then_number_order(db: Database) -> None:
    chat = new_chat_id()
    await _add(
        db,
        chat,
        ("plain", None, None),  # 1
        ("low soon", 3, NOW + timedelta(hours=1)),  # 2
        ("high late", 1, NOW + timedelta(days=3)),  # 3
        ("high", 1, None),  # 4
        ("high soon", 1, NOW + timedelta(hours=2)),  # 5
        ("plain due", None, NOW + timedelta(days=1)),  # 6
        ("medium", 2, None),  # 7
    )
    assert await _numbers(db, chat) == [5, 3, 4, 7, 2, 6, 1]


async def test_pages_start_at_a_task_and_go_back(db: Database) -> None:
    chat = new_chat_id()
    specs = [(f"t{i}", (i % 3) + 1 if i % 4 else None, None) for i in range(1, 26)]
    await _add(db, chat, *specs)
    everything = await _numbers(db, chat)
    assert len(everything) == 25
    seen, start, starts = [], None, []
    while True:
        page = await list_tasks(db, chat_id=chat, start=start, limit=7, now=NOW)
        seen += [task.number for task in page.tasks]
        starts.append(page.tasks[0].number)
        if page.next_start is None:
            break
        start = page.next_start
    assert seen == everything
    # Back from the last page lands on each page's start again.
    page = await list_tasks(db, chat_id=chat, start=starts[-1], limit=7, now=NOW)
    backs = []
    while page.previous_start is not None:
        backs.append(page.previous_start)
        page = await list_tasks(db, chat_id=chat, start=page.previous_start, limit=7, now=NOW)
    assert backs == starts[-2::-1]


async def test_filters_by_priority_due_time_and_labels(db: Database) -> None:
    chat = new_chat_id()
    tokyo = settings_store.ChatSettings(timezone="Asia/Tokyo")
    await settings_store.save_chat_settings(db, chat_id=chat, settings=tokyo, next_digest_at=None)
    # 09:00 UTC is 18:00 in Tokyo: the day there ends at 15:00 UTC.
    await _add(
        db,
        chat,
        ("Call the bank #finance #urgent", 1, NOW - timedelta(hours=1)),  # 1 overdue
        ("Pay rent #Finance", 2, NOW + timedelta(hours=5)),  # 2 today
        ("Taxes #finance", None, NOW + timedelta(hours=7)),  # 3 tomorrow in Tokyo
        ("Walk #urgent", 1, NOW + timedelta(days=6)),  # 4 upcoming
        ("Read", None, NOW + timedelta(days=8)),  # 5 later
        ("Plan", 3, None),  # 6
    )
    assert await _numbers(db, chat, page_filter=ListFilter(due="overdue")) == [1]
    assert await _numbers(db, chat, page_filter=ListFilter(due="today")) == [1, 2]
    assert await _numbers(db, chat, page_filter=ListFilter(due="upcoming")) == [4, 2, 3]
    assert await _numbers(db, chat, page_filter=ListFilter(priorities=(1,))) == [1, 4]
    assert await _numbers(db, chat, page_filter=ListFilter(priorities=(4,))) == [3, 5]
    assert await _numbers(db, chat, page_filter=ListFilter(labels=("finance",))) == [1, 2, 3]
    both = ListFilter(labels=("finance", "urgent"))
    assert await _numbers(db, chat, page_filter=both) == [1]
    assert await _numbers(
        db, chat, page_filter=ListFilter(labels=("urgent",), due="upcoming")
    ) == [4]
    assert await _numbers(db, chat, page_filter=ListFilter(labels=("nothing",))) == []


async def test_labels_follow_the_title_state_and_deletion(db: Database) -> None:
    chat = new_chat_id()
    await _add(db, chat, ("Pay #bills", None, None), ("Buy milk", None, None))
    finance = ListFilter(labels=("bills",))
    assert await _numbers(db, chat, page_filter=finance) == [1]
    await rename_task(db, chat_id=chat, number=1, title="Pay")
    await rename_task(db, chat_id=chat, number=2, title="Buy milk #bills", priority=2)
    assert await _numbers(db, chat, page_filter=finance) == [2]
    await set_done_and_list(db, chat_id=chat, number=2, done=True, view=PageView(), now=NOW)
    assert await _numbers(db, chat, page_filter=finance) == []
    assert await _numbers(db, chat, page_filter=finance, done=True) == [2]
    deleted, page = await delete_and_list(
        db, chat_id=chat, number=2, view=PageView(done=True, filter=finance), now=NOW
    )
    assert deleted.labels == ("bills",) and page.tasks == []
    _, page = await restore_and_list(
        db, chat_id=chat, number=2, view=PageView(done=True, filter=finance), now=NOW
    )
    assert [task.number for task in page.tasks] == [2]


async def test_a_tick_returns_the_filtered_page_after_it(db: Database) -> None:
    chat = new_chat_id()
    await _add(db, chat, *[(f"#work {i}", 2, None) for i in range(1, 6)], ("home", 2, None))
    view = PageView(filter=ListFilter(labels=("work",)), start=2)
    completed, page = await set_done_and_list(
        db, chat_id=chat, number=3, done=True, view=view, limit=2, now=NOW
    )
    assert completed.task.done
    assert [task.number for task in page.tasks] == [2, 4]
    assert page.next_start == 5 and page.previous_start == 1


async def _plan(db: Database, statement: sa.Select[object], params: dict[str, object]) -> dict:
    """The plan of running the statement, with what each node read (EXPLAIN ANALYZE)."""
    async with db.engine.connect() as connection:
        compiled = statement.compile(dialect=connection.dialect)
        values = compiled.construct_params(params)
        raw = await connection.get_raw_connection()
        positional = [values[name] for name in compiled.positiontup or []]
        explain = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + str(compiled)
        document = await raw.driver_connection.fetchval(explain, *positional)  # type: ignore[union-attr]
    parsed = json.loads(document) if isinstance(document, str) else document
    return parsed[0]["Plan"]


def _scans(node: dict) -> list[dict]:
    """Every node of a plan that reads tasks or task_labels."""
    found = [node] if node.get("Relation Name") in ("tasks", "task_labels") else []
    for child in node.get("Plans", []):
        found += _scans(child)
    return found


def _blocks(plan: dict) -> int:
    """The pages a plan read, from the cache or not."""
    return int(plan["Shared Hit Blocks"]) + int(plan["Shared Read Blocks"])


async def _fill(db: Database, chat: int, count: int) -> None:
    """`count` open tasks of every priority, two in three due (some overdue), one in five
    #common, one in three hundred #rare: in one statement, as the benchmark fills its chats."""
    async with db.engine.connect() as connection:
        await connection.exec_driver_sql(
            f"INSERT INTO chats (chat_id, last_task_number) VALUES ({chat}, {count})"
        )
        await connection.exec_driver_sql(
            "INSERT INTO tasks (chat_id, number, title, priority, due_at, labels)"
            f" SELECT {chat}, n, 'task ' || n, NULLIF(n % 4, 0),"
            " CASE WHEN n % 3 <> 0 THEN now() + (n % 500 - 100) * interval '1 hour' END,"
            " array_remove(ARRAY[CASE WHEN n % 5 = 0 THEN 'common' END,"
            " CASE WHEN n % 300 = 0 THEN 'rare' END], NULL)"
            f" FROM generate_series(1, {count}) AS n"
        )
        await connection.exec_driver_sql("ANALYZE tasks")
        await connection.exec_driver_sql("ANALYZE task_labels")
        await connection.commit()


async def test_a_page_reads_a_few_pages_however_big_the_list(direct_db: Database) -> None:
    small, big = new_chat_id(), new_chat_id()
    await _fill(direct_db, small, 600)
    await _fill(direct_db, big, 60_000)
    starts = {}
    for chat in (small, big):
        first = await list_tasks(direct_db, chat_id=chat, limit=10, now=NOW)
        later = await list_tasks(direct_db, chat_id=chat, start=300, limit=10, now=NOW)
        starts[chat] = (None, first.next_start, later.tasks[0].number)
    # With several labels the first one's range is read and the others checked on what it
    # finds (so the rarer label goes first: the README says so).
    for labels in ((), ("rare",), ("common",), ("rare", "common")):
        for due in (None, "today", "overdue", "upcoming"):
            for priorities in ((), (2,), (1, 4)):
                page_filter = ListFilter(labels=labels, due=due, priorities=priorities)
                for chat in (small, big):
                    for start in starts[chat]:
                        view = PageView(start=start, filter=page_filter)
                        params = {"list_id": chat, **view_params(view, limit=10, now=NOW)}
                        plan = await _plan(direct_db, LIST[bool(labels)], params)
                        for scan in _scans(plan):
                            _assert_reads_what_it_returns(scan, page_filter)


def _assert_reads_what_it_returns(scan: dict, page_filter: ListFilter) -> None:
    """An index scan of a page gives at most a page and one more per range, and reads, per
    range, the index down to its start (a few pages) and a table page per task it gives at
    most: nothing it passes over. (Reading one priority's whole range, as a row comparison
    that does not start the range would, is hundreds of pages in the big list.)"""
    assert "Index" in scan["Node Type"], scan
    loops = max(1, int(scan["Actual Loops"]))
    rows = float(scan["Actual Rows"])
    assert rows <= 11, (page_filter, scan)
    assert _blocks(scan) <= loops * 5 + rows * loops * 2 + 10, (page_filter, scan)


async def test_labels_move_with_a_group_that_became_a_supergroup(db: Database) -> None:
    old, new = new_chat_id(group=True), new_chat_id(group=True)
    await _add(db, old, ("Pay #bills", 1, None), ("Sleep", None, None))
    await move_group(db, old_chat_id=old, new_chat_id=new)
    bills = ListFilter(labels=("bills",))
    assert await _numbers(db, new, page_filter=bills) == [1]
    # A command still carrying the old id reads the moved list.
    assert await _numbers(db, old, page_filter=bills) == [1]
    assert await list_labels(db, chat_id=new) == [LabelCount("bills", 1, 0)]
