"""The schema: the SQLModel tables, what Alembic migrates to (the values storage returns are in
storage.values)."""

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel

from storage.values import NO_PRIORITY_RANK, TITLE_MAX_LENGTH

SEARCH_EXPRESSION = "to_tsvector('simple'::regconfig, title || ' ' || coalesce(description, ''))"


class ChatRow(SQLModel, table=True):
    """One task list: a private chat (id = the user's id) or a group (negative id).

    It holds the per-chat number sequence and the counts of open and done tasks, kept by
    triggers on `tasks`, so a list page never counts rows.
    """

    __tablename__ = "chats"
    __table_args__ = (
        sa.Index(
            "ix_chats_next_digest_at",
            "next_digest_at",
            postgresql_where=sa.text("next_digest_at IS NOT NULL"),
        ),
        # The basic groups that moved to a supergroup, by where they went (/forget).
        sa.Index(
            "ix_chats_moved_to", "moved_to", postgresql_where=sa.text("moved_to IS NOT NULL")
        ),
        # The chats the bot is out of, by when it left (their data is forgotten after a while).
        sa.Index(
            "ix_chats_bot_removed_at",
            "bot_removed_at",
            postgresql_where=sa.text("bot_removed_at IS NOT NULL"),
        ),
    )

    chat_id: int = Field(
        sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    last_task_number: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    open_tasks: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    done_tasks: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # IANA time zone name; None: UTC until the chat sets one.
    timezone: str | None = Field(default=None, sa_type=sa.Text)
    # Quiet hours as minutes after local midnight: reminders due from start to end wait.
    quiet_start: int | None = Field(default=None, sa_type=sa.SmallInteger)
    quiet_end: int | None = Field(default=None, sa_type=sa.SmallInteger)
    # A daily digest at this local minute replaces one reminder message per task.
    digest_minute: int | None = Field(default=None, sa_type=sa.SmallInteger)
    next_digest_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # The language the chat chose with /language (a code of handlers.i18n.LANGUAGES); None:
    # not chosen, so `telegram_language` applies.
    language: str | None = Field(default=None, sa_type=sa.Text)
    # Telegram's language_code for the chat: in a private chat the user's (kept current as they
    # write), in a group the language of whoever added the bot. Used when nothing was chosen,
    # where no update tells it (reminders, digests).
    telegram_language: str | None = Field(default=None, sa_type=sa.Text)
    # A basic group upgraded to a supergroup: the supergroup's id, where its lists are now
    # (storage.group_upgrade); a statement given this chat's id acts there (tables.CHAT_ID).
    moved_to: int | None = Field(default=None, sa_type=sa.BigInteger)
    # When the bot was removed from the chat (or, in a private chat, blocked): nothing is sent
    # there until it is back (storage.presence). None: the bot is in the chat.
    bot_removed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime | None = Field(
        default=None,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now(), "nullable": False},
    )


class TaskRow(SQLModel, table=True):
    """One task. `number` is per chat, starts at 1 and is never reused."""

    __tablename__ = "tasks"
    __table_args__ = (
        sa.UniqueConstraint("chat_id", "number", name="uq_tasks_chat_id_number"),
        # What the scheduler claims: reminders that are due.
        sa.Index(
            "ix_tasks_remind_at", "remind_at", postgresql_where=sa.text("remind_at IS NOT NULL")
        ),
        # /find: full-text search over titles and notes.
        sa.Index("ix_tasks_search", "search", postgresql_using="gin"),
        # /today: a chat's tasks by due time.
        sa.Index(
            "ix_tasks_chat_due",
            "chat_id",
            "due_at",
            postgresql_where=sa.text("due_at IS NOT NULL AND deleted_at IS NULL"),
        ),
        # The lists a user added tasks to (the Mini App's switcher: storage.views).
        sa.Index(
            "ix_tasks_created_by",
            "created_by",
            "chat_id",
            postgresql_where=sa.text("created_by IS NOT NULL AND deleted_at IS NULL"),
        ),
        # The open list and the done list of a chat in the order /list shows them (priority,
        # then due time, then number), without deleted rows: a page, of any filter by due time
        # or priority, is one short range of it per priority (storage.pages).
        sa.Index(
            "ix_tasks_chat_order",
            "chat_id",
            "done",
            "priority_rank",
            "due_order",
            "number",
            postgresql_where=sa.text("deleted_at IS NULL"),
        ),
        sa.CheckConstraint("priority BETWEEN 1 AND 3", name="ck_tasks_priority"),
    )

    id: UUID | None = Field(
        default=None,
        primary_key=True,
        sa_column_kwargs={"server_default": sa.func.gen_random_uuid()},
    )
    chat_id: int = Field(
        sa_type=sa.BigInteger,
        sa_column_kwargs={"nullable": False},
        foreign_key="chats.chat_id",
        ondelete="CASCADE",
    )
    number: int = Field(sa_column_kwargs={"nullable": False})
    title: str = Field(max_length=TITLE_MAX_LENGTH, sa_column_kwargs={"nullable": False})
    description: str | None = Field(default=None, sa_type=sa.Text)
    done: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    completed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_by: int | None = Field(default=None, sa_type=sa.BigInteger)
    created_at: datetime | None = Field(
        default=None,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now(), "nullable": False},
    )
    updated_at: datetime | None = Field(
        default=None,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now(), "nullable": False},
    )
    deleted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    due_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # When the next reminder goes out (the due time, a snooze, the next nag); None: none.
    remind_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # Repeat the reminder this often until the task is done; None: remind once.
    nag_minutes: int | None = Field(default=None)
    # storage.recurrence.Recurrence.encode(); completing the task schedules its next time.
    recurrence: str | None = Field(default=None, sa_type=sa.Text)
    # Minutes before the due time at which it is reminded too, the earliest first
    # (storage.reminder_times); each occurrence of a repeating task gets them again.
    remind_before: list[int] = Field(
        default_factory=list,
        sa_type=postgresql.ARRAY(sa.Integer),
        sa_column_kwargs={"server_default": "{}", "nullable": False},
    )
    reminder_failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # 1 (highest) to 3; None: none. Set with `!1`..`!3` in what the chat types, or by the API.
    priority: int | None = Field(default=None, sa_type=sa.SmallInteger)
    # The title's hashtags, lower-case, in the order they first appear (storage.task_fields):
    # derived from the title whenever it is written, never set apart from it.
    labels: list[str] = Field(
        default_factory=list,
        sa_type=postgresql.ARRAY(sa.Text),
        sa_column_kwargs={"server_default": "{}", "nullable": False},
    )
    # The checklist: a JSON array of {"text": ..., "done": ...} (storage.task_fields).
    checklist: list[dict[str, object]] = Field(
        default_factory=list,
        sa_type=postgresql.JSONB,
        sa_column_kwargs={"server_default": sa.text("'[]'::jsonb"), "nullable": False},
    )
    # Files attached by their Telegram file_id: a JSON array of {"kind", "file_id", "name"}.
    attachments: list[dict[str, object]] = Field(
        default_factory=list,
        sa_type=postgresql.JSONB,
        sa_column_kwargs={"server_default": sa.text("'[]'::jsonb"), "nullable": False},
    )
    # Where the task sorts in /list: its priority (NO_PRIORITY_RANK without one), then its
    # due time (none: after every due time). Kept by the database.
    priority_rank: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.SmallInteger,
            sa.Computed(f"COALESCE(priority, {NO_PRIORITY_RANK})", persisted=True),
            nullable=True,
        ),
    )
    due_order: datetime | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.DateTime(timezone=True),
            sa.Computed("COALESCE(due_at, 'infinity'::timestamptz)", persisted=True),
            nullable=True,
        ),
    )
    # Words of the title and the note, for /find ('simple': no language's stemming, so it
    # works the same for every language people write their tasks in).
    search: str | None = Field(
        default=None,
        sa_column=sa.Column(
            postgresql.TSVECTOR,
            sa.Computed(SEARCH_EXPRESSION, persisted=True),
            nullable=True,
        ),
    )


class TaskLabelRow(SQLModel, table=True):
    """One label of a live task, with the task's place in /list: what a page filtered by a
    label is read from, by index, whatever the list's size (storage.pages).

    Kept by a trigger on `tasks` (migration 0013) from each task's `labels`, state, priority,
    due time and list; nothing else writes it.
    """

    __tablename__ = "task_labels"
    __table_args__ = (
        sa.Index(
            "ix_task_labels_list",
            "chat_id",
            "label",
            "done",
            "priority_rank",
            "due_order",
            "number",
        ),
    )

    task_id: UUID = Field(primary_key=True, foreign_key="tasks.id", ondelete="CASCADE")
    label: str = Field(sa_type=sa.Text, primary_key=True)
    chat_id: int = Field(sa_type=sa.BigInteger, sa_column_kwargs={"nullable": False})
    done: bool = Field(sa_column_kwargs={"nullable": False})
    priority_rank: int = Field(sa_type=sa.SmallInteger, sa_column_kwargs={"nullable": False})
    due_order: datetime = Field(
        sa_type=sa.DateTime(timezone=True), sa_column_kwargs={"nullable": False}
    )
    number: int = Field(sa_column_kwargs={"nullable": False})


class ProcessedUpdateRow(SQLModel, table=True):
    """A Telegram update whose changes were applied, so a redelivery of it applies nothing.

    Update ids are per bot, so the bot is part of the key: two bots may share a database.
    """

    __tablename__ = "processed_updates"

    bot_id: int = Field(
        sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    update_id: int = Field(
        sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    processed_at: datetime | None = Field(
        default=None,
        sa_type=sa.DateTime(timezone=True),
        index=True,
        sa_column_kwargs={"server_default": sa.func.now(), "nullable": False},
    )
    # The numbers of the tasks the update changed, so a repeat can report them again.
    task_numbers: list[int] = Field(
        default_factory=list,
        sa_type=postgresql.ARRAY(sa.Integer),
        sa_column_kwargs={"server_default": "{}", "nullable": False},
    )


class UserRow(SQLModel, table=True):
    """A Telegram user the bot knows: recorded on /start and /help in a private chat, on
    /assign (the sender and the member replied to) and on /mine; nowhere else."""

    __tablename__ = "users"
    __table_args__ = (
        # @username -> user, for /assign; usernames are stored lower-case, without the @.
        sa.Index(
            "ix_users_username",
            "username",
            unique=True,
            postgresql_where=sa.text("username IS NOT NULL"),
        ),
    )

    user_id: int = Field(
        sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    username: str | None = Field(default=None, sa_type=sa.Text)
    first_name: str | None = Field(default=None, sa_type=sa.Text)
    # When they sent /start (or /help) in a private chat: the bot may write to them there.
    started_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime | None = Field(
        default=None,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now(), "nullable": False},
    )


class TaskAssigneeRow(SQLModel, table=True):
    """A group task assigned to a user (several users may share one task)."""

    __tablename__ = "task_assignees"

    task_id: UUID = Field(primary_key=True, foreign_key="tasks.id", ondelete="CASCADE")
    user_id: int = Field(
        sa_type=sa.BigInteger,
        primary_key=True,
        index=True,
        sa_column_kwargs={"autoincrement": False},
    )
    assigned_at: datetime | None = Field(
        default=None,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now(), "nullable": False},
    )


# Topic list ids start far below any Telegram chat id (those stay above -2**53).
TOPIC_LIST_IDS = sa.Sequence(
    "topic_list_ids",
    start=-9223372036854775807,
    minvalue=-9223372036854775807,
    increment=1,
    metadata=SQLModel.metadata,
)


class TopicListRow(SQLModel, table=True):
    """The list of one topic of a forum supergroup. Its `list_id` is what every other table
    calls the list's `chat_id`: a topic list is just another list, with its own numbers,
    counts and settings row in `chats`. Made on first use, never changed afterwards."""

    __tablename__ = "topic_lists"

    chat_id: int = Field(
        sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    thread_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    list_id: int | None = Field(
        default=None,
        sa_type=sa.BigInteger,
        unique=True,
        sa_column_kwargs={"server_default": TOPIC_LIST_IDS.next_value(), "nullable": False},
    )
    created_at: datetime | None = Field(
        default=None,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now(), "nullable": False},
    )


class ReceivedUpdateRow(SQLModel, table=True):
    """A Telegram update a polling bot fetched and has not yet finished handling.

    Written before Telegram is told the update arrived, and deleted once it is handled, so that
    the updates a killed process had in hand are handled by the next start (bot/polling.py).
    `body` is the update as the Bot API sent it; storage never looks inside.
    """

    __tablename__ = "received_updates"

    bot_id: int = Field(
        sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    update_id: int = Field(
        sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    body: str = Field(sa_type=postgresql.JSON, sa_column_kwargs={"nullable": False})
    # Starts that found the update left over; an update that keeps killing the process is
    # dropped after a few (bot/polling.py).
    replays: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    received_at: datetime | None = Field(
        default=None,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now(), "nullable": False},
    )


class CalendarFeedRow(SQLModel, table=True):
    """One person's calendar feed of one list; with no user, a group's shared feed from before
    feeds were personal.

    The address's token is not stored: it is made from `feed_id` with the server's secret
    (storage.calendar), so it can be shown again and a copy of the database reveals none. An
    address handed out before tokens were made that way is kept only as its SHA-256.
    """

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        sa.UniqueConstraint("list_id", "user_id", name="uq_calendar_feeds_list_id_user_id"),
    )

    # Random, positive; a new one is a new address (reset), the old one then finds nothing.
    feed_id: int = Field(
        sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    list_id: int = Field(
        sa_type=sa.BigInteger,
        sa_column_kwargs={"nullable": False},
        foreign_key="chats.chat_id",
        ondelete="CASCADE",
    )
    # The Telegram chat whose members may read the feed (a topic list's forum group).
    chat_id: int = Field(sa_type=sa.BigInteger, sa_column_kwargs={"nullable": False})
    # Whose feed it is: it stops when they are no longer a member of `chat_id`.
    user_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    # SHA-256 of a token stored in plain text before (migration 0009); cleared by a reset.
    legacy_token_hash: bytes | None = Field(default=None, sa_type=sa.LargeBinary, unique=True)
    # A digest of what the feed last showed, and since when (whole seconds, only ever later):
    # its ETag and Last-Modified, updated by the fetch that finds the feed changed.
    revision: str | None = Field(default=None, sa_type=sa.Text)
    changed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime | None = Field(
        default=None,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now(), "nullable": False},
    )
