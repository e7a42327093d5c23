"""Who may see, change, delete, undo and reset in a chat's list: one cached view of each
member's role (asked of Telegram), and the rules that read it. The chat handlers, the buttons,
the task API, the calendar feed and the reminder scheduler all ask here.

The cache policy, written once:

- A private chat belongs to its user (the chat's id is the user's): the owner, asked of nobody.
  Nobody else has a role there. In a group, the group itself (an anonymous admin posting as the
  group) is an admin.
- A group member's role comes from getChatMember and is kept for CACHE_SECONDS (5 s), "no"
  answers (left, banned, no such chat) as long as "yes" ones: a member who leaves or is
  removed, or an admin who is demoted, loses the rights within that bound. Where the bot is an
  admin, Telegram also sends `chat_member` updates, and `member_changed` replaces the cached
  role at once.
- A question Telegram could not answer (network trouble, 5xx, a flood limit) is not kept: the
  caller gets MembershipUnknown and refuses (it fails closed), saying so.
- Questions about one (chat, user) asked at the same time share one Bot API call. At most
  MAX_CACHED answers are kept, the oldest dropped first.
"""

import asyncio
import enum
import logging
import time
from collections.abc import Callable

from telegram import Bot, ChatMember, ChatMemberRestricted
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from storage.values import Task

log = logging.getLogger(__name__)

CACHE_SECONDS = 5.0
MAX_CACHED = 10_000


class Role(enum.Enum):
    """What a user is to a chat's list."""

    OWNER = "owner"  # the user's own list (the private chat with the bot)
    ADMIN = "admin"  # a group's creator or one of its administrators
    MEMBER = "member"  # any other member of the group
    NONE = "none"  # someone else's list, a group the user is not in, or no such chat


class MembershipUnknown(Exception):
    """Telegram could not be asked whether the user is in the group (down, flood limit)."""


class NotAMember(Exception):
    """The user is not (or no longer) in the chat whose list they tried to use."""


# -- the rules --------------------------------------------------------------------------------


def may_see(role: Role) -> bool:
    """The list's owner and the group's current members see its tasks."""
    return role is not Role.NONE


def may_change(role: Role) -> bool:
    """Adding, ticking off, renaming, notes, due times, assigning: the same people."""
    return role is not Role.NONE


def may_delete(role: Role, task: Task, *, user_id: int) -> bool:
    """The list's owner and a group's admins may delete any task; a member only their own."""
    if role in (Role.OWNER, Role.ADMIN):
        return True
    return role is Role.MEMBER and task.created_by == user_id


def may_undo(role: Role, deleted: Task, *, user_id: int) -> bool:
    """Bringing a deleted task back takes the right to delete it: a member cannot undo what an
    admin removed from someone else's tasks."""
    return may_delete(role, deleted, user_id=user_id)


def may_clear(role: Role) -> bool:
    """Deleting the done tasks at once (everyone's finished work): the list's owner and a
    group's admins."""
    return role in (Role.OWNER, Role.ADMIN)


def may_reset(role: Role, *, personal: bool) -> bool:
    """A member may reset what is their own (their calendar address); what the whole chat
    shares only its owner or admins."""
    if personal:
        return role is not Role.NONE
    return role in (Role.OWNER, Role.ADMIN)


def role_of_member(member: ChatMember) -> Role:
    """The role Telegram's answer about a group member stands for."""
    if member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR):
        return Role.ADMIN
    if member.status == ChatMemberStatus.MEMBER:
        return Role.MEMBER
    if isinstance(member, ChatMemberRestricted) and member.is_member:
        return Role.MEMBER
    return Role.NONE  # left, banned, or restricted after leaving


def role_without_asking(*, user_id: int, chat_id: int) -> Role | None:
    """The role that needs no question to Telegram, or None when Telegram must be asked."""
    if chat_id == user_id:
        # One's own private chat; in a group, the group itself (an anonymous admin).
        return Role.OWNER if chat_id > 0 else Role.ADMIN
    if chat_id > 0:
        return Role.NONE  # another user's private chat: no one else's business
    if user_id < 0:
        return Role.MEMBER  # a channel posting in the group it is linked to
    return None


# -- the cached view --------------------------------------------------------------------------


class Roles:
    """The role of each user in each chat, asked of Telegram and cached by the policy above."""

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
        self._asking: dict[tuple[int, int], asyncio.Future[Role]] = {}

    @property
    def cache_seconds(self) -> float:
        """How long an answer is kept (the bound on a removed member's access)."""
        return self._cache_seconds

    async def role(self, *, user_id: int, chat_id: int) -> Role:
        """The user's role in the chat's list; MembershipUnknown when Telegram cannot say."""
        known = role_without_asking(user_id=user_id, chat_id=chat_id)
        if known is not None:
            return known
        key = (chat_id, user_id)
        cached = self._cache.get(key)
        if cached is not None and cached[1] > self._clock():
            return cached[0]
        asking = self._asking.get(key)
        if asking is None:
            # A task of its own: a caller that gives up (a closed request) does not cancel the
            # question for the others waiting on it.
            asking = asyncio.ensure_future(self._ask_and_remember(key))
            self._asking[key] = asking
            asking.add_done_callback(lambda done: self._asked(key, done))
        return await asyncio.shield(asking)

    def _asked(self, key: tuple[int, int], done: asyncio.Future[Role]) -> None:
        self._asking.pop(key, None)
        if not done.cancelled():
            done.exception()  # the waiters have it (or had gone): not "never retrieved"

    async def _ask_and_remember(self, key: tuple[int, int]) -> Role:
        role = await self._ask_telegram(*key)
        self._remember(key, role)
        return role

    async def is_member(self, chat_id: int, user_id: int) -> bool:
        """Whether the user is in the chat now; False too when Telegram cannot say."""
        try:
            return may_see(await self.role(user_id=user_id, chat_id=chat_id))
        except MembershipUnknown as error:
            log.info("membership of %s in %s unknown: %s", user_id, chat_id, error)
            return False

    def member_changed(self, chat_id: int, member: ChatMember) -> None:
        """Telegram says a member's status changed (a `chat_member` update): use it at once."""
        self._remember((chat_id, member.user.id), role_of_member(member))

    def forget_chat(self, chat_id: int) -> None:
        """Drop every answer about a chat (the bot left it, or it got a new id)."""
        self._cache = {key: value for key, value in self._cache.items() if key[0] != chat_id}

    async def _ask_telegram(self, chat_id: int, user_id: int) -> Role:
        try:
            member = await self._bot.get_chat_member(chat_id, user_id)
        except (BadRequest, Forbidden, ChatMigrated) as error:
            # No such chat, no such user in it, or a chat the bot is not in (any more).
            log.debug("getChatMember(%s, %s) refused: %s", chat_id, user_id, error)
            return Role.NONE
        except TelegramError as error:
            raise MembershipUnknown(str(error)) from error
        return role_of_member(member)

    def _remember(self, key: tuple[int, int], role: Role) -> None:
        now = self._clock()
        if len(self._cache) >= MAX_CACHED:
            self._cache = {k: v for k, v in self._cache.items() if v[1] > now}
            while len(self._cache) >= MAX_CACHED:
                del self._cache[next(iter(self._cache))]  # the oldest entry
        self._cache.pop(key, None)  # re-inserted last: the dict stays in age order
        self._cache[key] = (role, now + self._cache_seconds)
