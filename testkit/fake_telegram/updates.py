"""What users do, as the updates Telegram would send about it: messages (and their edits),
documents, button presses, inline queries and chosen inline results; queued for getUpdates
(what happens to chats is chat_changes.py's, messages with other files media.py's)."""

import itertools
import re
import time
from typing import Any

from testkit.fake_telegram.world import TelegramWorld

USER_FIRST_MESSAGE_ID = 1_000_000  # users' messages get their own range: ids never collide
GROUP_ANONYMOUS_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}
BOT_COMMAND = re.compile(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?")


def bot_command_entities(text: str) -> list[dict[str, Any]]:
    """Return the bot_command entity Telegram puts on a message starting with a command."""
    command = BOT_COMMAND.match(text)
    if command is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": command.end()}]


class UpdateFactories(TelegramWorld):
    """Queueing updates: the moves of the tests' users."""

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue ``update`` for getUpdates and return its update_id (assigned when missing)."""
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        for kind in ("message", "edited_message", "channel_post"):
            if kind in update:
                message = update[kind]
                self.incoming[(message["chat"]["id"], message["message_id"])] = message
        if "callback_query" in update:
            self._open_queries.add(update["callback_query"]["id"])
        if "inline_query" in update:
            self._open_inline_queries.add(update["inline_query"]["id"])
        self._updates.append(update)
        self._updates.sort(key=lambda queued: queued["update_id"])
        self._notify()
        return update["update_id"]

    def _sender(self, chat_id: int, user_id: int | None, chat_type: str, method: str) -> int:
        """Who sends a user's message: in a private chat the user is the chat; in groups
        ``user_id`` is required."""
        if user_id is None:
            if chat_type != "private":
                raise ValueError(f"{method} needs user_id for a message in a group")
            return chat_id
        return user_id

    def _next_user_message_id(self, chat_id: int) -> int:
        """The id of a user's next message in the chat (users' ids have a range of their own)."""
        counter = self._user_message_ids.setdefault(
            chat_id, itertools.count(USER_FIRST_MESSAGE_ID)
        )
        return next(counter)

    def _file_message(
        self,
        chat_id: int,
        user: dict[str, Any],
        chat: dict[str, Any],
        field: str,
        file: Any,
        *,
        caption: str | None,
        reply_to_message_id: int | None,
    ) -> dict[str, Any]:
        """A user's new message with a file in ``field`` (as Telegram names it), captioned (a
        leading ``/command`` gets its caption entity) or a reply, when asked."""
        message: dict[str, Any] = {
            "message_id": self._next_user_message_id(chat_id),
            "from": dict(user),
            "chat": dict(chat),
            "date": int(time.time()),
            field: file,
        }
        if caption is not None:
            message["caption"] = caption
            if entities := bot_command_entities(caption):
                message["caption_entities"] = entities
        if reply_to_message_id is not None:
            message["reply_to_message"] = self._message_json_by_id(chat_id, reply_to_message_id)
        return message

    def send_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        username: str | None = None,
        first_name: str | None = None,
        title: str | None = None,
        reply_to_message_id: int | None = None,
        sender_chat: dict[str, Any] | None = None,
        edited: bool = False,
        message_id: int | None = None,
        message_thread_id: int | None = None,
    ) -> dict[str, Any]:
        """Queue a user's message (or its edit, with ``edited``) and return the update dict.

        In a private chat the user is the chat; in groups ``user_id`` is required. A leading
        ``/command`` gets its bot_command entity, as Telegram adds it. ``message_thread_id``
        sends it in that topic of a forum supergroup (the chat becomes a forum).
        """
        user_id = self._sender(chat_id, user_id, chat_type, "send_message")
        if message_thread_id is not None and chat_type != "supergroup":
            raise ValueError("forum topics exist in supergroups only")
        user = self._remember_user(user_id, username=username, first_name=first_name)
        chat = self._remember_chat(chat_id, chat_type, user=user, title=title)
        if message_thread_id is not None:
            chat["is_forum"] = True
        if message_id is None:
            message_id = self._edited_message_id(chat_id, user_id) if edited else None
        if message_id is None:
            message_id = self._next_user_message_id(chat_id)
        now = int(time.time())
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": dict(user),
            "chat": dict(chat),
            "date": now,
            "text": text,
        }
        if entities := bot_command_entities(text):
            message["entities"] = entities
        if message_thread_id is not None:
            message.update(message_thread_id=message_thread_id, is_topic_message=True)
        if sender_chat is not None:
            message["sender_chat"] = sender_chat
            message["from"] = GROUP_ANONYMOUS_BOT if sender_chat["id"] == chat_id else CHANNEL_BOT
        if reply_to_message_id is not None:
            message["reply_to_message"] = self._message_json_by_id(chat_id, reply_to_message_id)
        if edited:
            message["edit_date"] = now
        update = {"edited_message" if edited else "message": message}
        self.push_update(update)
        return update

    def send_document(
        self,
        chat_id: int,
        file_name: str,
        data: bytes,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        caption: str | None = None,
        mime_type: str = "application/octet-stream",
        reply_to_message_id: int | None = None,
        file_size: int | None = None,
    ) -> dict[str, Any]:
        """Queue a user's document message (optionally captioned, or a reply); return the update.

        The file can then be fetched with getFile and downloaded, as from Telegram. A caption
        starting with ``/command`` gets its bot_command caption entity. ``file_size`` overrides
        the size Telegram reports (to tell of a file too big to download).
        """
        user_id = self._sender(chat_id, user_id, chat_type, "send_document")
        user = self._remember_user(user_id)
        chat = self._remember_chat(chat_id, chat_type, user=user)
        file_id = self._register_file(file_name, data)
        document = {
            "file_id": file_id,
            "file_unique_id": file_id[-16:],
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data) if file_size is None else file_size,
        }
        message = self._file_message(
            chat_id,
            user,
            chat,
            "document",
            document,
            caption=caption,
            reply_to_message_id=reply_to_message_id,
        )
        update = {"message": message}
        self.push_update(update)
        return update

    def press_button(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int,
        chat_type: str | None = None,
    ) -> dict[str, Any]:
        """Queue a user's press on an inline button of the bot's message; return the update."""
        user = self._remember_user(user_id)
        if chat_type is not None:
            self._remember_chat(chat_id, chat_type, user=user)
        query_id = str(next(self._callback_ids))
        update = {
            "callback_query": {
                "id": query_id,
                "from": dict(user),
                "message": self._message_json_by_id(chat_id, message_id),
                "chat_instance": str(abs(chat_id) * 7919 + 13),
                "data": data,
            }
        }
        self.push_update(update)
        return update

    def inline_query(
        self,
        user_id: int,
        query: str,
        *,
        offset: str = "",
        chat_type: str | None = "sender",
    ) -> dict[str, Any]:
        """Queue a user's inline query (`@bot query` typed in a chat of ``chat_type``: "sender"
        for their private chat with the bot, "private", "group", "supergroup", "channel", or
        None when Telegram does not say); return the update."""
        user = self._remember_user(user_id)
        inline_query: dict[str, Any] = {
            "id": str(next(self._inline_query_ids)),
            "from": dict(user),
            "query": query,
            "offset": offset,
        }
        if chat_type is not None:
            inline_query["chat_type"] = chat_type
        update = {"inline_query": inline_query}
        self.push_update(update)
        return update

    def chosen_inline_result(
        self,
        user_id: int,
        result_id: str,
        query: str,
        *,
        update_id: int | None = None,
    ) -> dict[str, Any]:
        """Queue the update Telegram sends when a user picked an inline result (only with
        inline feedback on in @BotFather); ``update_id`` repeats an earlier delivery."""
        user = self._remember_user(user_id)
        update: dict[str, Any] = {
            "chosen_inline_result": {"result_id": result_id, "from": dict(user), "query": query}
        }
        if update_id is not None:
            update["update_id"] = update_id
        self.push_update(update)
        return update

    def _edited_message_id(self, chat_id: int, user_id: int) -> int | None:
        """The user's latest message in the chat (the one an edit changes), or None."""
        mine = [
            message_id
            for (chat, message_id), message in self.incoming.items()
            if chat == chat_id and message.get("from", {}).get("id") == user_id
        ]
        return max(mine, default=None)

    def _register_file(self, file_name: str, data: bytes) -> str:
        """Keep a user's file for getFile; its file_id."""
        file_id = f"BQACAgIAAxkBAAIB{next(self._file_ids):016d}"
        self.file_kinds[file_id] = "document"
        suffix = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        self.files[file_id] = (f"documents/file_{len(self.files)}.{suffix}", data)
        return file_id
