"""The benchmark's baseline: python-telegram-bot alone, with nothing of the bot in it.

It answers every message with "ok" and every button press with an answer and an edit of the
pressed message, so it makes the same Bot API calls per update as the bot (one per command,
two per press) and only python-telegram-bot's own cost is left. It takes the bot's settings
that shape that cost: long polling, BOT_TOKEN and TELEGRAM_BASE_URL as `base_url`, the same
update types, poll timeout, request timeouts, defaults and number of concurrent updates. With
BENCH_RATE_LIMITER=1 it also takes python-telegram-bot's AIORateLimiter (30 sends a second);
the benchmark runs it with BENCH_RATE_LIMITER=0: python-telegram-bot's ceiling on this machine.

Run as `python -m bench.baseline_bot` (the benchmark starts it) with BOT_TOKEN and
TELEGRAM_BASE_URL.
"""

import logging
import os
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot.app import ALLOWED_UPDATES, MAX_CONCURRENT_UPDATES, POLL_TIMEOUT_SECONDS

os.environ.setdefault("PTB_TIMEDELTA", "true")


async def reply_ok(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any new message gets "ok"."""
    assert update.effective_message is not None
    await update.effective_message.reply_text("ok")


async def answer_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button press is answered, and its message edited (as the bot redraws its list)."""
    query = update.callback_query
    assert query is not None
    await query.answer("ok")
    await query.edit_message_text(f"ok {update.update_id}")


def build_application(token: str, base_url: str, *, rate_limiter: bool) -> Application:  # type: ignore[type-arg]
    """The baseline application, polling `base_url` (the token appended) like the bot.

    With `rate_limiter` it takes python-telegram-bot's AIORateLimiter.
    """
    # Any: the builder's type changes with a rate limiter (its argument type), not its use here.
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,
            )
        )
        .connect_timeout(10)
        .read_timeout(15)
        .write_timeout(15)
        .get_updates_read_timeout(POLL_TIMEOUT_SECONDS + 10)
        .concurrent_updates(MAX_CONCURRENT_UPDATES)
    )
    if rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    application = builder.build()
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, reply_ok))
    application.add_handler(CallbackQueryHandler(answer_press))
    return application


def main() -> None:
    """Poll until SIGTERM or SIGINT."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request URLs hold the token
    application = build_application(
        os.environ["BOT_TOKEN"],
        os.environ["TELEGRAM_BASE_URL"].rstrip("/"),
        rate_limiter=os.environ.get("BENCH_RATE_LIMITER", "1") == "1",
    )
    application.run_polling(allowed_updates=ALLOWED_UPDATES, timeout=POLL_TIMEOUT_SECONDS)


if __name__ == "__main__":
    main()
