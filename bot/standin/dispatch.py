"""Dispatch of the stand-in: faults, auth, rate limits, the method call, and the record of it."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .ratelimit import RateLimiter, retry_after_header
from .state import ApiError, Fault, RecordedCall

log = logging.getLogger(__name__)

METHODS: dict[str, str] = {
    "apps.connections.open": "_apps_connections_open",
    "auth.test": "_auth_test",
    "chat.postMessage": "_chat_postMessage",
    "chat.update": "_chat_update",
    "chat.postEphemeral": "_chat_postEphemeral",
    "chat.delete": "_chat_delete",
    "chat.getPermalink": "_chat_getPermalink",
    "conversations.open": "_conversations_open",
    "conversations.info": "_conversations_info",
    "conversations.list": "_conversations_list",
    "conversations.history": "_conversations_history",
    "conversations.replies": "_conversations_replies",
    "users.info": "_users_info",
    "users.list": "_users_list",
    "users.lookupByEmail": "_users_lookupByEmail",
    "views.open": "_views_open",
    "views.push": "_views_push",
    "views.update": "_views_update",
    "views.publish": "_views_publish",
    "files.getUploadURLExternal": "_files_getUploadURLExternal",
    "files.completeUploadExternal": "_files_completeUploadExternal",
    "files.info": "_files_info",
}
# Methods that take the app-level token (xapp-...) and no other; the rest take the bot token.
APP_TOKEN_METHODS = ("apps.connections.open",)
# Pseudo-methods under which response_url posts and file uploads are recorded and faulted.
RESPONSE_URL = "response_url"
UPLOAD = "upload"

STATUS_ERRORS = {500: "internal_error", 502: "bad_gateway", 503: "service_unavailable"}


@dataclass
class Answer:
    """What the HTTP layer sends: a JSON dict or plain text, unless the fault drops it."""

    status: int
    payload: dict | str
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False


class Dispatcher:
    """Turns one HTTP request into one Answer and one RecordedCall, under SlackStandIn's lock."""

    _calls: list[RecordedCall]
    _faults: list[Fault]
    _stats: dict[str, dict[str, int]]
    _response_posts: list[dict]
    _limiter: RateLimiter

    def handle_api(
        self, method: str, args: dict, token: str | None, parse_error: str | None
    ) -> Answer:
        def process() -> tuple[int, dict, dict, float | None]:
            if method not in METHODS:
                return 200, {"ok": False, "error": "unknown_method", "req_method": method}, {}, None
            if parse_error:
                return 200, {"ok": False, "error": parse_error}, {}, None
            auth_error = self._auth_error(method, token)
            if auth_error:
                return 200, {"ok": False, "error": auth_error}, {}, None
            if self.rate_limits:
                wait = self._limiter.check(
                    method, self._rate_channel(method, args), time.monotonic()
                )
                if wait > 0:
                    headers = {
                        "Retry-After": str(retry_after_header(wait)),
                        "X-Standin-Retry-After-Exact": f"{wait:.3f}",
                    }
                    return 429, {"ok": False, "error": "ratelimited"}, headers, wait
            try:
                return 200, getattr(self, METHODS[method])(args), {}, None
            except ApiError as e:
                return 200, {"ok": False, "error": e.error, **e.extra}, {}, None
            except Exception as e:  # a malformed argument must not kill the stand-in
                log.exception("stand-in failed on %s", method)
                meta = {"messages": [f"[ERROR] stand-in could not process the call: {e!r}"]}
                return (
                    200,
                    {"ok": False, "error": "invalid_arguments", "response_metadata": meta},
                    {},
                    None,
                )

        return self._run(method, args, token, process)

    def handle_response_url(self, url_id: str, body: Any) -> Answer:
        def process() -> tuple[int, str, dict, None]:
            status, text = self._response_post(url_id, body)
            self._response_posts.append({"url": url_id, "body": body, "status": status})
            return status, text, {}, None

        args = dict(body) if isinstance(body, dict) else {"raw": body}
        return self._run(RESPONSE_URL, {**args, "response_url_id": url_id}, None, process)

    def handle_upload(self, file_id: str, content_type: str, body: bytes) -> Answer:
        def process() -> tuple[int, str, dict, None]:
            status, text = self._receive_upload(file_id, content_type, body)
            return status, text, {}, None

        return self._run(UPLOAD, {"file_id": file_id, "length": len(body)}, None, process)

    def _run(self, method: str, args: dict, token: str | None, process: Callable) -> Answer:
        with self._lock:
            at = time.monotonic()
            fault = self._take_fault(method, args.get("channel"))
            status, payload, headers, wait = 200, {}, {}, None
            if fault is None or fault.apply or not fault.changes_answer:
                status, payload, headers, wait = process()
            answer = Answer(status, payload, headers)
            if fault is not None:
                answer.delay = fault.delay
                if fault.changes_answer:
                    answer = self._fault_answer(fault)
            self._record(method, args, token, at, answer, wait, fault)
            return answer

    def _auth_error(self, method: str, token: str | None) -> str | None:
        if not token:
            return "not_authed"
        app_level = method in APP_TOKEN_METHODS
        expected, other = (
            (self.app_token, self.bot_token) if app_level else (self.bot_token, self.app_token)
        )
        if token == other:
            return "not_allowed_token_type"
        if self._token_revoked and not app_level:
            return "token_revoked"
        if token != expected:
            return "invalid_auth"
        return None

    def _rate_channel(self, method: str, args: dict) -> str | None:
        channel = args.get("channel") if method == "chat.postMessage" else None
        return self._channel_key(channel) if isinstance(channel, str) else None

    def _take_fault(self, method: str, channel: Any = None) -> Fault | None:
        for fault in self._faults:
            if fault.method in (method, "*") and fault.channel in (None, channel):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    @staticmethod
    def _fault_answer(fault: Fault) -> Answer:
        if fault.drop:
            return Answer(0, {}, delay=fault.delay, drop=True)
        status = fault.status
        if fault.error == "ratelimited" and status == 200:
            status = 429  # Slack never says ratelimited with a 200
        headers = {"Retry-After": str(fault.retry_after or 1)} if status == 429 else {}
        if fault.body is not None:
            payload = fault.body
        elif status == 429:
            payload = {"ok": False, "error": "ratelimited"}
        else:
            error = fault.error or STATUS_ERRORS.get(status, "request_failed")
            payload = {"ok": False, "error": error}
        return Answer(status, payload, headers, delay=fault.delay)

    def _record(
        self,
        method: str,
        args: dict,
        token: str | None,
        at: float,
        answer: Answer,
        wait: float | None,
        fault: Fault | None,
    ) -> None:
        if isinstance(answer.payload, dict):
            response = copy.deepcopy(answer.payload)
        else:
            response = {"ok": answer.status == 200, "body": answer.payload}
        retry_after = answer.headers.get("Retry-After")
        self._calls.append(
            RecordedCall(
                method=method,
                args=copy.deepcopy(args),
                status=answer.status,
                response=response,
                at=at,
                token=token,
                wait=wait,
                retry_after=int(retry_after) if retry_after else None,
                fault=fault.kind if fault else None,
            )
        )
        if answer.drop:
            outcome = "dropped"
        elif answer.status == 429:
            outcome = "ratelimited"
        elif answer.status == 200 and response.get("ok"):
            outcome = "ok"
        else:
            outcome = "error"
        counts = self._stats.setdefault(
            method, {"ok": 0, "ratelimited": 0, "error": 0, "dropped": 0}
        )
        counts[outcome] += 1
