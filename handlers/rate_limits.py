"""Per-user rate limits (the task API's requests, tasks added with /add, imports): one token
bucket per user, kept in this process's memory.

A limit of N per period lets a user spend N at once and gives them back evenly over the period
(N / period per second). Over it, `spend` raises RateLimited with the seconds until the spend
would fit, for a "try again in" reply or a 429 with Retry-After; nothing is done in part. Each
process keeps its own buckets: with several instances behind one address, a user may get up to
N per instance.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

# The defaults (bot.settings): far above what a person does by hand. A Mini App session
# makes a request per tap; a pasted list is one /add of up to 100 lines; an import brings up
# to 5,000 tasks, and a list holds 20,000 at most (storage.lists).
API_REQUESTS_PER_MINUTE = 120
TASKS_ADDED_PER_MINUTE = 300
IMPORTS_PER_HOUR = 6
# Users with a bucket at once; past it, full buckets (which mean nothing) are dropped first.
MAX_USERS = 100_000


class RateLimited(Exception):
    """A user went over a rate limit; nothing was done. `retry_after`: whole seconds to wait."""

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(f"too many {what}: try again in {retry_after} s")
        self.what = what
        self.retry_after = retry_after


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class RateLimit:
    """At most `per_period` units of `what` per user per `period` seconds (0: no limit)."""

    def __init__(
        self,
        what: str,
        per_period: int,
        *,
        period: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what = what
        self.per_period = per_period
        self.period = period
        self._clock = clock
        self._buckets: dict[int, _Bucket] = {}

    def spend(self, user_id: int, cost: int = 1) -> None:
        """Take `cost` from the user's bucket, or raise RateLimited and take nothing."""
        if self.per_period <= 0:
            return
        now = self._clock()
        rate = self.per_period / self.period
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= MAX_USERS:
                self._drop_full(now, rate)
            bucket = self._buckets[user_id] = _Bucket(self.per_period, now)
        bucket.tokens = min(self.per_period, bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        cost = min(cost, self.per_period)  # a spend larger than the bucket waits for a full one
        if bucket.tokens < cost:
            raise RateLimited(self.what, max(1, math.ceil((cost - bucket.tokens) / rate)))
        bucket.tokens -= cost

    def _drop_full(self, now: float, rate: float) -> None:
        full = [
            user
            for user, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.at) * rate >= self.per_period
        ]
        for user in full:
            del self._buckets[user]
        while len(self._buckets) >= MAX_USERS:
            del self._buckets[next(iter(self._buckets))]  # the oldest bucket


@dataclass(frozen=True)
class RateLimits:
    """The bot's per-user limits, made from the settings (bot.app)."""

    api_requests: RateLimit
    added_tasks: RateLimit
    imports: RateLimit

    @classmethod
    def of(
        cls,
        *,
        api_per_minute: int = API_REQUESTS_PER_MINUTE,
        tasks_per_minute: int = TASKS_ADDED_PER_MINUTE,
        imports_per_hour: int = IMPORTS_PER_HOUR,
        clock: Callable[[], float] = time.monotonic,
    ) -> "RateLimits":
        return cls(
            api_requests=RateLimit("requests", api_per_minute, period=60, clock=clock),
            added_tasks=RateLimit("tasks added", tasks_per_minute, period=60, clock=clock),
            imports=RateLimit("imports", imports_per_hour, period=3600, clock=clock),
        )
