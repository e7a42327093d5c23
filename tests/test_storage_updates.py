"""Telegram may deliver an update again: its changes apply once, atomically with the claim."""

import asyncio

import asyncpg
import pytest
from sqlalchemy.engine import URL

from storage.changes import purge_processed_updates
from storage.db import Database
from storage.deleting import delete_task, restore_task
from storage.errors import DuplicateUpdate, TaskNotFound
from storage.tasks import (
    add_task,
    add_tasks,
    get_task,
    list_tasks,
    rename_task,
    set_description,
    set_done,
)
from storage.transfer import Imported, NewTask, export_tasks, import_tasks
from storage.values import UpdateKey
from testkit.pgproxy import PgProxy
from testkit.postgres import asyncpg_dsn
from tests.conftest import url_text
from tests.factories import new_chat_id, new_update


async def test_redelivered_add_adds_nothing(db: Database) -> None:
    chat, update = new_chat_id(), new_update()
    await add_tasks(db, chat_id=chat, titles=["a", "b"], created_by=chat, update_key=update)
    with pytest.raises(DuplicateUpdate) as caught:
        await add_tasks(db, chat_id=chat, titles=["a", "b"], created_by=chat, update_key=update)
    assert (caught.value.bot_id, caught.value.update_id) == (update.bot_id, update.update_id)
    page = await list_tasks(db, chat_id=chat)
    assert [t.title for t in page.tasks] == ["a", "b"]
    nxt = await add_task(db, chat_id=chat, title="c", created_by=chat, update_key=new_update())
    assert nxt.number == 3


async def test_a_replayed_update_reports_its_change_again_and_applies_nothing(
    db: Database,
) -> None:
    chat, update = new_chat_id(), new_update()
    added = await add_tasks(
        db, chat_id=chat, titles=["a", "b"], created_by=chat, update_key=update
    )
    replayed = UpdateKey(bot_id=update.bot_id, update_id=update.update_id, replayed=True)
    again = await add_tasks(
        db, chat_id=chat, titles=["a", "b"], created_by=chat, update_key=replayed
    )
    assert [(t.number, t.title) for t in again] == [(t.number, t.title) for t in added]
    assert (await list_tasks(db, chat_id=chat)).total == 2


async def test_the_same_update_arriving_ten_times_at_once_applies_once(db: Database) -> None:
    chat, update = new_chat_id(group=True), new_update()
    results = await asyncio.gather(
        *(
            add_task(db, chat_id=chat, title="once", created_by=1, update_key=update)
            for _ in range(10)
        ),
        return_exceptions=True,
    )
    added = [r for r in results if not isinstance(r, BaseException)]
    duplicates = [r for r in results if isinstance(r, DuplicateUpdate)]
    assert len(added) == 1 and len(duplicates) == 9
    assert (await list_tasks(db, chat_id=chat)).total == 1


async def test_every_change_applies_once_per_update(db: Database) -> None:
    chat = new_chat_id()
    await add_tasks(db, chat_id=chat, titles=["a", "b"], created_by=chat)
    changes = [
        lambda u: set_done(db, chat_id=chat, numbers=[1], done=True, update_key=u),
        lambda u: rename_task(db, chat_id=chat, number=2, title="renamed", update_key=u),
        lambda u: set_description(db, chat_id=chat, number=2, description="d", update_key=u),
        lambda u: delete_task(db, chat_id=chat, number=2, update_key=u),
        lambda u: restore_task(db, chat_id=chat, number=2, update_key=u),
    ]
    for change in changes:
        update = new_update()
        await change(update)
        with pytest.raises(DuplicateUpdate):
            await change(update)
    task = await get_task(db, chat_id=chat, number=2)
    assert (task.title, task.description) == ("renamed", "d")


async def test_the_same_update_id_of_another_bot_is_another_update(db: Database) -> None:
    chat, update = new_chat_id(), new_update()
    other_bot = UpdateKey(bot_id=update.bot_id + 1, update_id=update.update_id)
    await add_task(db, chat_id=chat, title="bot one", created_by=chat, update_key=update)
    await add_task(db, chat_id=chat, title="bot two", created_by=chat, update_key=other_bot)
    assert (await list_tasks(db, chat_id=chat)).total == 2


async def test_a_duplicate_changes_nothing_even_when_its_content_differs(db: Database) -> None:
    chat, update = new_chat_id(), new_update()
    await add_task(db, chat_id=chat, title="first", created_by=chat, update_key=update)
    with pytest.raises(DuplicateUpdate):
        await rename_task(db, chat_id=chat, number=1, title="second", update_key=update)
    assert (await get_task(db, chat_id=chat, number=1)).title == "first"


async def test_not_found_is_still_reported_with_an_update_id(db: Database) -> None:
    with pytest.raises(TaskNotFound):
        await delete_task(db, chat_id=new_chat_id(), number=5, update_key=new_update())


async def test_purge_forgets_only_old_records(direct_db: Database, database_url: URL) -> None:
    old, recent = new_update(), new_update()
    chat = new_chat_id()
    await add_task(direct_db, chat_id=chat, title="x", created_by=chat, update_key=old)
    await add_task(direct_db, chat_id=chat, title="y", created_by=chat, update_key=recent)
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await connection.execute(
            "UPDATE processed_updates SET processed_at = now() - interval '3 days'"
            " WHERE bot_id = $1 AND update_id = $2",
            old.bot_id,
            old.update_id,
        )
        purged = await purge_processed_updates(direct_db, older_than_seconds=2 * 86400)
        remaining = {
            row["update_id"]
            for row in await connection.fetch(
                "SELECT update_id FROM processed_updates"
                " WHERE bot_id = $1 AND update_id = ANY($2)",
                old.bot_id,
                [old.update_id, recent.update_id],
            )
        }
    finally:
        await connection.close()
    assert purged >= 1
    assert remaining == {recent.update_id}


async def test_an_add_whose_answer_was_lost_is_retried_and_reports_its_first_run(
    proxied_database_url: tuple[URL, PgProxy], direct_db: Database
) -> None:
    url, proxy = proxied_database_url
    database = Database.from_url(url_text(url), pool_size=1)
    chat = new_chat_id()
    try:
        await add_task(
            database, chat_id=chat, title="warm", created_by=chat, update_key=new_update()
        )
        proxy.drop_next_answer()  # the add commits, but its answer never arrives
        task = await add_task(
            database, chat_id=chat, title="lost answer", created_by=chat, update_key=new_update()
        )
    finally:
        await database.close()
    assert (task.number, task.title) == (2, "lost answer")
    page = await list_tasks(direct_db, chat_id=chat)
    assert [t.title for t in page.tasks] == ["warm", "lost answer"]


async def test_an_add_without_an_update_key_is_applied_once_after_a_lost_answer(
    proxied_database_url: tuple[URL, PgProxy], direct_db: Database
) -> None:
    url, proxy = proxied_database_url
    database = Database.from_url(url_text(url), pool_size=1)
    chat = new_chat_id()
    try:
        await add_task(database, chat_id=chat, title="warm", created_by=chat)
        proxy.drop_next_answer()  # the add commits; the retry finds it under the call's own key
        task = await add_task(database, chat_id=chat, title="once", created_by=chat)
    finally:
        await database.close()
    assert (task.number, task.title) == (2, "once")
    page = await list_tasks(direct_db, chat_id=chat)
    assert [t.title for t in page.tasks] == ["warm", "once"]  # applied once, never twice


async def test_an_import_reports_what_it_added_and_a_replay_reports_the_same(
    db: Database,
) -> None:
    chat, update = new_chat_id(), new_update()
    await add_task(db, chat_id=chat, title="before", created_by=chat)
    files = [NewTask("open"), NewTask("done", done=True), NewTask("also done", done=True)]
    added = await import_tasks(db, chat_id=chat, tasks=files, created_by=chat, update_key=update)
    assert added == Imported(count=3, done=2, first=2, last=4)
    replayed = UpdateKey(bot_id=update.bot_id, update_id=update.update_id, replayed=True)
    again = await import_tasks(db, chat_id=chat, tasks=files, created_by=chat, update_key=replayed)
    assert again == added
    with pytest.raises(DuplicateUpdate):
        await import_tasks(db, chat_id=chat, tasks=files, created_by=chat, update_key=update)
    stored = (await export_tasks(db, chat_id=chat)).tasks
    assert [(t.number, t.title, t.done) for t in stored] == [
        (1, "before", False),
        (2, "open", False),
        (3, "done", True),
        (4, "also done", True),
    ]
