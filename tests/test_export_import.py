"""/export and /import, end to end: fake Bot API (documents up and down), real bot, PostgreSQL."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from telegram import Update

from handlers.context import BotApplication
from handlers.task_export import export_csv
from handlers.task_files import MAX_IMPORT_BYTES
from handlers.task_import import read_tasks_file
from storage.chat_settings import ChatSettings, save_chat_settings
from storage.db import Database
from storage.errors import InvalidTitle
from storage.transfer import NewTask, export_tasks, import_tasks_in_zone
from storage.validation import clean_description, clean_title
from storage.values import TITLE_MAX_LENGTH, Task
from testkit.fake_telegram import FakeTelegram, UploadedFile
from tests.botdriver import ChatDriver
from tests.factories import new_chat_id, new_user_id

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")


def _mine(chat: ChatDriver) -> Any:
    return lambda call: call.ok and str(call.params.get("chat_id")) == str(chat.chat_id)


async def _export(chat: ChatDriver) -> tuple[UploadedFile, UploadedFile, str]:
    """Send /export; the JSON file, the CSV file and the JSON file's caption."""
    telegram = chat.telegram
    mark = telegram.mark()
    telegram.send_message(chat.chat_id, "/export", user_id=chat.user_id, chat_type=chat.chat_type)
    first = await telegram.wait_for("sendDocument", _mine(chat), after=mark)
    second = await telegram.wait_for(
        "sendDocument", _mine(chat), after=telegram.calls.index(first) + 1
    )
    json_file, csv_file = first.params["document"], second.params["document"]
    return json_file, csv_file, str(first.params.get("caption"))


async def _send_file(
    chat: ChatDriver,
    name: str,
    data: bytes,
    *,
    caption: str | None = "/import",
    **options: Any,
) -> str:
    """Send a document as the user; the bot's answer as the chat shows it."""
    telegram = chat.telegram
    mark = telegram.mark()
    telegram.send_document(
        chat.chat_id,
        name,
        data,
        user_id=chat.user_id,
        chat_type=chat.chat_type,
        caption=caption,
        **options,
    )
    call = await telegram.wait_for("sendMessage", _mine(chat), after=mark)
    return str(telegram.messages[(chat.chat_id, call.response["message_id"])]["text"])


def _fields(task: Task) -> tuple[Any, ...]:
    return (task.title, task.description, task.done, task.due_at, task.recurrence)


async def _fill(chat: ChatDriver) -> None:
    await chat.send("/add Milk\nEggs @ tomorrow 9:00\nGym @ every monday 7:30 until 2030-01-31")
    await chat.send("/add Bread\n=1+1")
    await chat.send("/note 1 Two litres, the good one;\nsemi-skimmed \\ or whole")
    await chat.send("/done 4")


async def test_export_then_import_into_a_fresh_chat_gives_the_same_tasks_after_existing_ones(
    private_chat: ChatDriver, telegram: FakeTelegram, direct_db: Database
) -> None:
    await _fill(private_chat)
    json_file, _, caption = await _export(private_chat)
    assert json_file.file_name.endswith(".json")
    assert "5 tasks (4 open, 1 done)" in caption
    exported = json.loads(json_file.data)
    assert exported["format"] == "todo-bot/tasks" and exported["version"] == 1
    assert [task["number"] for task in exported["tasks"]] == [1, 2, 3, 4, 5]

    other_id = new_user_id()
    other = ChatDriver(telegram, chat_id=other_id, user_id=other_id)
    await other.send("/add Already here\nAnd this")
    answer = await _send_file(other, json_file.file_name, json_file.data)
    assert answer == "📥 Imported 5 tasks as #3–#7 (4 open, 1 done). /list shows them."

    original = (await export_tasks(direct_db, chat_id=private_chat.chat_id)).tasks
    imported = (await export_tasks(direct_db, chat_id=other.chat_id)).tasks
    assert [t.number for t in imported] == [1, 2, 3, 4, 5, 6, 7]
    assert [_fields(t) for t in imported[2:]] == [_fields(t) for t in original]
    assert imported[2].description == "Two litres, the good one;\nsemi-skimmed \\ or whole"
    assert imported[3].due_at is not None and imported[4].recurrence is not None
    assert (await other.send("/add Next")).text == "➕ Added #8 Next"


async def test_csv_export_reads_with_the_csv_module_and_imports_again(
    private_chat: ChatDriver, telegram: FakeTelegram, direct_db: Database
) -> None:
    await _fill(private_chat)
    _, csv_file, _ = await _export(private_chat)
    assert csv_file.file_name.endswith(".csv") and csv_file.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(csv_file.data.decode("utf-8-sig"))))
    assert [row["title"] for row in rows] == ["Milk", "Eggs", "Gym", "Bread", "'=1+1"]
    assert [row["done"] for row in rows] == ["no", "no", "no", "yes", "no"]
    assert rows[0]["description"] == "Two litres, the good one;\nsemi-skimmed \\ or whole"
    assert rows[1]["due_at"].endswith("+00:00")

    other_id = new_user_id()
    other = ChatDriver(telegram, chat_id=other_id, user_id=other_id)
    answer = await _send_file(other, "tasks.csv", csv_file.data)
    assert answer.startswith("📥 Imported 5 tasks as #1–#5")
    original = (await export_tasks(direct_db, chat_id=private_chat.chat_id)).tasks
    imported = (await export_tasks(direct_db, chat_id=other_id)).tasks
    assert [_fields(t) for t in imported] == [_fields(t) for t in original]


async def test_a_csv_with_only_a_title_column_imports_in_reply_to_the_prompt(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    prompt = await private_chat.send("/import")
    assert "Send me the file" in prompt.text
    data = b'Title\nMilk\n"Eggs, large"\n\n  Bread  \n'
    answer = await _send_file(
        private_chat, "list.csv", data, caption=None, reply_to_message_id=prompt.message_id
    )
    assert answer.startswith("📥 Imported 3 tasks as #1–#3 (3 open, 0 done)")
    tasks = (await export_tasks(direct_db, chat_id=private_chat.chat_id)).tasks
    assert [(t.title, t.done, t.due_at) for t in tasks] == [
        ("Milk", False, None),
        ("Eggs, large", False, None),
        ("Bread", False, None),
    ]


async def test_a_file_without_the_command_or_the_prompt_is_left_alone(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    private_chat.telegram.send_document(private_chat.chat_id, "a.csv", b"title\nMilk\n")
    await private_chat.send("/help")  # handled in order: the file came first
    tasks = (await export_tasks(direct_db, chat_id=private_chat.chat_id)).tasks
    assert tasks == []


def _export_json(*titles: str, version: Any = 1) -> bytes:
    tasks = [{"title": title} for title in titles]
    return json.dumps({"format": "todo-bot/tasks", "version": version, "tasks": tasks}).encode()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("bad.json", b'{"format": "todo-bot/tasks", "version": 1, "tasks": [', "not valid JSON"),
        ("v2.json", _export_json("Milk", version=2), "version 2 of the format is not supported"),
        ("other.json", b'{"items": [{"title": "Milk"}]}', "not a todo-bot export"),
        ("list.json", b'[{"title": "Milk"}]', "not a todo-bot export"),
        (
            "long.csv",
            ("title,done\nMilk,no\n" + "x" * 300 + ",no\nEggs,maybe\n").encode(),
            "line 3: the title is 300 characters long; the limit is 256",
        ),
        ("bad.json", _export_json("Milk", "", "Eggs"), "task 2: the title is empty"),
        ("latin1.csv", "title\nCafé crème\n".encode("latin-1"), "not UTF-8"),
        ("none.csv", b"name,done\nMilk,no\n", "no title column"),
        ("dates.csv", b"title,due_at\nMilk,next week\n", "is no ISO 8601 date"),
    ],
)
async def test_a_malformed_import_changes_nothing_and_says_why(
    private_chat: ChatDriver, direct_db: Database, name: str, data: bytes, reason: str
) -> None:
    await private_chat.send("/add Existing")
    answer = await _send_file(private_chat, name, data)
    assert answer.startswith("⚠️ Nothing was imported:")
    assert reason in answer
    tasks = (await export_tasks(direct_db, chat_id=private_chat.chat_id)).tasks
    assert [t.title for t in tasks] == ["Existing"]
    assert (await private_chat.send("/add Next")).text == "➕ Added #2 Next"


async def test_every_problem_of_a_file_is_listed_with_its_line(private_chat: ChatDriver) -> None:
    data = b"title,done,nag_minutes\n,no,\nMilk,maybe,\nEggs,yes,0\n"
    answer = await _send_file(private_chat, "t.csv", data)
    assert answer.splitlines()[1:] == [
        "• line 2: the title is empty",
        "• line 3: done: 'maybe' is neither yes nor no",
        "• line 4: nag_minutes: must be 1 to 10080 minutes",
    ]


async def test_a_file_too_big_is_refused_before_it_is_downloaded(
    private_chat: ChatDriver, telegram: FakeTelegram
) -> None:
    mark = telegram.mark()
    answer = await _send_file(
        private_chat, "huge.csv", b"title\nMilk\n", file_size=MAX_IMPORT_BYTES + 1
    )
    assert "Nothing was imported" in answer and "the limit is 5 MB" in answer
    assert not [c for c in telegram.calls[mark:] if c.method == "getFile"]


async def test_a_file_bigger_than_its_size_said_is_refused_after_download(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    data = b"title\n" + b"Milk\n" * (MAX_IMPORT_BYTES // 5 + 1)
    answer = await _send_file(private_chat, "huge.csv", data, file_size=100)
    assert "Nothing was imported" in answer and "the limit is 5 MB" in answer
    assert (await export_tasks(direct_db, chat_id=private_chat.chat_id)).tasks == []


async def test_too_many_tasks_are_refused(private_chat: ChatDriver, direct_db: Database) -> None:
    data = ("title\n" + "Task\n" * 5001).encode()
    answer = await _send_file(private_chat, "many.csv", data)
    assert "more than 5,000 tasks" in answer
    assert (await export_tasks(direct_db, chat_id=private_chat.chat_id)).tasks == []


async def test_a_redelivered_import_adds_once(
    private_chat: ChatDriver,
    telegram: FakeTelegram,
    running_app: BotApplication,
    direct_db: Database,
) -> None:
    mark = telegram.mark()
    update = telegram.send_document(
        private_chat.chat_id, "t.csv", b"title\nMilk\nEggs\n", caption="/import"
    )
    await telegram.wait_for("sendMessage", _mine(private_chat), after=mark)
    mark = telegram.mark()
    await running_app.process_update(Update.de_json(update, running_app.bot))
    await private_chat.send("/help")
    tasks = (await export_tasks(direct_db, chat_id=private_chat.chat_id)).tasks
    assert [t.title for t in tasks] == ["Milk", "Eggs"]
    replies = [
        c for c in telegram.calls[mark:] if c.method == "sendMessage" and _mine(private_chat)(c)
    ]
    assert len(replies) == 1  # only the /help: the repeat was silent


async def test_a_group_imports_with_the_caption_addressed_to_the_bot(
    group_chat: ChatDriver,
) -> None:
    answer = await _send_file(
        group_chat, "t.csv", b"title\nMilk\n", caption="/import@todo_test_bot"
    )
    assert answer.startswith("📥 Imported 1 task as #1")


async def test_export_of_an_empty_chat_says_there_is_nothing(private_chat: ChatDriver) -> None:
    reply = await private_chat.send("/export")
    assert reply.text == "📭 There is nothing to export: this chat has no tasks."


async def test_an_import_reads_its_file_in_the_lists_zone(direct_db: Database) -> None:
    chat = new_chat_id()
    await save_chat_settings(
        direct_db, chat_id=chat, settings=ChatSettings("Asia/Tokyo"), next_digest_at=None
    )
    zones: list[str] = []

    async def read(tz: ZoneInfo) -> list[NewTask]:
        zones.append(tz.key)
        return [NewTask(title="from the file")]

    added = await import_tasks_in_zone(direct_db, chat_id=chat, read=read, created_by=chat)
    assert (added.count, added.first, added.last, zones) == (1, 1, 1, ["Asia/Tokyo"])
    (task,) = (await export_tasks(direct_db, chat_id=chat)).tasks
    assert task.title == "from the file"


async def test_a_repeating_task_moved_to_a_chat_in_another_zone_keeps_its_day_and_wall_time(
    private_chat: ChatDriver, telegram: FakeTelegram, direct_db: Database
) -> None:
    await private_chat.send("/timezone Europe/Berlin")
    await private_chat.send("/add Stand-up @ every monday 9:00")
    json_file, csv_file, _ = await _export(private_chat)
    assert json.loads(json_file.data)["timezone"] == "Europe/Berlin"
    (original,) = (await export_tasks(direct_db, chat_id=private_chat.chat_id)).tasks
    assert original.due_at is not None
    in_berlin = original.due_at.astimezone(ZoneInfo("Europe/Berlin"))

    for file in (json_file, csv_file):
        other_id = new_user_id()
        other = ChatDriver(telegram, chat_id=other_id, user_id=other_id)
        await other.send("/timezone Asia/Tokyo")
        assert (await _send_file(other, file.file_name, file.data)).startswith("📥 Imported 1")

        (imported,) = (await export_tasks(direct_db, chat_id=other_id)).tasks
        assert imported.due_at is not None and imported.recurrence == original.recurrence
        in_tokyo = imported.due_at.astimezone(ZoneInfo("Asia/Tokyo"))
        assert (in_tokyo.date(), in_tokyo.hour, in_tokyo.minute) == (in_berlin.date(), 9, 0)
        # Its next time is the rule's next in Tokyo: a week on, at 09:00 there too.
        assert "is back for its next time" in (await other.send("/done 1")).text
        (next_time,) = (await export_tasks(direct_db, chat_id=other_id)).tasks
        assert next_time.due_at == imported.due_at + timedelta(days=7)


async def test_a_file_naming_an_unknown_time_zone_is_refused(private_chat: ChatDriver) -> None:
    document = {"format": "todo-bot/tasks", "version": 1, "timezone": "Mars/Olympus", "tasks": []}
    answer = await _send_file(private_chat, "t.json", json.dumps(document).encode())
    assert answer.startswith("⚠️ Nothing was imported:")
    assert "timezone: 'Mars/Olympus' is no time zone I know" in answer


def _task(title: str, description: str | None = None) -> Task:
    now = datetime.now(UTC)
    return Task(uuid4(), 1, 1, title, description, False, None, 1, now, now)


@example("'=already quoted")
@example("''=1+1")
@example("'plain")
@example("=1+1")
@example("-5 apples")
@example("@home")
@given(st.text(min_size=1, max_size=TITLE_MAX_LENGTH))
def test_every_title_and_note_comes_back_from_the_csv_exactly(text: str) -> None:
    try:
        title = clean_title(text)
    except InvalidTitle:
        assume(False)
    note = clean_description(text)
    exported = export_csv([_task(title, note)], timezone="Europe/Berlin")

    (read,) = read_tasks_file(exported, tz=ZoneInfo("UTC"), now=datetime.now(UTC))

    assert (read.title, read.description) == (title, note)
