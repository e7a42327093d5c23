"""Closed-loop load: every user waits for the answer to its action before the next one."""

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bench.users import ChatUser, Outcome

# Each user's round: two tasks in, the list, one ticked by its button, one by /done; so a list
# keeps about as many open tasks as its first /add gave it.
CYCLE = ("add", "add", "list", "press", "done")
FIRST_TASKS = 8

Sample = TypeVar("Sample")


@dataclass
class LoadRun(Generic[Sample]):
    """What one load run saw: every outcome, and the measured window with a sample at each end."""

    outcomes: list[Outcome] = field(default_factory=list)
    window_start: float = 0.0
    window_end: float = 0.0
    start_sample: Sample | None = None
    end_sample: Sample | None = None

    @property
    def window_seconds(self) -> float:
        return self.window_end - self.window_start

    def in_window(self) -> list[Outcome]:
        """The successful outcomes answered inside the measured window."""
        return [
            outcome
            for outcome in self.outcomes
            if outcome.error is None
            and outcome.answered_at is not None
            and self.window_start <= outcome.answered_at <= self.window_end
        ]

    def errors(self) -> list[Outcome]:
        """Every failed outcome, warm-up and drain included."""
        return [outcome for outcome in self.outcomes if outcome.error is not None]


async def _drive(
    user: ChatUser,
    first: int,
    stop: asyncio.Event,
    run: LoadRun[Sample],
    started: Callable[[], None],
) -> None:
    """Set the user's list up, then go round CYCLE from its `first` step until `stop`."""
    run.outcomes.append(await user.add(FIRST_TASKS))
    run.outcomes.append(await user.show_list())
    started()
    for kind in itertools.islice(itertools.cycle(CYCLE), first, None):
        if stop.is_set():
            return
        run.outcomes.append(await user.act(kind))


async def run_load(
    users: list[ChatUser],
    *,
    warmup: float,
    seconds: float,
    sample: Callable[[], Sample],
) -> LoadRun[Sample]:
    """Run every user in a closed loop and measure a window of `seconds`.

    The window opens `warmup` seconds after the last user has its list set up (so that every
    user is in its cycle), and `sample()` is taken at its start and end. Then users stop
    issuing and the outstanding answers are awaited (each bounded by the user's timeout).
    """
    run: LoadRun[Sample] = LoadRun()
    stop = asyncio.Event()
    all_started = asyncio.Event()
    waiting = len(users)

    def started() -> None:
        nonlocal waiting
        waiting -= 1
        if waiting == 0:
            all_started.set()

    # Users start at different steps of the cycle: in step, a queue in the bot (its rate
    # limiter, say) would keep them in step, and a window would see only some commands.
    tasks = [
        asyncio.create_task(_drive(user, index % len(CYCLE), stop, run, started))
        for index, user in enumerate(users)
    ]
    try:
        # Setting up is two actions, each bounded by the user's timeout.
        timeout = 2 * max(user.timeout for user in users)
        try:
            async with asyncio.timeout(timeout):
                await all_started.wait()
        except TimeoutError:
            raise TimeoutError(f"users were still setting up after {timeout:g}s") from None
        await asyncio.sleep(warmup)  # a schedule: the warm-up runs for this long
        run.start_sample = sample()
        run.window_start = time.perf_counter()
        await asyncio.sleep(seconds)  # a schedule: the measured window
        run.end_sample = sample()
        run.window_end = time.perf_counter()
        stop.set()
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
    return run
