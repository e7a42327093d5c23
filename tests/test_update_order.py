"""One chat's updates are handled in the order they came; other chats are not held back."""

import asyncio

from telegram import Chat, Message, Update, User

from bot.updates import PerChatUpdateProcessor
from storage.db import Database
from storage.tasks import list_tasks
from testkit.fake_telegram import FakeTelegram
from tests.factories import new_chat_id


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    user = User(chat_id, "U", is_bot=False)
    message = Message(update_id, date=None, chat=chat, from_user=user, text="x")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_processor_runs_one_chat_in_order_and_other_chats_alongside() -> None:
    processor = PerChatUpdateProcessor(max_workers=4)
    started: list[tuple[int, int]] = []
    release_first = asyncio.Event()
    other_chat_done = asyncio.Event()

    async def handle(update_id: int, chat_id: int) -> None:
        started.append((chat_id, update_id))
        if update_id == 1:
            await release_first.wait()  # the first update of chat 10 is slow
        if chat_id == 20:
            other_chat_done.set()

    updates = [(1, 10), (2, 10), (3, 10), (4, 20)]
    tasks = [
        asyncio.create_task(processor.process_update(_update(u, c), handle(u, c)))
        for u, c in updates
    ]
    # Chat 20 finishes while chat 10's first update still blocks its later ones.
    await asyncio.wait_for(other_chat_done.wait(), timeout=5)
    assert started == [(10, 1), (20, 4)]
    release_first.set()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=5)
    assert [u for c, u in started if c == 10] == [1, 2, 3]


async def test_processor_never_runs_more_than_its_workers() -> None:
    processor = PerChatUpdateProcessor(max_workers=3)
    running = 0
    most = 0
    full = asyncio.Event()
    gate = asyncio.Event()

    async def handle() -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        if running == 3:
            full.set()
        await gate.wait()
        running -= 1

    tasks = [
        asyncio.create_task(processor.process_update(_update(i, 1000 + i), handle()))
        for i in range(10)
    ]
    await asyncio.wait_for(full.wait(), timeout=5)
    gate.set()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=5)
    assert most == 3


async def test_burst_in_a_slow_chat_is_applied_in_order_and_does_not_hold_back_another_chat(
    telegram: FakeTelegram, direct_db: Database, running_app: object
) -> None:
    slow, quick = new_chat_id(), new_chat_id()
    hold = telegram.hold_chat(slow)
    mark = telegram.mark()

    def replied(chat: int, text: str):  # type: ignore[no-untyped-def]
        return lambda c: c.ok and c.params["chat_id"] == chat and text in c.params["text"]

    try:
        for i in range(1, 6):
            telegram.send_message(slow, f"/add slow {i}")
        telegram.send_message(quick, "/add quick")
        # The slow chat's first reply hangs; the quick chat is answered meanwhile.
        await asyncio.wait_for(hold.reached.wait(), timeout=10)
        await telegram.wait_for("sendMessage", replied(quick, "quick"), after=mark)
    finally:
        hold.released.set()
        del telegram.held_chats[slow]
    await telegram.wait_for("sendMessage", replied(slow, "slow 5"), after=mark)
    page = await list_tasks(direct_db, chat_id=slow)
    assert [(t.number, t.title) for t in page.tasks] == [(i, f"slow {i}") for i in range(1, 6)]
