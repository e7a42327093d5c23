"""A task's priority, labels, checklist and attachments: their limits, how labels are read from
a title, checklist items cleaned, and the JSON the database keeps checklists and attachments as.

Labels are the title's hashtags, as Telegram shows them (`#finance`, `#срочно`): `#` not right
after a letter, digit, `_` or `#`, then letters, digits and `_` with at least one that is no
digit (`#3` is a task's number, not a label). They are compared without case and kept as typed
otherwise, never translated: `#Finance` and `#finance` are one label, `finance`. A title's
first MAX_LABELS hashtags of at most MAX_LABEL_LENGTH characters are its labels, derived
whenever the title is written.
"""

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from storage.errors import ChecklistFull, InvalidChecklistItem
from storage.validation import clean_text
from storage.values import ATTACHMENT_KINDS, Attachment, ChecklistItem

PRIORITIES = (1, 2, 3)
MAX_LABELS = 10
MAX_LABEL_LENGTH = 64
MAX_CHECKLIST_ITEMS = 50
ITEM_MAX_LENGTH = 256
MAX_ATTACHMENTS = 20
FILE_ID_MAX_LENGTH = 256
FILE_NAME_MAX_LENGTH = 256

HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_LABEL = re.compile(r"\w+")


def labels_of(title: str) -> tuple[str, ...]:
    """The labels of a title: its hashtags that are not just digits (nor longer than
    MAX_LABEL_LENGTH), lower-case, each once, in the order they first appear, MAX_LABELS at
    most."""
    labels: list[str] = []
    for match in HASHTAG.finditer(title):
        label = match.group(1).lower()
        if label.isdecimal() or label in labels or len(label) > MAX_LABEL_LENGTH:
            continue
        labels.append(label)
        if len(labels) == MAX_LABELS:
            break
    return tuple(labels)


def label_key(text: str) -> str | None:
    """A label as the chat or the API names it (`#Finance` or `finance`), as labels are kept;
    None when it is no label."""
    name = text[1:] if text.startswith("#") else text
    if not _LABEL.fullmatch(name) or name.isdecimal() or len(name) > MAX_LABEL_LENGTH:
        return None
    return name.lower()


def clean_item(raw: str, *, place: int | None = None) -> str:
    """A checklist item's text as stored (cleaned as a title is); InvalidChecklistItem when
    nothing is left or it is longer than ITEM_MAX_LENGTH. `place` is its place among several."""
    text = clean_text(raw)
    if text is None:
        raise InvalidChecklistItem("the item is empty", place=place)
    if len(text) > ITEM_MAX_LENGTH:
        raise InvalidChecklistItem(
            f"the item is {len(text)} characters long; the limit is {ITEM_MAX_LENGTH}",
            length=len(text),
            place=place,
        )
    return text


def clean_items(raw: Sequence[str]) -> list[str]:
    """Several items cleaned (clean_item), each refusal naming its place when there are more."""
    many = len(raw) > 1
    return [clean_item(text, place=i if many else None) for i, text in enumerate(raw, 1)]


def checklist_items(entries: Sequence[str | ChecklistItem]) -> list[ChecklistItem]:
    """Checklist items (a text alone: an open one), cleaned (clean_items); ChecklistFull past
    MAX_CHECKLIST_ITEMS."""
    if len(entries) > MAX_CHECKLIST_ITEMS:
        raise ChecklistFull(None, MAX_CHECKLIST_ITEMS)
    items = [
        entry if isinstance(entry, ChecklistItem) else ChecklistItem(entry) for entry in entries
    ]
    texts = clean_items([item.text for item in items])
    return [ChecklistItem(text, item.done) for text, item in zip(texts, items, strict=True)]


def checklist_json(items: Iterable[ChecklistItem]) -> str:
    """A checklist as the database keeps it (JSON text, for a jsonb parameter)."""
    return json.dumps([{"text": item.text, "done": item.done} for item in items])


def attachments_json(attachments: Iterable[Attachment]) -> str:
    """Attachments as the database keeps them (JSON text, for a jsonb parameter)."""
    return json.dumps(
        [{"kind": a.kind, "file_id": a.file_id, "name": a.name} for a in attachments]
    )


def checklist_of(stored: Any) -> tuple[ChecklistItem, ...]:
    """The checklist of a row's stored JSON (anything unreadable in it is left out)."""
    if not isinstance(stored, list):
        return ()
    return tuple(
        ChecklistItem(str(item["text"]), item.get("done") is True)
        for item in stored
        if isinstance(item, dict) and isinstance(item.get("text"), str)
    )


def attachments_of(stored: Any) -> tuple[Attachment, ...]:
    """The attachments of a row's stored JSON (anything unreadable in it is left out)."""
    if not isinstance(stored, list):
        return ()
    found = []
    for entry in stored:
        if not isinstance(entry, dict) or entry.get("kind") not in ATTACHMENT_KINDS:
            continue
        file_id, name = entry.get("file_id"), entry.get("name")
        if isinstance(file_id, str) and file_id:
            found.append(
                Attachment(entry["kind"], file_id, name if isinstance(name, str) else None)
            )
    return tuple(found)
