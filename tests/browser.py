"""The Mini App in headless Chromium, with a stand-in for Telegram's Web App script.

Playwright drives Debian's chromium (`apt-get install chromium`): Playwright's own browser
download needs the internet. Every request the page makes is routed: Telegram's script gets the
stand-in (signed init data, a theme), the bot's web server gets the rest, and anything else is
refused and recorded, so a test can show that the page needs nothing from the internet.
"""

import json
import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.web.mini_app import TELEGRAM_SCRIPT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Telegram's own default themes (as its apps send them in themeParams).
LIGHT_THEME = {
    "bg_color": "#ffffff",
    "secondary_bg_color": "#efeff3",
    "section_bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#999999",
    "link_color": "#2481cc",
    "button_color": "#2481cc",
    "button_text_color": "#ffffff",
    "accent_text_color": "#2481cc",
    "section_separator_color": "#eaeaea",
    "destructive_text_color": "#ff3b30",
}
DARK_THEME = {
    "bg_color": "#212121",
    "secondary_bg_color": "#181818",
    "section_bg_color": "#212121",
    "text_color": "#ffffff",
    "hint_color": "#aaaaaa",
    "link_color": "#8774e1",
    "button_color": "#8774e1",
    "button_text_color": "#ffffff",
    "accent_text_color": "#8774e1",
    "section_separator_color": "#101010",
    "destructive_text_color": "#ff595a",
}


def chromium_or_skip() -> str:
    """The chromium executable; without one the test skips, or fails in CI (`CI` set)."""
    if shutil.which(CHROMIUM) is None:
        message = "chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


def telegram_stub(
    init_data: str,
    *,
    theme: dict[str, str],
    scheme: str,
    version: str = "8.0",
    platform: str = "android",
) -> str:
    """A stand-in for telegram-web-app.js: what the page uses of `Telegram.WebApp`, and the
    theme's CSS variables set as Telegram's script sets them. `MainButton.click()` and
    `BackButton.click()` stand for a tap on Telegram's own buttons."""
    return f"""(() => {{
  const initData = {json.dumps(init_data)};
  const themeParams = {json.dumps(theme)};
  const params = new URLSearchParams(initData);
  const initDataUnsafe = {{}};
  for (const [key, value] of params) {{
    initDataUnsafe[key] = key === "user" ? JSON.parse(value) : value;
  }}
  const style = document.documentElement.style;
  for (const [key, value] of Object.entries(themeParams)) {{
    style.setProperty("--tg-theme-" + key.replaceAll("_", "-"), value);
  }}
  style.setProperty("--tg-color-scheme", {json.dumps(scheme)});
  const calls = [];
  const button = (name) => {{
    const handlers = [];
    const self = {{
      text: "", isVisible: false,
      setText(text) {{ self.text = text; return self; }},
      show() {{ self.isVisible = true; calls.push(name + " show"); return self; }},
      hide() {{ self.isVisible = false; return self; }},
      onClick(handler) {{ handlers.push(handler); return self; }},
      offClick(handler) {{ handlers.splice(handlers.indexOf(handler), 1); return self; }},
      // The tests' stand-in for a tap on Telegram's own button.
      click() {{ if (self.isVisible) for (const handler of handlers) handler(); }},
    }};
    return self;
  }};
  const [major, minor] = {json.dumps(version)}.split(".").map(Number);
  window.Telegram = {{ WebApp: {{
    initData, initDataUnsafe, themeParams, colorScheme: {json.dumps(scheme)},
    version: {json.dumps(version)}, platform: {json.dumps(platform)}, calls,
    ready() {{ calls.push("ready"); }},
    expand() {{ calls.push("expand"); }},
    requestFullscreen() {{ calls.push("requestFullscreen"); }},
    setHeaderColor(colour) {{ calls.push("setHeaderColor " + colour); }},
    setBackgroundColor(colour) {{ calls.push("setBackgroundColor " + colour); }},
    enableClosingConfirmation() {{ calls.push("enableClosingConfirmation"); }},
    disableClosingConfirmation() {{ calls.push("disableClosingConfirmation"); }},
    isVersionAtLeast(wanted) {{
      const [a, b = 0] = String(wanted).split(".").map(Number);
      return major > a || (major === a && minor >= b);
    }},
    MainButton: button("MainButton"),
    BackButton: button("BackButton"),
    HapticFeedback: {{
      notificationOccurred(kind) {{ calls.push("haptic " + kind); }},
      impactOccurred() {{}},
      selectionChanged() {{}},
    }},
  }} }};
}})();
"""


@dataclass
class MiniAppPage:
    """A page of the Mini App, what it tried to load from elsewhere, and its errors."""

    page: Any  # playwright.async_api.Page
    outside_requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def telegram_calls(self) -> list[str]:
        calls: list[str] = await self.page.evaluate("window.Telegram.WebApp.calls")
        return calls


@asynccontextmanager
async def mini_app_page(
    browser: Any,
    base_url: str,
    init_data: str,
    *,
    path: str = "/app",
    theme: dict[str, str] = LIGHT_THEME,
    scheme: str = "light",
    height: int = 640,
    version: str = "8.0",
    init_script: str | None = None,
) -> AsyncIterator[MiniAppPage]:
    """The Mini App at `path`, opened as Telegram would open it with `init_data` (and
    `init_script` run in the page before its own scripts)."""
    context = await browser.new_context(
        viewport={"width": 390, "height": height}, device_scale_factor=2, color_scheme=scheme
    )
    if init_script:
        await context.add_init_script(init_script)
    opened = MiniAppPage(page=None)
    stub = telegram_stub(init_data, theme=theme, scheme=scheme, version=version)

    async def route(route: Any) -> None:
        url = route.request.url
        if url == TELEGRAM_SCRIPT:
            await route.fulfill(status=200, content_type="text/javascript", body=stub)
        elif url.startswith(base_url + "/"):
            await route.continue_()
        else:
            opened.outside_requests.append(url)
            await route.abort()

    # The bot's own server is not routed: a routed request waits on this (busy) event loop.
    await context.route(lambda url: not url.startswith(base_url + "/"), route)
    page = await context.new_page()
    opened.page = page
    page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    try:
        await page.goto(base_url + path)
        yield opened
    finally:
        await context.close()


AXE_SCRIPT = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def axe_or_skip() -> str:
    """axe-core's script (tests/axe: `npm ci`); without it the check skips, or fails in CI."""
    if not AXE_SCRIPT.exists():
        message = "axe-core is not installed (cd tests/axe && npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE_SCRIPT.read_text()


async def serious_violations(page: Any, axe: str) -> list[str]:
    """What axe-core finds of serious or critical impact on the page as it is now. (Evaluated
    by the driver, which the page's Content-Security-Policy does not limit.)"""
    await page.evaluate(axe + "\n;0")
    found: list[dict[str, Any]] = await page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations"""
    )
    return [
        f"{one['id']} ({one['impact']}): {one['help']}: "
        + "; ".join(node["target"][0] for node in one["nodes"][:5])
        for one in found
        if one["impact"] in ("serious", "critical")
    ]


def screenshot_path(tmp_path: Path, name: str) -> Path:
    """Where a screenshot goes: docs/ with UPDATE_SCREENSHOTS=1 (to refresh the README's),
    else the test's own folder."""
    if os.environ.get("UPDATE_SCREENSHOTS"):
        return Path(__file__).resolve().parent.parent / "docs" / name
    return tmp_path / name
