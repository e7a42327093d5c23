"""Groups: one shared list, authors remembered, deleting limited to authors and admins."""

import pytest

from storage.db import Database
from storage.tasks import get_task, list_tasks
from testkit.fake_telegram import FakeTelegram
from tests.botdriver import ChatDriver
from tests.factories import new_user_id

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")


async def test_members_share_the_groups_list(group_chat: ChatDriver) -> None:
    alice, bob = group_chat, group_chat.as_user(new_user_id(), "Bob")
    await alice.send("/add Book the room")
    listed = await bob.send("/list")
    assert "#1 Book the room" in listed.text
    answer, edited = await bob.press(listed, "⬜ #1")
    assert answer == "✅ #1 done"
    assert edited is not None and "Nothing to do" in edited.text


async def test_each_task_remembers_who_added_it(
    group_chat: ChatDriver, direct_db: Database
) -> None:
    bob = group_chat.as_user(new_user_id(), "Bob")
    await bob.send("/add Bring snacks")
    task = await get_task(direct_db, chat_id=group_chat.chat_id, number=1)
    assert task.created_by == bob.user_id
    shown = await group_chat.send("/show 1")
    assert "Added by Bob" in shown.text


async def test_author_can_delete_their_task(group_chat: ChatDriver) -> None:
    await group_chat.send("/add Mine")
    reply = await group_chat.send("/delete 1")
    assert reply.text == "🗑 Deleted #1 Mine"


async def test_member_cannot_delete_someone_elses_task_in_group(
    group_chat: ChatDriver, direct_db: Database
) -> None:
    await group_chat.send("/add Alice's task")
    bob = group_chat.as_user(new_user_id(), "Bob")
    reply = await bob.send("/delete 1")
    assert reply.text == "🔒 Only the person who added #1 or a group admin can delete it."
    assert (await get_task(direct_db, chat_id=group_chat.chat_id, number=1)).title


async def test_member_cannot_delete_someone_elses_task_with_the_button(
    group_chat: ChatDriver, direct_db: Database
) -> None:
    await group_chat.send("/add Alice's task")
    bob = group_chat.as_user(new_user_id(), "Bob")
    listed = await bob.send("/list")
    data = listed.buttons[0][2]["callback_data"]
    answer, _ = await bob.press_data(listed.message_id, data)
    assert answer.startswith("🔒 Only the person who added #1")
    assert (await list_tasks(direct_db, chat_id=group_chat.chat_id)).total == 1


async def test_admin_can_delete_anyones_task(
    group_chat: ChatDriver, telegram: FakeTelegram, direct_db: Database
) -> None:
    await group_chat.send("/add Alice's task")
    admin = group_chat.as_user(new_user_id(), "Admin")
    telegram.set_chat_member(group_chat.chat_id, admin.user_id, "administrator")
    reply = await admin.send("/delete 1")
    assert reply.text == "🗑 Deleted #1 Alice's task"
    assert (await list_tasks(direct_db, chat_id=group_chat.chat_id)).total == 0


async def test_group_owner_can_delete_with_the_button(
    group_chat: ChatDriver, telegram: FakeTelegram
) -> None:
    await group_chat.send("/add Alice's task")
    owner = group_chat.as_user(new_user_id(), "Owner")
    telegram.set_chat_member(group_chat.chat_id, owner.user_id, "creator")
    listed = await owner.send("/list")
    data = listed.buttons[0][2]["callback_data"]
    answer, after = await owner.press_data(listed.message_id, data, expect_edit=True)
    assert answer == "🗑 Deleted #1"
    assert after is not None and after.text.startswith("🗑 Deleted #1 Alice's task")


async def test_anonymous_admin_counts_as_admin_and_the_group_as_author(
    group_chat: ChatDriver, direct_db: Database
) -> None:
    await group_chat.send("/add Alice's task")
    group = {"id": group_chat.chat_id, "type": "supergroup", "title": "Team"}
    added = await group_chat.send("/add Anonymous task", sender_chat=group)
    assert added.text == "➕ Added #2 Anonymous task"
    task = await get_task(direct_db, chat_id=group_chat.chat_id, number=2)
    assert task.created_by == group_chat.chat_id
    shown = await group_chat.send("/show 2")
    assert "Added by an anonymous admin" in shown.text
    deleted = await group_chat.send("/delete 1", sender_chat=group)
    assert deleted.text == "🗑 Deleted #1 Alice's task"


async def test_edit_button_in_a_group_mentions_who_pressed_it(
    group_chat: ChatDriver, telegram: FakeTelegram
) -> None:
    await group_chat.send("/add Rename me")
    bob = group_chat.as_user(new_user_id(), "Bob")
    listed = await bob.send("/list")
    mark = telegram.mark()
    await bob.press(listed, "✏️", expect_edit=False)
    prompt = await telegram.wait_for("sendMessage", lambda c: c.ok, after=mark)
    assert f'<a href="tg://user?id={bob.user_id}">' in prompt.params["text"]
    assert prompt.params["reply_markup"]["selective"] is True
    renamed = await bob.send("Renamed", reply_to_message_id=prompt.response["message_id"])
    assert renamed.text == "✏️ Renamed #1 to Renamed"
