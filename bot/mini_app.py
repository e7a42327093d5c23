"""The Mini App: one page (bot/static/) served at /app by the web app, and its public URL.

The page loads only its own files and Telegram's Web App script, and talks only to this app's
task API; the Content-Security-Policy says so to the browser too.
"""

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from bot.settings import Settings

APP_PATH = "/app"
STATIC_DIR = Path(__file__).parent / "static"
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
_HEADERS = {
    # Files carry no version in their names: the browser checks for a newer one every time
    # (an unchanged file costs a 304).
    "Cache-Control": "no-cache",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self' https://telegram.org; style-src 'self';"
        " connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def mini_app_url(settings: Settings) -> str | None:
    """The https URL of the Mini App for a web_app button, or None when there is none.

    It is PUBLIC_URL's /app, else the /app of WEBHOOK_URL's origin (the same server) when that
    is https (an http one, for a self-hosted Bot API server, is no address Telegram opens).
    """
    if settings.public_url:
        return settings.public_url.rstrip("/") + APP_PATH
    parts = urlsplit(settings.webhook_url or "")
    if parts.scheme == "https":
        return f"{parts.scheme}://{parts.netloc}{APP_PATH}"
    return None


class _AppFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(_HEADERS)
        return response


def mount_mini_app(web: FastAPI) -> None:
    """Serve the page at /app and its script and style beside it (/app/app.js, ...)."""
    files = _AppFiles(directory=STATIC_DIR)

    @web.get(APP_PATH, include_in_schema=False)
    async def mini_app_page(request: Request) -> Response:
        """The Mini App's page."""
        return await files.get_response("app.html", request.scope)

    web.mount(APP_PATH, files, name="mini-app")
