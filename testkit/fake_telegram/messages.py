"""What a message of the bot may hold, checked as Telegram checks it (text and its HTML,
lengths, inline keyboards, replies, forum topics, inline query results), and keeping the
messages that pass."""

import itertools
import time
from typing import Any

from testkit.fake_telegram.html_tags import HtmlParseError
from testkit.fake_telegram.parse_mode import ParsedText, parse_html, trim_whitespace, utf16_len
from testkit.fake_telegram.protocol import ApiError, bad_request
from testkit.fake_telegram.world import TelegramWorld

BOT_FIRST_MESSAGE_ID = 1000
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_INLINE_BUTTONS = 100
MAX_CALLBACK_DATA_BYTES = 64
MAX_RESULT_ID_BYTES = 64
# fmt: off
INLINE_RESULT_TYPES = frozenset({
    "article", "photo", "gif", "mpeg4_gif", "video", "audio", "voice", "document", "location",
    "venue", "contact", "game", "sticker", "cached_photo", "cached_gif", "cached_mpeg4_gif",
    "cached_sticker", "cached_document", "cached_video", "cached_voice", "cached_audio",
})
BUTTON_ACTIONS = frozenset({
    "callback_data", "url", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay", "web_app",
})
# fmt: on


class MessageRules(TelegramWorld):
    """Telegram's checks of what the bot sends, and the store of the messages it sent."""

    def _chat_id(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if not isinstance(chat_id, int) or isinstance(chat_id, bool):
            raise bad_request("chat not found")
        if chat_id in self.migrated_chats:
            # What Telegram answers about a basic group that became a supergroup: the new id
            # rides in the parameters (python-telegram-bot raises ChatMigrated with it).
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated_chats[chat_id]},
            )
        return chat_id

    def _stored_message(self, params: dict[str, Any], *, action: str) -> dict[str, Any]:
        if "inline_message_id" in params:
            raise bad_request("the fake Bot API keeps no inline messages")
        key = (self._chat_id(params), params.get("message_id"))
        if key not in self.messages:
            raise bad_request(f"message to {action} not found")
        return self.messages[key]

    def _check_not_blocked(self, chat_id: int) -> None:
        status = self.bot_status(chat_id)
        if chat_id in self._blocked or (chat_id > 0 and status == "kicked"):
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if status in ("left", "kicked"):
            kind = self._chat_json(chat_id)["type"]
            chat = "supergroup chat" if kind == "supergroup" else "group chat"
            if status == "kicked":
                raise ApiError(403, f"Forbidden: bot was kicked from the {chat}")
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat}")

    def _formatted(self, params: dict[str, Any], *, caption: bool = False) -> ParsedText:
        """Return the text or caption as the chat will show it, checking Telegram's limits."""
        raw = params.get("caption" if caption else "text")
        raw = "" if raw is None else str(raw)
        parse_mode = params.get("parse_mode") or ""
        if parse_mode.lower() == "html":
            try:
                parsed = parse_html(raw)
            except HtmlParseError as error:
                raise bad_request(f"can't parse entities: {error}") from error
        elif parse_mode:
            raise bad_request(f"parse_mode {parse_mode!r} is not implemented by the fake")
        else:
            given = params.get("caption_entities" if caption else "entities")
            parsed = ParsedText(raw, list(given or []))
        parsed = trim_whitespace(parsed)
        if not parsed.text and not caption:
            raise bad_request("message text is empty")
        if utf16_len(parsed.text) > (MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH):
            raise bad_request("message caption is too long" if caption else "message is too long")
        return parsed

    def _checked_markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """Return the reply_markup to store (None for none or an empty inline keyboard)."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return markup
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        buttons = [button for row in rows for button in row]
        if len(buttons) > MAX_INLINE_BUTTONS:
            raise bad_request("reply markup is too long")
        private = self._chat_json(self._chat_id(params)).get("type") == "private"
        for button in buttons:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("text buttons are unallowed in the inline keyboard")
            if "web_app" in button and not private:
                raise bad_request("BUTTON_TYPE_INVALID")  # web apps open from private chats only
            if not BUTTON_ACTIONS & button.keys():
                raise bad_request("text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode("utf-8"))
                if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                    raise bad_request("BUTTON_DATA_INVALID")
        return markup if buttons else None

    def _reply_to(self, params: dict[str, Any], chat_id: int) -> int | None:
        reply = params.get("reply_parameters") or {}
        message_id = reply.get("message_id", params.get("reply_to_message_id"))
        if message_id is None:
            return None
        known = (chat_id, message_id) in self.messages or (chat_id, message_id) in self.incoming
        allow = reply.get("allow_sending_without_reply", params.get("allow_sending_without_reply"))
        if not known and not allow:
            raise bad_request("message to be replied not found")
        return message_id if known else None

    def _thread(self, params: dict[str, Any], chat_id: int, reply_to: int | None) -> int | None:
        """The forum topic a new message goes to: the one asked for, else (as Telegram does)
        the topic of the message it replies to."""
        thread = params.get("message_thread_id")
        if thread is not None:
            if not self._chat_json(chat_id).get("is_forum"):
                raise bad_request("message thread not found")
            return int(thread)
        if reply_to is None:
            return None
        replied = self.messages.get((chat_id, reply_to)) or self.incoming.get((chat_id, reply_to))
        return replied.get("message_thread_id") if replied else None

    def _store(
        self, chat_id: int, params: dict[str, Any], parsed: ParsedText, **extra: Any
    ) -> dict[str, Any]:
        markup = self._checked_markup(params)
        reply_to = self._reply_to(params, chat_id)
        thread = self._thread(params, chat_id, reply_to)
        counter = self._bot_message_ids.setdefault(chat_id, itertools.count(BOT_FIRST_MESSAGE_ID))
        stored: dict[str, Any] = {
            "message_id": next(counter),  # taken only once the request is known to be valid
            "chat_id": chat_id,
            "date": int(time.time()),
            "edit_date": None,
            "text": parsed.text,
            "html": params.get("text", params.get("caption")),
            "parse_mode": params.get("parse_mode"),
            "entities": parsed.entities,
            "reply_markup": markup,
            "reply_to_message_id": reply_to,
            "message_thread_id": thread,
            "document": None,
            **extra,
        }
        self.messages[(chat_id, stored["message_id"])] = stored
        return stored

    def _check_inline_result(self, result: Any, seen: set[str]) -> None:
        """Check one InlineQueryResult as Telegram does: type, a unique 1-64 byte id, an
        article's title and message, an inline keyboard only."""
        if not isinstance(result, dict) or result.get("type") not in INLINE_RESULT_TYPES:
            raise bad_request("RESULT_TYPE_INVALID")
        result_id = result.get("id")
        if not isinstance(result_id, str) or not (
            1 <= len(result_id.encode("utf-8")) <= MAX_RESULT_ID_BYTES
        ):
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        content = result.get("input_message_content")
        if result["type"] == "article":
            if not str(result.get("title") or "").strip():
                raise bad_request("RESULT_TITLE_EMPTY")
            if not isinstance(content, dict):
                raise bad_request("SEND_MESSAGE_MEDIA_INVALID")
        if isinstance(content, dict) and "message_text" in content:
            text = {"text": content["message_text"], "parse_mode": content.get("parse_mode")}
            try:
                self._formatted(text)
            except ApiError as error:
                raise bad_request("MESSAGE_EMPTY") if "empty" in str(error) else error from None
        markup = result.get("reply_markup")
        if markup is not None:
            rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad_request("REPLY_MARKUP_INVALID")  # inline keyboards only
            for button in (button for row in rows for button in row):
                if not isinstance(button, dict) or not BUTTON_ACTIONS & button.keys():
                    raise bad_request("REPLY_MARKUP_INVALID")
                if "callback_data" in button:
                    size = len(str(button["callback_data"]).encode("utf-8"))
                    if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                        raise bad_request("BUTTON_DATA_INVALID")
