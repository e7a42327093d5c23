"""edit_task: a task's title, description and done state changed in one statement."""

import pytest

from storage.db import Database
from storage.deleting import delete_task
from storage.errors import DuplicateUpdate, InvalidDescription, InvalidTitle, TaskNotFound
from storage.task_edits import edit_task
from storage.tasks import add_task, get_task, list_tasks, set_task_done
from storage.values import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH
from testkit.pgproxy import PgProxy
from tests.factories import new_chat_id, new_update
from tests.test_storage_connection import ROUND_TRIPS_PER_OPERATION, counted_db  # noqa: F401


async def test_edit_changes_title_description_and_state_at_once(db: Database) -> None:
    chat = new_chat_id()
    task = await add_task(db, chat_id=chat, title="Old", created_by=chat)
    edited = await edit_task(
        db, chat_id=chat, number=1, title=" New \t title ", description="line 1\nline 2", done=True
    )
    assert (edited.title, edited.description, edited.done) == ("New title", "line 1\nline 2", True)
    assert edited.completed_at is not None and edited.updated_at > task.updated_at
    assert edited.id == task.id and edited.created_at == task.created_at
    assert await get_task(db, chat_id=chat, number=1) == edited
    page = await list_tasks(db, chat_id=chat, done=True)
    assert (page.open_total, page.done_total) == (0, 1)


async def test_edit_leaves_what_it_is_not_given(db: Database) -> None:
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="Keep me", created_by=chat)
    await edit_task(db, chat_id=chat, number=1, description="a note")
    done = await set_task_done(db, chat_id=chat, number=1, done=True)
    edited = await edit_task(db, chat_id=chat, number=1, title="Renamed")
    assert (edited.title, edited.description, edited.done) == ("Renamed", "a note", True)
    assert edited.completed_at == done.task.completed_at


@pytest.mark.parametrize("cleared", [None, "   ", "\n"])
async def test_edit_clears_the_description_with_none_or_blank(
    db: Database, cleared: str | None
) -> None:
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="t", created_by=chat)
    await edit_task(db, chat_id=chat, number=1, description="a note")
    edited = await edit_task(db, chat_id=chat, number=1, description=cleared)
    assert edited.description is None and edited.title == "t"


async def test_setting_the_state_a_task_has_keeps_its_completion_time(db: Database) -> None:
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="t", created_by=chat)
    first = await edit_task(db, chat_id=chat, number=1, done=True)
    again = await edit_task(db, chat_id=chat, number=1, done=True, title="t2")
    assert again.completed_at == first.completed_at
    reopened = await edit_task(db, chat_id=chat, number=1, done=False)
    assert not reopened.done and reopened.completed_at is None
    page = await list_tasks(db, chat_id=chat)
    assert (page.open_total, page.done_total) == (1, 0)


async def test_edit_refuses_bad_input_and_changes_nothing(db: Database) -> None:
    chat = new_chat_id()
    before = await add_task(db, chat_id=chat, title="t", created_by=chat)
    with pytest.raises(InvalidTitle, match=str(TITLE_MAX_LENGTH)):
        await edit_task(db, chat_id=chat, number=1, title="x" * 257, done=True)
    with pytest.raises(InvalidTitle, match="empty"):
        await edit_task(db, chat_id=chat, number=1, title=" \u200b ")
    with pytest.raises(InvalidDescription, match=str(DESCRIPTION_MAX_LENGTH)):
        await edit_task(db, chat_id=chat, number=1, description="y" * 2001, title="u")
    assert await get_task(db, chat_id=chat, number=1) == before


@pytest.mark.parametrize("number", [0, -1, 2, 2**31, 10**20])
async def test_edit_of_a_missing_task_is_not_found(db: Database, number: int) -> None:
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="t", created_by=chat)
    with pytest.raises(TaskNotFound):
        await edit_task(db, chat_id=chat, number=number, title="x")


async def test_edit_touches_only_its_own_chat_and_no_deleted_task(db: Database) -> None:
    mine, other = new_chat_id(), new_chat_id(group=True)
    await add_task(db, chat_id=mine, title="mine", created_by=mine)
    await add_task(db, chat_id=other, title="theirs", created_by=None)
    await edit_task(db, chat_id=mine, number=1, title="changed", done=True)
    assert (await get_task(db, chat_id=other, number=1)).title == "theirs"
    await delete_task(db, chat_id=mine, number=1)
    with pytest.raises(TaskNotFound):
        await edit_task(db, chat_id=mine, number=1, title="ghost")


async def test_edit_for_an_update_applies_once(db: Database) -> None:
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="t", created_by=chat)
    update = new_update()
    await edit_task(db, chat_id=chat, number=1, title="once", update_key=update)
    with pytest.raises(DuplicateUpdate):
        await edit_task(db, chat_id=chat, number=1, title="twice", update_key=update)
    assert (await get_task(db, chat_id=chat, number=1)).title == "once"


async def test_edit_costs_one_statement(counted_db: tuple[Database, PgProxy]) -> None:  # noqa: F811
    db, proxy = counted_db
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="t", created_by=chat)
    await edit_task(db, chat_id=chat, number=1, title="warm up", done=True, description="d")
    proxy.reset()
    await edit_task(db, chat_id=chat, number=1, title="n", done=False, description=None)
    mode = "pgbouncer" if db.settings.pooled else "direct"
    assert proxy.round_trips == ROUND_TRIPS_PER_OPERATION[mode]
