"""Forged and stale signatures on every kind of inbound request: 401, and nothing happens.

tests/e2e/test_security_e2e.py covers a slash command; here every kind Slack sends (slash
command, button click, modal submission, Events API event) is forged five ways.
"""

from __future__ import annotations

import time

import pytest
from slack_sdk.signature import SignatureVerifier

from bot import ids
from bot.context import ActionRef, CheckInRef, RoundRef
from bot.standin.inbound import SlackSender
from tests.e2e.conftest import SIGNING_SECRET
from tests.e2e.seed import small_plan
from tests.security.twoworkspaces import snapshot


class ForgingSender(SlackSender):
    """Builds each request exactly as Slack would, then forges its signature or timestamp."""

    def __init__(self, base: SlackSender, forge) -> None:
        super().__init__(
            base.events_url.removesuffix("/slack/events"),
            signing_secret=SIGNING_SECRET,
            standin=base.standin,
            team_id=base.team_id,
        )
        self.forge = forge

    def post(self, body: str, **kwargs):
        body, changes = self.forge(body)
        return super().post(body, **{**kwargs, **changes})


def now() -> int:
    return int(time.time())


def signed(body: str, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    return SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)


FORGERIES = {
    "wrong-signature": lambda body: (body, {"signature": "v0=" + "0" * 64}),
    "no-v0-prefix": lambda body: (body, {"signature": signed(body, now())[3:]}),
    "another-secret": lambda body: (body, {"signature": signed(body, now(), "not-the-secret")}),
    "stale-6-minutes": lambda body: (
        body,
        {"timestamp": now() - 360, "signature": signed(body, now() - 360)},
    ),
    "from-the-future": lambda body: (
        body,
        {"timestamp": now() + 360, "signature": signed(body, now() + 360)},
    ),
    # A genuine signature of one body, sent with another: the team edited after signing.
    "body-edited-after-signing": lambda body: (
        body.replace("T0ACME", "T0EVIL"),
        {"signature": signed(body, now()), "timestamp": now()},
    ),
}


def kinds(sender: SlackSender) -> dict:
    return {
        "slash-command": lambda: sender.slash_command(user_id="U0CEO", text="status"),
        "block-action": lambda: sender.block_action(
            user_id="U0CEO",
            action_id=ids.ACTION_CATCHBALL_APPROVE,
            value=RoundRef(round_id=1).dump(),
        ),
        "action-done": lambda: sender.block_action(
            user_id="U0MGR", action_id=ids.ACTION_ACTION_DONE, value=ActionRef(action_id=1).dump()
        ),
        "view-submission": lambda: sender.submit_view(
            user_id="U0MGR",
            view={
                "id": "V0FORGED",
                "type": "modal",
                "callback_id": ids.VIEW_CHECKIN,
                "private_metadata": CheckInRef(objective_id=3, period="2027-05").dump(),
                "blocks": [],
            },
            values={},
        ),
        "event": lambda: sender.event(
            {
                "type": "message",
                "channel_type": "im",
                "channel": "D0MGR",
                "user": "U0MGR",
                "text": "a forged reply",
                "ts": f"{time.time():.6f}",
            },
            event_id="Ev0FORGED",
        ),
        "app-home-opened": lambda: sender.event(
            {"type": "app_home_opened", "user": "U0CEO", "tab": "home"}, event_id="Ev0HOME"
        ),
    }


@pytest.mark.parametrize("forgery", list(FORGERIES))
@pytest.mark.parametrize(
    "kind",
    [
        "slash-command",
        "block-action",
        "action-done",
        "view-submission",
        "event",
        "app-home-opened",
    ],
)
def test_every_kind_of_request_forged_gets_401_and_changes_nothing(slack, kind, forgery):
    small_plan(slack.engine)
    before = snapshot(slack.engine)
    delivery = kinds(ForgingSender(slack.sender, FORGERIES[forgery]))[kind]()
    assert delivery.status == 401, (delivery.status, delivery.body)
    time.sleep(0.2)  # room for a wrongly accepted request to do something
    assert slack.standin.calls == []
    assert slack.standin.response_posts() == []
    assert snapshot(slack.engine) == before


def test_the_same_requests_signed_properly_are_accepted(slack):
    """The control: without the forgery each request is answered 200 (so the 401s mean it)."""
    small_plan(slack.engine)
    for kind, send in kinds(slack.sender).items():
        assert send().status == 200, kind
