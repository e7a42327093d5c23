"""Assignees in storage: assigning and unassigning once per update, names from known users,
one user's assignments across chats, and changes guarded by being an assignee."""

from datetime import UTC, datetime

import pytest

from storage.assignees import (
    Assignee,
    assigned_to,
    assignees_of,
    assignments,
    get_assigned_task,
    reminder_place,
)
from storage.assigning import (
    assign,
    set_assignees,
    set_done_by_assignee,
    snooze_by_assignee,
    unassign,
)
from storage.chat_settings import ChatSettings, save_chat_settings
from storage.db import Database
from storage.errors import DuplicateUpdate, NotAssignee, TaskNotFound
from storage.tasks import add_task, get_task
from storage.topics import topic_list_id
from storage.users import find_user, remember_user
from tests.factories import new_chat_id, new_update, new_user_id


async def test_assign_reports_the_task_with_its_assignees_once_per_update(
    direct_db: Database,
) -> None:
    group, alice, bob = new_chat_id(group=True), new_user_id(), new_user_id()
    await remember_user(direct_db, user_id=alice, username="Alice_X", first_name="Alice")
    await add_task(direct_db, chat_id=group, title="Book the room", created_by=alice)
    key = new_update()
    first = await assign(direct_db, chat_id=group, number=1, user_ids=[alice], update_key=key)
    assert first.assignees == [Assignee(alice, "alice_x", "Alice")]
    with pytest.raises(DuplicateUpdate):
        await assign(direct_db, chat_id=group, number=1, user_ids=[bob], update_key=key)
    both = await assign(direct_db, chat_id=group, number=1, user_ids=[bob, alice])
    assert [a.user_id for a in both.assignees] == [alice, bob]
    assert both.assignees[1] == Assignee(bob, None, None)  # assigned, but not known by name
    left = await unassign(direct_db, chat_id=group, number=1, user_ids=[alice])
    assert [a.user_id for a in left.assignees] == [bob]
    assert (await assignees_of(direct_db, chat_id=group, numbers=[1, 2])) == {
        1: [Assignee(bob, None, None)]
    }
    cleared = await unassign(direct_db, chat_id=group, number=1)
    assert cleared.assignees == []
    with pytest.raises(TaskNotFound):
        await assign(direct_db, chat_id=group, number=2, user_ids=[bob])


async def test_exactly_these_assignees_in_one_statement_who_stays_keeps_their_place(
    direct_db: Database,
) -> None:
    group, alice, bob, carol = new_chat_id(group=True), new_user_id(), new_user_id(), new_user_id()
    await add_task(direct_db, chat_id=group, title="Plan the trip", created_by=alice)
    await assign(direct_db, chat_id=group, number=1, user_ids=[alice])
    await assign(direct_db, chat_id=group, number=1, user_ids=[bob])
    swapped = await set_assignees(direct_db, chat_id=group, number=1, user_ids=[carol, bob, bob])
    assert [a.user_id for a in swapped.assignees] == [bob, carol]  # bob was there first
    assert [a.user_id for a in (await assignees_of(direct_db, chat_id=group, numbers=[1]))[1]] == [
        bob,
        carol,
    ]
    same = await set_assignees(direct_db, chat_id=group, number=1, user_ids=[carol, bob])
    assert [a.user_id for a in same.assignees] == [bob, carol]
    assert (await set_assignees(direct_db, chat_id=group, number=1, user_ids=[])).assignees == []
    assert (await assignees_of(direct_db, chat_id=group, numbers=[1])) == {}
    with pytest.raises(TaskNotFound):
        await set_assignees(direct_db, chat_id=group, number=2, user_ids=[bob])


async def test_a_username_is_found_in_any_case_and_moves_to_its_new_holder(
    direct_db: Database,
) -> None:
    old, new = new_user_id(), new_user_id()
    name = f"Taken{old}"
    await remember_user(direct_db, user_id=old, username=name, first_name="Old")
    assert (await find_user(direct_db, username=f"@{name.upper()}")) == Assignee(
        old, name.lower(), "Old"
    )
    await remember_user(direct_db, user_id=new, username=name, first_name="New")
    found = await find_user(direct_db, username=name)
    assert found is not None and found.user_id == new
    assert await find_user(direct_db, username=f"nobody{old}") is None


async def test_assigned_to_lists_open_tasks_across_chats(direct_db: Database) -> None:
    user = new_user_id()
    one, two = new_chat_id(group=True), new_chat_id(group=True)
    for chat in (one, two):
        await add_task(direct_db, chat_id=chat, title=f"In {chat}", created_by=user)
        await add_task(direct_db, chat_id=chat, title="Not mine", created_by=user)
        await assign(direct_db, chat_id=chat, number=1, user_ids=[user])
    await add_task(direct_db, chat_id=two, title="Done already", created_by=user)
    await assign(direct_db, chat_id=two, number=3, user_ids=[user])
    await set_done_by_assignee(direct_db, chat_id=two, number=3, user_id=user)
    tasks = await assigned_to(direct_db, user_id=user)
    assert sorted((t.chat_id, t.number) for t in tasks) == sorted([(one, 1), (two, 1)])


async def test_only_an_assignee_may_finish_or_snooze_and_only_in_that_chat(
    direct_db: Database,
) -> None:
    group, other_group = new_chat_id(group=True), new_chat_id(group=True)
    assignee, stranger = new_user_id(), new_user_id()
    await add_task(direct_db, chat_id=group, title="Ours", created_by=assignee)
    await add_task(direct_db, chat_id=other_group, title="Theirs", created_by=stranger)
    await assign(direct_db, chat_id=group, number=1, user_ids=[assignee])
    later = datetime(2040, 1, 1, tzinfo=UTC)
    with pytest.raises(NotAssignee):
        await set_done_by_assignee(direct_db, chat_id=group, number=1, user_id=stranger)
    with pytest.raises(NotAssignee):
        await snooze_by_assignee(direct_db, chat_id=group, number=1, user_id=stranger, until=later)
    with pytest.raises(NotAssignee):  # assignee here, but not of the other chat's #1
        await set_done_by_assignee(direct_db, chat_id=other_group, number=1, user_id=assignee)
    assert not (await get_task(direct_db, chat_id=group, number=1)).done
    assert not (await get_task(direct_db, chat_id=other_group, number=1)).done
    done = await set_done_by_assignee(direct_db, chat_id=group, number=1, user_id=assignee)
    assert done.task.done and done.next_due is None


async def test_a_task_is_read_with_its_assignees_in_one_go(direct_db: Database) -> None:
    group, alice, bob = new_chat_id(group=True), new_user_id(), new_user_id()
    await remember_user(direct_db, user_id=alice, username="alice_y", first_name="Alice")
    await add_task(direct_db, chat_id=group, title="Plan", created_by=alice)
    await add_task(direct_db, chat_id=group, title="Nobody's", created_by=alice)
    await assign(direct_db, chat_id=group, number=1, user_ids=[bob])
    await assign(direct_db, chat_id=group, number=1, user_ids=[alice])
    found = await get_assigned_task(direct_db, chat_id=group, number=1)
    assert found.task == await get_task(direct_db, chat_id=group, number=1)
    assert found.assignees == [Assignee(bob, None, None), Assignee(alice, "alice_y", "Alice")]
    assert (await get_assigned_task(direct_db, chat_id=group, number=2)).assignees == []
    with pytest.raises(TaskNotFound):
        await get_assigned_task(direct_db, chat_id=group, number=3)
    with pytest.raises(TaskNotFound):  # another chat's task of that number
        await get_assigned_task(direct_db, chat_id=new_chat_id(group=True), number=1)


async def test_assignments_name_each_lists_group_and_the_users_own_zone(
    direct_db: Database,
) -> None:
    group, forum, user = new_chat_id(group=True), new_chat_id(group=True), new_user_id()
    topic = await topic_list_id(direct_db, chat_id=forum, thread_id=7)
    await save_chat_settings(
        direct_db, chat_id=user, settings=ChatSettings("Asia/Tokyo"), next_digest_at=None
    )
    for list_id in (group, topic):
        await add_task(direct_db, chat_id=list_id, title="Mine", created_by=user)
        await assign(direct_db, chat_id=list_id, number=1, user_ids=[user])
    found = await assignments(direct_db, user_id=user)
    assert found.tasks == await assigned_to(direct_db, user_id=user)
    assert found.groups == {group: group, topic: forum}
    assert found.timezone == "Asia/Tokyo"
    nobody = await assignments(direct_db, user_id=new_user_id())
    assert (nobody.tasks, nobody.groups, nobody.timezone) == ([], {}, None)


async def test_a_private_reminder_speaks_in_the_users_zone_else_the_lists(
    direct_db: Database,
) -> None:
    group, forum, user = new_chat_id(group=True), new_chat_id(group=True), new_user_id()
    topic = await topic_list_id(direct_db, chat_id=forum, thread_id=3)
    await save_chat_settings(
        direct_db, chat_id=topic, settings=ChatSettings("Europe/Rome"), next_digest_at=None
    )
    assert await reminder_place(direct_db, list_id=group, user_id=user) == (group, None)
    assert await reminder_place(direct_db, list_id=topic, user_id=user) == (forum, "Europe/Rome")
    await save_chat_settings(
        direct_db, chat_id=user, settings=ChatSettings("Asia/Tokyo"), next_digest_at=None
    )
    assert await reminder_place(direct_db, list_id=topic, user_id=user) == (forum, "Asia/Tokyo")
