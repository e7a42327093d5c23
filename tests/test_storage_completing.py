"""Completing a repeating task is one statement: it is marked done and opened again for its
next time together, under the once-only record of the update (or of the call), so a redelivery
or a lost answer can neither lose nor double the next occurrence."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import URL

from storage.assigning import assign, set_done_by_assignee
from storage.chat_settings import ChatSettings, save_chat_settings
from storage.db import Database
from storage.errors import DuplicateUpdate
from storage.recurrence import Recurrence
from storage.task_edits import edit_task
from storage.tasks import add_tasks, get_task, list_tasks, set_done, set_done_and_list
from storage.values import PageView
from testkit.pgproxy import PgProxy
from tests.conftest import url_text
from tests.factories import new_chat_id, new_update, new_user_id

BERLIN = ZoneInfo("Europe/Berlin")
# Monday 29 March 2027 09:00 in Berlin (summer time since the day before).
FIRST_DUE = datetime(2027, 3, 29, 9, 0, tzinfo=BERLIN).astimezone(UTC)
WEEKLY = Recurrence("weekly", 9, 0, weekdays=(0,))
NOW = FIRST_DUE - timedelta(hours=1)


async def _weekly_task_in_berlin(
    db: Database, *, group: bool = False, rule: Recurrence = WEEKLY
) -> int:
    chat = new_chat_id(group=group)
    await save_chat_settings(
        db, chat_id=chat, settings=ChatSettings("Europe/Berlin"), next_digest_at=None
    )
    await add_tasks(
        db,
        chat_id=chat,
        titles=["stand-up", "plain"],
        created_by=chat,
        due=[(FIRST_DUE, rule.encode()), (None, None)],
    )
    return chat


def next_after(moment: datetime) -> datetime:
    following = WEEKLY.next_after(moment, BERLIN)
    assert following is not None
    return following


async def test_completing_a_repeating_task_opens_it_for_its_next_time(db: Database) -> None:
    chat = await _weekly_task_in_berlin(db)
    result = await set_done(db, chat_id=chat, numbers=[1, 2], done=True, now=NOW)
    following = next_after(FIRST_DUE)
    assert following == datetime(2027, 4, 5, 9, 0, tzinfo=BERLIN)
    assert result.next_due == {1: following}
    repeating, plain = result.tasks
    assert (repeating.done, repeating.due_at, repeating.completed_at) == (False, following, None)
    assert plain.done and plain.completed_at is not None
    page = await list_tasks(db, chat_id=chat)
    assert (page.open_total, page.done_total) == (1, 1)
    assert [t.number for t in page.tasks] == [1]


async def test_completing_late_skips_the_occurrences_that_passed(db: Database) -> None:
    chat = await _weekly_task_in_berlin(db)
    late = FIRST_DUE + timedelta(days=15)
    result = await set_done(db, chat_id=chat, numbers=[1], done=True, now=late)
    assert result.next_due == {1: next_after(late)}


async def test_a_repeating_task_past_its_end_stays_done(db: Database) -> None:
    ending = Recurrence("weekly", 9, 0, weekdays=(0,), until=FIRST_DUE.date() + timedelta(days=3))
    chat = await _weekly_task_in_berlin(db, rule=ending)
    result = await set_done(db, chat_id=chat, numbers=[1], done=True, now=NOW)
    assert result.next_due == {} and result.tasks[0].done


async def test_opening_a_repeating_task_again_does_not_move_it(db: Database) -> None:
    chat = await _weekly_task_in_berlin(db)
    await set_done(db, chat_id=chat, numbers=[1], done=True, now=NOW)
    before = await get_task(db, chat_id=chat, number=1)
    result = await set_done(db, chat_id=chat, numbers=[1], done=False, now=NOW)
    assert result.next_due == {} and result.tasks[0].due_at == before.due_at


async def test_a_redelivered_completion_moves_the_task_once(db: Database) -> None:
    chat = await _weekly_task_in_berlin(db)
    update = new_update()
    await set_done(db, chat_id=chat, numbers=[1], done=True, update_key=update, now=NOW)
    with pytest.raises(DuplicateUpdate):
        await set_done(db, chat_id=chat, numbers=[1], done=True, update_key=update, now=NOW)
    assert (await get_task(db, chat_id=chat, number=1)).due_at == next_after(FIRST_DUE)


@pytest.mark.parametrize("with_update", [True, False], ids=["update key", "own key"])
async def test_a_lost_answer_under_a_completion_moves_the_task_once(
    proxied_database_url: tuple[URL, PgProxy], direct_db: Database, with_update: bool
) -> None:
    url, proxy = proxied_database_url
    database = Database.from_url(url_text(url), pool_size=1)
    chat = await _weekly_task_in_berlin(direct_db)
    try:
        await list_tasks(database, chat_id=chat)  # warm up the connection
        proxy.drop_next_answer()  # the completion commits, its answer never arrives
        result = await set_done(
            database,
            chat_id=chat,
            numbers=[1],
            done=True,
            update_key=new_update() if with_update else None,
            now=NOW,
        )
    finally:
        await database.close()
    following = next_after(FIRST_DUE)
    assert result.next_due == {1: following}  # the retry reports the first run's work
    task = await get_task(direct_db, chat_id=chat, number=1)
    assert (task.done, task.due_at) == (False, following)  # moved once, not twice


async def test_a_tick_on_the_list_shows_the_repeating_task_back_in_place(db: Database) -> None:
    chat = await _weekly_task_in_berlin(db)
    completed, page = await set_done_and_list(
        db,
        chat_id=chat,
        number=1,
        done=True,
        view=PageView(done=False, start=1),
        limit=10,
        now=NOW,
    )
    assert completed.next_due == next_after(FIRST_DUE)
    assert [(t.number, t.done, t.due_at) for t in page.tasks] == [
        (1, False, completed.next_due),
        (2, False, None),
    ]
    assert page == await list_tasks(db, chat_id=chat, limit=10)


async def test_the_api_edit_and_an_assignee_complete_the_same_way(db: Database) -> None:
    chat = await _weekly_task_in_berlin(db, group=True)
    edited = await edit_task(db, chat_id=chat, number=1, done=True, now=NOW)
    assert (edited.done, edited.due_at) == (False, next_after(FIRST_DUE))
    assignee = new_user_id()
    await assign(db, chat_id=chat, number=1, user_ids=[assignee])
    later = edited.due_at + timedelta(minutes=1)
    completed = await set_done_by_assignee(db, chat_id=chat, number=1, user_id=assignee, now=later)
    assert completed.next_due == next_after(later) and not completed.task.done
