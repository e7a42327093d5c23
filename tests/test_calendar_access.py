"""Who can read a calendar feed: each person has their own address of a list, a group's comes
privately and ends with membership, resets end one's own (an admin's, everyone's), forged
tokens find nothing, addresses from before keep working without being stored, and no address
reaches the log."""

import base64
import hashlib
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from alembic import command
from sqlalchemy.engine import URL

from handlers.i18n import _, use_language
from storage.calendar import feed_address, feed_token
from storage.db import Database, parse_database_url
from storage.feed_contents import feed_for_token
from storage.migrate import alembic_config, migrate
from testkit.fake_telegram import TEST_BOT_TOKEN, FakeTelegram
from testkit.postgres import asyncpg_dsn, create_database, drop_database, free_port
from testkit.processes import BotProcess, bot_environment
from tests.botdriver import ChatDriver
from tests.conftest import url_text
from tests.factories import new_user_id
from tests.feedbot import FEED_URL, PUBLIC_URL, FeedBot, running_feed_bot

KEY = b"k" * 32


@pytest.fixture
async def feed_bot(own_telegram: FakeTelegram, database_url: URL) -> AsyncIterator[FeedBot]:
    async with running_feed_bot(own_telegram, database_url, may_reject="blocked") as bot:
        yield bot


def _summaries(calendar: object) -> list[str]:
    return [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]  # type: ignore[attr-defined]


async def test_in_a_group_the_address_comes_privately_and_never_into_the_group(
    feed_bot: FeedBot,
) -> None:
    group = feed_bot.group()
    await group.send("/add Team call @ 2027-03-01 09:00")
    await feed_bot.start_privately(group)
    reply, private = await feed_bot.ask(group, "/calendar")
    assert reply.text == "📅 I sent you your calendar address in a private message."
    assert private is not None and "Team call" not in private
    found = FEED_URL.search(private)
    assert found and "stops working when you leave the group" in private
    assert _summaries(await feed_bot.feed(found.group(1))) == ["Team call"]
    group_texts = [
        str(call.params.get("text"))
        for call in feed_bot.telegram.calls
        if str(call.params.get("chat_id")) == str(group.chat_id)
    ]
    assert not any("/calendar/" in text for text in group_texts)


async def test_the_private_address_speaks_the_members_language_and_the_group_its_own(
    feed_bot: FeedBot,
) -> None:
    group = feed_bot.group()
    feed_bot.telegram.set_user_language(group.user_id, "de")
    await feed_bot.start_privately(group)
    reply, private = await feed_bot.ask(group, "/calendar")
    assert reply.text == "📅 I sent you your calendar address in a private message."
    with use_language("de"):
        said = _("It stops working when you leave the group.")
    assert private is not None and said in private and FEED_URL.search(private)


async def test_a_member_who_never_started_the_bot_is_told_to_first(
    feed_bot: FeedBot, direct_db: Database
) -> None:
    group = feed_bot.group()
    reply, private = await feed_bot.ask(group, "/calendar")
    assert "first open a chat with @todo_test_bot and press Start" in reply.text
    assert private is None
    connection = await direct_db.engine.connect()
    try:
        made = await connection.exec_driver_sql(
            f"SELECT count(*) FROM calendar_feeds WHERE list_id = {group.chat_id}"
        )
        assert made.scalar() == 0
    finally:
        await connection.close()


async def test_a_member_who_blocked_the_bot_gets_no_address_in_the_group(
    feed_bot: FeedBot,
) -> None:
    group = feed_bot.group()
    await feed_bot.start_privately(group)
    feed_bot.telegram.block_chat(group.user_id)
    reply, _ = await feed_bot.ask(group, "/calendar")
    assert "press Start" in reply.text and "/calendar/" not in reply.text


async def test_members_have_their_own_addresses_and_a_reset_ends_only_ones_own(
    feed_bot: FeedBot,
) -> None:
    anna = feed_bot.group()
    bob = anna.as_user(new_user_id(), "Bob")
    for member in (anna, bob):
        await feed_bot.start_privately(member)
    annas, bobs = await feed_bot.feed_path(anna), await feed_bot.feed_path(bob)
    assert annas != bobs
    assert await feed_bot.feed_path(anna) == annas  # shown again, unchanged
    reply, _ = await feed_bot.ask(anna, "/calendar reset")
    assert reply.text.startswith("🔄 I sent you a new calendar address privately")
    renewed = await feed_bot.feed_path(anna)
    assert renewed != annas
    assert [await feed_bot.status(path) for path in (annas, renewed, bobs)] == [404, 200, 200]


async def test_a_removed_member_loses_their_feed(feed_bot: FeedBot) -> None:
    group = feed_bot.group()
    await feed_bot.start_privately(group)
    path = await feed_bot.feed_path(group)
    # (feed_bot's web app asks Telegram on every fetch; the bot's own caches answers a minute)
    assert await feed_bot.status(path) == 200
    feed_bot.telegram.set_chat_member(group.chat_id, group.user_id, "left")
    gone = await feed_bot.client.get(path)
    assert (gone.status_code, gone.text) == (404, "not found\n")
    feed_bot.telegram.set_chat_member(group.chat_id, group.user_id, "kicked")
    assert await feed_bot.status(path) == 404
    feed_bot.telegram.set_chat_member(group.chat_id, group.user_id, "member")
    assert await feed_bot.status(path) == 200


async def test_an_admin_ends_every_address_of_the_group_and_a_member_cannot(
    feed_bot: FeedBot,
) -> None:
    admin = feed_bot.group()
    member = admin.as_user(new_user_id(), "Member")
    for person in (admin, member):
        await feed_bot.start_privately(person)
    paths = [await feed_bot.feed_path(admin), await feed_bot.feed_path(member)]
    refused = await member.send("/calendar reset all")
    assert refused.text.startswith("Only the group's admins")
    assert [await feed_bot.status(path) for path in paths] == [200, 200]
    feed_bot.telegram.set_chat_member(admin.chat_id, admin.user_id, "administrator")
    done = await admin.send("/calendar reset all")
    assert "stops working now (2 ended)" in done.text
    assert [await feed_bot.status(path) for path in paths] == [404, 404]
    assert await feed_bot.feed_path(member) not in paths


async def test_an_anonymous_admin_gets_no_address_but_may_end_them_all(
    feed_bot: FeedBot,
) -> None:
    group = feed_bot.group()
    as_group = {"sender_chat": {"id": group.chat_id, "type": "group", "title": "G"}}
    reply = await group.send("/calendar", **as_group)
    assert reply.text.startswith("📅 Calendar addresses are personal")
    reply = await group.send("/calendar reset all", **as_group)
    assert "stops working now (0 ended)" in reply.text


async def test_forged_and_altered_tokens_find_nothing(feed_bot: FeedBot) -> None:
    chat = feed_bot.private_chat()
    path = await feed_bot.feed_path(chat)
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    # The last character carries two spare bits: another spelling of the same bytes.
    spare = token[:-1] + ("A" if token[-1] not in "ABCD" else "E")
    feed_id = int.from_bytes(base64.urlsafe_b64decode(token + "=")[:8], "big")
    other_key = feed_token(b"another secret", feed_id)
    for forged in (flipped, spare, other_key, "A" * 43, "x"):
        response = await feed_bot.client.get(f"/calendar/{forged}.ics")
        assert (response.status_code, response.text) == (404, "not found\n"), forged
    assert await feed_bot.status(path) == 200


@pytest.fixture
async def empty_database(pg_admin_url: URL) -> AsyncIterator[URL]:
    url = await create_database(pg_admin_url, prefix="todo_calendar_migration")
    yield url
    await drop_database(pg_admin_url, url)


async def test_addresses_from_before_keep_working_and_only_their_hashes_are_kept(
    empty_database: URL,
) -> None:
    settings = parse_database_url(url_text(empty_database))
    database = Database(settings)
    try:
        async with database.engine.connect() as connection:

            def before_personal_feeds(sync: object) -> None:
                config = alembic_config()
                config.attributes["connection"] = sync
                command.upgrade(config, "0008")  # 0009 made feeds personal

            await connection.run_sync(before_personal_feeds)
            await connection.commit()
        old = {5: "P" * 43, -1005: "G" * 43}
        connection = await asyncpg.connect(asyncpg_dsn(empty_database))
        try:
            for chat_id, token in old.items():
                await connection.execute(
                    "INSERT INTO chats (chat_id, calendar_token) VALUES ($1, $2)", chat_id, token
                )
            # (in SQL as it was then: today's statements name columns of later migrations)
            await connection.execute(
                "INSERT INTO tasks (chat_id, number, title, created_by) VALUES (5, 1, 'mine', 5)"
            )
        finally:
            await connection.close()
        await migrate(settings)

        connection = await asyncpg.connect(asyncpg_dsn(empty_database))
        try:
            dump = await connection.fetchval(
                "SELECT string_agg(f::text, ' ') FROM calendar_feeds AS f"
            )
            has_column = await connection.fetchval(
                "SELECT count(*) FROM information_schema.columns"
                " WHERE table_name = 'chats' AND column_name = 'calendar_token'"
            )
        finally:
            await connection.close()
        assert has_column == 0
        for token in old.values():
            assert token not in dump and hashlib.sha256(token.encode()).hexdigest() in dump
        private = await feed_for_token(database, key=KEY, token=old[5])
        shared = await feed_for_token(database, key=KEY, token=old[-1005])
        assert private is not None and (private.list_id, private.user_id) == (5, 5)
        assert shared is not None and (shared.list_id, shared.user_id) == (-1005, None)

        # Asking again shows a new-style address of the same feed; the old one still works
        # until a reset, which ends both.
        shown = await feed_address(
            database, key=KEY, list_id=5, chat_id=5, user_id=5, private=True
        )
        assert shown.token is not None and shown.token != old[5]
        assert await feed_for_token(database, key=KEY, token=old[5]) == private
        assert await feed_for_token(database, key=KEY, token=shown.token) == private
        renewed = await feed_address(
            database, key=KEY, list_id=5, chat_id=5, user_id=5, private=True, reset=True
        )
        assert await feed_for_token(database, key=KEY, token=old[5]) is None
        assert await feed_for_token(database, key=KEY, token=shown.token) is None
        assert renewed.token is not None
        assert await feed_for_token(database, key=KEY, token=renewed.token) is not None
    finally:
        await database.close()


async def test_feed_addresses_never_reach_the_log_even_at_debug(
    own_telegram: FakeTelegram, database_url: URL, tmp_path: Path
) -> None:
    port = free_port()
    process = BotProcess(
        environment=bot_environment(
            BOT_TOKEN=TEST_BOT_TOKEN,
            DATABASE_URL=url_text(database_url),
            TELEGRAM_BASE_URL=own_telegram.base_url,
            PUBLIC_URL=PUBLIC_URL,
            PORT=str(port),
            WEBHOOK_LISTEN="127.0.0.1",
            LOG_LEVEL="DEBUG",
        ),
        cwd=tmp_path,
    )
    await process.start()
    try:
        await process.wait_for_log("is up")
        user = new_user_id()
        reply = await ChatDriver(own_telegram, chat_id=user, user_id=user).send("/calendar")
        found = FEED_URL.search(reply.text)
        assert found
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get(found.group(1))).status_code == 200
            assert (await client.get("/calendar/" + "Z" * 43 + ".ics")).status_code == 404
        assert await process.stop(signal.SIGTERM) == 0
    finally:
        await process.kill()
    token = found.group(1).removeprefix("/calendar/").removesuffix(".ics")
    assert token not in process.log and "Z" * 43 not in process.log
    # python-telegram-bot logged the reply that carried the address, with it redacted.
    assert "/calendar/<redacted>.ics" in process.log
