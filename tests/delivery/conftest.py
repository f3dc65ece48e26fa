"""A delivery rig: a migrated database (both backends), a workspace, and a rate-limiting stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock import SystemClock
from bot.standin import SlackStandIn
from schedules.delivery import Deliverer
from schedules.ratelimit import DeliveryLimits
from storage.db import session_scope
from storage.models import OutboxMessage, Person, Workspace
from storage.outbox import queue as outbox

TEAM = "T0DEMO"
TOKEN = "xoxb-test-token"
# Slack's limits × 20 in the stand-in and in the deliverer: a second of Slack is 50 ms here.
SCALE = 20


@dataclass
class Rig:
    engine: Engine
    standin: SlackStandIn
    workspace_id: int
    limits: DeliveryLimits

    def client(self, timeout: float = 5.0) -> WebClient:
        return WebClient(
            token=TOKEN, base_url=self.standin.api_url, timeout=timeout, retry_handlers=[]
        )

    def deliverer(self, *, timeout: float = 5.0, after_call=None, **changes) -> Deliverer:
        limits = replace(self.limits, **changes)
        return Deliverer(
            self.engine, self.client(timeout), SystemClock(), limits=limits, after_call=after_call
        )

    def people(self, count: int, prefix: str = "U0P", *, in_slack: bool = True) -> list[str]:
        """People in the database, and (unless in_slack=False) in Slack's directory."""
        ids = [f"{prefix}{i:04d}" for i in range(count)]
        with session_scope(self.engine) as session:
            for user_id in ids:
                if in_slack:
                    self.standin.add_user(user_id, name=user_id.lower())
                session.add(
                    Person(workspace_id=self.workspace_id, slack_user_id=user_id, name=user_id)
                )
        return ids

    def enqueue(self, method: str, payloads: list[dict], key: str = "post") -> list[int]:
        with session_scope(self.engine) as session:
            rows = [
                outbox.enqueue(
                    session,
                    workspace_id=self.workspace_id,
                    dedup_key=f"{key}:{i}",
                    method=method,
                    payload=payload,
                )
                for i, payload in enumerate(payloads)
            ]
            return [row.id for row in rows]

    def dms(self, users: list[str], key: str = "checkin:2027-03") -> list[int]:
        payloads = [{"channel": u, "text": f"Your check-in for 2027-03, {u}"} for u in users]
        return self.enqueue("chat.postMessage", payloads, key)

    def rows(self) -> dict[int, OutboxMessage]:
        with Session(self.engine) as session:
            return {r.id: r for r in session.exec(select(OutboxMessage))}

    def states(self) -> dict[str, int]:
        with session_scope(self.engine) as session:
            return {k: v for k, v in outbox.counts_by_state(session).items() if v}

    def person(self, user_id: str) -> Person:
        with Session(self.engine) as session:
            return session.exec(select(Person).where(Person.slack_user_id == user_id)).one()

    def workspace(self) -> Workspace:
        with Session(self.engine) as session:
            return session.get(Workspace, self.workspace_id)

    def posts(self) -> list:
        return self.standin.calls_to("chat.postMessage")


def exactly_once(rig: Rig, users: list[str]) -> None:
    """Each person's DM holds one message, and its row says where and when it landed."""
    counts = {u: len(rig.standin.messages(u)) for u in users}
    assert {u: n for u, n in counts.items() if n != 1} == {}
    landed = {(m.channel, m.ts) for u in users for m in rig.standin.messages(u)}
    rows = [r for r in rig.rows().values() if r.channel in set(users)]
    assert all(r.state == "sent" for r in rows)
    assert {(r.result_channel, r.result_ts) for r in rows} == landed


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    # A small workspace burst: any overshoot of the budget shows up as a 429.
    with SlackStandIn(team_id=TEAM, rate_limit_scale=SCALE, post_message_workspace_burst=10) as s:
        s.add_channel("C0REVIEW", name="hoshin-review")
        s.add_channel("C0OUTSIDE", name="outside", is_member=False)
        s.add_channel("C0OLD", name="old", is_archived=True)
        yield s


@pytest.fixture
def rig(engine: Engine, standin: SlackStandIn) -> Rig:
    with session_scope(engine) as session:
        ws = Workspace(team_id=TEAM)
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
    return Rig(engine, standin, workspace_id, limits)
