"""Every catchball builder stays within Slack's limits, for every round state and huge inputs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot import ids
from bot.catchball import blocks
from bot.catchball.model import (
    DecisionContext,
    Move,
    Proposal,
    ProposeContext,
    ProposeForm,
    RoundKind,
    RoundView,
)
from bot.context import RoundRef
from bot.standin.blockkit import validate_message_blocks, validate_view
from storage.models import CatchballDecision as D
from storage.models import Objective
from tests.text import visible_text

HUGE = "Partners first, then direct sales; " * 150  # over 5,000 characters
WHEN = datetime(2027, 6, 15, 9, 0, tzinfo=UTC)
PROPOSAL = Proposal(
    title="Open the Nordic market",
    owner="U0MGR",
    metric_name="Nordic ARR",
    metric_unit="M$",
    baseline=0.0,
    target=2.0,
    direction="higher",
    monthly_plan=tuple(0.1 * i for i in range(1, 13)),
    description="Two partners in Sweden.",
)
BIG = replace(
    PROPOSAL,
    title="T" * 200,
    metric_name="M" * 120,
    metric_unit="U" * 20,
    baseline=123456789.123,
    target=987654321.987,
    description=HUGE,
)
VIEW = RoundView(
    round_id=7,
    round_no=2,
    ref="AN1.2",
    year=2027,
    parent_ref="AN1",
    parent_title="Grow ARR to 14 M$",
    parent_target=14.0,
    parent_unit="M$",
    kind=RoundKind.APPROVAL,
    is_change=False,
    proposer="U0MGR",
    decider="U0VP",
    approver="U0VP",
    proposal=PROPOSAL,
    diff={"target": [2.0, 1.5]},
    compared_with=1,
    note="Hiring in Oslo starts in Q2.",
    decision=D.PENDING,
    decided_by=None,
    decided_at=None,
    reason=None,
    successor_no=None,
    successor_decider=None,
    dm_channel="D0VP",
    dm_ts="1.2",
)


def huge(view: RoundView) -> RoundView:
    return replace(
        view,
        proposal=BIG,
        parent_title="P" * 200,
        note=HUGE[:3000],
        reason=HUGE[:3000] if view.decision != D.PENDING else None,
        diff={
            "title": ["T" * 200, "U" * 200],
            "owner": ["U0VP", "U0MGR"],
            "baseline": [123456789.123, 1.0],
            "target": [987654321.987, 2.0],
            "direction": ["higher", "lower"],
            "description": [HUGE, HUGE[::-1]],
            "monthly_plan": [[987654321.987] * 12, [123456789.123] * 12],
            "metric_name": ["M" * 120, "N" * 120],
            "metric_unit": ["U" * 20, "V" * 20],
        },
    )


def decided(decision: D, **changes) -> RoundView:
    return replace(
        VIEW, decision=decision, decided_by="U0VP", decided_at=WHEN, reason="Aim higher", **changes
    )


STATES = [
    VIEW,
    replace(VIEW, kind=RoundKind.ANSWER, decider="U0MGR", proposer="U0VP"),
    replace(VIEW, is_change=True, compared_with=None, round_no=1),
    decided(D.APPROVED),
    decided(D.APPROVED, kind=RoundKind.ANSWER, is_change=True),
    decided(D.ACCEPTED, successor_no=3, successor_decider="U0VP"),
    decided(D.COUNTERED, successor_no=3, successor_decider="U0VP"),
    decided(D.CHANGES_REQUESTED),
    decided(D.CHANGES_REQUESTED, successor_no=3, successor_decider="U0VP"),
    decided(D.REJECTED),
    decided(D.SUPERSEDED, successor_no=3, successor_decider="U0VP"),
]


def action_ids(message) -> set[str]:
    return {e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]}


@pytest.mark.parametrize("state", STATES + [huge(s) for s in STATES])
def test_every_message_of_every_state_is_one_slack_accepts(state):
    for build in (
        blocks.decision_message,
        blocks.notice_message,
        blocks.receipt_message,
        blocks.revised_notice,
    ):
        message = build(state)
        assert validate_message_blocks(message.blocks) == [], build.__name__
        assert message.text and len(message.text) <= 3000
    assert (
        validate_message_blocks(blocks.undelivered_message(state, "account_inactive").blocks) == []
    )


def test_the_decision_dm_asks_the_right_questions():
    approval = blocks.decision_message(VIEW)
    assert action_ids(approval) == {
        ids.ACTION_CATCHBALL_APPROVE,
        ids.ACTION_CATCHBALL_REQUEST_CHANGES,
        ids.ACTION_CATCHBALL_REJECT,
    }
    values = {e["value"] for b in approval.blocks if b["type"] == "actions" for e in b["elements"]}
    assert values == {RoundRef(round_id=7).dump()}
    text = text_of(approval)
    assert "Proposal AN1.2 · round 2" in text and "Cascaded from *AN1* Grow ARR to 14 M$" in text
    assert (
        "target 14 M$" in text and "*Changes since round 1*" in text and "Target: 2 → 1.5" in text
    )
    answer = blocks.decision_message(STATES[1])
    assert action_ids(answer) == {ids.ACTION_CATCHBALL_ACCEPT, ids.ACTION_CATCHBALL_COUNTER}
    change = text_of(blocks.decision_message(STATES[2]))
    assert "Change to AN1.2 · round 1" in change and "*Changes to AN1.2 as it stands*" in change


def test_an_answered_round_shows_its_outcome_instead_of_buttons():
    for state in STATES[3:]:
        message = blocks.decision_message(state)
        assert not action_ids(message)
    assert "Approved by <@U0VP>" in text_of(blocks.decision_message(STATES[3]))
    assert "15 Jun 2027 09:00 UTC" in text_of(blocks.decision_message(STATES[3]))
    assert "Accepted by <@U0VP>" in text_of(blocks.decision_message(STATES[4]))
    assert "Superseded by the revised round 3" in text_of(blocks.decision_message(STATES[8]))
    rejected = text_of(blocks.decision_message(STATES[9]))
    assert "Rejected by <@U0VP>" in rejected and "Aim higher" in rejected
    # The fallback text never carries Slack's date syntax, which notifications don't render.
    assert "<!date" not in blocks.decision_message(STATES[3]).text


def test_changes_requested_carries_revise_and_the_reason():
    notice = blocks.notice_message(STATES[7])
    assert action_ids(notice) == {ids.ACTION_CATCHBALL_REVISE}
    assert "Aim higher" in text_of(notice) and "Aim higher" in notice.text
    assert not action_ids(blocks.notice_message(STATES[3]))


def test_a_long_description_is_shown_shortened():
    text = text_of(blocks.decision_message(huge(VIEW)))
    assert HUGE not in text and f"all {len(HUGE):,} characters are kept" in text


def parent() -> Objective:
    return Objective(
        id=10,
        workspace_id=1,
        ref="AN1",
        level="annual",
        title="P" * 200,
        owner_id=1,
        year=2027,
        target=14,
        metric_unit="M$",
    )


@pytest.mark.parametrize(
    "form",
    [
        ProposeForm(ProposeContext(parent_id=10), "new", parent(), "U0VP", None, None, "U0MGR"),
        ProposeForm(
            ProposeContext(objective_id=11), "change", parent(), "U0VP", "AN1.1", BIG, "U0MGR"
        ),
        ProposeForm(
            ProposeContext(objective_id=11, notice_round_id=12),
            "revision",
            parent(),
            "U0VP",
            "AN1.2",
            BIG,
            "U0MGR",
            asked=HUGE[:3000],
            asked_by="U0VP",
        ),
    ],
)
def test_the_propose_modal_is_one_slack_accepts(form):
    view = blocks.propose_modal(form)
    assert validate_view(view, expected_type="modal") == []
    assert view["callback_id"] == ids.VIEW_PROPOSE
    assert ProposeContext.parse(view["private_metadata"]) == form.context
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert inputs == [
        ids.FIELD_TITLE,
        ids.FIELD_OWNER,
        ids.FIELD_METRIC_NAME,
        ids.FIELD_METRIC_UNIT,
        ids.FIELD_BASELINE,
        ids.FIELD_TARGET,
        ids.FIELD_DIRECTION,
        ids.FIELD_MONTHLY_PLAN,
        ids.FIELD_DESCRIPTION,
        ids.FIELD_NOTE,
    ]


def test_a_description_too_long_for_the_field_is_kept_not_cut():
    form = ProposeForm(
        ProposeContext(objective_id=11), "change", parent(), "U0VP", "AN1.1", BIG, "U0MGR"
    )
    view = blocks.propose_modal(form)
    field = next(b for b in view["blocks"] if b.get("block_id") == ids.FIELD_DESCRIPTION)
    assert "initial_value" not in field["element"] and "it is kept" in field["hint"]["text"]


def test_the_counter_and_reason_modals():
    counter = blocks.counter_modal(huge(VIEW))
    assert validate_view(counter, expected_type="modal") == []
    assert RoundRef.parse(counter["private_metadata"]).round_id == 7
    target = next(b for b in counter["blocks"] if b.get("block_id") == ids.FIELD_TARGET)
    assert target["element"]["initial_value"] == "987654321.987"  # exact: saving keeps it
    for move in (Move.REQUEST_CHANGES, Move.REJECT):
        modal = blocks.reason_modal(huge(VIEW), move)
        assert validate_view(modal, expected_type="modal") == []
        context = DecisionContext.parse(modal["private_metadata"])
        assert (context.round_id, context.move) == (7, move.value)
        reason = next(b for b in modal["blocks"] if b["type"] == "input")
        assert reason["block_id"] == ids.FIELD_REASON and not reason.get("optional")


def text_of(message) -> str:
    blocks = message.blocks if hasattr(message, "blocks") else message
    return "\n".join([getattr(message, "text", ""), visible_text(blocks)])
