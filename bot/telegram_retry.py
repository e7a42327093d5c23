"""Every Bot API call: in its turn under Telegram's flood limits, and retried when it failed on
the way (a 429, a 5xx answer, a dropped connection).

A call is repeated only when repeating cannot make the user see something twice: when Telegram
answered with an error (it did nothing), when the request never left (connection refused,
connect or pool timeout), or when the method is idempotent (editing a message, answering a
button press). A `sendMessage` whose answer was lost in transit is not repeated: Telegram may
have delivered it, and a reply shown twice is worse than the error message that follows.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.flood_limits import FloodLimits

log = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset(
    {
        "answerCallbackQuery",
        "deleteMessage",
        "deleteMyCommands",
        "deleteWebhook",
        "editMessageReplyMarkup",
        "editMessageText",
        "getChat",
        "getChatAdministrators",
        "getChatMember",
        "getMe",
        "getMyCommands",
        "sendChatAction",
        "setMyCommands",
        "setWebhook",
    }
)
# Added to a 429's retry_after, as python-telegram-bot does: its seconds are rounded.
RETRY_AFTER_SLACK_SECONDS = 0.1
# httpx errors raised before any byte of the request reached Telegram.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def may_repeat(method: str, error: BaseException) -> bool:
    """Whether a Bot API call that failed with `error` may be sent again."""
    if not isinstance(error, NetworkError) or isinstance(error, BadRequest):
        return False  # refusals (400, 403, 409, ...) and flood limits are not network trouble
    cause = error.__cause__
    if not isinstance(cause, httpx.HTTPError):
        return True  # Telegram (or a proxy before it) answered 5xx: the call was not carried out
    if isinstance(cause, _NOT_SENT):
        return True
    return method in IDEMPOTENT_METHODS


class RetryingRateLimiter(BaseRateLimiter[int]):
    """Every Bot API call goes through here: it waits its turn under Telegram's flood limits
    (bot/flood_limits.py), a 429 is waited out (its chat held for `retry_after`) and retried up
    to `max_retries` times, and network trouble is retried with backoff where `may_repeat`
    allows."""

    def __init__(
        self,
        *,
        overall_max_rate: float = 30,
        max_retries: int = 3,
        network_attempts: int = 4,
        first_backoff: float = 0.25,
        limits: FloodLimits | None = None,
    ) -> None:
        self._limits = limits or FloodLimits(overall_per_second=overall_max_rate)
        self._max_retries = max_retries
        self._network_attempts = network_attempts
        self._first_backoff = first_backoff

    def backlog(self) -> float:
        """How long a message sent now would wait for its turn under the overall limit."""
        return self._limits.backlog()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        max_retries = rate_limit_args or self._max_retries
        backoff = self._first_backoff
        for attempt in range(1, self._network_attempts + 1):
            try:
                return await self._within_limits(
                    callback, args, kwargs, endpoint, chat_id, max_retries
                )
            except NetworkError as error:
                if attempt == self._network_attempts or not may_repeat(endpoint, error):
                    raise
                log.info(
                    "Bot API %s failed (%s); attempt %d of %d in %.2f s",
                    endpoint,
                    error,
                    attempt + 1,
                    self._network_attempts,
                    backoff,
                )
                await asyncio.sleep(backoff)  # backing off before the next attempt
                backoff *= 2
        raise AssertionError("unreachable")

    async def _within_limits(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        chat_id: object,
        max_retries: int,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """The call made in its turn, a flood-limit answer (429) waited out and retried."""
        for retry in range(max_retries + 1):
            await self._limits.wait_turn(endpoint, chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if retry == max_retries:
                    raise
                pause = error.retry_after
                seconds = pause.total_seconds() if isinstance(pause, timedelta) else float(pause)
                log.info(
                    "Bot API %s hit a flood limit (chat %s): waiting %.1f s",
                    endpoint,
                    chat_id,
                    seconds,
                )
                if chat_id is None:
                    await asyncio.sleep(seconds + RETRY_AFTER_SLACK_SECONDS)
                else:
                    self._limits.hold(chat_id, seconds + RETRY_AFTER_SLACK_SECONDS)
        raise AssertionError("unreachable")
