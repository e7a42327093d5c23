"""The task commands and list buttons, end to end: fake Bot API, real bot, real PostgreSQL."""

from zoneinfo import ZoneInfo

import pytest

from storage.db import Database
from storage.tasks import get_task, list_tasks
from testkit.fake_telegram import FakeTelegram
from tests.botdriver import ChatDriver

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")


async def test_start_welcomes_and_lists_the_commands(private_chat: ChatDriver) -> None:
    reply = await private_chat.send("/start")
    assert "Hi!" in reply.text
    for command in ("/add", "/list", "/done", "/edit", "/delete", "/show", "/note"):
        assert command in reply.text


async def test_help_lists_the_commands_with_examples(private_chat: ChatDriver) -> None:
    reply = await private_chat.send("/help")
    assert "/add Buy milk" in reply.text and "/done 3 4" in reply.text


async def test_add_replies_with_the_number_and_title(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    reply = await private_chat.send("/add Buy milk")
    assert reply.text == "➕ Added #1 Buy milk"
    task = await get_task(direct_db, chat_id=private_chat.chat_id, number=1)
    assert task.title == "Buy milk" and task.created_by == private_chat.user_id


async def test_add_with_several_lines_adds_one_task_per_line(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    reply = await private_chat.send("/add Milk\nEggs\n\n  Bread  ")
    assert reply.text.splitlines() == ["➕ Added 3 tasks:", "#1 Milk", "#2 Eggs", "#3 Bread"]
    page = await list_tasks(direct_db, chat_id=private_chat.chat_id)
    assert [t.title for t in page.tasks] == ["Milk", "Eggs", "Bread"]


@pytest.mark.parametrize("text", ["/add", "/add   ", "/add\n\n"])
async def test_add_without_a_title_explains_usage(private_chat: ChatDriver, text: str) -> None:
    reply = await private_chat.send(text)
    assert "Usage: /add" in reply.text


async def test_list_shows_tasks_with_a_row_of_buttons_each(private_chat: ChatDriver) -> None:
    await private_chat.send("/add Milk\nEggs")
    reply = await private_chat.send("/list")
    order = "by priority, then due time, then number"
    assert reply.text.splitlines() == ["📋 To do · 2", order, "#1 Milk", "#2 Eggs"]
    assert reply.buttons[0][0]["text"] == "⬜ #1 Milk"
    assert [b["text"] for b in reply.buttons[0][1:]] == ["✏️", "🗑"]
    assert reply.buttons[-1][0]["text"] == "✅ Done (0)"


async def test_tapping_a_task_ticks_it_off_in_place(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/add Milk\nEggs")
    listed = await private_chat.send("/list")
    answer, edited = await private_chat.press(listed, "⬜ #1")
    assert answer == "✅ #1 done"
    assert edited is not None and edited.message_id == listed.message_id
    assert edited.text.splitlines() == ["📋 To do · 1", "#2 Eggs"]
    assert edited.buttons[-1][0]["text"] == "✅ Done (1)"
    assert (await get_task(direct_db, chat_id=private_chat.chat_id, number=1)).done


async def test_a_stale_tick_button_does_not_flip_the_task_back(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/add Milk")
    listed = await private_chat.send("/list")
    await private_chat.press(listed, "⬜ #1")
    # The same (now stale) button pressed again on the old copy of the message: the edit it
    # makes is "not modified", which the bot takes in its stride.
    answer, _ = await private_chat.press(listed, "⬜ #1", expect_edit=False)
    assert answer == "✅ #1 done"
    assert (await get_task(direct_db, chat_id=private_chat.chat_id, number=1)).done


async def test_done_view_reopens_a_task(private_chat: ChatDriver) -> None:
    await private_chat.send("/add Milk")
    await private_chat.send("/done 1")
    listed = await private_chat.send("/list")
    _, done_view = await private_chat.press(listed, "✅ Done")
    assert done_view is not None
    assert done_view.text.splitlines() == ["✅ Done · 1", "#1 Milk"]
    answer, reopened = await private_chat.press(done_view, "☑️ #1")
    assert answer == "↩️ #1 is open again"
    assert reopened is not None and reopened.text == "✅ Nothing done yet."
    _, open_view = await private_chat.press(reopened, "📋 To do")
    assert open_view is not None and "#1 Milk" in open_view.text


async def test_long_list_pages_forward_and_back(private_chat: ChatDriver) -> None:
    await private_chat.send("/add " + "\n".join(f"task {i}" for i in range(1, 24)))
    first = await private_chat.send("/list")
    assert "#10 task 10" in first.text and "#11" not in first.text
    assert "◀ Back" not in first.button_texts
    _, second = await private_chat.press(first, "More ▶")
    assert second is not None and "#11 task 11" in second.text and "#21" not in second.text
    _, third = await private_chat.press(second, "More ▶")
    assert third is not None and third.text.splitlines()[2:] == [
        "#21 task 21",
        "#22 task 22",
        "#23 task 23",
    ]
    assert "More ▶" not in third.button_texts
    _, back = await private_chat.press(third, "◀ Back")
    assert back is not None and back.text == second.text


async def test_done_marks_several_and_names_missing_numbers(private_chat: ChatDriver) -> None:
    await private_chat.send("/add a\nb\nc")
    reply = await private_chat.send("/done 1, #3 9")
    assert reply.text.splitlines() == [
        "✅ Done:",
        "#1 a",
        "#3 c",
        "🤷 No task #9 here. /list shows the numbers.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/done", "Usage: /done 3"),
        ("/done three", "“three” is not a task number."),
        ("/done 99999999999999999999", "too big"),
        ("/edit", "Usage: /edit 3"),
        ("/edit x New", "“x” is not a task number."),
        ("/delete", "Usage: /delete 3"),
        ("/delete 1 2", "Usage: /delete 3"),
        ("/show", "Usage: /show 3"),
        ("/note 1", "Usage: /note 3"),
        ("/show 42", "There is no task #42 here."),
        ("/edit 42 new", "There is no task #42 here."),
        ("/delete 42", "There is no task #42 here."),
        ("/note 42 text", "There is no task #42 here."),
    ],
)
async def test_bad_arguments_get_a_friendly_explanation(
    private_chat: ChatDriver, text: str, expected: str
) -> None:
    reply = await private_chat.send(text)
    assert expected in reply.text


async def test_edit_renames_a_task(private_chat: ChatDriver, direct_db: Database) -> None:
    await private_chat.send("/add Old")
    reply = await private_chat.send("/edit 1   New <name>")
    assert reply.text == "✏️ Renamed #1 to New <name>"
    assert "New &lt;name&gt;" in reply.html
    assert (
        await get_task(direct_db, chat_id=private_chat.chat_id, number=1)
    ).title == "New <name>"


async def test_edit_without_a_title_asks_for_it_and_takes_the_reply(
    private_chat: ChatDriver, direct_db: Database, telegram: FakeTelegram
) -> None:
    await private_chat.send("/add Old")
    prompt = await private_chat.send("/edit 1")
    assert prompt.text.startswith("✏️ New title for #1?")
    call = telegram.calls_of("sendMessage")[-1]
    assert call.params["reply_markup"]["force_reply"] is True
    reply = await private_chat.send("Brand new", reply_to_message_id=prompt.message_id)
    assert reply.text == "✏️ Renamed #1 to Brand new"
    assert (await get_task(direct_db, chat_id=private_chat.chat_id, number=1)).title == "Brand new"


async def test_edit_button_asks_for_the_new_title(
    private_chat: ChatDriver, direct_db: Database, telegram: FakeTelegram
) -> None:
    await private_chat.send("/add Old")
    listed = await private_chat.send("/list")
    mark = telegram.mark()
    await private_chat.press(listed, "✏️", expect_edit=False)
    call = await telegram.wait_for("sendMessage", after=mark)
    assert call.params["text"].startswith("✏️ New title for #1?")
    prompt_id = call.response["message_id"]
    reply = await private_chat.send("Renamed by button", reply_to_message_id=prompt_id)
    assert reply.text == "✏️ Renamed #1 to Renamed by button"


async def test_delete_offers_undo_that_restores_the_task(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/add Keep me")
    deleted = await private_chat.send("/delete 1")
    assert deleted.text == "🗑 Deleted #1 Keep me"
    assert (await list_tasks(direct_db, chat_id=private_chat.chat_id)).total == 0
    answer, restored = await private_chat.press(deleted, "↩️ Undo")
    assert answer == "↩️ Restored #1"
    assert restored is not None and restored.text == "↩️ Restored #1 Keep me"
    assert restored.buttons == []
    assert (await get_task(direct_db, chat_id=private_chat.chat_id, number=1)).title == "Keep me"


async def test_delete_button_in_the_list_deletes_with_undo_in_place(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/add a\nb")
    listed = await private_chat.send("/list")
    data = listed.buttons[0][2]["callback_data"]
    answer, after = await private_chat.press_data(listed.message_id, data, expect_edit=True)
    assert answer == "🗑 Deleted #1"
    assert after is not None
    assert after.text.splitlines() == ["🗑 Deleted #1 a", "", "📋 To do · 1", "#2 b"]
    answer, undone = await private_chat.press(after, "↩️ Undo delete #1")
    assert undone is not None
    order = "by priority, then due time, then number"
    assert undone.text.splitlines() == [
        "↩️ Restored #1 a",
        "",
        "📋 To do · 2",
        order,
        "#1 a",
        "#2 b",
    ]


async def test_show_gives_the_task_in_full(private_chat: ChatDriver) -> None:
    await private_chat.send("/add Trip")
    await private_chat.send("/note 1 Pack <b>bags</b>\nBook hotel")
    await private_chat.send("/done 1")
    reply = await private_chat.send("/show 1")
    lines = reply.text.splitlines()
    assert lines[:2] == ["#1 Trip", "Status: ✅ done"]
    assert "Pack <b>bags</b>" in lines and "Book hotel" in lines
    assert any(line.startswith("Created: ") for line in lines)
    assert any(line.startswith("Completed: ") for line in lines)


async def test_show_gives_the_due_time_repeat_nag_and_times_in_the_chats_zone(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/timezone Asia/Tokyo")
    await private_chat.send("/add Stand-up @ every monday 9:00")
    await private_chat.send("/nag 1 30m")

    lines = (await private_chat.send("/show 1")).text.splitlines()

    task = await get_task(direct_db, chat_id=private_chat.chat_id, number=1)
    created = task.created_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert lines[:2] == ["#1 Stand-up", "Status: ⬜ to do"]
    assert lines[2].startswith("Due: ") and lines[2].endswith(" 09:00")  # Monday 09:00 in Tokyo
    assert lines[3:] == [
        "Repeats: every Monday at 09:00",
        "Reminder repeats every 30 min until done",
        f"Created: today {created:%H:%M}",  # each reader's own zone; Tokyo's for old apps
    ]


async def test_note_dash_removes_the_note(private_chat: ChatDriver, direct_db: Database) -> None:
    await private_chat.send("/add Trip")
    await private_chat.send("/note 1 details")
    reply = await private_chat.send("/note 1 -")
    assert reply.text == "📝 Removed the note of #1."
    assert (await get_task(direct_db, chat_id=private_chat.chat_id, number=1)).description is None


async def test_edited_command_does_nothing(private_chat: ChatDriver, direct_db: Database) -> None:
    await private_chat.send("/add Once")
    await private_chat.send_unanswered("/add Once", edited=True)
    assert (await list_tasks(direct_db, chat_id=private_chat.chat_id)).total == 1


async def test_command_addressed_to_the_bot_by_name_works(private_chat: ChatDriver) -> None:
    reply = await private_chat.send("/add@todo_test_bot Named")
    assert reply.text == "➕ Added #1 Named"


async def test_plain_text_in_private_chat_gets_a_hint(private_chat: ChatDriver) -> None:
    reply = await private_chat.send("buy milk")
    assert "send /add" in reply.text


async def test_unknown_command_points_to_help(private_chat: ChatDriver) -> None:
    reply = await private_chat.send("/frobnicate")
    assert "/help" in reply.text


@pytest.mark.telegram_may_reject("message to edit not found")
async def test_button_on_a_list_telegram_cannot_edit_sends_a_fresh_list(
    private_chat: ChatDriver, telegram: FakeTelegram
) -> None:
    await private_chat.send("/add Old list")
    listed = await private_chat.send("/list")
    data = listed.button("⬜ #1")["callback_data"]
    # The user deleted the list message; its button is still pressed (a client's stale copy).
    telegram.deleted_messages[(private_chat.chat_id, listed.message_id)] = telegram.messages.pop(
        (private_chat.chat_id, listed.message_id)
    )
    mark = telegram.mark()
    answer, _ = await private_chat.press_data(listed.message_id, data)
    assert answer == "✅ #1 done"
    fresh = await telegram.wait_for(
        "sendMessage", lambda c: c.ok and c.params["chat_id"] == private_chat.chat_id, after=mark
    )
    assert fresh.params["text"].startswith("📋 Nothing to do.")
