"""Trouble on Telegram's side, on a test's demand: failed calls, a slow network, a slow or
held chat, and users who blocked the bot."""

import asyncio
from typing import Any

from testkit.fake_telegram.methods import canonical_name
from testkit.fake_telegram.protocol import ApiError
from testkit.fake_telegram.world import ChatHold, TelegramWorld


class FaultInjection(TelegramWorld):
    """The faults a test can ask for, and applying them to each call."""

    def clear_faults(self) -> None:
        """Forget every failure queued with fail_next that has not happened yet."""
        self._faults.clear()

    def hold_chat(self, chat_id: int) -> ChatHold:
        """Make calls about `chat_id` wait until `hold.released` is set (`hold.reached` tells
        that one arrived)."""
        hold = self.held_chats[chat_id] = ChatHold()
        return hold

    def block_chat(self, chat_id: int) -> None:
        """Make the user of ``chat_id`` block the bot: sends there fail with 403."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """Undo ``block_chat``."""
        self._blocked.discard(chat_id)

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str,
        retry_after: int | None = None,
        count: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail with ``status`` and ``description``
        (only calls about ``chat_id``, when given).

        A 429 always carries ``parameters.retry_after`` (``retry_after`` or 1), as Telegram's do.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        error = ApiError(status, description, parameters)
        error.chat_id = chat_id  # type: ignore[attr-defined]
        self._faults.setdefault(canonical_name(method), []).extend([error] * count)

    async def _apply_faults(self, method: str, params: dict[str, Any]) -> None:
        """Fail, slow down or hold one call as the test asked (``ApiError`` for a failure)."""
        if faults := self._faults.get(method):
            for index, fault in enumerate(faults):
                wanted = getattr(fault, "chat_id", None)
                if wanted is None or wanted == params.get("chat_id"):
                    raise faults.pop(index)
        if delay := self.slow_chats.get(params.get("chat_id")):  # type: ignore[arg-type]
            await asyncio.sleep(delay)  # a slow network path to that chat
        if hold := self.held_chats.get(params.get("chat_id")):  # type: ignore[arg-type]
            hold.reached.set()
            await hold.released.wait()
