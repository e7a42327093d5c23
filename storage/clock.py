"""The current time, for code that has no injected clock of its own.

Handlers, the web side and the scheduler ask here (the scheduler and its tests can pass any
`Clock` instead), so that no module reaches for the system clock on its own.
"""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def now_utc() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)
