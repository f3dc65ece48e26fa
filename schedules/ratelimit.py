"""Client-side pacing of Slack calls: stay under what Slack grants instead of learning it by 429s."""

from __future__ import annotations

import heapq
import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

from bot.slack_limits import POST_MESSAGE, TokenBucket, tier_per_minute

POST = POST_MESSAGE
# How often to look again at a channel whose call is under way (a post waits an interval).
BUSY_POLL = 0.01


@dataclass(frozen=True)
class DeliveryLimits:
    """What Slack grants one app in one workspace, and how delivery uses it.

    `post_per_minute` is chat.postMessage's workspace-wide budget: Slack says "several hundred
    per minute" without a figure, so the default is the low end; raise it once Slack's answers
    show more is granted. `scale` multiplies every rate, like the stand-in's rate_limit_scale.
    """

    post_per_minute: float = 300.0
    post_per_channel_per_second: float = 1.0
    # Other methods' budgets per minute; those not named get their tier's figure.
    method_per_minute: dict[str, float] = field(default_factory=dict)
    scale: float = 1.0
    # Tokens a bucket may save up: absorbs the sender's scheduling jitter, far below the
    # "short bursts" Slack tolerates.
    burst: float = 5.0
    # Calls under way at once. Throughput is at most max_in_flight / latency: 4 calls of 300 ms
    # allow 13 posts/s, well above the default budget of 5/s. More would only widen what a
    # crash leaves in doubt, and each row in doubt costs rate-limited history reads.
    max_in_flight: int = 4
    # Rows read per query: memory stays flat however many are queued.
    batch_size: int = 256
    # After a "may have succeeded" answer, wait this long before looking for the post: a
    # timed-out request can still be carried out by Slack a moment later.
    doubt_grace_seconds: float = 30.0
    # An in-flight row older than this belongs to a dead process (a call takes at most the
    # client's timeout), so it is in doubt.
    in_flight_lease_seconds: float = 60.0
    # How far before the in-flight time the history search starts (clock skew with Slack).
    history_skew_seconds: float = 120.0
    history_page_size: int = 100
    history_max_pages: int = 5
    backoff_base_seconds: float = 2.0
    backoff_max_seconds: float = 900.0
    max_attempts: int = 20

    def per_minute(self, method: str) -> float:
        """The budget of `method` per minute, workspace-wide, after scaling."""
        if method == POST:
            base = self.post_per_minute
        elif method in self.method_per_minute:
            base = self.method_per_minute[method]
        else:
            base = tier_per_minute(method)
        return base * self.scale

    @property
    def channel_interval(self) -> float:
        """Seconds between two posts to one channel."""
        return 1 / (self.post_per_channel_per_second * self.scale)

    def scaled(self, scale: float) -> DeliveryLimits:
        return replace(self, scale=self.scale * scale)


class Pacer:
    """Token buckets per (workspace, method), and one call at a time per (workspace, channel).

    Thread-safe. One call per channel is under way at a time, which keeps a channel's posts and
    updates in order. A post's channel then waits a full interval after the answer came back,
    so two posts can never reach Slack closer than the interval, whatever the network does.
    A 429 blocks the whole method for Retry-After: Slack does not say whether the channel or the
    workspace limit was hit, and hammering after a 429 can get the app disabled.
    """

    def __init__(self, limits: DeliveryLimits, clock=time.monotonic) -> None:
        self.limits = limits
        self._now = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[int, str], TokenBucket] = {}
        self._blocked: dict[tuple[int, str], float] = {}
        self._channel_ready: dict[tuple[int, str], float] = {}
        self._channel_busy: set[tuple[int, str]] = set()

    def wait(self, workspace_id: int, method: str, channel: str | None) -> tuple[float, str]:
        """(seconds to wait, "channel" or "method"); (0, "") means go now."""
        with self._lock:
            now = self._now()
            channel_wait = self._channel_wait(workspace_id, method, channel, now)
            if channel_wait > 0:
                return channel_wait, "channel"
            blocked = self._blocked.get((workspace_id, method), 0.0) - now
            bucket_wait = self._bucket(workspace_id, method, now).wait_needed(now)
            method_wait = max(blocked, bucket_wait)
            return (method_wait, "method") if method_wait > 0 else (0.0, "")

    def take(self, workspace_id: int, method: str, channel: str | None) -> None:
        """Spend the tokens of one call that is about to go out."""
        with self._lock:
            now = self._now()
            self._bucket(workspace_id, method, now).take(now)
            if channel:
                self._channel_busy.add((workspace_id, channel))

    def done(self, workspace_id: int, method: str, channel: str | None) -> None:
        """The call's answer is back: the channel's next post may go one interval from now."""
        if not channel:
            return
        with self._lock:
            key = (workspace_id, channel)
            self._channel_busy.discard(key)
            if method != POST:
                return
            self._channel_ready[key] = self._now() + self.limits.channel_interval
            if len(self._channel_ready) > 1024:
                self._forget_ready_channels()

    def block(self, workspace_id: int, method: str, seconds: float) -> None:
        """Slack said 429: no call to `method` in this workspace for `seconds`."""
        with self._lock:
            key = (workspace_id, method)
            until = self._now() + seconds
            self._blocked[key] = max(self._blocked.get(key, 0.0), until)

    def _channel_wait(self, workspace_id: int, method: str, channel: str | None, now: float):
        if not channel:
            return 0.0
        key = (workspace_id, channel)
        if key in self._channel_busy:
            # Its answer is not back yet; a post's channel waits a full interval after it.
            return self.limits.channel_interval if method == POST else BUSY_POLL
        ready = self._channel_ready.get(key)
        if ready is None:
            return 0.0
        if ready <= now:
            del self._channel_ready[key]  # keeps the map as small as the channels posted to lately
            return 0.0
        return ready - now

    def _bucket(self, workspace_id: int, method: str, now: float) -> TokenBucket:
        key = (workspace_id, method)
        bucket = self._buckets.get(key)
        if bucket is None:
            per_minute = self.limits.per_minute(method)
            rate = per_minute / 60
            # Never more than a tenth of a minute's budget at once (1 for Tier 1 methods).
            capacity = max(1.0, min(self.limits.burst, math.floor(per_minute / 10)))
            bucket = TokenBucket(capacity=capacity, rate=rate, tokens=1.0, last=now)
            self._buckets[key] = bucket
        return bucket

    def _forget_ready_channels(self) -> None:
        """A fan-out posts once to thousands of DMs: keep only channels still pacing."""
        now = self._now()
        self._channel_ready = {k: t for k, t in self._channel_ready.items() if t > now}


class ReadyQueue:
    """Due rows waiting for their turn: the earliest ready first, id order within a channel.

    Only the first row of each channel is in the heap; the channel's other rows wait behind it
    in a lane, so a row set aside (its channel is pacing, its method got a 429) can never be
    overtaken by a later row of the same channel. Rows without a channel are ordered by id.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Any]] = []
        self._lanes: dict[tuple[int, str], deque] = {}
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def heads(self) -> int:
        """Rows that could go next: one per channel."""
        return len(self._heap)

    def add(self, row: Any) -> None:
        """A row fresh from the database, ready now (rows arrive in id order)."""
        self._size += 1
        key = _lane(row)
        if key is not None:
            if key in self._lanes:
                self._lanes[key].append(row)
                return
            self._lanes[key] = deque()
        heapq.heappush(self._heap, (0.0, row.id, row))

    def next_ready_at(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def pop(self) -> Any:
        """The next row; the caller then calls `later` or `done` with it."""
        return heapq.heappop(self._heap)[2]

    def later(self, row: Any, ready_at: float) -> None:
        """Not yet: the row goes back, still first of its channel."""
        heapq.heappush(self._heap, (ready_at, row.id, row))

    def done(self, row: Any) -> None:
        """The row went out (or was dropped): the next of its channel may go."""
        self._size -= 1
        key = _lane(row)
        if key is None:
            return
        lane = self._lanes[key]
        if lane:
            following = lane.popleft()
            heapq.heappush(self._heap, (0.0, following.id, following))
        else:
            del self._lanes[key]


def _lane(row: Any) -> tuple[int, str] | None:
    return (row.workspace_id, row.channel) if row.channel else None
