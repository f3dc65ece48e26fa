"""Requests Slack did not sign, a database that is gone, and logs that never hold secrets."""

import json
import logging
import time
import urllib.parse
import urllib.request

import pytest
from sqlmodel import Session, func, select

from bot.app import create_app
from bot.clock import SystemClock
from bot.server import start_http_in_background
from bot.services import Services
from bot.settings import Settings
from bot.standin import SlackStandIn
from bot.standin.inbound import SlackSender
from storage.db import make_engine
from storage.models import AuditEntry, Objective
from tests.e2e.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM, visible
from tests.e2e.seed import small_plan


def command_body(text="status") -> str:
    return urllib.parse.urlencode(
        {
            "team_id": TEAM,
            "user_id": "U0CEO",
            "command": "/hoshin",
            "text": text,
            "response_url": "http://127.0.0.1:9/nowhere",
            "trigger_id": "t",
        }
    )


def row_counts(engine):
    with Session(engine) as session:
        return (
            session.exec(select(func.count()).select_from(Objective)).one(),
            session.exec(select(func.count()).select_from(AuditEntry)).one(),
        )


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda s, body: dict(signature="v0=" + "0" * 64), id="wrong-signature"),
        pytest.param(
            lambda s, body: dict(timestamp=int(time.time()) - 301), id="timestamp-5-minutes-old"
        ),
        pytest.param(
            lambda s, body: dict(
                signature=SlackSender(
                    "x", signing_secret="another-secret", standin=s.standin, team_id=TEAM
                ).verifier.generate_signature(timestamp=str(int(time.time())), body=body)
            ),
            id="signed-with-another-secret",
        ),
    ],
)
def test_unsigned_or_stale_requests_get_401_and_change_nothing(slack, forge):
    small_plan(slack.engine)
    before = row_counts(slack.engine)
    body = command_body()
    delivery = slack.sender.post(body, **forge(slack, body))
    assert delivery.status == 401
    time.sleep(0.3)  # give a wrongly accepted request the time to do something
    assert slack.standin.calls == []
    assert row_counts(slack.engine) == before


def test_a_request_without_signature_headers_gets_401(slack):
    request = urllib.request.Request(
        slack.sender.events_url,
        data=command_body().encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=5)
    assert error.value.code == 401


def test_healthz_reports_the_database(slack):
    with urllib.request.urlopen(slack.server.url + "/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"ok": True, "database": "ok"}


def test_a_database_that_cannot_be_reached_gives_a_clear_try_again():
    """A PostgreSQL nobody listens on: the person hears so within seconds, and health says 503."""
    standin = SlackStandIn(team_id=TEAM, bot_token=BOT_TOKEN)
    standin.start()
    url = "postgresql+psycopg://postgres@127.0.0.1:1/test"
    settings = Settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=standin.api_url,
        database_url=url,
    )
    engine = make_engine(url)
    server = start_http_in_background(
        create_app(Services(settings=settings, engine=engine, clock=SystemClock())), engine
    )
    try:
        sender = SlackSender(
            server.url, signing_secret=SIGNING_SECRET, standin=standin, team_id=TEAM
        )
        delivery = sender.slash_command(user_id="U0CEO", text="status")
        assert delivery.status == 200 and delivery.elapsed < 1.0  # the ack never waits on the DB
        assert standin.wait_for(lambda s: s.response_posts(delivery.response_url), timeout=15)
        answer = standin.response_posts(delivery.response_url)[0]
        assert "can't reach its database" in answer["text"] and "try again" in answer["text"]
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(server.url + "/healthz", timeout=15)
        assert error.value.code == 503
    finally:
        server.stop()
        standin.stop()
        engine.dispose()


def test_logs_hold_no_secret_and_no_message_body(slack, caplog):
    small_plan(slack.engine)
    caplog.set_level(logging.DEBUG)
    secret_text = "status AN1"
    slack.command("U0CEO", secret_text)
    body = command_body("a private note about salaries")
    slack.sender.post(body, signature="v0=" + "1" * 64)  # Bolt logs failed bodies at INFO
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (BOT_TOKEN, SIGNING_SECRET, "private note about salaries", "Grow ARR"):
        assert secret not in logged


def test_answers_do_not_leak_across_workspaces(slack):
    small_plan(slack.engine)
    other = SlackSender(
        slack.server.url, signing_secret=SIGNING_SECRET, standin=slack.standin, team_id="T0OTHER"
    )
    delivery = other.slash_command(user_id="U0CEO", text="status AN1")
    text = visible(slack.answer_to(delivery))
    assert "no Hoshin plan yet" in text and "Grow ARR" not in text
