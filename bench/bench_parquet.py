"""mdpoverty on a typed Parquet pair against the DuckDB floor (``floor_duckdb.py``).

Issue 14's goal: ``mdpoverty classify households.parquet -o out.parquet`` within **2×** the
time of the classification core written in DuckDB SQL (two threads, no validation) and
**1.5×** its peak memory, with full validation and the issue table. Each run is a fresh
process (spawn to exit: interpreter start, imports, reading, the work, writing Parquet);
its peak RSS is that child's ``ru_maxrss`` (``os.wait4``; Linux counts in it the parent's
RSS at spawn time, so the benchmark generates its data in a child and stays small). The
kinds are interleaved (floor, mdpoverty, floor, …) ``R`` times after one warm-up of each,
and the **minimum** of each kind is compared: on a machine shared with other work the
minimum is the run the least disturbed. The classes are compared afterwards: every
household mdpoverty classes must have the floor's class (the script fails otherwise).

Usage (from the repository root)::

    python bench/bench_parquet.py -n 1000000 -r 3 --record
    python bench/bench_parquet.py -n 1000000 --also-src /tmp/old/src   # before/after
    python bench/bench_parquet.py -n 1000000 --csv    # also classify the CSV pair

``--also-src DIR`` adds a row running mdpoverty from another source tree (``PYTHONPATH``;
the tree needs its ``data/`` beside ``src/``), e.g. an older commit's
``git archive COMMIT src data | tar -x -C /tmp/old``, measured in the same interleaved run.
``--csv`` adds ``classify households.csv`` on the CSV pair of the same households,
against the same floor.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(BENCH) not in sys.path:
    sys.path.append(str(BENCH))  # after the rest: examples/ has a generate.py too

from recording import record_section  # noqa: E402


def _bench_generate() -> ModuleType:
    """``bench/generate.py`` under a name of its own (``examples/generate.py`` is
    ``generate`` to the example scripts)."""
    name = "mdpoverty_bench_generate"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCH / "generate.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


generate = _bench_generate()

GOAL_TIME = 2.0
GOAL_MEMORY = 1.5


@dataclass
class Kind:
    key: str
    label: str
    argv: list[str]
    out: Path
    env: dict[str, str] = field(default_factory=dict)
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run ``argv`` in a fresh process; (wall s, CPU s, peak RSS MiB) of that child."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if code not in (0, 1):  # 1: classified, with errors in the issue table
        raise SystemExit(f"{' '.join(argv)} exited {code}: {err.strip()[:400]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def kinds(hh: Path, m: Path, tmp: Path, also_src: str | None, csv: Path | None) -> list[Kind]:
    from floor_duckdb import query

    py = sys.executable
    cli = [py, "-m", "mdpoverty.cli.main", "classify"]
    sql = tmp / "floor.sql"
    sql.write_text(query(str(hh), str(m)), encoding="utf-8")
    out = [
        Kind(
            "floor",
            "DuckDB core (SQL, 2 threads, no validation) — floor",
            [py, str(BENCH / "floor_duckdb.py"), "--sql", str(sql), str(tmp / "floor.parquet")],
            tmp / "floor.parquet",
        ),
        Kind(
            "mdpoverty",
            "`mdpoverty classify households.parquet -o out.parquet`",
            [*cli, str(hh), "-o", str(tmp / "md.parquet"), "-q"],
            tmp / "md.parquet",
        ),
    ]
    if also_src:
        src = str(Path(also_src).resolve())
        out.append(
            Kind(
                "also",
                f"the same, mdpoverty from `{also_src}`",
                [*cli, str(hh), "-o", str(tmp / "also.parquet"), "-q"],
                tmp / "also.parquet",
                {"PYTHONPATH": src},
            )
        )
    if csv is not None:
        out.append(
            Kind(
                "csv",
                "`mdpoverty classify households.csv -o out.parquet` (the CSV pair)",
                [*cli, str(csv), "-o", str(tmp / "csv.parquet"), "-q"],
                tmp / "csv.parquet",
            )
        )
    return out


def agreement(floor: Path, md: Path) -> tuple[int, int, int]:
    """(households mdpoverty classed, of them with another class in the floor, households
    mdpoverty left unclassed)."""
    import pandas as pd

    a = pd.read_parquet(md, columns=["household_id", "class"])
    b = pd.read_parquet(floor)
    joined = a.astype(str).merge(b.astype(str), on="household_id", how="left", suffixes=("", "_f"))
    classed = joined["class"] != ""
    differ = classed & (joined["class"] != joined["class_f"])
    return int(classed.sum()), int(differ.sum()), int((~classed).sum())


def machine() -> str:
    from bench_classify import machine_info

    info = machine_info()
    try:
        import duckdb

        info["duckdb"] = duckdb.__version__
    except ImportError:
        pass
    load = os.getloadavg()
    info["load average at the start"] = f"{load[0]:.1f}"
    return "; ".join(f"{k} {v}" for k, v in info.items())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--households", type=int, default=1_000_000)
    parser.add_argument("-r", "--repeat", type=int, default=3)
    parser.add_argument("--also-src", help="also run mdpoverty from this source tree")
    parser.add_argument("--csv", action="store_true", help="also classify the CSV pair")
    parser.add_argument("--no-warmup", action="store_true", help="skip the warm-up runs")
    parser.add_argument("--record", action="store_true", help="write the run into RESULTS.md")
    args = parser.parse_args(argv)
    # generated in a child process: the peak RSS a child reports (ru_maxrss) counts its
    # parent's at the time it was spawned, so this process must stay small
    for fmt in ("parquet", "csv") if args.csv else ("parquet",):
        gen = [sys.executable, str(BENCH / "generate.py"), "-n", str(args.households)]
        subprocess.run(
            [*gen, "--format", fmt],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    hh, m = generate.ensure_pair(args.households, "parquet", quiet=True)
    csv = generate.ensure_pair(args.households, "csv", quiet=True)[0] if args.csv else None
    about = machine()
    with tempfile.TemporaryDirectory(prefix="mdpoverty-bench-") as tmp:
        ks = kinds(hh, m, Path(tmp), args.also_src, csv)
        if not args.no_warmup:
            for k in ks:
                run_once(k.argv, k.env)
        for r in range(args.repeat):
            for k in ks:
                wall, cpu, rss = run_once(k.argv, k.env)
                k.wall.append(wall)
                k.cpu.append(cpu)
                k.rss.append(rss)
                print(f"[{r + 1}/{args.repeat}] {k.key}: {wall:.2f} s, {rss:.0f} MiB", flush=True)
        checks = {k.key: agreement(ks[0].out, k.out) for k in ks[1:]}
    floor = ks[0]
    lines = [
        "| process | min wall s | median wall s | × floor (min) | CPU s (min) | peak RSS MiB "
        "(min) | × floor |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for k in ks:
        lines.append(
            f"| {k.label} | {min(k.wall):.2f} | {statistics.median(k.wall):.2f} | "
            f"{min(k.wall) / min(floor.wall):.2f}× | {min(k.cpu):.2f} | {min(k.rss):.0f} | "
            f"{min(k.rss) / min(floor.rss):.2f}× |"
        )
    md = ks[1]
    t_ratio = min(md.wall) / min(floor.wall)
    c_ratio = min(md.cpu) / min(floor.cpu)
    m_ratio = min(md.rss) / min(floor.rss)
    agree = []
    for key, (classed, differ, unclassed) in checks.items():
        agree.append(
            f"- classes, {key} against the floor: {classed:,} households classed, "
            f"**{differ}** with another class; {unclassed:,} left unclassed by validation"
        )
    command = "python bench/bench_parquet.py " + " ".join(argv or sys.argv[1:])
    text = "\n".join(
        [
            f"- **Input**: `bench/data/parquet-{args.households}/` (typed Parquet pair, "
            f"`python bench/generate.py -n {args.households} --format parquet`, seed 2025)",
            f"- **Command**: `{command.strip()}` ({args.repeat} interleaved repeats"
            f"{'' if args.no_warmup else ' after a warm-up'}, each a fresh process; min "
            "compared)",
            f"- **Machine**: {about}",
            "",
            *lines,
            "",
            *agree,
            f"- time: mdpoverty / floor = **{t_ratio:.2f}×** (goal ≤ {GOAL_TIME}×: "
            f"{'met' if t_ratio <= GOAL_TIME else 'NOT met'})",
            f"- CPU time (user + system, all threads): mdpoverty / floor = {c_ratio:.2f}× "
            "(the floor runs two threads, mdpoverty mostly one)",
            f"- peak memory: mdpoverty / floor = **{m_ratio:.2f}×** (goal ≤ {GOAL_MEMORY}×: "
            f"{'met' if m_ratio <= GOAL_MEMORY else 'NOT met'})",
        ]
    )
    print(text)
    if args.record:
        record_section(
            f"parquet:{date.today().isoformat()}:{args.households}",
            f"## classify a Parquet pair against DuckDB — {date.today().isoformat()} — "
            f"{args.households:,} households",
            text,
        )
    return 1 if any(d for _, d, _ in checks.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
