"""SlackStandIn: a local stand-in for Slack's Web API that records, answers, limits and fails."""

from __future__ import annotations

import copy
import itertools
import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .api_chat import ChatApi
from .api_directory import DirectoryApi
from .api_views_files import ViewsFilesApi
from .dispatch import Dispatcher
from .httpd import StandInServer
from .ratelimit import RateLimiter
from .state import Fault, RecordedCall, ResponseUrl, StoredFile, StoredMessage, TsClock

if TYPE_CHECKING:
    from .socket_mode import SocketModeServer


class SlackStandIn(Dispatcher, ChatApi, DirectoryApi, ViewsFilesApi):
    """A local HTTP server speaking Slack's Web API; one lock guards all of its state.

    Choices where Slack is vague or the stand-in simplifies:
    - conversations.open for a deactivated person answers user_disabled; chat.postMessage to
      their id or DM answers account_inactive; to an unknown user id, channel_not_found.
    - views.* refuse bad views with invalid_arguments (Slack's code for views), messages with
      invalid_blocks; both carry `errors` and `response_metadata.messages`.
    - An unknown trigger_id answers expired_trigger_id, a reused one exchanged_trigger_id.
    - response_url posts and file uploads are recorded (and can be faulted) under the
      pseudo-methods "response_url" and "upload".
    - Retry-After is whole seconds, at least 1 (slack_sdk parses it with int()); the exact
      wait is in RecordedCall.wait and the X-Standin-Retry-After-Exact header.
    - Socket Mode (`socket`, started by the first apps.connections.open): see socket_mode.py.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        team_id: str = "T0DEMO",
        team_name: str = "Demo Co",
        bot_user_id: str = "UHOSHINBOT",
        bot_token: str = "xoxb-test-token",
        rate_limit_scale: float = 1.0,
        rate_limits: bool = True,
        *,
        trigger_ttl: float = 3.0,
        response_url_ttl: float = 30 * 60,
        response_url_max_uses: int = 5,
        post_message_burst: int = 3,
        post_message_workspace_per_minute: float = 300,
        post_message_workspace_burst: float | None = None,
        method_tiers: dict[str, int | str | None] | None = None,
        app_token: str = "xapp-1-A0STANDIN-1-test",
        socket_ack_timeout: float = 3.0,
    ) -> None:
        self.host, self._port = host, port
        self.team_id, self.team_name = team_id, team_name
        self.team_domain = re.sub(r"[^a-z0-9]+", "-", team_name.lower()).strip("-") or "team"
        self.bot_user_id, self.bot_token = bot_user_id, bot_token
        self.app_token = app_token
        self.socket_ack_timeout = socket_ack_timeout
        self._socket: SocketModeServer | None = None
        self.bot_id = "B" + bot_user_id[1:]
        self.app_id = "A" + bot_user_id[1:]
        self.rate_limits = rate_limits
        self.trigger_ttl = trigger_ttl
        self.response_url_ttl = response_url_ttl
        self.response_url_max_uses = response_url_max_uses
        self._limiter = RateLimiter(
            rate_limit_scale,
            post_message_burst=post_message_burst,
            post_message_workspace_per_minute=post_message_workspace_per_minute,
            post_message_workspace_burst=post_message_workspace_burst,
            method_tiers=method_tiers,
        )
        self._lock = threading.RLock()
        self._httpd: StandInServer | None = None
        self._thread: threading.Thread | None = None
        self._ts = TsClock()
        self._seq = itertools.count(1)
        self._token_revoked = False
        self._users: dict[str, dict] = {}
        self._channels: dict[str, dict] = {}
        self.add_user(bot_user_id, name="hoshin_bot", real_name="Hoshin Bot", is_bot=True)
        self._forget()

    def _forget(self) -> None:
        self._calls: list[RecordedCall] = []
        self._msgs: dict[tuple[str, str], StoredMessage] = {}
        self._ephemerals: list[StoredMessage] = []
        self._files: dict[str, StoredFile] = {}
        self._views: dict[str, dict] = {}
        self._home_views: dict[str, dict] = {}
        self._view_stacks: dict[str, list[str]] = {}
        self._triggers: dict[str, dict] = {}
        self._response_urls: dict[str, ResponseUrl] = {}
        self._response_posts: list[dict] = []
        self._faults: list[Fault] = []
        self._stats: dict[str, dict[str, int]] = {}
        self._limiter.reset()
        if self._socket is not None:
            self._socket.reset()

    # ---- lifecycle -------------------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        if self._httpd is not None:
            return self
        httpd = StandInServer((self.host, self._port), self)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering; `start()` again answers on the same port (Slack down, then back)."""
        if self._socket is not None:
            self._socket.stop()
            self._socket = None
        if self._httpd is None:
            return
        self._port = self._httpd.server_address[1]
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("SlackStandIn is not started")
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    @property
    def socket(self) -> SocketModeServer:
        """Slack's Socket Mode side: links, envelopes to deliver, acks (started on first use)."""
        with self._lock:
            if self._socket is None:
                from .socket_mode import SocketModeServer  # needs websockets, a dev dependency

                self._socket = SocketModeServer(
                    app_id=self.app_id, host=self.host, ack_timeout=self.socket_ack_timeout
                )
            return self._socket

    def _apps_connections_open(self, a: dict) -> dict:
        return {"ok": True, "url": self.socket.open_url()}

    # ---- directory -----------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        real_name: str | None = None,
        tz: str = "UTC",
        deleted: bool = False,
        is_bot: bool = False,
        locale: str = "en-US",
        **extra: Any,
    ) -> None:
        """Add or replace a person; extra keys (email, is_admin, display_name...) go to users.info.
        Their `locale` is in users.info's answer when it is asked for with include_locale."""
        name = name or user_id.lower()
        user = {"id": user_id, "name": name, "real_name": real_name or name, "tz": tz}
        user["locale"] = locale
        user.update(deleted=deleted, is_bot=is_bot, **extra)
        with self._lock:
            self._users[user_id] = user

    def set_user(self, user_id: str, **changes: Any) -> None:
        with self._lock:
            self._users[user_id].update(changes)

    def add_channel(
        self,
        channel_id: str,
        name: str | None = None,
        is_member: bool = True,
        is_archived: bool = False,
        is_private: bool | None = None,
    ) -> None:
        """Add or replace a channel; private defaults to True for G… ids."""
        private = channel_id.startswith("G") if is_private is None else is_private
        channel = {"id": channel_id, "name": name or channel_id.lower(), "is_private": private}
        channel.update(is_member=is_member, is_archived=is_archived)
        with self._lock:
            self._channels[channel_id] = channel

    def set_channel(self, channel_id: str, **changes: Any) -> None:
        with self._lock:
            self._channels[channel_id].update(changes)

    def revoke_token(self) -> None:
        with self._lock:
            self._token_revoked = True

    def add_message(
        self, channel: str, text: str, user: str, thread_ts: str | None = None, blocks=None
    ) -> StoredMessage:
        """A message someone else posted (a person's thread reply, say)."""
        with self._lock:
            if channel[:1] in ("U", "W"):
                channel = self._open_dm(channel)[0]
            return copy.deepcopy(self._store_message(channel, text, blocks, thread_ts, user))

    # ---- observation ---------------------------------------------------------------------------

    @property
    def calls(self) -> list[RecordedCall]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def _channel_key(self, channel: str | None) -> str | None:
        if channel and channel[:1] in ("U", "W"):
            return self._dm_id(channel)
        return channel

    def messages(self, channel: str | None = None) -> list[StoredMessage]:
        """Posted messages as they now stand, in post order; a user id selects their DM."""
        with self._lock:
            key = self._channel_key(channel)
            found = [m for m in self._msgs.values() if key is None or m.channel == key]
            return copy.deepcopy(found)

    def ephemerals(
        self, channel: str | None = None, user: str | None = None
    ) -> list[StoredMessage]:
        with self._lock:
            key = self._channel_key(channel)
            found = [
                m
                for m in self._ephemerals
                if (key is None or m.channel == key) and (user is None or m.ephemeral_user == user)
            ]
            return copy.deepcopy(found)

    @property
    def files(self) -> list[StoredFile]:
        with self._lock:
            return copy.deepcopy(list(self._files.values()))

    @property
    def views(self) -> dict[str, dict]:
        with self._lock:
            return copy.deepcopy(self._views)

    @property
    def home_views(self) -> dict[str, dict]:
        with self._lock:
            return copy.deepcopy(self._home_views)

    def stats(self) -> dict[str, dict[str, int]]:
        """Per method: counts of ok, ratelimited (429), error (ok=false or 5xx) and dropped."""
        with self._lock:
            return copy.deepcopy(self._stats)

    def response_posts(self, url: str | None = None) -> list[dict]:
        """JSON bodies posted to response urls, in order (refused posts included)."""
        url_id = url.rstrip("/").rsplit("/", 1)[-1] if url else None
        with self._lock:
            return [
                copy.deepcopy(p["body"])
                for p in self._response_posts
                if url_id is None or p["url"] == url_id
            ]

    def wait_for(self, predicate: Callable[[SlackStandIn], Any], timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            if predicate(self):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    def wait_for_calls(
        self, method: str, count: int = 1, timeout: float = 5.0
    ) -> list[RecordedCall]:
        if self.wait_for(lambda s: len(s.calls_to(method)) >= count, timeout):
            return self.calls_to(method)
        seen = [f"{c.method} -> {c.status} {c.error or 'ok'}" for c in self.calls]
        raise AssertionError(
            f"expected {count} call(s) to {method} within {timeout}s, "
            f"got {len(self.calls_to(method))}; calls so far: {seen or 'none'}"
        )

    # ---- scenario control ---------------------------------------------------------------------

    def new_trigger_id(self, view_id: str | None = None) -> str:
        """A trigger_id valid for trigger_ttl seconds; view_id says which modal it came from."""
        with self._lock:
            tid = f"{next(self._seq)}.{self.team_id[1:]}.{secrets.token_hex(8)}"
            self._triggers[tid] = {
                "expires": time.monotonic() + self.trigger_ttl,
                "used": False,
                "view_id": view_id,
            }
            return tid

    def new_response_url(
        self, channel: str | None = None, user: str | None = None, message_ts: str | None = None
    ) -> str:
        """A response_url; message_ts names the message a button sat on (for replace_original)."""
        with self._lock:
            rid = secrets.token_hex(12)
            ru = ResponseUrl(rid, channel, user, time.monotonic())
            if message_ts and channel:
                ru.target = ("message", channel, message_ts)
            self._response_urls[rid] = ru
            return f"{self.url}/response/{rid}"

    def inject(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
        times: int = 1,
        drop: bool = False,
        body: Any = None,
        apply: bool = False,
        channel: str | None = None,
    ) -> None:
        """Queue a fault for the next `times` calls of `method` ("*" = any), or with `channel`
        only for those calls whose `channel` argument it is.

        apply=True carries the call out before answering with the fault: Slack's "may have
        succeeded" (internal_error / fatal_error, or a dropped connection after the work).
        A delay alone always carries the call out; only the answer is late.
        """
        fault = Fault(method, status, error, retry_after, delay, times, drop, body, apply, channel)
        with self._lock:
            self._faults.append(fault)

    def reset(self) -> None:
        """Forget calls, messages, files, views, urls, faults and limits; keep people and token."""
        with self._lock:
            self._forget()
