"""A bot under test (`python -m bot`, or the baseline) as its own process, logging to a file."""

import asyncio
import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from testkit.processes import bot_environment

T = TypeVar("T")


class BenchError(RuntimeError):
    """The benchmark could not measure: a process failed, or the bot did not answer."""


class BotUnderTest:
    """`python -m MODULE` in an empty folder, its stdout and stderr going to NAME.log there.

    `settings` are its environment variables; the bot's others are cleared.
    """

    def __init__(self, module: str, *, name: str, settings: dict[str, str], folder: Path) -> None:
        self.module = module
        self.name = name
        self.environment = bot_environment(**settings)
        self.folder = folder
        self.log_path = folder / f"{name}.log"
        self._process: asyncio.subprocess.Process | None = None
        self._exited: asyncio.Task[int] | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    async def start(self) -> None:
        with self.log_path.open("ab") as log:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                self.module,
                env=self.environment,
                cwd=self.folder,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        self._exited = asyncio.create_task(self._process.wait())

    async def while_running(self, work: Coroutine[Any, Any, T], what: str) -> T:
        """The result of `work`, or BenchError (naming the log) if the process ends first."""
        assert self._exited is not None
        task = asyncio.ensure_future(work)
        await asyncio.wait({task, self._exited}, return_when=asyncio.FIRST_COMPLETED)
        if not task.done():
            task.cancel()
            raise BenchError(
                f"{self.name} exited with status {self._exited.result()} during {what};"
                f" its log: {self.log_path}"
            )
        try:
            return task.result()
        except (TimeoutError, AssertionError) as error:
            raise BenchError(
                f"{what} failed ({error}); the {self.name} log: {self.log_path}"
            ) from error

    async def stop(self, timeout: float = 15) -> int:  # noqa: ASYNC109
        """SIGTERM, and the exit status (killed after `timeout` seconds)."""
        if self._process is None or self._exited is None:
            return 0
        if self._process.returncode is None:
            self._process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(timeout):
                return await self._exited
        except TimeoutError:
            self._process.kill()
            await self._exited
            raise BenchError(
                f"{self.name} did not stop within {timeout}s of SIGTERM; log: {self.log_path}"
            ) from None
