"""Catchball's DMs are outbox rows: a Slack outage, or a decider Slack can't reach, loses none.

The proposal, counter or decision and its DMs are written in one transaction; the app sends
them at once after the commit, and whatever Slack refused then is sent once later by the
deliverer (here driven by the test, with the clock moved on as the deliver job would find it).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot import ids
from storage.catchball import ask_key
from storage.db import session_scope
from storage.models import OutboxMessage, Person
from storage.outbox import queue as outbox
from tests.e2e.conftest import visible
from tests.e2e.reflection_bed import deliverer, drain
from tests.e2e.test_catchball_e2e import (
    NORDICS,
    buttons,
    click,
    command_modal,
    dms,
    rounds,
    setup,
    wait_dm_with,
    wait_round,
)


def catchball_rows(slack) -> list[OutboxMessage]:
    with Session(slack.engine) as session:
        query = select(OutboxMessage).where(OutboxMessage.dedup_key.startswith("catchball."))
        return list(session.exec(query.order_by(OutboxMessage.id)))


def proposals_to(slack, user: str) -> list:
    return [m for m in dms(slack, user) if "Proposal AN1.2" in m.text]


def tried(slack, count: int) -> None:
    """The app tried to send `count` catchball DMs right after the commit, and Slack failed it."""
    assert slack.standin.wait_for(
        lambda _: len([r for r in catchball_rows(slack) if r.last_error]) >= count, 10
    ), [(r.dedup_key, r.state, r.last_error) for r in catchball_rows(slack)]


def later(slack) -> None:
    """Slack is back; minutes pass and the deliver job runs until nothing is owed."""
    slack.clock.advance(timedelta(minutes=5))
    drain(slack, deliverer(slack))


@pytest.mark.parametrize("outage", ["server_error", "slack_down"])
def test_a_proposal_made_while_slack_fails_reaches_its_people_once_later(slack, outage):
    setup(slack)
    view = command_modal(slack, "U0VP", "propose AN1")  # Ana proposes AN1.2 for Mo
    if outage == "server_error":
        slack.standin.inject("chat.postMessage", status=503, times=2)
    else:
        slack.standin.stop()
    assert slack.submit("U0VP", view, NORDICS).json() is None  # stored, whatever Slack does
    wait_round(slack, "AN1.2", 1, decision="pending")
    tried(slack, 2)  # Mo's proposal DM and Ana's receipt
    assert proposals_to(slack, "U0MGR") == [] and dms(slack, "U0VP") == []
    assert {r.state for r in catchball_rows(slack)} <= {"queued", "in_doubt"}

    slack.standin.start()  # (already up for a server error)
    later(slack)
    [ask] = proposals_to(slack, "U0MGR")
    assert set(buttons(ask)) == {ids.ACTION_CATCHBALL_ACCEPT, ids.ACTION_CATCHBALL_COUNTER}
    [receipt] = dms(slack, "U0VP")
    assert "Sent" in receipt.text and "<@U0MGR>" in receipt.text
    assert {r.state for r in catchball_rows(slack)} == {"sent"}
    if outage == "server_error":  # "may have been posted": looked for before sent again
        assert slack.standin.calls_to("conversations.history")

    # The late DM works as any other: Mo accepts, and his DM shows it in place.
    click(slack, "U0MGR", ask, ids.ACTION_CATCHBALL_ACCEPT)
    wait_round(slack, "AN1.2", 1, decision="approved")
    assert slack.standin.wait_for(lambda _: not buttons(proposals_to(slack, "U0MGR")[0]), 10)
    [updated] = proposals_to(slack, "U0MGR")
    assert updated.ts == ask.ts and "Accepted by <@U0MGR>" in visible({"blocks": updated.blocks})
    assert len(proposals_to(slack, "U0MGR")) == 1


def test_a_revision_while_the_first_dm_waits_for_slack_replaces_its_buttons_once_it_lands(slack):
    setup(slack)
    view = command_modal(slack, "U0MGR", "propose AN1")  # Mo proposes for himself: Ana decides
    slack.standin.stop()
    assert slack.submit("U0MGR", view, NORDICS).json() is None
    wait_round(slack, "AN1.2", 1, decision="pending")
    tried(slack, 2)

    slack.standin.start()  # back just long enough to open the revise modal...
    revise = command_modal(slack, "U0MGR", "revise AN1.2")
    slack.standin.stop()  # ...and down again when it is submitted
    values = {**NORDICS, ids.FIELD_TARGET: "2.5"}
    assert slack.submit("U0MGR", revise, values).json() is None
    wait_round(slack, "AN1.2", 2, decision="pending")
    assert rounds(slack, "AN1.2")[0].decision == "superseded"
    assert proposals_to(slack, "U0VP") == []

    slack.standin.start()
    later(slack)
    first, second = proposals_to(slack, "U0VP")
    # Round 1's DM arrived first, then was updated in place: superseded, no buttons.
    assert "round 1" in first.text and not buttons(first)
    assert "Superseded" in visible({"blocks": first.blocks})
    [update] = [c for c in slack.standin.calls_to("chat.update") if c.ok]
    assert (update.args["channel"], update.args["ts"]) == (first.channel, first.ts)
    assert not any(k.startswith("hoshin_") for k in update.args)
    assert "round 2" in second.text and ids.ACTION_CATCHBALL_APPROVE in buttons(second)
    assert {r.state for r in catchball_rows(slack)} == {"sent"}


def test_a_decider_slack_cannot_reach_is_reported_to_the_proposer_once(slack):
    setup(slack)
    view = command_modal(slack, "U0VP", "propose AN1")  # Ana proposes for Mo...
    slack.standin.set_user("U0MGR", deleted=True)  # ...who has just been deactivated
    assert slack.submit("U0VP", view, NORDICS).json() is None
    wait_round(slack, "AN1.2", 1, decision="pending")
    later(slack)

    warning = wait_dm_with(slack, "U0VP", "couldn't send round 1")
    assert "<@U0MGR>" in warning.text and "can't reach them" in warning.text
    assert len([m for m in dms(slack, "U0VP") if "couldn't send" in m.text]) == 1
    with session_scope(slack.engine) as session:
        mo = session.exec(select(Person).where(Person.slack_user_id == "U0MGR")).one()
        assert mo.unreachable_reason
        [round_] = rounds(slack, "AN1.2")
        ask = outbox.by_key(session, workspace_id=mo.workspace_id, dedup_key=ask_key(round_.id))
        assert ask.state == "failed"


def test_the_home_links_a_pending_decision_to_the_dm_the_outbox_sent(slack):
    setup(slack)
    view = command_modal(slack, "U0MGR", "propose AN1")
    assert slack.submit("U0MGR", view, NORDICS).json() is None
    ask = wait_dm_with(slack, "U0VP", "Proposal AN1.2")
    delivery = slack.sender.event({"type": "app_home_opened", "user": "U0VP", "tab": "home"})
    assert delivery.status == 200
    assert slack.standin.wait_for(lambda s: "U0VP" in s.home_views, 10)
    home = visible({"blocks": slack.standin.home_views["U0VP"]["blocks"]})
    assert f"app_redirect?channel={ask.channel}|answer in the DM" in home
