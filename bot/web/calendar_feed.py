"""The chat's calendar feed: `GET /calendar/{token}.ics`, an iCalendar (RFC 5545) file of the
open tasks with due times, for calendar apps to subscribe to.

The ICS text is made by the `icalendar` package: it escapes text values (commas, semicolons,
backslashes, newlines), folds lines at 75 octets without splitting a UTF-8 character, and
writes the VTIMEZONE of a zone that repeating tasks keep their wall time in.
"""

import logging
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI, Response
from icalendar import Calendar, Event

from bot.web.calendar_rrule import rrule_of, rule_start
from handlers.calendar import FEED_PATH
from storage.calendar import Feed, feed_for_token
from storage.db import Database
from storage.errors import StorageUnavailable
from storage.local_time import chat_zone
from storage.models import Task
from storage.recurrence import InvalidRecurrence, Recurrence

log = logging.getLogger(__name__)

_HEADERS = {
    # The address is the secret: no caches in between, no referrer to other sites.
    "Cache-Control": "private, no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def _rule(task: Task) -> Recurrence | None:
    """The task's repeat rule, or None (none, or one that cannot be read)."""
    try:
        return Recurrence.decode(task.recurrence) if task.recurrence else None
    except InvalidRecurrence:
        return None


def render_calendar(feed: Feed, *, now: datetime) -> bytes:
    """The feed as an iCalendar file."""
    tz = chat_zone(feed.timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//todo-bot//tasks//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "To-do")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for task in feed.tasks:
        assert task.due_at is not None
        event = Event()
        event.add("uid", f"{task.id}@todo-bot")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("last-modified", task.updated_at.astimezone(UTC))
        event.add("summary", task.title)
        if task.description:
            event.add("description", task.description)
        rule = _rule(task)
        rrule = rrule_of(rule, tz) if rule is not None else None
        start = rule_start(rule, task.due_at, tz) if rule is not None else None
        if rrule is None or start is None:
            event.add("dtstart", task.due_at.astimezone(UTC))
        else:
            # A repeating task keeps its wall time across DST changes, so its start is given in
            # the chat's zone (with that zone's VTIMEZONE), not in UTC.
            event.add("dtstart", start)
            event.add("rrule", rrule)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


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
            render_calendar(feed, now=datetime.now(UTC)),
            media_type="text/calendar; charset=utf-8",
            headers=_HEADERS,
        )
