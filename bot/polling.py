"""Long polling that a killed process loses nothing of.

Telegram forgets the updates of a batch when the next getUpdates asks for a higher offset, so
each non-empty batch is written to the journal (`received_updates`) before that: in one
statement, which also forgets the updates handled since the batch before. Handling starts at
once, beside the journal write; the next getUpdates waits for the write. A graceful stop
confirms the batch in hand, finishes the updates and forgets them; a start hands whatever a
killed process left in the journal to the application before it polls again. An idle bot sends
the database nothing: empty batches write no journal.

This is a loop of its own rather than python-telegram-bot's Updater, which confirms a batch
with the next getUpdates and offers no step in between, keeps its offset private (so a start
could not skip what the journal already holds) and hands on parsed updates only.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.updates import PerChatUpdateProcessor
from storage.db import Database
from storage.update_journal import forget_handled, record_received, take_left_over

log = logging.getLogger(__name__)

# An update found left over by this many starts in a row is dropped: its handling is what kills
# the process (running out of memory on it, say), and it would stop every start after.
MAX_REPLAYS = 3
# Pauses after failed getUpdates calls: the first, growing by half each time up to the last.
FIRST_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
# While answers queue for their turn under the overall flood limit, fetching more updates at
# once only makes them wait in that queue: the next getUpdates waits for half of it (at most
# this long), so that a batch brings more updates for one call and one journal write.
MAX_FETCH_PAUSE_SECONDS = 1.0


class RawUpdatesRequest(HTTPXRequest):
    """The connection getUpdates uses, keeping the updates of its last answer as Telegram sent
    them: python-telegram-bot hands on parsed updates, and the journal keeps the original."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.last_updates: list[dict[str, Any]] = []

    # PTB declares it static, calls it on the instance, and documents overriding it.
    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        answer: dict[str, Any] = super().parse_json_payload(payload)
        result = answer.get("result")
        self.last_updates = result if isinstance(result, list) else []
        return answer


def polling_request() -> RawUpdatesRequest:
    """The getUpdates connection of a polling bot (python-telegram-bot adds each long poll's
    timeout to its read timeout)."""
    return RawUpdatesRequest(
        connection_pool_size=1, connect_timeout=10, read_timeout=10, write_timeout=15
    )


class JournaledPolling:
    """getUpdates in a loop, each batch journaled before it is confirmed to Telegram."""

    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        database: Database,
        *,
        request: RawUpdatesRequest,
        timeout: int,
        allowed_updates: Sequence[str],
        send_backlog: Callable[[], float] | None = None,
    ) -> None:
        """`request`: the one the application's bot makes its getUpdates calls with;
        `send_backlog`: how long a message sent now would wait for its turn (flood limits)."""
        processor = application.update_processor
        if not isinstance(processor, PerChatUpdateProcessor):
            raise TypeError("the application's update processor must be PerChatUpdateProcessor")
        processor.on_handled = self._handled_one
        self._application = application
        self._request = request
        self._database = database
        self._timeout = timeout
        self._allowed_updates = list(allowed_updates)
        self._send_backlog = send_backlog
        self._offset = 0
        # Handled since the last journal write: the next write forgets them.
        self._handled: list[int] = []
        self._replayed = application.bot_data.replayed_updates

    def _handled_one(self, update: object) -> None:
        if isinstance(update, Update):
            self._handled.append(update.update_id)
            self._replayed.discard(update.update_id)

    async def replay_left_over(self) -> None:
        """Hand the application what a killed process left unhandled, and poll on after it."""
        bot = self._application.bot
        left_over = await take_left_over(self._database, bot_id=bot.id)
        if not left_over:
            return
        self._offset = left_over[-1].update_id + 1  # Telegram may forget them: they are here
        replaying = [update for update in left_over if update.replays <= MAX_REPLAYS]
        for dropped in (update for update in left_over if update.replays > MAX_REPLAYS):
            log.error(
                "dropping update %d: %d processes stopped without handling it",
                dropped.update_id,
                dropped.replays,
            )
            self._handled.append(dropped.update_id)
        if replaying:
            log.warning(
                "handling %d updates that a stopped process had fetched but not handled",
                len(replaying),
            )
        for left in replaying:
            try:
                update = Update.de_json(json.loads(left.body), bot)
            except Exception:  # not an update this version can read: never will be
                log.exception("dropping update %d: it cannot be read", left.update_id)
                self._handled.append(left.update_id)
                continue
            self._replayed.add(left.update_id)
            await self._application.update_queue.put(update)

    async def run(self, stop: asyncio.Event) -> None:
        """Fetch, hand on and journal batches until `stop` is set (a long poll in flight is
        abandoned: Telegram keeps what it would have brought)."""
        backoff = FIRST_BACKOFF_SECONDS
        while not stop.is_set():
            pause = 0.0
            try:
                updates = await self._fetch(stop)
            except RetryAfter as error:
                pause = error.retry_after.total_seconds()  # type: ignore[union-attr]
            except TimedOut:
                continue  # the long poll's connection went quiet: ask again
            except InvalidToken:
                log.error("Telegram rejected the bot token: polling stopped")
                return
            except Conflict as error:
                log.warning("getUpdates conflicts (another poller or a webhook?): %s", error)
                pause, backoff = backoff, min(MAX_BACKOFF_SECONDS, backoff * 1.5)
            except TelegramError as error:
                log.warning("getUpdates failed: %s", error)
                pause, backoff = backoff, min(MAX_BACKOFF_SECONDS, backoff * 1.5)
            except Exception:  # polling must go on whatever one answer held
                log.exception("getUpdates failed")
                pause, backoff = backoff, min(MAX_BACKOFF_SECONDS, backoff * 1.5)
            else:
                backoff = FIRST_BACKOFF_SECONDS
                if not updates:
                    continue
                await self._hand_on(updates)
                if self._send_backlog is None:
                    continue
                pause = min(self._send_backlog() / 2, MAX_FETCH_PAUSE_SECONDS)
            if pause > 0.0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)  # stopping cuts it short

    async def _fetch(self, stop: asyncio.Event) -> tuple[Update, ...]:
        """The next batch, or nothing once `stop` is set: a batch that came at the same time is
        left unconfirmed, for Telegram to deliver again after the restart."""
        fetching = asyncio.ensure_future(
            self._application.bot.get_updates(
                offset=self._offset, timeout=self._timeout, allowed_updates=self._allowed_updates
            )
        )
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({fetching, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if stop.is_set():
            fetching.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await fetching
            return ()
        return fetching.result()

    async def _hand_on(self, updates: tuple[Update, ...]) -> None:
        """Queue a batch for handling and journal it; then the next getUpdates may confirm it."""
        raw = {update["update_id"]: update for update in self._request.last_updates}
        received = [
            (update.update_id, json.dumps(raw[update.update_id], ensure_ascii=False))
            for update in updates
            if update.update_id in raw
        ]
        # Taken before handling starts: an update of this batch handled before the write is
        # forgotten by the write after it, not by this one, which inserts it.
        handled, self._handled = self._handled, []
        for update in updates:
            await self._application.update_queue.put(update)
        try:
            await record_received(
                self._database,
                bot_id=self._application.bot.id,
                received=received,
                handled=handled,
            )
        except Exception as error:  # the database is down: its updates fail to apply anyway
            log.warning(
                "could not journal %d updates (%s): handling them unjournaled",
                len(received),
                error,
            )
            self._handled[:0] = handled
        self._offset = updates[-1].update_id + 1

    async def confirm(self) -> None:
        """Tell Telegram the batches fetched so far arrived (they are journaled), after `run`."""
        if not self._offset:
            return
        try:
            await self._application.bot.get_updates(
                offset=self._offset, timeout=0, allowed_updates=self._allowed_updates
            )
        except TelegramError as error:
            log.warning("could not confirm the last updates (they may come again): %s", error)

    async def forget_handled(self) -> None:
        """Clear the journal of the updates handled (once the application has stopped)."""
        if not self._handled:
            return
        handled, self._handled = self._handled, []
        try:
            await forget_handled(self._database, bot_id=self._application.bot.id, handled=handled)
        except Exception as error:  # they are handled again at the next start, no worse
            log.warning("could not clear the journal of %d updates: %s", len(handled), error)
