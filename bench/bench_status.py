"""`/hoshin status` on a 10,000-objective plan: ack and answer latency, against a bare Bolt app,
on one instance and on two instances of one PostgreSQL database.

Targets (issue 2): ack within 100 ms and answer within 500 ms at the median; the number of
database queries the same for 10 and 10,000 objectives. Requests go one at a time, each
waiting for its answer; with two instances they alternate between them (round-robin, as a load
balancer would spread them), so each instance's caches and connections are exercised. The
peak RSS of each app process is read from outside it after the rounds.
"""

from __future__ import annotations

import sys
import time
from datetime import date

from bench.common import (
    BOT_TOKEN,
    QueryCounter,
    RoundRobin,
    app_env,
    backends,
    database,
    generate_plan,
    median,
    percentile,
    postgres_available,
    record,
    senders,
    sized,
)
from bench.processes import app_process, free_port, hoshin_instances, peak_rss_text
from bot.context import StatusQuery
from bot.standin import SlackStandIn
from bot.status.service import answer_status

ROUNDS = sized(30, 5)
TARGET = "ack p50 < 100 ms, answer p50 < 500 ms"


def measure(turn: RoundRobin, standin: SlackStandIn, text: str, *, wait_answer: bool):
    acks, answers = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        delivery = turn.next().slash_command(user_id="U000000", text=text)
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


def query_counts(engine, small: dict, plan: dict) -> dict[str, tuple[int, int]]:
    return {
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


def run(backend: str, objectives: int = 10_000, instances: int = 1) -> None:
    where = f"{backend}, {instances} instance{'s' if instances > 1 else ''}"
    with database(backend) as (url, engine):
        small = generate_plan(engine, objectives=10, team_id="T0SMALL")
        plan = generate_plan(engine, objectives=objectives)
        # Queries per answer do not depend on how many instances serve it: counted once.
        counts = query_counts(engine, small, plan) if instances == 1 else {}
        standin = SlackStandIn(team_id=plan["team_id"], bot_token=BOT_TOKEN, rate_limits=False)
        standin.start()
        env = app_env(standin.api_url, url)
        bare_port = free_port()
        results = {}
        try:
            with (
                hoshin_instances(instances, env) as apps,
                app_process(["-m", "bench.bare_bolt", str(bare_port)], env, bare_port) as bare_url,
            ):
                for name, urls, text, wait in [
                    ("bare Bolt ack-only", [bare_url], "status", False),
                    ("status (whole plan)", [a.url for a in apps], "status", True),
                    ("status AN0 (drill-down)", [a.url for a in apps], "status AN0", True),
                ]:
                    turn = RoundRobin(senders(urls, standin=standin, team_id=plan["team_id"]))
                    measure(turn, standin, text, wait_answer=wait)  # warm-up round
                    results[name] = measure(turn, standin, text, wait_answer=wait)
                memory = peak_rss_text(apps)
                served = [a.counter("hoshin_http_requests", kind="command") for a in apps]
        finally:
            standin.stop()
    bare_ack = median(results["bare Bolt ack-only"][0])
    print(
        f"\n[{where}] /hoshin status on {plan['objectives']:,} objectives, {ROUNDS} rounds each"
        + (", alternating between the instances" if instances > 1 else "")
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
                f"{where}, {name}, {plan['objectives']:,} objectives",
                f"ack p50 {a50:.0f} ms (p99 {a99:.0f} ms), answer p50 "
                f"{median(answers) * 1000:.0f} ms (p99 {percentile(answers, 99) * 1000:.0f} ms); "
                f"{memory}",
                target=TARGET,
                met=a50 < 100 and median(answers) < 0.5,
            )
    print(f"  Hoshin Bot {memory}")
    if instances > 1:
        print(f"  commands served per instance: {' + '.join(f'{n:.0f}' for n in served)}")
    print(f"  targets: {TARGET}")
    if counts:
        print("  database queries per answer (10 objectives → 10,000 objectives):")
    for name, (few, many) in counts.items():
        verdict = "same" if few == many else "DIFFERENT"
        print(f"    {name:12} {few} → {many} ({verdict})")
        record(f"{backend}, queries for {name}", f"{few} → {many}", target="same", met=few == many)


def main() -> None:
    objectives = int(sys.argv[1]) if len(sys.argv) > 1 else sized(10_000, 200)
    for backend in backends():
        run(backend, objectives)
    if postgres_available():  # a quick run too: two instances exist only on PostgreSQL
        run("postgresql", objectives, instances=2)


if __name__ == "__main__":
    main()
