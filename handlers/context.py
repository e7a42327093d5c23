"""What handlers get besides the update: the storage, through a typed context; and the type of
the Application that runs them."""

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from storage.db import Database
from storage.languages import ChatLanguage


@dataclass
class BotData:
    """Shared state of one running bot: created empty by PTB, filled in when the bot starts."""

    database: Database | None = None
    # The Mini App's https URL for "Open app" buttons, when the bot knows one.
    mini_app_url: str | None = None
    # The key calendar feed addresses are made with (Settings.calendar_key).
    calendar_key: bytes = b""
    # (forum chat, topic) -> the topic's list id: the mapping never changes once made.
    topic_lists: dict[tuple[int, int], int] = field(default_factory=dict)
    # Updates a killed process left unhandled, being handled again now (bot/polling.py).
    replayed_updates: set[int] = field(default_factory=set)
    # chat id -> its language as last read from storage, and until when that is trusted
    # (handlers.language): a cache, so that an update costs no statement of its own for it.
    chat_languages: dict[int, tuple[ChatLanguage, float]] = field(default_factory=dict)


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
