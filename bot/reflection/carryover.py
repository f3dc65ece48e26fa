"""Starting next year's plan from a posted reflection's carry-overs: once, by an admin.

Each carry-over becomes a draft annual objective of year+1 under the same breakthrough (state
proposed, `carried_from_id` naming the objective it continues): title, metric, direction and
target copied, the baseline last year's final actual when one was reported, a straight monthly
plan from that baseline to the target for the owner to change in catchball, and a new ref. Each
draft then enters catchball as any proposal does (`catchball_service.propose_draft`), so its
owner gets the usual proposal DM. `reflection.carryover_started_at` is set by compare-and-set,
so a second click, or a second admin, changes nothing and hears who started it and when. The
same transaction queues the closing reply's update, which replaces its button by who started it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot import numbers
from bot.catchball import service as catchball_service
from bot.errors import NotFound
from bot.periods import fiscal_periods
from bot.reflection import post_blocks as render
from bot.reflection.post import SNAPSHOT, UPDATE, closing_key, reply_key, snapshot_of
from bot.scope import Scope
from storage import audit, objectives
from storage import reflections as store
from storage.models import Objective, ObjectiveLevel, ObjectiveState, Person, Reflection
from storage.outbox import queue as outbox_store


@dataclass
class CarryoverResult:
    reflection_id: int
    year: int  # the new fiscal year
    started: bool  # False: someone had started it already
    by: str | None = None
    at: datetime | None = None
    refs: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # refs that could not be carried


def start(session: Session, scope: Scope, *, year: int, now: datetime) -> CarryoverResult:
    """An admin's click on the closing reply (permission re-checked against the database)."""
    admin = scope.require_admin(session, "start next year's plan from the reflection")
    workspace_id = scope.workspace.id
    reflection = store.find(session, workspace_id=workspace_id, year=year)
    if reflection is None or reflection.summary is None:
        raise NotFound(f"There is no FY{year} reflection in this workspace.")
    result = CarryoverResult(reflection.id, year + 1, started=False)
    if not store.start_carryover(
        session, reflection_id=reflection.id, by=admin.slack_user_id, at=now
    ):
        session.refresh(reflection)
        result.by, result.at = reflection.carryover_by, reflection.carryover_started_at
        return result
    result.started, result.by, result.at = True, admin.slack_user_id, now
    carry = snapshot_of(reflection).get("carry_overs") or []
    wanted = [int(c["objective_id"]) for c in carry if c.get("objective_id")]
    done = store.carried_from(session, workspace_id=workspace_id, objective_ids=wanted)
    periods = fiscal_periods(year, scope.workspace.fiscal_year_start_month)
    for item in carry:
        source = objectives.by_id(
            session, workspace_id=workspace_id, objective_id=int(item.get("objective_id") or 0)
        )
        breakthrough = _breakthrough_of(session, source) if source else None
        if source is None or breakthrough is None or source.id in done:
            result.skipped.append(str(item.get("ref") or item.get("objective_id")))
            continue
        done.add(source.id)
        draft = _draft(session, admin, source, breakthrough, year + 1, periods, item)
        catchball_service.propose_draft(
            session,
            proposer=admin,
            objective=draft,
            note=f"Carried over from {source.ref} (FY{year}): {item.get('reason') or 'missed'}",
            now=now,
        )
        result.refs.append(draft.ref)
    audit.record(
        session,
        workspace_id=workspace_id,
        actor=admin.slack_user_id,
        action="reflection.carryover",
        entity="reflection",
        entity_id=reflection.id,
        before={"year": year},
        after={"year": year + 1, "drafts": result.refs, "skipped": result.skipped},
    )
    _update_closing(session, reflection, result)
    return result


def _update_closing(session: Session, reflection: Reflection, result: CarryoverResult) -> None:
    """Queue the closing reply's update in place (in this transaction): who started next year.

    Nothing when the closing reply was never posted.
    """
    closing = _closing(session, reflection)
    if closing is None or not closing.get("ts"):
        return
    content = render.closing_started(
        closing, by=result.by or "", at=result.at, year=result.year, refs=result.refs
    )
    outbox_store.enqueue(
        session,
        workspace_id=reflection.workspace_id,
        dedup_key=closing_key(reflection.id),
        method=UPDATE,
        payload={"channel": closing["channel"], "ts": closing["ts"], **content},
    )


def _closing(session: Session, reflection: Reflection) -> dict[str, Any] | None:
    """The closing reply as posted: its channel, ts and content (from its outbox row)."""
    replies = (reflection.summary or {}).get(SNAPSHOT, {}).get("replies") or []
    if not replies:
        return None
    row = outbox_store.by_key(
        session,
        workspace_id=reflection.workspace_id,
        dedup_key=reply_key(reflection.id, len(replies) - 1),
    )
    if row is None or not row.result_ts:
        return None
    channel = row.result_channel or row.payload.get("channel")
    return {"channel": channel, "ts": row.result_ts, **replies[-1]}


def _breakthrough_of(session: Session, objective: Objective) -> Objective | None:
    node, seen = objective, set()
    while node is not None and node.id not in seen:
        seen.add(node.id)
        if node.level == ObjectiveLevel.BREAKTHROUGH:
            return node
        if node.parent_id is None:
            return None
        node = objectives.by_id(
            session, workspace_id=objective.workspace_id, objective_id=node.parent_id
        )
    return None


def _draft(
    session: Session,
    admin: Person,
    source: Objective,
    breakthrough: Objective,
    year: int,
    periods: list[str],
    item: dict[str, Any],
) -> Objective:
    final = store.final_actual(session, objective_id=source.id, periods=periods)
    baseline = final if final is not None else source.baseline
    owner_id = source.owner_id or breakthrough.owner_id or admin.id
    owner = session.get(Person, owner_id)
    if owner is None or owner.unreachable_reason:
        owner_id = breakthrough.owner_id or admin.id  # the owner left: the leader decides
    draft = Objective(
        workspace_id=source.workspace_id,
        ref=objectives.next_top_ref(session, workspace_id=source.workspace_id, prefix="AN"),
        level=ObjectiveLevel.ANNUAL,
        parent_id=breakthrough.id,
        title=source.title,
        description=f"Carried over from {source.ref} (FY{year - 1}): "
        f"{item.get('reason') or 'missed'}",
        owner_id=owner_id,
        year=year,
        metric_name=source.metric_name,
        metric_unit=source.metric_unit,
        baseline=baseline,
        target=source.target,
        higher_is_better=source.higher_is_better,
        monthly_plan=_straight_plan(baseline, source.target),
        state=ObjectiveState.PROPOSED,
        position=source.position,
        carried_from_id=source.id,
    )
    return objectives.create(session, actor=admin.slack_user_id, objective=draft)


def _straight_plan(baseline: float | None, target: float | None) -> list[float] | None:
    if baseline is None or target is None:
        return None
    step = (target - baseline) / 12
    # Four decimals read well; representable() keeps huge plans within 15 significant digits,
    # so the draft's modal takes its own prefill back unchanged.
    return [numbers.representable(round(baseline + step * (i + 1), 4)) for i in range(12)]
