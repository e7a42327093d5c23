"""Who may use which list over the web: handlers.permissions' one cached view of members' roles
(under its old name here, ChatAccess, with the same call: `role(user_id=..., chat_id=...)`),
the lists the bot has stored, which decide before Telegram is asked, and where a list lives
(a forum topic's list is its group's members').

A group's list the bot has never stored (no task, setting or calendar address ever) cannot hold
tasks, so a request for it is refused from the database's knowledge, with the same 403 as any
other list that is not the caller's: random chat ids cost no Bot API call.
"""

import time

from telegram import Bot
from telegram.error import TelegramError

from handlers.permissions import MembershipUnknown, Role, Roles, may_delete, may_undo
from storage.db import Database
from storage.lists import list_exists
from storage.topics import where_is

__all__ = [
    "ChatAccess",
    "KnownLists",
    "ListPlaces",
    "MembershipUnknown",
    "Role",
    "may_delete",
    "may_undo",
]

ChatAccess = Roles

# Lists once found stay (a list is never taken away); this many are remembered at most.
MAX_KNOWN = 100_000


class KnownLists:
    """Whether the bot has stored a list, remembered once found (asked of the database until
    then: one indexed read, which the per-user rate limit bounds)."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._known: set[int] = set()

    async def exists(self, chat_id: int) -> bool:
        """Whether the list exists; StorageUnavailable when the database cannot say."""
        if chat_id in self._known:
            return True
        if not await list_exists(self._database, chat_id=chat_id):
            return False
        if len(self._known) >= MAX_KNOWN:
            self._known.clear()  # rare: start again rather than grow without bound
        self._known.add(chat_id)
        return True


class ListPlaces:
    """Where a topic's list lives: its forum group (asked of the database once per list, then
    remembered: the mapping never changes), and the groups' titles (asked of Telegram, kept
    TITLE_SECONDS), for the Mini App's list switcher."""

    TITLE_SECONDS = 3600.0

    def __init__(self, database: Database, bot: Bot) -> None:
        self._database = database
        self._bot = bot
        self._groups: dict[int, tuple[int, int | None]] = {}
        self._titles: dict[int, tuple[str | None, float]] = {}

    async def place(self, list_id: int) -> tuple[int, int | None]:
        """The chat whose members use the list, and its topic (None: the chat's own list)."""
        known = self._groups.get(list_id)
        if known is None:
            known = await where_is(self._database, list_id=list_id)
            if len(self._groups) >= MAX_KNOWN:
                self._groups.clear()
            self._groups[list_id] = known
        return known

    async def title(self, chat_id: int) -> str | None:
        """The group's title (None when Telegram does not say)."""
        now = time.monotonic()
        known = self._titles.get(chat_id)
        if known is not None and known[1] > now:
            return known[0]
        try:
            title = (await self._bot.get_chat(chat_id)).title
        except TelegramError:
            title = None
        if len(self._titles) >= MAX_KNOWN:
            self._titles.clear()
        self._titles[chat_id] = (title, now + self.TITLE_SECONDS)
        return title
