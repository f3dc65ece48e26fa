"""The `/hoshin status` answer in English, Russian and Japanese at 1,000 objectives.

Target (issue 12): rendering in Russian within 10 % of English. Measured twice, each case in
each language in turn, round after round, so the three languages share the same machine state:
- the answer as a person waits for it (`answer_status`: the plan read, rolled up and rendered),
  which the target applies to;
- the builders alone on a plan read once (the overview, one objective's drill-down, one
  person's objectives): what translating costs by itself, shown without a target. Numbers there
  go through Babel's locale patterns, a few microseconds each, which a builder of 0.3 ms feels.
The catalogs are compiled before timing (a process compiles each once, on first use).
"""

from __future__ import annotations

import functools
import sys
import time
from datetime import date

from bench.common import database, generate_plan, median, percentile, record, sized
from bot.context import StatusQuery
from bot.i18n import translator
from bot.status.blocks import objective_detail, person_overview, plan_overview
from bot.status.rules import build_plan_status
from bot.status.service import answer_status
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


def answers(engine, team_id: str, plan: dict) -> dict:
    """The whole answer to each kind of `/hoshin status`: a function of the translator."""
    queries = {
        "overview": StatusQuery(),
        "drill-down": StatusQuery(kind="objective", ref=plan["first_annual"]),
        "person": StatusQuery(kind="person", user=plan["person"]),
    }
    return {
        name: functools.partial(_answer, engine, team_id, query) for name, query in queries.items()
    }


def _answer(engine, team_id: str, query: StatusQuery, tr) -> None:
    answer_status(engine, team_id=team_id, query=query, today=TODAY, tr=tr)


def measure(build, translators: dict, *, rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {language: [] for language in translators}
    for tr in translators.values():  # warm-up: caches, Babel's locale data
        build(tr)
    for _ in range(rounds):
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
        whole = answers(engine, plan["team_id"], plan)
        _table(
            f"/hoshin status answers on {plan['objectives']:,} objectives (read, roll-up, "
            f"render), {ROUNDS // 4} rounds, languages interleaved",
            whole,
            translators,
            rounds=ROUNDS // 4,
            label="answer",
            objectives=plan["objectives"],
            target=True,
        )
    _table(
        f"the builders alone on {plan['objectives']:,} objectives, {ROUNDS} rounds",
        cases,
        translators,
        rounds=ROUNDS,
        label="builder",
        objectives=plan["objectives"],
        target=False,
    )
    print(f"  target: {TARGET}, for the answers")


def _table(title, cases, translators, *, rounds, label, objectives, target) -> None:
    print(f"\n{title}")
    print(f"  {label:12} {'en p50':>9} {'ru p50':>9} {'ja p50':>9} {'ru/en':>7} {'ja/en':>7}")
    for name, build in cases.items():
        times = measure(build, translators, rounds=rounds)
        p50 = {language: median(values) * 1000 for language, values in times.items()}
        ru, ja = p50["ru"] / p50["en"], p50["ja"] / p50["en"]
        print(
            f"  {name:12} {p50['en']:7.2f}ms {p50['ru']:7.2f}ms {p50['ja']:7.2f}ms "
            f"{ru:6.2f}× {ja:6.2f}×"
        )
        p99 = {language: percentile(values, 99) * 1000 for language, values in times.items()}
        record(
            f"status {name} {label}, {objectives:,} objectives, en / ru / ja",
            f"p50 {p50['en']:.2f} / {p50['ru']:.2f} / {p50['ja']:.2f} ms "
            f"(p99 {p99['en']:.2f} / {p99['ru']:.2f} / {p99['ja']:.2f} ms); "
            f"ru {100 * (ru - 1):+.1f} %, ja {100 * (ja - 1):+.1f} % of en",
            target=TARGET if target else "",
            met=ru <= 1.10 if target else None,
        )


if __name__ == "__main__":
    main()
