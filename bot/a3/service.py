"""Countermeasure A3: asked after two off-track months running, written in a modal, then judged.

The rule, in one place:
- An objective whose check-in of a month and of the month before both say off track calls for
  an A3 for the later month. A gap month (no check-in, or a comment without a status) or any
  other status in between breaks the run.
- It is checked where a check-in is stored, in the same transaction, so a stored check-in and
  its A3 request are both there or neither: the second off-track submission asks, and so does a
  late edit that turns a month off track (of the pair it makes, with the month before or after).
- One A3 per objective and period (the a3_report row is unique on both), and one DM asking for
  it (the outbox key `a3-request:<id>`), however often the check-in is submitted or edited.
- Who writes it: the objective's owner now, or an admin; anyone else is refused, nothing
  changed. The A3's own owner must be an active human of the workspace (`bot.people`), its due
  date today or later. Submitting the same modal twice stores it once; opening it again edits.
- The next month's prompt shows the countermeasure and asks whether it worked (yes, partly,
  no), stored on the A3 row with the month that asked.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot import forms, ids
from bot.a3 import blocks as render
from bot.a3.model import A3Card, A3Form, WorkedAnswer
from bot.context import A3WorkedRef
from bot.cycle import previous_period
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.people import resolve_owner
from bot.periods import parse_period
from bot.scope import Scope
from storage import a3 as store
from storage import objectives
from storage.checkins import by_objective_period, person_by_id
from storage.events import claim
from storage.models import A3Report, Objective, ObjectiveState, Workspace
from storage.outbox import queue as outbox

OFF_TRACK = "off_track"
POST, UPDATE = "chat.postMessage", "chat.update"
TEXT_LIMIT = 3000


def next_period(period: str) -> str:
    year, month = parse_period(period)
    return f"{year + 1}-01" if month == 12 else f"{year:04d}-{month + 1:02d}"


def a3_periods(
    period: str, *, before: str | None, this: str | None, after: str | None
) -> list[str]:
    """The months that call for an A3 once `period`'s check-in says `this`.

    `before` and `after` are the statuses of the months either side (None: no check-in).
    """
    if this != OFF_TRACK:
        return []
    found = []
    if before == OFF_TRACK:
        found.append(period)
    if after == OFF_TRACK:
        found.append(next_period(period))
    return found


def request_key(a3_id: int) -> str:
    return f"a3-request:{a3_id}"


def _card(session: Session, row: A3Report, objective: Objective) -> A3Card:
    ws = row.workspace_id
    asked = person_by_id(session, workspace_id=ws, person_id=objective.owner_id)
    doer = person_by_id(session, workspace_id=ws, person_id=row.action_owner_id)
    return A3Card(
        a3_id=row.id,
        objective_ref=objective.ref,
        objective_title=objective.title,
        period=row.period,
        owner_user_id=asked.slack_user_id if asked else None,
        problem=row.problem,
        root_cause=row.root_cause,
        countermeasure=row.countermeasure,
        action_owner=doer.slack_user_id if doer else None,
        due=row.due,
        written=row.submitted_at is not None,
    )


# ---- asking ---------------------------------------------------------------------------------


def after_check_in(
    session: Session, workspace: Workspace, objective: Objective, period: str
) -> list[A3Report]:
    """Ask for the A3s a just-stored check-in calls for; returns the rows created now."""
    ws = workspace.id

    def status(p: str) -> str | None:
        return store.status_of(session, workspace_id=ws, objective_id=objective.id, period=p)

    this = status(period)
    if this != OFF_TRACK:
        return []
    due = a3_periods(
        period, before=status(previous_period(period)), this=this, after=status(next_period(period))
    )
    owner = person_by_id(session, workspace_id=ws, person_id=objective.owner_id)
    created = []
    for a3_period in due:
        row, new = store.ask(
            session,
            workspace_id=ws,
            objective_id=objective.id,
            period=a3_period,
            person_id=objective.owner_id,
        )
        if not new or owner is None:
            continue
        created.append(row)
        outbox.enqueue(
            session,
            workspace_id=ws,
            dedup_key=request_key(row.id),
            method=POST,
            payload={
                "channel": owner.slack_user_id,
                **render.a3_request(_card(session, row, objective)).as_kwargs(),
            },
        )
    return created


# ---- the modal --------------------------------------------------------------------------------


def _checked(session: Session, scope: Scope, a3_id: int):
    """The A3 and its objective, once the acting person may write it."""
    ws = scope.workspace.id
    row = store.by_id(session, workspace_id=ws, a3_id=a3_id)
    objective = row and objectives.by_id(session, workspace_id=ws, objective_id=row.objective_id)
    if row is None or objective is None:
        raise NotFound("That A3 no longer exists. `/hoshin status` shows the plan.")
    if objective.state != ObjectiveState.ACTIVE:
        raise NotAllowed(f"`{objective.ref}` is {objective.state}: its A3 is closed.")
    person = scope.person
    if person is None or not (person.is_admin or person.id == objective.owner_id):
        owner = person_by_id(session, workspace_id=ws, person_id=objective.owner_id)
        who = f"<@{owner.slack_user_id}>, its owner," if owner else "its owner"
        raise NotAllowed(
            f"Only {who} or an admin can write the A3 for `{objective.ref}`. Nothing was changed."
        )
    return row, objective


def open_form(session: Session, scope: Scope, *, a3_id: int) -> A3Form:
    row, objective = _checked(session, scope, a3_id)
    check_in = _check_in(session, row, objective)
    return A3Form(
        card=_card(session, row, objective),
        previous_period=previous_period(row.period),
        suggested_countermeasure=check_in.countermeasure if check_in else None,
    )


def _check_in(session: Session, row: A3Report, objective: Objective):
    return by_objective_period(
        session, workspace_id=row.workspace_id, objective_id=objective.id, period=row.period
    )


@dataclass(frozen=True)
class A3Saved:
    workspace_id: int
    card: A3Card
    first: bool  # False: an earlier A3 was edited


def submit(
    session: Session,
    client,
    scope: Scope,
    *,
    a3_id: int,
    values: dict[str, str | None],
    today: date,
    now: datetime,
    view_id: str,
) -> A3Saved | None:
    """Check and store a submitted A3; None when this very view was stored before."""
    row, objective = _checked(session, scope, a3_id)
    form = forms.Form(values)
    text = {"limit": TEXT_LIMIT}
    problem = form.take(forms.required_text, ids.FIELD_PROBLEM, what="the problem", **text)
    root_cause = form.take(forms.required_text, ids.FIELD_ROOT_CAUSE, what="the root cause", **text)
    countermeasure = form.take(
        forms.required_text, ids.FIELD_COUNTERMEASURE, what="the countermeasure", **text
    )
    due = form.take(forms.due_date, ids.FIELD_DUE, today=today)
    doer = None
    try:
        doer = resolve_owner(
            session,
            client,
            workspace_id=scope.workspace.id,
            slack_user_id=values.get(ids.FIELD_A3_OWNER),
            field=ids.FIELD_A3_OWNER,
        )
    except InvalidInput as exc:
        form.fail(exc.field or ids.FIELD_A3_OWNER, exc.message)
    form.raise_errors()
    # After every check: a refused submission may be corrected and sent again; one stored
    # already, arriving again (a double submit, a replay), changes nothing.
    if not claim(session, workspace_id=scope.workspace.id, key=f"a3.view:{view_id}"):
        return None
    first = row.submitted_at is None
    actor = scope.person.slack_user_id if scope.person else "unknown"
    store.write(
        session,
        row=row,
        values={
            "problem": problem,
            "root_cause": root_cause,
            "countermeasure": countermeasure,
            "action_owner_id": doer.id,
            "due": due,
        },
        actor=actor,
        now=now,
    )
    card = _card(session, row, objective)
    _follow_request_dm(session, row.workspace_id, card, edited_at=now)
    return A3Saved(row.workspace_id, card, first)


def _follow_request_dm(
    session: Session, workspace_id: int, card: A3Card, *, edited_at: datetime
) -> None:
    """The DM that asked for the A3 now shows it (a chat.update through the outbox).

    The key names the edit, not only the content: edited A, then B, then back to A must send
    A again, where a content-only key would find A's old row and leave the DM showing B."""
    post = outbox.by_key(session, workspace_id=workspace_id, dedup_key=request_key(card.a3_id))
    if post is None or not (post.result_channel and post.result_ts):
        return  # not delivered yet: it will be rebuilt at the next A3 edit, or stays as asked
    message = render.a3_request(card).as_kwargs()
    content = json.dumps(message, sort_keys=True, default=str)
    digest = hashlib.sha256(content.encode()).hexdigest()[:16]
    outbox.enqueue(
        session,
        workspace_id=workspace_id,
        dedup_key=f"{request_key(card.a3_id)}:u:{edited_at:%Y%m%d%H%M%S%f}:{digest}",
        method=UPDATE,
        payload={"channel": post.result_channel, "ts": post.result_ts, **message},
    )


# ---- did it work? -------------------------------------------------------------------------------


def answer_worked(
    session: Session, scope: Scope, *, ref: A3WorkedRef, now: datetime
) -> WorkedAnswer:
    """Store the owner's word on whether the A3's countermeasure worked."""
    row, objective = _checked(session, scope, ref.a3_id)
    if row.submitted_at is None:
        raise InvalidInput(f"The A3 for `{objective.ref}` has not been written yet.")
    if ref.period <= row.period:  # a months-later prompt may ask; an earlier one never did
        raise InvalidInput("That question no longer matches the A3. Nothing was changed.")
    actor = scope.person.slack_user_id if scope.person else "unknown"
    changed = store.set_worked(
        session, row=row, worked=ref.worked, period=ref.period, actor=actor, now=now
    )
    return WorkedAnswer(objective.ref, ref.worked, ref.period, changed)
