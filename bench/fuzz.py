"""The long fuzz run: >= 10,000 hostile survey files through mdpoverty, 0 tracebacks expected.

Uses the generators and checks of ``tests/test_fuzz.py`` (hypothesis strategies). Every case
goes through ``classify -o``, the library, then ``validate -o``, ``report`` and ``measures``
(the CI run takes the other commands on 1 case in 3; this run on every case). Each must end
in exit 0/1 with what it wrote agreeing with the library's result, or exit 2 with one line,
all four alike; never exit 3, never a traceback. Runs in worker processes, each a seeded
hypothesis run with generation only (no shrinking: a failing case is saved as files to
replay instead), so a case that kills its process outright (a native abort) is counted too.

Usage (from the repository root)::

    python bench/fuzz.py                       # 10,000 cases, 2 workers, seed 2025
    python bench/fuzz.py --cases 500 --workers 1 --seed 7
    python bench/fuzz.py --record              # also record the run in bench/RESULTS.md

Failing cases are written to ``bench/data/fuzz-failures/<worker>-<n>/`` (git-ignored) with
the case description and what it broke.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing as mp
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import recording  # bench/recording.py: bench/ is on sys.path when run as a script

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
FAILURES = BENCH / "data" / "fuzz-failures"
# The case mix of one run: sheet damage, file damage, CSV/Parquet pairs.
MIX = (("sheet", 0.4), ("file", 0.35), ("table", 0.25))


def _harness() -> Any:
    sys.path.insert(0, str(ROOT / "tests"))
    import test_fuzz  # the shared generators and checks

    return test_fuzz


def _worker(args: tuple[int, str, int, int]) -> dict[str, Any]:
    """Run ``n`` cases of one family with hypothesis seeded by ``seed``; never raises."""
    index, family, n, seed = args
    import logging

    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    logging.disable(logging.WARNING)  # calamine logs every chart sheet it skips
    fz = _harness()
    strategy = {
        "sheet": fz.workbook_cases(hostile_files=False),
        "file": fz.workbook_cases(),
        "table": fz.table_cases(),
    }[family]
    tally: dict[str, Any] = {
        "family": family,
        "cases": 0,
        "skipped": 0,
        "exit": collections.Counter(),
        "failures": 0,
        "tracebacks": 0,
        "ops": collections.Counter(),
        "examples": [],
    }

    @hseed(seed)
    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            outcome = fz.run_case(case, Path(tmp))
            if outcome.exit_code is None and not outcome.problems:
                tally["skipped"] += 1  # the generator could not write it (e.g. xlwt limits)
                return
            tally["cases"] += 1
            for command, code in outcome.exits.items():
                tally["exit"][(command, code)] += 1
            tally["ops"][f"{case.kind}:{case.file_op}"] += 1
            if outcome.ok:
                return
            tally["failures"] += 1
            tally["tracebacks"] += bool(outcome.crash)
            keep = FAILURES / f"{index}-{tally['failures']}"
            if keep.exists():
                shutil.rmtree(keep)
            shutil.copytree(tmp, keep)
            (keep / "CASE.txt").write_text(
                f"{case.describe()}\n{case!r}\n\n{outcome.problems}\n{outcome.crash}",
                encoding="utf-8",
            )
            if len(tally["examples"]) < 5:
                tally["examples"].append(f"{case.describe()}: {outcome.problems}")

    run()
    return tally


def _plan(cases: int, workers: int, seed: int) -> list[tuple[int, str, int, int]]:
    """Jobs of ~250 cases, families in the MIX proportions, each with its own seed."""
    jobs = []
    for family, share in MIX:
        total = round(cases * share)
        size = 250
        for k in range(0, total, size):
            jobs.append((len(jobs), family, min(size, total - k), seed * 1000 + len(jobs)))
    return jobs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--record", action="store_true", help="record in bench/RESULTS.md")
    args = ap.parse_args(argv)
    jobs = _plan(args.cases, args.workers, args.seed)
    started = time.perf_counter()
    total: dict[str, Any] = {
        "cases": 0,
        "skipped": 0,
        "failures": 0,
        "tracebacks": 0,
        "died": 0,
        "exit": collections.Counter(),
        "by_family": collections.Counter(),
        "ops": collections.Counter(),
        "examples": [],
    }
    ctx = mp.get_context("spawn")
    with ctx.Pool(args.workers, maxtasksperchild=1) as pool:
        pending = {job[0]: pool.apply_async(_worker, (job,)) for job in jobs}
        for index, res in pending.items():
            try:
                tally = res.get()
            except Exception as exc:  # the worker died (a native abort) or raised
                total["died"] += 1
                total["examples"].append(f"job {jobs[index]} died: {exc!r}")
                continue
            for key in ("cases", "skipped", "failures", "tracebacks"):
                total[key] += tally[key]
            total["exit"].update(tally["exit"])
            total["ops"].update(tally["ops"])
            total["by_family"][tally["family"]] += tally["cases"]
            total["examples"] += tally["examples"]
            done = sum(total["by_family"].values())
            print(
                f"  {done:>6} cases  {time.perf_counter() - started:7.1f} s  "
                f"failures {total['failures']}  tracebacks {total['tracebacks']}",
                file=sys.stderr,
            )
    elapsed = time.perf_counter() - started
    lines = [
        f"cases: {total['cases']} (+{total['skipped']} the generator could not write)",
        f"by family: {dict(total['by_family'])}",
        *_exit_lines(total["exit"]),
        f"failures: {total['failures']}",
        f"tracebacks: {total['tracebacks']}",
        f"workers died: {total['died']}",
        f"time: {elapsed:.0f} s ({args.workers} workers)",
    ]
    print("\n".join(lines))
    for ex in total["examples"][:20]:
        print("  ", ex[:500])
    if args.record:
        _record(args, total, lines, elapsed)
    ok = total["failures"] == 0 and total["tracebacks"] == 0 and total["died"] == 0
    return 0 if ok else 1


def _exit_lines(exits: collections.Counter) -> list[str]:
    """One line per command: how many cases ended in each exit code."""
    lines = []
    for command in COMMANDS:
        codes = sorted((code, n) for (cmd, code), n in exits.items() if cmd == command)
        if codes:
            text = ", ".join(f"{code}: {n}" for code, n in sorted(codes, key=str))
            lines.append(f"exit codes, {command}: {text}")
    return lines


COMMANDS = ("classify", "validate", "report", "measures")
KILL_TESTS = ["tests/test_safety.py", "-k", "mid_write"]


def _kill_tests() -> str:
    """Run the kill-mid-write tests (pytest) and return their closing line."""
    import subprocess

    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *KILL_TESTS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    last = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-200:]
    return f"{last} (exit {run.returncode}, {time.perf_counter() - started:.0f} s wall)"


def _record(args: argparse.Namespace, total: dict[str, Any], lines: list[str], s: float) -> None:
    import mdpoverty

    ops = ", ".join(f"{k} {v}" for k, v in sorted(total["ops"].items()))
    text = [
        f"- **Command**: `python bench/fuzz.py --cases {args.cases} --workers {args.workers} "
        f"--seed {args.seed} --record`",
        f"- **Date**: {time.strftime('%Y-%m-%d')}; machine: {platform.machine()}, "
        f"nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"mdpoverty {getattr(mdpoverty, '__version__', '0.1.0')}",
        "",
        *[f"- {line}" for line in lines],
        "",
        "Every case goes through four commands, each through CliRunner, and the library: "
        "`mdpoverty classify FILE -o out.{csv,xlsx,json,parquet}`, then "
        "`mdpoverty.classify(FILE)`, then `mdpoverty validate FILE -o issues.csv`, "
        "`mdpoverty report FILE` (`--form all -o report.xlsx` when the case's classify "
        "output is .xlsx, a quarter of the cases; else `--form 1 --format csv` to stdout) and "
        "`mdpoverty measures FILE --by commune --format csv`.",
        "",
        "Passed when classify ends in exit 0/1 with one output row per household the file "
        "holds (re-derived from the case's model), households and members in = classed + "
        "rejected, every rejected household with an error naming it, no household classed "
        "without a member, the summary line giving both counts, formula-like text neutralised "
        "in the output (reopened), no temporary file left; or in exit 2 with one line on "
        "stderr (and the expected check id for a bomb, entity or far cell). Each other command "
        "exits 2 exactly when classify does, with the same line, and otherwise: validate "
        "writes the library's issue table whole and neutralised, exit 1 exactly when it holds "
        "an error; report's Form 1 grand total gives the library's classed households, their "
        "members, poor households (and on the CSV, the households not classed), exit as "
        "classify's; measures' `all` row gives the classed households with members and their "
        "members, the households it says it left out are all the others, the communes add up "
        "to the total, H, A, M0 in [0, 1] with M0 = H·A, contributions summing to 100. No "
        "command exits 3, prints a traceback or leaves a temporary file.",
        "",
        f"Cases by kind and file operation: {ops}.",
        "",
        "**Kill mid-write.**",
        "",
        f"`python -m pytest {' '.join(KILL_TESTS)}`: {_kill_tests()}.",
        "",
        "- SIGKILL while the xlsx output of a 4,000-household survey is being written "
        "(its temporary file non-empty): the previous output is byte-identical; the "
        "temporary file is left (SIGKILL cannot be caught), kept by a run soon after "
        "(it could be a concurrent run's) and removed by the first run once it is 15 minutes "
        "old; the new output is then whole.",
        "- SIGTERM and SIGHUP at the same point: exit 143 / 129, the previous output "
        "byte-identical, no temporary file left, one line on stderr, no traceback.",
        "",
    ]
    today = time.strftime("%Y-%m-%d")
    recording.record_section(
        f"fuzz:{today}:{args.cases}:{args.seed}",
        f"## Fuzz run and kill test — {today} — {args.cases:,} cases, seed {args.seed}",
        "\n".join(text),
    )


if __name__ == "__main__":
    sys.exit(main())
