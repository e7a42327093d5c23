"""Files attached to a task: kept by their Telegram `file_id` in the task's row
(`tasks.attachments`, a JSON array, in the order attached), never downloaded. Attaching is one
statement, once per key; a task holds at most MAX_ATTACHMENTS."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from storage.changes import FIRST_TIME, check_number, execute_change, once_per_key
from storage.db import Database
from storage.errors import AttachmentsFull, TaskNotFound
from storage.tables import CHAT_ID, NUMBER, TASK_COLUMNS, task_from_row, tasks
from storage.task_fields import (
    FILE_ID_MAX_LENGTH,
    FILE_NAME_MAX_LENGTH,
    MAX_ATTACHMENTS,
    attachments_json,
)
from storage.values import ATTACHMENT_KINDS, Attachment, Task, UpdateKey

NEW_ATTACHMENT = sa.bindparam("new_attachment", type_=sa.Text)
MOST = sa.bindparam("most_attachments", type_=sa.Integer)


def _attached() -> sa.Select[Any]:
    """Add `:new_attachment` (a JSON array of one) at the end of the attachments of the task
    `:task_number`, unless it has `:most_attachments` already. Each row has `files_before`:
    how many it had (NULL: no such task)."""
    count = sa.func.jsonb_array_length(tasks.c.attachments, type_=sa.Integer)
    target = (
        sa.select(tasks.c.id, count.label("files"))
        .where(tasks.c.chat_id == CHAT_ID, tasks.c.number == NUMBER, tasks.c.deleted_at.is_(None))
        .cte("target")
    )
    appended = tasks.c.attachments.op("||")(sa.cast(NEW_ATTACHMENT, postgresql.JSONB))
    changed = (
        sa.update(tasks)
        .where(tasks.c.id == target.c.id, FIRST_TIME, target.c.files < MOST)
        .values({tasks.c.attachments: appended, tasks.c.updated_at: sa.func.now()})
        .returning(*TASK_COLUMNS)
        .cte("changed")
    )
    before = sa.select(target.c.files).scalar_subquery().label("files_before")
    return once_per_key(changed, also=[before])


ATTACH = _attached()


def checked_attachment(kind: str, file_id: str, name: str | None) -> Attachment:
    """An attachment as storage keeps it: a known kind, a file_id of a sane length, the file's
    name (documents) shortened to FILE_NAME_MAX_LENGTH; ValueError otherwise."""
    if kind not in ATTACHMENT_KINDS:
        raise ValueError(f"an attachment is one of {', '.join(ATTACHMENT_KINDS)}")
    if not file_id or len(file_id) > FILE_ID_MAX_LENGTH or not file_id.isprintable():
        raise ValueError("not a Telegram file_id")
    if name is not None:
        name = " ".join(name.split())[:FILE_NAME_MAX_LENGTH] or None
    return Attachment(kind, file_id, name)


async def attach(
    db: Database,
    *,
    chat_id: int,
    number: int,
    attachment: Attachment,
    update_key: UpdateKey | None = None,
) -> Task:
    """Attach a file to a task and return the task; AttachmentsFull past MAX_ATTACHMENTS (it
    is not attached), TaskNotFound."""
    check_number(number)
    params = {
        "list_id": chat_id,
        "task_number": number,
        "new_attachment": attachments_json([attachment]),
        "most_attachments": MAX_ATTACHMENTS,
    }
    rows = await execute_change(db, ATTACH, params, update_key=update_key)
    found = [row for row in rows if row._mapping["id"] is not None]
    if not found:
        if rows[0]._mapping["files_before"] is None:
            raise TaskNotFound(number)
        raise AttachmentsFull(number, MAX_ATTACHMENTS)
    return task_from_row(found[0])
