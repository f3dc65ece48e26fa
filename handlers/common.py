"""What every listener module shares: binding listeners to the services, the plain ack, opening a
modal from a click, storing a modal's submission inside its ack, and what follows a change (the
queued DMs sent, the Home published again).

Listeners are module-level functions whose first parameter is `services`; each module's
`register()` binds them with `bind` and hands them to Bolt.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.errors import HoshinError
from bot.home.service import publish_home
from bot.i18n import ENGLISH, Translator, translator
from bot.languages import language_of, requester_language
from bot.scope import Scope, load_scope_for, team_id_of
from bot.services import Services
from handlers.errors import answers_privately, saved_in_ack
from handlers.modal_values import read_values
from storage.db import session_scope
from storage.workspaces import find_workspace

log = logging.getLogger(__name__)
T = TypeVar("T")


def bind(listener: Callable[..., Any], services: Services, *fixed: Any) -> Callable[..., Any]:
    """`listener` with `services` (and any `fixed` arguments after it) filled in, for Bolt.

    Bolt passes a listener the arguments its remaining parameters name (it reads them with
    `inspect.getfullargspec(inspect.unwrap(listener))`): a partial shows only those. Its name is
    the listener's (Bolt logs it, and names lazy work by it); it gets no `__wrapped__`, which
    would make Bolt see `services` as one more argument to pass.
    """
    bound = functools.partial(listener, services, *fixed)
    bound.__name__ = listener.__name__  # type: ignore[attr-defined]
    return bound


def acknowledge(ack) -> None:
    """The ack of a click or a command whose work runs in a lazy listener."""
    ack()


def requester_translator(services: Services, client, *, team_id: str, user_id: str) -> Translator:
    """The translator of the person making a request, in their language (bot.languages): their
    Slack locale is asked for when nothing is known of it yet. The answer matters more than its
    language: when the language cannot be read (the database is down), the answer is English."""
    try:
        with session_scope(services.engine) as session:
            language, _, _ = requester_language(session, client, team_id=team_id, user_id=user_id)
    except Exception:
        log.warning("the asker's language could not be read; answering in English", exc_info=True)
        return ENGLISH
    return translator(language)


def channel_translator(services: Services, *, team_id: str) -> Translator:
    """What a channel reads: the workspace's language (`settings.language` of its plan file)."""
    with session_scope(services.engine) as session:
        return translator(language_of(None, find_workspace(session, team_id=team_id)))


def scope_translator(scope: Scope) -> Translator:
    """The translator of the scope's person, from what is stored (no call to Slack)."""
    return translator(language_of(scope.person, scope.workspace))


# ---- modals ---------------------------------------------------------------------------------------


def open_modal(client, trigger_id: str | None, view: dict) -> None:
    """views.open, turning an expired trigger into a message people can act on."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        error = (exc.response or {}).get("error")
        log.warning("views.open failed: %s", error)
        raise HoshinError(
            "Slack took too long to open the form. Please try again."
            if error in ("expired_trigger_id", "exchanged_trigger_id")
            else f"Slack could not open the form ({error}). Please try again."
        ) from exc


ModalBuilder = Callable[[Services, Session, Scope, "str | None"], dict]


def modal_on_click(services: Services, build: ModalBuilder) -> Callable[..., None]:
    """A lazy click listener that opens the modal `build` makes of the clicker's scope and the
    button's value (read in one transaction); any error reaches the person privately."""
    return answers_privately(bind(open_built_modal, services, build))


def open_built_modal(
    services: Services, build: ModalBuilder, body, action, client, respond
) -> None:
    """The listener `modal_on_click` binds: the modal `build` makes, opened for the clicker."""
    with session_scope(services.engine) as session:
        view = build(services, session, load_scope_for(session, body), action.get("value"))
    open_modal(client, body.get("trigger_id"), view)


def submit_in_ack(
    services: Services,
    ack,
    body: dict[str, Any],
    view: dict[str, Any],
    *,
    ref_type: Any,
    submit: Callable[..., T],
    field: str,
    raced: str,
    what: str,
) -> T | None:
    """Store a periodic answer's modal inside its ack: the ref of `ref_type` read back from the
    view's metadata, then `submit(session, scope, ref=, values=, now=, view_id=)` in one
    transaction (see `saved_in_ack` for the errors). Returns what `submit` returned, or None
    once the modal was answered with errors.

    Called from the ack function, not a lazy listener: Bolt starts those beside it, so one could
    look for the stored answer before this transaction has committed it.
    """

    def save() -> T:
        ref = ref_type.parse(view.get("private_metadata"))
        with session_scope(services.engine) as session:
            return submit(
                session,
                load_scope_for(session, body),
                ref=ref,
                values=read_values(view),
                now=services.clock.now(),
                view_id=view.get("id", ""),
            )

    return saved_in_ack(ack, save, field=field, raced=raced, what=what)


# ---- after a change -------------------------------------------------------------------------------


def deliver(
    services: Services, workspace_id: int, thread_ids: Iterable[int] = (), *, wait: bool = False
) -> None:
    """Send the DMs the change just committed queued (and bring `thread_ids` up to date), now
    rather than at the next run of the deliver job; a failure leaves them queued for it."""
    if services.review_poster is not None:
        services.review_poster.after(workspace_id, thread_ids, wait=wait)


def republish(services: Services, client, body: dict) -> bool:
    """Publish the acting person's Home again after they changed something; False if Slack
    refused (logged).

    From a submission, call it after `ack()` inside the ack function, not from a lazy listener:
    Bolt starts lazy listeners alongside the ack function, so one could read the database
    before the change is committed.
    """
    return publish_home(
        client,
        services.engine,
        team_id=team_id_of(body) or "",
        user_id=body["user"]["id"],
        today=services.today(),
    )
