"""mdpoverty on a partitioned dataset (the country on one machine) against the DuckDB floor.

Issue 14, item 2: ``mdpoverty classify DATASET -o out.parquet``, where ``DATASET`` holds
``households/`` and ``members/`` hive-partitioned by province (or province and commune),
processed partition by partition: peak memory bounded by the largest partition, not the
country (goal: 5,000,000 households in ≤ 2 GiB; then the national 27,000,000). The floor is
the same classification core in DuckDB SQL (``floor_duckdb.py``: two threads, no
validation) reading the same folders with ``read_parquet('…/**/*.parquet',
hive_partitioning = true)``. Each run is a fresh process, measured as ``bench_parquet.py``
measures (its ``run_once``: wall time, CPU time, ``ru_maxrss`` from ``os.wait4``); the
dataset is generated in a child (``generate.py --format dataset``) so this process stays
small. Afterwards DuckDB checks that every household mdpoverty classes has the floor's class.

Usage (from the repository root)::

    python bench/bench_dataset.py -n 5000000 --record
    python bench/bench_dataset.py -n 27000000 --no-floor --record
    python bench/bench_dataset.py -n 27000000 --memory-limit 12GB --record   # with the floor
    python bench/bench_dataset.py -n 5000000 --partition-by province,commune

``--no-floor`` (allowed from 10,000,000 households) runs mdpoverty alone; ``--memory-limit``
is DuckDB's ``memory_limit`` for the floor (it spills past it). ``-r R`` interleaves R runs
of each (default 1) and compares the minimum.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(BENCH) not in sys.path:
    sys.path.append(str(BENCH))  # after the rest: examples/ has a generate.py too

from bench_parquet import Kind, generate, machine, run_once  # noqa: E402
from recording import record_section  # noqa: E402

GOAL_MEMORY_MIB = 2048  # issue 14: 5,000,000 households in ≤ 2 GiB
NO_FLOOR_FROM = 10_000_000


def partition_rows(directory: Path) -> list[int]:
    """Households in each partition of the dataset, from the Parquet footers."""
    import pyarrow.dataset as ds

    dataset = ds.dataset(directory / "households", format="parquet", partitioning="hive")
    rows: dict[str, int] = {}
    for fragment in dataset.get_fragments():
        folder = str(Path(fragment.path).parent)
        rows[folder] = rows.get(folder, 0) + fragment.metadata.num_rows
    return sorted(rows.values())


def rows_out(path: Path) -> int:
    """Rows of mdpoverty's output (a Parquet file, or a folder of them)."""
    import pyarrow.dataset as ds

    return ds.dataset(path, format="parquet").count_rows()


def agreement(floor: Path, md: Path) -> tuple[int, int, int]:
    """(households mdpoverty classed, of them with another class in the floor, households
    mdpoverty left unclassed), joined in DuckDB (a national output does not fit pandas)."""
    import duckdb
    from floor_duckdb import source

    con = duckdb.connect()
    con.execute("SET threads = 2")
    row = con.execute(
        f"""SELECT count(*) FILTER (WHERE coalesce(m.class, '') <> ''),
                  count(*) FILTER (WHERE coalesce(m.class, '') <> ''
                                   AND m.class IS DISTINCT FROM f.class),
                  count(*) FILTER (WHERE coalesce(m.class, '') = '')
           FROM {source(str(md))} m LEFT JOIN read_parquet('{floor}') f
           USING (household_id)"""
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--households", type=int, default=5_000_000)
    parser.add_argument("-r", "--repeat", type=int, default=1)
    parser.add_argument("--partition-by", choices=("province", "province,commune"))
    parser.add_argument("--provinces", type=int, default=len(generate.PROVINCES))
    parser.add_argument("--communes", type=int, default=generate.DEFAULT_COMMUNES)
    parser.add_argument("--no-floor", action="store_true", help="mdpoverty alone (N ≥ 10 M)")
    parser.add_argument("--memory-limit", help="DuckDB's memory_limit for the floor, e.g. 12GB")
    parser.add_argument("--tmp", type=Path, help="where the outputs go (default: the system's)")
    parser.add_argument("--data", type=Path, help="the dataset's folder (default bench/data/…)")
    parser.add_argument("--record", action="store_true", help="write the run into RESULTS.md")
    parser.add_argument(
        "--dask",
        action="store_true",
        help="also run --engine dask (a LocalCluster: a process per core) and compare its rows",
    )
    args = parser.parse_args(argv)
    if args.no_floor and args.households < NO_FLOOR_FROM:
        parser.error(f"--no-floor is for {NO_FLOOR_FROM:,} households or more")
    by_commune = args.partition_by == "province,commune"
    layout = ["--provinces", str(args.provinces), "--communes", str(args.communes)]
    if by_commune:
        layout += ["--partition-by", "province,commune"]
    gen = [sys.executable, str(BENCH / "generate.py"), "--format", "dataset"]
    data = args.data or generate.dataset_dir(
        args.households, by_commune, args.provinces, args.communes
    )
    subprocess.run(
        [*gen, "-n", str(args.households), *layout, "--out", str(data)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    parts = partition_rows(data)
    about = machine()
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="mdpoverty-bench-", dir=args.tmp) as tmp:
        t = Path(tmp)
        cli = [py, "-m", "mdpoverty.cli.main", "classify", str(data)]
        label = "`mdpoverty classify DATASET -o out.parquet`"
        ks = [Kind("mdpoverty", label, [*cli, "-o", str(t / "md.parquet"), "-q"], t / "md.parquet")]
        if args.dask:
            dask_label = (
                "`mdpoverty classify DATASET -o out.parquet --engine dask` "
                "(peak RSS: its largest process)"
            )
            dask_argv = [*cli, "-o", str(t / "dask.parquet"), "-q", "--engine", "dask"]
            ks.append(Kind("dask", dask_label, dask_argv, t / "dask.parquet"))
        if not args.no_floor:
            from floor_duckdb import query

            (t / "floor.sql").write_text(
                query(str(data / "households"), str(data / "members")), encoding="utf-8"
            )
            limit = ["--memory-limit", args.memory_limit] if args.memory_limit else []
            floor_argv = [py, str(BENCH / "floor_duckdb.py"), *limit, "--sql", str(t / "floor.sql")]
            label = "DuckDB core (SQL, 2 threads, no validation) — floor"
            if args.memory_limit:
                label += f", memory_limit {args.memory_limit}"
            ks.insert(
                0,
                Kind("floor", label, [*floor_argv, str(t / "floor.parquet")], t / "floor.parquet"),
            )
        for r in range(args.repeat):
            for k in ks:
                try:
                    wall, cpu, rss = run_once(k.argv, k.env)
                except SystemExit as failed:  # run_once's one line: the command, its stderr
                    print(f"{k.key} failed on {data}:\n{failed}", file=sys.stderr)
                    return 2
                k.wall.append(wall)
                k.cpu.append(cpu)
                k.rss.append(rss)
                print(
                    f"[{r + 1}/{args.repeat}] {k.key}: {wall:.2f} s, {rss:.0f} MiB, "
                    f"{args.households / wall:,.0f} households/s",
                    flush=True,
                )
        md = next(k for k in ks if k.key == "mdpoverty")
        n_out = rows_out(md.out)
        check = None if args.no_floor else agreement(ks[0].out, md.out)
        same_dask = None
        if args.dask:
            import pyarrow.parquet as pq

            dask_kind = ks[-1]
            same_dask = pq.read_table(md.out).equals(pq.read_table(dask_kind.out))
    lines = [
        "| process | min wall s | × floor | CPU s (min) | peak RSS MiB (min) | × floor "
        "| households/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for k in ks:
        t_x = f"{min(k.wall) / min(ks[0].wall):.2f}×" if check else "—"
        m_x = f"{min(k.rss) / min(ks[0].rss):.2f}×" if check else "—"
        lines.append(
            f"| {k.label} | {min(k.wall):.2f} | {t_x} | {min(k.cpu):.2f} | {min(k.rss):.0f} | "
            f"{m_x} | {args.households / min(k.wall):,.0f} |"
        )
    peak = min(md.rss)
    command = "python bench/bench_dataset.py " + " ".join(argv or sys.argv[1:])
    gen_cmd = f"python bench/generate.py --format dataset -n {args.households}"
    if args.provinces != len(generate.PROVINCES):
        gen_cmd += f" --provinces {args.provinces}"
    if by_commune:
        gen_cmd += f" --partition-by province,commune --communes {args.communes}"
    out = [
        f"- **Input**: `{data.relative_to(ROOT) if data.is_relative_to(ROOT) else data}` "
        f"(`{gen_cmd}`, seed 2025): {args.households:,} households in {len(parts)} "
        f"partitions by {args.partition_by or 'province'}, {parts[0]:,}–{parts[-1]:,} "
        "households each",
        f"- **Command**: `{command.strip()}` ({args.repeat} run(s) of each, fresh processes, "
        "min compared)",
        f"- **Machine**: {about}",
        "",
        *lines,
        "",
        f"- rows out: {n_out:,} (households in: {args.households:,})",
        f"- peak memory of mdpoverty: **{peak / 1024:.2f} GiB** for {args.households:,} "
        f"households, largest partition {parts[-1]:,}"
        + (
            f" (issue 14's goal at 5 M: ≤ 2 GiB: {'met' if peak <= GOAL_MEMORY_MIB else 'NOT met'})"
            if args.households <= 5_000_000
            else " (bounded by the largest partition; the 2 GiB goal is the 5 M run's)"
        ),
    ]
    if check is not None:
        classed, differ, unclassed = check
        floor = ks[0]
        out += [
            f"- classes against the floor: {classed:,} households classed, **{differ}** with "
            f"another class; {unclassed:,} left unclassed by validation",
            f"- time: mdpoverty / floor = **{min(md.wall) / min(floor.wall):.2f}×**; "
            f"CPU time {min(md.cpu) / min(floor.cpu):.2f}×",
            f"- peak memory: mdpoverty / floor = **{peak / min(floor.rss):.2f}×**",
        ]
    if same_dask is not None:
        local_wall, dask_wall = min(md.wall), min(ks[-1].wall)
        out.append(
            f"- dask engine (LocalCluster, {os.cpu_count()} worker processes): output "
            f"{'**identical**' if same_dask else '**DIFFERENT**'} to the local engine's, row "
            f"for row; time {dask_wall:.2f} s = {dask_wall / local_wall:.2f}× the local engine"
        )
    text = "\n".join(out)
    print(text)
    if args.record:
        key = f"dataset:{date.today().isoformat()}:{args.households}:{args.partition_by or 'p'}"
        record_section(
            key,
            f"## classify a partitioned dataset — {date.today().isoformat()} — "
            f"{args.households:,} households",
            text,
        )
    if n_out != args.households:
        print(f"mdpoverty wrote {n_out:,} rows for {args.households:,} households", file=sys.stderr)
        return 1
    if same_dask is False:
        return 1
    return 1 if check is not None and check[1] else 0


if __name__ == "__main__":
    raise SystemExit(main())
