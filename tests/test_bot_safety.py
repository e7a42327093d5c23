"""Safety: chats never reach each other's tasks, forged buttons change nothing, user text is shown
literally, and every message stays within Telegram's limits."""

import pytest

from storage.db import Database
from storage.tasks import MAX_TASKS_PER_ADD, add_tasks, get_task, list_tasks
from storage.values import TITLE_MAX_LENGTH
from testkit.fake_telegram import FakeTelegram
from tests.botdriver import ChatDriver
from tests.factories import new_user_id

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")


@pytest.fixture
def other_private_chat(telegram: FakeTelegram, private_chat: ChatDriver) -> ChatDriver:
    """A second user, in a private chat of their own."""
    user = new_user_id()
    return ChatDriver(telegram, chat_id=user, user_id=user)


async def test_two_users_never_see_each_others_tasks(
    private_chat: ChatDriver, other_private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/add Alice's secret")
    listed = await other_private_chat.send("/list")
    assert "secret" not in listed.text and "Nothing to do" in listed.text
    shown = await other_private_chat.send("/show 1")
    assert "There is no task #1 here." in shown.text
    done = await other_private_chat.send("/done 1")
    assert "No task #1 here" in done.text
    await other_private_chat.send("/edit 1 hacked")
    await other_private_chat.send("/delete 1")
    task = await get_task(direct_db, chat_id=private_chat.chat_id, number=1)
    assert (task.title, task.done) == ("Alice's secret", False)


async def test_a_button_acts_on_the_chat_its_message_is_in(
    private_chat: ChatDriver, other_private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/add Alice's task")
    await other_private_chat.send("/add Bob's task")
    alices_list = await private_chat.send("/list")
    bobs_list = await other_private_chat.send("/list")
    # Bob replays Alice's exact button data on his own message: it means Bob's task #1.
    data = alices_list.buttons[0][0]["callback_data"]
    answer, _ = await other_private_chat.press_data(bobs_list.message_id, data, expect_edit=True)
    assert answer == "✅ #1 done"
    assert (await get_task(direct_db, chat_id=other_private_chat.chat_id, number=1)).done
    assert not (await get_task(direct_db, chat_id=private_chat.chat_id, number=1)).done


@pytest.mark.parametrize(
    "data",
    [
        "garbage",
        "toggle_1",
        "t:1:1",
        "t:0:1:o1",
        "t:1:2:o1",
        "t:-1:1:o1",
        "t:01:1:o1",
        "t:99999999999:1:o1",
        "t:1:1:o1:extra",
        "d:1:x5",
        "u:1",
        "p:o0",
        "e:1e3",
        " t:1:1:o1",
        "t:1:1:o1\n",
        "x" * 64,
        "💥" * 16,
    ],
)
async def test_forged_button_data_changes_nothing_and_is_answered(
    private_chat: ChatDriver, direct_db: Database, data: str
) -> None:
    await private_chat.send("/add Untouchable")
    listed = await private_chat.send("/list")
    answer, _ = await private_chat.press_data(listed.message_id, data)
    assert answer == "This button is outdated. Send /list for a fresh list."
    task = await get_task(direct_db, chat_id=private_chat.chat_id, number=1)
    assert (task.title, task.done) == ("Untouchable", False)


async def test_button_for_a_task_that_does_not_exist_is_answered(
    private_chat: ChatDriver,
) -> None:
    await private_chat.send("/add Only one")
    listed = await private_chat.send("/list")
    for data in ("t:7:1:o1", "d:7:o1", "u:7:-", "e:7", "t:2147483647:1:d1"):
        answer, _ = await private_chat.press_data(listed.message_id, data)
        assert answer.startswith("🤷 There is no task #")


async def test_html_in_titles_is_shown_literally(private_chat: ChatDriver) -> None:
    title = "<b>bold</b> & <script>alert(1)</script> &amp; <a href='x'>"
    added = await private_chat.send(f"/add {title}")
    assert added.text == f"➕ Added #1 {title}"
    listed = await private_chat.send("/list")
    assert f"#1 {title}" in listed.text
    shown = await private_chat.send("/show 1")
    assert title in shown.text


async def test_zero_width_and_rtl_characters_are_kept_but_invisible_titles_refused(
    private_chat: ChatDriver,
) -> None:
    tricky = "pay \u202ebill\u202c \u200bnow"
    added = await private_chat.send(f"/add {tricky}")
    assert added.text == f"➕ Added #1 {tricky}"
    refused = await private_chat.send("/add \u200b\u200f")
    assert "the title is empty" in refused.text


async def test_a_4000_character_title_is_refused_with_the_limit(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    reply = await private_chat.send("/add " + "x" * 4000)
    assert f"the limit is {TITLE_MAX_LENGTH}" in reply.text
    assert (await list_tasks(direct_db, chat_id=private_chat.chat_id)).total == 0


async def test_a_1000_line_add_is_refused_whole(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    reply = await private_chat.send("/add " + "\n".join(f"item {i}" for i in range(1000)))
    assert f"add at most {MAX_TASKS_PER_ADD} tasks" in reply.text
    assert (await list_tasks(direct_db, chat_id=private_chat.chat_id)).total == 0


async def test_adding_the_most_and_longest_titles_gives_a_reply_within_limits(
    private_chat: ChatDriver,
) -> None:
    titles = [f"{i:03d}" + "y" * (TITLE_MAX_LENGTH - 3) for i in range(MAX_TASKS_PER_ADD)]
    reply = await private_chat.send("/add " + "\n".join(titles))
    assert reply.text.startswith(f"➕ Added {MAX_TASKS_PER_ADD} tasks:")
    assert reply.text.splitlines()[-1].startswith("… and ")
    assert len(reply.text) <= 4096


async def test_a_200_task_list_pages_within_limits(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    long_title = "z" * TITLE_MAX_LENGTH
    for _ in range(2):
        await add_tasks(
            direct_db,
            chat_id=private_chat.chat_id,
            titles=[long_title] * MAX_TASKS_PER_ADD,
            created_by=private_chat.user_id,
        )
    listed = await private_chat.send("/list")
    assert listed.text.splitlines()[0] == "📋 To do · 200"
    assert len(listed.text) <= 4096
    assert all(len(text) <= 40 for text in listed.button_texts)
    pages = 1
    current = listed
    while "More ▶" in current.button_texts:
        _, following = await private_chat.press(current, "More ▶")
        assert following is not None
        current = following
        pages += 1
    assert pages == 20
    assert "#200 " in current.text


async def test_done_with_too_many_numbers_is_refused(private_chat: ChatDriver) -> None:
    reply = await private_chat.send("/done " + " ".join(str(n) for n in range(1, 150)))
    assert "At most 100 numbers at once" in reply.text
