"""The heavy inputs the tests and the benchmark both use: the 5 MB CSV of 5,000 tasks, and the
1,000 repeating tasks (as an /import can make) whose calendar feed is costly to write."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from storage.recurrence import Recurrence
from storage.transfer import NewTask

# The zone the repeating tasks' rules are read in.
FEED_ZONE = ZoneInfo("Europe/Berlin")


def csv_file(rows: int = 5000) -> bytes:
    """A CSV of `rows` tasks, each a number, a 200-character title and a long note (5,000 rows:
    over 4 MB)."""
    row = "{n}," + "t" * 200 + "," + ("note " * 150) + "\n"
    return ("number,title,description\n" + "".join(row.format(n=n) for n in range(rows))).encode()


def repeating_tasks(count: int = 1000) -> list[NewTask]:
    """`count` weekly tasks at different hours and weekdays, due from a week ahead."""
    later = datetime.now(UTC) + timedelta(days=8)
    rules = [Recurrence("weekly", 6 + n % 12, 0, weekdays=(n % 7,)) for n in range(count)]
    return [
        NewTask(
            title=f"Repeating task {n} with a title of some length",
            description="A note about it",
            due_at=rule.next_after(later, FEED_ZONE),
            recurrence=rule.encode(),
        )
        for n, rule in enumerate(rules)
    ]
