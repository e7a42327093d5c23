"""The Mini App: one page (bot/web/static/) served at /app by the web app.

The page loads only its own files and Telegram's Web App script, and talks only to this app's
task API; the Content-Security-Policy says so to the browser too. Only Telegram Web may frame
it (`frame-ancestors`; the apps open it in a web view of their own, which no policy limits):
X-Frame-Options could name no origin but the page's own.
"""

from pathlib import Path

from fastapi import FastAPI, Request, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from bot.settings import MINI_APP_PATH

STATIC_DIR = Path(__file__).parent / "static"
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
_HEADERS = {
    # Files carry no version in their names: the browser checks for a newer one every time
    # (an unchanged file costs a 304).
    "Cache-Control": "no-cache",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self' https://telegram.org; style-src 'self';"
        " connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none';"
        " frame-ancestors 'self' https://web.telegram.org"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class _AppFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(_HEADERS)
        return response


def mount_mini_app(web: FastAPI) -> None:
    """Serve the page at /app and its script and style beside it (/app/app.js, ...)."""
    files = _AppFiles(directory=STATIC_DIR)

    @web.get(MINI_APP_PATH, include_in_schema=False)
    async def mini_app_page(request: Request) -> Response:
        """The Mini App's page."""
        return await files.get_response("app.html", request.scope)

    web.mount(MINI_APP_PATH, files, name="mini-app")
