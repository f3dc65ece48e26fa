"""The monthly check-in: who may answer, which months are open, the modal's rules, DM replies, away.

When a month can be checked in (`period_state`), in the workspace's timezone and settings:
- it is open from the start of the month itself (a prompt sent in the owner's own timezone may
  arrive before the workspace's due time; the earliest timezone on Earth decides "started");
- it stays open while it is the month whose check-in is due now or the month before it;
- it closes once the check-in of the month two after it has fallen due: May's check-ins are
  taken until July's check-in falls due (July's Nth business day at the configured time).
A closed month's review thread is final; the modal says so inline and stores nothing.

Only an objective's owner checks in on it (admins too are refused: the answer is the owner's
to give). Countermeasures are required when the owner says at risk or off track. One check-in
per objective and month: submitting again edits it. A person who replies to the prompt DM in
words has them kept as the comment of each objective they own, for the month of their latest
prompt that is still open, else the month due now. `/hoshin away until DATE` pauses their prompts
through DATE (inclusive); their manager is told.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

from bot import forms, ids
from bot.a3 import service as a3
from bot.ask.answers import objective_facts, once_per_view, owned_objective
from bot.ask.timing import away_on
from bot.checkin import blocks as render
from bot.checkin.model import Answer, AwayChange, CheckInForm, KeptReply, Submitted
from bot.context import CheckInRef
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.periods import fiscal_year_of, month_label, parse_period, period_of
from bot.review import threads as review
from bot.scope import Scope
from storage import checkins as store
from storage.events import claim
from storage.models import Objective, Person, Workspace
from storage.outbox import queue as outbox
from storage.prompts import CHECKIN
from storage.workspaces import find_person, find_workspace

STATUSES = ("on_track", "at_risk", "off_track")
NEEDS_COUNTERMEASURE = frozenset({"at_risk", "off_track"})
EARLIEST_OFFSET = timedelta(hours=14)  # UTC+14 (Kiritimati): where a month starts first
AWAY_LIMIT_DAYS = 366


class PeriodState(StrEnum):
    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"


def period_state(workspace: Workspace, period: str, now: datetime) -> PeriodState:
    """Whether `period` takes check-ins now (the rule is in this module's docstring)."""
    if period > period_of((now + EARLIEST_OFFSET).date()):
        return PeriodState.NOT_YET
    due_now, before = review.open_periods(workspace, now)
    if period in (due_now, before) or period > due_now:
        return PeriodState.OPEN
    return PeriodState.CLOSED


def is_away(person: Person, today: date) -> bool:
    """Prompts are paused through `away_until`, inclusive."""
    return away_on(person.away_until, today) is not None


# ---- the objective a check-in is about ----------------------------------------------------------


def _plan_value(objective: Objective, workspace: Workspace, period: str) -> float | None:
    index = (parse_period(period)[1] - workspace.fiscal_year_start_month) % 12
    plan = objective.monthly_plan or []
    return plan[index] if index < len(plan) else None


def _previous(period: str) -> str:
    year, month = parse_period(period)
    return f"{year - 1}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def _checked(
    session: Session, scope: Scope, ref: CheckInRef, *, now: datetime, field: str | None = None
) -> Objective:
    """The objective, once the acting person may check in on it for that month."""
    workspace = scope.workspace
    objective = owned_objective(
        session, scope, ref.objective_id, takes="check-ins", answer="check in on"
    )
    year, month = parse_period(ref.period)
    fiscal = fiscal_year_of(date(year, month, 1), workspace.fiscal_year_start_month)
    if objective.year is not None and objective.year != fiscal:
        raise NotAllowed(
            f"`{objective.ref}` is an objective of FY{objective.year}; "
            f"{month_label(ref.period)} is not part of it."
        )
    state = period_state(workspace, ref.period, now)
    if state is PeriodState.CLOSED:
        raise InvalidInput(
            f"Check-ins for {month_label(ref.period)} are closed: its review is final. "
            "Your next check-in is for the month due now.",
            field=field,
        )
    if state is PeriodState.NOT_YET:
        raise InvalidInput(f"{month_label(ref.period)} has not started yet.", field=field)
    return objective


def open_form(session: Session, scope: Scope, *, ref: CheckInRef, now: datetime) -> CheckInForm:
    """The modal behind a Check in button, filled with the existing check-in when editing."""
    objective = _checked(session, scope, ref, now=now)
    ws = scope.workspace.id
    existing = store.by_objective_period(
        session, workspace_id=ws, objective_id=objective.id, period=ref.period
    )
    previous_period = _previous(ref.period)
    previous = store.by_objective_period(
        session, workspace_id=ws, objective_id=objective.id, period=previous_period
    )
    return CheckInForm(
        ref=ref,
        **objective_facts(objective),
        plan=_plan_value(objective, scope.workspace, ref.period),
        previous_period=previous_period,
        previous=Answer.of(previous),
        existing=Answer.of(existing),
        comment=existing.comment if existing else None,
    )


# ---- the modal --------------------------------------------------------------------------------


def read_answer(values: dict[str, str | None], *, metric_name: str | None) -> Answer:
    """The modal's values, or FormErrors naming every field that is wrong."""
    form = forms.Form(values)
    what = f"the actual {metric_name}" if metric_name else "the actual value"
    actual = form.take(forms.number, ids.FIELD_ACTUAL, what=what, required=bool(metric_name))
    status = values.get(ids.FIELD_STATUS)
    if status not in STATUSES:
        form.fail(ids.FIELD_STATUS, "Pick on track, at risk or off track.")
        status = None
    what_happened = form.take(forms.optional_text, ids.FIELD_WHAT_HAPPENED)
    challenges = form.take(forms.optional_text, ids.FIELD_CHALLENGES)
    countermeasure = form.take(forms.optional_text, ids.FIELD_COUNTERMEASURE)
    if (
        status in NEEDS_COUNTERMEASURE
        and not countermeasure
        and ids.FIELD_COUNTERMEASURE not in form.errors
    ):
        form.fail(
            ids.FIELD_COUNTERMEASURE,
            "Say what you will do about it: a countermeasure is needed when the objective is "
            "at risk or off track.",
        )
    form.raise_errors()
    return Answer(actual, status, what_happened, challenges, countermeasure)


def submit(
    session: Session,
    scope: Scope,
    *,
    ref: CheckInRef,
    values: dict[str, str | None],
    now: datetime,
    view_id: str,
) -> Submitted | None:
    """Check and store a submitted check-in; None when this very view was stored before."""
    objective = _checked(session, scope, ref, now=now, field=ids.FIELD_ACTUAL)
    answer = read_answer(values, metric_name=objective.metric_name)
    ws = scope.workspace

    def save(person: Person) -> Submitted:
        saved = store.save(
            session,
            workspace_id=ws.id,
            objective_id=objective.id,
            period=ref.period,
            person_id=person.id,
            answer=answer.as_dict(),
            actor=person.slack_user_id,
            now=now,
        )
        _mark_answered(session, ws, person, ref.period)
        a3.after_check_in(session, ws, objective, ref.period)  # two months off track: ask an A3
        thread_ids = review.note_check_ins(session, ws, [objective.id], ref.period)
        return Submitted(
            workspace_id=ws.id,
            check_in_id=saved.check_in.id,
            objective_ref=objective.ref,
            period=ref.period,
            created=saved.created,
            thread_ids=thread_ids,
        )

    # The claim comes after every check: a submission refused inline may be corrected and sent
    # again; one stored already, arriving again (a double submit, a replay), changes nothing.
    return once_per_view(session, scope, kind=CHECKIN, view_id=view_id, save=save)


def _mark_answered(session: Session, workspace: Workspace, person: Person, period: str) -> None:
    """The person's prompt is answered once every objective they own has this month's status."""
    year, month = parse_period(period)
    fiscal = fiscal_year_of(date(year, month, 1), workspace.fiscal_year_start_month)
    owned = store.owned_objectives(
        session, workspace_id=workspace.id, person_id=person.id, year=fiscal
    )
    given = store.statuses(
        session, workspace_id=workspace.id, objective_ids=[o.id for o in owned], period=period
    )
    if owned and all(given.get(o.id) for o in owned):
        store.mark_prompt_answered(
            session, workspace_id=workspace.id, person_id=person.id, period=period
        )


# ---- words written back to the prompt DM ---------------------------------------------------------


def keep_dm_reply(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    text: str,
    event_id: str,
    now: datetime,
) -> KeptReply | None:
    """Keep a DM reply as the month's comment on the person's objectives; None to ignore it.

    Ignored: a workspace or person the plan does not know, and an event already handled (Slack
    retries an event it thinks was not received; each retry has the same event id).
    """
    workspace = find_workspace(session, team_id=team_id)
    if workspace is None:
        return None
    text = text.replace("\x00", "")  # PostgreSQL cannot store NUL bytes in text
    person = find_person(session, workspace_id=workspace.id, slack_user_id=user_id)
    if person is None or not text.strip():
        return None
    if not claim(session, workspace_id=workspace.id, key=f"checkin.dm:{event_id}"):
        return None
    period = _reply_period(session, workspace, person, now)
    year, month = parse_period(period)
    fiscal = fiscal_year_of(date(year, month, 1), workspace.fiscal_year_start_month)
    owned = store.owned_objectives(
        session, workspace_id=workspace.id, person_id=person.id, year=fiscal
    )
    for objective in owned:
        store.add_comment(
            session,
            workspace_id=workspace.id,
            objective_id=objective.id,
            period=period,
            person_id=person.id,
            text=text.strip(),
            limit=forms.TEXT_LIMIT,
            now=now,
        )
    thread_ids = review.note_check_ins(session, workspace, [o.id for o in owned], period)
    kept = KeptReply(workspace.id, user_id, period, [o.ref for o in owned], thread_ids)
    outbox.enqueue(
        session,
        workspace_id=workspace.id,
        dedup_key=f"checkin.dm-receipt:{event_id}",
        method="chat.postMessage",
        payload={"channel": user_id, **render.dm_reply_receipt(kept).as_kwargs()},
    )
    return kept


def _reply_period(session: Session, workspace: Workspace, person: Person, now: datetime) -> str:
    prompt = store.latest_prompt(session, workspace_id=workspace.id, person_id=person.id)
    if prompt is not None and period_state(workspace, prompt.period, now) is PeriodState.OPEN:
        return prompt.period
    return review.open_periods(workspace, now)[0]


# ---- /hoshin away -------------------------------------------------------------------------------


def set_away(session: Session, scope: Scope, *, args: str, today: date) -> AwayChange:
    """`away until 2027-04-15`, `away 2027-04-15`, `away off`, or `away` alone to see the state."""
    person = scope.person
    if person is None:
        raise NotFound("You are not in the plan, so there are no check-ins of yours to pause.")
    words = args.lower().split()
    if words[:1] == ["until"]:
        words = words[1:]
    manager = store.person_by_id(
        session, workspace_id=scope.workspace.id, person_id=person.manager_id
    )
    manager_id = manager.slack_user_id if manager else None
    if not words:
        current = person.away_until if is_away(person, today) else None
        return AwayChange(person.slack_user_id, current, False, manager_id, asked=False)
    if len(words) != 1:
        raise InvalidInput(_AWAY_USAGE)
    if words[0] in ("off", "back", "end", "stop", "none"):
        until = None
    else:
        try:
            until = date.fromisoformat(words[0])
        except ValueError:
            raise InvalidInput(_AWAY_USAGE) from None
        if until < today:
            raise InvalidInput(f"{until:%d %b %Y} is in the past. {_AWAY_USAGE}")
        if until > today + timedelta(days=AWAY_LIMIT_DAYS):
            raise InvalidInput("Pause check-ins for at most a year at a time.")
    entry_id = store.set_away(session, person=person, until=until, actor=person.slack_user_id)
    if entry_id is not None and manager is not None:
        outbox.enqueue(
            session,
            workspace_id=scope.workspace.id,
            dedup_key=f"checkin.away:{entry_id}",
            method="chat.postMessage",
            payload={
                "channel": manager.slack_user_id,
                **render.away_notice(person.slack_user_id, until).as_kwargs(),
            },
        )
    return AwayChange(person.slack_user_id, until, entry_id is not None, manager_id, asked=True)


_AWAY_USAGE = (
    "Say until when, like `/hoshin away until 2027-04-15`, or `/hoshin away off` when you are back."
)
