"""Where Bolt's lazy listeners run: answers wait their turn, interactions never wait behind them.

Bolt runs every lazy listener on one executor. Ours are of two kinds:
- answers: a slash command answered through its response_url (`/hoshin status`, `help`,
  `check`, `reflect`...). The URL stays valid for 30 minutes, so they can wait: they run on
  one worker, and each waits until no request has been acked for QUIET seconds (`AckGate`),
  at most ANSWER_PATIENCE seconds. A burst of commands is acked first and answered right after, instead
  of every ack competing with the answers' CPU work for the GIL (bench_acks: at 50 concurrent
  `/hoshin status`, ack p99 from ~290 ms to ~120 ms on one instance).
- interactions: everything else, above all the modals opened from a click or a command, whose
  `trigger_id` expires about 3 s after the person acted. They get workers of their own and
  never wait at the gate, so a queue of answers can never make a modal miss its trigger.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from logging import Logger

from slack_bolt.lazy_listener.internals import build_runnable_function
from slack_bolt.lazy_listener.runner import LazyListenerRunner
from slack_bolt.listener.thread_runner import ThreadListenerRunner
from slack_bolt.request import BoltRequest

ANSWER_THREADS = 1
INTERACTION_THREADS = 4
# How long an answer may wait for a moment with no ack in flight. Past it, answers run even
# under a burst that does not end, competing with the acks as they would without the gate.
ANSWER_PATIENCE = 5.0
# ...and how long no request must have been acked before an answer starts.
QUIET = 0.025


class AckGate:
    """The requests being acked right now; answers wait until there are none."""

    def __init__(self, patience: float = ANSWER_PATIENCE, quiet: float = QUIET) -> None:
        self.patience, self.quiet = patience, quiet
        self._acking = 0
        self._last_ack = float("-inf")  # when the last ack went out (time.monotonic())
        self._changed = threading.Condition()

    @contextmanager
    def acking(self) -> Iterator[None]:
        """Around one request's dispatch, from its arrival until its ack is returned."""
        with self._changed:
            self._acking += 1
        try:
            yield
        finally:
            with self._changed:
                self._acking -= 1
                self._last_ack = time.monotonic()
                if not self._acking:
                    self._changed.notify_all()

    def wait_quiet(self, since: float) -> bool:
        """Block until no request has been acked for `quiet` seconds, or `patience` seconds after
        `since` (time.monotonic()); True if it became quiet, False if patience ran out.

        The short quiet window matters under a burst: between two requests the count touches
        zero for a moment, and an answer started then would take the GIL from the next acks.
        """
        deadline = since + self.patience
        with self._changed:
            while True:
                now = time.monotonic()
                if not self._acking and now - self._last_ack >= self.quiet:
                    return True
                if now >= deadline:
                    return False
                wait = deadline - now if self._acking else self.quiet - (now - self._last_ack)
                self._changed.wait(min(wait, deadline - now))


class RoutedLazyRunner(LazyListenerRunner):
    """A LazyListenerRunner with two executors, chosen per request by `is_answer`; answers go
    through `gate` first."""

    def __init__(
        self,
        logger: Logger,
        *,
        answers: Executor,
        interactions: Executor,
        is_answer: Callable[[BoltRequest], bool],
        gate: AckGate,
    ) -> None:
        self.logger = logger
        self.answers, self.interactions, self.is_answer = answers, interactions, is_answer
        self.gate = gate

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        try:
            answer = self.is_answer(request)
        except Exception:  # a request we cannot classify goes where nothing waits
            answer = False
        run = build_runnable_function(func=function, logger=self.logger, request=request)
        if not answer:
            self.interactions.submit(run)
            return
        queued = time.monotonic()

        def when_quiet() -> None:
            self.gate.wait_quiet(queued)
            run()

        self.answers.submit(when_quiet)


class LeanListenerRunner(ThreadListenerRunner):
    """Bolt's listener runner, minus one deep copy per lazy listener on the ack path.

    Bolt hands each lazy listener `deepcopy(request.to_copyable())`; over HTTP `to_copyable()`
    is already a fresh request (the body parsed again from the raw body, the context's own
    values copied, the standard ones read-only), so the deep copy of it only spent CPU: about
    a sixth of each `/hoshin` ack's. On Socket Mode it keeps the envelope's body, which is
    copied here (tests/security/test_ack_pool.py checks what the copy carries, on both).
    """

    def _build_lazy_request(self, request: BoltRequest, lazy_func_name: str) -> BoltRequest:
        copied = request.to_copyable()
        if copied.body is request.body:  # Socket Mode: the envelope's dict, not parsed again
            copied.body = copy.deepcopy(request.body)
        copied.lazy_only = True
        copied.lazy_function_name = lazy_func_name
        copied.context["listener_runner"] = self
        if request.context.get_thread_context is not None:
            copied.context["get_thread_context"] = request.context.get_thread_context
        if request.context.save_thread_context is not None:
            copied.context["save_thread_context"] = request.context.save_thread_context
        return copied

    @classmethod
    def replacing(
        cls, runner: ThreadListenerRunner, lazy: LazyListenerRunner
    ) -> LeanListenerRunner:
        """One with `runner`'s handlers and executor, and `lazy` for the lazy listeners."""
        return cls(
            logger=runner.logger,
            process_before_response=runner.process_before_response,
            listener_error_handler=runner.listener_error_handler,
            listener_start_handler=runner.listener_start_handler,
            listener_completion_handler=runner.listener_completion_handler,
            listener_executor=runner.listener_executor,
            lazy_listener_runner=lazy,
        )
