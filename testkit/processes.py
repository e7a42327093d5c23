"""Running `python -m bot` as a real process and reading its log as it goes."""

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

_CLEARED = ("BOT_TOKEN", "DATABASE_URL", "TELEGRAM_BASE_URL", "LOG_LEVEL", "DATA_DIR")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def bot_environment(**values: str) -> dict[str, str]:
    """This environment without any bot setting, plus `values` (NAME=value)."""
    environment = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    environment["PYTHONPATH"] = str(PROJECT_ROOT)
    environment.update(values)
    return environment


class BotProcess:
    """`python -m bot ARGS` with its own environment, in a folder without a .env file."""

    def __init__(self, *args: str, environment: dict[str, str], cwd: Path) -> None:
        self.args = args
        self.environment = environment
        self.cwd = cwd
        self.log = ""
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Condition()

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *self.args,
            env=self.environment,
            cwd=self.cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        while line := await self._process.stdout.readline():
            async with self._changed:
                self.log += line.decode(errors="replace")
                self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()

    async def wait_for_log(self, pattern: str, *, timeout: float = 30) -> str:  # noqa: ASYNC109
        """The first log line matching `pattern`; AssertionError with the log on timeout."""
        regex = re.compile(pattern)

        def found() -> re.Match[str] | None:
            return regex.search(self.log)

        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(
                    lambda: (
                        found() is not None or (self._reader is not None and self._reader.done())
                    )
                )
        except TimeoutError:
            pass
        match = found()
        assert match is not None, f"no log line matching {pattern!r}; the log:\n{self.log}"
        return match.group(0)

    async def wait(self, *, timeout: float = 30) -> int:  # noqa: ASYNC109
        """The exit status, once the process ends and its output is read."""
        assert self._process is not None and self._reader is not None
        async with asyncio.timeout(timeout):
            code = await self._process.wait()
            await self._reader
        return code

    async def stop(self, signal_number: int = signal.SIGTERM, *, timeout: float = 15) -> int:  # noqa: ASYNC109
        """Send a signal and return the exit status."""
        assert self._process is not None
        if self._process.returncode is None:
            self._process.send_signal(signal_number)
        return await self.wait(timeout=timeout)

    def stop_nowait(self, signal_number: int = signal.SIGTERM) -> None:
        """Send a signal and return at once."""
        assert self._process is not None
        self._process.send_signal(signal_number)

    async def kill(self) -> None:
        """End the process whatever it is doing (test clean-up)."""
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            await self._process.wait()
