"""Property-based tests: any input to the parsers and the callback decoder gives a valid result
or a typed error, never an exception; anything rendered is HTML Telegram accepts, within limits."""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import CallbackQuery, Update, User
from telegram.ext import CallbackQueryHandler

from bot.app import build_application
from bot.settings import Settings
from handlers import render, render_list, render_text
from handlers.button_actions import (
    NO_DUE_CODE,
    QUICK_DUE_CODES,
    SNOOZE_CODES,
    AskNewTitle,
    AssignedDone,
    AssignedSnooze,
    CheckItem,
    ChooseDue,
    Delete,
    DropTask,
    FindDone,
    FindPage,
    ForgetChat,
    KeepChat,
    ListView,
    Nothing,
    ReminderDone,
    SendAttachment,
    SetDone,
    ShowList,
    Snooze,
    TakeTask,
    Undo,
)
from handlers.callbacks import MAX_CALLBACK_BYTES, InvalidCallbackData, decode, decoded, encode
from handlers.parsing import (
    NewTaskLine,
    UsageError,
    command_text,
    parse_number,
    parse_number_and_text,
    parse_numbers,
    read_list_arguments,
    read_new_tasks,
    split_due,
)
from handlers.tasks import due_entries
from handlers.when import LANGUAGES, WhenError, parse_when
from handlers.when.vocabulary import language_vocabulary
from storage.errors import InvalidTitle
from storage.task_fields import labels_of
from storage.tasks import clean_title
from storage.values import TITLE_MAX_LENGTH, DueEntry, Task, TaskPage
from testkit.fake_telegram import TEST_BOT_TOKEN
from testkit.fake_telegram.parse_mode import parse_html, utf16_len

numbers = st.integers(min_value=1, max_value=2**31 - 1)
views = st.builds(
    ListView,
    done=st.booleans(),
    start=st.none() | numbers,
    due=st.sampled_from([None, "today", "overdue", "upcoming"]),
    priorities=st.sets(st.sampled_from([1, 2, 3])).map(lambda found: tuple(sorted(found))),
    labelled=st.booleans(),
)
offsets = st.integers(min_value=0, max_value=2**31 - 1)
chat_ids = st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1).filter(bool)
choices = st.sampled_from(SNOOZE_CODES)
actions = st.one_of(
    st.builds(SetDone, number=numbers, done=st.booleans(), view=views),
    st.builds(AskNewTitle, number=numbers),
    st.builds(Delete, number=numbers, view=st.none() | views),
    st.builds(Undo, number=numbers, view=st.none() | views),
    st.builds(ShowList, view=views),
    st.builds(CheckItem, number=numbers, item=st.integers(1, 99), done=st.booleans()),
    st.builds(SendAttachment, number=numbers, index=st.integers(1, 99)),
    st.builds(ReminderDone, number=numbers),
    st.builds(Snooze, number=numbers, choice=choices),
    st.builds(ChooseDue, number=numbers, choice=st.sampled_from((*QUICK_DUE_CODES, NO_DUE_CODE))),
    st.builds(FindPage, offset=offsets),
    st.builds(FindDone, number=numbers, done=st.booleans(), offset=offsets),
    st.builds(TakeTask, number=numbers),
    st.builds(DropTask, number=numbers),
    st.builds(AssignedDone, chat_id=chat_ids, number=numbers),
    st.builds(AssignedSnooze, chat_id=chat_ids, number=numbers, choice=choices),
    st.just(ForgetChat()),
    st.just(KeepChat()),
    st.just(Nothing()),
)


@given(actions)
def test_every_action_encodes_within_64_bytes_and_decodes_back(action: object) -> None:
    data = encode(action)  # type: ignore[arg-type]
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert decode(data) == action


@given(st.one_of(st.text(max_size=80), st.binary(max_size=80), st.none(), st.integers()))
def test_any_callback_data_decodes_to_an_action_or_a_typed_error(data: object) -> None:
    try:
        action = decode(data)
    except InvalidCallbackData:
        return
    assert isinstance(data, str) and encode(action) == data  # only the canonical form decodes


def _button_handlers() -> list[CallbackQueryHandler[Any, Any]]:
    application = build_application(Settings(bot_token=TEST_BOT_TOKEN))  # type: ignore[arg-type]
    return [
        handler
        for group in application.handlers.values()
        for handler in group
        if isinstance(handler, CallbackQueryHandler)
    ]


BUTTON_HANDLERS = _button_handlers()


def _handlers_taking(data: object) -> list[str]:
    press = CallbackQuery("1", User(1, "A", is_bot=False), chat_instance="1", data=data)  # type: ignore[arg-type]
    update = Update(1, callback_query=press)
    return [h.callback.__name__ for h in BUTTON_HANDLERS if h.check_update(update)]


@given(actions)
def test_every_button_press_has_exactly_one_handler(action: object) -> None:
    # Registration order cannot matter: no two button handlers take the same press.
    (handler,) = _handlers_taking(encode(action))  # type: ignore[arg-type]
    assert handler != "outdated_button"


@given(st.one_of(st.text(min_size=1, max_size=80), st.sampled_from(["rd:1", "rs:1:9h", "t:0"])))
def test_a_press_no_action_decodes_to_has_the_outdated_handler_only(data: str) -> None:
    handlers = _handlers_taking(data)
    assert len(handlers) == 1
    assert (handlers == ["outdated_button"]) == (decoded(data) is None)


@given(st.text(max_size=300))
def test_any_numbers_argument_parses_or_is_a_usage_error(text: str) -> None:
    try:
        parsed = parse_numbers(text, usage="usage")
    except UsageError as error:
        assert error.message
        return
    assert parsed and all(0 <= n < 10**10 for n in parsed)
    assert len(parsed) == len(set(parsed))


@given(st.text(max_size=300))
def test_any_number_and_text_argument_parses_or_is_a_usage_error(text: str) -> None:
    try:
        number, rest = parse_number_and_text(text, usage="usage")
    except UsageError:
        return
    assert 0 <= number < 10**10 and rest == rest.strip()


@given(st.text(max_size=300))
def test_command_text_is_everything_after_the_command_word(text: str) -> None:
    assert command_text("/add@todo_test_bot " + text) == text.strip()
    assert command_text("/add\n" + text) == text.strip()


@given(st.text(max_size=400))
def test_any_title_is_cleaned_or_refused(raw: str) -> None:
    try:
        title = clean_title(raw)
    except InvalidTitle as error:
        assert error.reason
        return
    assert 1 <= len(title) <= TITLE_MAX_LENGTH
    assert title == title.strip() and "\n" not in title and "\x00" not in title


def _task(number: int, title: str, done: bool = False) -> Task:
    now = datetime.now(UTC)
    return Task(
        id=uuid4(),
        chat_id=1,
        number=number,
        title=title,
        description=None,
        done=done,
        completed_at=now if done else None,
        created_by=1,
        created_at=now,
        updated_at=now,
    )


titles = st.text(min_size=1, max_size=TITLE_MAX_LENGTH).map(str.strip).filter(bool)


@settings(max_examples=60)
@given(st.lists(titles, min_size=0, max_size=render_text.PAGE_SIZE), st.booleans())
def test_any_list_page_renders_as_valid_html_within_telegrams_limits(
    page_titles: list[str], done: bool
) -> None:
    tasks = [_task(n, title, done) for n, title in enumerate(page_titles, start=1)]
    page = TaskPage(
        done=done,
        tasks=tasks,
        open_total=len(tasks),
        done_total=len(tasks),
        previous_start=None,
        next_start=None,
    )
    text, markup = render_list.render_task_list(
        page, notice=render.render_deleted_notice(_task(9, "x"))
    )
    parsed = parse_html(text)
    assert utf16_len(parsed.text) <= render_text.MAX_MESSAGE_LENGTH
    for row in markup.inline_keyboard:
        for button in row:
            assert button.text
            assert len((button.callback_data or "").encode()) <= MAX_CALLBACK_BYTES  # type: ignore[union-attr]


@settings(max_examples=60)
@given(st.lists(titles, min_size=1, max_size=100))
def test_any_add_reply_renders_as_valid_html_within_telegrams_limits(
    added_titles: list[str],
) -> None:
    text = render.render_added([_task(n, t) for n, t in enumerate(added_titles, start=1)])
    assert utf16_len(parse_html(text).text) <= render_text.MAX_MESSAGE_LENGTH


@pytest.mark.parametrize(
    ("written", "number"), [("۳", 3), ("#۱۲", 12), ("٤٢", 42), ("3", 3), ("#07", 7)]
)
def test_task_numbers_in_persian_and_arabic_indic_digits_are_read(
    written: str, number: int
) -> None:
    assert parse_number(written, usage="usage") == number
    assert parse_numbers(f"{written}, 1", usage="usage") == [number, 1]


# The parser's strictness: only text after a marker (" @ " in /add, the text of /due) is read as
# a time, and a phrase with any word that is no time word is refused, never read in part.
_TIME_WORDS = sorted(
    {" ".join(key) for code in LANGUAGES for key in language_vocabulary(code).phrases}
    | {"1", "3", "15", "18:00", "9:30", "2026-12-01", "1.12.", "!", ","}
)
# Words of titles that no language reads as a time word.
_TITLE_WORDS = ["milk", "mom", "report", "Milch", "молоко", "leche", "شیر", "gym", "rent"]
_NOW = datetime(2026, 6, 10, 14, 0, tzinfo=UTC)


@settings(max_examples=300)
@given(
    words=st.lists(st.sampled_from(_TIME_WORDS) | st.text(max_size=12), max_size=10),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "Asia/Tehran"]),
)
def test_a_line_without_the_marker_never_gains_a_due_time(words: list[str], zone: str) -> None:
    line = " ".join(words).replace(" @ ", " ")
    title, phrase = split_due(line)
    assert (title, phrase) == (line, None)
    assert due_entries([phrase], now=_NOW, tz=ZoneInfo(zone)) == [DueEntry(None)]


@settings(max_examples=300)
@given(
    words=st.lists(st.sampled_from(_TIME_WORDS), min_size=1, max_size=8),
    title_word=st.sampled_from(_TITLE_WORDS),
    at=st.integers(0, 8),
    language=st.sampled_from(LANGUAGES),
)
def test_a_phrase_with_a_word_of_a_title_is_refused_whole(
    words: list[str], title_word: str, at: int, language: str
) -> None:
    # "every other friday milk", "Milch jeden Monat am 15.": never a repeat with a word dropped
    phrase = " ".join([*words[:at], title_word, *words[at:]])
    with pytest.raises(WhenError):
        parse_when(phrase, now=_NOW, tz=ZoneInfo("UTC"), language=language)


# The same strictness for priorities, labels and checklists: `!1`..`!3` (or `!0`) only as a word
# of its own, a label only as a hashtag that is no number, an item only on a line that starts
# with "- " or "•". Words that come close to those markers and are none of them:
_NEAR_MARKERS = [
    "!",
    "!!",
    "!!1",
    "!4",
    "!10",
    "1!",
    "a!1",
    "!1a",
    "(!1)",
    "!1!",
    "wow!",
    "what?!",
    "¡1",
    "#",
    "##",
    "#3",
    "#42",
    "#٣",
    "C#",
    "x#y",
    "##tag",
    "#-",
    "#!",
    "&#35;",
    "＃tag",
    "-",
    "-5",
    "--",
    "—",
    "–",
    "e-mail",
    "-x",
    "x•",
    "•",
    "*",
    "+",
    "@",
    "@@",
    "2",
    "15:00",
    "milk",
    "Buy",
    "Milch",
    "молоко",
    "شیر",
]


@settings(max_examples=500)
@given(
    words=st.lists(
        st.sampled_from(_NEAR_MARKERS) | st.text(alphabet="ab1 ", max_size=6),
        min_size=1,
        max_size=12,
    ),
    first=st.sampled_from(["milk", "Buy", "2", "#3", "!", "C#", "—"]),
)
def test_a_title_without_the_markers_never_gains_a_priority_label_checklist_or_due_time(
    words: list[str], first: str
) -> None:
    line = " ".join([first, *words])
    while " @ " in line:  # (replacing once may leave one: "a @ @ b")
        line = line.replace(" @ ", " ")
    assert read_new_tasks(line, usage="usage") == [NewTaskLine(line)]
    assert labels_of(line) == ()


@settings(max_examples=300)
@given(
    st.text(max_size=60).filter(
        lambda t: not set(t) & set("#!@-•\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
    )
)
def test_any_text_without_marker_characters_is_a_plain_title(text: str) -> None:
    found = read_new_tasks(text, usage="usage")
    assert found == ([NewTaskLine(text)] if text.strip() else [])
    assert labels_of(text) == ()


@settings(max_examples=300)
@given(
    words=st.lists(st.sampled_from(["milk", "Buy", "#3", "C#", "!", "2"]), min_size=1, max_size=6),
    priority=st.integers(1, 3),
    at=st.integers(0, 6),
    items=st.lists(st.sampled_from(["eggs", "#3", "!1", "a - b"]), max_size=4),
)
def test_the_markers_are_read_exactly(
    words: list[str], priority: int, at: int, items: list[str]
) -> None:
    line = " ".join([*words[:at], f"!{priority}", *words[at:]])
    text = "\n".join([line, *(f"- {item}" for item in items)])
    (read,) = read_new_tasks(text, usage="usage")
    assert read == NewTaskLine(" ".join(words), None, priority, tuple(items))


@given(st.text(max_size=200))
def test_any_list_argument_is_a_filter_or_a_usage_error(text: str) -> None:
    try:
        done, page_filter = read_list_arguments(text, usage="usage")
    except UsageError:
        return
    assert isinstance(done, bool)
    assert all(label == label.lower() for label in page_filter.labels)
