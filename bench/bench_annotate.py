"""How much ``--annotate`` adds to ``mdpoverty validate`` (issue 12: goal ≤ 3× validate alone).

Fresh processes, interleaved: ``validate FILE -o issues.csv`` and the same with
``--annotate-to out.xlsx``; then, in one process, the annotate step alone (the issue table
given) as the CLI runs it, and once more with one issue added on the members sheet, so that
both large sheets are rewritten (the worst case: the clean benchmark workbook has issues on
the households sheet only).

    python bench/generate.py && python bench/bench_annotate.py --record
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
DEFAULT = HERE / "data" / "survey-100000.xlsx"


def _run(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mdpoverty.cli.main", *args], capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr.decode(errors="replace"))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _step(path: Path, out: Path, both_sheets: bool) -> tuple[float, float]:
    import pandas as pd

    import mdpoverty
    from mdpoverty.write.annotate import annotate_workbook

    issues = mdpoverty.validate(path)
    if both_sheets:
        extra = issues.iloc[:1].copy()
        extra[["sheet", "row", "column", "severity"]] = ["Thành viên", 2, "Giới tính", "error"]
        issues = pd.concat([issues, extra], ignore_index=True)
    t, c = time.perf_counter(), time.process_time()
    annotate_workbook(path, out, issues)
    return time.perf_counter() - t, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, default=DEFAULT)
    ap.add_argument("-r", "--repeat", type=int, default=3)
    ap.add_argument("--record", action="store_true", help="write the run into RESULTS.md")
    a = ap.parse_args()
    if not a.file.exists():
        raise SystemExit(f"{a.file}: missing; run `python bench/generate.py` first")
    load_before = os.getloadavg()[0]
    alone, annotated = [], []
    with tempfile.TemporaryDirectory() as tmp:
        issues, out = str(Path(tmp) / "issues.csv"), str(Path(tmp) / "out.xlsx")
        _run(["validate", str(a.file), "-o", issues, "-q"])  # warm-up: the page cache
        for _ in range(a.repeat):
            alone.append(_run(["validate", str(a.file), "-o", issues, "-q"]))
            annotated.append(_run(["validate", str(a.file), "-o", issues, "--annotate-to", out]))
        step = _step(a.file, Path(out), both_sheets=False)
        out_mib = Path(out).stat().st_size / 1024**2
        both = _step(a.file, Path(out), both_sheets=True)
        both_mib = Path(out).stat().st_size / 1024**2
    load_after = os.getloadavg()[0]
    med = statistics.median
    wall_a, cpu_a = med(w for w, _ in alone), med(c for _, c in alone)
    wall_b, cpu_b = med(w for w, _ in annotated), med(c for _, c in annotated)
    text = (
        f"- **Input**: `{a.file.name}` ({a.file.stat().st_size / 1024**2:.1f} MiB); "
        f"annotated copy {out_mib:.1f} MiB ({both_mib:.1f} MiB with both sheets marked)\n"
        f"- **Command**: `python bench/bench_annotate.py --file {a.file.name} -r {a.repeat}` "
        f"(fresh processes, interleaved, after one warm-up run)\n"
        f"- **Machine**: nproc {os.cpu_count()}; load average {load_before:.1f} before, "
        f"{load_after:.1f} after (a shared machine: wall times stretch with the load, CPU "
        "times much less)\n\n"
        "| process | median wall s | min wall s | × validate | median CPU s | × validate |\n"
        "|---|---:|---:|---:|---:|---:|\n"
        f"| `validate FILE -o issues.csv` | {wall_a:.2f} | {min(w for w, _ in alone):.2f} "
        f"| 1.00× | {cpu_a:.2f} | 1.00× |\n"
        f"| `validate FILE -o issues.csv --annotate-to out.xlsx` | {wall_b:.2f} | "
        f"{min(w for w, _ in annotated):.2f} | {wall_b / wall_a:.2f}× | {cpu_b:.2f} | "
        f"{cpu_b / cpu_a:.2f}× |\n\n"
        f"The annotate step alone (in process, issue table given), wall / CPU: "
        f"{step[0]:.2f} s / {step[1]:.2f} s with the households sheet marked; "
        f"{both[0]:.2f} s / {both[1]:.2f} s with both sheets marked (the members sheet, "
        "316 MB of XML, inflated and deflated again too).\n"
    )
    print(text)
    if a.record:
        from recording import record_section

        day = time.strftime("%Y-%m-%d")
        households = a.file.stem.rsplit("-", 1)[-1]
        record_section(
            f"bench:annotate:{day}:{households}",
            f"## validate --annotate — {day} — {a.file.name}\n\n"
            "Goal (issue 12): `validate --annotate` within 3× the time of `validate` alone.",
            text,
        )


if __name__ == "__main__":
    main()
