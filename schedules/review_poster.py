"""Bringing review threads up to date right after a change, off the listener's thread of work."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

from bot.logs import current_context, log_context
from bot.review import threads as review
from bot.services import Services
from schedules.delivery import Deliverer, limits_from, make_delivery_client
from schedules.ratelimit import DeliveryLimits, Pacer
from schedules.reflection_job import follow_delivery

log = logging.getLogger(__name__)

# Posts one delivery pass sends at most: a fan-out of thousands is the deliver job's (it runs
# batch after batch), so the poster's thread soon comes back to the threads asked for since.
RUN_BATCH = 50
# How long a `wait=True` caller (a lazy listener, one of Bolt's few interaction workers) waits
# for the run that carries its posts; past that its answer goes and the posts follow.
WAIT_SECONDS = 10.0
# The thread ends after this long without work and starts again with the next call, so apps
# built and dropped (tests, the demo) leave no thread behind for long.
IDLE_SECONDS = 30.0


class ReviewPoster:
    """Brings review threads up to date after a change: deliver, sync, deliver, sync again.

    The work is done on a daemon thread of the poster's own, started by the first call: a
    call only records its workspace and threads and wakes that thread, so listener threads
    (acks, Bolt's interaction workers) never run delivery themselves. One deliverer for the
    app, so that its pacer keeps a channel's posts a second apart across submissions; give
    it the scheduler's pacer (`pacer=`) and the deliver job and the poster share Slack's
    budget rather than each spending all of it.
    """

    def __init__(
        self,
        services: Services,
        *,
        limits: DeliveryLimits | None = None,
        pacer: Pacer | None = None,
        deliverer: Deliverer | None = None,
        run_batch: int | None = RUN_BATCH,
        wait_seconds: float = WAIT_SECONDS,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        self.services = services
        self.limits = limits  # None: the settings' (the demo scales them, as the scheduler's)
        self.pacer = pacer
        self.run_batch = run_batch
        self.wait_seconds = wait_seconds
        self.idle_seconds = idle_seconds
        self._changes = threading.Condition()
        self._pending: dict[int, set[int]] = {}
        self._callers: list[dict[str, str]] = []  # the log contexts of the calls pending
        self._asked = self._done = 0  # tickets: how many calls were made, how many are done
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._deliverer = deliverer
        if deliverer is not None:
            self._hand_over(deliverer)

    # ---- callers (any thread) ------------------------------------------------------------------

    def after(
        self, workspace_id: int, thread_ids: Iterable[int] = (), *, wait: bool = False
    ) -> bool:
        """Send what was queued (receipts, notices), then bring these threads up to date.

        Returns at once: the poster's thread does the work, after the person has had their
        answer, so failures are logged and the periodic `bot.review.threads.sync_all` finishes the job.
        `wait`: return once a run that started after this call has finished (its posts are
        out), or after `wait_seconds`. True when the work was done (or not waited for).
        """
        with self._changes:
            if self._stopping:
                return False  # shutting down: the rows stay queued for the next process
            self._pending.setdefault(workspace_id, set()).update(thread_ids)
            self._callers.append(current_context())
            self._asked += 1
            ticket = self._asked
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._work, name="review-poster", daemon=True
                )
                self._thread.start()
            self._changes.notify_all()
            if not wait:
                return True
            self._changes.wait_for(
                lambda: self._done >= ticket or self._stopping, timeout=self.wait_seconds
            )
            done = self._done >= ticket
        if not done:
            log.info("posts of workspace %d still on their way after the wait", workspace_id)
        return done

    def stop(self, timeout: float = 10.0) -> bool:
        """No new work; the run under way stops before its next call. True if the thread ended."""
        with self._changes:
            self._stopping = True
            thread = self._thread
            self._changes.notify_all()
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    # ---- the poster's thread ------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._changes:
                deadline = time.monotonic() + self.idle_seconds
                while not self._pending and not self._stopping:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._changes.wait(left)
                if self._stopping or not self._pending:
                    # Decided under the lock: the next call finds no thread and starts one.
                    self._thread = None
                    self._changes.notify_all()
                    return
                # Every call up to `upto` is in this run, which starts now.
                work, self._pending, upto = self._pending, {}, self._asked
                callers, self._callers = self._callers, []
            with log_context(**_merged(callers)):  # its lines name the requests it serves
                self._run(work)
            with self._changes:
                self._done = upto
                self._changes.notify_all()

    def _run(self, work: dict[int, set[int]]) -> None:
        # One pass sends what every caller queued; then each workspace's threads are synced
        # (the workspace asked first, first).
        if self._safely(self._deliver, "queued posts not sent"):
            for workspace_id, thread_ids in work.items():
                if thread_ids:
                    self._safely(
                        lambda ws=workspace_id, ids=thread_ids: self._settle(ws, ids),
                        f"review threads of workspace {workspace_id} not brought up to date",
                    )

    def _settle(self, workspace_id: int, thread_ids: set[int]) -> None:
        review.settle(
            self.services.engine,
            self._deliver,
            now=self.services.clock.now(),
            workspace_id=workspace_id,
            thread_ids=sorted(thread_ids),
        )

    def _safely(self, step, failure: str) -> bool:
        try:
            step()
            return True
        except Exception:
            log.exception(failure)
            return False

    def _deliver(self) -> None:
        if self._deliverer is None:
            settings = self.services.settings
            self._deliverer = self._hand_over(
                Deliverer(
                    self.services.engine,
                    make_delivery_client(settings),
                    self.services.clock,
                    limits=self.limits or limits_from(settings),
                )
            )
        report = self._deliverer.run_once(max_messages=self.run_batch)
        # A reflection's part sent after an admin's Try again: the next follows (then the
        # scheduler's deliver job carries on), and a part that stops again is told.
        follow_delivery(self.services.engine, self.services.clock, report)

    def _hand_over(self, deliverer: Deliverer) -> Deliverer:
        if self.pacer is not None:
            deliverer.pacer = self.pacer  # the scheduler's: one budget per process
        deliverer.keep_going = lambda: not self._stopping
        return deliverer


def _merged(contexts: list[dict[str, str]]) -> dict[str, str]:
    """One log context for the calls a run serves: each field's distinct values, in order."""
    values: dict[str, list[str]] = {}
    for context in contexts:
        for key, value in context.items():
            if value not in values.setdefault(key, []):
                values[key].append(value)
    return {key: ",".join(found) for key, found in values.items()}
