"""The Mini App: one page (bot/web/static/) served at /app by the web app, and its words in
each language at /app/i18n/<language>.json.

The page loads only its own files and Telegram's Web App script, and talks only to this app's
task API; the Content-Security-Policy says so to the browser too.
"""

import functools
from pathlib import Path
from typing import Any

from babel.messages.extract import extract_from_file
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from bot.settings import MINI_APP_PATH
from handlers.i18n import _, current, language_for, use_language

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


class _AppFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(_HEADERS)
        return response


@functools.cache
def page_texts() -> tuple[str, ...]:
    """The texts app.js translates (its `_("...")` and `N_("...")`), read as pybabel does."""
    found = extract_from_file(
        "javascript", STATIC_DIR / "app.js", keywords={"_": None, "N_": None}
    )
    texts = (message for _line, message, _comments, _context in found)
    return tuple(dict.fromkeys(text for text in texts if isinstance(text, str)))


@functools.cache
def page_catalog(telegram_code: str) -> dict[str, Any]:
    """The page's words in the language for a Telegram language code (English for others):
    the bot's own catalog, for the texts of app.js."""
    with use_language(language_for(telegram_code)):
        return {
            "language": current().code,
            "direction": "rtl" if current().rtl else "ltr",
            "messages": {text: _(text) for text in page_texts()},
        }


def mount_mini_app(web: FastAPI) -> None:
    """Serve the page at /app, its words per language, and its script and style beside it
    (/app/app.js, ...)."""
    files = _AppFiles(directory=STATIC_DIR)

    @web.get(MINI_APP_PATH + "/i18n/{language}.json", include_in_schema=False)
    async def mini_app_words(language: str) -> Response:
        """The page's words in a language (English for any code the bot does not speak)."""
        catalog = page_catalog(language[:16].lower())
        return JSONResponse(catalog, headers={**_HEADERS, "Cache-Control": "max-age=3600"})

    @web.get(MINI_APP_PATH, include_in_schema=False)
    async def mini_app_page(request: Request) -> Response:
        """The Mini App's page."""
        return await files.get_response("app.html", request.scope)

    web.mount(MINI_APP_PATH, files, name="mini-app")
