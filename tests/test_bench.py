"""`python -m bench --quick`: every benchmark runs at a small size and RESULTS.md is written."""

import subprocess
import sys
from pathlib import Path

from bench.common import postgres_available

ROOT = Path(__file__).resolve().parent.parent


def test_the_quick_run_runs_every_benchmark_and_writes_the_results_table(tmp_path):
    results = tmp_path / "RESULTS.md"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--results", str(results)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    text = results.read_text(encoding="utf-8")
    assert "| Benchmark | Case | Figures | Target | Met |" in text
    for line in ("- date: 20", "- machine: ", "- git commit: "):
        assert line in text
    assert "- git commit: unknown" not in text
    rows = [line for line in text.splitlines() if line.startswith("| bench_")]
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        assert any(row.startswith(f"| {script.stem} |") for row in rows), script.stem
        assert f"### {script.stem} (" in text  # its printed output kept below the table
    assert not any("**failed**" in row for row in rows)
    acks = [row for row in rows if row.startswith("| bench_acks | sqlite, 1 instance, status |")]
    assert len(acks) == 1 and "ack p50" in acks[0] and "answered" in acks[0]
    if postgres_available():  # two instances share one PostgreSQL, in a quick run too
        for name in ("bench_acks", "bench_fanout", "bench_status"):
            two = [row for row in rows if row.startswith(f"| {name} | postgresql, 2 instances")]
            assert two, f"{name} has no two-instance row"
        for row in rows:
            if row.startswith(("| bench_fanout | postgresql, 2", "| bench_status | postgresql, 2")):
                assert "peak RSS" in row and "(per instance)" in row, row
        # The first instance leads and sends each DM once; the second sends nothing.
        fanout = [row for row in rows if row.startswith("| bench_fanout | postgresql, 2")]
        assert all("0 duplicated, 0 lost; sent per instance 100 + 0;" in r for r in fanout), fanout


def test_an_unknown_benchmark_name_is_refused():
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "bench_nothing"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and "no benchmark named bench_nothing" in run.stderr
