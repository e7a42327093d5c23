"""Who may use which task list, and what Telegram says about group members, cached briefly.

A user's own list is the private chat with the bot, whose id is the user's id. A group's list
is for the group's members, as Telegram's getChatMember tells; that answer is kept for
CACHE_SECONDS, so a user who joins or leaves a group is seen within that time.
"""

import enum
import logging
import time
from collections.abc import Callable

from telegram import Bot, ChatMemberRestricted
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from storage.models import Task

log = logging.getLogger(__name__)

CACHE_SECONDS = 60.0
MAX_CACHED = 10_000


class Role(enum.Enum):
    """What a user is to a task list."""

    OWNER = "owner"  # the user's own list (the private chat with the bot)
    ADMIN = "admin"  # a group's creator or one of its administrators
    MEMBER = "member"  # any other member of the group
    NONE = "none"  # someone else's list, a group the user is not in, or no such chat


class MembershipUnknown(Exception):
    """Telegram could not be asked whether the user is in the group (down, flood limit)."""


def may_delete(role: Role, task: Task, *, user_id: int) -> bool:
    """The list's owner and a group's admins may delete any task; a member only their own."""
    if role in (Role.OWNER, Role.ADMIN):
        return True
    return role is Role.MEMBER and task.created_by == user_id


class ChatAccess:
    """The role of a user in a chat's task list, asking Telegram about groups."""

    def __init__(
        self,
        bot: Bot,
        *,
        cache_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bot = bot
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._cache: dict[tuple[int, int], tuple[Role, float]] = {}

    async def role(self, *, user_id: int, chat_id: int) -> Role:
        """The user's role in the chat's list; MembershipUnknown when Telegram cannot say."""
        if chat_id == user_id:
            return Role.OWNER
        if chat_id > 0:  # another user's private chat: no one else's business
            return Role.NONE
        key = (chat_id, user_id)
        cached = self._cache.get(key)
        if cached is not None and cached[1] > self._clock():
            return cached[0]
        role = await self._ask_telegram(chat_id, user_id)
        self._remember(key, role)
        return role

    async def _ask_telegram(self, chat_id: int, user_id: int) -> Role:
        try:
            member = await self._bot.get_chat_member(chat_id, user_id)
        except (BadRequest, Forbidden, ChatMigrated) as error:
            # No such chat, no such user in it, or a chat the bot is not in (any more).
            log.debug("getChatMember(%s, %s) refused: %s", chat_id, user_id, error)
            return Role.NONE
        except TelegramError as error:
            raise MembershipUnknown(str(error)) from error
        if member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR):
            return Role.ADMIN
        if member.status == ChatMemberStatus.MEMBER:
            return Role.MEMBER
        if isinstance(member, ChatMemberRestricted) and member.is_member:
            return Role.MEMBER
        return Role.NONE  # left, banned, or restricted after leaving

    def _remember(self, key: tuple[int, int], role: Role) -> None:
        now = self._clock()
        if len(self._cache) >= MAX_CACHED:
            self._cache = {k: v for k, v in self._cache.items() if v[1] > now}
            while len(self._cache) >= MAX_CACHED:
                del self._cache[next(iter(self._cache))]  # the oldest entry
        self._cache.pop(key, None)  # re-inserted last: the dict stays in age order
        self._cache[key] = (role, now + self._cache_seconds)
