"""The bot's languages and writing in them: the message catalogs (gettext, from
handlers/locales/<language>/LC_MESSAGES/messages.po), the language of the update at hand, plural
forms, numbers in the language's digits, and right-to-left text kept in order.

Handlers and render functions write `_("text")`, `ngettext(...)` and `pgettext(...)`; what they
say comes out in the language made current for the update (`activate`, `use_language`: a
ContextVar, so each update and each reminder has its own). English is the language of the
source and the fallback for every language the bot does not speak.

A catalog is read from its compiled `.mo` (made when the package is built: setup.py) when that
was compiled from the `.po` beside it (the digest of the `.po` is kept next to the `.mo`: file
times do not survive every install); otherwise (an editable install, a `.po` edited since) the
`.po` is compiled in memory at start, with Babel.
"""

import contextlib
import functools
import gettext
import hashlib
import io
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"
# Our codes (gettext's), the order /language lists them in.
LANGUAGES = ("en", "ru", "uk", "es", "pt_BR", "de", "fa")
# Each language's name in itself (what /language shows).
NATIVE_NAMES = {
    "en": "English",
    "ru": "Русский",
    "uk": "Українська",
    "es": "Español",
    "pt_BR": "Português (Brasil)",
    "de": "Deutsch",
    "fa": "فارسی",
}
# Whose CLDR data each language writes dates and numbers with. English keeps the bot's
# day-month order and 24-hour clock (British usage), as it always wrote them.
_CLDR_LOCALES = {"en": "en_GB"}
# Babel formats with a numbering system's separators but always with Latin digits: the digits
# of a locale's default numbering system (CLDR's numberingSystems) are these.
_DIGITS = {"latn": "0123456789", "arabext": "۰۱۲۳۴۵۶۷۸۹", "arab": "٠١٢٣٤٥٦٧٨٩"}
# Unicode's FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: text between them takes its
# direction from its own first letter and leaves the surrounding text's order alone.
FSI = "\u2068"
PDI = "\u2069"


@dataclass(frozen=True)
class Language:
    """One language the bot speaks: its catalog and its CLDR locale."""

    code: str  # gettext's: "pt_BR"
    translations: gettext.NullTranslations
    locale: Locale

    @property
    def telegram_code(self) -> str:
        """The two-letter ISO 639-1 code Telegram's setMyCommands takes: "pt" for pt_BR."""
        return self.code.split("_")[0]

    @property
    def rtl(self) -> bool:
        return self.locale.text_direction == "rtl"

    @property
    def digits(self) -> str:
        return _DIGITS.get(self.locale.default_numbering_system, _DIGITS["latn"])


def _catalog_paths(code: str) -> tuple[Path, Path]:
    folder = LOCALES_DIR / code / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


def source_digest(po_path: Path) -> str:
    """What a compiled catalog records of the `.po` it was made from (its SHA-256)."""
    return hashlib.sha256(po_path.read_bytes()).hexdigest()


def digest_path(mo_path: Path) -> Path:
    """Where the digest of a `.mo`'s source is kept."""
    return mo_path.with_suffix(".sha256")


def compile_catalog(po_path: Path) -> bytes:
    """The `.mo` bytes of a `.po` file (fuzzy entries left out, as `pybabel compile` does)."""
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def _translations(code: str) -> gettext.NullTranslations:
    if code == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()  # the messages are written in English
    po_path, mo_path = _catalog_paths(code)
    digest = digest_path(mo_path)
    if mo_path.exists() and (
        not po_path.exists()
        or (digest.exists() and digest.read_text().strip() == source_digest(po_path))
    ):
        with mo_path.open("rb") as mo_file:
            return gettext.GNUTranslations(mo_file)
    return gettext.GNUTranslations(io.BytesIO(compile_catalog(po_path)))


@functools.cache
def language(code: str) -> Language:
    """The language of one of LANGUAGES (English for any other code)."""
    if code not in LANGUAGES:
        code = DEFAULT_LANGUAGE
    locale = Locale.parse(_CLDR_LOCALES.get(code, code))
    return Language(code, _translations(code), locale)


def language_for(telegram_code: str | None) -> str:
    """The language for a Telegram `language_code` ("de", "pt-br", "uk"): ours, or English."""
    if not telegram_code:
        return DEFAULT_LANGUAGE
    wanted = telegram_code.replace("-", "_").lower()
    base = wanted.split("_")[0]
    for code in LANGUAGES:
        if code.lower() == wanted:
            return code
    # A regional variant we have no catalog of takes its language's: de_AT -> de, pt -> pt_BR.
    return next((code for code in LANGUAGES if code.split("_")[0] == base), DEFAULT_LANGUAGE)


_current: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


def activate(code: str) -> None:
    """Write in this language from now on in this task (an update's, a reminder's)."""
    _current.set(code if code in LANGUAGES else DEFAULT_LANGUAGE)


@contextlib.contextmanager
def use_language(code: str) -> Iterator[Language]:
    """Write in this language inside the block."""
    token = _current.set(code if code in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield language(_current.get())
    finally:
        _current.reset(token)


def current() -> Language:
    """The language being written in."""
    return language(_current.get())


def current_language() -> str:
    """The code of the language being written in (for parse_when's language, and the like)."""
    return _current.get()


def _format(text: str, params: dict[str, object]) -> str:
    return text % params if params else text


def _(message: str, **params: object) -> str:
    """The message in the current language, its `%(name)s` placeholders filled with `params`."""
    return _format(current().translations.gettext(message), params)


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """The form of the message for `n` in the current language (`%(count)s` is `n`, in the
    language's digits)."""
    params.setdefault("count", number(n))
    return _format(current().translations.ngettext(singular, plural, n), params)


def pgettext(context: str, message: str, **params: object) -> str:
    """The message in the current language, for a short text that means different things in
    different places (a button's "Done" and a status "done")."""
    return _format(current().translations.pgettext(context, message), params)


def N_(message: str) -> str:
    """Marks a text to translate later, where it is used (pybabel extracts it)."""
    return message


def number(value: int, *, grouped: bool = False) -> str:
    """An integer in the current language's digits ("۱۲" in Persian), without grouping (task
    numbers, counts) or, with `grouped`, with the language's separators ("10,000")."""
    if grouped:
        text = format_decimal(value, locale=current().locale, numbering_system="default")
        return localized_digits(text)
    return str(value).translate(_digit_table(current().digits))


def decimal(value: float) -> str:
    """A number with one decimal, as the current language writes it ("1.5", "1,5")."""
    return localized_digits(format_decimal(value, format="0.0", locale=current().locale))


def localized_digits(text: str) -> str:
    """Text (a date or time Babel wrote) with its Latin digits in the current language's."""
    return text.translate(_digit_table(current().digits))


@functools.cache
def _digit_table(digits: str) -> dict[int, int]:
    return str.maketrans("0123456789", digits)


def isolate(text: str) -> str:
    """Text that keeps its own direction inside a right-to-left message (user text, a task's
    number next to it); unchanged in left-to-right languages."""
    return f"{FSI}{text}{PDI}" if current().rtl else text


def task_ref(task_number: int) -> str:
    """A task's number as messages show it: "#3" ("#۳" in Persian, kept in one piece)."""
    return isolate(f"#{number(task_number)}")


@functools.cache
def in_every_language(message: str) -> tuple[str, ...]:
    """The message in each language the bot speaks (to recognise the bot's own messages, as
    Telegram returns them, whichever language they were written in)."""
    found = []
    for code in LANGUAGES:
        text = language(code).translations.gettext(message)
        if text not in found:
            found.append(text)
    return tuple(found)
