"""Who calls the task API and what they may reach, before a route runs: the caller's Mini App
init data (`Authorization: tma <initData>`, checked before anything else of the request is
read), their rate limit, the body's size limit, the requests that run at once, and the
caller's role in the list of the URL (handlers.permissions, the rules the chat follows too; a
group list the bot never stored is refused without asking Telegram).
"""

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Path, Request, Response, Security
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader
from starlette.exceptions import HTTPException
from starlette.types import Message

from bot.web.api_errors import ApiProblem, forbidden, too_many_requests, unauthorized
from bot.web.init_data import InitData, InvalidInitData, check_init_data
from bot.web.membership import ChatAccess, KnownLists, ListPlaces
from bot.web.revisions import Revisions
from handlers.i18n import language_for, use_language
from handlers.permissions import Role, may_see, role_without_asking
from handlers.rate_limits import RateLimit, RateLimited
from storage.db import Database
from storage.lists import DEFAULT_CAPS, ListCaps

AUTH_SCHEME = "tma"
MAX_BODY_BYTES = 64 * 1024  # a title and a 2,000-character note, in JSON, with room to spare
SIGN_IN = "sign in with Telegram: send the Mini App's init data as 'Authorization: tma <initData>'"
# Requests past sign-in and rate limit that run at once; the rest wait their turn here. Each
# holds a database connection for a moment: the API never takes more than this share of the
# pool (storage.db), whatever arrives, so the chats' commands always find a connection.
MAX_CONCURRENT_REQUESTS = 8


@dataclass(frozen=True)
class ApiContext:
    """What the routes work with, set once per app as `app.state.api`."""

    database: Database
    access: ChatAccess
    lists: KnownLists
    places: ListPlaces
    bot_token: str
    max_age: timedelta
    # Requests per user (handlers.rate_limits; per process), and how many tasks a list may hold.
    rate_limit: RateLimit
    caps: ListCaps = DEFAULT_CAPS
    # The lists' revisions in this process, for conditional reads (bot.web.revisions).
    revisions: Revisions = field(default_factory=Revisions)
    in_turn: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(MAX_CONCURRENT_REQUESTS)
    )


def _context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.api
    return context


def _sign_in(request: Request) -> InitData:
    context = _context(request)
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != AUTH_SCHEME or not credentials.strip():
        raise unauthorized(SIGN_IN)
    try:
        return check_init_data(
            credentials.strip(), bot_token=context.bot_token, max_age=context.max_age
        )
    except InvalidInitData as error:
        raise unauthorized(str(error)) from None


def _too_large() -> HTTPException:
    return HTTPException(413, f"the request body is larger than {MAX_BODY_BYTES} bytes")


def _limited(request: Request) -> Request:
    """The request, with a body that is refused (413) as soon as it passes MAX_BODY_BYTES."""
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > MAX_BODY_BYTES:
            raise _too_large()
        return message

    return Request(request.scope, receive)


class SignedInRoute(APIRoute):
    """A route that checks the caller's init data first, before its body is even read, then
    the caller's rate limit (429 with Retry-After), then waits its turn among the requests that
    run at once, and reads at most MAX_BODY_BYTES of the body; it answers in the language of
    Accept-Language (a repeat's description)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def signed_in(request: Request) -> Response:
            caller = request.state.init_data = _sign_in(request)
            context = _context(request)
            try:
                context.rate_limit.spend(caller.user_id)
            except RateLimited as error:
                raise too_many_requests(error) from None
            # The words the answer holds (a repeat's description) in the caller's language.
            wanted = request.headers.get("Accept-Language", "").split(",")[0].split(";")[0]
            async with context.in_turn:
                with use_language(language_for(wanted.strip()[:16])):
                    return await handle(_limited(request))

        return signed_in


# Documents the Authorization header in the schema; SignedInRoute checks it.
SIGNED_IN = Security(
    APIKeyHeader(
        name="Authorization",
        scheme_name="TelegramInitData",
        description="`tma ` and the Mini App's `Telegram.WebApp.initData`",
        auto_error=False,
    )
)


def _caller(request: Request) -> InitData:
    init_data: InitData = request.state.init_data
    return init_data


Caller = Annotated[InitData, Depends(_caller)]
Context = Annotated[ApiContext, Depends(_context)]
ChatId = Annotated[
    int,
    Path(
        ge=-(2**63),
        le=2**63 - 1,
        description="The list: your user id for your own, a group's chat id for the group's",
    ),
]


async def role_in_list(context: ApiContext, *, user_id: int, list_id: int) -> Role:
    """The user's role in the list: in its chat's, for a forum topic's list."""
    if role_without_asking(user_id=user_id, chat_id=list_id) is None:
        if not await context.lists.exists(list_id):
            return Role.NONE
        list_id, _topic = await context.places.place(list_id)
    return await context.access.role(user_id=user_id, chat_id=list_id)


async def caller_role(chat_id: ChatId, caller: Caller, context: Context) -> Role:
    """The caller's role in the list; 403 when the list is not theirs to use."""
    role = await role_in_list(context, user_id=caller.user_id, list_id=chat_id)
    if not may_see(role):
        raise forbidden()
    return role


async def check_assignees(context: ApiContext, *, chat_id: int, user_ids: list[int]) -> None:
    """422 unless every one of them may be given a task of the list: the members of a group
    (asked as for any request of theirs), and nobody in a private list."""
    if chat_id > 0 and user_ids:
        raise ApiProblem(422, "invalid_request", "tasks of a private list have no assignees")
    roles = await asyncio.gather(
        *(role_in_list(context, user_id=user_id, list_id=chat_id) for user_id in set(user_ids))
    )
    if not all(may_see(role) for role in roles):
        raise ApiProblem(422, "invalid_request", "every assignee must be a member of the group")


Access = Annotated[Role, Depends(caller_role)]  # computed once per request
