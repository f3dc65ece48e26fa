"""Turning errors into clear answers in the right place, and never into a stack trace for users."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError

from bot.errors import DatabaseUnavailable, HoshinError, InvalidInput
from bot.forms import FormErrors
from storage.db import is_connection_lost

log = logging.getLogger(__name__)
T = TypeVar("T")


def user_message_for(exc: BaseException) -> str:
    """What to tell the person; unexpected errors are logged with a reference they can quote.

    Only a lost connection is worth trying again in a moment. Any other database error (a
    constraint, bad data, a query the schema refuses) rolled the transaction back: the person
    hears that nothing was saved, and an admin can find the reference in the log.
    """
    if isinstance(exc, HoshinError):
        return exc.message
    if is_connection_lost(exc):
        log.error("database unavailable: %s", exc.__class__.__name__)
        return DatabaseUnavailable().message
    reference = uuid.uuid4().hex[:8]
    if isinstance(exc, DBAPIError):
        log.exception("database error, reference %s", reference)
        return (
            f"Something went wrong saving this (reference `{reference}`), so nothing was saved. "
            "It has been logged; please try again, and tell an admin if it keeps happening."
        )
    log.exception("unexpected error, reference %s", reference)
    return (
        f"Something went wrong on our side (reference `{reference}`). It has been logged; "
        "please try again, and tell an admin if it keeps happening."
    )


def saved_in_ack(ack, save: Callable[[], T], *, field: str, raced: str, what: str) -> T | None:
    """Run `save` (validate and store, fast) inside a view submission's ack listener, then ack.

    Errors go back inline, under their fields (under `field` when they name none); a clash with
    a submission stored at the same moment (IntegrityError) says `raced` there. Returns what
    `save` returned, or None once the modal was answered with errors. Work that must see the
    stored rows (DMs, the review thread, the Home) follows the call: Bolt has answered Slack,
    and the transaction has committed.
    """
    try:
        saved = save()
    except IntegrityError:
        log.warning("%s submission raced another one", what)
        ack(response_action="errors", errors={field: raced})
        return None
    except Exception as exc:
        ack(**form_error_response(exc, fallback_block=field))
        return None
    ack()
    return saved


def form_error_response(exc: BaseException, *, fallback_block: str) -> dict[str, Any]:
    """The ack of a view submission that failed: errors shown inline, under their fields."""
    if isinstance(exc, FormErrors):
        return {"response_action": "errors", "errors": exc.errors}
    if isinstance(exc, InvalidInput) and exc.field:
        return {"response_action": "errors", "errors": {exc.field: exc.message}}
    return {"response_action": "errors", "errors": {fallback_block: user_message_for(exc)}}


def tell_privately(client, body: dict[str, Any], text: str) -> None:
    """Answer a click where the person is: ephemeral in the channel, else a DM from the bot."""
    user = body["user"]["id"]
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    try:
        if channel and not channel.startswith("D"):
            client.chat_postEphemeral(channel=channel, user=user, text=text)
        else:
            client.chat_postMessage(channel=user, text=text)
    except Exception:
        log.exception("could not tell %s privately", user)


def reply_privately(body: dict[str, Any], client, respond, text: str) -> None:
    """Privately, where the click was: ephemeral on a message, else (Home, modal) a DM."""
    if respond is not None and body.get("response_url"):
        respond(response_type="ephemeral", replace_original=False, text=text)
    else:
        tell_privately(client, body, text)


def answers_privately(listener: Callable) -> Callable:
    """Wrap a click listener so any error reaches the person privately, and nothing else."""

    @functools.wraps(listener)
    def wrapper(**kwargs) -> None:
        try:
            listener(**kwargs)
        except Exception as exc:
            reply_privately(
                kwargs["body"],
                kwargs["client"],
                kwargs.get("respond"),
                f":warning: {user_message_for(exc)}",
            )

    return wrapper


def replies_errors(listener: Callable) -> Callable:
    """Wrap a lazy listener so any error reaches the person privately through `respond`."""

    @functools.wraps(listener)
    def wrapper(respond, **kwargs):
        try:
            return listener(respond=respond, **kwargs)
        except Exception as exc:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text=f":warning: {user_message_for(exc)}",
            )
            return None

    return wrapper


def tells_errors(listener: Callable) -> Callable:
    """Wrap a lazy click listener (Home buttons have no response_url) so errors reach the person.

    The answer goes where the click was: ephemeral in the channel, else a DM from the bot.
    """

    @functools.wraps(listener)
    def wrapper(client, body, **kwargs):
        try:
            return listener(client=client, body=body, **kwargs)
        except Exception as exc:
            tell_privately(client, body, f":warning: {user_message_for(exc)}")
            return None

    return wrapper
