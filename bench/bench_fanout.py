"""Fan-out of check-in DMs to 1,000 and 10,000 owners, a SIGKILL halfway, and two instances on
one PostgreSQL (targets: ≥ 90 % of the allowed rate, 0 duplicates, 0 lost, flat memory; with
two instances, one sends).

The stand-in enforces Slack's limits × SCALE, and the deliverer is told the same limits, so a
run takes seconds to minutes instead of the 3 to 35 minutes Slack's own limits would take.
The deliverer runs as its own process (`--worker`): its peak RSS is its own, and the kill is a
real SIGKILL. The `hoshin run` cases run real `hoshin run --http` processes instead, one and
then two on one PostgreSQL: the leader's scheduler delivers (its `deliver` job), the follower
must send nothing, and each one's peak RSS is read from outside it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # runnable from anywhere

from bench.common import BOT_TOKEN as TOKEN  # noqa: E402
from bench.common import app_env, backends, database, postgres_available, record, sized  # noqa: E402
from bench.processes import AppProcess, hoshin_instances, peak_rss_text  # noqa: E402
from bot.standin import SlackStandIn  # noqa: E402
from schedules.scheduler import DELIVER, DELIVER_BATCH  # noqa: E402
from storage.db import session_scope  # noqa: E402
from storage.models import Person, Workspace  # noqa: E402
from storage.outbox import queue as outbox  # noqa: E402

SCALE = 20  # Slack's 300 posts/min becomes 6,000/min: 100 posts/s
POSTS_PER_MINUTE = 300
TEAM = "T0BENCH"
TIMEOUT, LEASE = 2.0, 5.0  # the worker's client timeout, and the lease of an in-flight row


# ---- the deliverer process -------------------------------------------------------------------


def worker(database_url: str, api_url: str, scale: float, timeout: float) -> None:
    """Deliver until nothing is owed; print the report and memory figures as one JSON line."""
    from slack_sdk import WebClient

    from bot.clock import SystemClock
    from schedules.delivery import Deliverer
    from schedules.ratelimit import DeliveryLimits
    from storage.db import make_engine

    engine = make_engine(database_url)
    client = WebClient(token=TOKEN, base_url=api_url, timeout=TIMEOUT, retry_handlers=[])
    limits = DeliveryLimits(scale=scale, in_flight_lease_seconds=LEASE, doubt_grace_seconds=1.0)
    samples: list[tuple[float, float, int]] = []  # (seconds, RSS MB, Python heap blocks)
    done = threading.Event()
    started = time.perf_counter()

    def sample() -> None:
        while not done.wait(0.5):
            samples.append((time.perf_counter() - started, rss_mb(), sys.getallocatedblocks()))

    threading.Thread(target=sample, daemon=True).start()
    report = Deliverer(engine, client, SystemClock(), limits=limits).run_until_idle(timeout)
    done.set()
    result = dataclasses.asdict(report)
    result["seconds"] = time.perf_counter() - started
    result["peak_rss_mb"] = peak_rss_mb()
    middle = next((x for x in samples if x[0] >= result["seconds"] / 2), samples[-1])
    result["half"] = {"rss_mb": middle[1], "blocks": middle[2]}
    result["end"] = {"rss_mb": rss_mb(), "blocks": sys.getallocatedblocks()}
    print(json.dumps(result), flush=True)


def peak_rss_mb() -> float:
    """This process's own high-water mark. (ru_maxrss would start from the forking parent's,
    and the parent here is the stand-in holding every message.)"""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def start_worker(url: str, standin: SlackStandIn, timeout: float = 900) -> subprocess.Popen:
    args = ["--worker", "--database-url", url, "--api-url", standin.api_url]
    args += ["--scale", str(SCALE), "--timeout", str(timeout)]
    return subprocess.Popen(
        [sys.executable, "-m", "bench.bench_fanout", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen) -> dict:
    out, _ = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"worker failed with {process.returncode}")
    return json.loads(out.strip().splitlines()[-1])


# ---- the bench ---------------------------------------------------------------------------------


def seed(engine, standin: SlackStandIn, owners: int) -> tuple[list[str], float]:
    """Owners in Slack and the database, and one check-in DM each in the outbox.

    Returns the owners' ids and the seconds enqueue_many took.
    """
    users = [f"U{i:07d}" for i in range(owners)]
    for user in users:
        standin.add_user(user)
    with session_scope(engine) as session:
        ws = Workspace(team_id=TEAM)
        session.add(ws)
        session.flush()
        session.add_all(Person(workspace_id=ws.id, slack_user_id=u, name=u) for u in users)
        session.flush()
        started = time.perf_counter()
        outbox.enqueue_many(
            session,
            workspace_id=ws.id,
            messages=(
                outbox.NewMessage(
                    dedup_key=f"checkin:2027-03:{user}",
                    method="chat.postMessage",
                    payload={"channel": user, "text": f"Time for your 2027-03 check-in, <@{user}>"},
                )
                for user in users
            ),
        )
        enqueued = time.perf_counter() - started
    return users, enqueued


def tally(engine, standin: SlackStandIn, users: list[str]) -> dict:
    per_dm: dict[str, int] = {}
    for message in standin.messages():
        per_dm[message.channel] = per_dm.get(message.channel, 0) + 1
    counts = [per_dm.get("D" + u[1:], 0) for u in users]
    posts = [c for c in standin.calls_to("chat.postMessage") if c.ok]
    span = posts[-1].at - posts[0].at if len(posts) > 1 else 0.0
    with session_scope(engine) as session:
        states = {k: v for k, v in outbox.counts_by_state(session).items() if v}
    return {
        "duplicates": sum(n - 1 for n in counts if n > 1),
        "lost": sum(1 for n in counts if n == 0),
        "rate": (len(posts) - 1) / span if span else 0.0,
        "ratelimited": standin.stats().get("chat.postMessage", {}).get("ratelimited", 0),
        "states": states,
    }


def fan_out(backend: str, standin: SlackStandIn, owners: int) -> None:
    standin.reset()
    allowed = POSTS_PER_MINUTE * SCALE / 60
    with database(backend) as (url, engine):
        users, enqueued = seed(engine, standin, owners)
        result = finish(start_worker(url, standin))
        t = tally(engine, standin, users)
    print(
        f"  {backend:10} {owners:>6,} DMs: {t['rate']:6.1f}/s of {allowed:.0f}/s allowed "
        f"({t['rate'] / allowed:5.1%}), {result['seconds']:5.1f} s, duplicates {t['duplicates']}, "
        f"lost {t['lost']}, 429s {t['ratelimited']}",
        flush=True,
    )
    record(
        f"{backend}, {owners:,} DMs",
        f"{t['rate'] / allowed:.0%} of the allowed rate, {t['duplicates']} duplicated, "
        f"{t['lost']} lost, peak RSS {result['peak_rss_mb']:.0f} MB",
        target="≥ 90 % of the rate, 0 lost, 0 duplicated",
        met=t["rate"] / allowed >= 0.9 and not t["duplicates"] and not t["lost"],
    )
    half, end = result["half"], result["end"]
    print(
        f"  {'':10} {'':>6}       peak RSS {result['peak_rss_mb']:.0f} MB; RSS half-way → end "
        f"{half['rss_mb']:.0f} → {end['rss_mb']:.0f} MB, Python heap blocks "
        f"{half['blocks']:,} → {end['blocks']:,}; enqueue_many took {enqueued:.1f} s",
        flush=True,
    )


def killed_halfway(backend: str, standin: SlackStandIn, owners: int = sized(1000, 200)) -> None:
    standin.reset()
    with database(backend) as (url, engine):
        users, _ = seed(engine, standin, owners)
        first = start_worker(url, standin)
        while len(standin.calls_to("chat.postMessage")) < owners // 2:
            time.sleep(0.005)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        with session_scope(engine) as session:
            left = outbox.counts_by_state(session)
        second = finish(start_worker(url, standin))
        t = tally(engine, standin, users)
    print(
        f"  {backend:10} SIGKILL at {owners // 2:,}/{owners:,}: left {left['sent']} sent, "
        f"{left['in_flight']} in flight, {left['queued']} queued; the next process found "
        f"{second['found_posted']} posted, resent {second['resent']}, sent {second['sent']}: "
        f"duplicates {t['duplicates']}, lost {t['lost']} ({t['states']})",
        flush=True,
    )
    record(
        f"{backend}, SIGKILL halfway through {owners:,} DMs",
        f"{t['duplicates']} duplicated, {t['lost']} lost",
        target="0 lost, 0 duplicated",
        met=not t["duplicates"] and not t["lost"],
    )


def hoshin_fan_out(standin: SlackStandIn, owners: int, instances: int) -> None:
    """`instances` `hoshin run` processes on one PostgreSQL, all up before the DMs are queued."""
    standin.reset()
    allowed = POSTS_PER_MINUTE * SCALE / 60
    where = f"{instances} instance{'s' if instances > 1 else ''}"
    with database("postgresql") as (url, engine):
        env = app_env(
            standin.api_url, url, SLACK_POST_MESSAGES_PER_MINUTE=str(POSTS_PER_MINUTE * SCALE)
        )
        with hoshin_instances(instances, env) as apps:
            roles = [app.role() for app in apps]
            users, _ = seed(engine, standin, owners)
            half, end = drain(engine, standin, apps, owners, timeout=owners / allowed * 4 + 60)
            sent = [
                app.counter("hoshin_slack_api_calls", method="chat.postMessage", result="ok")
                for app in apps
            ]
            memory = peak_rss_text(apps)
        t = tally(engine, standin, users)
    print(
        f"  {'postgresql':10} {owners:>6,} DMs, {where} of `hoshin run` ({_plus(roles, '')}): "
        f"{t['rate']:6.1f}/s of {allowed:.0f}/s allowed ({t['rate'] / allowed:5.1%}), "
        f"duplicates {t['duplicates']}, lost {t['lost']}, 429s {t['ratelimited']}",
        flush=True,
    )
    print(
        f"  {'':10} {'':>6}       sent per instance {_plus(sent)}; {memory}; "
        f"RSS half-way → end {_plus(half)} → {_plus(end)} MB",
        flush=True,
    )
    record(
        f"postgresql, {where} (`hoshin run`), {owners:,} DMs",
        f"{t['rate'] / allowed:.0%} of the allowed rate, {t['duplicates']} duplicated, "
        f"{t['lost']} lost; sent per instance {_plus(sent)}; {memory}",
        target="≥ 90 % of the rate, 0 lost, 0 duplicated, one instance sends",
        met=t["rate"] / allowed >= 0.9
        and not t["duplicates"]
        and not t["lost"]
        and sum(1 for n in sent if n) == 1,
    )


def _plus(values, spec: str = ".0f") -> str:
    return " + ".join(f"{v:{spec}}" for v in values)


def drain(engine, standin: SlackStandIn, apps: list[AppProcess], owners: int, timeout: float):
    """Wait until the outbox owes nothing; return each process's RSS half-way and at the end."""
    deadline, half = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        if half is None and len(standin.calls_to("chat.postMessage")) >= owners // 2:
            half = [app.rss_mb() for app in apps]
        with session_scope(engine) as session:
            if not outbox.pending_count(session):
                break
        time.sleep(0.25)
    time.sleep(2.5)  # one more `deliver` tick: a second sender's posts would show now
    end = [app.rss_mb() for app in apps]
    return half or end, end


def main() -> None:
    chosen = backends()
    print(
        f"chat.postMessage limits × {SCALE}: {POSTS_PER_MINUTE * SCALE:,}/min workspace-wide, "
        f"{SCALE}/s per channel; deliverer configured to the same"
    )
    with SlackStandIn(
        team_id=TEAM,
        bot_token=TOKEN,
        rate_limit_scale=SCALE,
        post_message_workspace_burst=20,  # small: any overshoot shows up as 429s
    ) as standin:
        for backend in chosen:
            for owners in sized((1_000, 10_000), (100,)):
                fan_out(backend, standin, owners)
            killed_halfway(backend, standin)
        if postgres_available():  # a quick run too, at its small size
            # One `hoshin run` first: the rate its scheduler reaches is what two must match.
            print(
                f"  `hoshin run` sends from its `deliver` job (every {DELIVER.every_seconds:g} s; "
                f"batches of {DELIVER_BATCH} back to back while they come full)"
            )
            for instances, owners in sized([(1, 1_000), (2, 1_000), (2, 10_000)], [(2, 100)]):
                hoshin_fan_out(standin, owners, instances)
    if "postgresql" not in chosen:
        print("  (one instance on SQLite only: a quick run, or PostgreSQL not reachable)")
    print(
        "  targets: ≥ 90 % of the allowed rate, 0 duplicates, 0 lost, flat peak RSS; "
        "with 2 instances, only one sends"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--database-url")
    parser.add_argument("--api-url")
    parser.add_argument("--scale", type=float, default=SCALE)
    parser.add_argument("--timeout", type=float, default=900)
    options = parser.parse_args()
    if options.worker:
        worker(options.database_url, options.api_url, options.scale, options.timeout)
    else:
        main()
