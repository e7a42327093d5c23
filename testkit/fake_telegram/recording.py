"""What the bot did: every call in order, waiting for one, and the messages it left."""

import asyncio
from collections.abc import Callable
from typing import Any

from testkit.fake_telegram.methods import canonical_name
from testkit.fake_telegram.protocol import ApiCall
from testkit.fake_telegram.world import TelegramWorld


class CallRecording(TelegramWorld):
    """The record of calls the bot made, for tests to wait on and look through."""

    def mark(self) -> int:
        """Return the index the next call will get, to pass as ``wait_for(after=...)``."""
        return len(self.calls)

    def calls_of(self, method: str) -> list[ApiCall]:
        """Return every recorded call of ``method`` (any letter case), oldest first."""
        name = canonical_name(method)
        return [call for call in self.calls if call.method == name]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - on timeout we fail with the calls seen
        after: int = 0,
    ) -> ApiCall:
        """Return the first call of ``method`` at index >= ``after`` matching ``predicate``.

        Waits for it up to ``timeout`` seconds, then raises ``AssertionError`` listing the calls.
        """
        name = canonical_name(method)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        checked = after
        while True:
            for call in self.calls[checked:]:
                if call.method == name and (predicate is None or predicate(call)):
                    return call
            checked = max(checked, len(self.calls))
            if not await self._wait_for_change(deadline - loop.time()):
                raise AssertionError(self._missing_call_report(name, predicate, timeout, after))

    async def wait_until_polling(self, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Return once a getUpdates long poll is waiting; ``AssertionError`` after ``timeout``."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not self.polls_waiting:
            if not await self._wait_for_change(deadline - asyncio.get_running_loop().time()):
                raise AssertionError(f"no getUpdates long poll started within {timeout}s")

    async def wait_until_confirmed(self, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Return once the bot has called getUpdates with an offset past every update queued so
        far: it confirms them (a polling bot does so once the batch is journaled)."""
        wanted = self._next_update_id
        await self.wait_for(
            "getUpdates",
            lambda call: int(call.params.get("offset") or 0) >= wanted,
            timeout=timeout,
        )

    def last_message(self, chat_id: int) -> dict[str, Any]:
        """Return the bot's most recent message still in ``chat_id`` (text, html, markup, ...)."""
        for (chat, _), stored in reversed(self.messages.items()):
            if chat == chat_id:
                return stored
        raise AssertionError(f"the bot has no message in chat {chat_id}")

    def _record(self, call: ApiCall) -> None:
        self.calls.append(call)
        self._notify()

    def _missing_call_report(
        self, name: str, predicate: Callable[[ApiCall], bool] | None, timeout: float, after: int
    ) -> str:
        wanted = f"{name} call" + (" matching the predicate" if predicate else "")
        seen = [
            f"  #{index} {call.describe()}"
            for index, call in enumerate(self.calls)
            if index >= after and (call.method != "getUpdates" or name == "getUpdates")
        ]
        listing = "\n".join(seen[-40:]) or "  (none)"
        return f"no {wanted} at index >= {after} within {timeout}s; calls seen:\n{listing}"
