"""Acks under 50 concurrent requests: the real app (its own process, HTTP) against a bare Bolt
app in the same run, on SQLite, on PostgreSQL, and two instances on one PostgreSQL.

Targets (issue 6): ack p99 under 200 ms at 50 concurrent requests, and within 1.5x of the bare
Bolt app's p99. Every request is a signed `/hoshin status`: the real app acks it and then
answers at the response_url (a lazy listener), so its ack competes with real work; the bare
app only acks. Two instances sit behind a round-robin in this client. Only 127.0.0.1 is
contacted, and every loop is bounded by a request count and a timeout.
"""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

from bench.common import (
    database,
    generate_plan,
    median,
    percentile,
    postgres_available,
    quick,
    record,
    sized,
)
from bench.processes import app_process, free_port
from bot.inbound import SlackSender
from bot.standin import SlackStandIn

SECRET, TOKEN = "bench-signing-secret", "xoxb-bench"
CONCURRENCY = 50
REQUESTS = sized(1000, 100)  # per case, after a warm-up of one request per worker
OBJECTIVES = sized(1000, 50)
TARGET_P99_MS, TARGET_RATIO = 200.0, 1.5
ANSWER_TIMEOUT = 120.0  # every lazy answer must have reached the response_url by then


def hammer(senders: list[SlackSender], requests: int) -> tuple[list[float], list[str]]:
    """`requests` signed commands, CONCURRENCY at a time, spread round-robin over `senders`.

    Returns each ack's latency and its response_url; a failed ack raises.
    """
    turn = itertools.cycle(senders)
    lock = threading.Lock()

    def one(_: int) -> tuple[float, str]:
        with lock:
            sender = next(turn)
        delivery = sender.slash_command(user_id="U000000", text="status")
        if delivery.status != 200:
            raise RuntimeError(f"ack failed: HTTP {delivery.status} {delivery.body[:200]}")
        return delivery.elapsed, delivery.response_url or ""

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        results = list(pool.map(one, range(requests)))
    return [elapsed for elapsed, _ in results], [url for _, url in results]


def answered(standin: SlackStandIn, expected: int) -> int:
    """How many answers reached a response_url since the last reset (waits, bounded)."""
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while (count := len(standin.response_posts())) < expected and time.monotonic() < deadline:
        time.sleep(0.25)
    return count


def run(backend: str, instances: int, standin: SlackStandIn) -> dict:
    with database(backend) as (url, engine):
        plan = generate_plan(engine, objectives=OBJECTIVES)
        env = {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": standin.api_url,
            "DATABASE_URL": url,
            "LOG_LEVEL": "WARNING",
        }
        figures = {}
        with ExitStack() as stack:
            bare_port = free_port()
            bare = stack.enter_context(
                app_process(["-m", "bench.bare_bolt", str(bare_port)], env, bare_port)
            )
            apps = []
            for _ in range(instances):
                port = free_port()
                command = ["-m", "bot.cli", "run", "--http", "--host", "127.0.0.1"]
                apps.append(
                    stack.enter_context(app_process([*command, "--port", str(port)], env, port))
                )

            def senders(urls: list[str]) -> list[SlackSender]:
                return [
                    SlackSender(u, signing_secret=SECRET, standin=standin, team_id=plan["team_id"])
                    for u in urls
                ]

            for name, targets in (("bare Bolt", senders([bare])), ("Hoshin Bot", senders(apps))):
                standin.reset()
                hammer(targets, CONCURRENCY)  # warm-up: connections, caches, lazy imports
                if name == "Hoshin Bot":
                    answered(standin, CONCURRENCY)
                standin.reset()
                acks, _ = hammer(targets, REQUESTS)
                figures[name] = (
                    acks,
                    answered(standin, REQUESTS) if name == "Hoshin Bot" else None,
                )
    return figures


def report(label: str, figures: dict) -> None:
    bare, _ = figures["bare Bolt"]
    acks, answers = figures["Hoshin Bot"]
    p50, p99 = median(acks) * 1000, percentile(acks, 99) * 1000
    b50, b99 = median(bare) * 1000, percentile(bare, 99) * 1000
    ratio = p99 / b99 if b99 else float("inf")
    met = p99 < TARGET_P99_MS and ratio <= TARGET_RATIO
    print(
        f"  {label:28} Hoshin p50 {p50:6.1f} ms p99 {p99:6.1f} ms · bare Bolt p50 {b50:6.1f} ms "
        f"p99 {b99:6.1f} ms · p99 ratio {ratio:4.2f}× · answered {answers}/{len(acks)}",
        flush=True,
    )
    record(
        label,
        f"ack p50 {p50:.0f} ms, p99 {p99:.0f} ms; bare Bolt p50 {b50:.0f} ms, p99 {b99:.0f} ms; "
        f"p99 ratio {ratio:.2f}×; {answers}/{len(acks)} answered",
        target=f"p99 < {TARGET_P99_MS:.0f} ms, ≤ {TARGET_RATIO}× bare Bolt",
        met=met and answers == len(acks),
    )


def main() -> None:
    cases = [("sqlite", 1)]
    if postgres_available():  # a quick run skips one instance on PostgreSQL, not two
        cases += [("postgresql", 2)] if quick() else [("postgresql", 1), ("postgresql", 2)]
    print(
        f"{REQUESTS} signed `/hoshin status` per case, {CONCURRENCY} concurrent, "
        f"{OBJECTIVES:,} objectives stored; the bare Bolt app measured in the same run"
    )
    with SlackStandIn(team_id="T0BENCH", bot_token=TOKEN, rate_limits=False) as standin:
        for backend, instances in cases:
            label = f"{backend}, {instances} instance{'s' if instances > 1 else ''}"
            report(label, run(backend, instances, standin))
    if not postgres_available():
        print("  (PostgreSQL not reachable: SQLite only)")
    print(f"  targets: ack p99 < {TARGET_P99_MS:.0f} ms and within {TARGET_RATIO}× of bare Bolt")


if __name__ == "__main__":
    main()
