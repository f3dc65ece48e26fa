"""Leader election across instances: the one holding the scheduler lease runs the jobs.

Every instance tries to take or renew the lease row (`storage/lease.py`) every few seconds; the
holder's renewals keep it, and when it dies its lease expires and the next attempt of another
instance takes it. A row rather than PostgreSQL's advisory lock: it works the same on SQLite,
needs no connection held open for the process's life (a pooled connection dropped by a proxy
would silently free an advisory lock), and operators can read who leads and since when.

An instance believes itself leader only until its own last successful renewal plus the lease,
less a margin, measured on its monotonic clock: if its renewals stop reaching the database it
stops running jobs before anyone else can take over.

Times in the row are read from the database's clock, not each instance's: instances whose clocks
disagree, or one whose clock was stepped, still agree on who holds the lease. A step of the
database's own clock is survived by `storage/lease.py` (released means free; an expiry too far
ahead is not believed). Tests hand in a ManualClock and step it.

This host's own wall clock stepping back does not touch the lease, but it stalls the scheduler:
APScheduler keeps its jobs' next run times on the wall clock and waits on the monotonic one, so
after a step back of an hour every job waits an hour more while this thread, monotonic too,
keeps renewing. Each heartbeat compares how far the wall clock and the monotonic clock moved
since the last one and reports a step back to `on_clock_step` (the scheduler moves its jobs).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from bot import metrics
from bot.clock import Clock, SystemClock
from storage import lease as store
from storage.db import session_scope

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
LEASE_SECONDS = 15.0
HEARTBEAT_SECONDS = 3.0
# How long before the lease's end an instance stops believing it leads: room for clock skew
# between instances and for a renewal that is slow to come back.
SAFETY_SECONDS = 2.0
# A wall clock that moved this much less than the monotonic one between two heartbeats was
# stepped back. Below it, NTP's slewing and the moments between reading the two clocks; a step
# back that small delays a job by no more than that, which is not worth moving them for.
STEP_TOLERANCE_SECONDS = 2.0
# Job runs stamp the lease at most this often: `deliver` starts every 2 s, and /healthz needs
# only to know that some job started within JOBS_STALE_SECONDS (90 s).
JOB_STAMP_SECONDS = 10.0


def instance_id() -> str:
    """Who this process is, as operators read it: host, pid, and a random part for restarts."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class LeaderElection:
    """Holds, renews and releases the lease on a thread of its own; `is_leader()` is cheap."""

    def __init__(
        self,
        engine: Engine,
        *,
        name: str = LEASE_NAME,
        holder: str | None = None,
        lease_seconds: float = LEASE_SECONDS,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        on_elected: Callable[[], None] | None = None,
        clock: Clock | None = None,
        on_clock_step: Callable[[timedelta], None] | None = None,
    ) -> None:
        self.engine = engine
        self.name = name
        self.holder = holder or instance_id()
        self.lease_seconds = lease_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.on_elected = on_elected
        # None: the database's clock (see the module's docstring); a Clock: tests step it.
        self.clock = clock
        # Told how far this host's wall clock stepped back (a negative timedelta).
        self.on_clock_step = on_clock_step
        # The wall clock the scheduler runs on: this host's (in tests, the one they step).
        self._wall = clock or SystemClock()
        self._last_reading: tuple[datetime, float] | None = None  # (wall, monotonic)
        self._valid_until = 0.0  # monotonic
        self._stamped_at: float | None = None  # self._wall's monotonic, at the last stamp
        self._leading = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- what the scheduler and /healthz ask ---------------------------------------------------

    def is_leader(self) -> bool:
        return self._leading and time.monotonic() < self._valid_until

    def now(self) -> datetime:
        """The time the lease is measured by."""
        if self.clock is not None:
            return self.clock.now()
        with session_scope(self.engine) as session:
            return store.database_now(session)

    def _now(self, session: Session) -> datetime:
        return self.clock.now() if self.clock is not None else store.database_now(session)

    def record_job_run(self) -> None:
        """The scheduler started a job: stamp it, so /healthz can tell that the jobs run.

        At most every JOB_STAMP_SECONDS; a failed stamp is logged, never raised: the job runs
        all the same.
        """
        now = self._wall.monotonic()
        if self._stamped_at is not None and now - self._stamped_at < JOB_STAMP_SECONDS:
            return
        try:
            with session_scope(self.engine) as session:
                store.record_job_run(session, name=self.name, now=self._now(session))
        except Exception as exc:
            log.warning("scheduler lease: job run not recorded (%s)", type(exc).__name__)
            return  # the next run tries again
        self._stamped_at = now

    def lease(self) -> store.Lease | None:
        with session_scope(self.engine) as session:
            return store.current(session, name=self.name)

    # ---- the heartbeat -----------------------------------------------------------------------

    def start(self) -> LeaderElection:
        """Try once now (so the first instance leads from its first second), then keep trying."""
        self.beat()
        self._thread = threading.Thread(target=self._loop, name="leader-election", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self.heartbeat_seconds):
            self.beat()

    def beat(self) -> bool:
        """One attempt to take or renew the lease; True if this instance holds it now."""
        self._watch_wall_clock()
        started = time.monotonic()
        try:
            with session_scope(self.engine) as session:
                got = store.acquire(
                    session,
                    name=self.name,
                    holder=self.holder,
                    now=self._now(session),
                    ttl=self.lease_seconds,
                )
        except Exception as exc:
            # Keep believing only until the last renewal's lease runs out (is_leader checks).
            log.warning("scheduler lease: the database did not answer (%s)", type(exc).__name__)
            return self.is_leader()
        was_leading = self.is_leader()
        if got is None:
            if self._leading:
                log.warning("scheduler lease lost: this instance stops running jobs")
            self._leading = False
            metrics.LEADER.set(0)
            return False
        self._valid_until = started + self.lease_seconds - SAFETY_SECONDS
        self._leading = True
        metrics.LEADER.set(1)
        if not was_leading:
            self._stamped_at = None  # a new term's first job run stamps at once
            log.info("scheduler lease taken: this instance runs the jobs (%s)", self.holder)
            if self.on_elected is not None:
                self.on_elected()
        return True

    def _watch_wall_clock(self) -> None:
        """Report a step back of the wall clock since the last heartbeat to `on_clock_step`."""
        wall, monotonic = self._wall.now(), time.monotonic()
        last, self._last_reading = self._last_reading, (wall, monotonic)
        if last is None:
            return
        step = (wall - last[0]) - timedelta(seconds=monotonic - last[1])
        if step > -timedelta(seconds=STEP_TOLERANCE_SECONDS):
            return  # on time, or forward: jobs come due sooner, and APScheduler runs them
        log.warning("this host's wall clock stepped back %.0f s", -step.total_seconds())
        self._stamped_at = None  # the last stamp lies in the future now: stamp the next run
        if self.on_clock_step is None:
            return
        try:
            self.on_clock_step(step)
        except Exception:
            log.exception("the scheduler could not follow the clock's step back")

    def stop(self, *, release: bool = True) -> None:
        """Stop renewing; with `release`, free the lease so that a follower takes over at once."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.heartbeat_seconds + 5)
        was_leading, self._leading = self._leading, False
        metrics.LEADER.set(0)
        if not (release and was_leading):
            return
        try:
            with session_scope(self.engine) as session:
                released = store.release(session, name=self.name, holder=self.holder)
        except Exception as exc:
            log.warning("scheduler lease not released (%s): it expires", type(exc).__name__)
            return
        if released:
            log.info("scheduler lease released")
