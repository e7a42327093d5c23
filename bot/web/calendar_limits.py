"""What keeps calendar feeds from slowing the bot: a rate per address, and the files rendered
off the event loop, a few at a time, each once per revision and kept in memory.

One process serves every chat on one event loop, and a feed of 1,000 repeating tasks takes a
third of a second of CPU to write. Rendered on the loop, 20 fetches at once held another chat's
/add reply for 10 s. Here a file is made by one request while the others for the same file
wait for it: its tasks read in one statement, written in one of RENDER_THREADS threads and
gzipped there too, and kept (up to MAX_KEPT_BYTES, least recently used out first) for as long
as its list does not change. A fetch of a feed whose file is kept reads no task.
"""

import asyncio
import gzip
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Protocol

from storage.feed_contents import Feed

log = logging.getLogger(__name__)

# Renders at once in the whole process (the machine's other work, the bot, keeps the rest).
RENDER_THREADS = 2
# Renders started or waiting for a thread; beyond that a fetch is told to come back later.
MAX_PENDING_RENDERS = 4
RETRY_BUSY_SECONDS = 10
# Files kept between fetches, in all.
MAX_KEPT_BYTES = 64 * 1024 * 1024

_threads = ThreadPoolExecutor(max_workers=RENDER_THREADS, thread_name_prefix="calendar")


class RateLimiter:
    """A token bucket per key: `burst` requests at once, then one each `every` seconds.

    At most `max_keys` keys are kept; the least recently seen is forgotten first (it then starts
    again with a full bucket).
    """

    def __init__(
        self,
        *,
        burst: int,
        every: float,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._burst = burst
        self._every = every
        self._max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()

    def wait_needed(self, key: Hashable) -> float:
        """0 and one request counted when `key` may go now; else the seconds until it may."""
        now = self._clock()
        tokens, then = self._buckets.pop(key, (float(self._burst), now))
        tokens = min(float(self._burst), tokens + (now - then) / self._every)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) * self._every
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        return wait


def retry_after(seconds: float) -> str:
    """A Retry-After value: whole seconds, at least one."""
    return str(max(1, math.ceil(seconds)))


class Render(Protocol):
    """What writes a feed's file (bot.web.calendar_ics.render_calendar)."""

    def __call__(self, feed: Feed, *, year: int) -> bytes: ...


class TooBusy(Exception):
    """Too many files are being rendered; try again in `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"busy, retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class FeedFile:
    """A feed's file, as written and gzipped, and the feed it was made of (without its tasks,
    for its ETag and Last-Modified)."""

    feed: Feed
    body: bytes
    gzipped: bytes

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped)


class FeedFiles:
    """The feeds' files by list and ETag: each made once, in a thread, and kept a while.

    Every member of a group has their own address of the same list, so one file serves all.
    """

    def __init__(
        self,
        render: Render,
        *,
        max_pending: int = MAX_PENDING_RENDERS,
        max_bytes: int = MAX_KEPT_BYTES,
    ) -> None:
        self._render = render
        self._max_pending = max_pending
        self._max_bytes = max_bytes
        self._files: OrderedDict[tuple[int, str], FeedFile] = OrderedDict()
        self._bytes = 0
        self._making: dict[tuple[int, str], asyncio.Task[FeedFile | None]] = {}

    async def file(
        self,
        head: Feed,
        *,
        etag: str,
        year: int,
        load: Callable[[], Awaitable[Feed | None]],
    ) -> FeedFile | None:
        """The file of the feed `head` describes (its revision, without its tasks): kept, in
        the making (then waited for), or made now, its tasks read with `load` and written in a
        thread. None when `load` finds the feed gone.

        TooBusy when MAX_PENDING_RENDERS other files are in the making.
        """
        name = (head.list_id, etag)
        kept = self._files.get(name)
        if kept is not None:
            self._files.move_to_end(name)
            return kept
        making = self._making.get(name)
        if making is None:
            if len(self._making) >= self._max_pending:
                raise TooBusy(RETRY_BUSY_SECONDS)
            making = asyncio.create_task(self._make(name, head, load, year))
            # (read, so that a failure nobody waits for any more is not reported as unread)
            making.add_done_callback(lambda task: task.cancelled() or task.exception())
            self._making[name] = making
        # A request that goes away does not stop the file the others wait for.
        return await asyncio.shield(making)

    async def _make(
        self,
        name: tuple[int, str],
        head: Feed,
        load: Callable[[], Awaitable[Feed | None]],
        year: int,
    ) -> FeedFile | None:
        try:
            feed = await load()
            if feed is None:
                return None
            started = time.perf_counter()
            loop = asyncio.get_running_loop()
            body, gzipped = await loop.run_in_executor(_threads, self._write, feed, year)
            log.debug(
                "calendar file rendered: %d tasks, %d bytes (%d gzipped) in %.3f s",
                len(feed.tasks),
                len(body),
                len(gzipped),
                time.perf_counter() - started,
            )
            made = FeedFile(replace(feed, tasks=[], tasks_left_out=True), body, gzipped)
            # The tasks may have changed since `head` was read: that file is not `head`'s.
            if feed.revision == head.revision:
                self._keep(name, made)
            return made
        finally:
            del self._making[name]

    def _write(self, feed: Feed, year: int) -> tuple[bytes, bytes]:
        body = self._render(feed, year=year)
        return body, gzip.compress(body, compresslevel=6, mtime=0)

    def _keep(self, name: tuple[int, str], made: FeedFile) -> None:
        if made.size > self._max_bytes:
            return
        self._files[name] = made
        self._bytes += made.size
        while self._bytes > self._max_bytes:
            _, dropped = self._files.popitem(last=False)
            self._bytes -= dropped.size
