"""The fake's HTTP server: Telegram's URLs on 127.0.0.1 (``/bot<token>/<method>`` and the
file downloads), parameters decoded as Telegram decodes them, each call dispatched, faulted,
recorded and answered."""

import asyncio
import json
import socket
from typing import Any

from aiohttp import web

from testkit.fake_telegram.chat_changes import ChatChanges
from testkit.fake_telegram.faults import FaultInjection
from testkit.fake_telegram.methods import METHODS, BotApiMethods, canonical_name
from testkit.fake_telegram.protocol import ApiCall, ApiError, UploadedFile, bad_request
from testkit.fake_telegram.recording import CallRecording

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
# fmt: on


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


class FakeTelegram(BotApiMethods, ChatChanges, FaultInjection, CallRecording):
    """An in-process Bot API server for one bot token; see the package docstring."""

    _runner: web.AppRunner | None = None
    _port: int | None = None

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

    async def _serve(self, request: web.Request) -> web.Response:
        """One Bot API call: checked, perhaps faulted, handled, recorded and answered."""
        if self.latency:
            await asyncio.sleep(self.latency)
        method = canonical_name(request.match_info["method"])
        implementation = METHODS.get(method)
        params: dict[str, Any] = {}
        try:
            params = await read_params(request)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if implementation is None:
                raise ApiError(404, "Not Found: method not found")
            await self._apply_faults(method, params)
            result = await implementation(self, params)
        except ApiError as error:
            self._record(ApiCall(method, params, error.body, ok=False, status=error.status))
            return web.json_response(error.body, status=error.status)
        self._record(ApiCall(method, params, result, ok=True))
        return web.json_response({"ok": True, "result": result})

    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    async def _download_file(self, request: web.Request) -> web.Response:
        """GET /file/bot<token>/<file_path>: a file's bytes, as Telegram's file server."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        for file_path, data in self.files.values():
            if file_path == request.match_info["file_path"]:
                return web.Response(body=data, content_type="application/octet-stream")
        return web.Response(status=404)
