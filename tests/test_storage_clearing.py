"""Clearing a list's done tasks (storage.clearing): all of them in one statement, once per key,
counted out of the list's caps, and brought back exactly by the clear's Undo."""

import pytest

from storage.clearing import clear_done, done_count, restore_cleared
from storage.db import Database
from storage.deleting import delete_task
from storage.errors import DuplicateUpdate, ListFull
from storage.lists import ListCaps
from storage.tasks import add_tasks, list_tasks, set_done
from storage.transfer import NewTask, export_tasks, import_tasks
from storage.values import UpdateKey
from tests.factories import new_chat_id, new_update


async def _live(db: Database, chat: int) -> list[tuple[int, bool]]:
    return [(t.number, t.done) for t in (await export_tasks(db, chat_id=chat)).tasks]


async def test_a_clear_deletes_the_done_tasks_only_and_its_undo_brings_back_exactly_them(
    db: Database,
) -> None:
    chat, other = new_chat_id(), new_chat_id()
    await add_tasks(db, chat_id=chat, titles=list("abcdef"), created_by=chat)
    await add_tasks(db, chat_id=other, titles=["x"], created_by=other)
    await set_done(db, chat_id=chat, numbers=[1, 2, 3, 4], done=True)
    await set_done(db, chat_id=other, numbers=[1], done=True)
    await delete_task(db, chat_id=chat, number=4)  # deleted before: not the clear's to bring back
    assert await done_count(db, chat_id=chat) == 3

    cleared = await clear_done(db, chat_id=chat)
    assert cleared.count == 3 and cleared.stamp is not None
    assert await _live(db, chat) == [(5, False), (6, False)]
    assert await done_count(db, chat_id=chat) == 0
    assert await _live(db, other) == [(1, True)]  # another list's done task stays

    again = await clear_done(db, chat_id=chat)
    assert (again.count, again.at) == (0, None)

    back = await restore_cleared(db, chat_id=chat, stamp=cleared.stamp)
    assert back.count == 3
    assert await _live(db, chat) == [(1, True), (2, True), (3, True), (5, False), (6, False)]
    page = await list_tasks(db, chat_id=chat, done=True)
    assert (page.open_total, page.done_total) == (2, 3)
    # Its Undo again, or another list's: nothing.
    assert (await restore_cleared(db, chat_id=chat, stamp=cleared.stamp)).count == 0
    assert (await restore_cleared(db, chat_id=other, stamp=cleared.stamp)).count == 0


async def test_a_clear_applies_once_per_update_and_a_replay_reports_it_again(
    db: Database,
) -> None:
    chat, update = new_chat_id(), new_update()
    await add_tasks(db, chat_id=chat, titles=["a", "b"], created_by=chat)
    await set_done(db, chat_id=chat, numbers=[1, 2], done=True)
    cleared = await clear_done(db, chat_id=chat, update_key=update)
    with pytest.raises(DuplicateUpdate):
        await clear_done(db, chat_id=chat, update_key=update)
    replayed = UpdateKey(bot_id=update.bot_id, update_id=update.update_id, replayed=True)
    assert await clear_done(db, chat_id=chat, update_key=replayed) == cleared
    assert cleared.count == 2


async def test_a_list_full_of_done_tasks_takes_new_ones_once_cleared(db: Database) -> None:
    chat, caps = new_chat_id(), ListCaps(max_open=10, max_total=20)
    done = [NewTask(f"d{n}", done=True) for n in range(20)]
    await import_tasks(db, chat_id=chat, tasks=done, created_by=chat, caps=caps)
    with pytest.raises(ListFull):
        await import_tasks(db, chat_id=chat, tasks=[NewTask("new")], created_by=chat, caps=caps)
    assert (await clear_done(db, chat_id=chat)).count == 20
    added = await import_tasks(
        db, chat_id=chat, tasks=[NewTask("new")], created_by=chat, caps=caps
    )
    assert (added.count, added.first) == (1, 21)  # numbers are never handed out again
