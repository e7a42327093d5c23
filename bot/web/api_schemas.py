"""What the task API reads and writes: one schema per request and response.

Requests are strict (a number is no title, "yes" is no boolean) and refuse unknown fields, so a
typo is an error rather than a silently ignored change. Titles and descriptions are checked by
storage, by the same rules as in the chat.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import WithJsonSchema

from handlers.render_time import describe_recurrence
from storage.assignees import Assignee
from storage.recurrence import WEEKDAY_CODES, InvalidRecurrence, Recurrence
from storage.reminder_times import MAX_MINUTES_BEFORE, MAX_REMINDERS_BEFORE
from storage.task_fields import ITEM_MAX_LENGTH, MAX_CHECKLIST_ITEMS, MAX_LABELS, label_key
from storage.tasks import MAX_PAGE_SIZE, MAX_TASK_NUMBER
from storage.values import (
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Attachment,
    ChecklistItem,
    ListFilter,
    Task,
    TaskPage,
)

_REQUEST = ConfigDict(extra="forbid", strict=True)
_TITLE = (
    f"At most {TITLE_MAX_LENGTH} characters after spaces are folded and control characters"
    " removed; it must have a visible character."
)
_DESCRIPTION = (
    f"A note of at most {DESCRIPTION_MAX_LENGTH} characters; line breaks are kept."
    " null or blank text removes it."
)
_PRIORITY = "1 (highest), 2 or 3, as `!1`..`!3` set it in the chat; null: none"
_LABELS = (
    "The title's hashtags, lower-case, without `#` (`Call the bank #Finance` has `finance`),"
    f" the first {MAX_LABELS}: change the title to change them"
)
_CHECKLIST = (
    f"The checklist, in order (at most {MAX_CHECKLIST_ITEMS} items). Ticking every item does not"
    " complete the task; completing a repeating task opens every item again"
)


Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class Repeat(BaseModel):
    """How a due time repeats, as in an iCalendar RRULE, at a wall-clock time in the list's time
    zone (so it keeps that time across DST changes)."""

    model_config = _REQUEST

    freq: Literal["daily", "weekly", "monthly", "yearly"]
    interval: int = Field(
        default=1,
        ge=1,
        description="Every how many days, weeks, months or years (at most 365, 52, 24 or 5)",
    )
    weekdays: list[Weekday] = Field(
        default_factory=list,
        description="weekly: the days; monthly and yearly with `nth`: the one weekday",
    )
    nth: Literal[1, 2, 3, 4, -1] | None = Field(
        default=None, description="Which of the month's `weekdays[0]`: 1-4, or -1 the last"
    )
    month_day: int | None = Field(
        default=None,
        ge=-1,
        le=31,
        description="monthly and yearly: the day; 29-31 fall on a shorter month's last day;"
        " -1 is the last day",
    )
    month: int | None = Field(default=None, ge=1, le=12, description="yearly: the month")
    time: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["18:00"])
    until: date | None = Field(
        default=None, strict=False, description="The last local date it may fall on"
    )
    start: date | None = Field(
        default=None,
        strict=False,
        description="The local date an interval counts from (required with an interval > 1,"
        " unless it counts from completion)",
    )
    from_completion: bool = Field(
        default=False, description="The interval counts from the day the task is done"
    )

    def rule(self) -> Recurrence:
        """The storage rule; InvalidRecurrence when the parts do not make one."""
        hour, minute = (int(part) for part in self.time.split(":"))
        return Recurrence(
            self.freq,
            hour,
            minute,
            interval=self.interval,
            weekdays=tuple(sorted(WEEKDAY_CODES.index(day) for day in self.weekdays)),
            nth=self.nth,
            month_day=self.month_day,
            month=self.month,
            until=self.until,
            start=self.start,
            from_done=self.from_completion,
        )

    @model_validator(mode="after")
    def _is_a_rule(self) -> Self:
        try:
            self.rule()
        except InvalidRecurrence as error:
            raise ValueError(str(error)) from None
        return self

    @classmethod
    def of(cls, rule: Recurrence) -> "Repeat":
        return cls.model_construct(
            freq=rule.freq,
            interval=rule.interval,
            weekdays=[WEEKDAY_CODES[day] for day in rule.weekdays],  # type: ignore[misc]
            nth=rule.nth,  # type: ignore[arg-type]
            month_day=rule.month_day,
            month=rule.month,
            time=f"{rule.hour:02d}:{rule.minute:02d}",
            until=rule.until,
            start=rule.start,
            from_completion=rule.from_done,
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


RemindBefore = Annotated[int, Field(ge=1, le=MAX_MINUTES_BEFORE)]
_REMIND_BEFORE = (
    f"Minutes before the due time at which the task is reminded too (at most"
    f" {MAX_REMINDERS_BEFORE}, each up to four weeks), for every time it repeats; it is always"
    " reminded at the due time"
)


MAX_NAG_MINUTES = 7 * 24 * 60  # as /nag takes
MAX_ASSIGNEES = 20  # as /assign takes at once


class Person(BaseModel):
    """Someone a task is assigned to, with what the bot knows of their name."""

    user_id: int
    username: str | None = Field(description="Without the @; null when unknown")
    name: str | None = Field(description="Their first name, when known")

    @classmethod
    def of(cls, assignee: Assignee) -> "Person":
        return cls(user_id=assignee.user_id, username=assignee.username, name=assignee.first_name)


Priority = Literal[1, 2, 3]


class ChecklistItemModel(BaseModel):
    """One item of a checklist."""

    model_config = _REQUEST

    text: str = Field(
        min_length=1,
        description=f"At most {ITEM_MAX_LENGTH} characters, cleaned as a title is",
        examples=["passport"],
    )
    done: bool = False

    @classmethod
    def of(cls, item: ChecklistItem) -> "ChecklistItemModel":
        return cls.model_construct(text=item.text, done=item.done)

    def item(self) -> ChecklistItem:
        return ChecklistItem(self.text, self.done)


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


class TaskCreate(BaseModel):
    """A new task."""

    model_config = _REQUEST

    title: str = Field(description=_TITLE, examples=["Buy milk"], min_length=1)
    description: str | None = Field(default=None, description=_DESCRIPTION)
    priority: Priority | None = Field(default=None, description=_PRIORITY)
    checklist: list[ChecklistItemModel] = Field(
        default_factory=list, max_length=MAX_CHECKLIST_ITEMS, description=_CHECKLIST
    )


class TaskUpdate(BaseModel):
    """What to change in a task; the fields left out stay as they are."""

    model_config = _REQUEST

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
    ] = Field(default=None, max_length=MAX_REMINDERS_BEFORE, description=_REMIND_BEFORE)
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
    priority: Priority | None = Field(default=None, description=_PRIORITY + " (null removes it)")
    # Read only when given (model_fields_set), so that null is refused by its type.
    checklist: list[ChecklistItemModel] = Field(
        default_factory=list,
        max_length=MAX_CHECKLIST_ITEMS,
        description=_CHECKLIST + ". It replaces the whole checklist (`[]` removes it)",
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


class ListQuery(BaseModel):
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
    label: list[str] = Field(
        default_factory=list,
        max_length=MAX_LABELS,
        description="Only tasks with every one of these labels (`label=finance&label=urgent`;"
        " with or without `#`, any case)",
    )
    priority: list[Annotated[int, Field(ge=1, le=3)]] = Field(
        default_factory=list,
        max_length=3,
        description="Only tasks with one of these priorities (`priority=1&priority=2`)",
    )
    due: Literal["today", "overdue", "upcoming"] | None = Field(
        default=None,
        description="Only tasks due by the end of today in the list's zone (overdue included),"
        " overdue ones, or those due in the next 7 days",
    )

    @model_validator(mode="after")
    def _labels_are_labels(self) -> Self:
        for label in self.label:
            if label_key(label) is None:
                raise ValueError(f"{label[:40]!r} is no label: letters, digits and _ only")
        return self

    def filter(self) -> ListFilter:
        """The page filter the query asks for."""
        labels = tuple(dict.fromkeys(key for key in map(label_key, self.label) if key))
        return ListFilter(
            labels=labels, priorities=tuple(sorted(set(self.priority))), due=self.due
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
    remind_before: list[int] = Field(description=_REMIND_BEFORE)
    nag_minutes: int | None = Field(
        description="How often the reminder repeats until done, in minutes; null: once"
    )
    assignees: list[Person] | None = Field(
        default=None,
        description="Who it is assigned to, in the order assigned; null where the answer does"
        " not say (an answer to a change that left them as they were)",
    )
    priority: Priority | None = Field(description=_PRIORITY)
    labels: list[str] = Field(description=_LABELS, examples=[["finance", "urgent"]])
    checklist: list[ChecklistItemModel] = Field(description=_CHECKLIST)
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


class NewItems(BaseModel):
    """Items to add at the end of a task's checklist (open)."""

    model_config = _REQUEST

    items: list[Annotated[str, Field(min_length=1)]] = Field(
        min_length=1, max_length=MAX_CHECKLIST_ITEMS, examples=[["passport", "tickets"]]
    )


class ItemState(BaseModel):
    """A checklist item's state to set."""

    model_config = _REQUEST

    done: bool


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


class Problem(BaseModel):
    """One thing wrong with a request: where (`body.title`, `query.limit`) and what."""

    model_config = ConfigDict(frozen=True)

    location: str
    message: str


class ApiError(BaseModel):
    """Every error the API answers with."""

    error: str = Field(
        description="What kind of error: bad_request, unauthorized, forbidden, not_found,"
        " method_not_allowed, list_full, checklist_full, too_large, invalid_request,"
        " too_many_requests, unavailable, ...",
        examples=["not_found"],
    )
    message: str = Field(description="What went wrong, in a sentence for people")
    problems: list[Problem] = Field(
        default_factory=list, description="For invalid_request: each problem found"
    )


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI description of error answers, for a route's `responses`."""
    return {status: {"model": ApiError} for status in statuses}
