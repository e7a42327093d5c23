"""The shape of a language's time words (one data module per language beside this one), and
which module a chat's language code picks."""

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field

ENGLISH = "en"
# The languages phrases can be typed in, by the module holding each one's words.
LANGUAGES = ("en", "ru", "uk", "es", "pt_BR", "de", "fa")
_ALIASES = {"pt": "pt_BR"}


@dataclass(frozen=True)
class Inflection:
    """Another grammatical form of CLDR's wide weekday names, made by a suffix rule.

    The first rule (old suffix, new suffix) whose old suffix ends the name makes the form; a
    name no rule fits has no such form. `spelled` places the form in its phrase ("по {}"),
    `means` says what the phrase stands for in canonical words ("EVERY {}": every such day).
    """

    rules: tuple[tuple[str, str], ...]
    spelled: str = "{}"
    means: str = "{}"

    def form(self, name: str) -> str | None:
        """The phrase this inflection makes of `name`, or None when no rule fits it."""
        for old, new in self.rules:
            if name.endswith(old):
                return self.spelled.format(name[: len(name) - len(old)] + new)
        return None


@dataclass(frozen=True)
class Language:
    """How one language says times, besides CLDR's month and weekday names (from Babel).

    `words` maps each phrase (one or more words, in its usual spelling) to canonical words,
    the language-free vocabulary the parser reads (handlers.when.vocabulary.CANONICAL).
    """

    code: str
    locale: str  # Babel's locale for the month and weekday names
    words: Mapping[str, str]
    weekday_forms: tuple[Inflection, ...] = ()
    # The first three letters of each month's name also name it ("фев", "sep").
    month_prefixes: bool = False
    # (spelled, also spelled): each word is also read with that change (German "ä" as "ae").
    respellings: tuple[tuple[str, str], ...] = ()
    # Numbers in words, read as their digits ("in two days", "every three weeks"): the
    # counts people say, each in the forms the language gives it after its words for "in",
    # "every" and the like. "One" is in `words` (ONE: "a", "an", "one"). A word that also
    # names a month is left out (Portuguese "dez": ten, and December's "dez").
    numbers: Mapping[str, int] = field(default_factory=dict)


def language_code(language: str | None) -> str:
    """The LANGUAGES entry a chat's language code ("pt-BR", "pt", "de_DE") stands for; English
    for a language without time words."""
    if not language:
        return ENGLISH
    wanted = language.replace("-", "_").lower()
    by_lower = {code.lower(): code for code in LANGUAGES}
    for candidate in (wanted, wanted.split("_")[0]):
        if candidate in by_lower:
            return by_lower[candidate]
        if candidate in _ALIASES:
            return _ALIASES[candidate]
    return ENGLISH


def language_table(code: str) -> Language:
    """The Language of a LANGUAGES code, from its data module."""
    module = importlib.import_module(f"{__name__}.{code.lower()}")
    table: Language = module.LANGUAGE
    return table
