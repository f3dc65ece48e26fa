"""The scheduler and its job registry, shared by `hoshin run` and `hoshin jobs`.

Each job is a tick that asks the database "what is due now?" rather than a trigger per person:
the schedule is rebuilt from the database on every tick, so restarts, downtime and DST nights
need nothing special (the rules are in `bot/cycle.py`). Ticks run on APScheduler's wall clock
(a step back of it is followed: `Scheduler.clock_stepped`); the jobs themselves believe the
services' clock, which tests and the demo move.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from apscheduler.schedulers.background import BackgroundScheduler

from bot import metrics
from bot.context import sign_with
from bot.errors import InvalidInput
from bot.logs import log_context
from bot.review.threads import SyncReport, sync_all
from bot.services import Services
from schedules.delivery import Deliverer, limits_from, make_delivery_client
from schedules.hansei import run_hansei_prompts
from schedules.jobs import DeliverReport, JobReport, deliver, queue_monthly_prompts, send_reminders
from schedules.ratelimit import DeliveryLimits, Pacer
from schedules.reflection_job import follow_delivery, run_annual_reflection

log = logging.getLogger(__name__)

# A deliver run sends in batches of this many posts, back to back while they come full; between
# them a reflection's next part is queued after the one just sent. (Stopping does not wait for a
# batch: the deliverer asks `keep_going` before every call.)
DELIVER_BATCH = 100


class JobContext:
    """What the jobs of one process share: the services and one deliverer."""

    def __init__(
        self,
        services: Services,
        *,
        limits: DeliveryLimits | None = None,
        operator: bool = False,
        pacer: Pacer | None = None,
    ) -> None:
        self.services = services
        secret = services.settings.slack_signing_secret
        if secret is not None:  # the jobs' messages carry buttons the app must be able to read
            sign_with(
                secret.get_secret_value(),
                unsigned_until=services.settings.unsigned_buttons_until,
            )
        # `hoshin jobs run`: one job, now, alone in its process (nothing else delivers).
        self.operator = operator
        self.limits = limits or limits_from(services.settings)
        # Slack's budget as this process spends it: the app's ReviewPoster takes the same one.
        self.pacer = pacer or Pacer(self.limits)
        self._lock = threading.Lock()
        self._deliverer: Deliverer | None = None
        # Asked by a delivery run before each new call (the scheduler sets it: leading, not
        # stopping); False ends the run with what is under way finished.
        self.keep_going: Callable[[], bool] = lambda: True

    @property
    def engine(self):
        return self.services.engine

    @property
    def clock(self):
        return self.services.clock

    def deliverer(self) -> Deliverer:
        """One per process: its pacer remembers what Slack allowed across runs."""
        with self._lock:
            if self._deliverer is None:
                self.services.settings.require("slack_bot_token")
                client = make_delivery_client(self.services.settings)
                self._deliverer = Deliverer(self.engine, client, self.clock, limits=self.limits)
                self._deliverer.pacer = self.pacer
                self._deliverer.keep_going = lambda: self.keep_going()
            return self._deliverer


@dataclass(frozen=True)
class Job:
    name: str
    summary: str
    every_seconds: float
    run: Callable[..., Any]
    # The options `hoshin jobs run NAME` accepts for it: "period" (YYYY-MM), "year" (YYYY).
    options: tuple[str, ...] = ()


def _monthly_checkin(ctx: JobContext, *, period: str | None = None) -> JobReport:
    return queue_monthly_prompts(ctx.engine, ctx.clock, period=period)


def _reminders(ctx: JobContext) -> JobReport:
    return send_reminders(ctx.engine, ctx.clock)


def _hansei_prompts(ctx: JobContext, *, year: int | None = None) -> JobReport:
    return run_hansei_prompts(ctx.engine, ctx.clock, year=year)


def _deliver(ctx: JobContext, *, max_messages: int | None = DELIVER_BATCH) -> JobReport:
    # Batch after batch without waiting for the next tick: a fan-out of thousands goes out at
    # the rate Slack allows, not at one batch per tick (bench_fanout, `hoshin run` cases).
    total = DeliverReport()
    while True:
        report = deliver(ctx.deliverer(), max_messages=max_messages)
        total.delivery.add(report.delivery)
        total.recorded = replace(
            total.recorded,
            sent=total.recorded.sent + report.recorded.sent,
            unreachable=total.recorded.unreachable + report.recorded.unreachable,
        )
        total.lines += report.lines
        total.errors += report.errors
        follow_delivery(ctx.engine, ctx.clock, report.delivery)  # a reflection's next part
        full = max_messages is not None and report.delivery.dispatched >= max_messages
        if not full or not ctx.keep_going():
            return total


def _annual_reflection(ctx: JobContext, *, year: int | None = None) -> JobReport:
    # An operator's run (`hoshin jobs run`) has a context of its own: it posts the whole thread.
    settle = ctx.deliverer().run_until_idle if ctx.operator else None
    return run_annual_reflection(ctx.engine, ctx.clock, year=year, deliver=settle)


def _review_sync(ctx: JobContext) -> JobReport:
    result: SyncReport = sync_all(ctx.engine, now=ctx.clock.now())
    report = JobReport()
    if result.enqueued or result.recorded:
        report.lines.append(f"{result.enqueued} post(s) queued, {result.recorded} recorded")
    held = sorted(result.held_channels)
    if held:
        report.lines.append(f"held in {', '.join(held)} (the bot cannot post there)")
    report.errors += result.errors
    return report


MONTHLY_CHECKIN = Job(
    "monthly-checkin",
    "queue the monthly check-in DM of every owner whose check-in time has come",
    60,
    _monthly_checkin,
    options=("period",),
)
REMINDERS = Job(
    "reminders",
    "remind owners who have not checked in; tell their managers when it stays open",
    600,
    _reminders,
)
HANSEI_PROMPTS = Job(
    "hansei-prompts",
    "queue each owner's year-end reflection DM once the fiscal year nears its end",
    600,
    _hansei_prompts,
    options=("year",),
)
DELIVER = Job("deliver", "send what the outbox holds, within Slack's rate limits", 2, _deliver)
REVIEW_SYNC = Job("review-sync", "bring each period's review thread up to date", 60, _review_sync)
ANNUAL_REFLECTION = Job(
    "annual-reflection",
    "post each workspace's reflection once its fiscal year has ended, once",
    60,
    _annual_reflection,
    options=("year",),
)


# /healthz: when no job has started for this long, the jobs are not running. A healthy leader
# starts one at least every minute: `deliver` starts every 2 s, but one run of it may last minutes
# (a fan-out; it waits only for itself), while the minute jobs start meanwhile. A takeover costs
# up to a lease and a heartbeat (18 s) before the new leader runs every job at once; the rest is
# room for a minute job that takes a while.
JOBS_STALE_SECONDS = MONTHLY_CHECKIN.every_seconds + 30.0


def registry() -> list[Job]:
    """Every job this build can run, in the order `hoshin jobs list` shows them."""
    return [MONTHLY_CHECKIN, REMINDERS, DELIVER, HANSEI_PROMPTS, REVIEW_SYNC, ANNUAL_REFLECTION]


def find_job(name: str) -> Job:
    for job in registry():
        if job.name == name:
            return job
    names = ", ".join(j.name for j in registry())
    raise InvalidInput(f"There is no job {name!r}. Jobs: {names}.")


# ---- the scheduler -------------------------------------------------------------------------


class _Quiet(logging.Filter):
    """A long delivery run makes the next ticks find it still running: expected, not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances" not in record.getMessage()


class Leader(Protocol):
    def is_leader(self) -> bool: ...

    def record_job_run(self) -> None:
        """Stamp, by the lease's clock, that this leader's scheduler started a job (/healthz)."""
        ...


class Scheduler:
    """A started BackgroundScheduler and the runs under way, so that stopping can wait for them.

    With a `leader` (the leader election of `hoshin run`), every tick first asks whether this
    instance still holds the lease, and runs its job only then; a follower's ticks do nothing.
    """

    def __init__(
        self,
        ctx: JobContext,
        every: dict[str, float] | None = None,
        only: Iterable[str] | None = None,
        leader: Leader | None = None,
    ) -> None:
        self.ctx = ctx
        self.leader = leader
        self._stopping = False
        ctx.keep_going = self._may_run
        chosen = None if only is None else set(only)
        self.jobs = [j for j in registry() if chosen is None or j.name in chosen]
        self._running = 0
        self._idle = threading.Condition()
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        logging.getLogger("apscheduler.scheduler").addFilter(_Quiet())
        now = datetime.now(UTC)
        for job in self.jobs:
            self._scheduler.add_job(
                self._run,
                "interval",
                args=[job],
                id=job.name,
                name=job.name,
                seconds=(every or {}).get(job.name, job.every_seconds),
                next_run_time=now,  # a bot that was down catches up at once
                replace_existing=True,
            )

    def _may_run(self) -> bool:
        return not self._stopping and (self.leader is None or self.leader.is_leader())

    def _run(self, job: Job) -> None:
        if not self._may_run():
            return  # a follower, or shutting down: the leader runs it
        with self._idle:
            self._running += 1
        try:
            if self.leader is not None:
                self.leader.record_job_run()
            with log_context(job=job.name, run_id=uuid.uuid4().hex[:12]):
                report = job.run(self.ctx)
                if isinstance(report, JobReport) and report.errors:
                    log.warning("job %s: %s", job.name, "; ".join(report.errors))
            metrics.JOB_RUNS.labels(job=job.name, outcome="ok").inc()
        except Exception:
            metrics.JOB_RUNS.labels(job=job.name, outcome="error").inc()
            log.exception("job %s failed; it runs again at its next tick", job.name)
        finally:
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def start(self) -> Scheduler:
        self._scheduler.start()
        log.info("scheduler started: %s", ", ".join(j.name for j in self.jobs))
        return self

    def wake(self) -> None:
        """Run every job now (a new leader catches up at once instead of at the next tick)."""
        if not self._scheduler.running:
            return
        now = datetime.now(UTC)
        for job in self.jobs:
            self._scheduler.modify_job(job.name, next_run_time=now)

    def clock_stepped(self, by: timedelta) -> None:
        """This host's wall clock stepped back `by` (negative): move every job's next run by it.

        APScheduler keeps next run times on the wall clock, so after a step back each job would
        wait the step on top of what was left of its interval (an hour's step: an hour without
        prompts or deliveries, the lease renewed all along). Moved by the step, each runs when
        it would have; one already due runs at once.
        """
        if not self._scheduler.running or by >= timedelta(0):
            return
        for job in self._scheduler.get_jobs():
            if job.next_run_time is not None:
                self._scheduler.modify_job(job.id, next_run_time=job.next_run_time + by)

    def next_runs(self) -> dict[str, datetime | None]:
        return {j.id: j.next_run_time for j in self._scheduler.get_jobs()}

    def stop(self, timeout: float = 30.0) -> bool:
        """No new runs; wait up to `timeout` for those under way. True if they all finished.

        A delivery run stops before its next call and waits for the calls under way, leaving the
        rest queued; a run cut short loses nothing: the outbox and the prompt rows are crash-safe.
        """
        self._stopping = True
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._running and time.monotonic() < deadline:
                self._idle.wait(max(0.0, deadline - time.monotonic()))
            finished = self._running == 0
        log.info("scheduler stopped" + ("" if finished else " (a job was still running)"))
        return finished


def start_scheduler(
    services: Services,
    *,
    every: dict[str, float] | None = None,
    limits: DeliveryLimits | None = None,
    only: Iterable[str] | None = None,
    leader: Leader | None = None,
) -> Scheduler:
    """Start the jobs (every one, or `only` these) in the background.

    With `leader`, jobs run only while it says this instance leads (`schedules.leader`).
    `every` overrides intervals in seconds by job name (tests, the demo).
    """
    return Scheduler(JobContext(services, limits=limits), every, only, leader).start()
