"""Peak RSS of `hoshin run --http` under oversized unsigned bodies (target: it stays flat).

Before the body cap one unsigned 500 MB POST to /slack/events took the process from 127 MB to
1.6 GB, and four parallel 200 MB bodies to 2.1 GB. Here the same bodies are sent (one announced
by Content-Length, four chunked in parallel, one chunked to /healthz) to a real process, each
client sending until the server answers and closes; the figures are the process's peak RSS and
how much of each body the client got to send before the server stopped reading.
"""

from __future__ import annotations

import socket
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable from anywhere

from bench.common import app_env, database, record, sized
from bench.processes import hoshin_instances
from bot.body_limit import DEFAULT_MAX_BODY_BYTES

MB = 1024 * 1024
CHUNK = 256 * 1024
BIG, PARALLEL_EACH, PARALLEL = sized((500 * MB, 200 * MB, 4), (50 * MB, 20 * MB, 2))
# Memory held per refused body is at most the cap; a process that grows by less than this
# much over its idle peak did not buffer the bodies.
TARGET_GROWTH_MB = 50


def send_body(url: str, path: str, size: int, *, chunked: bool) -> tuple[int, int]:
    """Send up to `size` bytes of body; return (HTTP status, bytes sent before the server stopped)."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    sent = 0
    with sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: bench\r\n{framing}\r\n\r\n".encode())
        data = b"x" * CHUNK
        piece = (f"{CHUNK:x}\r\n".encode() + data + b"\r\n") if chunked else data
        try:
            while sent < size:
                sock.sendall(piece)
                sent += CHUNK
        except OSError:  # the server answered and closed: it stopped reading
            pass
        answer = b""
        try:
            while b"\r\n" not in answer:
                part = sock.recv(4096)
                if not part:
                    break
                answer += part
        except OSError:
            pass
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, sent


def main() -> None:
    with database("sqlite") as (url, _engine):
        env = app_env("http://127.0.0.1:9/api/", url)
        with hoshin_instances(1, env) as (app,):
            idle = app.peak_rss_mb()
            results: list[tuple[str, int, int, int]] = []

            def run(name: str, path: str, size: int, chunked: bool) -> None:
                status, sent = send_body(app.url, path, size, chunked=chunked)
                results.append((name, size, status, sent))

            run("announced", "/slack/events", BIG, False)
            threads = [
                threading.Thread(
                    target=run, args=(f"chunked-{i}", "/slack/events", PARALLEL_EACH, True)
                )
                for i in range(PARALLEL)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            run("healthz", "/healthz", PARALLEL_EACH, True)
            peak = app.peak_rss_mb()
    print(f"cap {DEFAULT_MAX_BODY_BYTES} bytes; idle peak RSS {idle:.0f} MB")
    for name, size, status, sent in results:
        print(f"  {name:10} body {size / MB:5.0f} MB -> HTTP {status}, {sent / MB:5.1f} MB sent")
    statuses = {status for _, _, status, _ in results}
    growth = peak - idle
    print(f"peak RSS after: {peak:.0f} MB (+{growth:.0f} MB)")
    record(
        f"1 x {BIG // MB} MB + {PARALLEL} x {PARALLEL_EACH // MB} MB unsigned",
        f"peak RSS {idle:.0f} -> {peak:.0f} MB; answers {sorted(statuses)}; at most "
        f"{max(sent for *_, sent in results) / MB:.1f} MB of a body sent",
        target=f"413, peak RSS + < {TARGET_GROWTH_MB} MB",
        met=statuses == {413} and growth < TARGET_GROWTH_MB,
    )


if __name__ == "__main__":
    main()
