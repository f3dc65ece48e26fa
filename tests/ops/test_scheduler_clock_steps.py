"""A running leader whose own wall clock steps back keeps running its jobs (issue 16, item 3).

APScheduler keeps each job's next run time on the wall clock and waits on the monotonic one: when
the host's clock steps back an hour, every job waits an hour more, while the election's thread
(monotonic too) keeps renewing the lease. The election compares how far the wall clock and the
monotonic clock moved between two heartbeats; a step back moves the scheduler's jobs back by
the step, so each runs when it would have.

Here the host's wall clock is a `HostClock` (the real clock plus an offset the test steps), read
by APScheduler (its module's `datetime` is patched), by the scheduler and by the election.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import apscheduler.schedulers.base
import pytest

import schedules.scheduler
from bot.clock import ManualClock
from bot.services import Services
from bot.settings import load_settings
from schedules.leader import LeaderElection
from schedules.scheduler import Job, JobContext, Scheduler
from tests.ops.test_health_metrics import get, serve
from tests.ops.test_lease_clock_steps import REAL

HOUR = timedelta(hours=1)


class HostClock:
    """This host's wall clock: the real one, `offset` ahead (stepped by the test)."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def monotonic(self) -> float:
        return time.monotonic()  # a wall clock's step leaves it alone


def wall_clock_of(monkeypatch, host: HostClock) -> None:
    """Make APScheduler and the scheduler read `host` wherever they read the wall clock."""

    class HostDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return host.now().astimezone(tz) if tz is not None else host.now()

    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", HostDatetime)
    monkeypatch.setattr(schedules.scheduler, "datetime", HostDatetime)


def wait_until(predicate, what: str) -> None:
    deadline = time.monotonic() + 10
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert predicate(), what


def test_a_leader_whose_wall_clock_steps_back_an_hour_runs_its_jobs_on_time(engine, monkeypatch):
    host = HostClock(HOUR)  # an hour fast
    wall_clock_of(monkeypatch, host)
    election = LeaderElection(engine, holder="host-a:1:aaaaaa", clock=host)
    services = Services(settings=load_settings(), engine=engine, clock=host)
    scheduler = Scheduler(JobContext(services), only=[], leader=election)
    ran: list[datetime] = []
    job = Job("probe", "", 2, lambda ctx: ran.append(ctx.clock.now()))  # as often as `deliver`
    scheduler.jobs.append(job)
    scheduler._scheduler.add_job(
        scheduler._run, "interval", args=[job], id="probe", seconds=2, next_run_time=host.now()
    )
    # As `hoshin run` wires them.
    election.on_elected = scheduler.wake
    election.on_clock_step = scheduler.clock_stepped
    scheduler.start()
    try:
        assert election.beat()
        wait_until(lambda: ran, "the probe ran while the clock was an hour fast")

        host.offset = timedelta(0)  # NTP steps the clock back an hour
        stalled = scheduler.next_runs()["probe"] - host.now()
        assert stalled > timedelta(minutes=59)  # what APScheduler would wait: the defect
        assert election.beat()  # the next heartbeat notices the step
        due = scheduler.next_runs()["probe"] - host.now()
        assert due <= timedelta(seconds=2)  # what was left of its interval, not an hour more
        wait_until(
            lambda: any(t < host.now() + HOUR / 2 for t in ran),
            "the probe ran again after the step back",
        )
        server = serve(engine, election)
        try:
            report = json.loads(get(server.url + "/healthz")[1])
        finally:
            server.stop()
        assert report["ok"] is True and report["scheduler"]["jobs"] == "ok"
    finally:
        scheduler.stop()
        election.stop()


def test_the_heartbeat_reports_a_step_back_once_and_by_how_much(engine):
    clock = ManualClock(REAL)
    seen: list[timedelta] = []
    election = LeaderElection(engine, holder="host-a:1:aaaaaa", clock=clock)
    election.on_clock_step = seen.append
    assert election.beat()
    clock.set(REAL - HOUR)
    assert election.beat()  # a step back does not cost the lease either
    assert len(seen) == 1
    # By the hour, less the moments between the two beats (they count on the monotonic clock).
    assert -HOUR - timedelta(seconds=30) < seen[0] <= -HOUR
    clock.advance(timedelta(seconds=3))
    election.beat()
    assert len(seen) == 1  # reported once


@pytest.mark.parametrize("move", [HOUR, timedelta(seconds=3)])
def test_the_clock_running_on_or_stepping_forward_is_no_step_back(engine, move):
    """Forward steps only make jobs due sooner; APScheduler runs them at once, coalesced."""
    clock = ManualClock(REAL)
    seen: list[timedelta] = []
    election = LeaderElection(engine, holder="host-a:1:aaaaaa", clock=clock)
    election.on_clock_step = seen.append
    election.beat()
    clock.advance(move)
    election.beat()
    assert seen == []


def test_a_failing_step_handler_does_not_stop_the_heartbeat(engine):
    clock = ManualClock(REAL)
    election = LeaderElection(engine, holder="host-a:1:aaaaaa", clock=clock)

    def broken(_by: timedelta) -> None:
        raise RuntimeError("scheduler gone")

    election.on_clock_step = broken
    assert election.beat()
    clock.set(REAL - HOUR)
    assert election.beat() and election.is_leader()
