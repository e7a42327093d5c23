"""The calendar feed over HTTP: `GET` and `HEAD /calendar/{token}.ics`, a list's open tasks with
due times as an iCalendar file (bot.web.calendar_ics), for calendar apps to subscribe to.

A feed is a person's: it is served while they may read the list (a group's member), asked
through `still_allowed`, the one place this module asks who may read what. The token is the
secret and never logged: uvicorn's access log is off (bot/web/server.py), and bot/logs.py
redacts feed addresses from every other line, such as the Bot API calls logged at DEBUG.

Each answer carries a strong ETag (the feed's revision, storage.feed_contents, with the year
and the file's format) and Last-Modified (when the feed's revision last changed);
`If-None-Match` and `If-Modified-Since` that still match get 304 with no body, and a client
that takes gzip gets it gzipped. Each address may be fetched FEED_BURST times at once and then
once every FEED_EVERY_SECONDS, and the file is made off the event loop and kept
(bot.web.calendar_limits); beyond either limit the answer is 429 with Retry-After.
"""

import logging
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import partial

from fastapi import FastAPI, Request, Response

from bot.web.calendar_ics import FORMAT_VERSION, render_calendar
from bot.web.calendar_limits import FeedFiles, RateLimiter, TooBusy, retry_after
from bot.web.membership import ChatAccess, MembershipUnknown, Role
from handlers.calendar import FEED_PATH
from storage.calendar import feed_key
from storage.db import Database
from storage.errors import StorageUnavailable
from storage.feed_contents import Feed, feed_for_key

log = logging.getLogger(__name__)

# Calendar apps poll every 15 minutes to a day; a person may have the feed on a few devices.
FEED_BURST = 6
FEED_EVERY_SECONDS = 10.0
# Addresses from before migration 0008 are looked up by hash, even made-up ones: a cap on all.
OLD_ADDRESS_BURST = 30
OLD_ADDRESS_EVERY_SECONDS = 0.2

_HEADERS = {
    # The address is the secret: no caches in between, no referrer to other sites; calendar
    # apps revalidate with the ETag instead.
    "Cache-Control": "private, no-cache",
    "Vary": "Accept-Encoding",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
# Telegram could not say whether the reader is still in the group: ask again soon.
_RETRY_MEMBERSHIP_SECONDS = "60"


async def still_allowed(access: ChatAccess, feed: Feed) -> bool:
    """Whether the feed's person may still read its list: the list's owner, or a member of its
    group. A group's shared address from before feeds were personal has no person to ask
    about, and stays until an admin ends it. MembershipUnknown when Telegram cannot say."""
    if feed.user_id is None:
        return True
    return await access.role(user_id=feed.user_id, chat_id=feed.chat_id) is not Role.NONE


def _plain(text: str, status: int, **headers: str) -> Response:
    return Response(text, status_code=status, media_type="text/plain", headers=headers)


def etag_of(revision: str, year: int) -> str:
    """The strong ETag of a feed's file: its revision, the year (the zone's rules written are
    the coming years') and the file format. Its gzipped bytes have it with `-gzip`."""
    return f'"{revision}-{year}-{FORMAT_VERSION}"'


def _gzip_etag(etag: str) -> str:
    return etag[:-1] + '-gzip"'


def validators(feed: Feed, *, now: datetime) -> dict[str, str]:
    """The feed's ETag and Last-Modified headers (the latter never after `now`)."""
    changed = min(feed.changed_at or now, now)
    return {
        "ETag": etag_of(feed.revision, now.year),
        "Last-Modified": format_datetime(changed.astimezone(UTC), usegmt=True),
    }


def not_modified(request: Request, feed: Feed, etag: str) -> bool:
    """Whether the client's copy is current: its If-None-Match names the ETag (of either
    encoding), or (without If-None-Match, as RFC 9110 says) its If-Modified-Since is no earlier
    than the last change."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return bool(tags & {"*", etag, _gzip_etag(etag)})
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since is None or feed.changed_at is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # not an HTTP date: ignored, as RFC 9110 says
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return feed.changed_at <= since


def accepts_gzip(request: Request) -> bool:
    """Whether the client takes gzip (Accept-Encoding: gzip, or *, with a q above 0)."""
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _, params = part.partition(";")
        if name.strip().lower() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=").strip() or "1"
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False


def _answer_headers(request: Request, validators: dict[str, str]) -> dict[str, str]:
    """The headers of a 200 or 304: the fixed ones, the validators, and for a client that takes
    gzip the encoding and the ETag of the gzipped bytes."""
    headers = {**_HEADERS, **validators}
    if accepts_gzip(request):
        headers.update({"Content-Encoding": "gzip", "ETag": _gzip_etag(headers["ETag"])})
    return headers


def mount_calendar_feed(
    web: FastAPI,
    *,
    database: Database,
    access: ChatAccess,
    key: bytes,
    files: FeedFiles | None = None,
    per_feed: RateLimiter | None = None,
) -> None:
    """Serve `GET` and `HEAD /calendar/{token}.ics`; an unknown or revoked token, or one whose
    person left the group, is a bare 404 (the same answer for each)."""
    files = files or FeedFiles(render_calendar)
    per_feed = per_feed or RateLimiter(burst=FEED_BURST, every=FEED_EVERY_SECONDS)
    old_addresses = RateLimiter(burst=OLD_ADDRESS_BURST, every=OLD_ADDRESS_EVERY_SECONDS)

    @web.api_route(FEED_PATH, methods=["GET", "HEAD"], include_in_schema=False)
    async def calendar_feed(token: str, request: Request) -> Response:
        """The list's open tasks with due times, as iCalendar."""
        wanted = feed_key(key, token)
        if wanted is None:
            return _plain("not found\n", 404)
        wait = per_feed.wait_needed(wanted)
        if not wait and wanted.feed_id is None:
            wait = old_addresses.wait_needed(None)
        if wait:
            return _plain("too many requests\n", 429, **{"Retry-After": retry_after(wait)})
        now = datetime.now(UTC)
        try:
            # First the feed without its tasks: enough for 304, or for a file made before.
            head = await feed_for_key(database, wanted, with_tasks=False)
            allowed = head is not None and await still_allowed(access, head)
            if head is None or not allowed:
                return _plain("not found\n", 404)
            etag = etag_of(head.revision, now.year)
            if not_modified(request, head, etag):
                headers = _answer_headers(request, validators(head, now=datetime.now(UTC)))
                headers.pop("Content-Encoding", None)  # (no body, so none encoded)
                return Response(status_code=304, headers=headers)
            made = await files.file(
                head, etag=etag, year=now.year, load=partial(feed_for_key, database, wanted)
            )
        except StorageUnavailable:
            return _plain("database unavailable\n", 503)
        except MembershipUnknown:
            return _plain("try again later\n", 503, **{"Retry-After": _RETRY_MEMBERSHIP_SECONDS})
        except TooBusy as busy:
            return _plain("busy\n", 429, **{"Retry-After": retry_after(busy.retry_after)})
        if made is None:
            return _plain("not found\n", 404)
        # The clock read after the database's: a change stored in this second is not clamped
        # to an earlier one here and shown unclamped by the next request.
        headers = _answer_headers(request, validators(made.feed, now=datetime.now(UTC)))
        body = made.gzipped if "Content-Encoding" in headers else made.body
        return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)
