"""Catchball against the database: each transition, legal and illegal, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot import ids
from bot.catchball import service
from bot.catchball.model import Move, Proposal
from bot.catchball.rules import IllegalMove, StaleRound
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.forms import FormErrors
from bot.scope import load_scope
from handlers.catchball import read_counter, read_reason
from storage import audit, objectives
from storage.catchball import ask_key
from storage.db import session_scope
from storage.models import CatchballRound, Objective, OutboxMessage, Workspace
from storage.outbox import queue as outbox
from storage.workspaces import find_person
from tests.e2e.conftest import TEAM
from tests.e2e.seed import small_plan

NOW = datetime(2027, 6, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def plan(engine):
    small_plan(engine)
    return engine


def proposal(owner: str = "U0MGR", **changes) -> Proposal:
    fields = {
        "title": "Open the Nordic market",
        "owner": owner,
        "metric_name": "Nordic ARR",
        "metric_unit": "M$",
        "baseline": 0.0,
        "target": 2.0,
        "direction": "higher",
        "monthly_plan": tuple(float(i) for i in range(1, 13)),
        "description": None,
    }
    return Proposal(**{**fields, **changes})


def submit(engine, user: str, p: Proposal, *, parent: str | None = "AN1", ref: str | None = None):
    with session_scope(engine) as session:
        scope = load_scope(session, team_id=TEAM, user_id=user)
        if ref is None:
            form = service.open_new(session, scope, user_id=user, parent_ref=parent)
        else:
            form = service.open_round(session, scope, ref=ref)
        owner = find_person(session, workspace_id=scope.workspace.id, slack_user_id=p.owner)
        return service.submit_proposal(
            session,
            None,
            scope,
            user_id=user,
            context=form.context,
            proposal=p,
            owner=owner,
            note=None,
            now=NOW,
        )


def move(engine, user: str, round_id: int, m: Move, **kw) -> int:
    with session_scope(engine) as session:
        scope = load_scope(session, team_id=TEAM, user_id=user)
        return service.make_move(
            session, scope, user_id=user, round_id=round_id, move=m, now=NOW, **kw
        )


def rounds_of(engine, ref: str) -> list[CatchballRound]:
    with Session(engine) as session:
        objective = session.exec(select(Objective).where(Objective.ref == ref)).one()
        return list(
            session.exec(
                select(CatchballRound)
                .where(CatchballRound.objective_id == objective.id)
                .order_by(CatchballRound.round_no)
            )
        )


def get(engine, ref: str) -> Objective:
    with Session(engine) as session:
        return session.exec(select(Objective).where(Objective.ref == ref)).one()


def test_the_approvers_own_objective_needs_nobody_else(plan):
    submit(plan, "U0VP", proposal(owner="U0VP"))
    (only,) = rounds_of(plan, "AN1.2")
    assert only.decision == "approved" and only.decided_by_id == only.proposer_id
    assert get(plan, "AN1.2").state == "active" and get(plan, "AN1.2").year == 2027


def test_the_owner_answers_the_leader_and_nobody_else_may(plan):
    submit(plan, "U0VP", proposal())
    (first,) = rounds_of(plan, "AN1.2")
    with pytest.raises(NotAllowed, match=r"Only <@U0MGR> \(or an admin\) can decide this"):
        move(plan, "U0VP", first.id, Move.ACCEPT)
    for illegal in (Move.APPROVE, Move.REJECT, Move.REQUEST_CHANGES):
        with pytest.raises(IllegalMove):
            move(plan, "U0MGR", first.id, illegal, reason="because")
    with pytest.raises(InvalidInput, match="reason"):
        move(plan, "U0MGR", first.id, Move.COUNTER)
    assert [r.decision for r in rounds_of(plan, "AN1.2")] == ["pending"]

    move(plan, "U0MGR", first.id, Move.ACCEPT)
    (first,) = rounds_of(plan, "AN1.2")
    assert first.decision == "approved" and get(plan, "AN1.2").state == "active"
    for again in (Move.ACCEPT, Move.COUNTER):
        with pytest.raises(StaleRound, match="already approved by <@U0MGR>"):
            move(plan, "U0MGR", first.id, again, reason="x")


def test_a_round_on_an_archived_objective_cannot_be_decided(plan):
    submit(plan, "U0MGR", proposal())
    (first,) = rounds_of(plan, "AN1.2")
    with session_scope(plan) as session:
        objective = session.exec(select(Objective).where(Objective.ref == "AN1.2")).one()
        objectives.archive(session, actor="U0CEO", objective=objective)
    with pytest.raises(StaleRound, match="archived"):
        move(plan, "U0VP", first.id, Move.APPROVE)


def test_a_round_of_another_workspace_is_not_found(plan):
    submit(plan, "U0MGR", proposal())
    (first,) = rounds_of(plan, "AN1.2")
    with session_scope(plan) as session:
        session.add(Workspace(team_id="T0OTHER"))
    with session_scope(plan) as session:
        scope = load_scope(session, team_id="T0OTHER", user_id="U0VP")
        with pytest.raises(NotFound):
            service.check_move(session, scope, round_id=first.id, move=Move.APPROVE)


def test_request_changes_then_a_revision_then_rejection(plan):
    submit(plan, "U0MGR", proposal())
    (first,) = rounds_of(plan, "AN1.2")
    move(plan, "U0VP", first.id, Move.REQUEST_CHANGES, reason="Aim for 3")
    with pytest.raises(NotAllowed, match="asked of <@U0MGR>"):
        submit(plan, "U0VP", proposal(target=3.0), ref="AN1.2")
    submit(plan, "U0MGR", proposal(target=3.0), ref="AN1.2")
    first, second = rounds_of(plan, "AN1.2")
    assert first.decision == "changes_requested" and second.decision == "pending"
    assert second.diff == {"target": [2.0, 3.0]} and get(plan, "AN1.2").target == 3.0
    move(plan, "U0VP", second.id, Move.REJECT, reason="Not this year")
    assert get(plan, "AN1.2").state == "rejected"
    with pytest.raises(NotAllowed, match="was rejected"):
        submit(plan, "U0MGR", proposal(), ref="AN1.2")


def test_revising_a_pending_round_supersedes_it(plan):
    submit(plan, "U0MGR", proposal())
    with pytest.raises(NotAllowed, match="waits for your answer"):
        submit(plan, "U0VP", proposal(target=3.0), ref="AN1.2")
    submit(plan, "U0MGR", proposal(target=2.5), ref="AN1.2")
    first, second = rounds_of(plan, "AN1.2")
    assert first.decision == "superseded" and second.decision == "pending"
    with pytest.raises(StaleRound, match="superseded"):
        move(plan, "U0VP", first.id, Move.APPROVE)


def test_a_change_keeps_the_old_values_until_approved_and_after_a_rejection(plan):
    with pytest.raises(InvalidInput, match="as it stands"):
        submit(plan, "U0MGR", Proposal.of_objective(get(plan, "AN1.1"), "U0MGR"), ref="AN1.1")
    change = Proposal.of_objective(get(plan, "AN1.1"), "U0MGR")
    submit(plan, "U0MGR", Proposal(**{**change.__dict__, "target": 30.0}), ref="AN1.1")
    (first,) = rounds_of(plan, "AN1.1")
    assert first.diff == {"target": [40.0, 30.0]} and get(plan, "AN1.1").target == 40
    move(plan, "U0VP", first.id, Move.REJECT, reason="Keep 40")
    assert get(plan, "AN1.1").state == "active" and get(plan, "AN1.1").target == 40
    submit(plan, "U0MGR", Proposal(**{**change.__dict__, "target": 36.0}), ref="AN1.1")
    second = rounds_of(plan, "AN1.1")[1]
    assert second.diff == {"target": [40.0, 36.0]}  # against the objective, not the rejection
    move(plan, "U0CEO", second.id, Move.APPROVE)  # an admin decides in Ana's place
    assert get(plan, "AN1.1").target == 36
    with Session(plan) as session:
        actions = [e.action for e in audit.entries(session, workspace_id=1)]
    assert actions.count("catchball.approve") == 1 and "catchball.rejected" in actions


def test_only_owner_approver_or_admin_may_change_an_objective(plan):
    with session_scope(plan) as session:
        scope = load_scope(session, team_id=TEAM, user_id="U0LEE")
        with pytest.raises(NotAllowed, match=r"Only AN1\.1's owner <@U0MGR>, <@U0VP>"):
            service.open_round(session, scope, ref="AN1.1")
        scope = load_scope(session, team_id=TEAM, user_id="U0VP")
        with pytest.raises(NotAllowed, match="admins change those"):
            service.open_round(session, scope, ref="AN1")
        assert service.open_round(session, scope, ref="an1.1").mode == "change"


def test_where_a_proposal_may_go(plan):
    with session_scope(plan) as session:
        scope = load_scope(session, team_id=TEAM, user_id="U0VP")
        with pytest.raises(InvalidInput, match="breakthrough"):
            service.open_new(session, scope, user_id="U0VP", parent_ref="BT1")
        with pytest.raises(NotFound):
            service.open_new(session, scope, user_id="U0VP", parent_ref="AN9")
    submit(plan, "U0MGR", proposal())
    with pytest.raises(InvalidInput, match="propose under an active objective"):
        submit(plan, "U0MGR", proposal(), parent="AN1.2")


def test_an_owner_at_the_workspaces_limit_is_refused_on_the_owner_field(plan):
    with session_scope(plan) as session:
        workspace = session.exec(select(Workspace)).one()
        workspace.owner_objective_limit = 1
        session.add(workspace)
    with pytest.raises(InvalidInput) as refused:
        submit(plan, "U0VP", proposal())  # Mo already owns AN1.1
    assert refused.value.field == ids.FIELD_OWNER and "limit of 1" in refused.value.message


def test_the_counter_and_reason_modals_read_what_was_typed():
    base = proposal()
    plan = " ".join(str(i) for i in range(1, 13))
    values = {ids.FIELD_TITLE: base.title, ids.FIELD_TARGET: "2", ids.FIELD_MONTHLY_PLAN: plan}
    with pytest.raises(FormErrors) as same:
        read_counter({**values, ids.FIELD_REASON: "why"}, base)
    assert set(same.value.errors) == {ids.FIELD_TARGET}
    with pytest.raises(FormErrors) as missing:
        read_counter({**values, ids.FIELD_TARGET: "x"}, base)
    assert set(missing.value.errors) == {ids.FIELD_TARGET, ids.FIELD_REASON}
    counter, reason = read_counter(
        {**values, ids.FIELD_TARGET: "1.5", ids.FIELD_REASON: "Q2"}, base
    )
    assert counter.target == 1.5 and counter.owner == base.owner and reason == "Q2"
    with pytest.raises(FormErrors):
        read_reason({ids.FIELD_REASON: " "})
    assert read_reason({ids.FIELD_REASON: " ok "}) == "ok"


def outbox_rows(engine) -> dict[str, OutboxMessage]:
    with Session(engine) as session:
        return {r.dedup_key: r for r in session.exec(select(OutboxMessage))}


def test_each_change_queues_its_dms_in_its_own_transaction(plan):
    submit(plan, "U0MGR", proposal())  # Mo proposes for himself: Ana decides
    (first,) = rounds_of(plan, "AN1.2")
    queued = outbox_rows(plan)
    assert set(queued) == {ask_key(first.id), f"catchball.receipt:{first.id}"}
    ask = queued[ask_key(first.id)]
    assert (ask.method, ask.channel, ask.state) == ("chat.postMessage", "U0VP", "queued")
    assert ask.payload[outbox.IF_UNREACHABLE]["channel"] == "U0MGR"  # told if Ana is unreachable

    # A decision refused midway (no reason given) rolls its messages back with it.
    with pytest.raises(InvalidInput):
        move(plan, "U0VP", first.id, Move.REJECT)
    assert set(outbox_rows(plan)) == set(queued)

    move(plan, "U0VP", first.id, Move.REQUEST_CHANGES, reason="Aim higher")
    rows = outbox_rows(plan)
    outcome = rows[f"catchball.outcome:{first.id}:changes_requested:0"]
    # Ana's DM is not sent yet: the update names its row, delivery fills in where it landed.
    assert outcome.method == "chat.update" and outcome.channel == "U0VP"
    assert outcome.payload[outbox.UPDATE_OF] == ask_key(first.id) and "ts" not in outcome.payload
    assert rows[f"catchball.notice:{first.id}"].channel == "U0MGR"


def test_a_round_whose_dm_the_old_code_recorded_is_updated_where_it_said(plan):
    submit(plan, "U0MGR", proposal())
    (first,) = rounds_of(plan, "AN1.2")
    with session_scope(plan) as session:  # as DMs sent straight from the handler were kept
        session.get(CatchballRound, first.id).dm_channel = "D0VP"
        session.get(CatchballRound, first.id).dm_ts = "1700000000.000100"
    move(plan, "U0VP", first.id, Move.APPROVE)
    outcome = outbox_rows(plan)[f"catchball.outcome:{first.id}:approved:0"]
    assert (outcome.payload["channel"], outcome.payload["ts"]) == ("D0VP", "1700000000.000100")
    assert outbox.UPDATE_OF not in outcome.payload
