"""The App Home end to end: `app_home_opened` in, the published view at the stand-in."""

from __future__ import annotations

import json
from datetime import date

from sqlmodel import Session, select

from bot import ids
from bot.context import ActionRef, ObjectiveRef
from bot.standin.blockkit import validate_view
from storage.models import (
    ActionItem,
    AuditEntry,
    CatchballRound,
    CheckIn,
    Objective,
    Person,
    Workspace,
)
from tests import factories as f
from tests.e2e.conftest import visible
from tests.e2e.seed import small_plan
from tests.text import visible_text

PEOPLE = {"U0CEO": "Dana", "U0VP": "Ana", "U0MGR": "Mo"}


def add_people(slack, **more: str) -> None:
    for user_id, name in {**PEOPLE, **more}.items():
        slack.standin.add_user(user_id, name=name.lower(), real_name=name)


def open_home(slack, user_id: str) -> dict:
    """Open the Home tab as `user_id`; return the view the bot published (as it sent it)."""

    def published(s):
        return [c for c in s.calls_to("views.publish") if c.args.get("user_id") == user_id]

    before = len(published(slack.standin))
    delivery = slack.sender.event(
        {
            "type": "app_home_opened",
            "user": user_id,
            "channel": f"D{user_id[1:]}",
            "tab": "home",
            "event_ts": "1781510400.000100",
        }
    )
    assert delivery.status == 200, delivery.body
    return wait_for_home(slack, user_id, before)


def wait_for_home(slack, user_id: str, before: int) -> dict:
    def published(s):
        return [c for c in s.calls_to("views.publish") if c.args.get("user_id") == user_id]

    assert slack.standin.wait_for(lambda s: len(published(s)) > before, timeout=10), (
        f"no Home was published for {user_id}"
    )
    call = published(slack.standin)[-1]
    assert call.ok, call.response
    return call.args["view"]


def published_count(slack, user_id: str) -> int:
    return len([c for c in slack.standin.calls_to("views.publish") if c.args["user_id"] == user_id])


def buttons(view: dict) -> list[dict]:
    found = []
    for block in view["blocks"]:
        if block["type"] == "actions":
            found += block["elements"]
        elif block.get("accessory", {}).get("type") == "button":
            found.append(block["accessory"])
    return found


def button(view: dict, action_id: str, value: str | None = None) -> dict:
    matches = [
        b
        for b in buttons(view)
        if b["action_id"] == action_id and (value is None or b.get("value") == value)
    ]
    assert matches, f"no button {action_id} {value or ''} on the view"
    return matches[0]


def click_in_view(slack, user_id: str, view: dict, element: dict):
    """Click a button that sits in a view (the Home tab or a modal), as Slack sends it."""
    delivery = slack.sender.block_action(
        user_id=user_id,
        action_id=element["action_id"],
        value=element.get("value"),
        block_id="b",
        view=view,
    )
    assert delivery.status == 200, delivery.body
    return delivery


def objective_id(engine, ref: str) -> int:
    with Session(engine) as session:
        return session.exec(select(Objective.id).where(Objective.ref == ref)).one()


def test_admin_home_has_true_north_on_top_and_the_admin_tools(slack):
    small_plan(slack.engine)
    add_people(slack)
    view = open_home(slack, "U0CEO")
    assert validate_view(view, expected_type="home") == []
    assert view["blocks"][0]["text"]["text"] == "True North"
    assert "Every team ships what customers love" in view["blocks"][1]["text"]["text"]
    assert "*Values:* Customers first · Candour" in visible(view)
    ids_on_view = {b["action_id"] for b in buttons(view)}
    assert {
        ids.ACTION_HOME_EDIT_VISION,
        ids.ACTION_HOME_NEW_BREAKTHROUGH,
        ids.ACTION_HOME_NEW_ANNUAL,
        ids.ACTION_HOME_EDIT_OBJECTIVE,
    } <= ids_on_view
    # Dana owns BT1: an admin edits it; breakthroughs take no cascade or actions from here.
    bt1 = ObjectiveRef(objective_id=objective_id(slack.engine, "BT1")).dump()
    button(view, ids.ACTION_HOME_EDIT_OBJECTIVE, bt1)
    assert ids.ACTION_HOME_PROPOSE not in ids_on_view
    text = visible(view)
    assert "My objectives · FY2027" in text and "*BT1* Double ARR by 2029" in text
    assert "Breakthrough and annual objectives" in text and "*AN2*" in text


def test_owner_home_shows_status_and_the_owners_buttons(slack):
    small_plan(slack.engine)
    add_people(slack)
    view = open_home(slack, "U0VP")
    assert validate_view(view, expected_type="home") == []
    assert view["blocks"][0]["text"]["text"] == "True North"
    text = visible(view)
    # AN1 rolls up off track from AN1.1; AN2 has no check-in yet.
    assert ":red_circle: *AN1* Grow ARR to 14 M$ · off track" in text
    assert ":white_circle: *AN2* Cut churn to 5% · no check-in yet" in text
    assert "– of 14 M$" in text
    an1 = ObjectiveRef(objective_id=objective_id(slack.engine, "AN1")).dump()
    assert button(view, ids.ACTION_HOME_PROPOSE, an1)["text"]["text"] == (
        "Propose a cascaded objective"
    )
    button(view, ids.ACTION_HOME_ADD_ACTION, an1)
    on_view = {b["action_id"] for b in buttons(view)}
    assert not on_view & {
        ids.ACTION_HOME_EDIT_VISION,
        ids.ACTION_HOME_NEW_BREAKTHROUGH,
        ids.ACTION_HOME_EDIT_OBJECTIVE,
    }
    assert "Breakthrough and annual objectives" not in text


def test_actions_due_are_flagged_and_carry_done_and_blocked(slack):
    small_plan(slack.engine)
    add_people(slack)
    with Session(slack.engine) as session:
        action = session.exec(select(ActionItem)).one()
    view = open_home(slack, "U0MGR")
    text = visible(view)
    assert "Hire two AEs" in text and "*overdue* since 31 Mar 2027" in text
    value = ActionRef(action_id=action.id).dump()
    button(view, ids.ACTION_ACTION_DONE, value)
    button(view, ids.ACTION_ACTION_BLOCKED, value)
    assert "*AN1.1* Win 40 new mid-market logos" in text and "12 of 40 in May 2027" in text


def test_proposals_waiting_for_a_decision_name_proposer_parent_and_round(slack):
    ids_ = small_plan(slack.engine)
    add_people(slack)
    with Session(slack.engine) as session:
        ws = session.get(Workspace, ids_["workspace_id"])
        ana = session.exec(select(Person).where(Person.slack_user_id == "U0VP")).one()
        mo = session.exec(select(Person).where(Person.slack_user_id == "U0MGR")).one()
        an1 = session.exec(select(Objective).where(Objective.ref == "AN1")).one()
        proposed = f.objective(
            session,
            ws,
            "AN1.2",
            level="cascaded",
            state="proposed",
            parent_id=an1.id,
            title="Expand into Iberia",
            owner_id=mo.id,
        )
        session.add(
            CatchballRound(
                workspace_id=ws.id,
                objective_id=proposed.id,
                round_no=2,
                proposer_id=mo.id,
                decider_id=ana.id,
                dm_channel="D0VP",
            )
        )
        session.commit()
    text = visible(open_home(slack, "U0VP"))
    assert "*Proposals to decide* (1)" in text
    assert "*AN1.2* Expand into Iberia — from <@U0MGR> under *AN1* · round 2" in text
    assert "app_redirect?channel=D0VP" in text
    # Mo sees his proposal under "In catchball", not as something to decide.
    mo_text = visible(open_home(slack, "U0MGR"))
    assert "In catchball" in mo_text and "Proposals to decide" not in mo_text


def test_someone_the_plan_does_not_know_sees_the_vision_and_a_friendly_note(slack):
    small_plan(slack.engine)
    add_people(slack, U0NEW="Newcomer")
    view = open_home(slack, "U0NEW")
    assert validate_view(view, expected_type="home") == []
    text = visible(view)
    assert "Every team ships what customers love" in text
    assert "not part of this workspace's Hoshin plan yet" in text
    assert buttons(view) == []


def test_a_workspace_without_a_plan_gets_a_home_that_says_so(slack):
    add_people(slack)
    view = open_home(slack, "U0CEO")
    assert "no Hoshin plan yet" in visible(view)


def test_the_messages_tab_publishes_nothing(slack):
    small_plan(slack.engine)
    add_people(slack)
    slack.sender.event({"type": "app_home_opened", "user": "U0VP", "tab": "messages"})
    open_home(slack, "U0CEO")  # a later event is handled, so the first one was seen and skipped
    assert published_count(slack, "U0VP") == 0


def big_load(engine, *, owned: int, pending: int) -> None:
    """Ana owns `owned` more annual objectives and has `pending` proposals to decide."""
    with Session(engine) as session:
        ws = session.exec(select(Workspace)).one()
        ana = session.exec(select(Person).where(Person.slack_user_id == "U0VP")).one()
        mo = session.exec(select(Person).where(Person.slack_user_id == "U0MGR")).one()
        bt = session.exec(select(Objective).where(Objective.ref == "BT1")).one()
        mine = [
            Objective(
                workspace_id=ws.id,
                ref=f"AN{100 + i}",
                level="annual",
                year=2027,
                parent_id=bt.id,
                owner_id=ana.id,
                title=f"Objective number {i} with a rather long title " + "x" * 120,
                description="d" * 5000,
                metric_name="Thing",
                target=10,
            )
            for i in range(owned)
        ]
        proposed = [
            Objective(
                workspace_id=ws.id,
                ref=f"AN1.{10 + i}",
                level="cascaded",
                state="proposed",
                parent_id=bt.id,
                owner_id=mo.id,
                title="Proposed " + "z" * 200,
            )
            for i in range(pending)
        ]
        session.add_all(mine + proposed)
        session.flush()  # one round trip for the ids, not one per row
        for i, o in enumerate(mine):
            session.add(
                CheckIn(
                    workspace_id=ws.id,
                    objective_id=o.id,
                    period="2027-05",
                    actual=i % 12,
                    status="on_track",
                )
            )
            session.add(
                ActionItem(
                    workspace_id=ws.id,
                    objective_id=o.id,
                    title=f"Step {i} " + "y" * 300,
                    owner_id=ana.id,
                    due=date(2027, 5 + i % 3, 1),
                )
            )
        for child in proposed:
            session.add(
                CatchballRound(
                    workspace_id=ws.id,
                    objective_id=child.id,
                    round_no=1,
                    proposer_id=mo.id,
                    decider_id=ana.id,
                )
            )
        ana.is_admin = True  # the heaviest Home: owner, decider and admin at once
        session.add(ana)
        session.commit()


def test_home_of_someone_with_200_objectives_and_50_proposals_stays_within_limits(slack):
    small_plan(slack.engine)
    add_people(slack)
    big_load(slack.engine, owned=200, pending=50)
    view = open_home(slack, "U0VP")
    assert validate_view(view, expected_type="home") == []
    assert len(view["blocks"]) <= 100
    assert len(json.dumps(view).encode()) < 100_000
    text = visible(view)
    assert "*Proposals to decide* (50)" in text and "…and 40 more proposals" in text
    assert "*Actions due* (200)" in text and "…and 192 more actions" in text
    assert "more: type `/hoshin status` and mention yourself" in text
    assert "d" * 1000 not in text  # descriptions never bloat the Home


def test_submitting_a_vision_republishes_the_editors_home(slack):
    small_plan(slack.engine)
    add_people(slack)
    home = open_home(slack, "U0CEO")
    before = published_count(slack, "U0CEO")
    click_in_view(slack, "U0CEO", home, button(home, ids.ACTION_HOME_EDIT_VISION))
    modal = slack.opened_view(ids.VIEW_VISION)
    ack = slack.submit(
        "U0CEO",
        modal,
        {ids.FIELD_VISION: "Customers trust us with everything.", ids.FIELD_VALUES: "Candour"},
    )
    assert ack.json() is None
    view = wait_for_home(slack, "U0CEO", before)
    assert "Customers trust us with everything." in view["blocks"][1]["text"]["text"]


# ---- True North: /hoshin vision and the admins' edit ------------------------------------------


def audit_rows(engine, entity: str):
    with Session(engine) as session:
        return session.exec(select(AuditEntry).where(AuditEntry.entity == entity)).all()


def test_anyone_sees_the_vision_and_only_admins_get_edit(slack):
    small_plan(slack.engine)
    add_people(slack)
    answer = slack.command("U0VP", "vision")
    assert answer["response_type"] == "ephemeral"
    text = visible(answer)
    assert "Every team ships what customers love, safely." in text
    assert "Customers first · Candour" in text
    assert not any(b["type"] == "actions" for b in answer["blocks"])
    admin = slack.command("U0CEO", "vision")
    assert button(admin, ids.ACTION_HOME_EDIT_VISION)["text"]["text"] == "Edit"


def test_an_admin_edits_the_vision_and_the_change_is_audited(slack):
    small_plan(slack.engine)
    add_people(slack)
    answer = slack.command("U0CEO", "vision")
    edit = button(answer, ids.ACTION_HOME_EDIT_VISION)
    slack.sender.block_action(user_id="U0CEO", action_id=edit["action_id"], is_ephemeral=True)
    modal = slack.opened_view(ids.VIEW_VISION)
    assert validate_view(modal, expected_type="modal") == []
    initial = {
        b["block_id"]: b["element"].get("initial_value") for b in modal["blocks"] if "element" in b
    }
    assert initial == {
        ids.FIELD_VISION: "Every team ships what customers love, safely.",
        ids.FIELD_VALUES: "Customers first\nCandour",
    }
    ack = slack.submit(
        "U0CEO",
        modal,
        {ids.FIELD_VISION: "Be the partner customers trust.", ids.FIELD_VALUES: "Candour\n\nCare"},
    )
    assert ack.json() is None
    with Session(slack.engine) as session:
        ws = session.exec(select(Workspace)).one()
        assert (ws.vision, ws.values) == ("Be the partner customers trust.", ["Candour", "Care"])
    (entry,) = audit_rows(slack.engine, "workspace")
    assert entry.actor == "U0CEO" and entry.action == "vision.update"
    assert entry.before == {
        "vision": "Every team ships what customers love, safely.",
        "values": ["Customers first", "Candour"],
    }
    assert entry.after == {
        "vision": "Be the partner customers trust.",
        "values": ["Candour", "Care"],
    }
    assert "Be the partner customers trust." in visible(slack.command("U0MGR", "vision"))


def test_a_non_admin_can_neither_open_nor_submit_the_vision_modal(slack):
    small_plan(slack.engine)
    add_people(slack)
    slack.sender.block_action(user_id="U0VP", action_id=ids.ACTION_HOME_EDIT_VISION)
    assert slack.standin.wait_for(lambda s: s.calls_to("chat.postEphemeral"), timeout=10)
    refusal = slack.standin.calls_to("chat.postEphemeral")[-1].args
    assert refusal["user"] == "U0VP" and "Only admins can" in refusal["text"]
    assert "<@U0CEO>" in refusal["text"]
    assert not slack.standin.calls_to("views.open")
    # A modal an admin opened, submitted by someone else (a forged or stale submission).
    slack.sender.block_action(user_id="U0CEO", action_id=ids.ACTION_HOME_EDIT_VISION)
    modal = slack.opened_view(ids.VIEW_VISION)
    ack = slack.submit("U0VP", modal, {ids.FIELD_VISION: "Mine now", ids.FIELD_VALUES: ""})
    assert ack.json()["response_action"] == "errors"
    assert "Only admins can" in ack.json()["errors"][ids.FIELD_VISION]
    with Session(slack.engine) as session:
        assert session.exec(select(Workspace)).one().vision.startswith("Every team ships")
    assert audit_rows(slack.engine, "workspace") == []


def test_an_empty_vision_is_refused_inline(slack):
    small_plan(slack.engine)
    add_people(slack)
    slack.sender.block_action(user_id="U0CEO", action_id=ids.ACTION_HOME_EDIT_VISION)
    modal = slack.opened_view(ids.VIEW_VISION)
    values = "\n".join(f"Value {i}" for i in range(25))
    ack = slack.submit("U0CEO", modal, {ids.FIELD_VISION: "   ", ids.FIELD_VALUES: values})
    errors = ack.json()["errors"]
    assert errors[ids.FIELD_VISION] == "Please give the vision."
    assert "at most 20 values" in errors[ids.FIELD_VALUES]
    assert audit_rows(slack.engine, "workspace") == []


def test_an_admins_home_lists_what_breaks_the_plans_alignment(slack):
    """AN2 in the seed plan has no monthly plan; an annual objective without a breakthrough."""
    small_plan(slack.engine)
    slack.standin.add_user("U0CEO", name="dana", real_name="Dana")
    slack.standin.add_user("U0VP", name="ana", real_name="Ana")
    with Session(slack.engine) as session:
        ws = session.exec(select(Workspace)).one()
        f.objective(session, ws, "AN9", title="Orphan objective")
        session.commit()
    view = open_home(slack, "U0CEO")
    text = visible_text(view["blocks"])
    assert "Plan checks" in text and "AN9" in text
    assert validate_view(view) == []
    assert "Plan checks" not in visible_text(open_home(slack, "U0VP")["blocks"])  # not an admin
