"""The web server under abuse: huge webhook bodies, half-sent requests, too many connections,
and the webhook secret in a DEBUG log.

Issue: the webhook read the whole body before its 1 MB check (a 300 MB chunked body raised RSS
from 100 to 717 MB); 300 half-sent requests stayed open (no header-read timeout, no
concurrency limit); with LOG_LEVEL=DEBUG the webhook secret appeared in the log.
"""

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.engine import URL

from bot.runner import running_bot
from bot.web.server import WebServer, create_web_app
from testkit.fake_telegram import TEST_BOT_TOKEN, FakeTelegram
from testkit.postgres import free_port
from testkit.processes import BotProcess, bot_environment
from tests.conftest import bot_settings, url_text
from tests.webapp import WebBot

WEBHOOK_URL = "https://todo.example.test/tg-webhook"
SECRET = "a-webhook-secret-that-must-never-be-logged"


@asynccontextmanager
async def _server(web_bot: WebBot, **options: float) -> AsyncIterator[int]:
    web = create_web_app(web_bot.application, database=web_bot.database, webhook=None)
    server = WebServer(web, host="127.0.0.1", port=free_port(), **options)  # type: ignore[arg-type]
    serving = asyncio.create_task(server.serve_until_stopped())
    try:
        await asyncio.wait_for(server.listening.wait(), timeout=10)
        yield server.config.port
    finally:
        server.should_exit = True
        await serving


async def _status(port: int) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /openapi.json HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    line = await asyncio.wait_for(reader.readline(), timeout=10)
    writer.close()
    return line


async def test_half_sent_requests_are_closed_after_the_header_timeout(web_bot: WebBot) -> None:
    async with _server(web_bot, header_timeout=0.5) as port:
        half_sent = [await asyncio.open_connection("127.0.0.1", port) for _ in range(300)]
        for _, writer in half_sent:
            writer.write(b"GET /openapi.json HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        assert (await _status(port)).startswith(b"HTTP/1.1 200")
        closed = await asyncio.wait_for(
            asyncio.gather(*(reader.read() for reader, _ in half_sent)), timeout=10
        )
        assert closed == [b""] * 300  # closed by the server, nothing answered
        for _, writer in half_sent:
            writer.close()


async def test_past_the_connection_limit_the_server_answers_503(web_bot: WebBot) -> None:
    async with _server(web_bot, max_connections=20, header_timeout=30) as port:
        held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(25)]
        for _, writer in held:
            writer.write(b"GET /openapi.json HTTP/1.1\r\nHost: t\r\nX-Slow: ")
            await writer.drain()
        assert (await _status(port)).startswith(b"HTTP/1.1 503")
        for _, writer in held:
            writer.close()


async def test_a_huge_chunked_webhook_body_is_refused_without_being_read(
    own_telegram: FakeTelegram, database_url: URL
) -> None:
    settings = bot_settings(
        own_telegram,
        database_url,
        webhook_url=WEBHOOK_URL,
        webhook_secret=SECRET,
        webhook_listen="127.0.0.1",
        port=free_port(),
    )
    async with running_bot(settings):
        reader, writer = await asyncio.open_connection("127.0.0.1", settings.port)
        writer.write(
            b"POST /tg-webhook HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nX-Telegram-Bot-Api-Secret-Token: "
            + SECRET.encode()
            + b"\r\n\r\n"
        )
        chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
        answer = asyncio.create_task(reader.readline())
        sent = 0
        while not answer.done() and sent < 300 * 1024 * 1024:
            writer.write(chunk)
            try:
                await writer.drain()
            except ConnectionError:
                break
            sent += 65536
            await asyncio.sleep(0)
        status = await asyncio.wait_for(answer, timeout=10)
        writer.close()
    assert status.startswith(b"HTTP/1.1 413"), status
    assert sent < 32 * 1024 * 1024, f"{sent / 1024 / 1024:.0f} MB went in before the answer"


async def test_the_webhook_secret_never_reaches_the_log_at_debug(
    own_telegram: FakeTelegram, database_url: URL, tmp_path: Path
) -> None:
    process = BotProcess(
        environment=bot_environment(
            BOT_TOKEN=TEST_BOT_TOKEN,
            DATABASE_URL=url_text(database_url),
            TELEGRAM_BASE_URL=own_telegram.base_url,
            LOG_LEVEL="DEBUG",
            WEBHOOK_URL=WEBHOOK_URL,
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_LISTEN="127.0.0.1",
            PORT=str(free_port()),
        ),
        cwd=tmp_path,
    )
    await process.start()
    try:
        await process.wait_for_log("is up")
        assert own_telegram.webhook_secret == SECRET
        assert await process.stop(signal.SIGTERM) == 0
    finally:
        await process.kill()
    assert "setWebhook" in process.log  # the call whose parameters carried it was logged
    assert SECRET not in process.log
