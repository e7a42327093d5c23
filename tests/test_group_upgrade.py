"""A basic group upgraded to a supergroup, end to end over the fake Bot API: the list, numbers,
settings and reminders move to the new chat id whichever service message comes first, and with
each message handled by another instance at once; a message still carrying the old id is
answered in the supergroup; a reminder sent to the old id follows to the new one."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from bot.runner import running_bot
from bot.scheduler import Scheduler
from bot.settings import Settings
from handlers.context import BotApplication
from storage.chat_settings import get_chat_settings
from storage.db import Database
from storage.reminders import set_due
from storage.tasks import add_tasks, get_task, list_tasks
from testkit.fake_telegram import ApiCall, FakeTelegram
from testkit.postgres import free_port
from tests.botdriver import ChatDriver
from tests.conftest import bot_settings
from tests.factories import new_basic_group_id, new_chat_id, new_user_id

UPGRADED = "group chat was upgraded to a supergroup chat"
pytestmark = [
    pytest.mark.usefixtures("telegram_calls_all_ok"),
    pytest.mark.telegram_may_reject(UPGRADED),
]

# Far ahead of the real clock, so the session bot's own scheduler never sends these.
T = datetime(2043, 2, 3, 9, 0, tzinfo=UTC)


def _basic_group(telegram: FakeTelegram) -> ChatDriver:
    return ChatDriver(
        telegram, chat_id=new_basic_group_id(), user_id=new_user_id(), chat_type="group"
    )


def _sent_to(telegram: FakeTelegram, chat: int, mark: int) -> list[ApiCall]:
    return [
        c
        for c in telegram.calls[mark:]
        if c.method == "sendMessage" and c.ok and c.params["chat_id"] == chat
    ]


async def _answer_in(telegram: FakeTelegram, chat: int, mark: int) -> str:
    """The text of the bot's next message in `chat` after `mark`."""
    call = await telegram.wait_for(
        "sendMessage", lambda c: c.ok and c.params["chat_id"] == chat, after=mark
    )
    return str(telegram.messages[(chat, call.response["message_id"])]["text"])


@pytest.mark.parametrize("migrate_from_first", [False, True], ids=["to-first", "from-first"])
async def test_an_upgraded_group_keeps_its_list_whichever_message_comes_first(
    telegram: FakeTelegram,
    running_app: BotApplication,
    direct_db: Database,
    migrate_from_first: bool,
) -> None:
    group = _basic_group(telegram)
    await group.send("/add Milk\nBread\nEggs")
    await group.send("/timezone Europe/Berlin")
    await group.send("/done 2")
    new = new_chat_id(group=True)

    telegram.upgrade_group(
        group.chat_id, new, user_id=group.user_id, migrate_from_first=migrate_from_first
    )
    # A command still sent with the old id (before the upgrade, handled after it) acts on the
    # moved list, and its answer comes in the supergroup.
    mark = telegram.mark()
    telegram.send_message(group.chat_id, "/list", user_id=group.user_id, chat_type="group")
    listed = await _answer_in(telegram, new, mark)

    assert listed.splitlines()[2:4] == ["#1 Milk", "#3 Eggs"]
    supergroup = ChatDriver(telegram, chat_id=new, user_id=group.user_id, chat_type="supergroup")
    assert (await supergroup.send("/list")).text == listed
    assert (await supergroup.send("/add Butter")).text == "➕ Added #4 Butter"
    assert (await get_chat_settings(direct_db, chat_id=new)).timezone == "Europe/Berlin"
    page = await list_tasks(direct_db, chat_id=new, done=True)
    assert [(t.chat_id, t.number) for t in page.tasks] == [(new, 2)]
    assert (page.open_total, page.done_total) == (3, 1)


async def test_a_reminder_to_a_group_that_became_a_supergroup_unheard_follows_it(
    telegram: FakeTelegram, running_app: BotApplication, direct_db: Database
) -> None:
    old, new, user = new_basic_group_id(), new_chat_id(group=True), new_user_id()
    await add_tasks(direct_db, chat_id=old, titles=["Water plants", "Later"], created_by=user)
    await set_due(direct_db, chat_id=old, number=1, due_at=T)
    # The group was upgraded while the bot heard nothing of it (its updates were lost).
    telegram.send_message(old, "hi", user_id=user, chat_type="group")
    telegram.send_message(new, "hi", user_id=user, chat_type="supergroup")
    telegram.migrated_chats[old] = new
    mark = telegram.mark()

    await Scheduler(direct_db, running_app.bot, clock=lambda: T).tick()

    (reminder,) = _sent_to(telegram, new, mark)
    assert str(reminder.params["text"]).startswith("⏰ <b>#1</b> Water plants")
    assert [c.status for c in telegram.calls[mark:] if c.params.get("chat_id") == old] == [400]
    assert (await get_task(direct_db, chat_id=new, number=2)).title == "Later"


# -- two instances ----------------------------------------------------------------------------

WEBHOOK_URL = "https://todo.example.test/tg-webhook"


@pytest.fixture
async def two_instances(
    own_telegram: FakeTelegram, database_url: URL
) -> AsyncIterator[tuple[list[Settings], httpx.AsyncClient]]:
    """Two bot instances in webhook mode on the test database, and a client to post to them."""
    async with AsyncExitStack() as stack, httpx.AsyncClient(timeout=30) as client:
        started = []
        for _ in range(2):
            settings = bot_settings(
                own_telegram,
                database_url,
                webhook_url=WEBHOOK_URL,
                webhook_listen="127.0.0.1",
                port=free_port(),
            )
            await stack.enter_async_context(running_bot(settings))
            started.append(settings)
        yield started, client


async def _deliver(client: httpx.AsyncClient, settings: Settings, update: dict[str, Any]) -> int:
    response = await client.post(
        f"http://127.0.0.1:{settings.port}/tg-webhook",
        content=json.dumps(update),
        headers={
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": settings.webhook_secret_token(),
        },
    )
    return response.status_code


async def test_two_instances_each_told_of_the_upgrade_at_once_move_the_list_once(
    two_instances: tuple[list[Settings], httpx.AsyncClient],
    own_telegram: FakeTelegram,
    direct_db: Database,
) -> None:
    (first, second), client = two_instances
    old, new, user = new_basic_group_id(), new_chat_id(group=True), new_user_id()
    add = own_telegram.send_message(old, "/add A\nB\nC", user_id=user, chat_type="group")
    assert await _deliver(client, first, add) == 200
    moved_out, joined, moved_in = own_telegram.upgrade_group(old, new, user_id=user)

    statuses = await asyncio.gather(
        _deliver(client, first, moved_out),
        _deliver(client, second, moved_in),
        _deliver(client, second, moved_out),
        _deliver(client, first, joined),
    )

    assert statuses == [200] * 4
    page = await list_tasks(direct_db, chat_id=new)
    assert [(t.chat_id, t.number, t.title) for t in page.tasks] == [
        (new, 1, "A"),
        (new, 2, "B"),
        (new, 3, "C"),
    ]
    assert page.open_total == 3
    mark = own_telegram.mark()
    add = own_telegram.send_message(new, "/add D", user_id=user, chat_type="supergroup")
    assert await _deliver(client, second, add) == 200
    assert await _answer_in(own_telegram, new, mark) == "➕ Added #4 D"
    assert timedelta(0) < datetime.now(UTC) - page.tasks[0].created_at < timedelta(minutes=5)
