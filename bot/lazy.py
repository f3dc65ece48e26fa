"""Where Bolt's lazy listeners run: answers wait their turn, interactions never wait behind them.

Bolt runs every lazy listener on one executor. Ours are of two kinds:
- answers: a slash command answered through its response_url (`/hoshin status`, `help`,
  `check`, `reflect`...). The URL stays valid for 30 minutes, so under a burst they may queue;
  one worker keeps their CPU work from crowding the 3-second acks off the GIL (bench_acks:
  one worker took the ack p99 at 50 concurrent requests from ~270 ms to ~150 ms).
- interactions: everything else, above all the modals opened from a click or a command, whose
  `trigger_id` expires about 3 s after the person acted. They get workers of their own, so a
  queue of answers can never make a modal miss its trigger.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from logging import Logger

from slack_bolt.lazy_listener.internals import build_runnable_function
from slack_bolt.lazy_listener.runner import LazyListenerRunner
from slack_bolt.request import BoltRequest

ANSWER_THREADS = 1
INTERACTION_THREADS = 4


class RoutedLazyRunner(LazyListenerRunner):
    """A LazyListenerRunner with two executors, chosen per request by `is_answer`."""

    def __init__(
        self,
        logger: Logger,
        *,
        answers: Executor,
        interactions: Executor,
        is_answer: Callable[[BoltRequest], bool],
    ) -> None:
        self.logger = logger
        self.answers, self.interactions, self.is_answer = answers, interactions, is_answer

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        try:
            answer = self.is_answer(request)
        except Exception:  # a request we cannot classify goes where nothing waits
            answer = False
        executor = self.answers if answer else self.interactions
        executor.submit(build_runnable_function(func=function, logger=self.logger, request=request))
