"""Starting the app as its own process, as in production, and waiting until it is healthy; and
reading from outside what each process did (its peak RSS, its metrics, its scheduler role)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent
# `hoshin run --http` on 127.0.0.1; `--port N` follows.
HOSHIN_HTTP = ["-m", "bot.cli", "run", "--http", "--host", "127.0.0.1"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppProcess:
    """One running app process and its base URL."""

    process: subprocess.Popen
    url: str

    def _status_mb(self, field: str) -> float:
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def peak_rss_mb(self) -> float:
        """The process's own high-water mark of resident memory so far (read while it runs)."""
        return self._status_mb("VmHWM")

    def rss_mb(self) -> float:
        return self._status_mb("VmRSS")

    def _get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=5) as response:
            return response.read()

    def role(self) -> str:
        """ "leader" or "follower": whether this instance holds the scheduler lease."""
        return json.loads(self._get("/healthz"))["scheduler"]["role"]

    def counter(self, name: str, **labels: str) -> float:
        """The sum of a counter's samples (GET /metrics) whose labels include `labels`."""
        total = 0.0
        for family in text_string_to_metric_families(self._get("/metrics").decode()):
            for sample in family.samples:
                if sample.name == name + "_total" and labels.items() <= sample.labels.items():
                    total += sample.value
        return total


@contextmanager
def running_app(args: list[str], env: dict[str, str], port: int) -> Iterator[AppProcess]:
    """Run `python args...` with env; yield it once /healthz answers on `port`."""
    # A file, not a pipe: a pipe nobody reads would block the app once its buffer is full.
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    stderr.seek(0)
                    raise RuntimeError(f"app exited early: {stderr.read()[-2000:]}")
                try:
                    with urllib.request.urlopen(url + "/healthz", timeout=1):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("app did not become healthy within 30 s") from None
                    time.sleep(0.1)
            yield AppProcess(process, url)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def app_process(args: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    """Run `python args...` with env; yield its base URL once /healthz answers."""
    with running_app(args, env, port) as app:
        yield app.url


@contextmanager
def hoshin_instances(count: int, env: dict[str, str]) -> Iterator[list[AppProcess]]:
    """`count` `hoshin run --http` processes with env (one database: one leads), in start order.

    Each is healthy before the next starts, so the first one takes the scheduler lease.
    """
    with ExitStack() as stack:
        apps = []
        for _ in range(count):
            port = free_port()
            apps.append(
                stack.enter_context(running_app([*HOSHIN_HTTP, "--port", str(port)], env, port))
            )
        yield apps


def peak_rss_text(apps: list[AppProcess]) -> str:
    """Each process's peak RSS so far, in start order: "peak RSS 140 MB" or "… 140 + 138 MB"."""
    each = " + ".join(f"{app.peak_rss_mb():.0f}" for app in apps)
    return f"peak RSS {each} MB" + (" (per instance)" if len(apps) > 1 else "")
