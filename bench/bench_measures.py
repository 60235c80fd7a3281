"""Time mdpoverty's Alkire–Foster measures against PyPI ``mpitb`` and a plain NumPy floor (issue 5).

On one generated data set — ``--persons`` rows (default 1,000,000) × 12 deprivation flags,
equal weights 1/12, k = 1/3, ``--groups`` subgroups (default 700) — in one run:

``floor total`` / ``floor groups``
    the least a NumPy program can do for the same numbers: ``c = X @ w``, the poor mask,
    ``bincount`` of N, q and the censored scores per group, and one ``bincount`` per indicator
    over the poor rows for the censored headcounts.
``mdpoverty total`` / ``mdpoverty groups``
    ``af_totals`` + ``ratios`` from ``mdpoverty.af.measures``: H, A, M0, censored and
    uncensored headcounts and contributions, for the total or per group (integer group codes).
``mdpoverty measures()``
    the library entry point on a classify ``Result`` of the same rows (one member each, 700
    communes as text labels, ``by="commune"``): the frames the CLI renders, including turning
    the nullable flag columns into a matrix and the labels into codes. Not part of the goal;
    shown so the end-to-end cost is known.
``mpitb total`` / ``mpitb groups``
    ``MPIToolbox.est`` of PyPI mpitb (k = 33, its integer percent: for 12 equal weights that
    is the same poor set as k = 1/3, since 3/12 < 0.33 ≤ 4/12), ``over=["grp"]`` for groups.
    Given a copy of the frame, because it writes columns into the frame it is given.

Each kind runs in its own fresh process (``--worker``): data generated (fixed seed), one
warm-up call (for the checked kinds, the check), then ``--repeat`` timed calls
(``perf_counter``; mpitb ``--mpitb-repeat``, it is slow). Before the last timed call the peak
RSS is reset (``/proc/self/clear_refs``), so ``VmHWM`` after it, less the RSS before it, is
that call's own peak memory. The mdpoverty workers compare their numbers with the floor's and
the mpitb workers with mdpoverty's (untimed): the largest absolute difference of H, A, M0 and
the 12 censored headcounts is reported.

Usage (from the repository root; ``pip install mpitb`` for its rows)::

    python bench/bench_measures.py                     # 1,000,000 persons, 700 groups
    python bench/bench_measures.py --record            # record in bench/RESULTS.md
    python bench/bench_measures.py --persons 100000 --repeat 3 --no-mpitb
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import recording  # bench/recording.py: bench/ is on sys.path when run as a script

BENCH = Path(__file__).resolve().parent
K = 1 / 3
K_MPITB = 33
GOAL_FLOOR = 1.5
GOAL_MPITB_TOTAL = 3.0
GOAL_MPITB_GROUPS = 20.0
KINDS = (
    "floor total",
    "mdpoverty total",
    "mpitb total",
    "floor groups",
    "mdpoverty groups",
    "mpitb groups",
    "mdpoverty measures()",
)


def make_data(n: int, groups: int, seed: int = 2025) -> tuple[np.ndarray, np.ndarray]:
    """n × 12 correlated deprivation flags (a latent propensity per person) and group codes."""
    rng = np.random.default_rng(seed)
    latent = rng.beta(1.2, 4.0, n)
    base = rng.uniform(0.3, 1.2, 12)
    X = rng.random((n, 12)) < np.clip(latent[:, None] * base, 0, 1)
    g = rng.integers(0, groups, n)
    return X, g


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _peak_reset() -> int | None:
    """Reset the peak RSS (``VmHWM``) to the current RSS and return it in KiB (None: no /proc)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return _status_kib("VmRSS")


def floor_total(X: np.ndarray, w: np.ndarray, k: float) -> dict[str, Any]:
    c = X @ w
    p = c >= k - 1e-9
    n = len(c)
    q = p.sum()
    s = c[p].sum()
    h = X[p].sum(axis=0) / n
    return {"H": q / n, "A": s / q, "M0": s / n, "h": h}


def floor_groups(X: np.ndarray, w: np.ndarray, k: float, g: np.ndarray, G: int) -> dict[str, Any]:
    c = X @ w
    p = c >= k - 1e-9
    N = np.bincount(g, minlength=G)
    q = np.bincount(g, weights=p, minlength=G)
    s = np.bincount(g, weights=c * p, minlength=G)
    gp, Xp = g[p], X[p]
    h = np.column_stack([np.bincount(gp, weights=Xp[:, j], minlength=G) for j in range(12)])
    return {"H": q / N, "A": s / q, "M0": s / N, "h": h / N[:, None]}


def _mdp(X: np.ndarray, w: np.ndarray, g: np.ndarray | None, G: int) -> dict[str, Any]:
    from mdpoverty.af.measures import af_totals, ratios

    return ratios(af_totals(X, w, K, g, G if g is not None else None), w)


def _mpitb_setup(X: np.ndarray, g: np.ndarray):
    import pandas as pd
    from mpitb import MPIToolbox

    names = [f"d{j}" for j in range(12)]
    df = pd.DataFrame(X.astype(np.int8), columns=names)
    df["grp"] = g
    tb = MPIToolbox()
    tb.set(name="bench", dimensions=[(names, "all")])
    weights = dict.fromkeys(names, 1 / 12)
    return tb, df, weights, names


def _mpitb_numbers(recs: list[dict[str, Any]], level: str, G: int) -> dict[str, np.ndarray]:
    import pandas as pd

    frame = pd.DataFrame(recs)
    frame = frame[frame["loa"] == level]
    out: dict[str, np.ndarray] = {}
    key = "subg" if level != "nat" else None
    for m in ("H", "A", "M0"):
        rows = frame[frame["measure"] == m]
        rows = rows.sort_values(key) if key else rows
        out[m] = rows["b"].to_numpy(dtype=float)
    hdk = frame[frame["measure"] == "hdk"]
    if key:
        hdk = hdk.pivot_table(index=key, columns="indicator", values="b")
        out["h"] = hdk[[f"d{j}" for j in range(12)]].to_numpy()
    else:
        out["h"] = (
            hdk.set_index("indicator").loc[[f"d{j}" for j in range(12)], "b"].to_numpy()[None]
        )
    return out


def _max_diff(a: dict[str, Any], b: dict[str, Any]) -> float:
    return max(
        float(np.nanmax(np.abs(np.asarray(a[m], float) - np.asarray(b[m], float))))
        for m in ("H", "A", "M0", "h")
    )


def _result_for(X: np.ndarray, g: np.ndarray):
    """A classify Result of the rows: one member each, communes as text labels."""
    import pandas as pd

    from mdpoverty.core import Result
    from mdpoverty.law.standards import load_standard

    std = load_standard("vn-2022-2025")
    n = len(g)
    labels = np.array([f"Xã {i:03d}" for i in range(int(g.max()) + 1)], dtype=object)
    hh = pd.DataFrame(
        {
            "household_id": pd.array(np.arange(n).astype(str), dtype="string"),
            "commune": pd.array(labels[g], dtype="string"),
            "members": pd.array(np.ones(n, dtype=np.int64), dtype="Int64"),
            "deprivation_count": pd.array(X.sum(axis=1), dtype="Int64"),
        }
    )
    for j, c in enumerate(std.codes):
        hh[f"dep_{c}"] = pd.array(X[:, j], dtype="boolean")
    hh["class"] = pd.array(np.full(n, "poor", dtype=object), dtype="string")
    return Result(hh, pd.DataFrame(), std)


def worker(kind: str, n: int, G: int, repeat: int, mpitb_repeat: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    X, g = make_data(n, G)
    w = np.full(12, 1 / 12)
    check: float | None = None
    if kind == "floor total":
        op = lambda: floor_total(X, w, K)  # noqa: E731
    elif kind == "floor groups":
        op = lambda: floor_groups(X, w, K, g, G)  # noqa: E731
    elif kind == "mdpoverty total":
        op = lambda: _mdp(X, w, None, 1)  # noqa: E731
        check = _max_diff(op(), floor_total(X, w, K))
    elif kind == "mdpoverty groups":
        op = lambda: _mdp(X, w, g, G)  # noqa: E731
        check = _max_diff(op(), floor_groups(X, w, K, g, G))
    elif kind == "mdpoverty measures()":
        from mdpoverty.af.measures import measures

        result = _result_for(X, g)
        op = lambda: measures(result, k=K, by="commune", unit="households")  # noqa: E731
        m = op().measures
        grp = m[m["by"] == "commune"]
        ref = floor_groups(X, w, K, g, G)
        h_cols = [c for c in grp.columns if c.startswith("h_")]
        ours = {"H": grp["H"], "A": grp["A"], "M0": grp["M0"], "h": grp[h_cols].to_numpy()}
        check = _max_diff(ours, ref)
    elif kind in ("mpitb total", "mpitb groups"):
        tb, df, weights, _ = _mpitb_setup(X, g)
        over = ["grp"] if kind == "mpitb groups" else None

        def op() -> Any:
            return tb.est(df.copy(), "bench", [K_MPITB], weights=weights, over=over)

        recs = op()
        if over:
            check = _max_diff(_mpitb_numbers(recs, "grp", G), _mdp(X, w, g, G))
        else:
            check = _max_diff(_mpitb_numbers(recs, "nat", 1), _mdp(X, w, None, 1))
    else:
        raise SystemExit(f"unknown kind {kind!r}")
    setup = time.perf_counter() - t0
    if check is None:
        op()  # warm-up (imports, caches); the checked kinds were warmed by their check
    if kind.startswith("mpitb"):
        repeat = min(repeat, mpitb_repeat)
    times = []
    peak = None
    for i in range(repeat):
        gc.collect()
        if i == repeat - 1:  # the last timed call also gives the memory peak
            peak = _peak_reset()
        t = time.perf_counter()
        op()
        times.append(time.perf_counter() - t)
        if i == repeat - 1 and peak is not None:
            peak = (_status_kib("VmHWM") - peak) / 1024
    import resource

    return {
        "kind": kind,
        "times": times,
        "peak_above_mib": peak,
        "process_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "max_abs_diff": check,
        "setup_s": setup,
    }


def _run_child(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        kind,
        "--persons",
        str(args.persons),
        "--groups",
        str(args.groups),
        "--repeat",
        str(args.repeat),
        "--mpitb-repeat",
        str(args.mpitb_repeat),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode:
        return {"kind": kind, "error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _machine() -> str:
    import numpy
    import pandas

    try:
        from importlib.metadata import version

        mp = version("mpitb")
    except Exception:
        mp = "not installed"
    cpu = platform.processor() or platform.machine()
    for line in (
        Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    ):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (
        f"CPU {cpu}; nproc {os.cpu_count()}; Python {platform.python_version()}; "
        f"numpy {numpy.__version__}; pandas {pandas.__version__}; mpitb {mp}"
    )


def _fmt(v: float | None, digits: int = 3) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def report(rows: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    med = {k: statistics.median(r["times"]) for k, r in rows.items() if "times" in r}
    lines = [
        f"## {dt.date.today().isoformat()} — {args.persons:,} persons × 12 indicators, "
        f"{args.groups} groups",
        "",
        f"- **Command**: `python bench/bench_measures.py --persons {args.persons} "
        f"--groups {args.groups} --repeat {args.repeat} --mpitb-repeat {args.mpitb_repeat}` "
        "(each kind in a fresh process; mpitb timed fewer times: it is slow)",
        f"- **Machine**: {_machine()}",
        "- **Data**: generated, seed 2025 (correlated flags); equal weights 1/12; k = 1/3 "
        "(mpitb: k = 33, the same poor set for 12 equal weights); unit weights 1",
        "",
        "| measurement | median s | min s | × floor | peak above start MiB | process peak MiB "
        "| max abs diff |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in KINDS:
        r = rows.get(kind)
        if r is None:
            continue
        if "error" in r:
            lines.append(f"| {kind} | failed: {r['error']} | | | | | |")
            continue
        floor = med.get("floor groups" if "groups" in kind or "()" in kind else "floor total")
        ratio = med[kind] / floor if floor else None
        diff = r["max_abs_diff"]
        lines.append(
            f"| {kind} | {med[kind]:.4f} | {min(r['times']):.4f} | "
            f"{_fmt(ratio, 2)}× | {_fmt(r['peak_above_mib'], 0)} | "
            f"{r['process_peak_mib']:.0f} | {'—' if diff is None else f'{diff:.1e}'} |"
        )
    lines.append("")
    goals = []
    for scope in ("total", "groups"):
        ours, floor, theirs = (med.get(f"{x} {scope}") for x in ("mdpoverty", "floor", "mpitb"))
        if ours and floor:
            goals.append(
                f"- {scope}: mdpoverty / floor = **{ours / floor:.2f}×** "
                f"(goal ≤ {GOAL_FLOOR}×: {'met' if ours / floor <= GOAL_FLOOR else 'NOT met'})"
            )
        if ours and theirs:
            goal = GOAL_MPITB_TOTAL if scope == "total" else GOAL_MPITB_GROUPS
            goals.append(
                f"- {scope}: mpitb / mdpoverty = **{theirs / ours:.1f}×** faster "
                f"(goal ≥ {goal:g}×: {'met' if theirs / ours >= goal else 'NOT met'})"
            )
    lines += goals
    lines += [
        "",
        "*max abs diff*: largest absolute difference of H, A, M0 and the 12 censored headcounts "
        "against the floor (mdpoverty rows) or against mdpoverty (mpitb rows). *peak above "
        "start*: the call's peak RSS above the RSS just before it (`VmHWM` after "
        "`clear_refs`; pages the allocator kept from the warm-up call are reused, not "
        "counted); *process peak*: the whole worker, data included. Timings on a shared "
        "machine vary between runs: compare rows of one run.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--groups", type=int, default=700)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--mpitb-repeat", type=int, default=2, help="timed mpitb calls (slow)")
    ap.add_argument("--no-mpitb", action="store_true")
    ap.add_argument("--record", action="store_true", help="record in bench/RESULTS.md")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        w = worker(args.worker, args.persons, args.groups, args.repeat, args.mpitb_repeat)
        print(json.dumps(w))
        return
    rows: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        if args.no_mpitb and kind.startswith("mpitb"):
            continue
        print(f"… {kind}", file=sys.stderr, flush=True)
        rows[kind] = _run_child(kind, args)
    text = report(rows, args)
    print(text)
    if args.record:
        goal = (
            "Recorded by `python bench/bench_measures.py --record`; see the script's docstring "
            "for what each row runs. Goal (issue 5): mdpoverty within 1.5× the NumPy floor, "
            "≥ 3× faster than PyPI mpitb on the total and ≥ 20× over subgroups, with identical "
            "numbers.\n\n"
        )
        today = dt.date.today().isoformat()
        recording.record_section(
            f"measures:{today}:{args.persons}:{args.groups}",
            f"## Alkire–Foster measures — {today} — {args.persons:,} persons, {args.groups} groups",
            goal + text,
        )
        print(f"recorded in {recording.RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
