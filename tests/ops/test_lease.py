"""The scheduler lease and the leader election on it: one leader, renewals, expiry, hand-over."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import SystemClock
from bot.services import Services
from bot.settings import load_settings
from schedules.leader import LeaderElection
from schedules.scheduler import Job, JobContext, Scheduler
from storage import lease
from storage.db import session_scope

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def take(engine, holder: str, now: datetime, ttl: float = 15):
    with session_scope(engine) as session:
        return lease.acquire(session, name="scheduler", holder=holder, now=now, ttl=ttl)


def test_one_holder_at_a_time_until_the_lease_expires(engine):
    first = take(engine, "a", NOW)
    assert first is not None and first.holder == "a"
    assert take(engine, "b", NOW + timedelta(seconds=14)) is None
    renewed = take(engine, "a", NOW + timedelta(seconds=10))
    assert renewed.acquired_at == first.acquired_at  # a renewal keeps when it was taken
    assert renewed.expires_at == NOW + timedelta(seconds=25)
    assert take(engine, "b", NOW + timedelta(seconds=20)) is None  # renewed: still a's
    taken = take(engine, "b", NOW + timedelta(seconds=25))  # a stopped renewing
    assert taken.holder == "b" and taken.acquired_at == NOW + timedelta(seconds=25)
    assert take(engine, "a", NOW + timedelta(seconds=26)) is None


def test_released_lease_is_taken_at_once_and_stays_visible(engine):
    take(engine, "a", NOW)
    with session_scope(engine) as session:
        assert lease.release(session, name="scheduler", holder="b") is False
        assert lease.release(session, name="scheduler", holder="a") is True
        assert lease.release(session, name="scheduler", holder="a") is False  # once is enough
        row = lease.current(session, name="scheduler")
    # Who held it and their last heartbeat stay for operators; the expiry says "released".
    assert row.holder == "a" and row.heartbeat_at == NOW and row.expires_at == lease.RELEASED
    assert take(engine, "b", NOW + timedelta(seconds=1)).holder == "b"


def test_two_elections_elect_one_and_hand_over_on_stop(engine):
    a = LeaderElection(engine, holder="a", heartbeat_seconds=0.1).start()
    b = LeaderElection(engine, holder="b", heartbeat_seconds=0.1).start()
    try:
        time.sleep(0.3)
        assert a.is_leader() and not b.is_leader()
        assert a.lease().holder == "a"
        a.stop(release=True)
        deadline = time.monotonic() + 3
        while not b.is_leader() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert b.is_leader() and not a.is_leader()
    finally:
        a.stop()
        b.stop()


def test_a_leader_that_cannot_renew_stops_believing_it_leads(engine, monkeypatch):
    election = LeaderElection(engine, holder="a", lease_seconds=2.5)
    assert election.beat() and election.is_leader()

    def database_down(*_a, **_k):
        raise ConnectionError("database down")

    monkeypatch.setattr(lease, "acquire", database_down)
    assert election.beat()  # still within its last lease (less the safety margin)
    time.sleep(0.6)
    assert not election.beat() and not election.is_leader()


class Stand:
    def __init__(self, leading: bool) -> None:
        self.leading = leading

    def is_leader(self) -> bool:
        return self.leading

    def record_job_run(self) -> None:
        pass


@pytest.mark.parametrize("leading", [True, False])
def test_only_the_leaders_scheduler_runs_jobs(engine, leading):
    ran: list[str] = []
    services = Services(settings=load_settings(), engine=engine, clock=SystemClock())
    ctx = JobContext(services)
    scheduler = Scheduler(ctx, only=[], leader=Stand(leading))
    job = Job("probe", "", 0.05, lambda _ctx: ran.append("ran"))
    scheduler._scheduler.add_job(scheduler._run, "interval", args=[job], seconds=0.05)
    scheduler.start()
    time.sleep(0.3)
    assert ctx.keep_going() is leading
    scheduler.stop()
    assert bool(ran) is leading
    assert ctx.keep_going() is False  # stopping: a delivery run under way ends
