"""What the task API answers with: a task (and how its due time repeats, who it is assigned
to, its files) and a page of a list.
"""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from bot.web.api_schemas import (
    CHECKLIST_DESCRIPTION,
    PRIORITY_DESCRIPTION,
    REMIND_BEFORE_DESCRIPTION,
    ChecklistItemModel,
    Priority,
    Repeat,
)
from handlers.render_time import describe_recurrence
from storage.assignees import Assignee
from storage.recurrence import InvalidRecurrence, Recurrence
from storage.task_fields import MAX_LABELS
from storage.values import Attachment, Task, TaskPage

_LABELS = (
    "The title's hashtags, lower-case, without `#` (`Call the bank #Finance` has `finance`),"
    f" the first {MAX_LABELS}: change the title to change them"
)


class RepeatRead(Repeat):
    """How a due time repeats, with the rule in words and as the export files store it."""

    model_config = ConfigDict()

    description: str = Field(examples=["every other Friday at 18:00"])
    stored: str = Field(
        description="The rule as /export writes it",
        examples=["FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;TIME=18:00;START=2026-06-12"],
    )

    @classmethod
    def of_stored(cls, text: str | None) -> "RepeatRead | None":
        try:
            rule = Recurrence.decode(text) if text else None
        except InvalidRecurrence:
            return None
        if rule is None:
            return None
        fields = dict(Repeat.of(rule))
        return cls.model_construct(
            **fields, description=describe_recurrence(rule), stored=rule.encode()
        )


class Person(BaseModel):
    """Someone a task is assigned to, with what the bot knows of their name."""

    user_id: int
    username: str | None = Field(description="Without the @; null when unknown")
    name: str | None = Field(description="Their first name, when known")

    @classmethod
    def of(cls, assignee: Assignee) -> "Person":
        return cls(user_id=assignee.user_id, username=assignee.username, name=assignee.first_name)


class AttachmentRead(BaseModel):
    """A file attached in the chat (a reply to the task's /show with it), kept as Telegram's
    file_id: the bot sends it back by that id; the API gives no download."""

    kind: Literal["photo", "document", "voice", "video"]
    file_id: str = Field(description="Telegram's file_id, valid for this bot only")
    name: str | None = Field(description="The document's file name (null for the others)")

    @classmethod
    def of(cls, attachment: Attachment) -> "AttachmentRead":
        return cls.model_construct(
            kind=attachment.kind, file_id=attachment.file_id, name=attachment.name
        )


class TaskRead(BaseModel):
    """A task. `number` is its number in the chat (#3), which never changes."""

    id: UUID
    number: int
    title: str
    description: str | None
    completed: bool
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None = Field(description="When it is due; null: never")
    repeat: RepeatRead | None = Field(description="How the due time repeats; null: it does not")
    remind_before: list[int] = Field(description=REMIND_BEFORE_DESCRIPTION)
    nag_minutes: int | None = Field(
        description="How often the reminder repeats until done, in minutes; null: once"
    )
    assignees: list[Person] | None = Field(
        default=None,
        description="Who it is assigned to, in the order assigned; null where the answer does"
        " not say (an answer to a change that left them as they were)",
    )
    priority: Priority | None = Field(description=PRIORITY_DESCRIPTION)
    labels: list[str] = Field(description=_LABELS, examples=[["finance", "urgent"]])
    checklist: list[ChecklistItemModel] = Field(description=CHECKLIST_DESCRIPTION)
    attachments: list[AttachmentRead] = Field(description="Files attached in the chat, in order")

    @classmethod
    def of(cls, task: Task, assignees: list[Assignee] | None = None) -> "TaskRead":
        return cls(
            id=task.id,
            number=task.number,
            title=task.title,
            description=task.description,
            completed=task.done,
            created_at=task.created_at,
            updated_at=task.updated_at,
            due_at=task.due_at,
            repeat=RepeatRead.of_stored(task.recurrence),
            remind_before=list(task.remind_before),
            nag_minutes=task.nag_minutes,
            assignees=None if assignees is None else [Person.of(one) for one in assignees],
            priority=task.priority,  # type: ignore[arg-type]  # 1-3 by the table's check
            labels=list(task.labels),
            checklist=[ChecklistItemModel.of(item) for item in task.checklist],
            attachments=[AttachmentRead.of(file) for file in task.attachments],
        )


class ClearedRead(BaseModel):
    """What a clear of done tasks (or its undo) did."""

    count: int = Field(description="How many done tasks it deleted (or brought back)")
    stamp: int | None = Field(
        default=None,
        description="The clear's mark: `POST .../clear/undo` with it brings back exactly those"
        " tasks; null when there were none (and in an undo's answer)",
    )


class TaskList(BaseModel):
    """One page of a list's open or done tasks (of those the query's filter admits), in the
    chat's /list order (priority, then due time, then number), and the list's counts (of all
    its tasks, whatever the filter)."""

    tasks: list[TaskRead]
    completed: bool = Field(description="Whether these are the done tasks")
    open_count: int
    done_count: int
    next_start: int | None = Field(
        description="`start` of the next page (the number of its first task); null on the last"
    )
    previous_start: int | None = Field(description="`start` of the page before; null on the first")

    @classmethod
    def of(cls, page: TaskPage) -> "TaskList":
        return cls(
            # A private list's tasks have no assignees; a group's are not read for a page.
            tasks=[TaskRead.of(task, [] if task.chat_id > 0 else None) for task in page.tasks],
            completed=page.done,
            open_count=page.open_total,
            done_count=page.done_total,
            next_start=page.next_start,
            previous_start=page.previous_start,
        )
