"""A basic group's list moved to the supergroup it became: everything once, whichever message
comes first and however many run at once, and the old id still reaching the moved list."""

import asyncio
from datetime import UTC, datetime, timedelta

from storage.assignees import get_assigned_task
from storage.assigning import assign
from storage.calendar import feed_address
from storage.chat_settings import ChatSettings, get_chat_settings, save_chat_settings
from storage.db import Database
from storage.feed_contents import feed_for_token
from storage.group_upgrade import move_group
from storage.reminders import set_due
from storage.tasks import add_task, add_tasks, list_tasks, set_done
from tests.factories import new_basic_group_id, new_chat_id, new_user_id

DUE = datetime(2041, 5, 6, 7, 0, tzinfo=UTC)

# The key calendar addresses are made with (the bot derives it from its token).
KEY = b"calendar-key-of-these-tests-32-b"


async def _basic_group_with_a_list(db: Database) -> tuple[int, int]:
    """A basic group with three tasks (one done, one due and assigned), settings and a feed."""
    group, alice = new_basic_group_id(), new_user_id()
    await add_tasks(db, chat_id=group, titles=["Milk", "Bread", "Eggs"], created_by=alice)
    await set_done(db, chat_id=group, numbers=[2], done=True)
    await set_due(db, chat_id=group, number=3, due_at=DUE)
    await assign(db, chat_id=group, number=3, user_ids=[alice])
    await save_chat_settings(
        db,
        chat_id=group,
        settings=ChatSettings("Europe/Berlin", quiet_start=22 * 60, quiet_end=7 * 60),
        next_digest_at=None,
    )
    return group, alice


async def test_a_moved_group_keeps_its_tasks_numbers_settings_feed_and_assignees(
    db: Database,
) -> None:
    old, alice = await _basic_group_with_a_list(db)
    address = await feed_address(db, key=KEY, list_id=old, chat_id=old, user_id=7, private=True)
    token = address.token
    assert token is not None
    new = new_chat_id(group=True)

    moved = await move_group(db, old_chat_id=old, new_chat_id=new)

    assert moved.tasks == 3
    page = await list_tasks(db, chat_id=new)
    # (#3 is due: a list shows due tasks first)
    assert [(t.chat_id, t.number, t.title) for t in page.tasks] == [
        (new, 3, "Eggs"),
        (new, 1, "Milk"),
    ]
    assert (page.open_total, page.done_total) == (2, 1)
    assert (await get_chat_settings(db, chat_id=new)).timezone == "Europe/Berlin"
    assigned = await get_assigned_task(db, chat_id=new, number=3)
    assert assigned.task.due_at == DUE and [a.user_id for a in assigned.assignees] == [alice]
    feed = await feed_for_token(db, key=KEY, token=token)
    assert feed is not None and feed.chat_id == new
    assert (await add_task(db, chat_id=new, title="Next", created_by=1)).number == 4


async def test_the_old_id_reaches_the_moved_list(db: Database) -> None:
    old, _ = await _basic_group_with_a_list(db)
    new = new_chat_id(group=True)
    await move_group(db, old_chat_id=old, new_chat_id=new)

    late = await add_task(
        db, chat_id=old, title="Sent before the upgrade, handled after", created_by=1
    )

    assert (late.chat_id, late.number) == (new, 4)
    assert [t.number for t in (await list_tasks(db, chat_id=old)).tasks] == [3, 1, 4]
    assert (await get_chat_settings(db, chat_id=old)).timezone == "Europe/Berlin"


async def test_moving_again_or_many_times_at_once_moves_once(db: Database) -> None:
    old, _ = await _basic_group_with_a_list(db)
    new = new_chat_id(group=True)

    results = await asyncio.gather(
        *(move_group(db, old_chat_id=old, new_chat_id=new) for _ in range(8))
    )

    assert sorted(result.tasks for result in results) == [0] * 7 + [3]
    assert (await move_group(db, old_chat_id=old, new_chat_id=new)).tasks == 0
    page = await list_tasks(db, chat_id=new)
    assert [t.number for t in page.tasks] == [3, 1]
    assert (page.open_total, page.done_total) == (2, 1)
    assert (await add_task(db, chat_id=new, title="Next", created_by=1)).number == 4


async def test_a_new_chat_that_already_has_tasks_gets_the_old_ones_after_its_own(
    db: Database,
) -> None:
    old, _ = await _basic_group_with_a_list(db)
    new = new_chat_id(group=True)
    await add_tasks(db, chat_id=new, titles=["Written in the supergroup first"], created_by=1)
    await save_chat_settings(
        db, chat_id=new, settings=ChatSettings("Asia/Tokyo"), next_digest_at=None
    )

    await move_group(db, old_chat_id=old, new_chat_id=new)

    page = await list_tasks(db, chat_id=new)
    assert [(t.number, t.title) for t in page.tasks] == [
        (4, "Eggs"),
        (1, "Written in the supergroup first"),
        (2, "Milk"),
    ]
    assert (page.open_total, page.done_total) == (3, 1)
    settings = await get_chat_settings(db, chat_id=new)
    assert (settings.timezone, settings.quiet_start) == ("Asia/Tokyo", 22 * 60)
    assert (await add_task(db, chat_id=new, title="Next", created_by=1)).number == 5


async def test_a_group_with_no_list_moves_nothing_but_its_old_id_points_on(db: Database) -> None:
    old, new = new_basic_group_id(), new_chat_id(group=True)

    assert (await move_group(db, old_chat_id=old, new_chat_id=new)).tasks == 0

    added = await add_task(db, chat_id=old, title="After the upgrade", created_by=1)
    assert (added.chat_id, added.number) == (new, 1)
    assert (await list_tasks(db, chat_id=new)).tasks == [added]
    assert timedelta(0) <= datetime.now(UTC) - added.created_at < timedelta(minutes=1)
