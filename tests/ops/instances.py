"""Several `hoshin run` processes on one database, as operators run them (HTTP or Socket Mode)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.processes import free_port
from bot.standin import SlackStandIn
from storage.db import session_scope
from storage.models import Person, Workspace
from storage.outbox import queue as outbox

ROOT = Path(__file__).resolve().parents[2]
TEAM, TOKEN, SECRET = "T0OPS", "xoxb-ops-test-token", "ops-signing-secret"
SETTINGS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL")
# Slack's limits × 12 in the stand-in and in the bot: 60 DMs a second, so 1,000 take ~20 s.
SCALE = 12


@dataclass
class Instance:
    process: subprocess.Popen
    url: str
    log_path: Path
    started: float = field(default_factory=time.monotonic)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=3) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def health(self) -> tuple[int, dict]:
        status, body = self.get("/healthz")
        return status, json.loads(body)

    def role(self) -> str:
        return self.health()[1]["scheduler"]["role"]

    def metric(self, name: str, **labels: str) -> float:
        """The sum of a metric's samples whose labels include `labels`."""
        _, text = self.get("/metrics")
        total = 0.0
        for line in text.splitlines():
            match = re.match(rf"^{name}(?:\{{(.*)\}})? (\S+)$", line)
            if not match:
                continue
            found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
            if all(found.get(k) == v for k, v in labels.items()):
                total += float(match.group(2))
        return total

    def log_lines(self) -> list[dict]:
        lines = []
        for raw in self.log_path.read_text().splitlines():
            try:
                lines.append(json.loads(raw))
            except json.JSONDecodeError:
                lines.append({"message": raw, "level": "RAW"})
        return lines

    def terminate(self, timeout: float = 30) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no finally, no lease release
        self.process.wait(timeout=10)


def start(
    database_url: str,
    standin: SlackStandIn,
    tmp: Path,
    name: str,
    *,
    socket_mode: bool = False,
    **env: str,
) -> Instance:
    """`hoshin run --http`, or with socket_mode `hoshin run` over the stand-in's Socket Mode
    (its /healthz and /metrics then on --health-port: Instance.url)."""
    port = free_port()
    log_path = tmp / f"{name}.log"
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    if socket_mode:
        serve = ["--health-port", f"{port}"]
        env = {"SLACK_APP_TOKEN": standin.app_token, **env}
    else:
        serve = ["--http", "--port", f"{port}"]
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--host", "127.0.0.1", *serve],
        cwd=tmp,
        env={
            **clean,
            "PYTHONPATH": str(ROOT),
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": standin.api_url,
            "DATABASE_URL": database_url,
            "SLACK_POST_MESSAGES_PER_MINUTE": str(300 * SCALE),
            "SLACK_TIMEOUT_SECONDS": "2",  # so a dead leader's in-flight rows are in doubt in 12 s
            "LOG_FORMAT": "json",
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=log_path.open("w"),
    )
    return Instance(process, f"http://127.0.0.1:{port}", log_path)


def wait_healthy(*instances: Instance, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    for instance in instances:
        while True:
            assert instance.process.poll() is None, instance.log_path.read_text()[-3000:]
            try:
                if instance.health()[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "hoshin run did not become healthy"
            time.sleep(0.1)


def stop_all(*instances: Instance) -> None:
    for instance in instances:
        if instance.process.poll() is None:
            instance.process.kill()
            instance.process.wait(timeout=10)


def seed_fanout(engine, standin: SlackStandIn, owners: int) -> list[str]:
    """Owners in Slack and the database, and one check-in DM each queued in the outbox."""
    users = [f"U{i:07d}" for i in range(owners)]
    for user in users:
        standin.add_user(user)
    with session_scope(engine) as session:
        ws = Workspace(team_id=TEAM)
        session.add(ws)
        session.flush()
        session.add_all(Person(workspace_id=ws.id, slack_user_id=u, name=u) for u in users)
        session.flush()
        outbox.enqueue_many(
            session,
            workspace_id=ws.id,
            messages=(
                outbox.NewMessage(
                    dedup_key=f"checkin:2027-03:{user}",
                    method="chat.postMessage",
                    payload={"channel": user, "text": f"Time for your 2027-03 check-in, <@{user}>"},
                )
                for user in users
            ),
        )
    return users


def dm_counts(standin: SlackStandIn, users: list[str]) -> dict[str, int]:
    per_channel: dict[str, int] = {}
    for message in standin.messages():
        per_channel[message.channel] = per_channel.get(message.channel, 0) + 1
    return {u: per_channel.get("D" + u[1:], 0) for u in users}


def wait_until(predicate, timeout: float, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()
