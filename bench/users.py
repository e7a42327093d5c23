"""One simulated user in a private chat: sends a command or presses a button, waits for it."""

import asyncio
import itertools
import re
import time
from collections.abc import Hashable
from dataclasses import dataclass

from bench.telegram import (
    Answer,
    AnsweringTelegram,
    callback_answer_key,
    edit_key,
    reply_key,
)
from testkit.fake_telegram import ApiCall

COMMAND_KINDS = ("add", "list", "press", "done")
# The bot's error and usage replies begin so (handlers/render_*.py); an "ok" never does.
ERROR_MARKS = ("😵", "⏳", "🤷", "⚠️", "ℹ️", "🔒")
_TASK_NUMBER = re.compile(r"#(\d+)")


@dataclass(frozen=True)
class Outcome:
    """One command or press: its kind, the time from update to answer, or what went wrong."""

    kind: str
    latency: float | None
    answered_at: float | None
    error: str | None = None


def _call_error(call: ApiCall) -> str | None:
    if not call.ok:
        return f"{call.method} rejected: {call.response.get('description')}"
    text = str(call.params.get("text") or "")
    if call.params.get("show_alert") or text.startswith(ERROR_MARKS):
        return f"{call.method} said {text[:100]!r}"
    return None


class ChatUser:
    """A user alone in a private chat with the bot (the chat id is the user id).

    With `reads_replies` the user takes task numbers and buttons from the bot's replies, as a
    person would; without it (the baseline, which answers "ok") it predicts them, so that both
    bots get updates of the same shape.
    """

    def __init__(
        self,
        telegram: AnsweringTelegram,
        chat_id: int,
        *,
        reads_replies: bool,
        timeout: float,
    ) -> None:
        self.telegram = telegram
        self.chat_id = chat_id
        self.reads_replies = reads_replies
        self.timeout = timeout
        self.open_numbers: list[int] = []
        self.list_message_id: int | None = None
        self._next_number = 1
        self._titles = itertools.count(1)

    async def act(self, kind: str) -> Outcome:
        """Do one action of `kind` (one of COMMAND_KINDS)."""
        match kind:
            case "add":
                return await self.add()
            case "list":
                return await self.show_list()
            case "press":
                return await self.press()
            case "done":
                return await self.done()
        raise ValueError(f"unknown action {kind!r}")

    async def add(self, count: int = 1) -> Outcome:
        """`/add` with `count` lines, one task each."""
        titles = [f"Task {next(self._titles)} of chat {self.chat_id}" for _ in range(count)]
        predicted = list(range(self._next_number, self._next_number + count))
        self._next_number += count
        outcome, call = await self._command("add", "/add " + "\n".join(titles))
        if outcome.error is None and call is not None:
            numbers = predicted
            if self.reads_replies:
                numbers = [int(n) for n in _TASK_NUMBER.findall(str(call.params.get("text")))]
                if len(numbers) != count:
                    return _failed(outcome, f"/add reply names {numbers}, not {count} task(s)")
            self.open_numbers += numbers
        return outcome

    async def show_list(self, command: str = "/list") -> Outcome:
        """`/list` (or a filtered one); its message is the one `press` ticks a task in."""
        outcome, call = await self._command("list", command)
        if outcome.error is None and call is not None:
            self.list_message_id = call.response["message_id"]
        return outcome

    async def done(self) -> Outcome:
        """`/done N` for the newest open task."""
        if not self.open_numbers:
            return Outcome("done", None, None, "no open task to mark done")
        number = max(self.open_numbers)
        outcome, _ = await self._command("done", f"/done {number}")
        if outcome.error is None:
            self.open_numbers.remove(number)
        return outcome

    async def press(self) -> Outcome:
        """Tick the first task of the last list: its row's first button.

        The latency is up to the press's answer; the user goes on once the list is redrawn.
        """
        target = self._tick_button()
        if self.list_message_id is None or target is None:
            return Outcome("press", None, None, "no task to tick in a list message")
        data, number = target
        started = time.perf_counter()
        update = self.telegram.press_button(
            self.chat_id, self.list_message_id, data, user_id=self.chat_id
        )
        answer_key = callback_answer_key(update["callback_query"]["id"])
        redraw_key = edit_key(self.chat_id, self.list_message_id)
        answered = self.telegram.expect(answer_key)
        redrawn = self.telegram.expect(redraw_key)
        answer = await self._wait(answer_key, answered)
        if answer is None:
            self.telegram.forget(redraw_key)
            return Outcome("press", None, None, f"no answer to a press within {self.timeout}s")
        outcome = Outcome("press", answer.at - started, answer.at, _call_error(answer.call))
        if outcome.error is not None:
            self.telegram.forget(redraw_key)
            return outcome
        edit = await self._wait(redraw_key, redrawn)
        if edit is None:
            return _failed(outcome, f"the list was not redrawn within {self.timeout}s")
        if (error := _call_error(edit.call)) is not None:
            return _failed(outcome, error)
        if number in self.open_numbers:
            self.open_numbers.remove(number)
        return outcome

    def _tick_button(self) -> tuple[str, int] | None:
        """The callback data of the first task row's first button, and that task's number."""
        if not self.reads_replies:
            if not self.open_numbers:
                return None
            number = min(self.open_numbers)
            return f"t:{number}:1:o{number}", number  # what the bot's button would carry
        stored = self.telegram.messages.get((self.chat_id, self.list_message_id or 0))
        rows = ((stored or {}).get("reply_markup") or {}).get("inline_keyboard", [])
        for row in rows:
            data = str(row[0].get("callback_data", ""))
            if data.startswith("t:"):
                return data, int(data.split(":")[1])
        return None

    async def _command(self, kind: str, text: str) -> tuple[Outcome, ApiCall | None]:
        key = reply_key(self.chat_id)
        replied = self.telegram.expect(key)
        started = time.perf_counter()
        self.telegram.send_message(self.chat_id, text, user_id=self.chat_id)
        answer = await self._wait(key, replied)
        if answer is None:
            return Outcome(kind, None, None, f"no reply to {kind} within {self.timeout}s"), None
        outcome = Outcome(kind, answer.at - started, answer.at, _call_error(answer.call))
        return outcome, answer.call

    async def _wait(self, key: Hashable, future: "asyncio.Future[Answer]") -> Answer | None:
        try:
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            self.telegram.forget(key)
            return None


def _failed(outcome: Outcome, error: str) -> Outcome:
    return Outcome(outcome.kind, outcome.latency, outcome.answered_at, error)
