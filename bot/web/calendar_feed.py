"""The calendar feed over HTTP: `GET` and `HEAD /calendar/{token}.ics`, a list's open tasks with
due times as an iCalendar file (bot.web.calendar_ics), for calendar apps to subscribe to.

A feed is a person's: it is served while they may read the list (a group's member), asked
through `still_allowed`, the one place this module asks who may read what. The token is the
secret and never logged: uvicorn's access log is off (bot/web/server.py), and bot/logs.py
redacts feed addresses from every other line, such as the Bot API calls logged at DEBUG.

Each answer carries a strong ETag (the feed's revision, storage.calendar, with the year and the
file's format) and Last-Modified (when the feed's revision last changed); `If-None-Match` and
`If-Modified-Since` that still match get 304 with no body.
"""

import logging
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import FastAPI, Request, Response

from bot.web.calendar_ics import FORMAT_VERSION, render_calendar
from bot.web.membership import ChatAccess, MembershipUnknown, Role
from handlers.calendar import FEED_PATH
from storage.calendar import Feed, feed_for_token
from storage.db import Database
from storage.errors import StorageUnavailable

log = logging.getLogger(__name__)

_HEADERS = {
    # The address is the secret: no caches in between, no referrer to other sites; calendar
    # apps revalidate with the ETag instead.
    "Cache-Control": "private, no-cache",
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


def validators(feed: Feed, *, now: datetime) -> dict[str, str]:
    """The feed's ETag and Last-Modified headers (the latter never after `now`)."""
    changed = min(feed.changed_at or now, now)
    return {
        "ETag": f'"{feed.revision}-{now.year}-{FORMAT_VERSION}"',
        "Last-Modified": format_datetime(changed.astimezone(UTC), usegmt=True),
    }


def not_modified(request: Request, feed: Feed, etag: str) -> bool:
    """Whether the client's copy is current: its If-None-Match names the ETag, or (without
    If-None-Match, as RFC 9110 says) its If-Modified-Since is no earlier than the last change."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
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


def mount_calendar_feed(
    web: FastAPI, *, database: Database, access: ChatAccess, key: bytes
) -> None:
    """Serve `GET` and `HEAD /calendar/{token}.ics`; an unknown or revoked token, or one whose
    person left the group, is a bare 404 (the same answer for each)."""

    @web.api_route(FEED_PATH, methods=["GET", "HEAD"], include_in_schema=False)
    async def calendar_feed(token: str, request: Request) -> Response:
        """The list's open tasks with due times, as iCalendar."""
        try:
            feed = await feed_for_token(database, key=key, token=token)
        except StorageUnavailable:
            return _plain("database unavailable\n", 503)
        try:
            allowed = feed is not None and await still_allowed(access, feed)
        except MembershipUnknown:
            return _plain("try again later\n", 503, **{"Retry-After": _RETRY_MEMBERSHIP_SECONDS})
        if feed is None or not allowed:
            return _plain("not found\n", 404)
        now = datetime.now(UTC)
        headers = {**_HEADERS, **validators(feed, now=now)}
        if not_modified(request, feed, headers["ETag"]):
            return Response(status_code=304, headers=headers)
        return Response(
            render_calendar(feed, year=now.year),
            media_type="text/calendar; charset=utf-8",
            headers=headers,
        )
