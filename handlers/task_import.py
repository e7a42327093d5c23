"""Reading an import file (JSON from /export, or CSV with a title column) into new tasks,
checked whole before anything is stored: any problem refuses the file, with the line (CSV)
or the task (JSON) it is in. Pure and CPU-bound: handlers run it in a worker thread.

An import into a chat of another zone moves each repeating task's due time to the same day
and wall time there (storage.recurrence), so it stays an occurrence of its rule.
"""

import csv
import io
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers import task_file_fields
from handlers.i18n import _, ngettext, number
from handlers.render_errors import invalid_text_reason
from handlers.task_file_values import (
    read_description,
    read_done,
    read_moment,
    read_nag_minutes,
    read_recurrence,
    read_remind_before,
    read_title,
    read_zone,
)
from handlers.task_files import (
    FORMAT,
    FORMAT_VERSION,
    MAX_IMPORT_BYTES,
    ImportRejected,
    too_big,
    uncell,
)
from storage.errors import InvalidDescription, InvalidTitle
from storage.recurrence import InvalidRecurrence, Recurrence
from storage.transfer import MAX_IMPORT_TASKS, NewTask
from storage.validation import MAX_AHEAD


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
        source = None if document.get("timezone") is None else read_zone(document["timezone"])
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
            value = uncell(value)
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

    title = field("title", read_title)
    description = field("description", read_description)
    done = field("done", read_done) or False
    due_at = field("due_at", lambda value: read_moment(value, tz, latest=latest_due))
    recurrence = field("recurrence", read_recurrence)
    if recurrence is not None and due_at is None:
        problems.append(_("recurrence: a repeat rule needs a due_at"))
    zone = field("timezone", read_zone) or source
    if recurrence is not None and due_at is not None and zone is not None:
        due_at = Recurrence.decode(recurrence).moved_to_zone(due_at, zone, tz)
    task = NewTask(
        title=title or "",
        description=description,
        done=done,
        completed_at=field("completed_at", lambda value: read_moment(value, tz)),
        created_at=field("created_at", lambda value: read_moment(value, tz)),
        due_at=due_at,
        recurrence=recurrence,
        nag_minutes=field("nag_minutes", read_nag_minutes),
        remind_before=field("remind_before", read_remind_before) or (),
        priority=field("priority", task_file_fields.read_priority),
        checklist=field("checklist", task_file_fields.read_checklist) or (),
        attachments=field("attachments", task_file_fields.read_attachments) or (),
    )
    if problems:
        raise ImportRejected(problems)
    return task
