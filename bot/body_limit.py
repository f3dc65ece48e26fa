"""A cap on HTTP request bodies, enforced before they are read: an ASGI middleware (413).

Starlette reads a whole body into memory on `await request.body()`, and the Slack endpoint must
read it before the signature can be checked: without a cap one unsigned 500 MB body grew the
process by 1.5 GB. Neither uvicorn (it has no body limit at all, only header and concurrency
limits) nor Starlette before 1.x caps bodies; Starlette's own RequestBodyLimitMiddleware (1.x)
lets the endpoint run until it reads and only replaces its answer, so a GET /healthz with a huge
announced body would still query the database first. This one wraps the whole app, so every
endpoint has the cap, including ones added later.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

log = logging.getLogger(__name__)

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]

# Slack's requests are far below this: a modal submission carries its whole view and every
# input's value (100 blocks of at most 3,000 characters of text: a few hundred KB at worst),
# the rest a few KB. The actuals API (POST /api/v1/actuals) takes the same 1 MiB. Settable with
# HTTP_MAX_BODY_BYTES between MIN_ and MAX_MAX_BODY_BYTES (bot/settings.py).
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
# An edited check-in or hansei modal of five 3,000-character CJK answers is about 270 KB
# form-encoded (each character 9 bytes once percent-encoded, and the view comes back with the
# prefills): a floor below that lets an operator's setting refuse a person's own answers.
MIN_MAX_BODY_BYTES = 512 * 1024
MAX_MAX_BODY_BYTES = 64 * 1024 * 1024  # a cap that still bounds memory per request


class _BodyTooLarge(Exception):
    """Raised into the app from `receive` when the streamed bytes pass the cap."""


class BodyLimit:
    """Refuse request bodies over `max_bytes` with 413, never holding more than that of one.

    A Content-Length over the cap is answered at once, before the app runs and before one byte
    of the body is read. A body of unknown length (chunked) is counted as uvicorn hands it over
    (uvicorn stops reading the socket while 64 KB wait unread); once the count passes the cap
    the app's read fails, whatever the app answers is replaced by the 413, and the connection is
    closed so the rest of the body is never read. An app that answers before reading the whole
    body has the rest counted (and dropped) before its answer is sent.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        announced = _content_length(scope)
        if announced is not None and announced > self.max_bytes:
            log.warning(
                "refused a request body of %d bytes (the cap is %d)", announced, self.max_bytes
            )
            await self._refuse(send)
            return

        received = 0
        ended = False  # the body's last part (or the client's disconnect) has come
        over = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, ended, over
            if over:  # an app that goes on reading after the refusal gets nothing more
                raise _BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                ended = not message.get("more_body", False)
                if received > self.max_bytes:
                    over = True
                    raise _BodyTooLarge
            else:
                ended = True
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over:  # the app's answer to its failed read (a 500) is replaced by the 413
                return
            if message["type"] == "http.response.start" and not ended:
                # An endpoint that answers without reading the body (/healthz) gets the cap
                # too: the rest is counted and dropped before the answer goes, never kept.
                while not ended:
                    await counted_receive()
            started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except _BodyTooLarge:
            if started:  # an answer already under way cannot become a 413: drop the connection
                raise
        if over and not started:
            log.warning("refused a streamed request body over the cap of %d bytes", self.max_bytes)
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = f"Request body too large: the limit is {self.max_bytes} bytes.\n".encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    # The unread rest of the body is never read: the connection cannot be reused.
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: MutableMapping[str, Any]) -> int | None:
    for name, value in scope.get("headers") or ():
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:  # uvicorn refuses these itself; counting still applies
                return None
    return None
