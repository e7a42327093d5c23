"""The Bot API misbehaving: 5xx answers and dropped connections are retried where that cannot
show anything twice, and no task is ever written twice because a reply was retried."""

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.telegram_retry import may_repeat
from storage.db import Database
from storage.tasks import list_tasks
from testkit.fake_telegram import FakeTelegram
from tests.botdriver import ChatDriver


def _caused_by(error: Exception, cause: Exception) -> Exception:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("method", "error", "expected"),
    [
        ("sendMessage", NetworkError("Internal Server Error (500)"), True),
        ("sendMessage", NetworkError("Bad Gateway"), True),
        ("sendMessage", _caused_by(NetworkError("x"), httpx.ConnectError("refused")), True),
        ("sendMessage", _caused_by(TimedOut(), httpx.ConnectTimeout("slow")), True),
        ("sendMessage", _caused_by(TimedOut(), httpx.PoolTimeout("busy")), True),
        ("sendMessage", _caused_by(TimedOut(), httpx.ReadTimeout("lost")), False),
        ("sendMessage", _caused_by(NetworkError("x"), httpx.RemoteProtocolError("cut")), False),
        ("editMessageText", _caused_by(TimedOut(), httpx.ReadTimeout("lost")), True),
        ("answerCallbackQuery", _caused_by(NetworkError("x"), httpx.ReadError("cut")), True),
        ("sendMessage", BadRequest("Message is too long"), False),
        ("sendMessage", Forbidden("bot was blocked by the user"), False),
        ("sendMessage", RetryAfter(3), False),
        ("sendMessage", ValueError("not telegram"), False),
    ],
)
def test_only_calls_that_cannot_show_twice_are_repeated(
    method: str, error: Exception, expected: bool
) -> None:
    assert may_repeat(method, error) is expected


async def test_server_errors_on_a_reply_are_retried_and_it_arrives_once(
    private_chat: ChatDriver, telegram: FakeTelegram, direct_db: Database
) -> None:
    telegram.fail_next("sendMessage", status=500, description="Internal Server Error", count=2)
    mark = telegram.mark()
    reply = await private_chat.send("/add Despite the outage")
    assert reply.text == "➕ Added #1 Despite the outage"
    sent = [c for c in telegram.calls[mark:] if c.method == "sendMessage"]
    assert [c.status for c in sent] == [500, 500, 200]
    assert (await list_tasks(direct_db, chat_id=private_chat.chat_id)).total == 1


async def test_a_bad_gateway_on_a_button_press_is_retried(
    private_chat: ChatDriver, telegram: FakeTelegram
) -> None:
    await private_chat.send("/add Tick me")
    listed = await private_chat.send("/list")
    telegram.fail_next("answerCallbackQuery", status=502, description="Bad Gateway")
    telegram.fail_next("editMessageText", status=502, description="Bad Gateway")
    answer, edited = await private_chat.press(listed, "⬜ #1")
    assert answer == "✅ #1 done"
    assert edited is not None and "Nothing to do" in edited.text


async def test_a_reply_that_keeps_failing_is_given_up_and_the_bot_goes_on(
    private_chat: ChatDriver, telegram: FakeTelegram, direct_db: Database
) -> None:
    telegram.fail_next("sendMessage", status=500, description="Internal Server Error", count=8)
    mark = telegram.mark()
    telegram.send_message(private_chat.chat_id, "/add Written once", user_id=private_chat.user_id)
    # Four attempts at the reply, then four at "something went wrong": all refused. The chat's
    # next command is handled after that one, and the bot is still serving.
    reply = await private_chat.send("/list")
    assert "#1 Written once" in reply.text
    sent = [c for c in telegram.calls[mark:] if c.method == "sendMessage"]
    assert [c.status for c in sent[:8]] == [500] * 8
    assert (await list_tasks(direct_db, chat_id=private_chat.chat_id)).total == 1
