"""The web server: Telegram's webhook, the health check, the task API and the Mini App, a
FastAPI app on uvicorn.

FastAPI because the project's task API (the original backend design) is a FastAPI app, served
by this same app beside the webhook; uvicorn is its usual ASGI server.
"""

import asyncio
import contextlib
import hmac
import json
import logging
from contextlib import nullcontext
from datetime import datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from telegram import Update
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.scheduler_loop import LoopState
from bot.web import api, api_access, api_views
from bot.web.api_errors import NoStore, install_error_answers
from bot.web.calendar_feed import mount_calendar_feed
from bot.web.calendar_limits import RateLimiter
from bot.web.init_data import MAX_AGE
from bot.web.membership import ChatAccess, KnownLists, ListPlaces
from bot.web.mini_app import mount_mini_app
from bot.web.revisions import Revisions
from handlers.context import BotApplication
from storage.db import Database
from storage.errors import StorageUnavailable

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes; anything far larger is not from Telegram.
MAX_UPDATE_BYTES = 1_000_000
# A connection whose request headers have not all come after this long is closed (uvicorn
# alone waits for ever: 300 half-sent requests stayed open).
HEADER_TIMEOUT_SECONDS = 10.0
# Connections (and requests in hand) at once; past it uvicorn answers 503. Telegram opens at
# most 64 webhook connections (bot.app), the Mini App a few per user.
MAX_CONNECTIONS = 512


def create_web_app(
    application: BotApplication,
    *,
    database: Database,
    webhook: tuple[str, str] | None,
    reminders: LoopState | None = None,
    access: ChatAccess | None = None,
    calendar_limit: RateLimiter | None = None,
) -> FastAPI:
    """The ASGI app: `GET /healthz` for the host, the task API under /api (its schema at
    /openapi.json; no /docs page, which would load Swagger UI from a CDN), the
    Mini App at /app and, with `webhook` (path, secret token), `POST path` for Telegram.

    `reminders` is the scheduler's state, for /healthz; `access` decides who may use which
    list (default: the bot's one cached view of members' roles, shared with the chat handlers);
    `calendar_limit` how often one calendar feed may be fetched (default: FEED_BURST at once,
    then one each FEED_EVERY_SECONDS).
    """
    web = FastAPI(
        title="todo-bot task API",
        description=(
            "The tasks of a Telegram chat's to-do list. Sign in with the Mini App's init data:"
            " `Authorization: tma <initData>`. Your own list's id is your Telegram user id; a"
            " group's list is its chat id, for the group's members."
        ),
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    install_error_answers(web)
    access = access or application.bot_data.roles or ChatAccess(application.bot)
    web.add_middleware(NoStore, prefix=api.PREFIX)
    revisions = Revisions()
    database.list_listeners.append(revisions.changed)
    web.state.api = api_access.ApiContext(
        database=database,
        access=access,
        lists=KnownLists(database),
        places=ListPlaces(database, application.bot),
        revisions=revisions,
        rate_limit=application.bot_data.limits.api_requests,
        caps=application.bot_data.caps,
        bot_token=application.bot.token,
        max_age=MAX_AGE,
    )
    web.include_router(api_views.mine)
    web.include_router(api.router)
    web.include_router(api_views.views)
    mount_mini_app(web)
    mount_calendar_feed(
        web,
        database=database,
        access=access,
        key=application.bot_data.calendar_key,
        per_feed=calendar_limit,
    )

    asking = asyncio.Lock()

    @web.get("/healthz", include_in_schema=False)
    async def health() -> Response:
        """200 unless the database was unreachable at this process's last statement (503),
        with what the process knows; the database is asked only while it is failing, so
        health checks never keep an idle database awake."""
        async with asking:  # one question at a time, however many checks come in
            if database.health.failing:
                # Seen down: ask again, so the check sees it come back without user traffic.
                with contextlib.suppress(StorageUnavailable):
                    await database.ping()
        report = health_report(database, reminders)
        return JSONResponse(report, status_code=503 if database.health.failing else 200)

    if webhook is None:
        return web
    webhook_path, secret_token = webhook

    @web.post(webhook_path, include_in_schema=False)
    async def telegram_webhook(request: Request) -> Response:
        """Handle one update, then answer 200 (403 without the secret, 400 for no update).

        The update is handled before the answer, so an update is never acknowledged and then
        lost; other chats' updates run alongside in their own requests. Should the answer not
        reach Telegram, it sends the update again, and storage applies its changes only once.
        """
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret_token.encode()):
            return Response(status_code=403)
        body = await _body_up_to(request, MAX_UPDATE_BYTES)
        if body is None:
            return Response(status_code=413)
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("no update_id")
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError) as error:
            log.warning("webhook: not an update (%s)", type(error).__name__)
            return Response(status_code=400)
        await application.update_processor.process_update(
            update, application.process_update(update)
        )
        return Response(status_code=200)

    return web


async def _body_up_to(request: Request, limit: int) -> bytes | None:
    """The request's body, or None as soon as it passes `limit` bytes (told by Content-Length,
    or counted as it streams in): a huge body is never held in memory."""
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def health_report(database: Database, reminders: LoopState | None) -> dict[str, Any]:
    """What /healthz says: the database as this process's statements last found it (when one
    last succeeded, when one last failed), and the reminder scheduler's state (when it last
    read the due times, when it next sends or reads, its failed steps in a row)."""

    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment is not None else None

    state = database.health
    report: dict[str, Any] = {
        "database": "unavailable" if state.failing else "ok",
        "last_ok": when(state.last_ok),
        "last_failure": when(state.last_failure),
    }
    if reminders is not None:
        report["reminders"] = {
            "looked_at": when(reminders.looked_at),
            "next_step_at": when(reminders.next_step_at),
            "failures": reminders.failures,
        }
    return report


class HeadersInTime(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request headers do not all
    arrive within `header_timeout` seconds of it opening (or of the last answer on it)."""

    header_timeout = HEADER_TIMEOUT_SECONDS
    _headers_due: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._expect_headers()

    def handle_events(self) -> None:
        waiting = self.cycle
        super().handle_events()
        if self.cycle is not waiting:  # a request's headers came whole
            self._headers_came()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._expect_headers()  # the next request on this connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._headers_came()
        super().connection_lost(exc)

    def _expect_headers(self) -> None:
        self._headers_came()
        self._headers_due = self.loop.call_later(self.header_timeout, self._too_slow)

    def _headers_came(self) -> None:
        if self._headers_due is not None:
            self._headers_due.cancel()
            self._headers_due = None

    def _too_slow(self) -> None:
        self._headers_due = None
        if not self.transport.is_closing():
            self.transport.close()


class WebServer(uvicorn.Server):
    """uvicorn's server, told when it is listening, leaving signals to the bot's runner; it
    closes connections whose headers are too slow and answers 503 past MAX_CONNECTIONS."""

    def __init__(
        self,
        app: Any,
        *,
        host: str,
        port: int,
        header_timeout: float = HEADER_TIMEOUT_SECONDS,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        protocol = type("HeadersInTime", (HeadersInTime,), {"header_timeout": header_timeout})
        super().__init__(
            uvicorn.Config(
                app,
                host=host,
                port=port,
                log_level="warning",
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=10,
                http=protocol,
                limit_concurrency=max_connections,
            )
        )
        self.listening = asyncio.Event()

    def capture_signals(self) -> nullcontext[None]:  # type: ignore[override]
        # The runner handles SIGTERM and SIGINT for the whole bot and then stops this server.
        return nullcontext()

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets=sockets)
        self.listening.set()

    async def serve_until_stopped(self) -> None:
        """Serve until `should_exit`; uvicorn's exit on a failed start becomes an OSError."""
        try:
            await self.serve()
        except SystemExit as exit_:
            # uvicorn calls sys.exit() when it cannot bind; inside a task that would end the
            # whole event loop, so it is turned into an ordinary error here.
            raise OSError(f"the web server stopped at start (status {exit_.code})") from None
