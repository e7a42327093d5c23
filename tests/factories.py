"""Factories for test data: ids of chats and users nobody else in the session uses, and task
values for code that renders without a database."""

import itertools
import os
import random
import uuid
from datetime import UTC, datetime

from storage.values import Task, UpdateKey

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


def new_basic_group_id() -> int:
    """A fresh basic group's id: negative, and not of a supergroup's -100... form."""
    return -(_base + next(_counter))


TEST_BOT_ID = 7000001


def new_bot_id() -> int:
    """A fresh bot id: a fake Bot API of a test's own says it is this bot, so that what the
    bot keeps per bot id (its journal of received updates) is the test's alone."""
    return _base + next(_counter)


def new_update_id() -> int:
    """A fresh Telegram update id."""
    return _base + next(_counter)


def new_update(bot_id: int = TEST_BOT_ID) -> UpdateKey:
    """The key of a fresh Telegram update of the test bot."""
    return UpdateKey(bot_id=bot_id, update_id=new_update_id())


def task_value(
    number: int,
    *,
    due_at: datetime | None = None,
    recurrence: str | None = None,
    task_id: uuid.UUID | None = None,
) -> Task:
    """An open task of chat 1 as storage would return it, for rendering without a database."""
    stamp = datetime(2026, 5, 1, 12, tzinfo=UTC)
    return Task(
        id=task_id or uuid.UUID(int=number),
        chat_id=1,
        number=number,
        title=f"Task {number}",
        description=None,
        done=False,
        completed_at=None,
        created_by=1,
        created_at=stamp,
        updated_at=stamp,
        due_at=due_at,
        recurrence=recurrence,
    )
