"""A basic group upgraded to a supergroup: moving its list to the supergroup's new chat id.

Telegram gives a group a new id when it becomes a supergroup (it does so by itself when a group
grows or gets some settings) and tells the bot twice: a service message in the old chat
(`migrate_to_chat_id`), one in the new chat (`migrate_from_chat_id`), and a 400 with the new id
to any call about the old one. Any of them may arrive first, on any instance, more than once:
`move_group` is one statement that moves everything once, and finds nothing left to move after
that. What moves: the tasks (with their numbers, reminders, repeat rules and assignees, which
hang on the task), the number sequence, the settings and language, and the calendar feeds (each
person's address keeps working). A basic group has no forum topics, so it has no topic lists to
move.

The old chat's row stays, pointing at the new one (`chats.moved_to`): every statement given the
old id acts on the new list (storage.tables.CHAT_ID), so an update that still carries the old
id reads and changes the right tasks.
"""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from storage.db import Database
from storage.tables import calendar_feeds, chats, tasks

OLD_CHAT_ID = sa.bindparam("old_chat_id", type_=sa.BigInteger)
NEW_CHAT_ID = sa.bindparam("new_chat_id", type_=sa.BigInteger)


def _move() -> sa.Select[Any]:
    """Move the list of the basic group `:old_chat_id` to the supergroup `:new_chat_id`.

    The old chat's row is locked first, so two moves of one group take turns (the second
    finds the tasks gone and changes nothing), and an add to the old id waits for the move or
    goes before it. Tasks keep their numbers, unless the new chat already has tasks of its own
    (an update of the new chat handled before the move): then the moved ones come after its
    last number. Settings the new chat has of its own stay; the others come from the old chat.
    """
    c = chats.c
    old = sa.select(chats).where(c.chat_id == OLD_CHAT_ID).with_for_update().cte("old")
    # How far the moved tasks' numbers shift (0 unless the new chat has tasks already), and
    # the highest of them (NULL: none to move).
    moving = sa.select(
        sa.func.min(tasks.c.number).label("low"), sa.func.max(tasks.c.number).label("high")
    ).where(tasks.c.chat_id == OLD_CHAT_ID)
    taken = sa.select(c.last_task_number).where(c.chat_id == NEW_CHAT_ID).scalar_subquery()
    low, high = moving.subquery("moving").c
    shift = sa.func.greatest(sa.func.coalesce(taken, 0) - sa.func.coalesce(low, 1) + 1, 0)
    plan = sa.select(shift.label("shift"), high.label("high")).cte("plan")
    # The old chat points to the new one, and gives up what is looked up by the chat: its next
    # digest (claimed by the scheduler).
    pointer = sa.select(OLD_CHAT_ID, NEW_CHAT_ID)
    marked = (
        insert(chats)
        .from_select([c.chat_id, c.moved_to], pointer, include_defaults=False)
        .on_conflict_do_update(
            index_elements=[c.chat_id],
            set_={c.moved_to: NEW_CHAT_ID, c.next_digest_at: None},
        )
        .returning(c.chat_id)
        .cte("marked")
    )
    # The new chat's row, from the old one's as it was (read through `marked`).
    kept = (
        "timezone",
        "quiet_start",
        "quiet_end",
        "digest_minute",
        "next_digest_at",
        "language",
        "telegram_language",
    )
    last = sa.case((plan.c.high.is_(None), 0), else_=old.c.last_task_number + plan.c.shift)
    copied = sa.select(
        NEW_CHAT_ID,
        last,
        *(old.c[name] for name in kept),
        old.c.created_at,
    ).select_from(old.join(marked, sa.true()).join(plan, sa.true()))
    made = insert(chats).from_select(
        ["chat_id", "last_task_number", *kept, "created_at"],
        copied,
        include_defaults=False,
    )
    new = made.excluded
    no_quiet, no_digest = c.quiet_start.is_(None), c.digest_minute.is_(None)
    settled = (
        made.on_conflict_do_update(
            index_elements=[c.chat_id],
            set_={
                c.last_task_number: sa.func.greatest(c.last_task_number, new.last_task_number),
                c.timezone: sa.func.coalesce(c.timezone, new.timezone),
                c.quiet_start: sa.case((no_quiet, new.quiet_start), else_=c.quiet_start),
                c.quiet_end: sa.case((no_quiet, new.quiet_end), else_=c.quiet_end),
                c.digest_minute: sa.case((no_digest, new.digest_minute), else_=c.digest_minute),
                c.next_digest_at: sa.case((no_digest, new.next_digest_at), else_=c.next_digest_at),
                c.language: sa.func.coalesce(c.language, new.language),
                c.telegram_language: sa.func.coalesce(c.telegram_language, new.telegram_language),
            },
        )
        .returning(c.chat_id)
        .cte("settled")
    )
    # The tasks, once the new row exists (the foreign key is checked at the statement's end;
    # the triggers on tasks move the counts of open and done tasks along).
    moved = (
        sa.update(tasks)
        .where(tasks.c.chat_id == OLD_CHAT_ID, sa.exists(settled.select()))
        .values(
            {
                tasks.c.chat_id: NEW_CHAT_ID,
                tasks.c.number: tasks.c.number + sa.select(plan.c.shift).scalar_subquery(),
            }
        )
        .returning(tasks.c.id)
        .cte("moved")
    )
    # Each person's calendar feed of the list: the same address, now of the new chat.
    feeds = (
        sa.update(calendar_feeds)
        .where(calendar_feeds.c.list_id == OLD_CHAT_ID, sa.exists(settled.select()))
        .values({calendar_feeds.c.list_id: NEW_CHAT_ID, calendar_feeds.c.chat_id: NEW_CHAT_ID})
        .cte("feeds")
    )
    return sa.select(
        sa.select(sa.func.count()).select_from(moved).scalar_subquery().label("moved"),
        sa.select(sa.func.count()).select_from(marked).scalar_subquery().label("marked"),
    ).add_cte(feeds)


MOVE_GROUP = _move()


@dataclass(frozen=True, slots=True)
class Moved:
    """What a move did: how many tasks went to the new chat (0 when an earlier move took
    them, or there were none)."""

    tasks: int


async def move_group(db: Database, *, old_chat_id: int, new_chat_id: int) -> Moved:
    """Move the list of a basic group to the supergroup it became (one statement; safe to run
    again, and at the same time elsewhere: what was moved is not moved twice)."""
    rows = await db.run(
        MOVE_GROUP, {"old_chat_id": old_chat_id, "new_chat_id": new_chat_id}, idempotent=True
    )
    return Moved(tasks=int(rows[0]._mapping["moved"]))
