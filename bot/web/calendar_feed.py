"""The calendar feed over HTTP: `GET /calendar/{token}.ics`, a list's open tasks with due times
as an iCalendar file (bot.web.calendar_ics), for calendar apps to subscribe to."""

import logging
from datetime import UTC, datetime

from fastapi import FastAPI, Response

from bot.web.calendar_ics import render_calendar
from handlers.calendar import FEED_PATH
from storage.calendar import feed_for_token
from storage.db import Database
from storage.errors import StorageUnavailable

log = logging.getLogger(__name__)

_HEADERS = {
    # The address is the secret: no caches in between, no referrer to other sites.
    "Cache-Control": "private, no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def mount_calendar_feed(web: FastAPI, *, database: Database) -> None:
    """Serve `GET /calendar/{token}.ics`; an unknown or revoked token is a bare 404."""

    @web.get(FEED_PATH, include_in_schema=False)
    async def calendar_feed(token: str) -> Response:
        """The chat's open tasks with due times, as iCalendar."""
        try:
            feed = await feed_for_token(database, token=token)
        except StorageUnavailable:
            return Response("database unavailable\n", status_code=503, media_type="text/plain")
        if feed is None:
            return Response("not found\n", status_code=404, media_type="text/plain")
        return Response(
            render_calendar(feed, year=datetime.now(UTC).year),
            media_type="text/calendar; charset=utf-8",
            headers=_HEADERS,
        )
