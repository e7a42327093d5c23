"""When the reminder scheduler works: it reads when the next thing is due, sleeps until then
asking the database nothing (so that an idle Neon compute can suspend), and wakes early for a
change this instance made.

One statement reads when the next reminder and the next digest are due, leases included, and
at most hourly forgets old processed updates on the way (storage.due_times.next_due): house-keeping
never wakes the database by itself. The loop wakes at that time and claims and sends what is due
(bot.scheduler), then reads again; at once (in a burst, at most once a second) when storage says
a change made through this instance's Database may have brought something forward
(`Database.due_times_moved`); and an hour after its last read at the latest, for what other
instances changed. Time comes from an injectable clock and sleep, so tests can skip hours.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.scheduler import Scheduler
from storage.due_times import DueTimes, next_due
from storage.errors import StorageUnavailable

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

# How long the loop trusts the due times it read. A change made through this instance wakes it
# at once; one made by another instance (or a lease a dead instance left to run out) is read at
# the latest this long after. An hour lets an idle Neon compute suspend between reads, for one
# statement an hour (README, "What it costs").
LOOK_AGAIN_AFTER = timedelta(hours=1)
# A burst of changes is read in one look at most this often.
LOOK_GAP = timedelta(seconds=1)
# A failed step is tried again after 5 s, doubling up to a minute (and at once when a statement
# of this process finds the database back).
RETRY_FIRST = timedelta(seconds=5)
RETRY_LONGEST = timedelta(minutes=1)
# Rounds in a row that found something due and claimed none of it before a warning is logged.
STUCK_WARNING_AFTER = 8
# Processed updates are forgotten after two days (Telegram keeps an update for a day), in a look
# at most this often.
PROCESSED_UPDATE_RETENTION = timedelta(days=2)
FORGET_EVERY = timedelta(hours=1)


@dataclass
class LoopState:
    """What the loop is doing, for /healthz."""

    # When it last read the due times, and when it will next send or read them.
    looked_at: datetime | None = None
    next_step_at: datetime | None = None
    # Steps failed in a row (the database unreachable, or a bug).
    failures: int = 0


class SchedulerLoop:
    """Runs `scheduler` when something is due, on its clock, sleeping with `sleep` between."""

    def __init__(
        self,
        scheduler: Scheduler,
        *,
        sleep: Sleep = asyncio.sleep,
        look_gap: timedelta = LOOK_GAP,
    ) -> None:
        self.scheduler = scheduler
        self.database = scheduler.database
        self.clock = scheduler.clock
        self.sleep = sleep
        self.look_gap = look_gap
        self.state = LoopState()
        self._due: DueTimes | None = None  # as last read; None: read them first
        self._forgot_at: datetime | None = None
        self._stuck = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Step until `stop` is set, sleeping in between until the next step is due or a change
        made through the Database may have moved a due time; a failed step is logged and tried
        again later."""
        with self.database.watching_due_times() as moved:
            while not stop.is_set():
                if moved.is_set():
                    if self.state.looked_at is not None:
                        await self._pause(self.state.looked_at + self.look_gap, stop)
                        if stop.is_set():
                            break
                    moved.clear()
                    self._due = None
                self.state.next_step_at = await self._step_or_retry()
                await self._pause(self.state.next_step_at, stop, moved)

    async def step(self) -> datetime:
        """Send what is due (reading the due times first when they are unknown or an hour
        old), and then read them again; returns when to step next."""
        now = self.clock()
        looked_at = self.state.looked_at
        if self._due is None or looked_at is None or now >= looked_at + LOOK_AGAIN_AFTER:
            self._due = await self._look(now)
        reminders, digests = _by(self._due.reminder, now), _by(self._due.digest, now)
        if not (reminders or digests):
            return self._next_step(now, more=False)
        _, more = await self.scheduler.send_due(now, reminders=reminders, digests=digests)
        now = self.clock()
        self._due = await self._look(now)
        return self._next_step(now, more=more)

    async def _step_or_retry(self) -> datetime:
        try:
            next_at = await self.step()
        except Exception as error:
            self._due = None
            self.state.failures += 1
            if isinstance(error, StorageUnavailable):
                log.warning("reminders: storage unavailable, trying again shortly")
            else:
                log.exception("reminders: a step failed")
            return self.clock() + min(RETRY_FIRST * 2 ** (self.state.failures - 1), RETRY_LONGEST)
        self.state.failures = 0
        return next_at

    async def _look(self, now: datetime) -> DueTimes:
        """Read the due times, forgetting old processed updates when that is due too."""
        forget = self._forgot_at is None or now - self._forgot_at >= FORGET_EVERY
        due = await next_due(
            self.database, forget_older_than=PROCESSED_UPDATE_RETENTION if forget else None
        )
        if forget:
            self._forgot_at = now
            if due.forgotten:
                log.info("forgot %d processed updates older than two days", due.forgotten)
            if due.forgotten_chats:  # README, "When a chat changes"
                log.info("forgot %d chats the bot has long been out of", due.forgotten_chats)
        self.state.looked_at = now
        return due

    def _next_step(self, now: datetime, *, more: bool) -> datetime:
        """The next due time, or the next look when that comes first. Something still due
        right after sending means a full batch (more to send now), or rows another instance
        is claiming at this moment: then a short pause, growing while it lasts, so that a
        row that is due but cannot be claimed never keeps the database busy."""
        assert self._due is not None and self.state.looked_at is not None
        look = self.state.looked_at + LOOK_AGAIN_AFTER
        earliest = self._due.earliest()
        when = look if earliest is None else min(earliest, look)
        if when > now or more:
            self._stuck = 0
            return max(when, now)
        self._stuck += 1
        if self._stuck == STUCK_WARNING_AFTER:
            # Claims and next_due disagree on what is due (storage.claims.REMINDED): the
            # database now gets a look a minute and never sleeps.
            log.warning("reminders: something is due that no claim takes; looking every minute")
        return now + min(timedelta(seconds=2 ** (self._stuck - 1)), RETRY_LONGEST)

    async def _pause(
        self, until: datetime, stop: asyncio.Event, moved: asyncio.Event | None = None
    ) -> None:
        """Wait until `until` on the clock, or until `stop` (or `moved`) is set."""
        seconds = (until - self.clock()).total_seconds()
        if seconds <= 0:
            return
        waits = [asyncio.ensure_future(self.sleep(seconds)), asyncio.create_task(stop.wait())]
        if moved is not None:
            waits.append(asyncio.create_task(moved.wait()))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
            await asyncio.gather(*waits, return_exceptions=True)


def _by(due: datetime | None, now: datetime) -> bool:
    return due is not None and due <= now
