"""What users do, as the updates Telegram would send about it: messages (and their edits),
documents, button presses, inline queries and chosen inline results, the bot added to or removed
from a chat (or blocked), and a basic group upgraded to a supergroup; queued for getUpdates."""

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
        if user_id is None:
            if chat_type != "private":
                raise ValueError("send_message needs user_id for a message in a group")
            user_id = chat_id
        if message_thread_id is not None and chat_type != "supergroup":
            raise ValueError("forum topics exist in supergroups only")
        user = self._remember_user(user_id, username=username, first_name=first_name)
        chat = self._remember_chat(chat_id, chat_type, user=user, title=title)
        if message_thread_id is not None:
            chat["is_forum"] = True
        if message_id is None:
            message_id = self._edited_message_id(chat_id, user_id) if edited else None
        if message_id is None:
            counter = self._user_message_ids.setdefault(
                chat_id, itertools.count(USER_FIRST_MESSAGE_ID)
            )
            message_id = next(counter)
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
        if user_id is None:
            if chat_type != "private":
                raise ValueError("send_document needs user_id for a message in a group")
            user_id = chat_id
        user = self._remember_user(user_id)
        chat = self._remember_chat(chat_id, chat_type, user=user)
        file_id = self._register_file(file_name, data)
        counter = self._user_message_ids.setdefault(
            chat_id, itertools.count(USER_FIRST_MESSAGE_ID)
        )
        message: dict[str, Any] = {
            "message_id": next(counter),
            "from": dict(user),
            "chat": dict(chat),
            "date": int(time.time()),
            "document": {
                "file_id": file_id,
                "file_unique_id": file_id[-16:],
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": len(data) if file_size is None else file_size,
            },
        }
        if caption is not None:
            message["caption"] = caption
            if entities := bot_command_entities(caption):
                message["caption_entities"] = entities
        if reply_to_message_id is not None:
            message["reply_to_message"] = self._message_json_by_id(chat_id, reply_to_message_id)
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

    def add_bot_to_group(
        self, chat_id: int, *, user_id: int, chat_type: str = "supergroup"
    ) -> dict[str, Any]:
        """Queue the `my_chat_member` update Telegram sends when a user adds the bot to a
        group; return the update."""
        user = self._remember_user(user_id)
        chat = self._remember_chat(chat_id, chat_type, user=user)
        update = {
            "my_chat_member": {
                "chat": dict(chat),
                "from": dict(user),
                "date": int(time.time()),
                "old_chat_member": {"status": "left", "user": self.bot_user},
                "new_chat_member": {"status": "member", "user": self.bot_user},
            }
        }
        self.push_update(update)
        return update

    def change_member(
        self, chat_id: int, user_id: int, status: str, *, by: int | None = None
    ) -> dict[str, Any]:
        """Change what getChatMember reports for ``user_id`` in ``chat_id`` and queue the
        ``chat_member`` update Telegram sends about it (to a bot that is the group's admin,
        and asked for it in allowed_updates); return the update."""
        old = self._member_json(chat_id, user_id)
        self.set_chat_member(chat_id, user_id, status)
        actor = self._remember_user(by if by is not None else user_id)
        chat = self._chat_json(chat_id)
        update = {
            "chat_member": {
                "chat": dict(chat),
                "from": dict(actor),
                "date": int(time.time()),
                "old_chat_member": old,
                "new_chat_member": self._member_json(chat_id, user_id),
            }
        }
        self.push_update(update)
        return update

    def change_bot_status(
        self, chat_id: int, status: str, *, user_id: int, chat_type: str = "private"
    ) -> dict[str, Any]:
        """Queue the `my_chat_member` update of the bot's status in a chat changed by
        ``user_id``: in a group, added ("member", "administrator") or removed ("left",
        "kicked"); in a private chat, blocked ("kicked") or unblocked ("member") by its user.
        Sends to a chat the bot is out of fail as Telegram's do (403)."""
        user = self._remember_user(user_id)
        chat = self._remember_chat(chat_id, chat_type, user=user)
        old = self._member_json(chat_id, self.bot_user["id"])
        self.set_chat_member(chat_id, self.bot_user["id"], status)
        new = self._member_json(chat_id, self.bot_user["id"])
        update = {
            "my_chat_member": {
                "chat": dict(chat),
                "from": dict(user),
                "date": int(time.time()),
                "old_chat_member": old,
                "new_chat_member": new,
            }
        }
        self.push_update(update)
        return update

    def upgrade_group(
        self,
        old_chat_id: int,
        new_chat_id: int,
        *,
        user_id: int,
        migrate_from_first: bool = False,
    ) -> list[dict[str, Any]]:
        """A basic group becomes a supergroup with a new id, as Telegram does it when a group
        grows or gets some settings; returns the updates, queued in the order delivered.

        The old chat gets a service message with ``migrate_to_chat_id`` (from the user who
        caused it), the new one the bot's join (``my_chat_member``) and a service message with
        ``migrate_from_chat_id`` (from the group itself). Telegram does not promise their order
        across the two chats: ``migrate_from_first`` delivers the new chat's first. From now on
        every call about the old id answers 400 with ``migrate_to_chat_id``.
        """
        user = self._remember_user(user_id)
        old = self._remember_chat(old_chat_id, "group", user=user)
        new = self._remember_chat(new_chat_id, "supergroup", user=user, title=old["title"])
        self.migrated_chats[old_chat_id] = new_chat_id
        now = int(time.time())

        def service(chat: dict[str, Any], **what: int) -> dict[str, Any]:
            counter = self._user_message_ids.setdefault(
                chat["id"], itertools.count(USER_FIRST_MESSAGE_ID)
            )
            message: dict[str, Any] = {"message_id": next(counter), "chat": dict(chat)}
            if "migrate_to_chat_id" in what:
                message["from"] = dict(user)
            else:  # the new chat's message comes from the group itself
                message.update({"from": dict(GROUP_ANONYMOUS_BOT), "sender_chat": dict(chat)})
            message.update(date=now, **what)
            return {"message": message}

        moved_out = service(old, migrate_to_chat_id=new_chat_id)
        moved_in = service(new, migrate_from_chat_id=old_chat_id)
        bot_id = self.bot_user["id"]
        self.set_chat_member(new_chat_id, bot_id, "left")
        before = self._member_json(new_chat_id, bot_id)
        self.set_chat_member(new_chat_id, bot_id, self.bot_status(old_chat_id))
        joined = {
            "my_chat_member": {
                "chat": dict(new),
                "from": dict(user),
                "date": now,
                "old_chat_member": before,
                "new_chat_member": self._member_json(new_chat_id, bot_id),
            }
        }
        order = (
            [joined, moved_in, moved_out] if migrate_from_first else [moved_out, joined, moved_in]
        )
        for update in order:
            self.push_update(update)
        return order

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
