"""Calendar feeds under load: nothing slow on the shared event loop, each file rendered once per
change and kept, fetches limited per address and renders in all, answered with 429."""

import asyncio
import gzip
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from bot.web.calendar_limits import FeedFiles, RateLimiter, TooBusy
from storage.calendar import feed_address, feed_key
from storage.db import Database
from storage.feed_contents import Feed, feed_for_key
from storage.models import TaskRow
from storage.transfer import import_tasks
from storage.users import remember_user
from testkit.big_inputs import repeating_tasks
from testkit.fake_telegram import FakeTelegram
from tests.factories import new_chat_id, new_user_id
from tests.feedbot import FeedBot, running_feed_bot

RENDER_LOG = "bot.web.calendar_limits"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_rate_lets_a_burst_through_then_one_each_interval() -> None:
    clock = Clock()
    limit = RateLimiter(burst=3, every=10, clock=clock)
    assert [limit.wait_needed("a") for _ in range(3)] == [0, 0, 0]
    assert limit.wait_needed("a") == pytest.approx(10)
    assert limit.wait_needed("b") == 0  # another key has its own bucket
    clock.now += 4
    assert limit.wait_needed("a") == pytest.approx(6)
    clock.now += 6
    assert limit.wait_needed("a") == 0
    assert limit.wait_needed("a") == pytest.approx(10)


def test_a_rate_keeps_a_bounded_number_of_keys() -> None:
    limit = RateLimiter(burst=1, every=60, max_keys=2, clock=Clock())
    assert [limit.wait_needed(key) for key in ("a", "b", "a", "c")] == [0, 0, 60, 0]
    # "b" was the least recently seen: forgotten, it starts again with a full bucket.
    assert limit.wait_needed("b") == 0
    assert limit.wait_needed("a") == 0


def _feed(list_id: int, revision: str = "r1") -> Feed:
    return Feed(
        list_id=list_id, chat_id=list_id, user_id=1, timezone=None, tasks=[], revision=revision
    )


def _loader(feed: Feed, loads: list[int]) -> Callable[[], Awaitable[Feed | None]]:
    async def load() -> Feed | None:
        loads.append(feed.list_id)
        return feed

    return load


class HeldRender:
    """A render that counts its calls and waits until released (in the render thread)."""

    def __init__(self) -> None:
        self.calls = 0
        self.started = threading.Semaphore(0)
        self.released = threading.Event()

    def __call__(self, feed: Feed, *, year: int) -> bytes:
        self.calls += 1
        self.started.release()
        assert self.released.wait(timeout=10)
        return f"file of {feed.list_id} {feed.revision}".encode()

    async def wait_started(self, count: int = 1) -> None:
        for _ in range(count):
            assert await asyncio.to_thread(self.started.acquire, timeout=10)


async def test_requests_for_one_file_share_one_render_and_then_keep_it() -> None:
    render, loads = HeldRender(), []
    files = FeedFiles(render)
    feed = _feed(7)
    # Five members' fetches of one list at once.
    waiting = [
        asyncio.create_task(files.file(feed, etag='"e"', year=2026, load=_loader(feed, loads)))
        for _ in range(5)
    ]
    await render.wait_started()
    render.released.set()
    made = await asyncio.gather(*waiting)
    assert {file.body if file else None for file in made} == {b"file of 7 r1"}
    assert made[0] is not None and gzip.decompress(made[0].gzipped) == b"file of 7 r1"
    assert (render.calls, loads) == (1, [7])
    again = await files.file(feed, etag='"e"', year=2026, load=_loader(feed, loads))
    assert again is made[0] and (render.calls, loads) == (1, [7])
    changed = _feed(7, "r2")
    await files.file(changed, etag='"f"', year=2026, load=_loader(changed, loads))
    assert (render.calls, loads) == (2, [7, 7])


async def test_renders_beyond_the_cap_are_turned_away() -> None:
    render, loads = HeldRender(), []
    files = FeedFiles(render, max_pending=2)
    first, second = (
        asyncio.create_task(
            files.file(_feed(n), etag='"e"', year=2026, load=_loader(_feed(n), loads))
        )
        for n in (1, 2)
    )
    await render.wait_started(2)
    with pytest.raises(TooBusy) as busy:
        await files.file(_feed(3), etag='"e"', year=2026, load=_loader(_feed(3), loads))
    assert busy.value.retry_after > 0 and loads == [1, 2]
    render.released.set()
    assert [(await task).body for task in (first, second)] == [b"file of 1 r1", b"file of 2 r1"]  # type: ignore[union-attr]
    assert await files.file(_feed(3), etag='"e"', year=2026, load=_loader(_feed(3), loads))


async def test_kept_files_stay_within_their_bytes() -> None:
    files = FeedFiles(lambda feed, *, year: bytes(40), max_bytes=130)
    loads: list[int] = []
    for n in range(4):
        await files.file(_feed(n), etag='"e"', year=2026, load=_loader(_feed(n), loads))
    for n in (3, 2, 1, 0):  # the last two made are kept; the first two are made again
        await files.file(_feed(n), etag='"e"', year=2026, load=_loader(_feed(n), loads))
    assert loads == [0, 1, 2, 3, 1, 0]


@pytest.fixture
async def feed_bot(own_telegram: FakeTelegram, database_url: URL) -> AsyncIterator[FeedBot]:
    async with running_feed_bot(own_telegram, database_url) as bot:
        yield bot


async def test_a_feed_fetched_too_often_gets_429_with_retry_after(
    own_telegram: FakeTelegram, database_url: URL
) -> None:
    clock = Clock()
    limit = RateLimiter(burst=2, every=60, clock=clock)
    async with running_feed_bot(own_telegram, database_url, limit=limit) as bot:
        chat = bot.private_chat()
        path = await bot.feed_path(chat)
        assert [await bot.status(path) for _ in range(2)] == [200, 200]
        refused = await bot.client.get(path)
        assert (refused.status_code, refused.headers["retry-after"]) == (429, "60")
        # Another address has its own allowance.
        assert await bot.status(await bot.feed_path(bot.private_chat())) == 200
        clock.now += 60
        assert await bot.status(path) == 200


async def test_an_unchanged_feed_is_rendered_once_and_its_tasks_not_read_again(
    feed_bot: FeedBot, direct_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=RENDER_LOG)
    chat = feed_bot.private_chat()
    await chat.send("/add Dentist @ 2027-03-01 09:00\nGym @ every monday 7:30")
    path = await feed_bot.feed_path(chat)
    first = await feed_bot.client.get(path)
    again = await feed_bot.client.get(path)
    head = await feed_bot.client.head(path)
    current = await feed_bot.client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert [r.status_code for r in (first, again, head, current)] == [200, 200, 200, 304]
    assert again.content == first.content
    renders = [r for r in caplog.records if r.name == RENDER_LOG]
    assert len(renders) == 1
    await chat.send("/add Dinner @ 2027-03-02 19:00")
    assert b"Dinner" in (await feed_bot.client.get(path)).content
    assert len([r for r in caplog.records if r.name == RENDER_LOG]) == 2

    # A fetch of a feed whose file is kept reads the feed without its tasks.
    key = feed_key(feed_bot.application.bot_data.calendar_key, path[10:-4])
    assert key is not None
    full = await feed_for_key(direct_db, key)
    head = await feed_for_key(direct_db, key, with_tasks=False)
    assert full is not None and len(full.tasks) == 3 and not full.tasks_left_out
    assert head is not None and head.tasks_left_out and head.tasks == []
    assert (head.revision, head.changed_at) == (full.revision, full.changed_at)


@pytest.fixture
async def members_feeds_of_a_big_list(
    feed_bot: FeedBot, direct_db: Database
) -> AsyncIterator[list[str]]:
    """1,000 repeating tasks in a group (as /import can make), and 20 members' feed paths."""
    group = new_chat_id(group=True)
    tasks = repeating_tasks(1000)
    await import_tasks(direct_db, chat_id=group, tasks=tasks, created_by=None)
    try:
        paths = []
        for _ in range(20):
            member = new_user_id()
            await remember_user(
                direct_db, user_id=member, username=None, first_name="M", started=True
            )
            address = await feed_address(
                direct_db,
                key=feed_bot.application.bot_data.calendar_key,
                list_id=group,
                chat_id=group,
                user_id=member,
                private=False,
            )
            assert address.token is not None
            paths.append(f"/calendar/{address.token}.ics")
        yield paths
    finally:
        # Other tests tick schedulers on clocks years ahead, which would send these 1,000
        # reminders (into a group limited to 20 messages a minute).
        await direct_db.run(
            sa.update(TaskRow.__table__)  # type: ignore[attr-defined]
            .where(TaskRow.chat_id == group)
            .values(remind_at=None),
            idempotent=True,
        )


async def test_twenty_fetches_of_a_1000_task_feed_share_one_render_that_no_chat_waits_for(
    feed_bot: FeedBot,
    members_feeds_of_a_big_list: list[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The file's writing (render and gzip) is held in its thread until another chat's /add has
    # been answered: the /add cannot have waited for it, whatever the machine's load. (How
    # long a feed takes and what it costs other chats is measured in the benchmark, not here.)
    started, release = threading.Semaphore(0), threading.Event()
    write = FeedFiles._write

    def held_write(files: FeedFiles, feed: Feed, year: int) -> tuple[bytes, bytes]:
        started.release()
        assert release.wait(timeout=60)
        return write(files, feed, year)

    monkeypatch.setattr(FeedFiles, "_write", held_write)
    caplog.set_level(logging.DEBUG, logger=RENDER_LOG)
    paths = members_feeds_of_a_big_list
    other = feed_bot.private_chat()
    await other.send("/help")  # (the chat's first update pays for nothing of this test)
    fetches = [asyncio.create_task(feed_bot.client.get(path)) for path in paths]
    try:
        assert await asyncio.to_thread(started.acquire, timeout=60)
        reply = await other.send("/add Buy milk")
        assert reply.text == "➕ Added #1 Buy milk"
        assert not any(fetch.done() for fetch in fetches)
    finally:
        release.set()
    responses = await asyncio.gather(*fetches)
    assert [r.status_code for r in responses] == [200] * 20
    assert len({r.content for r in responses}) == 1
    assert responses[0].content.count(b"BEGIN:VEVENT") == 1000
    assert len([r for r in caplog.records if r.name == RENDER_LOG]) == 1
    assert not started.acquire(blocking=False)  # one render for the twenty
