"""Checklists end to end: items from `- ` lines in /add, /check, a button per item on /show
that ticks it (in a private chat and on a group's card), progress in /list, the last item not
completing the task, and a repeating task's items unticked when it comes back."""

import pytest

from handlers.button_actions import CheckItem
from handlers.callbacks import encode
from tests.botdriver import ChatDriver

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")


async def test_add_takes_the_lines_under_a_task_as_its_checklist(private_chat: ChatDriver) -> None:
    added = await private_chat.send("/add Trip !1\n- passport\n• tickets\nCall mom")
    assert added.text.splitlines() == [
        "➕ Added 2 tasks:",
        "#1 🔴 Trip · ☑️ 0/2",
        "#2 Call mom",
    ]
    listed = await private_chat.send("/list")
    assert "#1 🔴 Trip · ☑️ 0/2" in listed.text.splitlines()


async def test_an_item_line_needs_a_task_above_it(private_chat: ChatDriver) -> None:
    refused = await private_chat.send("/add - eggs")
    assert refused.text.startswith("ℹ️ A checklist item (“- …”) goes under its task's line.")


async def test_items_are_ticked_on_show_and_the_task_stays_open(private_chat: ChatDriver) -> None:
    await private_chat.send("/add Shop\n- eggs\n- milk")
    added = await private_chat.send("/check 1 bread")
    assert added.text.splitlines() == [
        "☑️ Added 1 item to #1 Shop.",
        "Checklist: 0 of 3 done. /show 1 ticks them.",
    ]
    shown = await private_chat.send("/show 1")
    assert "☑️ Checklist: 0 of 3 done" in shown.text
    assert shown.button_texts == ["⬜ 1. eggs", "⬜ 2. milk", "⬜ 3. bread"]
    answer, ticked = await private_chat.press(shown, "⬜ 2. milk")
    assert answer == "☑️ Ticked: milk"
    assert ticked is not None and "☑️ 2. milk" in ticked.text.splitlines()
    assert ticked.button_texts == ["⬜ 1. eggs", "☑️ 2. milk", "⬜ 3. bread"]
    for item in ("⬜ 1. eggs", "⬜ 3. bread"):
        _, ticked = await private_chat.press(ticked, item)
    assert ticked is not None and "☑️ Checklist: 3 of 3 done" in ticked.text
    assert "Status: ⬜ to do" in ticked.text  # the last item does not complete the task
    answer, _ = await private_chat.press(ticked, "☑️ 1. eggs")
    assert answer == "⬜ Open again: eggs"
    listed = await private_chat.send("/list")
    assert "#1 Shop · ☑️ 2/3" in listed.text.splitlines()


async def test_a_stale_or_forged_item_button_says_what_is_wrong(private_chat: ChatDriver) -> None:
    await private_chat.send("/add Shop\n- eggs")
    shown = await private_chat.send("/show 1")
    answer, _ = await private_chat.press_data(shown.message_id, encode(CheckItem(1, 7, True)))
    assert answer == "🤷 #1 has no checklist item 7. /show 1 lists them."
    answer, _ = await private_chat.press_data(shown.message_id, encode(CheckItem(9, 1, True)))
    assert answer == "🤷 There is no task #9 here. /list shows the numbers."


async def test_check_refuses_what_a_checklist_cannot_hold(private_chat: ChatDriver) -> None:
    await private_chat.send("/add Big")
    usage = await private_chat.send("/check 1")
    assert usage.text.startswith("ℹ️ Usage: /check 3 Buy eggs")
    full = await private_chat.send("/check 1 " + "\n".join(f"item {i}" for i in range(51)))
    assert full.text == "⚠️ A checklist holds at most 50 items. Nothing was added."
    long = await private_chat.send("/check 1 ok\n" + "x" * 300)
    assert long.text == (
        "⚠️ That checklist item won't do: item 2: the item is 300 characters long;"
        " the limit is 256."
    )


async def test_a_repeating_task_comes_back_with_its_items_open(private_chat: ChatDriver) -> None:
    await private_chat.send("/add Water plants @ every day 9:00\n- kitchen\n- balcony")
    shown = await private_chat.send("/show 1")
    _, ticked = await private_chat.press(shown, "⬜ 1. kitchen")
    assert ticked is not None and "☑️ 1. kitchen" in ticked.text
    done = await private_chat.send("/done 1")
    assert "🔁 #1 is back for its next time." in done.text
    again = await private_chat.send("/show 1")
    assert again.button_texts == ["⬜ 1. kitchen", "⬜ 2. balcony"]


async def test_a_groups_card_ticks_items_and_keeps_take_it(group_chat: ChatDriver) -> None:
    await group_chat.send("/add Party\n- cake\n- music")
    card = await group_chat.send("/show 1")
    assert card.button_texts == ["⬜ 1. cake", "⬜ 2. music", "🙋 Take it", "🙅 Drop it"]
    other = group_chat.as_user(group_chat.user_id + 1, "Ann")
    answer, ticked = await other.press(card, "⬜ 2. music")
    assert answer == "☑️ Ticked: music"
    assert ticked is not None and "Added by Tester" in ticked.text
    assert ticked.button_texts == ["⬜ 1. cake", "☑️ 2. music", "🙋 Take it", "🙅 Drop it"]
