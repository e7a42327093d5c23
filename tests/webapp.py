"""Calling the bot's web app as a Mini App would: signed init data and the task API."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from bot.web.init_data import user_init_data
from bot.web.server import WebServer
from handlers.context import BotApplication
from storage.db import Database
from testkit.fake_telegram import TEST_BOT_TOKEN, FakeTelegram
from testkit.postgres import free_port


def init_data_of(user_id: int, *, age_seconds: int = 0, token: str = TEST_BOT_TOKEN) -> str:
    """Init data Telegram would give `user_id`'s Mini App `age_seconds` ago."""
    return user_init_data(user_id, bot_token=token, auth_date=int(time.time()) - age_seconds)


def signed_in(user_id: int, **options: Any) -> dict[str, str]:
    """The Authorization header of `user_id`'s Mini App."""
    return {"Authorization": f"tma {init_data_of(user_id, **options)}"}


@dataclass
class WebBot:
    """A running bot whose web app the tests call at `base_url`."""

    application: BotApplication
    telegram: FakeTelegram
    base_url: str

    @property
    def database(self) -> Database:
        database = self.application.bot_data.database
        assert database is not None
        return database


class TaskApi:
    """One user's client of the task API, on one chat's list."""

    def __init__(self, client: httpx.AsyncClient, *, user_id: int, chat_id: int | None = None):
        self.client = client
        self.user_id = user_id
        self.chat_id = user_id if chat_id is None else chat_id

    def on(self, chat_id: int) -> "TaskApi":
        """The same user on another chat's list."""
        return TaskApi(self.client, user_id=self.user_id, chat_id=chat_id)

    async def call(
        self, method: str, path: str = "", *, json: Any = None, **options: Any
    ) -> httpx.Response:
        """A request to /api/{chat}/tasks{path}, signed in as the user."""
        headers = {**signed_in(self.user_id), **options.pop("headers", {})}
        return await self.client.request(
            method, f"/api/{self.chat_id}/tasks{path}", json=json, headers=headers, **options
        )

    async def add(self, title: str, **more: Any) -> dict[str, Any]:
        """Create a task, which must succeed; the task as the API returns it."""
        response = await self.call("POST", json={"title": title, **more})
        assert response.status_code == 201, response.text
        task: dict[str, Any] = response.json()
        return task

    async def listed(self, **query: Any) -> dict[str, Any]:
        """A page of the list, which must succeed."""
        response = await self.call("GET", params=query)
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        return page


@asynccontextmanager
async def served(web: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A web app of the test's own making, served on a free port, and a client of it."""
    server = WebServer(web, host="127.0.0.1", port=free_port())
    serving = asyncio.create_task(server.serve_until_stopped())
    try:
        await asyncio.wait_for(server.listening.wait(), timeout=10)
        base_url = f"http://127.0.0.1:{server.config.port}"
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        await serving
