"""Priorities, labels and filtered lists end to end: `!1` in /add and /edit, /list in
priority, then due time, then number order (and saying so), `/list #label`, `today`,
`upcoming`, `!1` and their combinations, paged and ticked with their filter kept, /labels, and
filters by labels read back from the list message."""

import pytest

from handlers.callbacks import MAX_CALLBACK_BYTES
from tests.botdriver import ChatDriver, Reply

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")

ORDER = "by priority, then due time, then number"


def _task_lines(reply: Reply) -> list[str]:
    return [line for line in reply.text.splitlines() if line.startswith("#")]


def _all_data(reply: Reply) -> list[str]:
    return [b["callback_data"] for row in reply.buttons for b in row if "callback_data" in b]


async def test_list_orders_by_priority_then_due_time_then_number(
    private_chat: ChatDriver,
) -> None:
    await private_chat.send(
        "/add Read\nCall the bank #finance !1\nTaxes #finance @ in 3 days\nPay rent #home !2"
        "\nFix bike !1 @ in 2 hours"
    )
    listed = await private_chat.send("/list")
    assert listed.text.splitlines()[:2] == ["📋 To do · 5", ORDER]
    numbers = [line.split()[0] for line in _task_lines(listed)]
    assert numbers == ["#5", "#2", "#4", "#3", "#1"]
    assert "#2 🔴 Call the bank #finance" in listed.text.splitlines()
    assert listed.button_texts[3] == "⬜ #2 🔴 Call the bank #finance"


async def test_edit_sets_or_removes_the_priority(private_chat: ChatDriver) -> None:
    await private_chat.send("/add Call the bank")
    renamed = await private_chat.send("/edit 1 !3")
    assert renamed.text == "✏️ Renamed #1 to Call the bank"
    shown = await private_chat.send("/show 1")
    assert shown.text.startswith("#1 🟡 Call the bank") and "Priority: 🟡 !3" in shown.text
    await private_chat.send("/edit 1 Call the bank today !1")
    assert (await private_chat.send("/show 1")).text.startswith("#1 🔴 Call the bank today")
    await private_chat.send("/edit 1 !0")
    assert (await private_chat.send("/show 1")).text.startswith("#1 Call the bank today\n")


async def test_list_by_label_shows_the_filter_and_keeps_it_when_paged_and_ticked(
    private_chat: ChatDriver,
) -> None:
    titles = [f"bill {i} #Finance" if i % 2 else f"chore {i} #home" for i in range(1, 26)]
    await private_chat.send("/add " + "\n".join(titles))
    first = await private_chat.send("/list #finance")
    assert first.text.splitlines()[:3] == ["📋 To do", "🔎 #finance", ORDER]
    assert _task_lines(first)[0] == "#1 bill 1 #Finance" and len(_task_lines(first)) == 10
    assert all(len(data.encode()) <= MAX_CALLBACK_BYTES for data in _all_data(first))
    _, second = await private_chat.press(first, "More ▶")
    assert second is not None and "🔎 #finance" in second.text
    assert [line.split()[0] for line in _task_lines(second)] == [f"#{n}" for n in range(21, 26, 2)]
    _, ticked = await private_chat.press(second, "⬜ #23")
    assert ticked is not None and "#23" not in ticked.text and "🔎 #finance" in ticked.text
    _, back = await private_chat.press(ticked, "◀ Back")
    assert back is not None and _task_lines(back)[0] == "#1 bill 1 #Finance"
    _, done_view = await private_chat.press(back, "✅ Done (1)")
    assert done_view is not None and _task_lines(done_view) == ["#23 bill 23 #Finance"]


async def test_list_filters_by_due_time_and_priority_combined(private_chat: ChatDriver) -> None:
    await private_chat.send(
        "/add Soon #work !1 @ in 2 hours\nLater #work @ in 10 days\nNext week #work @ in 3 days"
        "\nHome !1 @ in 1 hour\nNo due #work !1"
    )
    upcoming = await private_chat.send("/list upcoming")
    assert [line.split()[0] for line in _task_lines(upcoming)] == ["#4", "#1", "#3"]
    assert "🔎 due in the next 7 days" in upcoming.text.splitlines()
    combined = await private_chat.send("/list upcoming #work !1")
    assert "🔎 #work · !1 · due in the next 7 days" in combined.text.splitlines()
    assert [line.split()[0] for line in _task_lines(combined)] == ["#1"]
    urgent = await private_chat.send("/list !1")
    assert [line.split()[0] for line in _task_lines(urgent)] == ["#4", "#1", "#5"]
    nothing = await private_chat.send("/list overdue")
    assert nothing.text.splitlines()[:2] == ["🔎 Nothing here matches.", "🔎 overdue"]
    wrong = await private_chat.send("/list tomorrow")
    assert wrong.text.startswith("ℹ️ I can't filter the list by “tomorrow”.")


async def test_labels_lists_each_label_with_its_counts(private_chat: ChatDriver) -> None:
    empty = await private_chat.send("/labels")
    assert empty.text.startswith("🏷 No labels yet.")
    await private_chat.send("/add Pay #Finance\nTaxes #finance #urgent\nSleep")
    await private_chat.send("/done 2")
    labels = await private_chat.send("/labels")
    assert labels.text.splitlines() == [
        "🏷 Labels · 2",
        "#finance · 1 open, 1 done",
        "#urgent · 0 open, 1 done",
        "",
        "/list #label shows a label's tasks, such as /list #finance",
    ]
