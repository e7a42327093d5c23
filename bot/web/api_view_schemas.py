"""What the Mini App's views read from the task API: the caller's lists, a view of a list
(filtered, by due day), search results, the people and the labels of a list, and the caller's
tasks across groups."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.web.api_reads import Person, TaskRead
from bot.web.api_requests import LabelsAndPriorities
from storage.labels import MAX_LABELS_LISTED, LabelCount
from storage.search import MAX_SEARCH_OFFSET, MAX_SEARCH_PAGE
from storage.tasks import MAX_TASK_NUMBER
from storage.views import MAX_VIEW_TASKS, View

MAX_VIEW_DAYS = 62  # two months: the month view's grid with its neighbours' days


class ListRead(BaseModel):
    """One of the caller's lists."""

    chat_id: int = Field(description="The list's id, as /api/{chat_id}/... takes it")
    kind: Literal["private", "group", "topic"]
    title: str | None = Field(description="The group's title (null: your own list, or unknown)")
    group_id: int | None = Field(description="A topic's group")
    topic: int | None = Field(description="A topic's thread id in its group")
    role: Literal["owner", "admin", "member"]
    open_count: int
    done_count: int
    timezone: str = Field(description="The list's IANA time zone (UTC until one is set)")


class Lists(BaseModel):
    """The caller's own list and the group lists they are a member of and have used (added a
    task to, or been given one), their own first."""

    lists: list[ListRead]


class ViewQuery(LabelsAndPriorities):
    """Which of a list's tasks a view shows."""

    model_config = ConfigDict(extra="forbid")

    state: Literal["open", "done", "all"] = Field(
        default="open", description="Open tasks, done ones, or both"
    )
    from_day: date | None = Field(
        default=None, description="Due on this local day (the list's zone) or later"
    )
    to_day: date | None = Field(default=None, description="Due on this local day or earlier")
    assignee: int | None = Field(default=None, description="Assigned to this user id")
    order: Literal["number", "list", "due"] = Field(
        default="number",
        description="number: by task number; list: as /list shows them (priority 1 first and"
        " none last, then due time with none last, then number); due: soonest first, none last",
    )
    start: int | None = Field(
        default=None,
        ge=1,
        le=MAX_TASK_NUMBER,
        description="number and list order: a page from this task on (a `next_start`); in"
        " list order from its place, and from this number on when the list has no such task;"
        " none: the first page",
    )
    limit: int = Field(default=100, ge=1, le=MAX_VIEW_TASKS)
    repeats: bool = Field(
        default=False,
        description="With from_day and to_day: open repeating tasks come too when they fall on"
        " the days again, with the days in `falls_on` (a month's calendar)",
    )


class ViewRead(BaseModel):
    """The tasks of a view, with their assignees, and the list's counts and zone."""

    tasks: list[TaskRead]
    open_count: int
    done_count: int
    timezone: str
    next_start: int | None = Field(
        description="number and list order: `start` of the next page (the number of its first"
        " task); null on the last page"
    )
    falls_on: dict[int, list[date]] = Field(
        default_factory=dict,
        description="With `repeats`: task number -> the local days of the range a repeating"
        " task falls on, its due day first",
    )

    @classmethod
    def of(cls, view: View) -> "ViewRead":
        return cls(
            tasks=[TaskRead.of(one.task, one.assignees) for one in view.tasks],
            falls_on={
                one.task.number: one.falls_on for one in view.tasks if one.falls_on is not None
            },
            open_count=view.open_total,
            done_count=view.done_total,
            timezone=view.timezone or "UTC",
            next_start=view.next_start,
        )


class SearchQuery(BaseModel):
    """Words to find in titles and notes (as /find)."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=1, max_length=200, description="Every word must start a word")
    completed: bool | None = Field(default=None, description="Leave out for open and done")
    offset: int = Field(default=0, ge=0, le=MAX_SEARCH_OFFSET)
    limit: int = Field(default=MAX_SEARCH_PAGE, ge=1, le=MAX_SEARCH_PAGE)


class SearchRead(BaseModel):
    """A page of the tasks found, best match first."""

    tasks: list[TaskRead]
    total: int
    next_offset: int | None


class People(BaseModel):
    """The people the bot knows in a list (who added or was given its tasks), and you."""

    people: list[Person]


class LabelRead(BaseModel):
    """A label of the list and how many of its tasks have it."""

    label: str = Field(description="Lower-case, without `#`")
    open_count: int
    done_count: int

    @classmethod
    def of(cls, count: LabelCount) -> "LabelRead":
        return cls(label=count.label, open_count=count.open, done_count=count.done)


class Labels(BaseModel):
    """The labels of the list's tasks (as /labels shows them), alphabetically."""

    labels: list[LabelRead] = Field(description=f"{MAX_LABELS_LISTED} at most")


class MyTask(TaskRead):
    """A task assigned to you, with its list."""

    chat_id: int


class MyTasks(BaseModel):
    """The open tasks assigned to you in the groups you are a member of."""

    tasks: list[MyTask]
