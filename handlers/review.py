"""The review threads in Slack: an admin's Try again on a review channel that was held."""

from __future__ import annotations

from slack_bolt import App

from bot import ids
from bot.review import blocks
from bot.review import threads as review
from bot.review.threads import ReviewChannelRef
from bot.scope import load_scope_for
from bot.services import Services
from handlers.commands import CommandRegistry
from handlers.common import acknowledge, bind
from handlers.errors import answers_privately, reply_privately
from storage.db import session_scope


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    app.action(ids.ACTION_REVIEW_RETRY)(
        ack=acknowledge, lazy=[answers_privately(bind(retry, services))]
    )


def retry(services: Services, body, action, client, respond) -> None:
    channel = ReviewChannelRef.parse(action.get("value")).channel
    with session_scope(services.engine) as session:
        scope = load_scope_for(session, body)
        scope.require_admin(session, "post the review thread again")
        released = review.release_channel(session, workspace_id=scope.workspace.id, channel=channel)
        workspace_id = scope.workspace.id
    # Waits (a few seconds at most) so that the answer can say whether the posts went.
    posted = services.review_poster.after(workspace_id, released.thread_ids, wait=True)
    reason = review.held_reason(services.engine, workspace_id=workspace_id, channel=channel)
    answer = blocks.retry_answer(channel, reason, released.rows, posted=posted)
    reply_privately(body, client, respond, answer)
