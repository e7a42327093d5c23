"""The task functions on a real PostgreSQL, directly and through PgBouncer."""

import asyncio
from datetime import datetime

import pytest

from storage.db import Database
from storage.deleting import delete_and_list, delete_task, restore_and_list, restore_task
from storage.errors import (
    DuplicateUpdate,
    InvalidDescription,
    InvalidTitle,
    TaskNotFound,
    TooManyTasks,
)
from storage.tasks import (
    MAX_TASKS_PER_ADD,
    add_task,
    add_tasks,
    get_task,
    list_tasks,
    rename_task,
    set_description,
    set_done,
    set_done_and_list,
    set_task_done,
)
from storage.values import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, PageView
from tests.factories import new_chat_id, new_update, new_user_id


async def test_numbers_start_at_one_and_are_per_chat(db: Database) -> None:
    first_chat, second_chat = new_chat_id(), new_chat_id(group=True)
    a = await add_task(db, chat_id=first_chat, title="Buy milk", created_by=first_chat)
    b = await add_task(db, chat_id=first_chat, title="Call mom", created_by=first_chat)
    c = await add_task(db, chat_id=second_chat, title="Plan trip", created_by=new_user_id())
    assert (a.number, b.number, c.number) == (1, 2, 1)
    assert a.chat_id == first_chat and c.chat_id == second_chat


async def test_add_many_returns_consecutive_numbers_in_order(db: Database) -> None:
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="first", created_by=chat)
    tasks = await add_tasks(db, chat_id=chat, titles=["eggs", "bread", "milk"], created_by=chat)
    assert [(t.number, t.title) for t in tasks] == [(2, "eggs"), (3, "bread"), (4, "milk")]


async def test_added_task_has_database_timestamps_and_author(db: Database) -> None:
    chat, user = new_chat_id(group=True), new_user_id()
    task = await add_task(db, chat_id=chat, title="  Water   the\tplants ", created_by=user)
    assert task.title == "Water the plants"
    assert task.created_by == user
    assert not task.done and task.completed_at is None and task.description is None
    assert isinstance(task.created_at, datetime) and task.created_at.tzinfo is not None
    assert task.updated_at == task.created_at


async def test_one_bad_title_adds_nothing(db: Database) -> None:
    chat = new_chat_id()
    with pytest.raises(InvalidTitle):
        await add_tasks(db, chat_id=chat, titles=["good", "   ", "also good"], created_by=chat)
    page = await list_tasks(db, chat_id=chat)
    assert page.tasks == [] and page.total == 0


@pytest.mark.parametrize("title", ["", "   ", "\n\t", "\x00\x01", "\u200b\u200f", "\u202e "])
async def test_empty_title_is_refused(db: Database, title: str) -> None:
    with pytest.raises(InvalidTitle, match="empty"):
        await add_task(db, chat_id=new_chat_id(), title=title, created_by=None)


async def test_title_length_limit_is_exact(db: Database) -> None:
    chat = new_chat_id()
    longest = "x" * TITLE_MAX_LENGTH
    task = await add_task(db, chat_id=chat, title=longest, created_by=chat)
    assert task.title == longest
    with pytest.raises(InvalidTitle, match=str(TITLE_MAX_LENGTH)):
        await add_task(db, chat_id=chat, title=longest + "x", created_by=chat)


async def test_control_characters_and_nul_are_removed_from_titles(db: Database) -> None:
    chat = new_chat_id()
    task = await add_task(db, chat_id=chat, title="a\x00b\x07c <b>&amp;", created_by=chat)
    assert task.title == "a b c <b>&amp;"


async def test_too_many_tasks_at_once_are_refused(db: Database) -> None:
    chat = new_chat_id()
    with pytest.raises(TooManyTasks):
        await add_tasks(db, chat_id=chat, titles=["t"] * (MAX_TASKS_PER_ADD + 1), created_by=chat)
    added = await add_tasks(db, chat_id=chat, titles=["t"] * MAX_TASKS_PER_ADD, created_by=chat)
    assert [t.number for t in added] == list(range(1, MAX_TASKS_PER_ADD + 1))


async def test_fifty_concurrent_adds_in_one_chat_get_distinct_consecutive_numbers(
    db: Database,
) -> None:
    chat = new_chat_id(group=True)
    tasks = await asyncio.gather(
        *(add_task(db, chat_id=chat, title=f"task {i}", created_by=i) for i in range(50))
    )
    assert sorted(t.number for t in tasks) == list(range(1, 51))
    page = await list_tasks(db, chat_id=chat, limit=100)
    assert page.total == 50 and len(page.tasks) == 50


async def test_numbers_are_never_reused_after_delete(db: Database) -> None:
    chat = new_chat_id()
    await add_tasks(db, chat_id=chat, titles=["a", "b", "c"], created_by=chat)
    await delete_task(db, chat_id=chat, number=3)
    task = await add_task(db, chat_id=chat, title="d", created_by=chat)
    assert task.number == 4


async def test_list_pages_forward_and_back_with_totals(db: Database) -> None:
    chat = new_chat_id()
    await add_tasks(db, chat_id=chat, titles=[f"t{i}" for i in range(1, 26)], created_by=chat)
    await set_done(db, chat_id=chat, numbers=[2, 4], done=True)

    first = await list_tasks(db, chat_id=chat, limit=10)
    assert [t.number for t in first.tasks] == [1, 3, 5, 6, 7, 8, 9, 10, 11, 12]
    assert (first.open_total, first.done_total, first.total) == (23, 2, 23)
    assert first.previous_start is None and first.next_start == 13

    second = await list_tasks(db, chat_id=chat, start=first.next_start, limit=10)
    assert [t.number for t in second.tasks] == list(range(13, 23))
    assert second.previous_start == 1 and second.next_start == 23

    last = await list_tasks(db, chat_id=chat, start=second.next_start, limit=10)
    assert [t.number for t in last.tasks] == [23, 24, 25]
    assert last.next_start is None and last.previous_start == 13

    done = await list_tasks(db, chat_id=chat, done=True)
    assert [t.number for t in done.tasks] == [2, 4] and done.total == 2


async def test_list_of_a_chat_never_seen_is_empty(db: Database) -> None:
    page = await list_tasks(db, chat_id=new_chat_id())
    assert page.tasks == [] and page.total == 0
    assert page.previous_start is None and page.next_start is None


async def test_list_shows_only_the_chats_own_tasks(db: Database) -> None:
    mine, theirs = new_chat_id(), new_chat_id()
    await add_task(db, chat_id=mine, title="mine", created_by=mine)
    await add_task(db, chat_id=theirs, title="theirs", created_by=theirs)
    page = await list_tasks(db, chat_id=mine)
    assert [t.title for t in page.tasks] == ["mine"]


async def test_get_task_of_another_chat_is_not_found(db: Database) -> None:
    mine, theirs = new_chat_id(), new_chat_id()
    await add_task(db, chat_id=theirs, title="secret", created_by=theirs)
    with pytest.raises(TaskNotFound) as caught:
        await get_task(db, chat_id=mine, number=1)
    assert caught.value.number == 1
    assert (await get_task(db, chat_id=theirs, number=1)).title == "secret"


@pytest.mark.parametrize("number", [0, -1, 2**31, 2**63, 10**30])
async def test_numbers_out_of_range_are_not_found(db: Database, number: int) -> None:
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="only", created_by=chat)
    with pytest.raises(TaskNotFound):
        await get_task(db, chat_id=chat, number=number)
    with pytest.raises(TaskNotFound):
        await delete_task(db, chat_id=chat, number=number)
    result = await set_done(db, chat_id=chat, numbers=[number], done=True)
    tasks, missing = result.tasks, result.missing
    assert tasks == [] and missing == [number]


async def test_done_sets_a_state_so_a_second_tap_changes_nothing(db: Database) -> None:
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="once", created_by=chat)
    first = (await set_task_done(db, chat_id=chat, number=1, done=True)).task
    second = (await set_task_done(db, chat_id=chat, number=1, done=True)).task
    assert first.done and second.done
    assert first.completed_at is not None and second.completed_at == first.completed_at
    reopened = (await set_task_done(db, chat_id=chat, number=1, done=False)).task
    assert not reopened.done and reopened.completed_at is None
    page = await list_tasks(db, chat_id=chat)
    assert (page.open_total, page.done_total) == (1, 0)


async def test_done_reports_numbers_that_do_not_exist(db: Database) -> None:
    chat = new_chat_id()
    await add_tasks(db, chat_id=chat, titles=["a", "b"], created_by=chat)
    result = await set_done(db, chat_id=chat, numbers=[2, 7, 1, 2], done=True)
    tasks, missing = result.tasks, result.missing
    assert [t.number for t in tasks] == [1, 2] and all(t.done for t in tasks)
    assert missing == [7]


async def test_done_cannot_touch_another_chats_task(db: Database) -> None:
    mine, theirs = new_chat_id(), new_chat_id(group=True)
    await add_task(db, chat_id=theirs, title="theirs", created_by=theirs)
    result = await set_done(db, chat_id=mine, numbers=[1], done=True)
    tasks, missing = result.tasks, result.missing
    assert tasks == [] and missing == [1]
    assert not (await get_task(db, chat_id=theirs, number=1)).done


async def test_rename_trims_and_validates(db: Database) -> None:
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="old", created_by=chat)
    renamed = await rename_task(db, chat_id=chat, number=1, title="  new name ")
    assert renamed.title == "new name" and renamed.updated_at >= renamed.created_at
    with pytest.raises(InvalidTitle):
        await rename_task(db, chat_id=chat, number=1, title=" ")
    assert (await get_task(db, chat_id=chat, number=1)).title == "new name"


async def test_rename_in_another_chat_is_not_found_and_changes_nothing(db: Database) -> None:
    mine, theirs = new_chat_id(), new_chat_id()
    await add_task(db, chat_id=theirs, title="theirs", created_by=theirs)
    with pytest.raises(TaskNotFound):
        await rename_task(db, chat_id=mine, number=1, title="hacked")
    assert (await get_task(db, chat_id=theirs, number=1)).title == "theirs"


async def test_description_is_set_kept_multiline_and_cleared(db: Database) -> None:
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="trip", created_by=chat)
    task = await set_description(db, chat_id=chat, number=1, description=" pack\n  bags \n")
    assert task.description == "pack\nbags"
    cleared = await set_description(db, chat_id=chat, number=1, description="   ")
    assert cleared.description is None
    with pytest.raises(InvalidDescription):
        await set_description(
            db, chat_id=chat, number=1, description="x" * (DESCRIPTION_MAX_LENGTH + 1)
        )


async def test_delete_returns_the_task_and_restore_brings_it_back(db: Database) -> None:
    chat = new_chat_id()
    await add_tasks(db, chat_id=chat, titles=["keep", "drop"], created_by=chat)
    await set_task_done(db, chat_id=chat, number=2, done=True)
    deleted = await delete_task(db, chat_id=chat, number=2)
    assert deleted.title == "drop" and deleted.done
    with pytest.raises(TaskNotFound):
        await get_task(db, chat_id=chat, number=2)
    with pytest.raises(TaskNotFound):
        await delete_task(db, chat_id=chat, number=2)
    page = await list_tasks(db, chat_id=chat, done=True)
    assert page.tasks == [] and page.done_total == 0

    restored = await restore_task(db, chat_id=chat, number=2)
    assert (restored.id, restored.number, restored.title) == (deleted.id, 2, "drop")
    assert (await list_tasks(db, chat_id=chat, done=True)).done_total == 1
    with pytest.raises(TaskNotFound):
        await restore_task(db, chat_id=chat, number=2)


async def test_delete_and_restore_in_another_chat_are_not_found(db: Database) -> None:
    mine, theirs = new_chat_id(), new_chat_id()
    await add_task(db, chat_id=theirs, title="theirs", created_by=theirs)
    with pytest.raises(TaskNotFound):
        await delete_task(db, chat_id=mine, number=1)
    await delete_task(db, chat_id=theirs, number=1)
    with pytest.raises(TaskNotFound):
        await restore_task(db, chat_id=mine, number=1)
    assert (await restore_task(db, chat_id=theirs, number=1)).title == "theirs"


async def test_counts_match_the_rows_after_mixed_operations(db: Database) -> None:
    chat = new_chat_id(group=True)
    await add_tasks(db, chat_id=chat, titles=[f"t{i}" for i in range(12)], created_by=1)
    await set_done(db, chat_id=chat, numbers=[1, 2, 3, 4], done=True)
    await set_done(db, chat_id=chat, numbers=[2], done=False)
    await delete_task(db, chat_id=chat, number=3)  # a done one
    await delete_task(db, chat_id=chat, number=10)  # an open one
    await restore_task(db, chat_id=chat, number=10)
    await rename_task(db, chat_id=chat, number=5, title="renamed")
    open_page = await list_tasks(db, chat_id=chat, limit=100)
    done_page = await list_tasks(db, chat_id=chat, done=True, limit=100)
    assert [t.number for t in done_page.tasks] == [1, 4]
    assert [t.number for t in open_page.tasks] == [2, 5, 6, 7, 8, 9, 10, 11, 12]
    assert (open_page.open_total, open_page.done_total) == (9, 2)


async def test_tick_and_list_returns_the_task_and_the_page_after_the_change(db: Database) -> None:
    chat = new_chat_id()
    await add_tasks(db, chat_id=chat, titles=[f"t{i}" for i in range(1, 14)], created_by=chat)
    completed, page = await set_done_and_list(
        db, chat_id=chat, number=3, done=True, view=PageView(done=False, start=1), limit=10
    )
    task = completed.task
    assert task.done and task.number == 3 and completed.next_due is None
    assert [t.number for t in page.tasks] == [1, 2, 4, 5, 6, 7, 8, 9, 10, 11]
    assert (page.open_total, page.done_total, page.next_start) == (12, 1, 12)
    assert page == await list_tasks(db, chat_id=chat, limit=10)
    # The same tap again (a stale button): nothing changes, the page is the same.
    again, again_page = await set_done_and_list(
        db, chat_id=chat, number=3, done=True, view=PageView(done=False, start=1), limit=10
    )
    assert again.task.completed_at == task.completed_at and again_page == page
    # Reopening from the done view.
    reopened, done_page = await set_done_and_list(
        db, chat_id=chat, number=3, done=False, view=PageView(done=True, start=1), limit=10
    )
    assert not reopened.task.done and done_page.tasks == [] and done_page.done_total == 0
    assert done_page == await list_tasks(db, chat_id=chat, done=True, limit=10)


async def test_tick_and_list_on_a_later_page_keeps_its_cursors(db: Database) -> None:
    chat = new_chat_id()
    await add_tasks(db, chat_id=chat, titles=[f"t{i}" for i in range(1, 26)], created_by=chat)
    _, page = await set_done_and_list(
        db, chat_id=chat, number=15, done=True, view=PageView(done=False, start=11), limit=10
    )
    assert page == await list_tasks(db, chat_id=chat, start=11, limit=10)
    assert page.previous_start == 1 and page.next_start == 22


async def test_tick_and_list_of_a_missing_task_is_not_found(db: Database) -> None:
    chat = new_chat_id()
    await add_tasks(db, chat_id=chat, titles=["only"], created_by=chat)
    with pytest.raises(TaskNotFound):
        await set_done_and_list(
            db, chat_id=chat, number=9, done=True, view=PageView(done=False, start=1), limit=10
        )


async def test_a_task_can_be_added_with_its_note_in_the_same_statement(db: Database) -> None:
    chat = new_chat_id()
    task = await add_task(db, chat_id=chat, title="Trip", created_by=chat, description=" pack\n")
    assert task.description == "pack"
    with pytest.raises(InvalidDescription):
        await add_task(
            db,
            chat_id=chat,
            title="Too long",
            created_by=chat,
            description="x" * (DESCRIPTION_MAX_LENGTH + 1),
        )
    assert (await list_tasks(db, chat_id=chat)).total == 1


async def test_delete_and_list_shows_the_page_as_it_is_after_the_delete(db: Database) -> None:
    chat = new_chat_id()
    await add_tasks(db, chat_id=chat, titles=[f"t{i}" for i in range(1, 26)], created_by=chat)
    await set_done(db, chat_id=chat, numbers=[1, 12], done=True)
    deleted, page = await delete_and_list(
        db, chat_id=chat, number=14, view=PageView(done=False, start=11), limit=10
    )
    assert deleted.number == 14 and deleted.title == "t14"
    assert [t.number for t in page.tasks] == [11, 13, 15, 16, 17, 18, 19, 20, 21, 22]
    assert (page.open_total, page.done_total, page.previous_start) == (22, 2, 2)
    assert page == await list_tasks(db, chat_id=chat, start=11, limit=10)
    # A done task, deleted from the done view; the page before it loses it too.
    _, done_page = await delete_and_list(
        db, chat_id=chat, number=1, view=PageView(done=True, start=12), limit=1
    )
    assert done_page == await list_tasks(db, chat_id=chat, done=True, start=12, limit=1)
    assert done_page.previous_start is None and done_page.done_total == 1


async def test_restore_and_list_puts_the_task_back_on_its_page(db: Database) -> None:
    chat = new_chat_id()
    await add_tasks(db, chat_id=chat, titles=[f"t{i}" for i in range(1, 26)], created_by=chat)
    await delete_task(db, chat_id=chat, number=14)
    await delete_task(db, chat_id=chat, number=5)
    restored, page = await restore_and_list(
        db, chat_id=chat, number=14, view=PageView(done=False, start=11), limit=10
    )
    assert restored.number == 14 and not restored.done
    assert 14 in [t.number for t in page.tasks]
    assert page == await list_tasks(db, chat_id=chat, start=11, limit=10)
    # Back before the page's start: the previous page starts earlier again.
    _, later = await restore_and_list(
        db, chat_id=chat, number=5, view=PageView(done=False, start=11), limit=10
    )
    assert later == await list_tasks(db, chat_id=chat, start=11, limit=10)
    assert later.previous_start == 1 and later.open_total == 25


async def test_delete_and_restore_with_the_list_apply_once_per_update(db: Database) -> None:
    chat = new_chat_id()
    await add_tasks(db, chat_id=chat, titles=["a", "b"], created_by=chat)
    key = new_update()
    await delete_and_list(
        db, chat_id=chat, number=1, view=PageView(done=False, start=1), update_key=key
    )
    with pytest.raises(DuplicateUpdate):
        await delete_and_list(
            db, chat_id=chat, number=1, view=PageView(done=False, start=1), update_key=key
        )
    with pytest.raises(TaskNotFound):  # deleted already
        await delete_and_list(db, chat_id=chat, number=1, view=PageView(done=False, start=1))
    with pytest.raises(TaskNotFound):  # not deleted
        await restore_and_list(db, chat_id=chat, number=2, view=PageView(done=False, start=1))
    with pytest.raises(TaskNotFound):
        await delete_and_list(db, chat_id=chat, number=2**31, view=PageView(done=False, start=1))
    _, page = await restore_and_list(
        db, chat_id=chat, number=1, view=PageView(done=False, start=1)
    )
    assert [t.title for t in page.tasks] == ["a", "b"] and page.open_total == 2
