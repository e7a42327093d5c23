"""/find: full-text search of a chat's tasks, in storage and end to end (fake Bot API, real bot,
real PostgreSQL)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.button_actions import FindPage
from handlers.callbacks import decode
from handlers.render_search import MAX_WORDS_LENGTH, parse_search_header, render_search_results
from storage.db import Database
from storage.search import SearchPage, find_tasks, set_done_and_find
from storage.tasks import add_tasks, get_task, set_description, set_done
from testkit.fake_telegram.parse_mode import parse_html, utf16_len
from tests.botdriver import ChatDriver
from tests.factories import new_chat_id
from tests.test_properties import _task, titles

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")

# Query text that means something to tsquery syntax, SQL or HTML: searched as plain words.
ODD_QUERIES = [
    '"milk" OR -eggs',
    "a & b | !c",
    ":*",
    "'",
    "''",
    "\\",
    "'milk':* & !",
    "(milk",
    "<b>milk</b> &amp;",
    "milk'); DROP TABLE tasks; --",
    "🥛 <->",
    "x" * MAX_WORDS_LENGTH,
]


async def _add(db: Database, chat_id: int, *titles: str) -> None:
    await add_tasks(db, chat_id=chat_id, titles=list(titles), created_by=None)


# -- storage ---------------------------------------------------------------------------------


async def test_find_ranks_tasks_that_match_more_often_first(direct_db: Database) -> None:
    chat = new_chat_id()
    await _add(direct_db, chat, "Buy milk", "Call mom", "milk: oat milk or cow milk", "Eggs")
    page = await find_tasks(direct_db, chat_id=chat, words="milk", offset=0, limit=10)
    assert [task.number for task in page.tasks] == [3, 1]
    assert page.total == 2


async def test_find_needs_every_word_and_matches_word_starts(direct_db: Database) -> None:
    chat = new_chat_id()
    await _add(direct_db, chat, "Buy milk", "Buy bread", "Milky way poster")
    assert [t.number for t in (await find_tasks(direct_db, chat_id=chat, words="MIL")).tasks] == [
        1,
        3,
    ]
    page = await find_tasks(direct_db, chat_id=chat, words="buy mil")
    assert [task.title for task in page.tasks] == ["Buy milk"]


async def test_find_searches_notes_and_done_tasks(direct_db: Database) -> None:
    chat = new_chat_id()
    await _add(direct_db, chat, "Shopping", "Garden")
    await set_description(direct_db, chat_id=chat, number=1, description="oat milk, 2 litres")
    await set_done(direct_db, chat_id=chat, numbers=[1], done=True)
    page = await find_tasks(direct_db, chat_id=chat, words="litres")
    assert [(task.number, task.done) for task in page.tasks] == [(1, True)]
    assert (await find_tasks(direct_db, chat_id=chat, words="litres", done=False)).tasks == []


async def test_find_never_returns_another_chats_or_deleted_tasks(direct_db: Database) -> None:
    mine, theirs = new_chat_id(), new_chat_id(group=True)
    await _add(direct_db, mine, "my milk")
    await _add(direct_db, theirs, "their milk")
    page = await find_tasks(direct_db, chat_id=mine, words="milk")
    assert [task.title for task in page.tasks] == ["my milk"] and page.total == 1


async def test_find_pages_by_offset_with_the_total(direct_db: Database) -> None:
    chat = new_chat_id()
    await _add(direct_db, chat, *[f"task {n}" for n in range(1, 24)])
    first = await find_tasks(direct_db, chat_id=chat, words="task", offset=0, limit=10)
    third = await find_tasks(direct_db, chat_id=chat, words="task", offset=20, limit=10)
    assert [t.number for t in first.tasks] == list(range(1, 11)) and first.total == 23
    assert first.previous_offset is None and first.next_offset == 10
    assert [t.number for t in third.tasks] == [21, 22, 23]
    assert third.previous_offset == 10 and third.next_offset is None
    beyond = await find_tasks(direct_db, chat_id=chat, words="task", offset=500, limit=10)
    assert beyond.tasks == [] and beyond.total == 23


@pytest.mark.parametrize("words", ODD_QUERIES)
async def test_any_query_text_is_searched_as_words_and_never_breaks(
    direct_db: Database, words: str
) -> None:
    chat = new_chat_id()
    await _add(direct_db, chat, "milk", "it's a b c", "<b>milk</b> &amp;")
    page = await find_tasks(direct_db, chat_id=chat, words=words)
    assert page.total == len(page.tasks)


# -- rendering -------------------------------------------------------------------------------


@settings(max_examples=60)
@given(
    st.lists(titles, min_size=0, max_size=10),
    st.text(min_size=1, max_size=MAX_WORDS_LENGTH).map(lambda t: " ".join(t.split())).filter(bool),
    st.integers(min_value=0, max_value=10_000),
)
def test_any_results_page_is_valid_html_and_gives_its_words_back(
    page_titles: list[str], words: str, offset: int
) -> None:
    tasks = [_task(n, title, n % 2 == 0) for n, title in enumerate(page_titles, start=1)]
    page = SearchPage(
        words=words, tasks=tasks, total=offset + len(tasks) + 5, offset=offset, limit=10
    )
    text, markup = render_search_results(page)
    shown = parse_html(text)  # raises on HTML Telegram would refuse
    assert utf16_len(shown.text) <= 4096
    if tasks:
        assert parse_search_header(shown.text) == words
        assert markup is not None
        for row in markup.inline_keyboard:
            for button in row:
                assert len(str(button.callback_data).encode()) <= 64


# -- the bot ---------------------------------------------------------------------------------


async def test_find_shows_the_best_match_first_with_tick_buttons(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await _add(direct_db, private_chat.chat_id, "Buy milk", "Bread", "milk milk <milk>")
    reply = await private_chat.send("/find milk")
    assert reply.text.splitlines() == ["🔎 “milk” · 2 found", "#3 milk milk <milk>", "#1 Buy milk"]
    assert "&lt;milk&gt;" in reply.html
    assert [row[0]["text"] for row in reply.buttons] == [
        "⬜ #3 milk milk <milk>",
        "⬜ #1 Buy milk",
    ]


async def test_find_pages_with_the_words_read_back_from_the_message(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await _add(direct_db, private_chat.chat_id, *[f"plan step {n}" for n in range(1, 24)], "x")
    first = await private_chat.send("/find   plan    STEP")
    assert first.text.splitlines()[:3] == [
        "🔎 “plan STEP” · 23 found",
        "1–10 of 23",
        "#1 plan step 1",
    ]
    more = first.button("More ▶")["callback_data"]
    assert decode(more) == FindPage(10)  # the button holds the offset, not the words
    _, second = await private_chat.press(first, "More ▶")
    assert second is not None and second.message_id == first.message_id
    assert second.text.splitlines()[:3] == [
        "🔎 “plan STEP” · 23 found",
        "11–20 of 23",
        "#11 plan step 11",
    ]
    _, third = await private_chat.press(second, "More ▶")
    assert third is not None and third.text.splitlines()[2:] == [
        "#21 plan step 21",
        "#22 plan step 22",
        "#23 plan step 23",
    ]
    assert "More ▶" not in third.button_texts
    _, back = await private_chat.press(third, "◀ Back")
    assert back is not None and back.text == second.text


async def test_find_searches_notes_and_shows_done_tasks_marked(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    chat = private_chat.chat_id
    await _add(direct_db, chat, "Shopping", "Pay rent")
    await set_description(direct_db, chat_id=chat, number=1, description="oat milk")
    await set_done(direct_db, chat_id=chat, numbers=[2], done=True)
    found = await private_chat.send("/find oat")
    assert found.text.splitlines() == ["🔎 “oat” · 1 found", "#1 Shopping"]
    done = await private_chat.send("/find rent")
    assert done.text.splitlines() == ["🔎 “rent” · 1 found", "#2 Pay rent ✅"]
    assert "<s>Pay rent</s>" in done.html
    assert done.buttons[0][0]["text"] == "☑️ #2 Pay rent"


async def test_ticking_a_result_marks_it_and_keeps_the_search(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await _add(direct_db, private_chat.chat_id, "Buy milk", "Buy eggs")
    found = await private_chat.send("/find buy")
    answer, ticked = await private_chat.press(found, "⬜ #2")
    assert answer == "✅ #2 done"
    assert ticked is not None and ticked.text.splitlines() == [
        "🔎 “buy” · 2 found",
        "#1 Buy milk",
        "#2 Buy eggs ✅",
    ]
    assert (await get_task(direct_db, chat_id=private_chat.chat_id, number=2)).done
    answer, reopened = await private_chat.press(ticked, "☑️ #2")
    assert answer == "↩️ #2 is open again"
    assert reopened is not None and reopened.text == found.text


async def test_find_never_shows_another_chats_tasks(
    private_chat: ChatDriver, group_chat: ChatDriver, direct_db: Database
) -> None:
    await _add(direct_db, group_chat.chat_id, "group milk")
    await _add(direct_db, private_chat.chat_id, "own milk")
    assert (await private_chat.send("/find milk")).text.splitlines()[1:] == ["#1 own milk"]
    assert (await group_chat.send("/find milk")).text.splitlines()[1:] == ["#1 group milk"]
    assert (await group_chat.send("/find own")).text.startswith("🔎 Nothing matches “own”")


@pytest.mark.parametrize("words", ODD_QUERIES)
async def test_find_with_query_syntax_or_html_in_the_words_answers(
    private_chat: ChatDriver, words: str
) -> None:
    await private_chat.send("/add milk")
    reply = await private_chat.send(f"/find {words}")
    assert reply.text.startswith("🔎 ")
    assert words in reply.text or "milk" in reply.text


@pytest.mark.parametrize("text", ["/find", "/find   ", "/find\n\n"])
async def test_find_without_words_explains_usage(private_chat: ChatDriver, text: str) -> None:
    reply = await private_chat.send(text)
    assert "Usage: /find milk" in reply.text


async def test_find_with_too_many_words_says_the_limit(private_chat: ChatDriver) -> None:
    reply = await private_chat.send("/find " + "word " * 100)
    assert f"at most {MAX_WORDS_LENGTH} characters" in reply.text


async def test_a_forged_results_button_on_another_message_is_outdated(
    private_chat: ChatDriver,
) -> None:
    listed = await private_chat.send("/list")
    answer, _ = await private_chat.press_data(listed.message_id, "f:10")
    assert answer == "This button is outdated. Send /list for a fresh list."


async def test_a_tick_on_the_results_marks_the_task_and_searches_again(
    direct_db: Database,
) -> None:
    chat = new_chat_id()
    await add_tasks(direct_db, chat_id=chat, titles=["milk", "oat milk", "eggs"], created_by=chat)
    completed, page = await set_done_and_find(
        direct_db, chat_id=chat, number=2, done=True, words="milk", offset=0, limit=10
    )
    assert completed.task.done and completed.task.number == 2
    assert page == await find_tasks(direct_db, chat_id=chat, words="milk", limit=10)
    assert {task.number: task.done for task in page.tasks} == {1: False, 2: True}
