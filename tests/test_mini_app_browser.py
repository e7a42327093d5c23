"""The Mini App in a real headless browser, on the running bot's web server and database."""

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import async_playwright, expect

from storage.errors import TaskNotFound
from storage.tasks import add_task, get_task, list_tasks, set_task_done
from tests.browser import (
    CHROMIUM_ARGS,
    DARK_THEME,
    LIGHT_THEME,
    chromium_or_skip,
    mini_app_page,
    screenshot_path,
)
from tests.factories import new_chat_id, new_user_id
from tests.webapp import WebBot, init_data_of

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    """Headless Debian chromium, driven by Playwright."""
    executable = chromium_or_skip()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


def _rgb(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


async def test_add_tick_rename_and_delete_a_task(browser: Any, web_bot: WebBot) -> None:
    db, user = web_bot.database, new_user_id()
    async with mini_app_page(browser, web_bot.base_url, init_data_of(user)) as app:
        page = app.page
        await expect(page.locator("#empty")).to_have_text("Nothing to do. Add a task above.")
        await expect(page.get_by_role("heading")).to_have_text("My tasks")
        row = page.locator('#tasks li[data-number="1"]')

        # Add
        await page.get_by_label("New task").fill("Buy milk")
        await page.get_by_label("New task").press("Enter")
        await expect(row.locator(".title")).to_have_text("Buy milk")
        await expect(page.get_by_label("New task")).to_have_value("")
        task = await get_task(db, chat_id=user, number=1)
        assert (task.title, task.done, task.created_by) == ("Buy milk", False, user)

        # Tick: the task leaves the open tasks
        await row.get_by_role("checkbox", name="Done: Buy milk").click()
        await expect(row).to_have_count(0)
        await expect(page.locator("#done-count")).to_have_text("1")
        await expect(page.locator("#open-count")).to_have_text("")
        assert (await get_task(db, chat_id=user, number=1)).done

        # The done view shows it ticked
        await page.get_by_role("tab", name=re.compile("Done")).click()
        await expect(row.get_by_role("checkbox")).to_be_checked()

        # Rename
        await page.get_by_role("button", name="Rename #1").click()
        title_input = page.get_by_label("New title of #1")
        await expect(title_input).to_have_value("Buy milk")
        await title_input.fill("Buy oat milk")
        await title_input.press("Enter")
        await expect(row.locator(".title")).to_have_text("Buy oat milk")
        task = await get_task(db, chat_id=user, number=1)
        assert (task.title, task.done) == ("Buy oat milk", True)

        # Delete, undo, delete again
        await page.get_by_role("button", name="Delete #1").click()
        await expect(page.locator("#toast")).to_contain_text("Deleted #1 Buy oat milk")
        await expect(row).to_have_count(0)
        with pytest.raises(TaskNotFound):
            await get_task(db, chat_id=user, number=1)
        await page.get_by_role("button", name="Undo").click()
        await expect(row.locator(".title")).to_have_text("Buy oat milk")
        await expect(page.locator("#toast")).to_be_hidden()
        assert (await get_task(db, chat_id=user, number=1)).title == "Buy oat milk"
        await page.get_by_role("button", name="Delete #1").click()
        await expect(page.locator("#toast")).to_be_visible()
        await expect(row).to_have_count(0)
        page_of_tasks = await list_tasks(db, chat_id=user, done=True)
        assert (page_of_tasks.open_total, page_of_tasks.done_total) == (0, 0)

        assert app.outside_requests == []
        assert app.errors == []
        assert (await app.telegram_calls())[:2] == ["ready", "expand"]


async def test_a_task_ticked_open_again_returns_to_the_open_tasks(
    browser: Any, web_bot: WebBot
) -> None:
    db, user = web_bot.database, new_user_id()
    await add_task(db, chat_id=user, title="Water plants", created_by=user)
    await set_task_done(db, chat_id=user, number=1, done=True)
    async with mini_app_page(browser, web_bot.base_url, init_data_of(user)) as app:
        page = app.page
        await page.get_by_role("tab", name=re.compile("Done")).click()
        await page.get_by_role("checkbox", name="Open again: Water plants").click()
        await expect(page.locator("#tasks li")).to_have_count(0)
        await expect(page.locator("#empty")).to_be_visible()
        await expect(page.locator("#empty")).to_have_text("No done tasks yet.")
        assert not (await get_task(db, chat_id=user, number=1)).done
        await page.get_by_role("tab", name=re.compile("Open")).click()
        await expect(page.locator("#tasks .title")).to_have_text(["Water plants"])


async def test_a_title_over_the_limit_is_refused_with_the_limit(
    browser: Any, web_bot: WebBot
) -> None:
    user = new_user_id()
    async with mini_app_page(browser, web_bot.base_url, init_data_of(user)) as app:
        await app.page.get_by_label("New task").fill("x" * 300)
        await app.page.get_by_role("button", name="Add").click()
        await expect(app.page.get_by_role("alert")).to_have_text(
            "The title is 300 characters long; the limit is 256."
        )
        assert (await list_tasks(web_bot.database, chat_id=user)).total == 0
        assert app.errors == [] or all("422" in error for error in app.errors)


async def test_a_group_member_works_on_the_groups_list(browser: Any, web_bot: WebBot) -> None:
    group, user = new_chat_id(group=True), new_user_id()
    web_bot.telegram.set_chat_member(group, user, "member")
    await add_task(web_bot.database, chat_id=group, title="From the chat", created_by=None)
    path = f"/app?chat={group}"
    async with mini_app_page(browser, web_bot.base_url, init_data_of(user), path=path) as app:
        page = app.page
        await expect(page.get_by_role("heading")).to_have_text("Group tasks")
        await expect(page.locator("#tasks .title")).to_have_text(["From the chat"])
        await page.get_by_label("New task").fill("From the Mini App")
        await page.get_by_label("New task").press("Enter")
        await expect(page.locator("#tasks .title")).to_have_text(
            ["From the chat", "From the Mini App"]
        )
    assert (await get_task(web_bot.database, chat_id=group, number=2)).created_by == user


async def test_someone_outside_the_group_is_told_and_sees_nothing(
    browser: Any, web_bot: WebBot
) -> None:
    group, user = new_chat_id(group=True), new_user_id()
    web_bot.telegram.set_chat_member(group, user, "left")
    await add_task(web_bot.database, chat_id=group, title="Secret plan", created_by=None)
    path = f"/app?chat={group}"
    async with mini_app_page(browser, web_bot.base_url, init_data_of(user), path=path) as app:
        await expect(app.page.get_by_role("alert")).to_contain_text("This list is not yours")
        await expect(app.page.locator("#tasks li")).to_have_count(0)
        assert "Secret plan" not in await app.page.content()


@pytest.mark.parametrize(
    ("init_data", "message"),
    [
        ("", "Open this app from the bot in Telegram"),
        (init_data_of(42, age_seconds=2 * 86400), "older than 24 hours"),
    ],
)
async def test_without_valid_init_data_the_page_says_what_to_do(
    browser: Any, web_bot: WebBot, init_data: str, message: str
) -> None:
    async with mini_app_page(browser, web_bot.base_url, init_data) as app:
        await expect(app.page.get_by_role("alert")).to_contain_text(message)


@pytest.mark.parametrize(
    ("scheme", "theme"), [("light", LIGHT_THEME), ("dark", DARK_THEME)], ids=["light", "dark"]
)
async def test_the_page_takes_telegrams_theme_colours(
    browser: Any, web_bot: WebBot, tmp_path: Path, scheme: str, theme: dict[str, str]
) -> None:
    db, user = web_bot.database, new_user_id()
    titles = [
        "Buy milk",
        "Call the plumber about the kitchen sink",
        "Book flights for the summer holiday",
        "Renew passport",
        "Water the plants",
    ]
    for title in titles:
        await add_task(db, chat_id=user, title=title, created_by=user)
    await set_task_done(db, chat_id=user, number=4, done=True)
    async with mini_app_page(
        browser, web_bot.base_url, init_data_of(user), theme=theme, scheme=scheme
    ) as app:
        page = app.page
        await expect(page.locator("#tasks .title")).to_have_count(4)
        await page.get_by_role("checkbox", name="Done: Water the plants").click()
        await expect(page.locator("#tasks .title")).to_have_count(3)
        colours = await page.evaluate(
            """() => ({
                page: getComputedStyle(document.body).backgroundColor,
                list: getComputedStyle(document.querySelector('#tasks')).backgroundColor,
                text: getComputedStyle(document.querySelector('.title')).color,
                button: getComputedStyle(document.querySelector('#add-button')).backgroundColor,
            })"""
        )
        assert colours == {
            "page": _rgb(theme["secondary_bg_color"]),
            "list": _rgb(theme["section_bg_color"]),
            "text": _rgb(theme["text_color"]),
            "button": _rgb(theme["button_color"]),
        }
        await page.get_by_label("New task").fill("Pick up the dry cleaning")
        await page.locator("main").screenshot(
            path=screenshot_path(tmp_path, f"mini-app-{scheme}.png")
        )
        assert app.outside_requests == [] and app.errors == []
