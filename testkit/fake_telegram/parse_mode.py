"""Telegram's HTML parse mode, as the Bot API applies it to message text and captions.

It follows tdlib's ``parse_html`` (td/telegram/MessageEntity.cpp): the same tags and attributes,
the same error texts with UTF-8 byte offsets, and entity offsets in UTF-16 code units. That
includes Bot API 9.5's ``<tg-time unix="..." format="...">``: a ``date_time`` entity whose
format (td/telegram/FormattedDate.cpp) is ``r`` or letters of ``wWdDtT`` (anything else is
"Invalid date format used"), reported as the Bot API server spells it (``w``, then ``d``/``D``,
then ``t``/``T``), and no entity at all when ``unix`` is missing or not above 0. One
deliberate difference: an ``&`` in the text that starts no entity is an error here, where
Telegram shows it literally, so that user text the bot forgot to escape fails in a test rather
than rendering wrongly in a chat (``&lt;`` typed by a user would otherwise become ``<``).
"""

from dataclasses import dataclass, field
from typing import Any

from testkit.fake_telegram.html_tags import (
    END,
    HtmlParseError,
    OpenTag,
    byte_offset,
    decode_entity,
    read_end_tag,
    read_start_tag,
)

ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}


@dataclass
class ParsedText:
    """Plain text as the chat shows it, with its entities as Bot API ``MessageEntity`` dicts."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Return the length Telegram counts for ``text``: UTF-16 code units, not code points."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(markup: str, *, strict_ampersand: bool = True) -> ParsedText:
    """Return the plain text and entities Telegram makes of ``markup`` in HTML parse mode.

    Raises ``HtmlParseError`` with tdlib's message for anything Telegram rejects (and, with
    ``strict_ampersand``, for a bare ``&``).
    """
    src = markup + END
    end = len(markup)
    out: list[str] = []
    units = 0  # UTF-16 length of the plain text so far
    stack: list[OpenTag] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < end:
        char = src[i]
        if char == "&":
            decoded, after = decode_entity(src, i)
            if decoded is not None:
                out.append(decoded)
                units += utf16_len(decoded)
                i = after
                continue
            if strict_ampersand:
                raise HtmlParseError(
                    f'Character "&" at byte offset {byte_offset(markup, i)} starts no entity; '
                    'escape it as "&amp;" (Telegram would show it literally, this fake refuses)'
                )
        if char != "<":
            out.append(char)
            units += utf16_len(char)
            i += 1
            continue
        if src[i + 1] != "/":
            i, tag = read_start_tag(markup, src, i, units)
            stack.append(tag)
            continue
        i = read_end_tag(markup, src, i, stack)
        tag = stack.pop()
        entity = _entity_for(tag, units, "".join(out))
        if entity is not None:
            _merge_pre_code(entities, entity)
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)  # only <pre><code class="language-x"> keeps it
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return ParsedText("".join(out), entities)


def trim_whitespace(parsed: ParsedText) -> ParsedText:
    """Return ``parsed`` with leading and trailing whitespace removed, as Telegram stores text.

    Entity offsets move with the text; entities left empty are dropped.
    """
    stripped = parsed.text.strip()
    if stripped == parsed.text:
        return parsed
    shift = utf16_len(parsed.text[: len(parsed.text) - len(parsed.text.lstrip())])
    limit = utf16_len(stripped)
    entities = []
    for entity in parsed.entities:
        start = max(entity["offset"] - shift, 0)
        stop = min(entity["offset"] + entity["length"] - shift, limit)
        if stop > start:
            entities.append({**entity, "offset": start, "length": stop - start})
    return ParsedText(stripped, entities)


def _entity_for(tag: OpenTag, units: int, text: str) -> dict[str, Any] | None:
    """Return the entity a just-closed tag makes, or None when it wraps no text."""
    length = units - tag.start
    if length <= 0:
        return None
    entity: dict[str, Any] = {
        "type": ENTITY_TYPES[tag.name],
        "offset": tag.start,
        "length": length,
    }
    if tag.name == "a":
        # Without href Telegram links the wrapped text itself.
        content = text.encode("utf-16-le")[2 * tag.start :].decode("utf-16-le")
        entity["url"] = tag.attributes.get("href") or content
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attributes["emoji-id"]
    elif tag.name == "tg-time":
        # As tdlib at the end tag: the format is checked first, then a date of 0 or less (or
        # none) leaves the text without an entity.
        date_time_format = _date_time_format(tag.attributes.get("format", ""))
        unix_time = _int32(tag.attributes.get("unix", ""))
        if unix_time <= 0:
            return None
        entity.update(unix_time=unix_time, date_time_format=date_time_format)
    elif tag.name == "blockquote" and "expandable" in tag.attributes:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "code" and tag.attributes.get("class", "").startswith("language-"):
        entity["language"] = tag.attributes["class"].removeprefix("language-")
    return entity


def _int32(text: str) -> int:
    """The value of a number attribute as tdlib's to_integer<int32> reads it: an optional minus,
    then the leading digits (none: 0), wrapping around past 32 bits."""
    sign, digits = (-1, text[1:]) if text.startswith("-") else (1, text)
    value = 0
    for char in digits:
        if not "0" <= char <= "9":
            break
        value = (value * 10 + int(char)) % 2**32
    value = (sign * value) % 2**32
    return value - 2**32 if value >= 2**31 else value


def _date_time_format(text: str) -> str:
    """A tg-time's format as the Bot API reports it; HtmlParseError for one tdlib refuses."""
    if text in ("r", "R"):
        return "r"
    if any(char not in "wWdDtT" for char in text):
        raise HtmlParseError("Invalid date format used")
    day = "w" if any(char in "wW" for char in text) else ""
    date = "d" if "d" in text else "D" if "D" in text else ""
    clock = "t" if "t" in text else "T" if "T" in text else ""
    return day + date + clock


def _merge_pre_code(entities: list[dict[str, Any]], entity: dict[str, Any]) -> None:
    """Add ``entity``; ``<pre><code class="language-x">`` becomes one pre entity with language."""
    if entity["type"] == "pre" and entities:
        inner = entities[-1]
        same_span = (inner["offset"], inner["length"]) == (entity["offset"], entity["length"])
        if inner["type"] == "code" and same_span:
            entities.pop()
            if "language" in inner:
                entity["language"] = inner["language"]
    entities.append(entity)
