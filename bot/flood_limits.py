"""Telegram's flood limits, kept by the bot: what may go to the Bot API now, and how long the
rest waits.

What is enforced, and why (Telegram's FAQ, "My bot is hitting limits"):
- at most `overall_per_second` messages a second in all (default 30, "the API will not allow
  more than 30 messages per second or so"), sends and edits counted, a second's worth allowed
  at once after a quiet spell (as python-telegram-bot's AIORateLimiter allows);
- at most 20 messages a minute into one group, supergroup or channel ("will not be able to
  send more than 20 messages per minute to the same group"), a minute's worth at once;
- no limit per private chat: there Telegram allows short bursts over one a second, and a
  private chat gets one answer per command its user sends, so a limit would only delay them;
- a 429 answer holds only the chat it was about for its `retry_after` (python-telegram-bot's
  limiter holds every chat), since Telegram's per-chat limits are the likely cause; were it the
  overall one, the other chats would get their own 429 and wait too.
Calls that post nothing (answering a button or an inline query, reading members, the chat
action) are not counted.

Each limit is a token bucket kept with plain arithmetic: a call within the limit costs a few
float operations and no await; one over it reserves the next free slot and sleeps until then,
so waiting calls go in order, each woken once.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

GROUP_MESSAGES_PER_MINUTE = 20
# Beyond this many group buckets, the full ones (groups quiet for a minute) are dropped.
MAX_GROUP_BUCKETS = 1000
# Methods that start like a message but post none.
_POSTING_NOTHING = frozenset({"sendChatAction"})
_POSTING_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage")


class TokenBucket:
    """`rate` tokens a second, at most `capacity` saved. Taking one reserves it, even when it is
    still to come: the caller is told how long to wait for it."""

    __slots__ = ("_capacity", "_rate", "_stamp", "_tokens")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self._rate = rate
        self._capacity = capacity
        self._tokens = capacity
        self._stamp = now

    def take(self, now: float) -> float:
        """Reserve a token; the seconds until it is there (0.0: now)."""
        tokens = self._tokens + (now - self._stamp) * self._rate
        if tokens > self._capacity:
            tokens = self._capacity
        self._stamp = now
        tokens -= 1.0
        self._tokens = tokens
        return 0.0 if tokens >= 0.0 else -tokens / self._rate

    def wait(self, now: float) -> float:
        """The seconds a call taking a token now would wait (nothing is reserved)."""
        tokens = self._tokens + (now - self._stamp) * self._rate
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self._rate

    def is_full(self, now: float) -> bool:
        """Whether it has refilled completely (nothing reserved, nothing recent)."""
        return self._tokens + (now - self._stamp) * self._rate >= self._capacity


def posts_message(method: str) -> bool:
    """Whether a Bot API method posts or changes a message (what the limits count)."""
    return method.startswith(_POSTING_PREFIXES) and method not in _POSTING_NOTHING


def _is_group(chat_id: object) -> bool:
    """Groups, supergroups and channels: negative ids, or a channel's @username."""
    return isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0)


class FloodLimits:
    """The limits above, for one bot; `wait_turn` before each Bot API call, `hold` after a 429."""

    def __init__(
        self,
        *,
        overall_per_second: float = 30,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        now = clock()
        self._overall = (
            TokenBucket(overall_per_second, overall_per_second, now)
            if overall_per_second > 0
            else None
        )
        self._groups: dict[object, TokenBucket] = {}
        self._held: dict[object, float] = {}  # chat -> until when a 429 holds it
        self._posting: dict[str, bool] = {}  # method -> posts_message(method)

    async def wait_turn(self, method: str, chat_id: object) -> None:
        """Return when a call of `method` about `chat_id` (None: no chat) may go."""
        if self._held:
            await self._wait_out_hold(chat_id)
        posting = self._posting.get(method)
        if posting is None:
            posting = self._posting[method] = posts_message(method)
        if not posting or chat_id is None:
            return
        if _is_group(chat_id):
            delay = self._group_bucket(chat_id).take(self._clock())
            if delay > 0.0:
                await self._sleep(delay)
        if self._overall is not None:
            delay = self._overall.take(self._clock())
            if delay > 0.0:
                await self._sleep(delay)

    def backlog(self) -> float:
        """How long a message sent now would wait under the overall limit (0.0: none)."""
        return 0.0 if self._overall is None else self._overall.wait(self._clock())

    def hold(self, chat_id: object, seconds: float) -> None:
        """Hold every call about `chat_id` for `seconds` (Telegram answered 429)."""
        until = self._clock() + seconds
        if until > self._held.get(chat_id, 0.0):
            self._held[chat_id] = until

    async def _wait_out_hold(self, chat_id: object) -> None:
        until = self._held.get(chat_id)
        if until is None:
            return
        delay = until - self._clock()
        if delay > 0.0:
            await self._sleep(delay)
        elif self._held.get(chat_id) == until:
            del self._held[chat_id]

    def _group_bucket(self, chat_id: object) -> TokenBucket:
        bucket = self._groups.get(chat_id)
        if bucket is None:
            now = self._clock()
            if len(self._groups) >= MAX_GROUP_BUCKETS:
                self._groups = {k: b for k, b in self._groups.items() if not b.is_full(now)}
            bucket = self._groups[chat_id] = TokenBucket(
                GROUP_MESSAGES_PER_MINUTE / 60, GROUP_MESSAGES_PER_MINUTE, now
            )
        return bucket
