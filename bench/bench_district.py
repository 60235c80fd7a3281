"""Time a whole district in one batch: ``mdpoverty report FOLDER --form all -o x.xlsx``.

The district job a statistician puts in cron reads a folder of workbooks — one per commune,
or per village (thôn) where villages send their own — classes them together and writes
Forms 1–5. This benchmark splits one synthetic district (the example generator, fixed seed)
into one workbook per village, and times, each in a fresh process, ``--repeat`` times,
interleaved:

``read folder — floor``
    fastexcel reading every sheet of every workbook as text into Arrow, one file after the
    other: what any tool must pay to look at the data.
``report FOLDER``
    ``mdpoverty report FOLDER --form all -o report.xlsx -q``: the batch job, whole process.
``report one workbook``
    the same households in a single workbook (``bench/generate.py``'s), same command:
    what splitting into many files costs.
``classify one workbook``
    ``mdpoverty classify ONE -o out.csv -q``, for reference (``bench_classify.py`` has the
    detail).

Peak RSS is each child's own (``os.wait4``). Forms 2 and 3 need a previous round; the
survey has none, so ``--form all`` writes Forms 1, 4 and 5.

Usage (from the repository root)::

    python bench/bench_district.py                      # 100,000 households
    python bench/bench_district.py -n 20000 -r 5
    python bench/bench_district.py --record             # also write bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import recording  # bench/recording.py: bench/ is on sys.path when run as a script
from bench_classify import _cli_path, _maxrss_mib, _run, machine_info
from generate import SEED, SURVEY_YEAR, _examples_generator, ensure_workbook

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"


def ensure_folder(n_households: int, quiet: bool = False) -> Path:
    """One workbook per village of the ``n_households`` district (cached)."""
    folder = DATA / f"district-{n_households}"
    done = folder / ".complete"
    if done.exists():
        return folder
    gen = _examples_generator()
    households, members = gen.generate_district(n_households, seed=SEED, survey_year=SURVEY_YEAR)
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    groups = households.groupby(["commune", "village"], sort=False)
    for i, ((commune, village), hh) in enumerate(groups, start=1):
        mm = members[members["household_id"].isin(hh["household_id"])]
        name = f"{i:03d}-{commune}-{village}.xlsx".replace(" ", "-").replace("/", "-")
        gen.write_workbook(hh, mm, folder / name, vietnamese=True, dirty=True)
    done.write_text(f"{groups.ngroups} workbooks\n")
    if not quiet:
        print(
            f"wrote {groups.ngroups} village workbooks in {folder} "
            f"({time.perf_counter() - t0:.0f} s)",
            file=sys.stderr,
        )
    return folder


def _child_read_folder(folder: str) -> dict[str, Any]:
    import fastexcel

    t0 = time.perf_counter()
    rows = 0
    files = sorted(Path(folder).glob("*.xlsx"))
    for f in files:
        reader = fastexcel.read_excel(str(f))
        for i in range(len(reader.sheet_names)):
            sheet = reader.load_sheet(i, header_row=None, skip_rows=0, dtypes="string")
            rows += sheet.to_arrow().num_rows
    return {"op_s": time.perf_counter() - t0, "rows": rows, "files": len(files)}


def _measure(argv: list[str]) -> dict[str, Any]:
    wall, cpu, rss, code, out, err = _run(argv, env=_env())
    if code not in (0, 1):
        raise SystemExit(f"{shlex.join(argv)} exited {code}: {err.strip()[-500:]}")
    payload = json.loads(out.strip().splitlines()[-1]) if "--child" in argv else {}
    return {"wall": wall, "cpu": cpu, "rss": rss, "code": code, "payload": payload}


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.pop("COLUMNS", None)
    return env


def run(n_households: int, repeat: int, quiet: bool) -> tuple[dict[str, list[dict]], dict]:
    folder = ensure_folder(n_households, quiet)
    one = ensure_workbook(n_households, quiet=True)
    cli = _cli_path()
    out = Path(tempfile.mkdtemp(prefix="mdpoverty-district-"))
    me = [sys.executable, str(Path(__file__).resolve()), "--child"]
    kinds = {
        "read": [*me, "read-folder", str(folder)],
        "folder": [cli, "report", str(folder), "--form", "all", "-o", str(out / "a.xlsx"), "-q"],
        "one": [cli, "report", str(one), "--form", "all", "-o", str(out / "b.xlsx"), "-q"],
        "classify": [cli, "classify", str(one), "-o", str(out / "c.csv"), "-q"],
    }
    _measure(kinds["read"])  # warm the page cache
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    for r in range(repeat):
        for k, argv in kinds.items():
            runs[k].append(_measure(argv))
            if not quiet:
                print(f"repeat {r + 1}/{repeat} {k}: {runs[k][-1]['wall']:.2f} s", file=sys.stderr)
    files = runs["read"][0]["payload"]["files"]
    return runs, {"folder": folder, "one": one, "files": files, "out": out}


LABELS = {
    "read": "read folder (fastexcel, text → Arrow) — floor",
    "folder": "`report FOLDER --form all -o report.xlsx`",
    "one": "`report ONE.xlsx --form all -o report.xlsx`",
    "classify": "`classify ONE.xlsx -o out.csv`",
}


def report_text(runs: dict[str, list[dict]], meta: dict, command: str, info: dict) -> str:
    med = {k: statistics.median(x["wall"] for x in v) for k, v in runs.items()}
    op = statistics.median(x["payload"]["op_s"] for x in runs["read"])
    lines = [
        f"- **Input**: `{meta['folder'].relative_to(ROOT)}/`: {meta['files']} village "
        f"workbooks of one synthetic district; the same households in "
        f"`{meta['one'].relative_to(ROOT)}`",
        f"- **Command**: `{command}` (interleaved repeats, each a fresh process)",
        "- **Machine**: " + "; ".join(f"{k} {v}" for k, v in info.items()),
        "",
        "| measurement | median wall s | × floor | CPU s | peak RSS MiB |",
        "|---|---:|---:|---:|---:|",
    ]
    for k, v in runs.items():
        cpu = statistics.median(x["cpu"] for x in v)
        rss = max(x["rss"] for x in v)
        lines.append(
            f"| {LABELS[k]} | {med[k]:.2f} | {med[k] / med['read']:.2f}× | {cpu:.2f} | {rss:.0f} |"
        )
    lines += [
        "",
        f"The floor's read itself (in-process, after imports) takes {op:.2f} s of its "
        f"{med['read']:.2f} s. The batch over {meta['files']} files costs "
        f"{med['folder'] / med['one']:.2f}× the same report from one workbook.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        out = _child_read_folder(argv[2])
        out["rss_peak_self_mib"] = _maxrss_mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        print(json.dumps(out))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", "-n", type=int, default=100_000)
    parser.add_argument("--repeat", "-r", type=int, default=3)
    parser.add_argument("--record", action="store_true", help="write bench/RESULTS.md")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    info = machine_info()
    runs, meta = run(args.households, args.repeat, args.quiet)
    command = shlex.join(["python", "bench/bench_district.py", *argv])
    text = report_text(runs, meta, command, info)
    print(text)
    if args.record:
        today = dt.date.today().isoformat()
        heading = f"## district batch — {today} — {args.households:,} households"
        recording.record_section(f"district:{today}:{args.households}", heading, text)
        print(f"recorded in {recording.RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
