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
import datetime as dt
import importlib.util
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd
from click.testing import CliRunner
from hypothesis import strategies as st

import mdpoverty
from mdpoverty.cli.main import main

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

        oh.read, oh.write, oh._fuzz_cached = cached, write_xlsx, True
    return oh


# ---------------------------------------------------------------- a lean xlsx writer
# openpyxl's writer takes two thirds of a case; this one writes the same cells and merges
# (inline strings, numbers, booleans, dates with Excel's date format) in a tenth of the time.

_EPOCH = dt.datetime(1899, 12, 30)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs></styleSheet>"
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _col(j: int) -> str:
    name = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        name = chr(65 + r) + name
    return name


def _cell(ref: str, v: Any) -> str:
    if v is None or (isinstance(v, str) and v == ""):
        return ""
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, int | float):
        return f'<c r="{ref}"><v>{v!r}</v></c>'
    if isinstance(v, dt.datetime):
        days = (v - _EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="2"><v>{days!r}</v></c>'
    if isinstance(v, dt.date):
        return f'<c r="{ref}" s="1"><v>{(v - _EPOCH.date()).days}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(v))}</t></is></c>'


def write_xlsx(path: Path, sheets: Any) -> Path:
    """Write ``officer_habits.Sheet`` objects (rows and merges) as an xlsx workbook."""
    parts = {}
    for k, sheet in enumerate(sheets, 1):
        rows = []
        for i, row in enumerate(sheet.rows, 1):
            cells = "".join(_cell(f"{_col(j)}{i}", v) for j, v in enumerate(row))
            rows.append(f'<row r="{i}">{cells}</row>')
        merges = "".join(
            f'<mergeCell ref="{_col(c0)}{r0 + 1}:{_col(c1)}{r1 + 1}"/>'
            for r0, c0, r1, c1 in sheet.merges
        )
        tail = f'<mergeCells count="{len(sheet.merges)}">{merges}</mergeCells>' if merges else ""
        parts[f"xl/worksheets/sheet{k}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_NS}>'
            f"<sheetData>{''.join(rows)}</sheetData>{tail}</worksheet>"
        )
    n = len(parts)
    names = "".join(
        f'<sheet name="{escape(s.title, {chr(34): "&quot;"})}" sheetId="{k}" r:id="rId{k}"/>'
        for k, s in enumerate(sheets, 1)
    )
    parts["xl/workbook.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {_NS} '
        f'xmlns:r="{_REL}"><sheets>{names}</sheets></workbook>'
    )
    rels = "".join(
        f'<Relationship Id="rId{k}" Type="{_REL}/worksheet" Target="worksheets/sheet{k}.xml"/>'
        for k in range(1, n + 1)
    )
    rels += f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts["xl/_rels/workbook.xml.rels"] = f'<Relationships xmlns="{pkg}">{rels}</Relationships>'
    parts["xl/styles.xml"] = _STYLES
    parts["_rels/.rels"] = (
        f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="{ct}.worksheet+xml"/>'
        for k in range(1, n + 1)
    )
    parts["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{ct}.styles+xml"/>{overrides}</Types>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name in (
            "[Content_Types].xml",
            "_rels/.rels",
            *sorted(set(parts) - {"[Content_Types].xml", "_rels/.rels"}),
        ):
            z.writestr(name, parts[name])
    return Path(path)


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
