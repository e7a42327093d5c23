"""/calendar and the feed it gives, end to end: a bot with a public URL serving its web app,
the fake Bot API, PostgreSQL, and the feed read by the `icalendar` package."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest
from sqlalchemy.engine import URL
from telegram import Update

from bot.runner import running_bot
from handlers.context import BotApplication
from storage.db import Database
from storage.transfer import export_tasks
from testkit.fake_telegram import FakeTelegram
from testkit.postgres import free_port
from tests.botdriver import ChatDriver
from tests.conftest import bot_settings
from tests.factories import new_chat_id, new_user_id

PUBLIC_URL = "https://todo.example.test"
pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")
_FEED_URL = re.compile(re.escape(PUBLIC_URL) + r"(/calendar/[A-Za-z0-9_-]{43}\.ics)")


def _mine(chat: ChatDriver) -> Any:
    return lambda call: call.ok and str(call.params.get("chat_id")) == str(chat.chat_id)


@dataclass
class FeedBot:
    application: BotApplication
    telegram: FakeTelegram
    client: httpx.AsyncClient

    def chat(self, *, group: bool = False) -> ChatDriver:
        user = new_user_id()
        if group:
            return ChatDriver(
                self.telegram, chat_id=new_chat_id(group=True), user_id=user, chat_type="group"
            )
        return ChatDriver(self.telegram, chat_id=user, user_id=user)

    async def feed_path(self, chat: ChatDriver, command: str = "/calendar") -> str:
        reply = await chat.send(command)
        found = _FEED_URL.search(reply.text)
        assert found, reply.text
        return found.group(1)

    async def feed(self, path: str) -> icalendar.Calendar:
        response = await self.client.get(path)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        return icalendar.Calendar.from_ical(response.content)


@pytest.fixture
async def feed_bot(own_telegram: FakeTelegram, database_url: URL) -> AsyncIterator[FeedBot]:
    """A bot of the test's own with PUBLIC_URL set, its web app on a local port."""
    port = free_port()
    settings = bot_settings(
        own_telegram,
        database_url,
        public_url=PUBLIC_URL,
        webhook_listen="127.0.0.1",
        port=port,
    )
    async with (
        running_bot(settings, poll_timeout=1) as application,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client,
    ):
        yield FeedBot(application, own_telegram, client)
    # (getUpdates meets 409 by design when the bot restarts its poll; that is no rejection)
    rejected = [c.describe() for c in own_telegram.calls if not c.ok and c.method != "getUpdates"]
    assert rejected == [], "Telegram would have rejected:\n" + "\n".join(rejected)


def _events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


async def test_the_feed_lists_open_tasks_with_due_times_and_repeat_rules(
    feed_bot: FeedBot, direct_db: Database
) -> None:
    chat = feed_bot.chat()
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
    chat = feed_bot.chat()
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
    mine, theirs = feed_bot.chat(), feed_bot.chat(group=True)
    await mine.send("/add Mine @ 2027-03-01 09:00")
    await theirs.send("/add Theirs @ 2027-03-01 09:00")
    my_feed = await feed_bot.feed(await feed_bot.feed_path(mine))
    their_feed = await feed_bot.feed(await feed_bot.feed_path(theirs))
    assert list(_events(my_feed)) == ["Mine"]
    assert list(_events(their_feed)) == ["Theirs"]


async def test_the_address_stays_until_reset_revokes_it(feed_bot: FeedBot) -> None:
    chat = feed_bot.chat()
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
    chat = feed_bot.chat()
    first = await feed_bot.feed_path(chat)
    telegram = feed_bot.telegram
    mark = telegram.mark()
    update = telegram.send_message(chat.chat_id, "/calendar reset", user_id=chat.user_id)
    await telegram.wait_for("sendMessage", _mine(chat), after=mark)
    await feed_bot.application.process_update(Update.de_json(update, feed_bot.application.bot))
    answers = [c for c in telegram.calls[mark:] if c.method == "sendMessage" and _mine(chat)(c)]
    paths = [_FEED_URL.search(str(c.params["text"])) for c in answers]
    assert len(paths) == 2 and all(paths)
    assert paths[0].group(1) == paths[1].group(1) != first  # type: ignore[union-attr]
    assert (await feed_bot.client.get(paths[0].group(1))).status_code == 200  # type: ignore[union-attr]


async def test_without_a_public_url_the_bot_says_how_to_set_one(private_chat: ChatDriver) -> None:
    reply = await private_chat.send("/calendar")
    assert "PUBLIC_URL" in reply.text and "/calendar/" not in reply.text


async def test_calendar_with_other_words_explains_usage(private_chat: ChatDriver) -> None:
    reply = await private_chat.send("/calendar please")
    assert "Usage: /calendar" in reply.text
