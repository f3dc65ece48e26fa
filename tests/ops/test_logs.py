"""Structured logs: JSON lines with workspace, request and job ids, and never a secret or body."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.logs import ContextFilter, JsonFormatter, TextFormatter, log_context, resolve_format
from bot.plan.store import import_plan
from bot.standin import SlackStandIn
from bot.standin.inbound import SlackSender
from storage.db import make_engine, session_scope
from storage.models import ProcessedEvent, Workspace
from storage.outbox import queue as outbox
from tests.ops.instances import SECRET, TOKEN, start, stop_all, wait_healthy, wait_until

EXAMPLE = Path(__file__).resolve().parents[2] / "bot" / "examples" / "acme-2027.yaml"
TEAM = "T0ACME"
BODY = "Our churn numbers are confidential-7Q2 this month"


def record(message: str, *args, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("hoshin.test", logging.ERROR, __file__, 1, message, args, exc_info)


def test_json_lines_carry_the_context_and_mask_secrets():
    guard = ContextFilter(["s3cr3t-signing"])
    try:
        raise RuntimeError("token xoxb-123-456-abc leaked into an error")
    except RuntimeError as exc:
        with (
            log_context(workspace="T0ACME", request_id="Ev01", job=None),
            log_context(job="deliver", run_id="r1"),
        ):
            entry = record("calling with %s and s3cr3t-signing", "xapp-1-A0-xyz", exc=exc)
            guard.filter(entry)
    line = json.loads(JsonFormatter().format(entry))
    assert line["workspace"] == "T0ACME" and line["request_id"] == "Ev01"
    assert line["job"] == "deliver" and line["run_id"] == "r1"
    assert line["message"] == "calling with [redacted] and [redacted]"
    assert "RuntimeError" in line["exception"] and "xoxb-" not in line["exception"]
    assert line["level"] == "ERROR" and line["logger"] == "hoshin.test"
    text = TextFormatter().format(entry)
    assert "[workspace=T0ACME request_id=Ev01 job=deliver run_id=r1]" in text


def test_auto_format_is_text_on_a_terminal_and_json_elsewhere(tmp_path):
    class Tty:
        def isatty(self) -> bool:
            return True

    assert resolve_format("auto", Tty()) == "text"
    with (tmp_path / "log").open("w") as file:
        assert resolve_format("auto", file) == "json"
    assert resolve_format("text", file) == "text" and resolve_format("json", Tty()) == "json"


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(team_id=TEAM, bot_token=TOKEN) as s:
        s.add_user("U0ANA003", name="ana")
        s.add_user("U0DANA01", name="dana")
        yield s


def dm(user: str, text: str) -> dict:
    return {"type": "message", "channel_type": "im", "channel": "D" + user[1:], "user": user,
            "text": text, "ts": "1780000100.000200"}  # fmt: skip


def test_a_failing_run_logs_ids_and_no_token_secret_or_message_text(
    database_url, standin, tmp_path
):
    engine = make_engine(database_url)
    import_plan(engine, EXAMPLE.read_text())
    instance = start(database_url, standin, tmp_path, "a")
    try:
        wait_healthy(instance)
        sender = SlackSender(instance.url, signing_secret=SECRET, standin=standin, team_id=TEAM)
        # Slack refuses the first receipt (a malformed post), then the token is revoked.
        standin.inject("chat.postMessage", error="invalid_blocks", times=1)
        assert sender.event(dm("U0ANA003", BODY), event_id="Ev0LOG1").status == 200
        assert wait_until(lambda: standin.calls_to("chat.postMessage"), 15)
        assert sender.slash_command(user_id="U0ANA003", text=f"status {BODY}").status == 200
        # Not JSON, and not signed: the signature is checked first (its body is never parsed).
        assert sender.post("payload=" + BODY, signature="v0=forged").status == 401
        assert sender.post("text=" + BODY, signature="v0=forged").status == 401
        # A post the scheduler's deliver job sends (its lines carry the job and the run).
        with session_scope(engine) as session:
            workspace = session.exec(select(Workspace).where(Workspace.team_id == TEAM)).one()
            outbox.enqueue(session, workspace_id=workspace.id, dedup_key="log-test",
                           method="chat.postMessage",
                           payload={"channel": "U0DANA01", "text": "Time for your " + BODY})  # fmt: skip
        assert wait_until(lambda: standin.messages("U0DANA01"), 10)
        standin.revoke_token()
        assert sender.event(dm("U0ANA003", BODY + " again"), event_id="Ev0LOG2").status == 200
        assert wait_until(lambda: len(standin.calls_to("chat.postMessage")) >= 2, 15)
        assert wait_until(lambda: "suspended" in instance.log_path.read_text(), 10)
        assert instance.terminate() == 0
    finally:
        stop_all(instance)
        engine.dispose()
    raw = instance.log_path.read_text()
    lines = [json.loads(line) for line in raw.splitlines()]  # every line is JSON
    for secret in (TOKEN, SECRET, "confidential-7Q2", BODY, "Time for your"):
        assert secret not in raw
    # The receipt went out right after the event, within its request (bot.review_poster).
    [failed] = [x for x in lines if "invalid_blocks" in x["message"]]
    assert failed["request_id"] == "Ev0LOG1" and failed["workspace"] == TEAM
    suspended = [x for x in lines if "suspended" in x["message"]]
    assert suspended and suspended[0]["level"] == "ERROR"
    assert {x.get("request_id") for x in suspended} == {"Ev0LOG2"}
    # The scheduler's lines name their job and run.
    [run] = [x for x in lines if x["message"].startswith("delivery: 1 sent") and "job" in x]
    assert run["job"] == "deliver" and len(run["run_id"]) == 12 and "request_id" not in run
    assert not [x for x in lines if "Traceback" in x["message"]]
    answered = [x for x in lines if x["message"].startswith("event_callback answered 200")]
    assert [x["request_id"] for x in answered] == ["Ev0LOG1", "Ev0LOG2"]
    assert all(x["workspace"] == TEAM for x in answered)
    commands = [x for x in lines if x["message"].startswith("command answered 200")]
    assert commands and commands[0]["workspace"] == TEAM and len(commands[0]["request_id"]) == 12


def test_an_event_retried_to_two_instances_is_handled_once(database_url, standin, tmp_path):
    engine = make_engine(database_url)
    import_plan(engine, EXAMPLE.read_text())
    a = start(database_url, standin, tmp_path, "a")
    b = start(database_url, standin, tmp_path, "b")
    try:
        wait_healthy(a, b)
        event = dm("U0ANA003", "Two renewals slipped to July.")
        senders = [
            SlackSender(x.url, signing_secret=SECRET, standin=standin, team_id=TEAM) for x in (a, b)
        ]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(4) as pool:
            answers = list(
                pool.map(
                    lambda i: senders[i % 2].event(event, event_id="Ev0TWICE", retry_num=i),
                    range(4),
                )
            )
        assert [x.status for x in answers] == [200] * 4
        assert wait_until(lambda: standin.messages("U0ANA003"), 15)
        with Session(engine) as session:
            claims = session.exec(
                select(ProcessedEvent).where(ProcessedEvent.event_key == "checkin.dm:Ev0TWICE")
            ).all()
        assert len(claims) == 1
        received = a.metric("hoshin_checkins_received_total", via="dm") + b.metric(
            "hoshin_checkins_received_total", via="dm"
        )
        assert received == 1
        wait_until(lambda: len(standin.messages("U0ANA003")) > 1, 3)  # nothing more comes
        assert len(standin.messages("U0ANA003")) == 1  # one receipt
    finally:
        stop_all(a, b)
        engine.dispose()
