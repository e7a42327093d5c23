"""A clock and a sleep that a test moves by hand, for code that waits on time (the scheduler):
hours pass at once, and the test sees when the code means to wake."""

import asyncio
from datetime import datetime, timedelta


class FakeTime:
    """The scheduler's clock and sleep, moved by the test: a sleep ends only when the test moves
    the clock past its end. The end of each sleep begun is queued, so the test can wait until
    the scheduler sleeps again and see until when."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._sleepers: list[tuple[datetime, asyncio.Future[None]]] = []
        self._naps: asyncio.Queue[datetime] = asyncio.Queue()

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        entry = (self.now + timedelta(seconds=seconds), asyncio.get_running_loop().create_future())
        self._sleepers.append(entry)
        self._naps.put_nowait(entry[0])
        try:
            await entry[1]
        finally:
            self._sleepers.remove(entry)

    def advance(self, by: timedelta) -> None:
        self.now += by
        for end, woken in self._sleepers:
            if end <= self.now and not woken.done():
                woken.set_result(None)

    async def next_nap(self) -> datetime:
        """When the scheduler's next sleep ends (waiting until it begins one)."""
        return await asyncio.wait_for(self._naps.get(), timeout=10)

    def napping(self) -> bool:
        return bool(self._sleepers) and self._naps.empty()
