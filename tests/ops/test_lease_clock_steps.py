"""The scheduler lease across clock steps (issue 16, item 3).

The lease is measured by one clock: the database's in production, a ManualClock here, stepped
as an NTP step or a resumed VM steps a host's clock. The issue's scenario: the clock runs an
hour fast, the leader stops gracefully (releasing the lease), the clock is stepped back, and the
restarted instance must lead at once and run the jobs, not wait an hour as a follower.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

import bot.clock
from bot.clock import ManualClock
from bot.services import Services
from bot.settings import load_settings
from schedules.leader import LEASE_SECONDS, LeaderElection
from schedules.scheduler import Job, JobContext, Scheduler
from storage import lease
from storage.db import session_scope
from tests.ops.test_health_metrics import get, serve

REAL = datetime(2027, 3, 1, 8, 59, 30, tzinfo=UTC)  # half a minute before the 09:00 prompts
FAST = REAL + timedelta(hours=1)


def take(engine, holder: str, now: datetime, ttl: float = LEASE_SECONDS):
    with session_scope(engine) as session:
        return lease.acquire(session, name="scheduler", holder=holder, now=now, ttl=ttl)


# ---- the lease row -------------------------------------------------------------------------


def test_a_released_lease_is_free_whatever_the_clocks_say(engine):
    take(engine, "fast", FAST)
    with session_scope(engine) as session:
        assert lease.release(session, name="scheduler", holder="fast")
    assert take(engine, "next", REAL).holder == "next"  # stepped back an hour: free at once


def test_a_dead_holders_lease_stamped_an_hour_ahead_is_taken_at_once(engine):
    take(engine, "dead", FAST)  # then kill -9: never renewed, never released
    assert take(engine, "next", REAL).holder == "next"


@pytest.mark.parametrize("step", [16, 20, 3600, 86400 * 365])
def test_a_step_back_longer_than_the_lease_frees_a_dead_holders_lease_at_once(engine, step):
    take(engine, "dead", REAL + timedelta(seconds=step))
    assert take(engine, "next", REAL).holder == "next"


def test_a_step_back_shorter_than_the_lease_costs_at_most_one_more_lease(engine):
    take(engine, "dead", REAL + timedelta(seconds=10))  # expires 25 s after REAL
    assert take(engine, "next", REAL) is None
    assert take(engine, "next", REAL + timedelta(seconds=24)) is None
    assert take(engine, "next", REAL + timedelta(seconds=25)).holder == "next"


def test_a_live_holders_lease_is_not_taken_for_being_a_little_ahead(engine):
    """Stamps from one clock are at most a lease ahead; reading it a moment late is no step."""
    take(engine, "live", REAL)
    assert take(engine, "other", REAL - timedelta(seconds=LEASE_SECONDS - 1)) is None
    assert take(engine, "other", REAL + timedelta(seconds=LEASE_SECONDS - 1)) is None


# ---- the election and the scheduler ---------------------------------------------------------


def probe_scheduler(engine, clock, election) -> tuple[Scheduler, list[datetime]]:
    """A scheduler whose one job runs only when woken: i.e. when `election` is elected."""
    ran: list[datetime] = []
    services = Services(settings=load_settings(), engine=engine, clock=clock)
    scheduler = Scheduler(JobContext(services), only=[], leader=election)
    job = Job("probe", "", 3600, lambda ctx: ran.append(ctx.clock.now()))
    scheduler._scheduler.add_job(scheduler._run, "interval", args=[job], id="probe", hours=1)
    scheduler.jobs.append(job)
    election.on_elected = scheduler.wake
    return scheduler.start(), ran


def test_fast_clock_graceful_stop_step_back_restart_leads_at_once_and_runs_the_jobs(engine):
    clock = ManualClock(FAST)
    old = LeaderElection(engine, holder="old:1:aaaaaa", clock=clock)
    assert old.beat() and old.is_leader()
    old.stop(release=True)  # SIGTERM
    clock.set(REAL)  # NTP steps the clock back
    new = LeaderElection(engine, holder="new:2:bbbbbb", clock=clock)
    scheduler, ran = probe_scheduler(engine, clock, new)
    try:
        assert new.beat() and new.is_leader()
        deadline = time.monotonic() + 10
        while not ran and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        scheduler.stop()
    assert ran == [REAL]
    assert new.lease().holder == "new:2:bbbbbb"


@pytest.mark.parametrize("step", [5, 10, 15, 20, 3600, 86400])
def test_a_holder_that_died_before_a_step_back_is_taken_over_within_one_more_lease(engine, step):
    clock = ManualClock(REAL + timedelta(seconds=step))
    dead = LeaderElection(engine, holder="dead:1:aaaaaa", clock=clock)
    assert dead.beat()  # then kill -9
    clock.set(REAL)
    new = LeaderElection(engine, holder="new:2:bbbbbb", clock=clock)
    waited = 0
    while not new.beat() and waited <= 3 * LEASE_SECONDS:
        waited += 1
        clock.advance(timedelta(seconds=1))
    assert new.is_leader()
    # Without a step a takeover waits out one lease; a step back adds at most one more.
    assert waited <= 2 * LEASE_SECONDS
    assert waited == (0 if step > LEASE_SECONDS else LEASE_SECONDS + step)


# ---- the database's clock -------------------------------------------------------------------


def test_the_database_clock_is_utc_whatever_the_sessions_time_zone(engine):
    with session_scope(engine) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.connection().exec_driver_sql("SET TIME ZONE 'Asia/Kathmandu'")
        now = lease.database_now(session)
    assert now.utcoffset() == timedelta(0)
    assert abs((now - datetime.now(UTC)).total_seconds()) < 5  # the same host in tests


class _HourFast(datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime.now(tz) + timedelta(hours=1)


def test_a_process_clock_an_hour_fast_does_not_move_the_lease(engine, monkeypatch):
    """Instances compare stamps of one clock, the database's, not each its own wall clock."""
    monkeypatch.setattr(bot.clock, "datetime", _HourFast)
    assert bot.clock.SystemClock().now() - datetime.now(UTC) > timedelta(minutes=59)
    election = LeaderElection(engine, holder="fast:1:aaaaaa")
    assert election.beat()
    ahead = election.lease().expires_at - datetime.now(UTC)
    assert timedelta(seconds=LEASE_SECONDS - 5) < ahead < timedelta(seconds=LEASE_SECONDS + 5)


# ---- /healthz -------------------------------------------------------------------------------


@pytest.mark.parametrize("released", [True, False])
def test_healthz_is_not_ok_while_the_last_heartbeat_lies_in_the_future(engine, released):
    """The issue's numbers: a lease written an hour fast, the clock stepped back since."""
    ahead = datetime.now(UTC) + timedelta(hours=1)
    take(engine, "fast:1:aaaaaa", ahead)
    if released:
        with session_scope(engine) as session:
            lease.release(session, name="scheduler", holder="fast:1:aaaaaa")
    restarted = LeaderElection(engine, holder="host-b:2:bbbbbb")  # its clock is right
    server = serve(engine, restarted)
    try:
        before = get(server.url + "/healthz")
        restarted.beat()  # its first heartbeat, as `start()` does
        after = get(server.url + "/healthz")
    finally:
        server.stop()
        restarted.stop()
    status, body = before
    assert status == 200  # degraded, not out of the load balancer (as for a stale lease)
    report = json.loads(body)
    assert report["ok"] is False and report["database"] == "ok"
    assert report["scheduler"]["lease"] == "stale" and report["scheduler"]["leader"] is None
    assert report["scheduler"]["heartbeat_age_seconds"] < -3500
    assert "no instance has run the jobs" in report["degraded"]
    assert "in the future" in report["degraded"]
    # The restarted instance took the lease at its first heartbeat: healthy again at once.
    status, body = after
    report = json.loads(body)
    assert status == 200 and report["ok"] is True and "degraded" not in report
    assert report["scheduler"]["role"] == "leader"
    assert report["scheduler"]["leader"] == "host-b:2:bbbbbb"
    assert 0 <= report["scheduler"]["heartbeat_age_seconds"] < 5


def test_healthz_names_how_long_no_instance_has_run_the_jobs(engine):
    clock = ManualClock(REAL)
    dead = LeaderElection(engine, holder="dead:1:aaaaaa", clock=clock)
    assert dead.beat()
    clock.advance(timedelta(seconds=95))
    server = serve(engine, LeaderElection(engine, holder="host-b:2:bbbbbb", clock=clock))
    try:
        status, body = get(server.url + "/healthz")
    finally:
        server.stop()
    report = json.loads(body)
    assert status == 200 and report["ok"] is False
    assert report["scheduler"]["heartbeat_age_seconds"] == 95
    assert report["degraded"].startswith("no instance has run the jobs for 95 s")
