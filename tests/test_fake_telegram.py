"""Tests of the fake Bot API itself, driven through a real ``telegram.Bot``."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import CommandHandler

from testkit.fake_telegram import FakeTelegram
from testkit.fake_telegram.html_tags import HtmlParseError
from testkit.fake_telegram.parse_mode import parse_html

TOKEN = "123456:TEST-fake-token_for-tests"
CHAT = 4242

# PTB drops the "Bad Request: " prefix and capitalizes the rest (str.capitalize lowercases all
# but the first letter), so BadRequest messages are matched case-insensitively.


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """A started fake Bot API, stopped after the test."""
    telegram = FakeTelegram(TOKEN)
    await telegram.start()
    yield telegram
    await telegram.stop()


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """A real PTB Bot talking to the fake, initialized (getMe done)."""
    async with Bot(TOKEN, base_url=fake.base_url) as bot:
        yield bot


def keyboard(*data: str) -> InlineKeyboardMarkup:
    """One button per row, each labelled with its callback data."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d)] for d in data])


async def ignore(update: object, context: object) -> None:
    """A handler callback that does nothing."""


async def test_get_me_through_ptb_returns_the_configured_bot(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()

    assert (me.id, me.username, me.is_bot) == (7000001, "todo_test_bot", True)
    assert me.can_join_groups is True
    assert me.supports_inline_queries is False
    assert [call.method for call in fake.calls] == ["getMe", "getMe"]


async def test_wrong_token_is_unauthorized(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=fake.base_url):
            pass

    assert fake.calls[-1].status == 401
    assert fake.calls[-1].response["description"] == "Unauthorized"


async def test_unknown_method_is_not_found_and_methods_ignore_case(
    fake: FakeTelegram, bot: Bot
) -> None:
    assert (await bot.do_api_request("GETME"))["username"] == "todo_test_bot"
    with pytest.raises(Exception, match="fooBar"):
        await bot.do_api_request("fooBar")

    assert fake.calls[-2].method == "getMe"
    assert fake.calls[-1].status == 404
    assert fake.calls[-1].response["description"] == "Not Found: method not found"


async def test_send_message_with_html_stores_plain_text(fake: FakeTelegram, bot: Bot) -> None:
    html = "<b>Buy</b> milk &amp; eggs &lt;3"

    message = await bot.send_message(CHAT, html, parse_mode="HTML")

    assert message.text == "Buy milk & eggs <3"
    assert message.message_id == 1000
    assert message.entities == (MessageEntity(MessageEntity.BOLD, 0, 3),)
    stored = fake.last_message(CHAT)
    assert (stored["text"], stored["html"], stored["parse_mode"]) == (message.text, html, "HTML")
    second = await bot.send_message(CHAT, "again")
    assert second.message_id == 1001


async def test_form_values_are_decoded_like_telegram(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT, "123", reply_markup=keyboard("done:1"), disable_notification=True)

    params = fake.calls_of("sendMessage")[-1].params
    assert params["chat_id"] == CHAT
    assert params["text"] == "123"
    assert params["disable_notification"] is True
    assert params["reply_markup"] == {
        "inline_keyboard": [[{"text": "done:1", "callback_data": "done:1"}]]
    }


@pytest.mark.parametrize(
    "html",
    ["<b>open", "<foo>x</foo>", "a < b", "<b>x</i>", "Tom & Jerry", "<span>x</span>", "x</b>"],
)
async def test_invalid_html_is_rejected(fake: FakeTelegram, bot: Bot, html: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(CHAT, html, parse_mode="HTML")

    assert fake.calls[-1].response["description"].startswith("Bad Request: can't parse entities: ")
    assert CHAT not in {chat for chat, _ in fake.messages}


def test_html_errors_carry_tdlib_text_and_utf8_byte_offsets() -> None:
    with pytest.raises(HtmlParseError, match=r'^Unsupported start tag "x" at byte offset 3$'):
        parse_html("é <x>")
    with pytest.raises(HtmlParseError, match=r'expected "</b>", found "</i>"'):
        parse_html("<b>x</i>")


def test_html_entities_count_utf16_units() -> None:
    parsed = parse_html('😀 <a href="https://e.org/?a=1&amp;b=2">go</a> <i>x</i>')

    assert parsed.text == "😀 go x"
    assert parsed.entities == [
        {"type": "text_link", "offset": 3, "length": 2, "url": "https://e.org/?a=1&b=2"},
        {"type": "italic", "offset": 6, "length": 1},
    ]


async def test_text_empty_after_parsing_is_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")


async def test_text_length_is_counted_in_utf16_units(fake: FakeTelegram, bot: Bot) -> None:
    fits = "a" * 4094 + "😀"  # 4095 code points, 4096 UTF-16 units
    too_long = "a" * 4095 + "😀"  # 4096 code points, 4097 UTF-16 units

    await bot.send_message(CHAT, fits)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(CHAT, too_long)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(CHAT, "a" * 4097)

    assert fake.last_message(CHAT)["text"] == fits


async def test_callback_data_over_64_bytes_is_rejected(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT, "ok", reply_markup=keyboard("x" * 64))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(CHAT, "too long", reply_markup=keyboard("x" * 65))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(CHAT, "33 letters, 66 bytes", reply_markup=keyboard("é" * 33))

    assert fake.calls[-1].response["description"] == "Bad Request: BUTTON_DATA_INVALID"


async def test_edit_with_identical_content_is_not_modified(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(
        CHAT, "<b>Tasks</b>", parse_mode="HTML", reply_markup=keyboard("a")
    )

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<b>Tasks</b>", CHAT, sent.message_id, parse_mode="HTML", reply_markup=keyboard("a")
        )
    edited = await bot.edit_message_text(
        "<b>Tasks</b>", CHAT, sent.message_id, parse_mode="HTML", reply_markup=keyboard("b")
    )

    assert edited.edit_date is not None
    assert fake.messages[(CHAT, sent.message_id)]["reply_markup"] == keyboard("b").to_dict()


async def test_edit_of_unknown_message_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("new", CHAT, 999)


async def test_confirmed_updates_never_come_back(fake: FakeTelegram, bot: Bot) -> None:
    texts = [fake.send_message(CHAT, f"task {n}")["message"]["text"] for n in range(3)]
    first, second, third = await bot.get_updates()

    assert [u.message.text for u in (first, second, third)] == texts
    assert [u.update_id for u in await bot.get_updates(offset=second.update_id)] == [
        second.update_id,
        third.update_id,
    ]
    assert [u.update_id for u in await bot.get_updates()] == [second.update_id, third.update_id]
    assert await bot.get_updates(offset=third.update_id + 1) == ()


async def test_long_poll_wakes_up_when_an_update_is_pushed(fake: FakeTelegram, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await fake.wait_until_polling(timeout=5)

    fake.send_message(CHAT, "hello")
    updates = await asyncio.wait_for(poll, timeout=5)

    assert [u.message.text for u in updates] == ["hello"]


async def test_long_poll_returns_nothing_at_its_timeout(bot: Bot) -> None:
    assert await bot.get_updates(timeout=1) == ()


async def test_a_second_poller_ends_the_first_with_conflict(fake: FakeTelegram, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await fake.wait_until_polling(timeout=5)

    # PTB gives getUpdates a pool of one connection, so the rival poller is a second instance.
    async with Bot(TOKEN, base_url=fake.base_url) as rival:
        assert await rival.get_updates() == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, timeout=5)


async def test_get_updates_while_a_webhook_is_set_is_a_conflict(
    fake: FakeTelegram, bot: Bot
) -> None:
    await bot.set_webhook("https://example.org/hook", secret_token="s3cret")

    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert (fake.webhook_url, fake.webhook_secret) == ("https://example.org/hook", "s3cret")
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_wait_for_finds_a_later_call_and_fails_with_the_calls_seen(
    fake: FakeTelegram, bot: Bot
) -> None:
    mark = fake.mark()
    sending = asyncio.create_task(bot.send_message(CHAT, "second"))

    call = await fake.wait_for("sendmessage", lambda c: c.params["text"] == "second", after=mark)
    await sending
    assert call.method == "sendMessage"
    with pytest.raises(AssertionError, match=r"(?s)no deleteMessage call.*sendMessage"):
        await fake.wait_for("deleteMessage", timeout=0.2, after=mark)


async def test_fail_next_429_raises_retry_after_once(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next(
        "sendMessage", status=429, description="Too Many Requests: retry after 3", retry_after=3
    )

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CHAT, "flood")
    assert caught.value.retry_after == timedelta(seconds=3)  # PTB_TIMEDELTA, set by conftest
    await bot.send_message(CHAT, "fine again")

    assert fake.calls_of("sendMessage")[0].response["parameters"] == {"retry_after": 3}
    assert fake.last_message(CHAT)["text"] == "fine again"


async def test_blocked_chat_is_forbidden(fake: FakeTelegram, bot: Bot) -> None:
    fake.block_chat(CHAT)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "reminder")


async def test_user_command_has_the_entity_command_handler_needs(
    fake: FakeTelegram, bot: Bot
) -> None:
    raw = fake.send_message(
        -100777, "/add@todo_test_bot buy milk", user_id=5, chat_type="supergroup"
    )

    update = Update.de_json(raw, bot)
    assert update.effective_message.entities == (MessageEntity(MessageEntity.BOT_COMMAND, 0, 18),)
    assert CommandHandler("add", ignore).check_update(update)
    other = Update.de_json(fake.send_message(5, "/add@other_bot x"), bot)
    assert not CommandHandler("add", ignore).check_update(other)
    assert Update.de_json(fake.send_message(5, "no command"), bot).effective_message.entities == ()


async def test_edited_user_message_is_an_edited_message_update(fake: FakeTelegram) -> None:
    original = fake.send_message(CHAT, "/add milk")["message"]
    edited = fake.send_message(CHAT, "/add oat milk", edited=True)["edited_message"]

    assert edited["message_id"] == original["message_id"]
    assert "edit_date" in edited


async def test_pressed_button_carries_the_stored_message_and_is_answered_once(
    fake: FakeTelegram, bot: Bot
) -> None:
    sent = await bot.send_message(CHAT, "Milk", reply_markup=keyboard("done:7"))

    raw = fake.press_button(CHAT, sent.message_id, "done:7", user_id=CHAT)
    query = Update.de_json(raw, bot).callback_query

    assert (query.data, query.message.text) == ("done:7", "Milk")
    assert query.message.reply_markup == keyboard("done:7")
    assert await bot.answer_callback_query(query.id, text="Done")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)


async def test_callback_answer_over_200_characters_is_rejected(
    fake: FakeTelegram, bot: Bot
) -> None:
    query_id = fake.press_button(CHAT, 1, "x", user_id=CHAT)["callback_query"]["id"]

    with pytest.raises(BadRequest, match=r"(?i)message_too_long"):
        await bot.answer_callback_query(query_id, text="x" * 201)


async def test_send_document_records_file_name_and_bytes(fake: FakeTelegram, bot: Bot) -> None:
    message = await bot.send_document(CHAT, b"id,title\n1,milk\n", filename="tasks.csv")

    upload = fake.calls_of("sendDocument")[-1].params["document"]
    assert (upload.file_name, upload.data) == ("tasks.csv", b"id,title\n1,milk\n")
    assert message.document.file_name == "tasks.csv"
    assert fake.last_message(CHAT)["document"]["data"] == b"id,title\n1,milk\n"


async def test_chat_members_and_administrators(fake: FakeTelegram, bot: Bot) -> None:
    group = -100555
    fake.set_chat_member(group, 1, "creator")
    fake.set_chat_member(group, 2, "administrator")

    assert (await bot.get_chat_member(group, 3)).status == "member"
    admins = await bot.get_chat_administrators(group)
    assert sorted((m.user.id, m.status) for m in admins) == [(1, "creator"), (2, "administrator")]
    assert (await bot.get_chat(group)).type == "supergroup"


async def test_tg_time_becomes_a_date_time_entity(fake: FakeTelegram, bot: Bot) -> None:
    message = await bot.send_message(
        CHAT, 'Due <tg-time unix="1767261600" format="wDt">Thu 1 Jan 10:00</tg-time>!', "HTML"
    )

    assert message.text == "Due Thu 1 Jan 10:00!"
    (entity,) = message.entities  # as python-telegram-bot reads it (22.7+: Bot API 9.5)
    assert entity.type == MessageEntity.DATE_TIME
    assert entity.unix_time == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    assert fake.last_message(CHAT)["entities"] == [
        {
            "type": "date_time",
            "offset": 4,
            "length": 15,
            "unix_time": 1767261600,
            "date_time_format": "wDt",
        }
    ]


@pytest.mark.parametrize(
    ("given", "reported"),
    [("r", "r"), ("R", "r"), ("tDw", "wDt"), ("dT", "dT"), ("W", "w"), ("", "")],
)
def test_tg_time_formats_are_reported_as_the_bot_api_spells_them(
    given: str, reported: str
) -> None:
    parsed = parse_html(f'<tg-time unix="1767261600" format="{given}">then</tg-time>')
    assert parsed.entities[0]["date_time_format"] == reported


@pytest.mark.parametrize("bad", ["x", "rw", "wdtz", "r ", "Dd2"])
async def test_tg_time_with_a_format_telegram_does_not_know_is_refused(bot: Bot, bad: str) -> None:
    html = f'<tg-time unix="1767261600" format="{bad}">then</tg-time>'
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: invalid date format used"):
        await bot.send_message(CHAT, html, parse_mode="HTML")


@pytest.mark.parametrize("unix", ['unix="0"', 'unix="-5"', 'unix="soon"', ""])
def test_tg_time_without_a_date_keeps_its_text_and_makes_no_entity(unix: str) -> None:
    parsed = parse_html(f'<tg-time {unix} format="t">then</tg-time>')
    assert (parsed.text, parsed.entities) == ("then", [])


async def test_descriptions_and_commands_are_kept_per_language(
    fake: FakeTelegram, bot: Bot
) -> None:
    await bot.set_my_description("Ich führe Listen.", language_code="de")
    await bot.set_my_short_description("Listen", language_code="de")
    await bot.set_my_commands([("add", "Aufgaben hinzufügen")], language_code="de")

    assert fake.my_descriptions[("description", "de")] == "Ich führe Listen."
    assert fake.my_descriptions[("short_description", "de")] == "Listen"
    assert [c.command for c in await bot.get_my_commands(language_code="de")] == ["add"]
    with pytest.raises(BadRequest, match=r"(?i)invalid language code"):
        await bot.set_my_description("x", language_code="pt-BR")
    with pytest.raises(BadRequest, match=r"(?i)short description is too long"):
        await bot.set_my_short_description("x" * 121)


async def test_an_upgraded_group_sends_both_service_messages_and_answers_with_its_new_id(
    fake: FakeTelegram, bot: Bot
) -> None:
    old, new = -4001, -1004001
    fake.send_message(old, "hello", user_id=5, chat_type="group")
    updates = fake.upgrade_group(old, new, user_id=5)

    moved_out, joined, moved_in = (Update.de_json(raw, bot) for raw in updates)
    assert (moved_out.effective_chat.id, moved_out.message.migrate_to_chat_id) == (old, new)
    assert moved_out.effective_chat.type == "group"
    assert (moved_in.effective_chat.id, moved_in.message.migrate_from_chat_id) == (new, old)
    assert moved_in.effective_chat.type == "supergroup"
    assert joined.my_chat_member.new_chat_member.status == "member"
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(old, "still there?")
    assert migrated.value.new_chat_id == new
    assert (await bot.send_message(new, "here")).chat.id == new
    first = fake.upgrade_group(-4002, -1004002, user_id=5, migrate_from_first=True)[0]
    assert first["my_chat_member"]["chat"]["id"] == -1004002


async def test_a_bot_removed_or_blocked_gets_a_status_update_and_cannot_send(
    fake: FakeTelegram, bot: Bot
) -> None:
    group = -100556
    raw = fake.change_bot_status(group, "kicked", user_id=5, chat_type="supergroup")

    change = Update.de_json(raw, bot).my_chat_member
    assert (change.old_chat_member.status, change.new_chat_member.status) == ("member", "kicked")
    assert change.new_chat_member.user.id == bot.id
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(group, "reminder")
    fake.change_bot_status(group, "member", user_id=5, chat_type="supergroup")
    assert (await bot.send_message(group, "back")).chat.id == group
    fake.change_bot_status(CHAT, "kicked", user_id=CHAT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "reminder")


async def test_a_users_file_messages_parse_and_their_file_ids_can_be_sent_back(
    fake: FakeTelegram, bot: Bot
) -> None:
    sent = {kind: fake.send_media(CHAT, kind, caption="look") for kind in fake_kinds()}
    messages = {kind: Update.de_json(u, bot).message for kind, u in sent.items()}  # type: ignore[union-attr]
    photo = messages["photo"]
    assert photo is not None and len(photo.photo) == 2 and photo.caption == "look"
    assert messages["document"] is not None and messages["document"].document is not None
    assert messages["voice"] is not None and messages["voice"].voice is not None
    assert messages["video"] is not None and messages["video"].video is not None
    back = await bot.send_photo(
        CHAT, photo.photo[-1].file_id, caption="<b>#3</b> x", parse_mode="HTML"
    )
    assert back.photo and back.caption == "#3 x"
    await bot.send_voice(CHAT, messages["voice"].voice.file_id)  # type: ignore[union-attr]
    await bot.send_video(CHAT, messages["video"].video.file_id)  # type: ignore[union-attr]
    await bot.send_document(CHAT, messages["document"].document.file_id)  # type: ignore[union-attr]
    assert [call.method for call in fake.calls if call.method.startswith("send")] == [
        "sendPhoto",
        "sendVoice",
        "sendVideo",
        "sendDocument",
    ]


def fake_kinds() -> tuple[str, ...]:
    return ("photo", "document", "voice", "video")


async def test_files_are_refused_as_telegram_refuses_them(fake: FakeTelegram, bot: Bot) -> None:
    update = fake.send_media(CHAT, "document")
    document = update["message"]["document"]["file_id"]
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type document as photo"):
        await bot.send_photo(CHAT, document)
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_voice(CHAT, "AwACAgIAAxkBAAIDnever-given")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_document(CHAT, document, caption="x" * 1025)
    sent = await bot.send_document(CHAT, document)
    with pytest.raises(BadRequest, match=r"(?i)no text in the message"):
        await bot.edit_message_text("new", chat_id=CHAT, message_id=sent.message_id)
