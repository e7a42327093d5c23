"""Personal calendar feeds: one address per (list, user), no token in plain text.

`chats.calendar_token` held each list's one feed token as it was. Its addresses keep working:
each becomes a row of `calendar_feeds` holding only the token's SHA-256 (a private chat's for
its user; a group's with no user, until an admin resets the group's addresses), and the column
goes. New tokens are made from a random `feed_id` with the server's secret and never stored.
`revision` and `changed_at` are what a feed showed last and since when (its ETag and
Last-Modified).

Going down restores the column empty: the old addresses cannot be rebuilt from their hashes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A random positive BIGINT (63 bits of a random UUID); a topic list is checked against its
# forum group's members; positive chat ids are private chats, whose user is the chat.
_KEEP_OLD_ADDRESSES = """
INSERT INTO calendar_feeds (feed_id, list_id, chat_id, user_id, legacy_token_hash)
SELECT
    ('x' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 16))::bit(64)::bigint
        & 9223372036854775807,
    c.chat_id,
    COALESCE(t.chat_id, c.chat_id),
    CASE WHEN c.chat_id > 0 THEN c.chat_id END,
    sha256(convert_to(c.calendar_token, 'UTF8'))
FROM chats AS c
LEFT JOIN topic_lists AS t ON t.list_id = c.chat_id
WHERE c.calendar_token IS NOT NULL
"""


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("feed_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("list_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("legacy_token_hash", sa.LargeBinary(), nullable=True),
        sa.Column("revision", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["list_id"], ["chats.chat_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("feed_id"),
        sa.UniqueConstraint("list_id", "user_id", name="uq_calendar_feeds_list_id_user_id"),
        sa.UniqueConstraint("legacy_token_hash"),
    )
    op.execute(_KEEP_OLD_ADDRESSES)
    op.drop_constraint("chats_calendar_token_key", "chats", type_="unique")
    op.drop_column("chats", "calendar_token")


def downgrade() -> None:
    op.add_column("chats", sa.Column("calendar_token", sa.Text(), nullable=True))
    op.create_unique_constraint("chats_calendar_token_key", "chats", ["calendar_token"])
    op.drop_table("calendar_feeds")
