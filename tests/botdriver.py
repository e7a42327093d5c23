"""Driving the real bot through the fake Bot API the way a person in a chat would."""

from dataclasses import dataclass
from typing import Any

from testkit.fake_telegram import ApiCall, FakeTelegram


@dataclass
class Reply:
    """A message the bot sent or edited: its id, text as shown, raw HTML and buttons."""

    message_id: int
    text: str
    html: str
    buttons: list[list[dict[str, Any]]]
    # The forum topic the message is in (None: not a forum, or its General topic).
    message_thread_id: int | None = None

    @property
    def button_texts(self) -> list[str]:
        return [button["text"] for row in self.buttons for button in row]

    def button(self, starting_with: str) -> dict[str, Any]:
        """The first button whose text starts with `starting_with`."""
        for row in self.buttons:
            for button in row:
                if button["text"].startswith(starting_with):
                    return button
        raise AssertionError(f"no button starting with {starting_with!r} in {self.button_texts}")


def _reply_of(telegram: FakeTelegram, call: ApiCall) -> Reply:
    assert call.ok, f"the bot's {call.method} was rejected: {call.response}"
    result = call.response
    chat_id = result["chat"]["id"]
    stored = telegram.messages[(chat_id, result["message_id"])]
    markup = stored.get("reply_markup") or {}
    return Reply(
        message_id=result["message_id"],
        text=stored["text"],
        html=stored.get("html") or stored["text"],
        buttons=markup.get("inline_keyboard", []),
        message_thread_id=stored.get("message_thread_id"),
    )


class ChatDriver:
    """One user in one chat: sends messages and presses buttons, and waits for the bot."""

    def __init__(
        self,
        telegram: FakeTelegram,
        *,
        chat_id: int,
        user_id: int,
        chat_type: str = "private",
        first_name: str = "Tester",
    ) -> None:
        self.telegram = telegram
        self.chat_id = chat_id
        self.user_id = user_id
        self.chat_type = chat_type
        self.first_name = first_name

    def as_user(self, user_id: int, first_name: str = "Other") -> "ChatDriver":
        """Another member of the same chat."""
        return ChatDriver(
            self.telegram,
            chat_id=self.chat_id,
            user_id=user_id,
            chat_type=self.chat_type,
            first_name=first_name,
        )

    def _is_mine(self, call: ApiCall) -> bool:
        return str(call.params.get("chat_id")) == str(self.chat_id)

    async def send(self, text: str, **options: Any) -> Reply:
        """Send a message and return the bot's next message in this chat that Telegram took."""
        mark = self.telegram.mark()
        self.telegram.send_message(
            self.chat_id,
            text,
            user_id=self.user_id,
            chat_type=self.chat_type,
            first_name=self.first_name,
            **options,
        )
        call = await self.telegram.wait_for(
            "sendMessage", lambda call: call.ok and self._is_mine(call), after=mark
        )
        return _reply_of(self.telegram, call)

    async def send_unanswered(self, text: str, **options: Any) -> None:
        """Send a message the bot should not answer; proven by answering the next one first.

        The bot handles one chat's updates in order, so once the reply to a following /help
        arrives, the first message was handled.
        """
        mark = self.telegram.mark()
        self.telegram.send_message(
            self.chat_id, text, user_id=self.user_id, chat_type=self.chat_type, **options
        )
        await self.send("/help")
        sent = [
            call
            for call in self.telegram.calls[mark:]
            if call.method in {"sendMessage", "editMessageText"} and self._is_mine(call)
        ]
        assert len(sent) == 1, f"the bot answered {text!r}: {[c.params for c in sent]}"

    async def press(
        self, reply: Reply, button_text: str, *, expect_edit: bool = True
    ) -> tuple[str, Reply | None]:
        """Press a button on one of the bot's messages.

        Returns the press's answer text and, with `expect_edit`, the message as edited.
        """
        data = reply.button(button_text)["callback_data"]
        return await self.press_data(reply.message_id, data, expect_edit=expect_edit)

    async def press_data(
        self, message_id: int, data: str, *, expect_edit: bool = False
    ) -> tuple[str, Reply | None]:
        """Press a button carrying `data` (possibly forged) on message `message_id`."""
        mark = self.telegram.mark()
        update = self.telegram.press_button(
            self.chat_id, message_id, data, user_id=self.user_id, chat_type=self.chat_type
        )
        query_id = update["callback_query"]["id"]
        answer = await self.telegram.wait_for(
            "answerCallbackQuery",
            lambda call: call.ok and call.params.get("callback_query_id") == query_id,
            after=mark,
        )
        edited = None
        if expect_edit:
            call = await self.telegram.wait_for(
                "editMessageText",
                lambda call: (
                    call.ok and self._is_mine(call) and call.params.get("message_id") == message_id
                ),
                after=mark,
            )
            edited = _reply_of(self.telegram, call)
        return str(answer.params.get("text", "")), edited

    async def send_file(self, kind: str, **options: Any) -> Reply:
        """Send a photo, document, voice note or video (`kind`; options as the fake's
        send_media: caption, reply_to_message_id, file_name) and return the bot's next
        message in this chat."""
        mark = self.telegram.mark()
        self.telegram.send_media(
            self.chat_id, kind, user_id=self.user_id, chat_type=self.chat_type, **options
        )
        call = await self.telegram.wait_for(
            "sendMessage", lambda call: call.ok and self._is_mine(call), after=mark
        )
        return _reply_of(self.telegram, call)
