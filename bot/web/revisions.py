"""Conditional reads for the Mini App's polling: an `ETag` per answer, and a 304 that costs no
database statement while nothing changed.

The ETag is a digest of the answer itself, so it is right whichever instance made it. What
saves the database is memory: each list has a revision in this process, bumped by every change
committed through this process (the chat's commands, the buttons, the scheduler, the API:
`Database.lists_changed`). An answer remembers the revisions it was read at; a request whose
`If-None-Match` is that answer's ETag, while none of those lists has changed since, gets 304
without a statement. A change made by another instance is not seen in memory: an answer is
therefore trusted for STALE_SECONDS at most, then read again (one statement; 304 still when
the digest is the same). An idle open Mini App thus costs no statement for STALE_SECONDS at a
time, and the Neon compute can suspend in between.
"""

import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

# How long an answer is trusted without reading it again: the bound on how late a change made
# by another instance shows (changes made through this process show at the next poll).
STALE_SECONDS = 300.0
MAX_REMEMBERED = 20_000
ANY_LIST = 0  # the revision bumped when a change does not say its list
EVERY_LIST = 1  # bumped by every change: what answers about many lists watch (no chat is 1)


@dataclass(frozen=True, slots=True)
class _Answer:
    etag: str
    revisions: tuple[tuple[int, int], ...]
    read_at: float


class Revisions:
    """Per-list revisions in this process, and the answers last given at them."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._revisions: dict[int, int] = {}
        self._answers: OrderedDict[tuple[int, str], _Answer] = OrderedDict()

    def changed(self, list_id: int | None) -> None:
        """A change to the list (None: to some list) was committed."""
        for key in (ANY_LIST if list_id is None else list_id, EVERY_LIST):
            self._revisions[key] = self._revisions.get(key, 0) + 1

    def at(self, lists: Iterable[int]) -> tuple[tuple[int, int], ...]:
        """The lists' revisions now (and ANY_LIST's): take them before reading, so that a
        change made during the read makes the answer stale."""
        wanted = dict.fromkeys((ANY_LIST, *lists))
        return tuple((list_id, self._revisions.get(list_id, 0)) for list_id in wanted)

    def unchanged(self, *, user_id: int, key: str, etag: str) -> bool:
        """Whether the answer with `etag` to `key` for the user is known current: none of the
        lists it was read from changed since, and it is less than STALE_SECONDS old."""
        answer = self._answers.get((user_id, key))
        return (
            answer is not None
            and answer.etag == etag
            and all(self._revisions.get(list_id, 0) == seen for list_id, seen in answer.revisions)
            and self._clock() - answer.read_at < STALE_SECONDS
        )

    def remember(
        self, *, user_id: int, key: str, etag: str, revisions: tuple[tuple[int, int], ...]
    ) -> None:
        """The answer given to `key` for the user, read at `revisions` (from `at`)."""
        self._answers[(user_id, key)] = _Answer(etag, revisions, self._clock())
        self._answers.move_to_end((user_id, key))
        while len(self._answers) > MAX_REMEMBERED:
            self._answers.popitem(last=False)


def etag_of(body: bytes) -> str:
    """A strong ETag: the answer's digest."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


async def conditional(
    request: Request,
    revisions: Revisions,
    *,
    user_id: int,
    lists: Iterable[int],
    read: Callable[[], Awaitable[BaseModel]],
) -> Response:
    """The answer `read` makes, as JSON with its ETag; 304 when the request's If-None-Match
    is it. While the lists it was read from are unchanged since (and it is fresh), `read` is
    not called. An answer about many lists (the user's lists, their tasks across groups)
    watches EVERY_LIST."""
    key = request.url.path + "?" + request.url.query
    given = request.headers.get("If-None-Match", "")
    if given and revisions.unchanged(user_id=user_id, key=key, etag=given):
        return Response(status_code=304, headers={"ETag": given})
    before = revisions.at(lists)
    value = await read()
    body = value.model_dump_json().encode()
    etag = etag_of(body)
    revisions.remember(user_id=user_id, key=key, etag=etag, revisions=before)
    if given == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type=JSONResponse.media_type, headers={"ETag": etag})
