"""Attachments end to end: a photo, document, voice note or video sent in reply to a task's
/show message, to /attach's question or captioned /attach N is attached by its file_id; /show
lists the files and a button sends each back by that id (nothing downloaded); a file Telegram
no longer has, a document for /import, and a stray photo are told apart."""

import pytest

from storage.attachments import attach
from storage.db import Database
from storage.values import Attachment
from tests.botdriver import ChatDriver

pytestmark = pytest.mark.usefixtures("telegram_calls_all_ok")


async def test_a_photo_replying_to_show_is_attached_and_sent_back(
    private_chat: ChatDriver,
) -> None:
    await private_chat.send("/add Fix the sink")
    shown = await private_chat.send("/show 1")
    telegram = private_chat.telegram
    attached = await private_chat.send_file("photo", reply_to_message_id=shown.message_id)
    assert attached.text == (
        "📎 Attached to #1 Fix the sink: photo. It has 1 file; /show 1 sends it back."
    )
    mine = [m for (chat, _), m in telegram.incoming.items() if chat == private_chat.chat_id]
    photo = mine[-1]["photo"][-1]["file_id"]  # the largest size
    again = await private_chat.send("/show 1")
    assert "📎 Files: 1. 🖼 photo" in again.text
    assert "· 📎 1" in (await private_chat.send("/list")).text
    mark = telegram.mark()
    answer, _ = await private_chat.press(again, "🖼 1. photo", expect_edit=False)
    assert answer == ""
    sent = await telegram.wait_for("sendPhoto", lambda call: call.ok, after=mark)
    assert sent.params["photo"] == photo and sent.params["chat_id"] == private_chat.chat_id
    assert telegram.messages[(private_chat.chat_id, sent.response["message_id"])]["text"] == (
        "#1 Fix the sink"
    )
    assert [c.method for c in telegram.calls[mark:] if c.method == "getFile"] == []


async def test_attach_asks_and_a_voice_note_or_captioned_document_is_attached(
    private_chat: ChatDriver,
) -> None:
    await private_chat.send("/add Call the plumber")
    prompt = await private_chat.send("/attach 1")
    assert prompt.text.splitlines()[0] == "📎 #1 Call the plumber"
    voice = await private_chat.send_file("voice", reply_to_message_id=prompt.message_id)
    assert voice.text.startswith("📎 Attached to #1 Call the plumber: voice note. It has 1 file;")
    document = await private_chat.send_file("document", caption="/attach 1", file_name="quote.pdf")
    assert document.text.startswith("📎 Attached to #1 Call the plumber: document. It has 2")
    video = await private_chat.send_file("video", caption="/attach #1")
    assert "It has 3 files" in video.text
    shown = await private_chat.send("/show 1")
    assert "📎 Files: 1. 🎤 voice note, 2. 📄 quote.pdf, 3. 🎬 video" in shown.text
    assert shown.button_texts == ["🎤 1. voice note", "📄 2. quote.pdf", "🎬 3. video"]
    mark = private_chat.telegram.mark()
    await private_chat.press(shown, "📄 2. quote.pdf", expect_edit=False)
    await private_chat.telegram.wait_for("sendDocument", lambda call: call.ok, after=mark)


async def test_a_caption_naming_no_task_is_answered(private_chat: ChatDriver) -> None:
    missing = await private_chat.send_file("photo", caption="/attach 9")
    assert missing.text == "🤷 There is no task #9 here. /list shows the numbers."
    wrong = await private_chat.send_file("photo", caption="/attach soon")
    assert wrong.text.startswith("ℹ️ “soon” is not a task number.")


async def test_a_stray_photo_gets_a_hint_and_an_import_file_still_imports(
    private_chat: ChatDriver,
) -> None:
    hint = await private_chat.send_file("photo")
    assert hint.text.startswith("📎 To attach this to a task, reply to its /show message")
    prompt = await private_chat.send("/import")
    telegram = private_chat.telegram
    mark = telegram.mark()
    telegram.send_document(
        private_chat.chat_id,
        "tasks.csv",
        b"title\nFrom a file\n",
        reply_to_message_id=prompt.message_id,
    )
    call = await telegram.wait_for(
        "sendMessage", lambda c: c.ok and c.params["chat_id"] == private_chat.chat_id, after=mark
    )
    assert "Imported 1 task" in call.params["text"]


@pytest.mark.telegram_may_reject("wrong file identifier")
async def test_a_file_telegram_no_longer_has_is_said_so(
    private_chat: ChatDriver, direct_db: Database
) -> None:
    await private_chat.send("/add From another bot")
    foreign = Attachment("photo", "AgACAgIAAxkBAAICforeign0000000001")
    await attach(direct_db, chat_id=private_chat.chat_id, number=1, attachment=foreign)
    shown = await private_chat.send("/show 1")
    answer, _ = await private_chat.press(shown, "🖼 1. photo", expect_edit=False)
    assert answer == "⚠️ Telegram can't send this file any more (it may come from another bot)."


async def test_a_group_member_attaches_by_replying_to_the_card(group_chat: ChatDriver) -> None:
    await group_chat.send("/add Group trip")
    card = await group_chat.send("/show 1")
    attached = await group_chat.send_file("document", reply_to_message_id=card.message_id)
    assert attached.text.startswith("📎 Attached to #1 Group trip: document. It has 1 file;")
    again = await group_chat.send("/show 1")
    assert again.button_texts == ["📄 1. file.pdf", "🙋 Take it", "🙅 Drop it"]
