"""The task API's priority, labels, checklists, attachments and filtered lists: created, read,
changed and validated over HTTP, listed in /list's order with its filters, and described in
the OpenAPI schema."""

from typing import Any

import httpx
import pytest

from storage.attachments import attach
from storage.tasks import get_task
from storage.values import Attachment
from tests.factories import new_user_id
from tests.webapp import TaskApi, WebBot


@pytest.fixture
def me(web_client: httpx.AsyncClient) -> TaskApi:
    """A new user of the task API, on their own list."""
    return TaskApi(web_client, user_id=new_user_id())


async def test_a_task_is_created_with_priority_and_checklist_and_labels_from_its_title(
    me: TaskApi, web_bot: WebBot
) -> None:
    task = await me.add(
        "Trip #Travel #work",
        priority=1,
        checklist=[{"text": " passport "}, {"text": "tickets", "done": True}],
    )
    assert task["priority"] == 1 and task["labels"] == ["travel", "work"]
    assert task["checklist"] == [
        {"text": "passport", "done": False},
        {"text": "tickets", "done": True},
    ]
    assert task["attachments"] == []
    stored = await get_task(web_bot.database, chat_id=me.user_id, number=1)
    assert stored.priority == 1 and stored.checked == 1


async def test_update_sets_priority_and_replaces_the_checklist(me: TaskApi) -> None:
    await me.add("Plain", priority=2, checklist=[{"text": "a"}])
    changed = (await me.call("PUT", "/1", json={"priority": None, "title": "Plain #home"})).json()
    assert changed["priority"] is None and changed["labels"] == ["home"]
    assert changed["checklist"] == [{"text": "a", "done": False}]
    replaced = await me.call("PUT", "/1", json={"checklist": [{"text": "b", "done": True}]})
    assert replaced.json()["checklist"] == [{"text": "b", "done": True}]
    assert replaced.json()["priority"] is None
    cleared = await me.call("PUT", "/1", json={"checklist": []})
    assert cleared.json()["checklist"] == []


async def test_checklist_items_are_added_and_ticked(me: TaskApi) -> None:
    await me.add("Shop")
    added = await me.call("POST", "/1/checklist", json={"items": ["eggs", "milk"]})
    assert added.status_code == 200, added.text
    ticked = await me.call("PATCH", "/1/checklist/2", json={"done": True})
    assert ticked.json()["checklist"] == [
        {"text": "eggs", "done": False},
        {"text": "milk", "done": True},
    ]
    assert ticked.json()["completed"] is False
    missing = await me.call("PATCH", "/1/checklist/3", json={"done": True})
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    full = await me.call("POST", "/1/checklist", json={"items": ["x"] * 49})
    assert full.status_code == 409 and full.json()["error"] == "checklist_full"
    empty = await me.call("POST", "/1/checklist", json={"items": ["ok", " "]})
    assert empty.status_code == 422
    assert empty.json()["problems"][0]["location"] == "body.items.1"


async def test_attachments_are_read_with_their_file_ids(me: TaskApi, web_bot: WebBot) -> None:
    await me.add("Papers")
    scan = Attachment("document", "BQACAgIAAxkBAAIBscan", "scan.pdf")
    await attach(web_bot.database, chat_id=me.user_id, number=1, attachment=scan)
    task = (await me.call("GET", "/1")).json()
    assert task["attachments"] == [
        {"kind": "document", "file_id": "BQACAgIAAxkBAAIBscan", "name": "scan.pdf"}
    ]


async def test_the_list_is_in_priority_order_and_filtered_as_asked(me: TaskApi) -> None:
    await me.add("plain")
    await me.add("bank #finance", priority=1)
    await me.add("rent #Finance #home", priority=2)
    await me.add("garden #home", priority=1)
    page = await me.listed()
    assert [t["number"] for t in page["tasks"]] == [2, 4, 3, 1]
    by_label = await me.listed(label=["#finance"])
    assert [t["number"] for t in by_label["tasks"]] == [2, 3]
    both = await me.listed(label=["finance", "HOME"])
    assert [t["number"] for t in both["tasks"]] == [3]
    urgent = await me.listed(priority=[1])
    assert [t["number"] for t in urgent["tasks"]] == [2, 4]
    first = await me.listed(limit=2)
    second = await me.listed(limit=2, start=first["next_start"])
    assert [t["number"] for t in second["tasks"]] == [3, 1]
    assert second["previous_start"] == 2
    assert (await me.listed(due="overdue"))["tasks"] == []


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"title": "x", "priority": 4}, "body.priority"),
        ({"title": "x", "priority": "1"}, "body.priority"),
        ({"title": "x", "checklist": [{"text": ""}]}, "body.checklist.0.text"),
        ({"title": "x", "checklist": [{"text": "a", "extra": 1}]}, "body.checklist.0.extra"),
        ({"title": "x", "checklist": [{"text": "a"}] * 51}, "body.checklist"),
        ({"title": "x", "labels": ["a"]}, "body.labels"),
    ],
    ids=str,
)
async def test_a_bad_new_task_field_is_422(
    me: TaskApi, body: dict[str, Any], location: str
) -> None:
    response = await me.call("POST", json=body)
    assert response.status_code == 422, response.text
    assert any(p["location"] == location for p in response.json()["problems"]), response.text


async def test_a_null_checklist_or_a_bad_filter_is_422(me: TaskApi) -> None:
    await me.add("x")
    assert (await me.call("PUT", "/1", json={"checklist": None})).status_code == 422
    for query in ({"label": "a-b"}, {"priority": 5}, {"due": "tomorrow"}, {"start": 0}):
        response = await me.call("GET", params=query)
        assert response.status_code == 422, (query, response.text)


async def test_the_openapi_schema_describes_every_new_field(
    web_client: httpx.AsyncClient,
) -> None:
    schema = (await web_client.get("/openapi.json")).json()
    components = schema["components"]["schemas"]
    read = components["TaskRead"]["properties"]
    assert {"priority", "labels", "checklist", "attachments"} <= set(read)
    assert {"priority", "checklist"} <= set(components["TaskCreate"]["properties"])
    assert {"priority", "checklist"} <= set(components["TaskUpdate"]["properties"])
    assert set(components["ChecklistItemModel"]["properties"]) == {"text", "done"}
    assert set(components["AttachmentRead"]["properties"]) == {"kind", "file_id", "name"}
    listing = schema["paths"]["/api/{chat_id}/tasks"]["get"]["parameters"]
    assert {"label", "priority", "due", "start"} <= {p["name"] for p in listing}
    paths = schema["paths"]
    assert "post" in paths["/api/{chat_id}/tasks/{number}/checklist"]
    assert "patch" in paths["/api/{chat_id}/tasks/{number}/checklist/{item}"]
