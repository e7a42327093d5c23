"""Inline mode end to end: `@bot text` answered from the user's own private list only, and
"Add" by inline feedback (chosen_inline_result), applied once. Also the fake Bot API's
checks of answerInlineQuery, which stand in for Telegram's."""

from typing import Any

import httpx
import pytest

from handlers.render_search import ADD_RESULT_ID, INLINE_PAGE_SIZE
from storage.db import Database
from storage.tasks import add_tasks, list_tasks, set_description, set_done
from testkit.fake_telegram import TEST_BOT_TOKEN, FakeTelegram
from tests.botdriver import ChatDriver
from tests.factories import new_user_id

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok", "running_app")


async def _ask(
    telegram: FakeTelegram, user_id: int, text: str, *, offset: str = "", chat_type: str = "sender"
) -> dict[str, Any]:
    """Type `@bot text` as `user_id`; the bot's answerInlineQuery (accepted by the fake)."""
    mark = telegram.mark()
    update = telegram.inline_query(user_id, text, offset=offset, chat_type=chat_type)
    query_id = update["inline_query"]["id"]
    call = await telegram.wait_for(
        "answerInlineQuery",
        lambda call: str(call.params.get("inline_query_id")) == query_id,
        after=mark,
    )
    assert call.ok, call.describe()
    return call.params


def _titles(answer: dict[str, Any]) -> list[str]:
    return [result["title"] for result in answer["results"]]


async def _add(db: Database, chat_id: int, *titles: str) -> None:
    await add_tasks(db, chat_id=chat_id, titles=list(titles), created_by=None)


async def test_inline_offers_only_the_users_own_open_tasks(
    telegram: FakeTelegram, direct_db: Database
) -> None:
    alice, bob = new_user_id(), new_user_id()
    await _add(direct_db, alice, "Alice milk", "Alice done")
    await set_done(direct_db, chat_id=alice, numbers=[2], done=True)
    await _add(direct_db, bob, "Bob milk")
    answer = await _ask(telegram, alice, "")
    assert _titles(answer) == ["#1 Alice milk"]
    assert answer["is_personal"] is True and answer["cache_time"] <= 10
    shared = answer["results"][0]
    assert shared["input_message_content"]["message_text"] == "📝 Alice milk"
    assert "reply_markup" not in shared  # nothing in the shared message acts on a list
    assert _titles(await _ask(telegram, bob, "")) == ["#1 Bob milk"]


async def test_inline_text_filters_own_tasks_and_offers_to_add_it_first(
    telegram: FakeTelegram, direct_db: Database, group_chat: ChatDriver
) -> None:
    alice = group_chat.user_id
    await _add(direct_db, alice, "Buy milk", "Walk dog")
    await _add(direct_db, group_chat.chat_id, "Group milk")  # a group Alice is in
    for chat_type in ("sender", "supergroup"):
        answer = await _ask(telegram, alice, "milk", chat_type=chat_type)
        assert _titles(answer) == ["➕ Add “milk” to my list", "#1 Buy milk"]
        assert answer["results"][0]["id"] == ADD_RESULT_ID
    # However the text is put, a group's task never appears.
    assert _titles(await _ask(telegram, alice, "Group")) == ["➕ Add “Group” to my list"]


async def test_inline_with_an_empty_list_explains_how_to_add(
    telegram: FakeTelegram, direct_db: Database
) -> None:
    answer = await _ask(telegram, new_user_id(), "")
    (result,) = answer["results"]
    assert result["title"] == "📋 Your list is empty"
    assert "/add Buy milk" in result["description"]


async def test_inline_shares_notes_and_shortens_long_titles(
    telegram: FakeTelegram, direct_db: Database
) -> None:
    user = new_user_id()
    long_title = "<b>" + "x" * 250 + "</b>"
    await _add(direct_db, user, long_title[:256])
    await set_description(direct_db, chat_id=user, number=1, description="two\nlines & more")
    answer = await _ask(telegram, user, "")
    (result,) = answer["results"]
    assert len(result["title"]) <= 70 and result["title"].endswith("…")
    assert result["description"] == "two lines & more"
    text = result["input_message_content"]["message_text"]
    assert text.startswith("📝 &lt;b&gt;xxx") and text.endswith("\n\ntwo\nlines &amp; more")


async def test_inline_pages_through_a_long_list(
    telegram: FakeTelegram, direct_db: Database
) -> None:
    user = new_user_id()
    await _add(direct_db, user, *[f"errand {n}" for n in range(1, 26)])
    first = await _ask(telegram, user, "")
    assert len(first["results"]) == INLINE_PAGE_SIZE and first["next_offset"] == "21"
    second = await _ask(telegram, user, "", offset=first["next_offset"])
    assert _titles(second) == [f"#{n} errand {n}" for n in range(21, 26)]
    assert not second.get("next_offset")
    searched = await _ask(telegram, user, "errand")
    assert len(searched["results"]) == INLINE_PAGE_SIZE + 1  # "Add" and the first 20
    more = await _ask(telegram, user, "errand", offset=searched["next_offset"])
    assert len(more["results"]) == 5 and ADD_RESULT_ID not in [r["id"] for r in more["results"]]


@pytest.mark.parametrize("text", ['"milk" OR -eggs', "a & b | !c", ":*", "'", "<i>"])
async def test_inline_query_syntax_in_the_text_never_breaks(
    telegram: FakeTelegram, direct_db: Database, text: str
) -> None:
    user = new_user_id()
    await _add(direct_db, user, "milk")
    answer = await _ask(telegram, user, text)
    assert answer["results"][0]["id"] == ADD_RESULT_ID


async def test_picking_add_adds_to_the_private_list_once_even_if_delivered_twice(
    telegram: FakeTelegram, direct_db: Database
) -> None:
    user = new_user_id()
    await _add(direct_db, user, "Old one")
    first = telegram.chosen_inline_result(user, ADD_RESULT_ID, "  Buy   bread ")
    telegram.chosen_inline_result(
        user, ADD_RESULT_ID, "  Buy   bread ", update_id=first["update_id"]
    )
    # A user's updates are handled in order: once the next query is answered, both are done.
    answer = await _ask(telegram, user, "")
    assert _titles(answer) == ["#1 Old one", "#2 Buy bread"]
    page = await list_tasks(direct_db, chat_id=user)
    assert [(t.title, t.created_by) for t in page.tasks] == [
        ("Old one", None),
        ("Buy bread", user),
    ]


async def test_picking_a_shared_task_changes_nothing(
    telegram: FakeTelegram, direct_db: Database
) -> None:
    user = new_user_id()
    await _add(direct_db, user, "Buy milk")
    telegram.chosen_inline_result(user, "t1", "milk")
    assert _titles(await _ask(telegram, user, "")) == ["#1 Buy milk"]


async def test_inline_filters_by_labels_and_priority_and_adds_with_a_priority(
    telegram: FakeTelegram, direct_db: Database
) -> None:
    user = new_user_id()
    await add_tasks(
        direct_db,
        chat_id=user,
        titles=["Pay rent #home", "Call the bank #home", "Gym"],
        priorities=[None, 1, 1],
        checklists=[[], ["papers", "pin"], []],
        created_by=user,
    )
    answer = await _ask(telegram, user, "#home")
    assert _titles(answer)[1:] == ["#2 🔴 Call the bank #home", "#1 Pay rent #home"]
    assert _titles(await _ask(telegram, user, "!1 #Home")) == [
        "➕ Add “#Home” to my list",  # (the marker sets its priority)
        "#2 🔴 Call the bank #home",
    ]
    shared = answer["results"][1]["input_message_content"]["message_text"]
    assert shared == "📝 🔴 Call the bank #home\n\n⬜ papers\n⬜ pin"
    telegram.chosen_inline_result(user, ADD_RESULT_ID, "Buy milk !2")
    await _ask(telegram, user, "")
    added = (await list_tasks(direct_db, chat_id=user, limit=10)).tasks
    assert [(t.title, t.priority) for t in added if t.number == 4] == [("Buy milk", 2)]


# -- the fake Bot API's checks of answerInlineQuery -----------------------------------------


def _article(result_id: str, title: str = "t", text: str = "x") -> dict[str, Any]:
    return {
        "type": "article",
        "id": result_id,
        "title": title,
        "input_message_content": {"message_text": text},
    }


@pytest.mark.parametrize(
    ("results", "reason"),
    [
        ([_article(str(n)) for n in range(51)], "RESULTS_TOO_MUCH"),
        ([_article("a"), _article("a")], "RESULT_ID_DUPLICATE"),
        ([_article("")], "RESULT_ID_INVALID"),
        ([_article("x" * 65)], "RESULT_ID_INVALID"),
        ([_article("a", text="")], "MESSAGE_EMPTY"),
        ([_article("a", title="")], "RESULT_TITLE_EMPTY"),
        (
            [{**_article("a"), "reply_markup": {"keyboard": [[{"text": "hi"}]]}}],
            "REPLY_MARKUP_INVALID",
        ),
        (
            [
                {
                    **_article("a"),
                    "reply_markup": {
                        "inline_keyboard": [[{"text": "b", "callback_data": "x" * 65}]]
                    },
                }
            ],
            "BUTTON_DATA_INVALID",
        ),
    ],
)
async def test_the_fake_refuses_inline_answers_telegram_refuses(
    own_telegram: FakeTelegram, results: list[dict[str, Any]], reason: str
) -> None:
    update = own_telegram.inline_query(new_user_id(), "q")
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{own_telegram.base_url}{TEST_BOT_TOKEN}/answerInlineQuery",
            json={"inline_query_id": update["inline_query"]["id"], "results": results},
        )
    assert response.status_code == 400 and reason in response.json()["description"]


async def test_the_fake_accepts_an_inline_answer_once(own_telegram: FakeTelegram) -> None:
    update = own_telegram.inline_query(new_user_id(), "q")
    body = {"inline_query_id": update["inline_query"]["id"], "results": [_article("64" * 32)]}
    async with httpx.AsyncClient() as client:
        url = f"{own_telegram.base_url}{TEST_BOT_TOKEN}/answerInlineQuery"
        assert (await client.post(url, json=body)).json() == {"ok": True, "result": True}
        again = await client.post(url, json=body)
    assert again.status_code == 400 and "query is too old" in again.json()["description"]
