"""The task API's reads for the Mini App's views: the caller's lists, a list's tasks filtered
and by due day, search, the people and the labels of a list, and the caller's tasks across
groups.

Each answer carries an `ETag`, and a request with `If-None-Match` gets 304 without a database
statement while the lists it shows have not changed in this process (bot.web.revisions): the
Mini App polls with it while it is open.
"""

import asyncio
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from bot.web.api_access import (
    SIGNED_IN,
    Caller,
    ChatId,
    Context,
    SignedInRoute,
    caller_role,
    role_in_list,
)
from bot.web.api_errors import ApiProblem, error_responses
from bot.web.api_reads import Person, TaskRead
from bot.web.api_view_schemas import (
    MAX_VIEW_DAYS,
    LabelRead,
    Labels,
    ListRead,
    Lists,
    MyTask,
    MyTasks,
    People,
    SearchQuery,
    SearchRead,
    ViewQuery,
    ViewRead,
)
from bot.web.membership import MembershipUnknown
from bot.web.revisions import EVERY_LIST, conditional
from handlers.permissions import Role, may_see
from storage.assignees import assigned_to
from storage.labels import list_labels
from storage.search import find_tasks
from storage.views import UsedList, people_of, used_lists, view_tasks

log = logging.getLogger(__name__)

_UNCHANGED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Unchanged since the answer with this ETag (If-None-Match)"}
}

mine = APIRouter(
    prefix="/api/me",
    tags=["views"],
    route_class=SignedInRoute,
    dependencies=[SIGNED_IN],
    responses={**error_responses(400, 401, 422, 429, 503), **_UNCHANGED},
)
views = APIRouter(
    prefix="/api/{chat_id}",
    tags=["views"],
    route_class=SignedInRoute,
    dependencies=[SIGNED_IN, Depends(caller_role)],
    responses={**error_responses(400, 401, 403, 422, 429, 503), **_UNCHANGED},
)


@mine.get("/lists", response_model=Lists)
async def my_lists(caller: Caller, context: Context, request: Request) -> Response:
    """Your own list and the group (and forum topic) lists you are a member of and have used,
    with their open and done counts."""

    async def read() -> Lists:
        used = await used_lists(context.database, user_id=caller.user_id)
        if not any(one.list_id == caller.user_id for one in used):
            used.insert(0, UsedList(caller.user_id, 0, 0, None, caller.user_id, None))

        async def role_of(one: UsedList) -> Role:
            try:
                return await context.access.role(user_id=caller.user_id, chat_id=one.group_id)
            except MembershipUnknown as error:
                log.info("a list left out of the switcher: %s", error)
                return Role.NONE

        roles = await asyncio.gather(*(role_of(one) for one in used))
        shown = [(one, role) for one, role in zip(used, roles, strict=True) if may_see(role)]
        titles = await asyncio.gather(
            *(context.places.title(one.group_id) for one, _ in shown if one.group_id < 0)
        )
        groups = [one.group_id for one, _ in shown if one.group_id < 0]
        named = dict(zip(groups, titles, strict=True))
        return Lists(
            lists=[
                ListRead(
                    chat_id=one.list_id,
                    kind="private" if one.list_id > 0 else "topic" if one.thread_id else "group",
                    title=named.get(one.group_id),
                    group_id=one.group_id if one.thread_id else None,
                    topic=one.thread_id,
                    role=role.value,  # type: ignore[arg-type]  # never NONE here
                    open_count=one.open_total,
                    done_count=one.done_total,
                    timezone=one.timezone or "UTC",
                )
                for one, role in shown
            ]
        )

    return await conditional(
        request, context.revisions, user_id=caller.user_id, lists=[EVERY_LIST], read=read
    )


@mine.get("/assigned", response_model=MyTasks)
async def my_tasks(caller: Caller, context: Context, request: Request) -> Response:
    """The open tasks assigned to you in the groups you are a member of now."""

    async def read() -> MyTasks:
        found = await assigned_to(context.database, user_id=caller.user_id)
        lists = sorted({task.chat_id for task in found})
        roles = await asyncio.gather(
            *(_member(context, user_id=caller.user_id, list_id=list_id) for list_id in lists)
        )
        allowed = {list_id for list_id, ok in zip(lists, roles, strict=True) if ok}
        return MyTasks(
            tasks=[
                MyTask(**TaskRead.of(task).model_dump(), chat_id=task.chat_id)
                for task in found
                if task.chat_id in allowed
            ]
        )

    return await conditional(
        request, context.revisions, user_id=caller.user_id, lists=[EVERY_LIST], read=read
    )


async def _member(context: Context, *, user_id: int, list_id: int) -> bool:
    try:
        return may_see(await role_in_list(context, user_id=user_id, list_id=list_id))
    except MembershipUnknown:
        return False


@views.get("/view", response_model=ViewRead)
async def view(
    query: Annotated[ViewQuery, Query()],
    chat_id: ChatId,
    caller: Caller,
    context: Context,
    request: Request,
) -> Response:
    """The list's tasks a view shows: open or done (or both), due between two local days (in
    the list's time zone), assigned to someone, with labels, of priorities; in number order or
    as /list shows them (both paged by `start`, a task number), or by due time (one answer of
    `limit` at most)."""
    if query.from_day and query.to_day:
        days = (query.to_day - query.from_day).days
        if not 0 <= days < MAX_VIEW_DAYS:
            raise ApiProblem(
                422,
                "invalid_request",
                f"to_day must be from_day or up to {MAX_VIEW_DAYS - 1} days after it",
            )

    async def read() -> ViewRead:
        found = await view_tasks(
            context.database,
            chat_id=chat_id,
            done={"open": False, "done": True, "all": None}[query.state],
            from_day=query.from_day,
            to_day=query.to_day,
            assignee=query.assignee,
            order=query.order,
            start=query.start,
            limit=query.limit,
            with_repeats=query.repeats,
            labels=query.labels(),
            priorities=query.priorities(),
        )
        return ViewRead.of(found)

    return await conditional(
        request, context.revisions, user_id=caller.user_id, lists=[chat_id], read=read
    )


@views.get("/search", response_model=SearchRead)
async def search(
    query: Annotated[SearchQuery, Query()],
    chat_id: ChatId,
    caller: Caller,
    context: Context,
    request: Request,
) -> Response:
    """The list's tasks whose title or note holds every word (the same search as /find)."""

    async def read() -> SearchRead:
        found = await find_tasks(
            context.database,
            chat_id=chat_id,
            words=query.q,
            offset=query.offset,
            limit=query.limit,
            done=query.completed,
        )
        return SearchRead(
            tasks=[TaskRead.of(task) for task in found.tasks],
            total=found.total,
            next_offset=found.next_offset,
        )

    return await conditional(
        request, context.revisions, user_id=caller.user_id, lists=[chat_id], read=read
    )


@views.get("/labels", response_model=Labels)
async def labels(chat_id: ChatId, caller: Caller, context: Context, request: Request) -> Response:
    """The labels of the list's tasks with how many open and done tasks have each (as /labels
    shows them): what the Mini App's label filter offers."""

    async def read() -> Labels:
        found = await list_labels(context.database, chat_id=chat_id)
        return Labels(labels=[LabelRead.of(one) for one in found])

    return await conditional(
        request, context.revisions, user_id=caller.user_id, lists=[chat_id], read=read
    )


@views.get("/people")
async def people(chat_id: ChatId, caller: Caller, context: Context) -> People:
    """Who a task of the list may be given to, as far as the bot knows them: the people who
    added or were given its tasks, and you (Telegram tells bots no group's member list)."""
    known = [Person.of(one) for one in await people_of(context.database, chat_id=chat_id)]
    if not any(person.user_id == caller.user_id for person in known):
        known.insert(0, Person(user_id=caller.user_id, username=None, name=None))
    return People(people=known)
