"""The bot token never appears in logs, replies, or anything else the bot sends."""

import io
import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from bot.logs import configure_logging
from testkit.fake_telegram import TEST_BOT_TOKEN, FakeTelegram
from testkit.processes import BotProcess, bot_environment
from tests.botdriver import ChatDriver
from tests.conftest import url_text
from tests.factories import new_user_id

SECRET_PART = TEST_BOT_TOKEN.split(":")[1]


@pytest.fixture
def captured_log() -> Iterator[io.StringIO]:
    """The project's logging set-up, writing to a string instead of stderr."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("DEBUG", secrets=[TEST_BOT_TOKEN, "db-password"])
    stream = io.StringIO()
    root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
    yield stream
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


def test_secrets_are_redacted_from_messages_arguments_and_tracebacks(
    captured_log: io.StringIO,
) -> None:
    log = logging.getLogger("anything")
    log.info("calling https://api.telegram.org/bot%s/getMe", TEST_BOT_TOKEN)
    log.warning(f"url postgresql://u:db-password@h/d and {TEST_BOT_TOKEN}")
    try:
        raise RuntimeError(f"request to /bot{TEST_BOT_TOKEN}/sendMessage failed")
    except RuntimeError:
        log.exception("it failed")
    output = captured_log.getvalue()
    assert SECRET_PART not in output and "db-password" not in output
    assert output.count("<redacted>") >= 4
    assert "RuntimeError" in output  # the traceback itself is kept


def test_http_client_request_lines_are_not_logged_even_at_debug(
    captured_log: io.StringIO,
) -> None:
    logging.getLogger("httpx").info("HTTP Request: POST https://x/bot%s/getUpdates", "T")
    logging.getLogger("httpcore.http11").debug("send_request_headers.started")
    assert captured_log.getvalue() == ""


async def test_token_in_a_bot_api_error_reaches_neither_log_nor_chat(
    own_telegram: FakeTelegram, database_url: URL, tmp_path: Path
) -> None:
    process = BotProcess(
        environment=bot_environment(
            BOT_TOKEN=TEST_BOT_TOKEN,
            DATABASE_URL=url_text(database_url),
            TELEGRAM_BASE_URL=own_telegram.base_url,
            LOG_LEVEL="DEBUG",
        ),
        cwd=tmp_path,
    )
    await process.start()
    try:
        await process.wait_for_log("is up")
        own_telegram.fail_next(
            "sendMessage", status=400, description=f"Bad Request: odd {TEST_BOT_TOKEN} echo"
        )
        user = new_user_id()
        reply = await ChatDriver(own_telegram, chat_id=user, user_id=user).send("/help")
        assert reply.text == "😵 Something went wrong on my side. Please try again."
        await process.wait_for_log("failed")
        assert await process.stop(signal.SIGTERM) == 0
    finally:
        await process.kill()
    assert SECRET_PART not in process.log
    assert "<redacted>" in process.log
    sent = [str(c.params) for c in own_telegram.calls if c.method != "getUpdates"]
    assert not any(SECRET_PART in params for params in sent)
