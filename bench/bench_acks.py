"""Acks under 50 concurrent requests: the real app (its own process, HTTP) against a bare Bolt
app in the same run, on SQLite, on PostgreSQL, and two instances on one PostgreSQL.

Targets (issue 6): ack p99 under 200 ms at 50 concurrent requests, and within 1.5x of the bare
Bolt app's p99. The requests are signed `/hoshin status` commands: the real app acks each and
then answers at the response_url (a lazy listener), so its acks compete with real work; the
bare app only acks. A `/hoshin help` case shows the ack path with a light answer. Two instances sit behind a round-robin in this client. Answers wait until no request is
being acked (bot/lazy.py), so the figures say when the last answer arrived too. The stand-in
runs as a process of its own, so the answers it receives do not slow this client down. Only 127.0.0.1
is contacted, and every loop is bounded by a request count and a timeout.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager

from bench.common import (
    BOT_TOKEN,
    RoundRobin,
    app_env,
    database,
    generate_plan,
    median,
    percentile,
    postgres_available,
    quick,
    record,
    senders,
    sized,
)
from bench.processes import ROOT, app_process, free_port, hoshin_instances, peak_rss_text
from bench.remote_standin import RemoteStandIn
from bot.standin.inbound import SlackSender

CONCURRENCY = 50
REQUESTS = sized(1000, 100)  # per case, after a warm-up of one request per worker
OBJECTIVES = sized(1000, 50)
TARGET_P99_MS, TARGET_RATIO = 200.0, 1.5
ANSWER_TIMEOUT = 120.0  # every lazy answer must have reached the response_url by then


def hammer(
    targets: list[SlackSender], requests: int, command: str = "status"
) -> tuple[list[float], list[str]]:
    """`requests` signed commands, CONCURRENCY at a time, spread round-robin over `targets`.

    Returns each ack's latency and its response_url; a failed ack raises.
    """
    turn = RoundRobin(targets)

    def one(_: int) -> tuple[float, str]:
        delivery = turn.next().slash_command(user_id="U000000", text=command)
        if delivery.status != 200:
            raise RuntimeError(f"ack failed: HTTP {delivery.status} {delivery.body[:200]}")
        return delivery.elapsed, delivery.response_url or ""

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        results = list(pool.map(one, range(requests)))
    return [elapsed for elapsed, _ in results], [url for _, url in results]


@contextmanager
def standin_process(team_id: str) -> Iterator[RemoteStandIn]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.remote_standin", str(port), team_id, BOT_TOKEN],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()  # printed once it listens
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the stand-in did not start: {url!r}")
        yield RemoteStandIn(url)
    finally:
        process.terminate()
        process.wait(timeout=10)


def run(backend: str, instances: int, standin: RemoteStandIn, command: str = "status") -> dict:
    with database(backend) as (url, engine):
        plan = generate_plan(engine, objectives=OBJECTIVES)
        env = app_env(standin.api_url, url)
        figures = {}
        with ExitStack() as stack:
            bare_port = free_port()
            bare = stack.enter_context(
                app_process(["-m", "bench.bare_bolt", str(bare_port)], env, bare_port)
            )
            apps = stack.enter_context(hoshin_instances(instances, env))
            team = plan["team_id"]
            for name, targets in (
                ("bare Bolt", senders([bare], standin=standin, team_id=team)),
                ("Hoshin Bot", senders([a.url for a in apps], standin=standin, team_id=team)),
            ):
                standin.reset()
                hammer(targets, CONCURRENCY, command)  # warm-up: connections, caches, lazy imports
                if name == "Hoshin Bot":
                    standin.wait_for_answers(CONCURRENCY, ANSWER_TIMEOUT)
                standin.reset()
                began = time.perf_counter()
                acks, _ = hammer(targets, REQUESTS, command)
                acked = time.perf_counter() - began
                answers = answered = None
                if name == "Hoshin Bot":
                    answers = standin.wait_for_answers(REQUESTS, ANSWER_TIMEOUT)
                    answered = time.perf_counter() - began
                figures[name] = (acks, answers, acked, answered)
            figures["memory"] = peak_rss_text(apps)
    return figures


def report(label: str, figures: dict) -> None:
    bare = figures["bare Bolt"][0]
    acks, answers, acked, answered = figures["Hoshin Bot"]
    p50, p99 = median(acks) * 1000, percentile(acks, 99) * 1000
    b50, b99 = median(bare) * 1000, percentile(bare, 99) * 1000
    ratio = p99 / b99 if b99 else float("inf")
    met = p99 < TARGET_P99_MS and ratio <= TARGET_RATIO
    print(
        f"  {label:28} Hoshin p50 {p50:6.1f} ms p99 {p99:6.1f} ms · bare Bolt p50 {b50:6.1f} ms "
        f"p99 {b99:6.1f} ms · p99 ratio {ratio:4.2f}× · answered {answers}/{len(acks)} "
        f"(all acked in {acked:.1f} s, all answered in {answered:.1f} s) · {figures['memory']}",
        flush=True,
    )
    record(
        label,
        f"ack p50 {p50:.0f} ms, p99 {p99:.0f} ms; bare Bolt p50 {b50:.0f} ms, p99 {b99:.0f} ms; "
        f"p99 ratio {ratio:.2f}×; {answers}/{len(acks)} answered, the last {answered:.1f} s "
        f"after the burst began (acked in {acked:.1f} s); {figures['memory']}",
        target=f"p99 < {TARGET_P99_MS:.0f} ms, ≤ {TARGET_RATIO}× bare Bolt",
        met=met and answers == len(acks),
    )


def main() -> None:
    # `status` is the heaviest answer people ask for often: each ack competes with the answers
    # the app computes meanwhile. `help` shows the ack path itself, with a light answer.
    cases = [("sqlite", 1, "status")] + ([] if quick() else [("sqlite", 1, "help")])
    if postgres_available():  # a quick run skips one instance on PostgreSQL, not two
        cases += (
            [("postgresql", 2, "status")]
            if quick()
            else [
                ("postgresql", 1, "status"),
                ("postgresql", 2, "status"),
            ]
        )
    print(
        f"{REQUESTS} signed `/hoshin` commands per case, {CONCURRENCY} concurrent, "
        f"{OBJECTIVES:,} objectives stored; the bare Bolt app measured in the same run"
    )
    with standin_process("T0BENCH") as standin:
        for backend, instances, command in cases:
            label = f"{backend}, {instances} instance{'s' if instances > 1 else ''}, {command}"
            report(label, run(backend, instances, standin, command))
    if not postgres_available():
        print("  (PostgreSQL not reachable: SQLite only)")
    print(f"  targets: ack p99 < {TARGET_P99_MS:.0f} ms and within {TARGET_RATIO}× of bare Bolt")


if __name__ == "__main__":
    main()
