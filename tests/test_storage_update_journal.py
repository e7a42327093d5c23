"""The journal of received updates: batches recorded with the handled ones forgotten in the
same statement, and what is left over taken at the next start (polling's crash safety)."""

import json

from storage.db import Database
from storage.update_journal import forget_handled, record_received, take_left_over
from tests.factories import new_bot_id, new_update_id


def _update(update_id: int, text: str) -> tuple[int, str]:
    return update_id, json.dumps({"update_id": update_id, "message": {"text": text}})


async def test_a_recorded_batch_is_left_over_until_forgotten(db: Database) -> None:
    bot = new_bot_id()
    first, second = new_update_id(), new_update_id()
    await record_received(
        db, bot_id=bot, received=[_update(second, "b"), _update(first, "ä")], handled=[]
    )
    left = await take_left_over(db, bot_id=bot)
    assert [(u.update_id, json.loads(u.body)["message"]["text"]) for u in left] == [
        (first, "ä"),
        (second, "b"),
    ]
    assert [u.replays for u in left] == [1, 1]
    assert [u.replays for u in await take_left_over(db, bot_id=bot)] == [2, 2]
    await forget_handled(db, bot_id=bot, handled=[first, second])
    assert await take_left_over(db, bot_id=bot) == []


async def test_the_next_batch_forgets_what_was_handled_since_the_last(db: Database) -> None:
    bot = new_bot_id()
    handled, unhandled, new = new_update_id(), new_update_id(), new_update_id()
    await record_received(
        db, bot_id=bot, received=[_update(handled, "x"), _update(unhandled, "y")], handled=[]
    )
    await record_received(db, bot_id=bot, received=[_update(new, "z")], handled=[handled])
    assert [u.update_id for u in await take_left_over(db, bot_id=bot)] == [unhandled, new]


async def test_recording_a_batch_again_keeps_one_record_each(db: Database) -> None:
    bot, update = new_bot_id(), new_update_id()
    for _ in range(2):
        await record_received(db, bot_id=bot, received=[_update(update, "once")], handled=[])
    assert [u.update_id for u in await take_left_over(db, bot_id=bot)] == [update]


async def test_each_bot_has_a_journal_of_its_own(db: Database) -> None:
    bot, other_bot, update = new_bot_id(), new_bot_id(), new_update_id()
    await record_received(db, bot_id=bot, received=[_update(update, "mine")], handled=[])
    await record_received(db, bot_id=other_bot, received=[_update(update, "its")], handled=[])
    await forget_handled(db, bot_id=other_bot, handled=[update])
    left = await take_left_over(db, bot_id=bot)
    assert [json.loads(u.body)["message"]["text"] for u in left] == ["mine"]
    assert await take_left_over(db, bot_id=other_bot) == []
