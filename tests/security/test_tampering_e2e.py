"""Button values and private_metadata edited to point elsewhere: refused, privately, nothing changed.

Slack signs the request, but the value inside was written by the bot earlier and travels through
the person's client, so it can be edited. Two workspaces share one database here, with the same
Slack user ids in both (Enterprise Grid, or plain collision). Every handler that parses a context
(`bot/context.py`, `ProposeContext`, `DecisionContext`, `ObjectiveDraft`) is sent one that points
at the other workspace's objective, round or action, or at another person's, and must answer
with a clear private message (an inline error for a modal) while every table stays as it was.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot import ids
from bot.catchball.model import DecisionContext, ProposeContext
from bot.context import ActionRef, CheckInRef, ObjectiveRef, RoundRef
from bot.objectives.admin import ObjectiveDraft
from storage.models import ActionItem
from tests.e2e.conftest import visible
from tests.e2e.test_catchball_e2e import NORDICS, prefilled
from tests.security.twoworkspaces import changed_tables, objective_id, snapshot

UNEXPECTED = "Something went wrong on our side"
PERIOD = "2027-05"


def refusal_of(slack, delivery) -> str:
    """The private answer to a tampered click: at its response_url (ephemeral), else a DM."""
    assert delivery.status == 200, delivery.body
    assert slack.standin.wait_for(
        lambda s: (
            s.response_posts(delivery.response_url)
            or s.ephemerals()
            or [m for m in s.messages() if m.channel.startswith("D")]
        ),
        timeout=10,
    ), "the tampered click got no answer"
    posts = slack.standin.response_posts(delivery.response_url)
    if posts:
        assert posts[0].get("response_type", "ephemeral") == "ephemeral"
        assert not posts[0].get("replace_original")
        return visible(posts[0])
    texts = [m.text for m in slack.standin.ephemerals()]
    texts += [m.text for m in slack.standin.messages() if m.channel.startswith("D")]
    return "\n".join(texts)


# ---- buttons ------------------------------------------------------------------------------------

CLICKS = [
    # (who clicks, action id, how the value is built from B's ids)
    ("U0MGR", ids.ACTION_CATCHBALL_APPROVE, lambda b: RoundRef(round_id=b["round"])),
    ("U0MGR", ids.ACTION_CATCHBALL_ACCEPT, lambda b: RoundRef(round_id=b["round"])),
    ("U0MGR", ids.ACTION_CATCHBALL_REQUEST_CHANGES, lambda b: RoundRef(round_id=b["round"])),
    ("U0MGR", ids.ACTION_CATCHBALL_REJECT, lambda b: RoundRef(round_id=b["round"])),
    ("U0MGR", ids.ACTION_CATCHBALL_COUNTER, lambda b: RoundRef(round_id=b["round"])),
    ("U0VP", ids.ACTION_CATCHBALL_REVISE, lambda b: RoundRef(round_id=b["round"])),
    ("U0VP", ids.ACTION_HOME_PROPOSE, lambda b: ObjectiveRef(objective_id=b["objective"])),
    ("U0CEO", ids.ACTION_HOME_EDIT_OBJECTIVE, lambda b: ObjectiveRef(objective_id=b["objective"])),
    ("U0CEO", ids.ACTION_OBJECTIVE_ARCHIVE, lambda b: ObjectiveRef(objective_id=b["objective"])),
    ("U0VP", ids.ACTION_HOME_ADD_ACTION, lambda b: ObjectiveRef(objective_id=b["objective"])),
    ("U0MGR", ids.ACTION_ACTION_DONE, lambda b: ActionRef(action_id=b["action"])),
    ("U0MGR", ids.ACTION_ACTION_BLOCKED, lambda b: ActionRef(action_id=b["action"])),
    ("U0MGR", ids.ACTION_ACTION_REOPEN, lambda b: ActionRef(action_id=b["action"])),
    (
        "U0VP",
        ids.ACTION_CHECKIN_OPEN,
        lambda b: CheckInRef(objective_id=b["objective"], period=PERIOD),
    ),
]


# Buttons that sit in the App Home or in a modal: clicked there, they have no response_url.
IN_A_VIEW = {
    ids.ACTION_HOME_PROPOSE: "home",
    ids.ACTION_HOME_EDIT_OBJECTIVE: "home",
    ids.ACTION_HOME_ADD_ACTION: "home",
    ids.ACTION_OBJECTIVE_ARCHIVE: "modal",
}


def click(slack, user: str, action_id: str, value: str):
    kind = IN_A_VIEW.get(action_id)
    view = {"id": "V0TAMPER", "type": kind, "blocks": []} if kind else None
    return slack.sender.block_action(user_id=user, action_id=action_id, value=value, view=view)


@pytest.mark.parametrize(("user", "action_id", "value"), CLICKS, ids=[c[1] for c in CLICKS])
def test_a_button_pointing_at_another_workspace_is_refused(beds, user, action_id, value):
    slack, b = beds
    before = snapshot(slack.engine)
    delivery = click(slack, user, action_id, value(b).dump())
    text = refusal_of(slack, delivery)
    assert ":warning:" in text and UNEXPECTED not in text and "`None`" not in text
    assert "B's" not in text  # nothing of workspace B is shown
    assert slack.standin.calls_to("views.open") == []
    assert changed_tables(before, snapshot(slack.engine)) == []


@pytest.mark.parametrize(
    ("user", "action_id", "value"),
    [
        ("U0VP", ids.ACTION_CHECKIN_OPEN, '{"objective_id": 999999, "period": "2027-05"}'),
        ("U0MGR", ids.ACTION_ACTION_DONE, '{"action_id": -1}'),
        ("U0MGR", ids.ACTION_CATCHBALL_APPROVE, '{"round_id": "1; DROP TABLE objective"}'),
        ("U0CEO", ids.ACTION_OBJECTIVE_ARCHIVE, "not json at all"),
        ("U0CEO", ids.ACTION_HOME_EDIT_OBJECTIVE, '{"objective_id": 1, "extra": "field"}'),
    ],
    ids=["unknown-id", "negative-id", "sql-in-id", "not-json", "extra-field"],
)
def test_a_value_that_is_not_ours_gets_a_clear_message(beds, user, action_id, value):
    slack, _ = beds
    before = snapshot(slack.engine)
    delivery = click(slack, user, action_id, value)
    text = refusal_of(slack, delivery)
    assert ":warning:" in text and UNEXPECTED not in text
    assert changed_tables(before, snapshot(slack.engine)) == []


# ---- another person's things in the same workspace -------------------------------------------


def test_someone_else_may_not_check_in_for_an_objective_they_do_not_own(beds):
    slack, _ = beds
    before = snapshot(slack.engine)
    value = CheckInRef(objective_id=objective_id(slack.engine, "AN1.1"), period=PERIOD)  # Mo's
    delivery = slack.sender.block_action(
        user_id="U0VP", action_id=ids.ACTION_CHECKIN_OPEN, value=value.dump()
    )
    text = refusal_of(slack, delivery)
    assert ":warning:" in text and UNEXPECTED not in text
    assert slack.standin.calls_to("views.open") == []
    assert changed_tables(before, snapshot(slack.engine)) == []


def test_someone_else_may_not_mark_an_action_they_do_not_own(beds):
    slack, _ = beds
    with Session(slack.engine) as session:
        [action] = session.exec(select(ActionItem).where(ActionItem.title == "Hire two AEs"))
    before = snapshot(slack.engine)
    lee = "U0LEE"  # in Slack, not in the plan
    slack.standin.add_user(lee, name="lee", real_name="Lee")
    delivery = slack.sender.block_action(
        user_id=lee, action_id=ids.ACTION_ACTION_DONE, value=ActionRef(action_id=action.id).dump()
    )
    text = refusal_of(slack, delivery)
    assert ":warning:" in text and UNEXPECTED not in text
    assert changed_tables(before, snapshot(slack.engine)) == []


# ---- modals whose private_metadata was edited ---------------------------------------------------


def submit_tampered(slack, user: str, view: dict, metadata: str, values: dict) -> dict:
    before = snapshot(slack.engine)
    tampered = {**view, "private_metadata": metadata}
    answer = slack.submit(user, tampered, values).json()
    assert answer and answer["response_action"] == "errors", answer
    message = " ".join(answer["errors"].values())
    assert message and UNEXPECTED not in message and "B's" not in message
    block_ids = {b.get("block_id") for b in view["blocks"]}
    assert set(answer["errors"]) <= block_ids  # shown under a field of this modal
    assert changed_tables(before, snapshot(slack.engine)) == []
    return answer


def test_a_propose_modal_pointed_at_another_workspace_stores_nothing(beds):
    slack, b = beds
    view = slack.ui.command_modal("U0VP", "propose AN1", ids.VIEW_PROPOSE)
    for context in (
        ProposeContext(parent_id=b["objective"]),
        ProposeContext(objective_id=b["cascaded"]),
    ):
        submit_tampered(slack, "U0VP", view, context.dump(), NORDICS)


def test_an_action_modal_pointed_at_another_workspace_stores_nothing(beds):
    slack, b = beds
    view = slack.ui.command_modal("U0VP", "action AN1 Call every churned customer", ids.VIEW_ACTION)
    values = prefilled(view, **{ids.FIELD_OWNER: "U0VP", ids.FIELD_DUE: "2027-09-30"})
    submit_tampered(slack, "U0VP", view, ObjectiveRef(objective_id=b["objective"]).dump(), values)


def test_a_checkin_modal_pointed_at_another_workspace_or_person_stores_nothing(beds):
    slack, b = beds
    mine = CheckInRef(objective_id=objective_id(slack.engine, "AN1.1"), period=PERIOD)
    before = len(slack.ui.modals(ids.VIEW_CHECKIN))
    slack.sender.block_action(
        user_id="U0MGR", action_id=ids.ACTION_CHECKIN_OPEN, value=mine.dump(), channel_id="D0MGR"
    )
    view = slack.ui.next_modal(ids.VIEW_CHECKIN, before)
    values = {ids.FIELD_ACTUAL: "13", ids.FIELD_STATUS: "on_track", ids.FIELD_WHAT_HAPPENED: "ok"}
    elsewhere = CheckInRef(objective_id=b["objective"], period=PERIOD)
    submit_tampered(slack, "U0MGR", view, elsewhere.dump(), values)
    anas = CheckInRef(objective_id=objective_id(slack.engine, "AN1"), period=PERIOD)
    submit_tampered(slack, "U0MGR", view, anas.dump(), values)


def test_an_objective_modal_pointed_at_another_workspace_stores_nothing(beds):
    slack, b = beds
    view = slack.ui.command_modal("U0CEO", "edit AN1", ids.VIEW_OBJECTIVE)
    values = prefilled(view, **{ids.FIELD_TITLE: "Hijacked"})
    for level, target in (("annual", b["objective"]), ("breakthrough", b["breakthrough"])):
        draft = ObjectiveDraft(level=level, objective_id=target)
        submit_tampered(slack, "U0CEO", view, draft.dump(), values)


def counter_and_reason_modals(slack) -> tuple[dict, dict]:
    """A's real counter modal (Mo's) and reason modal (Ana's), from the real catchball flow."""
    view = slack.ui.command_modal("U0VP", "propose AN1", ids.VIEW_PROPOSE)
    assert slack.submit("U0VP", view, NORDICS).json() is None
    ask = slack.ui.wait_dm_with("U0MGR", "Open the Nordic market")
    counter = slack.ui.click_modal("U0MGR", ask, ids.ACTION_CATCHBALL_COUNTER, ids.VIEW_COUNTER)
    values = prefilled(counter, **{ids.FIELD_TARGET: "3", ids.FIELD_REASON: "More is possible"})
    assert slack.submit("U0MGR", counter, values).json() is None
    decide = slack.ui.wait_dm_with("U0VP", "(round 2) from <@U0MGR>")
    reason = slack.ui.click_modal(
        "U0VP", decide, ids.ACTION_CATCHBALL_REQUEST_CHANGES, ids.VIEW_DECISION_REASON
    )
    return counter, reason


def test_counter_and_reason_modals_pointed_at_another_workspace_change_nothing(beds):
    slack, b = beds
    counter, reason = counter_and_reason_modals(slack)
    values = prefilled(counter, **{ids.FIELD_TARGET: "4", ids.FIELD_REASON: "Hijack"})
    submit_tampered(slack, "U0MGR", counter, RoundRef(round_id=b["round"]).dump(), values)
    for move in ("request_changes", "reject"):
        context = DecisionContext(round_id=b["round"], move=move)
        values = prefilled(reason, **{ids.FIELD_REASON: "Hijack"})
        submit_tampered(slack, "U0VP", reason, context.dump(), values)


def test_a_reason_modal_replayed_by_someone_who_is_not_the_decider_changes_nothing(beds):
    slack, _ = beds
    _, reason = counter_and_reason_modals(slack)
    values = prefilled(reason, **{ids.FIELD_REASON: "Not my call"})
    submit_tampered(slack, "U0MGR", reason, reason["private_metadata"], values)
