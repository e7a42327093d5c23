"""The task API over HTTP, on the running bot's web server and the test database."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest

from storage.errors import TaskNotFound
from storage.reminders import set_due
from storage.tasks import add_task, get_task, list_tasks
from storage.values import TITLE_MAX_LENGTH
from tests.botdriver import ChatDriver
from tests.factories import new_user_id
from tests.webapp import TaskApi, WebBot


@pytest.fixture
def me(web_client: httpx.AsyncClient) -> TaskApi:
    """A new user of the task API, on their own list."""
    return TaskApi(web_client, user_id=new_user_id())


def _assert_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error", "message", "problems"}
    assert body["error"] == error and body["message"]
    return body


async def test_create_returns_the_task_with_its_number_and_location(
    me: TaskApi, web_bot: WebBot
) -> None:
    response = await me.call("POST", json={"title": "  Buy   milk ", "description": "2 litres"})
    assert response.status_code == 201
    task = response.json()
    assert set(task) == {
        "id",
        "number",
        "title",
        "description",
        "completed",
        "created_at",
        "updated_at",
        "due_at",
        "repeat",
        "remind_before",
        "nag_minutes",
        "assignees",
        "priority",
        "labels",
        "checklist",
        "attachments",
    }
    assert (task["number"], task["title"], task["description"], task["completed"]) == (
        1,
        "Buy milk",
        "2 litres",
        False,
    )
    stored = await get_task(web_bot.database, chat_id=me.user_id, number=1)
    assert UUID(task["id"]) == stored.id and stored.created_by == me.user_id
    assert datetime.fromisoformat(task["created_at"]) == stored.created_at
    assert response.headers["Location"] == f"{web_bot.base_url}/api/{me.user_id}/tasks/1"
    assert (await me.call("GET", "/1")).json() == task


async def test_list_pages_through_open_and_done_tasks(me: TaskApi) -> None:
    for index in range(1, 6):
        await me.add(f"t{index}")
    await me.call("PATCH", "/2/complete")
    first = await me.listed(limit=2)
    assert [t["number"] for t in first["tasks"]] == [1, 3]
    assert (first["open_count"], first["done_count"], first["completed"]) == (4, 1, False)
    assert first["previous_start"] is None
    second = await me.listed(limit=2, start=first["next_start"])
    assert [t["number"] for t in second["tasks"]] == [4, 5]
    assert second["next_start"] is None and second["previous_start"] == 1
    done = await me.listed(completed="true")
    assert [(t["number"], t["completed"]) for t in done["tasks"]] == [(2, True)]


async def test_an_empty_list_has_no_tasks(me: TaskApi) -> None:
    page = await me.listed()
    assert page == {
        "tasks": [],
        "completed": False,
        "open_count": 0,
        "done_count": 0,
        "next_start": None,
        "previous_start": None,
    }


async def test_update_changes_only_the_fields_given(me: TaskApi, web_bot: WebBot) -> None:
    await me.add("Old", description="keep me")
    response = await me.call("PUT", "/1", json={"title": "New"})
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["description"]) == ("New", "keep me")
    response = await me.call("PUT", "/1", json={"completed": True, "description": None})
    assert (response.json()["completed"], response.json()["description"]) == (True, None)
    stored = await get_task(web_bot.database, chat_id=me.user_id, number=1)
    assert (stored.title, stored.description, stored.done) == ("New", None, True)
    assert stored.completed_at is not None
    response = await me.call("PUT", "/1", json={"completed": False, "title": "Again"})
    assert (response.json()["completed"], response.json()["title"]) == (False, "Again")


async def test_complete_is_a_target_state_not_a_toggle(me: TaskApi, web_bot: WebBot) -> None:
    await me.add("Once")
    first = await me.call("PATCH", "/1/complete")
    completed_at = (await get_task(web_bot.database, chat_id=me.user_id, number=1)).completed_at
    second = await me.call("PATCH", "/1/complete")
    assert first.status_code == second.status_code == 200
    assert second.json()["completed"] is True
    stored = await get_task(web_bot.database, chat_id=me.user_id, number=1)
    assert stored.done and stored.completed_at == completed_at


async def test_delete_returns_the_task_and_restore_brings_it_back(
    me: TaskApi, web_bot: WebBot
) -> None:
    added = await me.add("Short-lived")
    deleted = await me.call("DELETE", "/1")
    assert deleted.status_code == 200 and deleted.json()["id"] == added["id"]
    with pytest.raises(TaskNotFound):
        await get_task(web_bot.database, chat_id=me.user_id, number=1)
    _assert_error(await me.call("GET", "/1"), 404, "not_found")
    _assert_error(await me.call("DELETE", "/1"), 404, "not_found")
    restored = await me.call("POST", "/1/restore")
    assert restored.status_code == 200 and restored.json()["id"] == added["id"]
    assert (await get_task(web_bot.database, chat_id=me.user_id, number=1)).title == "Short-lived"
    _assert_error(await me.call("POST", "/1/restore"), 404, "not_found")


async def test_clear_deletes_the_done_tasks_and_its_undo_brings_them_back(
    me: TaskApi, web_bot: WebBot
) -> None:
    for title in ("Open", "Done", "Also done"):
        await me.add(title)
    await me.call("PATCH", "/2/complete")
    await me.call("PATCH", "/3/complete")
    cleared = await me.call("POST", "/clear")
    assert cleared.status_code == 200
    assert cleared.json()["count"] == 2 and isinstance(cleared.json()["stamp"], int)
    assert [t["number"] for t in (await me.listed(completed=True))["tasks"]] == []
    assert (await me.call("POST", "/clear")).json() == {"count": 0, "stamp": None}
    undo = {"stamp": cleared.json()["stamp"]}
    assert (await me.call("POST", "/clear/undo", json=undo)).json()["count"] == 2
    assert [t["number"] for t in (await me.listed(completed=True))["tasks"]] == [2, 3]
    assert (await me.call("POST", "/clear/undo", json=undo)).json()["count"] == 0
    _assert_error(await me.call("POST", "/clear/undo", json={"stamp": -1}), 422, "invalid_request")
    _assert_error(await me.call("POST", "/clear/undo", json={}), 422, "invalid_request")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/7"), ("PUT", "/7"), ("DELETE", "/7"), ("PATCH", "/7/complete"), ("GET", "/0")],
)
async def test_a_task_that_does_not_exist_is_404(me: TaskApi, method: str, path: str) -> None:
    json = {"title": "x"} if method == "PUT" else None
    body = _assert_error(await me.call(method, path, json=json), 404, "not_found")
    assert body["message"] == f"there is no task #{path.split('/')[1]} in this list"


async def test_a_task_added_over_the_api_shows_in_the_chats_list_and_back(
    me: TaskApi, web_bot: WebBot
) -> None:
    chat = ChatDriver(web_bot.telegram, chat_id=me.user_id, user_id=me.user_id)
    await me.add("From the Mini App")
    listed = await chat.send("/list")
    assert "#1 From the Mini App" in listed.text
    await chat.send("/add From the chat")
    await chat.send("/done 1")
    assert [t["title"] for t in (await me.listed())["tasks"]] == ["From the chat"]
    assert [t["title"] for t in (await me.listed(completed="true"))["tasks"]] == [
        "From the Mini App"
    ]


async def test_the_schema_describes_the_api(web_client: httpx.AsyncClient) -> None:
    assert (await web_client.get("/docs")).status_code == 404  # no page from a CDN: README
    schema = (await web_client.get("/openapi.json")).json()
    operations = {
        (method.upper(), path) for path, item in schema["paths"].items() for method in item
    }
    base = "/api/{chat_id}/tasks"
    assert operations == {
        ("POST", base),
        ("GET", base),
        ("GET", base + "/{number}"),
        ("PUT", base + "/{number}"),
        ("DELETE", base + "/{number}"),
        ("PATCH", base + "/{number}/complete"),
        ("POST", base + "/{number}/restore"),
        ("POST", base + "/clear"),
        ("POST", base + "/clear/undo"),
        ("GET", "/api/me/lists"),
        ("GET", "/api/me/assigned"),
        ("GET", "/api/{chat_id}/view"),
        ("GET", "/api/{chat_id}/search"),
        ("GET", "/api/{chat_id}/people"),
        ("GET", "/api/{chat_id}/labels"),
        ("POST", base + "/{number}/checklist"),
        ("PATCH", base + "/{number}/checklist/{item}"),
    }
    assert set(schema["components"]["schemas"]) >= {"TaskCreate", "TaskUpdate", "TaskRead"}
    assert "TelegramInitData" in schema["components"]["securitySchemes"]


async def test_the_title_limit_is_the_bots(me: TaskApi, web_bot: WebBot) -> None:
    longest = "x" * TITLE_MAX_LENGTH
    assert (await me.add(longest))["title"] == longest
    page = await list_tasks(web_bot.database, chat_id=me.user_id)
    assert page.total == 1


async def test_a_task_from_the_chat_is_readable_with_its_author(
    me: TaskApi, web_bot: WebBot
) -> None:
    task = await add_task(web_bot.database, chat_id=me.user_id, title="Direct", created_by=None)
    read = (await me.call("GET", "/1")).json()
    assert read["id"] == str(task.id) and read["title"] == "Direct"


async def test_completing_a_recurring_task_over_the_api_schedules_its_next_time(
    me: TaskApi, web_bot: WebBot
) -> None:
    await me.add("Stand-up")
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    await set_due(
        web_bot.database, chat_id=me.user_id, number=1, due_at=due, recurrence="daily::09:00:"
    )
    for response in (
        await me.call("PATCH", "/1/complete"),
        await me.call("PUT", "/1", json={"completed": True}),
    ):
        assert response.status_code == 200 and response.json()["completed"] is False
    stored = await get_task(web_bot.database, chat_id=me.user_id, number=1)
    assert stored.due_at is not None and stored.due_at > due and not stored.done
