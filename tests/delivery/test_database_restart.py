"""PostgreSQL going down and coming back: mid-request a clear "try again", mid-job a resume.

The database sits behind a proxy (tests/dbproxy.py) that cuts every connection and refuses new
ones, then accepts them again: a restart, without touching the server other runs share.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.app import create_app
from bot.clock import ManualClock
from bot.server import start_http_in_background
from bot.services import Services
from bot.settings import Settings
from bot.standin import SlackStandIn
from bot.standin.inbound import SlackSender
from schedules.ratelimit import DeliveryLimits
from storage.db import make_engine, session_scope
from storage.models import Workspace
from tests.conftest import BACKENDS, _truncate_postgres
from tests.dbproxy import DatabaseProxy
from tests.delivery.conftest import SCALE, Rig, exactly_once
from tests.delivery.conftest import TEAM as DELIVERY_TEAM
from tests.e2e.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM, visible
from tests.e2e.seed import small_plan

pytestmark = pytest.mark.skipif(
    "postgresql" not in BACKENDS, reason="HOSHIN_TEST_BACKENDS leaves PostgreSQL out on purpose"
)
TRY_AGAIN = "can't reach its database"


@pytest.fixture
def proxied(postgres_schema_url) -> Iterator[tuple[DatabaseProxy, object]]:
    direct = make_engine(postgres_schema_url)
    _truncate_postgres(direct)
    direct.dispose()
    proxy = DatabaseProxy(postgres_schema_url).up()
    engine = make_engine(proxy.url)
    yield proxy, engine
    engine.dispose()
    proxy.down()


def test_a_request_while_the_database_is_down_gets_try_again_and_the_next_one_works(proxied):
    proxy, engine = proxied
    small_plan(engine)
    standin = SlackStandIn(team_id=TEAM, bot_token=BOT_TOKEN).start()
    settings = Settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=standin.api_url,
        database_url=proxy.url,
    )
    clock = ManualClock(datetime(2027, 6, 15, 9, 0, tzinfo=UTC))
    server = start_http_in_background(
        create_app(Services(settings=settings, engine=engine, clock=clock)), engine
    )
    sender = SlackSender(server.url, signing_secret=SIGNING_SECRET, standin=standin, team_id=TEAM)

    def status() -> str:
        delivery = sender.slash_command(user_id="U0CEO", text="status")
        assert delivery.status == 200 and delivery.elapsed < 1.5  # the ack never waits on it
        url = delivery.response_url
        assert standin.wait_for(lambda s: s.response_posts(url), timeout=15)
        return visible(standin.response_posts(url)[0])

    try:
        assert "Grow ARR" in status()  # pooled connections open
        proxy.down()  # the server goes away mid-session: pooled connections are dead
        answer = status()
        assert TRY_AGAIN in answer and "try again" in answer
        assert "Something went wrong" not in answer
        proxy.up()  # back on the same port
        assert "Grow ARR" in status()  # dead pooled connections replaced, no restart needed
    finally:
        server.stop()
        standin.stop()


def test_a_fan_out_cut_off_by_the_database_resumes_and_sends_each_dm_once(proxied, standin):
    proxy, engine = proxied
    with session_scope(engine) as session:
        ws = Workspace(team_id=DELIVERY_TEAM)
        session.add(ws)
        session.flush()
        workspace_id = ws.id
    limits = DeliveryLimits(
        scale=SCALE,
        doubt_grace_seconds=0.05,
        in_flight_lease_seconds=0.05,
        backoff_base_seconds=0.05,
        backoff_max_seconds=0.2,
    )
    rig = Rig(engine, standin, workspace_id, limits)
    users = rig.people(30)
    rig.dms(users)
    calls = []

    def database_dies(outbox_id: int) -> None:
        calls.append(outbox_id)
        if len(calls) == 10:  # Slack took the 10th DM; the database goes before it is recorded
            proxy.down()

    try:
        rig.deliverer(after_call=database_dies, max_in_flight=1).run_until_idle(timeout=10)
    except Exception as exc:  # whatever the driver raised: this run of the job is over
        assert "OperationalError" in type(exc).__name__ or "connection" in str(exc).lower()
    posted = len([c for c in rig.posts() if c.ok])
    assert 10 <= posted < 30, posted  # stopped part-way

    proxy.up()  # the database is back; the next run of the job picks up where it stopped
    report = rig.deliverer().run_until_idle(timeout=15)

    exactly_once(rig, users)
    assert report.resent == 0
    assert len([c for c in rig.posts() if c.ok]) == 30
