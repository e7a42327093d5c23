"""Bad input to the task API: a 422 (or 413) in the one error shape, saying what is wrong, and
nothing changed."""

from typing import Any

import httpx
import pytest

from bot.web.api_access import MAX_BODY_BYTES
from bot.web.membership import ChatAccess, Role
from bot.web.server import create_web_app
from storage.db import Database
from storage.tasks import get_task, list_tasks
from storage.values import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH
from testkit.postgres import free_port
from tests.factories import new_user_id
from tests.webapp import TaskApi, WebBot, served, signed_in


@pytest.fixture
def me(web_client: httpx.AsyncClient) -> TaskApi:
    return TaskApi(web_client, user_id=new_user_id())


def _problems(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_request"
    problems = [(p["location"], p["message"]) for p in body["problems"]]
    for location, message in problems:
        assert f"{location}: {message}" in body["message"]
    return problems


async def _raw(me: TaskApi, method: str, path: str, body: bytes) -> httpx.Response:
    return await me.call(method, path, content=body, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("body", [b"{", b'{"title": "x",}', b"\xff\xfe", b"title=x"])
async def test_a_body_that_is_not_json_is_422(me: TaskApi, web_bot: WebBot, body: bytes) -> None:
    problems = _problems(await _raw(me, "POST", "", body))
    assert problems[0][0] == "body" and problems[0][1].startswith("not valid JSON")
    assert (await list_tasks(web_bot.database, chat_id=me.user_id)).total == 0


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, [("body.title", "required")]),
        ({"title": 5}, [("body.title", "Input should be a valid string")]),
        ({"title": None}, [("body.title", "Input should be a valid string")]),
        ({"title": "x", "labels": ["a"]}, [("body.labels", "unknown field")]),
        ({"title": "x", "completed": True}, [("body.completed", "unknown field")]),
        ({"title": ""}, [("body.title", "the title is empty")]),
        ({"title": " \u200b\n"}, [("body.title", "the title is empty")]),
        (
            {"title": "x" * (TITLE_MAX_LENGTH + 1)},
            [("body.title", f"the title is 257 characters long; the limit is {TITLE_MAX_LENGTH}")],
        ),
        (
            {"title": "ok", "description": "d" * (DESCRIPTION_MAX_LENGTH + 1)},
            [("body.description", "the description is 2001 characters long; the limit is 2000")],
        ),
        (["x"], [("body", "Input should be a valid dictionary or object to extract fields from")]),
        ("x", [("body", "Input should be a valid dictionary or object to extract fields from")]),
    ],
)
async def test_a_bad_new_task_is_422_and_adds_nothing(
    me: TaskApi, web_bot: WebBot, body: Any, expected: list[tuple[str, str]]
) -> None:
    assert _problems(await me.call("POST", json=body)) == expected
    assert (await list_tasks(web_bot.database, chat_id=me.user_id)).total == 0


async def test_a_missing_body_is_422(me: TaskApi) -> None:
    assert _problems(await me.call("POST")) == [("body", "a JSON object is required")]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {},
            [
                (
                    "body",
                    "nothing to change: give title, description, completed, due_at, repeat,"
                    " remind_before, nag_minutes, assignees, priority or checklist",
                )
            ],
        ),
        ({"title": None}, [("body", "title cannot be null")]),
        ({"completed": None}, [("body", "completed cannot be null")]),
        ({"completed": "yes"}, [("body.completed", "Input should be a valid boolean")]),
        ({"completed": 1}, [("body.completed", "Input should be a valid boolean")]),
        ({"done": True}, [("body.done", "unknown field")]),
        (
            {"title": "x" * 300, "completed": True},
            [("body.title", "the title is 300 characters long; the limit is 256")],
        ),
    ],
)
async def test_a_bad_update_is_422_and_changes_nothing(
    me: TaskApi, web_bot: WebBot, body: Any, expected: list[tuple[str, str]]
) -> None:
    await me.add("Unchanged")
    before = await get_task(web_bot.database, chat_id=me.user_id, number=1)
    assert _problems(await me.call("PUT", "/1", json=body)) == expected
    assert await get_task(web_bot.database, chat_id=me.user_id, number=1) == before


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ({"limit": 0}, "query.limit"),
        ({"limit": 101}, "query.limit"),
        ({"start": 0}, "query.start"),
        ({"completed": "maybe"}, "query.completed"),
        ({"done": "true"}, "query.done"),
    ],
)
async def test_a_bad_list_query_is_422(me: TaskApi, query: dict[str, Any], location: str) -> None:
    problems = _problems(await me.call("GET", params=query))
    assert [p[0] for p in problems] == [location]


@pytest.mark.parametrize("path", ["/abc", "/1.5"])
async def test_a_task_number_that_is_no_number_is_422(me: TaskApi, path: str) -> None:
    assert [p[0] for p in _problems(await me.call("GET", path))] == ["path.number"]


async def test_a_chat_id_that_is_no_number_is_422(web_client: httpx.AsyncClient) -> None:
    response = await web_client.get("/api/me/tasks", headers=signed_in(new_user_id()))
    assert [p[0] for p in _problems(response)] == ["path.chat_id"]


async def test_a_body_over_the_limit_is_413(me: TaskApi, web_bot: WebBot) -> None:
    body = b'{"title": "' + b"x" * MAX_BODY_BYTES + b'"}'
    response = await _raw(me, "POST", "", body)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert (await list_tasks(web_bot.database, chat_id=me.user_id)).total == 0


async def test_an_unknown_path_or_method_answers_in_the_error_shape(me: TaskApi) -> None:
    not_found = await me.client.get("/api/nothing-here", headers=signed_in(me.user_id))
    assert not_found.status_code == 404 and not_found.json()["error"] == "not_found"
    not_allowed = await me.call("PATCH", "")
    assert not_allowed.status_code == 405
    assert not_allowed.json()["error"] == "method_not_allowed"


async def test_storage_that_is_down_is_503(web_bot: WebBot) -> None:
    down = Database.from_url(f"postgresql://u:p@127.0.0.1:{free_port()}/d")
    try:
        web = create_web_app(web_bot.application, database=down, webhook=None)
        async with served(web) as client:
            user = new_user_id()
            response = await client.get(f"/api/{user}/tasks", headers=signed_in(user))
    finally:
        await down.close()
    assert response.status_code == 503
    assert response.json()["error"] == "unavailable"
    assert response.headers["Retry-After"] == "5"


class _BrokenAccess(ChatAccess):
    async def role(self, *, user_id: int, chat_id: int) -> Role:
        raise RuntimeError("a bug")


async def test_an_unexpected_failure_is_500_in_the_error_shape(web_bot: WebBot) -> None:
    web = create_web_app(
        web_bot.application,
        database=web_bot.database,
        webhook=None,
        access=_BrokenAccess(web_bot.application.bot),
    )
    async with served(web) as client:
        user = new_user_id()
        response = await client.get(f"/api/{user}/tasks", headers=signed_in(user))
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal_error",
        "message": "something went wrong on the server",
        "problems": [],
    }
