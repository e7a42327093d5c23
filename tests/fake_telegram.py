"""A fake Telegram Bot API server that tests run in-process and point the real bot at.

It speaks HTTP on 127.0.0.1 like api.telegram.org (hand ``FakeTelegram.base_url`` to PTB's
``base_url``), records every call, keeps the messages the bot sent so tests can assert on what
the user would see, queues updates for ``getUpdates`` with Telegram's offset and long-poll
semantics, and rejects what Telegram rejects with Telegram's error texts.
"""

import asyncio
import itertools
import json
import random
import re
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from tests.fake_telegram_html import (
    HtmlParseError,
    ParsedText,
    parse_html,
    trim_whitespace,
    utf16_len,
)

BOT_FIRST_MESSAGE_ID = 1000
USER_FIRST_MESSAGE_ID = 1_000_000  # users' messages get their own range: ids never collide
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # what getFile lets a bot download
MAX_INLINE_BUTTONS = 100
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
MAX_RESULT_ID_BYTES = 64
MAX_NEXT_OFFSET_BYTES = 64
INLINE_RESULT_TYPES = frozenset({
    "article", "photo", "gif", "mpeg4_gif", "video", "audio", "voice", "document", "location",
    "venue", "contact", "game", "sticker", "cached_photo", "cached_gif", "cached_mpeg4_gif",
    "cached_sticker", "cached_document", "cached_video", "cached_voice", "cached_audio",
})  # fmt: skip
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
# Parameters the Bot API types as String: PTB sends them raw, so "123" must stay "123". Every
# other form value is JSON (PTB json.dumps everything that is not a str).
# fmt: off
PLAIN_TEXT_FIELDS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "url", "secret_token", "query_id",
    "inline_message_id", "language_code", "title", "description", "short_description", "name",
    "action", "ip_address", "emoji", "business_connection_id", "message_effect_id", "custom_title",
    "invite_link", "sticker_set_name", "custom_emoji_id", "query", "next_offset", "switch_pm_text",
    "switch_pm_parameter", "start_parameter", "payload", "currency", "provider_token", "question",
    "explanation", "address", "first_name", "last_name", "vcard", "phone_number", "foursquare_id",
    "foursquare_type", "google_place_id", "google_place_type", "game_short_name", "error_message",
    "shipping_query_id", "pre_checkout_query_id", "result_id", "file_id", "document", "photo",
    "audio", "video", "animation", "voice", "video_note", "sticker", "thumbnail",
})
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
})
BUTTON_ACTIONS = frozenset({
    "callback_data", "url", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay", "web_app",
})
# fmt: on
# Updates Telegram sends only when allowed_updates names them.
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})
GROUP_ANONYMOUS_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}
BOT_COMMAND = re.compile(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?")
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")

Handler = Callable[[dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded in a multipart request: its name, type and bytes."""

    file_name: str
    content_type: str
    data: bytes


@dataclass
class ApiCall:
    """One request the bot made: the method, its decoded parameters and the fake's answer.

    ``response`` is the ``result`` of a successful call, or the whole error body otherwise.
    """

    method: str
    params: dict[str, Any]
    response: Any
    ok: bool
    status: int = 200

    def describe(self) -> str:
        """Return a one-line summary for failure messages."""
        shown = json.dumps(self.params, ensure_ascii=False, default=repr)
        shown = shown if len(shown) <= 160 else shown[:157] + "..."
        outcome = "ok" if self.ok else f"{self.status} {self.response.get('description')}"
        return f"{self.method} {shown} -> {outcome}"


class ApiError(Exception):
    """A Bot API error response: HTTP status and Telegram's description."""

    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            self.body["parameters"] = parameters


def bad_request(reason: str) -> ApiError:
    """Return Telegram's 400 error with ``reason`` after "Bad Request: "."""
    return ApiError(400, f"Bad Request: {reason}")


def _decode_form_value(name: str, value: str) -> Any:
    if name in PLAIN_TEXT_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channel"


async def read_params(request: web.Request) -> dict[str, Any]:
    """Return the call's parameters from query string and body, decoded as Telegram does.

    Raises ``ApiError`` for a body that is not valid JSON.
    """
    params: dict[str, Any] = {k: _decode_form_value(k, v) for k, v in request.query.items()}
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise bad_request("can't parse JSON object") from exc
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        for key, value in body.items():
            params[key] = _decode_form_value(key, value) if isinstance(value, str) else value
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                params[key] = UploadedFile(value.filename, value.content_type, value.file.read())
            else:
                text = value.decode() if isinstance(value, bytes | bytearray) else value
                params[key] = _decode_form_value(key, text)
    return params


def bot_command_entities(text: str) -> list[dict[str, Any]]:
    """Return the bot_command entity Telegram puts on a message starting with a command."""
    command = BOT_COMMAND.match(text)
    if command is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": command.end()}]


@dataclass
class ChatHold:
    """Holds every Bot API call about one chat until released (see FakeTelegram.hold_chat)."""

    reached: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)


class FakeTelegram:
    """An in-process Bot API server for one bot token; see the module docstring."""

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
        self.latency: float = 0.0  # seconds added before every response
        # As a self-hosted `telegram-bot-api --local`: webhooks may be http, on any port.
        self.local = False
        # chat id -> seconds added to every call about that chat (a slow chat)
        self.slow_chats: dict[int, float] = {}
        # chat id -> a hold: calls about that chat wait until the test releases them
        self.held_chats: dict[int, ChatHold] = {}
        self.calls: list[ApiCall] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # what the bot sent
        self.deleted_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.incoming: dict[tuple[int, int], dict[str, Any]] = {}  # what users sent
        self.chats: dict[int, dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.inline_answers: dict[str, dict[str, Any]] = {}  # inline query id -> the answer
        self.my_commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.allowed_updates: list[str] = []
        self.polls_waiting = 0
        self._updates: list[dict[str, Any]] = []
        # Like Telegram, update ids start from some positive number (so that several fakes in
        # one test database never hand out the same id).
        self._next_update_id = (
            first_update_id if first_update_id is not None else random.randrange(1, 2**40)
        )
        self._poll_generation = 0
        self._bot_message_ids: dict[int, itertools.count] = {}
        self._user_message_ids: dict[int, itertools.count] = {}
        self._callback_ids = itertools.count(4_000_000_000_000_000)
        self._file_ids = itertools.count(1)
        # file_id -> (file_path, bytes): what getFile and the file download URL serve
        self.files: dict[str, tuple[str, bytes]] = {}
        self._open_queries: set[str] = set()
        self._inline_query_ids = itertools.count(5_000_000_000_000_000)
        self._open_inline_queries: set[str] = set()
        self._blocked: set[int] = set()
        self._members: dict[tuple[int, int], str] = {}
        self._faults: dict[str, list[ApiError]] = {}
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "sendChatAction": self._send_chat_action,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
        }
        self._handlers = {name.lower(): (name, handler) for name, handler in handlers.items()}

    # -- server lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Start serving on 127.0.0.1: a free port first, the same port after a restart."""
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._serve)
        app.router.add_route("GET", "/file/bot{token}/{file_path:.+}", self._download_file)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=2.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._port or 0))
        self._port = sock.getsockname()[1]
        self._closing = False
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Answer waiting long polls with no updates and shut the server down."""
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def port(self) -> int:
        """The TCP port the server listens on (after ``start``)."""
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """The URL to pass as PTB's ``base_url``; PTB appends the token and ``/method``."""
        return f"http://127.0.0.1:{self.port}/bot"

    # -- recording and waiting --------------------------------------------------------------

    def mark(self) -> int:
        """Return the index the next call will get, to pass as ``wait_for(after=...)``."""
        return len(self.calls)

    def calls_of(self, method: str) -> list[ApiCall]:
        """Return every recorded call of ``method`` (any letter case), oldest first."""
        name = self._canonical(method)
        return [call for call in self.calls if call.method == name]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - on timeout we fail with the calls seen
        after: int = 0,
    ) -> ApiCall:
        """Return the first call of ``method`` at index >= ``after`` matching ``predicate``.

        Waits for it up to ``timeout`` seconds, then raises ``AssertionError`` listing the calls.
        """
        name = self._canonical(method)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        checked = after
        while True:
            for call in self.calls[checked:]:
                if call.method == name and (predicate is None or predicate(call)):
                    return call
            checked = max(checked, len(self.calls))
            if not await self._wait_for_change(deadline - loop.time()):
                raise AssertionError(self._missing_call_report(name, predicate, timeout, after))

    async def wait_until_polling(self, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Return once a getUpdates long poll is waiting; ``AssertionError`` after ``timeout``."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not self.polls_waiting:
            if not await self._wait_for_change(deadline - asyncio.get_running_loop().time()):
                raise AssertionError(f"no getUpdates long poll started within {timeout}s")

    # -- updates ----------------------------------------------------------------------------

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

    # -- state helpers for tests ------------------------------------------------------------

    def last_message(self, chat_id: int) -> dict[str, Any]:
        """Return the bot's most recent message still in ``chat_id`` (text, html, markup, ...)."""
        for (chat, _), stored in reversed(self.messages.items()):
            if chat == chat_id:
                return stored
        raise AssertionError(f"the bot has no message in chat {chat_id}")

    def clear_faults(self) -> None:
        """Forget every failure queued with fail_next that has not happened yet."""
        self._faults.clear()

    def hold_chat(self, chat_id: int) -> ChatHold:
        """Make calls about `chat_id` wait until `hold.released` is set (`hold.reached` tells
        that one arrived)."""
        hold = self.held_chats[chat_id] = ChatHold()
        return hold

    def block_chat(self, chat_id: int) -> None:
        """Make the user of ``chat_id`` block the bot: sends there fail with 403."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """Undo ``block_chat``."""
        self._blocked.discard(chat_id)

    def set_chat_member(self, chat_id: int, user_id: int, status: str) -> None:
        """Set what getChatMember reports for ``user_id`` in ``chat_id`` (default "member")."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown chat member status {status!r}")
        self._members[(chat_id, user_id)] = status

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str,
        retry_after: int | None = None,
        count: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail with ``status`` and ``description``
        (only calls about ``chat_id``, when given).

        A 429 always carries ``parameters.retry_after`` (``retry_after`` or 1), as Telegram's do.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        error = ApiError(status, description, parameters)
        error.chat_id = chat_id  # type: ignore[attr-defined]
        self._faults.setdefault(self._canonical(method), []).extend([error] * count)

    # -- HTTP plumbing ----------------------------------------------------------------------

    async def _serve(self, request: web.Request) -> web.Response:
        if self.latency:
            await asyncio.sleep(self.latency)
        raw_method = request.match_info["method"]
        method, handler = self._handlers.get(raw_method.lower(), (raw_method, None))
        params: dict[str, Any] = {}
        try:
            params = await read_params(request)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            if faults := self._faults.get(method):
                for index, fault in enumerate(faults):
                    wanted = getattr(fault, "chat_id", None)
                    if wanted is None or wanted == params.get("chat_id"):
                        raise faults.pop(index)
            if delay := self.slow_chats.get(params.get("chat_id")):  # type: ignore[arg-type]
                await asyncio.sleep(delay)  # a slow network path to that chat
            if hold := self.held_chats.get(params.get("chat_id")):  # type: ignore[arg-type]
                hold.reached.set()
                await hold.released.wait()
            result = await handler(params)
        except ApiError as error:
            self._record(ApiCall(method, params, error.body, ok=False, status=error.status))
            return web.json_response(error.body, status=error.status)
        self._record(ApiCall(method, params, result, ok=True))
        return web.json_response({"ok": True, "result": result})

    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    def _record(self, call: ApiCall) -> None:
        self.calls.append(call)
        self._notify()

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

    def _canonical(self, method: str) -> str:
        return self._handlers.get(method.lower(), (method, None))[0]

    def _missing_call_report(
        self, name: str, predicate: Callable[[ApiCall], bool] | None, timeout: float, after: int
    ) -> str:
        wanted = f"{name} call" + (" matching the predicate" if predicate else "")
        seen = [
            f"  #{index} {call.describe()}"
            for index, call in enumerate(self.calls)
            if index >= after and (call.method != "getUpdates" or name == "getUpdates")
        ]
        listing = "\n".join(seen[-40:]) or "  (none)"
        return f"no {wanted} at index >= {after} within {timeout}s; calls seen:\n{listing}"

    # -- Telegram objects -------------------------------------------------------------------

    def _remember_user(
        self, user_id: int, *, username: str | None = None, first_name: str | None = None
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
        return user

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

    def _edited_message_id(self, chat_id: int, user_id: int) -> int | None:
        mine = [
            message_id
            for (chat, message_id), message in self.incoming.items()
            if chat == chat_id and message.get("from", {}).get("id") == user_id
        ]
        return max(mine, default=None)

    # -- parameter checks -------------------------------------------------------------------

    def _chat_id(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if not isinstance(chat_id, int) or isinstance(chat_id, bool):
            raise bad_request("chat not found")
        return chat_id

    def _stored_message(self, params: dict[str, Any], *, action: str) -> dict[str, Any]:
        if "inline_message_id" in params:
            raise bad_request("the fake Bot API keeps no inline messages")
        key = (self._chat_id(params), params.get("message_id"))
        if key not in self.messages:
            raise bad_request(f"message to {action} not found")
        return self.messages[key]

    def _check_not_blocked(self, chat_id: int) -> None:
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

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

    # -- Bot API methods --------------------------------------------------------------------

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

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        if "allowed_updates" in params:
            self.allowed_updates = list(params["allowed_updates"] or [])
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        # A newer poll ends the older one with 409, as when two bot instances share a token.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, POLL_CONFLICT)
            self._updates = [u for u in self._updates if self._is_allowed(u)]
            if self._updates or self._closing or loop.time() >= deadline:
                return self._updates[:limit]
            self.polls_waiting += 1
            self._notify()
            try:
                await self._wait_for_change(deadline - loop.time())
            finally:
                self.polls_waiting -= 1

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in OPT_IN_UPDATE_TYPES

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        if url and not self.local:
            if not url.startswith("https://"):
                raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
            if urlsplit(url).port not in {None, 443, 80, 88, 8443}:
                raise bad_request(
                    "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
                )
        elif url and not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: Unsupported URL protocol")
        self.webhook_url = url or None
        self.webhook_secret = params.get("secret_token")
        if "allowed_updates" in params:
            self.allowed_updates = list(params["allowed_updates"] or [])
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = None
        self.webhook_secret = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            info["max_connections"] = 40
        if self.allowed_updates:
            info["allowed_updates"] = self.allowed_updates
        return info

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code") or ""

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
        if stored["document"] is not None:
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
        file_id = f"BQACAgIAAxkBAAIB{next(self._file_ids):016d}"
        if isinstance(document, UploadedFile):
            info = {
                "file_name": document.file_name,
                "mime_type": document.content_type,
                "file_size": len(document.data),
                "data": document.data,
            }
        else:  # a file_id or URL the bot passed as a string
            info = {"file_name": None, "mime_type": None, "file_size": None, "data": None}
        info.update(file_id=file_id, file_unique_id=file_id[-16:], source=document)
        if info["data"] is not None:
            self.files[file_id] = (f"documents/file_{len(self.files)}", info["data"])
        stored = self._store(chat_id, params, parsed, document=info)
        return self._message_json(stored)

    def _register_file(self, file_name: str, data: bytes) -> str:
        """Keep a user's file for getFile; its file_id."""
        file_id = f"BQACAgIAAxkBAAIB{next(self._file_ids):016d}"
        suffix = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        self.files[file_id] = (f"documents/file_{len(self.files)}.{suffix}", data)
        return file_id

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

    async def _download_file(self, request: web.Request) -> web.Response:
        """GET /file/bot<token>/<file_path>: a file's bytes, as Telegram's file server."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        for file_path, data in self.files.values():
            if file_path == request.match_info["file_path"]:
                return web.Response(body=data, content_type="application/octet-stream")
        return web.Response(status=404)
