"""/calendar in a private chat and the feed it gives, end to end: a bot with a public URL
serving its web app, the fake Bot API, PostgreSQL, and the feed read by the `icalendar` package."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy.engine import URL
from telegram import Update

from storage.db import Database
from storage.transfer import export_tasks
from testkit.fake_telegram import FakeTelegram
from tests.botdriver import ChatDriver
from tests.feedbot import FEED_URL, FeedBot, running_feed_bot

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")


def _mine(chat: ChatDriver) -> Any:
    return lambda call: call.ok and str(call.params.get("chat_id")) == str(chat.chat_id)


@pytest.fixture
async def feed_bot(own_telegram: FakeTelegram, database_url: URL) -> AsyncIterator[FeedBot]:
    async with running_feed_bot(own_telegram, database_url) as bot:
        yield bot


def _events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


async def test_the_feed_lists_open_tasks_with_due_times_and_repeat_rules(
    feed_bot: FeedBot, direct_db: Database
) -> None:
    chat = feed_bot.private_chat()
    await chat.send("/timezone Europe/Berlin")
    await chat.send(
        "/add Call Anna, Bob; and Carl @ 2027-03-01 09:00\n"
        "Gym @ every monday 7:30 until 2030-01-31\n"
        "Standup @ every weekday 10:00\n"
        "Water plants @ every day 8:00\n"
        "No due time\n"
        "Finished @ 2027-03-02 10:00"
    )
    await chat.send("/note 1 Numbers:\n+49 30 1234, ext. 5; ask for \\ Carl")
    await chat.send("/done 6")
    calendar = await feed_bot.feed(await feed_bot.feed_path(chat))

    events = _events(calendar)
    assert set(events) == {"Call Anna, Bob; and Carl", "Gym", "Standup", "Water plants"}
    tasks = {t.title: t for t in (await export_tasks(direct_db, chat_id=chat.chat_id)).tasks}
    call = events["Call Anna, Bob; and Carl"]
    assert call["UID"] == f"{tasks['Call Anna, Bob; and Carl'].id}@todo-bot"
    # DTSTAMP is the task's last change, not the time of the fetch (RFC 5545, no METHOD).
    changed = tasks["Call Anna, Bob; and Carl"].updated_at.replace(microsecond=0)
    assert call.decoded("DTSTAMP") == call.decoded("LAST-MODIFIED") == changed
    assert call.decoded("DTSTART") == datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    assert str(call["DESCRIPTION"]) == "Numbers:\n+49 30 1234, ext. 5; ask for \\ Carl"
    assert "RRULE" not in call

    gym = events["Gym"]
    berlin = ZoneInfo("Europe/Berlin")
    start = gym.decoded("DTSTART")
    assert start == tasks["Gym"].due_at
    assert start.astimezone(berlin).strftime("%a %H:%M") == "Mon 07:30"
    assert gym["DTSTART"].params["TZID"] == "Europe/Berlin"
    rule = gym["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["MO"]
    assert rule["UNTIL"][0].astimezone(berlin).date() == date(2030, 1, 31)
    assert events["Standup"]["RRULE"]["BYDAY"] == ["MO", "TU", "WE", "TH", "FR"]
    assert events["Water plants"]["RRULE"]["FREQ"] == ["DAILY"]
    assert any(tz["TZID"] == "Europe/Berlin" for tz in calendar.walk("VTIMEZONE"))


async def test_ics_text_is_escaped_and_folded(feed_bot: FeedBot) -> None:
    chat = feed_bot.private_chat()
    title = "Ünïcödé, semi; back\\slash " + "long " * 40
    await chat.send(f"/add {title} @ 2027-03-01 09:00")
    response = await feed_bot.client.get(await feed_bot.feed_path(chat))
    lines = response.content.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    unfolded = response.content.replace(b"\r\n ", b"").decode()
    assert "SUMMARY:Ünïcödé\\, semi\\; back\\\\slash long" in unfolded
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [title.strip()]


async def test_another_chats_tasks_are_never_in_the_feed(feed_bot: FeedBot) -> None:
    mine, theirs = feed_bot.private_chat(), feed_bot.group()
    await feed_bot.start_privately(theirs)
    await mine.send("/add Mine @ 2027-03-01 09:00")
    await theirs.send("/add Theirs @ 2027-03-01 09:00")
    my_feed = await feed_bot.feed(await feed_bot.feed_path(mine))
    their_feed = await feed_bot.feed(await feed_bot.feed_path(theirs))
    assert list(_events(my_feed)) == ["Mine"]
    assert list(_events(their_feed)) == ["Theirs"]


async def test_the_address_stays_until_reset_revokes_it(feed_bot: FeedBot) -> None:
    chat = feed_bot.private_chat()
    await chat.send("/add Mine @ 2027-03-01 09:00")
    first = await feed_bot.feed_path(chat)
    assert await feed_bot.feed_path(chat) == first
    second = await feed_bot.feed_path(chat, "/calendar reset")
    assert second != first
    revoked = await feed_bot.client.get(first)
    unknown = await feed_bot.client.get("/calendar/" + "A" * 43 + ".ics")
    junk = await feed_bot.client.get("/calendar/x.ics")
    for response in (revoked, unknown, junk):
        assert response.status_code == 404
        assert response.text == revoked.text == "not found\n"
    assert list(_events(await feed_bot.feed(second))) == ["Mine"]


async def test_a_redelivered_reset_keeps_the_address_it_gave(feed_bot: FeedBot) -> None:
    chat = feed_bot.private_chat()
    first = await feed_bot.feed_path(chat)
    telegram = feed_bot.telegram
    mark = telegram.mark()
    update = telegram.send_message(chat.chat_id, "/calendar reset", user_id=chat.user_id)
    await telegram.wait_for("sendMessage", _mine(chat), after=mark)
    await feed_bot.application.process_update(Update.de_json(update, feed_bot.application.bot))
    answers = [c for c in telegram.calls[mark:] if c.method == "sendMessage" and _mine(chat)(c)]
    paths = [FEED_URL.search(str(c.params["text"])) for c in answers]
    assert len(paths) == 2 and all(paths)
    assert paths[0].group(1) == paths[1].group(1) != first  # type: ignore[union-attr]
    assert (await feed_bot.client.get(paths[0].group(1))).status_code == 200  # type: ignore[union-attr]


async def test_without_a_public_url_the_bot_says_how_to_set_one(private_chat: ChatDriver) -> None:
    reply = await private_chat.send("/calendar")
    assert "PUBLIC_URL" in reply.text and "/calendar/" not in reply.text


async def test_calendar_with_other_words_explains_usage(private_chat: ChatDriver) -> None:
    reply = await private_chat.send("/calendar please")
    assert "Usage: /calendar" in reply.text


async def test_an_unchanged_feed_is_the_same_bytes_and_etag(feed_bot: FeedBot) -> None:
    chat = feed_bot.private_chat()
    await chat.send("/timezone Europe/Berlin")
    await chat.send("/add Gym @ every monday 7:30\nDentist @ 2027-03-01 09:00")
    path = await feed_bot.feed_path(chat)
    first, second = await feed_bot.client.get(path), await feed_bot.client.get(path)
    assert first.content == second.content
    assert first.headers["etag"] == second.headers["etag"]
    assert first.headers["etag"].startswith('"') and not first.headers["etag"].startswith("W/")
    assert first.headers["last-modified"] == second.headers["last-modified"]


async def test_a_matching_etag_gets_304_until_the_feed_changes(feed_bot: FeedBot) -> None:
    chat = feed_bot.private_chat()
    await chat.send(
        "/add One @ 2027-03-01 09:00\nTwo @ 2027-03-02 09:00\nThree @ 2027-03-03 09:00"
    )
    path = await feed_bot.feed_path(chat)
    response = await feed_bot.client.get(path)
    dated = await feed_bot.client.get(
        path, headers={"If-Modified-Since": response.headers["last-modified"]}
    )
    assert (dated.status_code, dated.content) == (304, b"")
    changes = [
        "/edit 1 One, renamed",
        "/note 1 with a note",
        "/due 2 2027-04-02 10:00",
        "/add Four @ 2027-03-04 09:00",
        "/done 3",
        "/delete 4",
        "/due 2 off",
        "/timezone Europe/Paris",
        "/due 1 every friday 8:00",
    ]
    seen_etags = {response.headers["etag"]}
    for change in changes:
        etag, last_modified = response.headers["etag"], response.headers["last-modified"]
        unchanged = await feed_bot.client.get(path, headers={"If-None-Match": etag})
        assert (unchanged.status_code, unchanged.content) == (304, b"")
        assert unchanged.headers["etag"] == etag
        await chat.send(change)
        response = await feed_bot.client.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 200, change
        assert response.headers["etag"] not in seen_etags, change
        seen_etags.add(response.headers["etag"])
        # A client that knows only the date sees the change too, even within the same second
        # (each change gets a later Last-Modified; one not yet reached is sent as now).
        dated = await feed_bot.client.get(path, headers={"If-Modified-Since": last_modified})
        assert dated.status_code == 200, change
    later = format_datetime(parsedate_to_datetime(last_modified) + timedelta(minutes=1))
    assert (
        await feed_bot.client.get(path, headers={"If-Modified-Since": later})
    ).status_code == 304
    assert [
        str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    ] == ["One, renamed"]


async def test_head_answers_as_get_does_without_a_body(feed_bot: FeedBot) -> None:
    chat = feed_bot.private_chat()
    await chat.send("/add Dentist @ 2027-03-01 09:00")
    path = await feed_bot.feed_path(chat)
    got, head = await feed_bot.client.get(path), await feed_bot.client.head(path)
    assert (head.status_code, head.content) == (200, b"")
    for name in ("etag", "last-modified", "content-type", "cache-control"):
        assert head.headers[name] == got.headers[name]
    again = await feed_bot.client.head(path, headers={"If-None-Match": got.headers["etag"]})
    assert again.status_code == 304
    assert (await feed_bot.client.head("/calendar/" + "A" * 43 + ".ics")).status_code == 404


async def test_a_client_that_takes_gzip_gets_the_file_gzipped(feed_bot: FeedBot) -> None:
    chat = feed_bot.private_chat()
    await chat.send("/add Dentist @ 2027-03-01 09:00")
    path = await feed_bot.feed_path(chat)
    plain = await feed_bot.client.get(path, headers={"Accept-Encoding": "identity"})
    zipped = await feed_bot.client.get(path, headers={"Accept-Encoding": "gzip"})
    refused = await feed_bot.client.get(path, headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in plain.headers and "content-encoding" not in refused.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content == refused.content  # (httpx unzips it)
    assert int(zipped.headers["content-length"]) < len(plain.content)
    assert zipped.headers["etag"] != plain.headers["etag"] == refused.headers["etag"]
    assert zipped.headers["vary"] == "Accept-Encoding"
    for etag in (plain.headers["etag"], zipped.headers["etag"]):
        again = await feed_bot.client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304


async def test_labels_and_priority_are_categories_and_priority_and_the_checklist_is_noted(
    feed_bot: FeedBot,
) -> None:
    chat = feed_bot.private_chat()
    await chat.send(
        "/add Call the bank #Finance #urgent !1 @ 2027-03-01 09:00\n- papers\n- pin\n"
        "Pay rent #home !3 @ 2027-03-02 09:00\nPlain @ 2027-03-03 09:00"
    )
    path = await feed_bot.feed_path(chat)
    events = _events(await feed_bot.feed(path))
    bank = events["Call the bank #Finance #urgent"]
    assert bank["CATEGORIES"].cats == ["finance", "urgent"]
    assert bank["PRIORITY"] == 1 and events["Pay rent #home"]["PRIORITY"] == 9
    assert str(bank["DESCRIPTION"]) == "☐ papers\n☐ pin"
    assert "CATEGORIES" not in events["Plain"] and "PRIORITY" not in events["Plain"]
    # Ticking an item changes the feed (its revision follows the task's last change).
    shown = await chat.send("/show 1")
    await chat.press(shown, "⬜ 1. papers")
    again = _events(await feed_bot.feed(path))
    assert str(again["Call the bank #Finance #urgent"]["DESCRIPTION"]) == "☑ papers\n☐ pin"
