"""A task's priority, labels, checklist and attachments in the export files, and read back
from an import file (handlers.task_files: the files' format). Pure functions.

JSON: `"priority": 1`, `"labels": ["finance"]`, `"checklist": [{"text": ..., "done": ...}]`,
`"attachments": [{"kind": ..., "file_id": ..., "name": ...}]`. CSV: `priority` 1-3,
`labels` `#finance #urgent`, `checklist` one item per line (`[x] passport`, `[ ] tickets`),
`attachments` one file per line (`document <file_id> <name>`). Labels are written for people
and spreadsheets: on import a task's labels are its title's hashtags again. Files exported
before these fields had none of them and import as before.
"""

from typing import Any

from handlers.i18n import _, ngettext
from handlers.render_fields import item_refusal
from storage.attachments import checked_attachment
from storage.errors import InvalidChecklistItem
from storage.task_fields import MAX_ATTACHMENTS, MAX_CHECKLIST_ITEMS, PRIORITIES, clean_items
from storage.values import ATTACHMENT_KINDS, Attachment, ChecklistItem, Task

CSV_COLUMNS = ("priority", "labels", "checklist", "attachments")
_DONE_BOX, _OPEN_BOX = "[x] ", "[ ] "


def json_fields(task: Task) -> dict[str, Any]:
    """The task's fields in the JSON export."""
    return {
        "priority": task.priority,
        "labels": list(task.labels),
        "checklist": [{"text": item.text, "done": item.done} for item in task.checklist],
        "attachments": [
            {"kind": file.kind, "file_id": file.file_id, "name": file.name}
            for file in task.attachments
        ],
    }


def csv_cells(task: Task) -> list[str]:
    """The task's cells of CSV_COLUMNS (before the formula guard)."""
    checklist = "\n".join(
        (_DONE_BOX if item.done else _OPEN_BOX) + item.text for item in task.checklist
    )
    files = "\n".join(
        " ".join(part for part in (file.kind, file.file_id, file.name) if part)
        for file in task.attachments
    )
    labels = " ".join(f"#{label}" for label in task.labels)
    return [str(task.priority or ""), labels, checklist, files]


def read_priority(value: Any) -> int:
    """A priority: 1, 2 or 3 (a number in JSON, its digit in CSV)."""
    if isinstance(value, str) and value.strip().lstrip("!").isdigit():
        value = int(value.strip().lstrip("!"))
    if isinstance(value, bool) or value not in PRIORITIES:
        raise ValueError(_("a priority is 1, 2 or 3"))
    return int(value)


def read_checklist(value: Any) -> tuple[ChecklistItem, ...]:
    """Checklist items: a JSON list of {"text", "done"}, or CSV lines `[x] text`, `[ ] text`
    (a line without a box is an open item). Their texts are checked when stored."""
    if isinstance(value, str):
        items = [_item_of_line(line) for line in value.splitlines() if line.strip()]
    elif isinstance(value, list):
        items = [_item_of_object(entry) for entry in value]
    else:
        raise TypeError(_("must be a list of checklist items"))
    if len(items) > MAX_CHECKLIST_ITEMS:
        raise ValueError(_too_many(MAX_CHECKLIST_ITEMS))
    try:
        texts = clean_items([item.text for item in items])
    except InvalidChecklistItem as error:
        raise ValueError(item_refusal(error)) from None
    return tuple(ChecklistItem(text, item.done) for text, item in zip(texts, items, strict=True))


def _too_many(limit: int) -> str:
    return ngettext("at most %(count)s item", "at most %(count)s items", limit)


def _item_of_line(line: str) -> ChecklistItem:
    for box, done in ((_DONE_BOX, True), (_OPEN_BOX, False), ("[X] ", True)):
        if line.startswith(box):
            return ChecklistItem(line[len(box) :], done)
    return ChecklistItem(line)


def _item_of_object(entry: Any) -> ChecklistItem:
    if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
        raise TypeError(_('each checklist item must be an object with its "text"'))
    done = entry.get("done", False)
    if not isinstance(done, bool):
        raise TypeError(_('an item\'s "done" must be true or false'))
    return ChecklistItem(entry["text"], done)


def read_attachments(value: Any) -> tuple[Attachment, ...]:
    """Files attached: a JSON list of {"kind", "file_id", "name"}, or CSV lines
    `kind file_id name`."""
    if isinstance(value, str):
        found = [_file_of_line(line) for line in value.splitlines() if line.strip()]
    elif isinstance(value, list):
        found = [_file_of_object(entry) for entry in value]
    else:
        raise TypeError(_("must be a list of files"))
    if len(found) > MAX_ATTACHMENTS:
        raise ValueError(
            ngettext("at most %(count)s file", "at most %(count)s files", MAX_ATTACHMENTS)
        )
    return tuple(found)


def _file(kind: Any, file_id: Any, name: Any) -> Attachment:
    if kind not in ATTACHMENT_KINDS or not isinstance(file_id, str):
        raise ValueError(
            _("a file is a kind (%(kinds)s) and its file_id", kinds=", ".join(ATTACHMENT_KINDS))
        )
    try:
        return checked_attachment(kind, file_id, name if isinstance(name, str) else None)
    except ValueError:
        raise ValueError(
            _("%(file_id)s is no Telegram file_id", file_id=repr(file_id[:40]))
        ) from None


def _file_of_line(line: str) -> Attachment:
    parts = line.split(maxsplit=2)
    if len(parts) < 2:
        return _file(None, None, None)
    return _file(parts[0], parts[1], parts[2] if len(parts) > 2 else None)


def _file_of_object(entry: Any) -> Attachment:
    if not isinstance(entry, dict):
        return _file(None, None, None)
    return _file(entry.get("kind"), entry.get("file_id"), entry.get("name"))
