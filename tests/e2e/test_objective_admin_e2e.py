"""Admins create, edit and archive breakthrough and annual objectives through modals, end to end."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot import ids
from bot.standin.blockkit import validate_view
from storage.models import AuditEntry, Objective
from tests.e2e.conftest import visible
from tests.e2e.seed import small_plan
from tests.e2e.test_home_e2e import (
    add_people,
    button,
    click_in_view,
    open_home,
    published_count,
    wait_for_home,
)

PLAN = "10.3 10.6 10.9 11.2 11.5 11.8 12.1 12.4 12.8 13.2 13.6 14"


def objective(engine, ref: str) -> Objective | None:
    with Session(engine) as session:
        return session.exec(select(Objective).where(Objective.ref == ref)).first()


def objective_count(engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Objective.id)).all())


def audits(engine, action: str) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


def open_modal(slack, user_id: str, text: str) -> dict:
    before = len(slack.standin.calls_to("views.open"))
    delivery = slack.sender.slash_command(user_id=user_id, text=text)
    assert delivery.status == 200
    slack.standin.wait_for_calls("views.open", before + 1, timeout=10)
    modal = slack.opened_view(ids.VIEW_OBJECTIVE)
    assert validate_view(modal, expected_type="modal") == []
    return modal


def breakthrough_values(**overrides) -> dict:
    values = {
        ids.FIELD_TITLE: "Become the default platform in Europe",
        ids.FIELD_DESCRIPTION: "Why this matters.",
        ids.FIELD_OWNER: "U0VP",
        ids.FIELD_YEARS: "2027-2029",
        ids.FIELD_METRIC_NAME: "EU market share",
        ids.FIELD_METRIC_UNIT: "%",
        ids.FIELD_BASELINE: "8",
        ids.FIELD_TARGET: "25",
        ids.FIELD_DIRECTION: "higher",
    }
    return {**values, **overrides}


def annual_values(parent_id: int | None, **overrides) -> dict:
    values = {
        ids.FIELD_TITLE: "Open three EU offices",
        ids.FIELD_DESCRIPTION: "",
        ids.FIELD_OWNER: "U0MGR",
        ids.FIELD_YEAR: "2027",
        ids.FIELD_PARENT: str(parent_id) if parent_id else None,
        ids.FIELD_METRIC_NAME: "Offices open",
        ids.FIELD_METRIC_UNIT: "",
        ids.FIELD_BASELINE: "0",
        ids.FIELD_TARGET: "3",
        ids.FIELD_DIRECTION: "higher",
        ids.FIELD_MONTHLY_PLAN: "0 0 0 1 1 1 2 2 2 3 3 3",
    }
    return {**values, **overrides}


def test_create_a_breakthrough_and_an_annual_objective_then_see_them_in_status(slack):
    small_plan(slack.engine)
    add_people(slack)
    modal = open_modal(slack, "U0CEO", "new breakthrough")
    assert modal["title"]["text"] == "New breakthrough"
    assert slack.submit("U0CEO", modal, breakthrough_values()).json() is None
    bt2 = objective(slack.engine, "BT2")
    assert (bt2.level, bt2.state, bt2.start_year, bt2.end_year) == (
        "breakthrough",
        "active",
        2027,
        2029,
    )
    assert (bt2.metric_name, bt2.baseline, bt2.target) == ("EU market share", 8, 25)

    modal = open_modal(slack, "U0CEO", "new annual bt2")
    parent = next(b for b in modal["blocks"] if b.get("block_id") == ids.FIELD_PARENT)
    assert parent["element"]["initial_option"]["value"] == str(bt2.id)
    assert len(parent["element"]["options"]) == 2  # BT1 and BT2
    assert slack.submit("U0CEO", modal, annual_values(bt2.id)).json() is None
    an3 = objective(slack.engine, "AN3")
    assert (an3.level, an3.parent_id, an3.year, an3.target) == ("annual", bt2.id, 2027, 3)
    assert an3.monthly_plan == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert [a.entity_id for a in audits(slack.engine, "objective.create")] == [bt2.id, an3.id]

    text = visible(slack.command("U0MGR", "status"))
    assert "*BT2* Become the default platform in Europe" in text
    assert "*AN3* Open three EU offices · <@U0MGR>" in text
    assert "*AN3*" in visible(slack.command("U0MGR", "status BT2"))


def test_the_home_buttons_open_the_modals_and_saving_republishes_the_home(slack):
    small_plan(slack.engine)
    add_people(slack)
    home = open_home(slack, "U0CEO")
    click_in_view(slack, "U0CEO", home, button(home, ids.ACTION_HOME_NEW_ANNUAL))
    modal = slack.opened_view(ids.VIEW_OBJECTIVE)
    assert modal["title"]["text"] == "New annual objective"
    before = published_count(slack, "U0CEO")
    bt1 = objective(slack.engine, "BT1")
    assert (
        slack.submit("U0CEO", modal, annual_values(bt1.id, **{ids.FIELD_OWNER: "U0CEO"})).json()
        is None
    )
    republished = wait_for_home(slack, "U0CEO", before)
    assert "*AN3* Open three EU offices" in visible(republished)


def test_a_double_submit_creates_one_objective(slack):
    small_plan(slack.engine)
    add_people(slack)
    modal = open_modal(slack, "U0CEO", "new breakthrough")
    count = objective_count(slack.engine)
    assert slack.submit("U0CEO", modal, breakthrough_values()).json() is None
    assert slack.submit("U0CEO", modal, breakthrough_values()).json() is None
    assert objective_count(slack.engine) == count + 1
    assert objective(slack.engine, "BT3") is None


def test_edit_an_annual_objective_with_its_fields_prefilled(slack):
    small_plan(slack.engine)
    add_people(slack)
    modal = open_modal(slack, "U0CEO", "edit an1")
    assert modal["title"]["text"] == "Edit AN1"
    elements = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert elements[ids.FIELD_TITLE]["initial_value"] == "Grow ARR to 14 M$"
    assert elements[ids.FIELD_OWNER]["initial_user"] == "U0VP"
    assert elements[ids.FIELD_TARGET]["initial_value"] == "14"
    assert elements[ids.FIELD_MONTHLY_PLAN]["initial_value"] == PLAN
    bt1 = objective(slack.engine, "BT1")
    values = annual_values(
        bt1.id,
        **{
            ids.FIELD_TITLE: "Grow ARR to 15 M$",
            ids.FIELD_OWNER: "U0VP",
            ids.FIELD_METRIC_NAME: "ARR",
            ids.FIELD_METRIC_UNIT: "M$",
            ids.FIELD_BASELINE: "10",
            ids.FIELD_TARGET: "15",
            ids.FIELD_MONTHLY_PLAN: PLAN.replace("14", "15"),
        },
    )
    assert slack.submit("U0CEO", modal, values).json() is None
    an1 = objective(slack.engine, "AN1")
    assert (an1.title, an1.target, an1.monthly_plan[-1]) == ("Grow ARR to 15 M$", 15, 15)
    (entry,) = audits(slack.engine, "objective.update")
    assert entry.before["target"] == 14 and entry.after["target"] == 15
    assert set(entry.after) == {"title", "target", "monthly_plan"}  # only what changed


def test_editing_a_cascaded_objective_points_to_catchball(slack):
    small_plan(slack.engine)
    add_people(slack)
    answer = slack.command("U0CEO", "edit AN1.1")
    text = visible(answer)
    assert "`AN1.1` is a cascaded objective" in text and "`/hoshin propose`" in text
    assert not slack.standin.calls_to("views.open")


def test_archive_from_the_command_keeps_history_and_leaves_status(slack):
    small_plan(slack.engine)
    add_people(slack)
    count = objective_count(slack.engine)
    answer = slack.command("U0CEO", "archive AN1")
    text = visible(answer)
    assert "Archive *AN1* Grow ARR to 14 M$?" in text and "`AN1.1`" in text
    archive = button(answer, ids.ACTION_OBJECTIVE_ARCHIVE)
    assert archive["confirm"]["confirm"]["text"] == "Archive"
    delivery = slack.sender.block_action(
        user_id="U0CEO",
        action_id=archive["action_id"],
        value=archive["value"],
        is_ephemeral=True,
    )
    done = slack.answer_to(delivery)
    assert done["replace_original"] is True
    assert "Archived `AN1` and the 1 objective(s) below it" in done["text"]
    assert objective_count(slack.engine) == count  # nothing deleted
    assert objective(slack.engine, "AN1").state == "archived"
    assert objective(slack.engine, "AN1.1").state == "archived"
    entries = audits(slack.engine, "objective.archive")
    assert [(e.before, e.after) for e in entries] == [
        ({"state": "active"}, {"state": "archived"})
    ] * 2
    status = visible(slack.command("U0CEO", "status"))
    assert "*AN1*" not in status and "*AN2*" in status
    again = slack.sender.block_action(
        user_id="U0CEO", action_id=archive["action_id"], value=archive["value"]
    )
    assert "already archived" in slack.answer_to(again)["text"]
    assert len(audits(slack.engine, "objective.archive")) == 2


def test_archive_from_the_edit_modal_turns_the_modal_into_a_notice(slack):
    small_plan(slack.engine)
    add_people(slack)
    modal = open_modal(slack, "U0CEO", "edit AN2")
    click_in_view(slack, "U0CEO", modal, button(modal, ids.ACTION_OBJECTIVE_ARCHIVE))
    (update,) = slack.standin.wait_for_calls("views.update", 1, timeout=10)
    assert update.ok and update.args["view_id"] == modal["id"]
    assert "Archived `AN2`" in visible(update.args["view"])
    assert objective(slack.engine, "AN2").state == "archived"


def test_non_admins_cannot_create_edit_or_archive(slack):
    small_plan(slack.engine)
    add_people(slack)
    for text in ("new breakthrough", "edit AN1", "archive AN1"):
        answer = visible(slack.command("U0VP", text))
        assert "Only admins can create, edit or archive" in answer and "<@U0CEO>" in answer
    assert not slack.standin.calls_to("views.open")
    an1 = objective(slack.engine, "AN1")
    from bot.context import ObjectiveRef

    delivery = slack.sender.block_action(
        user_id="U0VP",
        action_id=ids.ACTION_OBJECTIVE_ARCHIVE,
        value=ObjectiveRef(objective_id=an1.id).dump(),
    )
    assert delivery.status == 200
    assert slack.standin.wait_for(lambda s: s.calls_to("chat.postEphemeral"), timeout=10)
    assert objective(slack.engine, "AN1").state == "active"
    # A modal an admin opened, submitted by a non-admin: refused, nothing created.
    modal = open_modal(slack, "U0CEO", "new breakthrough")
    count = objective_count(slack.engine)
    ack = slack.submit("U0VP", modal, breakthrough_values()).json()
    assert ack["response_action"] == "errors" and "Only admins" in ack["errors"][ids.FIELD_TITLE]
    assert objective_count(slack.engine) == count


@pytest.mark.parametrize(
    ("kind", "overrides", "field", "message"),
    [
        ("annual", {ids.FIELD_TARGET: "fourteen"}, ids.FIELD_TARGET, "must be a number"),
        (
            "annual",
            {ids.FIELD_MONTHLY_PLAN: "1 2 3 4 5 6 7 8 9 10 11"},
            ids.FIELD_MONTHLY_PLAN,
            "exactly twelve numbers",
        ),
        ("annual", {ids.FIELD_OWNER: "U0GONE"}, ids.FIELD_OWNER, "has been deactivated"),
        ("annual", {ids.FIELD_OWNER: "U0NOBODY"}, ids.FIELD_OWNER, "not in this workspace"),
        ("annual", {ids.FIELD_YEAR: "2031"}, ids.FIELD_YEAR, "outside BT1's years 2027–2029"),
        (
            "breakthrough",
            {ids.FIELD_YEARS: "2029-2027"},
            ids.FIELD_YEARS,
            "must not come after the last",
        ),
    ],
    ids=["target", "monthly-plan", "deactivated-owner", "unknown-owner", "year", "years"],
)
def test_bad_input_is_refused_inline_and_nothing_is_stored(slack, kind, overrides, field, message):
    small_plan(slack.engine)
    add_people(slack)
    slack.standin.add_user("U0GONE", name="gone", real_name="Gone Person", deleted=True)
    count = objective_count(slack.engine)
    modal = open_modal(slack, "U0CEO", f"new {kind}")
    bt1 = objective(slack.engine, "BT1")
    values = annual_values(bt1.id) if kind == "annual" else breakthrough_values()
    ack = slack.submit("U0CEO", modal, {**values, **overrides}).json()
    # Only errors come back: Slack keeps the modal open with everything that was typed.
    assert set(ack) == {"response_action", "errors"} and ack["response_action"] == "errors"
    assert list(ack["errors"]) == [field]
    assert message in ack["errors"][field]
    assert objective_count(slack.engine) == count
    assert audits(slack.engine, "objective.create") == []


def test_every_error_of_one_submission_comes_back_at_once(slack):
    small_plan(slack.engine)
    add_people(slack)
    modal = open_modal(slack, "U0CEO", "new annual")
    bad = annual_values(
        None, **{ids.FIELD_TITLE: "", ids.FIELD_TARGET: "lots", ids.FIELD_YEAR: "27"}
    )
    errors = slack.submit("U0CEO", modal, bad).json()["errors"]
    assert set(errors) == {ids.FIELD_TITLE, ids.FIELD_TARGET, ids.FIELD_YEAR}


def test_a_5000_character_description_is_stored_whole_and_shown_shortened(slack):
    small_plan(slack.engine)
    add_people(slack)
    long = ("Every market we enter needs a partner network first. " * 100)[:5000]
    modal = open_modal(slack, "U0CEO", "new breakthrough")
    values = breakthrough_values(**{ids.FIELD_DESCRIPTION: long})
    assert slack.submit("U0CEO", modal, values).json() is None
    assert objective(slack.engine, "BT2").description == long
    detail = visible(slack.command("U0CEO", "status BT2"))
    assert "Every market we enter" in detail and long not in detail and "…" in detail
    # The edit modal cannot hold 5,000 characters: it shows the text and keeps it on save.
    modal = open_modal(slack, "U0CEO", "edit BT2")
    assert ids.FIELD_DESCRIPTION not in {b.get("block_id") for b in modal["blocks"]}
    assert "5,000 characters" in visible(modal)
    values.pop(ids.FIELD_DESCRIPTION)
    values[ids.FIELD_TARGET] = "30"
    assert slack.submit("U0CEO", modal, values).json() is None
    saved = objective(slack.engine, "BT2")
    assert (saved.description, saved.target) == (long, 30)


def test_shortening_a_breakthrough_that_would_strand_its_annual_objectives(slack):
    small_plan(slack.engine)
    add_people(slack)
    modal = open_modal(slack, "U0CEO", "edit BT1")
    values = breakthrough_values(
        **{
            ids.FIELD_TITLE: "Double ARR by 2029",
            ids.FIELD_OWNER: "U0CEO",
            ids.FIELD_YEARS: "2028-2030",
        }
    )
    values.pop(ids.FIELD_DESCRIPTION)
    errors = slack.submit("U0CEO", modal, values).json()["errors"]
    assert "AN1 (FY2027)" in errors[ids.FIELD_YEARS]
    assert objective(slack.engine, "BT1").start_year == 2027
