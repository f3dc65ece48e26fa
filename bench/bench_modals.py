"""Opening a modal on a 10,000-objective plan: from the signed slash command to `views.open`.

Target: `views.open` reaches Slack within 300 ms of the click at the median, so the ~3-second
trigger_id never expires. Measured for `/hoshin action REF` and, once it exists, for
`/hoshin propose REF`; the app runs as its own process through the CLI, as in production.
"""

from __future__ import annotations

import sys
import time

from sqlalchemy import text

from bench.common import backends, database, generate_plan, median, percentile, record, sized
from bench.processes import app_process, free_port
from bot import ids
from bot.standin import SlackStandIn
from bot.standin.inbound import SlackSender

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
ROUNDS = sized(30, 5)
WARM_UP = sized(3, 1)
TARGET_MS = 300
USER = "U000000"


class NotOpened(Exception):
    """The app answered without opening the modal (the reason is its answer)."""


def open_once(sender: SlackSender, standin: SlackStandIn, command: str, callback_id: str) -> float:
    """Seconds from sending the signed command to the stand-in recording a good `views.open`."""
    before = len(standin.calls_to("views.open"))
    started = time.monotonic()
    delivery = sender.slash_command(user_id=USER, text=command)
    assert delivery.status == 200, delivery.body
    opened = standin.wait_for(
        lambda s: len(s.calls_to("views.open")) > before or s.response_posts(delivery.response_url),
        timeout=10,
    )
    calls = standin.calls_to("views.open")[before:]
    if not opened or not calls:
        answer = standin.response_posts(delivery.response_url)
        raise NotOpened(answer[0].get("text", "no answer") if answer else "no answer within 10 s")
    call = calls[0]
    if not call.ok or call.args["view"].get("callback_id") != callback_id:
        raise NotOpened(f"views.open answered {call.error or 'another modal'}")
    return call.at - started


def measure(sender, standin, command: str, callback_id: str) -> list[float]:
    for _ in range(WARM_UP):
        open_once(sender, standin, command, callback_id)
    return [open_once(sender, standin, command, callback_id) for _ in range(ROUNDS)]


def registered(sender: SlackSender, standin: SlackStandIn, usage: str) -> bool:
    """Whether `/hoshin help` (generated from the registry) lists the subcommand."""
    delivery = sender.slash_command(user_id=USER, text="help")
    assert standin.wait_for(lambda s: s.response_posts(delivery.response_url), timeout=10)
    answer = standin.response_posts(delivery.response_url)[0]
    return usage in str(answer)


def run(backend: str, objectives: int) -> None:
    with database(backend) as (url, engine):
        plan = generate_plan(engine, objectives=objectives)
        with engine.begin() as connection:
            # An admin may add actions anywhere and propose under any objective.
            connection.execute(
                text("UPDATE person SET is_admin = :yes WHERE slack_user_id = :user"),
                {"yes": True, "user": USER},
            )
        standin = SlackStandIn(team_id=plan["team_id"], bot_token=TOKEN, rate_limits=False)
        standin.start()
        standin.add_user(USER, name="bench", real_name="Bench Admin")
        env = {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": standin.api_url,
            "DATABASE_URL": url,
            "LOG_LEVEL": "WARNING",
        }
        port = free_port()
        results: dict[str, list[float] | str] = {}
        command = ["-m", "bot.cli", "run", "--http", "--host", "127.0.0.1", "--port", str(port)]
        try:
            with app_process(command, env, port) as app_url:
                sender = SlackSender(
                    app_url, signing_secret=SECRET, standin=standin, team_id=plan["team_id"]
                )
                ref = plan["first_annual"]
                results[f"/hoshin action {ref}"] = measure(
                    sender, standin, f"action {ref}", ids.VIEW_ACTION
                )
                name = f"/hoshin propose {ref}"
                if not registered(sender, standin, "/hoshin propose"):
                    results[name] = "skipped: `/hoshin propose` is not registered yet"
                else:
                    try:
                        results[name] = measure(sender, standin, f"propose {ref}", ids.VIEW_PROPOSE)
                    except NotOpened as exc:
                        results[name] = f"skipped: the modal did not open ({exc})"
        finally:
            standin.stop()
    print(
        f"\n[{backend}] click → views.open on {plan['objectives']:,} objectives, "
        f"{ROUNDS} rounds each (after {WARM_UP} warm-up rounds)"
    )
    print(f"  {'case':28} {'p50':>9} {'p99':>9} {'max':>9}  verdict")
    for name, timings in results.items():
        if isinstance(timings, str):
            print(f"  {name:28} {timings}")
            continue
        p50, p99 = median(timings) * 1000, percentile(timings, 99) * 1000
        verdict = "meets" if p50 < TARGET_MS else "MISSES"
        record(
            f"{backend}, {name}, {plan['objectives']:,} objectives",
            f"views.open p50 {p50:.0f} ms, p99 {p99:.0f} ms",
            target=f"p50 < {TARGET_MS} ms",
            met=p50 < TARGET_MS,
        )
        print(
            f"  {name:28} {p50:7.1f}ms {p99:7.1f}ms {max(timings) * 1000:7.1f}ms  "
            f"{verdict} the target"
        )
    print(
        f"  target: views.open within {TARGET_MS} ms of the click at the median (trigger_id ~3 s)"
    )


def main() -> None:
    objectives = int(sys.argv[1]) if len(sys.argv) > 1 else sized(10_000, 200)
    for backend in backends():
        run(backend, objectives)
    if "postgresql" not in backends():
        print("\n[postgresql] skipped (a quick run, or not reachable at 127.0.0.1:5432)")


if __name__ == "__main__":
    main()
