"""The task files' format, which the export writes and the import reads: its name and version,
the CSV columns, how times and cells are written, the limits of an import file and its
refusal (ImportRejected). Export: handlers.task_export; import: handlers.task_import, one
value at a time handlers.task_file_values; the newer fields: handlers.task_file_fields.

The JSON file is complete and versioned (FORMAT, FORMAT_VERSION), so it can be imported again;
the CSV is for spreadsheets. Both carry the chat's time zone, in which repeating tasks' rules
are read. These are pure and CPU-bound (a 5 MB file takes a good part of a second): handlers
run them in a worker thread, off the event loop that serves every chat.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

from handlers import task_file_fields
from handlers.i18n import _, decimal, number

FORMAT = "todo-bot/tasks"
FORMAT_VERSION = 1
# Telegram lets a bot download files of up to 20 MB; an import reads at most this much.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
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
# Cells a spreadsheet would run as a formula get a leading apostrophe (and lose it on import).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ImportRejected(Exception):
    """The import file cannot be used; `problems` says why (nothing was stored)."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def stamp(moment: datetime | None) -> str | None:
    """A moment as the files write it: in UTC, to the second (ISO 8601); None stays None."""
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def _needs_guard(text: str) -> bool:
    """Whether a text starts as a formula a spreadsheet would run, behind any apostrophes."""
    return text.lstrip("'").startswith(_FORMULA_STARTS)


def cell(text: str | None) -> str:
    """A text as a CSV cell: one apostrophe more before a formula, even one already behind
    apostrophes (`'=x` becomes `''=x`), so that import, taking one off, gives back any text."""
    if not text:
        return ""
    return "'" + text if _needs_guard(text) else text


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


def uncell(text: str) -> str:
    """A CSV cell's text: `cell` undone."""
    return text[1:] if text.startswith("'") and _needs_guard(text) else text
