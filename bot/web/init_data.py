"""Telegram Mini App init data: checking that Telegram signed it for this bot, and reading it.

Telegram hands a Mini App `Telegram.WebApp.initData`, a query string of fields and a `hash`:
the hex HMAC-SHA256 of the data-check-string (every field but `hash`, sorted by key, as
`key=value` lines; `signature`, Telegram's Ed25519 signature for third parties, is a field like
any other here) keyed with HMAC-SHA256("WebAppData", bot token). Only Telegram and the bot know
that key, so valid init data proves who the user is; `auth_date` limits how long it does.
"""

import hashlib
import hmac
import json
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

# A Mini App keeps its init data for as long as it stays open; a day covers a working day with
# the app in the background, and a leaked copy is worthless after it.
MAX_AGE = timedelta(hours=24)
# Telegram's clock and ours may disagree by a little.
CLOCK_SKEW = timedelta(minutes=5)
# Real init data has about ten fields.
_MAX_FIELDS = 50


class InvalidInitData(Exception):
    """Init data that proves nothing; the message says why and is safe to show the caller."""


class ExpiredInitData(InvalidInitData):
    """Init data that Telegram signed, but longer ago than the maximum age."""


@dataclass(frozen=True, slots=True)
class InitData:
    """What valid init data says: who the user is, and how the Mini App was opened."""

    user_id: int
    first_name: str
    auth_date: datetime
    start_param: str | None
    chat_type: str | None


def _secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def _hash(fields: Mapping[str, str], bot_token: str) -> str:
    data_check_string = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    return hmac.new(_secret_key(bot_token), data_check_string.encode(), hashlib.sha256).hexdigest()


def sign_init_data(fields: Mapping[str, str], *, bot_token: str) -> str:
    """Init data as Telegram would hand it to the Mini App: the fields and their hash.

    For tests, and for trying the API by hand with one's own bot token.
    """
    unsigned = {key: value for key, value in fields.items() if key != "hash"}
    return urlencode({**unsigned, "hash": _hash(unsigned, bot_token)})


def user_init_data(
    user_id: int, *, bot_token: str, first_name: str = "Tester", auth_date: int | None = None
) -> str:
    """Signed init data of a user who opened the Mini App at `auth_date` (default: now)."""
    user = {"id": user_id, "first_name": first_name}
    fields = {
        "user": json.dumps(user, separators=(",", ":")),
        "auth_date": str(int(time.time()) if auth_date is None else auth_date),
    }
    return sign_init_data(fields, bot_token=bot_token)


def check_init_data(
    raw: str, *, bot_token: str, max_age: timedelta = MAX_AGE, now: datetime | None = None
) -> InitData:
    """The user the init data names, once its hash proves Telegram signed it for this bot.

    Raises InvalidInitData for anything else, ExpiredInitData when it is older than `max_age`.
    """
    try:
        pairs = parse_qsl(
            raw, keep_blank_values=True, strict_parsing=True, max_num_fields=_MAX_FIELDS
        )
    except ValueError:
        raise InvalidInitData("the init data is not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InvalidInitData("the init data has a field twice")
    given = fields.pop("hash", "")
    if not hmac.compare_digest(given.encode(), _hash(fields, bot_token).encode()):
        raise InvalidInitData("the init data is not signed by Telegram for this bot")

    try:
        auth_date = datetime.fromtimestamp(int(fields["auth_date"]), UTC)
    except (KeyError, ValueError, OverflowError, OSError):
        raise InvalidInitData("the init data has no valid auth_date") from None
    now = now or datetime.now(UTC)
    if auth_date > now + CLOCK_SKEW:
        raise InvalidInitData("the init data's auth_date is in the future")
    if now - auth_date > max_age:
        hours = max_age.total_seconds() / 3600
        raise ExpiredInitData(
            f"the init data is older than {hours:g} hours: close the Mini App and open it again"
        )

    try:
        user = json.loads(fields["user"])
        user_id = user["id"]
    except (KeyError, ValueError, TypeError):
        raise InvalidInitData("the init data names no user") from None
    if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
        raise InvalidInitData("the init data names no user")
    first_name = user.get("first_name")
    return InitData(
        user_id=user_id,
        first_name=first_name if isinstance(first_name, str) else "",
        auth_date=auth_date,
        start_param=fields.get("start_param"),
        chat_type=fields.get("chat_type"),
    )


def main(argv: list[str]) -> int:
    """`python -m bot.web.init_data USER_ID`: print init data for trying the API by hand."""
    from bot.settings import Settings, SettingsError, load_settings

    if len(argv) != 1 or not argv[0].isdigit():
        print(
            "usage: python -m bot.web.init_data USER_ID  (signs with BOT_TOKEN)", file=sys.stderr
        )
        return 2
    try:
        settings = load_settings(Settings)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(user_init_data(int(argv[0]), bot_token=settings.bot_token.get_secret_value()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
