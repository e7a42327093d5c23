"""Who may use which list over the task API: Telegram's signed init data, one's own list, and the
groups one is a member of. Anything else is 401 or 403, reveals nothing and changes nothing."""

import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest

from bot.web.init_data import sign_init_data
from bot.web.membership import ChatAccess, Role
from storage.chat_settings import ChatSettings, save_chat_settings
from storage.db import Database
from storage.tasks import add_task, get_task, list_tasks
from testkit.fake_telegram import TEST_BOT_TOKEN
from tests.factories import new_chat_id, new_user_id
from tests.webapp import TaskApi, WebBot, init_data_of

OTHER_TOKEN = "987654321:AAHanotherBotsTokenNotOursAtAll_012345"


def _tampered(user_id: int, as_user: int) -> str:
    """Valid init data of `user_id` with the user swapped for `as_user` after signing."""
    fields = dict(parse_qsl(init_data_of(user_id)))
    fields["user"] = json.dumps({"id": as_user, "first_name": "Mallory"}, separators=(",", ":"))
    return urlencode(fields)


def _with_field_twice(user_id: int) -> str:
    return init_data_of(user_id) + "&auth_date=1"


def _without(field: str, user_id: int) -> str:
    fields = dict(parse_qsl(init_data_of(user_id)))
    del fields[field]
    return urlencode(fields)


def _resigned(user_id: int, **changes: str) -> str:
    fields = dict(parse_qsl(init_data_of(user_id)))
    fields.update(changes)
    return sign_init_data(fields, bot_token=TEST_BOT_TOKEN)


# (what the header says, given the user's id) -> expected message fragment
BAD_SIGN_INS: dict[str, tuple[Any, str]] = {
    "missing": (lambda user: None, "sign in with Telegram"),
    "empty": (lambda user: "", "sign in with Telegram"),
    "another scheme": (lambda user: f"Bearer {init_data_of(user)}", "sign in with Telegram"),
    "no init data": (lambda user: "tma", "sign in with Telegram"),
    "not a query string": (lambda user: "tma %%%", "not a query string"),
    "another bot's": (lambda user: f"tma {init_data_of(user, token=OTHER_TOKEN)}", "not signed"),
    "tampered user": (lambda user: f"tma {_tampered(new_user_id(), user)}", "not signed"),
    "no hash": (lambda user: f"tma {_without('hash', user)}", "not signed"),
    "a field twice": (lambda user: f"tma {_with_field_twice(user)}", "field twice"),
    "expired": (lambda user: f"tma {init_data_of(user, age_seconds=25 * 3600)}", "older than"),
    "from the future": (
        lambda user: f"tma {_resigned(user, auth_date=str(int(time.time()) + 3600))}",
        "future",
    ),
    "no user": (lambda user: f"tma {_resigned(user, user='{}')}", "names no user"),
    "no auth_date": (lambda user: f"tma {_resigned(user, auth_date='soon')}", "auth_date"),
}


@pytest.mark.parametrize("case", list(BAD_SIGN_INS))
async def test_a_request_without_valid_init_data_gets_401_and_changes_nothing(
    web_client: httpx.AsyncClient, web_bot: WebBot, case: str
) -> None:
    user = new_user_id()
    make_header, expected = BAD_SIGN_INS[case]
    header = make_header(user)
    headers = {} if header is None else {"Authorization": header}
    for method, path, body in [
        ("POST", "", {"title": "Forged"}),
        ("GET", "", None),
        ("GET", "/1", None),
        ("PUT", "/1", {"title": "x"}),
        ("DELETE", "/1", None),
        ("PATCH", "/1/complete", None),
        ("POST", "/1/restore", None),
    ]:
        response = await web_client.request(
            method, f"/api/{user}/tasks{path}", json=body, headers=headers
        )
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["WWW-Authenticate"] == "tma"
        answer = response.json()
        assert answer["error"] == "unauthorized" and expected in answer["message"]
    assert (await list_tasks(web_bot.database, chat_id=user)).total == 0


async def test_init_data_is_checked_before_the_body_is_read(
    web_client: httpx.AsyncClient,
) -> None:
    response = await web_client.post(
        f"/api/{new_user_id()}/tasks",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 401


async def test_init_data_as_telegram_sends_it_with_signature_and_chat_fields_is_accepted(
    web_client: httpx.AsyncClient,
) -> None:
    user = new_user_id()
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(
            {"id": user, "first_name": "Ann", "language_code": "en", "allows_write_to_pm": True},
            separators=(",", ":"),
        ),
        "chat_instance": "-8470391839128419238",
        "chat_type": "sender",
        "auth_date": str(int(time.time())),
        # Telegram's Ed25519 signature for third parties: part of the data-check-string.
        "signature": "ZjhhNTliYjc0NTU2YjEyNjM3ZWFmMmM0ZmE0ZTNhMTIwN2QzM2U2OTE2NjY",
    }
    init_data = sign_init_data(fields, bot_token=TEST_BOT_TOKEN)
    response = await web_client.get(
        f"/api/{user}/tasks", headers={"Authorization": f"tma {init_data}"}
    )
    assert response.status_code == 200, response.text


async def _stored_group(database: Database) -> int:
    """A new group whose list the bot has stored (a setting): the API serves only such lists."""
    group = new_chat_id(group=True)
    await save_chat_settings(database, chat_id=group, settings=ChatSettings(), next_digest_at=None)
    return group


async def _every_operation(api: TaskApi) -> list[httpx.Response]:
    return [
        await api.call("POST", json={"title": "Intruder"}),
        await api.call("GET"),
        await api.call("GET", "/1"),
        await api.call("GET", "/99"),
        await api.call("PUT", "/1", json={"title": "Hacked", "completed": True}),
        await api.call("DELETE", "/1"),
        await api.call("PATCH", "/1/complete"),
        await api.call("POST", "/1/restore"),
        await api.call("POST", "/clear"),
        await api.call("POST", "/clear/undo", json={"stamp": 1}),
    ]


async def test_a_user_cannot_reach_another_users_list(
    web_client: httpx.AsyncClient, web_bot: WebBot
) -> None:
    owner, intruder, nobody = new_user_id(), new_user_id(), new_user_id()
    await add_task(web_bot.database, chat_id=owner, title="Private", created_by=owner)
    on_owner = await _every_operation(TaskApi(web_client, user_id=intruder, chat_id=owner))
    on_empty = await _every_operation(TaskApi(web_client, user_id=intruder, chat_id=nobody))
    answers = [(r.status_code, r.json()) for r in on_owner + on_empty]
    # One answer whatever the list holds: nothing tells a list with tasks from an empty one.
    assert {json.dumps(answer) for answer in answers} == {json.dumps(answers[0])}
    assert answers[0][0] == 403 and answers[0][1]["error"] == "forbidden"
    task = await get_task(web_bot.database, chat_id=owner, number=1)
    assert (task.title, task.done) == ("Private", False)
    assert (await list_tasks(web_bot.database, chat_id=owner)).total == 1
    assert (await list_tasks(web_bot.database, chat_id=nobody)).total == 0
    # Another user's private list needs no question to Telegram: it is never the caller's.
    asked = {call.params.get("chat_id") for call in web_bot.telegram.calls_of("getChatMember")}
    assert not asked & {owner, nobody}


async def test_a_group_member_uses_the_groups_list(
    web_client: httpx.AsyncClient, web_bot: WebBot
) -> None:
    group, member = await _stored_group(web_bot.database), new_user_id()
    web_bot.telegram.set_chat_member(group, member, "member")
    api = TaskApi(web_client, user_id=member, chat_id=group)
    added = await api.add("For the group")
    assert added["number"] == 1
    assert [t["title"] for t in (await api.listed())["tasks"]] == ["For the group"]
    stored = await get_task(web_bot.database, chat_id=group, number=1)
    assert stored.created_by == member


@pytest.mark.parametrize("status", ["left", "kicked"])
async def test_a_user_who_left_or_was_banned_from_a_group_gets_403_and_changes_nothing(
    web_client: httpx.AsyncClient, web_bot: WebBot, status: str
) -> None:
    group, user = new_chat_id(group=True), new_user_id()
    await add_task(web_bot.database, chat_id=group, title="Group task", created_by=user)
    web_bot.telegram.set_chat_member(group, user, status)
    answers = await _every_operation(TaskApi(web_client, user_id=user, chat_id=group))
    assert {r.status_code for r in answers} == {403}
    task = await get_task(web_bot.database, chat_id=group, number=1)
    assert (task.title, task.done) == ("Group task", False)
    assert (await list_tasks(web_bot.database, chat_id=group)).total == 1


async def test_a_group_the_bot_cannot_see_is_403(
    web_client: httpx.AsyncClient, web_bot: WebBot
) -> None:
    group = await _stored_group(web_bot.database)
    web_bot.telegram.fail_next(
        "getChatMember", status=400, description="Bad Request: chat not found", chat_id=group
    )
    try:
        response = await TaskApi(web_client, user_id=new_user_id(), chat_id=group).call("GET")
    finally:
        web_bot.telegram.clear_faults()
    assert response.status_code == 403


async def test_telegram_failing_to_answer_about_membership_is_503(
    web_client: httpx.AsyncClient, web_bot: WebBot
) -> None:
    group = await _stored_group(web_bot.database)
    web_bot.telegram.fail_next("getChatMember", status=502, description="Bad Gateway", count=10)
    try:
        response = await TaskApi(web_client, user_id=new_user_id(), chat_id=group).call("GET")
    finally:
        web_bot.telegram.clear_faults()
    assert response.status_code == 503
    assert response.json()["error"] == "unavailable"


async def test_membership_is_asked_of_telegram_once_in_a_while(
    web_client: httpx.AsyncClient, web_bot: WebBot
) -> None:
    group, member = await _stored_group(web_bot.database), new_user_id()
    api = TaskApi(web_client, user_id=member, chat_id=group)
    mark = web_bot.telegram.mark()
    for _ in range(3):
        await api.listed()
    asked = [
        call
        for call in web_bot.telegram.calls[mark:]
        if call.method == "getChatMember" and call.params.get("chat_id") == group
    ]
    assert len(asked) == 1


async def test_a_member_who_leaves_loses_access_when_the_cached_answer_expires(
    web_bot: WebBot,
) -> None:
    now = [1000.0]
    access = ChatAccess(web_bot.application.bot, cache_seconds=60, clock=lambda: now[0])
    group, user = new_chat_id(group=True), new_user_id()
    web_bot.telegram.set_chat_member(group, user, "member")
    assert await access.role(user_id=user, chat_id=group) is Role.MEMBER
    web_bot.telegram.set_chat_member(group, user, "left")
    now[0] += 59
    assert await access.role(user_id=user, chat_id=group) is Role.MEMBER
    now[0] += 2
    assert await access.role(user_id=user, chat_id=group) is Role.NONE
    web_bot.telegram.set_chat_member(group, user, "administrator")
    now[0] += 61
    assert await access.role(user_id=user, chat_id=group) is Role.ADMIN


@pytest.mark.parametrize(
    ("status", "role"),
    [
        ("creator", Role.ADMIN),
        ("administrator", Role.ADMIN),
        ("member", Role.MEMBER),
        ("left", Role.NONE),
        ("kicked", Role.NONE),
    ],
)
async def test_roles_follow_telegrams_member_status(
    web_bot: WebBot, status: str, role: Role
) -> None:
    group, user = new_chat_id(group=True), new_user_id()
    web_bot.telegram.set_chat_member(group, user, status)
    access = ChatAccess(web_bot.application.bot)
    assert await access.role(user_id=user, chat_id=group) is role
    assert await access.role(user_id=user, chat_id=user) is Role.OWNER
    assert await access.role(user_id=user, chat_id=new_user_id()) is Role.NONE


async def test_in_a_group_only_the_author_and_admins_may_delete(
    web_client: httpx.AsyncClient, web_bot: WebBot
) -> None:
    group = await _stored_group(web_bot.database)
    author, other, admin = new_user_id(), new_user_id(), new_user_id()
    web_bot.telegram.set_chat_member(group, admin, "administrator")
    as_author = TaskApi(web_client, user_id=author, chat_id=group)
    as_other = TaskApi(web_client, user_id=other, chat_id=group)
    as_admin = TaskApi(web_client, user_id=admin, chat_id=group)
    for title in ("one", "two"):
        await as_author.add(title)

    refused = await as_other.call("DELETE", "/1")
    assert refused.status_code == 403
    assert "author" in refused.json()["message"]
    assert (await get_task(web_bot.database, chat_id=group, number=1)).title == "one"
    assert (await as_other.call("PUT", "/1", json={"completed": True})).status_code == 200

    assert (await as_author.call("DELETE", "/1")).status_code == 200
    assert (await as_admin.call("DELETE", "/2")).status_code == 200
    assert (await list_tasks(web_bot.database, chat_id=group)).total == 0
    # Undo takes the right to delete, as with the chat's Undo button.
    refused = await as_other.call("POST", "/2/restore")
    assert refused.status_code == 403 and "author" in refused.json()["message"]
    assert (await as_author.call("POST", "/2/restore")).status_code == 200


async def test_the_membership_cache_keeps_only_the_newest_answers(
    web_bot: WebBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("handlers.permissions.MAX_CACHED", 2)
    access = ChatAccess(web_bot.application.bot)
    user = new_user_id()
    first, second, third = (new_chat_id(group=True) for _ in range(3))

    async def asked_telegram(group: int) -> bool:
        mark = web_bot.telegram.mark()
        assert await access.role(user_id=user, chat_id=group) is Role.MEMBER
        return any(call.method == "getChatMember" for call in web_bot.telegram.calls[mark:])

    assert [await asked_telegram(group) for group in (first, second, third)] == [True] * 3
    assert await asked_telegram(third) is False
    assert await asked_telegram(first) is True  # the oldest answer made room


async def test_only_a_groups_admins_clear_its_done_tasks_through_the_api(
    web_client: httpx.AsyncClient, web_bot: WebBot
) -> None:
    group, member, admin = await _stored_group(web_bot.database), new_user_id(), new_user_id()
    web_bot.telegram.set_chat_member(group, member, "member")
    web_bot.telegram.set_chat_member(group, admin, "administrator")
    as_member = TaskApi(web_client, user_id=member, chat_id=group)
    await as_member.add("Done already")
    await as_member.call("PATCH", "/1/complete")

    refused = await as_member.call("POST", "/clear")
    assert refused.status_code == 403
    assert refused.json()["message"] == "only the group's admins may clear its done tasks"
    assert (await list_tasks(web_bot.database, chat_id=group, done=True)).total == 1

    as_admin = TaskApi(web_client, user_id=admin, chat_id=group)
    cleared = await as_admin.call("POST", "/clear")
    assert cleared.status_code == 200 and cleared.json()["count"] == 1
    stamp = cleared.json()["stamp"]
    refused = await as_member.call("POST", "/clear/undo", json={"stamp": stamp})
    assert refused.status_code == 403
    assert (await list_tasks(web_bot.database, chat_id=group, done=True)).total == 0
    back = await as_admin.call("POST", "/clear/undo", json={"stamp": stamp})
    assert back.json() == {"count": 1, "stamp": None}
    assert (await list_tasks(web_bot.database, chat_id=group, done=True)).total == 1
