"""Shared bench helpers: databases on both backends, percentiles, a big generated plan, the
figures each benchmark records for `bench/RESULTS.md`, and signed requests to the app."""

from __future__ import annotations

import itertools
import os
import statistics
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, event, insert

from bot.context import sign_with
from bot.standin.inbound import SlackSender, StandInLike
from storage.db import make_engine, upgrade
from storage.models import CheckIn, Objective, Person, Workspace

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
QUICK_ENV = "HOSHIN_BENCH_QUICK"  # set by `python -m bench --quick`: every benchmark, small


def quick() -> bool:
    """Whether this is a quick run: small sizes, SQLite only, to check the benches still work."""
    return os.environ.get(QUICK_ENV) == "1"


def sized(full, small):
    """`full` in a real run, `small` in a quick one."""
    return small if quick() else full


def backends() -> list[str]:
    """SQLite, and PostgreSQL when it answers (never in a quick run)."""
    return ["sqlite"] + (["postgresql"] if not quick() and postgres_available() else [])


# ---- figures for bench/RESULTS.md ------------------------------------------------------------

RECORDS: list[dict] = []
CURRENT = {"benchmark": "?"}  # the runner names the benchmark it is running


def record(case: str, figures: str, *, target: str = "", met: bool | None = None) -> None:
    """One row of the results table: what was measured, its figures, the target and a verdict."""
    RECORDS.append(
        {
            "benchmark": CURRENT["benchmark"],
            "case": case,
            "figures": figures,
            "target": target,
            "met": met,
        }
    )


@contextmanager
def database(backend: str) -> Iterator[tuple[str, Engine]]:
    """A fresh migrated database: a temp SQLite file, or a private PostgreSQL schema."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            engine = make_engine(url)
            upgrade(engine)
            yield url, engine
            engine.dispose()
        return
    schema = f"hoshin_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield url, engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def postgres_available() -> bool:
    try:
        engine = make_engine(POSTGRES_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values)


class QueryCounter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.count += 1


def generate_plan(engine: Engine, *, objectives: int, team_id: str = "T0BENCH") -> dict:
    """Store a plan of `objectives` objectives (5 breakthroughs, annual ones, a deep cascade).

    Rows go in with bulk inserts: generation is not what is being measured.
    """
    with engine.begin() as connection:
        ws_id = connection.execute(
            insert(Workspace)
            .values(
                team_id=team_id,
                vision="Win by being trusted.",
                timezone="UTC",
                review_channel="C0REVIEW",
            )
            .returning(Workspace.id)
        ).scalar_one()
        people = [
            {"workspace_id": ws_id, "slack_user_id": f"U{i:06d}", "name": f"Person {i}"}
            for i in range(max(10, objectives // 20))
        ]
        connection.execute(insert(Person), people)
        person_ids = [
            row[0]
            for row in connection.exec_driver_sql(
                f"SELECT id FROM person WHERE workspace_id = {ws_id} ORDER BY id"
            )
        ]
        rows, next_id = [], 1
        start = connection.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM objective").scalar()
        next_id = start + 1
        plan = [float(m) for m in range(1, 13)]

        def add(ref, level, parent, **extra):
            nonlocal next_id
            rows.append(
                {
                    "id": next_id,
                    "workspace_id": ws_id,
                    "ref": ref,
                    "level": level,
                    "parent_id": parent,
                    "title": f"Objective {ref}",
                    "owner_id": person_ids[next_id % len(person_ids)],
                    "state": "active",
                    "position": next_id,
                    "metric_name": "Metric",
                    "baseline": 0.0,
                    "target": 12.0,
                    "higher_is_better": True,
                    "monthly_plan": plan,
                    "start_year": None,
                    "end_year": None,
                    "year": None,
                    **extra,
                }
            )
            next_id += 1
            return next_id - 1

        breakthroughs = [
            add(f"BT{b}", "breakthrough", None, start_year=2027, end_year=2029)
            for b in range(min(5, objectives))
        ]
        frontier = []
        for i in range(max(0, min(objectives - len(rows), max(1, objectives // 100)))):
            frontier.append(
                add(f"AN{i}", "annual", breakthroughs[i % len(breakthroughs)], year=2027)
            )
        level = 0
        while len(rows) < objectives:
            level += 1
            new = []
            for parent in frontier:
                for c in range(10):
                    if len(rows) >= objectives:
                        break
                    new.append(add(f"C{level}.{parent}.{c}", "cascaded", parent, year=2027))
            frontier = new or frontier
        connection.execute(insert(Objective), rows)
        leaves = [r["id"] for r in rows if r["level"] != "breakthrough"]
        check_ins = [
            {
                "workspace_id": ws_id,
                "objective_id": oid,
                "period": f"2027-0{m}",
                "actual": float(m),
                "status": ("on_track", "at_risk", "off_track")[(oid + m) % 3],
            }
            for oid in leaves
            for m in range(1, 4)
        ]
        for i in range(0, len(check_ins), 5000):
            connection.execute(insert(CheckIn), check_ins[i : i + 5000])
    return {
        "workspace_id": ws_id,
        "team_id": team_id,
        "objectives": len(rows),
        "first_annual": "AN0",
        "person": people[0]["slack_user_id"],
    }


# ---- the app under test, and signed requests to it -------------------------------------------

SIGNING_SECRET, BOT_TOKEN = "bench-signing-secret", "xoxb-bench"
# Builders run in this process too (status, reflection) and sign the buttons they write with
# the app's key, as the app processes under test do with the same secret.
sign_with(SIGNING_SECRET)


def app_env(api_url: str, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of an app process under test: the stand-in as Slack, quiet logs."""
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def senders(urls: list[str], *, standin: StandInLike, team_id: str) -> list[SlackSender]:
    """One signed-request sender per app URL, their response urls from `standin`."""
    return [
        SlackSender(url, signing_secret=SIGNING_SECRET, standin=standin, team_id=team_id)
        for url in urls
    ]


class RoundRobin:
    """Senders taken in turn, from any thread: requests spread evenly over the instances, as a
    load balancer in front of them would."""

    def __init__(self, senders: list[SlackSender]) -> None:
        self._turn = itertools.cycle(senders)
        self._lock = threading.Lock()

    def next(self) -> SlackSender:
        with self._lock:
            return next(self._turn)
