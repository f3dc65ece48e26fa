"""Run every benchmark in bench/ in turn; each prints its own figures."""

from __future__ import annotations

import runpy
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    wanted = set(sys.argv[1:])
    for script in sorted(HERE.glob("bench_*.py")):
        if wanted and script.stem not in wanted:
            continue
        print(f"\n=== {script.stem} ===", flush=True)
        started = time.perf_counter()
        sys.argv = [str(script)]
        runpy.run_path(str(script), run_name="__main__")
        print(f"({script.stem} took {time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
