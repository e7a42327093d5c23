"""A chat's language in storage: chosen, Telegram's recorded when it changes, both in one
statement, and what reminders and digests are told."""

from datetime import UTC, datetime, timedelta

from storage.claims import claim_due_reminders
from storage.db import Database
from storage.languages import (
    ChatLanguage,
    chat_language,
    choose_language,
    save_telegram_language,
)
from storage.reminders import set_due
from storage.tasks import add_tasks
from testkit.pgproxy import PgProxy
from tests.factories import new_chat_id

# Far in the future, so that no other test's reminders are due then.
NOW = datetime(2041, 3, 1, 9, 0, tzinfo=UTC)


async def test_a_new_chat_has_no_language(db: Database) -> None:
    assert await chat_language(db, chat_id=new_chat_id()) == ChatLanguage()


async def test_telegrams_language_is_recorded_and_the_chosen_one_wins_over_it(
    db: Database,
) -> None:
    chat = new_chat_id()
    assert await chat_language(db, chat_id=chat, telegram_language="de") == ChatLanguage(
        None, "de"
    )
    assert await chat_language(db, chat_id=chat, telegram_language="de") == ChatLanguage(
        None, "de"
    )
    assert await chat_language(db, chat_id=chat, telegram_language="ru") == ChatLanguage(
        None, "ru"
    )
    await choose_language(db, chat_id=chat, language="fa")
    assert await chat_language(db, chat_id=chat) == ChatLanguage("fa", "ru")
    await choose_language(db, chat_id=chat, language=None)
    assert await chat_language(db, chat_id=chat, telegram_language="uk") == ChatLanguage(
        None, "uk"
    )


async def test_reading_and_recording_a_language_is_one_round_trip(
    proxied_database_url: tuple[object, PgProxy],
) -> None:
    url, proxy = proxied_database_url
    database = Database.from_url(url.render_as_string(hide_password=False))  # type: ignore[attr-defined]
    try:
        chat = new_chat_id()
        for telegram in ("de", "de", "es"):  # new, unchanged, changed
            await chat_language(database, chat_id=chat, telegram_language=telegram)
            proxy.reset()
            await chat_language(database, chat_id=chat, telegram_language=telegram)
            assert proxy.round_trips == 1
    finally:
        await database.close()


async def test_a_reminder_is_claimed_with_its_chats_language(db: Database) -> None:
    group, private = new_chat_id(group=True), new_chat_id()
    await save_telegram_language(db, chat_id=group, telegram_language="pt-br")
    await chat_language(db, chat_id=private, telegram_language="uk")
    await choose_language(db, chat_id=private, language="de")
    for chat in (group, private):
        (task,) = await add_tasks(db, chat_id=chat, titles=["Call"], created_by=None)
        await set_due(db, chat_id=chat, number=task.number, due_at=NOW - timedelta(minutes=1))
    claims = await claim_due_reminders(db, now=NOW, lease_until=NOW + timedelta(minutes=1))
    languages = {c.task.chat_id: c.language for c in claims if c.task.chat_id in (group, private)}
    assert languages == {group: "pt-br", private: "de"}
