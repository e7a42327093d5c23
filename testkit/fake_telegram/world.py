"""What the fake Telegram holds: its bot, the users and chats it has seen, chat members, the
messages sent both ways, files, queued updates, recorded calls and injected faults; and the Bot
API objects (Chat, ChatMember, Message) it makes from them.

Every other module of the fake is a part of one class built on ``TelegramWorld``; this one owns
the state they share, so that each of them keeps one job.
"""

import asyncio
import itertools
import random
import time
from dataclasses import dataclass, field
from typing import Any

from testkit.fake_telegram.protocol import ApiCall, ApiError

MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})


@dataclass
class ChatHold:
    """Holds every Bot API call about one chat until released (see FakeTelegram.hold_chat)."""

    reached: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)


class TelegramWorld:
    """The state of one fake Bot API server and the Telegram objects made from it."""

    def __init__(
        self,
        token: str,
        bot_id: int = 7000001,
        bot_username: str = "todo_test_bot",
        first_update_id: int | None = None,
    ) -> None:
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Todo Test Bot",
            "username": bot_username,
        }
        # What users and the bot sent, and whom the fake has met (updates.py, messages.py).
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # what the bot sent
        self.deleted_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.incoming: dict[tuple[int, int], dict[str, Any]] = {}  # what users sent
        self.chats: dict[int, dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self._members: dict[tuple[int, int], str] = {}
        # A basic group upgraded to a supergroup: old chat id -> new (updates.upgrade_group).
        self.migrated_chats: dict[int, int] = {}
        # file_id -> (file_path, bytes): what getFile and the file download URL serve
        self.files: dict[str, tuple[str, bytes]] = {}
        # file_id -> what kind of file it is (photo, document, voice, video: media.py)
        self.file_kinds: dict[str, str] = {}
        self._file_ids = itertools.count(1)
        self._bot_message_ids: dict[int, itertools.count[int]] = {}
        self._user_message_ids: dict[int, itertools.count[int]] = {}
        # Updates waiting for getUpdates, and the queries the bot may still answer (updates.py).
        self._updates: list[dict[str, Any]] = []
        # Like Telegram, update ids start from some positive number (so that several fakes in
        # one test database never hand out the same id).
        self._next_update_id = (
            first_update_id if first_update_id is not None else random.randrange(1, 2**40)
        )
        self._callback_ids = itertools.count(4_000_000_000_000_000)
        self._open_queries: set[str] = set()
        self._inline_query_ids = itertools.count(5_000_000_000_000_000)
        self._open_inline_queries: set[str] = set()
        # What the bot set and answered through the Bot API (methods.py).
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.inline_answers: dict[str, dict[str, Any]] = {}  # inline query id -> the answer
        self.my_commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        # ("description" or "short_description", language code) -> the text the bot set
        self.my_descriptions: dict[tuple[str, str], str] = {}
        # setChatMenuButton's button by chat (None: the default of private chats).
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.allowed_updates: list[str] = []
        self.polls_waiting = 0
        self._poll_generation = 0
        # Every call the bot made, oldest first (recording.py).
        self.calls: list[ApiCall] = []
        # Faults a test asked for (faults.py).
        self.latency: float = 0.0  # seconds added before every response
        # As a self-hosted `telegram-bot-api --local`: webhooks may be http, on any port.
        self.local = False
        # chat id -> seconds added to every call about that chat (a slow chat)
        self.slow_chats: dict[int, float] = {}
        # chat id -> a hold: calls about that chat wait until the test releases them
        self.held_chats: dict[int, ChatHold] = {}
        self._blocked: set[int] = set()
        self._faults: dict[str, list[ApiError]] = {}
        # Set and replaced on every change: a call, an update, shutdown (see _notify).
        self._changed = asyncio.Event()
        self._closing = False

    # -- changes ----------------------------------------------------------------------------

    def _notify(self) -> None:
        """Wake everyone waiting for a change (a call, an update, shutdown)."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _wait_for_change(self, remaining: float) -> bool:
        """Wait up to ``remaining`` seconds for the next change; return False on timeout."""
        if remaining <= 0:
            return False
        try:
            await asyncio.wait_for(self._changed.wait(), remaining)
        except TimeoutError:
            return False
        return True

    # -- Telegram objects -------------------------------------------------------------------

    def _remember_user(
        self,
        user_id: int,
        *,
        username: str | None = None,
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        user = self.users.setdefault(
            user_id,
            {
                "id": user_id,
                "is_bot": False,
                "first_name": f"User {user_id}",
                "username": f"user{user_id}",
                "language_code": "en",
            },
        )
        if username is not None:
            user["username"] = username
        if first_name is not None:
            user["first_name"] = first_name
        if language_code is not None:
            user["language_code"] = language_code
        return user

    def set_user_language(self, user_id: int, language_code: str | None) -> None:
        """Set the language of the user's Telegram app (its updates' `language_code`; None:
        Telegram sends none)."""
        user = self._remember_user(user_id)
        if language_code is None:
            user.pop("language_code", None)
        else:
            user["language_code"] = language_code

    def _remember_chat(
        self, chat_id: int, chat_type: str, *, user: dict[str, Any], title: str | None = None
    ) -> dict[str, Any]:
        chat = self.chats.setdefault(chat_id, {"id": chat_id, "type": chat_type})
        chat["type"] = chat_type
        if chat_type == "private":
            chat.update(first_name=user["first_name"], username=user.get("username"))
        else:
            chat["title"] = title or chat.get("title") or f"Test group {abs(chat_id)}"
        return chat

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Test group {abs(chat_id)}"}

    def _member_json(self, chat_id: int, user_id: int) -> dict[str, Any]:
        status = self._members.get((chat_id, user_id), "member")
        user = self.bot_user if user_id == self.bot_user["id"] else self._remember_user(user_id)
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            rights = """can_be_edited can_manage_chat can_delete_messages can_manage_video_chats
                can_restrict_members can_promote_members can_change_info can_invite_users
                can_post_stories can_edit_stories can_delete_stories can_pin_messages"""
            member.update(dict.fromkeys(rights.split(), True), is_anonymous=False)
            member["can_be_edited"] = False
        elif status == "restricted":
            rights = """can_change_info can_invite_users can_pin_messages can_send_messages
                can_send_polls can_send_other_messages can_add_web_page_previews
                can_manage_topics can_send_audios can_send_documents can_send_photos
                can_send_videos can_send_video_notes can_send_voice_notes can_edit_tag"""
            member.update(dict.fromkeys(rights.split(), False), is_member=True, until_date=0)
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def _message_json(self, stored: dict[str, Any], *, with_reply: bool = True) -> dict[str, Any]:
        """Return the Bot API Message for one of the bot's stored messages."""
        message: dict[str, Any] = {
            "message_id": stored["message_id"],
            "from": self.bot_user,
            "chat": dict(self._chat_json(stored["chat_id"])),
            "date": stored["date"],
        }
        if stored["edit_date"]:
            message["edit_date"] = stored["edit_date"]
        text_field, entities_field = "text", "entities"
        if stored["document"] is not None:
            message["document"] = {
                key: stored["document"][key]
                for key in ("file_id", "file_unique_id", "file_name", "mime_type", "file_size")
                if stored["document"][key] is not None
            }
            text_field, entities_field = "caption", "caption_entities"
        if stored.get("media") is not None:
            message[stored["media"]["kind"]] = stored["media"]["json"]
            text_field, entities_field = "caption", "caption_entities"
        if stored["text"]:
            message[text_field] = stored["text"]
        if stored["entities"]:
            message[entities_field] = stored["entities"]
        if stored["reply_markup"] and "inline_keyboard" in stored["reply_markup"]:
            message["reply_markup"] = stored["reply_markup"]
        if stored.get("message_thread_id") is not None:
            message.update(message_thread_id=stored["message_thread_id"], is_topic_message=True)
        if with_reply and stored["reply_to_message_id"] is not None:
            reply = self._message_json_by_id(stored["chat_id"], stored["reply_to_message_id"])
            message["reply_to_message"] = reply
        return message

    def _message_json_by_id(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """Return the bot's or a user's message by id, or a plausible bot message if unknown."""
        if (chat_id, message_id) in self.messages:
            return self._message_json(self.messages[(chat_id, message_id)], with_reply=False)
        if (chat_id, message_id) in self.incoming:
            found = dict(self.incoming[(chat_id, message_id)])
            found.pop("reply_to_message", None)
            return found
        return {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": self._chat_json(chat_id),
            "date": int(time.time()) - 60,
            "text": "(a message the fake Bot API never saw)",
        }

    # -- what tests arrange ------------------------------------------------------------------

    def bot_status(self, chat_id: int) -> str:
        """The bot's own status in a chat: "member" until a change says otherwise."""
        return self._members.get((chat_id, self.bot_user["id"]), "member")

    def set_chat_member(self, chat_id: int, user_id: int, status: str) -> None:
        """Set what getChatMember reports for ``user_id`` in ``chat_id`` (default "member")."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown chat member status {status!r}")
        self._members[(chat_id, user_id)] = status
