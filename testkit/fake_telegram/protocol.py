"""The Bot API's wire as the fake speaks it: a recorded call, an uploaded file, and Telegram's
error answers."""

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded in a multipart request: its name, type and bytes."""

    file_name: str
    content_type: str
    data: bytes


@dataclass
class ApiCall:
    """One request the bot made: the method, its decoded parameters and the fake's answer.

    ``response`` is the ``result`` of a successful call, or the whole error body otherwise.
    """

    method: str
    params: dict[str, Any]
    response: Any
    ok: bool
    status: int = 200

    def describe(self) -> str:
        """Return a one-line summary for failure messages."""
        shown = json.dumps(self.params, ensure_ascii=False, default=repr)
        shown = shown if len(shown) <= 160 else shown[:157] + "..."
        outcome = "ok" if self.ok else f"{self.status} {self.response.get('description')}"
        return f"{self.method} {shown} -> {outcome}"


class ApiError(Exception):
    """A Bot API error response: HTTP status and Telegram's description."""

    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            self.body["parameters"] = parameters


def bad_request(reason: str) -> ApiError:
    """Return Telegram's 400 error with ``reason`` after "Bad Request: "."""
    return ApiError(400, f"Bad Request: {reason}")
