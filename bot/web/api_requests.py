"""What the task API reads: one schema per request body or query.

Requests are strict (a number is no title, "yes" is no boolean) and refuse unknown fields, so a
typo is an error rather than a silently ignored change. Titles and descriptions are checked by
storage, by the same rules as in the chat.
"""

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import WithJsonSchema

from bot.web.api_schemas import (
    CHECKLIST_DESCRIPTION,
    PRIORITY_DESCRIPTION,
    REMIND_BEFORE_DESCRIPTION,
    REQUEST,
    ChecklistItemModel,
    Priority,
    RemindBefore,
    Repeat,
)
from storage.reminder_times import MAX_REMINDERS_BEFORE
from storage.task_fields import MAX_CHECKLIST_ITEMS, MAX_LABELS, label_key
from storage.tasks import MAX_PAGE_SIZE, MAX_TASK_NUMBER
from storage.values import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, ListFilter

_TITLE = (
    f"At most {TITLE_MAX_LENGTH} characters after spaces are folded and control characters"
    " removed; it must have a visible character."
)
_DESCRIPTION = (
    f"A note of at most {DESCRIPTION_MAX_LENGTH} characters; line breaks are kept."
    " null or blank text removes it."
)

MAX_NAG_MINUTES = 7 * 24 * 60  # as /nag takes
MAX_ASSIGNEES = 20  # as /assign takes at once


class TaskCreate(BaseModel):
    """A new task."""

    model_config = REQUEST

    title: str = Field(description=_TITLE, examples=["Buy milk"], min_length=1)
    description: str | None = Field(default=None, description=_DESCRIPTION)
    priority: Priority | None = Field(default=None, description=PRIORITY_DESCRIPTION)
    checklist: list[ChecklistItemModel] = Field(
        default_factory=list, max_length=MAX_CHECKLIST_ITEMS, description=CHECKLIST_DESCRIPTION
    )


class TaskUpdate(BaseModel):
    """What to change in a task; the fields left out stay as they are."""

    model_config = REQUEST

    # None stands for "not given"; a null sent for them is refused below.
    title: Annotated[str | None, WithJsonSchema({"type": "string", "minLength": 1})] = Field(
        default=None, description=_TITLE, min_length=1
    )
    description: str | None = Field(default=None, description=_DESCRIPTION)
    completed: Annotated[bool | None, WithJsonSchema({"type": "boolean"})] = Field(
        default=None, description="true: done; false: open again"
    )
    due_at: datetime | None = Field(
        default=None,
        strict=False,
        description="The due time (ISO 8601 with its offset); null removes it. It replaces the"
        " repeat too: send `repeat` with it to keep one",
    )
    repeat: Repeat | None = Field(
        default=None, description="How the new `due_at` repeats (only with `due_at`)"
    )
    remind_before: Annotated[
        list[RemindBefore] | None, WithJsonSchema({"type": "array", "items": {"type": "integer"}})
    ] = Field(default=None, max_length=MAX_REMINDERS_BEFORE, description=REMIND_BEFORE_DESCRIPTION)
    nag_minutes: int | None = Field(
        default=None,
        ge=1,
        le=MAX_NAG_MINUTES,
        description="The reminder repeats this often until the task is done; null: once",
    )
    assignees: Annotated[
        list[int] | None, WithJsonSchema({"type": "array", "items": {"type": "integer"}})
    ] = Field(
        default=None,
        max_length=MAX_ASSIGNEES,
        description="In a group: the user ids the task is assigned to (all of them; [] for"
        " none). Each must be a member of the group",
    )
    priority: Priority | None = Field(
        default=None, description=PRIORITY_DESCRIPTION + " (null removes it)"
    )
    # Read only when given (model_fields_set), so that null is refused by its type.
    checklist: list[ChecklistItemModel] = Field(
        default_factory=list,
        max_length=MAX_CHECKLIST_ITEMS,
        description=CHECKLIST_DESCRIPTION + ". It replaces the whole checklist (`[]` removes it)",
    )

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        given = self.model_fields_set
        if not given:
            raise ValueError(
                "nothing to change: give title, description, completed, due_at, repeat,"
                " remind_before, nag_minutes, assignees, priority or checklist"
            )
        for name in ("title", "completed", "remind_before", "assignees"):
            if name in given and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        if "repeat" in given and "due_at" not in given:
            raise ValueError("repeat goes with due_at: give the due time it repeats from")
        if self.repeat is not None and self.due_at is None:
            raise ValueError("repeat needs a due_at")
        if self.due_at is not None and self.due_at.utcoffset() is None:
            raise ValueError("due_at needs its offset from UTC (Z or +02:00)")
        return self


class LabelsAndPriorities(BaseModel):
    """The label and priority filters a list's reads take (`/tasks` and the Mini App's `/view`)."""

    label: list[str] = Field(
        default_factory=list,
        max_length=MAX_LABELS,
        description="Only tasks with every one of these labels (`label=finance&label=urgent`;"
        " with or without `#`, any case); the tasks of the first are the ones read, so name"
        " the rarest first",
    )
    priority: list[Annotated[int, Field(ge=1, le=3)]] = Field(
        default_factory=list,
        max_length=3,
        description="Only tasks with one of these priorities (`priority=1&priority=2`)",
    )

    @field_validator("label")
    @classmethod
    def _labels_are_labels(cls, labels: list[str]) -> list[str]:
        for label in labels:
            if label_key(label) is None:
                raise ValueError(f"{label[:40]!r} is no label: letters, digits and _ only")
        return labels

    def labels(self) -> tuple[str, ...]:
        """The labels asked for, lower-case and without `#`, each once, in the order given."""
        return tuple(dict.fromkeys(key for key in map(label_key, self.label) if key))

    def priorities(self) -> tuple[int, ...]:
        """The priorities asked for, each once, in order (none: any, and none)."""
        return tuple(sorted(set(self.priority)))


class ListQuery(LabelsAndPriorities):
    """Which page of which tasks to list, in the chat's /list order: priority (1 first, none
    last), then due time (none last), then number."""

    model_config = ConfigDict(extra="forbid")

    completed: bool = Field(default=False, description="false: open tasks; true: done tasks")
    start: int | None = Field(
        default=None,
        ge=1,
        le=MAX_TASK_NUMBER,
        description="The number of the task the page starts at (a page's next_start or"
        " previous_start); left out: the first page",
    )
    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE, description="Tasks per page")
    due: Literal["today", "overdue", "upcoming"] | None = Field(
        default=None,
        description="Only tasks due by the end of today in the list's zone (overdue included),"
        " overdue ones, or those due in the next 7 days",
    )

    def filter(self) -> ListFilter:
        """The page filter the query asks for."""
        return ListFilter(labels=self.labels(), priorities=self.priorities(), due=self.due)


class NewItems(BaseModel):
    """Items to add at the end of a task's checklist (open)."""

    model_config = REQUEST

    items: list[Annotated[str, Field(min_length=1)]] = Field(
        min_length=1, max_length=MAX_CHECKLIST_ITEMS, examples=[["passport", "tickets"]]
    )


class ClearUndo(BaseModel):
    """Which clear of done tasks to undo."""

    model_config = REQUEST

    stamp: int = Field(ge=0, le=2**62, description="The `stamp` the clear answered with")


class ItemState(BaseModel):
    """A checklist item's state to set."""

    model_config = REQUEST

    done: bool
