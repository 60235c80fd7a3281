"""What the progress display costs (issue 12, item 5: goal < 5 % of the run).

``mdpoverty classify FILE -o out.xlsx`` in fresh processes, interleaved, with stderr on a
pseudo-terminal (so mdpoverty believes a person is watching): once with the display (the
default on a terminal) and once with ``MDPOVERTY_PROGRESS=0``. Everything else is the same:
same file, same output, same terminal, its output drained by a thread.

    python bench/generate.py --households 30000 && python bench/bench_progress.py --record
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import os
import pty
import resource
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = HERE / "data" / "survey-30000.xlsx"
RESULTS = HERE / "RESULTS.md"


def _run(args: list[str], show: bool) -> tuple[float, float, int]:
    """Wall and CPU seconds (user + system) of one fresh process whose stderr is a terminal,
    and how many bytes it wrote there. ``cat`` drains the terminal, as promptly as a
    terminal emulator would (a Python thread here, on a busy machine, let the terminal's
    buffer fill and held the child up)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = dict(os.environ, MDPOVERTY_PROGRESS="" if show else "0")
    with tempfile.TemporaryFile() as sink:
        drain = subprocess.Popen(["cat"], stdin=master, stdout=sink, stderr=subprocess.DEVNULL)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "mdpoverty.cli.main", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=slave,
            env=env,
        )
        code = proc.wait()
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        os.close(slave)  # the last writer gone: cat reads to the end, then stops
        drain.wait(timeout=30)
        os.close(master)
        written = sink.seek(0, os.SEEK_END)
    if code not in (0, 1):
        raise SystemExit(f"exit {code}: {args}")
    # cat is waited for after `after`: its CPU is in neither variant
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, default=DEFAULT)
    ap.add_argument("-r", "--repeat", type=int, default=5)
    ap.add_argument("--record", action="store_true", help="write the run into RESULTS.md")
    a = ap.parse_args()
    if not a.file.exists():
        raise SystemExit(f"{a.file}: missing; run `python bench/generate.py --households 30000`")
    load_before = os.getloadavg()[0]
    runs: dict[bool, list[tuple[float, float, int]]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as tmp:
        args = ["classify", str(a.file), "-o", str(Path(tmp) / "out.xlsx")]
        _run(args, False)  # warm-up: the page cache
        for i in range(a.repeat):
            for show in (i % 2 == 0, i % 2 != 0):  # alternate which goes first
                runs[show].append(_run(args, show))
                print(f"  {'with' if show else 'without'} display: {runs[show][-1][:2]}")
    load_after = os.getloadavg()[0]
    med = statistics.median
    rows = []
    for show in (False, True):
        w = [r[0] for r in runs[show]]
        c = [r[1] for r in runs[show]]
        rows.append((show, med(w), min(w), med(c), med(r[2] for r in runs[show])))
    base_w, base_c = rows[0][1], rows[0][3]
    lines = [
        "| stderr on a terminal | median wall s | min wall s | × without | median CPU s "
        "| × without | bytes to the terminal |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for show, w, lo, c, b in rows:
        name = "progress display (default)" if show else "`MDPOVERTY_PROGRESS=0`"
        lines.append(
            f"| {name} | {w:.2f} | {lo:.2f} | {w / base_w:.3f}× | {c:.2f} | "
            f"{c / base_c:.3f}× | {int(b):,} |"
        )
    table = "\n".join(lines)
    print(table)
    print(f"load average {load_before:.1f} before, {load_after:.1f} after")
    if a.record:
        _record(a, table, load_before, load_after)


def _record(a: argparse.Namespace, table: str, load_before: float, load_after: float) -> None:
    day = dt.date.today().isoformat()
    mark = f"<!-- bench:progress:{day} -->"
    size = a.file.stat().st_size / 1024**2
    section = f"""{mark}
## progress display — {day} — {a.file.name}

Goal (issue 12, item 5): the progress display costs < 5 % of `classify` writing an xlsx.

- **Input**: `{a.file.name}` ({size:.1f} MiB), written by \
`python bench/generate.py --households 30000`
- **Command**: `python bench/bench_progress.py -r {a.repeat} --record` (fresh processes, \
interleaved, stderr on a pseudo-terminal 120×40, after one warm-up run): \
`mdpoverty classify FILE -o out.xlsx`
- **Machine**: nproc {os.cpu_count()}; load average {load_before:.1f} before, {load_after:.1f} after

{table}
<!-- /bench -->
"""
    text = RESULTS.read_text(encoding="utf-8")
    if mark in text:
        start = text.index(mark)
        end = text.index("<!-- /bench -->", start) + len("<!-- /bench -->\n")
        text = text[:start] + section + text[end:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")
    print(f"recorded in {RESULTS}")


if __name__ == "__main__":
    main()
