"""Every message the bot renders, in every language, at its longest: valid HTML that Telegram
takes (the fake Bot API's parse-mode checker), within 4,096 characters, with callback data
within 64 bytes and button answers within 200 characters. Long German and Russian texts must
still fit."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from telegram import ForceReply, InlineKeyboardMarkup

from handlers import (
    render,
    render_assignees,
    render_due,
    render_errors,
    render_fields,
    render_forget,
    render_help,
    render_list,
    render_search,
    render_text,
    render_transfer,
)
from handlers.button_actions import ListView, Undo
from handlers.i18n import LANGUAGES, _, use_language
from handlers.language import render_language_menu
from handlers.rate_limits import RateLimited
from handlers.render_when import when_error_text
from handlers.task_files import ImportRejected
from handlers.task_import import read_tasks_file
from handlers.when import WhenError, shown
from handlers.when.errors import ENGLISH
from storage.assignees import AssignedTask, Assignee
from storage.errors import (
    AttachmentsFull,
    ChecklistFull,
    InvalidChecklistItem,
    InvalidDescription,
    InvalidDue,
    InvalidTitle,
    ItemNotFound,
    ListFull,
    NotAssignee,
    StorageUnavailable,
    TaskNotFound,
    TooManyTasks,
)
from storage.labels import LabelCount
from storage.search import SearchPage
from storage.task_fields import (
    ITEM_MAX_LENGTH,
    MAX_ATTACHMENTS,
    MAX_CHECKLIST_ITEMS,
    MAX_LABEL_LENGTH,
    MAX_LABELS,
    labels_of,
)
from storage.transfer import NOTHING_IMPORTED, Imported
from storage.values import (
    ATTACHMENT_KINDS,
    Attachment,
    ChecklistItem,
    Completed,
    DoneResult,
    ListFilter,
    Task,
    TaskPage,
)
from testkit.fake_telegram.messages import MAX_TEXT_LENGTH
from testkit.fake_telegram.parse_mode import parse_html, utf16_len

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
# The longest title there can be, with what HTML escapes, digits and right-to-left letters.
LONG_TITLE = ("Buy <2> & 'milk' \"now\" 12 שלום " * 12)[:256]
LONG_NOTE = ("Notes & <details>, line by line. " * 70)[:2000]


def task(
    number: int,
    title: str = LONG_TITLE,
    *,
    done: bool = False,
    due: datetime | None = None,
    recurrence: str | None = None,
    description: str | None = None,
    nag: int | None = None,
    priority: int | None = None,
    checklist: tuple[ChecklistItem, ...] = (),
    attachments: tuple[Attachment, ...] = (),
) -> Task:
    """A task as storage returns it."""
    return Task(
        id=uuid4(),
        chat_id=-1001234567890,
        number=number,
        title=title,
        description=description,
        done=done,
        completed_at=NOW if done else None,
        created_by=42,
        created_at=NOW - timedelta(days=3),
        updated_at=NOW,
        due_at=due,
        nag_minutes=nag,
        recurrence=recurrence,
        priority=priority,
        labels=labels_of(title),
        checklist=checklist,
        attachments=attachments,
    )


# The longest checklist and files a task can have.
LONG_ITEM = ("Item <3> & 'eggs' 12 שלום " * 12)[:ITEM_MAX_LENGTH]
CHECKLIST = tuple(ChecklistItem(LONG_ITEM, i % 2 == 0) for i in range(MAX_CHECKLIST_ITEMS))
FILES = tuple(
    Attachment(ATTACHMENT_KINDS[i % 4], "AgAC" + "x" * 200, "N&me <1>.pdf" * 20)
    for i in range(MAX_ATTACHMENTS)
)
# The longest filter: every label the longest, every priority, a due filter.
LONGEST_FILTER = ListFilter(
    labels=tuple(f"{i}" + "ß" * (MAX_LABEL_LENGTH - 1) for i in range(MAX_LABELS)),
    priorities=(1, 2, 3),
    due="upcoming",
)


def _many(count: int, *, start: int = 2_000_000_000) -> list[Task]:
    """Tasks with the biggest numbers, due soon, overdue and far ahead, repeating, of every
    priority, with the longest checklists and the most files."""
    dues = [NOW + timedelta(hours=5), NOW - timedelta(days=2), NOW + timedelta(days=900)]
    return [
        task(
            start + i,
            due=dues[i % 3],
            recurrence="weekly:4:18:30:2027-01-31" if i % 2 else None,
            priority=(1, 2, 3, None)[i % 4],
            checklist=CHECKLIST,
            attachments=FILES,
        )
        for i in range(count)
    ]


# Every refusal of a time phrase, with the longest params it can get (shown() cuts typed text).
TYPED = shown("x" * 100)
WHEN_ERRORS = [
    WhenError("empty"),
    WhenError("unreadable", text=TYPED),
    WhenError("passed"),
    WhenError("too_far"),
    WhenError("until_before_start"),
    WhenError("bad_until", text=TYPED),
    WhenError("bad_repeat", text=TYPED),
    WhenError("interval_too_long"),
    WhenError("ambiguous_nth", text=TYPED),
    WhenError("bad_reminders", text=TYPED),
    WhenError("reminders_limit", count=5),
    WhenError("not_time_of_day", text=TYPED),
    WhenError("twelve_hour_clock", text=TYPED),
    WhenError("not_duration", text=TYPED),
    WhenError("zero_duration"),
    WhenError("no_such_month", month=13),
    WhenError("no_such_day", day=31, month=2),
    WhenError("no_such_date", day=31, month=4, year=2027),
    WhenError("unknown_zone", name=TYPED),
    WhenError(
        "unknown_zone_suggestions",
        name=TYPED,
        suggestions=["America/Argentina/ComodRivadavia", "America/Indiana/Indianapolis"],
    ),
]
assert {error.kind for error in WHEN_ERRORS} == set(ENGLISH), "a refusal without a sample"

PEOPLE = [Assignee(10**12 + i, f"user_name_{i:02d}_" + "x" * 14, "Å" * 64) for i in range(20)]

Rendered = str | tuple[str, InlineKeyboardMarkup | ForceReply | None]


def _messages() -> Iterator[tuple[str, Rendered]]:
    """Every message and keyboard, with the longest values each can get."""
    tasks = _many(10)
    page = TaskPage(False, tasks, 2_000_000_000, 2_000_000_000, 5, 2_000_000_020, "Europe/Berlin")
    done_page = TaskPage(True, [task(9, done=True)], 3, 1, None, None, None)
    yield "help", render_help.render_help(first_time=True)
    yield "added one", render.render_added(tasks[:1], tz=BERLIN, now=NOW)
    yield "added many", render.render_added(_many(100), tz=BERLIN, now=NOW)
    completed = [Completed(t, NOW if i % 2 else None) for i, t in enumerate(_many(100))]
    missing = list(range(2_000_000_000, 2_000_000_100))
    yield "done", render.render_done_result(DoneResult(completed, missing), done=True)
    yield "open again", render.render_done_result(DoneResult(completed[:3], []), done=False)
    yield "renamed", render.render_renamed(tasks[0])
    yield "edit prompt", render.render_edit_prompt(tasks[0], asker=(42, "Å" * 200))
    yield "note set", render.render_note_set(task(5, description=LONG_NOTE))
    yield "note removed", render.render_note_set(task(5))
    yield "deleted", render.render_deleted(tasks[0])
    yield (
        "show",
        render.render_task(
            task(7, description=LONG_NOTE, done=True), author="Å" * 128, tz=BERLIN, now=NOW
        ),
    )
    yield "delete refused", render.render_delete_refused(tasks[0])
    for error in (
        TaskNotFound(2_000_000_000),
        InvalidTitle("too long", length=100_000, line=100),
        InvalidTitle("the title is empty"),
        InvalidDescription("too long", length=100_000),
        TooManyTasks(100),
        NotAssignee(3),
        StorageUnavailable(),
        ListFull(2_000_000_000, 2_000_000_000),
        InvalidDue("the due time will not do"),
    ):
        yield f"error {type(error).__name__}", render_errors.render_storage_error(error)
    for usage in (
        render.USAGE_ADD,
        render.USAGE_DONE,
        render.USAGE_EDIT,
        render.USAGE_DELETE,
        render.USAGE_SHOW,
        render.USAGE_NOTE,
        render_due.USAGE_DUE,
        render_due.USAGE_TIMEZONE,
        render_due.USAGE_NAG,
        render_due.USAGE_REMIND,
        render_due.USAGE_QUIET,
        render_due.USAGE_DIGEST,
        render_assignees.USAGE_ASSIGN,
        render_assignees.USAGE_UNASSIGN,
        render_assignees.GROUPS_ONLY,
        render_assignees.NO_BOTS,
        render_search.USAGE_FIND,
        render_transfer.USAGE_CALENDAR,
        render_errors.PLAIN_TEXT_HINT,
    ):
        yield f"usage {usage[:20]}", render_errors.render_usage(_(usage))
    for text in (
        render_errors.SOMETHING_WENT_WRONG,
        render_errors.BUTTON_OUTDATED,
        render_errors.UNKNOWN_COMMAND,
        render_transfer.EXPORT_CSV_CAPTION,
        render_transfer.EXPORT_EMPTY,
        render_transfer.CALENDAR_UNAVAILABLE,
        render_transfer.CALENDAR_PERSONAL_ONLY,
        render_transfer.CALENDAR_ADMINS_ONLY,
        render_errors.NOT_A_MEMBER,
        render_errors.MEMBERSHIP_UNKNOWN,
        render_forget.ADMINS_ONLY,
        render_forget.KEPT,
    ):
        yield f"text {text[:20]}", _(text)
    for error in WHEN_ERRORS:
        yield f"when {error.kind}", render_errors.render_usage(when_error_text(error))
        # /nag and /remind add their usage to the refusal.
        refusal = f"{when_error_text(error)}\n{_(render_due.USAGE_REMIND)}"
        yield f"when {error.kind} with usage", render_errors.render_usage(refusal)
    for what in ("tasks added", "imports", "requests"):
        yield f"rate limited {what}", render_errors.render_rate_limited(RateLimited(what, 3600))
    yield "undo refused", render.render_undo_refused(tasks[0])
    yield "forget group", render_forget.render_forget_prompt(group=True)
    yield "forget chat", render_forget.render_forget_prompt(group=False)
    for count in (0, 1, 2_000_000_000):
        yield f"forgotten {count}", render_forget.render_forgotten(count)
    undo = Undo(2_000_000_000, ListView(False, 2_000_000_000))
    notice = render.render_deleted_notice(tasks[0])
    yield (
        "list",
        render_list.render_task_list(
            page,
            notice=notice,
            undo=undo,
            now=NOW,
            app_url="https://todo.example.test/app?lang=fa",
        ),
    )
    yield "done list", render_list.render_task_list(done_page, now=NOW)
    filtered = TaskPage(
        False,
        tasks,
        2_000_000_000,
        2_000_000_000,
        5,
        2_000_000_020,
        "Europe/Berlin",
        LONGEST_FILTER,
    )
    yield (
        "filtered list",
        render_list.render_task_list(filtered, notice=notice, undo=undo, now=NOW),
    )
    nothing = TaskPage(False, [], 3, 0, None, None, None, LONGEST_FILTER)
    yield "filtered list empty", render_list.render_task_list(nothing, now=NOW)
    full = task(
        2_000_000_000,
        description=LONG_NOTE,
        due=NOW - timedelta(days=1),
        recurrence="weekly:4:18:30:2027-01-31",
        nag=10080,
        priority=1,
        checklist=CHECKLIST,
        attachments=FILES,
    )
    yield "show in full", render_fields.render_show(full, tz=BERLIN, now=NOW)
    yield (
        "card in full",
        render_assignees.render_task_card(
            full, author="Å" * 128, assignees=PEOPLE, tz=BERLIN, now=NOW
        ),
    )
    yield "items added", render_fields.render_items_added(full, 50)
    yield "attach prompt", render_fields.render_attach_prompt(full)
    yield "attached", render_fields.render_attached(full)
    labels = [LabelCount(f"{i}" + "ß" * 63, 10_000, 20_000) for i in range(200)]
    yield "labels", render_fields.render_labels(labels)
    yield "no labels", render_fields.render_labels([])
    for field_error in (
        InvalidChecklistItem("too long", length=100_000, place=50),
        InvalidChecklistItem("empty"),
        ChecklistFull(2_000_000_000, MAX_CHECKLIST_ITEMS),
        AttachmentsFull(2_000_000_000, MAX_ATTACHMENTS),
        ItemNotFound(2_000_000_000, 99),
        ItemNotFound(2_000_000_000, 99, attachment=True),
    ):
        text = render_fields.fields_error_text(field_error)
        assert text is not None
        yield f"error {type(field_error).__name__}", text
    for usage in (
        render_fields.USAGE_CHECK,
        render_fields.USAGE_ATTACH,
        render_fields.USAGE_LIST,
        render_fields.ATTACH_HINT,
    ):
        yield f"usage {usage[:20]}", render_errors.render_usage(_(usage))
    yield (
        "empty list",
        render_list.render_task_list(TaskPage(False, [], 0, 0, None, None), now=NOW),
    )
    late = task(8, due=NOW - timedelta(hours=3), nag=10080)
    yield (
        "due set",
        render_due.render_due_set(
            task(8, due=NOW + timedelta(days=3), recurrence="weekdays::08:00:2027-01-31"),
            tz=BERLIN,
            now=NOW,
            default_zone=True,
        ),
    )
    yield "due cleared", render_due.render_due_cleared(tasks[0])
    yield "due choices", render_due.render_due_choices(tasks[0])
    yield "reminder", render_due.render_reminder(late, tz=BERLIN, now=NOW, late=True)
    yield (
        "snoozed",
        render_due.render_snoozed(late, NOW + timedelta(minutes=10), tz=BERLIN, now=NOW),
    )
    yield (
        "reminder done",
        render_due.render_reminder_done(
            Completed(late, NOW + timedelta(days=7)), tz=BERLIN, now=NOW
        ),
    )
    yield "today", render_due.render_today(_many(200), tz=BERLIN, now=NOW, default_zone=True)
    yield "nothing today", render_due.render_today([], tz=BERLIN, now=NOW, default_zone=True)
    yield "digest", render_due.render_digest(_many(200), tz=BERLIN, now=NOW)
    yield (
        "timezone",
        render_due.render_timezone("America/Argentina/ComodRivadavia", now=NOW, tz=BERLIN),
    )
    yield "nag", render_due.render_nag(late)
    yield "nag off", render_due.render_nag(tasks[0])
    yield "quiet", render_due.render_quiet(22 * 60, 7 * 60)
    yield "quiet off", render_due.render_quiet(None, None)
    yield "digest setting", render_due.render_digest_setting(8 * 60)
    yield "digest off", render_due.render_digest_setting(None)
    yield "assigned", render_assignees.render_assigned(AssignedTask(tasks[0], PEOPLE))
    yield "assigned to no one", render_assignees.render_assigned(AssignedTask(tasks[0], []))
    yield (
        "unknown username",
        render_assignees.render_unknown_username("@" + "x" * 40, 2_000_000_000),
    )
    yield "not members", render_assignees.render_not_members(PEOPLE)
    yield (
        "card",
        render_assignees.render_task_card(
            task(7, description=LONG_NOTE), author="Å" * 128, assignees=PEOPLE, tz=BERLIN, now=NOW
        ),
    )
    groups = [("Å" * 128, _many(30)) for _ in range(20)]
    yield "mine", render_assignees.render_mine(groups, tz=BERLIN, now=NOW)
    yield "mine empty", render_assignees.render_mine([], tz=BERLIN, now=NOW)
    yield (
        "assigned reminder",
        render_assignees.render_assigned_reminder(
            late, group_title="Å" * 128, tz=BERLIN, now=NOW, late=True
        ),
    )
    yield (
        "group reminder",
        render_assignees.render_group_reminder(
            late, mentioned=PEOPLE, tz=BERLIN, now=NOW, late=False
        ),
    )
    search = SearchPage("m" * 200, _many(10), 2_000_000_000, 1_000_000, 10)
    yield "search", render_search.render_search_results(search)
    yield "search empty", render_search.render_search_results(SearchPage("m" * 200, [], 0, 0, 10))
    yield "search too long", render_search.find_too_long()
    yield "import prompt", render_transfer.render_import_prompt()
    yield "imported", render_transfer.render_imported(Imported(count=2, done=1, first=7, last=8))
    yield "imported nothing", render_transfer.render_imported(NOTHING_IMPORTED)
    with pytest.raises(ImportRejected) as rejected:
        read_tasks_file(b"title,done,due_at\n" + b",maybe,never\n" * 20, tz=BERLIN, now=NOW)
    yield "import rejected", render_transfer.render_import_rejected(rejected.value.problems)
    with pytest.raises(ImportRejected) as rejected:
        read_tasks_file(BAD_TIMES, tz=BERLIN, now=NOW)
    yield "import times rejected", render_transfer.render_import_rejected(rejected.value.problems)
    yield "export caption", render_transfer.render_export_caption(_many(3), truncated=True)
    feed = "https://todo.example.test/calendar/" + "t" * 43 + ".ics"
    yield "calendar", render_transfer.render_calendar_url(feed, reset=True)
    yield "calendar first", render_transfer.render_calendar_url(feed, reset=False)
    yield (
        "calendar of a group",
        render_transfer.render_calendar_url(feed, reset=False, group="Å" * 255),
    )
    yield "calendar sent", render_transfer.render_calendar_sent(reset=False)
    yield "calendar sent anew", render_transfer.render_calendar_sent(reset=True)
    yield "calendar start first", render_transfer.render_calendar_start_first("b" * 32)
    yield "calendars ended", render_transfer.render_calendar_all_ended(2_000_000_000)
    yield "language menu", render_language_menu()


# An import whose every row has a time or reminder a file may not hold.
BAD_TIMES = (
    b"title,due_at,created_at,timezone,remind_before\n"
    b"Far,9999-12-31T23:30:00+00:00,,,\n"
    b"Old,0001-01-01T00:30:00+00:00,,,\n"
    b"Late,,9999-12-31T23:30:00-05:00,,\n"
    b"Mars,,,Mars/Olympus,\n"
    b"Many,2027-01-01 09:00,,,1 2 3 4 5 6\n"
    b"Hours,2027-01-01 09:00,,,1h\n"
    b"Zero,2027-01-01 09:00,,,0\n"
)


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_message_is_html_telegram_takes_within_its_limits(code: str) -> None:
    with use_language(code):
        messages = list(_messages())
    for name, rendered in messages:
        text, markup = rendered if isinstance(rendered, tuple) else (rendered, None)
        shown = parse_html(text).text  # raises for markup Telegram would refuse
        assert 0 < utf16_len(shown) <= MAX_TEXT_LENGTH, f"{code} {name}: {utf16_len(shown)}"
        if isinstance(markup, ForceReply):
            assert len(markup.input_field_placeholder or "") <= 64, name
        if isinstance(markup, InlineKeyboardMarkup):
            for button in (b for row in markup.inline_keyboard for b in row):
                assert button.text.strip(), f"{code} {name}: an empty button"
                if button.callback_data is not None:
                    assert len(str(button.callback_data).encode()) <= 64, name


@pytest.mark.parametrize("code", LANGUAGES)
def test_button_answers_fit_in_200_characters(code: str) -> None:
    late = task(2_000_000_000, due=NOW - timedelta(hours=1))
    with use_language(code):
        answers = [
            render.render_notice_done(Completed(late, NOW)),
            render.render_notice_done(Completed(task(2_000_000_000, done=True))),
            render.render_notice_done(Completed(late)),
            render.render_deleted_answer(late),
            render.render_restored_answer(late),
            render_text.plain(render.render_delete_refused(late)),
            render_text.plain(render_errors.render_storage_error(NotAssignee(1))),
            render_text.plain(_(render_assignees.GROUPS_ONLY)),
            render_text.plain(render.render_undo_refused(late)),
            render_text.plain(_(render_errors.NOT_A_MEMBER)),
            render_text.plain(_(render_errors.MEMBERSHIP_UNKNOWN)),
            render_text.plain(_(render_forget.ADMINS_ONLY)),
            _(render_errors.BUTTON_OUTDATED),
            _("💤 Snoozed"),
            _("⏰ Saved"),
            render_fields.render_item_ticked(task(1, checklist=CHECKLIST), 1),
            render_fields.render_item_ticked(task(1, checklist=CHECKLIST), 2),
            render_text.plain(
                render_fields.fields_error_text(ItemNotFound(2_000_000_000, 50)) or ""
            ),
            _("⚠️ Telegram can't send this file any more (it may come from another bot)."),
        ]
    for answer in answers:
        assert 0 < len(answer) <= 200, f"{code}: {answer!r}"


def test_the_languages_differ_from_english() -> None:
    """No catalog is English in disguise: the help reads differently in each language."""
    helps = []
    for code in LANGUAGES:
        with use_language(code):
            helps.append(render_help.render_help(first_time=True))
    assert len(set(helps)) == len(LANGUAGES)
