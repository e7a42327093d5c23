"""Retrying Bot API calls that failed on the way: flood limits, 5xx answers, dropped connections;
and the budgets they are sent under.

A call is repeated only when repeating cannot make the user see something twice: when Telegram
answered with an error (it did nothing), when the request never left (connection refused,
connect or pool timeout), or when the method is idempotent (editing a message, answering a
button press). A `sendMessage` whose answer was lost in transit is not repeated: Telegram may
have delivered it, and a reply shown twice is worse than the error message that follows.

Lookups (getChatMember, getChat, getFile: questions that send nothing to a chat) do not spend
the chats' send budget: python-telegram-bot's limiter would count each one against the overall
rate and against the group's 20 messages a minute, so that a burst of membership checks made for
the task API held back every chat's replies. They have a budget of their own (`lookup_rate` per
second), and a flood limit on one is not waited out: the question fails, and its asker refuses.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

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
# Questions that send nothing to a chat: their own budget, not the chats' send budget.
LOOKUP_METHODS = frozenset(
    {"getChat", "getChatAdministrators", "getChatMember", "getChatMemberCount", "getFile"}
)
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


class RetryingRateLimiter(AIORateLimiter):
    """python-telegram-bot's rate limiter (which waits out 429 RetryAfter) for sends, a budget of
    their own for lookups, and retries with backoff for network trouble where `may_repeat`
    allows."""

    def __init__(
        self,
        *,
        overall_max_rate: float = 30,
        lookup_rate: float = 30,
        max_retries: int = 3,
        network_attempts: int = 4,
        first_backoff: float = 0.25,
    ) -> None:
        super().__init__(overall_max_rate=overall_max_rate, max_retries=max_retries)
        self._lookups = AsyncLimiter(lookup_rate, 1) if lookup_rate else None
        self._network_attempts = network_attempts
        self._first_backoff = first_backoff

    async def _send(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint in LOOKUP_METHODS:
            async with self._lookups or contextlib.nullcontext():
                return await callback(*args, **kwargs)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        backoff = self._first_backoff
        for attempt in range(1, self._network_attempts + 1):
            try:
                return await self._send(callback, args, kwargs, endpoint, data, rate_limit_args)
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
