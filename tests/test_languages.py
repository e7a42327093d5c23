"""The bot in each of its languages, end to end over the fake Bot API: /start, /add (with a due
time in English), /list and its buttons, a reminder and its buttons, /help; in a private chat
whose user has Telegram in that language, and in a group an admin set with /language. Also: a
changed Telegram language, /language in a private chat, the group's adder's language, inline
mode, the Mini App's words, the command menus, and the refusals of times, /timezone,
/calendar and /forget."""

from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from telegram import Bot

from bot.scheduler import Scheduler
from handlers import (
    render_due,
    render_errors,
    render_forget,
    render_help,
    render_text,
    render_transfer,
)
from handlers.context import BotApplication
from handlers.i18n import LANGUAGES, NATIVE_NAMES, _, number, task_ref, use_language
from handlers.render_due import SNOOZE_LABELS
from handlers.render_when import when_error_text
from handlers.when import WhenError
from handlers.zone_names import find_timezone
from storage.db import Database
from storage.reminders import set_due
from storage.tasks import get_task
from testkit.fake_telegram import FakeTelegram
from tests.botdriver import ChatDriver, Reply
from tests.factories import new_chat_id, new_user_id
from tests.webapp import WebBot

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok", "running_app")

# Telegram's language_code of a user whose app is in each language.
TELEGRAM_CODES = {
    "en": "en",
    "ru": "ru",
    "uk": "uk",
    "es": "es",
    "pt_BR": "pt-br",
    "de": "de",
    "fa": "fa",
}
# The scheduler's clock here: far ahead of the real one (the session bot's scheduler never
# reaches these reminders).
T = datetime(2042, 5, 6, 7, 0, tzinfo=UTC)
# "tomorrow 18:00" as a user of each language types it.
TOMORROW_AT_SIX = {
    "en": "tomorrow 18:00",
    "ru": "завтра в 18:00",
    "uk": "завтра о 18:00",
    "es": "mañana 18:00",
    "pt_BR": "amanhã às 18h",
    "de": "morgen 18:00",
    "fa": "فردا ۱۸:۰۰",
}


def said(code: str, message: str, **params: object) -> str:
    """What the bot says in that language."""
    with use_language(code):
        return _(message, **params)


def _before(text: str, placeholder: str) -> str:
    return text.split(placeholder, 1)[0]


def _entities(telegram: FakeTelegram, chat_id: int, reply: Reply) -> list[dict[str, Any]]:
    entities: list[dict[str, Any]] = telegram.messages[(chat_id, reply.message_id)]["entities"]
    return entities


async def _speaks(
    code: str, chat: ChatDriver, telegram: FakeTelegram, db: Database, bot: Bot
) -> None:
    """/start, /add with a due time, /list and a tick, a reminder and Snooze, /help: each
    answered in `code`."""
    with use_language(code):
        welcome, help_text = (
            render_help.render_help(first_time=True),
            render_help.render_help(first_time=False),
        )
    assert (await chat.send("/start")).html == welcome

    # The due time typed in the chat's language (the chat has no zone set: UTC).
    added = await chat.send(f"/add Call mom @ {TOMORROW_AT_SIX[code]}")
    task = await get_task(db, chat_id=chat.chat_id, number=1)
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    assert task.due_at == datetime.combine(tomorrow, time(18, 0), tzinfo=UTC)
    with use_language(code):
        ref = task_ref(1)
    assert added.html.startswith(
        _before(said(code, "➕ Added %(task)s"), "%(task)s") + f"<b>{ref}</b>"
    )
    (moment,) = [
        e for e in _entities(chat.telegram, chat.chat_id, added) if e["type"] == "date_time"
    ]
    assert moment["date_time_format"] == "wdt"

    listed = await chat.send("/list")
    with use_language(code):
        assert _("📋 <b>To do</b> · %(count)s", count=number(1)) in listed.html
        assert _("✅ Done (%(count)s)", count=number(0)) in listed.button_texts
        tick = f"⬜ {ref}"
        ticked = render_text.plain(_("✅ %(task)s done", task=ref))
    answer, edited = await chat.press(listed, tick)
    assert answer == ticked
    assert edited is not None and said(code, "✅ Nothing done yet.") not in edited.text

    await chat.send("/add Water the plants")
    await set_due(db, chat_id=chat.chat_id, number=2, due_at=T - timedelta(minutes=1))
    mark = telegram.mark()
    await Scheduler(db, bot, clock=lambda: T).tick()
    (call,) = [
        c
        for c in telegram.calls[mark:]
        if c.method == "sendMessage" and c.params["chat_id"] == chat.chat_id
    ]
    stored = telegram.messages[(chat.chat_id, call.response["message_id"])]
    reminder = Reply(
        call.response["message_id"],
        stored["text"],
        stored["html"],
        stored["reply_markup"]["inline_keyboard"],
    )
    with use_language(code):
        assert _before(_("Due %(when)s."), "%(when)s") in reminder.html
        assert reminder.button_texts == [
            _("✅ Done"),
            *(f"💤 {_(label)}" for label in SNOOZE_LABELS.values()),
        ]
        snooze = f"💤 {_(SNOOZE_LABELS['10m'])}"
    answer, _edited = await chat.press(reminder, snooze)
    assert answer == said(code, "💤 Snoozed")

    assert (await chat.send("/help")).html == help_text


@pytest.mark.parametrize("code", LANGUAGES)
async def test_a_private_chat_speaks_its_users_telegram_language(
    telegram: FakeTelegram, direct_db: Database, running_app: BotApplication, code: str
) -> None:
    user = new_user_id()
    telegram.set_user_language(user, TELEGRAM_CODES[code])
    chat = ChatDriver(telegram, chat_id=user, user_id=user)
    await _speaks(code, chat, telegram, direct_db, running_app.bot)


@pytest.mark.parametrize("code", LANGUAGES)
async def test_a_group_speaks_what_its_admin_chose(
    telegram: FakeTelegram, direct_db: Database, running_app: BotApplication, code: str
) -> None:
    group, admin = new_chat_id(group=True), new_user_id()
    telegram.set_chat_member(group, admin, "administrator")
    chat = ChatDriver(telegram, chat_id=group, user_id=admin, chat_type="supergroup")
    menu = await chat.send("/language")
    assert menu.text.startswith("🌐 I speak English here.")  # nobody chose; added by no one known
    answer, chosen = await chat.press(menu, NATIVE_NAMES[code])
    with use_language(code):
        expected = _("✅ I'll speak %(language)s here.", language=NATIVE_NAMES[code])
    assert chosen is not None and chosen.html == expected and answer == render_text.plain(expected)
    await _speaks(code, chat, telegram, direct_db, running_app.bot)


async def test_only_a_groups_admin_changes_its_language(telegram: FakeTelegram) -> None:
    group, member = new_chat_id(group=True), new_user_id()
    chat = ChatDriver(telegram, chat_id=group, user_id=member, chat_type="supergroup")
    menu = await chat.send("/language")
    answer, _edited = await chat.press(menu, "Deutsch", expect_edit=False)
    assert answer == "🔒 Only the group's admins can change its language."
    assert (await chat.send("/help")).text.startswith("Commands")


async def test_a_group_speaks_its_adders_language_until_an_admin_chooses(
    telegram: FakeTelegram,
) -> None:
    group, adder, member = new_chat_id(group=True), new_user_id(), new_user_id()
    telegram.set_user_language(adder, "uk")
    telegram.add_bot_to_group(group, user_id=adder)
    chat = ChatDriver(telegram, chat_id=group, user_id=member, chat_type="supergroup")
    with use_language("uk"):
        assert (await chat.send("/help")).html == render_help.render_help(first_time=False)


async def test_changing_telegrams_language_changes_the_bots_and_language_overrides_it(
    telegram: FakeTelegram,
) -> None:
    user = new_user_id()
    chat = ChatDriver(telegram, chat_id=user, user_id=user)
    telegram.set_user_language(user, "de")
    assert (await chat.send("/list")).text.startswith(
        said("de", "📋 Nothing to do. Add a task: /add Buy milk")
    )
    telegram.set_user_language(user, "ru")
    assert (await chat.send("/list")).text.startswith(
        said("ru", "📋 Nothing to do. Add a task: /add Buy milk")
    )
    menu = await chat.send("/language")
    await chat.press(menu, "فارسی")
    telegram.set_user_language(user, "es")  # the chosen language stays
    assert (await chat.send("/list")).text.startswith(
        said("fa", "📋 Nothing to do. Add a task: /add Buy milk")
    )
    menu = await chat.send("/language")
    await chat.press(menu, said("fa", "🔄 Telegram's language"))
    assert (await chat.send("/list")).text.startswith(
        said("es", "📋 Nothing to do. Add a task: /add Buy milk")
    )


@pytest.mark.parametrize("code", LANGUAGES)
async def test_refusals_and_forget_speak_the_chats_language(
    telegram: FakeTelegram, code: str
) -> None:
    """A time the bot cannot read (alone, and with /remind's usage), a near-miss time zone, a
    wrong /calendar and the /forget prompt and its Keep button."""
    user = new_user_id()
    telegram.set_user_language(user, TELEGRAM_CODES[code])
    chat = ChatDriver(telegram, chat_id=user, user_id=user)
    await chat.send("/add Milk")
    with pytest.raises(WhenError) as near_miss:
        find_timezone("Europe/Berln")
    with use_language(code):
        unread = when_error_text(WhenError("unreadable", text="blorp"))
        reminders = when_error_text(WhenError("bad_reminders", text="blorp"))
        expected = {
            "/due 1 blorp": render_errors.render_usage(unread),
            "/remind 1 blorp": render_errors.render_usage(
                f"{reminders}\n{_(render_due.USAGE_REMIND)}"
            ),
            "/timezone Europe/Berln": render_errors.render_usage(when_error_text(near_miss.value)),
            "/calendar blorp": render_errors.render_usage(_(render_transfer.USAGE_CALENDAR)),
        }
        prompt, _markup = render_forget.render_forget_prompt(group=False)
        keep, kept = _("Keep it"), _(render_forget.KEPT)
    for command, answer in expected.items():
        assert (await chat.send(command)).html == answer, command
    asked = await chat.send("/forget")
    assert asked.html == prompt
    _answer, edited = await chat.press(asked, keep)
    assert edited is not None and edited.html == kept


async def test_an_unknown_telegram_language_gets_english(telegram: FakeTelegram) -> None:
    user = new_user_id()
    telegram.set_user_language(user, "ja")
    chat = ChatDriver(telegram, chat_id=user, user_id=user)
    assert (await chat.send("/list")).text == "📋 Nothing to do. Add a task: /add Buy milk"


async def test_inline_results_are_in_the_users_language(telegram: FakeTelegram) -> None:
    user = new_user_id()
    telegram.set_user_language(user, "pt-br")
    mark = telegram.mark()
    update = telegram.inline_query(user, "")
    query_id = update["inline_query"]["id"]
    call = await telegram.wait_for(
        "answerInlineQuery", lambda c: str(c.params.get("inline_query_id")) == query_id, after=mark
    )
    assert call.params["results"][0]["title"] == said("pt_BR", "📋 Your list is empty")


async def test_the_mini_app_gets_its_words_in_each_language(web_bot: WebBot) -> None:
    async with httpx.AsyncClient(base_url=web_bot.base_url) as client:
        persian = (await client.get("/app/i18n/fa.json")).json()
        brazilian = (await client.get("/app/i18n/pt-BR.json")).json()
        unknown = (await client.get("/app/i18n/xx.json")).json()
    assert (persian["language"], persian["direction"]) == ("fa", "rtl")
    assert persian["messages"]["Tasks"] == "کارها"
    assert brazilian["language"] == "pt_BR"
    assert brazilian["messages"]["Add a task"] == "Adicione uma tarefa"
    assert unknown["language"] == "en" and unknown["messages"]["Tasks"] == "Tasks"


async def test_the_command_menu_and_descriptions_are_set_in_every_language(
    telegram: FakeTelegram,
) -> None:
    for code in LANGUAGES:
        key = "" if code == "en" else code.split("_")[0]
        commands = next(
            value for (_scope, language), value in telegram.my_commands.items() if language == key
        )
        with use_language(code):
            assert [c["description"] for c in commands] == [_(d) for _n, d in render_help.COMMANDS]
            assert telegram.my_descriptions[("description", key)] == _(render_help.DESCRIPTION)
            assert telegram.my_descriptions[("short_description", key)] == _(
                render_help.SHORT_DESCRIPTION
            )
