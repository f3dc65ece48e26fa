"""Request bodies over the cap are refused with 413 before they are read, on every endpoint.

Raw sockets play the client, so the tests control what is sent and when: a body announced by
Content-Length is answered without one byte of it sent, a chunked body as soon as the cap is
passed, while the rest of it is still unsent.
"""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from bot.body_limit import DEFAULT_MAX_BODY_BYTES
from tests.e2e.seed import small_plan
from tests.e2e.test_security_e2e import command_body, row_counts

CAP = DEFAULT_MAX_BODY_BYTES
CHUNK = 64 * 1024


def connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    return sock


def head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: hoshin",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_response(sock: socket.socket) -> tuple[int, bytes, bool]:
    """The status, the raw response, and whether the server closed the connection after it."""
    data = b""
    closed = False
    while b"\r\n\r\n" not in data:
        part = sock.recv(65536)
        if not part:
            closed = True
            break
        data += part
    header, _, rest = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in header.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(rest) < length and not closed:
        part = sock.recv(65536)
        closed = not part
        rest += part
    if not closed:
        try:
            closed = sock.recv(1) == b""
        except ConnectionResetError:
            closed = True
    return int(header.split(b" ", 2)[1]), header + b"\r\n\r\n" + rest, closed


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def signed_headers(slack, body_size: int | None) -> dict[str, str]:
    """Slack's headers, signed over a body of `body_size` bytes of x (what the tests send)."""
    timestamp = str(int(time.time()))
    signature = slack.sender.verifier.generate_signature(
        timestamp=timestamp, body="x" * (body_size or 0)
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }
    if body_size is not None:
        headers["Content-Length"] = str(body_size)
    return headers


@pytest.mark.parametrize(
    "method, path",
    [("POST", "/slack/events"), ("GET", "/healthz"), ("GET", "/metrics"), ("POST", "/nowhere")],
)
def test_a_body_announced_over_the_cap_gets_413_before_one_byte_is_sent(slack, path, method):
    sock = connect(slack.server.url)
    with sock:
        sock.sendall(head(method, path, {"Content-Length": str(500 * 1024 * 1024)}))
        status, raw, closed = read_response(sock)  # not one byte of the body was sent
    assert status == 413, raw[:300]
    assert b"1048576 bytes" in raw  # the answer names the cap
    assert closed  # the unread body is never read: the connection ends with the answer


def test_a_signed_body_over_the_cap_gets_413_too(slack):
    """The cap comes before the signature: signing a huge body does not get it read."""
    sock = connect(slack.server.url)
    with sock:
        sock.sendall(head("POST", "/slack/events", signed_headers(slack, CAP + 1)))
        status, raw, _ = read_response(sock)
    assert status == 413, raw[:300]


def test_a_chunked_body_gets_413_as_soon_as_it_passes_the_cap(slack):
    """No Content-Length: the bytes are counted as they arrive, and the answer comes when the
    count passes the cap, although the body has not ended (its last chunk is never sent)."""
    sock = connect(slack.server.url)
    with sock:
        sock.sendall(head("POST", "/slack/events", {"Transfer-Encoding": "chunked"}))
        sent = 0
        while sent <= CAP:
            sock.sendall(chunk(b"x" * CHUNK))
            sent += CHUNK
        status, raw, closed = read_response(sock)
    assert status == 413, raw[:300]
    assert closed


@pytest.mark.parametrize("path", ["/slack/events", "/healthz"])
def test_the_server_stops_reading_a_50_mb_chunked_body_long_before_its_end(slack, path):
    """A client that keeps sending: the answer and the end of the connection come while most
    of the 50 MB is still unsent (what was sent past the cap sits in socket buffers, unread)."""
    total = 50 * 1024 * 1024
    sock = connect(slack.server.url)
    sent = 0
    stopped = threading.Event()

    def send_all() -> None:
        nonlocal sent
        try:
            sock.sendall(head("POST", path, {"Transfer-Encoding": "chunked"}))
            while sent < total and not stopped.is_set():
                sock.sendall(chunk(b"x" * CHUNK))
                sent += CHUNK
            sock.sendall(b"0\r\n\r\n")
        except OSError:  # the server closed the connection: it stopped reading
            pass

    sender = threading.Thread(target=send_all, daemon=True)
    sender.start()
    try:
        status, raw, closed = read_response(sock)
    finally:
        stopped.set()
        sender.join(timeout=10)
        sock.close()
    assert status == 413, raw[:300]
    assert closed
    assert sent < total // 4, f"the client sent {sent} bytes before the server stopped it"


def test_bodies_up_to_the_cap_are_served_and_the_next_request_is_answered(slack):
    small_plan(slack.engine)
    before = row_counts(slack.engine)
    sock = connect(slack.server.url)
    with sock:
        sock.sendall(head("POST", "/slack/events", {"Content-Length": str(CAP + 1)}))
        assert read_response(sock)[0] == 413
    # A body of exactly the cap is read whole and reaches the signature check.
    body = command_body("status " + "x" * (CAP - len(command_body("status "))))
    assert len(body) == CAP
    assert slack.sender.post(body, signature="v0=" + "0" * 64).status == 401
    delivery = slack.sender.slash_command(user_id="U0CEO", text="status")
    assert delivery.status == 200
    assert slack.answer_to(delivery)
    assert row_counts(slack.engine) == before
