"""The Bot API methods the fake implements: what each accepts, what it refuses with
Telegram's error, and what it records in the fake's world."""

import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from testkit.fake_telegram.delivery import UpdateDelivery
from testkit.fake_telegram.media import MediaMessages
from testkit.fake_telegram.protocol import UploadedFile, bad_request

MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # what getFile lets a bot download
MAX_INLINE_RESULTS = 50
MAX_NEXT_OFFSET_BYTES = 64
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
# fmt: off
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
})
# fmt: on
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
# tdlib's validate_bot_language_code: empty (every language), or two lower-case letters.
LANGUAGE_CODE = re.compile(r"(?:[a-z]{2})?")
# The Bot API's limits of setMyDescription and setMyShortDescription.
MAX_DESCRIPTION_LENGTH = 512
MAX_SHORT_DESCRIPTION_LENGTH = 120


class BotApiMethods(MediaMessages, UpdateDelivery):
    """One coroutine per Bot API method, taking the call's decoded parameters (getUpdates and
    the webhook's are in delivery.py)."""

    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _language_code(self, params: dict[str, Any]) -> str:
        code = str(params.get("language_code") or "")
        if not LANGUAGE_CODE.fullmatch(code):
            raise bad_request("invalid language code specified")
        return code

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), self._language_code(params)

    def _set_text(self, params: dict[str, Any], name: str, limit: int) -> bool:
        """setMyDescription, setMyShortDescription: the text per language ('' clears it)."""
        text = str(params.get(name) or "")
        if len(text) > limit:
            raise bad_request(f"{name.replace('_', ' ')} is too long")
        self.my_descriptions[(name, self._language_code(params))] = text
        return True

    async def _set_my_description(self, params: dict[str, Any]) -> bool:
        return self._set_text(params, "description", MAX_DESCRIPTION_LENGTH)

    async def _set_my_short_description(self, params: dict[str, Any]) -> bool:
        return self._set_text(params, "short_description", MAX_SHORT_DESCRIPTION_LENGTH)

    async def _set_chat_menu_button(self, params: dict[str, Any]) -> bool:
        """setChatMenuButton: a web_app button needs a text and an https address."""
        button = params.get("menu_button") or {"type": "default"}
        if button.get("type") == "web_app":
            url = str((button.get("web_app") or {}).get("url", ""))
            if not button.get("text") or not url.startswith("https://"):
                raise bad_request("invalid menu button specified")
        chat_id = params.get("chat_id")
        self.menu_buttons[int(chat_id) if chat_id is not None else None] = button
        return True

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            name = str(command.get("command", ""))
            if not COMMAND_NAME.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.my_commands[self._commands_key(params)] = commands
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.my_commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.my_commands.pop(self._commands_key(params), None)
        return True

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        parsed = self._formatted(params)
        self._check_not_blocked(chat_id)
        return self._message_json(self._store(chat_id, params, parsed))

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._stored_message(params, action="edit")
        if stored["document"] is not None or stored.get("media") is not None:
            raise bad_request("there is no text in the message to edit")
        parsed = self._formatted(params)
        markup = self._checked_markup(params)
        new = (parsed.text, parsed.entities, markup)
        if new == (stored["text"], stored["entities"], stored["reply_markup"]):
            raise bad_request(NOT_MODIFIED)
        stored.update(
            text=parsed.text,
            entities=parsed.entities,
            reply_markup=markup,
            html=params.get("text"),
            parse_mode=params.get("parse_mode"),
            edit_date=int(time.time()),
        )
        return self._message_json(stored)

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._stored_message(params, action="edit")
        markup = self._checked_markup(params)
        if markup == stored["reply_markup"]:
            raise bad_request(NOT_MODIFIED)
        stored.update(reply_markup=markup, edit_date=int(time.time()))
        return self._message_json(stored)

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        key = (self._chat_id(params), params.get("message_id"))
        if key in self.messages:
            self.deleted_messages[key] = self.messages.pop(key)
        elif key in self.incoming:
            self.deleted_messages[key] = self.incoming.pop(key)
        else:
            raise bad_request("message to delete not found")
        return True

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        if query_id not in self._open_queries:
            raise bad_request(QUERY_TOO_OLD)
        self._open_queries.discard(query_id)
        self.callback_answers[query_id] = params
        return True

    async def _answer_inline_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("inline_query_id") or "")
        results = params.get("results")
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            self._check_inline_result(result, seen)
        cache_time = params.get("cache_time", 300)
        if not isinstance(cache_time, int) or isinstance(cache_time, bool) or cache_time < 0:
            raise bad_request("CACHE_TIME_INVALID")
        if len(str(params.get("next_offset") or "").encode("utf-8")) > MAX_NEXT_OFFSET_BYTES:
            raise bad_request("NEXT_OFFSET_INVALID")
        if query_id not in self._open_inline_queries:
            raise bad_request(QUERY_TOO_OLD)
        self._open_inline_queries.discard(query_id)
        self.inline_answers[query_id] = params
        return True

    async def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        gifts = (
            "unlimited_gifts limited_gifts unique_gifts premium_subscription gifts_from_channels"
        )
        return {
            **self._chat_json(self._chat_id(params)),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(gifts.split(), False),
        }

    async def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        user_id = params.get("user_id")
        if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
            raise bad_request("invalid user_id specified")
        return self._member_json(chat_id, user_id)

    async def _get_chat_administrators(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat_id = self._chat_id(params)
        if self._chat_json(chat_id)["type"] == "private":
            raise bad_request("there are no administrators in the private chat")
        return [
            self._member_json(chat, user)
            for (chat, user), status in self._members.items()
            if chat == chat_id and status in ("creator", "administrator")
        ]

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        chat_id = self._chat_id(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._check_not_blocked(chat_id)
        return True

    async def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        document = params.get("document")
        if not document:
            raise bad_request("there is no document in the request")
        parsed = self._formatted(params, caption=True)
        self._check_not_blocked(chat_id)
        info: dict[str, Any]
        if isinstance(document, UploadedFile):
            file_id = self.new_file_id("document")
            info = {
                "file_name": document.file_name,
                "mime_type": document.content_type,
                "file_size": len(document.data),
                "data": document.data,
            }
        else:  # a file_id or URL the bot passed as a string: one of a document only
            file_id = self._sent_file(params, "document")["file_id"]
            info = {"file_name": None, "mime_type": None, "file_size": None, "data": None}
        info.update(file_id=file_id, file_unique_id=file_id[-16:], source=document)
        if info["data"] is not None:
            self.files[file_id] = (f"documents/file_{len(self.files)}", info["data"])
        stored = self._store(chat_id, params, parsed, document=info)
        return self._message_json(stored)

    async def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id") or "")
        if file_id not in self.files:
            raise bad_request("invalid file_id")
        file_path, data = self.files[file_id]
        if len(data) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": file_id[-16:],
            "file_size": len(data),
            "file_path": file_path,
        }


Method = Callable[[BotApiMethods, dict[str, Any]], Awaitable[Any]]
# Each method the fake implements, under the Bot API's spelling of its name.
METHODS: dict[str, Method] = {
    "getMe": BotApiMethods._get_me,
    "logOut": BotApiMethods._true,
    "close": BotApiMethods._true,
    "getUpdates": BotApiMethods._get_updates,
    "setWebhook": BotApiMethods._set_webhook,
    "deleteWebhook": BotApiMethods._delete_webhook,
    "getWebhookInfo": BotApiMethods._get_webhook_info,
    "setMyCommands": BotApiMethods._set_my_commands,
    "getMyCommands": BotApiMethods._get_my_commands,
    "deleteMyCommands": BotApiMethods._delete_my_commands,
    "setMyDescription": BotApiMethods._set_my_description,
    "setMyShortDescription": BotApiMethods._set_my_short_description,
    "setChatMenuButton": BotApiMethods._set_chat_menu_button,
    "sendMessage": BotApiMethods._send_message,
    "editMessageText": BotApiMethods._edit_message_text,
    "editMessageReplyMarkup": BotApiMethods._edit_message_reply_markup,
    "deleteMessage": BotApiMethods._delete_message,
    "answerCallbackQuery": BotApiMethods._answer_callback_query,
    "answerInlineQuery": BotApiMethods._answer_inline_query,
    "getChat": BotApiMethods._get_chat,
    "getChatMember": BotApiMethods._get_chat_member,
    "getChatAdministrators": BotApiMethods._get_chat_administrators,
    "sendChatAction": BotApiMethods._send_chat_action,
    "sendDocument": BotApiMethods._send_document,
    "sendPhoto": BotApiMethods._send_photo,
    "sendVoice": BotApiMethods._send_voice,
    "sendVideo": BotApiMethods._send_video,
    "getFile": BotApiMethods._get_file,
}
_NAMES = {name.lower(): name for name in METHODS}


def canonical_name(method: str) -> str:
    """The Bot API's spelling of ``method`` (Telegram takes any letter case); an unknown name
    as it is."""
    return _NAMES.get(method.lower(), method)
