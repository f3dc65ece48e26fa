"""The monthly check-in end to end: Check in → modal → the review thread, edits, DMs, a held channel."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

from sqlmodel import Session, select

from bot import ids
from bot.context import CheckInRef
from bot.standin.inbound import Delivery
from storage.db import session_scope
from storage.models import (
    AuditEntry,
    CheckIn,
    CheckInPrompt,
    Objective,
    OutboxMessage,
    Person,
    ReviewThread,
)
from storage.outbox import queue as outbox
from tests.e2e.conftest import visible
from tests.e2e.seed import small_plan

PEOPLE = {"U0CEO": "Dana", "U0VP": "Ana", "U0MGR": "Mo"}
CHANNEL = "C0HOSHIN"
JUNE = "2027-06"


def setup_month(slack, *, in_channel: bool = True) -> dict[str, int]:
    """The small plan, its people and review channel in Slack, and June's prompts sent."""
    for user_id, name in PEOPLE.items():
        slack.standin.add_user(user_id, name=name.lower(), real_name=name)
    slack.standin.add_channel(CHANNEL, name="hoshin", is_member=in_channel)
    small_plan(slack.engine)
    with session_scope(slack.engine) as session:
        people = {p.slack_user_id: p for p in session.exec(select(Person))}
        for user_id in ("U0VP", "U0MGR"):
            session.add(
                CheckInPrompt(
                    workspace_id=people[user_id].workspace_id,
                    person_id=people[user_id].id,
                    period=JUNE,
                    state="sent",
                    due_at=datetime(2027, 6, 1, 9, tzinfo=UTC),
                    sent_at=datetime(2027, 6, 1, 9, tzinfo=UTC),
                    channel="D" + user_id[1:],
                    ts="1780000000.000100",
                )
            )
        return {o.ref: o.id for o in session.exec(select(Objective))}


def click_check_in(slack, user_id: str, objective_id: int, period: str = JUNE) -> Delivery:
    delivery = slack.sender.block_action(
        user_id=user_id,
        action_id=ids.ACTION_CHECKIN_OPEN,
        value=CheckInRef(objective_id=objective_id, period=period).dump(),
        channel_id="D" + user_id[1:],
        message_ts="1780000000.000100",
    )
    assert delivery.status == 200, delivery.body
    return delivery


def open_modal(slack, user_id: str, objective_id: int, period: str = JUNE) -> dict:
    before = len(slack.standin.calls_to("views.open"))
    click_check_in(slack, user_id, objective_id, period)
    assert slack.standin.wait_for(lambda s: len(s.calls_to("views.open")) > before, timeout=10)
    return slack.opened_view(ids.VIEW_CHECKIN)


ANSWER = {
    ids.FIELD_ACTUAL: "15",
    ids.FIELD_STATUS: "at_risk",
    ids.FIELD_WHAT_HAPPENED: "Three logos signed",
    ids.FIELD_CHALLENGES: "Long legal reviews",
    ids.FIELD_COUNTERMEASURE: "Standard contract by July",
}


def thread(slack) -> tuple:
    """(parent, replies) of June's thread as the channel shows them now."""
    messages = slack.standin.messages(CHANNEL)
    parents = [m for m in messages if not m.thread_ts]
    assert len(parents) <= 1, "one review thread per channel and month"
    if not parents:
        return None, []
    return parents[0], [m for m in messages if m.thread_ts == parents[0].ts]


def text_of(message) -> str:
    return visible({"text": message.text, "blocks": message.blocks})


def wait_thread(slack, replies: int, *, contains: str | None = None, timeout: float = 20.0):
    def ready(_):
        parent, got = thread(slack)
        if parent is None or len(got) < replies:
            return False
        return contains is None or contains in text_of(parent)

    assert slack.standin.wait_for(ready, timeout=timeout), (
        f"thread not there: {[(m.text, m.thread_ts) for m in slack.standin.messages(CHANNEL)]}"
    )
    return thread(slack)


def check_in_row(engine, objective_id: int, period: str = JUNE) -> CheckIn | None:
    with Session(engine) as session:
        return session.exec(
            select(CheckIn).where(CheckIn.objective_id == objective_id, CheckIn.period == period)
        ).first()


def reply_ts_recorded(engine, objective_id: int, ts: str) -> bool:
    row = check_in_row(engine, objective_id)
    return row is not None and row.thread_reply_ts == ts


# ---- a month: check in, thread, edit -------------------------------------------------------------


def test_a_month_of_check_ins_builds_one_thread_and_edits_update_the_reply(slack):
    refs = setup_month(slack)
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    shown = visible(view)
    assert "AN1.1" in shown and "Win 40 new mid-market logos" in shown
    assert "*Target*\n40" in shown and "*Plan for Jun 2027*\n18" in shown
    assert "Last month (May 2027)" in shown and "12" in shown and "off track" in shown

    assert slack.submit("U0MGR", view, ANSWER).json() is None  # the modal closed

    row = check_in_row(slack.engine, refs["AN1.1"])
    assert (row.actual, row.status, row.countermeasure) == (
        15,
        "at_risk",
        ANSWER[ids.FIELD_COUNTERMEASURE],
    )
    parent, replies = wait_thread(slack, 1)
    assert "Monthly review · Jun 2027" in text_of(parent)
    assert "1 of 3" in text_of(parent) and "AN1" in text_of(parent)
    assert len(replies) == 1 and "Standard contract by July" in text_of(replies[0])
    assert "<@U0MGR> checked in for Jun 2027" in text_of(replies[0])
    with Session(slack.engine) as session:
        [review] = session.exec(select(ReviewThread)).all()
        assert (review.channel, review.period, review.ts) == (CHANNEL, JUNE, parent.ts)
    assert slack.standin.wait_for(
        lambda _: reply_ts_recorded(slack.engine, refs["AN1.1"], replies[0].ts), timeout=10
    )

    # Ana checks in on AN1: a second reply, and the parent is updated in place.
    view = open_modal(slack, "U0VP", refs["AN1"])
    answer = {ids.FIELD_ACTUAL: "11.9", ids.FIELD_STATUS: "on_track"}
    assert slack.submit("U0VP", view, answer).json() is None
    parent, replies = wait_thread(slack, 2, contains="2 of 3")
    assert slack.standin.messages(CHANNEL)[0].edited_count >= 1
    updates = [c for c in slack.standin.calls_to("chat.update") if c.args.get("ts") == parent.ts]
    assert updates and all(c.ok for c in updates)

    # Mo edits his check-in: the modal is filled in; the same reply is updated, none added.
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    assert '"initial_value": "15"' in _dumps(view) and "Edit check-in" in _dumps(view)
    edited = {**ANSWER, ids.FIELD_ACTUAL: "16", ids.FIELD_STATUS: "off_track"}
    assert slack.submit("U0MGR", view, edited).json() is None
    mo_reply = replies[0]
    assert slack.standin.wait_for(
        lambda _: "off track" in text_of(_message(slack, mo_reply.ts)), timeout=20
    )
    parent, replies = thread(slack)
    assert len(replies) == 2
    assert [c for c in slack.standin.calls_to("chat.update") if c.args.get("ts") == mo_reply.ts]
    assert check_in_row(slack.engine, refs["AN1.1"]).actual == 16
    with Session(slack.engine) as session:
        assert len(session.exec(select(CheckIn).where(CheckIn.period == JUNE)).all()) == 2
        audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "check_in")).all()
        assert sorted(a.action for a in audit) == [
            "checkin.create",
            "checkin.create",
            "checkin.update",
        ]
        prompt = session.exec(
            select(CheckInPrompt).join(Person).where(Person.slack_user_id == "U0MGR")
        ).one()
        assert prompt.state == "answered"  # Mo owns one objective and checked in on it
    assert "2 of 3" in text_of(parent)  # what the parent shows, built from the database


def _message(slack, ts: str):
    return next(m for m in slack.standin.messages(CHANNEL) if m.ts == ts)


def _dumps(view: dict) -> str:
    return json.dumps(view)


# ---- stored once ----------------------------------------------------------------------------------


def test_a_double_submit_is_stored_once(slack):
    refs = setup_month(slack)
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    with ThreadPoolExecutor(2) as pool:
        acks = list(pool.map(lambda _: slack.submit("U0MGR", view, ANSWER), range(2)))
    assert [a.json() for a in acks] == [None, None]  # both close the modal
    wait_thread(slack, 1)
    with Session(slack.engine) as session:
        rows = session.exec(select(CheckIn).where(CheckIn.period == JUNE)).all()
        assert len(rows) == 1 and rows[0].actual == 15
        audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "check_in")).all()
        assert [a.action for a in audit] == ["checkin.create"]
    # A later replay of the same submission changes nothing either.
    assert slack.submit("U0MGR", view, {**ANSWER, ids.FIELD_ACTUAL: "99"}).json() is None
    assert check_in_row(slack.engine, refs["AN1.1"]).actual == 15
    assert len(thread(slack)[1]) == 1


def dm_event(user_id: str, text: str, **extra) -> dict:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": "D" + user_id[1:],
        "user": user_id,
        "text": text,
        "ts": "1780000100.000200",
        **extra,
    }


def test_a_dm_reply_is_kept_once_as_the_months_comment_despite_retries(slack):
    refs = setup_month(slack)
    event = dm_event("U0VP", "Slow month, two renewals slipped to July.")
    first = slack.sender.event(event, event_id="Ev0CHECKIN1")
    retry = slack.sender.event(event, event_id="Ev0CHECKIN1", retry_num=1)
    assert first.status == 200 and retry.status == 200
    parent, replies = wait_thread(slack, 2)  # Ana owns AN1 and AN2: a reply for each
    assert "slipped to July" in text_of(replies[0])
    receipts = slack.standin.wait_for(lambda s: s.messages("U0VP"), timeout=10)
    assert receipts
    [receipt] = slack.standin.messages("U0VP")
    assert "kept that as your comment for Jun 2027 on *AN1*, *AN2*" in text_of(receipt)
    for ref in ("AN1", "AN2"):
        row = check_in_row(slack.engine, refs[ref])
        assert row.comment == "Slow month, two renewals slipped to July."
        assert row.status is None and row.actual is None
    assert "0 of 3" in text_of(parent) and "replied in DM" in text_of(parent)

    # The bot's own messages and edits are not replies; a second reply is added below.
    slack.sender.event(dm_event("U0VP", "bot echo", bot_id="B0HOSHIN"), event_id="Ev0BOT")
    slack.sender.event(dm_event("U0VP", "edited", subtype="message_changed"), event_id="Ev0CHG")
    slack.sender.event(dm_event("U0VP", "Renewals signed on the 3rd."), event_id="Ev0CHECKIN2")
    assert slack.standin.wait_for(
        lambda _: "signed on the 3rd" in (check_in_row(slack.engine, refs["AN1"]).comment or ""),
        timeout=10,
    )
    assert check_in_row(slack.engine, refs["AN1"]).comment == (
        "Slow month, two renewals slipped to July.\n\nRenewals signed on the 3rd."
    )
    assert slack.standin.wait_for(lambda s: len(s.messages("U0VP")) == 2, timeout=10)


# ---- refused -------------------------------------------------------------------------------------


def test_only_the_owner_may_check_in(slack):
    refs = setup_month(slack)
    delivery = click_check_in(slack, "U0VP", refs["AN1.1"])  # Ana owns AN1, not AN1.1
    answer = slack.answer_to(delivery)
    assert answer["response_type"] == "ephemeral"
    assert "Only <@U0MGR>, its owner, can check in on `AN1.1`" in answer["text"]
    assert not slack.standin.calls_to("views.open")
    # A modal opened while Mo owned it is re-checked on submit: Ana took it over meanwhile.
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    with session_scope(slack.engine) as session:
        objective = session.get(Objective, refs["AN1.1"])
        ana = session.exec(select(Person).where(Person.slack_user_id == "U0VP")).one()
        objective.owner_id = ana.id
        session.add(objective)
    ack = slack.submit("U0MGR", view, ANSWER).json()
    assert ack["response_action"] == "errors"
    assert "Only <@U0VP>, its owner" in ack["errors"][ids.FIELD_STATUS]
    assert check_in_row(slack.engine, refs["AN1.1"]) is None


def test_inline_errors_keep_the_modal_open_and_store_nothing(slack):
    refs = setup_month(slack)
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    ack = slack.submit("U0MGR", view, {**ANSWER, ids.FIELD_ACTUAL: "about fifteen"}).json()
    assert ack["response_action"] == "errors"
    assert "must be a number" in ack["errors"][ids.FIELD_ACTUAL]
    ack = slack.submit("U0MGR", view, {**ANSWER, ids.FIELD_COUNTERMEASURE: " "}).json()
    assert set(ack["errors"]) == {ids.FIELD_COUNTERMEASURE}
    assert "countermeasure is needed" in ack["errors"][ids.FIELD_COUNTERMEASURE]
    ack = slack.submit("U0MGR", view, {ids.FIELD_ACTUAL: "15"}).json()
    assert set(ack["errors"]) == {ids.FIELD_STATUS}
    assert check_in_row(slack.engine, refs["AN1.1"]) is None

    # May is open in June; once July's check-in falls due (Thu 1 July, 09:00), May closes.
    view = open_modal(slack, "U0MGR", refs["AN1.1"], period="2027-05")
    assert "Edit check-in" in _dumps(view)  # May was checked in already: editing
    slack.clock.set(datetime(2027, 7, 1, 9, 30, tzinfo=UTC))
    ack = slack.submit("U0MGR", view, ANSWER).json()
    assert "Check-ins for May 2027 are closed" in ack["errors"][ids.FIELD_ACTUAL]
    assert check_in_row(slack.engine, refs["AN1.1"], "2027-05").actual == 12  # unchanged
    # The corrected June submission still goes through after the errors.
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    assert slack.submit("U0MGR", view, ANSWER).json() is None
    assert check_in_row(slack.engine, refs["AN1.1"]).actual == 15
    # A click on a closed month is refused privately, without a modal.
    opened = len(slack.standin.calls_to("views.open"))
    answer = slack.answer_to(click_check_in(slack, "U0MGR", refs["AN1.1"], "2027-04"))
    assert "Check-ins for Apr 2027 are closed" in answer["text"]
    assert len(slack.standin.calls_to("views.open")) == opened


# ---- a channel the bot cannot post to -------------------------------------------------------------


def admin_alerts(slack) -> list:
    return [m for m in slack.standin.messages("U0CEO") if "cannot post" in m.text]


def test_a_held_channel_keeps_the_answers_tells_an_admin_once_and_posts_when_fixed(slack):
    refs = setup_month(slack, in_channel=False)
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    assert slack.submit("U0MGR", view, ANSWER).json() is None
    assert slack.standin.wait_for(lambda _: admin_alerts(slack), timeout=20)
    view = open_modal(slack, "U0VP", refs["AN1"])
    assert (
        slack.submit("U0VP", view, {ids.FIELD_ACTUAL: "12", ids.FIELD_STATUS: "on_track"}).json()
        is None
    )
    assert slack.standin.wait_for(lambda _: check_in_row(slack.engine, refs["AN1"]), timeout=5)
    slack.sender.event(dm_event("U0MGR", "More next month."), event_id="Ev0HELD")
    assert slack.standin.wait_for(
        lambda _: check_in_row(slack.engine, refs["AN1.1"]).comment, timeout=10
    )

    [alert] = admin_alerts(slack)  # told once, whatever arrived since
    assert "<#C0HOSHIN>" in alert.text and "not a member" in text_of(alert)
    assert slack.standin.messages(CHANNEL) == []
    with Session(slack.engine) as session:
        held = session.exec(select(OutboxMessage).where(OutboxMessage.state == "held")).all()
        assert [h.channel for h in held] == [CHANNEL]
        assert session.exec(select(ReviewThread)).one().blocked_reason == "not_in_channel"
        assert len(session.exec(select(CheckIn).where(CheckIn.period == JUNE)).all()) == 2

    # Try again before the fix: still held, the admin is told so, and no second alert.
    button = _button(alert, ids.ACTION_REVIEW_RETRY)
    answer = slack.answer_to(_click(slack, "U0CEO", alert, button))
    assert "still cannot post" in answer["text"]
    # Only an admin may press it.
    answer = slack.answer_to(_click(slack, "U0MGR", alert, button))
    assert "Only admins can" in answer["text"]

    slack.standin.set_channel(CHANNEL, is_member=True)
    answer = slack.answer_to(_click(slack, "U0CEO", alert, button))
    assert "Posted" in answer["text"]
    _, replies = wait_thread(slack, 2, contains="2 of 3")
    assert {r.text.split()[0] for r in replies} == {"AN1", "AN1.1"}
    assert "More next month." in text_of(next(r for r in replies if r.text.startswith("AN1.1")))
    assert len(admin_alerts(slack)) == 1
    with Session(slack.engine) as session:
        assert session.exec(select(ReviewThread)).one().blocked_reason is None
        counts = outbox.counts_by_state(session)
        assert counts["held"] == 0 and counts["failed"] == 0


def _button(message, action_id: str) -> dict:
    return next(
        e
        for b in message.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )


def _click(slack, user_id: str, message, button: dict) -> Delivery:
    delivery = slack.sender.block_action(
        user_id=user_id,
        action_id=button["action_id"],
        value=button["value"],
        block_id=ids.BLOCK_REVIEW_ACTIONS,
        channel_id=message.channel,
        message_ts=message.ts,
    )
    assert delivery.status == 200, delivery.body
    return delivery


# ---- /hoshin away --------------------------------------------------------------------------------


def test_away_pauses_prompts_and_tells_the_manager(slack):
    setup_month(slack)
    answer = slack.command("U0MGR", "away until 2027-07-15")
    assert "paused until Thu 15 Jul 2027" in answer["text"] and "<@U0VP>" in answer["text"]
    assert slack.standin.wait_for(lambda s: s.messages("U0VP"), timeout=10)
    [notice] = slack.standin.messages("U0VP")
    assert "<@U0MGR> is away until Thu 15 Jul 2027" in notice.text
    with Session(slack.engine) as session:
        mo = session.exec(select(Person).where(Person.slack_user_id == "U0MGR")).one()
        assert mo.away_until == date(2027, 7, 15)

    assert "already away" in slack.command("U0MGR", "away until 2027-07-15")["text"]
    assert "away until Thu 15 Jul 2027" in slack.command("U0MGR", "away")["text"]
    assert "in the past" in slack.command("U0MGR", "away until 2027-01-01")["text"]
    assert "Say until when" in slack.command("U0MGR", "away next week")["text"]

    assert "Welcome back" in slack.command("U0MGR", "away off")["text"]
    assert slack.standin.wait_for(lambda s: len(s.messages("U0VP")) == 2, timeout=10)
    assert "<@U0MGR> is back" in slack.standin.messages("U0VP")[1].text
    with Session(slack.engine) as session:
        mo = session.exec(select(Person).where(Person.slack_user_id == "U0MGR")).one()
        assert mo.away_until is None
