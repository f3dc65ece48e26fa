"""Times importing a 10,000-objective plan file on SQLite and PostgreSQL (target: under 10 s)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable from anywhere

from bench.common import quick, record, sized
from bot.plan.store import export_plan, import_plan
from storage.db import make_engine, upgrade

POSTGRES_URL = os.environ.get(
    "HOSHIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TARGET_SECONDS = 10.0
# 10 breakthroughs x 9 annual x 10 departments x 10 teams = 10 + 90 + 900 + 9,000 objectives.
BREAKTHROUGHS, ANNUAL, DEPARTMENTS, TEAMS = sized((10, 9, 10, 10), (2, 2, 3, 3))
PEOPLE = sized(1000, 50)


def _metric(i: int) -> dict:
    baseline, target = 10 + i % 50, 20 + i % 70
    plan = [round(baseline + (target - baseline) * m / 12, 1) for m in range(1, 13)]
    return {"name": f"Metric {i}", "unit": "%", "baseline": baseline, "target": target}, plan


def generate_plan() -> tuple[str, int]:
    """A plan file of 10,000 objectives, ~1,000 people and ~1,800 actions; returns (text, count)."""
    people = [{"id": "U0P0000", "name": "Person 0", "admin": True}]
    people += [
        {"id": f"U0P{i:04d}", "name": f"Person {i}", "manager": f"U0P{(i - 1) // 10:04d}"}
        for i in range(1, PEOPLE)
    ]
    count, breakthroughs = 0, []

    def owner(n: int) -> str:
        return f"U0P{n % PEOPLE:04d}"

    for b in range(BREAKTHROUGHS):
        annual = []
        for a in range(ANNUAL):
            departments = []
            for d in range(DEPARTMENTS):
                teams = []
                for t in range(TEAMS):
                    metric, plan = _metric(count)
                    ref = f"T{b}.{a}.{d}.{t}"
                    teams.append(
                        {
                            "ref": ref,
                            "title": f"Team objective {ref}",
                            "owner": owner(count),
                            "metric": metric,
                            "monthly_plan": plan,
                        }
                    )
                    count += 1
                metric, plan = _metric(count)
                ref = f"D{b}.{a}.{d}"
                actions = [
                    {
                        "title": f"Step {s} of {ref}",
                        "owner": owner(count + s),
                        "due": f"2027-{s * 4 + 2:02d}-15",
                    }
                    for s in range(2)
                ]
                departments.append(
                    {
                        "ref": ref,
                        "title": f"Department objective {ref}",
                        "owner": owner(count),
                        "metric": metric,
                        "monthly_plan": plan,
                        "actions": actions,
                        "children": teams,
                    }
                )
                count += 1
            metric, plan = _metric(count)
            annual.append(
                {
                    "ref": f"AN{b}.{a}",
                    "year": 2027,
                    "title": f"Annual objective {b}.{a}",
                    "owner": owner(count),
                    "metric": metric,
                    "monthly_plan": plan,
                    "children": departments,
                }
            )
            count += 1
        breakthroughs.append(
            {
                "ref": f"BT{b}",
                "title": f"Breakthrough {b}",
                "years": [2027, 2029],
                "owner": owner(b),
                "annual": annual,
            }
        )
        count += 1
    data = {
        "workspace": "T0BENCH",
        "settings": {"review_channel": "C0HOSHIN", "timezone": "Europe/Berlin"},
        "vision": "A plan big enough to time.",
        "people": people,
        "breakthroughs": breakthroughs,
    }
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, sort_keys=False), count


def run(name: str, url: str, text: str, count: int) -> list[float]:
    """Import `text` twice, then with 900 titles changed; time each, and an export and its
    re-import, which must change nothing."""
    renamed = text.replace("title: Team objective T1.", "title: Renamed team objective T1.")
    changed = ANNUAL * DEPARTMENTS * TEAMS
    attempts = [
        ("first import", text, (count, 0)),
        ("re-import (idempotent)", text, (0, 0)),
        (f"re-import, {changed} changed", renamed, (0, changed)),
    ]
    engine = make_engine(url)
    try:
        upgrade(engine)
        timings = []
        for attempt, plan, expected in attempts:
            started = time.perf_counter()
            report = import_plan(engine, plan, actor="bench")
            timings.append(time.perf_counter() - started)
            verdict = "ok" if timings[-1] < TARGET_SECONDS else "TOO SLOW"
            counts = report.objectives
            print(
                f"  {name:<10} {attempt:<24} {timings[-1]:6.2f} s  {verdict:<8}  objectives: "
                f"{counts.created} created, {counts.updated} updated, {counts.unchanged} unchanged"
            )
            assert (counts.created, counts.updated) == expected, f"{attempt}: {counts}"
            record(
                f"{name}, {attempt}, {count:,} objectives",
                f"{timings[-1]:.2f} s",
                target=f"< {TARGET_SECONDS:.0f} s",
                met=timings[-1] < TARGET_SECONDS,
            )
        started = time.perf_counter()
        exported = export_plan(engine)
        print(
            f"  {name:<10} {'export':<24} {time.perf_counter() - started:6.2f} s  "
            f"({len(exported) / 1e6:.1f} MB)"
        )
        started = time.perf_counter()
        report = import_plan(engine, exported, actor="bench")
        print(
            f"  {name:<10} {'re-import of the export':<24} {time.perf_counter() - started:6.2f} s  "
            f"changed: {report.changed}"
        )
        assert not report.changed, "the export did not give back the same plan"
        return timings
    finally:
        engine.dispose()


def main() -> int:
    text, count = generate_plan()
    print(
        f"Plan: {count:,} objectives, {PEOPLE:,} people, {len(text) / 1e6:.1f} MB of YAML. "
        f"Target: each import under {TARGET_SECONDS:.0f} s."
    )
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        worst = max(worst, *run("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", text, count))
    if quick():
        return 0
    schema = f"hoshin_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except Exception as exc:
        print(f"  postgresql skipped: {POSTGRES_URL} is not reachable ({exc.__class__.__name__})")
        admin.dispose()
    else:
        try:
            url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
            worst = max(worst, *run("postgresql", url, text, count))
        finally:
            with admin.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            admin.dispose()
    print(
        f"Slowest import: {worst:.2f} s (target < {TARGET_SECONDS:.0f} s): "
        + ("met" if worst < TARGET_SECONDS else "MISSED")
    )
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
