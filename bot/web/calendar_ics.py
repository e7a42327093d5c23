"""The calendar feed's file: a list's open tasks with due times as iCalendar (RFC 5545).

The text is made by the `icalendar` package: it escapes text values (commas, semicolons,
backslashes, newlines) and folds lines at 75 octets without splitting a UTF-8 character. The
VTIMEZONE of the zone repeating tasks keep their wall time in is written by bot.web.vtimezone.
Every value comes from the stored tasks (DTSTAMP too is the task's last change, as RFC 5545 asks
of a file without METHOD), so the same tasks always give the same bytes.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.web.calendar_rrule import repeating_events
from bot.web.vtimezone import odd_wall_times, vtimezone
from storage.feed_contents import Feed
from storage.local_time import chat_zone, wall_to_utc
from storage.recurrence import InvalidRecurrence, Recurrence
from storage.values import Task

# Part of every ETag: raise it when the same tasks start giving other bytes, so that calendar
# apps fetch the feed again instead of being told it is unchanged.
FORMAT_VERSION = 4
# RFC 5545's PRIORITY of each of the bot's (1-4 high, 5 medium, 6-9 low).
ICAL_PRIORITY = {1: 1, 2: 5, 3: 9}
# How many years ahead the occurrences on clock-change nights are spelled out (see _moved),
# and how many at most in one file (a file of 1,000 daily 02:30 tasks would have 6,000).
MOVED_YEARS = 2
MAX_MOVED = 1_000


def _repeat_rule(task: Task) -> Recurrence | None:
    """The task's repeat rule, or None (none, or one that cannot be read)."""
    try:
        return Recurrence.decode(task.recurrence) if task.recurrence else None
    except InvalidRecurrence:
        return None


def _moved(
    rule: Recurrence, first: datetime, tz: ZoneInfo, *, year: int
) -> list[tuple[datetime, datetime]]:
    """The occurrences from `first` on (the year before `year` at the earliest, MOVED_YEARS
    ahead at the latest) whose wall time the zone skips or repeats: (wall time, the bot's UTC
    instant).

    Readers disagree there: RFC 5545 (and the bot) take a skipped 02:30 in the offset before
    the gap and a repeated one at its first occurrence; ical.js and dateutil take the other
    offset. Each such occurrence is written again as an override (RECURRENCE-ID) that gives
    its instant in UTC, which every reader takes as it is.
    """
    moved = []
    for y in range(max(first.astimezone(tz).year, year - 1), year + MOVED_YEARS + 1):
        for start, end in odd_wall_times(tz, y):
            for day in sorted({start.date(), (end - timedelta(microseconds=1)).date()}):
                wall = datetime.combine(day, time(rule.hour, rule.minute))
                if not (start <= wall < end and rule.falls_on(day)):
                    continue
                if rule.until is not None and day > rule.until:
                    continue
                instant = wall_to_utc(wall, tz)
                if instant >= first:
                    moved.append((wall.replace(tzinfo=tz), instant))
    return moved


def _describe(event: Event, task: Task, uid_suffix: str = "") -> None:
    event.add("uid", f"{task.id}{uid_suffix}@todo-bot")
    event.add("dtstamp", task.updated_at.astimezone(UTC))
    event.add("last-modified", task.updated_at.astimezone(UTC))
    event.add("summary", task.title)
    notes = [task.description] if task.description else []
    if task.checklist:
        notes.append("\n".join(f"{'☑' if i.done else '☐'} {i.text}" for i in task.checklist))
    if notes:
        event.add("description", "\n\n".join(notes))
    if task.labels:
        event.add("categories", list(task.labels))
    if task.priority in ICAL_PRIORITY:
        event.add("priority", ICAL_PRIORITY[task.priority])


def _events(task: Task, tz: ZoneInfo, *, year: int) -> tuple[list[Event], list[Event]]:
    """The task as events (one, or a repeating one's several: bot.web.calendar_rrule), and a
    repeating one's overrides for clock-change nights."""
    assert task.due_at is not None
    event = Event()
    _describe(event, task)
    rule = _repeat_rule(task)
    # A repeating task keeps its wall time across DST changes, so its start is given in the
    # list's zone (with that zone's VTIMEZONE), not in UTC: the rule's wall time on the due
    # date (a due time in a DST gap shows a later hour, which must not become the rule's).
    repeating = repeating_events(rule, task.due_at, tz) if rule is not None else []
    if rule is None or not repeating:
        # No repeat, one counted from completion (no RRULE says it), or a due time that is no
        # occurrence of its rule (an import may hold one): its next time alone.
        event.add("dtstart", task.due_at.astimezone(UTC))
        return [event], []
    events = []
    for part in repeating:
        if part.uid_suffix:
            event = Event()
            _describe(event, task, part.uid_suffix)
        event.add("dtstart", part.start)
        event.add("rrule", part.rrule)
        events.append(event)
    overrides = []
    for occurrence, instant in _moved(rule, task.due_at, tz, year=year):
        if occurrence.month == 2 and len(repeating) > 1:
            continue  # (no zone changes its clocks on the last night of February)
        override = Event()
        _describe(override, task)
        override.add("recurrence-id", occurrence)
        override.add("dtstart", instant)
        overrides.append(override)
    return events, overrides


def render_calendar(feed: Feed, *, year: int) -> bytes:
    """The feed as an iCalendar file; `year` is the current one (the zone's rules from then)."""
    tz = chat_zone(feed.timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//todo-bot//tasks//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "To-do")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    events = []
    moved = 0
    for task in feed.tasks:  # earliest due first: those keep their overrides
        task_events, overrides = _events(task, tz, year=year)
        events += task_events
        events += overrides[: max(0, MAX_MOVED - moved)]
        moved += len(overrides)
    # icalendar writes a UTC time with Z and any other with TZID, which needs a VTIMEZONE
    # (given first: some readers want a zone defined before it is used).
    zones = {str(e["DTSTART"].params["TZID"]) for e in events if "TZID" in e["DTSTART"].params}
    for name in sorted(zones):
        calendar.add_component(vtimezone(name, year))
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()
