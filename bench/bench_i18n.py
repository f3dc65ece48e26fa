"""The `/hoshin status` answer's builders in English, Russian and Japanese at 1,000 objectives.

Target (issue 12): rendering in Russian within 10 % of English. The plan is generated and read
once, as `answer_status` reads it; then each builder (the overview, one objective's drill-down,
one person's objectives) renders it in each language in turn, round after round, so the three
languages share the same machine state. The catalogs are compiled before timing (a process
compiles each once, on first use); what is measured is looking messages up, choosing plural
forms and formatting numbers and months for the locale. Japanese is shown beside them.
"""

from __future__ import annotations

import sys
import time
from datetime import date

from bench.common import database, generate_plan, median, percentile, record, sized
from bot.context import StatusQuery
from bot.i18n import translator
from bot.status.blocks import objective_detail, person_overview, plan_overview
from bot.status.rules import build_plan_status
from storage import status as reads
from storage.db import session_scope
from storage.workspaces import find_workspace

ROUNDS = sized(200, 10)
LANGUAGES = ("en", "ru", "ja")
TARGET = "ru within 10 % of en (median)"
TODAY = date(2027, 6, 15)


def builders(engine, team_id: str) -> dict:
    """Each builder with its inputs read once: a function of the translator."""
    with session_scope(engine) as session:
        workspace = find_workspace(session, team_id=team_id)
        rows = reads.active_objectives(session, workspace_id=workspace.id, drafts=True)
        latest = reads.latest_check_ins(session, workspace_id=workspace.id)
        people = reads.people(session, workspace_id=workspace.id)
        status = build_plan_status(rows, latest, people, year=2027, start_month=1)
        root = status.roots[0].children[0] if status.roots[0].children else status.roots[0]
        history = reads.check_ins_of(session, objective_id=root.row.id)
        owner = people[root.row.owner_id]
        owner_actions = reads.actions(session, workspace_id=workspace.id, owner_id=owner.id)
        actions = reads.actions(session, workspace_id=workspace.id, objective_id=root.row.id)
    vision = workspace.vision
    return {
        "overview": lambda tr: plan_overview(status, vision=vision, query=StatusQuery(), tr=tr),
        "drill-down": lambda tr: objective_detail(
            status,
            root,
            vision=vision,
            history=history,
            actions=actions,
            people=people,
            today=TODAY,
            query=StatusQuery(kind="objective", ref=root.row.ref),
            tr=tr,
        ),
        "person": lambda tr: person_overview(
            status,
            owner,
            vision=vision,
            actions=owner_actions,
            people=people,
            today=TODAY,
            query=StatusQuery(kind="person", user=owner.slack_user_id),
            tr=tr,
        ),
    }


def measure(build, translators: dict) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {language: [] for language in translators}
    for tr in translators.values():  # warm-up: caches, Babel's locale data
        build(tr)
    for _ in range(ROUNDS):
        for language, tr in translators.items():
            started = time.perf_counter()
            build(tr)
            times[language].append(time.perf_counter() - started)
    return times


def main() -> None:
    objectives = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    translators = {language: translator(language) for language in LANGUAGES}
    for tr in translators.values():
        tr.gettext("on track")  # the catalog is compiled here, once, not in the timing
    with database("sqlite") as (_, engine):
        plan = generate_plan(engine, objectives=objectives)
        cases = builders(engine, plan["team_id"])
    print(
        f"\n/hoshin status builders on {plan['objectives']:,} objectives, {ROUNDS} rounds, "
        "languages interleaved"
    )
    print(f"  {'builder':12} {'en p50':>9} {'ru p50':>9} {'ja p50':>9} {'ru/en':>7} {'ja/en':>7}")
    for name, build in cases.items():
        times = measure(build, translators)
        p50 = {language: median(values) * 1000 for language, values in times.items()}
        ru, ja = p50["ru"] / p50["en"], p50["ja"] / p50["en"]
        print(
            f"  {name:12} {p50['en']:7.2f}ms {p50['ru']:7.2f}ms {p50['ja']:7.2f}ms "
            f"{ru:6.2f}× {ja:6.2f}×"
        )
        p99 = {language: percentile(values, 99) * 1000 for language, values in times.items()}
        record(
            f"status {name}, {plan['objectives']:,} objectives, en / ru / ja",
            f"p50 {p50['en']:.2f} / {p50['ru']:.2f} / {p50['ja']:.2f} ms "
            f"(p99 {p99['en']:.2f} / {p99['ru']:.2f} / {p99['ja']:.2f} ms); "
            f"ru {100 * (ru - 1):+.1f} %, ja {100 * (ja - 1):+.1f} % of en",
            target=TARGET,
            met=ru <= 1.10,
        )
    print(f"  target: {TARGET}")


if __name__ == "__main__":
    main()
