"""The task API's reads for the Mini App's views: the user's lists, views by due day, assignee,
label and priority, search, people, labels, tasks across groups, nag and assignees in a change,
and ETag/304 polling that costs no database statement while nothing changed."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from bot.web.server import create_web_app
from handlers.context import BotApplication
from storage.assigning import assign
from storage.chat_settings import ChatSettings, save_chat_settings
from storage.db import Database
from storage.deleting import delete_task
from storage.recurrence import Recurrence
from storage.reminders import set_due
from storage.tasks import add_task, add_tasks, get_task, set_task_done
from storage.topics import topic_list_id
from storage.users import remember_user
from testkit.pgproxy import PgProxy
from tests.botdriver import ChatDriver
from tests.conftest import url_text
from tests.factories import new_chat_id, new_user_id
from tests.webapp import TaskApi, WebBot, served, signed_in


@pytest.fixture
def me(web_client: httpx.AsyncClient) -> TaskApi:
    return TaskApi(web_client, user_id=new_user_id())


async def _get(api: TaskApi, path: str, **options: Any) -> httpx.Response:
    headers = {**signed_in(api.user_id), **options.pop("headers", {})}
    return await api.client.get(path, headers=headers, **options)


async def test_my_lists_are_my_own_and_the_groups_i_use_and_am_in(
    me: TaskApi, web_bot: WebBot
) -> None:
    db, telegram = web_bot.database, web_bot.telegram
    used, left, unused = new_chat_id(group=True), new_chat_id(group=True), new_chat_id(group=True)
    for group in (used, left, unused):
        telegram.set_chat_member(group, me.user_id, "member")
        ChatDriver(telegram, chat_id=group, user_id=me.user_id)  # makes the chat known
    await add_task(db, chat_id=used, title="Ours", created_by=me.user_id)
    await add_task(db, chat_id=used, title="Also ours", created_by=None)
    await add_task(db, chat_id=left, title="Theirs", created_by=me.user_id)
    await add_task(db, chat_id=unused, title="Not mine", created_by=None)
    topic = await topic_list_id(db, chat_id=used, thread_id=7)
    await add_task(db, chat_id=topic, title="In a topic", created_by=None)
    await assign(db, chat_id=topic, number=1, user_ids=[me.user_id])
    telegram.set_chat_member(left, me.user_id, "left")

    response = await _get(me, "/api/me/lists")
    assert response.status_code == 200, response.text
    lists = response.json()["lists"]
    assert [(one["chat_id"], one["kind"], one["open_count"]) for one in lists] == [
        (me.user_id, "private", 0),
        (used, "group", 2),
        (topic, "topic", 1),
    ]
    assert lists[1]["title"] == lists[2]["title"] and lists[1]["title"]
    assert (lists[2]["group_id"], lists[2]["topic"], lists[2]["role"]) == (used, 7, "member")
    # The topic's list is the group members' to use over the API too.
    assert [t["title"] for t in (await me.on(topic).listed())["tasks"]] == ["In a topic"]


async def test_a_view_by_local_days_in_the_lists_zone(me: TaskApi, web_bot: WebBot) -> None:
    db = web_bot.database
    await save_chat_settings(
        db,
        chat_id=me.user_id,
        settings=ChatSettings(timezone="Asia/Tokyo"),
        next_digest_at=None,
    )
    # 23:30 on 1 June in Tokyo is still 31 May in UTC.
    due = {
        "Late on the first": datetime(2030, 6, 1, 14, 30, tzinfo=UTC),
        "Early on the second": datetime(2030, 6, 1, 15, 30, tzinfo=UTC),
        "The ninth": datetime(2030, 6, 9, 3, 0, tzinfo=UTC),
        "Undated": None,
    }
    for number, (title, when) in enumerate(due.items(), start=1):
        await add_task(db, chat_id=me.user_id, title=title, created_by=me.user_id)
        if when:
            await set_due(db, chat_id=me.user_id, number=number, due_at=when)

    async def titles(**query: Any) -> list[str]:
        response = await _get(me, f"/api/{me.user_id}/view", params=query)
        assert response.status_code == 200, response.text
        assert response.json()["timezone"] == "Asia/Tokyo"
        return [task["title"] for task in response.json()["tasks"]]

    assert await titles(from_day="2030-06-01", to_day="2030-06-01", order="due") == [
        "Late on the first"
    ]
    assert await titles(from_day="2030-06-02", to_day="2030-06-09", order="due") == [
        "Early on the second",
        "The ninth",
    ]
    assert await titles(to_day="2030-06-02", order="due") == [
        "Late on the first",
        "Early on the second",
    ]
    assert await titles(order="due") == [*list(due)]
    too_long = await _get(
        me, f"/api/{me.user_id}/view", params={"from_day": "2030-01-01", "to_day": "2030-12-31"}
    )
    assert too_long.status_code == 422


async def _list_order_tasks(me: TaskApi, db: Database) -> None:
    """Six tasks of my list whose /list order is 6, 4, 5, 2, 3, 1 (priority 1 first and none
    last, then due time with none last, then number)."""
    early, middle, late = (datetime(2030, 6, day, 9, 0, tzinfo=UTC) for day in (1, 5, 9))
    tasks: list[tuple[str, int | None, datetime | None]] = [
        ("No priority, undated", None, None),
        ("Priority 2, due late", 2, late),
        ("No priority, due early", None, early),
        ("Priority 1, undated", 1, None),
        ("Priority 2, due early", 2, early),
        ("Priority 1, due", 1, middle),
    ]
    for number, (title, priority, due) in enumerate(tasks, start=1):
        await add_task(
            db, chat_id=me.user_id, title=title, created_by=me.user_id, priority=priority
        )
        if due:
            await set_due(db, chat_id=me.user_id, number=number, due_at=due)


async def _view(me: TaskApi, **query: Any) -> tuple[list[int], int | None]:
    response = await _get(me, f"/api/{me.user_id}/view", params={"order": "list", **query})
    assert response.status_code == 200, response.text
    body = response.json()
    return [task["number"] for task in body["tasks"]], body["next_start"]


async def test_a_view_in_list_order_is_by_priority_then_due_time_as_list_shows(
    me: TaskApi, web_bot: WebBot
) -> None:
    await _list_order_tasks(me, web_bot.database)
    assert await _view(me) == ([6, 4, 5, 2, 3, 1], None)
    # The same order as GET /tasks (the chat's /list).
    assert [t["number"] for t in (await me.on(me.user_id).listed())["tasks"]] == [6, 4, 5, 2, 3, 1]
    # Number order is still there, and the default.
    assert await _view(me, order="number") == ([1, 2, 3, 4, 5, 6], None)
    response = await _get(me, f"/api/{me.user_id}/view")
    assert [t["number"] for t in response.json()["tasks"]] == [1, 2, 3, 4, 5, 6]
    # Done tasks come in the same order.
    for number in (1, 4, 5):
        assert (await me.on(me.user_id).call("PATCH", f"/{number}/complete")).status_code == 200
    assert await _view(me, state="done") == ([4, 5, 1], None)
    assert await _view(me) == ([6, 2, 3], None)


async def test_list_order_pages_start_at_the_next_tasks_place(
    me: TaskApi, web_bot: WebBot
) -> None:
    await _list_order_tasks(me, web_bot.database)
    assert await _view(me, limit=2) == ([6, 4], 5)
    assert await _view(me, limit=2, start=5) == ([5, 2], 3)
    assert await _view(me, limit=2, start=3) == ([3, 1], None)
    # Task #1 is last: a page from it is not the first page.
    assert await _view(me, limit=2, start=1) == ([1], None)


async def test_a_list_order_page_starts_at_a_task_deleted_since_in_its_place(
    me: TaskApi, web_bot: WebBot
) -> None:
    db = web_bot.database
    await _list_order_tasks(me, db)
    first, next_start = await _view(me, limit=2)
    assert (first, next_start) == ([6, 4], 5)
    await delete_task(db, chat_id=me.user_id, number=5)
    assert await _view(me, limit=2, start=next_start) == ([2, 3], 1)
    assert await _view(me, limit=2, start=1) == ([1], None)
    # A start no task ever had: the tasks from that number on (none here), not the first page.
    assert await _view(me, limit=2, start=7) == ([], None)


async def test_a_view_is_filtered_by_labels_and_priorities_in_every_order(
    me: TaskApi, web_bot: WebBot
) -> None:
    db = web_bot.database
    tasks: list[tuple[str, int | None, datetime | None]] = [
        ("Pay the rent #home #Money", 2, datetime(2030, 6, 9, 9, 0, tzinfo=UTC)),
        ("Fix the bike #home", None, None),
        ("Send the invoice #work #money", 1, datetime(2030, 6, 5, 9, 0, tzinfo=UTC)),
        ("Water the plants #home", 1, datetime(2030, 6, 1, 9, 0, tzinfo=UTC)),
        ("Call mum", 3, None),
    ]
    for number, (title, priority, due) in enumerate(tasks, start=1):
        await add_task(
            db, chat_id=me.user_id, title=title, created_by=me.user_id, priority=priority
        )
        if due:
            await set_due(db, chat_id=me.user_id, number=number, due_at=due)

    async def numbers(**query: Any) -> list[int]:
        response = await _get(me, f"/api/{me.user_id}/view", params=query)
        assert response.status_code == 200, response.text
        # The list's counts stay the whole list's.
        assert response.json()["open_count"] == len(tasks)
        return [task["number"] for task in response.json()["tasks"]]

    assert await numbers(label="home") == [1, 2, 4]
    assert await numbers(label="home", order="list") == [4, 1, 2]
    assert await numbers(label="home", order="due") == [4, 1, 2]
    # With or without `#`, any case; several labels: every one of them.
    assert await numbers(label=["#HOME", "money"], order="list") == [1]
    assert await numbers(label=["Money", "#home"]) == [1]
    assert await numbers(label="holiday") == []
    # Several priorities: any of them; with labels, both.
    assert await numbers(priority=1, order="list") == [4, 3]
    assert await numbers(priority=[3, 2]) == [1, 5]
    assert await numbers(priority=[1, 2], label="money", order="due") == [3, 1]
    assert await numbers(priority=1, label="home", order="number") == [4]
    # With the other filters: state and due days.
    assert await numbers(label="home", from_day="2030-06-01", to_day="2030-06-05") == [4]
    await set_task_done(db, chat_id=me.user_id, number=4, done=True)
    done = await _get(me, f"/api/{me.user_id}/view", params={"label": "home", "state": "done"})
    assert [task["number"] for task in done.json()["tasks"]] == [4]
    every = await _get(
        me, f"/api/{me.user_id}/view", params={"label": "home", "state": "all", "priority": 1}
    )
    assert [task["number"] for task in every.json()["tasks"]] == [4]


async def test_a_filtered_view_finds_its_tasks_beyond_the_first_page_and_pages_on(
    me: TaskApi, web_bot: WebBot
) -> None:
    # 510 tasks: the first page of 500 leaves out the last ten, #rare and priority 3 among them.
    db, user = web_bot.database, me.user_id
    titles = [f"Task {n}" for n in range(1, 511)]
    titles[499], titles[504], titles[509] = "Task 500 #rare", "Task 505 #Rare", "Task 510 #rare"
    priorities: list[int | None] = [None] * 510
    priorities[505] = priorities[509] = 3
    for at in range(0, 510, 100):  # 100 at most at once
        await add_tasks(
            db,
            chat_id=user,
            titles=titles[at : at + 100],
            created_by=user,
            priorities=priorities[at : at + 100],
        )
    first = await _view(me, order="number", limit=500)
    assert len(first[0]) == 500 and first[1] == 501
    assert await _view(me, order="number", limit=500, label="rare") == ([500, 505, 510], None)
    assert await _view(me, order="list", limit=500, priority=3) == ([506, 510], None)
    # Pages of a filter: `next_start` is the next task the filter admits, in either order.
    assert await _view(me, order="number", limit=2, label="rare") == ([500, 505], 510)
    assert await _view(me, order="number", limit=2, label="rare", start=510) == ([510], None)
    assert await _view(me, limit=2, label="rare") == ([510, 500], 505)
    assert await _view(me, limit=2, label="rare", start=505) == ([505], None)
    assert await _view(me, limit=1, priority=3, label="rare") == ([510], None)
    assert await _view(me, limit=1, priority=[3, 1]) == ([506], 510)
    assert await _view(me, limit=1, priority=[3, 1], start=510) == ([510], None)


@pytest.mark.parametrize(
    ("query", "location", "message"),
    [
        ({"label": "a-b"}, "query.label", "'a-b' is no label: letters, digits and _ only"),
        ({"label": "#"}, "query.label", "'#' is no label: letters, digits and _ only"),
        ({"label": ["ok", "two words"]}, "query.label", "'two words' is no label"),
        ({"priority": 4}, "query.priority.0", "less than or equal to 3"),
        ({"priority": 0}, "query.priority.0", "greater than or equal to 1"),
        ({"priority": "high"}, "query.priority.0", "a valid integer"),
        ({"priority": [1, 2, 3, 1]}, "query.priority", "at most 3 items"),
    ],
    ids=str,
)
async def test_a_bad_label_or_priority_of_a_view_is_422_and_says_why(
    me: TaskApi, query: dict[str, Any], location: str, message: str
) -> None:
    response = await _get(me, f"/api/{me.user_id}/view", params=query)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_request"
    said = [(p["location"], p["message"]) for p in body["problems"]]
    assert any(where == location and message in what for where, what in said), said


async def test_the_labels_of_a_list_with_their_counts(me: TaskApi, web_bot: WebBot) -> None:
    db = web_bot.database
    assert (await _get(me, f"/api/{me.user_id}/labels")).json() == {"labels": []}
    for title in ("Pay the rent #home #money", "Fix the bike #Home", "Invoice #work", "Plain"):
        await add_task(db, chat_id=me.user_id, title=title, created_by=me.user_id)
    await set_task_done(db, chat_id=me.user_id, number=2, done=True)
    await delete_task(db, chat_id=me.user_id, number=3)
    path = f"/api/{me.user_id}/labels"
    answer = await _get(me, path)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "labels": [
            {"label": "home", "open_count": 1, "done_count": 1},
            {"label": "money", "open_count": 1, "done_count": 0},
        ]
    }
    # Polled with its ETag, as the views are: 304 until the list changes.
    etag = answer.headers["ETag"]
    again = await _get(me, path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    await me.call("PUT", "/4", json={"title": "Plain no more #new"})
    changed = await _get(me, path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert [one["label"] for one in changed.json()["labels"]] == ["home", "money", "new"]


async def test_a_lists_labels_are_its_members_alone(me: TaskApi, web_bot: WebBot) -> None:
    db, telegram = web_bot.database, web_bot.telegram
    group, other, member = new_chat_id(group=True), new_user_id(), new_user_id()
    telegram.set_chat_member(group, member, "member")
    telegram.set_chat_member(group, me.user_id, "left")
    await add_task(db, chat_id=group, title="Plan #secret", created_by=member)
    await add_task(db, chat_id=other, title="Mine #private", created_by=other)
    # A member reads them; someone who left, or anyone on another user's list, gets what
    # every other endpoint of a list gives them.
    read = await _get(TaskApi(me.client, user_id=member), f"/api/{group}/labels")
    assert [one["label"] for one in read.json()["labels"]] == ["secret"]
    for list_id in (group, other):
        refused = await _get(me, f"/api/{list_id}/labels")
        view = await _get(me, f"/api/{list_id}/view")
        assert refused.status_code == 403
        assert refused.json() == view.json()
        assert refused.json()["error"] == "forbidden"
    unsigned = await me.client.get(f"/api/{me.user_id}/labels")
    assert unsigned.status_code == 401


async def test_nag_and_assignees_are_read_and_changed(me: TaskApi, web_bot: WebBot) -> None:
    db, telegram = web_bot.database, web_bot.telegram
    group, friend, stranger = new_chat_id(group=True), new_user_id(), new_user_id()
    for user in (me.user_id, friend):
        telegram.set_chat_member(group, user, "member")
    telegram.set_chat_member(group, stranger, "left")
    await remember_user(db, user_id=friend, username="friend", first_name="Fri")
    api = me.on(group)
    await add_task(db, chat_id=group, title="Plan the trip", created_by=None)
    task = (await api.call("GET", "/1")).json()
    assert (task["nag_minutes"], task["assignees"]) == (None, [])

    changed = await api.call("PUT", "/1", json={"nag_minutes": 30, "assignees": [friend]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["nag_minutes"] == 30
    assert changed.json()["assignees"] == [
        {"user_id": friend, "username": "friend", "name": "Fri"}
    ]
    assert (await get_task(db, chat_id=group, number=1)).nag_minutes == 30

    people = (await _get(me, f"/api/{group}/people")).json()["people"]
    assert {person["user_id"] for person in people} == {me.user_id, friend}
    refused = await api.call("PUT", "/1", json={"assignees": [friend, stranger]})
    assert refused.status_code == 422
    read = (await api.call("GET", "/1")).json()
    assert [one["user_id"] for one in read["assignees"]] == [friend]

    mine = await api.call("PUT", "/1", json={"assignees": [me.user_id], "nag_minutes": None})
    assert [one["user_id"] for one in mine.json()["assignees"]] == [me.user_id]
    assert mine.json()["nag_minutes"] is None
    mine_view = await _get(me, f"/api/{group}/view", params={"assignee": me.user_id})
    assert [t["number"] for t in mine_view.json()["tasks"]] == [1]
    assert (await _get(me, f"/api/{group}/view", params={"assignee": friend})).json()[
        "tasks"
    ] == []
    across = (await _get(me, "/api/me/assigned")).json()["tasks"]
    assert [(t["chat_id"], t["title"]) for t in across] == [(group, "Plan the trip")]
    private = await me.add("Mine alone")
    given = await me.call("PUT", f"/{private['number']}", json={"assignees": [friend]})
    assert given.status_code == 422


async def test_search_finds_as_find_does(me: TaskApi) -> None:
    await me.add("Buy milk", description="oat")
    await me.add("Call mum")
    found = await _get(me, f"/api/{me.user_id}/search", params={"q": "mil"})
    assert [t["title"] for t in found.json()["tasks"]] == ["Buy milk"]
    assert found.json()["total"] == 1
    by_note = await _get(me, f"/api/{me.user_id}/search", params={"q": "oat"})
    assert [t["title"] for t in by_note.json()["tasks"]] == ["Buy milk"]


async def test_a_change_in_the_chat_ends_the_304s(me: TaskApi, web_bot: WebBot) -> None:
    await me.add("From the app")
    path = f"/api/{me.user_id}/view"
    first = await _get(me, path)
    etag = first.headers["ETag"]
    again = await _get(me, path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    chat = ChatDriver(web_bot.telegram, chat_id=me.user_id, user_id=me.user_id)
    await chat.send("/add From the chat")
    after = await _get(me, path, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert [t["title"] for t in after.json()["tasks"]] == ["From the app", "From the chat"]
    assert after.headers["ETag"] != etag


@pytest.fixture
async def counted_web(
    pg_admin_url: URL, database_url: URL, running_app: BotApplication
) -> AsyncIterator[tuple[httpx.AsyncClient, PgProxy]]:
    """The web app on the test database through a proxy that counts round trips."""
    proxy = PgProxy.in_front_of(pg_admin_url)
    await proxy.start()
    database = Database.from_url(url_text(proxy.url_for(database_url)), pool_size=1)
    web = create_web_app(running_app, database=database, webhook=None)
    async with served(web) as client:
        yield client, proxy
    await database.close()
    await proxy.stop()


async def test_polling_an_unchanged_view_costs_no_database_statement(
    counted_web: tuple[httpx.AsyncClient, PgProxy],
) -> None:
    client, proxy = counted_web
    api = TaskApi(client, user_id=new_user_id())
    await api.add("Water plants")
    today = date.today()
    paths = [
        f"/api/{api.user_id}/view?order=due&to_day={today + timedelta(days=1)}",
        f"/api/{api.user_id}/view",
        f"/api/{api.user_id}/tasks/1",
        f"/api/{api.user_id}/search?q=water",
        f"/api/{api.user_id}/view?order=list&label=garden&priority=1",
        f"/api/{api.user_id}/labels",
        "/api/me/lists",
        "/api/me/assigned",
    ]
    etags = {path: (await _get(api, path)).headers["ETag"] for path in paths}
    proxy.reset()
    for _ in range(3):
        for path in paths:
            polled = await _get(api, path, headers={"If-None-Match": etags[path]})
            assert polled.status_code == 304, path
    assert proxy.round_trips == 0
    await api.call("PUT", "/1", json={"title": "Water the plants"})
    changed = await _get(api, paths[1], headers={"If-None-Match": etags[paths[1]]})
    assert changed.status_code == 200
    assert changed.json()["tasks"][0]["title"] == "Water the plants"


async def test_a_month_shows_the_days_a_repeating_task_falls_on(
    me: TaskApi, web_bot: WebBot
) -> None:
    db = web_bot.database
    every_monday = Recurrence("weekly", 9, 0, weekdays=(0,)).encode()
    from_done = Recurrence("daily", 9, 0, interval=2, from_done=True).encode()
    until_10th = Recurrence("daily", 8, 0, until=date(2030, 6, 10)).encode()
    due = {
        # Due on an earlier Monday, not done: it still falls on June's Mondays.
        "Weekly review": (datetime(2030, 5, 27, 7, 0, tzinfo=UTC), every_monday),
        "Water plants": (datetime(2030, 6, 4, 7, 0, tzinfo=UTC), from_done),
        "Pills": (datetime(2030, 6, 8, 6, 0, tzinfo=UTC), until_10th),
        "Once in May": (datetime(2030, 5, 20, 7, 0, tzinfo=UTC), None),
    }
    for number, (title, (when, rule)) in enumerate(due.items(), start=1):
        await add_task(db, chat_id=me.user_id, title=title, created_by=me.user_id)
        await set_due(db, chat_id=me.user_id, number=number, due_at=when, recurrence=rule)
    month = {"from_day": "2030-06-01", "to_day": "2030-06-30", "state": "all", "order": "due"}
    answer = await _get(me, f"/api/{me.user_id}/view", params={**month, "repeats": "true"})
    body = answer.json()
    assert [task["title"] for task in body["tasks"]] == ["Weekly review", "Water plants", "Pills"]
    assert body["falls_on"] == {
        "1": ["2030-06-03", "2030-06-10", "2030-06-17", "2030-06-24"],
        "2": ["2030-06-04"],  # counted from completion: the next days are not known yet
        "3": ["2030-06-08", "2030-06-09", "2030-06-10"],
    }
    without = (await _get(me, f"/api/{me.user_id}/view", params=month)).json()
    assert [task["title"] for task in without["tasks"]] == ["Water plants", "Pills"]
    assert without["falls_on"] == {}
