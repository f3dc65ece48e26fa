"""The action-plan rules on a real database: who may add and mark, transitions, overdue lists."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bot import ids
from bot.actions.model import Mark
from bot.actions.service import (
    add_action,
    mark_action,
    objective_for_ref,
    overdue_actions,
    overdue_actions_by_owner,
)
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.forms import FormErrors
from bot.scope import Scope
from storage import audit
from storage.models import ActionItem, OutboxMessage
from tests import factories as f
from tests.actions.plans import clean_plan

TODAY = date(2027, 6, 15)
NOW = datetime(2027, 6, 15, 9, 0, tzinfo=UTC)


def scope_of(plan, who: str | None) -> Scope:
    return Scope(plan["workspace"], plan[who] if who else None)


def stored_action(session, plan, *, owner="mo", state="open", due=date(2027, 7, 1), ref="AN1.1"):
    objective = objective_for_ref(session, scope_of(plan, "dana"), ref).objective
    row = ActionItem(
        workspace_id=plan["workspace"].id,
        objective_id=objective.id,
        title=f"Action {state} {due}",
        owner_id=plan[owner].id,
        due=due,
        state=state,
    )
    session.add(row)
    session.commit()
    return row


@pytest.mark.parametrize(("who", "ref"), [("mo", "AN1.1"), ("ana", "AN1.1"), ("dana", "AN1.1")])
def test_the_owner_the_parents_owner_and_admins_may_add(session, who, ref):
    plan = clean_plan(session)
    subject = objective_for_ref(session, scope_of(plan, who), ref.lower())
    assert subject.objective.ref == ref and subject.default_owner == "U0MGR"


@pytest.mark.parametrize("who", ["mo", None])
def test_anyone_else_is_told_who_may(session, who):
    plan = clean_plan(session)
    with pytest.raises(NotAllowed) as refused:
        objective_for_ref(session, scope_of(plan, who), "AN1")
    assert refused.value.message == (
        "Only <@U0VP> (owner of AN1), <@U0CEO> (owner of BT1) or an admin (<@U0CEO>) can add "
        "actions to `AN1`. Ask one of them."
    )


def test_breakthroughs_proposals_and_unknown_refs_are_refused_clearly(session):
    plan = clean_plan(session)
    f.objective(session, plan["workspace"], "AN1.2", level="cascaded", state="proposed")
    session.commit()
    admin = scope_of(plan, "dana")
    with pytest.raises(InvalidInput, match="breakthrough objective"):
        objective_for_ref(session, admin, "BT1")
    with pytest.raises(InvalidInput, match="still in catchball"):
        objective_for_ref(session, admin, "AN1.2")
    with pytest.raises(NotFound, match=r"no objective `AN11`\. Did you mean `AN1.1`"):
        objective_for_ref(session, admin, "AN11")


def add(session, plan, who="ana", view_id="V1", **values):
    values = {
        ids.FIELD_TITLE: "Call prospects",
        ids.FIELD_OWNER: "U0MGR",
        ids.FIELD_DUE: "2027-06-30",
        **values,
    }
    objective = objective_for_ref(session, scope_of(plan, "dana"), "AN1.1").objective
    return add_action(
        session,
        None,  # every owner picked here is in the plan already: Slack is not asked
        scope=scope_of(plan, who),
        objective_id=objective.id,
        values=values,
        today=TODAY,
        now=NOW,
        view_id=view_id,
    )


def test_adding_stores_audits_and_queues_the_owners_dm_once(session):
    plan = clean_plan(session)
    action = add(session, plan)
    assert add(session, plan) is None  # the same view submitted twice
    session.commit()
    (stored,) = session.exec(select(ActionItem)).all()
    assert (stored.id, stored.title, stored.owner_id) == (
        action.id,
        "Call prospects",
        plan["mo"].id,
    )
    (entry,) = audit.entries(session, workspace_id=plan["workspace"].id, entity="action")
    assert (entry.action, entry.actor, entry.entity_id) == ("action.create", "U0VP", action.id)
    assert entry.after["title"] == "Call prospects" and entry.after["due"] == "2027-06-30"
    (post,) = session.exec(select(OutboxMessage)).all()
    assert post.state == "queued" and post.payload["channel"] == "U0MGR"
    assert "Call prospects" in post.payload["text"]


def test_every_wrong_field_is_reported_at_once_and_nothing_is_stored(session):
    plan = clean_plan(session)
    with pytest.raises(FormErrors) as failed:
        add(
            session, plan, **{ids.FIELD_TITLE: "", ids.FIELD_OWNER: "", ids.FIELD_DUE: "2027-06-14"}
        )
    assert set(failed.value.errors) == {ids.FIELD_TITLE, ids.FIELD_OWNER, ids.FIELD_DUE}
    session.rollback()
    assert session.exec(select(ActionItem)).all() == []
    with pytest.raises(NotAllowed):
        add(session, plan, who=None)


@pytest.mark.parametrize(
    ("state", "mark", "changed", "after"),
    [
        ("open", Mark.DONE, True, "done"),
        ("open", Mark.BLOCKED, True, "blocked"),
        ("open", Mark.REOPEN, False, "open"),
        ("blocked", Mark.DONE, True, "done"),
        ("blocked", Mark.BLOCKED, False, "blocked"),
        ("blocked", Mark.REOPEN, True, "open"),
        ("done", Mark.DONE, False, "done"),
        ("done", Mark.BLOCKED, False, "done"),
        ("done", Mark.REOPEN, True, "open"),
    ],
)
def test_transitions(session, state, mark, changed, after):
    plan = clean_plan(session)
    action = stored_action(session, plan, state=state)
    outcome = mark_action(
        session, scope=scope_of(plan, "mo"), action_id=action.id, mark=mark, today=TODAY, now=NOW
    )
    session.commit()
    assert (outcome.changed, outcome.card.state) == (changed, after)
    entries = audit.entries(session, workspace_id=plan["workspace"].id, entity="action")
    assert len(entries) == int(changed)
    if changed:
        assert outcome.card.marked_by == "U0MGR" and outcome.card.marked_at == NOW


@pytest.mark.parametrize("who", ["ana", "mo", "dana"])
def test_the_actions_owner_the_objectives_owner_and_admins_may_mark(session, who):
    plan = clean_plan(session)
    # Ana's action on Mo's AN1.1: Ana owns the action, Mo the objective, Dana is an admin.
    action = stored_action(session, plan, owner="ana")
    outcome = mark_action(
        session,
        scope=scope_of(plan, who),
        action_id=action.id,
        mark=Mark.DONE,
        today=TODAY,
        now=NOW,
    )
    assert outcome.changed and outcome.card.marked_by == plan[who].slack_user_id


def test_anyone_else_is_refused_and_nothing_changes(session):
    plan = clean_plan(session)
    action = stored_action(session, plan, owner="mo")
    for scope in (scope_of(plan, "ana"), scope_of(plan, None)):
        with pytest.raises(NotAllowed) as refused:
            mark_action(
                session, scope=scope, action_id=action.id, mark=Mark.DONE, today=TODAY, now=NOW
            )
        assert refused.value.message == (
            "Only <@U0MGR> (its owner) or an admin can mark “Action open 2027-07-01”. "
            "Nothing was changed."
        )
    session.refresh(action)
    assert action.state == "open"
    assert audit.entries(session, workspace_id=plan["workspace"].id, entity="action") == []


def test_an_action_of_another_workspace_is_not_found(session):
    plan = clean_plan(session)
    other = clean_plan(session, team_id="T0OTHER")
    action = stored_action(session, other)
    with pytest.raises(NotFound):
        mark_action(
            session,
            scope=scope_of(plan, "dana"),
            action_id=action.id,
            mark=Mark.DONE,
            today=TODAY,
            now=NOW,
        )


def test_overdue_actions_for_the_check_in_prompt(session):
    plan = clean_plan(session)
    late = stored_action(session, plan, due=date(2027, 6, 1))
    stuck = stored_action(session, plan, state="blocked", due=date(2027, 5, 1))
    stored_action(session, plan, state="done", due=date(2027, 5, 2))
    stored_action(session, plan, due=TODAY)  # due today is not overdue
    stored_action(session, plan, due=date(2027, 6, 2), owner="ana")
    archived = f.objective(session, plan["workspace"], "AN7", state="archived")
    session.add(
        ActionItem(
            workspace_id=plan["workspace"].id,
            objective_id=archived.id,
            title="Of an archived objective",
            owner_id=plan["mo"].id,
            due=date(2027, 1, 1),
        )
    )
    session.commit()
    mine = overdue_actions(
        session, workspace_id=plan["workspace"].id, person_id=plan["mo"].id, today=TODAY
    )
    assert [(a.action_id, a.state, a.objective_ref) for a in mine] == [
        (stuck.id, "blocked", "AN1.1"),
        (late.id, "open", "AN1.1"),
    ]
    everyone = overdue_actions_by_owner(session, workspace_id=plan["workspace"].id, today=TODAY)
    assert {k: len(v) for k, v in everyone.items()} == {plan["mo"].id: 2, plan["ana"].id: 1}
