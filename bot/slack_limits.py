"""Slack's published rate limits and the token bucket that models them.

One source for both sides: the delivery paces itself by these figures, and the local Slack
stand-in enforces them. Slack grants "N+" calls a minute per tier; both sides take exactly N.
"""

from __future__ import annotations

from dataclasses import dataclass

TIER_PER_MINUTE: dict[int, float] = {1: 1.0, 2: 20.0, 3: 50.0, 4: 100.0}
DEFAULT_TIER = 3
POST_MESSAGE = "chat.postMessage"  # its own rule: ~1/s per channel plus a workspace-wide budget
# Not a Slack method: an outbox row that makes the three calls of one file upload (each paced by
# its own tier below); see schedules/files_upload.py.
FILES_UPLOAD_V2 = "files.uploadV2"

METHOD_TIERS: dict[str, int] = {
    "auth.test": 4,
    "chat.update": 3,
    "chat.delete": 3,
    "chat.postEphemeral": 4,
    "chat.getPermalink": 4,
    "conversations.open": 3,
    "conversations.info": 3,
    "conversations.replies": 3,
    "conversations.history": 3,
    "conversations.list": 2,
    "users.info": 4,
    "users.list": 2,
    "users.lookupByEmail": 3,
    "views.open": 4,
    "views.push": 4,
    "views.update": 4,
    "views.publish": 4,
    "files.getUploadURLExternal": 4,
    "files.completeUploadExternal": 4,
    "files.info": 4,
}


def tier_per_minute(method: str) -> float:
    return TIER_PER_MINUTE[METHOD_TIERS.get(method, DEFAULT_TIER)]


@dataclass
class TokenBucket:
    """`capacity` tokens at most, refilled at `rate` per second; one call takes one token."""

    capacity: float
    rate: float  # tokens per second
    tokens: float
    last: float

    def wait_needed(self, now: float) -> float:
        """Seconds until one token is available (0 if one is available now)."""
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1

    def _refill(self, now: float) -> None:
        if now > self.last:
            self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
            self.last = now
