"""What the task API reads and writes: one schema per request and response.

Requests are strict (a number is no title, "yes" is no boolean) and refuse unknown fields, so a
typo is an error rather than a silently ignored change. Titles and descriptions are checked by
storage, by the same rules as in the chat.
"""

from datetime import datetime
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import WithJsonSchema

from storage.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Task, TaskPage
from storage.tasks import MAX_PAGE_SIZE, MAX_TASK_NUMBER

_REQUEST = ConfigDict(extra="forbid", strict=True)
_TITLE = (
    f"At most {TITLE_MAX_LENGTH} characters after spaces are folded and control characters"
    " removed; it must have a visible character."
)
_DESCRIPTION = (
    f"A note of at most {DESCRIPTION_MAX_LENGTH} characters; line breaks are kept."
    " null or blank text removes it."
)


class TaskCreate(BaseModel):
    """A new task."""

    model_config = _REQUEST

    title: str = Field(description=_TITLE, examples=["Buy milk"], min_length=1)
    description: str | None = Field(default=None, description=_DESCRIPTION)


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

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        given = self.model_fields_set
        if not given:
            raise ValueError("nothing to change: give title, description or completed")
        for name in ("title", "completed"):
            if name in given and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class ListQuery(BaseModel):
    """Which page of which tasks to list."""

    model_config = ConfigDict(extra="forbid")

    completed: bool = Field(default=False, description="false: open tasks; true: done tasks")
    start: int = Field(
        default=1,
        ge=1,
        le=MAX_TASK_NUMBER,
        description="List from this task number on (a page's next_start or previous_start)",
    )
    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE, description="Tasks per page")


class TaskRead(BaseModel):
    """A task. `number` is its number in the chat (#3), which never changes."""

    id: UUID
    number: int
    title: str
    description: str | None
    completed: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, task: Task) -> "TaskRead":
        return cls(
            id=task.id,
            number=task.number,
            title=task.title,
            description=task.description,
            completed=task.done,
            created_at=task.created_at,
            updated_at=task.updated_at,
        )


class TaskList(BaseModel):
    """One page of a list's open or done tasks, in number order, and the list's counts."""

    tasks: list[TaskRead]
    completed: bool = Field(description="Whether these are the done tasks")
    open_count: int
    done_count: int
    next_start: int | None = Field(description="`start` of the next page; null on the last")
    previous_start: int | None = Field(description="`start` of the page before; null on the first")

    @classmethod
    def of(cls, page: TaskPage) -> "TaskList":
        return cls(
            tasks=[TaskRead.of(task) for task in page.tasks],
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
        " method_not_allowed, list_full, too_large, invalid_request, too_many_requests,"
        " unavailable, ...",
        examples=["not_found"],
    )
    message: str = Field(description="What went wrong, in a sentence for people")
    problems: list[Problem] = Field(
        default_factory=list, description="For invalid_request: each problem found"
    )


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI description of error answers, for a route's `responses`."""
    return {status: {"model": ApiError} for status in statuses}
