"""A bot with a public web address serving its calendar feeds, and the people who ask it for
their feed addresses (in their private chat, or in a group, where the address comes privately)."""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import icalendar
from sqlalchemy.engine import URL
from telegram.ext import Application

from bot.runner import running_bot
from bot.web.calendar_limits import RateLimiter
from bot.web.membership import ChatAccess
from bot.web.server import create_web_app
from testkit.fake_telegram import FakeTelegram
from testkit.postgres import free_port
from tests.botdriver import ChatDriver, Reply
from tests.conftest import bot_settings
from tests.factories import new_chat_id, new_user_id
from tests.webapp import served

PUBLIC_URL = "https://todo.example.test"
FEED_URL = re.compile(re.escape(PUBLIC_URL) + r"(/calendar/[A-Za-z0-9_-]{43}\.ics)")


@dataclass
class FeedBot:
    """The bot (`application`), its fake Bot API, and a client of its web server."""

    application: Application  # type: ignore[type-arg]
    telegram: FakeTelegram
    client: httpx.AsyncClient

    def private_chat(self) -> ChatDriver:
        """A new user in their private chat with the bot."""
        user = new_user_id()
        return ChatDriver(self.telegram, chat_id=user, user_id=user)

    def group(self) -> ChatDriver:
        """A new user in a new group with the bot."""
        return ChatDriver(
            self.telegram,
            chat_id=new_chat_id(group=True),
            user_id=new_user_id(),
            chat_type="group",
        )

    async def start_privately(self, member: ChatDriver) -> None:
        """The member sends /start to the bot in their private chat."""
        await ChatDriver(self.telegram, chat_id=member.user_id, user_id=member.user_id).send(
            "/start"
        )

    async def feed_path(self, chat: ChatDriver, command: str = "/calendar") -> str:
        """The feed path the bot gives for `command`: in a private chat as the reply, in a
        group in a private message to the sender (the group's reply must not hold it)."""
        reply, private = await self.ask(chat, command)
        text = reply.text if chat.chat_type == "private" else private
        found = FEED_URL.search(text or "")
        assert found, (reply.text, private)
        assert chat.chat_type == "private" or "/calendar/" not in reply.text
        return found.group(1)

    async def ask(self, chat: ChatDriver, command: str) -> tuple[Reply, str | None]:
        """The reply to `command` in its chat, and the text the bot sent to the sender's
        private chat meanwhile (None: nothing)."""
        mark = self.telegram.mark()
        reply = await chat.send(command)
        private = [
            str(call.params["text"])
            for call in self.telegram.calls[mark:]
            if call.method == "sendMessage"
            and call.ok
            and str(call.params.get("chat_id")) == str(chat.user_id)
            and chat.chat_id != chat.user_id
        ]
        return reply, private[-1] if private else None

    async def feed(self, path: str) -> icalendar.Calendar:
        """The feed at `path`, which must be served."""
        response = await self.client.get(path)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        return icalendar.Calendar.from_ical(response.content)

    async def status(self, path: str) -> int:
        return (await self.client.get(path)).status_code


@asynccontextmanager
async def running_feed_bot(
    telegram: FakeTelegram,
    database_url: URL,
    *,
    may_reject: str = "",
    limit: RateLimiter | None = None,
) -> AsyncIterator[FeedBot]:
    """A bot of the test's own with PUBLIC_URL set, and a client of its web app, which asks
    Telegram about membership on every fetch and limits fetches with `limit` (default: hardly
    at all). It fails the test on any call Telegram would refuse, but for those refused with
    `may_reject`."""
    settings = bot_settings(
        telegram,
        database_url,
        public_url=PUBLIC_URL,
        webhook_listen="127.0.0.1",
        port=free_port(),  # (the bot's own web server, which these tests do not use)
    )
    async with running_bot(settings, poll_timeout=1) as app:
        web = create_web_app(
            app,
            database=app.bot_data.database,
            webhook=None,
            access=ChatAccess(app.bot, cache_seconds=0),
            calendar_limit=limit or RateLimiter(burst=1000, every=0.001),
        )
        async with served(web) as client:
            yield FeedBot(app, telegram, client)
    # (getUpdates meets 409 by design when the bot restarts its poll; that is no rejection)
    rejected = [
        call.describe()
        for call in telegram.calls
        if not call.ok
        and call.method != "getUpdates"
        and not (may_reject and may_reject in str(call.response.get("description")))
    ]
    assert rejected == [], "Telegram would have rejected:\n" + "\n".join(rejected)
