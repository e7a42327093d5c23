"""What every render module shares about text: escaping user text, shortening it, fitting
lines into one message, and reading back what an HTML message shows.

All user text passes through `escape` before it is shown; messages stay within Telegram's
limits (a list page holds at most PAGE_SIZE tasks of at most 256 characters each).
"""

import html
import re
from collections.abc import Sequence

from handlers.i18n import isolate, ngettext

PAGE_SIZE = 10
BUTTON_TITLE_LENGTH = 28
MAX_MESSAGE_LENGTH = 4096


def escape(text: str) -> str:
    """User text made safe for HTML parse mode (and, in a right-to-left language, isolated so
    that its own direction and its digits leave the message's order alone)."""
    return isolate(html.escape(text, quote=False))


def shorten(text: str, length: int) -> str:
    """At most `length` characters, with an ellipsis when cut."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def fit_lines(lines: Sequence[str], *, budget: int = MAX_MESSAGE_LENGTH - 200) -> list[str]:
    """As many of `lines` as fit in `budget` characters, then a line saying how many were left."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        if used + len(line) + 1 > budget:
            left = len(lines) - index
            kept.append(ngettext("… and %(count)s more", "… and %(count)s more", left))
            break
        kept.append(line)
        used += len(line) + 1
    return kept


_TAG = re.compile(r"<[^>]*>")


def shown_length(text_html: str) -> int:
    """How long the text an HTML message shows is, as Telegram's 4,096 limit counts it (in
    UTF-16 code units: an emoji counts two)."""
    return len(html.unescape(_TAG.sub("", text_html)).encode("utf-16-le")) // 2


def plain(text_html: str) -> str:
    """An HTML message as plain text (for button answers, which take no markup), ≤200 chars."""
    return shorten(html.unescape(_TAG.sub("", text_html)), 200)
