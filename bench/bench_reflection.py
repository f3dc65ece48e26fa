"""Building the annual reflection for 1,000 objectives with a full year of check-ins and hansei.

Target (issue 5): under 10 s including the chart, on SQLite and PostgreSQL. Two shapes: the
generated plan (5 breakthroughs, 10 annual objectives, a deep cascade) and a flat one of 1,000
annual objectives, whose chart is the largest (capped at bot.reflection.chart.MAX_ROWS rows). Prints the
time (median of 3), the peak of Python memory (tracemalloc, one more run), the queries, and the
size of what would be posted. Wall time on a shared machine is noisy; CPU time is printed too.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from datetime import UTC, datetime

from sqlalchemy import insert, update
from sqlmodel import Session

from bench.common import QueryCounter, database, generate_plan, median, postgres_available
from bot.reflection.service import build_reflection_post
from storage.models import CheckIn, HanseiAnswer, Objective, Workspace

ROUNDS = 3
YEAR_END = datetime(2028, 1, 5, tzinfo=UTC)
ANSWER = "Partners brought a third of new ARR; procurement cycles were longer than planned. " * 8


def fill_year(engine, workspace_id: int, *, flat: bool) -> None:
    """Months 4-12 of check-ins on top of generate_plan's three, and a hansei per objective."""
    with engine.begin() as connection:
        if flat:  # every cascaded objective becomes an annual one under a breakthrough
            bt = connection.exec_driver_sql(
                f"SELECT MIN(id) FROM objective WHERE workspace_id = {workspace_id} "
                "AND level = 'breakthrough'"
            ).scalar()
            connection.execute(
                update(Objective)
                .where(Objective.workspace_id == workspace_id, Objective.level == "cascaded")
                .values(level="annual", parent_id=bt)
            )
        ids = [
            row[0]
            for row in connection.exec_driver_sql(
                f"SELECT id FROM objective WHERE workspace_id = {workspace_id} "
                "AND level != 'breakthrough'"
            )
        ]
        rows = [
            {
                "workspace_id": workspace_id,
                "objective_id": oid,
                "period": f"2027-{m:02d}",
                "actual": float(m) - (oid % 3) * 0.4,
                "status": ("on_track", "at_risk", "off_track")[(oid + m) % 3],
                "challenges": ("Hiring is slow. Two deals slipped", "Pricing confusion")[m % 2],
                "countermeasure": f"Weekly review {m % 3}",
            }
            for oid in ids
            for m in range(4, 13)
        ]
        for i in range(0, len(rows), 5000):
            connection.execute(insert(CheckIn), rows[i : i + 5000])
        connection.execute(
            insert(HanseiAnswer),
            [
                {
                    "workspace_id": workspace_id,
                    "objective_id": oid,
                    "year": 2027,
                    "went_well": ANSWER,
                    "went_badly": ANSWER,
                    "root_causes": ANSWER,
                    "learned": "We should start onboarding earlier. " + ANSWER,
                    "carry_over": "Keep the partner programme.",
                    "submitted_at": YEAR_END,
                    "updated_at": YEAR_END,
                }
                for oid in ids
            ],
        )


def build(engine, workspace_id: int):
    with Session(engine) as session:
        workspace = session.get(Workspace, workspace_id)
        return build_reflection_post(session, workspace, 2027, now=YEAR_END)


def run(backend: str, objectives: int) -> None:
    for shape in ("deep", "flat"):
        with database(backend) as (_url, engine):
            # generate_plan counts its 5 breakthroughs among the objectives.
            plan = generate_plan(engine, objectives=objectives + 5)
            fill_year(engine, plan["workspace_id"], flat=shape == "flat")
            counter = QueryCounter(engine)
            times, cpu = [], []
            for _ in range(ROUNDS):
                started, started_cpu = time.perf_counter(), time.process_time()
                post = build(engine, plan["workspace_id"])
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            queries = counter.count // ROUNDS
            tracemalloc.start()
            build(engine, plan["workspace_id"])
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            annual = post.facts["annual"]
            blocks = sum(len(m.blocks) for m in [post.summary, *post.replies])
            print(
                f"[{backend}] {shape}: {post.facts['objectives']:,} objectives ({annual:,} annual), "
                f"{post.facts['check_ins']:,} check-ins: build p50 {median(times):.2f} s "
                f"(max {max(times):.2f} s, CPU p50 {median(cpu):.2f} s), peak Python memory {peak / 2**20:.0f} MB, "
                f"{queries} queries; {len(post.replies)} replies, {blocks:,} blocks, "
                f"chart {len(post.chart_png) / 1024:.0f} KB",
                flush=True,
            )
    print("  target: under 10 s including the chart")


def main() -> None:
    backends = ["sqlite"] + (["postgresql"] if postgres_available() else [])
    objectives = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    for backend in backends:
        run(backend, objectives)


if __name__ == "__main__":
    main()
