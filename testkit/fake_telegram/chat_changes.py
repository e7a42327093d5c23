"""What happens to chats, as the updates Telegram would send about it: the bot added to or
removed from a chat (or blocked), a member's status changed, and a basic group upgraded to a
supergroup; queued for getUpdates."""

import time
from typing import Any

from testkit.fake_telegram.updates import GROUP_ANONYMOUS_BOT, UpdateFactories


class ChatChanges(UpdateFactories):
    """Queueing updates about chats: who is in them, and what they become."""

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
            message_id = self._next_user_message_id(chat["id"])
            message: dict[str, Any] = {"message_id": message_id, "chat": dict(chat)}
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
