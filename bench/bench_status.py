"""`/hoshin status` on a 10,000-objective plan: ack and answer latency, against a bare Bolt app.

Targets (issue 2): ack within 100 ms and answer within 500 ms at the median; the number of
database queries the same for 10 and 10,000 objectives.
"""

from __future__ import annotations

import sys
import time
from datetime import date

from bench.common import (
    QueryCounter,
    backends,
    database,
    generate_plan,
    median,
    percentile,
    record,
    sized,
)
from bench.processes import app_process, free_port
from bot.context import StatusQuery
from bot.inbound import SlackSender
from bot.standin import SlackStandIn
from bot.status_service import answer_status

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
ROUNDS = sized(30, 5)


def measure(sender: SlackSender, standin: SlackStandIn, text: str, *, wait_answer: bool):
    acks, answers = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        delivery = sender.slash_command(user_id="U000000", text=text)
        assert delivery.status == 200, delivery.body
        acks.append(delivery.elapsed)
        if wait_answer:
            answered = standin.wait_for(
                lambda s, url=delivery.response_url: s.response_posts(url), timeout=30
            )
            assert answered, "no answer"
            answers.append(time.perf_counter() - started)
    return acks, answers


def queries_for(engine, team_id: str, query: StatusQuery) -> int:
    counter = QueryCounter(engine)
    answer_status(engine, team_id=team_id, query=query, today=date(2027, 6, 15))
    return counter.count


def run(backend: str, objectives: int = 10_000) -> None:
    with database(backend) as (url, engine):
        small = generate_plan(engine, objectives=10, team_id="T0SMALL")
        plan = generate_plan(engine, objectives=objectives)
        counts = {
            name: (
                queries_for(engine, small["team_id"], q),
                queries_for(engine, plan["team_id"], q),
            )
            for name, q in [
                ("overview", StatusQuery()),
                ("drill-down", StatusQuery(kind="objective", ref="AN0")),
                ("person", StatusQuery(kind="person", user="U000000")),
            ]
        }
        standin = SlackStandIn(team_id=plan["team_id"], bot_token=TOKEN, rate_limits=False)
        standin.start()
        env = {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": standin.api_url,
            "DATABASE_URL": url,
            "LOG_LEVEL": "WARNING",
        }
        hoshin_port, bare_port = free_port(), free_port()
        results = {}
        try:
            with (
                app_process(
                    [
                        "-m",
                        "bot.cli",
                        "run",
                        "--http",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(hoshin_port),
                    ],
                    env,
                    hoshin_port,
                ) as hoshin_url,
                app_process(["-m", "bench.bare_bolt", str(bare_port)], env, bare_port) as bare_url,
            ):
                for name, server_url, text, wait in [
                    ("bare Bolt ack-only", bare_url, "status", False),
                    ("status (whole plan)", hoshin_url, "status", True),
                    ("status AN0 (drill-down)", hoshin_url, "status AN0", True),
                ]:
                    sender = SlackSender(
                        server_url, signing_secret=SECRET, standin=standin, team_id=plan["team_id"]
                    )
                    measure(sender, standin, text, wait_answer=wait)  # warm-up round
                    results[name] = measure(sender, standin, text, wait_answer=wait)
        finally:
            standin.stop()
    bare_ack = median(results["bare Bolt ack-only"][0])
    print(
        f"\n[{backend}] /hoshin status on {plan['objectives']:,} objectives, {ROUNDS} rounds each"
    )
    print(
        f"  {'case':26} {'ack p50':>9} {'ack p99':>9} {'answer p50':>11} {'answer p99':>11} {'ack vs bare':>12}"
    )
    for name, (acks, answers) in results.items():
        a50, a99 = median(acks) * 1000, percentile(acks, 99) * 1000
        r50 = f"{median(answers) * 1000:9.0f}ms" if answers else "         –"
        r99 = f"{percentile(answers, 99) * 1000:9.0f}ms" if answers else "         –"
        print(
            f"  {name:26} {a50:7.1f}ms {a99:7.1f}ms {r50:>11} {r99:>11} {median(acks) / bare_ack:11.2f}×"
        )
        if answers:
            record(
                f"{backend}, {name}, {plan['objectives']:,} objectives",
                f"ack p50 {a50:.0f} ms, answer p50 {median(answers) * 1000:.0f} ms "
                f"(p99 {percentile(answers, 99) * 1000:.0f} ms)",
                target="ack p50 < 100 ms, answer p50 < 500 ms",
                met=a50 < 100 and median(answers) < 0.5,
            )
    print("  targets: ack p50 < 100 ms, answer p50 < 500 ms")
    print("  database queries per answer (10 objectives → 10,000 objectives):")
    for name, (few, many) in counts.items():
        verdict = "same" if few == many else "DIFFERENT"
        print(f"    {name:12} {few} → {many} ({verdict})")
        record(f"{backend}, queries for {name}", f"{few} → {many}", target="same", met=few == many)


def main() -> None:
    objectives = int(sys.argv[1]) if len(sys.argv) > 1 else sized(10_000, 200)
    for backend in backends():
        run(backend, objectives)


if __name__ == "__main__":
    main()
