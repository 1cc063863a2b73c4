"""The suite under load: `uv run pytest` several times in a row while every core is kept busy.

The suite must not be flaky when the machine is busy with other work. This starts one CPU burner per core
(a Python process spinning in a loop, which ends by itself after --burn-limit seconds even if this script
is killed), runs the suite --runs times one after the other, stops the burners, and prints each run's
verdict, wall time and pytest's summary line. Each run's output is kept in a log file, named in the report.
The exit status is 0 when every run passed.

    uv run python bench/stress_suite.py [--runs 3] [--burners 2] [-- extra pytest arguments]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_BURN = "import sys, time\nend = time.monotonic() + float(sys.argv[1])\nwhile time.monotonic() < end:\n    pass\n"


@dataclass
class Run:
    code: int
    seconds: float
    summary: str
    log: Path


def burners(count: int, limit: float) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", _BURN, str(limit)]) for _ in range(count)]


def run_suite(pytest_args: list[str], log: Path) -> Run:
    started = time.monotonic()
    with log.open("wb") as out:
        code = subprocess.run(
            ["uv", "run", "pytest", *pytest_args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        ).returncode
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return Run(code, time.monotonic() - started, lines[-1] if lines else "(no output)", log)


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the test suite several times while the CPUs are kept busy.")
    parser.add_argument("--runs", type=int, default=3, help="how many times to run the suite, one after the other")
    parser.add_argument(
        "--burners", type=int, default=os.cpu_count() or 2, help="busy processes (default: one per core)"
    )
    parser.add_argument("--burn-limit", type=float, default=3600, help="seconds after which a burner stops by itself")
    parser.add_argument("pytest_args", nargs="*", help="after --: passed on to pytest")
    args = parser.parse_args()

    logs = Path(tempfile.mkdtemp(prefix="anam-stress-"))
    busy = burners(args.burners, args.burn_limit)
    runs: list[Run] = []
    try:
        for number in range(1, args.runs + 1):
            run = run_suite(args.pytest_args, logs / f"run-{number}.log")
            runs.append(run)
            print(
                f"run {number}: {'passed' if run.code == 0 else f'FAILED ({run.code})'} in {run.seconds:.1f} s",
                flush=True,
            )
    finally:
        for burner in busy:
            burner.kill()
            burner.wait()

    print(f"\nthe suite, run {args.runs} times while {args.burners} processes kept the CPUs busy\n")
    for number, run in enumerate(runs, 1):
        verdict = "ok  " if run.code == 0 else "FAIL"
        print(f"  {verdict} run {number}: {run.seconds:6.1f} s  {run.summary}  ({run.log})")
    passed = sum(run.code == 0 for run in runs)
    print(f"\n{passed} of {len(runs)} runs passed")
    return 0 if passed == len(runs) == args.runs else 1


if __name__ == "__main__":
    raise SystemExit(main())
