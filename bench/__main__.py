"""Run every benchmark in bench/ in turn and write their figures to bench/RESULTS.md.

    python -m bench                    # every benchmark, full size (what `make bench` runs)
    python -m bench bench_acks         # only the named ones
    python -m bench --quick            # every benchmark at a small size, SQLite only: a smoke run
    python -m bench --results PATH     # write the table elsewhere (the tests do)

Each benchmark prints its own figures and records the headline ones (`bench.common.record`);
RESULTS.md gets the table of those, the machine, the date and the git commit, and each
benchmark's printed output below it. A benchmark that fails is reported and the others still run.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import runpy
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


class Tee(io.TextIOBase):
    """Print as usual and keep a copy for RESULTS.md."""

    def __init__(self, stream) -> None:
        self.stream, self.copy = stream, io.StringIO()

    def write(self, text: str) -> int:
        self.stream.write(text)
        self.copy.write(text)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, SQLite only")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    options = parser.parse_args(argv)
    if options.quick:
        os.environ["HOSHIN_BENCH_QUICK"] = "1"
    from bench import common  # after the environment is set

    scripts = [
        s for s in sorted(HERE.glob("bench_*.py")) if not options.names or s.stem in options.names
    ]
    if not scripts:
        parser.error(f"no benchmark named {' '.join(options.names)}")
    runs = []
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        common.CURRENT["benchmark"] = script.stem
        tee, stdout = Tee(sys.stdout), sys.stdout
        started, failure = time.perf_counter(), None
        sys.argv = [str(script)]
        sys.stdout = tee
        try:
            runpy.run_path(str(script), run_name="__main__")
        except SystemExit as exc:
            if exc.code not in (None, 0):
                failure = f"exited with {exc.code}"
        except Exception as exc:
            traceback.print_exc(file=tee)
            failure = f"{exc.__class__.__name__}: {exc}"
        finally:
            sys.stdout = stdout
        seconds = time.perf_counter() - started
        print(f"({script.stem} took {seconds:.0f} s)", flush=True)
        runs.append((script.stem, seconds, failure, tee.copy.getvalue()))
    options.results.write_text(
        results_markdown(runs, common.RECORDS, quick=options.quick), encoding="utf-8"
    )
    print(f"\nWrote {options.results}")
    return 1 if any(failure for _, _, failure, _ in runs) else 0


def results_markdown(runs, records, *, quick: bool) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Written by `python -m bench`"
        + (" --quick (small sizes, SQLite only)" if quick else "")
        + "; figures are from one run on the machine below and are noisy on a shared machine.",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {machine()}",
        f"- git commit: {commit()}",
        "",
        "| Benchmark | Case | Figures | Target | Met |",
        "|---|---|---|---|---|",
    ]
    verdicts = {True: "yes", False: "**no**", None: "–"}
    for row in records:
        lines.append(
            "| {benchmark} | {case} | {figures} | {target} | {met} |".format(
                **{k: _cell(v) for k, v in row.items() if k != "met"},
                met=verdicts[row["met"]],
            )
        )
    for name, seconds, failure, _ in runs:
        if failure:
            lines.append(f"| {name} | **failed** | {_cell(failure)} | | **no** |")
        elif not any(r["benchmark"] == name for r in records):
            lines.append(f"| {name} | (see its output below) | took {seconds:.0f} s | | – |")
    lines += ["", "## Output", ""]
    for name, seconds, _, output in runs:
        lines += [f"### {name} ({seconds:.0f} s)", "", "```", output.strip(), "```", ""]
    return "\n".join(lines)


def _cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            names = [
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            ]
        if names:
            cpu = names[0]
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as info:
            kb = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
        memory = f", {kb / 2**20:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}){memory}, "
        f"Python {platform.python_version()}"
    )


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()

    try:
        sha = git("rev-parse", "--short", "HEAD") or "unknown"
        dirty = git("status", "--porcelain", "--", ".", ":!bench/RESULTS.md")  # not itself
        return sha + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
