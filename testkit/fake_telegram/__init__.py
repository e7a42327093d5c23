"""A fake Telegram Bot API server that tests and the benchmark run in-process and point the real
bot at.

It speaks HTTP on 127.0.0.1 like api.telegram.org (hand ``FakeTelegram.base_url`` to PTB's
``base_url``), records every call, keeps the messages the bot sent so tests can assert on what
the user would see, queues updates for ``getUpdates`` with Telegram's offset and long-poll
semantics, and rejects what Telegram rejects with Telegram's error texts.

``FakeTelegram`` is one class made of parts, one job per module:

- ``server``: the HTTP server (URLs, decoding parameters, dispatching, answering);
- ``methods``: each Bot API method, what it accepts, refuses and records;
- ``delivery``: getUpdates (offsets, long polls, conflicts) and the webhook settings;
- ``messages``: what a message may hold (text, HTML, keyboards, replies, topics);
- ``parse_mode``: Telegram's HTML parse mode, with its error texts;
- ``updates``: what users do, as updates queued for getUpdates;
- ``media``: users' photos, documents, voice notes and videos, and the bot's sends of them;
- ``faults``: failed calls, slow or held chats, blocked users, on a test's demand;
- ``recording``: the calls the bot made, and waiting for one;
- ``world``: the state those parts share, and the Telegram objects made from it;
- ``protocol``: a recorded call, an uploaded file, an error answer.
"""

from testkit.fake_telegram.protocol import ApiCall, UploadedFile
from testkit.fake_telegram.server import FakeTelegram
from testkit.fake_telegram.world import ChatHold

# The token the tests and the benchmark give their bots (BotFather's shape, no real bot).
TEST_BOT_TOKEN = "123456789:AAHfakeTokenForTheTestSuite_0123456789"

__all__ = ["TEST_BOT_TOKEN", "ApiCall", "ChatHold", "FakeTelegram", "UploadedFile"]
