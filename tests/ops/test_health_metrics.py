"""GET /healthz (database and scheduler lease) and GET /metrics (Prometheus text) on the real app."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

from bot.app import create_app
from bot.clock import SystemClock
from bot.server import start_http_in_background
from bot.services import Services
from bot.settings import Settings
from schedules.leader import LeaderElection
from storage import lease
from storage.db import make_engine, session_scope
from tests.delivery.conftest import Rig, exactly_once, rig, standin  # noqa: F401 (fixtures)
from tests.e2e.conftest import slack  # noqa: F401 (fixture)
from tests.e2e.test_checkin_e2e import ANSWER, open_modal, setup_month, wait_thread


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def metric(url: str, name: str, **labels: str) -> float:
    _, text = get(url + "/metrics")
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"^{name}(?:\{{(.*)\}})? (\S+)$", line)
        if match and all(
            dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or "")).get(k) == v
            for k, v in labels.items()
        ):
            total += float(match.group(2))
    return total


def serve(engine, leadership=None):
    settings = Settings(
        _env_file=None,
        slack_bot_token="xoxb-health-test",
        slack_signing_secret="health-secret",
        slack_api_url="http://127.0.0.1:9/api/",
    )
    app = create_app(Services(settings=settings, engine=engine, clock=SystemClock()))
    return start_http_in_background(app, engine, leadership=leadership)


def test_healthz_names_the_leader_and_each_instances_role(engine):
    leader = LeaderElection(engine, holder="host-a:1:aaaaaa").start()
    follower = LeaderElection(engine, holder="host-b:2:bbbbbb").start()
    servers = [serve(engine, leader), serve(engine, follower)]
    try:
        answers = [get(s.url + "/healthz") for s in servers]
    finally:
        for s in servers:
            s.stop()
        leader.stop()
        follower.stop()
    (status_a, body_a), (status_b, body_b) = answers
    assert status_a == status_b == 200
    a, b = json.loads(body_a), json.loads(body_b)
    assert a["ok"] and a["database"] == "ok"
    assert a["scheduler"]["role"] == "leader" and b["scheduler"]["role"] == "follower"
    assert a["scheduler"]["leader"] == b["scheduler"]["leader"] == "host-a:1:aaaaaa"
    assert b["scheduler"]["instance"] == "host-b:2:bbbbbb"
    assert 0 <= b["scheduler"]["heartbeat_age_seconds"] < 5 and b["scheduler"]["lease"] == "ok"


def test_healthz_reports_degraded_when_no_leader_has_beaten_for_30_seconds(engine):
    """Not a 503: every instance could still answer Slack, so none leaves the load balancer."""
    with session_scope(engine) as session:
        then = datetime.now(UTC) - timedelta(seconds=40)
        lease.acquire(session, name="scheduler", holder="dead:9:cccccc", now=then, ttl=15)
    follower = LeaderElection(engine, holder="host-b:2:bbbbbb")  # not started: it never beats
    server = serve(engine, follower)
    try:
        status, body = get(server.url + "/healthz")
    finally:
        server.stop()
    assert status == 200
    report = json.loads(body)
    assert report["ok"] is False and report["database"] == "ok"
    assert "scheduler lease" in report["degraded"]
    assert report["scheduler"]["lease"] == "stale" and report["scheduler"]["leader"] is None
    assert report["scheduler"]["heartbeat_age_seconds"] >= 40


def test_healthz_is_503_when_the_database_is_down():
    down = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/none")
    server = serve(down, LeaderElection(down, holder="host-a:1:aaaaaa"))
    try:
        status, body = get(server.url + "/healthz")
    finally:
        server.stop()
        down.dispose()
    assert status == 503 and json.loads(body) == {"ok": False, "database": "unavailable"}


def test_metrics_count_requests_acks_check_ins_and_the_outbox(slack):  # noqa: F811
    url = slack.server.url
    before = {
        "commands": metric(url, "hoshin_http_requests_total", kind="command", status="200"),
        "acks": metric(url, "hoshin_ack_seconds_count", kind="command"),
        "modal": metric(url, "hoshin_checkins_received_total", via="modal"),
        "views": metric(url, "hoshin_http_requests_total", kind="view_submission"),
    }
    refs = setup_month(slack)
    slack.command("U0VP", "status")
    view = open_modal(slack, "U0MGR", refs["AN1.1"])
    slack.submit("U0MGR", view, ANSWER)
    slack.submit("U0MGR", view, ANSWER)  # a double submit is one check-in
    wait_thread(slack, 1)
    assert metric(url, "hoshin_http_requests_total", kind="command", status="200") >= (
        before["commands"] + 1
    )
    assert metric(url, "hoshin_ack_seconds_count", kind="command") >= before["acks"] + 1
    assert metric(url, "hoshin_http_requests_total", kind="view_submission") == before["views"] + 2
    assert metric(url, "hoshin_checkins_received_total", via="modal") == before["modal"] + 1
    _, text = get(url + "/metrics")
    assert "# TYPE hoshin_ack_seconds histogram" in text
    assert 'hoshin_ack_seconds_bucket{kind="view_submission",le="3.0"}' in text
    assert "# TYPE hoshin_acks_over_3s_total counter" in text
    # The queue's depth is read from the database when scraped.
    assert metric(url, "hoshin_outbox_messages", state="sent") >= 1
    assert re.search(r'^hoshin_outbox_messages\{state="queued"\} \d', text, re.M)


def test_metrics_count_slack_calls_by_method_and_result_and_429s(rig: Rig):  # noqa: F811
    server = serve(rig.engine)
    url = server.url
    try:
        ok = metric(url, "hoshin_slack_api_calls_total", method="chat.postMessage", result="ok")
        limited = metric(url, "hoshin_slack_rate_limited_total", method="chat.postMessage")
        refused = metric(url, "hoshin_slack_api_calls_total", result="channel_not_found")
        users = rig.people(6)
        rig.dms(users)
        rig.enqueue("chat.postMessage", [{"channel": "C0GONE", "text": "x"}], "gone")
        rig.standin.inject("chat.postMessage", status=429, retry_after=1, times=1)
        rig.deliverer(max_in_flight=1).run_until_idle(timeout=20)
        exactly_once(rig, users)
        calls = metric(url, "hoshin_slack_api_calls_total", method="chat.postMessage", result="ok")
        assert calls == ok + 6
        assert metric(url, "hoshin_slack_rate_limited_total", method="chat.postMessage") == (
            limited + 1
        )
        assert (
            metric(
                url, "hoshin_slack_api_calls_total", method="chat.postMessage", result="ratelimited"
            )
            >= 1
        )
        assert metric(url, "hoshin_slack_api_calls_total", result="channel_not_found") == (
            refused + 1
        )
    finally:
        server.stop()
