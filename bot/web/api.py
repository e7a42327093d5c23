"""The task API: the original backend design's operations on the lists a caller may use.

A request proves who sends it with the Mini App's init data (`Authorization: tma <initData>`),
checked before anything else of the request is read. The list is the chat's in the URL: the
caller's own (chat id = user id) or a group's the caller is a member of (handlers.permissions, the
rules the chat follows too; a group list the bot never stored is refused without asking
Telegram). The routes call the storage functions that the bot's commands call.
"""

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, Security
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader
from starlette.exceptions import HTTPException
from starlette.types import Message

from bot.web.api_errors import (
    ApiProblem,
    error_responses,
    forbidden,
    too_many_requests,
    unauthorized,
)
from bot.web.api_reads import TaskList, TaskRead
from bot.web.api_requests import ItemState, ListQuery, NewItems, TaskCreate, TaskUpdate
from bot.web.init_data import InitData, InvalidInitData, check_init_data
from bot.web.membership import ChatAccess, KnownLists, ListPlaces
from bot.web.revisions import Revisions, conditional
from handlers.i18n import language_for, use_language
from handlers.permissions import Role, may_delete, may_see, may_undo, role_without_asking
from handlers.rate_limits import RateLimit, RateLimited
from storage import checklists as checklist_store
from storage import deleting as delete_store
from storage import tasks as task_store
from storage.assignees import get_assigned_task
from storage.assigning import set_assignees
from storage.db import Database
from storage.lists import DEFAULT_CAPS, ListCaps
from storage.models import Task
from storage.task_edits import KEEP, Schedule, edit_task

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
Number = Annotated[int, Path(description="The task's number in the list (#3 is 3)")]


async def role_in_list(context: ApiContext, *, user_id: int, list_id: int) -> Role:
    """The user's role in the list: in its chat's, for a forum topic's list."""
    if role_without_asking(user_id=user_id, chat_id=list_id) is None:
        if not await context.lists.exists(list_id):
            return Role.NONE
        list_id, _topic = await context.places.place(list_id)
    return await context.access.role(user_id=user_id, chat_id=list_id)


async def _role(chat_id: ChatId, caller: Caller, context: Context) -> Role:
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


def _read(task: Task) -> TaskRead:
    """The task as a change's answer gives it: a private list's tasks have no assignees; a
    group's are left out (null) where the change did not touch them."""
    return TaskRead.of(task, [] if task.chat_id > 0 else None)


Access = Annotated[Role, Depends(_role)]  # computed once per request

PREFIX = "/api/"
router = APIRouter(
    prefix="/api/{chat_id}/tasks",
    tags=["tasks"],
    route_class=SignedInRoute,
    dependencies=[
        # Documents the header in the schema (checked by SignedInRoute), then checks the list.
        Security(
            APIKeyHeader(
                name="Authorization",
                scheme_name="TelegramInitData",
                description="`tma ` and the Mini App's `Telegram.WebApp.initData`",
                auto_error=False,
            )
        ),
        Depends(_role),
    ],
    responses=error_responses(400, 401, 403, 413, 422, 429, 503),
)


@router.post("", status_code=201, responses=error_responses(409))
async def create_task(
    new: TaskCreate,
    chat_id: ChatId,
    caller: Caller,
    context: Context,
    request: Request,
    response: Response,
) -> TaskRead:
    """Add a task to the list; it gets the list's next number."""
    task = await task_store.add_task(
        context.database,
        chat_id=chat_id,
        title=new.title,
        created_by=caller.user_id,
        description=new.description,
        priority=new.priority,
        checklist=[item.item() for item in new.checklist],
        caps=context.caps,
    )
    response.headers["Location"] = str(
        request.url_for("read_task", chat_id=chat_id, number=task.number)
    )
    return _read(task)


@router.get("")
async def list_tasks(
    query: Annotated[ListQuery, Query()], chat_id: ChatId, context: Context
) -> TaskList:
    """One page of the list's open (or, with `completed=true`, done) tasks, by priority, then
    due time, then number; filtered by labels, priorities and due time when asked."""
    page = await task_store.list_tasks(
        context.database,
        chat_id=chat_id,
        done=query.completed,
        start=query.start,
        limit=query.limit,
        page_filter=query.filter(),
    )
    return TaskList.of(page)


@router.get(
    "/{number}",
    response_model=TaskRead,
    responses={**error_responses(404), 304: {"description": "Unchanged (If-None-Match)"}},
)
async def read_task(
    chat_id: ChatId, number: Number, caller: Caller, context: Context, request: Request
) -> Response:
    """One task of the list, with its assignees (an `ETag`; 304 for an unchanged one)."""

    async def read() -> TaskRead:
        found = await get_assigned_task(context.database, chat_id=chat_id, number=number)
        return TaskRead.of(found.task, found.assignees)

    return await conditional(
        request, context.revisions, user_id=caller.user_id, lists=[chat_id], read=read
    )


@router.put("/{number}", responses=error_responses(404))
async def update_task(
    changes: TaskUpdate, chat_id: ChatId, number: Number, caller: Caller, context: Context
) -> TaskRead:
    """Change a task's title (its hashtags are its labels), description, state, due time (with
    its repeat), reminders before the due time, nag, assignees, priority or checklist; the
    fields left out stay as they are."""
    given = changes.model_fields_set
    if changes.assignees is not None:
        await check_assignees(context, chat_id=chat_id, user_ids=changes.assignees)
    if given == {"assignees"} and changes.assignees is not None:
        assigned = await set_assignees(
            context.database, chat_id=chat_id, number=number, user_ids=changes.assignees
        )
        return TaskRead.of(assigned.task, assigned.assignees)
    due = None
    if "due_at" in given:
        rule = changes.repeat.rule().encode() if changes.repeat else None
        due = Schedule(changes.due_at, rule)
    task = await edit_task(
        context.database,
        chat_id=chat_id,
        number=number,
        title=changes.title,
        description=changes.description if "description" in given else KEEP,
        done=changes.completed,
        due=due,
        remind_before=changes.remind_before,
        nag_minutes=changes.nag_minutes if "nag_minutes" in given else KEEP,
        priority=changes.priority if "priority" in given else KEEP,
        checklist=[item.item() for item in changes.checklist] if "checklist" in given else None,
    )
    if changes.assignees is None:
        return _read(task)
    assigned = await set_assignees(
        context.database, chat_id=chat_id, number=number, user_ids=changes.assignees
    )
    return TaskRead.of(assigned.task, assigned.assignees)


@router.post("/{number}/checklist", responses=error_responses(404, 409))
async def add_checklist_items(
    new: NewItems, chat_id: ChatId, number: Number, context: Context
) -> TaskRead:
    """Add items (open) at the end of the task's checklist, as /check does."""
    task = await checklist_store.add_items(
        context.database, chat_id=chat_id, number=number, texts=new.items
    )
    return TaskRead.of(task)


@router.patch("/{number}/checklist/{item}", responses=error_responses(404))
async def set_checklist_item(
    state: ItemState,
    chat_id: ChatId,
    number: Number,
    item: Annotated[int, Path(ge=1, description="The item's place in the checklist (1 first)")],
    context: Context,
) -> TaskRead:
    """Tick an item of the task's checklist (or open it again), as its /show button does."""
    ticked = await checklist_store.tick_item(
        context.database, chat_id=chat_id, number=number, item=item, done=state.done
    )
    return TaskRead.of(ticked.task)


@router.delete("/{number}", responses=error_responses(404))
async def delete_task(
    chat_id: ChatId, number: Number, role: Access, caller: Caller, context: Context
) -> TaskRead:
    """Delete a task and return it; `POST .../restore` brings it back (in a group: the
    task's author and the group's admins may delete it)."""
    if role is Role.MEMBER:
        task = await task_store.get_task(context.database, chat_id=chat_id, number=number)
        if not may_delete(role, task, user_id=caller.user_id):
            raise ApiProblem(
                403, "forbidden", "only the task's author and the group's admins may delete it"
            )
    deleted = await delete_store.delete_task(context.database, chat_id=chat_id, number=number)
    return _read(deleted)


@router.patch("/{number}/complete", responses=error_responses(404))
async def complete_task(chat_id: ChatId, number: Number, context: Context) -> TaskRead:
    """Mark a task done (a done task stays as it is)."""
    completed = await task_store.set_task_done(
        context.database, chat_id=chat_id, number=number, done=True
    )
    return _read(completed.task)


@router.post("/{number}/restore", responses=error_responses(404))
async def restore_task(
    chat_id: ChatId, number: Number, role: Access, caller: Caller, context: Context
) -> TaskRead:
    """Bring a deleted task back with its number (the undo of a delete; in a group: the task's
    author and the group's admins, who may delete it)."""
    if role is Role.MEMBER:
        deleted = await delete_store.get_deleted_task(
            context.database, chat_id=chat_id, number=number
        )
        if not may_undo(role, deleted, user_id=caller.user_id):
            raise ApiProblem(
                403,
                "forbidden",
                "only the task's author and the group's admins may bring it back",
            )
    task = await delete_store.restore_task(context.database, chat_id=chat_id, number=number)
    return _read(task)
