"""Turning errors into clear answers in the right place, and never into a stack trace for users."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.errors import DatabaseUnavailable, HoshinError

log = logging.getLogger(__name__)


def user_message_for(exc: BaseException) -> str:
    """What to tell the person; unexpected errors are logged with a reference they can quote."""
    if isinstance(exc, HoshinError):
        return exc.message
    if isinstance(exc, OperationalError | PoolTimeout | DBAPIError):
        log.error("database unavailable: %s", exc.__class__.__name__)
        return DatabaseUnavailable().message
    reference = uuid.uuid4().hex[:8]
    log.exception("unexpected error, reference %s", reference)
    return (
        f"Something went wrong on our side (reference `{reference}`). It has been logged; "
        "please try again, and tell an admin if it keeps happening."
    )


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
