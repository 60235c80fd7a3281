"""The long fuzz run: >= 10,000 hostile or officer-shaped survey files, 0 tracebacks expected.

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
    python bench/fuzz.py --cases 5000 --families habits --record   # officers' layouts only

Families: ``sheet`` (damaged sheets), ``file`` (damaged files), ``table`` (CSV/Parquet pairs)
and ``habits``: workbooks laid out the way commune officers do (``tests/fuzz_habits.py`` with
``examples/officer_habits.py``: numbered rows, repeated headers, merged IDs and communes,
two-row headers, total rows, signature blocks, a column given twice), single and combined,
whose oracle is "every household has the class it has in the untouched workbook, or the issue
table names it (by ID, or sheet + Excel row); the same households in and out". A household
whose class changes without that is a silent misclassification, counted and failed.

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
# The case mix of one run: sheet damage, file damage, CSV/Parquet pairs, and workbooks laid
# out the way officers do (tests/fuzz_habits.py: plausible, not damaged).
MIX = (("sheet", 0.3), ("file", 0.25), ("table", 0.2), ("habits", 0.25))
HABITS_CLI_SHARE = 4  # habit cases also through `classify -o` on 1 in 4 (the library on all)


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
    if family == "habits":
        return _habits_worker(args)
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


def _habits_worker(args: tuple[int, str, int, int]) -> dict[str, Any]:
    """The habits family: the oracle is "every household has its untouched class, or the
    issue table names it; same households in and out" (``fuzz_habits.run_habit_case``)."""
    index, family, n, seed = args
    import zlib

    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    _harness()  # puts tests/ on sys.path
    import fuzz_habits as fh

    tally: dict[str, Any] = {
        "family": family,
        "cases": 0,
        "skipped": 0,
        "exit": collections.Counter(),
        "failures": 0,
        "tracebacks": 0,
        "ops": collections.Counter(),
        "examples": [],
        "silent": 0,
        "silent_cases": 0,
        "changed_named": 0,
        "blocked": 0,
        "blocked_cases": 0,
        "layout_only": 0,
        "habit_counts": collections.Counter(),
        "checks": collections.Counter(),
    }

    @hseed(seed)
    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=fh.habit_cases())
    def run(case: Any) -> None:
        cli = zlib.crc32(repr(case).encode()) % HABITS_CLI_SHARE == 0
        with tempfile.TemporaryDirectory() as tmp:
            try:
                outcome = fh.run_habit_case(case, Path(tmp), cli=cli)
                crash = ""
            except Exception as exc:  # a traceback in the library: a failure, kept
                import traceback

                outcome, crash = (
                    fh.HabitOutcome(problems=[f"raised {exc!r}"]),
                    (traceback.format_exc()),
                )
            tally["cases"] += 1
            if outcome.exit_code is not None:
                tally["exit"][("classify", outcome.exit_code)] += 1
            tally["ops"][f"habits:{len(case.habits)}"] += 1
            tally["habit_counts"].update(case.habits)
            tally["checks"].update(outcome.checks)
            tally["silent"] += len(outcome.silent)
            tally["silent_cases"] += bool(outcome.silent)
            tally["changed_named"] += outcome.changed - len(outcome.silent)
            tally["layout_only"] += case.layout_only
            tally["blocked"] += outcome.blocked
            tally["blocked_cases"] += bool(outcome.blocked)
            if outcome.ok:
                return
            tally["failures"] += 1
            tally["tracebacks"] += bool(crash)
            keep = FAILURES / f"{index}-{tally['failures']}"
            if keep.exists():
                shutil.rmtree(keep)
            shutil.copytree(tmp, keep)
            (keep / "CASE.txt").write_text(
                f"{case.describe()}\n{case!r}\n\n{outcome.problems}\n{crash}", encoding="utf-8"
            )
            if len(tally["examples"]) < 5:
                tally["examples"].append(f"{case.describe()}: {outcome.problems}")

    run()
    return tally


HABIT_KEYS = ("silent", "silent_cases", "changed_named", "blocked", "blocked_cases", "layout_only")


def _plan(
    cases: int, workers: int, seed: int, families: tuple[str, ...] = tuple(f for f, _ in MIX)
) -> list[tuple[int, str, int, int]]:
    """Jobs of ~250 cases, families in the MIX proportions, each with its own seed."""
    jobs = []
    mix = [(f, share) for f, share in MIX if f in families]
    whole = sum(share for _, share in mix)
    for family, share in mix:
        total = round(cases * share / whole)
        size = 250
        for k in range(0, total, size):
            jobs.append((len(jobs), family, min(size, total - k), seed * 1000 + len(jobs)))
    return jobs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument(
        "--families",
        default=",".join(f for f, _ in MIX),
        help="comma-separated, from: %(default)s (habits: officers' layouts, the others damage)",
    )
    ap.add_argument("--record", action="store_true", help="record in bench/RESULTS.md")
    args = ap.parse_args(argv)
    families = tuple(f.strip() for f in args.families.split(",") if f.strip())
    unknown = set(families) - {f for f, _ in MIX}
    if unknown or not families:
        ap.error(f"unknown families {sorted(unknown)}; known: {', '.join(f for f, _ in MIX)}")
    args.families = families
    jobs = _plan(args.cases, args.workers, args.seed, families)
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
        **{k: 0 for k in HABIT_KEYS},
        "habit_counts": collections.Counter(),
        "checks": collections.Counter(),
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
            for key in HABIT_KEYS:
                total[key] += tally.get(key, 0)
            total["habit_counts"].update(tally.get("habit_counts", {}))
            total["checks"].update(tally.get("checks", {}))
            total["by_family"][tally["family"]] += tally["cases"]
            total["examples"] += tally["examples"]
            done = sum(total["by_family"].values())
            print(
                f"  {done:>6} cases  {time.perf_counter() - started:7.1f} s  "
                f"failures {total['failures']}  tracebacks {total['tracebacks']}  "
                f"silent {total['silent']}",
                file=sys.stderr,
            )
    elapsed = time.perf_counter() - started
    lines = [
        f"cases: {total['cases']} (+{total['skipped']} the generator could not write)",
        f"by family: {dict(total['by_family'])}",
        *_exit_lines(total["exit"]),
        f"failures: {total['failures']}",
        f"tracebacks: {total['tracebacks']}",
        *_habit_lines(total),
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


def _habit_lines(total: dict[str, Any]) -> list[str]:
    """The habits family's figures (none when the run had no habit case)."""
    n = total["by_family"].get("habits", 0)
    if not n:
        return []
    habits = ", ".join(f"{k} {v}" for k, v in sorted(total["habit_counts"].items()))
    return [
        f"habit cases: {n} (habits laid on: {habits})",
        f"silent misclassifications: {total['silent']} households in {total['silent_cases']} cases",
        f"households whose class changed, named in the issue table: {total['changed_named']}",
        f"layout-only cases ({total['layout_only']}) with households not classed: "
        f"{total['blocked_cases']} ({total['blocked']} households, each named)",
    ]


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


def _command(args: argparse.Namespace) -> str:
    fam = (
        ""
        if set(args.families) == {f for f, _ in MIX}
        else f" --families {','.join(args.families)}"
    )
    return (
        f"python bench/fuzz.py --cases {args.cases} --workers {args.workers} "
        f"--seed {args.seed}{fam} --record"
    )


HABITS_TEXT = [
    "Habit cases (`tests/fuzz_habits.py`): one of six base surveys from the example generator "
    "(24–45 households; rounds 2024 with a district column, 2025, 2026 under the provisional "
    "2027–2030 standard; tidy or dirty headers, one with English codes), with one to five of "
    "the officers' habits of `examples/officer_habits.py` laid on with a drawn seed: "
    "numbered row, repeated header, member IDs merged down, communes merged down, two-row "
    "header, total row, signature block, a column given twice (`twin`) or given twice and "
    "differing for five households (`twin_differs`). Each is classed by the library (and on "
    "1 in 4 also by `mdpoverty classify -o out.csv`, whose exit code must be 0 exactly when "
    "every household is classed and whose classes must be the library's).",
    "",
    "Oracle: the same households in and out, and every household has the class it has in "
    "the untouched base, or an error in the issue table names it (its `household_id`, or "
    "its sheet and Excel row); a household whose copy of a twin column differs is named "
    "whatever its class. A household whose class changed without that is a *silent "
    "misclassification*. Layout-only cases (no `twin_differs`) that leave households not "
    "classed are counted apart: loud, not silent, but not what issue 11 asks for.",
]


def _record(args: argparse.Namespace, total: dict[str, Any], lines: list[str], s: float) -> None:
    import mdpoverty

    if args.families == ("habits",):
        _record_habits(args, total, lines)
        return
    ops = ", ".join(f"{k} {v}" for k, v in sorted(total["ops"].items()))
    text = [
        f"- **Command**: `{_command(args)}`",
        f"- **Date**: {time.strftime('%Y-%m-%d')}; machine: {platform.machine()}, "
        f"nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"mdpoverty {getattr(mdpoverty, '__version__', '0.1.0')}",
        "",
        *[f"- {line}" for line in lines],
        "",
        *([*HABITS_TEXT, ""] if "habits" in args.families else []),
        "Every damage case goes through four commands, each through CliRunner, and the library: "
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


def _record_habits(args: argparse.Namespace, total: dict[str, Any], lines: list[str]) -> None:
    import subprocess

    import mdpoverty

    src = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    checks = ", ".join(f"{k} {v}" for k, v in sorted(total["checks"].items()))
    text = [
        f"- **Command**: `{_command(args)}`",
        f"- **Date**: {time.strftime('%Y-%m-%d')}; machine: {platform.machine()}, "
        f"nproc {os.cpu_count()} (shared), Python {platform.python_version()}, "
        f"mdpoverty {getattr(mdpoverty, '__version__', '0.1.0')}, source {src}",
        "",
        *[f"- {line}" for line in lines],
        "",
        *HABITS_TEXT,
        "",
        f"Issue checks raised (cases): {checks}.",
        "",
    ]
    today = time.strftime("%Y-%m-%d")
    recording.record_section(
        f"fuzz-habits:{today}:{args.cases}:{args.seed}",
        f"## Fuzz run, officers' habits — {today} — {args.cases:,} cases, seed {args.seed}",
        "\n".join(text),
    )


if __name__ == "__main__":
    sys.exit(main())
