"""The assignee buttons, one handler each: 🙋 Take it / 🙅 Drop it on a group's /show, and ✅ Done
/ 💤 Snooze on a group task's reminder sent privately to an assignee.

A private reminder's buttons name the group's list; they act only for a current member of that
group (handlers.permissions) who is an assignee of the task (checked in the statement that changes
it), and say times in the presser's own zone (else the list's).
"""

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler

from handlers import render, render_assignees, render_due, render_text
from handlers.assignees import remember
from handlers.button_actions import AssignedDone, AssignedSnooze, DropTask, TakeTask
from handlers.callbacks import is_action
from handlers.common import chat_id_of, chat_of, edit_pressed, pressed, presser_role, update_key
from handlers.context import BotApplication, BotContext
from handlers.i18n import _, task_ref
from handlers.reminder_buttons import choice_time
from handlers.tasks import author_name
from storage import assignees as assignee_store
from storage import assigning as assigning_store
from storage.assignees import AssignedTask
from storage.clock import now_utc
from storage.errors import NotAssignee
from storage.local_time import chat_zone
from storage.reminder_times import snoozed_until


async def take(update: Update, context: BotContext) -> None:
    """🙋 Take it: the presser is one of the task's assignees, and the card says so."""
    query, action = pressed(update, TakeTask)
    if await _groups_only(update):
        return
    await presser_role(update, context)
    # Two storage calls: the presser is remembered (their @username may be new), then assigned.
    await remember(context.db, query.from_user)
    assigned = await assigning_store.assign(
        context.db,
        chat_id=await chat_id_of(update, context),
        number=action.number,
        user_ids=[query.from_user.id],
        update_key=update_key(update, context),
    )
    await query.answer(_("🙋 %(task)s is yours", task=task_ref(action.number)))
    await _show_card(update, context, assigned)


async def drop(update: Update, context: BotContext) -> None:
    """🙅 Drop it: the presser is off the task's assignees, and the card says so."""
    query, action = pressed(update, DropTask)
    if await _groups_only(update):
        return
    await presser_role(update, context)
    assigned = await assigning_store.unassign(
        context.db,
        chat_id=await chat_id_of(update, context),
        number=action.number,
        user_ids=[query.from_user.id],
        update_key=update_key(update, context),
    )
    await query.answer(_("🙅 You are off %(task)s", task=task_ref(action.number)))
    await _show_card(update, context, assigned)


async def _groups_only(update: Update) -> bool:
    """Whether the press came from a private chat (answered: tasks are assigned in groups)."""
    query = update.callback_query
    assert query is not None
    if chat_of(update).type != ChatType.PRIVATE:
        return False
    await query.answer(render_text.plain(_(render_assignees.GROUPS_ONLY)), show_alert=True)
    return True


async def _show_card(update: Update, context: BotContext, assigned: AssignedTask) -> None:
    """The /show card again, with the task's assignees now."""
    query = update.callback_query
    assert query is not None
    author = await author_name(context, chat_of(update), assigned.task)
    text, markup = render_assignees.render_task_card(
        assigned.task,
        author=author,
        assignees=assigned.assignees,
        tz=chat_zone(assigned.timezone),
        now=now_utc(),
    )
    await edit_pressed(query, text, markup)


async def assigned_done(update: Update, context: BotContext) -> None:
    """✅ Done on a private reminder: the group's task is done, if the presser may."""
    query, action = pressed(update, AssignedDone)
    user, now = query.from_user, now_utc()
    # Two storage calls: the group's membership is asked of Telegram between the read of where
    # the list is and the change.
    group, zone = await assignee_store.reminder_place(
        context.db, list_id=action.chat_id, user_id=user.id
    )
    if not await context.roles.is_member(group, user.id):
        raise NotAssignee(action.number)
    completed = await assigning_store.set_done_by_assignee(
        context.db,
        chat_id=action.chat_id,
        number=action.number,
        user_id=user.id,
        update_key=update_key(update, context),
        now=now,
    )
    await query.answer(render.render_notice_done(completed))
    text = render_due.render_reminder_done(completed, tz=chat_zone(zone), now=now)
    await query.edit_message_text(text)


async def assigned_snooze(update: Update, context: BotContext) -> None:
    """💤 on a private reminder: it comes again at the chosen time, if the presser may."""
    query, action = pressed(update, AssignedSnooze)
    user, now = query.from_user, now_utc()
    # Two storage calls, as for Done: Telegram is asked about membership in between.
    group, zone = await assignee_store.reminder_place(
        context.db, list_id=action.chat_id, user_id=user.id
    )
    if not await context.roles.is_member(group, user.id):
        raise NotAssignee(action.number)
    tz = chat_zone(zone)
    until = choice_time(action.choice, now=now, tz=tz)
    task = await assigning_store.snooze_by_assignee(
        context.db,
        chat_id=action.chat_id,
        number=action.number,
        user_id=user.id,
        until=until,
        update_key=update_key(update, context),
        now=now,
    )
    await query.answer(_("💤 Snoozed"))
    # (sooner when the task's next reminder before its due time, or the due time, comes first)
    next_at = snoozed_until(until, task.due_at, task.remind_before, now)
    await query.edit_message_text(render_due.render_snoozed(task, next_at, tz=tz, now=now))


def register(application: BotApplication) -> None:
    """Add a handler per assignee button."""
    application.add_handler(CallbackQueryHandler(take, pattern=is_action(TakeTask)))
    application.add_handler(CallbackQueryHandler(drop, pattern=is_action(DropTask)))
    application.add_handler(CallbackQueryHandler(assigned_done, pattern=is_action(AssignedDone)))
    application.add_handler(
        CallbackQueryHandler(assigned_snooze, pattern=is_action(AssignedSnooze))
    )
