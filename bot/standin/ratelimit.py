"""Slack's per-method rate-limit tiers as token buckets, for the stand-in."""

from __future__ import annotations

import math

from bot import slack_limits
from bot.slack_limits import DEFAULT_TIER, TIER_PER_MINUTE, TokenBucket

# None = not limited. "post" = chat.postMessage's own rule (per channel + workspace-wide).
METHOD_TIERS: dict[str, int | str | None] = {
    **slack_limits.METHOD_TIERS,
    # Bolt calls auth.test at start-up and per request without a cached result: never limit it.
    "auth.test": None,
    # Slack lists it as Tier 1, but an app may hold 10 links and opens a new one on every
    # refresh; slack_sdk notes it is rarely limited. Limiting it here would only slow tests.
    "apps.connections.open": None,
    "chat.postMessage": "post",
}


def retry_after_header(wait: float) -> int:
    """Whole seconds for Retry-After.

    slack_sdk's RateLimitErrorRetryHandler does `int(header)`, so the header must be an integer;
    it is at least 1 so that a client never retries at once. With rate_limit_scale > 1 the
    needed wait is often far below a second: the exact figure is in RecordedCall.wait and in the
    X-Standin-Retry-After-Exact header for clients that want to honour it precisely.
    """
    return max(1, math.ceil(wait))


class RateLimiter:
    """Token buckets per method (workspace-wide) and per channel for chat.postMessage.

    Not thread-safe by itself: the stand-in calls it under its one lock.
    """

    def __init__(
        self,
        scale: float = 1.0,
        *,
        post_message_per_second: float = 1.0,
        post_message_burst: int = 3,
        post_message_workspace_per_minute: float = 300,
        post_message_workspace_burst: float | None = None,
        method_tiers: dict[str, int | str | None] | None = None,
    ) -> None:
        if scale <= 0:
            raise ValueError("rate_limit_scale must be positive")
        self.scale = scale
        self.post_rate = post_message_per_second
        self.post_burst = post_message_burst
        self.workspace_per_minute = post_message_workspace_per_minute
        self.workspace_burst = post_message_workspace_burst or post_message_workspace_per_minute
        self.tiers = dict(METHOD_TIERS if method_tiers is None else method_tiers)
        self._buckets: dict[tuple[str, str], TokenBucket] = {}

    def reset(self) -> None:
        self._buckets.clear()

    def check(self, method: str, channel: str | None, now: float) -> float:
        """Take a token for this call; return 0.0, or the seconds to wait if over the limit."""
        buckets = self._buckets_for(method, channel, now)
        wait = max((b.wait_needed(now) for b in buckets), default=0.0)
        if wait > 0:
            return wait
        for b in buckets:
            b.take(now)
        return 0.0

    def _buckets_for(self, method: str, channel: str | None, now: float) -> list[TokenBucket]:
        tier = self.tiers.get(method, DEFAULT_TIER)
        if tier is None:
            return []
        if tier == "post":
            workspace = self._bucket(
                ("chat.postMessage", "*"),
                self.workspace_burst,
                self.workspace_per_minute / 60,
                now,
            )
            if not channel:
                return [workspace]
            per_channel = self._bucket(
                ("chat.postMessage", channel), self.post_burst, self.post_rate, now
            )
            return [per_channel, workspace]
        per_minute = TIER_PER_MINUTE[int(tier)]
        return [self._bucket((method, "*"), per_minute, per_minute / 60, now)]

    def _bucket(
        self, key: tuple[str, str], capacity: float, rate: float, now: float
    ) -> TokenBucket:
        b = self._buckets.get(key)
        if b is None:
            # Scale speeds up refill only: bursts keep Slack's size, the window shrinks.
            b = TokenBucket(capacity=capacity, rate=rate * self.scale, tokens=capacity, last=now)
            self._buckets[key] = b
        return b
