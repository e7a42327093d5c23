"""The Mini App's page as the web server serves it, its URL, and PUBLIC_URL."""

import asyncio
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import h11
import httpx
import pytest
from sqlalchemy.engine import URL

from bot.runner import running_bot
from bot.scheduler import Scheduler
from bot.settings import DEFAULT_WEBHOOK_PORT, Settings, SettingsError, load_settings
from bot.web.mini_app import STATIC_DIR, TELEGRAM_SCRIPT
from handlers.context import BotApplication
from storage.db import Database
from storage.reminders import set_due
from storage.tasks import add_task
from testkit.fake_telegram import TEST_BOT_TOKEN, FakeTelegram
from testkit.postgres import free_port
from tests.botdriver import ChatDriver
from tests.conftest import bot_settings
from tests.factories import new_chat_id, new_user_id
from tests.webapp import WebBot, signed_in

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class _Loads(HTMLParser):
    """Every URL a page loads by itself (scripts, styles, images, frames)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            if values.get(name) and (tag != "a"):
                self.urls.append(str(values[name]))


async def test_the_page_loads_only_its_own_files_and_telegrams_script(
    web_client: httpx.AsyncClient,
) -> None:
    page = await web_client.get("/app")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    loads = _Loads()
    loads.feed(page.text)
    assert loads.urls == ["app/app.css", TELEGRAM_SCRIPT, "app/app.js"]
    for url, kind in [("/app/app.css", "text/css"), ("/app/app.js", "javascript")]:
        asset = await web_client.get(url)
        assert asset.status_code == 200 and kind in asset.headers["content-type"]
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self' https://telegram.org;" in policy
    assert "connect-src 'self';" in policy and "default-src 'none';" in policy
    assert page.headers["Cache-Control"] == "no-cache"


async def test_an_unchanged_file_is_not_sent_again(web_client: httpx.AsyncClient) -> None:
    first = await web_client.get("/app/app.js")
    again = await web_client.get("/app/app.js", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


async def test_the_script_calls_only_the_task_api(web_client: httpx.AsyncClient) -> None:
    script = (await web_client.get("/app/app.js")).text
    assert re.findall(r"\bfetch\(([^,]+)", script) == [
        "`app/i18n/${encodeURIComponent(wanted)}.json`",  # the page's words
        "`api/${path}`",
    ]
    assert "innerHTML" not in script  # titles are text, never markup


@pytest.mark.parametrize("path", ["/app/", "/app/nothing.js"])
async def test_nothing_else_is_served_under_app(web_client: httpx.AsyncClient, path: str) -> None:
    assert (await web_client.get(path)).status_code == 404


async def _raw_get(base_url: str, target: str) -> tuple[int, bytes]:
    """GET `target` byte for byte: no client in between to resolve `..` or decode `%2F` first
    (httpx would send `/app/../x` as `/x`). The status and the body."""
    address = urlsplit(base_url)
    connection = h11.Connection(h11.CLIENT)
    request = h11.Request(
        method="GET",
        target=target.encode(),
        headers=[("Host", address.netloc), ("Connection", "close")],
    )
    async with asyncio.timeout(10):
        reader, writer = await asyncio.open_connection(address.hostname, address.port)
        try:
            writer.write(connection.send(request) + connection.send(h11.EndOfMessage()))
            status, body = 0, b""
            while True:
                event = connection.next_event()
                if event is h11.NEED_DATA:
                    connection.receive_data(await reader.read(65536))
                elif isinstance(event, h11.Response):
                    status = event.status_code
                elif isinstance(event, h11.Data):
                    body += event.data
                elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                    return status, body
        finally:
            writer.close()
            await writer.wait_closed()


@pytest.mark.parametrize(
    ("target", "file"),
    [
        ("/app/../../settings.py", "bot/settings.py"),
        ("/app/../server.py", "bot/web/server.py"),
        ("/app/..%2F..%2Fsettings.py", "bot/settings.py"),
        ("/app/%2e%2e/%2e%2e/settings.py", "bot/settings.py"),
    ],
)
async def test_a_path_out_of_the_apps_folder_is_refused(
    web_bot: WebBot, target: str, file: str
) -> None:
    # The same raw request reaches the page's own files: a 404 below is the server's refusal.
    assert (await _raw_get(web_bot.base_url, "/app/app.js"))[0] == 200
    status, body = await _raw_get(web_bot.base_url, target)
    assert status == 404
    assert (PROJECT_ROOT / file).read_bytes()[:200] not in body


def _settings(**values: object) -> Settings:
    return load_settings(Settings, bot_token=TEST_BOT_TOKEN, **values)


@pytest.mark.parametrize(
    ("values", "url"),
    [
        ({}, None),
        ({"webhook_url": "https://todo.example.com/tg-webhook"}, "https://todo.example.com/app"),
        (
            {"webhook_url": "https://todo.example.com:8443/x/y"},
            "https://todo.example.com:8443/app",
        ),
        ({"public_url": "https://tasks.example.org"}, "https://tasks.example.org/app"),
        ({"public_url": "https://example.org/todo/"}, "https://example.org/todo/app"),
        (
            {
                "public_url": "https://tasks.example.org",
                "webhook_url": "https://hook.example.com/",
            },
            "https://tasks.example.org/app",
        ),
        ({"public_url": "  "}, None),
        (  # a self-hosted Bot API server's http webhook is no address Telegram opens
            {
                "telegram_base_url": "http://127.0.0.1:8081/bot",
                "webhook_url": "http://todo.internal:8081/tg-webhook",
            },
            None,
        ),
    ],
)
def test_the_mini_app_url_comes_from_public_url_or_the_webhooks_origin(
    values: dict[str, object], url: str | None
) -> None:
    assert _settings(**values).mini_app_url == url


@pytest.mark.parametrize(
    "public_url",
    ["http://tasks.example.org", "tasks.example.org", "https://", "https://x.org/?a=1"],
)
def test_a_public_url_that_telegram_cannot_open_is_a_settings_error(public_url: str) -> None:
    with pytest.raises(SettingsError, match="PUBLIC_URL must be an https:// URL"):
        _settings(public_url=public_url)


def test_public_url_starts_the_web_server_in_polling_mode() -> None:
    assert _settings().web_port is None
    assert _settings(public_url="https://tasks.example.org").web_port == DEFAULT_WEBHOOK_PORT
    assert _settings(public_url="https://tasks.example.org", port=9000).web_port == 9000


@pytest.mark.parametrize("mode", ["webhook", "polling with PORT"])
async def test_the_bots_web_server_serves_the_api_and_the_mini_app_in_either_mode(
    own_telegram: FakeTelegram, database_url: URL, mode: str
) -> None:
    webhook = {"webhook_url": "https://todo.example.test/tg-webhook"} if mode == "webhook" else {}
    settings = bot_settings(
        own_telegram, database_url, webhook_listen="127.0.0.1", port=free_port(), **webhook
    )
    user = new_user_id()
    async with (
        running_bot(settings, poll_timeout=1),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.port}", timeout=30) as client,
    ):
        added = await client.post(
            f"/api/{user}/tasks", json={"title": f"Via {mode}"}, headers=signed_in(user)
        )
        assert added.status_code == 201
        assert (await client.get("/app")).status_code == 200
        assert (await client.get("/openapi.json")).status_code == 200
        assert (await client.get("/healthz")).status_code == 200


async def test_list_offers_the_mini_app_in_private_and_its_link_in_a_group(
    own_telegram: FakeTelegram, database_url: URL
) -> None:
    settings = bot_settings(
        own_telegram,
        database_url,
        public_url="https://todo.example.test",
        mini_app_name="tasks",
        webhook_listen="127.0.0.1",
        port=free_port(),
    )
    async with running_bot(settings, poll_timeout=1):
        user = new_user_id()
        private = ChatDriver(own_telegram, chat_id=user, user_id=user)
        listed = await private.send("/list")
        button = listed.button("📱 Open app")
        # In the chat's language (the fake's users have Telegram in English).
        assert button["web_app"] == {"url": "https://todo.example.test/app?lang=en"}
        group_id = new_chat_id(group=True)
        group = ChatDriver(own_telegram, chat_id=group_id, user_id=user, chat_type="supergroup")
        group_list = await group.send("/list")
        # In a group, where web_app buttons are refused: the t.me link that opens its list.
        bot = own_telegram.bot_user["username"]
        assert group_list.button("📱 Open app") == {
            "text": "📱 Open app",
            "url": f"https://t.me/{bot}/tasks?startapp={group_id}",
        }
        # Every private chat's menu button opens it too.
        assert own_telegram.menu_buttons[None] == {
            "type": "web_app",
            "text": "Tasks",
            "web_app": {"url": "https://todo.example.test/app"},
        }
    assert all(c.ok for c in own_telegram.calls if c.method == "sendMessage")


def test_the_pages_own_files_stay_small() -> None:
    """The page's own HTML, JS and CSS together stay under 100 KB uncompressed (no framework:
    what the Mini App shows is drawn by app.js alone)."""
    sizes = {path.name: path.stat().st_size for path in STATIC_DIR.iterdir()}
    assert set(sizes) == {"app.html", "app.js", "app.css"}
    assert sum(sizes.values()) < 100_000, sizes


async def test_a_reminder_in_a_private_chat_offers_the_mini_app(
    direct_db: Database, running_app: BotApplication, telegram: FakeTelegram
) -> None:
    user, now = new_user_id(), datetime.now(UTC)
    task = await add_task(direct_db, chat_id=user, title="Water plants", created_by=user)
    await set_due(direct_db, chat_id=user, number=task.number, due_at=now - timedelta(minutes=1))
    scheduler = Scheduler(
        direct_db, running_app.bot, clock=lambda: now, app_url="https://todo.example.test/app"
    )
    mark = telegram.mark()
    await scheduler.tick()
    (sent,) = [
        call
        for call in telegram.calls[mark:]
        if call.method == "sendMessage" and call.params["chat_id"] == user
    ]
    rows = sent.params["reply_markup"]["inline_keyboard"]
    assert rows[-1] == [
        {"text": "📱 Open app", "web_app": {"url": "https://todo.example.test/app?lang=en"}}
    ]
