"""Factories for test data: ids of chats and users nobody else in the session uses."""

import itertools
import os
import random

# Unique per process and per call, so tests sharing one database never meet.
_counter = itertools.count(1)
_base = random.Random(os.getpid()).randrange(1, 2**20) << 30


def new_user_id() -> int:
    """A fresh Telegram user id (also the chat id of that user's private chat)."""
    return _base + next(_counter)


def new_chat_id(*, group: bool = False) -> int:
    """A fresh chat id: a private chat's (positive) or a supergroup's (negative, -100...)."""
    if group:
        return -1_000_000_000_000 - (_base + next(_counter))
    return new_user_id()
