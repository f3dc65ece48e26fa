"""Answering the hansei: who may, until when, the modal's rules, and what the DM shows after.

Only an objective's owner answers its hansei (admins too are refused: the reflection is the
owner's to give); the objective must be an active annual or cascaded objective of that fiscal
year. What went well and what did not are required, the rest optional; every text is stored
whole (up to `forms.TEXT_LIMIT`). One answer per objective and year: submitting again edits it,
and the very same submission arriving twice (a double click, a replay) is stored once. When the
window is (see `bot/hansei/prompts.py`): from the prompt until next year's second check-in falls due.
After an answer the owner's DM is rebuilt with what is done (chat.update through the outbox),
or, when there is no DM to update, a private confirmation is sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot import forms, ids
from bot.ask.answers import dm_of, objective_facts, once_per_view, owned_objective
from bot.blocks.common import slack_time
from bot.context import HanseiRef
from bot.errors import InvalidInput, NotAllowed
from bot.hansei import blocks as render
from bot.hansei.model import HanseiDue, HanseiForm, HanseiSubmitted, Reflection
from bot.hansei.prompts import (
    answers_close_at,
    ask_for,
    hansei_due_at,
    reflect_objectives,
    year_end,
)
from bot.periods import fiscal_periods
from bot.scope import Scope
from storage import hansei as store
from storage import hansei_answers as answers
from storage import prompts
from storage.models import Objective, Person, Workspace
from storage.outbox import queue as outbox
from storage.prompts import objectives_of

POST, UPDATE = "chat.postMessage", "chat.update"
HOME_SHOWN = 5  # Reflect buttons on the App Home; the DM has them all


# ---- who may answer, and when -----------------------------------------------------------------


def _checked(
    session: Session, scope: Scope, ref: HanseiRef, *, now: datetime, field: str | None = None
) -> Objective:
    workspace = scope.workspace
    objective = owned_objective(
        session,
        scope,
        ref.objective_id,
        takes="year-end reflection",
        answer="write the year-end reflection on",
    )
    person = scope.person
    if objective.year != ref.year:
        raise NotAllowed(
            f"`{objective.ref}` is an objective of FY{objective.year}, not FY{ref.year}."
        )
    closes = answers_close_at(workspace, ref.year)
    if now >= closes:
        raise InvalidInput(
            f"Reflections on FY{ref.year} closed on {slack_time(closes)}: the annual reflection "
            "is final. Nothing was changed.",
            field=field,
        )
    opens = hansei_due_at(workspace, ref.year)
    if now < opens and not store.prompt_of(
        session, workspace_id=workspace.id, person_id=person.id, year=ref.year
    ):
        raise InvalidInput(
            f"The year-end reflection on FY{ref.year} opens on {slack_time(opens)}.", field=field
        )
    return objective


def open_form(session: Session, scope: Scope, *, ref: HanseiRef, now: datetime) -> HanseiForm:
    """The modal behind a Reflect button, filled with the stored answer when editing."""
    objective = _checked(session, scope, ref, now=now)
    workspace = scope.workspace
    latest = store.latest_actuals(
        session,
        workspace_id=workspace.id,
        objective_ids=[objective.id],
        periods=fiscal_periods(ref.year, workspace.fiscal_year_start_month),
    ).get(objective.id)
    existing = answers.answer_of(
        session, workspace_id=workspace.id, objective_id=objective.id, year=ref.year
    )
    return HanseiForm(
        ref=ref,
        **objective_facts(objective),
        actual=latest.actual if latest else None,
        actual_period=latest.period if latest else None,
        closes_at=answers_close_at(workspace, ref.year),
        existing=Reflection.of(existing),
    )


# ---- the modal --------------------------------------------------------------------------------


def _required(raw: str | None, *, field: str, what: str) -> str | None:
    text = forms.optional_text(raw, field=field)
    if not text:
        raise InvalidInput(f"Please say {what}: a sentence or two is enough.", field=field)
    return text


def read_reflection(values: dict[str, str | None]) -> Reflection:
    """The modal's values, or FormErrors naming every field that is wrong."""
    form = forms.Form(values)
    went_well = form.take(_required, ids.FIELD_WENT_WELL, what="what went well")
    went_badly = form.take(_required, ids.FIELD_WENT_BADLY, what="what did not go well")
    root_causes = form.take(forms.optional_text, ids.FIELD_ROOT_CAUSES)
    learned = form.take(forms.optional_text, ids.FIELD_LEARNED)
    carry_over = form.take(forms.optional_text, ids.FIELD_CARRY_OVER)
    form.raise_errors()
    return Reflection(went_well, went_badly, root_causes, learned, carry_over)


def submit(
    session: Session,
    scope: Scope,
    *,
    ref: HanseiRef,
    values: dict[str, str | None],
    now: datetime,
    view_id: str,
) -> HanseiSubmitted | None:
    """Check and store a submitted reflection; None when this very view was stored before."""
    objective = _checked(session, scope, ref, now=now, field=ids.FIELD_WENT_WELL)
    reflection = read_reflection(values)
    workspace = scope.workspace

    def save(person: Person) -> HanseiSubmitted:
        saved = answers.save_answer(
            session,
            workspace_id=workspace.id,
            objective_id=objective.id,
            year=ref.year,
            person_id=person.id,
            answer=reflection.as_dict(),
            actor=person.slack_user_id,
            now=now,
        )
        ask = ask_for(
            session,
            workspace,
            person_id=person.id,
            slack_user_id=person.slack_user_id,
            name=person.name,
            year=ref.year,
        )
        total = len(ask.objectives) if ask else 1
        done = len(ask.done) if ask else 1
        prompt = store.prompt_of(
            session, workspace_id=workspace.id, person_id=person.id, year=ref.year
        )
        if prompt is not None and done >= total:
            prompts.mark_answered(session, prompt_ids=[prompt.id])
        _show_progress(session, workspace, prompt, ask, objective.ref, view_id)
        return HanseiSubmitted(workspace.id, objective.ref, ref.year, saved.created, done, total)

    return once_per_view(session, scope, kind=store.HANSEI, view_id=view_id, save=save)


def _show_progress(session, workspace: Workspace, prompt, ask, ref: str, view_id: str) -> None:
    """Rebuild the hansei DM with what is done; without a DM to update, confirm privately."""
    if ask is None:
        return
    where = None
    if prompt is not None:
        where = dm_of(session, workspace.id, prompt, kind=store.HANSEI, owner=ask.owner_user_id)
    if where is not None:
        key, method = f"hansei-dm:{prompt.id}:{view_id}", UPDATE
        payload = {"channel": where[0], "ts": where[1], **render.hansei_prompt(ask).as_kwargs()}
    else:
        key, method = f"hansei-receipt:{view_id}", POST
        payload = {"channel": ask.owner_user_id, **render.hansei_receipt(ask, ref).as_kwargs()}
    outbox.enqueue(
        session, workspace_id=workspace.id, dedup_key=key[:255], method=method, payload=payload
    )


# ---- the App Home -------------------------------------------------------------------------------


def reflections_due(
    session: Session, workspace: Workspace, *, person_id: int, now: datetime
) -> list[HanseiDue]:
    """The person's hansei prompts still open (not answered, answers still taken)."""
    found = []
    for prompt in store.pending_prompts(session, workspace_id=workspace.id, person_id=person_id):
        year = int(prompt.period)
        closes = answers_close_at(workspace, year)
        if now >= closes:
            continue
        rows = objectives_of(session, workspace_id=workspace.id, year=year, owner_ids=[person_id])
        owned = reflect_objectives(session, workspace, rows, year).get(person_id, ())
        done = answers.answered_ids(
            session, objective_ids=[o.objective_id for o in owned], year=year
        )
        still = [o for o in owned if o.objective_id not in done]
        if not still:
            continue
        found.append(
            HanseiDue(
                year=year,
                year_end=year_end(workspace, year),
                closes_at=closes,
                open_objectives=tuple(still[:HOME_SHOWN]),
                open_total=len(still),
                done=len(done),
            )
        )
    return found
