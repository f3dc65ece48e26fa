"""The catchball rules on their own: who answers, which moves are legal, where each one leads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import context
from bot.catchball.model import Move, Proposal, ProposeContext, RoundKind
from bot.catchball.rules import (
    MOVES,
    Catchball,
    IllegalMove,
    Send,
    diff,
    first_decider,
    play,
    round_kind,
)
from bot.context import seal
from bot.errors import InvalidInput
from storage.catchball import ask_key
from storage.models import CatchballDecision as D
from storage.models import CatchballRound, Objective, Person

APPROVER, OWNER, THIRD = 1, 2, 3
WHEN = datetime(2027, 6, 15, 9, 0, tzinfo=UTC)


def proposal(**changes) -> Proposal:
    base = Proposal(
        title="Open the Nordic market",
        owner="U0MGR",
        metric_name="Nordic ARR",
        metric_unit="M$",
        baseline=0.0,
        target=2.0,
        direction="higher",
        monthly_plan=tuple(float(i) for i in range(1, 13)),
        description="Partners first.",
    )
    return Proposal(**{**base.__dict__, **changes})


# ---- who answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proposer", "owner", "expected"),
    [
        (APPROVER, OWNER, OWNER),  # the leader proposes down: the owner answers first
        (OWNER, OWNER, APPROVER),  # the owner proposes: the approver decides
        (THIRD, OWNER, OWNER),  # a third person: the owner first, then the approver
        (THIRD, APPROVER, APPROVER),  # a third person, for the approver: the approver
        (APPROVER, APPROVER, None),  # the approver's own objective: nobody else
    ],
)
def test_first_decider(proposer, owner, expected):
    assert first_decider(proposer_id=proposer, owner_id=owner, approver_id=APPROVER) == expected


def test_round_kind_asks_the_owner_to_answer_and_the_approver_to_decide():
    assert round_kind(decider_id=OWNER, owner_id=OWNER, approver_id=APPROVER) == RoundKind.ANSWER
    assert round_kind(decider_id=APPROVER, owner_id=OWNER, approver_id=APPROVER) == "approval"
    # The approver who also owns it decides; so does anyone else asked (a former approver).
    assert round_kind(decider_id=APPROVER, owner_id=APPROVER, approver_id=APPROVER) == "approval"
    assert round_kind(decider_id=THIRD, owner_id=OWNER, approver_id=APPROVER) == "approval"


# ---- moves ------------------------------------------------------------------------------------


def step(move, kind, proposer=OWNER):
    return play(move, kind=kind, proposer_id=proposer, owner_id=OWNER, approver_id=APPROVER)


def test_the_approvers_moves():
    approved = step(Move.APPROVE, RoundKind.APPROVAL)
    assert (approved.decision, approved.settles, approved.next_round) == (
        D.APPROVED,
        "approved",
        None,
    )
    rejected = step(Move.REJECT, RoundKind.APPROVAL)
    assert (rejected.decision, rejected.settles, rejected.next_round) == (
        D.REJECTED,
        "rejected",
        None,
    )
    changes = step(Move.REQUEST_CHANGES, RoundKind.APPROVAL)
    assert (changes.decision, changes.settles, changes.next_round) == (
        D.CHANGES_REQUESTED,
        None,
        None,
    )


def test_the_owner_accepting_the_leaders_proposal_settles_it():
    accepted = step(Move.ACCEPT, RoundKind.ANSWER, proposer=APPROVER)
    assert (accepted.decision, accepted.settles, accepted.next_round) == (
        D.APPROVED,
        "approved",
        None,
    )


def test_the_owner_accepting_a_third_persons_proposal_passes_it_to_the_approver():
    accepted = step(Move.ACCEPT, RoundKind.ANSWER, proposer=THIRD)
    assert (accepted.decision, accepted.settles) == (D.ACCEPTED, None)
    assert accepted.next_round == (OWNER, APPROVER)


@pytest.mark.parametrize("proposer", [APPROVER, THIRD])
def test_a_counter_goes_to_the_approver(proposer):
    countered = step(Move.COUNTER, RoundKind.ANSWER, proposer=proposer)
    assert (countered.decision, countered.settles) == (D.COUNTERED, None)
    assert countered.next_round == (OWNER, APPROVER)


@pytest.mark.parametrize(
    ("kind", "move"),
    [(kind, move) for kind in RoundKind for move in Move if move not in MOVES[kind]],
)
def test_illegal_moves_are_refused(kind, move):
    with pytest.raises(IllegalMove, match="This round waits for"):
        step(move, kind)


# ---- proposals --------------------------------------------------------------------------------


def test_a_proposal_survives_its_json_and_diffs_field_by_field():
    p = proposal()
    assert Proposal.from_json(p.as_json()) == p
    changed = proposal(target=1.5, title="Nordics", direction="lower")
    assert diff(p, changed) == {
        "title": ["Open the Nordic market", "Nordics"],
        "target": [2.0, 1.5],
        "direction": ["higher", "lower"],
    }
    assert diff(p, p) == {}


def test_an_objective_as_it_stands_is_a_proposal():
    objective = Objective(
        workspace_id=1,
        ref="AN1.1",
        level="cascaded",
        title="Win 40 logos",
        target=40,
        baseline=0,
        monthly_plan=[3, 6, 9, 12, 15, 18, 21, 24, 28, 32, 36, 40],
        higher_is_better=False,
    )
    p = Proposal.of_objective(objective, "U0MGR")
    assert p.target == 40.0 and p.direction == "lower" and p.monthly_plan[-1] == 40.0
    assert p.objective_values(7)["higher_is_better"] is False
    assert p.objective_values(7)["owner_id"] == 7


def test_a_propose_context_names_a_parent_or_an_objective():
    assert ProposeContext.parse(ProposeContext(parent_id=3).dump()).parent_id == 3
    for body in ('{"parent_id": 1, "objective_id": 2}', "{}", '{"parent_id": 0}', "junk"):
        signed = seal(body, key=context._key, purpose="ProposeContext")  # as the bot would
        with pytest.raises(InvalidInput):
            ProposeContext.parse(signed)
    with pytest.raises(InvalidInput):  # a notice is a round's, on an objective
        ProposeContext.parse(
            seal('{"parent_id":1,"notice_round_id":2}', key=context._key, purpose="ProposeContext")
        )


# ---- a stored catchball, read ----------------------------------------------------------------


def people():
    return {
        APPROVER: Person(id=APPROVER, workspace_id=1, slack_user_id="U0VP", name="Ana"),
        OWNER: Person(id=OWNER, workspace_id=1, slack_user_id="U0MGR", name="Mo"),
        THIRD: Person(id=THIRD, workspace_id=1, slack_user_id="U0CEO", name="Dana"),
    }


def ball(rounds, *, state="proposed") -> Catchball:
    parent = Objective(
        id=10,
        workspace_id=1,
        ref="AN1",
        level="annual",
        title="ARR",
        owner_id=APPROVER,
        target=14,
        year=2027,
    )
    child = Objective(
        id=11,
        workspace_id=1,
        ref="AN1.2",
        level="cascaded",
        parent_id=10,
        title="Nordics",
        owner_id=OWNER,
        year=2027,
        state=state,
    )
    return Catchball(child, parent, rounds, people())


def round_(no, proposer, decider, decision=D.PENDING, **fields) -> CatchballRound:
    fields.setdefault("proposal", proposal().as_json())
    return CatchballRound(
        id=100 + no,
        workspace_id=1,
        objective_id=11,
        round_no=no,
        proposer_id=proposer,
        decider_id=decider,
        decision=decision,
        **fields,
    )


def test_a_fresh_round_asks_its_decider_and_tells_its_proposer_where_it_went():
    b = ball([round_(1, APPROVER, OWNER)])
    due = b.due(created={101})
    assert [(d.send, d.to) for d in due] == [(Send.ASK, "U0MGR"), (Send.RECEIPT, "U0VP")]
    assert {d.key for d in due} == {ask_key(101), "catchball.receipt:101"}
    assert b.due() == []  # nothing changed: nothing to say
    assert b.kind(b.rounds[0]) == RoundKind.ANSWER and not b.is_change(b.rounds[0])


def test_a_counter_updates_the_old_dm_and_the_next_round_needs_no_receipt():
    first = round_(
        1,
        APPROVER,
        OWNER,
        D.COUNTERED,
        dm_channel="D0MGR",
        dm_ts="1.1",
        decided_by_id=OWNER,
        decided_at=WHEN,
        reason="Q2",
    )
    second = round_(2, OWNER, APPROVER, diff={"target": [2.0, 1.5]}, note="Q2")
    b = ball([first, second])
    sends = [(d.send, d.round.round_no, d.key) for d in b.due(created={102}, decided={101})]
    # Ana proposed round 1 and is asked round 2: her DM is the news, no separate notice; round 1
    # had its receipt when it was made.
    assert sends == [
        (Send.OUTCOME, 1, "catchball.outcome:101:countered:2"),
        (Send.ASK, 2, "catchball.ask:102"),
    ]
    view = b.view(second)
    assert view.compared_with == 1 and view.kind == RoundKind.APPROVAL and view.approver == "U0VP"


def test_changes_requested_tells_the_proposer_and_a_revision_supersedes_the_dm_again():
    asked = round_(
        1,
        OWNER,
        APPROVER,
        D.CHANGES_REQUESTED,
        dm_channel="D0VP",
        dm_ts="1.1",
        decided_by_id=APPROVER,
        decided_at=WHEN,
        reason="Aim higher",
    )
    b = ball([asked])
    assert [(d.send, d.to) for d in b.due(decided={101})] == [
        (Send.OUTCOME, "U0VP"),
        (Send.NOTICE, "U0MGR"),
    ]
    b.rounds.append(round_(2, OWNER, APPROVER, diff={}))
    keys = [d.key for d in b.due(created={102})]
    assert keys == [
        "catchball.outcome:101:changes_requested:2",  # shows "superseded by round 2"
        ask_key(102),
        "catchball.receipt:102",  # a revision is a new proposal: its proposer hears
    ]


def test_only_a_round_whose_dm_was_asked_has_an_outcome_to_show():
    decided = round_(1, OWNER, APPROVER, D.APPROVED, decided_by_id=APPROVER, decided_at=WHEN)
    b = ball([decided])
    assert [d.send for d in b.due(decided={101})] == [Send.NOTICE]  # no DM to update
    outcome = b.due(decided={101}, asked={101})
    assert [(d.send, d.to, d.key) for d in outcome] == [
        (Send.OUTCOME, "U0VP", "catchball.outcome:101:approved:0"),
        (Send.NOTICE, "U0MGR", "catchball.notice:101"),
    ]


def test_a_decided_round_explains_itself_to_a_late_click():
    first = round_(1, APPROVER, OWNER, D.COUNTERED, decided_by_id=OWNER, decided_at=WHEN)
    b = ball([first, round_(2, OWNER, APPROVER)])
    text = b.stale_reason(first)
    assert "Round 1 of *AN1.2* was already answered with a counter-proposal by <@U0MGR>" in text
    assert "15 Jun 2027 09:00 UTC" in text and "Round 2 is current, waiting for <@U0VP>." in text


def test_an_objective_that_existed_before_its_first_round_is_being_changed():
    b = ball([round_(1, OWNER, APPROVER, diff={"target": [40.0, 35.0]})], state="active")
    assert b.is_change(b.rounds[0]) and b.view(b.rounds[0]).compared_with is None
    approved = round_(1, APPROVER, APPROVER, D.APPROVED, decided_by_id=APPROVER)
    b = ball([approved, round_(2, OWNER, APPROVER)], state="active")
    assert not b.is_change(approved) and b.is_change(b.rounds[1])
    assert b.opens_run(b.rounds[1])
    # Approved at once for its own proposer: a receipt, and no notice.
    assert [d.send for d in b.due(created={101})] == [Send.RECEIPT]
