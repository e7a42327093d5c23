"""The calendar feed over HTTP: `GET /calendar/{token}.ics`, a list's open tasks with due times
as an iCalendar file (bot.web.calendar_ics), for calendar apps to subscribe to.

A feed is a person's: it is served while they may read the list (a group's member), asked
through `still_allowed`, the one place this module asks who may read what. The token is the
secret and never logged: uvicorn's access log is off (bot/web/server.py), and bot/logs.py
redacts feed addresses from every other line, such as the Bot API calls logged at DEBUG.
"""

import logging
from datetime import UTC, datetime

from fastapi import FastAPI, Response

from bot.web.calendar_ics import render_calendar
from bot.web.membership import ChatAccess, MembershipUnknown, Role
from handlers.calendar import FEED_PATH
from storage.calendar import Feed, feed_for_token
from storage.db import Database
from storage.errors import StorageUnavailable

log = logging.getLogger(__name__)

_HEADERS = {
    # The address is the secret: no caches in between, no referrer to other sites.
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


def mount_calendar_feed(
    web: FastAPI, *, database: Database, access: ChatAccess, key: bytes
) -> None:
    """Serve `GET /calendar/{token}.ics`; an unknown or revoked token, or one whose person left
    the group, is a bare 404 (the same answer for each)."""

    @web.get(FEED_PATH, include_in_schema=False)
    async def calendar_feed(token: str) -> Response:
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
        return Response(
            render_calendar(feed, year=datetime.now(UTC).year),
            media_type="text/calendar; charset=utf-8",
            headers=_HEADERS,
        )
