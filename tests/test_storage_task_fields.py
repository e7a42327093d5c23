"""Priority, labels, checklists and attachments in storage: added with a task, changed alone,
limited, reset when a repeating task comes back, exported and imported, once per key."""

from datetime import UTC, datetime, timedelta

import pytest

from storage.attachments import attach, checked_attachment
from storage.checklists import add_items, tick_item
from storage.db import Database
from storage.deleting import delete_task
from storage.errors import (
    AttachmentsFull,
    ChecklistFull,
    DuplicateUpdate,
    InvalidChecklistItem,
    ItemNotFound,
    TaskNotFound,
)
from storage.labels import LabelCount, list_labels
from storage.recurrence import Recurrence
from storage.task_edits import edit_task
from storage.task_fields import MAX_ATTACHMENTS, MAX_CHECKLIST_ITEMS, label_key, labels_of
from storage.tasks import add_task, add_tasks, get_task, rename_task, set_task_done
from storage.transfer import NewTask, export_tasks, import_tasks
from storage.values import Attachment, ChecklistItem, DueEntry
from tests.factories import new_chat_id, new_update

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_labels_are_the_titles_hashtags_lower_case_once_each() -> None:
    assert labels_of("Call the bank #finance #Urgent #finance") == ("finance", "urgent")
    assert labels_of("Fix #3 and #3d, C# and a#b, ##x, #Ёлка_2") == ("3d", "ёлка_2")
    assert labels_of("no labels here # and #") == ()
    assert labels_of(" ".join(f"#l{i}" for i in range(20))) == tuple(f"l{i}" for i in range(10))
    assert label_key("#Finance") == "finance" and label_key("finance") == "finance"
    assert label_key("#12") is None and label_key("#a-b") is None and label_key("") is None


async def test_a_task_keeps_its_priority_labels_and_checklist(db: Database) -> None:
    chat = new_chat_id()
    task = await add_task(
        db,
        chat_id=chat,
        title="Shop #home #Errands",
        created_by=chat,
        priority=2,
        checklist=["  eggs ", "milk"],
    )
    assert task.priority == 2 and task.labels == ("home", "errands")
    assert task.checklist == (ChecklistItem("eggs"), ChecklistItem("milk"))
    assert await get_task(db, chat_id=chat, number=1) == task


async def test_renaming_gives_the_labels_of_the_new_title(db: Database) -> None:
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="Pay #bills", created_by=chat, priority=1)
    renamed = await rename_task(db, chat_id=chat, number=1, title="Pay rent #home")
    assert renamed.labels == ("home",) and renamed.priority == 1
    only_priority = await rename_task(db, chat_id=chat, number=1, title=None, priority=None)
    assert only_priority.title == "Pay rent #home" and only_priority.priority is None


async def test_checklist_items_are_added_and_ticked(db: Database) -> None:
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="Trip", created_by=chat, checklist=["tickets"])
    task = await add_items(db, chat_id=chat, number=1, texts=["passport", "charger"])
    assert [item.text for item in task.checklist] == ["tickets", "passport", "charger"]
    ticked = await tick_item(db, chat_id=chat, number=1, item=2, done=True)
    assert [item.done for item in ticked.task.checklist] == [False, True, False]
    assert ticked.assignees == [] and ticked.task.checked == 1
    again = await tick_item(db, chat_id=chat, number=1, item=2, done=True)
    assert again.task.checklist == ticked.task.checklist
    # Ticking every item leaves the task open.
    for item in (1, 3):
        last = await tick_item(db, chat_id=chat, number=1, item=item, done=True)
    assert last.task.checked == 3 and not last.task.done
    with pytest.raises(ItemNotFound):
        await tick_item(db, chat_id=chat, number=1, item=4, done=True)
    with pytest.raises(TaskNotFound):
        await tick_item(db, chat_id=chat, number=2, item=1, done=True)
    with pytest.raises(TaskNotFound):
        await add_items(db, chat_id=chat, number=2, texts=["x"])


async def test_a_checklist_holds_at_most_its_limit_and_clean_items(db: Database) -> None:
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="Big", created_by=chat)
    await add_items(db, chat_id=chat, number=1, texts=["x"] * (MAX_CHECKLIST_ITEMS - 1))
    with pytest.raises(ChecklistFull):
        await add_items(db, chat_id=chat, number=1, texts=["y", "z"])
    task = await add_items(db, chat_id=chat, number=1, texts=["last"])
    assert len(task.checklist) == MAX_CHECKLIST_ITEMS
    with pytest.raises(InvalidChecklistItem) as refused:
        await add_items(db, chat_id=chat, number=1, texts=["ok", " \u200b "])
    assert refused.value.place == 2
    with pytest.raises(InvalidChecklistItem):
        await add_items(db, chat_id=chat, number=1, texts=["x" * 257])
    with pytest.raises(ChecklistFull):
        await add_task(db, chat_id=chat, title="t", created_by=chat, checklist=["a"] * 51)


async def test_a_checklist_change_applies_once_per_update(db: Database) -> None:
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="Once", created_by=chat)
    key = new_update()
    await add_items(db, chat_id=chat, number=1, texts=["a"], update_key=key)
    with pytest.raises(DuplicateUpdate):
        await add_items(db, chat_id=chat, number=1, texts=["a"], update_key=key)
    assert len((await get_task(db, chat_id=chat, number=1)).checklist) == 1


async def test_completing_a_repeating_task_unticks_its_checklist(db: Database) -> None:
    chat = new_chat_id()
    rule = Recurrence("daily", 9, 0).encode()
    due = DueEntry(NOW + timedelta(hours=1), rule)
    await add_tasks(
        db, chat_id=chat, titles=["Daily"], created_by=chat, due=[due], checklists=[["a", "b"]]
    )
    await add_tasks(db, chat_id=chat, titles=["Once"], created_by=chat, checklists=[["c"]])
    for number in (1, 2):
        await tick_item(db, chat_id=chat, number=number, item=1, done=True)
    repeating = await set_task_done(db, chat_id=chat, number=1, done=True, now=NOW)
    assert repeating.next_due is not None
    assert [item.done for item in repeating.task.checklist] == [False, False]
    once = await set_task_done(db, chat_id=chat, number=2, done=True, now=NOW)
    assert once.task.done and once.task.checklist == (ChecklistItem("c", True),)
    # The task API's completion does the same.
    await tick_item(db, chat_id=chat, number=1, item=2, done=True)
    edited = await edit_task(db, chat_id=chat, number=1, done=True, now=NOW)
    assert not edited.done and edited.checked == 0


async def test_the_task_api_edit_sets_priority_checklist_and_labels(db: Database) -> None:
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="Plain", created_by=chat)
    edited = await edit_task(
        db,
        chat_id=chat,
        number=1,
        title="Plain #work",
        priority=3,
        checklist=[ChecklistItem("one", True), ChecklistItem(" two ")],
    )
    assert edited.labels == ("work",) and edited.priority == 3
    assert edited.checklist == (ChecklistItem("one", True), ChecklistItem("two"))
    kept = await edit_task(db, chat_id=chat, number=1, description="note")
    assert kept.priority == 3 and kept.checklist == edited.checklist
    cleared = await edit_task(db, chat_id=chat, number=1, priority=None, checklist=[])
    assert cleared.priority is None and cleared.checklist == ()


async def test_files_are_attached_by_file_id_up_to_the_limit(db: Database) -> None:
    chat = new_chat_id()
    await add_task(db, chat_id=chat, title="Papers", created_by=chat)
    photo = checked_attachment("photo", "AgACAgIAAx0", None)
    task = await attach(db, chat_id=chat, number=1, attachment=photo)
    assert task.attachments == (photo,)
    document = checked_attachment("document", "BQACAgIAAx0", "  report\n.pdf ")
    assert document.name == "report .pdf"
    for _ in range(MAX_ATTACHMENTS - 1):
        task = await attach(db, chat_id=chat, number=1, attachment=document)
    assert len(task.attachments) == MAX_ATTACHMENTS
    with pytest.raises(AttachmentsFull):
        await attach(db, chat_id=chat, number=1, attachment=photo)
    with pytest.raises(TaskNotFound):
        await attach(db, chat_id=chat, number=2, attachment=photo)
    with pytest.raises(ValueError, match="one of"):
        checked_attachment("sticker", "x", None)


async def test_labels_are_listed_with_their_counts(db: Database) -> None:
    chat = new_chat_id()
    await add_tasks(
        db,
        chat_id=chat,
        titles=["a #Work", "b #work #home", "c #home", "d #gone", "e"],
        created_by=chat,
    )
    await set_task_done(db, chat_id=chat, number=3, done=True)
    await delete_task(db, chat_id=chat, number=4)
    assert await list_labels(db, chat_id=chat) == [
        LabelCount("home", 1, 1),
        LabelCount("work", 2, 0),
    ]


async def test_export_and_import_carry_every_new_field(db: Database) -> None:
    chat, other = new_chat_id(), new_chat_id()
    await add_task(
        db, chat_id=chat, title="Trip #travel", created_by=chat, priority=1, checklist=["bag"]
    )
    await tick_item(db, chat_id=chat, number=1, item=1, done=True)
    voice = Attachment("voice", "AwACAgIAAx0", None)
    await attach(db, chat_id=chat, number=1, attachment=voice)
    (exported,) = (await export_tasks(db, chat_id=chat)).tasks
    new = NewTask(
        title=exported.title,
        priority=exported.priority,
        checklist=exported.checklist,
        attachments=exported.attachments,
    )
    added = await import_tasks(db, chat_id=other, tasks=[new], created_by=other)
    (imported,) = (await export_tasks(db, chat_id=other)).tasks
    assert (added.count, added.first, imported.number) == (1, 1, 1)
    assert (imported.priority, imported.labels) == (1, ("travel",))
    assert imported.checklist == (ChecklistItem("bag", True),)
    assert imported.attachments == (voice,)
