"""What the task API's requests and answers share: a repeat rule, a checklist item, priority,
minutes before, and the fields' descriptions. Requests: bot.web.api_requests; answers:
bot.web.api_reads; errors: bot.web.api_errors.
"""

from datetime import date
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from storage.recurrence import WEEKDAY_CODES, InvalidRecurrence, Recurrence
from storage.reminder_times import MAX_MINUTES_BEFORE, MAX_REMINDERS_BEFORE
from storage.task_fields import ITEM_MAX_LENGTH, MAX_CHECKLIST_ITEMS
from storage.values import ChecklistItem

REQUEST = ConfigDict(extra="forbid", strict=True)
PRIORITY_DESCRIPTION = "1 (highest), 2 or 3, as `!1`..`!3` set it in the chat; null: none"
CHECKLIST_DESCRIPTION = (
    f"The checklist, in order (at most {MAX_CHECKLIST_ITEMS} items). Ticking every item does not"
    " complete the task; completing a repeating task opens every item again"
)


Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class Repeat(BaseModel):
    """How a due time repeats, as in an iCalendar RRULE, at a wall-clock time in the list's time
    zone (so it keeps that time across DST changes)."""

    model_config = REQUEST

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


RemindBefore = Annotated[int, Field(ge=1, le=MAX_MINUTES_BEFORE)]
REMIND_BEFORE_DESCRIPTION = (
    f"Minutes before the due time at which the task is reminded too (at most"
    f" {MAX_REMINDERS_BEFORE}, each up to four weeks), for every time it repeats; it is always"
    " reminded at the due time"
)

Priority = Literal[1, 2, 3]


class ChecklistItemModel(BaseModel):
    """One item of a checklist."""

    model_config = REQUEST

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
