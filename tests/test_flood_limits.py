"""Telegram's flood limits as the bot keeps them: the calls over a limit wait their turn, in
order; groups have their own limit; a 429 holds only its chat. On an injected clock: nothing
here really waits."""

import pytest

from bot.flood_limits import FloodLimits, posts_message


class FrozenTime:
    """A clock that moves only when told, and a sleep that records how long it was asked for."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))


@pytest.fixture
def time() -> FrozenTime:
    return FrozenTime()


def _limits(time: FrozenTime, **options: float) -> FloodLimits:
    return FloodLimits(clock=time.clock, sleep=time.sleep, **options)


PRIVATE_CHATS = range(1_000, 1_100)


async def test_thirty_messages_go_at_once_and_the_next_wait_their_turn_in_order(
    time: FrozenTime,
) -> None:
    limits = _limits(time)
    for chat in PRIVATE_CHATS[:32]:
        await limits.wait_turn("sendMessage", chat)
    assert time.slept == [round(1 / 30, 6), round(2 / 30, 6)]


async def test_after_a_quiet_second_thirty_go_at_once_again(time: FrozenTime) -> None:
    limits = _limits(time)
    for chat in PRIVATE_CHATS[:30]:
        await limits.wait_turn("sendMessage", chat)
    time.now += 1.0
    for chat in PRIVATE_CHATS[30:60]:
        await limits.wait_turn("editMessageText", chat)
    assert time.slept == []
    await limits.wait_turn("sendDocument", PRIVATE_CHATS[60])
    assert time.slept == [round(1 / 30, 6)]


async def test_a_group_gets_twenty_messages_a_minute_and_holds_no_other_chat(
    time: FrozenTime,
) -> None:
    limits = _limits(time)
    for _ in range(20):
        await limits.wait_turn("sendMessage", -100_123)
    assert time.slept == []
    await limits.wait_turn("editMessageText", -100_123)
    assert time.slept == [3.0]
    await limits.wait_turn("sendMessage", -100_456)
    await limits.wait_turn("sendMessage", "@some_channel")
    await limits.wait_turn("sendMessage", PRIVATE_CHATS[0])
    assert time.slept == [3.0]


async def test_calls_that_post_nothing_are_not_counted(time: FrozenTime) -> None:
    limits = _limits(time)
    for chat in PRIVATE_CHATS:
        await limits.wait_turn("answerCallbackQuery", None)
        await limits.wait_turn("getChatMember", chat)
        await limits.wait_turn("sendChatAction", chat)
        await limits.wait_turn("getChatMember", -100_123)
    for chat in PRIVATE_CHATS[:30]:
        await limits.wait_turn("sendMessage", chat)
    assert time.slept == []


async def test_without_an_overall_limit_only_groups_are_limited(time: FrozenTime) -> None:
    limits = _limits(time, overall_per_second=0)
    for chat in PRIVATE_CHATS:
        await limits.wait_turn("sendMessage", chat)
    assert time.slept == []
    for _ in range(21):
        await limits.wait_turn("sendMessage", -100_123)
    assert time.slept == [3.0]


async def test_a_flood_answer_holds_only_its_chat_for_its_time(time: FrozenTime) -> None:
    limits = _limits(time)
    flooded, other = PRIVATE_CHATS[0], PRIVATE_CHATS[1]
    limits.hold(flooded, 2.5)
    await limits.wait_turn("sendMessage", other)
    await limits.wait_turn("answerCallbackQuery", None)
    assert time.slept == []
    await limits.wait_turn("getChat", flooded)  # any call about that chat
    assert time.slept == [2.5]
    time.now += 2.5
    await limits.wait_turn("sendMessage", flooded)
    assert time.slept == [2.5]


@pytest.mark.parametrize(
    ("method", "counted"),
    [
        ("sendMessage", True),
        ("sendDocument", True),
        ("editMessageText", True),
        ("editMessageReplyMarkup", True),
        ("copyMessage", True),
        ("forwardMessage", True),
        ("sendChatAction", False),
        ("answerCallbackQuery", False),
        ("answerInlineQuery", False),
        ("getChatMember", False),
        ("deleteMessage", False),
        ("setMyCommands", False),
    ],
)
def test_messages_sent_or_edited_are_what_counts(method: str, counted: bool) -> None:
    assert posts_message(method) is counted


async def test_the_backlog_is_how_long_a_message_sent_now_would_wait(time: FrozenTime) -> None:
    limits = _limits(time)
    assert limits.backlog() == 0.0
    for chat in PRIVATE_CHATS[:60]:
        await limits.wait_turn("sendMessage", chat)
    assert limits.backlog() == pytest.approx(1.0 + 1 / 30)
    time.now += 0.5
    assert limits.backlog() == pytest.approx(0.5 + 1 / 30)
    time.now += 1.0
    assert limits.backlog() == 0.0
    assert _limits(time, overall_per_second=0).backlog() == 0.0
