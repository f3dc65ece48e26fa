"""The countermeasure A3 end to end: two off-track months → the DM → the modal → next month's
prompt asks whether it worked; and the App Home's check-ins due and A3s to write."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

from sqlmodel import Session, select

from bot import ids
from bot.context import A3WorkedRef
from bot.standin.blockkit import validate_message_blocks, validate_view
from schedules.delivery import Deliverer, make_delivery_client
from schedules.jobs import deliver, queue_monthly_prompts
from storage.models import A3Report, AuditEntry, OutboxMessage
from tests.e2e.conftest import visible
from tests.e2e.test_checkin_e2e import check_in_row, open_modal, setup_month
from tests.e2e.test_home_e2e import open_home, wait_for_home

OFF_TRACK = {
    ids.FIELD_ACTUAL: "13",
    ids.FIELD_STATUS: "off_track",
    ids.FIELD_WHAT_HAPPENED: "One logo signed",
    ids.FIELD_CHALLENGES: "Legal reviews",
    ids.FIELD_COUNTERMEASURE: "Weekly pipeline review",
}
A3 = {
    ids.FIELD_PROBLEM: "13 new logos against a plan of 18",
    ids.FIELD_ROOT_CAUSE: "Legal reviews take six weeks",
    ids.FIELD_COUNTERMEASURE: "A standard contract for mid-market deals",
    ids.FIELD_A3_OWNER: "U0VP",
    ids.FIELD_DUE: "2027-07-31",
}


def text_of(message) -> str:
    return visible({"text": message.text, "blocks": message.blocks})


def a3_rows(engine) -> list[A3Report]:
    with Session(engine) as session:
        return list(session.exec(select(A3Report)))


def a3_modals(slack) -> int:
    return len(slack.ui.modals(ids.VIEW_A3))


def private_answer(slack, delivery) -> str:
    answer = slack.answer_to(delivery)
    assert answer["response_type"] == "ephemeral" and answer.get("replace_original") is False
    return answer["text"]


def test_two_off_track_months_an_a3_and_next_months_question(slack):
    refs = setup_month(slack)  # Mo's AN1.1 was off track in May
    ui = slack.ui
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    assert slack.submit("U0MGR", view, OFF_TRACK).json() is None
    dm = ui.wait_dm_with("U0MGR", "off track two months running")
    assert validate_message_blocks(dm.blocks) == []
    assert "(May 2027 and Jun 2027)" in text_of(dm) and "Write the A3" in text_of(dm)

    # Someone else's click is refused privately: no modal, nothing changed.
    assert "Only <@U0MGR>, its owner, or an admin" in private_answer(
        slack, ui.click("U0VP", dm, ids.ACTION_A3_OPEN)
    )
    assert a3_modals(slack) == 0

    modal = ui.click_modal("U0MGR", dm, ids.ACTION_A3_OPEN, ids.VIEW_A3)
    assert validate_view(modal, expected_type="modal") == []
    assert "Weekly pipeline review" in str(modal)  # starts from the check-in's countermeasure
    bad = {**A3, ids.FIELD_ROOT_CAUSE: "", ids.FIELD_DUE: "2027-06-01"}
    ack = slack.submit("U0MGR", modal, bad).json()
    assert ack["response_action"] == "errors"
    assert set(ack["errors"]) == {ids.FIELD_ROOT_CAUSE, ids.FIELD_DUE}
    assert "in the past" in ack["errors"][ids.FIELD_DUE]
    # The countermeasure's owner must be an active person: Slack is asked about newcomers.
    slack.standin.add_user("U0GONE", name="gone", real_name="Gone", deleted=True)
    slack.standin.add_user("U0ROBOT", name="robot", is_bot=True)
    for user, words in (("U0GONE", "deactivated"), ("U0ROBOT", "Bots and apps")):
        ack = slack.submit("U0MGR", modal, {**A3, ids.FIELD_A3_OWNER: user}).json()
        assert words in ack["errors"][ids.FIELD_A3_OWNER]
    assert a3_rows(slack.engine)[0].submitted_at is None

    # Submitted twice at once: both close the modal, one A3 is stored.
    with ThreadPoolExecutor(2) as pool:
        acks = list(pool.map(lambda _: slack.submit("U0MGR", modal, A3), range(2)))
    assert [a.json() for a in acks] == [None, None]
    [row] = a3_rows(slack.engine)
    assert (row.period, row.root_cause, row.due) == (
        "2027-06",
        "Legal reviews take six weeks",
        date(2027, 7, 31),
    )
    with Session(slack.engine) as session:
        audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "a3_report")).all()
        assert [a.action for a in audit] == ["a3.submit"]
        ana = session.exec(select(OutboxMessage).where(OutboxMessage.channel == "U0VP")).all()
    assert row.action_owner_id is not None and ana == []  # Ana owns it; no extra DM to her
    # The DM that asked now shows the A3, updated in place.
    assert slack.standin.wait_for(
        lambda s: "The A3 is written" in text_of(s.messages("U0MGR")[dm_index(s, dm)]), timeout=10
    )

    # Opening it again edits it.
    dm = slack.standin.messages("U0MGR")[dm_index(slack.standin, dm)]
    modal = ui.click_modal("U0MGR", dm, ids.ACTION_A3_OPEN, ids.VIEW_A3)
    assert modal["title"]["text"] == "Edit the A3" and "2027-07-31" in str(modal)
    assert slack.submit("U0MGR", modal, {**A3, ids.FIELD_DUE: "2027-08-15"}).json() is None
    assert a3_rows(slack.engine)[0].due == date(2027, 8, 15)
    assert len(a3_rows(slack.engine)) == 1

    # July: the prompt shows the countermeasure and asks whether it worked.
    slack.clock.set(datetime(2027, 7, 1, 10, 0, tzinfo=UTC))
    queue_monthly_prompts(slack.engine, slack.clock)
    deliver(Deliverer(slack.engine, make_delivery_client(slack.settings), slack.clock))
    prompt = ui.wait_dm_with("U0MGR", "Monthly check-in for Jul 2027")
    assert validate_message_blocks(prompt.blocks) == []
    shown = text_of(prompt)
    assert "*Did it work?* Your A3 of Jun 2027 set the countermeasure" in shown
    assert "A standard contract for mid-market deals" in shown
    partly = A3WorkedRef(a3_id=row.id, period="2027-07", worked="partly").dump()
    assert "Only <@U0MGR>, its owner, or an admin" in private_answer(
        slack, ui.choose("U0VP", prompt, ids.ACTION_A3_WORKED, partly)
    )
    assert a3_rows(slack.engine)[0].worked is None
    assert "Noted: on *AN1.1*, it partly worked" in private_answer(
        slack, ui.choose("U0MGR", prompt, ids.ACTION_A3_WORKED, "Partly")
    )
    stored = a3_rows(slack.engine)[0]
    assert (stored.worked, stored.worked_period) == ("partly", "2027-07") and stored.worked_at
    # `/hoshin status AN1.1` shows the A3 and whether it worked.
    answer = slack.command("U0MGR", "status AN1.1")
    assert "*A3 countermeasures*\n:memo: Jun 2027: “A standard contract for mid-market deals”" in (
        visible(answer)
    )
    assert "due 2027-08-15 · it partly worked" in visible(answer)
    # Ana's prompt asks nothing of the kind: her objectives had no A3.
    assert "Did it work?" not in text_of(ui.wait_dm_with("U0VP", "Monthly check-in for Jul"))


def dm_index(standin, dm) -> int:
    return next(i for i, m in enumerate(standin.messages("U0MGR")) if m.ts == dm.ts)


def home_buttons(view: dict, action_id: str) -> list[dict]:
    return [
        b["accessory"]
        for b in view["blocks"]
        if (b.get("accessory") or {}).get("action_id") == action_id
    ]


def click_on_home(slack, user_id: str, view: dict, button: dict):
    delivery = slack.sender.block_action(
        user_id=user_id, action_id=button["action_id"], value=button["value"], view=view
    )
    assert delivery.status == 200, delivery.body
    return delivery


def test_the_home_lists_check_ins_due_and_a3s_to_write(slack):
    refs = setup_month(slack)  # June's prompts reached Ana and Mo
    home = open_home(slack, "U0MGR")
    assert validate_view(home, expected_type="home") == []
    assert len(home["blocks"]) <= 100
    shown = visible({"blocks": home["blocks"]})
    assert "*Check-ins due* for Jun 2027 (1) · due since 01 Jun" in shown
    [button] = home_buttons(home, ids.ACTION_CHECKIN_OPEN)
    assert "A3s to write" not in shown
    # Dana was never prompted: nothing due on her Home. Ana owes two.
    assert "Check-ins due" not in visible({"blocks": open_home(slack, "U0CEO")["blocks"]})
    ana = open_home(slack, "U0VP")
    assert "*Check-ins due* for Jun 2027 (2)" in visible({"blocks": ana["blocks"]})
    assert len(home_buttons(ana, ids.ACTION_CHECKIN_OPEN)) == 2

    # The Home's Check in opens the same modal as the prompt's; off track again → an A3.
    before = len(slack.ui.modals(ids.VIEW_CHECKIN))
    click_on_home(slack, "U0MGR", home, button)
    view = slack.ui.next_modal(ids.VIEW_CHECKIN, before)
    assert slack.submit("U0MGR", view, OFF_TRACK).json() is None
    assert check_in_row(slack.engine, refs["AN1.1"]).status == "off_track"
    home = open_home(slack, "U0MGR")
    shown = visible({"blocks": home["blocks"]})
    assert "Check-ins due" not in shown and "*A3s to write* (1)" in shown
    [write] = home_buttons(home, ids.ACTION_A3_OPEN)

    # Write the A3 from the Home: the Home is published again without it.
    before, published = a3_modals(slack), len(slack.standin.calls_to("views.publish"))
    click_on_home(slack, "U0MGR", home, write)
    modal = slack.ui.next_modal(ids.VIEW_A3, before)
    assert slack.submit("U0MGR", modal, A3).json() is None
    home = wait_for_home(slack, "U0MGR", published_for(slack, "U0MGR", published))
    assert "A3s to write" not in visible({"blocks": home["blocks"]})
    assert "Nothing is waiting for you" not in visible({"blocks": home["blocks"]})  # an action


def published_for(slack, user_id: str, since: int) -> int:
    """How many Homes `user_id` had been published before call number `since`."""
    calls = slack.standin.calls_to("views.publish")[:since]
    return len([c for c in calls if c.args.get("user_id") == user_id])
