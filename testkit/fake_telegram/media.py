"""Photos, documents, voice notes and videos: users' messages with one (updates), and
sendPhoto, sendDocument, sendVoice and sendVideo by file_id, which Telegram refuses for a
file_id it never gave out and for one of another kind of file."""

from typing import Any

from testkit.fake_telegram.messages import MessageRules
from testkit.fake_telegram.protocol import UploadedFile, bad_request
from testkit.fake_telegram.updates import UpdateFactories

# Each kind of file as the message's field and the send method's parameter name it is; the
# beginning of its file_ids (as Telegram's look); its name in Telegram's refusals.
KINDS = {
    "photo": ("AgACAgIAAxkBAAIC", "Photo"),
    "document": ("BQACAgIAAxkBAAIB", "Document"),
    "voice": ("AwACAgIAAxkBAAID", "VoiceNote"),
    "video": ("BAACAgIAAxkBAAIE", "Video"),
}
WRONG_FILE_ID = "wrong file identifier/HTTP URL specified"


class MediaMessages(MessageRules, UpdateFactories):
    """Users' messages with a file, and the bot's sends of a file by its file_id."""

    def new_file_id(self, kind: str) -> str:
        """A file_id of this kind of file that the fake knows from now on."""
        file_id = f"{KINDS[kind][0]}{next(self._file_ids):016d}"
        self.file_kinds[file_id] = kind
        return file_id

    def send_media(
        self,
        chat_id: int,
        kind: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        caption: str | None = None,
        file_name: str | None = None,
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
    ) -> dict[str, Any]:
        """Queue a user's photo, document, voice note or video (`kind`), optionally captioned
        or a reply, as Telegram sends it (a photo in two sizes); return the update. Its
        file_ids may then be sent back by the bot."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind of file {kind!r}")
        user_id = self._sender(chat_id, user_id, chat_type, "send_media")
        user = self._remember_user(user_id)
        chat = self._remember_chat(chat_id, chat_type, user=user)
        if message_thread_id is not None:
            chat["is_forum"] = True
        message = self._file_message(
            chat_id,
            user,
            chat,
            kind,
            self._file_json(kind, file_name),
            caption=caption,
            reply_to_message_id=reply_to_message_id,
        )
        if message_thread_id is not None:
            message.update(message_thread_id=message_thread_id, is_topic_message=True)
        update = {"message": message}
        self.push_update(update)
        return update

    def _file_json(self, kind: str, file_name: str | None) -> Any:
        def described(file_id: str, **more: Any) -> dict[str, Any]:
            return {"file_id": file_id, "file_unique_id": file_id[-16:], **more}

        if kind == "photo":
            return [
                described(self.new_file_id("photo"), width=90, height=67, file_size=1_200),
                described(self.new_file_id("photo"), width=1280, height=960, file_size=98_000),
            ]
        file_id = self.new_file_id(kind)
        if kind == "document":
            name = file_name or "file.pdf"
            return described(file_id, file_name=name, mime_type="application/pdf", file_size=5)
        if kind == "voice":
            return described(file_id, duration=4, mime_type="audio/ogg", file_size=9_000)
        more = {"file_name": file_name} if file_name else {}
        return described(file_id, width=640, height=360, duration=7, file_size=70_000, **more)

    def _sent_file(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        """The file a send method was given: a known file_id of its kind (or an upload)."""
        given = params.get(kind)
        if not given:
            raise bad_request(f"there is no {kind} in the request")
        if isinstance(given, UploadedFile):
            return {"file_id": self.new_file_id(kind), "upload": given}
        file_id = str(given)
        if file_id.startswith(("http://", "https://")):
            return {"file_id": self.new_file_id(kind), "url": file_id}
        actual = self.file_kinds.get(file_id)
        if actual is None:
            raise bad_request(WRONG_FILE_ID)
        if actual != kind:
            raise bad_request(f"can't use file of type {KINDS[actual][1]} as {KINDS[kind][1]}")
        return {"file_id": file_id}

    async def _send_file(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        file = self._sent_file(params, kind)
        parsed = self._formatted(params, caption=True)
        self._check_not_blocked(chat_id)
        described = {"file_id": file["file_id"], "file_unique_id": file["file_id"][-16:]}
        shapes = {
            "photo": [{**described, "width": 1280, "height": 960}],
            "document": described,
            "voice": {**described, "duration": 4},
            "video": {**described, "width": 640, "height": 360, "duration": 7},
        }
        media = {"kind": kind, "json": shapes[kind], **file}
        stored = self._store(chat_id, params, parsed, media=media)
        return self._message_json(stored)

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "photo")

    async def _send_voice(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "voice")

    async def _send_video(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "video")
