"""Delivery of a "files upload v2" outbox row: Slack's three-call upload, resumable, never twice.

1. files.getUploadURLExternal (filename, length) → an upload URL and a file id;
2. the bytes are POSTed to that URL;
3. files.completeUploadExternal (the file id, channel_id, thread_ts) shares the file.

Each step's result is written into the row's payload before the next (`claims.remember`), so a
retry resumes where the last attempt stopped and always with the same file id. Writing it also
renews the row's in-flight lease: the upload as a whole may last four calls (files.info first,
on a retry), each up to the client's timeout, but never one call longer than the lease (six
timeouts, `schedules.delivery.limits_from`), so no other deliverer takes a live upload for a
dead one.

Why the upload is not one of the CREATING_METHODS (whose rows are looked for in the channel's
history after a crash): a file share carries no metadata to find it by, and it needs none. A
crashed upload's row comes back as "absent", is queued again, and this resumption settles it:
before completing again it asks files.info whether the file was shared, so the chart is never
shared twice. A file exists
in the channel only once step 3 succeeded for it, so a retry of step 3 first asks files.info
whether the file was already shared there (a 500 or internal_error may have come after Slack
did the work): shared means sent; not shared means step 3 again, for the same file.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine

from schedules.slack_answers import Answer, Verdict
from storage.db import session_scope
from storage.outbox import claims
from storage.outbox.claims import ClaimedMessage

GET_URL = "files.getUploadURLExternal"
COMPLETE = "files.completeUploadExternal"
INFO = "files.info"

# (workspace_id, method, channel, the call) -> its answer, paced and counted by the deliverer.
PacedCall = Callable[[int, str, str | None, Callable[[], Any]], Answer]


class ChartUpload:
    """Carries out one upload row; the deliverer settles the row with the Answer returned."""

    def __init__(self, engine: Engine, call: PacedCall) -> None:
        self.engine = engine
        self.call = call

    def deliver(self, client: WebClient, row: ClaimedMessage) -> Answer:
        payload = dict(row.payload)
        ws = row.workspace_id
        channel = payload.get("channel")
        thread_ts = payload.get("thread_ts")
        data = base64.b64decode(payload.get("png_b64") or "")
        file_id = payload.get("file_id")
        if file_id and payload.get("completing"):
            # Step 3 went out before: did Slack share the file after all?
            found = self.call(ws, INFO, None, lambda: client.files_info(file=file_id))
            if found.verdict == Verdict.OK:
                where = _shared_in((found.data or {}).get("file") or {}, channel)
                if where is not None:
                    return _done(file_id, channel, where)
            elif found.error == "file_not_found":
                file_id = None  # gone (expired unshared): start again with a new file
                self._remember(row, file_id=None, upload_url=None, uploaded=False, completing=False)
            else:
                return found  # could not look: retry later, never complete blindly
        if not file_id:
            got = self.call(
                ws,
                GET_URL,
                None,
                lambda: client.files_getUploadURLExternal(
                    filename=payload.get("filename") or "chart.png", length=len(data)
                ),
            )
            if got.verdict != Verdict.OK:
                return got
            file_id = (got.data or {}).get("file_id")
            upload_url = (got.data or {}).get("upload_url")
            if not file_id or not upload_url:
                return Answer(Verdict.RETRY, "upload:no_url")
            self._remember(row, file_id=file_id, upload_url=upload_url, uploaded=False)
            payload.update(file_id=file_id, upload_url=upload_url, uploaded=False)
        if not payload.get("uploaded"):
            # The bytes wait no longer than any Slack call: SLACK_TIMEOUT_SECONDS, the client's.
            problem = self._post_bytes(payload["upload_url"], data, timeout=client.timeout)
            if problem == "upload:http_404":
                # The URL expired: the file was never completed, so it can never show; anew.
                self._remember(row, file_id=None, upload_url=None, uploaded=False)
                return Answer(Verdict.RETRY, problem)
            if problem:
                return Answer(Verdict.RETRY, problem)
            self._remember(row, uploaded=True)
        self._remember(row, completing=True)
        files = [{"id": file_id, "title": payload.get("title") or payload.get("filename")}]
        args: dict[str, Any] = {"files": files, "channel_id": channel}
        if thread_ts:
            args["thread_ts"] = thread_ts
        done = self.call(ws, COMPLETE, None, lambda: client.files_completeUploadExternal(**args))
        if done.verdict != Verdict.OK:
            return done  # 5xx / internal_error: RETRY, and the next try looks first
        return _done(file_id, channel, {})

    def _remember(self, row: ClaimedMessage, **facts: Any) -> None:
        with session_scope(self.engine) as session:
            claims.remember(session, message_id=row.id, **facts)

    def _post_bytes(self, url: str, data: bytes, *, timeout: float) -> str | None:
        """The bytes to the upload URL, raw (as slack_sdk's files_upload_v2 sends them)."""
        request = urllib.request.Request(
            url, data=data, method="POST", headers={"Content-Type": "application/octet-stream"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return None if answer.status == 200 else f"upload:http_{answer.status}"
        except urllib.error.HTTPError as exc:
            return f"upload:http_{exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            return f"upload:{type(exc).__name__}"


def _shared_in(info: dict[str, Any], channel: str | None) -> dict[str, Any] | None:
    """Where the file was shared in `channel` ({ts...}), or None when it was not."""
    for kind in ("public", "private"):
        shares = ((info.get("shares") or {}).get(kind) or {}).get(channel or "")
        if shares:
            return dict(shares[0])
    if channel and channel in (info.get("channels") or []) + (info.get("groups") or []):
        return {}
    return None


def _done(file_id: str, channel: str | None, share: dict[str, Any]) -> Answer:
    return Answer(Verdict.OK, data={"file_id": file_id, "channel": channel, "ts": share.get("ts")})
