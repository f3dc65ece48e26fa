"""Bringing review threads up to date right after a change, off the listener's thread of work."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from bot import review
from bot.services import Services
from schedules.delivery import Deliverer, limits_from, make_delivery_client
from schedules.ratelimit import DeliveryLimits
from schedules.reflection_job import follow_delivery

log = logging.getLogger(__name__)


class ReviewPoster:
    """Brings review threads up to date after a change: deliver, sync, deliver, sync again.

    One deliverer for the app, so that its pacer keeps a channel's posts a second apart across
    submissions, as Slack wants. One thread at a time does the work: a caller that finds it
    under way adds its threads to the pending set and returns at once, so listener threads are
    never held waiting (they must stay free to acknowledge other requests within 3 seconds).
    """

    def __init__(self, services: Services, *, limits: DeliveryLimits | None = None) -> None:
        self.services = services
        self.limits = limits  # None: the settings' (the demo scales them, as the scheduler's)
        self._changes = threading.Condition()
        self._running = False
        self._pending: dict[int, set[int]] = {}
        self._asked = self._done = 0  # tickets: how many calls were made, how many are done
        self._deliverer: Deliverer | None = None

    def _deliver(self) -> None:
        if self._deliverer is None:
            settings = self.services.settings
            self._deliverer = Deliverer(
                self.services.engine,
                make_delivery_client(settings),
                self.services.clock,
                limits=self.limits or limits_from(settings),
            )
        report = self._deliverer.run_once()
        # A reflection's part sent after an admin's Try again: the next follows (then the
        # scheduler's deliver job carries on), and a part that stops again is told.
        follow_delivery(self.services.engine, self.services.clock, report)

    def after(
        self, workspace_id: int, thread_ids: Iterable[int] = (), *, wait: bool = False
    ) -> None:
        """Send what was queued (receipts, notices), then bring these threads up to date.

        Runs after the person has had their answer, so failures are logged and the periodic
        `bot.review.sync_all` finishes the job. `wait`: return only once this call's work is
        done, even when another thread does it (for an answer that reports the outcome).
        """
        with self._changes:
            self._pending.setdefault(workspace_id, set()).update(thread_ids)
            self._asked += 1
            ticket = self._asked
            if self._running:
                if wait:
                    self._changes.wait_for(lambda: self._done >= ticket, timeout=120)
                return
            self._running = True
        while True:
            with self._changes:
                if not self._pending:
                    # Decided under the lock: a caller arriving later finds nobody running.
                    self._running = False
                    return
                work, self._pending, upto = self._pending, {}, self._asked
            for ws_id, threads in work.items():
                self._bring_up_to_date(ws_id, threads)  # never raises: it logs
            with self._changes:
                self._done = upto
                self._changes.notify_all()

    def _bring_up_to_date(self, workspace_id: int, thread_ids: set[int]) -> None:
        try:
            self._deliver()
            if thread_ids:
                review.settle(
                    self.services.engine,
                    self._deliver,
                    now=self.services.clock.now(),
                    workspace_id=workspace_id,
                    thread_ids=sorted(thread_ids),
                )
        except Exception:
            log.exception("review threads of workspace %d not brought up to date", workspace_id)
