"""Every error of the web app as one JSON shape (`ApiError`), decided here and nowhere else."""

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.membership import MembershipUnknown
from handlers.rate_limits import RateLimited
from storage.errors import (
    ChecklistFull,
    InvalidChecklistItem,
    InvalidDescription,
    InvalidTitle,
    ItemNotFound,
    ListFull,
    StorageUnavailable,
    TaskNotFound,
    TooManyTasks,
)

FORBIDDEN = (
    "this list is not yours to use: it is another user's, or a group's you are not a member of"
)
_HTTP_ERRORS = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


class Problem(BaseModel):
    """One thing wrong with a request: where (`body.title`, `query.limit`) and what."""

    model_config = ConfigDict(frozen=True)

    location: str
    message: str


class ApiError(BaseModel):
    """Every error the API answers with."""

    error: str = Field(
        description="What kind of error: bad_request, unauthorized, forbidden, not_found,"
        " method_not_allowed, list_full, checklist_full, too_large, invalid_request,"
        " too_many_requests, unavailable, ...",
        examples=["not_found"],
    )
    message: str = Field(description="What went wrong, in a sentence for people")
    problems: list[Problem] = Field(
        default_factory=list, description="For invalid_request: each problem found"
    )


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI description of error answers, for a route's `responses`."""
    return {status: {"model": ApiError} for status in statuses}


class ApiProblem(Exception):
    """An error answer: its status, its kind (`ApiError.error`) and its message."""

    def __init__(
        self, status: int, error: str, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers


def unauthorized(message: str) -> ApiProblem:
    return ApiProblem(401, "unauthorized", message, headers={"WWW-Authenticate": "tma"})


def forbidden() -> ApiProblem:
    return ApiProblem(403, "forbidden", FORBIDDEN)


def too_many_requests(error: RateLimited) -> ApiProblem:
    """429: the caller went over their rate limit; nothing was done."""
    return ApiProblem(
        429,
        "too_many_requests",
        f"too many requests: nothing was done; try again in {error.retry_after} s",
        headers={"Retry-After": str(error.retry_after)},
    )


def _answer(
    status: int,
    error: str,
    message: str,
    problems: list[Problem] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ApiError(error=error, message=message, problems=problems or [])
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def _invalid(problems: list[Problem]) -> JSONResponse:
    summary = "; ".join(f"{problem.location}: {problem.message}" for problem in problems)
    return _answer(422, "invalid_request", f"the request is invalid: {summary}", problems)


def _problem(error: Any) -> Problem:
    """A pydantic or FastAPI validation error in words for people."""
    kind = error.get("type")
    location = [str(part) for part in error.get("loc", ())]
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if kind == "json_invalid":
        location = location[:1]
        message = f"not valid JSON ({error.get('ctx', {}).get('error', 'cannot be parsed')})"
    elif kind == "extra_forbidden":
        message = "unknown field"
    elif kind == "string_too_short":
        message = "the title is empty" if location[-1:] == ["title"] else "must not be empty"
    elif kind == "missing" and location == ["body"]:
        message = "a JSON object is required"
    elif kind == "missing":
        message = "required"
    return Problem(location=".".join(location) or "request", message=message)


async def _api_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiProblem)
    return _answer(error.status, error.error, error.message, headers=error.headers)


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    # A parameter that the route and a dependency both take is reported once by each.
    return _invalid(list(dict.fromkeys(_problem(item) for item in error.errors())))


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    kind = _HTTP_ERRORS.get(error.status_code, f"http_{error.status_code}")
    message = error.detail if isinstance(error.detail, str) else kind.replace("_", " ")
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = _allowed(request)
    return _answer(error.status_code, kind, message.lower(), headers=headers)


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed(request: Request) -> str:
    """Every method some route takes at the request's path (Starlette names only the first
    route's that matched the path, and GET, PUT and DELETE of one task are three routes)."""
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]
    return ", ".join(allowed)


class NoStore:
    """ASGI middleware: every answer under `prefix` (the task API's, errors too) says
    `Cache-Control: no-store`: a user's tasks are kept by no cache on the way."""

    def __init__(self, app: ASGIApp, *, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message["headers"] if k != b"cache-control"]
                message["headers"] = [*headers, (b"cache-control", b"no-store")]
            await send(message)

        await self.app(scope, receive, send_no_store)


async def _storage_refused(request: Request, error: Exception) -> JSONResponse:
    if isinstance(error, TaskNotFound):
        return _answer(404, "not_found", f"there is no task #{error.number} in this list")
    if isinstance(error, InvalidTitle):
        return _invalid([Problem(location="body.title", message=error.reason)])
    if isinstance(error, InvalidDescription):
        return _invalid([Problem(location="body.description", message=error.reason)])
    if isinstance(error, ListFull):
        return _answer(409, "list_full", f"this list is full: {error}; nothing was added")
    if isinstance(error, ItemNotFound):
        return _answer(404, "not_found", f"{error}")
    if isinstance(error, InvalidChecklistItem):
        where = "body.items" if request.url.path.endswith("/checklist") else "body.checklist"
        if error.place is not None:
            where += f".{error.place - 1}"
        return _invalid([Problem(location=where, message=error.reason)])
    if isinstance(error, ChecklistFull):
        return _answer(409, "checklist_full", f"{error}; nothing was added")
    return _invalid([Problem(location="body", message=str(error))])


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    # The server logs the exception itself once this answer is sent.
    return _answer(500, "internal_error", "something went wrong on the server")


async def _unavailable(request: Request, error: Exception) -> JSONResponse:
    if isinstance(error, MembershipUnknown):
        message = "Telegram cannot confirm your membership of this group right now; try again"
    else:
        message = "the task storage cannot be reached right now; try again shortly"
    return _answer(503, "unavailable", message, headers={"Retry-After": "5"})


def install_error_answers(web: FastAPI) -> None:
    """Answer every error the app meets in the ApiError shape."""
    web.add_exception_handler(ApiProblem, _api_problem)
    web.add_exception_handler(RequestValidationError, _validation_error)
    web.add_exception_handler(HTTPException, _http_error)
    refusals = (
        TaskNotFound,
        InvalidTitle,
        InvalidDescription,
        TooManyTasks,
        ListFull,
        ItemNotFound,
        InvalidChecklistItem,
        ChecklistFull,
    )
    for refused in refusals:
        web.add_exception_handler(refused, _storage_refused)
    for unavailable in (StorageUnavailable, MembershipUnknown):
        web.add_exception_handler(unavailable, _unavailable)
    web.add_exception_handler(Exception, _unexpected)
