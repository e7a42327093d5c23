"""The task files: the export files (JSON and CSV) and reading an import file. Pure functions
of plain values.

The JSON file is complete and versioned (FORMAT, FORMAT_VERSION), so it can be imported again;
the CSV is for spreadsheets. Both carry the chat's time zone, in which repeating tasks' rules
are read: an import into a chat of another zone moves each repeating task's due time to the
same day and wall time there (storage.recurrence), so it stays an occurrence of its rule. An
import file is read and checked whole before anything is stored: any problem refuses the file,
with the line (CSV) or the task (JSON) it is in. Times must be ones the chat could have set: a
due time at most five years ahead (as /due allows), every time within what storage keeps
(storage.validation), so that all of them can be shown.

These are pure and CPU-bound (a 5 MB file takes a good part of a second): handlers run them
in a worker thread, off the event loop that serves every chat.
"""

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers import task_file_fields
from handlers.i18n import _, decimal, isolate, ngettext, number
from handlers.render_errors import invalid_text_reason
from handlers.render_text import shorten
from storage.errors import InvalidDescription, InvalidTitle
from storage.models import Task
from storage.recurrence import InvalidRecurrence, Recurrence
from storage.reminder_times import MAX_REMINDERS_BEFORE, reminders_before
from storage.transfer import MAX_IMPORT_TASKS, NewTask
from storage.validation import (
    EARLIEST_MOMENT,
    LATEST_MOMENT,
    MAX_AHEAD,
    clean_description,
    clean_title,
    moment_problem,
)

FORMAT = "todo-bot/tasks"
FORMAT_VERSION = 1
# Telegram lets a bot download files of up to 20 MB; an import reads at most this much.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_NAG_MINUTES = 7 * 24 * 60
# How many problems of a refused file are listed (the rest are counted).
MAX_PROBLEMS_SHOWN = 10
CSV_COLUMNS = (
    "number",
    "title",
    "description",
    "done",
    "completed_at",
    "created_at",
    "due_at",
    "recurrence",
    "nag_minutes",
    "timezone",
    "remind_before",
    *task_file_fields.CSV_COLUMNS,
)
_TRUE = {"true", "yes", "y", "1", "x", "done", "✓", "✅"}
_FALSE = {"false", "no", "n", "0", "", "open", "todo"}
# Cells a spreadsheet would run as a formula get a leading apostrophe (and lose it on import).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ImportRejected(Exception):
    """The import file cannot be used; `problems` says why (nothing was stored)."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


# -- export ---------------------------------------------------------------------------------


def _stamp(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def export_json(tasks: Sequence[Task], *, exported_at: datetime, timezone: str | None) -> bytes:
    """The tasks as the versioned JSON file that /import reads back, with the chat's time zone
    (None: unset, UTC)."""
    document = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": _stamp(exported_at),
        "timezone": timezone or "UTC",
        "tasks": [
            {
                "number": task.number,
                "title": task.title,
                "description": task.description,
                "done": task.done,
                "completed_at": _stamp(task.completed_at),
                "created_at": _stamp(task.created_at),
                "due_at": _stamp(task.due_at),
                "recurrence": task.recurrence,
                "nag_minutes": task.nag_minutes,
                "remind_before": list(task.remind_before),
                **task_file_fields.json_fields(task),
            }
            for task in tasks
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def _needs_guard(text: str) -> bool:
    """Whether a text starts as a formula a spreadsheet would run, behind any apostrophes."""
    return text.lstrip("'").startswith(_FORMULA_STARTS)


def _cell(text: str | None) -> str:
    """A text as a CSV cell: one apostrophe more before a formula, even one already behind
    apostrophes (`'=x` becomes `''=x`), so that import, taking one off, gives back any text."""
    if not text:
        return ""
    return "'" + text if _needs_guard(text) else text


def export_csv(tasks: Sequence[Task], *, timezone: str | None) -> bytes:
    """The tasks as CSV for spreadsheets: a header row, UTF-8 with a BOM (which Excel needs),
    and the chat's time zone on each row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for task in tasks:
        writer.writerow(
            [
                task.number,
                _cell(task.title),
                _cell(task.description),
                "yes" if task.done else "no",
                _stamp(task.completed_at) or "",
                _stamp(task.created_at) or "",
                _stamp(task.due_at) or "",
                task.recurrence or "",
                task.nag_minutes or "",
                timezone or "UTC",
                " ".join(map(str, task.remind_before)),
                *map(_cell, task_file_fields.csv_cells(task)),
            ]
        )
    return "\ufeff".encode() + out.getvalue().encode()


def export_file_names(now: datetime) -> tuple[str, str]:
    """The names of the JSON and the CSV file of an export made at `now`."""
    day = now.astimezone(UTC).strftime("%Y-%m-%d")
    return f"tasks-{day}.json", f"tasks-{day}.csv"


def too_big(size: int) -> ImportRejected:
    """The refusal of a file over MAX_IMPORT_BYTES."""
    return ImportRejected(
        [
            _(
                "the file is %(size)s MB; the limit is %(limit)s MB (split it into several files)",
                size=decimal(size / 1024 / 1024),
                limit=number(MAX_IMPORT_BYTES // 1024 // 1024),
            )
        ]
    )


def read_tasks_file(data: bytes, *, tz: ZoneInfo, now: datetime) -> list[NewTask]:
    """The tasks of an import file (JSON from /export, or CSV with a title column), checked.

    Times without a zone are taken in `tz`, the chat's; due times more than five years after
    `now` are refused. Raises ImportRejected.
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise too_big(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            [
                _(
                    "the file is not UTF-8 text (byte %(byte)s); save it as UTF-8",
                    byte=number(error.start + 1),
                )
            ]
        ) from None
    start = text.lstrip()[:1]
    latest_due = now + MAX_AHEAD
    if start == "{":
        return _read_json(text, tz=tz, latest_due=latest_due)
    if start == "[":
        raise ImportRejected(
            [_("this JSON is not a todo-bot export (no %(format)s object)", format=repr(FORMAT))]
        )
    return _read_csv(text, tz=tz, latest_due=latest_due)


def _read_json(text: str, *, tz: ZoneInfo, latest_due: datetime) -> list[NewTask]:
    try:
        document = json.loads(text)
    except ValueError as error:
        place = getattr(error, "lineno", None)
        if place:
            problem = _("the file is not valid JSON (line %(line)s)", line=number(place))
        else:
            problem = _("the file is not valid JSON")
        raise ImportRejected([problem]) from None
    except RecursionError:
        # Thousands of nested brackets: no export is shaped like that.
        raise ImportRejected([_("the file's JSON is nested too deeply to be an export")]) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRejected(
            [_('this JSON is not a todo-bot export (no "format": "%(format)s")', format=FORMAT)]
        )
    version = document.get("version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise ImportRejected(
            [
                _(
                    "version %(version)s of the format is not supported; I read %(supported)s",
                    version=repr(version),
                    supported=FORMAT_VERSION,
                )
            ]
        )
    items = document.get("tasks")
    if not isinstance(items, list):
        raise ImportRejected([_('"tasks" must be a list of tasks')])
    _check_count(len(items))
    try:
        # Files of older versions of the bot name no zone: their due times stay as they are.
        source = None if document.get("timezone") is None else _zone(document["timezone"])
    except (TypeError, ValueError) as error:
        # The field's name as the file writes it; the problem in the chat's language.
        raise ImportRejected([f"timezone: {error}"]) from None
    numbered = (
        (_("task %(number)s", number=number(index)), item) for index, item in enumerate(items, 1)
    )
    return _read_items(numbered, tz=tz, latest_due=latest_due, source=source)


def _read_csv(text: str, *, tz: ZoneInfo, latest_due: datetime) -> list[NewTask]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise ImportRejected([_("the file is empty")])
        columns = [name.strip().lower() for name in header]
        if "title" not in columns:
            raise ImportRejected(
                [_("line 1: the CSV has no title column (the first line names the columns)")]
            )
        rows: list[tuple[str, dict[str, str]]] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            _check_count(len(rows) + 1)
            row = {name: cell for name, cell in zip(columns, cells, strict=False) if name}
            rows.append((_("line %(number)s", number=number(reader.line_num)), row))
    except csv.Error as error:
        problem = _(
            "line %(number)s: not valid CSV (%(error)s)",
            number=number(reader.line_num),
            error=str(error),
        )
        raise ImportRejected([problem]) from None
    return _read_items(iter(rows), tz=tz, latest_due=latest_due, from_csv=True)


def _check_count(count: int) -> None:
    if count > MAX_IMPORT_TASKS:
        raise ImportRejected(
            [
                ngettext(
                    "the file holds more than %(count)s task; split it into several files",
                    "the file holds more than %(count)s tasks; split it into several files",
                    MAX_IMPORT_TASKS,
                    count=number(MAX_IMPORT_TASKS, grouped=True),
                )
            ]
        )


def _read_items(
    items: Any,
    *,
    tz: ZoneInfo,
    latest_due: datetime,
    from_csv: bool = False,
    source: ZoneInfo | None = None,
) -> list[NewTask]:
    tasks: list[NewTask] = []
    problems: list[str] = []
    for place, item in items:
        if not isinstance(item, dict):
            problems.append(_("%(place)s: a task must be an object", place=place))
            continue
        try:
            tasks.append(
                _read_task(item, tz=tz, latest_due=latest_due, from_csv=from_csv, source=source)
            )
        except ImportRejected as error:
            problems += [f"{place}: {problem}" for problem in error.problems]
    if problems:
        raise ImportRejected(problems)
    return tasks


def _read_task(
    item: Mapping[str, Any],
    *,
    tz: ZoneInfo,
    latest_due: datetime,
    from_csv: bool,
    source: ZoneInfo | None,
) -> NewTask:
    """One task, for a chat in zone `tz`, from a file of the zone `source` (a CSV row may name
    its own); ImportRejected with every problem it has."""
    problems: list[str] = []

    def field(name: str, read: Callable[[Any], Any]) -> Any:
        value = item.get(name)
        if from_csv and isinstance(value, str):
            value = _uncell(value)
            if not value.strip() and name != "title":
                value = None
        if value is None and name != "title":
            return None
        try:
            return read(value)
        except (InvalidTitle, InvalidDescription) as error:
            problems.append(invalid_text_reason(error))
        except InvalidRecurrence:
            problems.append(_("%(field)s: not a repeat rule as /export writes them", field=name))
        except (ValueError, TypeError) as error:
            problems.append(f"{name}: {error}")
        return None

    title = field("title", _title)
    description = field("description", _description)
    done = field("done", _done) or False
    due_at = field("due_at", lambda value: _moment(value, tz, latest=latest_due))
    recurrence = field("recurrence", _recurrence)
    if recurrence is not None and due_at is None:
        problems.append(_("recurrence: a repeat rule needs a due_at"))
    zone = field("timezone", _zone) or source
    if recurrence is not None and due_at is not None and zone is not None:
        due_at = Recurrence.decode(recurrence).moved_to_zone(due_at, zone, tz)
    task = NewTask(
        title=title or "",
        description=description,
        done=done,
        completed_at=field("completed_at", lambda value: _moment(value, tz)),
        created_at=field("created_at", lambda value: _moment(value, tz)),
        due_at=due_at,
        recurrence=recurrence,
        nag_minutes=field("nag_minutes", _nag_minutes),
        remind_before=field("remind_before", _remind_before) or (),
        priority=field("priority", task_file_fields.read_priority),
        checklist=field("checklist", task_file_fields.read_checklist) or (),
        attachments=field("attachments", task_file_fields.read_attachments) or (),
    )
    if problems:
        raise ImportRejected(problems)
    return task


def _uncell(text: str) -> str:
    """A CSV cell's text: `_cell` undone."""
    return text[1:] if text.startswith("'") and _needs_guard(text) else text


def _zone(value: Any) -> ZoneInfo:
    if not isinstance(value, str):
        raise TypeError(_("must be the name of a time zone, such as Europe/Berlin"))
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            _(
                "%(value)s is no time zone I know (such as Europe/Berlin)",
                value=_quoted(value, 40),
            )
        ) from None


def _title(value: Any) -> str:
    if not isinstance(value, str):
        # The reasons are translated where they are said (handlers.render_errors.invalid_text_reason).
        raise InvalidTitle("the title is missing" if value is None else "the title is no text")
    return clean_title(value)


def _description(value: Any) -> str | None:
    if not isinstance(value, str):
        raise TypeError(_("must be text"))
    return clean_description(value)


def _done(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(_("%(value)s is neither yes nor no", value=_quoted(str(value), 20)))


def _moment(value: Any, tz: ZoneInfo, *, latest: datetime | None = None) -> datetime:
    """The moment a cell means (in `tz` without a zone), if storage keeps it and it is not
    after `latest` (for due times: at most five years ahead, as /due allows)."""
    if not isinstance(value, str):
        raise TypeError(_("must be an ISO 8601 date and time as text"))
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            _(
                "%(value)s is no ISO 8601 date and time (2027-01-31 09:00)",
                value=_quoted(value, 40),
            )
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        raise ValueError(_("%(value)s is no date I can keep", value=_quoted(value, 40))) from None
    if latest is not None and moment > latest:
        raise ValueError(
            ngettext(
                "%(time)s is more than %(count)s year ahead",
                "%(time)s is more than %(count)s years ahead",
                MAX_AHEAD // timedelta(days=365),
                time=isolate(str(_stamp(moment))),
            )
        )
    if moment_problem(moment) is not None:
        # storage.validation's window, said in the chat's language.
        raise ValueError(_window_problem(moment, value))
    return moment


def _window_problem(moment: datetime, value: str) -> str:
    """Why a moment outside the window storage keeps will not do."""
    if moment < EARLIEST_MOMENT:
        return _(
            "%(value)s will not do: it is before %(date)s",
            value=_quoted(value, 40),
            date=isolate(EARLIEST_MOMENT.date().isoformat()),
        )
    return _(
        "%(value)s will not do: it is not before %(date)s",
        value=_quoted(value, 40),
        date=isolate(LATEST_MOMENT.date().isoformat()),
    )


def _quoted(value: str, length: int) -> str:
    """A value of the file, cut to `length`, as a problem quotes it: '2027-13-01'."""
    return isolate(repr(shorten(value, length)))


def _recurrence(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(_("must be text"))
    return Recurrence.decode(value.strip()).encode()


def _remind_before(value: Any) -> tuple[int, ...]:
    """Minutes before the due time: a JSON list of numbers, or in CSV numbers between spaces
    or commas ("1440 60")."""
    if isinstance(value, str):
        words = value.replace(",", " ").split()
        if not all(word.isdigit() for word in words):
            raise ValueError(_("must be numbers of minutes, like 1440 60"))
        value = [int(word) for word in words]
    if not isinstance(value, list) or not all(
        isinstance(minutes, int) and not isinstance(minutes, bool) for minutes in value
    ):
        raise TypeError(_("must be a list of numbers of minutes"))
    try:
        return reminders_before(value)
    except ValueError:
        # storage.reminder_times' limits, said in the chat's language.
        if len(set(value)) > MAX_REMINDERS_BEFORE:
            raise ValueError(
                ngettext(
                    "at most %(count)s reminder before the due time",
                    "at most %(count)s reminders before the due time",
                    MAX_REMINDERS_BEFORE,
                )
            ) from None
        raise ValueError(
            _("a reminder before the due time must be 1 minute to 4 weeks before it")
        ) from None


def _nag_minutes(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(_("must be a number of minutes"))
    if not 1 <= value <= MAX_NAG_MINUTES:
        raise ValueError(
            ngettext(
                "must be 1 to %(count)s minute",
                "must be 1 to %(count)s minutes",
                MAX_NAG_MINUTES,
            )
        )
    return value


# -- calendar -------------------------------------------------------------------------------
