"""Checking Telegram Mini App init data, as Telegram documents it."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode

import pytest

from bot.web.init_data import (
    MAX_AGE,
    ExpiredInitData,
    InvalidInitData,
    check_init_data,
    main,
    sign_init_data,
)

# Init data of user 42 for the token "42:TEST", as published with aiogram's tests: computed by
# someone else's code, so it also catches a mistake that our signing and checking would share.
PUBLISHED_TOKEN = "42:TEST"
PUBLISHED = (
    "auth_date=1650385342"
    "&user=%7B%22id%22%3A42%2C%22first_name%22%3A%22Test%22%7D"
    "&query_id=test"
    "&hash=46d2ea5e32911ec8d30999b56247654460c0d20949b6277af519e76271182803"
)
PUBLISHED_AT = datetime.fromtimestamp(1650385342, UTC)


def test_init_data_signed_elsewhere_is_accepted() -> None:
    checked = check_init_data(
        PUBLISHED, bot_token=PUBLISHED_TOKEN, now=PUBLISHED_AT + timedelta(minutes=1)
    )
    assert (checked.user_id, checked.first_name, checked.auth_date) == (42, "Test", PUBLISHED_AT)


def test_the_hash_is_telegrams_documented_hmac() -> None:
    # secret_key = HMAC_SHA256(key="WebAppData", msg=bot_token);
    # hash = hex(HMAC_SHA256(key=secret_key, msg=data_check_string)), where the
    # data-check-string is every field but hash, sorted by key, as key=value lines.
    token = "123:ABC"
    fields = {"auth_date": "1700000000", "user": '{"id":7,"first_name":"Ann"}', "signature": "s"}
    data_check_string = "auth_date=1700000000\nsignature=s\nuser=" + fields["user"]
    secret_key = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    expected = hmac.new(secret_key, data_check_string.encode(), hashlib.sha256).hexdigest()
    assert dict(parse_qsl(sign_init_data(fields, bot_token=token)))["hash"] == expected


@pytest.mark.parametrize(
    "raw",
    [
        PUBLISHED.replace("id%22%3A42", "id%22%3A43"),  # another user
        PUBLISHED.replace("auth_date=1650385342", "auth_date=1650385343"),
        PUBLISHED + "&start_param=-100123",  # a field added
        PUBLISHED.replace("&query_id=test", ""),  # a field removed
        PUBLISHED.replace("hash=46d2", "hash=46D2"),
        PUBLISHED.split("&hash=")[0] + "&hash=%C3%A9%C3%A9",
        PUBLISHED.split("&hash=")[0],
        "",
        "test&foo=bar=baz",
    ],
)
def test_changed_or_unsigned_init_data_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInitData, match=r"not signed|not a query string"):
        check_init_data(raw, bot_token=PUBLISHED_TOKEN, now=PUBLISHED_AT)


def test_another_bots_token_does_not_check() -> None:
    with pytest.raises(InvalidInitData, match="not signed"):
        check_init_data(PUBLISHED, bot_token="42:INVALID", now=PUBLISHED_AT)


def test_init_data_expires_after_the_maximum_age() -> None:
    check_init_data(PUBLISHED, bot_token=PUBLISHED_TOKEN, now=PUBLISHED_AT + MAX_AGE)
    with pytest.raises(ExpiredInitData, match="older than 24 hours"):
        check_init_data(
            PUBLISHED, bot_token=PUBLISHED_TOKEN, now=PUBLISHED_AT + MAX_AGE + timedelta(seconds=1)
        )
    with pytest.raises(ExpiredInitData, match="older than 1 hours"):
        check_init_data(
            PUBLISHED,
            bot_token=PUBLISHED_TOKEN,
            max_age=timedelta(hours=1),
            now=PUBLISHED_AT + timedelta(hours=2),
        )


def test_init_data_from_the_future_is_refused_beyond_clock_skew() -> None:
    check_init_data(PUBLISHED, bot_token=PUBLISHED_TOKEN, now=PUBLISHED_AT - timedelta(minutes=4))
    with pytest.raises(InvalidInitData, match="future"):
        check_init_data(
            PUBLISHED, bot_token=PUBLISHED_TOKEN, now=PUBLISHED_AT - timedelta(minutes=6)
        )


@pytest.mark.parametrize(
    "user",
    [None, "not json", "[]", '{"first_name":"x"}', '{"id":"42"}', '{"id":true}', '{"id":-5}'],
)
def test_signed_init_data_without_a_user_id_is_refused(user: str | None) -> None:
    fields = {"auth_date": "1650385342"}
    if user is not None:
        fields["user"] = user
    raw = sign_init_data(fields, bot_token=PUBLISHED_TOKEN)
    with pytest.raises(InvalidInitData, match="names no user"):
        check_init_data(raw, bot_token=PUBLISHED_TOKEN, now=PUBLISHED_AT)


def test_a_field_given_twice_is_refused() -> None:
    raw = sign_init_data({"auth_date": "1650385342", "user": '{"id":1}'}, bot_token="1:x")
    with pytest.raises(InvalidInitData, match="twice"):
        check_init_data(raw + "&user=%7B%22id%22%3A2%7D", bot_token="1:x", now=PUBLISHED_AT)


def test_start_param_and_chat_type_are_read() -> None:
    fields = {
        "auth_date": "1650385342",
        "user": json.dumps({"id": 5, "first_name": "Ünïcödé 🎉"}),
        "start_param": "-100123",
        "chat_type": "supergroup",
    }
    checked = check_init_data(
        sign_init_data(fields, bot_token="1:x"), bot_token="1:x", now=PUBLISHED_AT
    )
    assert (checked.first_name, checked.start_param, checked.chat_type) == (
        "Ünïcödé 🎉",
        "-100123",
        "supergroup",
    )
    # Telegram's clients encode spaces as %20 and others as +: both read alike.
    raw = (
        urlencode(fields, quote_via=quote)
        + "&hash="
        + dict(parse_qsl(sign_init_data(fields, bot_token="1:x")))["hash"]
    )
    assert check_init_data(raw, bot_token="1:x", now=PUBLISHED_AT).user_id == 5


def test_the_command_line_signs_with_the_bots_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456789:AAHfakeTokenForTheTestSuite_0123456789")
    monkeypatch.chdir(tmp_path)
    assert main(["777"]) == 0
    printed = capsys.readouterr().out.strip()
    checked = check_init_data(
        printed, bot_token="123456789:AAHfakeTokenForTheTestSuite_0123456789"
    )
    assert checked.user_id == 777
    assert main(["me"]) == 2
