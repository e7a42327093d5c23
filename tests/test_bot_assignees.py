"""Assignees in groups end to end: /assign by @username and by reply, unknown names, /unassign,
Take it / Drop it, /mine across groups (a group left is not shown), and reminders of assigned
tasks: privately in the assignee's own time zone, in the group for those who never started the
bot, Done from a private reminder, and forged or stale presses that change nothing."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.scheduler import Scheduler
from handlers.context import BotApplication
from storage.assignees import assignees_of
from storage.assigning import assign
from storage.db import Database
from storage.reminders import set_due
from storage.tasks import add_task, get_task
from testkit.fake_telegram import ApiCall, FakeTelegram
from tests.botdriver import ChatDriver, Reply
from tests.factories import new_chat_id, new_user_id

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")

# Far ahead of the real clock, so the session bot's own scheduler never sends these.
T = datetime(2042, 5, 6, 9, 0, tzinfo=UTC)
REFUSED = "🔒 Only the people this task is assigned to can do that, while they are in its group."


def _person(telegram: FakeTelegram, name: str) -> ChatDriver:
    """A new user in their private chat with the bot."""
    user = new_user_id()
    return ChatDriver(telegram, chat_id=user, user_id=user, first_name=name)


def _in_group(group: ChatDriver, person: ChatDriver) -> ChatDriver:
    return group.as_user(person.user_id, person.first_name)


def _say(telegram: FakeTelegram, group: ChatDriver, person: ChatDriver, text: str) -> int:
    """A plain message in the group (the bot does not answer); its message id."""
    update = telegram.send_message(
        group.chat_id,
        text,
        user_id=person.user_id,
        chat_type=group.chat_type,
        first_name=person.first_name,
    )
    return int(update["message"]["message_id"])


def _sent_to(telegram: FakeTelegram, chat: int, mark: int) -> list[ApiCall]:
    return [
        c
        for c in telegram.calls[mark:]
        if c.method == "sendMessage" and c.ok and c.params["chat_id"] == chat
    ]


def _as_reply(telegram: FakeTelegram, call: ApiCall) -> Reply:
    stored = telegram.messages[(call.params["chat_id"], call.response["message_id"])]
    return Reply(
        message_id=call.response["message_id"],
        text=stored["text"],
        html=stored["html"],
        buttons=(stored.get("reply_markup") or {}).get("inline_keyboard", []),
    )


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_assign_by_username_and_by_reply_then_unassign(
    group_chat: ChatDriver, telegram: FakeTelegram, direct_db: Database
) -> None:
    bob, carol = _person(telegram, "Bob"), _person(telegram, "Carol")
    await bob.send("/start")  # the bot now knows @user<bob>
    await group_chat.send("/add Book the room")
    by_name = await group_chat.send(f"/assign 1 @User{bob.user_id}")  # any case
    assert by_name.text == "🙋 #1 Book the room is assigned to Bob."
    said = _say(telegram, group_chat, carol, "I can help")
    by_reply = await group_chat.send("/assign #1", reply_to_message_id=said)
    assert by_reply.text == "🙋 #1 Book the room is assigned to Bob, Carol."
    assigned = await assignees_of(direct_db, chat_id=group_chat.chat_id, numbers=[1])
    assert [a.user_id for a in assigned[1]] == [bob.user_id, carol.user_id]
    one_off = await group_chat.send(f"/unassign 1 @user{bob.user_id}")
    assert one_off.text == "🙋 #1 Book the room is assigned to Carol."
    everyone_off = await group_chat.send("/unassign 1")
    assert everyone_off.text == "🙅 #1 Book the room is assigned to no one now."
    assert await assignees_of(direct_db, chat_id=group_chat.chat_id, numbers=[1]) == {}


async def test_an_unknown_username_is_refused_not_guessed(
    group_chat: ChatDriver, direct_db: Database
) -> None:
    await group_chat.send("/add Mystery")
    reply = await group_chat.send("/assign 1 @bob_nobody_knows")
    assert reply.text == (
        "🤷 I don't know @bob_nobody_knows yet: ask them to send me /start in a private chat,"
        " or reply to one of their messages with /assign 1"
    )
    assert await assignees_of(direct_db, chat_id=group_chat.chat_id, numbers=[1]) == {}


async def test_assigning_in_a_private_chat_is_explained(private_chat: ChatDriver) -> None:
    await private_chat.send("/add Mine anyway")
    reply = await private_chat.send("/assign 1 @someone")
    assert reply.text.startswith("ℹ️ Tasks are assigned in groups")


async def test_take_it_and_drop_it_on_show(
    group_chat: ChatDriver, telegram: FakeTelegram, direct_db: Database
) -> None:
    await group_chat.send("/add Water <plants>")
    bob = group_chat.as_user(new_user_id(), "Bob <b>")
    shown = await bob.send("/show 1")
    assert shown.button_texts == ["🙋 Take it", "🙅 Drop it"]
    assert "Assigned to" not in shown.text
    answer, taken = await bob.press(shown, "🙋 Take it")
    assert answer == "🙋 #1 is yours"
    assert taken is not None and "Assigned to: Bob <b>" in taken.text
    assert "Bob &lt;b&gt;" in taken.html
    assigned = await assignees_of(direct_db, chat_id=group_chat.chat_id, numbers=[1])
    assert [a.user_id for a in assigned[1]] == [bob.user_id]
    answer, dropped = await bob.press(taken, "🙅 Drop it")
    assert answer == "🙅 You are off #1"
    assert dropped is not None and "Assigned to" not in dropped.text


async def test_mine_lists_each_group_only_while_the_user_is_in_it(
    telegram: FakeTelegram,
    running_app: BotApplication,
    direct_db: Database,
) -> None:
    bob = _person(telegram, "Bob")
    groups = [
        ChatDriver(
            telegram,
            chat_id=new_chat_id(group=True),
            user_id=bob.user_id,
            chat_type="supergroup",
            first_name="Bob",
        )
        for _ in range(2)
    ]
    kept, left = groups
    for group, title in ((kept, "Kept <errand>"), (left, "Secret plan")):
        await group.send(f"/add {title}")
        taken = await group.send("/show 1")
        await group.press(taken, "🙋 Take it")
    await kept.send("/add Not assigned")
    # Telegram tells the bot (an admin there) at once; /mine, in another chat, comes after.
    telegram.change_member(left.chat_id, bob.user_id, "left")
    mine = await bob.send("/mine")
    lines = mine.text.splitlines()
    assert lines[0] == "🙋 Assigned to you · 1"
    assert f"👥 Test group {abs(kept.chat_id)}" in lines
    assert "#1 Kept <errand>" in lines
    assert "Secret" not in mine.text and str(abs(left.chat_id)) not in mine.text
    in_group = await kept.send("/mine")
    assert "#1 Kept <errand>" in in_group.text
    telegram.change_member(kept.chat_id, bob.user_id, "kicked")
    nothing = await bob.send("/mine")
    assert nothing.text.startswith("🙌 Nothing is assigned to you.")


async def test_reminders_go_privately_in_own_zone_or_to_the_group_and_done_works(
    group_chat: ChatDriver,
    telegram: FakeTelegram,
    direct_db: Database,
    running_app: BotApplication,
) -> None:
    bob, carol = _person(telegram, "Bob"), _person(telegram, "Carol")
    await bob.send("/start")
    zone = await bob.send("/timezone Asia/Tokyo")
    assert zone.text.startswith("🌍 Time zone: Asia/Tokyo")
    group = group_chat.chat_id
    task = await add_task(direct_db, chat_id=group, title="Ship <it>", created_by=bob.user_id)
    await set_due(direct_db, chat_id=group, number=task.number, due_at=T)
    await group_chat.send(f"/assign 1 @user{bob.user_id}")
    said = _say(telegram, group_chat, carol, "Me too")  # Carol never started the bot
    await group_chat.send("/assign 1", reply_to_message_id=said)

    clock = FakeClock(T + timedelta(seconds=5))
    scheduler = Scheduler(direct_db, running_app.bot, clock=clock)
    mark = telegram.mark()
    await scheduler.tick()
    (private,) = _sent_to(telegram, bob.user_id, mark)
    reminder = _as_reply(telegram, private)
    assert reminder.text.splitlines() == [
        "⏰ #1 Ship <it>",
        f"👥 In Test group {abs(group)}, assigned to you.",
        "Due today 18:00.",  # 09:00 UTC in Bob's Tokyo
    ]
    (in_group,) = _sent_to(telegram, group, mark)
    shown = _as_reply(telegram, in_group)
    assert "Due today 09:00." in shown.text  # the group's zone (UTC)
    assert shown.text.endswith("For: Carol")
    assert f'<a href="tg://user?id={carol.user_id}">Carol</a>' in str(in_group.params["text"])
    assert f"tg://user?id={bob.user_id}" not in str(in_group.params["text"])
    assert _sent_to(telegram, carol.user_id, mark) == []

    answer, done = await bob.press(reminder, "✅ Done")
    assert answer == "✅ #1 done"
    assert done is not None and done.text == "✅ #1 Ship <it>"
    assert (await get_task(direct_db, chat_id=group, number=1)).done


async def test_forged_or_stale_assigned_presses_change_nothing(
    telegram: FakeTelegram,
    direct_db: Database,
    running_app: BotApplication,
) -> None:
    bob, mallory = _person(telegram, "Bob"), _person(telegram, "Mallory")
    ours, theirs = new_chat_id(group=True), new_chat_id(group=True)
    for chat in (ours, theirs):
        await add_task(direct_db, chat_id=chat, title="Guarded", created_by=bob.user_id)
        await set_due(direct_db, chat_id=chat, number=1, due_at=T)
    await assign(direct_db, chat_id=ours, number=1, user_ids=[bob.user_id])
    helped = await mallory.send("/help")
    # Mallory is in the group (the fake says "member") but not an assignee.
    answer, _ = await mallory.press_data(helped.message_id, f"ad:{ours}:1")
    assert answer == REFUSED
    answer, _ = await mallory.press_data(helped.message_id, f"as:{ours}:1:10m")
    assert answer == REFUSED
    # Bob is an assignee in one group: a button naming the other group's #1 does nothing.
    bobs = await bob.send("/help")
    answer, _ = await bob.press_data(bobs.message_id, f"ad:{theirs}:1")
    assert answer == REFUSED
    # Once Bob has left the group, his own Done is refused too.
    telegram.set_chat_member(ours, bob.user_id, "left")
    answer, _ = await bob.press_data(bobs.message_id, f"ad:{ours}:1")
    assert answer == REFUSED
    for chat in (ours, theirs):
        task = await get_task(direct_db, chat_id=chat, number=1)
        assert not task.done and task.due_at == T
