"""Reaching the database: pasted URLs, TLS, poolers, dropped connections, a database that is down,
and what each operation costs in round trips."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from storage import assignees as assignee_store
from storage import attachments as attachment_store
from storage import checklists as checklist_store
from storage import labels as label_store
from storage import search as search_store
from storage import transfer as transfer_store
from storage import zoned as zoned_store
from storage.assigning import set_assignees
from storage.database_url import InvalidDatabaseUrl, parse_database_url
from storage.db import Database
from storage.deleting import delete_and_list, delete_task, restore_and_list, restore_task
from storage.errors import StorageUnavailable
from storage.tasks import (
    add_task,
    add_tasks,
    get_task,
    list_tasks,
    rename_task,
    set_description,
    set_done_and_list,
    set_task_done,
)
from storage.update_journal import record_received
from storage.values import Attachment, ListFilter, PageView
from testkit.pgproxy import PgProxy
from testkit.postgres import asyncpg_dsn, free_port
from tests.conftest import url_text
from tests.factories import new_bot_id, new_chat_id, new_update, new_update_id

NEON_DIRECT = (
    "postgresql://alex:AbC123dEf@ep-cool-darkness-123456.us-east-2.aws.neon.tech/dbname"
    "?sslmode=require&channel_binding=require"
)
NEON_POOLED = NEON_DIRECT.replace("-123456.", "-123456-pooler.")


def test_neon_url_keeps_tls_and_drops_what_asyncpg_rejects() -> None:
    settings = parse_database_url(NEON_DIRECT)
    assert settings.url.drivername == "postgresql+asyncpg"
    assert dict(settings.url.query) == {}
    assert settings.connect_args["ssl"] == "require"
    assert not settings.pooled
    assert "statement_cache_size" not in settings.connect_args
    assert settings.url.password == "AbC123dEf"
    assert "AbC123dEf" not in settings.render()


def test_neon_pooler_host_uses_psycopg_with_nothing_prepared_and_keeps_libpq_options() -> None:
    settings = parse_database_url(NEON_POOLED)
    assert settings.pooled
    assert settings.url.drivername == "postgresql+psycopg"
    assert settings.connect_args == {"prepare_threshold": None}
    # libpq takes these itself: TLS and SCRAM channel binding stay required.
    assert dict(settings.url.query) == {
        "sslmode": "require",
        "channel_binding": "require",
        "connect_timeout": "5",
    }
    assert "AbC123dEf" not in settings.render()


@pytest.mark.parametrize(
    ("raw", "driver", "pooled"),
    [
        ("postgres://u:p@db.example.com:5432/app", "asyncpg", False),
        ("postgres://u:p@db.example.com:6543/app?pgbouncer=true", "psycopg", True),
        ("postgresql://u:p@db.example.com/app?pgbouncer=false", "asyncpg", False),
        ("postgresql+asyncpg://u:p@db.example.com/app", "asyncpg", False),
    ],
)
def test_heroku_and_railway_urls_are_accepted(raw: str, driver: str, pooled: bool) -> None:
    settings = parse_database_url(raw)
    assert settings.url.drivername == f"postgresql+{driver}"
    assert settings.url.host == "db.example.com"
    assert "pgbouncer" not in settings.url.query
    assert settings.pooled is pooled


def test_libpq_options_are_translated() -> None:
    settings = parse_database_url(
        "postgresql://u@h/d?connect_timeout=3&application_name=todo&options=endpoint%3Dep-x"
    )
    assert settings.connect_args["timeout"] == 3.0
    assert settings.connect_args["server_settings"] == {
        "application_name": "todo",
        "options": "endpoint=ep-x",
    }
    assert dict(settings.url.query) == {}


def test_libpq_options_stay_libpq_options_behind_a_pooler() -> None:
    settings = parse_database_url(
        "postgresql://u@h/d?pgbouncer=1&connect_timeout=0.5&application_name=todo&options=-c%20x"
    )
    assert dict(settings.url.query) == {
        "connect_timeout": "2",  # whole seconds, and psycopg waits at least 2
        "application_name": "todo",
        "options": "-c x",
    }


@pytest.mark.parametrize(
    "raw",
    [
        "mysql://u:p@h/d",
        "not a url",
        "postgresql://u@h/d?sslmode=sometimes",
        "postgresql://u@h/d?connect_timeout=soon",
        "postgresql://u@h/d?channel_binding=maybe",
    ],
)
def test_urls_that_cannot_work_are_refused_clearly(raw: str) -> None:
    with pytest.raises(InvalidDatabaseUrl):
        parse_database_url(raw)


# The same URL read as a direct connection (asyncpg) and as a pooler's (psycopg).
DRIVERS = pytest.mark.parametrize("pooler", [{}, {"pgbouncer": "true"}], ids=["direct", "pooled"])


@DRIVERS
async def test_sslmode_require_really_asks_for_tls(
    pgbouncer_admin_url: URL, pooler: dict[str, str]
) -> None:
    # The test PgBouncer speaks no TLS: with sslmode=require the connection must be refused
    # rather than quietly made in clear text; with sslmode=prefer it falls back and works.
    required = Database.from_url(url_text(pgbouncer_admin_url, sslmode="require", **pooler))
    preferred = Database.from_url(url_text(pgbouncer_admin_url, sslmode="prefer", **pooler))
    try:
        with pytest.raises(StorageUnavailable):
            await required.ping()
        await preferred.ping()
    finally:
        await required.close()
        await preferred.close()


async def test_next_call_works_after_every_connection_is_terminated(
    db: Database, pg_admin_url: URL, database_url: URL
) -> None:
    chat = new_chat_id()
    await asyncio.gather(
        *(add_task(db, chat_id=chat, title=f"t{i}", created_by=chat) for i in range(5))
    )
    # Fill the pool: every pooled connection will be a dead one after the terminate.
    await asyncio.gather(
        *(db.run(sa.text("SELECT pg_sleep(0.05)"), idempotent=True) for _ in range(25))
    )
    admin = await asyncpg.connect(asyncpg_dsn(pg_admin_url))
    try:
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()",
            database_url.database,
        )
    finally:
        await admin.close()
    assert killed >= 1
    page = await list_tasks(db, chat_id=chat)
    assert page.total == 5
    task = await add_task(db, chat_id=chat, title="after the drop", created_by=chat)
    assert task.number == 6


@DRIVERS
async def test_database_that_is_down_raises_storage_unavailable_promptly(
    pooler: dict[str, str],
) -> None:
    url = URL.create("postgresql", "u", "p", "127.0.0.1", free_port(), "d")
    nothing_listens = Database.from_url(url_text(url, **pooler))
    try:
        async with asyncio.timeout(10):
            with pytest.raises(StorageUnavailable):
                await add_task(nothing_listens, chat_id=1, title="lost?", created_by=1)
    finally:
        await nothing_listens.close()


@DRIVERS
async def test_database_that_never_answers_times_out_as_unavailable(
    pooler: dict[str, str],
) -> None:
    silent = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    url = URL.create("postgresql", "u", "p", "127.0.0.1", port, "d")
    database = Database.from_url(url_text(url, connect_timeout="0.5", **pooler))
    try:
        async with asyncio.timeout(10):
            with pytest.raises(StorageUnavailable):
                await database.ping()
    finally:
        await database.close()
        silent.close()


@pytest.fixture(params=["direct", "pgbouncer"])
async def counted_db(
    request: pytest.FixtureRequest, pg_admin_url: URL, database_url: URL
) -> AsyncIterator[tuple[Database, PgProxy]]:
    """Storage through a proxy that counts round trips, straight to PostgreSQL or to PgBouncer."""
    query: dict[str, str] = {}
    if request.param == "pgbouncer":
        bouncer: URL = request.getfixturevalue("pgbouncer_admin_url")
        proxy = PgProxy(target_host=bouncer.host, target_port=bouncer.port or 5432)
        query["pgbouncer"] = "true"
    elif isinstance(socket_dir := pg_admin_url.query.get("host"), str):
        proxy = PgProxy(target_socket=f"{socket_dir}/.s.PGSQL.{pg_admin_url.port or 5432}")
    else:
        proxy = PgProxy(target_host=pg_admin_url.host, target_port=pg_admin_url.port or 5432)
    await proxy.start()
    url = database_url.set(host="127.0.0.1", port=proxy.port).difference_update_query(["host"])
    database = Database.from_url(url_text(url, **query), pool_size=1)
    yield database, proxy
    await database.close()
    await proxy.stop()


# Direct (asyncpg): the statement alone (autocommit, prepared once per connection). Through an
# old transaction-mode PgBouncer (psycopg): parse, bind and execute of the unnamed statement
# sent together, outside any transaction, so nothing prepared needs to outlive it.
ROUND_TRIPS_PER_OPERATION = {"direct": 1, "pgbouncer": 1}


async def test_round_trips_per_operation(counted_db: tuple[Database, PgProxy]) -> None:
    db, proxy = counted_db
    chat, bot = new_chat_id(), new_bot_id()
    operations = {
        "add": lambda: add_task(db, chat_id=chat, title="t", created_by=chat),
        "add 3": lambda: add_tasks(db, chat_id=chat, titles=["a", "b", "c"], created_by=chat),
        "list": lambda: list_tasks(db, chat_id=chat),
        "get": lambda: get_task(db, chat_id=chat, number=1),
        "done": lambda: set_task_done(db, chat_id=chat, number=1, done=True),
        "rename": lambda: rename_task(db, chat_id=chat, number=1, title="n"),
        "describe": lambda: set_description(db, chat_id=chat, number=1, description="d"),
        "delete": lambda: delete_task(db, chat_id=chat, number=2),
        "restore": lambda: restore_task(db, chat_id=chat, number=2),
        "tick and list": lambda: set_done_and_list(
            db, chat_id=chat, number=1, done=True, view=PageView(done=False, start=1), limit=10
        ),
        "tick and list, claiming its update": lambda: set_done_and_list(
            db,
            chat_id=chat,
            number=1,
            done=False,
            view=PageView(done=True, start=1),
            limit=10,
            update_key=new_update(),
        ),
        "add, claiming its update": lambda: add_task(
            db, chat_id=chat, title="t", created_by=chat, update_key=new_update()
        ),
        "done, claiming its update": lambda: set_task_done(
            db, chat_id=chat, number=1, done=False, update_key=new_update()
        ),
        # Completed, then open again for its next time: still the one statement.
        "done, a repeating task": lambda: set_task_done(db, chat_id=chat, number=3, done=True),
        # What a list's 🗑 and Undo need: the change and the page after it.
        "delete and list": lambda: delete_and_list(
            db, chat_id=chat, number=2, view=PageView(done=False, start=1), limit=10
        ),
        "restore and list": lambda: restore_and_list(
            db, chat_id=chat, number=2, view=PageView(done=False, start=1), limit=10
        ),
        "due today, with the zone": lambda: zoned_store.due_today(
            db, chat_id=chat, now=datetime(2030, 1, 1, tzinfo=UTC)
        ),
        "a task with its assignees": lambda: assignee_store.get_assigned_task(
            db, chat_id=chat, number=1
        ),
        "exactly these assignees (the task API)": lambda: set_assignees(
            db, chat_id=chat, number=1, user_ids=[chat, chat + 1]
        ),
        "assignments, with their groups and the zone": lambda: assignee_store.assignments(
            db, user_id=chat
        ),
        "a private reminder's group and zone": lambda: assignee_store.reminder_place(
            db, list_id=chat, user_id=chat
        ),
        # Priorities, labels and checklists change neither a page's nor a change's cost.
        "list by labels, priority and due time": lambda: list_tasks(
            db,
            chat_id=chat,
            page_filter=ListFilter(labels=("home", "work"), priorities=(1, 2), due="upcoming"),
            start=2,
        ),
        "tick and list, filtered by a label": lambda: set_done_and_list(
            db,
            chat_id=chat,
            number=2,
            done=True,
            view=PageView(start=1, filter=ListFilter(labels=("home",), due="today")),
        ),
        "delete and list, filtered": lambda: delete_and_list(
            db, chat_id=chat, number=2, view=PageView(filter=ListFilter(priorities=(2,)))
        ),
        "restore and list, filtered by a label": lambda: restore_and_list(
            db, chat_id=chat, number=2, view=PageView(filter=ListFilter(labels=("work",)))
        ),
        "add with a priority and a checklist": lambda: add_task(
            db, chat_id=chat, title="t #home", created_by=chat, priority=1, checklist=["a"]
        ),
        "checklist items added": lambda: checklist_store.add_items(
            db, chat_id=chat, number=1, texts=["x"]
        ),
        "a checklist item ticked, with the card": lambda: checklist_store.tick_item(
            db, chat_id=chat, number=1, item=1, done=True
        ),
        "a file attached": lambda: attachment_store.attach(
            db, chat_id=chat, number=1, attachment=Attachment("photo", "AgACx")
        ),
        "labels with their counts": lambda: label_store.list_labels(db, chat_id=chat),
        "retitled with a priority": lambda: rename_task(
            db, chat_id=chat, number=2, title="b #work", priority=2
        ),
        "journal a batch, forgetting the handled": lambda: record_received(
            db,
            bot_id=bot,
            received=[(new_update_id(), "{}"), (new_update_id(), "{}")],
            handled=[new_update_id()],
        ),
    }
    await add_tasks(
        db,
        chat_id=chat,
        titles=["a #home", "b #home #work", "every day"],
        created_by=chat,
        due=[(None, None), (None, None), (datetime(2030, 1, 1, 9, tzinfo=UTC), "daily::09:00:")],
        priorities=[1, 2, None],
        checklists=[["one"], [], ["two"]],
    )
    for run in operations.values():  # warm up: connect, prepare each statement once
        await run()
    costs = {}
    for name, run in operations.items():
        proxy.reset()
        await run()
        costs[name] = proxy.round_trips
    mode = "pgbouncer" if db.settings.pooled else "direct"
    assert costs == dict.fromkeys(operations, ROUND_TRIPS_PER_OPERATION[mode])


async def test_the_proxy_tells_a_first_use_prepare_from_a_statement(
    counted_db: tuple[Database, PgProxy],
) -> None:
    """asyncpg prepares a statement on a connection's first use of it, a round trip of its own;
    behind a pooler psycopg sends it with its execution. The proxy counts the first apart."""
    db, proxy = counted_db
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="t", created_by=chat)  # connected, types known
    pooled = db.settings.pooled
    for first_use in (True, False):
        proxy.reset()
        await get_task(db, chat_id=chat, number=1)
        expected = (2, 1) if first_use and not pooled else (1, 0)
        assert (proxy.round_trips, proxy.prepares) == expected


async def _one_task_to_import(tz: object) -> list[transfer_store.NewTask]:
    return [transfer_store.NewTask("i")]


async def test_changes_read_in_the_lists_zone_cost_two_statements(
    counted_db: tuple[Database, PgProxy],
) -> None:
    """A due time typed by the user (or in an imported file) means a moment only in the list's
    zone: the zone is read, then the change made, in one storage call. A tick on search results
    is the tick, then the search again."""
    db, proxy = counted_db
    chat, due_at = new_chat_id(), datetime(2030, 1, 1, 9, tzinfo=UTC)
    operations = {
        "add with due times": lambda: zoned_store.add_tasks_in_zone(
            db, chat_id=chat, titles=["t"], due=lambda tz: [(due_at, None)], created_by=chat
        ),
        "due": lambda: zoned_store.set_due_in_zone(
            db, chat_id=chat, number=1, due=lambda tz: (due_at, None)
        ),
        "snooze": lambda: zoned_store.snooze_in_zone(
            db, chat_id=chat, number=1, until=lambda tz: due_at
        ),
        "done from a reminder": lambda: zoned_store.set_task_done_with_settings(
            db, chat_id=chat, number=1
        ),
        "a setting": lambda: zoned_store.change_chat_settings(
            db, chat_id=chat, change=lambda old: old, now=due_at
        ),
        "import": lambda: transfer_store.import_tasks_in_zone(
            db, chat_id=chat, read=_one_task_to_import, created_by=chat
        ),
        "a tick on search results": lambda: search_store.set_done_and_find(
            db, chat_id=chat, number=1, done=False, words="t"
        ),
    }
    for run in operations.values():  # warm up: connect, prepare each statement once
        await run()
    costs = {}
    for name, run in operations.items():
        proxy.reset()
        await run()
        costs[name] = proxy.round_trips
    mode = "pgbouncer" if db.settings.pooled else "direct"
    assert costs == dict.fromkeys(operations, 2 * ROUND_TRIPS_PER_OPERATION[mode])


@pytest.mark.parametrize(
    ("message", "applied_maybe"),
    [
        # The server ended the session instead of answering: the statement was not applied.
        (
            "connection was closed in the middle of operation: terminating connection due to"
            " administrator command",
            False,
        ),
        # The connection broke (network): the statement may have been applied.
        ("connection was closed in the middle of operation", True),
    ],
)
def test_only_a_statement_the_server_refused_counts_as_not_applied(
    message: str, applied_maybe: bool
) -> None:
    from storage.connection_errors import closed_before_sending

    error = asyncpg.exceptions.ConnectionDoesNotExistError(message)
    wrapped = sa.exc.DBAPIError("INSERT ...", {}, Exception(message))
    wrapped.orig.__cause__ = error  # type: ignore[union-attr]
    assert closed_before_sending(wrapped) is not applied_maybe


@pytest.mark.parametrize(
    ("error", "unavailable", "applied_maybe"),
    [
        # What psycopg raises (behind a pooler) for the same events.
        (
            psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
            True,
            False,
        ),
        (
            psycopg.OperationalError("consuming input failed: server closed the connection"),
            True,
            True,
        ),
        # Our SQL, not the connection: never retried, never "storage unavailable".
        (psycopg.errors.UniqueViolation("duplicate key value"), False, True),
        (psycopg.errors.QueryCanceled("canceling statement due to user request"), False, True),
    ],
)
def test_psycopg_errors_are_told_apart_as_asyncpg_ones_are(
    error: Exception, unavailable: bool, applied_maybe: bool
) -> None:
    from storage.connection_errors import closed_before_sending, is_unavailable

    wrapped = sa.exc.DBAPIError("INSERT ...", {}, error)
    assert is_unavailable(wrapped) is unavailable
    assert closed_before_sending(wrapped) is not applied_maybe
