"""Plausible transformations for the fuzz: workbooks laid out the way commune officers do.

``tests/test_fuzz.py`` damages files; this module makes them the way offices really exchange
them (issue 11): a base survey from the example generator (``examples/generate.py``, a
seed, a size, a round, tidy or "dirty" headers) with one or several of the habits of
``examples/officer_habits.py`` laid on — numbered rows, repeated headers, merged member IDs,
merged communes, two-row headers, total rows, signature blocks, a column given twice
(identical, or differing for a few households).

The oracle, for every case: **every household has the class it has in the untouched
workbook, or the issue table names it** (an error whose ``household_id`` is that household,
or whose sheet and Excel row are that household's row), and the same households come out as
went in. A household whose class changed without either is a *silent misclassification*,
the failure that matters. Besides, cases made only of layout habits (no twin that differs)
should class every household exit 0: one that does not is counted as *blocked*, a figure
reported on its own (a refusal is loud, not silent).

Used by ``tests/test_fuzz.py`` (a few seeded cases in CI) and ``bench/fuzz.py`` (the long run,
``--family habits``).
"""

from __future__ import annotations

import copy
import importlib.util
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from click.testing import CliRunner
from hypothesis import strategies as st

import mdpoverty
from mdpoverty.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

LAYOUT = (
    "numbered",
    "repeat_header",
    "merge_ids",
    "merge_commune",
    "two_row_header",
    "total",
    "signature",
)
CHANGING = ("twin", "twin_differs")  # twin keeps the data; twin_differs must be named
HABITS = LAYOUT + CHANGING

# The base surveys: (households, generator seed, survey year, dirty, Vietnamese headers).
# Rounds: 2024 (2022–2025 standard, a district column), 2025 (no district), 2026 (the
# provisional 2027–2030 standard). Sizes over 40 so the header repeats on both sheets.
BASES = (
    (45, 11, 2024, True, True),
    (24, 12, 2025, False, True),
    (36, 13, 2026, True, True),
    (30, 14, 2025, True, True),
    (44, 15, 2024, False, False),
    (42, 16, 2026, False, True),
)


def _load(name: str, path: Path) -> Any:
    if name not in sys.modules:
        if str(path.parent) not in sys.path:
            sys.path.insert(0, str(path.parent))
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


def officer_habits() -> Any:
    """``examples/officer_habits.py``, its ``read`` cached: each base is parsed by openpyxl
    once per process and every case gets a fresh copy of its rows (half the time of a case)."""
    oh = _load("mdpoverty_officer_habits", EXAMPLES / "officer_habits.py")
    if not getattr(oh, "_fuzz_cached", False):
        read, cache = oh.read, {}

        def cached(path: Path) -> Any:
            key = str(path)
            if key not in cache:
                cache[key] = read(path)
            return copy.deepcopy(cache[key])

        oh.read, oh._fuzz_cached = cached, True
    return oh


def _generator() -> Any:
    return _load("generate", EXAMPLES / "generate.py")


@dataclass
class Base:
    path: Path
    classes: pd.Series  # household_id -> class in the untouched workbook ("" when not classed)


_BASES: dict[int, Base] = {}
_BASE_DIR: list[Path] = []


def base(index: int) -> Base:
    """The untouched workbook ``index`` of :data:`BASES` and its classes (built once per
    process, in a temporary folder that lives as long as the process)."""
    if index not in _BASES:
        if not _BASE_DIR:
            _BASE_DIR.append(Path(tempfile.mkdtemp(prefix="mdpoverty-habits-")))
        n, seed, year, dirty, vietnamese = BASES[index]
        gen = _generator()
        hh, m = gen.generate_district(n, seed=seed, survey_year=year)
        path = gen.write_workbook(
            hh, m, _BASE_DIR[0] / f"base-{index}.xlsx", dirty=dirty, vietnamese=vietnamese
        )
        result = mdpoverty.classify(path)
        assert result.counts["households_rejected"] == 0, result.issues.head()
        classes = result.households.set_index("household_id")["class"].astype("string")
        _BASES[index] = Base(path, classes.fillna(""))
    return _BASES[index]


@dataclass
class HabitCase:
    base: int
    habits: tuple[str, ...]
    seed: int

    def describe(self) -> str:
        n, _, year, dirty, vn = BASES[self.base]
        kind = ("dirty" if dirty else "tidy") + ("" if vn else ", English headers")
        return f"habits {'+'.join(self.habits)} (seed {self.seed}) on {n} households {year} {kind}"

    @property
    def layout_only(self) -> bool:
        return "twin_differs" not in self.habits


@st.composite
def habit_cases(draw: Any) -> HabitCase:
    """One habit or a combination of up to five, on one of the base surveys."""
    habits = draw(st.lists(st.sampled_from(HABITS), min_size=1, max_size=5, unique=True))
    return HabitCase(
        draw(st.integers(0, len(BASES) - 1)),
        tuple(sorted(habits, key=HABITS.index)),
        draw(st.integers(0, 2**31 - 1)),
    )


@dataclass
class HabitOutcome:
    problems: list[str] = field(default_factory=list)  # failures: silent or lost households
    silent: list[str] = field(default_factory=list)  # households classed differently, unnamed
    changed: int = 0  # households whose class changed (named, or silent)
    blocked: int = 0  # layout-only case: households not classed (named, loud)
    exit_code: int | None = None
    checks: set[str] = field(default_factory=set)  # the issue checks the case raised

    @property
    def ok(self) -> bool:
        return not self.problems


def run_habit_case(case: HabitCase, folder: Path, *, cli: bool = True) -> HabitOutcome:
    """Lay the case's habits on its base survey, classify it, and check the oracle."""
    out = HabitOutcome()
    b = base(case.base)
    path = folder / "habits.xlsx"
    info = officer_habits().lay_out(b.path, path, case.habits, seed=case.seed)
    result = mdpoverty.classify(path)
    issues = result.issues
    out.checks = set(issues["check"])
    hh = result.households
    ids = hh["household_id"].astype("string")
    if len(hh) != len(b.classes) or sorted(ids.fillna("")) != sorted(b.classes.index):
        out.problems.append(
            f"households in {len(b.classes)}, out {len(hh)}; missing "
            f"{sorted(set(b.classes.index) - set(ids.dropna()))[:5]}, extra "
            f"{sorted(set(ids.dropna()) - set(b.classes.index))[:5]}"
        )
    got = hh["class"].astype("string").fillna("").to_numpy()
    want = b.classes.reindex(ids).fillna("").to_numpy()
    errors = issues[issues["severity"] == "error"]
    by_id = set(errors["household_id"].dropna().astype(str))
    extra = result.extra
    rows = set(zip(errors["sheet"].astype(str), errors["row"].astype("string"), strict=True))
    for k, (hid, g, w) in enumerate(zip(ids, got, want, strict=True)):
        if g == w:
            continue
        out.changed += 1
        where = (str(extra["sheet"].iloc[k]), str(extra["row"].iloc[k]))
        if str(hid) in by_id or where in rows:
            continue
        out.silent.append(f"{hid}: {w or 'not classed'} -> {g or 'not classed'}")
    if out.silent:
        out.problems.append(f"silently misclassified: {out.silent[:10]}")
    # a copy that differs must name its households, changed class or not (Vietnamese bases
    # only: on English codes the twin's "Thành thị" can be the same value as "urban")
    differs = {str(x) for x in info.get("differs", [])} if BASES[case.base][4] else set()
    unnamed = sorted(differs - by_id)
    if unnamed:
        out.problems.append(f"twin column differs for {unnamed}, not named")
    if case.layout_only:
        out.blocked = int(result.counts.get("households_rejected", 0))
    if cli:
        res = CliRunner().invoke(
            main, ["classify", str(path), "-o", str(folder / "out.csv"), "-q", "--lang", "en"]
        )
        out.exit_code = res.exit_code
        complete = result.ok
        if res.exit_code not in (0, 1) or (res.exit_code == 0) != complete:
            out.problems.append(f"classify exit {res.exit_code}, library complete={complete}")
        elif (folder / "out.csv").exists():
            written = pd.read_csv(folder / "out.csv", dtype=str, keep_default_na=False)
            if list(written["class"]) != list(got):
                out.problems.append("classify -o: classes differ from the library's")
    return out
