"""Update processing: one chat's updates in the order they came, different chats concurrently."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates waiting (queued behind their chat's earlier ones) before PTB holds back new ones: a
# memory bound, far above what the workers can be busy with.
MAX_WAITING_UPDATES = 10_000


class _ChatQueue:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Runs up to `max_workers` updates at once, never two of the same chat.

    python-telegram-bot takes its own semaphore before calling `do_process_update`, so that one
    is made large (a bound on waiting updates) and the real bound on work is taken inside, after
    the chat's turn has come: a burst in one chat never fills the workers while other chats wait.
    Updates reach `do_process_update` in arrival order without suspending first, and
    asyncio.Lock wakes its waiters in order, so each chat's updates run in arrival order.
    """

    def __init__(self, max_workers: int = 64) -> None:
        super().__init__(max_concurrent_updates=MAX_WAITING_UPDATES)
        self._workers = asyncio.Semaphore(max_workers)
        self._chats: dict[int, _ChatQueue] = {}
        # Told of each update once it has been handled (polling's journal, bot/polling.py).
        self.on_handled: Callable[[object], None] | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            async with self._workers:
                await coroutine
        else:
            await self._in_chat_order(key, coroutine)
        if self.on_handled is not None:
            self.on_handled(update)

    async def _in_chat_order(self, key: int, coroutine: Awaitable[Any]) -> None:
        queue = self._chats.get(key)
        if queue is None:
            queue = self._chats[key] = _ChatQueue()
        queue.users += 1
        try:
            async with queue.lock, self._workers:
                await coroutine
        finally:
            queue.users -= 1
            if queue.users == 0:
                del self._chats[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _chat_key(update: object) -> int | None:
    """The chat whose order an update belongs to (a button press: the chat of its message)."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None
