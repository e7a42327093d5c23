"""Settings from the environment and an optional `.env` file."""

import hashlib
import re
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers import rate_limits
from storage import lists
from storage.embedded import default_data_dir

# What BotFather hands out: the bot's numeric id, a colon, and a 35-character secret.
_TOKEN_SHAPE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{30,64}$")
DEFAULT_WEBHOOK_PORT = 8080
_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LOG_LEVELS = {"CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"}
# Where the web server serves the Mini App (bot/web/mini_app.py); its button opens that URL.
MINI_APP_PATH = "/app"
# The ports Telegram's own Bot API server posts webhooks to.
TELEGRAM_WEBHOOK_PORTS = frozenset({443, 80, 88, 8443})


class DatabaseSettings(BaseSettings):
    """What reaching the database takes (all that `python -m bot migrate` needs)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: SecretStr | None = Field(
        default=None, description="PostgreSQL URL; when unset an embedded server runs"
    )
    data_dir: Path = Field(
        default_factory=default_data_dir, description="Where the embedded PostgreSQL keeps data"
    )
    log_level: str = "INFO"

    @field_validator("database_url", mode="before")
    @classmethod
    def _blank_url_means_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"LOG_LEVEL must be one of {', '.join(sorted(_LOG_LEVELS))}")
        return level


class Settings(DatabaseSettings):
    """Everything the bot reads from its environment; see the README for each variable."""

    bot_token: SecretStr = Field(description="The token BotFather gave the bot")
    telegram_base_url: str | None = Field(
        default=None, description="Bot API base URL, the token appended (a self-hosted server)"
    )
    telegram_rate_limit: float = Field(
        default=30,
        ge=0,
        description="Bot API sends per second in all (Telegram's guideline); 0: no overall limit",
    )
    telegram_lookup_rate: float = Field(
        default=30,
        ge=0,
        description="Bot API lookups (getChatMember, getChat, getFile) per second, a budget"
        " apart from the sends; 0: no limit",
    )
    membership_cache_seconds: float = Field(
        default=5,
        ge=0,
        le=300,
        description="How long a group member's role is kept before Telegram is asked again",
    )
    max_open_tasks: int = Field(
        default=lists.MAX_OPEN_TASKS, ge=1, description="Open tasks one list may hold"
    )
    max_tasks: int = Field(
        default=lists.MAX_TASKS, ge=1, description="Tasks one list may hold, open and done"
    )
    api_rate_limit: int = Field(
        default=rate_limits.API_REQUESTS_PER_MINUTE,
        ge=0,
        description="Task API requests per user per minute (per process); 0: no limit",
    )
    add_rate_limit: int = Field(
        default=rate_limits.TASKS_ADDED_PER_MINUTE,
        ge=0,
        description="Tasks one user may add with /add per minute (per process); 0: no limit",
    )
    import_rate_limit: int = Field(
        default=rate_limits.IMPORTS_PER_HOUR,
        ge=0,
        description="Imports per user per hour (per process); 0: no limit",
    )
    webhook_url: str | None = Field(
        default=None,
        description="Public https URL Telegram posts updates to (http and any port with a"
        " self-hosted Bot API server); unset: polling",
    )
    webhook_secret: SecretStr | None = Field(
        default=None, description="Secret Telegram sends with each webhook call"
    )
    webhook_listen: str = Field(default="0.0.0.0", description="Address the web server binds")
    port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port of the web server: always in webhook mode (default 8080), and in"
        " polling mode only when set (then it serves /healthz)",
    )
    public_url: str | None = Field(
        default=None,
        description="Public https URL of this web server, for the Mini App (default: the origin"
        " of WEBHOOK_URL)",
    )
    mini_app_name: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_]{3,30}$",
        description="The Mini App's short name as registered with @BotFather (/newapp): group"
        " lists get a t.me/<bot>/<name> link to their list (no link without it)",
    )
    calendar_secret: SecretStr | None = Field(
        default=None,
        description="Secret the calendar feed addresses are made with (default: derived from"
        " BOT_TOKEN)",
    )

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _webhook_url_telegram_can_post_to(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        if not isinstance(value, str):
            return value
        parsed = urlsplit(value.strip())
        try:
            port = parsed.port
        except ValueError:
            raise ValueError("WEBHOOK_URL has a port that is no number") from None
        if info.data.get("telegram_base_url"):
            # A self-hosted Bot API server (`telegram-bot-api --local`) posts to any http or
            # https URL, on any port.
            if parsed.scheme not in {"http", "https"} or not parsed.hostname:
                raise ValueError("WEBHOOK_URL must be an http:// or https:// URL")
            return value.strip()
        if parsed.scheme != "https" or not parsed.hostname:
            raise ValueError(
                "WEBHOOK_URL must be an https:// URL (Telegram posts only there; http:// needs"
                " a self-hosted Bot API server in TELEGRAM_BASE_URL)"
            )
        if port is not None and port not in TELEGRAM_WEBHOOK_PORTS:
            raise ValueError(
                "WEBHOOK_URL's port must be 443, 80, 88 or 8443 (Telegram posts only to those)"
            )
        return value.strip()

    @field_validator("public_url", mode="before")
    @classmethod
    def _public_url_is_https(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str):
            parsed = urlsplit(value.strip())
            if parsed.scheme != "https" or not parsed.hostname or parsed.query or parsed.fragment:
                raise ValueError(
                    "PUBLIC_URL must be an https:// URL without query (Telegram opens Mini Apps"
                    " only over https)"
                )
            return value.strip().rstrip("/")
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret_shape(cls, value: object) -> object:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(raw, str) and not raw.strip():
            return None
        if isinstance(raw, str) and not _SECRET_SHAPE.match(raw.strip()):
            raise ValueError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return raw.strip() if isinstance(raw, str) else value

    @property
    def web_port(self) -> int | None:
        """The port the web server listens on, or None when there is no web server."""
        if self.port is not None:
            return self.port
        # With PUBLIC_URL the Mini App is promised at that address, polling or not.
        return DEFAULT_WEBHOOK_PORT if self.webhook_url or self.public_url else None

    @property
    def webhook_path(self) -> str:
        """The path of WEBHOOK_URL, which the web server answers on."""
        return urlsplit(self.webhook_url or "").path or "/"

    @property
    def public_base_url(self) -> str | None:
        """The bot's public web address (PUBLIC_URL, else WEBHOOK_URL's origin when that is
        https), or None: an http webhook, for a self-hosted Bot API server, is no address
        Telegram opens a Mini App at or a calendar app should fetch a private feed from."""
        if self.public_url:
            return self.public_url.rstrip("/")
        parts = urlsplit(self.webhook_url or "")
        if parts.scheme == "https":
            return f"{parts.scheme}://{parts.netloc}"
        return None

    @property
    def mini_app_url(self) -> str | None:
        """The https URL of the Mini App for a web_app button, or None when there is none.

        It is PUBLIC_URL's /app, else the /app of WEBHOOK_URL's origin (the same server).
        """
        base = self.public_base_url
        return base + MINI_APP_PATH if base else None

    def webhook_secret_token(self) -> str:
        """WEBHOOK_SECRET, or one derived from the bot token, so every instance agrees on it."""
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value()
        digest = hashlib.sha256(b"todo-bot webhook\0" + self.bot_token.get_secret_value().encode())
        return digest.hexdigest()

    def calendar_key(self) -> bytes:
        """The key calendar feed tokens are made with: from CALENDAR_SECRET, else the bot token
        (changing either changes every calendar address)."""
        secret = self.calendar_secret or self.bot_token
        return hashlib.sha256(b"todo-bot calendar\0" + secret.get_secret_value().encode()).digest()

    @field_validator("calendar_secret", mode="before")
    @classmethod
    def _blank_calendar_secret_means_none(cls, value: object) -> object:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        return None if isinstance(raw, str) and not raw.strip() else value

    @field_validator("bot_token")
    @classmethod
    def _token_has_botfathers_shape(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value().strip()
        if not token:
            raise ValueError("BOT_TOKEN is not set: get a token from @BotFather")
        if not _TOKEN_SHAPE.match(token):
            raise ValueError(
                "BOT_TOKEN does not look like a token from @BotFather (123456:ABC...)"
            )
        return SecretStr(token)

    @field_validator("telegram_base_url", mode="before")
    @classmethod
    def _blank_base_url_means_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


S = TypeVar("S", bound=DatabaseSettings)


class SettingsError(Exception):
    """The settings cannot be used; the message is one line for the person starting the bot."""


def load_settings(kind: type[S], **overrides: object) -> S:
    """Read the settings, or raise SettingsError with a one-line explanation (no secrets)."""
    try:
        return kind(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = ".".join(str(part) for part in item["loc"]).upper() or "settings"
            if item["type"] == "missing":
                problems.append(f"{name} is not set")
            else:
                message = str(item["msg"]).removeprefix("Value error, ")
                problems.append(message if name in message else f"{name}: {message}")
        raise SettingsError("; ".join(problems)) from None
