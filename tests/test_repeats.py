"""The new repeats end to end, through the fake Bot API: set with /due and /add, said back,
and completing (by /done, a list button or a reminder's ✅ Done) brings the task back for its
next time by its rule; a rule counted from completion counts from the day it was done."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage.db import Database
from storage.recurrence import Recurrence
from storage.reminders import set_due
from storage.tasks import get_task
from testkit.fake_telegram import FakeTelegram
from tests.botdriver import ChatDriver
from tests.factories import new_user_id

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")
BERLIN = ZoneInfo("Europe/Berlin")


async def _due(db: Database, chat: ChatDriver, number: int = 1) -> datetime:
    task = await get_task(db, chat_id=chat.chat_id, number=number)
    assert task.due_at is not None and not task.done
    return task.due_at


async def test_every_other_friday_comes_back_two_weeks_on(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/timezone Europe/Berlin")
    await private_chat.send("/add Team lunch")
    reply = await private_chat.send("/due 1 every other friday 12:00")
    assert reply.text.splitlines()[1] == "🔁 every other Friday at 12:00"
    first = await _due(direct_db, private_chat)
    assert first.astimezone(BERLIN).strftime("%a %H:%M") == "Fri 12:00"
    done = await private_chat.send("/done 1")
    assert "🔁 #1 is back for its next time." in done.text
    second = await _due(direct_db, private_chat)
    assert second.astimezone(BERLIN) == (first.astimezone(BERLIN) + timedelta(weeks=2))
    # Ticking it off in the list does the same.
    listed = await private_chat.send("/list")
    answer, _ = await private_chat.press(listed, "⬜ #1")
    assert answer == "✅ #1 done; it is back for its next time"
    third = await _due(direct_db, private_chat)
    assert third.astimezone(BERLIN).date() == second.astimezone(BERLIN).date() + timedelta(14)


async def test_the_last_day_of_the_month_and_the_first_monday_come_back_a_month_on(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    added = await private_chat.send(
        "/add Pay rent @ every last day of the month 9:00\nReview @ every first monday"
    )
    assert added.text.startswith("➕ Added 2 tasks:")
    rent, review = await _due(direct_db, private_chat, 1), await _due(direct_db, private_chat, 2)
    await private_chat.send("/done 1 2")
    next_rent = await _due(direct_db, private_chat, 1)
    next_review = await _due(direct_db, private_chat, 2)
    assert (rent + timedelta(days=1)).day == (next_rent + timedelta(days=1)).day == 1
    assert (next_rent.year * 12 + next_rent.month) - (rent.year * 12 + rent.month) == 1
    assert next_review.weekday() == 0 and next_review.day <= 7
    assert (next_review.year * 12 + next_review.month) - (review.year * 12 + review.month) == 1


async def test_every_bang_three_days_counts_from_the_day_it_was_done(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/add Water the ficus")
    reply = await private_chat.send("/due 1 every! 3 days 20:00")
    assert reply.text.splitlines()[1] == ("🔁 every 3 days at 20:00, counted from when it is done")
    before = datetime.now(UTC)
    await private_chat.send("/done 1")
    after = datetime.now(UTC)
    rule = Recurrence("daily", 20, 0, interval=3, from_done=True)
    assert await _due(direct_db, private_chat) in {
        rule.next_after(before, ZoneInfo("UTC")),
        rule.next_after(after, ZoneInfo("UTC")),
    }


async def test_a_title_with_repeat_words_but_no_marker_stays_a_title(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    reply = await private_chat.send("/add Buy milk every other friday remind 1h before")
    assert reply.text == "➕ Added #1 Buy milk every other friday remind 1h before"
    task = await get_task(direct_db, chat_id=private_chat.chat_id, number=1)
    assert (task.due_at, task.recurrence, task.remind_before) == (None, None, ())


async def test_an_ambiguous_or_impossible_repeat_is_refused_with_what_works(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/add Meeting")
    ambiguous = await private_chat.send("/due 1 every 2nd friday")
    assert "could mean two things: say every other friday" in ambiguous.text
    too_long = await private_chat.send("/due 1 every 400 days")
    assert "too seldom" in too_long.text
    task = await get_task(direct_db, chat_id=private_chat.chat_id, number=1)
    assert task.due_at is None


async def test_help_gives_an_example_of_repeats_and_reminders_before(
    private_chat: ChatDriver,
) -> None:
    reply = await private_chat.send("/help")
    assert "/remind — Remind before the due time too: /remind 3 1h before" in reply.text
    assert "every other friday 18:00" in reply.text and "every! 3" in reply.text
    assert "remind 1d 1h before" in reply.text


async def test_a_rule_stored_before_the_new_repeats_still_comes_back(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/add Gym")
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    due = datetime.combine(monday, datetime.min.time(), UTC) + timedelta(hours=7)
    await set_due(
        direct_db, chat_id=private_chat.chat_id, number=1, due_at=due, recurrence="weekly:0:07:00:"
    )
    shown = await private_chat.send("/show 1")
    assert "Repeats: every Monday at 07:00" in shown.text
    await private_chat.send("/done 1")
    assert await _due(direct_db, private_chat) == due + timedelta(weeks=1)


@pytest.mark.parametrize(
    ("telegram_code", "phrase", "reminders", "described"),
    [
        (
            "de",
            "jeden zweiten Freitag 18:00 erinnern 1 Tag vorher",
            "/remind 1 1 Stunde vorher",
            "jeden zweiten Freitag um 18:00",
        ),
        (
            "ru",
            "каждую вторую пятницу в 18:00",
            "/remind 1 за 1 час",
            "каждую вторую пятницу в 18:00",
        ),
        (
            "es",
            "cada dos viernes a las 18",
            "/remind 1 1 hora antes",
            "cada dos viernes a las 18:00",
        ),
    ],
)
async def test_a_chat_in_another_language_repeats_and_reminds_in_its_words(
    telegram: FakeTelegram,
    direct_db: Database,
    telegram_code: str,
    phrase: str,
    reminders: str,
    described: str,
) -> None:
    user = new_user_id()
    telegram.set_user_language(user, telegram_code)
    chat = ChatDriver(telegram, chat_id=user, user_id=user)
    await chat.send("/add Team lunch")
    reply = await chat.send(f"/due 1 {phrase}")
    assert reply.text.splitlines()[1] == f"🔁 {described}"
    await chat.send(reminders)
    task = await get_task(direct_db, chat_id=user, number=1)
    assert task.remind_before == (60,) and task.recurrence is not None
    rule = Recurrence.decode(task.recurrence)
    assert (rule.freq, rule.interval, rule.weekdays, rule.hour) == ("weekly", 2, (4,), 18)
