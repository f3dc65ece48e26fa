"""Prompts in SQL, for every kind of periodic question (the monthly check-in, the hansei): who
is due, the rows of a run, their delivery, who is still to answer.

A prompt is a `check_in_prompt` row of a `kind` and a period (`YYYY-MM` for a check-in, `YYYY`
for a hansei); its DM is the outbox row `<kind>-prompt:<id>`. Every reader here serves a whole
run at once (a fan-out to 10,000 owners is a handful of queries, never one per owner); lists of
ids are sent in chunks to stay within bind limits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, and_, bindparam, cast, exists, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlmodel import Session

from storage.models import (
    CheckIn,
    CheckInPrompt,
    Objective,
    ObjectiveLevel,
    ObjectiveState,
    OutboxMessage,
    Person,
    Workspace,
)
from storage.models.review import OutboxState, PromptState

CHECKIN = "checkin"
ASKED_LEVELS = (ObjectiveLevel.ANNUAL.value, ObjectiveLevel.CASCADED.value)
CHUNK = 900

PROMPTS = CheckInPrompt.__table__
P = PROMPTS.c
OUT = OutboxMessage.__table__.c


def key_prefix(kind: str) -> str:
    """The outbox key of a prompt's DM, less the prompt's id: how its post is found again."""
    return f"{kind}-prompt:"


def prompt_key(prompt_id: int, kind: str) -> str:
    return f"{key_prefix(kind)}{prompt_id}"


def chunks(values: Sequence[int]) -> Iterator[list[int]]:
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _asked(workspace_id: int, year: int | None = None):
    """Objectives an owner checks in on: active annual and cascaded ones (of `year`)."""
    conditions = [
        Objective.workspace_id == workspace_id,
        Objective.state == ObjectiveState.ACTIVE.value,
        Objective.level.in_(ASKED_LEVELS),
    ]
    if year is not None:
        conditions.append(Objective.year == year)
    return and_(*conditions)


def _in_timezones(timezones: Iterable[str | None]):
    timezones = list(timezones)
    named = [t for t in timezones if t is not None]
    conditions = []
    if named:
        conditions.append(Person.timezone.in_(named))
    if None in timezones:
        conditions.append(Person.timezone.is_(None))
    return or_(*conditions) if conditions else literal(False)


# ---- who is due -----------------------------------------------------------------------------


def active_workspaces(session: Session) -> list[Workspace]:
    """Workspaces whose jobs run: not suspended for a revoked token."""
    query = select(Workspace).where(Workspace.suspended_reason.is_(None)).order_by(Workspace.id)
    return list(session.execute(query).scalars())


def owner_timezones(session: Session, *, workspace_id: int) -> list[str | None]:
    """The timezones (as stored, None for "the workspace's") of people who own asked objectives."""
    owns = Person.id.in_(select(Objective.owner_id).where(_asked(workspace_id)))
    rows = session.execute(
        select(Person.timezone).where(Person.workspace_id == workspace_id, owns).distinct()
    ).all()
    return [row[0] for row in rows]


@dataclass(frozen=True)
class OwnerRow:
    person_id: int
    slack_user_id: str
    name: str
    timezone: str | None
    away_until: date | None
    unreachable_reason: str | None


def owners_without_prompt(
    session: Session,
    *,
    workspace_id: int,
    kind: str,
    period: str,
    year: int,
    timezones: Iterable[str | None] | None = None,
) -> list[OwnerRow]:
    """Owners of asked objectives of fiscal `year` with no prompt of `kind` for `period` yet.

    `timezones` (as stored) narrows it to the people for whom `period` is the one due.
    """
    # IN (uncorrelated), not EXISTS: planners without statistics would otherwise scan the
    # year's objectives once per person (seconds at 10,000 owners).
    owns = Person.id.in_(select(Objective.owner_id).where(_asked(workspace_id, year)))
    prompted = exists().where(
        P.workspace_id == workspace_id,
        P.person_id == Person.id,
        P.period == period,
        P.kind == kind,
    )
    query = (
        select(
            Person.id,
            Person.slack_user_id,
            Person.name,
            Person.timezone,
            Person.away_until,
            Person.unreachable_reason,
        )
        .where(Person.workspace_id == workspace_id, owns, ~prompted)
        .order_by(Person.id)
    )
    if timezones is not None:
        query = query.where(_in_timezones(timezones))
    return [OwnerRow(*row) for row in session.execute(query).all()]


# ---- what a prompt lists --------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectiveRow:
    id: int
    owner_id: int
    ref: str
    title: str
    metric_name: str | None
    metric_unit: str | None
    target: float | None
    higher_is_better: bool
    monthly_plan: list[float] | None


_OBJECTIVE_COLUMNS = (
    Objective.id,
    Objective.owner_id,
    Objective.ref,
    Objective.title,
    Objective.metric_name,
    Objective.metric_unit,
    Objective.target,
    Objective.higher_is_better,
    Objective.monthly_plan,
)


def objectives_of(
    session: Session, *, workspace_id: int, year: int, owner_ids: Sequence[int]
) -> list[ObjectiveRow]:
    """The asked objectives of fiscal `year` these people own, in id order."""
    found: list[ObjectiveRow] = []
    for chunk in chunks(owner_ids):
        rows = session.execute(
            select(*_OBJECTIVE_COLUMNS)
            .where(_asked(workspace_id, year), Objective.owner_id.in_(chunk))
            .order_by(Objective.id)
        ).all()
        found.extend(ObjectiveRow(*row) for row in rows)
    return found


def unanswered(
    session: Session, *, workspace_id: int, year: int, period: str, owner_ids: Sequence[int]
) -> list[ObjectiveRow]:
    """The asked objectives of these owners that have no check-in for `period` yet."""
    answered = exists().where(CheckIn.objective_id == Objective.id, CheckIn.period == period)
    found: list[ObjectiveRow] = []
    for chunk in chunks(owner_ids):
        rows = session.execute(
            select(*_OBJECTIVE_COLUMNS)
            .where(_asked(workspace_id, year), Objective.owner_id.in_(chunk), ~answered)
            .order_by(Objective.id)
        ).all()
        found.extend(ObjectiveRow(*row) for row in rows)
    return found


@dataclass(frozen=True)
class CheckInRow:
    objective_id: int
    actual: float | None
    status: str | None


def check_ins(
    session: Session, *, workspace_id: int, objective_ids: Sequence[int], period: str
) -> dict[int, CheckInRow]:
    """The check-ins of `period` of these objectives, by objective id."""
    found: dict[int, CheckInRow] = {}
    for chunk in chunks(objective_ids):
        rows = session.execute(
            select(CheckIn.objective_id, CheckIn.actual, CheckIn.status).where(
                CheckIn.workspace_id == workspace_id,
                CheckIn.period == period,
                CheckIn.objective_id.in_(chunk),
            )
        ).all()
        found.update({row[0]: CheckInRow(*row) for row in rows})
    return found


# ---- the rows of a run ----------------------------------------------------------------------


@dataclass(frozen=True)
class NewPrompt:
    person_id: int
    due_at: datetime
    state: PromptState


def insert_prompts(
    session: Session, *, workspace_id: int, kind: str, period: str, prompts: Sequence[NewPrompt]
) -> dict[int, int]:
    """Insert the prompts not stored yet; returns {person id: prompt id} of the new ones only.

    The unique (workspace, person, period, kind) makes a second run, or a second instance
    running at the same moment, insert nothing: only the run that inserted a row sends its DM.
    """
    if not prompts:
        return {}
    session.flush()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    created: dict[int, int] = {}
    rows = [
        {
            "workspace_id": workspace_id,
            "person_id": p.person_id,
            "period": period,
            "kind": kind,
            "state": p.state.value,
            "due_at": p.due_at,
        }
        for p in prompts
    ]
    for start in range(0, len(rows), 500):
        statement = (
            insert(PROMPTS)
            .values(rows[start : start + 500])
            .on_conflict_do_nothing(index_elements=["workspace_id", "person_id", "period", "kind"])
            .returning(P.person_id, P.id)
        )
        created.update(dict(session.execute(statement).all()))
    return created


def _set_many(session: Session, prompt_ids: Sequence[int], **values: Any) -> int:
    changed = 0
    for chunk in chunks(prompt_ids):
        changed += session.execute(update(PROMPTS).where(P.id.in_(chunk)).values(**values)).rowcount
    return changed


def mark_reminded(session: Session, *, prompt_ids: Sequence[int], at: datetime) -> int:
    return _set_many(session, prompt_ids, reminded_at=at)


def mark_escalated(session: Session, *, prompt_ids: Sequence[int], at: datetime) -> int:
    return _set_many(session, prompt_ids, escalated_at=at)


def mark_answered(session: Session, *, prompt_ids: Sequence[int]) -> int:
    """Answered, from queued or sent only: an unreachable prompt stays what it is."""
    changed = 0
    for chunk in chunks(prompt_ids):
        changed += session.execute(
            update(PROMPTS)
            .where(
                P.id.in_(chunk),
                P.state.in_((PromptState.QUEUED.value, PromptState.SENT.value)),
            )
            .values(state=PromptState.ANSWERED.value)
        ).rowcount
    return changed


@dataclass(frozen=True)
class RecordedDeliveries:
    sent: int = 0
    unreachable: int = 0


def record_deliveries(session: Session, *, kind: str) -> RecordedDeliveries:
    """Prompts of `kind` (check-in, hansei) whose DM the outbox settled (its key is
    `prompt_key`): where it landed (channel, ts), or unreachable.

    A queued prompt becomes sent, or unreachable when its DM failed for good (Slack cannot reach
    the person, or refused the post): that keeps it out of reminders. A prompt answered before
    its delivery was recorded keeps its state and gets its channel and ts. Held and pending DMs
    change nothing yet.
    """
    key = literal(key_prefix(kind)) + cast(P.id, String)
    queued = and_(
        P.state == PromptState.QUEUED.value,
        OUT.state.in_((OutboxState.SENT.value, OutboxState.FAILED.value)),
    )
    answered_early = and_(
        P.state == PromptState.ANSWERED.value, P.ts.is_(None), OUT.state == OutboxState.SENT.value
    )
    rows = session.execute(
        select(P.id, P.state, OUT.state, OUT.result_channel, OUT.result_ts, OUT.sent_at)
        .join(
            OutboxMessage.__table__,
            and_(OUT.workspace_id == P.workspace_id, OUT.dedup_key == key),
        )
        .where(P.kind == kind, or_(queued, answered_early))
    ).all()
    changes, sent, unreachable = [], 0, 0
    for prompt_id, prompt_state, post_state, channel, ts, at in rows:
        if post_state == OutboxState.FAILED:
            state, channel, ts, at = PromptState.UNREACHABLE.value, None, None, None
            unreachable += 1
        else:
            state = PromptState.SENT.value if prompt_state == PromptState.QUEUED else prompt_state
            sent += 1
        changes.append(
            {"b_id": prompt_id, "b_was": prompt_state, "b_state": state,
             "b_channel": channel, "b_ts": ts, "b_at": at}
        )  # fmt: skip
    if changes:
        statement = (
            update(PROMPTS)
            .where(P.id == bindparam("b_id"), P.state == bindparam("b_was"))
            .values(
                state=bindparam("b_state"),
                channel=bindparam("b_channel"),
                ts=bindparam("b_ts"),
                sent_at=bindparam("b_at"),
            )
        )
        session.connection().execute(statement, changes)
    return RecordedDeliveries(sent=sent, unreachable=unreachable)


# ---- who is still to answer -----------------------------------------------------------------


@dataclass(frozen=True)
class OpenPrompt:
    """A delivered prompt (check-in or hansei) that may call for a reminder or an escalation."""

    id: int
    person_id: int
    period: str
    sent_at: datetime
    reminded_at: datetime | None
    escalated_at: datetime | None
    slack_user_id: str
    name: str
    timezone: str | None
    away_until: date | None
    manager_id: int | None
    manager_user_id: str | None
    manager_unreachable: str | None
    reminded_recently: bool

    @property
    def year(self) -> int:
        """A hansei prompt's fiscal year (its period is `YYYY`)."""
        return int(self.period)


def open_prompts(
    session: Session,
    *,
    workspace_id: int,
    kind: str = CHECKIN,
    periods: Iterable[str],
    remind_before: datetime,
    escalate_before: datetime,
    reminded_since: datetime,
    recent_kinds: Iterable[str] | None = (CHECKIN,),
) -> list[OpenPrompt]:
    """Delivered prompts of `kind` and `periods` due a reminder or an escalation.

    Due a reminder: sent before `remind_before`, never reminded. Due an escalation: sent before
    `escalate_before`, never escalated, and the owner has a manager. Owners Slack cannot reach
    are left out; `reminded_recently` says whether any of the owner's prompts of `recent_kinds`
    (None: of any kind) was reminded since `reminded_since` (nobody is reminded twice in a day).
    """
    periods = sorted(set(periods))
    if not periods:
        return []
    manager = aliased(Person)
    earlier = PROMPTS.alias("earlier")
    recent = [
        earlier.c.workspace_id == workspace_id,
        earlier.c.person_id == P.person_id,
        earlier.c.reminded_at > reminded_since,
    ]
    if recent_kinds is not None:
        recent.append(earlier.c.kind.in_(sorted(set(recent_kinds))))
    recently = exists().where(*recent).label("reminded_recently")
    query = (
        select(
            P.id,
            P.person_id,
            P.period,
            P.sent_at,
            P.reminded_at,
            P.escalated_at,
            Person.slack_user_id,
            Person.name,
            Person.timezone,
            Person.away_until,
            Person.manager_id,
            manager.slack_user_id,
            manager.unreachable_reason,
            recently,
        )
        .join(Person, Person.id == P.person_id)
        .outerjoin(manager, manager.id == Person.manager_id)
        .where(
            P.workspace_id == workspace_id,
            P.kind == kind,
            P.state == PromptState.SENT.value,
            P.period.in_(periods),
            Person.unreachable_reason.is_(None),
            or_(
                and_(P.reminded_at.is_(None), P.sent_at <= remind_before),
                and_(
                    P.escalated_at.is_(None),
                    P.sent_at <= escalate_before,
                    Person.manager_id.is_not(None),
                ),
            ),
        )
        .order_by(P.id)
    )
    return [OpenPrompt(*row) for row in session.execute(query).all()]
