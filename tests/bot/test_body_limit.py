"""The body cap as an ASGI middleware: how much of a body is pulled, and what is answered."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.body_limit import BodyLimit

CAP = 1000
CHUNK = 100


class Client:
    """uvicorn's side: a body handed over in chunks on demand, and the answer recorded."""

    def __init__(self, size: int, *, content_length: int | None = None) -> None:
        self.size = size
        self.pulled = 0  # bytes the app (through the middleware) asked for
        self.sent: list[dict] = []
        self.headers = (
            [] if content_length is None else [(b"content-length", b"%d" % content_length)]
        )

    async def receive(self) -> dict:
        part = min(CHUNK, self.size - self.pulled)
        self.pulled += part
        return {"type": "http.request", "body": b"x" * part, "more_body": self.pulled < self.size}

    async def send(self, message: dict) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return next(m["status"] for m in self.sent if m["type"] == "http.response.start")

    def run(self, app, method: str = "POST", path: str = "/read") -> None:
        scope = {"type": "http", "method": method, "path": path, "headers": self.headers}
        scope.update(query_string=b"", root_path="", scheme="http", server=("t", 80))
        asyncio.run(BodyLimit(app, max_bytes=CAP)(scope, self.receive, self.send))


seen: list[int] = []


async def read(request: Request) -> Response:
    body = await request.body()  # what the Slack endpoint does
    seen.append(len(body))
    return Response("read", status_code=200)


async def ignore(_: Request) -> Response:
    return Response("ok")


APP = Starlette(routes=[Route("/read", read, methods=["POST"]), Route("/ignore", ignore)])


def test_an_announced_length_over_the_cap_is_refused_before_the_app_runs_or_reads():
    seen.clear()
    client = Client(50_000_000, content_length=50_000_000)
    client.run(APP)
    assert client.status == 413
    assert client.pulled == 0 and seen == []
    start = client.sent[0]
    assert (b"connection", b"close") in start["headers"]
    assert b"1000 bytes" in client.sent[1]["body"]


def test_a_streamed_body_is_refused_once_past_the_cap_and_never_pulled_further():
    seen.clear()
    client = Client(50_000_000)
    client.run(APP)
    assert client.status == 413
    assert CAP < client.pulled <= CAP + CHUNK  # one chunk past the cap, not 50 MB
    assert seen == []  # the endpoint never got a body
    assert [m["type"] for m in client.sent] == ["http.response.start", "http.response.body"]


def test_a_body_of_exactly_the_cap_reaches_the_endpoint_whole():
    seen.clear()
    client = Client(CAP, content_length=CAP)
    client.run(APP)
    assert client.status == 200 and seen == [CAP]


def test_an_endpoint_that_does_not_read_still_has_the_cap():
    client = Client(50_000_000)
    client.run(APP, method="GET", path="/ignore")
    assert client.status == 413
    assert client.pulled <= CAP + CHUNK


def test_an_endpoint_that_does_not_read_answers_a_small_body():
    client = Client(10)
    client.run(APP, method="GET", path="/ignore")
    assert client.status == 200 and client.pulled == 10


def test_other_scopes_pass_through():
    calls = []

    async def app(scope, receive, send):
        calls.append(scope["type"])

    asyncio.run(BodyLimit(app, max_bytes=CAP)({"type": "lifespan"}, None, None))
    assert calls == ["lifespan"]
