"""Time phrases as canonical words: a phrase in any language's spelling is read word by word
into one small language-free vocabulary ("завтра в 9:00" -> "TOMORROW PREP 9:00"), which the
grammar (handlers.when.grammar) then reads. A word the language does not know stays unknown,
so the grammar refuses the phrase.

Month and weekday names come from CLDR (Babel), in its wide and abbreviated widths and its
format and stand-alone contexts (which carry forms such as Russian "декабря"); the other
grammatical forms a language needs are made by its Inflection rules, the small words come
from its data module in handlers.when.languages.
"""

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from babel.dates import get_day_names, get_month_names

from handlers.when.languages import Language, language_table

# The canonical words: days, times and their connectives, named after what they mean.
WEEKDAY_WORDS = tuple(f"WD{day}" for day in range(7))  # WD0 is Monday
MONTH_WORDS = tuple(f"MO{month}" for month in range(1, 13))
CANONICAL = frozenset(
    {
        "TODAY", "TOMORROW", "OVERMORROW", "NEXT", "THIS", "ON", "AT", "PREP", "IN", "LATER",
        "OF", "AND", "ONE", "ORD", "YEAR", "EVERY", "DAILY", "WEEKDAYS", "WEEKDAY", "UNTIL",
        "MORNING", "AFTERNOON", "EVENING", "NIGHT", "NOON", "AM", "PM", "OCLOCK",
        "MINUTES", "HOURS", "HOURS_OCLOCK", "HOURS_AT", "DAYS", "DAYS_PM", "WEEKS",
        "MONTHS", "OTHER", "LAST", "FROM_DONE", "REMIND", "BEFORE",
        *WEEKDAY_WORDS, *MONTH_WORDS,
    }
)  # fmt: skip

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2)
# Arabic letters typed on Persian keyboards, the joiners and apostrophes each in one spelling.
_LETTERS = str.maketrans(
    {
        "ي": "ی", "ى": "ی", "ك": "ک", "ـ": "", "\u200d": "", "\u200c": " ", "\u00a0": " ",
        "’": "'", "ʼ": "'", "‘": "'", "`": "'", "´": "'",
    }
)  # fmt: skip
# Marks read alike in every language: "every! 3 days" counts from completion.
_MARKS = {"!": "FROM_DONE"}
# A number with its separators ("9:00", "1.12.2026", "2026-12-01", "1."), a word (with inner
# apostrophes and hyphens, and an abbreviation's dot), or any other single character.
_TOKEN = re.compile(r"\d+(?:[-:./]\d+)*\.?|[^\W\d_]+(?:['-][^\W\d_]+)*\.?|\S")
_UNKNOWN = "~"  # marks a word the language does not know: no grammar rule reads it


def ascii_digits(text: str) -> str:
    """The text with Persian and Arabic-Indic digits written as ASCII digits."""
    return text.translate(_DIGITS)


def normalize(text: str) -> str:
    """Lower case, single spaces, ASCII digits, and one spelling of letters that have two."""
    text = unicodedata.normalize("NFC", text).lower().translate(_DIGITS).translate(_LETTERS)
    text = " ".join(text.split())
    # "2026-12-01T10:00" (ISO) is a date and a time.
    return re.sub(r"(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", r"\1 ", text)


def fold(word: str) -> str:
    """A word without its accents ("mañana" -> "manana", "ё" -> "е"): people type both."""
    marks_apart = unicodedata.normalize("NFD", word)
    bare = "".join(char for char in marks_apart if unicodedata.category(char) != "Mn")
    return unicodedata.normalize("NFC", bare)


@dataclass(frozen=True)
class Word:
    """One word of the normalized phrase and where it stands in it."""

    text: str
    start: int
    end: int


def words_of(text: str) -> list[Word]:
    """The words of a normalized phrase; commas only separate."""
    return [
        Word(match[0], match.start(), match.end())
        for match in _TOKEN.finditer(text)
        if match[0] != ","
    ]


@dataclass(frozen=True)
class Phrase:
    """A phrase read into canonical words, remembering which typed words each came from."""

    text: str  # the phrase, normalized
    canonical: str  # canonical words, numbers and unknown words, joined by spaces
    sources: tuple[tuple[int, int, int], ...]  # (start in canonical, start, end in text)

    def typed(self, start: int, end: int) -> str:
        """The typed text the canonical characters [start, end) were read from."""
        covered = [(first, last) for at, first, last in self.sources if start <= at < end]
        if not covered:
            return ""
        return self.text[covered[0][0] : covered[-1][1]]

    def words(self) -> list[tuple[str, int, int]]:
        """Each canonical word with where the typed words it was read from start and end."""
        return [
            (word, first, last)
            for word, (_, first, last) in zip(self.canonical.split(), self.sources, strict=True)
        ]

    def first_words(self, count: int) -> "Phrase":
        """The phrase of its first `count` canonical words (positions stay as they were)."""
        kept = self.canonical.split()[:count]
        return Phrase(self.text, " ".join(kept), self.sources[:count])


@dataclass(frozen=True)
class Vocabulary:
    """A language's phrases (as tuples of folded words) and the canonical words they mean."""

    phrases: dict[tuple[str, ...], str]
    longest: int

    def read(self, text: str) -> Phrase:
        """The phrase in canonical words, each phrase the longest one the vocabulary knows."""
        normalized = normalize(text)
        words = words_of(normalized)
        canonical: list[str] = []
        sources: list[tuple[int, int, int]] = []
        offset, index = 0, 0
        while index < len(words):
            length, meaning = self._longest_at(words, index)
            first, last = words[index].start, words[index + length - 1].end
            for part in meaning.split():
                canonical.append(part)
                sources.append((offset, first, last))
                offset += len(part) + 1
            index += length
        return Phrase(normalized, " ".join(canonical), tuple(sources))

    def _longest_at(self, words: list[Word], index: int) -> tuple[int, str]:
        """(how many words, their meaning) of the longest known phrase starting at `index`."""
        if words[index].text[0].isdecimal():
            return 1, words[index].text
        for length in range(min(self.longest, len(words) - index), 0, -1):
            key = tuple(fold(word.text) for word in words[index : index + length])
            meaning = self.phrases.get(key)
            if meaning is None and key[-1].endswith("."):  # "dez." for "dez", "morgen."
                meaning = self.phrases.get((*key[:-1], key[-1].rstrip(".")))
            if meaning is not None:
                return length, meaning
        return 1, _UNKNOWN + fold(words[index].text)


@functools.cache
def language_vocabulary(code: str) -> Vocabulary:
    """The vocabulary of a language (a handlers.when.languages code), built once."""
    return build_vocabulary(language_table(code))


def build_vocabulary(language: Language) -> Vocabulary:
    """A language's phrases and names, read as canonical words; ValueError when its data give
    one phrase two meanings, or a number word is also a month's or a day's name."""
    code = language.code
    phrases: dict[tuple[str, ...], str] = {}
    spelled_out = [(phrase, str(value)) for phrase, value in language.numbers.items()]
    for phrase, meaning in [*language.words.items(), *spelled_out]:
        for key in _keys(phrase, language):
            if phrases.get(key, meaning) != meaning:
                raise ValueError(f"{code}: {phrase!r} means both {phrases[key]} and {meaning}")
            phrases[key] = meaning
    numbers = {key for phrase, _ in spelled_out for key in _keys(phrase, language)}
    # A name that means two things (Spanish "mar": martes and marzo) means neither.
    names: dict[tuple[str, ...], str] = {}
    ambiguous: set[tuple[str, ...]] = set()
    for name, meaning in _names(language):
        for key in _keys(name, language):
            if key in numbers:  # "1 dez" must stay the 1st of December
                raise ValueError(f"{code}: {name!r} is a number word and a month or day name")
            if names.get(key, meaning) != meaning:
                ambiguous.add(key)
            names[key] = meaning
    for key, meaning in names.items():
        if key not in ambiguous:
            phrases.setdefault(key, meaning)  # the language's own words come first
    for mark, meaning in _MARKS.items():
        phrases[(mark,)] = meaning
    return Vocabulary(phrases, max(len(key) for key in phrases))


def _names(language: Language) -> Iterator[tuple[str, str]]:
    """(name, canonical word) of each CLDR month and weekday name, and their other forms."""
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            months = get_month_names(width, context, language.locale)
            days = get_day_names(width, context, language.locale)
            for month, name in months.items():
                yield name, MONTH_WORDS[month - 1]
                if language.month_prefixes and width == "wide":
                    yield name[:3], MONTH_WORDS[month - 1]
            for day, name in days.items():
                yield name, WEEKDAY_WORDS[day]
                if width == "wide":
                    for inflection in language.weekday_forms:
                        form = inflection.form(name.lower())
                        if form is not None:
                            yield form, inflection.means.format(WEEKDAY_WORDS[day])


def _keys(phrase: str, language: Language) -> set[tuple[str, ...]]:
    """The folded words of a phrase in each of its spellings (hyphen or space, respellings)."""
    spellings = {phrase.lower(), phrase.lower().replace("-", " ")}
    for spelled, also in language.respellings:
        spellings |= {spelling.replace(spelled, also) for spelling in spellings}
    keys = set()
    for spelling in spellings:
        words = tuple(fold(word.text) for word in words_of(normalize(spelling)))
        keys.add(words)
        if words[-1].endswith(".") and len(words[-1]) > 1:
            keys.add((*words[:-1], words[-1].rstrip(".")))
    return keys
