"""Who may use which list over the web: handlers.permissions' one cached view of members' roles
(under its old name here, ChatAccess, with the same call: `role(user_id=..., chat_id=...)`),
and the lists the bot has stored, which decide before Telegram is asked.

A group's list the bot has never stored (no task, setting or calendar address ever) cannot hold
tasks, so a request for it is refused from the database's knowledge, with the same 403 as any
other list that is not the caller's: random chat ids cost no Bot API call.
"""

from handlers.permissions import MembershipUnknown, Role, Roles, may_delete, may_undo
from storage.db import Database
from storage.lists import list_exists

__all__ = ["ChatAccess", "KnownLists", "MembershipUnknown", "Role", "may_delete", "may_undo"]

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
