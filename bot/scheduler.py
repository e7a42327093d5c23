"""The reminder scheduler: every instance runs one; PostgreSQL decides who sends what.

`send_due` claims the reminders and digests that are due (storage.claims: SKIP LOCKED and a
lease, so each goes out once however many instances run), sends them, and records what comes
next: a nag, a retry with backoff, or nothing. Reminders missed while no instance ran are due
at the first look after start and say that they are late. When it runs, and how it sleeps in
between without asking the database anything: bot.scheduler_loop. Time comes from an
injectable clock.

A group task with assignees is reminded to each assignee who started the bot, privately and in
their own time zone, and in the group (mentioning them) for those who did not.

Each message is written in the language of the chat it goes to (a private reminder to an
assignee: theirs), as storage last knew it (storage.languages).

A forum topic's list is reminded in its topic: a claim says where its messages go (`send_to`,
`thread_id`), and the group's membership and title are the real chat's.

A basic group that became a supergroup without the bot hearing of it is found when Telegram
refuses its old id: its list is moved (storage.group_upgrade) and the message sent to the new id.
A chat that refuses for good (the bot removed or blocked) has its reminders and digests parked
until the bot is back (storage.presence), as a my_chat_member update would have them.
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from handlers import render_assignees, render_due
from handlers.i18n import current_language, language_for, use_language
from handlers.permissions import Roles
from storage.assignees import Assignee, reminder_recipients
from storage.claims import (
    DigestClaim,
    Reminder,
    claim_due_digests,
    claim_due_reminders,
    finish_digest,
    finish_reminder,
)
from storage.db import Database
from storage.group_upgrade import move_group
from storage.local_time import chat_zone, in_quiet_hours, local_day_end, next_local_minute
from storage.presence import mark_gone
from storage.reminder_times import next_reminder
from storage.reminders import due_until

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# How long a claim is this instance's before another may take it (if this one died).
LEASE = timedelta(minutes=1)
# A reminder sent this long after its time says it is late.
LATE_AFTER = timedelta(minutes=2)
# Failed sends are retried after 1, 2, 4, ... minutes, at most this many times.
MAX_SEND_FAILURES = 8
# Errors after which a chat cannot be written to again: park its reminders (storage.presence).
_GONE = ("chat not found", "bot was kicked", "user is deactivated", "have no rights to send")


def _is_gone(error: TelegramError) -> bool:
    """Whether a refused send means the chat cannot be written to again."""
    if isinstance(error, Forbidden):
        return True
    return isinstance(error, BadRequest) and any(r in error.message.lower() for r in _GONE)


def system_clock() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


class Scheduler:
    """Sends due reminders and digests through `bot`, reading and claiming them in `database`."""

    def __init__(
        self,
        database: Database,
        bot: Bot,
        *,
        clock: Clock = system_clock,
        batch: int = 100,
        roles: Roles | None = None,
        app_url: str | None = None,
    ) -> None:
        self.database = database
        # The Mini App, for an "Open app" button under reminders in private chats.
        self.app_url = app_url
        self.bot = bot
        # Who is still in a group (handlers.permissions: the bot's one cached view, when given).
        self.roles = roles or Roles(bot)
        self.clock = clock
        self.batch = batch

    async def tick(self) -> int:
        """Claim and send every reminder and digest due now; how many messages went out."""
        sent, _ = await self.send_due(self.clock(), reminders=True, digests=True)
        return sent

    async def send_due(self, now: datetime, *, reminders: bool, digests: bool) -> tuple[int, bool]:
        """Claim and send the reminders and/or digests due at `now`: how many messages went
        out, and whether a claim was full (more may be due)."""
        sent, full = 0, False
        if reminders:
            claimed = await claim_due_reminders(
                self.database, now=now, lease_until=now + LEASE, limit=self.batch
            )
            results = await asyncio.gather(*(self._deliver(r, now) for r in claimed))
            sent, full = sent + sum(results), full or len(claimed) >= self.batch
        if digests:
            due = await claim_due_digests(
                self.database, now=now, lease_until=now + LEASE, limit=self.batch
            )
            results = await asyncio.gather(*(self._deliver_digest(d, now) for d in due))
            sent, full = sent + sum(results), full or len(due) >= self.batch
        return sent, full

    async def _deliver(self, reminder: Reminder, now: datetime) -> bool:
        task, settings = reminder.task, reminder.settings
        tz = chat_zone(settings.timezone)
        if settings.digest_minute is not None:
            # The chat reads its tasks in the daily digest instead of one message each.
            await self._finish(reminder, next_at=None)
            return False
        if in_quiet_hours(now, tz, settings.quiet_start, settings.quiet_end):
            assert settings.quiet_end is not None
            await self._finish(reminder, next_at=next_local_minute(now, tz, settings.quiet_end))
            return False
        late = now - reminder.due > LATE_AFTER
        mentioned: list[Assignee] = []
        if reminder.assigned:
            mentioned, reached = await self._tell_assignees(reminder, now, late=late)
            if reached and not mentioned:
                await self._finish_sent(reminder, now)
                return True
        with use_language(language_for(reminder.language)):
            text, markup = render_assignees.render_group_reminder(
                task, mentioned=mentioned, tz=tz, now=now, late=late
            )
            if reminder.send_to > 0:  # a private chat: its own list
                markup = render_due.with_app_button(markup, self._app_url())
        try:
            await self._send(
                reminder.send_to, text, reply_markup=markup, message_thread_id=reminder.thread_id
            )
        except TelegramError as error:
            if not _is_gone(error):
                return await self._retry_later(reminder, now, error)
            await self._chat_gone(reminder.send_to, error)
            await self._finish(reminder, next_at=None)
            return False
        await self._finish_sent(reminder, now)
        return True

    async def _tell_assignees(
        self, reminder: Reminder, now: datetime, *, late: bool
    ) -> tuple[list[Assignee], bool]:
        """Send a group task's reminder privately to each assignee who started the bot and is
        still in the group, in their own time zone (else the group's). Returns the assignees
        to mention in the group instead (not started, or the private message failed) and
        whether any assignee still in the group was found."""
        task, group_zone = reminder.task, reminder.settings.timezone
        recipients = await reminder_recipients(self.database, task_id=task.id)
        in_group = await asyncio.gather(
            *(self.roles.is_member(reminder.send_to, person.user_id) for person in recipients)
        )
        current = [person for person, member in zip(recipients, in_group, strict=True) if member]
        started = any(p.started for p in current)
        title = await self._group_title(reminder.send_to) if started else None
        mentioned: list[Assignee] = []
        for person in current:
            if person.started:
                # In the assignee's own language (their private chat's), not the group's.
                with use_language(language_for(person.language)):
                    text, markup = render_assignees.render_assigned_reminder(
                        task,
                        group_title=title,
                        tz=chat_zone(person.timezone or group_zone),
                        now=now,
                        late=late,
                    )
                    markup = render_due.with_app_button(markup, self._app_url(task.chat_id))
                try:
                    await self.bot.send_message(person.user_id, text, reply_markup=markup)
                    continue
                except TelegramError as error:
                    # Blocked the bot since, or unreachable: the group hears it for them.
                    log.info("reminder to assignee %s failed: %s", person.user_id, error)
                    if _is_gone(error):
                        await self._chat_gone(person.user_id, error)
            mentioned.append(Assignee(person.user_id, person.username, person.first_name))
        return mentioned, bool(current)

    def _app_url(self, list_id: int | None = None) -> str | None:
        """The Mini App's address in the language being written, on a list (default: the
        private chat's own)."""
        if self.app_url is None:
            return None
        query = {"lang": current_language()}
        if list_id is not None:
            query["chat"] = str(list_id)
        return f"{self.app_url}?{urlencode(query)}"

    async def _send(self, chat_id: int, text: str, **options: Any) -> int:
        """Send a message to a list's chat; the chat it went to. A basic group that has become
        a supergroup has its list moved, and gets the message at its new id."""
        try:
            await self.bot.send_message(chat_id, text, **options)
            return chat_id
        except ChatMigrated as error:
            new = error.new_chat_id
            moved = await move_group(self.database, old_chat_id=chat_id, new_chat_id=new)
            log.info("group %s became supergroup %s: %d tasks moved", chat_id, new, moved.tasks)
            await self.bot.send_message(new, text, **options)
            return new

    async def _chat_gone(self, chat_id: int, error: TelegramError) -> None:
        """Telegram says the chat cannot be written to again (the bot was removed or blocked,
        the chat is gone): park its reminders and digests until the bot is back, as when a
        my_chat_member update says so (storage.presence)."""
        parked = await mark_gone(self.database, chat_id=chat_id)
        log.info("chat %s is out of reach (%s): %d more reminders parked", chat_id, error, parked)

    async def _group_title(self, chat_id: int) -> str | None:
        try:
            return (await self.bot.get_chat(chat_id)).title
        except TelegramError:
            return None

    async def _finish_sent(self, reminder: Reminder, now: datetime) -> None:
        # Before the due time: its next reminder of this occurrence (before it, or then);
        # from the due time on: a nag, or nothing.
        task, nag = reminder.task, reminder.task.nag_minutes
        next_at = next_reminder(task.due_at, task.remind_before, now)
        if next_at is None and nag:
            next_at = now + timedelta(minutes=nag)
        await self._finish(reminder, next_at=next_at)

    async def _retry_later(self, reminder: Reminder, now: datetime, error: Exception) -> bool:
        failures = reminder.failures + 1
        if failures >= MAX_SEND_FAILURES:
            log.warning(
                "reminder for chat %s dropped after %d failed sends: %s",
                reminder.task.chat_id,
                failures,
                error,
            )
            await self._finish(reminder, next_at=None)
            return False
        delay = timedelta(minutes=2 ** (failures - 1))
        log.info(
            "reminder for chat %s failed (%s); again in %s", reminder.task.chat_id, error, delay
        )
        await self._finish(reminder, next_at=now + delay, failures=failures)
        return False

    async def _finish(
        self, reminder: Reminder, *, next_at: datetime | None, failures: int = 0
    ) -> None:
        await finish_reminder(
            self.database,
            task_id=reminder.task.id,
            lease_until=reminder.lease_until,
            next_at=next_at,
            failures=failures,
        )

    async def _deliver_digest(self, digest: DigestClaim, now: datetime) -> bool:
        settings = digest.settings
        if settings.digest_minute is None:
            await finish_digest(
                self.database, chat_id=digest.chat_id, lease_until=digest.lease_until, next_at=None
            )
            return False
        tz = chat_zone(settings.timezone)
        next_at = next_local_minute(now, tz, settings.digest_minute)
        tasks = await due_until(
            self.database, chat_id=digest.chat_id, until=local_day_end(now, tz)
        )
        sent, list_id = False, digest.chat_id
        if tasks:
            with use_language(language_for(digest.language)):
                text = render_due.render_digest(tasks, tz=tz, now=now)
            try:
                went_to = await self._send(
                    digest.send_to, text, message_thread_id=digest.thread_id
                )
                sent = True
                if went_to != digest.send_to:
                    list_id = went_to  # a basic group's list (it has no topics) moved there
            except TelegramError as error:
                log.info("digest for chat %s not sent: %s", digest.chat_id, error)
                if _is_gone(error):
                    await self._chat_gone(digest.send_to, error)
        await finish_digest(
            self.database, chat_id=list_id, lease_until=digest.lease_until, next_at=next_at
        )
        return sent
