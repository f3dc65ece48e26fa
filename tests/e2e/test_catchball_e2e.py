"""Catchball end to end: proposals, answers and decisions through the real app and the stand-in."""

from __future__ import annotations

import json
import threading

from sqlmodel import Session, select

from bot import ids
from bot.context import ObjectiveRef
from bot.standin.slack_side import SlackSide
from storage import audit
from storage.catchball import ask_key
from storage.models import CatchballRound, Objective, OutboxMessage
from storage.outbox import queue as outbox
from tests.e2e.conftest import visible
from tests.e2e.seed import small_plan

PLAN = "0.1 0.2 0.3 0.4 0.6 0.8 1.0 1.2 1.4 1.6 1.8 2"
NORDICS = {
    ids.FIELD_TITLE: "Open the Nordic market",
    ids.FIELD_OWNER: "U0MGR",
    ids.FIELD_METRIC_NAME: "Nordic ARR",
    ids.FIELD_METRIC_UNIT: "M$",
    ids.FIELD_BASELINE: "0",
    ids.FIELD_TARGET: "2",
    ids.FIELD_DIRECTION: "higher",
    ids.FIELD_MONTHLY_PLAN: PLAN,
    ids.FIELD_DESCRIPTION: "Two partners in Sweden, one in Norway.",
    ids.FIELD_NOTE: "Our biggest untapped region.",
}


# ---- helpers: the Slack side of a person ------------------------------------------------------


def setup(slack) -> None:
    small_plan(slack.engine)
    for user, name in (("U0CEO", "Dana"), ("U0VP", "Ana"), ("U0MGR", "Mo"), ("U0LEE", "Lee")):
        slack.standin.add_user(user, name=name.lower(), real_name=name)


def modals(slack, callback_id: str) -> list[dict]:
    return slack.ui.modals(callback_id)


def next_modal(slack, callback_id: str, before: int) -> dict:
    return slack.ui.next_modal(callback_id, before)


def command_modal(slack, user: str, text: str, callback_id: str = ids.VIEW_PROPOSE) -> dict:
    return slack.ui.command_modal(user, text, callback_id)


def dms(slack, user: str) -> list:
    return slack.ui.dms(user)


def wait_dms(slack, user: str, count: int) -> list:
    assert slack.standin.wait_for(lambda s: len(s.messages(user)) >= count, 10), [
        m.text for m in dms(slack, user)
    ]
    return dms(slack, user)


def wait_dm_with(slack, user: str, words: str):
    return slack.ui.wait_dm_with(user, words)


buttons = SlackSide.buttons


def click(slack, user: str, message, action_id: str):
    return slack.ui.click(user, message, action_id)


def click_modal(slack, user: str, message, action_id: str, callback_id: str) -> dict:
    return slack.ui.click_modal(user, message, action_id, callback_id)


def prefilled(view: dict, **changes) -> dict:
    """What Slack submits for a modal nobody touched: every input's initial value."""
    values = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        values[block["block_id"]] = (
            element.get("initial_value")
            or element.get("initial_user")
            or (element.get("initial_option") or {}).get("value")
        )
    values.update(changes)
    return values


def private_answer(slack, delivery) -> str:
    return slack.answer_to(delivery)["text"]


def rounds(slack, ref: str) -> list[CatchballRound]:
    with Session(slack.engine) as session:
        objective = session.exec(select(Objective).where(Objective.ref == ref)).one()
        return list(
            session.exec(
                select(CatchballRound)
                .where(CatchballRound.objective_id == objective.id)
                .order_by(CatchballRound.round_no)
            )
        )


def asked_dm(slack, round: CatchballRound) -> OutboxMessage:
    """The outbox row of a round's decision DM, once delivered: where it landed."""
    with Session(slack.engine) as session:
        return outbox.by_key(session, workspace_id=round.workspace_id, dedup_key=ask_key(round.id))


def objective(slack, ref: str) -> Objective | None:
    with Session(slack.engine) as session:
        return session.exec(select(Objective).where(Objective.ref == ref)).first()


def wait_round(slack, ref: str, round_no: int, **expected) -> CatchballRound:
    def matches(_):
        found = [r for r in rounds(slack, ref) if r.round_no == round_no]
        return found and all(getattr(found[0], k) == v for k, v in expected.items())

    assert slack.standin.wait_for(matches, 10), [
        (r.round_no, r.decision, r.dm_ts) for r in rounds(slack, ref)
    ]
    return next(r for r in rounds(slack, ref) if r.round_no == round_no)


def propose_nordics(slack, user: str = "U0VP", **changes) -> None:
    view = command_modal(slack, user, "propose AN1")
    assert slack.submit(user, view, {**NORDICS, **changes}).json() is None


# ---- the whole catchball ----------------------------------------------------------------------


def test_leader_proposes_owner_counters_leader_asks_changes_then_approves(slack):
    setup(slack)
    # Ana owns AN1 and proposes a cascaded objective for Mo.
    view = command_modal(slack, "U0VP", "propose AN1")
    assert view["private_metadata"] and "AN1" in visible(view)
    assert slack.submit("U0VP", view, NORDICS).json() is None
    wait_round(slack, "AN1.2", 1, decision="pending")
    new = objective(slack, "AN1.2")
    assert new.state == "proposed" and new.year == 2027 and new.target == 2
    assert new.description == NORDICS[ids.FIELD_DESCRIPTION]

    # Mo is asked first: Accept or Counter-propose.
    ask = wait_dms(slack, "U0MGR", 1)[0]
    text = visible({"text": ask.text, "blocks": ask.blocks})
    assert "Proposal AN1.2 · round 1" in text and "AN1" in text and "Grow ARR to 14 M$" in text
    assert "target 14 M$" in text and "Open the Nordic market" in text
    assert set(buttons(ask)) == {ids.ACTION_CATCHBALL_ACCEPT, ids.ACTION_CATCHBALL_COUNTER}
    receipt = wait_dms(slack, "U0VP", 1)[0]
    assert "Sent" in receipt.text and "<@U0MGR>" in receipt.text

    # Mo counter-proposes a lower target, with a reason.
    counter = click_modal(slack, "U0MGR", ask, ids.ACTION_CATCHBALL_COUNTER, ids.VIEW_COUNTER)
    values = prefilled(counter)
    assert values[ids.FIELD_TARGET] == "2" and values[ids.FIELD_TITLE] == NORDICS[ids.FIELD_TITLE]
    plan = "0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1.1 1.3 1.5"
    values.update({ids.FIELD_TARGET: "1.5", ids.FIELD_MONTHLY_PLAN: plan})
    values[ids.FIELD_REASON] = "Hiring in Oslo starts in Q2."
    assert slack.submit("U0MGR", counter, values).json() is None
    second = wait_round(slack, "AN1.2", 2, decision="pending")
    assert second.diff["target"] == [2.0, 1.5] and "monthly_plan" in second.diff
    assert second.note == "Hiring in Oslo starts in Q2."
    assert wait_round(slack, "AN1.2", 1).decision == "countered"

    # Mo's DM now shows the outcome instead of the buttons; Ana gets round 2.
    assert slack.standin.wait_for(lambda s: not buttons(dms(slack, "U0MGR")[0]), 10)
    assert "Counter-proposed by <@U0MGR>" in visible({"blocks": dms(slack, "U0MGR")[0].blocks})
    ana = wait_dms(slack, "U0VP", 2)
    round2 = ana[-1]
    text = visible({"text": round2.text, "blocks": round2.blocks})
    assert "round 2" in text and "Target: 2 → 1.5" in text and "Hiring in Oslo" in text
    assert set(buttons(round2)) == {
        ids.ACTION_CATCHBALL_APPROVE,
        ids.ACTION_CATCHBALL_REQUEST_CHANGES,
        ids.ACTION_CATCHBALL_REJECT,
    }

    # Ana asks for changes (a reason is required).
    reason = click_modal(
        slack, "U0VP", round2, ids.ACTION_CATCHBALL_REQUEST_CHANGES, ids.VIEW_DECISION_REASON
    )
    refused = slack.submit("U0VP", reason, {ids.FIELD_REASON: "  "}).json()
    assert refused["response_action"] == "errors" and ids.FIELD_REASON in refused["errors"]
    assert wait_round(slack, "AN1.2", 2).decision == "pending"
    answer = {ids.FIELD_REASON: "1.5 is too cautious: aim for 1.8."}
    assert slack.submit("U0VP", reason, answer).json() is None
    wait_round(slack, "AN1.2", 2, decision="changes_requested")
    notice = wait_dms(slack, "U0MGR", 2)[-1]
    assert "asks for changes" in notice.text and "aim for 1.8" in visible({"blocks": notice.blocks})
    assert slack.standin.wait_for(lambda s: not buttons(dms(slack, "U0VP")[1]), 10)

    # Mo revises from the notice: the propose modal, filled with round 2.
    revise = click_modal(slack, "U0MGR", notice, ids.ACTION_CATCHBALL_REVISE, ids.VIEW_PROPOSE)
    values = prefilled(revise)
    assert values[ids.FIELD_TARGET] == "1.5" and values[ids.FIELD_OWNER] == "U0MGR"
    assert "aim for 1.8" in visible(revise)
    values[ids.FIELD_TARGET] = "1.8"
    values[ids.FIELD_MONTHLY_PLAN] = "0.1 0.2 0.3 0.4 0.6 0.7 0.8 1.0 1.2 1.4 1.6 1.8"
    assert slack.submit("U0MGR", revise, values).json() is None
    third = wait_round(slack, "AN1.2", 3, decision="pending")
    assert third.diff["target"] == [1.5, 1.8] and third.proposer_id == second.proposer_id
    # The old DM says it was superseded; the notice lost its Revise button.
    assert slack.standin.wait_for(
        lambda s: "Superseded" in visible({"blocks": dms(slack, "U0VP")[1].blocks}), 10
    )
    assert slack.standin.wait_for(lambda s: not buttons(dms(slack, "U0MGR")[1]), 10)

    # Ana approves round 3.
    round3 = wait_dms(slack, "U0VP", 3)[-1]
    assert "round 3" in round3.text
    click(slack, "U0VP", round3, ids.ACTION_CATCHBALL_APPROVE)
    wait_round(slack, "AN1.2", 3, decision="approved")
    approved = objective(slack, "AN1.2")
    assert approved.state == "active" and approved.target == 1.8
    assert approved.monthly_plan[-1] == 1.8
    assert slack.standin.wait_for(
        lambda s: "Approved by <@U0VP>" in visible({"blocks": dms(slack, "U0VP")[-1].blocks}),
        10,
    )
    assert "It's active now" in wait_dm_with(slack, "U0MGR", "<@U0VP> approved").text

    # Each DM with buttons was updated in place by chat.update, never re-posted.
    updated = {(c.args["channel"], c.args["ts"]) for c in slack.standin.calls_to("chat.update")}
    for r in rounds(slack, "AN1.2"):
        asked = asked_dm(slack, r)
        assert asked.state == "sent" and (asked.result_channel, asked.result_ts) in updated
    with Session(slack.engine) as session:
        actions = [e.action for e in audit.entries(session, workspace_id=1)]
    assert actions.count("catchball.propose") == 3
    for action in ("catchball.countered", "catchball.changes_requested", "catchball.approved"):
        assert action in actions
    assert "catchball.approve" in actions  # the objective's own change, audited

    text = visible(slack.command("U0CEO", "status AN1"))
    assert "AN1.2" in text and "Open the Nordic market" in text


def own_proposal(slack, **changes):
    """Mo proposes an objective for himself under AN1: Ana, who owns AN1, decides."""
    propose_nordics(slack, "U0MGR", **changes)
    wait_round(slack, "AN1.2", 1, decision="pending")
    return wait_dm_with(slack, "U0VP", "Proposal AN1.2")


def decisions(slack) -> list[str]:
    with Session(slack.engine) as session:
        entries = audit.entries(session, workspace_id=1, entity="catchball_round")
        return [e.action for e in entries if e.action != "catchball.propose"]


def test_only_the_approver_or_an_admin_can_decide(slack):
    setup(slack)
    ask = own_proposal(slack)
    assert set(buttons(ask)) == {
        ids.ACTION_CATCHBALL_APPROVE,
        ids.ACTION_CATCHBALL_REQUEST_CHANGES,
        ids.ACTION_CATCHBALL_REJECT,
    }
    for user in ("U0LEE", "U0MGR"):  # someone outside the plan, and the proposer himself
        for action in (ids.ACTION_CATCHBALL_APPROVE, ids.ACTION_CATCHBALL_REJECT):
            answer = private_answer(slack, click(slack, user, ask, action))
            assert "Only <@U0VP> (or an admin) can decide this." in answer
    assert wait_round(slack, "AN1.2", 1).decision == "pending"
    assert objective(slack, "AN1.2").state == "proposed"
    assert not slack.standin.calls_to("chat.update") and not decisions(slack)
    assert not modals(slack, ids.VIEW_DECISION_REASON)

    # Dana is an admin: she may decide in Ana's place.
    click(slack, "U0CEO", ask, ids.ACTION_CATCHBALL_APPROVE)
    decided = wait_round(slack, "AN1.2", 1, decision="approved")
    assert objective(slack, "AN1.2").state == "active"
    assert "<@U0CEO> approved" in wait_dm_with(slack, "U0MGR", "approved").text
    assert decided.decided_by_id != decided.decider_id


def test_a_double_click_decides_once(slack):
    setup(slack)
    ask = own_proposal(slack)
    deliveries = []
    threads = [
        threading.Thread(
            target=lambda: deliveries.append(
                click(slack, "U0VP", ask, ids.ACTION_CATCHBALL_APPROVE)
            )
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wait_round(slack, "AN1.2", 1, decision="approved")
    late = private_answer(slack, click(slack, "U0VP", ask, ids.ACTION_CATCHBALL_APPROVE))
    assert "already approved by <@U0VP>" in late and "15 Jun 2027 09:00 UTC" in late
    assert decisions(slack) == ["catchball.approved"]

    # The click that lost the race is told so, privately; the winner needs no answer.
    def answered(_):
        return [p for d in deliveries for p in slack.standin.response_posts(d.response_url)]

    assert slack.standin.wait_for(answered, 10)
    (loser,) = answered(None)
    assert "already approved by <@U0VP>" in loser["text"]
    wait_dm_with(slack, "U0MGR", "approved")  # the notice follows the update of Ana's DM
    notices = [m for m in dms(slack, "U0MGR") if "approved" in m.text]
    assert len(notices) == 1 and len(slack.standin.calls_to("chat.update")) == 1

    # Each went out as one outbox row, written with the decision that won (the DM can show
    # before its row is marked sent: the deliverer records it right after the call).
    def rows(_=None):
        with Session(slack.engine) as session:
            return sorted(
                session.exec(
                    select(OutboxMessage.dedup_key, OutboxMessage.state).where(
                        OutboxMessage.dedup_key.startswith("catchball.")
                    )
                ).all()
            )

    [round_] = rounds(slack, "AN1.2")
    expected = sorted(
        (key, "sent")
        for key in (
            ask_key(round_.id),
            f"catchball.receipt:{round_.id}",
            f"catchball.outcome:{round_.id}:approved:0",
            f"catchball.notice:{round_.id}",
        )
    )
    assert slack.standin.wait_for(lambda _: rows() == expected, 10), rows()


def test_a_click_on_a_round_that_was_answered_or_replaced_changes_nothing(slack):
    setup(slack)
    propose_nordics(slack)  # Ana proposes for Mo: Mo answers round 1
    ask = wait_dm_with(slack, "U0MGR", "Proposal AN1.2")
    counter = click_modal(slack, "U0MGR", ask, ids.ACTION_CATCHBALL_COUNTER, ids.VIEW_COUNTER)
    values = prefilled(counter, **{ids.FIELD_TARGET: "1.5", ids.FIELD_REASON: "Q2 hiring."})
    assert slack.submit("U0MGR", counter, values).json() is None
    wait_round(slack, "AN1.2", 2, decision="pending")
    # The stale message still shows round 1's buttons on Mo's screen: he presses Accept.
    answer = private_answer(slack, click(slack, "U0MGR", ask, ids.ACTION_CATCHBALL_ACCEPT))
    assert "Round 1 of *AN1.2* was already answered with a counter-proposal by <@U0MGR>" in answer
    assert "Round 2 is current, waiting for <@U0VP>." in answer
    # The counter modal, submitted again (a replay), changes nothing either.
    again = slack.submit("U0MGR", counter, values).json()
    assert again is None or "already" in json.dumps(again)
    assert [r.decision for r in rounds(slack, "AN1.2")] == ["countered", "pending"]

    # Mo revises his round 2 before Ana answers it: round 2 is superseded by round 3.
    round2 = wait_dm_with(slack, "U0VP", "round 2")
    view = command_modal(slack, "U0MGR", "revise an1.2")
    assert prefilled(view)[ids.FIELD_TARGET] == "1.5"
    assert slack.submit("U0MGR", view, prefilled(view, **{ids.FIELD_TARGET: "1.6"})).json() is None
    wait_round(slack, "AN1.2", 3, decision="pending")
    assert wait_round(slack, "AN1.2", 2).decision == "superseded"
    answer = private_answer(slack, click(slack, "U0VP", round2, ids.ACTION_CATCHBALL_APPROVE))
    assert "Round 2 of *AN1.2* was already superseded" in answer
    assert "Round 3 is current, waiting for <@U0VP>." in answer
    assert slack.standin.wait_for(
        lambda s: (
            "Superseded" in visible({"blocks": dms(slack, "U0VP")[round2_index(slack)].blocks})
        ),
        10,
    )
    assert objective(slack, "AN1.2").target == 1.6 and objective(slack, "AN1.2").state == "proposed"
    assert decisions(slack) == ["catchball.countered", "catchball.superseded"]


def round2_index(slack) -> int:
    return next(i for i, m in enumerate(dms(slack, "U0VP")) if "round 2" in m.text)


def test_reject_with_a_reason(slack):
    setup(slack)
    ask = own_proposal(slack)
    reason = click_modal(slack, "U0VP", ask, ids.ACTION_CATCHBALL_REJECT, ids.VIEW_DECISION_REASON)
    missing = slack.submit("U0VP", reason, {}).json()
    assert missing["errors"] == {ids.FIELD_REASON: "Please give a reason."}
    why = "The Nordics wait until 2028; focus on mid-market first."
    assert slack.submit("U0VP", reason, {ids.FIELD_REASON: why}).json() is None
    rejected = wait_round(slack, "AN1.2", 1, decision="rejected")
    assert rejected.reason == why and objective(slack, "AN1.2").state == "rejected"
    notice = wait_dm_with(slack, "U0MGR", "rejected")
    assert why in visible({"text": notice.text, "blocks": notice.blocks})
    assert not buttons(notice)
    assert slack.standin.wait_for(
        lambda s: "Rejected by <@U0VP>" in visible({"blocks": dms(slack, "U0VP")[-1].blocks}), 10
    )
    assert "AN1.2" not in visible(slack.command("U0VP", "status AN1"))
    refused = visible(slack.command("U0MGR", "revise AN1.2"))
    assert "AN1.2 was rejected" in refused and "/hoshin propose AN1" in refused


def test_bad_input_is_refused_inline_and_nothing_is_stored(slack):
    setup(slack)
    slack.standin.add_user("U0GONE", name="gone", real_name="Gone", deleted=True)
    view = command_modal(slack, "U0VP", "propose AN1")
    bad = {
        **NORDICS,
        ids.FIELD_TITLE: "",
        ids.FIELD_TARGET: "lots",
        ids.FIELD_MONTHLY_PLAN: "1 2 3 4 5 6 7 8 9 10 11",
        ids.FIELD_OWNER: "U0GONE",
    }
    errors = slack.submit("U0VP", view, bad).json()["errors"]
    assert set(errors) == {
        ids.FIELD_TITLE,
        ids.FIELD_TARGET,
        ids.FIELD_MONTHLY_PLAN,
        ids.FIELD_OWNER,
    }
    assert "must be a number" in errors[ids.FIELD_TARGET]
    assert "exactly twelve numbers" in errors[ids.FIELD_MONTHLY_PLAN]
    assert "deactivated" in errors[ids.FIELD_OWNER]
    unknown = slack.submit("U0VP", view, {**NORDICS, ids.FIELD_OWNER: "U0NOBODY"}).json()
    assert unknown["errors"] == {ids.FIELD_OWNER: "That person is not in this workspace."}
    assert objective(slack, "AN1.2") is None and not decisions(slack)

    # Corrected, with a 5,000-character description: stored whole, shown shortened.
    long = "Partners first. " * 312 + "The end."
    assert len(long) >= 5000
    assert slack.submit("U0VP", view, {**NORDICS, ids.FIELD_DESCRIPTION: long}).json() is None
    wait_round(slack, "AN1.2", 1, decision="pending")
    assert objective(slack, "AN1.2").description == long
    shown = visible({"blocks": wait_dm_with(slack, "U0MGR", "Proposal AN1.2").blocks})
    assert "The end." not in shown and f"all {len(long):,} characters are kept" in shown
    # The same submission again (a replay) stores nothing more.
    assert slack.submit("U0VP", view, {**NORDICS, ids.FIELD_DESCRIPTION: long}).json() is None
    assert objective(slack, "AN1.3") is None and len(rounds(slack, "AN1.2")) == 1


def test_a_change_to_an_active_objective_applies_only_once_approved(slack):
    setup(slack)
    view = command_modal(slack, "U0MGR", "revise AN1.1")
    values = prefilled(view)
    assert values[ids.FIELD_TARGET] == "40" and values[ids.FIELD_OWNER] == "U0MGR"
    same = slack.submit("U0MGR", view, values).json()
    assert "as it stands" in same["errors"][ids.FIELD_TARGET]
    values.update({ids.FIELD_TARGET: "35", ids.FIELD_NOTE: "Two AEs start late."})
    values[ids.FIELD_MONTHLY_PLAN] = "3 6 9 12 14 17 20 23 26 29 32 35"
    assert slack.submit("U0MGR", view, values).json() is None
    pending = wait_round(slack, "AN1.1", 1, decision="pending")
    assert pending.diff["target"] == [40.0, 35.0]
    assert objective(slack, "AN1.1").target == 40 and objective(slack, "AN1.1").state == "active"
    assert "40" in visible(slack.command("U0VP", "status AN1.1"))
    ask = wait_dm_with(slack, "U0VP", "Change to AN1.1")
    assert "Target: 40 → 35" in visible({"blocks": ask.blocks})
    click(slack, "U0VP", ask, ids.ACTION_CATCHBALL_APPROVE)
    wait_round(slack, "AN1.1", 1, decision="approved")
    changed = objective(slack, "AN1.1")
    assert changed.target == 35 and changed.monthly_plan[-1] == 35
    with Session(slack.engine) as session:
        entry = [
            e
            for e in audit.entries(session, workspace_id=1, entity="objective")
            if e.action == "catchball.approve"
        ][-1]
    assert entry.before["target"] == 40 and entry.after["target"] == 35
    assert "applies now" in wait_dm_with(slack, "U0MGR", "approved").text


def test_a_third_persons_proposal_goes_to_the_owner_then_the_approver(slack):
    setup(slack)
    propose_nordics(slack, "U0CEO")  # Dana proposes under Ana's AN1, for Mo
    ask = wait_dm_with(slack, "U0MGR", "Proposal AN1.2")
    assert set(buttons(ask)) == {ids.ACTION_CATCHBALL_ACCEPT, ids.ACTION_CATCHBALL_COUNTER}
    click(slack, "U0MGR", ask, ids.ACTION_CATCHBALL_ACCEPT)
    wait_round(slack, "AN1.2", 1, decision="accepted")
    second = wait_round(slack, "AN1.2", 2, decision="pending")
    assert second.diff == {} and objective(slack, "AN1.2").state == "proposed"
    assert "now with <@U0VP>" in wait_dm_with(slack, "U0CEO", "accepted").text
    approval = wait_dm_with(slack, "U0VP", "round 2")
    click(slack, "U0VP", approval, ids.ACTION_CATCHBALL_APPROVE)
    wait_round(slack, "AN1.2", 2, decision="approved")
    assert objective(slack, "AN1.2").state == "active"


def test_help_refusals_and_the_home_button(slack):
    setup(slack)
    text = visible(slack.command("U0VP", "help"))
    assert "/hoshin propose REF" in text and "/hoshin revise REF" in text
    assert "admins set the annual objectives" in visible(slack.command("U0VP", "propose BT1"))
    assert "Name one objective" in visible(slack.command("U0VP", "propose"))
    assert "no objective `AN9`" in visible(slack.command("U0VP", "propose AN9"))
    assert "admins change those" in visible(slack.command("U0VP", "revise AN1"))
    assert "Only AN1.1's owner <@U0MGR>" in visible(slack.command("U0LEE", "revise AN1.1"))

    with Session(slack.engine) as session:
        an1 = session.exec(select(Objective).where(Objective.ref == "AN1")).one()
    home = {"id": "VHOME", "type": "home", "blocks": []}
    delivery = slack.sender.block_action(
        user_id="U0MGR",
        action_id=ids.ACTION_HOME_PROPOSE,
        value=ObjectiveRef(objective_id=an1.id).dump(),
        block_id="home",
        view=home,
    )
    assert delivery.status == 200
    view = next_modal(slack, ids.VIEW_PROPOSE, 0)
    assert prefilled(view)[ids.FIELD_OWNER] == "U0MGR" and "AN1" in visible(view)

    # Lee is not in the plan yet: he may still propose, for himself, and becomes known.
    lee = command_modal(slack, "U0LEE", "propose AN2")
    values = {**NORDICS, ids.FIELD_OWNER: "U0LEE", ids.FIELD_TITLE: "Churn interviews"}
    assert slack.submit("U0LEE", lee, values).json() is None
    assert wait_round(slack, "AN2.1", 1, decision="pending").proposal["owner"] == "U0LEE"
    assert "Proposal AN2.1" in wait_dm_with(slack, "U0VP", "Proposal AN2.1").text


def test_a_metric_name_longer_than_its_field_is_refused_inline(slack):
    # The field holds forms.METRIC_NAME_LIMIT (120); the reader took up to a title's 200.
    setup(slack)
    view = command_modal(slack, "U0VP", "propose AN1")
    answer = slack.submit("U0VP", view, {**NORDICS, ids.FIELD_METRIC_NAME: "m" * 121}).json()
    assert list(answer["errors"]) == [ids.FIELD_METRIC_NAME]
    assert objective(slack, "AN1.2") is None
