"""Under a burst, commands are acked first and answered right after; modals never wait.

`slack.app.ack_gate.acking()` stands for another request whose ack is still on its way."""

from __future__ import annotations

import time

from bot import ids
from tests.e2e.conftest import visible
from tests.e2e.seed import small_plan


def test_an_answer_is_posted_once_no_request_is_being_acked(slack):
    answered_after_the_acks(slack)


def test_on_socket_mode_too(socket_slack):
    answered_after_the_acks(socket_slack)  # both transports come through the app's dispatch


def answered_after_the_acks(slack) -> None:
    with slack.app.ack_gate.acking():
        delivery = slack.sender.slash_command(user_id="U0IC", text="help")
        assert delivery.status == 200, delivery.body
        time.sleep(0.5)  # without the gate the help answer is posted in milliseconds
        assert slack.standin.response_posts(delivery.response_url) == []
    answer = slack.answer_to(delivery)
    assert "/hoshin status" in visible(answer)


def test_a_modal_opens_while_requests_are_being_acked(slack):
    slack.standin.add_user("U0VP", name="ana", real_name="Ana")
    small_plan(slack.engine)
    with slack.app.ack_gate.acking():
        delivery = slack.sender.slash_command(user_id="U0VP", text="action AN1.1")
        assert delivery.status == 200, delivery.body
        view = slack.opened_view(ids.VIEW_ACTION, timeout=3.0)  # its trigger_id lasts ~3 s
    assert view["callback_id"] == ids.VIEW_ACTION
