"""Quotas: what one user (or one list) may take, with a clear answer past it and nothing half
done. Rate limits are per process (handlers.rate_limits); the list caps are in the statement that
adds (storage.adding), so concurrent adds cannot overshoot them.

Issue: one user created 2,000 maximum-size tasks through the API in 4.8 s; ten imports of
5,000 rows added 50,000 tasks in 5 s and grew the database from 57 to 160 MB.
"""

import asyncio
import dataclasses

import pytest

from bot.web.server import create_web_app
from handlers.rate_limits import RateLimit, RateLimited
from storage import transfer as transfer_store
from storage.db import Database
from storage.errors import ListFull
from storage.lists import MAX_OPEN_TASKS, MAX_TASKS, ListCaps
from storage.tasks import add_task, add_tasks, list_tasks, set_done
from storage.transfer import MAX_EXPORT_TASKS, MAX_IMPORT_TASKS, NewTask
from storage.values import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH
from testkit.fake_telegram import FakeTelegram
from tests.botdriver import ChatDriver
from tests.factories import new_chat_id, new_user_id
from tests.webapp import TaskApi, WebBot, served

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")


def test_the_caps_are_ones_no_honest_list_reaches_and_every_list_exports_whole() -> None:
    assert MAX_OPEN_TASKS >= 2 * MAX_IMPORT_TASKS
    assert MAX_TASKS <= MAX_EXPORT_TASKS


async def test_one_user_cannot_create_2000_tasks_through_the_api(web_bot: WebBot) -> None:
    frozen = [0.0]
    web = create_web_app(web_bot.application, database=web_bot.database, webhook=None)
    web.state.api = dataclasses.replace(
        web.state.api, rate_limit=RateLimit("requests", 120, clock=lambda: frozen[0])
    )
    user = new_user_id()
    body = {"title": "x" * TITLE_MAX_LENGTH, "description": "y" * DESCRIPTION_MAX_LENGTH}
    async with served(web) as client:
        api = TaskApi(client, user_id=user)
        answers = [await api.call("POST", json=body) for _ in range(130)]
        statuses = [answer.status_code for answer in answers]
        assert statuses == [201] * 120 + [429] * 10
        refused = answers[-1]
        assert refused.headers["Retry-After"] == "1"
        assert refused.json()["error"] == "too_many_requests"
        assert "try again in 1 s" in refused.json()["message"]
        frozen[0] += 30  # half a minute gives back half the bucket
        more = [(await api.call("POST", json=body)).status_code for _ in range(61)]
        assert more == [201] * 60 + [429]
    assert (await list_tasks(web_bot.database, chat_id=user)).total == 180


def test_a_rate_limit_refills_evenly_and_says_when_to_come_back() -> None:
    now = [0.0]
    limit = RateLimit("imports", 6, period=3600, clock=lambda: now[0])
    for _ in range(6):
        limit.spend(1)
    with pytest.raises(RateLimited) as refused:
        limit.spend(1)
    assert refused.value.retry_after == 600
    limit.spend(2)  # another user has a bucket of their own
    now[0] += 600
    limit.spend(1)
    with pytest.raises(RateLimited):
        limit.spend(1)
    assert RateLimit("requests", 0).spend(1, cost=10**6) is None  # 0: no limit


async def test_concurrent_adds_cannot_overshoot_a_lists_cap(direct_db: Database) -> None:
    chat, caps = new_chat_id(group=True), ListCaps(max_open=10, max_total=15)

    async def one(n: int) -> bool:
        try:
            await add_task(direct_db, chat_id=chat, title=f"t{n}", created_by=1, caps=caps)
        except ListFull:
            return False
        return True

    added = await asyncio.gather(*(one(n) for n in range(50)))
    assert sum(added) == 10
    assert (await list_tasks(direct_db, chat_id=chat)).open_total == 10
    await set_done(direct_db, chat_id=chat, numbers=list(range(1, 11)), done=True)
    # Five more fit in all (10 done + 5 open); a batch that does not fit adds nothing.
    with pytest.raises(ListFull):
        await add_tasks(direct_db, chat_id=chat, titles=["a"] * 6, created_by=1, caps=caps)
    assert (
        len(await add_tasks(direct_db, chat_id=chat, titles=["a"] * 5, created_by=1, caps=caps))
        == 5
    )
    with pytest.raises(ListFull) as full:
        await add_task(direct_db, chat_id=chat, title="one more", created_by=1, caps=caps)
    assert (full.value.max_open, full.value.max_total) == (10, 15)
    page = await list_tasks(direct_db, chat_id=chat)
    assert (page.open_total, page.done_total) == (5, 10)


async def test_an_import_that_would_overfill_a_list_adds_nothing(direct_db: Database) -> None:
    chat, caps = new_chat_id(), ListCaps(max_open=100, max_total=200)
    await transfer_store.import_tasks(
        direct_db,
        chat_id=chat,
        tasks=[NewTask(f"t{n}") for n in range(90)],
        created_by=1,
        caps=caps,
    )
    with pytest.raises(ListFull):
        await transfer_store.import_tasks(
            direct_db,
            chat_id=chat,
            tasks=[NewTask(f"u{n}") for n in range(11)],
            created_by=1,
            caps=caps,
        )
    done = [NewTask(f"d{n}", done=True) for n in range(110)]
    added = await transfer_store.import_tasks(
        direct_db, chat_id=chat, tasks=done, created_by=1, caps=caps
    )
    assert (added.count, added.done) == (110, 110)  # done ones count only against the total
    page = await list_tasks(direct_db, chat_id=chat)
    assert (page.open_total, page.done_total) == (90, 110)


async def test_ten_imports_of_5000_rows_stop_at_the_cap_and_the_rate_limit(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    rows = "\n".join(f"Task {n}" for n in range(MAX_IMPORT_TASKS))
    csv = f"title\n{rows}\n".encode()
    answers = [await _import(private_chat, csv) for _ in range(10)]
    assert [a.startswith("📥 Imported 5000 tasks") for a in answers[:2]] == [True, True], answers
    assert all(a.startswith("📦 This list is full") for a in answers[2:6]), answers[2:6]
    assert all(a.startswith("⏳ That is a lot of imports") for a in answers[6:]), answers[6:]
    page = await list_tasks(direct_db, chat_id=private_chat.chat_id)
    assert page.open_total == MAX_OPEN_TASKS


async def _import(chat: ChatDriver, data: bytes) -> str:
    telegram = chat.telegram
    mark = telegram.mark()
    telegram.send_document(chat.chat_id, "tasks.csv", data, caption="/import")
    call = await telegram.wait_for(
        "sendMessage", lambda c: c.ok and c.params.get("chat_id") == chat.chat_id, after=mark
    )
    return str(call.params["text"])


async def test_add_bursts_get_a_clear_answer_and_add_nothing(
    group_chat: ChatDriver, telegram: FakeTelegram, direct_db: Database
) -> None:
    hundred = "/add " + "\n".join(f"Line {n}" for n in range(100))
    for _ in range(3):
        assert (await group_chat.send(hundred)).text.startswith("➕ Added 100 tasks")
    refused = await group_chat.send(hundred)
    assert refused.text.startswith("⏳ That is a lot of tasks added in a short time.")
    assert "Nothing was done this time" in refused.text
    assert (await list_tasks(direct_db, chat_id=group_chat.chat_id)).open_total == 300
    other = group_chat.as_user(new_user_id(), "Other")
    assert (await other.send("/add Mine")).text == "➕ Added #301 Mine"  # per user
