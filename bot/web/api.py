"""The task API's routes: the original backend design's operations on a list, its own task
routes and its checklist's. Who may call them, and on which list: bot.web.api_access. The
routes call the storage functions that the bot's commands call.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from bot.web.api_access import (
    SIGNED_IN,
    Access,
    Caller,
    ChatId,
    Context,
    SignedInRoute,
    caller_role,
    check_assignees,
)
from bot.web.api_errors import ApiProblem, error_responses
from bot.web.api_reads import ClearedRead, TaskList, TaskRead
from bot.web.api_requests import (
    ClearUndo,
    ItemState,
    ListQuery,
    NewItems,
    TaskCreate,
    TaskUpdate,
)
from bot.web.revisions import conditional
from handlers.permissions import Role, may_clear, may_delete, may_undo
from storage import checklists as checklist_store
from storage import clearing as clear_store
from storage import deleting as delete_store
from storage import tasks as task_store
from storage.assignees import get_assigned_task
from storage.assigning import set_assignees
from storage.task_edits import KEEP, Schedule, edit_task
from storage.values import Task

Number = Annotated[int, Path(description="The task's number in the list (#3 is 3)")]


def _read(task: Task) -> TaskRead:
    """The task as a change's answer gives it: a private list's tasks have no assignees; a
    group's are left out (null) where the change did not touch them."""
    return TaskRead.of(task, [] if task.chat_id > 0 else None)


PREFIX = "/api/"
router = APIRouter(
    prefix="/api/{chat_id}/tasks",
    tags=["tasks"],
    route_class=SignedInRoute,
    dependencies=[SIGNED_IN, Depends(caller_role)],
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


def _may_clear(role: Role) -> None:
    """403 unless the caller owns the list or is an admin of its group (the chat's /clear)."""
    if not may_clear(role):
        raise ApiProblem(403, "forbidden", "only the group's admins may clear its done tasks")


@router.post("/clear")
async def clear_done(chat_id: ChatId, role: Access, context: Context) -> ClearedRead:
    """Delete every done task of the list at once, as /clear does (the list's owner, or a
    group's admins); `POST .../clear/undo` with the answer's `stamp` brings them back."""
    _may_clear(role)
    cleared = await clear_store.clear_done(context.database, chat_id=chat_id)
    return ClearedRead(count=cleared.count, stamp=cleared.stamp)


@router.post("/clear/undo")
async def undo_clear(
    undo: ClearUndo, chat_id: ChatId, role: Access, context: Context
) -> ClearedRead:
    """Bring back the done tasks the clear of `stamp` deleted (those still deleted)."""
    _may_clear(role)
    back = await clear_store.restore_cleared(context.database, chat_id=chat_id, stamp=undo.stamp)
    return ClearedRead(count=back.count)


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
