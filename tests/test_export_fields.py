"""/export and /import keep priorities, labels, checklists and attachments, in JSON and CSV
(a title's hashtags are its labels again), refuse a bad field with where it is, and files
written before these fields still import; any checklist comes back exactly from the CSV."""

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.task_export import export_csv
from handlers.task_files import ImportRejected
from handlers.task_import import read_tasks_file
from storage.attachments import attach
from storage.db import Database
from storage.transfer import export_tasks
from storage.values import Attachment, ChecklistItem, Task
from testkit.fake_telegram import FakeTelegram
from tests.botdriver import ChatDriver
from tests.factories import new_user_id
from tests.test_export_import import _export, _send_file

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _fields(task: Task) -> tuple[Any, ...]:
    return (task.title, task.priority, task.labels, task.checklist, task.attachments)


@pytest.mark.parametrize("kind", ["json", "csv"])
async def test_the_new_fields_survive_export_and_import(
    private_chat: ChatDriver, telegram: FakeTelegram, direct_db: Database, kind: str
) -> None:
    await private_chat.send(
        "/add Trip #Travel !1\n- passport\n- =tickets\nPay rent #home !3\nPlain"
    )
    shown = await private_chat.send("/show 1")
    await private_chat.press(shown, "⬜ 1. passport")
    scan = Attachment("document", "BQACAgIAAxkBAAIBscan", "scan copy.pdf")
    await attach(direct_db, chat_id=private_chat.chat_id, number=1, attachment=scan)
    json_file, csv_file, _ = await _export(private_chat)
    first = json.loads(json_file.data)["tasks"][0]
    assert (first["priority"], first["labels"]) == (1, ["travel"])
    assert first["checklist"] == [
        {"text": "passport", "done": True},
        {"text": "=tickets", "done": False},
    ]
    assert first["attachments"] == [
        {"kind": "document", "file_id": "BQACAgIAAxkBAAIBscan", "name": "scan copy.pdf"}
    ]
    rows = list(csv.DictReader(io.StringIO(csv_file.data.decode("utf-8-sig"))))
    assert (rows[0]["priority"], rows[0]["labels"]) == ("1", "#travel")
    assert rows[0]["checklist"] == "[x] passport\n[ ] =tickets"
    assert rows[0]["attachments"] == "document BQACAgIAAxkBAAIBscan scan copy.pdf"
    assert (rows[2]["priority"], rows[2]["checklist"], rows[2]["attachments"]) == ("", "", "")

    user = new_user_id()
    other = ChatDriver(telegram, chat_id=user, user_id=user)
    file = json_file if kind == "json" else csv_file
    answer = await _send_file(other, file.file_name, file.data)
    assert answer.startswith("📥 Imported 3 tasks as #1–#3")
    original = (await export_tasks(direct_db, chat_id=private_chat.chat_id)).tasks
    imported = (await export_tasks(direct_db, chat_id=other.chat_id)).tasks
    assert [_fields(t) for t in imported] == [_fields(t) for t in original]


async def test_a_file_from_before_these_fields_still_imports() -> None:
    old = {
        "format": "todo-bot/tasks",
        "version": 1,
        "timezone": "UTC",
        "tasks": [{"title": "Old #tag", "done": False}],
    }
    (task,) = read_tasks_file(json.dumps(old).encode(), tz=ZoneInfo("UTC"), now=NOW)
    assert (task.priority, task.checklist, task.attachments) == (None, (), ())
    (row,) = read_tasks_file(b"title,done\nOld,no\n", tz=ZoneInfo("UTC"), now=NOW)
    assert row.priority is None and row.checklist == ()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("priority", 4, "a priority is 1, 2 or 3"),
        ("priority", True, "a priority is 1, 2 or 3"),
        ("checklist", [{"done": True}], 'with its "text"'),
        ("checklist", [{"text": "a", "done": "yes"}], "must be true or false"),
        ("checklist", [{"text": "x" * 300}], "the item is 300 characters long"),
        ("checklist", [{"text": "a"}] * 51, "at most 50 items"),
        ("checklist", 5, "must be a list of checklist items"),
        ("attachments", [{"kind": "sticker", "file_id": "x"}], "a file is a kind"),
        ("attachments", [{"kind": "photo", "file_id": "a\nb"}], "is no Telegram file_id"),
    ],
    ids=str,
)
def test_a_bad_field_is_refused_with_its_task(field: str, value: Any, words: str) -> None:
    document = {
        "format": "todo-bot/tasks",
        "version": 1,
        "tasks": [{"title": "ok"}, {"title": "bad", field: value}],
    }
    with pytest.raises(ImportRejected) as refused:
        read_tasks_file(json.dumps(document).encode(), tz=ZoneInfo("UTC"), now=NOW)
    (problem,) = refused.value.problems
    assert problem.startswith(f"task 2: {field}") or problem.startswith("task 2:"), problem
    assert words in problem, problem


_item_text = (
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1)
    .map(lambda text: " ".join(text.split())[:256])
    .filter(lambda text: bool(text.strip("\u200b")))
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_item_text, st.booleans()), max_size=8))
def test_any_checklist_comes_back_exactly_from_the_csv(items: list[tuple[str, bool]]) -> None:
    checklist = tuple(ChecklistItem(text, done) for text, done in items)
    task = Task(
        id=None,  # type: ignore[arg-type]  # not exported
        chat_id=1,
        number=1,
        title="t",
        description=None,
        done=False,
        completed_at=None,
        created_by=None,
        created_at=NOW,
        updated_at=NOW,
        checklist=checklist,
    )
    try:
        expected = read_tasks_file(
            json.dumps(
                {
                    "format": "todo-bot/tasks",
                    "version": 1,
                    "tasks": [
                        {"title": "t", "checklist": [{"text": t, "done": d} for t, d in items]}
                    ],
                }
            ).encode(),
            tz=ZoneInfo("UTC"),
            now=NOW,
        )[0].checklist
    except ImportRejected:
        return  # an item storage would not keep (no visible character): never exported
    (read,) = read_tasks_file(export_csv([task], timezone=None), tz=ZoneInfo("UTC"), now=NOW)
    assert read.checklist == expected == checklist
