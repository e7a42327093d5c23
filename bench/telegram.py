"""The tests' fake Bot API, telling each simulated user the moment its answer is recorded."""

import asyncio
import time
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from testkit.fake_telegram import TEST_BOT_TOKEN, ApiCall, FakeTelegram


@dataclass(frozen=True)
class Answer:
    """A call of the bot that answers a user, and when the fake recorded it (perf_counter)."""

    call: ApiCall
    at: float


def reply_key(chat_id: int) -> Hashable:
    """What the next sendMessage to `chat_id` is filed under."""
    return ("sendMessage", chat_id)


def callback_answer_key(query_id: str) -> Hashable:
    """What the answerCallbackQuery of a button press is filed under."""
    return ("answerCallbackQuery", query_id)


def edit_key(chat_id: int, message_id: int) -> Hashable:
    """What the next editMessageText of one message is filed under."""
    return ("editMessageText", chat_id, message_id)


def _key_of(call: ApiCall) -> Hashable | None:
    params: dict[str, Any] = call.params
    if call.method == "sendMessage":
        return reply_key(params.get("chat_id"))  # type: ignore[arg-type]
    if call.method == "answerCallbackQuery":
        return callback_answer_key(str(params.get("callback_query_id")))
    if call.method == "editMessageText":
        return edit_key(params.get("chat_id"), params.get("message_id"))  # type: ignore[arg-type]
    return None


class AnsweringTelegram(FakeTelegram):
    """FakeTelegram that resolves the future a user waits on when the bot's answer is recorded.

    `FakeTelegram.wait_for` wakes every waiter on every recorded call; with hundreds of users
    that costs more CPU than the bot under test. Here each call goes to the one future filed
    under its key, and the time is taken as the call is recorded.
    """

    def __init__(self, *, latency: float) -> None:
        super().__init__(TEST_BOT_TOKEN)
        self.latency = latency
        self._waiting: dict[Hashable, asyncio.Future[Answer]] = {}

    def expect(self, key: Hashable) -> "asyncio.Future[Answer]":
        """A future for the next call filed under `key` (see the *_key functions)."""
        if key in self._waiting:
            raise RuntimeError(f"already waiting for {key!r}")
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiting[key] = future
        return future

    def forget(self, key: Hashable) -> None:
        """Stop waiting for `key` (after a timeout)."""
        future = self._waiting.pop(key, None)
        if future is not None:
            future.cancel()

    def rejected_calls(self) -> list[ApiCall]:
        """Every call the fake refused, as Telegram would have."""
        return [call for call in self.calls if not call.ok]

    def _record(self, call: ApiCall) -> None:
        at = time.perf_counter()
        super()._record(call)
        key = _key_of(call)
        if key is None:
            return
        future = self._waiting.pop(key, None)
        if future is not None and not future.done():
            future.set_result(Answer(call, at))
