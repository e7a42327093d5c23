"""What handlers get besides the update: the storage, through a typed context."""

from dataclasses import dataclass, field

from telegram.ext import CallbackContext, ExtBot

from storage.db import Database


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


class BotContext(
    CallbackContext[ExtBot[None], dict[object, object], dict[object, object], BotData]
):
    """The context handlers receive; `db` is the storage every handler calls."""

    @property
    def db(self) -> Database:
        database = self.bot_data.database
        if database is None:
            raise RuntimeError("the database is not open yet")
        return database
