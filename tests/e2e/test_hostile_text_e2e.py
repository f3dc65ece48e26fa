"""Hostile text through the real app: many `<`, `>`, `&` never break a Slack limit once escaped,
and markup from user text (`<!channel>`, disguised links) never comes out live (issue 16)."""

from __future__ import annotations

from sqlmodel import Session, select

from bot import ids
from bot.standin.blockkit import validate_message_blocks, validate_view
from storage.models import A3Report, CatchballRound, Objective, Person, Workspace
from tests import factories as f
from tests.e2e.conftest import visible
from tests.e2e.seed import small_plan
from tests.e2e.test_a3_e2e import A3, OFF_TRACK, dm_index, text_of
from tests.e2e.test_catchball_e2e import NORDICS, command_modal, setup, wait_dm_with
from tests.e2e.test_checkin_e2e import ANSWER, open_modal, setup_month, wait_thread
from tests.e2e.test_reflect_e2e import store_year
from tests.text import mrkdwn_text, user_markup

HOSTILE_TITLE = "<!channel> Urgent <http://evil.example/sso|re-login here>"


def fits(payload: dict) -> None:
    assert validate_message_blocks(payload["blocks"]) == [], payload["blocks"]
    assert len(payload.get("text") or "") <= 3000
    assert user_markup(mrkdwn_text(payload)) == []


def set_objective(engine, ref: str, **values) -> None:
    with Session(engine) as session:
        row = session.exec(select(Objective).where(Objective.ref == ref)).one()
        for key, value in values.items():
            setattr(row, key, value)
        session.add(row)
        session.commit()


def test_a_check_in_of_1500_angle_brackets_gets_its_review_reply_posted(slack):
    refs = setup_month(slack)
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    answer = {**ANSWER, ids.FIELD_WHAT_HAPPENED: "<" * 1500, ids.FIELD_CHALLENGES: "&" * 3000}
    assert slack.submit("U0MGR", view, answer).json() is None
    [reply] = wait_thread(slack, 1)[1]
    fits({"text": reply.text, "blocks": reply.blocks})
    assert "&lt;&lt;&lt;" in text_of(reply) and "<@U0MGR> checked in" in text_of(reply)


def test_status_of_an_objective_whose_description_is_750_angle_brackets(slack):
    small_plan(slack.engine)
    set_objective(slack.engine, "AN1", description="<" * 750 + "&" * 750)
    answer = slack.command("U0VP", "status AN1")
    fits(answer)
    assert "AN1 · Grow ARR to 14 M$" in visible(answer)
    assert "&lt;&lt;" in visible(answer)


def test_an_a3_of_600_angle_brackets_is_saved_and_its_dm_shown(slack):
    refs = setup_month(slack)
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    assert slack.submit("U0MGR", view, OFF_TRACK).json() is None
    dm = slack.ui.wait_dm_with("U0MGR", "off track two months running")
    modal = slack.ui.click_modal("U0MGR", dm, ids.ACTION_A3_OPEN, ids.VIEW_A3)
    hostile = {
        **A3,
        ids.FIELD_PROBLEM: "<" * 600,
        ids.FIELD_ROOT_CAUSE: "<>&" * 200,
        ids.FIELD_COUNTERMEASURE: "<!channel>" * 60,
    }
    assert slack.submit("U0MGR", modal, hostile).json() is None
    with Session(slack.engine) as session:
        [row] = session.exec(select(A3Report)).all()
    assert row.problem == "<" * 600 and row.submitted_at is not None
    assert slack.standin.wait_for(
        lambda s: "The A3 is written" in text_of(s.messages("U0MGR")[dm_index(s, dm)]), timeout=10
    )
    shown = slack.standin.messages("U0MGR")[dm_index(slack.standin, dm)]
    fits({"text": shown.text, "blocks": shown.blocks})
    # Opened again, the modal is filled with the stored text and is still one Slack accepts.
    again = slack.ui.click_modal("U0MGR", shown, ids.ACTION_A3_OPEN, ids.VIEW_A3)
    assert validate_view(again, expected_type="modal") == []


def test_reflect_answers_with_a_vision_of_999_control_characters(slack):
    store_year(slack.engine)
    with Session(slack.engine) as session:
        ws = session.exec(select(Workspace)).one()
        ws.vision = "<>&" * 333
        ws.values = ["<!here>" * 40, "&" * 300]
        session.add(ws)
        session.commit()
    answer = slack.command("U0VP", "reflect")
    fits(answer)
    assert "Reflection so far · FY2027" in visible(answer)


def test_a_hostile_title_is_never_live_markup_in_share_or_dm_fallbacks(slack):
    setup(slack)
    view = command_modal(slack, "U0VP", "propose AN1")
    assert slack.submit("U0VP", view, {**NORDICS, ids.FIELD_TITLE: HOSTILE_TITLE}).json() is None
    ask = wait_dm_with(slack, "U0MGR", "Proposal AN1.2")
    fits({"text": ask.text, "blocks": ask.blocks})
    assert "&lt;!channel&gt; Urgent" in ask.text

    set_objective(slack.engine, "AN1", title=HOSTILE_TITLE)
    answer = slack.command("U0VP", "status AN1")
    fits(answer)
    share = next(b for b in answer["blocks"] if b["type"] == "actions")["elements"][0]
    delivery = slack.sender.block_action(
        user_id="U0VP", action_id=share["action_id"], value=share["value"], is_ephemeral=True
    )
    shared = slack.answer_to(delivery)
    assert shared["response_type"] == "in_channel"
    fits(shared)
    assert (
        "&lt;!channel&gt; Urgent &lt;http://evil.example/sso|re-login here&gt;" in (shared["text"])
    )


def test_a_person_named_everyone_through_status_of_that_person(slack):
    small_plan(slack.engine)
    with Session(slack.engine) as session:
        ws = session.exec(select(Workspace)).one()
        ivan = f.person(session, ws, "U0IVAN", name="<!everyone> Ivan")
        an2 = session.exec(select(Objective).where(Objective.ref == "AN2")).one()
        an2.owner_id = ivan.id
        session.add(an2)
        session.commit()
        assert session.exec(select(Person).where(Person.slack_user_id == "U0IVAN")).one()
    for asked in ("status <@U0IVAN|ivan>", "status AN2", "status"):
        answer = slack.command("U0CEO", asked)
        fits(answer)
    answer = slack.command("U0CEO", "status <@U0IVAN|ivan>")
    assert "&lt;!everyone&gt; Ivan's objectives" in visible(answer) or "Ivan" in answer["text"]
    share = next(b for b in answer["blocks"] if b["type"] == "actions")["elements"][0]
    delivery = slack.sender.block_action(
        user_id="U0CEO", action_id=share["action_id"], value=share["value"], is_ephemeral=True
    )
    fits(slack.answer_to(delivery))


def test_a_name_typed_after_status_is_echoed_escaped(slack):
    small_plan(slack.engine)
    answer = slack.command("U0CEO", "status @<!channel>")
    assert "Nobody called `&lt;!channel&gt;`" in answer["text"]
    assert user_markup(mrkdwn_text(answer)) == []


def test_a_ref_typed_after_new_edit_or_archive_is_never_echoed_as_markup(slack):
    small_plan(slack.engine)
    for asked in (
        "edit <!channel>",
        "archive <!here>",
        "new annual <!channel>",
        "edit <http://evil.example|AN1>",
    ):
        answer = slack.command("U0CEO", asked)
        assert user_markup(mrkdwn_text(answer)) == [], (asked, answer)
        # Refused for its shape before any lookup, with the usage to type instead.
        assert "There is no objective" not in answer["text"] and "`/hoshin " in answer["text"]
    # A ref of the right shape that names nothing is echoed escaped and bounded.
    answer = slack.command("U0CEO", "edit " + "A" * 64)
    assert "There is no objective" in answer["text"] and len(answer["text"]) < 200


LONG_UNIT = "<km>" * 550  # 2,200 characters: stored by hand, past the unit field's 20


def test_a_check_in_modal_opens_with_a_stored_unit_of_2200_characters(slack):
    refs = setup_month(slack)
    set_objective(slack.engine, "AN1.1", metric_unit=LONG_UNIT)
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    assert validate_view(view, expected_type="modal") == []
    assert "the plan is" in visible(view)


def test_a_counter_modal_opens_with_a_proposed_unit_of_2200_characters(slack):
    setup(slack)
    view = command_modal(slack, "U0VP", "propose AN1")
    assert slack.submit("U0VP", view, NORDICS).json() is None
    ask = wait_dm_with(slack, "U0MGR", "Proposal AN1.2")
    with Session(slack.engine) as session:
        [round1] = session.exec(select(CatchballRound)).all()
        round1.proposal = {**round1.proposal, "metric_unit": LONG_UNIT}
        session.add(round1)
        session.commit()
    counter = slack.ui.click_modal("U0MGR", ask, ids.ACTION_CATCHBALL_COUNTER, ids.VIEW_COUNTER)
    assert validate_view(counter, expected_type="modal") == []
    assert "Target (<km><km>" in visible(counter)
