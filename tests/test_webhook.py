"""Webhook mode: several stateless instances on one database behind one webhook URL."""

import asyncio
import json
import re
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from bot.runner import running_bot
from bot.settings import Settings, SettingsError, load_settings
from storage.db import Database
from storage.tasks import get_task, list_tasks
from testkit.fake_telegram import TEST_BOT_TOKEN, FakeTelegram
from testkit.pgproxy import PgProxy
from testkit.postgres import free_port
from testkit.processes import BotProcess, bot_environment
from tests.conftest import bot_settings, url_text
from tests.factories import new_user_id

TELEGRAM_WEBHOOK_URL = "https://todo.example.test/tg-webhook"
# A self-hosted Bot API server (`telegram-bot-api --local`) posts to plain http on any port.
SELF_HOSTED_WEBHOOK_URL = "http://todo.internal:8081/tg-webhook"


class Instance:
    """One running bot in webhook mode, and a way to post updates to it."""

    def __init__(self, settings: Settings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client
        self.base = f"http://127.0.0.1:{settings.port}"

    async def deliver(self, update: dict[str, Any], *, secret: str | None = "right") -> int:
        """POST an update the way Telegram does; the response status."""
        headers = {"Content-Type": "application/json"}
        if secret == "right":
            secret = self.settings.webhook_secret_token()
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        response = await self.client.post(
            f"{self.base}/tg-webhook", content=json.dumps(update), headers=headers
        )
        return response.status_code

    async def health(self) -> tuple[int, Any]:
        response = await self.client.get(f"{self.base}/healthz")
        return response.status_code, response.json()


@pytest.fixture(params=["telegram", "self-hosted"])
def webhook_url(request: pytest.FixtureRequest, own_telegram: FakeTelegram) -> str:
    """WEBHOOK_URL for Telegram's own Bot API server (https), and for a self-hosted one (http,
    another port), which the fake Bot API then plays; both are reached via TELEGRAM_BASE_URL."""
    if request.param == "telegram":
        return TELEGRAM_WEBHOOK_URL
    own_telegram.local = True
    return SELF_HOSTED_WEBHOOK_URL


def _webhook_settings(
    telegram: FakeTelegram, database_url: URL, webhook_url: str, **more: Any
) -> Settings:
    return bot_settings(
        telegram,
        database_url,
        webhook_url=webhook_url,
        webhook_listen="127.0.0.1",
        port=free_port(),
        **more,
    )


@pytest.fixture
async def instances(
    own_telegram: FakeTelegram, database_url: URL, webhook_url: str
) -> AsyncIterator[list[Instance]]:
    """Two bot instances in webhook mode sharing the test database."""
    async with AsyncExitStack() as stack, httpx.AsyncClient(timeout=30) as client:
        started = []
        for _ in range(2):
            settings = _webhook_settings(own_telegram, database_url, webhook_url)
            await stack.enter_async_context(running_bot(settings))
            started.append(Instance(settings, client))
        yield started


def _private_message(telegram: FakeTelegram, user: int, text: str, **more: Any) -> dict[str, Any]:
    return telegram.send_message(user, text, user_id=user, **more)


def _replies(telegram: FakeTelegram, chat: int, mark: int) -> list[str]:
    return [
        str(c.params["text"])
        for c in telegram.calls[mark:]
        if c.method == "sendMessage" and c.ok and c.params["chat_id"] == chat
    ]


async def test_webhook_is_registered_with_its_url_and_a_secret_derived_from_the_token(
    instances: list[Instance], own_telegram: FakeTelegram, webhook_url: str
) -> None:
    assert own_telegram.webhook_url == webhook_url
    secret = instances[0].settings.webhook_secret_token()
    assert own_telegram.webhook_secret == secret
    assert secret == instances[1].settings.webhook_secret_token()
    assert TEST_BOT_TOKEN.split(":")[1] not in secret and len(secret) == 64


async def test_a_conversation_begun_on_one_instance_finishes_on_the_other(
    instances: list[Instance], own_telegram: FakeTelegram, direct_db: Database
) -> None:
    first, second = instances
    user = new_user_id()
    assert await first.deliver(_private_message(own_telegram, user, "/add Old title")) == 200
    mark = own_telegram.mark()
    assert await first.deliver(_private_message(own_telegram, user, "/edit 1")) == 200
    prompt = next(
        c for c in own_telegram.calls[mark:] if c.method == "sendMessage" and c.ok
    ).response
    reply = _private_message(
        own_telegram, user, "New title", reply_to_message_id=prompt["message_id"]
    )
    mark = own_telegram.mark()
    assert await second.deliver(reply) == 200
    assert _replies(own_telegram, user, mark) == ["✏️ Renamed <b>#1</b> to New title"]
    assert (await get_task(direct_db, chat_id=user, number=1)).title == "New title"


async def test_a_list_shown_by_one_instance_is_paged_and_ticked_by_the_other(
    instances: list[Instance], own_telegram: FakeTelegram, direct_db: Database
) -> None:
    first, second = instances
    user = new_user_id()
    titles = "\n".join(f"t{i}" for i in range(1, 13))
    await first.deliver(_private_message(own_telegram, user, f"/add {titles}"))
    mark = own_telegram.mark()
    await first.deliver(_private_message(own_telegram, user, "/list"))
    listed = next(c for c in own_telegram.calls[mark:] if c.method == "sendMessage").response
    buttons = [b for row in listed["reply_markup"]["inline_keyboard"] for b in row]
    more = next(b for b in buttons if b["text"].startswith("More"))
    press = own_telegram.press_button(
        user, listed["message_id"], more["callback_data"], user_id=user
    )
    assert await second.deliver(press) == 200
    page_two = own_telegram.messages[(user, listed["message_id"])]
    assert "#11 t11" in page_two["text"]
    tick = page_two["reply_markup"]["inline_keyboard"][0][0]
    press = own_telegram.press_button(
        user, listed["message_id"], tick["callback_data"], user_id=user
    )
    assert await first.deliver(press) == 200
    assert (await get_task(direct_db, chat_id=user, number=11)).done


async def test_the_same_update_delivered_to_both_instances_is_processed_once(
    instances: list[Instance], own_telegram: FakeTelegram, direct_db: Database
) -> None:
    first, second = instances
    user = new_user_id()
    update = _private_message(own_telegram, user, "/add Only once")
    mark = own_telegram.mark()
    statuses = await asyncio.gather(first.deliver(update), second.deliver(update))
    assert statuses == [200, 200]
    assert await first.deliver(update) == 200  # and once more, late
    page = await list_tasks(direct_db, chat_id=user)
    assert [t.title for t in page.tasks] == ["Only once"]
    assert _replies(own_telegram, user, mark) == ["➕ Added <b>#1</b> Only once"]


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", "right-but-not-quite"])
async def test_a_request_without_the_right_secret_gets_403_and_changes_nothing(
    instances: list[Instance], own_telegram: FakeTelegram, direct_db: Database, secret: str | None
) -> None:
    user = new_user_id()
    mark = own_telegram.mark()
    update = _private_message(own_telegram, user, "/add Forged")
    assert await instances[0].deliver(update, secret=secret) == 403
    assert (await list_tasks(direct_db, chat_id=user)).total == 0
    assert _replies(own_telegram, user, mark) == []


@pytest.mark.parametrize("body", [b"not json", b"[]", b"null", b'{"message": {}}'])
async def test_a_body_that_is_no_update_gets_400(instances: list[Instance], body: bytes) -> None:
    response = await instances[0].client.post(
        f"{instances[0].base}/tg-webhook",
        content=body,
        headers={"X-Telegram-Bot-Api-Secret-Token": instances[0].settings.webhook_secret_token()},
    )
    assert response.status_code == 400


async def test_healthz_reports_a_database_that_stopped(
    own_telegram: FakeTelegram, proxied_database_url: tuple[URL, PgProxy], webhook_url: str
) -> None:
    through_proxy, proxy = proxied_database_url
    settings = _webhook_settings(own_telegram, through_proxy, webhook_url)
    async with running_bot(settings), httpx.AsyncClient(timeout=30) as client:
        instance = Instance(settings, client)
        assert await instance.health() == (200, {"database": "ok"})
        await proxy.go_down()
        assert await instance.health() == (503, {"database": "unavailable"})


async def test_polling_again_deletes_the_webhook(
    own_telegram: FakeTelegram, database_url: URL, webhook_url: str
) -> None:
    async with running_bot(_webhook_settings(own_telegram, database_url, webhook_url)):
        assert own_telegram.webhook_url == webhook_url
    async with running_bot(bot_settings(own_telegram, database_url), poll_timeout=1):
        assert not own_telegram.webhook_url
        assert own_telegram.calls_of("deleteWebhook")


async def test_webhook_process_serves_on_port_and_stops_on_sigterm(
    own_telegram: FakeTelegram, database_url: URL, tmp_path: Path, webhook_url: str
) -> None:
    port = free_port()
    process = BotProcess(
        environment=bot_environment(
            BOT_TOKEN=TEST_BOT_TOKEN,
            DATABASE_URL=url_text(database_url),
            TELEGRAM_BASE_URL=own_telegram.base_url,
            WEBHOOK_URL=webhook_url,
            WEBHOOK_SECRET="my-own_secret",
            WEBHOOK_LISTEN="127.0.0.1",
            PORT=str(port),
        ),
        cwd=tmp_path,
    )
    await process.start()
    try:
        await process.wait_for_log(r"is up, receiving updates at " + re.escape(webhook_url))
        assert own_telegram.webhook_secret == "my-own_secret"
        user = new_user_id()
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(
                f"http://127.0.0.1:{port}/tg-webhook",
                json=_private_message(own_telegram, user, "/add Via webhook"),
                headers={"X-Telegram-Bot-Api-Secret-Token": "my-own_secret"},
            )
        assert response.status_code == 200
        assert _replies(own_telegram, user, 0) == ["➕ Added <b>#1</b> Via webhook"]
        assert await process.stop(signal.SIGTERM) == 0
    finally:
        await process.kill()


async def test_a_port_in_use_is_one_clear_error(
    own_telegram: FakeTelegram, database_url: URL, tmp_path: Path, webhook_url: str
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = BotProcess(
            environment=bot_environment(
                BOT_TOKEN=TEST_BOT_TOKEN,
                DATABASE_URL=url_text(database_url),
                TELEGRAM_BASE_URL=own_telegram.base_url,
                WEBHOOK_URL=webhook_url,
                WEBHOOK_LISTEN="127.0.0.1",
                PORT=str(port),
            ),
            cwd=tmp_path,
        )
        await process.start()
        try:
            assert await process.wait() == 1
        finally:
            await process.kill()
    assert process.log.strip().splitlines()[-1] == f"error: cannot listen on 127.0.0.1:{port}"


async def test_a_slow_chat_does_not_hold_back_another_chats_webhook_call(
    instances: list[Instance], own_telegram: FakeTelegram
) -> None:
    slow, quick = new_user_id(), new_user_id()
    hold = own_telegram.hold_chat(slow)
    slow_call = asyncio.create_task(
        instances[0].deliver(_private_message(own_telegram, slow, "/add Slow"))
    )
    try:
        await asyncio.wait_for(hold.reached.wait(), timeout=10)  # the slow chat is in hand
        status = await instances[0].deliver(_private_message(own_telegram, quick, "/add Quick"))
        assert status == 200
        assert not slow_call.done()
    finally:
        hold.released.set()
    assert await slow_call == 200


async def test_polling_with_port_set_serves_only_the_health_check(
    own_telegram: FakeTelegram, database_url: URL
) -> None:
    settings = bot_settings(
        own_telegram, database_url, webhook_listen="127.0.0.1", port=free_port()
    )
    async with running_bot(settings, poll_timeout=1), httpx.AsyncClient(timeout=30) as client:
        instance = Instance(settings, client)
        assert await instance.health() == (200, {"database": "ok"})
        user = new_user_id()
        assert await instance.deliver(_private_message(own_telegram, user, "/add x")) == 404


def _settings(**values: object) -> Settings:
    return load_settings(Settings, bot_token=TEST_BOT_TOKEN, **values)


@pytest.mark.parametrize(
    "url",
    [
        "http://todo.internal:8081/tg-webhook",
        "http://10.0.0.5/hook",
        "https://todo.example.test:9443/tg-webhook",
    ],
)
def test_a_self_hosted_bot_api_server_takes_http_and_any_port(url: str) -> None:
    settings = _settings(telegram_base_url="http://127.0.0.1:8081/bot", webhook_url=url)
    assert settings.webhook_url == url


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://todo.example.test/tg-webhook", "must be an https:// URL"),
        ("todo.example.test/tg-webhook", "must be an https:// URL"),
        ("https://todo.example.test:9443/tg-webhook", "port must be 443, 80, 88 or 8443"),
    ],
)
def test_telegrams_own_server_needs_https_on_its_ports(url: str, problem: str) -> None:
    with pytest.raises(SettingsError, match=problem):
        _settings(webhook_url=url)
    with pytest.raises(SettingsError, match="must be an http:// or https:// URL"):
        _settings(telegram_base_url="http://127.0.0.1:8081/bot", webhook_url="ftp://x/hook")


async def test_an_http_webhook_url_for_telegrams_server_is_one_clear_line(
    tmp_path: Path,
) -> None:
    process = BotProcess(
        environment=bot_environment(
            BOT_TOKEN=TEST_BOT_TOKEN, WEBHOOK_URL="http://todo.example.test/tg-webhook"
        ),
        cwd=tmp_path,
    )
    await process.start()
    try:
        assert await process.wait() == 2
    finally:
        await process.kill()
    assert process.log.strip() == (
        "error: WEBHOOK_URL must be an https:// URL (Telegram posts only there; http:// needs a"
        " self-hosted Bot API server in TELEGRAM_BASE_URL)"
    )
