"""Delivery of the outbox: every queued Slack post sent once, within Slack's limits, resumably.

A row is claimed (committed as in flight) before its call and settled right after it. A process
killed in between leaves in-flight rows; once their lease ends they are in doubt, like rows whose
call timed out or got internal_error, and are looked for in Slack (by the outbox id in the
post's metadata) before anything is sent again. So a crash anywhere loses nothing and sends
nothing twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot import metrics
from bot.clock import Clock
from bot.logs import ContextThreadPool
from bot.settings import Settings
from bot.slack_limits import FILES_UPLOAD_V2
from schedules.delivery_doubts import DoubtResolver, Found, with_marker
from schedules.delivery_outcomes import DeliveryReport, Outcomes
from schedules.files_upload import ChartUpload
from schedules.ratelimit import POST, DeliveryLimits, Pacer, ReadyQueue
from schedules.slack_answers import Answer, Verdict, ask
from storage.db import session_scope
from storage.models.review import OutboxState
from storage.outbox import claims, stops
from storage.outbox import queue as outbox
from storage.outbox.claims import ClaimedMessage, DoubtfulMessage
from storage.outbox.queue import DueMessage

log = logging.getLogger(__name__)

# A pacing wait up to this long is slept in place; a longer one (a 429's Retry-After) sets the
# row aside so that other methods and channels carry on meanwhile.
SHORT_WAIT = 0.5


def limits_from(settings: Settings) -> DeliveryLimits:
    # A call lasts at most the client's timeout, so an in-flight row six timeouts old belongs
    # to a dead process (a killed leader): the next leader looks for it after that long.
    return DeliveryLimits(
        post_per_minute=settings.slack_post_messages_per_minute,
        in_flight_lease_seconds=6.0 * settings.slack_timeout_seconds,
    )


def make_delivery_client(settings: Settings) -> WebClient:
    """A client without retry handlers: delivery reads every 429, 5xx and timeout itself.

    slack_sdk's handlers sleep blindly in the calling thread and would resend a post whose
    connection dropped after Slack had stored it.
    """
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.api_url,
        timeout=settings.slack_timeout_seconds,
        retry_handlers=[],
    )


class SimulatedCrash(Exception):
    """Raised by a test's after_call hook: the process 'dies' between the call and its record."""


class Deliverer(Outcomes):
    """Sends what the outbox holds; one per process (the scheduler's leader).

    `client` is one WebClient (a single-workspace install) or a function of the workspace id.
    `after_call(outbox_id)` runs between a call and its record: tests crash there.
    """

    def __init__(
        self,
        engine: Engine,
        client: WebClient | Callable[[int], WebClient],
        clock: Clock,
        *,
        limits: DeliveryLimits | None = None,
        after_call: Callable[[int], None] | None = None,
    ) -> None:
        if isinstance(client, WebClient) and client.retry_handlers:
            raise ValueError("delivery needs a WebClient with retry_handlers=[]: it retries itself")
        self.engine = engine
        self.client_for: Callable[[int], WebClient] = (
            (lambda _workspace_id: client) if isinstance(client, WebClient) else client
        )
        self.clock = clock
        self.limits = limits or DeliveryLimits()
        self.after_call = after_call
        self.pacer = Pacer(self.limits)
        self.resolver = DoubtResolver(engine, self.client_for, self._paced, self.limits)
        self.uploads = ChartUpload(engine, self._paced)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._report = DeliveryReport()
        self._suspended: set[int] = set()
        self._mine: set[int] = set()  # rows this deliverer has in flight right now
        self._finished: deque[tuple[DueMessage, float | None]] = deque()  # calls back
        # Asked before each new call of a run: False stops the run (leadership lost, shutdown)
        # with the calls under way finished and recorded, and the rest left queued.
        self.keep_going: Callable[[], bool] = lambda: True

    # ---- running ---------------------------------------------------------------------------------

    def run_once(self, max_messages: int | None = None) -> DeliveryReport:
        """Resolve rows in doubt, then send every row due now (pacing waits included)."""
        self._report = DeliveryReport()
        self._suspended = set()
        # Calls that came back after the last run stopped dispatching (its batch was full)
        # belong to that run's queue, not to this one's.
        self._finished.clear()
        self._resolve_doubts()
        slots = threading.BoundedSemaphore(self.limits.max_in_flight)
        with ContextThreadPool(self.limits.max_in_flight, thread_name_prefix="delivery") as pool:
            self._dispatch(pool, slots, max_messages)
        report = self._report
        if report.calls:
            log.info(
                "delivery: %d sent, %d rate limited, %d retried, %d in doubt, %d found, "
                "%d resent, %d held, %d failed, %d calls",
                report.sent,
                report.rate_limited,
                report.retried,
                report.in_doubt,
                report.found_posted,
                report.resent,
                report.held,
                report.failed,
                report.calls,
            )
        return report

    def run_until_idle(self, timeout: float = 30.0) -> DeliveryReport:
        """Run until nothing is owed (or `timeout` passes): for tests, the demo and the bench."""
        total = DeliveryReport()
        deadline = time.monotonic() + timeout
        while True:
            total.add(self.run_once())
            with session_scope(self.engine) as session:
                pending = outbox.pending_count(session)
                next_due = outbox.next_due_at(session)
            if not pending or time.monotonic() >= deadline:
                return total
            pause = 0.05
            if next_due is not None:
                pause = (next_due - self.clock.now()).total_seconds()
            time.sleep(min(max(pause, 0.01), 0.5, max(0.0, deadline - time.monotonic())))

    def _dispatch(self, pool: ThreadPoolExecutor, slots, max_messages: int | None) -> None:
        """Feed due rows to the pool in id order, as fast as the pacer allows.

        Rows are read in batches, so memory stays flat at any queue length. A row whose channel
        or method must wait is set aside while the others go on; a channel's next row waits
        until the call before it has come back, so a 429 cannot reorder a thread.
        """
        size = self.limits.batch_size
        queue = ReadyQueue()
        cursor, exhausted, dispatched = 0, False, 0
        while max_messages is None or dispatched < max_messages:
            if not self.keep_going():
                log.info(
                    "delivery stopped with %d sent this run; the rest stays queued", dispatched
                )
                break
            self._wake.clear()
            self._take_back(queue)
            # Read on while few channels are ready, but never hold more than a few batches
            # (one busy channel with thousands of rows must not stall the others).
            if not exhausted and queue.heads < size and len(queue) < 4 * size:
                with session_scope(self.engine) as session:
                    batch = outbox.due(session, now=self.clock.now(), after_id=cursor, limit=size)
                exhausted = len(batch) < size
                cursor = batch[-1].id if batch else cursor
                for row in batch:
                    queue.add(row)
            if exhausted and not len(queue):
                break
            ready_at = queue.next_ready_at()
            now = time.monotonic()
            if ready_at is None or ready_at > now:
                # Everything is in flight or pacing: sleep until a row is ready or a call is back.
                self._wake.wait(SHORT_WAIT if ready_at is None else min(ready_at - now, SHORT_WAIT))
                continue
            row = queue.pop()
            if row.workspace_id in self._suspended:
                queue.done(row)
                continue
            # A free slot first, then the pacer: a 429 that came back meanwhile must count.
            slots.acquire()
            wait, scope = self.pacer.wait(row.workspace_id, row.method, row.channel)
            if wait > 0:
                slots.release()
                if scope == "method" and wait <= SHORT_WAIT:
                    queue.later(row, 0.0)
                    time.sleep(wait)
                else:
                    queue.later(row, time.monotonic() + wait)
                continue
            # The worker claims the row: commits run in parallel, not in this loop.
            self.pacer.take(row.workspace_id, row.method, row.channel)
            dispatched += 1
            with self._lock:
                self._report.dispatched += 1
            pool.submit(self._deliver, row, slots)

    def _take_back(self, queue: ReadyQueue) -> None:
        """Rows whose calls came back: rate limited ones stay first of their channel."""
        while self._finished:
            row, retry_after = self._finished.popleft()
            if retry_after is None:
                queue.done(row)
            else:
                queue.later(row, time.monotonic() + retry_after)

    def _claim(self, row: DueMessage) -> ClaimedMessage | None:
        with session_scope(self.engine) as session:
            claimed = claims.claim(session, message_id=row.id, at=datetime.now(UTC))
        if claimed is not None:
            with self._lock:
                self._mine.add(claimed.id)
        return claimed

    # ---- one row -------------------------------------------------------------------------------

    def _deliver(self, due: DueMessage, slots) -> None:
        retry_after, called = None, False
        try:
            row = self._claim(due)
            if row is None:  # another deliverer got it first
                return
            if outbox.UPDATE_OF in row.payload:
                row = self._followed(row)
                if row is None:  # its post is not sent yet, or never will be
                    return
            client = self.client_for(row.workspace_id)
            payload = outbox.for_slack(row.payload)
            payload = with_marker(payload, row.id) if row.method == POST else payload
            called = True  # from here on _call (or _upload) frees the channel
            if row.method == FILES_UPLOAD_V2:
                answer = self._upload(client, row)
            else:
                answer = self._call(
                    row.workspace_id,
                    row.method,
                    row.channel,
                    lambda: client.api_call(row.method, json=payload),
                )
            if self.after_call is not None:
                self.after_call(row.id)
            self._settle(row, answer)
            if answer.verdict == Verdict.RATE_LIMITED:
                retry_after = answer.retry_after or 1.0
        except SimulatedCrash:
            pass  # the row stays in flight, as after a real crash
        except Exception:
            # The database failed us after the call, say: the row stays in flight and its lease
            # hands it to the doubt resolver, which will not resend it blindly.
            log.exception("outbox %d: could not record the outcome", due.id)
        finally:
            if not called:
                self.pacer.done(due.workspace_id, due.method, due.channel)
            with self._lock:
                self._mine.discard(due.id)
            self._finished.append((due, retry_after))
            slots.release()
            self._wake.set()

    def _call(self, workspace_id: int, method: str, channel: str | None, call) -> Answer:
        """One call whose tokens were already taken; a 429 blocks the method for Retry-After."""
        try:
            answer = ask(call, method=method, channel=channel)
        finally:
            self.pacer.done(workspace_id, method, channel)
        limited = answer.verdict == Verdict.RATE_LIMITED
        metrics.slack_call(
            method,
            "ok" if answer.verdict == Verdict.OK else answer.error or "error",
            rate_limited=limited,
        )
        with self._lock:
            self._report.calls += 1
            if limited:
                self._report.rate_limited += 1
        if answer.verdict == Verdict.RATE_LIMITED:
            self.pacer.block(workspace_id, method, answer.retry_after or 1.0)
        return answer

    def _upload(self, client: WebClient, row: ClaimedMessage) -> Answer:
        """A file upload's three calls, each paced by its own method (schedules.files_upload)."""
        try:
            return self.uploads.deliver(client, row)
        finally:
            self.pacer.done(row.workspace_id, row.method, row.channel)

    def _paced(self, workspace_id: int, method: str, channel: str | None, call) -> Answer:
        """A call made outside the dispatcher (history lookups): waits for its own tokens."""
        wait, _ = self.pacer.wait(workspace_id, method, channel)
        if wait > SHORT_WAIT * 4:
            return Answer(Verdict.RATE_LIMITED, "paced", retry_after=wait)
        while wait > 0:
            time.sleep(wait)
            wait, _ = self.pacer.wait(workspace_id, method, channel)
        self.pacer.take(workspace_id, method, channel)
        return self._call(workspace_id, method, channel, call)

    # ---- rows in doubt ------------------------------------------------------------------------

    def _resolve_doubts(self) -> None:
        """Settle rows Slack may have posted: found → sent, absent → queued, else wait."""
        stale_before = datetime.now(UTC) - timedelta(seconds=self.limits.in_flight_lease_seconds)
        seen: set[int] = set()
        while self.keep_going():
            with session_scope(self.engine) as session:
                rows = claims.doubtful(
                    session, now=self.clock.now(), stale_before=stale_before, limit=50
                )
            rows = [r for r in rows if r.id not in seen and r.id not in self._mine]
            if not rows:
                return
            for row in rows:
                seen.add(row.id)
                if row.workspace_id not in self._suspended:
                    self._resolve(row)

    def _resolve(self, row: DoubtfulMessage) -> None:
        if row.state == OutboxState.IN_FLIGHT:
            with session_scope(self.engine) as session:
                if not claims.take_over(session, message_id=row.id):
                    return  # its process came back to it after all
        finding = self.resolver.look_for(row)
        now = self.clock.now()
        with session_scope(self.engine) as session:
            if finding.found == Found.POSTED:
                claims.mark_sent(
                    session, message_id=row.id, ts=finding.ts, channel=finding.channel, at=now
                )
                self._bump("found_posted")
            elif finding.found == Found.ABSENT and row.attempts >= self.limits.max_attempts:
                # Every try answered "may have posted" and none did: stop, as any retry does.
                stops.fail(session, message_id=row.id, error="gave_up:absent_after_doubt")
                log.error("outbox %d failed after %d attempts in doubt", row.id, row.attempts)
                self._bump("failed")
            elif finding.found == Found.ABSENT:
                claims.defer(session, message_id=row.id, until=now, error="absent_after_doubt")
                self._bump("resent")
            elif finding.found == Found.LATER:
                until = now + timedelta(seconds=finding.retry_after or 1.0)
                claims.mark_in_doubt(
                    session, message_id=row.id, until=until, error=finding.error or ""
                )
            elif finding.found == Found.TOKEN:
                self._suspend(session, row.workspace_id, finding.error or "token")
            else:
                self._hold(
                    session,
                    row.id,
                    row.workspace_id,
                    None,
                    finding.error or f"{stops.IN_DOUBT_PREFIX}unknown",
                )
                self._bump("held")
        log.info("outbox %d in doubt: %s", row.id, finding.found)
