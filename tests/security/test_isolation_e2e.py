"""Two workspaces in one database, with the same people's ids, never see each other's data."""

from __future__ import annotations

import json
import re

import pytest

from bot.standin.inbound import SlackSender
from tests.e2e.conftest import SIGNING_SECRET, visible
from tests.security.twoworkspaces import OTHER

A_WORDS = ("Grow ARR", "Win 40 new mid-market logos", "Cut churn", "Hire two AEs")
B_WORDS = ("B's", "BT9", "AN9")


@pytest.fixture
def other(beds):
    slack, _ = beds
    return SlackSender(
        slack.server.url, signing_secret=SIGNING_SECRET, standin=slack.standin, team_id=OTHER
    )


def answer(slack, sender: SlackSender, user: str, text: str) -> str:
    delivery = sender.slash_command(user_id=user, text=text)
    assert delivery.status == 200
    return visible(slack.answer_to(delivery))


def test_status_shows_each_workspace_only_its_own_plan(beds, other):
    slack, _ = beds
    mine = answer(slack, slack.sender, "U0CEO", "status")
    theirs = answer(slack, other, "U0CEO", "status")
    assert "Grow ARR" in mine and not any(w in mine for w in B_WORDS)
    assert "B's secret annual objective" in theirs and not any(w in theirs for w in A_WORDS)


@pytest.mark.parametrize("text", ["status AN9", "status @U0VP", "propose AN9", "action AN9"])
def test_the_other_workspaces_refs_and_people_are_not_found(beds, text):
    slack, _ = beds
    said = answer(slack, slack.sender, "U0VP", text)
    assert not any(w in said for w in B_WORDS if w != "AN9")
    if "AN9" in text:
        assert re.search(r"no (active )?objective `AN9`", said), said
    assert slack.standin.calls_to("views.open") == []


def test_an_admin_cannot_edit_the_other_workspaces_objective(beds):
    slack, _ = beds
    said = answer(slack, slack.sender, "U0CEO", "edit AN9")
    assert "B's" not in said
    assert slack.standin.calls_to("views.open") == []


def test_the_home_shows_each_workspace_only_its_own(beds, other):
    slack, b = beds
    theirs = {b["objective"], b["cascaded"], b["breakthrough"]}
    for sender, team, absent in ((slack.sender, "T0ACME", B_WORDS), (other, OTHER, A_WORDS)):
        slack.standin.reset()
        delivery = sender.event({"type": "app_home_opened", "user": "U0VP", "tab": "home"})
        assert delivery.status == 200
        assert slack.standin.wait_for(lambda s: s.calls_to("views.publish"), timeout=10)
        [call] = slack.standin.calls_to("views.publish")
        shown = visible({"blocks": call.args["view"]["blocks"]})
        assert not any(w in shown for w in absent), (team, shown)
        pointed = {
            json.loads(e["value"].split(".", 2)[2]).get("objective_id")  # h1.<tag>.<json>
            for block in call.args["view"]["blocks"]
            if block["type"] == "actions"
            for e in block["elements"]
            if e.get("value", "").startswith("h1.")
        }
        assert pointed, team  # Ana owns objectives in both workspaces: each Home has buttons
        assert (pointed <= theirs) == (team == OTHER) and (not pointed & theirs) == (team != OTHER)
