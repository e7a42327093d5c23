"""What handlers get besides the update: the storage and who may do what, through a typed
context; and the type of the Application that runs them."""

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from handlers.permissions import Roles
from handlers.rate_limits import RateLimits
from storage.db import Database
from storage.languages import ChatLanguage
from storage.lists import DEFAULT_CAPS, ListCaps


@dataclass
class BotData:
    """Shared state of one running bot: created empty by PTB, filled in when the bot starts."""

    database: Database | None = None
    # The Mini App's https URL for "Open app" buttons, when the bot knows one.
    mini_app_url: str | None = None
    # Its short name with @BotFather, for t.me links to it (which work in groups too).
    mini_app_name: str | None = None
    # The key calendar feed addresses are made with (Settings.calendar_key).
    calendar_key: bytes = b""
    # (forum chat, topic) -> the topic's list id: the mapping never changes once made.
    topic_lists: dict[tuple[int, int], int] = field(default_factory=dict)
    # Updates a killed process left unhandled, being handled again now (bot/polling.py).
    replayed_updates: set[int] = field(default_factory=set)
    # chat id -> its language as last read from storage, and until when that is trusted
    # (handlers.language): a cache, so that an update costs no statement of its own for it.
    chat_languages: dict[int, tuple[ChatLanguage, float]] = field(default_factory=dict)
    # Members' roles, asked of Telegram and cached (handlers.permissions): made by bot.app.
    roles: Roles | None = None
    # Per-user rate limits (handlers.rate_limits) and how many tasks a list may hold: bot.app sets
    # them from the settings.
    limits: RateLimits = field(default_factory=RateLimits.of)
    caps: ListCaps = DEFAULT_CAPS


class BotContext(
    CallbackContext[ExtBot[int], dict[object, object], dict[object, object], BotData]
):
    """The context handlers receive; `db` is the storage every handler calls."""

    @property
    def db(self) -> Database:
        database = self.bot_data.database
        if database is None:
            raise RuntimeError("the database is not open yet")
        return database

    @property
    def roles(self) -> Roles:
        """Who is what in which chat (the one cached view: handlers.permissions)."""
        if self.bot_data.roles is None:
            self.bot_data.roles = Roles(self.bot)
        return self.bot_data.roles


# The Application as bot.app builds it: what every register() takes. Its bot is an ExtBot[int]
# because of the rate limiter (whose per-call argument is an int); the job queue is PTB's
# default type, though the bot runs none (no apscheduler: it is None at run time).
BotApplication = Application[
    ExtBot[int],
    BotContext,
    dict[Any, Any],
    dict[Any, Any],
    BotData,
    JobQueue[ContextTypes.DEFAULT_TYPE],
]
