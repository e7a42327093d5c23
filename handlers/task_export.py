"""The export files: the tasks as the versioned JSON file /import reads back, and as CSV for
spreadsheets (cells a spreadsheet would run as a formula guarded). Pure functions.
"""

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from handlers import task_file_fields
from handlers.task_files import CSV_COLUMNS, FORMAT, FORMAT_VERSION, cell, stamp
from storage.values import Task


def export_json(tasks: Sequence[Task], *, exported_at: datetime, timezone: str | None) -> bytes:
    """The tasks as the versioned JSON file that /import reads back, with the chat's time zone
    (None: unset, UTC)."""
    document = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": stamp(exported_at),
        "timezone": timezone or "UTC",
        "tasks": [
            {
                "number": task.number,
                "title": task.title,
                "description": task.description,
                "done": task.done,
                "completed_at": stamp(task.completed_at),
                "created_at": stamp(task.created_at),
                "due_at": stamp(task.due_at),
                "recurrence": task.recurrence,
                "nag_minutes": task.nag_minutes,
                "remind_before": list(task.remind_before),
                **task_file_fields.json_fields(task),
            }
            for task in tasks
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


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
                cell(task.title),
                cell(task.description),
                "yes" if task.done else "no",
                stamp(task.completed_at) or "",
                stamp(task.created_at) or "",
                stamp(task.due_at) or "",
                task.recurrence or "",
                task.nag_minutes or "",
                timezone or "UTC",
                " ".join(map(str, task.remind_before)),
                *map(cell, task_file_fields.csv_cells(task)),
            ]
        )
    return "\ufeff".encode() + out.getvalue().encode()


def export_file_names(now: datetime) -> tuple[str, str]:
    """The names of the JSON and the CSV file of an export made at `now`."""
    day = now.astimezone(UTC).strftime("%Y-%m-%d")
    return f"tasks-{day}.json", f"tasks-{day}.csv"
