"""Due times and reminders in storage: exclusive claims, expiring leases, guarded finishes."""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from storage.chat_settings import ChatSettings, get_chat_settings, save_chat_settings
from storage.claims import claim_due_digests, claim_due_reminders, finish_digest, finish_reminder
from storage.db import Database
from storage.deleting import delete_task
from storage.recurrence import Recurrence
from storage.reminders import due_until, set_due, set_nag, snooze
from storage.tasks import add_tasks, get_task, set_task_done
from storage.zoned import (
    add_tasks_in_zone,
    change_chat_settings,
    due_today,
    set_due_in_zone,
    set_task_done_with_settings,
    snooze_in_zone,
)
from tests.factories import new_chat_id

# Far in the future, so that no other test's reminders are due at these instants.
NOW = datetime(2040, 1, 15, 9, 0, tzinfo=UTC)


def _mine(claims: list, chat: int) -> list:  # type: ignore[type-arg]
    return [c for c in claims if c.task.chat_id == chat]


async def test_settings_of_a_new_chat_are_unset_and_can_be_saved(direct_db: Database) -> None:
    chat = new_chat_id()
    assert await get_chat_settings(direct_db, chat_id=chat) == ChatSettings()
    wanted = ChatSettings(
        "Europe/Berlin", quiet_start=22 * 60, quiet_end=7 * 60, digest_minute=480
    )
    await save_chat_settings(direct_db, chat_id=chat, settings=wanted, next_digest_at=NOW)
    assert await get_chat_settings(direct_db, chat_id=chat) == wanted


async def test_a_due_reminder_is_claimed_by_exactly_one_of_two_schedulers(
    direct_db: Database, pooled_db: Database
) -> None:
    chat = new_chat_id()
    await add_tasks(direct_db, chat_id=chat, titles=[f"t{i}" for i in range(20)], created_by=chat)
    for number in range(1, 21):
        await set_due(direct_db, chat_id=chat, number=number, due_at=NOW - timedelta(minutes=1))
    lease = NOW + timedelta(minutes=1)
    first, second = await asyncio.gather(
        claim_due_reminders(direct_db, now=NOW, lease_until=lease, limit=500),
        claim_due_reminders(pooled_db, now=NOW, lease_until=lease, limit=500),
    )
    numbers = [c.task.number for c in _mine(first, chat)] + [
        c.task.number for c in _mine(second, chat)
    ]
    assert sorted(numbers) == list(range(1, 21))
    again = await claim_due_reminders(direct_db, now=NOW, lease_until=lease, limit=500)
    assert _mine(again, chat) == []


async def test_a_claim_whose_sender_died_comes_due_again_after_its_lease(
    direct_db: Database,
) -> None:
    chat = new_chat_id()
    await add_tasks(direct_db, chat_id=chat, titles=["a"], created_by=chat)
    await set_due(direct_db, chat_id=chat, number=1, due_at=NOW - timedelta(minutes=1))
    lease = NOW + timedelta(minutes=1)
    (claim,) = _mine(await claim_due_reminders(direct_db, now=NOW, lease_until=lease), chat)
    assert claim.due == NOW - timedelta(minutes=1)
    later = lease + timedelta(seconds=1)
    (again,) = _mine(
        await claim_due_reminders(direct_db, now=later, lease_until=later + timedelta(minutes=1)),
        chat,
    )
    assert again.task.number == 1


async def test_finishing_a_claim_sets_the_next_reminder_unless_the_user_changed_it(
    direct_db: Database,
) -> None:
    chat = new_chat_id()
    await add_tasks(direct_db, chat_id=chat, titles=["a", "b"], created_by=chat)
    for number in (1, 2):
        await set_due(direct_db, chat_id=chat, number=number, due_at=NOW - timedelta(minutes=1))
    lease = NOW + timedelta(minutes=1)
    claims = _mine(await claim_due_reminders(direct_db, now=NOW, lease_until=lease), chat)
    by_number = {c.task.number: c for c in claims}
    # The user snoozes #2 while the scheduler is sending.
    await snooze(direct_db, chat_id=chat, number=2, until=NOW + timedelta(hours=3), now=NOW)
    nag = NOW + timedelta(minutes=30)
    for claim in claims:
        await finish_reminder(
            direct_db, task_id=claim.task.id, lease_until=lease, next_at=nag, failures=0
        )
    later = await claim_due_reminders(
        direct_db, now=NOW + timedelta(hours=2), lease_until=NOW + timedelta(hours=3)
    )
    assert [c.task.number for c in _mine(later, chat)] == [1]
    assert by_number[2].task.number == 2


async def test_done_and_deleted_tasks_are_never_reminded(direct_db: Database) -> None:
    chat = new_chat_id()
    await add_tasks(direct_db, chat_id=chat, titles=["done", "deleted", "open"], created_by=chat)
    for number in (1, 2, 3):
        await set_due(direct_db, chat_id=chat, number=number, due_at=NOW - timedelta(minutes=5))
    await set_task_done(direct_db, chat_id=chat, number=1, done=True)
    await delete_task(direct_db, chat_id=chat, number=2)
    claims = await claim_due_reminders(direct_db, now=NOW, lease_until=NOW + timedelta(minutes=1))
    assert [c.task.number for c in _mine(claims, chat)] == [3]


async def test_due_until_lists_overdue_and_today_in_order(direct_db: Database) -> None:
    chat = new_chat_id()
    await add_tasks(direct_db, chat_id=chat, titles=["later", "overdue", "today"], created_by=chat)
    await set_due(direct_db, chat_id=chat, number=1, due_at=NOW + timedelta(days=3))
    await set_due(direct_db, chat_id=chat, number=2, due_at=NOW - timedelta(days=1))
    await set_due(direct_db, chat_id=chat, number=3, due_at=NOW + timedelta(hours=2))
    tasks = await due_until(direct_db, chat_id=chat, until=NOW + timedelta(hours=12))
    assert [t.title for t in tasks] == ["overdue", "today"]


async def test_due_time_nag_and_next_occurrence_are_stored(direct_db: Database) -> None:
    chat = new_chat_id()
    await add_tasks(direct_db, chat_id=chat, titles=["weekly"], created_by=chat)
    task = await set_due(
        direct_db, chat_id=chat, number=1, due_at=NOW, recurrence="weekly:0:09:00:"
    )
    assert (task.due_at, task.recurrence) == (NOW, "weekly:0:09:00:")
    assert (await set_nag(direct_db, chat_id=chat, number=1, minutes=15)).nag_minutes == 15
    completed = await set_task_done(direct_db, chat_id=chat, number=1, done=True, now=NOW)
    following = Recurrence.decode("weekly:0:09:00:").next_after(NOW, ZoneInfo("UTC"))
    reopened = completed.task
    assert completed.next_due == following
    assert (reopened.done, reopened.due_at, reopened.completed_at) == (False, following, None)
    cleared = await set_due(direct_db, chat_id=chat, number=1, due_at=None)
    assert (cleared.due_at, cleared.recurrence) == (None, None)
    assert (await get_task(direct_db, chat_id=chat, number=1)).nag_minutes == 15


async def test_digest_claims_are_exclusive_and_finish_schedules_the_next(
    direct_db: Database,
) -> None:
    chat = new_chat_id()
    settings = ChatSettings("UTC", digest_minute=8 * 60)
    await save_chat_settings(
        direct_db, chat_id=chat, settings=settings, next_digest_at=NOW - timedelta(minutes=1)
    )
    lease = NOW + timedelta(minutes=1)
    first, second = await asyncio.gather(
        claim_due_digests(direct_db, now=NOW, lease_until=lease),
        claim_due_digests(direct_db, now=NOW, lease_until=lease),
    )
    mine = [c for c in first + second if c.chat_id == chat]
    assert len(mine) == 1 and mine[0].settings == settings
    tomorrow = NOW + timedelta(days=1)
    await finish_digest(direct_db, chat_id=chat, lease_until=lease, next_at=tomorrow)
    assert [
        c
        for c in await claim_due_digests(
            direct_db, now=NOW + timedelta(hours=2), lease_until=lease
        )
        if c.chat_id == chat
    ] == []
    later = await claim_due_digests(direct_db, now=tomorrow, lease_until=tomorrow)
    assert [c.chat_id for c in later if c.chat_id == chat] == [chat]


KOLKATA = "Asia/Kolkata"  # +05:30: NOW (09:00 UTC) is 14:30 there, its day ends at 18:29:59 UTC


async def test_due_today_is_up_to_the_end_of_the_lists_local_day(direct_db: Database) -> None:
    chat = new_chat_id()
    await save_chat_settings(
        direct_db, chat_id=chat, settings=ChatSettings(KOLKATA), next_digest_at=None
    )
    titles = ["overdue", "tonight", "after midnight there", "done", "no due time"]
    await add_tasks(direct_db, chat_id=chat, titles=titles, created_by=chat)
    dues = [NOW - timedelta(days=2), NOW + timedelta(hours=9, minutes=29)]
    dues += [NOW + timedelta(hours=9, minutes=31), NOW]
    for number, due_at in enumerate(dues, start=1):
        await set_due(direct_db, chat_id=chat, number=number, due_at=due_at)
    await set_task_done(direct_db, chat_id=chat, number=4, done=True)
    tasks, settings = await due_today(direct_db, chat_id=chat, now=NOW)
    assert [t.title for t in tasks] == ["overdue", "tonight"]
    assert settings.timezone == KOLKATA
    # The same as due_until with the day's end worked out by hand.
    until = datetime(2040, 1, 15, 18, 29, 59, 999999, tzinfo=UTC)
    assert tasks == await due_until(direct_db, chat_id=chat, until=until)
    # A list never seen: no tasks, settings unset (UTC).
    assert await due_today(direct_db, chat_id=new_chat_id(), now=NOW) == ([], ChatSettings())


async def test_changes_that_read_the_lists_zone_first_give_it_to_the_parse(
    direct_db: Database,
) -> None:
    chat = new_chat_id()
    await save_chat_settings(
        direct_db, chat_id=chat, settings=ChatSettings(KOLKATA), next_digest_at=None
    )
    zones: list[ZoneInfo] = []

    def in_a_day(tz: ZoneInfo) -> datetime:
        zones.append(tz)
        return NOW + timedelta(days=1)

    added, settings = await add_tasks_in_zone(
        direct_db,
        chat_id=chat,
        titles=["a", "b"],
        due=lambda tz: [(in_a_day(tz), "daily::09:00:"), (None, None)],
        created_by=chat,
    )
    assert [(t.due_at, t.recurrence) for t in added] == [
        (NOW + timedelta(days=1), "daily::09:00:"),
        (None, None),
    ]
    assert settings.timezone == KOLKATA
    task, _ = await set_due_in_zone(
        direct_db, chat_id=chat, number=2, due=lambda tz: (in_a_day(tz), None)
    )
    assert task.due_at == NOW + timedelta(days=1)
    task, until, _ = await snooze_in_zone(direct_db, chat_id=chat, number=2, until=in_a_day)
    assert until == NOW + timedelta(days=1) and task.number == 2
    assert zones == [ZoneInfo(KOLKATA)] * 3
    completed, settings = await set_task_done_with_settings(
        direct_db, chat_id=chat, number=1, now=NOW
    )
    assert completed.next_due is not None and settings.timezone == KOLKATA


async def test_changing_a_setting_keeps_the_others_and_schedules_the_digest(
    direct_db: Database,
) -> None:
    chat = new_chat_id()
    start = ChatSettings("Europe/Berlin", quiet_start=22 * 60, quiet_end=7 * 60)
    await save_chat_settings(direct_db, chat_id=chat, settings=start, next_digest_at=None)
    stored = await change_chat_settings(
        direct_db,
        chat_id=chat,
        change=lambda old: ChatSettings(old.timezone, old.quiet_start, old.quiet_end, 8 * 60),
        now=NOW,
    )
    assert stored == ChatSettings("Europe/Berlin", 22 * 60, 7 * 60, digest_minute=8 * 60)
    assert await get_chat_settings(direct_db, chat_id=chat) == stored
    # 08:00 in Berlin (+01:00 in January) after NOW (10:00 there) is the next day's.
    next_digest = datetime(2040, 1, 16, 7, 0, tzinfo=UTC)
    claims = await claim_due_digests(
        direct_db, now=next_digest, lease_until=next_digest + timedelta(minutes=1), limit=1000
    )
    assert [c.chat_id for c in claims if c.chat_id == chat] == [chat]
