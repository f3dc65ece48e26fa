"""The app on Socket Mode (Bolt's SocketModeHandler, slack_sdk's built-in client) end to end.

The same people's paths as over HTTP, sent as envelopes over the stand-in's WebSocket link:
each is acked within Slack's 3 s, answered where Slack expects, and counted once when Slack
sends an event again because its ack went missing. (Several instances: tests/ops.)
"""

from __future__ import annotations

from sqlmodel import Session, select

from bot import ids
from storage.models import ProcessedEvent
from tests.e2e.conftest import visible
from tests.e2e.test_checkin_e2e import (
    ANSWER,
    check_in_row,
    dm_event,
    open_modal,
    setup_month,
    text_of,
    wait_thread,
)

ACK_SECONDS = 3.0


def envelope_of(socket_slack, delivery):
    return socket_slack.standin.socket.envelope(delivery.envelope_id)


def test_help_over_socket_mode_is_acked_at_once_and_answered_once(socket_slack):
    delivery = socket_slack.sender.slash_command(user_id="U0CEO", text="help")
    assert delivery.status == 200 and delivery.elapsed < ACK_SECONDS
    envelope = envelope_of(socket_slack, delivery)
    assert envelope.type == "slash_commands" and len(envelope.deliveries) == 1
    assert envelope.response is None  # the answer goes to the response_url, not in the ack
    answer = socket_slack.answer_to(delivery)
    assert "/hoshin help" in visible(answer) and "/hoshin status" in visible(answer)
    assert len(socket_slack.standin.response_posts(delivery.response_url)) == 1


def test_an_event_whose_ack_was_lost_comes_again_and_is_kept_once(socket_slack):
    refs = setup_month(socket_slack)
    event = dm_event("U0VP", "Slow month, two renewals slipped to July.")
    delivery = socket_slack.sender.event(event, event_id="Ev0SOCKET1", lose_acks=1)
    assert delivery.status == 200
    lost, again = envelope_of(socket_slack, delivery).deliveries
    assert lost.ack_lost and (again.retry_attempt, again.retry_reason) == (1, "timeout")
    assert again.sent_at - lost.sent_at >= ACK_SECONDS
    _, replies = wait_thread(socket_slack, 2)  # Ana owns AN1 and AN2: one reply each
    assert "slipped to July" in text_of(replies[0])
    assert socket_slack.standin.wait_for(lambda s: s.messages("U0VP"), timeout=10)
    for ref in ("AN1", "AN2"):  # not "…July.\n\nSlow month…": the second copy was not kept
        assert check_in_row(socket_slack.engine, refs[ref]).comment == event["text"]
    with Session(socket_slack.engine) as session:
        claims = session.exec(
            select(ProcessedEvent).where(ProcessedEvent.event_key == "checkin.dm:Ev0SOCKET1")
        ).all()
    assert len(claims) == 1
    _, replies = wait_thread(socket_slack, 2)
    assert len(replies) == 2 and len(socket_slack.standin.messages("U0VP")) == 1


def test_a_modal_over_socket_mode_gets_its_inline_errors_in_the_ack(socket_slack):
    refs = setup_month(socket_slack)
    view = open_modal(socket_slack, "U0MGR", refs["AN1.1"])  # a button click, as an envelope
    refused = socket_slack.submit("U0MGR", view, {**ANSWER, ids.FIELD_ACTUAL: "about fifteen"})
    envelope = envelope_of(socket_slack, refused)
    assert envelope.accepts_response_payload
    assert envelope.response["response_action"] == "errors"
    assert "must be a number" in refused.json()["errors"][ids.FIELD_ACTUAL]
    assert check_in_row(socket_slack.engine, refs["AN1.1"]) is None
    assert socket_slack.submit("U0MGR", view, ANSWER).json() is None  # the modal closed
    assert check_in_row(socket_slack.engine, refs["AN1.1"]).actual == 15
