"""Queueing a question's prompts: who is asked, one prompt row per owner and its DM, at once.

Rules, for every kind of prompt:
- Who Slack cannot reach gets an `unreachable` row and no DM; a kind may also skip who is away
  on the day the prompt falls due (a `skipped` row), or ask them all the same.
- An owner with nothing to answer for gets no row. Where the kind asks `payloads` to collect
  the failures (the check-in does), an owner whose prompt cannot be built gets no row either and
  the next run asks again; otherwise (the hansei) the error stops that workspace's run.
- Prompt rows and their outbox rows are written in the caller's one transaction: a crash leaves
  both or neither, and a re-run finds the rows and sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from bot.blocks.common import Message
from storage import prompts as store
from storage.models import PromptState, Workspace
from storage.outbox import queue as outbox
from storage.outbox.queue import NewMessage
from storage.prompts import NewPrompt, OwnerRow, prompt_key

log = logging.getLogger(__name__)

POST = "chat.postMessage"


def post(key: str, channel: str, message: Message) -> NewMessage:
    """A DM as an outbox row under `key`."""
    return NewMessage(
        dedup_key=key, method=POST, payload={"channel": channel, **message.as_kwargs()}
    )


def prompt_state(owner: OwnerRow, *, away: date | None = None) -> PromptState:
    """Unreachable, skipped (`away`: the owner is away when it falls due, for a kind that skips
    them), or queued."""
    if owner.unreachable_reason:
        return PromptState.UNREACHABLE
    if away is not None:
        return PromptState.SKIPPED
    return PromptState.QUEUED


def ref_key(ref: str) -> tuple:
    """AN1, AN1.1, AN2, AN10: refs in the order people number them."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in _split_digits(ref.upper()))


def _split_digits(text: str) -> list[str]:
    parts, current = [], ""
    for ch in text:
        if current and ch.isdigit() != current[-1].isdigit():
            parts.append(current)
            current = ""
        current += ch
    return [*parts, current] if current else parts


def payloads(
    owners: Sequence[OwnerRow],
    build: Callable[[OwnerRow], Message | None],
    *,
    failed: list[str] | None = None,
    what: str = "",
) -> dict[int, dict]:
    """{person id: the chat.postMessage payload of their prompt}; `build` gives None for an
    owner with nothing to answer for.

    With `failed`, an owner whose prompt cannot be built is left out and named there (the
    `what` prompt of whom): one owner never holds back the workspace's other prompts.
    """
    found = {}
    for owner in owners:
        try:
            message = build(owner)
            kwargs = message.as_kwargs() if message is not None else None
        except Exception as exc:
            if failed is None:
                raise
            log.exception("the %s prompt of %s could not be built", what, owner.slack_user_id)
            failed.append(f"prompt of {owner.slack_user_id}: {exc.__class__.__name__}")
            continue
        if kwargs is not None:
            found[owner.person_id] = {"channel": owner.slack_user_id, **kwargs}
    return found


@dataclass(frozen=True)
class Written:
    """What a run wrote: {person id: prompt id} of the new rows, and how many DMs it queued."""

    created: dict[int, int]
    queued: int


def write_prompts(
    session: Session,
    workspace: Workspace,
    *,
    kind: str,
    period: str,
    rows: Sequence[NewPrompt],
    dms: dict[int, dict],
) -> Written:
    """Insert the prompt rows not stored yet, in the order given, and queue the DMs of the new
    ones. A queued row whose owner has no DM (nothing to answer for any more) is left out."""
    rows = [r for r in rows if r.state != PromptState.QUEUED or r.person_id in dms]
    created = store.insert_prompts(
        session, workspace_id=workspace.id, kind=kind, period=period, prompts=rows
    )
    messages = [
        NewMessage(dedup_key=prompt_key(created[person_id], kind), method=POST, payload=payload)
        for person_id, payload in dms.items()
        if person_id in created
    ]
    outbox.enqueue_many(session, workspace_id=workspace.id, messages=messages)
    return Written(created, len(messages))
