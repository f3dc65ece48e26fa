"""Action plans end to end: `/hoshin action REF` → the modal → the owner's DM → Done/Blocked."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlmodel import Session, select

from bot import ids
from bot.context import ActionRef, ObjectiveRef
from storage.models import ActionItem, AuditEntry, Objective, OutboxMessage, Person
from tests.e2e.conftest import visible
from tests.e2e.seed import small_plan

PEOPLE = {"U0CEO": "Dana", "U0VP": "Ana", "U0MGR": "Mo", "U0IC": "Ivy Chen"}


def setup_plan(slack) -> None:
    for user_id, name in PEOPLE.items():
        slack.standin.add_user(user_id, name=name.lower(), real_name=name)
    small_plan(slack.engine)


def open_add_modal(slack, user_id: str, text: str) -> dict:
    before = len(slack.standin.calls_to("views.open"))
    delivery = slack.sender.slash_command(user_id=user_id, text=text)
    assert delivery.status == 200, delivery.body
    assert slack.standin.wait_for(lambda s: len(s.calls_to("views.open")) > before, timeout=10)
    call = slack.standin.calls_to("views.open")[-1]
    assert call.ok, call.response
    assert call.args["view"]["callback_id"] == ids.VIEW_ACTION
    return {**call.args["view"], "id": call.response["view"]["id"]}


def dm_to(slack, user_id: str, count: int = 1):
    assert slack.standin.wait_for(lambda s: len(s.messages(user_id)) >= count, timeout=10), (
        f"no DM to {user_id}"
    )
    return slack.standin.messages(user_id)[count - 1]


def buttons(blocks) -> dict[str, dict]:
    return {
        e["action_id"]: e for b in blocks or [] if b["type"] == "actions" for e in b["elements"]
    }


def click(slack, user_id: str, message, action_id: str):
    button = buttons(message.blocks)[action_id]
    return slack.sender.block_action(
        user_id=user_id,
        action_id=action_id,
        value=button["value"],
        block_id=ids.BLOCK_ACTION_BUTTONS,
        channel_id=message.channel,
        message_ts=message.ts,
    )


def action_named(engine, title: str) -> ActionItem:
    with Session(engine) as session:
        return session.exec(select(ActionItem).where(ActionItem.title == title)).one()


def sent_post_ts(engine) -> str | None:
    """The DM's ts, recorded on its outbox row once sent (the row is written before the post)."""
    with Session(engine) as session:
        post = session.exec(select(OutboxMessage)).one()
        if post.state != "sent":
            return None
        assert post.result_channel and post.result_channel.startswith("D")
        return post.result_ts


def audit_of(engine, action_id: int) -> list[tuple[str, str]]:
    with Session(engine) as session:
        entries = session.exec(
            select(AuditEntry)
            .where(AuditEntry.entity == "action", AuditEntry.entity_id == action_id)
            .order_by(AuditEntry.id)
        ).all()
        return [(e.action, e.actor) for e in entries]


def test_an_added_action_reaches_its_owner_and_done_updates_the_dm_in_place(slack):
    setup_plan(slack)
    # Ana owns AN1, the parent of AN1.1: she may add actions to it.
    view = open_add_modal(slack, "U0VP", "action an1.1")
    assert "AN1.1" in visible(view) and "Win 40 new mid-market logos" in visible(view)
    ack = slack.submit(
        "U0VP",
        view,
        {
            ids.FIELD_TITLE: "Call 20 prospects",
            ids.FIELD_OWNER: "U0IC",
            ids.FIELD_DUE: "2027-07-01",
        },
    )
    assert ack.json() is None  # the modal closed

    dm = dm_to(slack, "U0IC")
    text = visible({"text": dm.text, "blocks": dm.blocks})
    assert "<@U0VP> added an action for you" in text and "*AN1.1*" in text
    assert "*Call 20 prospects*" in text and "Due Thu 01 Jul 2027" in text
    assert set(buttons(dm.blocks)) == {ids.ACTION_ACTION_DONE, ids.ACTION_ACTION_BLOCKED}

    action = action_named(slack.engine, "Call 20 prospects")
    assert action.state == "open" and str(action.due) == "2027-07-01"
    with Session(slack.engine) as session:
        ivy = session.get(Person, action.owner_id)
        assert ivy.slack_user_id == "U0IC" and ivy.name == "Ivy Chen"  # new to the plan
        assert session.get(Objective, action.objective_id).ref == "AN1.1"
    assert audit_of(slack.engine, action.id) == [("action.create", "U0VP")]
    assert slack.standin.wait_for(lambda s: sent_post_ts(slack.engine) == dm.ts, timeout=5)

    delivery = click(slack, "U0IC", dm, ids.ACTION_ACTION_DONE)
    assert delivery.status == 200
    updates = slack.standin.wait_for_calls("chat.update", 1, timeout=10)
    assert updates[0].ok
    updated = slack.standin.messages("U0IC")[0]
    assert updated.ts == dm.ts and updated.edited_count == 1
    text = visible({"text": updated.text, "blocks": updated.blocks})
    assert "*Done* — marked by <@U0IC>" in text and "15 Jun 2027 09:00 UTC" in text
    assert set(buttons(updated.blocks)) == {ids.ACTION_ACTION_REOPEN}
    assert action_named(slack.engine, "Call 20 prospects").state == "done"
    assert audit_of(slack.engine, action.id)[-1] == ("action.done", "U0IC")
    assert slack.standin.response_posts(delivery.response_url) == []  # the DM says it all

    status = visible(slack.command("U0VP", "status AN1.1"))
    assert ":white_check_mark: Call 20 prospects · <@U0IC> · due 2027-07-01" in status


def test_blocked_then_reopen_and_done_each_update_the_dm(slack):
    setup_plan(slack)
    view = open_add_modal(slack, "U0MGR", "action AN1.1 Refresh the pitch deck")
    assert view["blocks"][1]["element"]["initial_value"] == "Refresh the pitch deck"
    prefilled = view["blocks"][1]["element"]["initial_value"]  # Slack submits what is shown
    ack = slack.submit(
        "U0MGR",
        view,
        {ids.FIELD_TITLE: prefilled, ids.FIELD_OWNER: "U0MGR", ids.FIELD_DUE: "2027-06-15"},
    )
    assert ack.json() is None  # due today is fine
    dm = dm_to(slack, "U0MGR")
    assert "A new action of yours" in visible({"blocks": dm.blocks})

    click(slack, "U0MGR", dm, ids.ACTION_ACTION_BLOCKED)
    slack.standin.wait_for_calls("chat.update", 1, timeout=10)
    dm = slack.standin.messages("U0MGR")[0]
    assert "*Blocked* — marked by <@U0MGR>" in visible({"blocks": dm.blocks})
    assert set(buttons(dm.blocks)) == {ids.ACTION_ACTION_DONE, ids.ACTION_ACTION_REOPEN}
    assert action_named(slack.engine, "Refresh the pitch deck").state == "blocked"
    assert ":no_entry: Refresh the pitch deck" in visible(slack.command("U0VP", "status AN1.1"))

    click(slack, "U0MGR", dm, ids.ACTION_ACTION_REOPEN)
    slack.standin.wait_for_calls("chat.update", 2, timeout=10)
    dm = slack.standin.messages("U0MGR")[0]
    assert "Reopened by <@U0MGR>" in visible({"blocks": dm.blocks})
    assert action_named(slack.engine, "Refresh the pitch deck").state == "open"
    action = action_named(slack.engine, "Refresh the pitch deck")
    assert [a for a, _ in audit_of(slack.engine, action.id)] == [
        "action.create",
        "action.blocked",
        "action.reopen",
    ]


def test_a_person_who_may_not_mark_the_action_is_refused_and_nothing_changes(slack):
    setup_plan(slack)
    seeded = action_named(slack.engine, "Hire two AEs")  # Mo's action on Mo's AN1.1
    # Ana owns AN1, not AN1.1, and is no admin: she may add actions there but not mark Mo's.
    delivery = slack.sender.block_action(
        user_id="U0VP",
        action_id=ids.ACTION_ACTION_DONE,
        value=ActionRef(action_id=seeded.id).dump(),
        block_id=ids.BLOCK_ACTION_BUTTONS,
    )
    assert delivery.status == 200
    answer = slack.answer_to(delivery)
    assert answer["response_type"] == "ephemeral" and answer.get("replace_original") is False
    assert "Only <@U0MGR> (its owner) or an admin can mark “Hire two AEs”" in answer["text"]
    assert action_named(slack.engine, "Hire two AEs").state == "open"
    assert audit_of(slack.engine, seeded.id) == []
    assert slack.standin.calls_to("chat.update") == []


def test_a_second_click_or_a_stale_button_changes_nothing_and_says_the_state(slack):
    setup_plan(slack)
    view = open_add_modal(slack, "U0CEO", "action AN2")  # Dana: an admin
    slack.submit(
        "U0CEO",
        view,
        {ids.FIELD_TITLE: "Exit interviews", ids.FIELD_OWNER: "U0VP", ids.FIELD_DUE: "2027-09-30"},
    )
    dm = dm_to(slack, "U0VP")
    click(slack, "U0VP", dm, ids.ACTION_ACTION_DONE)
    slack.standin.wait_for_calls("chat.update", 1, timeout=10)

    again = click(slack, "U0VP", dm, ids.ACTION_ACTION_DONE)  # the old message, clicked again
    answer = slack.answer_to(again)
    assert "“Exit interviews” is already done — marked by <@U0VP>" in answer["text"]
    assert "Nothing was changed" in answer["text"]
    stale = click(slack, "U0VP", dm, ids.ACTION_ACTION_BLOCKED)
    assert "can't be marked blocked" in slack.answer_to(stale)["text"]

    action = action_named(slack.engine, "Exit interviews")
    assert action.state == "done"
    assert audit_of(slack.engine, action.id) == [
        ("action.create", "U0CEO"),
        ("action.done", "U0VP"),
    ]
    # The stale DM was refreshed to the stored state each time; it still offers only Reopen.
    dm = slack.standin.messages("U0VP")[0]
    assert set(buttons(dm.blocks)) == {ids.ACTION_ACTION_REOPEN}


def test_bad_input_is_shown_under_each_field_and_nothing_is_stored(slack):
    setup_plan(slack)
    slack.standin.add_user("U0GONE", name="gone", real_name="Gus Gone", deleted=True)
    view = open_add_modal(slack, "U0VP", "action AN1.1")
    ack = slack.submit(
        "U0VP",
        view,
        {ids.FIELD_TITLE: "  ", ids.FIELD_OWNER: "U0GONE", ids.FIELD_DUE: "2027-06-14"},
    ).json()
    assert ack["response_action"] == "errors"
    errors = ack["errors"]
    assert "Please give what will be done" in errors[ids.FIELD_TITLE]
    assert "Gus Gone has been deactivated" in errors[ids.FIELD_OWNER]
    assert "14 Jun 2027 is in the past" in errors[ids.FIELD_DUE]

    ack = slack.submit(
        "U0VP",
        view,
        {ids.FIELD_TITLE: "Fine", ids.FIELD_OWNER: "U0NOBODY", ids.FIELD_DUE: "2027-06-15"},
    ).json()
    assert ack["errors"] == {ids.FIELD_OWNER: "That person is not in this workspace."}
    with Session(slack.engine) as session:
        assert len(session.exec(select(ActionItem)).all()) == 1  # the seeded one only
    assert slack.standin.calls_to("chat.postMessage") == []


def test_unknown_refs_and_people_who_may_not_add_get_a_private_answer(slack):
    setup_plan(slack)
    answer = slack.command("U0VP", "action AN11")
    assert answer["response_type"] == "ephemeral"
    assert "There is no objective `AN11`" in answer["text"] and "`AN1.1`" in answer["text"]

    # Mo owns AN1.1 but neither AN1 nor its parent BT1.
    text = slack.command("U0MGR", "action AN1")["text"]
    assert "Only <@U0VP> (owner of AN1), <@U0CEO> (owner of BT1) or an admin (<@U0CEO>)" in text
    assert "can add actions to `AN1`" in text

    assert "breakthrough" in slack.command("U0CEO", "action BT1")["text"]
    assert "Which objective?" in slack.command("U0CEO", "action")["text"]
    assert slack.standin.calls_to("views.open") == []


def test_the_home_button_opens_the_same_modal(slack):
    setup_plan(slack)
    with Session(slack.engine) as session:
        an2 = session.exec(select(Objective).where(Objective.ref == "AN2")).one()
    delivery = slack.sender.block_action(
        user_id="U0VP",
        action_id=ids.ACTION_HOME_ADD_ACTION,
        value=ObjectiveRef(objective_id=an2.id).dump(),
        block_id="home_objective",
        view={"id": "V0HOME", "type": "home", "blocks": []},
    )
    assert delivery.status == 200
    view = slack.opened_view(ids.VIEW_ACTION)
    assert "*AN2* · Cut churn to 5%" in visible(view)
    assert ObjectiveRef.parse(view["private_metadata"]).objective_id == an2.id


def test_done_on_the_home_tab_marks_it_republishes_the_home_and_updates_the_dm(slack):
    setup_plan(slack)
    view = open_add_modal(slack, "U0MGR", "action AN1.1")
    slack.submit(
        "U0MGR",
        view,
        {ids.FIELD_TITLE: "Visit Lyon", ids.FIELD_OWNER: "U0MGR", ids.FIELD_DUE: "2027-08-01"},
    )
    dm = dm_to(slack, "U0MGR")
    assert slack.standin.wait_for(lambda s: sent_post_ts(slack.engine) == dm.ts, timeout=5)
    action = action_named(slack.engine, "Visit Lyon")
    delivery = slack.sender.block_action(
        user_id="U0MGR",
        action_id=ids.ACTION_ACTION_DONE,
        value=ActionRef(action_id=action.id).dump(),
        block_id="home_actions",
        view={"id": "V0HOME", "type": "home", "blocks": []},
    )
    assert delivery.status == 200
    assert slack.standin.wait_for(lambda s: "U0MGR" in s.home_views, timeout=10)
    updates = slack.standin.wait_for_calls("chat.update", 1, timeout=10)
    assert (updates[0].args["channel"], updates[0].args["ts"]) == (dm.channel, dm.ts)
    dm = slack.standin.messages("U0MGR")[0]
    assert "*Done* — marked by <@U0MGR>" in visible({"blocks": dm.blocks})
    assert action_named(slack.engine, "Visit Lyon").state == "done"
    assert audit_of(slack.engine, action.id)[-1] == ("action.done", "U0MGR")


def test_two_clicks_at_once_mark_the_action_once(slack):
    setup_plan(slack)
    view = open_add_modal(slack, "U0MGR", "action AN1.1")
    slack.submit(
        "U0MGR",
        view,
        {ids.FIELD_TITLE: "Book the venue", ids.FIELD_OWNER: "U0MGR", ids.FIELD_DUE: "2027-08-01"},
    )
    dm = dm_to(slack, "U0MGR")
    with ThreadPoolExecutor(max_workers=2) as pool:
        clicks = list(pool.map(lambda _: click(slack, "U0MGR", dm, ids.ACTION_ACTION_DONE), [1, 2]))
    assert [c.status for c in clicks] == [200, 200]
    # One click changed the action; the other was told it is already done.
    assert slack.standin.wait_for(
        lambda s: sum(len(s.response_posts(c.response_url)) for c in clicks) == 1, timeout=10
    )
    told = [p for c in clicks for p in slack.standin.response_posts(c.response_url)]
    assert "is already done" in told[0]["text"]
    action = action_named(slack.engine, "Book the venue")
    assert action.state == "done"
    assert [a for a, _ in audit_of(slack.engine, action.id)] == ["action.create", "action.done"]


def test_an_owner_slack_cannot_reach_is_marked_and_the_adder_is_told(slack):
    setup_plan(slack)
    slack.standin.set_user("U0MGR", deleted=True)  # deactivated since the plan was loaded
    view = open_add_modal(slack, "U0VP", "action AN1.1")
    ack = slack.submit(
        "U0VP",
        view,
        {ids.FIELD_TITLE: "Hand over", ids.FIELD_OWNER: "U0MGR", ids.FIELD_DUE: "2027-07-01"},
    )
    assert ack.json() is None
    warning = dm_to(slack, "U0VP")
    assert "could not send its owner the DM (account_inactive)" in warning.text
    assert action_named(slack.engine, "Hand over").state == "open"  # the action is kept
    with Session(slack.engine) as session:
        mo = session.exec(select(Person).where(Person.slack_user_id == "U0MGR")).one()
        assert mo.unreachable_reason == "account_inactive"
        post = session.exec(select(OutboxMessage)).one()
        assert (post.state, post.last_error) == ("failed", "account_inactive")
    # Next time the modal says so under the owner field instead of adding a silent action.
    view = open_add_modal(slack, "U0VP", "action AN1.1")
    errors = slack.submit(
        "U0VP",
        view,
        {ids.FIELD_TITLE: "Again", ids.FIELD_OWNER: "U0MGR", ids.FIELD_DUE: "2027-07-01"},
    ).json()["errors"]
    assert "can't be reached in Slack any more" in errors[ids.FIELD_OWNER]


def test_a_command_whose_words_hold_payload_is_read_as_typed(slack):
    # Bolt reads any form body containing "payload" as an interaction's `payload=<json>` and,
    # finding no such field, as {}: the command was refused though a person typed it.
    setup_plan(slack)
    view = open_add_modal(slack, "U0MGR", "action AN1.1 Cut the payload size of the app")
    assert view["blocks"][1]["element"]["initial_value"] == "Cut the payload size of the app"
