"""/healthz says whether the jobs run, not only whether the lease is renewed (issue 16, item 3).

The election's thread renews the lease on the monotonic clock whether or not the scheduler's
jobs run (a leader whose wall clock stepped back waits on APScheduler for an hour with a fresh
lease). So every job run the leader's scheduler starts stamps the lease row, by the lease's clock,
and /healthz judges "the jobs ran" from that stamp. A ManualClock stands in for that clock.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from schedules.leader import HEARTBEAT_SECONDS, JOB_STAMP_SECONDS, LeaderElection
from schedules.scheduler import JOBS_STALE_SECONDS
from storage import lease as lease_store
from storage.db import session_scope
from storage.models import SchedulerLease
from tests.ops.test_health_metrics import get, serve
from tests.ops.test_lease_clock_steps import FAST, REAL, probe_scheduler


def wait_for(ran: list, count: int) -> None:
    """Jobs run on APScheduler's threads: wait (not time) for the `count`th run."""
    deadline = time.monotonic() + 10
    while len(ran) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(ran) == count


def healthz(engine, election) -> dict:
    server = serve(engine, election)
    try:
        status, body = get(server.url + "/healthz")
    finally:
        server.stop()
    assert status == 200  # degraded or not, every instance still serves Slack
    return json.loads(body)


def heartbeat_for(election: LeaderElection, clock: ManualClock, seconds: float) -> None:
    """The election's thread renewing the lease as time passes, as it does while jobs stall."""
    for _ in range(int(seconds // HEARTBEAT_SECONDS)):
        clock.advance(timedelta(seconds=HEARTBEAT_SECONDS))
        assert election.beat()


@pytest.fixture
def leader(engine):
    clock = ManualClock(REAL)
    election = LeaderElection(engine, holder="host-a:1:aaaaaa", clock=clock)
    scheduler, ran = probe_scheduler(engine, clock, election)  # its job runs when woken
    try:
        yield election, clock, scheduler, ran
    finally:
        scheduler.stop()
        election.stop()


def test_the_bound_covers_a_minute_jobs_interval_a_takeover_and_the_stamps_spacing():
    # A long delivery run holds `deliver` for minutes; the minute jobs start meanwhile.
    assert JOBS_STALE_SECONDS >= 60 + 15 + HEARTBEAT_SECONDS + JOB_STAMP_SECONDS


def test_healthz_is_not_ok_while_the_lease_heartbeats_but_no_job_runs(engine, leader):
    election, clock, scheduler, ran = leader
    assert election.beat()  # elected: the scheduler runs its job at once
    wait_for(ran, 1)
    report = healthz(engine, election)
    assert report["ok"] is True and "degraded" not in report
    assert report["scheduler"]["jobs"] == "ok"
    assert report["scheduler"]["jobs_ran_age_seconds"] == 0

    # The lease keeps being renewed, but the job (next due in an hour) does not run.
    heartbeat_for(election, clock, 120)
    report = healthz(engine, election)
    assert report["scheduler"]["lease"] == "ok"  # the heartbeat alone would say all is well
    assert report["scheduler"]["heartbeat_age_seconds"] == 0
    assert report["ok"] is False and report["scheduler"]["jobs"] == "stale"
    assert report["scheduler"]["jobs_ran_age_seconds"] == 120
    assert report["degraded"].startswith("no instance has run the jobs for 120 s")

    scheduler.wake()  # the jobs run again
    wait_for(ran, 2)
    report = healthz(engine, election)
    assert report["ok"] is True and report["scheduler"]["jobs"] == "ok"
    assert report["scheduler"]["jobs_ran_age_seconds"] == 0


def test_a_leader_that_never_runs_a_job_is_not_ok_once_it_has_led_past_the_bound(engine):
    clock = ManualClock(REAL)
    election = LeaderElection(engine, holder="host-a:1:aaaaaa", clock=clock)  # no scheduler
    assert election.beat()
    assert healthz(engine, election)["ok"] is True  # just elected: its jobs start at once
    heartbeat_for(election, clock, JOBS_STALE_SECONDS + HEARTBEAT_SECONDS)
    report = healthz(engine, election)
    assert report["ok"] is False and report["scheduler"]["lease"] == "ok"
    assert report["scheduler"]["jobs"] == "stale"
    assert report["scheduler"]["jobs_ran_age_seconds"] is None
    assert report["degraded"].startswith("no instance has run the jobs for 9")


def test_healthz_is_not_ok_while_the_last_job_run_lies_in_the_future(engine, leader):
    """Stamped before the lease's clock stepped back, and no job has run since."""
    election, clock, scheduler, ran = leader
    clock.set(FAST)
    assert election.beat()
    wait_for(ran, 1)
    clock.set(REAL)  # stepped back an hour; the lease renews (a renewal is always allowed)
    assert election.beat()
    report = healthz(engine, election)
    assert report["scheduler"]["lease"] == "ok"
    assert report["ok"] is False and report["scheduler"]["jobs"] == "stale"
    assert report["scheduler"]["jobs_ran_age_seconds"] == -3600
    assert report["degraded"].startswith("no instance has run the jobs since the clock stepped")
    assert "3600 s in the future" in report["degraded"]

    scheduler.wake()
    wait_for(ran, 2)
    assert healthz(engine, election)["ok"] is True


def test_only_a_leaders_job_runs_stamp_the_lease(engine, leader):
    election, clock, _scheduler, ran = leader
    follower = LeaderElection(engine, holder="host-b:2:bbbbbb", clock=clock)
    other, other_ran = probe_scheduler(engine, clock, follower)
    try:
        assert election.beat() and not follower.beat()
        wait_for(ran, 1)
        clock.advance(timedelta(seconds=30))
        other.wake()  # a follower's ticks do nothing
        other._run(other.jobs[-1])
        assert other_ran == []
    finally:
        other.stop()
    with session_scope(engine) as session:
        row = session.get(SchedulerLease, "scheduler")
    assert row.jobs_ran_at == REAL


def test_a_job_run_whose_stamp_cannot_be_written_still_runs(engine, leader, monkeypatch):
    election, clock, scheduler, ran = leader
    assert election.beat()
    wait_for(ran, 1)

    def refuse(*_args, **_kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr("storage.lease.record_job_run", refuse)
    clock.advance(timedelta(seconds=JOB_STAMP_SECONDS))  # a stamp is due again
    scheduler._run(scheduler.jobs[-1])
    assert len(ran) == 2


def test_job_runs_stamp_the_lease_at_most_every_few_seconds(engine, leader, monkeypatch):
    """`deliver` starts every 2 s: one lease write per start would be 43,200 writes a day."""
    election, clock, scheduler, ran = leader
    assert election.beat()
    wait_for(ran, 1)
    writes = []
    stamp = lease_store.record_job_run
    monkeypatch.setattr(
        "storage.lease.record_job_run", lambda *a, **k: writes.append(1) or stamp(*a, **k)
    )
    for _ in range(20):  # twenty runs within a second or so of each other
        scheduler._run(scheduler.jobs[-1])
    assert len(ran) == 21 and writes == []
    clock.advance(timedelta(seconds=JOB_STAMP_SECONDS))
    scheduler._run(scheduler.jobs[-1])
    assert writes == [1]
    with session_scope(engine) as session:
        row = session.get(SchedulerLease, "scheduler")
    assert row.jobs_ran_at == REAL + timedelta(seconds=JOB_STAMP_SECONDS)
