"""The web server: Telegram's webhook, the health check, the task API and the Mini App, a
FastAPI app on uvicorn.

FastAPI because the project's task API (the original backend design) is a FastAPI app, served
by this same app beside the webhook; uvicorn is its usual ASGI server.
"""

import asyncio
import hmac
import json
import logging
from contextlib import nullcontext
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from telegram import Update

from bot.web import api
from bot.web.api_errors import install_error_answers
from bot.web.calendar_feed import mount_calendar_feed
from bot.web.calendar_limits import RateLimiter
from bot.web.init_data import MAX_AGE
from bot.web.membership import ChatAccess
from bot.web.mini_app import mount_mini_app
from handlers.context import BotApplication
from storage.db import Database
from storage.errors import StorageUnavailable

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes; anything far larger is not from Telegram.
MAX_UPDATE_BYTES = 1_000_000


def create_web_app(
    application: BotApplication,
    *,
    database: Database,
    webhook: tuple[str, str] | None,
    access: ChatAccess | None = None,
    calendar_limit: RateLimiter | None = None,
) -> FastAPI:
    """The ASGI app: `GET /healthz` for the host, the task API under /api (docs at /docs), the
    Mini App at /app and, with `webhook` (path, secret token), `POST path` for Telegram.

    `access` decides who may use which list (default: asking the bot's Telegram);
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
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    install_error_answers(web)
    access = access or ChatAccess(application.bot)
    web.state.api = api.ApiContext(
        database=database,
        access=access,
        bot_token=application.bot.token,
        max_age=MAX_AGE,
    )
    web.include_router(api.router)
    mount_mini_app(web)
    mount_calendar_feed(
        web,
        database=database,
        access=access,
        key=application.bot_data.calendar_key,
        per_feed=calendar_limit,
    )

    @web.get("/healthz", include_in_schema=False)
    async def health() -> Response:
        """200 when the database answers, 503 when it does not."""
        try:
            await database.ping()
        except StorageUnavailable:
            return JSONResponse({"database": "unavailable"}, status_code=503)
        return JSONResponse({"database": "ok"})

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
        body = await request.body()
        if len(body) > MAX_UPDATE_BYTES:
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


class WebServer(uvicorn.Server):
    """uvicorn's server, told when it is listening, leaving signals to the bot's runner."""

    def __init__(self, app: Any, *, host: str, port: int) -> None:
        super().__init__(
            uvicorn.Config(
                app,
                host=host,
                port=port,
                log_level="warning",
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=10,
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
