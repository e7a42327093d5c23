"""The message catalogs: every text translated in every language, with the same placeholders
and markup; the template current with the code; and every message the bot renders, in every
language, valid HTML within Telegram's limits, with callback data within 64 bytes. CI fails on
a missing or broken translation here."""

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from handlers.i18n import (
    FSI,
    LANGUAGES,
    LOCALES_DIR,
    PDI,
    compile_catalog,
    language,
    use_language,
)
from handlers.render_help import COMMANDS, DESCRIPTION, SHORT_DESCRIPTION
from testkit.fake_telegram.parse_mode import parse_html

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [code for code in LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
TAG = re.compile(r"</?[a-z][a-z-]*")


def _catalog(code: str) -> Catalog:
    with (LOCALES_DIR / code / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return read_po(po_file, locale=code)


def _template() -> Catalog:
    with (LOCALES_DIR / "messages.pot").open("rb") as pot_file:
        return read_po(pot_file)


def _ids(catalog: Catalog) -> set[object]:
    return {message.id for message in catalog if message.id}


def _forms(message: object) -> list[str]:
    string = message.string  # type: ignore[attr-defined]
    return list(string) if isinstance(string, tuple) else [string]


def _sources(message: object) -> list[str]:
    ids = message.id  # type: ignore[attr-defined]
    return list(ids) if isinstance(ids, tuple) else [ids]


def test_the_template_holds_every_text_the_code_marks() -> None:
    """A text wrapped in _() but not extracted (pybabel extract) fails here, so it cannot ship
    untranslated."""
    method_map = [
        ("handlers/**.py", "python"),
        ("bot/**.py", "python"),
        ("bot/web/static/**.js", "javascript"),
    ]
    found = set()
    for _filename, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map=method_map
    ):
        assert context is None
        found.add(message if isinstance(message, str) else tuple(message))
    assert found == _ids(_template()), "run pybabel extract and update (README, Languages)"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_text_has_a_translation(code: str) -> None:
    catalog = _catalog(code)
    assert _ids(catalog) == _ids(_template()), "run pybabel update (README, Languages)"
    for message in catalog:
        if not message.id:
            continue
        assert "fuzzy" not in message.flags, message.id
        forms = _forms(message)
        assert len(forms) == catalog.num_plurals or not message.pluralizable, message.id
        assert all(form.strip() for form in forms), f"{code}: no translation of {message.id!r}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_placeholders_and_markup_match(code: str) -> None:
    for message in _catalog(code):
        if not message.id:
            continue
        wanted = set().union(*(PLACEHOLDER.findall(text) for text in _sources(message)))
        tags = Counter(TAG.findall(_sources(message)[0]))
        for form in _forms(message):
            assert set(PLACEHOLDER.findall(form)) == wanted, f"{code}: {message.id!r}"
            leftover = PLACEHOLDER.sub("", form).replace("%%", "")
            assert "%" not in leftover, f"{code}: a stray % in {form!r}"
            assert Counter(TAG.findall(form)) == tags, f"{code}: markup of {message.id!r}"
            filled = PLACEHOLDER.sub("x", form)
            parse_html(filled)  # raises for markup Telegram would refuse


@pytest.mark.parametrize("code", TRANSLATED)
def test_babel_finds_no_problem_and_the_catalog_compiles(code: str) -> None:
    catalog = _catalog(code)
    assert [(message.id, errors) for message, errors in catalog.check()] == []
    assert compile_catalog(LOCALES_DIR / code / "LC_MESSAGES" / "messages.po")
    translated = language(code).translations.gettext("Show the list with buttons")
    assert translated != "Show the list with buttons"


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_menu_and_descriptions_fit_telegrams_limits(code: str) -> None:
    with use_language(code) as speaking:
        from handlers.i18n import _

        for _name, description in COMMANDS:
            assert 1 <= len(_(description)) <= 256
        assert len(_(DESCRIPTION)) <= 512
        assert len(_(SHORT_DESCRIPTION)) <= 120
        assert len(speaking.telegram_code) == 2


def test_persian_writes_its_digits_and_isolates_latin_titles_and_numbers() -> None:
    from handlers.render import render_added
    from tests.test_rendering_in_every_language import task

    with use_language("fa"):
        text = render_added([task(3, "Buy 2 milk")])
    # The title keeps its own left-to-right order, and the task's number is one piece, in
    # Persian digits, so neither is pulled apart by the right-to-left sentence around them.
    assert f"{FSI}Buy 2 milk{PDI}" in text
    assert f"<b>{FSI}#۳{PDI}</b>" in text
    with use_language("en"):
        assert render_added([task(3, "Buy 2 milk")]) == "➕ Added <b>#3</b> Buy 2 milk"


def test_a_compiled_catalog_is_used_only_while_it_is_of_its_po(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A built package reads its .mo; an editable install (no .mo) or an edited .po compiles
    the .po at start."""
    import handlers.i18n as i18n

    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po_path = folder / "messages.po"
    po_path.write_bytes((LOCALES_DIR / "de" / "LC_MESSAGES" / "messages.po").read_bytes())
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)

    def tasks_in_german() -> str:
        i18n.language.cache_clear()
        try:
            return i18n.language("de").translations.gettext("Tasks")
        finally:
            i18n.language.cache_clear()

    assert tasks_in_german() == "Aufgaben"  # no .mo: compiled from the .po
    mo_path = folder / "messages.mo"
    mo_path.write_bytes(compile_catalog(po_path).replace(b"Aufgaben", b"AUFGABEN"))
    assert tasks_in_german() == "Aufgaben"  # a .mo of unknown origin is not trusted
    i18n.digest_path(mo_path).write_text(i18n.source_digest(po_path))
    assert tasks_in_german() == "AUFGABEN"  # the .mo compiled from this very .po
    po_path.write_text(po_path.read_text() + "\n")
    assert tasks_in_german() == "Aufgaben"  # the .po changed since: compiled again


def test_the_time_phrase_refusals_say_in_english_what_the_reader_says() -> None:
    """The catalog's English of each refusal is handlers/when/errors.py's wording."""
    from handlers.render_when import when_error_text
    from tests.test_rendering_in_every_language import WHEN_ERRORS

    with use_language("en"):
        for error in WHEN_ERRORS:
            assert when_error_text(error) == error.message, error.kind


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_example_times_of_a_refusal_are_read_in_its_language(code: str) -> None:
    """ "Tell me when, for example: …" offers phrases the bot reads in the chat's language."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from handlers.i18n import _
    from handlers.render_when import WHEN_EXAMPLES
    from handlers.when import parse_when

    with use_language(code):
        examples = re.split(r"[,،]\s*", _(WHEN_EXAMPLES))
    assert len(examples) == 6, examples
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    for example in examples:
        parse_when(example, now=now, tz=ZoneInfo("Europe/Berlin"), language=code)
