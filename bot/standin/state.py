"""Records and stored objects of the Slack stand-in, and the shapes Slack answers with."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import zoneinfo
from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """A Web API method refused the call: becomes `{"ok": false, "error": ...}` (HTTP 200)."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass(frozen=True)
class RecordedCall:
    method: str
    args: dict
    status: int
    response: dict
    at: float
    token: str | None = None
    # Seconds the rate limiter actually needed; Retry-After is this rounded up to whole seconds.
    wait: float | None = None
    retry_after: int | None = None
    # Which injected fault shaped the answer ("status", "error", "drop", "delay"), if any.
    fault: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return self.response.get("error")


@dataclass
class StoredMessage:
    channel: str
    ts: str
    thread_ts: str | None
    text: str
    blocks: list | None
    user: str
    edited_count: int = 0
    reply_count: int = 0
    ephemeral_user: str | None = None
    attachments: list | None = None
    metadata: dict | None = None
    files: list[str] = field(default_factory=list)
    reply_users: list[str] = field(default_factory=list)
    latest_reply: str | None = None

    def to_slack(self, team_id: str, bot_id: str | None, app_id: str | None = None) -> dict:
        """The message object as Slack returns it from chat.* and conversations.replies."""
        msg: dict[str, Any] = {
            "type": "message",
            "user": self.user,
            "text": self.text,
            "ts": self.ts,
        }
        if bot_id:
            msg["bot_id"] = bot_id
            msg["app_id"] = app_id
        msg["team"] = team_id
        if self.blocks is not None:
            msg["blocks"] = self.blocks
        if self.attachments:
            msg["attachments"] = self.attachments
        if self.metadata:
            msg["metadata"] = self.metadata
        if self.files:
            msg["files"] = [{"id": f} for f in self.files]
        if self.thread_ts:
            msg["thread_ts"] = self.thread_ts
        if self.reply_count:
            msg["thread_ts"] = self.ts
            msg["reply_count"] = self.reply_count
            msg["reply_users_count"] = len(self.reply_users)
            msg["reply_users"] = list(self.reply_users)
            msg["latest_reply"] = self.latest_reply
        if self.edited_count:
            msg["edited"] = {"user": self.user, "ts": self.ts}
        return msg


@dataclass
class StoredFile:
    id: str
    filename: str
    title: str | None
    length: int
    content: bytes = b""
    uploaded: bool = False
    channel_id: str | None = None
    thread_ts: str | None = None
    shared: bool = False
    initial_comment: str | None = None
    share_ts: str | None = None  # the message that carries the file once shared

    def to_slack(self, team_id: str) -> dict:
        return {
            "id": self.id,
            "name": self.filename,
            "title": self.title or self.filename,
            "size": len(self.content),
            "mimetype": "application/octet-stream",
            "user_team": team_id,
            "is_external": False,
            "channels": [self.channel_id] if self.channel_id and self.shared else [],
        }

    def to_slack_info(self, team_id: str, private: bool) -> dict:
        """files.info's `file`: with `shares` (where and in which thread), as Slack gives it."""
        info = self.to_slack(team_id)
        if self.channel_id and self.shared:
            share = {"ts": self.share_ts, "channel_name": self.channel_id.lower()}
            if self.thread_ts:
                share["thread_ts"] = self.thread_ts
            info["shares"] = {("private" if private else "public"): {self.channel_id: [share]}}
            if private:
                info["groups"], info["channels"] = [self.channel_id], []
        return info

    @property
    def bytes(self) -> bytes:  # the name the brief asked for; `content` avoids shadowing
        return self.content


@dataclass
class Fault:
    method: str
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    delay: float = 0.0
    times: int = 1
    drop: bool = False
    body: Any = None
    apply: bool = False
    channel: str | None = None  # only calls with this `channel` argument

    @property
    def changes_answer(self) -> bool:
        return self.status != 200 or bool(self.error) or self.drop or self.body is not None

    @property
    def kind(self) -> str:
        if self.drop:
            return "drop"
        if self.status != 200:
            return "status"
        if self.error or self.body is not None:
            return "error"
        return "delay"


@dataclass
class ResponseUrl:
    id: str
    channel: str | None
    user: str | None
    created: float
    uses: int = 0
    # ("message" | "ephemeral", channel, ts) of the message replace_original/delete_original act on.
    target: tuple[str, str, str] | None = None


class TsClock:
    """Hands out Slack-style message timestamps that are unique and strictly increasing."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> str:
        micros = max(int(time.time() * 1_000_000), self._last + 1)
        self._last = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def tz_fields(tz: str) -> dict:
    """tz, tz_label and tz_offset (seconds east of UTC, as of now) like users.info."""
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    now = dt.datetime.now(zone)
    offset = now.utcoffset() or dt.timedelta(0)
    return {"tz": tz, "tz_label": now.tzname() or tz, "tz_offset": int(offset.total_seconds())}


def user_object(u: dict, team_id: str, *, locale: bool = False) -> dict:
    """A users.info `user` object from a directory entry; with its `locale` (default en-US)
    when `locale` (Slack sends it only when asked: include_locale)."""
    extra = {k: v for k, v in u.items() if k not in _USER_KEYS}
    profile = {
        "real_name": u["real_name"],
        "real_name_normalized": u["real_name"],
        "display_name": u.get("display_name") or u["name"],
        "display_name_normalized": u.get("display_name") or u["name"],
        "team": team_id,
    }
    if u.get("email"):
        profile["email"] = u["email"]
    if u.get("is_bot"):
        profile["bot_id"] = u.get("bot_id") or ("B" + u["id"][1:])
    obj = {
        "id": u["id"],
        "team_id": team_id,
        "name": u["name"],
        "real_name": u["real_name"],
        "deleted": bool(u.get("deleted")),
        "is_bot": bool(u.get("is_bot")),
        "is_admin": bool(u.get("is_admin")),
        "is_owner": bool(u.get("is_owner")),
        "is_app_user": False,
        "is_restricted": False,
        "updated": 1700000000,
        **tz_fields(u.get("tz") or "UTC"),
        "profile": profile,
    }
    if locale:
        obj["locale"] = u.get("locale") or "en-US"
    obj.update(extra)
    return obj


_USER_KEYS = {"id", "name", "real_name", "tz", "deleted", "is_bot", "is_admin", "is_owner"}
_USER_KEYS |= {"email", "display_name", "bot_id", "locale"}


def channel_object(c: dict) -> dict:
    """A conversations.info `channel` object from a directory entry (or a DM)."""
    if c.get("is_im"):
        return {
            "id": c["id"],
            "created": 1700000000,
            "is_im": True,
            "is_org_shared": False,
            "user": c["user"],
            "is_user_deleted": bool(c.get("is_user_deleted")),
            "priority": 0,
        }
    return {
        "id": c["id"],
        "name": c["name"],
        "name_normalized": c["name"],
        "is_channel": not c["is_private"],
        "is_group": c["is_private"],
        "is_im": False,
        "is_mpim": False,
        "is_private": c["is_private"],
        "is_archived": c["is_archived"],
        "is_general": False,
        "is_shared": False,
        "is_ext_shared": False,
        "is_org_shared": False,
        "is_member": c["is_member"],
        "created": 1700000000,
        "creator": "U0000000",
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
    }


def as_dict(obj: Any) -> Any:
    """JSON-safe form of records for the HTTP control surface (bytes become their length)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        d = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
        if isinstance(d.get("content"), bytes):
            d["content"] = None
            d["size"] = len(obj.content)  # type: ignore[attr-defined]
        return {k: as_dict(v) for k, v in d.items()}
    if isinstance(obj, dict):
        return {k: as_dict(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [as_dict(v) for v in obj]
    if isinstance(obj, bytes):
        return len(obj)
    return obj
