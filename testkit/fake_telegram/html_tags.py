"""The tags of Telegram's HTML parse mode as tdlib's ``parse_html`` reads them
(td/telegram/MessageEntity.cpp): start tags with their attributes, end tags, and ``&...;``
character references, with tdlib's error texts and UTF-8 byte offsets. What text and
entities the tags make is parse_mode.py's.
"""

from dataclasses import dataclass

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "tg-time",
        "code",
        "pre",
        "blockquote",
    }
)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# tdlib's is_space(); the NUL doubles as the end-of-text sentinel, as in tdlib's C strings.
_SPACES = frozenset(" \t\r\n\v\0")
END = "\0"


class HtmlParseError(ValueError):
    """Markup Telegram would reject; ``str(error)`` is the text after "can't parse entities: "."""


@dataclass
class OpenTag:
    """A start tag whose end tag has not come yet."""

    name: str
    attributes: dict[str, str]
    byte_offset: int
    start: int  # UTF-16 offset of the tag's content in the plain text


def byte_offset(markup: str, index: int) -> int:
    """The offset of ``markup[index]`` as tdlib's errors give it: in UTF-8 bytes."""
    return len(markup[:index].encode("utf-8", "surrogatepass"))


def decode_entity(src: str, i: int) -> tuple[str | None, int]:
    """Return the character an ``&...`` sequence at ``i`` stands for and the index after it."""
    j = i + 1
    if src[j] == "#":
        j += 1
        base, digits = (16, "0123456789abcdefABCDEF") if src[j] == "x" else (10, "0123456789")
        j += base == 16
        start = j
        while src[j] in digits:
            j += 1
        code = int(src[start:j], base) if j > start else 0
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF or j - i >= 10:
            return None, i
        decoded = chr(code)
    else:
        while src[j].isascii() and src[j].isalpha():
            j += 1
        name = src[i + 1 : j]
        if name not in NAMED_ENTITIES:
            return None, i
        decoded = NAMED_ENTITIES[name]
    return decoded, j + (src[j] == ";")


def read_start_tag(markup: str, src: str, begin: int, units: int) -> tuple[int, OpenTag]:
    """Return the index after the start tag at ``begin`` and the tag it opens."""
    end = len(markup)
    at = byte_offset(markup, begin)
    i = begin + 1
    while src[i] not in _SPACES and src[i] != ">":
        i += 1
    if i >= end:
        raise HtmlParseError(f"Unclosed start tag at byte offset {at}")
    name = src[begin + 1 : i].lower()
    if name not in SUPPORTED_TAGS:
        raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {at}')
    attributes: dict[str, str] = {}
    while src[i] != ">":
        while i < end and src[i] in _SPACES:
            i += 1
        if i >= end:
            raise HtmlParseError(f"Unclosed start tag at byte offset {at}")
        if src[i] == ">":
            break
        name_start = i
        while src[i] not in _SPACES and src[i] not in "=>":
            i += 1
        attribute = src[name_start:i]
        if not attribute:
            raise HtmlParseError(f'Empty attribute name in the tag "{name}" at byte offset {at}')
        while i < end and src[i] in _SPACES:
            i += 1
        if src[i] != "=":
            if name == "blockquote" and attribute == "expandable":
                attributes[attribute] = ""
                continue
            raise HtmlParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{name}" at byte offset {at}'
            )
        i += 1
        while i < end and src[i] in _SPACES:
            i += 1
        if i >= end:
            raise HtmlParseError(f"Unclosed start tag at byte offset {at}")
        i, attributes[attribute] = _read_attribute_value(markup, src, i)
        if i >= end:
            raise HtmlParseError(f"Unclosed start tag at byte offset {at}")
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
    if name == "tg-emoji" and not attributes.get("emoji-id"):
        raise HtmlParseError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {at}')
    return i + 1, OpenTag(name, attributes, at, units)


def _read_attribute_value(markup: str, src: str, i: int) -> tuple[int, str]:
    """Return the index after the attribute value at ``i`` and the decoded value."""
    end = len(markup)
    if src[i] not in "'\"":
        # An unquoted name token: letters, digits, periods and hyphens, case-insensitive.
        start = i
        while src[i].isascii() and (src[i].isalnum() or src[i] in ".-"):
            i += 1
        if src[i] not in _SPACES and src[i] != ">":
            raise HtmlParseError(
                f"Unexpected end of name token at byte offset {byte_offset(markup, start)}"
            )
        return i, src[start:i].lower()
    quote = src[i]
    i += 1
    value: list[str] = []
    while i < end and src[i] != quote:
        if src[i] == "&":
            decoded, after = decode_entity(src, i)
            if decoded is not None:
                value.append(decoded)
                i = after
                continue
        value.append(src[i])
        i += 1
    return i + (i < end), "".join(value)


def read_end_tag(markup: str, src: str, begin: int, stack: list[OpenTag]) -> int:
    """Return the index after the end tag at ``begin``, checking it closes the innermost tag."""
    end = len(markup)
    at = byte_offset(markup, begin)
    if not stack:
        raise HtmlParseError(f"Unexpected end tag at byte offset {at}")
    i = begin + 2
    while src[i] not in _SPACES and src[i] != ">":
        i += 1
    name = src[begin + 2 : i].lower()
    while i < end and src[i] in _SPACES:
        i += 1
    if src[i] != ">":
        raise HtmlParseError(f"Unclosed end tag at byte offset {at}")
    expected = stack[-1].name
    if name and name != expected:
        raise HtmlParseError(
            f'Unmatched end tag at byte offset {at}, expected "</{expected}>", found "</{name}>"'
        )
    return i + 1
