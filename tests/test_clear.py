"""/clear in the chat: the done tasks go at once after a confirming press, only the owner of a
private list or an admin of a group may, and Undo brings back exactly those tasks."""

from storage.db import Database
from storage.transfer import export_tasks
from testkit.fake_telegram import FakeTelegram
from tests.botdriver import ChatDriver
from tests.factories import new_user_id


async def _live(db: Database, chat: int) -> list[tuple[int, bool]]:
    return [(t.number, t.done) for t in (await export_tasks(db, chat_id=chat)).tasks]


async def test_clear_deletes_the_done_tasks_after_a_press_and_undo_brings_them_back(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    chat = private_chat.chat_id
    await private_chat.send("/add Milk\nBread\nEggs\nTea")
    await private_chat.send("/done 1 2 4")
    await private_chat.send("/delete 4")  # deleted on its own: not the clear's

    prompt = await private_chat.send("/clear")
    assert prompt.text == (
        "🧹 Delete the 2 done tasks of this list?\nOpen tasks stay. Undo brings them back right"
        " after."
    )
    assert prompt.button_texts == ["🗑 Delete 2 done tasks", "Keep them"]
    _, cleared = await private_chat.press(prompt, "🗑 Delete 2 done tasks")
    assert cleared is not None
    assert cleared.text == "🗑 Deleted 2 done tasks. /list shows the open ones."
    assert await _live(direct_db, chat) == [(3, False)]
    assert (await private_chat.send("/clear")).text == "🧹 There are no done tasks to clear."

    _, undone = await private_chat.press(cleared, "↩️ Undo")
    assert undone is not None and undone.text == "↩️ Brought back 2 done tasks."
    assert await _live(direct_db, chat) == [(1, True), (2, True), (3, False)]
    # The same Undo pressed again (an old message): nothing more comes back.
    _, again = await private_chat.press(cleared, "↩️ Undo")
    assert again is not None
    assert again.text == "↩️ Nothing to bring back: those tasks are back already."
    assert await _live(direct_db, chat) == [(1, True), (2, True), (3, False)]


async def test_keep_them_deletes_nothing(private_chat: ChatDriver, direct_db: Database) -> None:
    await private_chat.send("/add Milk")
    await private_chat.send("/done 1")
    prompt = await private_chat.send("/clear")
    assert prompt.button_texts == ["🗑 Delete 1 done task", "Keep them"]
    _, kept = await private_chat.press(prompt, "Keep them")
    assert kept is not None and kept.text == "👍 Nothing was deleted."
    assert await _live(direct_db, private_chat.chat_id) == [(1, True)]


async def test_in_a_group_only_an_admin_clears_and_a_members_press_is_refused(
    group_chat: ChatDriver, telegram: FakeTelegram, direct_db: Database
) -> None:
    group = group_chat.chat_id
    admin = group_chat.as_user(new_user_id(), "Admin")
    telegram.set_chat_member(group, admin.user_id, "administrator")
    await group_chat.send("/add Milk\nBread")
    await group_chat.send("/done 1 2")

    refused = await group_chat.send("/clear")
    assert refused.text == "🔒 Only an admin of this group can clear its done tasks."
    prompt = await admin.send("/clear")
    answer, _ = await group_chat.press(prompt, "🗑 Delete 2 done tasks", expect_edit=False)
    assert answer == "🔒 Only an admin of this group can clear its done tasks."
    assert await _live(direct_db, group) == [(1, True), (2, True)]

    _, cleared = await admin.press(prompt, "🗑 Delete 2 done tasks")
    assert cleared is not None and cleared.text.startswith("🗑 Deleted 2 done tasks.")
    assert await _live(direct_db, group) == []
    answer, _ = await group_chat.press(cleared, "↩️ Undo", expect_edit=False)
    assert answer == "🔒 Only an admin of this group can clear its done tasks."
    assert await _live(direct_db, group) == []
    assert (await group_chat.send("/add Fresh")).text == "➕ Added #3 Fresh"


async def test_a_forged_undo_of_another_clear_brings_back_nothing_of_another_chat(
    private_chat: ChatDriver, telegram: FakeTelegram, direct_db: Database
) -> None:
    other_id = new_user_id()
    other = ChatDriver(telegram, chat_id=other_id, user_id=other_id)
    await other.send("/add Theirs")
    await other.send("/done 1")
    prompt = await other.send("/clear")
    _, cleared = await other.press(prompt, "🗑 Delete 1 done task")
    assert cleared is not None
    data = cleared.button("↩️ Undo")["callback_data"]

    await private_chat.send("/add Mine")
    mine = await private_chat.send("/help")
    _, undone = await private_chat.press_data(mine.message_id, data, expect_edit=True)
    assert undone is not None
    assert undone.text == "↩️ Nothing to bring back: those tasks are back already."
    assert await _live(direct_db, other_id) == []
    assert await _live(direct_db, private_chat.chat_id) == [(1, False)]
