"""Fuzzing: hostile and broken survey files never crash mdpoverty and never lose a household.

A hypothesis harness builds malformed workbooks, CSV pairs and Parquet pairs: wrong types in
every column, blanks, huge and unicode-odd strings, formula cells, merged cells, hidden and
extra sheets, duplicate or shifted headers, blank rows mid-sheet, 1.500.000-style numbers,
dates as text, .xls files (real and renamed), truncated and corrupt zips, zip bombs, XML
entity declarations, far cells, empty files, byte-level CSV damage. Each case runs through the
CLI (``classify -o``, via CliRunner) and the library, and must end in

- exit 0 or 1 with one output row per household the file holds (the oracle below re-derives
  that number from the case's model), the accounting adding up (households and members in =
  classed + rejected, each rejected household with an error that names it, no household
  classed without a member: the generator never writes the reviewer's dep_ flags), the
  summary line giving both counts, formula-like text neutralised in the output, and no
  temporary file left;
- or exit 2 with one line on stderr naming the file;
- never exit 3, never a traceback.

Then the other commands that read a survey run on the same file, via CliRunner:
``validate FILE -o issues.csv``, ``report FILE`` (every form to ``report.xlsx`` when the case's
classify output is .xlsx, else ``--form 1 --format csv`` to stdout) and
``measures FILE --by commune --format csv``. Each keeps the terminal promises above (exit
0/1/2, never 3, no traceback, one ``mdpoverty: `` line on exit 2, no temporary file left) and
agrees with classify on whether the file can be read at all: it exits 2 exactly when classify
does, with the same line. That is the honest promise because, with these options, none of
them has a refusal of its own: ``--by commune`` names a column every classed table has,
``--form all`` writes whichever forms can be made and ``--form 1`` needs nothing, and a
standard missing for the survey's dates is refused by all four alike; a file where no
household can be classed is no refusal either (report and measures give zero counts and exit
1, as classify does). On exit 0/1, each agrees with the library's result:

- validate writes its issue table whole (one row per issue) and neutralised, and exits 1
  exactly when the table holds an error (so an empty survey is validate 0, classify 1);
- report exits as classify does, and Form 1's grand total (the province rows) gives the
  classed households, their members and the poor households (on the CSV, also the households
  not classed); the workbook is reopened and checked for unneutralised text;
- measures exits 0 exactly when every household is measured; its ``all`` row counts the
  classed households with one member or more (persons being the unit) and their members, the
  households its stderr note says it left out are all the others, the communes add up to the
  ``all`` row, H, A and M0 are fractions with M0 = H·A, and the contributions sum to 100.

Here: short seeded runs (``derandomize=True``), the other commands on 1 case in 3 (chosen by
a checksum of the case, :func:`runs_all_commands`) to keep the run within twice the time of
classify alone. ``bench/fuzz.py`` runs the long one (>= 10,000 cases) with the same generators
and :func:`run_case`, every case through all four commands.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import struct
import sys
import tempfile
import traceback
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import HH_HEADER, M_HEADER, hh_row, m_row
from fuzz_habits import HabitCase, habit_cases, run_habit_case
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

import mdpoverty
import mdpoverty.cli.main
from mdpoverty.cli import measures as cli_measures
from mdpoverty.cli import report as cli_report
from mdpoverty.cli.main import main
from mdpoverty.errors import InputFileError, MdpovertyError
from mdpoverty.law.schema import SHEETS, fold, header_lookup, sheet_lookup
from mdpoverty.read.survey import HEADER_SCAN_ROWS

try:
    import xlwt  # a real .xls writer: fuzz-only, never a runtime dependency
except ImportError:  # pragma: no cover - CI installs only [test]
    xlwt = None

# ---------------------------------------------------------------- hostile cell values

_NFD = unicodedata.normalize("NFD", "Nông thôn")
TEXT_NUMBERS = [
    "1.500.000", "1,500,000", "1 500 000", "1.500.000đ", "1.500.000 VND", "1,5", "1.5e6",
    "-0", "+1", "١٢٣", "１２３", "1_000", "NaN", "inf", "-inf", "1e400", "0x10", "--1",
    "1..5", "1.500.000,50", "1,500.000", "−5", "5%", "(500)", "1 500 000 đồng",
]  # fmt: skip
TEXT_DATES = [
    "15/03/1980", "15-03-1980", "15.03.1980", "1980-03-15", "03/15/1980", "31/02/2020",
    "1980", "15/3/80", "2025-10-01T00:00:00", "44000", "99999", "00000", "0", "1/1/0001",
    "29/02/2023", "01/10/2025 08:00", "tháng 3 năm 1980", "1980-13-01", "9999-12-31",
    "0000-00-00", "15/03/1980 ", "1980.0", "20251001",
]  # fmt: skip
FORMULAS = [
    "=1+1", '=HYPERLINK("http://evil.example","bấm vào")', "=cmd|' /C calc'!A0", "+1+1",
    "-1+1", "@SUM(1)", "\t=1", "\r=1", "=", "==", "=A1", '=WEBSERVICE("http://x.example")',
    "-", "+", "@", "=1/0", "-2", "+84 912 345 678",
]  # fmt: skip
ODD_TEXT = [
    "\u202eevil", "a\u0301\u0301\u0301", "👨‍👩‍👧", _NFD, "\u200b", "\ufeffH1", "Ｈ１", "ǅ",
    "ß", "İ", "\u00a0H1\u00a0", "\u3000", "a_x000D_b", "\U0010fffd", "ＮÔNG THÔN", "NaN",
    "null", "None", "#N/A", "#REF!", "TRUE", "'quoted", '"', "a\nb", "a\r\nb", "\\", "%s%n",
    "<script>", "&amp;", "]]>", "<!DOCTYPE x>", "\x85", "\u2028",
]  # fmt: skip
LABELS = [
    "Nông thôn", "nong thon", "URBAN", "Thành thị", "Có", "không", "x", "X", "yes", "1", "0",
    "Nam", "Nữ", "Chủ hộ", "Hộ nghèo", "Tự hoại", "Nước máy", "Nhà kiên cố", "Mã hộ", "Xã",
    "Khu vực", "H0", "H1", "H1 ", "h1",
]  # fmt: skip

huge_text = st.builds(
    lambda ch, n: ch * n,
    st.sampled_from(["x", "Ư", "😀", "a\u0301", " ", "=", "0", "H1"]),
    st.sampled_from([2001, 5000, 40_000, 100_000]),
)
values = st.one_of(
    st.none(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 2**31, 2**53 + 1, 1e-308, -0.0, 1_500_000, 1.5]),
    st.booleans(),
    st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from([dt.time(12, 30), dt.timedelta(days=3, hours=2), dt.date(1899, 12, 31)]),
    st.sampled_from(TEXT_NUMBERS),
    st.sampled_from(TEXT_DATES),
    st.sampled_from(FORMULAS),
    st.sampled_from(ODD_TEXT),
    st.sampled_from(LABELS),
    st.text(max_size=20),
    huge_text,
)

SHEET_TITLES_HH = ["Hộ gia đình", "HO GIA DINH", "households", "Sheet1", "Hộ gia đình (2)", "Hộ"]
SHEET_TITLES_M = ["Thành viên", "THANH VIEN", "members", "Sheet2", "Nhân khẩu", "Thành viên "]


# ---------------------------------------------------------------- the case model


@dataclass
class SheetModel:
    """One sheet as written: rows from Excel row 1 (None = a blank cell)."""

    title: str
    rows: list[list[Any]]
    state: str = "visible"
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 (1-b)
    chart: bool = False


@dataclass
class Case:
    """A generated survey: its sheets, how it is written and what is then done to the bytes."""

    kind: str  # "xlsx", "xls", "csv", "parquet"
    sheets: list[SheetModel]
    out_fmt: str = "csv"
    lang: str = "vi"
    suffix: str = ".xlsx"
    file_op: str = "none"
    op_arg: float = 0.5
    csv_encoding: str = "utf-8"
    csv_delimiter: str = ","
    csv_newline: str = "\n"
    members_file: str = "beside"  # csv/parquet: "beside", "missing", "empty"
    parquet_odd: str = ""  # parquet: a column of another Arrow type ("list", "bytes", ...)

    def describe(self) -> str:
        shape = ", ".join(f"{s.title!r}:{len(s.rows)}r" for s in self.sheets)
        return (
            f"{self.kind}{self.suffix} [{shape}] op={self.file_op}({self.op_arg:.2f}) "
            f"out={self.out_fmt} lang={self.lang} enc={self.csv_encoding} "
            f"members={self.members_file}"
        )


# Whether a file operation leaves the content as modelled ("exact"), must be refused with a
# check id, or may do anything short of a crash ("weak": exit 0, 1 or 2, weak invariants).
EXACT_OPS = {"none", "stored", "cached_formula", "far_dimension_only", "junk_member"}
REFUSED_OPS = {
    "doctype": "xml_entity",
    "bomb": "zip_bomb",
    "lying_size": "zip_bomb",
    "far_cell": "far_cell",
    "bzip2": None,  # exit 2, "damaged"
    "empty": None,
    "ole_renamed": None,
    "text_renamed": None,
}
XLSX_OPS = [
    *["none"] * 6, "truncate", "flip", "empty", "ole_renamed", "text_renamed", "doctype",
    "bomb", "lying_size", "far_cell", "far_dimension_only", "cached_formula", "stored",
    "drop_member", "garbage_member", "junk_member", "prefix_junk", "dup_member", "bzip2",
    "utf16_sheet", "zero_range",
]  # fmt: skip
CSV_OPS = [
    *["none"] * 6, "truncate", "flip", "empty", "nul", "unbalanced_quote", "ragged",
    "header_only", "bom_twice", "crlf_mix",
]  # fmt: skip


def _mutate_rows(draw: Any, rows: list[list[Any]], width: int, extra: int) -> None:
    """Cell mutations in place: hostile values at drawn positions (header row 0 spared)."""
    if len(rows) < 2:
        return
    for _ in range(draw(st.integers(0, extra))):
        r = draw(st.integers(1, len(rows) - 1))
        c = draw(st.integers(0, width - 1))
        while len(rows[r]) <= c:
            rows[r].append(None)
        rows[r][c] = draw(values)


@st.composite
def sheet_pair(draw: Any) -> tuple[SheetModel, SheetModel]:
    """The households and members sheets of a survey, with structural damage drawn."""
    n = draw(st.integers(0, 5))
    hh = [list(HH_HEADER)] + [hh_row(f"H{i}") for i in range(n)]
    members = [list(M_HEADER)]
    for i in range(n):
        members += [m_row(f"H{i}") for _ in range(draw(st.integers(0, 2)))]
    _mutate_rows(draw, hh, len(HH_HEADER), 10)
    _mutate_rows(draw, members, len(M_HEADER), 6)
    for rows, header in ((hh, HH_HEADER), (members, M_HEADER)):
        # structural damage, each with some probability
        if draw(st.integers(0, 4)) == 0:  # an unknown column, and a repeated one
            rows[0] = [*rows[0], draw(st.sampled_from(["Ghi chú", "Mã hộ", "Xa", "?"]))]
            for r in rows[1:]:
                r.append(draw(values))
        if draw(st.integers(0, 5)) == 0 and len(header) > 2:  # a column dropped
            c = draw(st.integers(0, len(header) - 1))
            for r in rows:
                if len(r) > c:
                    del r[c]
        if draw(st.integers(0, 5)) == 0:  # columns shuffled
            order = draw(st.permutations(range(len(rows[0]))))
            for i, r in enumerate(rows):
                r += [None] * (len(rows[0]) - len(r))
                rows[i] = [r[j] for j in order] + r[len(order) :]
        if draw(st.integers(0, 4)) == 0 and len(rows) > 1:  # blank rows mid-sheet
            for _ in range(draw(st.integers(1, 3))):
                rows.insert(draw(st.integers(1, len(rows))), [None] * len(rows[0]))
        if draw(st.integers(0, 6)) == 0 and len(rows) > 1:  # a row repeated
            rows.insert(
                draw(st.integers(1, len(rows))), list(rows[draw(st.integers(1, len(rows) - 1))])
            )
        if draw(st.integers(0, 6)) == 0:  # the header repeated mid-sheet
            rows.insert(draw(st.integers(1, len(rows))), list(rows[0]))
        lead = draw(st.sampled_from([0, 0, 0, 1, 3]))  # header shifted right
        if lead:
            for i, r in enumerate(rows):
                rows[i] = [None] * lead + r
        title = draw(st.sampled_from([0, 0, 0, 1, 2, 3, HEADER_SCAN_ROWS + 1]))
        for _ in range(title):  # a title block (or a header pushed past the scan window)
            rows.insert(0, [draw(st.sampled_from(["DANH SÁCH HỘ", None, "Xã Thử", "Ngày 1/10"]))])
    hh_title = draw(st.sampled_from(SHEET_TITLES_HH))
    m_title = draw(st.sampled_from(SHEET_TITLES_M))
    if fold(hh_title) == fold(m_title):
        m_title = "Thành viên"
    return SheetModel(hh_title, hh), SheetModel(m_title, members)


@st.composite
def workbook_cases(draw: Any, hostile_files: bool = True) -> Case:
    """An .xlsx (sometimes a real .xls) survey, with sheet-level and file-level damage."""
    hh, members = draw(sheet_pair())
    sheets = [hh, members]
    if draw(st.integers(0, 5)) == 0:
        sheets.remove(members)
    if draw(st.integers(0, 4)) == 0:  # extra sheets: junk, hidden, a chart sheet
        for _ in range(draw(st.integers(1, 3))):
            extra = SheetModel(
                draw(st.sampled_from(["Ghi chú", "Sheet3", "Tổng hợp", "Data", "Biểu 1"]))
                + str(len(sheets)),
                [[draw(values) for _ in range(3)] for _ in range(draw(st.integers(0, 4)))],
                state=draw(st.sampled_from(["visible", "hidden", "veryHidden"])),
                chart=draw(st.integers(0, 3)) == 0,
            )
            sheets.insert(draw(st.integers(0, len(sheets))), extra)
    for s in sheets:
        if draw(st.integers(0, 5)) == 0:
            s.state = draw(st.sampled_from(["hidden", "veryHidden"]))
        if draw(st.integers(0, 4)) == 0 and len(s.rows) > 1:  # merged cells
            for _ in range(draw(st.integers(1, 3))):
                r1 = draw(st.integers(1, len(s.rows)))
                c1 = draw(st.integers(1, 6))
                r2 = r1 + draw(st.integers(0, 2))
                c2 = c1 + draw(st.integers(0 if r2 > r1 else 1, 3))
                s.merges.append((r1, c1, r2, c2))
    kind = "xls" if xlwt is not None and draw(st.integers(0, 9)) == 0 else "xlsx"
    op = draw(st.sampled_from(XLSX_OPS)) if hostile_files and kind == "xlsx" else "none"
    suffix = ".xls" if kind == "xls" else ".xlsx"
    if kind == "xls" and draw(st.booleans()):
        suffix = ".xlsx"  # an old .xls renamed
    elif kind == "xlsx" and draw(st.integers(0, 9)) == 0:
        suffix = draw(st.sampled_from([".XLSX", ".xlsm", ".csv", ".xls", ""]))
    return Case(
        kind,
        sheets,
        out_fmt=draw(st.sampled_from(["csv", "xlsx", "json", "parquet"])),
        lang=draw(st.sampled_from(["vi", "en"])),
        suffix=suffix,
        file_op=op,
        op_arg=draw(st.floats(0.0, 1.0)),
    )


@st.composite
def table_cases(draw: Any) -> Case:
    """A CSV or Parquet pair (households + members), with byte-level damage for CSV."""
    hh, members = draw(sheet_pair())
    kind = draw(st.sampled_from(["csv", "csv", "csv", "parquet"]))
    case = Case(
        kind,
        [hh, members],
        out_fmt=draw(st.sampled_from(["csv", "xlsx", "json", "parquet"])),
        lang=draw(st.sampled_from(["vi", "en"])),
        suffix=f".{kind}",
        members_file=draw(st.sampled_from(["beside"] * 5 + ["missing", "empty"])),
        op_arg=draw(st.floats(0.0, 1.0)),
    )
    if kind == "parquet" and draw(st.integers(0, 3)) == 0:
        case.parquet_odd = draw(st.sampled_from(["list", "dict", "bytes", "timestamp", "decimal"]))
    if kind == "csv":
        case.file_op = draw(st.sampled_from(CSV_OPS))
        case.csv_encoding = draw(
            st.sampled_from(["utf-8"] * 4 + ["utf-8-sig", "utf-16", "cp1258", "latin-1"])
        )
        case.csv_delimiter = draw(st.sampled_from([",", ",", ",", ";", "\t"]))
        case.csv_newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return case


# ---------------------------------------------------------------- writing a case


def _xlsx_value(v: Any) -> Any:
    if isinstance(v, str):
        return ILLEGAL_CHARACTERS_RE.sub("", v)
    return v


def _write_xlsx(case: Case, path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for s in case.sheets:
        if s.chart:
            from openpyxl.chart import BarChart

            cs = wb.create_chartsheet(s.title)
            cs.add_chart(BarChart())
            continue
        ws = wb.create_sheet(s.title)
        for row in s.rows:
            ws.append([_xlsx_value(v) for v in row])
        for r1, c1, r2, c2 in s.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        ws.sheet_state = s.state
    if all(s.state != "visible" for s in case.sheets if not s.chart) and wb.worksheets:
        wb.worksheets[0].sheet_state = "visible"  # Excel needs one visible sheet
        for s in case.sheets:
            if not s.chart:
                s.state = "visible"
                break
    wb.save(path)


def _write_xls(case: Case, path: Path) -> None:
    assert xlwt is not None
    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for s in case.sheets:
        if s.chart:
            continue
        ws = book.add_sheet(s.title[:31], cell_overwrite_ok=True)
        for r, row in enumerate(s.rows[:65535]):
            for c, v in enumerate(row[:256]):
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write(r, c, v[:32767])
                elif isinstance(v, dt.datetime | dt.date | dt.time):
                    ws.write(r, c, v, date_style)
                elif isinstance(v, dt.timedelta):
                    ws.write(r, c, v.total_seconds() / 86400)
                elif isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53:
                    ws.write(r, c, float(v))
                elif isinstance(v, float) and not math.isfinite(v):
                    continue
                else:
                    ws.write(r, c, v)
        for r1, c1, r2, c2 in s.merges:
            ws.merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1)
    book.save(str(path))


def _rezip(data: bytes, edit: Any, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A copy of the zip with ``edit(name, bytes) -> bytes | None`` (None drops the part)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", method) as dst:
        for info in src.infolist():
            content = edit(info.filename, src.read(info))
            if content is not None:
                dst.writestr(info.filename, content)
    return out.getvalue()


def _is_sheet_xml(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


_BOMB_PADDING = b" " * (2 * 1024 * 1024 + 17)


def _file_op(case: Case, data: bytes) -> bytes:
    """Damage the bytes of a written workbook as ``case.file_op`` says."""
    op, arg = case.file_op, case.op_arg
    pos = int(arg * max(len(data) - 1, 0))
    if op in ("none",):
        return data
    if op == "truncate":
        return data[: max(1, pos)]
    if op == "flip":
        b = bytearray(data)
        for k in range(1 + int(arg * 20)):
            i = (pos + k * 7919) % len(b)
            b[i] ^= 0xFF
        return bytes(b)
    if op == "zero_range":
        b = bytearray(data)
        b[pos : pos + 64] = bytes(len(b[pos : pos + 64]))
        return bytes(b)
    if op == "empty":
        return b""
    if op == "ole_renamed":
        return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512) + data[:200]
    if op == "text_renamed":
        return "Mã hộ,Xã\nH1,Xã Thử\n".encode()
    if op == "prefix_junk":
        return b"MZ" + bytes(100) + data
    if op == "doctype":
        return _rezip(
            data,
            lambda n, d: (
                d.replace(b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "a">]><worksheet', 1)
                if _is_sheet_xml(n)
                else d
            ),
        )
    if op == "bomb":
        return _rezip(
            data,
            lambda n, d: (
                d.replace(b"</worksheet>", _BOMB_PADDING + b"</worksheet>")
                if _is_sheet_xml(n)
                else d
            ),
        )
    if op == "far_cell":
        far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        return _rezip(
            data,
            lambda n, d: (
                d.replace(b"</sheetData>", far + b"</sheetData>", 1).replace(
                    b"<sheetData />", b"<sheetData>" + far + b"</sheetData>", 1
                )
                if _is_sheet_xml(n)
                else d
            ),
        )
    if op == "far_dimension_only":
        return _rezip(
            data,
            lambda n, d: (
                re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', d)
                if _is_sheet_xml(n)
                else d
            ),
        )
    if op == "cached_formula":  # Excel's way: a formula with the value it cached on saving
        cell = re.compile(
            rb'<c r="([A-Z]+\d+)" t="inlineStr"><is><t(?: [^>]*)?>([^<]*)</t></is></c>'
        )
        return _rezip(
            data,
            lambda n, d: (
                cell.sub(rb'<c r="\1" t="str"><f>"\2"</f><v>\2</v></c>', d)
                if _is_sheet_xml(n)
                else d
            ),
        )
    if op == "stored":
        return _rezip(data, lambda n, d: d, method=zipfile.ZIP_STORED)
    if op == "bzip2":
        return _rezip(data, lambda n, d: d, method=zipfile.ZIP_BZIP2)
    if op == "lying_size":
        return _lie_about_sizes(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
    victim = names[pos % len(names)]
    if op == "drop_member":
        return _rezip(data, lambda n, d: None if n == victim else d)
    if op == "garbage_member":
        return _rezip(
            data, lambda n, d: bytes((i * 131 + 7) % 256 for i in range(200)) if n == victim else d
        )
    if op == "junk_member":
        return _add_member(data, "customXml/item1.xml", b"<x/>")
    if op == "dup_member":
        return _add_member(data, victim, b"<worksheet/>")
    if op == "utf16_sheet":
        return _rezip(
            data,
            lambda n, d: (
                d.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
                if _is_sheet_xml(n)
                else d
            ),
        )
    raise AssertionError(op)


def _add_member(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Duplicate name": that is the point
            z.writestr(name, content)
    return out.getvalue()


def _lie_about_sizes(data: bytes) -> bytes:
    """Declare half the real inflated size of every sheet, in both headers."""
    b = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = [i for i in z.infolist() if _is_sheet_xml(i.filename)]
    for info in infos:
        lie = max(1, info.file_size // 2)
        struct.pack_into("<I", b, info.header_offset + 22, lie)  # local header
        name = info.filename.encode()
        at = b.find(b"PK\x01\x02", 0)
        while at >= 0:
            n = struct.unpack_from("<H", b, at + 28)[0]
            if bytes(b[at + 46 : at + 46 + n]) == name:
                struct.pack_into("<I", b, at + 24, lie)
            at = b.find(b"PK\x01\x02", at + 46)
    return bytes(b)


def _csv_bytes(case: Case, rows: list[list[Any]]) -> bytes:
    """Rows as CSV text the way a spreadsheet saves it: padded to one width, and a field
    quoted when it holds the delimiter, a quote, CR or LF (Python's csv module leaves a lone
    CR unquoted when the line ends in LF, which makes another record: not what we model)."""
    width = max((len(r) for r in rows), default=0)
    d = case.csv_delimiter

    def field(v: Any) -> str:
        text = "" if v is None else _csv_text(v)
        if any(ch in text for ch in (d, '"', "\r", "\n")):
            return '"' + text.replace('"', '""') + '"'
        return text

    lines = [d.join([field(v) for v in r] + [""] * (width - len(r))) for r in rows]
    text = "".join(line + case.csv_newline for line in lines)
    return text.encode(case.csv_encoding, errors="replace")


def _csv_text(v: Any) -> str:
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%d/%m/%Y %H:%M")
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y") if v.year >= 1000 else v.isoformat()
    return str(v).replace("\x00", "")


def _csv_op(case: Case, data: bytes) -> bytes:
    op, arg = case.file_op, case.op_arg
    pos = int(arg * max(len(data) - 1, 0))
    if op == "none":
        return data
    if op == "truncate":
        return data[:pos]
    if op == "flip":
        b = bytearray(data)
        if b:
            for k in range(1 + int(arg * 10)):
                b[(pos + k * 104729) % len(b)] ^= 0x5A
        return bytes(b)
    if op == "empty":
        return b""
    if op == "nul":
        return data[:pos] + b"\x00" * 3 + data[pos:]
    if op == "unbalanced_quote":
        return data[:pos] + b'"' + data[pos:]
    if op == "ragged":
        return data[:pos] + b",,extra" + data[pos:]
    if op == "header_only":
        return data.split(b"\n")[0] + b"\n"
    if op == "bom_twice":
        return b"\xef\xbb\xbf\xef\xbb\xbf" + data
    if op == "crlf_mix":
        return data.replace(b"\n", b"\r", 1)
    raise AssertionError(op)


def _parquet_frame(rows: list[list[Any]]) -> pd.DataFrame:
    """Header row -> column names (made unique); cells typed per column where they agree."""
    if not rows:
        return pd.DataFrame()
    width = max(len(r) for r in rows)
    names: list[str] = []
    for i in range(width):
        h = rows[0][i] if i < len(rows[0]) else None
        name = str(h) if h is not None else f"col{i}"
        while name in names:
            name += "_"
        names.append(name)
    body = [r + [None] * (width - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(body, columns=names, dtype=object)
    for col in frame.columns:
        kinds = {type(v) for v in frame[col] if v is not None}
        if kinds <= {int} and kinds and all(abs(v) < 2**62 for v in frame[col].dropna()):
            frame[col] = frame[col].astype("Int64")
        elif kinds <= {float} and kinds:
            frame[col] = frame[col].astype("float64")
        elif kinds <= {bool} and kinds:
            frame[col] = frame[col].astype("boolean")
        else:
            frame[col] = frame[col].map(lambda v: None if v is None else _csv_text(v))
    return frame


def write_case(case: Case, folder: Path) -> Path:
    """Write the case's files into ``folder``; return the path to give mdpoverty."""
    if case.kind in ("xlsx", "xls"):
        built = folder / ("built.xls" if case.kind == "xls" else "built.xlsx")
        if case.kind == "xls":
            _write_xls(case, built)
        else:
            _write_xlsx(case, built)
        path = folder / f"survey{case.suffix}"
        data = built.read_bytes()
        built.unlink()
        path.write_bytes(_file_op(case, data) if case.kind == "xlsx" else data)
        return path
    hh, members = case.sheets
    path = folder / f"households{case.suffix}"
    m_path = folder / f"members{case.suffix}"
    if case.kind == "csv":
        path.write_bytes(_csv_op(case, _csv_bytes(case, hh.rows)))
        if case.members_file != "missing":
            m = b"" if case.members_file == "empty" else _csv_bytes(case, members.rows)
            m_path.write_bytes(m)
    else:
        frame = _parquet_frame(hh.rows)
        if case.parquet_odd and len(frame.columns):
            odd = {
                "list": lambda i: [i, i + 1],
                "dict": lambda i: {"a": i},
                "bytes": lambda i: b"\xff\x00" * i,
                "timestamp": lambda i: pd.Timestamp("2025-10-01", tz="Asia/Ho_Chi_Minh"),
                "decimal": lambda i: __import__("decimal").Decimal("1.50"),
            }[case.parquet_odd]
            frame[frame.columns[int(case.op_arg * (len(frame.columns) - 1))]] = [
                odd(i) for i in range(len(frame))
            ]
        frame.to_parquet(path)
        if case.members_file == "beside":
            _parquet_frame(members.rows).to_parquet(m_path)
        elif case.members_file == "empty":
            m_path.write_bytes(b"")
    return path


# ---------------------------------------------------------------- the oracle


def _read_text(v: Any, kind: str) -> str | None:
    """A cell as the reader yields it (enough to decide blank / header label)."""
    if v is None:
        return None
    if kind == "csv":
        return _csv_text(v)
    if isinstance(v, float) and not math.isfinite(v):
        return None  # not a number a workbook can hold: the reader drops it
    if isinstance(v, str):
        if kind == "xlsx":
            v = ILLEGAL_CHARACTERS_RE.sub("", v)
            if len(v) > 1 and v.startswith("="):
                return None  # a formula openpyxl wrote: no cached value, a blank cell
        if kind == "xls":
            v = v[:32767]
        return v
    return "<value>"


def _sheet_grid(s: SheetModel, kind: str) -> list[list[str | None]]:
    if s.chart:
        return []
    grid = [[_read_text(v, kind) for v in row] for row in s.rows]
    # An .xlsx merged range: its top-left value in every cell of the range, clipped to the
    # used range (mdpoverty.read.layout). An .xls: only the top-left cell has a value.
    used_rows = max((i + 1 for i, r in enumerate(grid) if any(v is not None for v in r)), default=0)
    used_cols = max((j + 1 for r in grid for j, v in enumerate(r) if v is not None), default=0)
    for r1, c1, r2, c2 in s.merges:
        top_left = (
            grid[r1 - 1][c1 - 1] if r1 - 1 < len(grid) and c1 - 1 < len(grid[r1 - 1]) else None
        )
        for r in range(r1 - 1, r2):
            for c in range(c1 - 1, c2):
                if (r, c) != (r1 - 1, c1 - 1) and r < len(grid) and c < len(grid[r]):
                    fill = kind == "xlsx" and r < used_rows and c < used_cols
                    grid[r][c] = top_left if fill else None
    return grid


@dataclass
class _Found:
    headers: set[str]
    households: int


def _emulate_sheet(kind: str, grid: list[list[str | None]]) -> _Found | None:
    """mdpoverty.read.survey's header search, done the slow obvious way."""
    lookup = header_lookup(kind)
    best = (-1, 0)
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        codes = {lookup.get(fold(c)) for c in row if isinstance(c, str) and c.strip()}
        score = len(codes - {None})
        if score > best[1]:
            best = (r, score)
    r, score = best
    if score < 2:
        return None
    keep: dict[int, str] = {}  # every column a header names (a column given twice: both)
    for i, c in enumerate(grid[r]):
        code = lookup.get(fold(c)) if isinstance(c, str) and c.strip() else None
        if code is not None:
            keep[i] = code
    header = [c.strip() if isinstance(c, str) else None for c in grid[r]]
    count = 0
    for row in grid[r + 1 :]:
        cells = [v.strip() if isinstance(v, str) and v.strip() else None for v in row]
        filled = sum(v is not None for v in cells)
        same = sum(
            v is not None and i < len(header) and v == header[i] for i, v in enumerate(cells)
        )
        if same >= 2 and 5 * same >= 4 * filled:
            continue  # the header repeated (for printing): skipped, listed as info
        if any(i < len(cells) and cells[i] is not None for i in keep):
            count += 1
    return _Found(set(keep.values()), count)


def _found_sheets(case: Case) -> dict[str, _Found]:
    """The sheets mdpoverty must find in the case's file (kind -> what it holds)."""
    if case.kind in ("csv", "parquet"):
        if case.kind == "parquet":  # the header is the frame's column names
            frame = _parquet_frame(case.sheets[0].rows)
            grid: list[list[str | None]] = [list(frame.columns)]
            for row in frame.itertuples(index=False):
                grid.append([None if pd.isna(v) else str(v) for v in row])
        else:
            grid = _sheet_grid(case.sheets[0], "csv")
        hh = _emulate_sheet("households", grid)
        return {"households": hh} if hh else {}
    grids = [_sheet_grid(s, case.kind) for s in case.sheets]
    by_name = sheet_lookup()
    named: dict[str, int] = {}
    for i, s in enumerate(case.sheets):
        k = by_name.get(fold(s.title))
        if k is not None and k not in named:
            named[k] = i
    found: dict[str, _Found] = {}
    for k, i in named.items():
        f = _emulate_sheet(k, grids[i])
        if f is not None:
            found[k] = f
    marks = {"households": {"area", "commune"}, "members": {"birth_date", "relation", "sex"}}
    for i, _ in enumerate(case.sheets):
        missing = [k for k in SHEETS if k not in found]
        if not missing:
            break
        if i in named.values():
            continue
        for k in missing:
            f = _emulate_sheet(k, grids[i])
            if f is not None and len(marks[k] & f.headers) >= 2:
                found[k] = f
                break
    return found


def expected_households(case: Case) -> int:
    """How many households the case's file holds, as mdpoverty must read them."""
    found = _found_sheets(case)
    return found["households"].households if "households" in found else 0


def _exact(case: Case) -> bool:
    """Whether the oracle's count must hold (the bytes are as modelled)."""
    if case.kind == "xls":
        return case.suffix == ".xls"
    if case.kind == "xlsx":
        return case.file_op in EXACT_OPS and case.suffix.lower() in (".xlsx", ".xlsm")
    if case.members_file != "beside":  # an empty members file is refused, rightly
        return False
    if case.kind == "parquet":
        return not case.parquet_odd
    return (
        case.file_op == "none"
        and case.csv_encoding in ("utf-8", "utf-8-sig")
        and case.csv_delimiter == ","
        and case.csv_newline != "\r"  # a lone \n inside a cell would end the record
    )


# ---------------------------------------------------------------- running a case


@dataclass
class Outcome:
    exit_code: int | None  # classify's
    problems: list[str]
    crash: str = ""  # a traceback, when something escaped
    exits: dict[str, int | None] = field(default_factory=dict)  # each command run: its exit

    @property
    def ok(self) -> bool:
        return not self.problems and not self.crash


_RISKY = re.compile(r"^[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+-]?\d[\d.,]*$")
_SUMMARY = {
    "en": re.compile(
        r"(\d+) of (\d+) households classed \((\d+) not classed\), members (\d+) of (\d+) used "
        r"\((\d+) rejected\)"
    ),
    "vi": re.compile(
        r"phân loại (\d+)/(\d+) hộ \((\d+) hộ chưa phân loại được\), dùng (\d+)/(\d+) nhân khẩu "
        r"\((\d+) bị loại\)"
    ),
}


NOTE_STARTS = ("cảnh báo: chuẩn", "warning: standard")


def _output_rows(path: Path, fmt: str, problems: list[str]) -> int:
    """Rows in the written output (households), checking formula-like text is neutralised."""
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        for row in rows[1:]:
            for cell in row:
                if _RISKY.match(cell) and not _NUMBER.match(cell):
                    problems.append(f"CSV output cell not neutralised: {cell[:40]!r}")
        return len(rows) - 1
    if fmt == "json":
        return len(json.loads(path.read_text(encoding="utf-8")))
    if fmt == "parquet":
        return len(pd.read_parquet(path))
    wb = load_workbook(path, read_only=True)
    try:
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    v = cell.value
                    if cell.data_type == "f" or (
                        isinstance(v, str) and _RISKY.match(v) and not _NUMBER.match(v)
                    ):
                        problems.append(f"xlsx output cell not neutralised: {str(v)[:40]!r}")
        # classify's workbook opens with the printed lists; its table is on "Dữ liệu"
        ws = wb["Dữ liệu"] if "Dữ liệu" in wb.sheetnames else wb.worksheets[0]
        first = next(ws.iter_rows(max_row=1, values_only=True), (None,))
        # under a provisional standard a warning line sits above the header (issue 10)
        note = isinstance(first[0], str) and first[0].startswith(NOTE_STARTS)
        return sum(1 for _ in ws.iter_rows()) - 1 - int(note)
    finally:
        wb.close()


def _reasons_ok(result: mdpoverty.Result, raw: Any) -> list[str]:
    """Every household not classed has an error on its row, its members, or the whole file."""
    out = result.households
    rejected = (out["class"].fillna("") == "").to_numpy()
    if not rejected.any():
        return []
    errors = result.issues[result.issues["severity"] == "error"]
    if errors["row"].isna().any():
        return []  # a file-level error blocks every household
    hh = raw.sheets.get("households")
    m = raw.sheets.get("members")
    by_sheet: dict[str, set[int]] = {}
    for sheet, row in zip(errors["sheet"], errors["row"], strict=True):
        by_sheet.setdefault(sheet, set()).add(int(row))
    hh_rows = by_sheet.get(hh.name, set()) if hh is not None else set()
    if hh is not None and hh.header_row in hh_rows:
        return []
    m_rows = by_sheet.get(m.name, set()) if m is not None else set()
    if m is not None and m.header_row in m_rows:
        return []
    bad_ids: set[str] = set()
    if m is not None and "household_id" in m.frame:
        ids = m.frame["household_id"]
        bad_ids = {str(ids[r]) for r in m_rows if r in ids.index and pd.notna(ids[r])}
    problems = []
    index = hh.frame.index if hh is not None else []
    ids = hh.frame["household_id"] if hh is not None and "household_id" in hh.frame else None
    for pos in rejected.nonzero()[0]:
        row = int(index[pos])
        hid = str(ids.iloc[pos]) if ids is not None and pd.notna(ids.iloc[pos]) else None
        if row not in hh_rows and (hid is None or hid not in bad_ids):
            problems.append(f"household at row {row} ({hid}) not classed, with no error naming it")
    return problems


def _invoke(args: list[str]) -> tuple[Any, str]:
    """Run ``mdpoverty ARGS`` through CliRunner: (click's result, "") or (None, a traceback)."""
    try:
        return CliRunner().invoke(main, args), ""
    except BaseException:  # e.g. a Rust panic (a BaseException): CliRunner lets it through
        return None, traceback.format_exc()


def _escaped(res: Any) -> str:
    """The traceback of an exception that escaped the command's handler, else ""."""
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        return "".join(traceback.format_exception(res.exception))
    return ""


def _terminal_checks(name: str, res: Any, problems: list[str]) -> None:
    """What every command promises on the terminal: exit 0/1/2, no traceback, one line on 2."""
    code = res.exit_code
    if "Traceback" in res.stdout + res.stderr:
        problems.append(f"{name}: a traceback on the terminal")
    if code not in (0, 1, 2):
        problems.append(f"{name}: exit {code}: {res.stderr.strip()[:300]}")
    if code == 2:
        lines = res.stderr.strip().splitlines()
        if len(lines) != 1 or not lines[0].startswith("mdpoverty: "):
            problems.append(f"{name}: exit 2 without one clear line: {res.stderr[:300]!r}")


def _stray(out_dir: Path, after: str, problems: list[str]) -> None:
    stray = [p.name for p in out_dir.iterdir() if p.name.endswith(".tmp")]
    if stray:
        problems.append(f"temporary files left after {after}: {stray}")


def _classed(result: mdpoverty.Result) -> pd.Series:
    return result.households["class"].astype("string").fillna("") != ""


def _members(result: mdpoverty.Result) -> pd.Series:
    return pd.to_numeric(result.households["members"], errors="coerce").astype("Float64")


def _measured(result: mdpoverty.Result) -> pd.Series:
    """The households the measures count persons of: classed, with one member or more."""
    return _classed(result) & (_members(result) >= 1).fillna(False)


def _persons(result: mdpoverty.Result, mask: pd.Series) -> int:
    """Members of the households in ``mask`` (the library's ``members`` column)."""
    return int(_members(result)[mask].fillna(0).sum())


def run_case(case: Case, folder: Path, *, others: bool = True) -> Outcome:
    """Write the case, run the CLI and the library on it; list every broken promise.

    ``others``: also run ``validate``, ``report`` and ``measures`` on the file (see
    :func:`_other_commands`).
    """
    problems: list[str] = []
    try:
        path = write_case(case, folder)
    except Exception:  # the generator's own limits (e.g. xlwt refusing a value): not a finding
        return Outcome(None, [])
    out_dir = folder / "out"
    out_dir.mkdir(exist_ok=True)
    output = out_dir / f"result.{case.out_fmt}"
    res, crash = _invoke(["classify", str(path), "-o", str(output), "--lang", case.lang])
    if res is None:
        return Outcome(None, ["crashed"], crash)
    code = res.exit_code
    exits: dict[str, int | None] = {"classify": code}
    if tb := _escaped(res):
        return Outcome(code, ["unhandled exception"], tb, exits)
    _terminal_checks("classify", res, problems)
    exact = _exact(case)
    workbook = case.suffix.lower() in (".xlsx", ".xlsm")
    refusal = REFUSED_OPS.get(case.file_op, "") if case.kind == "xlsx" and workbook else ""
    if refusal and (code != 2 or f"[{refusal}]" not in res.stderr):
        problems.append(f"expected refusal [{refusal}], got exit {code}: {res.stderr[:200]}")
    if (refusal is None or (case.kind == "xls" and workbook)) and code != 2:
        problems.append(f"expected exit 2 for {case.file_op}, got {code}")
    # refused rightly: no standard for its dates; no members sheet and no dep_ columns instead
    members_missing = case.members_file == "missing" or "members" not in _found_sheets(case)
    if (
        exact
        and code == 2
        and "--standard" not in res.stderr
        and not (members_missing and "[no_members_sheet]" in res.stderr)
    ):
        problems.append(f"a readable file refused: {res.stderr.strip()[:300]}")
    _stray(out_dir, "classify", problems)
    # the library, in-process
    result: mdpoverty.Result | None = None
    try:
        result = mdpoverty.classify(path, lang=case.lang)
    except MdpovertyError:
        if code in (0, 1):
            problems.append("the library refused a file the CLI read")
    except Exception:
        return Outcome(code, [*problems, "library raised"], traceback.format_exc(), exits)
    if result is not None and code == 2:
        problems.append(f"the CLI refused a file the library read: {res.stderr[:200]}")
        result = None
    if result is not None:
        crash = _classify_checks(case, path, output, res, result, exact, problems)
        if crash:
            return Outcome(code, problems, crash, exits)
    if others:
        crash = _other_commands(case, path, out_dir, res, result, problems, exits)
    return Outcome(code, problems, crash, exits)


def _classify_checks(
    case: Case,
    path: Path,
    output: Path,
    res: Any,
    result: mdpoverty.Result,
    exact: bool,
    problems: list[str],
) -> str:
    """``classify -o`` against the library's result; a traceback if re-reading raised."""
    code = res.exit_code
    c = result.counts
    n = len(result.households)
    if n != c["households_in"]:
        problems.append(f"{n} output rows but households_in = {c['households_in']}")
    if c["households_in"] != c["households_classed"] + c["households_rejected"]:
        problems.append(f"household accounting does not add up: {c}")
    if c["members_in"] != c["members_classed"] + c["members_rejected"]:
        problems.append(f"member accounting does not add up: {c}")
    if exact:
        expected = expected_households(case)
        if n != expected:
            problems.append(f"{n} households out, the file holds {expected}")
    rows = _output_rows(output, case.out_fmt, problems) if output.exists() else -1
    if rows != n:
        problems.append(f"the output file has {rows} rows, the result {n}")
    m = _SUMMARY[case.lang].search(res.stderr)
    want = (
        c["households_classed"],
        c["households_in"],
        c["households_rejected"],
        c["members_classed"],
        c["members_in"],
        c["members_rejected"],
    )
    if m is None or tuple(int(g) for g in m.groups()) != want:
        problems.append(f"summary line does not give the counts {want}: {res.stderr[:300]!r}")
    if (code == 0) != (c["households_rejected"] == 0 and c["households_in"] > 0):
        problems.append(f"exit {code} does not match {c}")
    try:
        raw = mdpoverty.read_survey(path)
    except Exception:
        problems.append("re-reading raised")
        return traceback.format_exc()
    problems += _reasons_ok(result, raw)
    problems += _members_known(result, raw)
    return ""


def _members_known(result: mdpoverty.Result, raw: Any) -> list[str]:
    """A household is classed only with its members known, or the reviewer's ``dep_`` flags
    (which the generator never writes): no member indicator is a silent "not deprived"."""
    hh = raw.sheets.get("households")
    if hh is not None and any(str(c).startswith("dep_") for c in hh.frame.columns):
        return []
    lost = _classed(result) & ~_measured(result)
    if lost.any():
        ids = result.households.loc[lost, "household_id"].tolist()[:5]
        return [f"{int(lost.sum())} households classed with no member known: {ids}"]
    return []


# ---------------------------------------------------------------- the other commands


def _report_tidy(case: Case) -> bool:
    """Which ``report`` a case gets, decided by the case: every form in the official-form
    workbook when its classify output is .xlsx (a quarter of the cases: the workbook costs
    three times the CSV), else Form 1 as CSV on stdout (the tidy table of §8)."""
    return case.out_fmt != "xlsx"


def other_invocations(case: Case, path: Path, out_dir: Path) -> dict[str, list[str]]:
    """The commands besides ``classify`` that read a survey, as each case runs them."""
    lang = ["--lang", case.lang]
    report = (
        ["report", str(path), "--form", "1", "--format", "csv", *lang]
        if _report_tidy(case)
        else ["report", str(path), "--form", "all", "-o", str(out_dir / "report.xlsx"), *lang]
    )
    return {
        "validate": ["validate", str(path), "-o", str(out_dir / "issues.csv"), *lang],
        "report": report,
        "measures": ["measures", str(path), "--by", "commune", "--format", "csv", *lang],
    }


def _other_commands(
    case: Case,
    path: Path,
    out_dir: Path,
    classify: Any,
    result: mdpoverty.Result | None,
    problems: list[str],
    exits: dict[str, int | None],
) -> str:
    """``validate``, ``report`` and ``measures`` on the case's file; a traceback if one escaped.

    Each keeps the terminal promises of ``classify`` and agrees with it on whether the file
    can be read at all: exit 2 exactly when ``classify`` exits 2, with the same line. None of
    them has a refusal of its own for these options: ``--by commune`` names a column every
    classed table has, ``--form all -o .xlsx`` writes whichever forms can be made, ``--form 1``
    needs nothing, and a standard missing for the survey's dates is refused by all four alike.
    A file with no household classed is no refusal either: report and measures give zero
    counts and exit 1, as classify does. On exit 0/1, each is checked against the library's
    result (``result``; None when the library or the CLI refused, where only the exit codes
    are compared).
    """
    crash = ""
    c_code = classify.exit_code
    c_line = classify.stderr.strip() if c_code == 2 else ""
    for name, args in other_invocations(case, path, out_dir).items():
        res, tb = _invoke(args)
        if res is None:
            problems.append(f"{name}: crashed")
            crash = crash or tb
            continue
        exits[name] = res.exit_code
        if tb := _escaped(res):
            problems.append(f"{name}: unhandled exception")
            crash = crash or tb
            continue
        _terminal_checks(name, res, problems)
        code = res.exit_code
        if (code == 2) != (c_code == 2):
            problems.append(
                f"{name}: exit {code} where classify exits {c_code}: {res.stderr.strip()[:300]}"
            )
        elif code == 2 and res.stderr.strip() != c_line:
            problems.append(f"{name}: refused with another line than classify: {res.stderr[:300]}")
        _stray(out_dir, name, problems)
        if code == 2 or result is None:
            continue
        check = {"validate": _validate_checks, "report": _report_checks}.get(name, _measures_checks)
        try:
            check(case, out_dir, res, c_code, result, problems)
        except Exception:  # output the check could not read: a finding, never a lost run
            problems.append(f"{name}: checking its output raised")
            crash = crash or traceback.format_exc()
    return crash


def _validate_checks(
    case: Case, out_dir: Path, res: Any, c_code: int, result: mdpoverty.Result, p: list[str]
) -> None:
    """The issue table written is the library's, whole and neutralised; exit 1 iff errors."""
    errors = bool((result.issues["severity"] == "error").any())
    if res.exit_code != int(errors):
        p.append(f"validate: exit {res.exit_code}, the library's issues have errors: {errors}")
    path = out_dir / "issues.csv"
    found: list[str] = []
    rows = _output_rows(path, "csv", found) if path.exists() else -1
    p += [f"validate: {f}" for f in found]
    if rows != len(result.issues):
        p.append(f"validate: the issue file has {rows} rows, the library {len(result.issues)}")


def _stdout_table(res: Any, name: str, columns: list[str], p: list[str]) -> pd.DataFrame | None:
    """The CSV a command wrote on stdout, as text, with ``columns``; None (and a problem) if not."""
    try:
        frame = pd.read_csv(io.StringIO(res.stdout), dtype=str, keep_default_na=False)
    except (ValueError, csv.Error) as exc:  # pandas' parser errors are ValueErrors
        p.append(f"{name}: stdout is not a CSV table ({exc}): {res.stdout[:200]!r}")
        return None
    if missing := [c for c in columns if c not in frame]:
        p.append(f"{name}: stdout has no column {missing}")
        return None
    return frame


FORM1_TOTAL = "Tổng cộng"  # the province row's label in the official-form workbook


def _form1_totals(res: Any, out_dir: Path, tidy: bool, p: list[str]) -> dict[str, int] | None:
    """Form 1's grand total (the province rows) from the CSV on stdout or the workbook."""
    keys = ["households", "persons", "poor_households"]
    if tidy:
        keys.append("not_classed")
        frame = _stdout_table(res, "report", ["level", *keys], p)
        if frame is None:
            return None
        prov = frame[frame["level"] == "province"]
        return {k: int(pd.to_numeric(prov[k]).sum()) for k in keys}
    path = out_dir / "report.xlsx"
    if not path.exists():
        p.append("report: no report.xlsx written")
        return None
    found: list[str] = []
    _output_rows(path, "xlsx", found)
    p += [f"report: {f}" for f in found]
    wb = load_workbook(path, read_only=True)
    try:
        if "Biểu 1" not in wb.sheetnames:
            p.append(f"report: no sheet 'Biểu 1' in {wb.sheetnames}")
            return None
        totals = dict.fromkeys(keys, 0)
        for row in wb["Biểu 1"].iter_rows(values_only=True):
            if len(row) > 4 and not row[0] and str(row[1] or "").startswith(FORM1_TOTAL):
                for i, k in enumerate(keys):  # columns C, D, E: households, persons, poor
                    totals[k] += int(row[2 + i] or 0)
        return totals
    finally:
        wb.close()


def _report_checks(
    case: Case, out_dir: Path, res: Any, c_code: int, result: mdpoverty.Result, p: list[str]
) -> None:
    """Form 1's grand total counts the library's classed households (and their members and
    poor households; on the CSV, the households not classed too); exit as classify's."""
    if res.exit_code != c_code:
        p.append(f"report: exit {res.exit_code}, classify {c_code}")
    totals = _form1_totals(res, out_dir, _report_tidy(case), p)
    if totals is None:
        return
    classed = _classed(result)
    want = {
        "households": int(classed.sum()),
        "persons": _persons(result, classed),
        "poor_households": int((result.households["class"] == "poor").sum()),
        "not_classed": result.counts["households_rejected"],
    }
    for k, v in totals.items():
        if v != want[k]:
            p.append(f"report: Form 1 total {k} = {v}, the library's result {want[k]}")


_EXCLUDED = {
    "en": re.compile(r"^(\d+) households left out of the measures", re.M),
    "vi": re.compile(r"^(\d+) hộ không được tính vào các chỉ số", re.M),
}


def _measures_checks(
    case: Case, out_dir: Path, res: Any, c_code: int, result: mdpoverty.Result, p: list[str]
) -> None:
    """The ``all`` row counts the library's classed households with members (persons being
    the unit) and their members, the households left out (the note on stderr) are all the
    others, the communes partition the total, the ratios are fractions (M0 = H·A) and the
    contributions sum to 100; exit 0 exactly when no household is left out and one is in."""
    measured = _measured(result)
    n_in = result.counts["households_in"]
    want = 0 if 0 < int(measured.sum()) == n_in else 1
    if res.exit_code != want:
        p.append(f"measures: exit {res.exit_code}, {int(measured.sum())} of {n_in} measurable")
    frame = _stdout_table(res, "measures", ["by", "unit_count", "households", "H", "A", "M0"], p)
    if frame is None:
        return
    total = frame[frame["by"] == "all"]
    if len(total) != 1 or frame.index[frame["by"] == "all"][0] != 0:
        p.append(f"measures: not one 'all' row first: {len(total)}")
        return
    row = total.iloc[0]
    m = _EXCLUDED[case.lang].search(res.stderr)
    excluded = int(m.group(1)) if m else 0
    if int(row["households"]) + excluded != n_in:
        p.append(
            f"measures: {row['households']} households measured + {excluded} left out "
            f"!= {n_in} in the library's result"
        )
    if int(row["households"]) != int(measured.sum()):
        p.append(
            f"measures: {row['households']} households measured, {int(measured.sum())} classed"
        )
    if int(row["unit_count"]) != _persons(result, measured):
        p.append(
            f"measures: unit_count {row['unit_count']}, the classed households have "
            f"{_persons(result, measured)} members"
        )
    communes = frame[frame["by"] == "commune"]
    for k in ("unit_count", "households"):
        if pd.to_numeric(communes[k]).sum() != int(row[k]):
            p.append(f"measures: the communes' {k} do not add up to the 'all' row")
    ratios = {k: pd.to_numeric(frame[k]) for k in ("H", "A", "M0")}
    for k, v in ratios.items():
        if ((v < 0) | (v > 1)).any():
            p.append(f"measures: {k} outside [0, 1]: {v.tolist()}")
    if ((ratios["M0"] - ratios["H"] * ratios["A"]).abs() > 5e-6).any():
        p.append("measures: M0 != H·A")
    contrib = frame[[col for col in frame if col.startswith("contrib_")]].apply(pd.to_numeric)
    sums = contrib.sum(axis=1)[ratios["M0"] > 0]
    if ((sums - 100).abs() > 1e-3).any():
        p.append(f"measures: contributions sum to {sums.tolist()}, not 100")


def check(case: Case, share: int = 1) -> None:
    """Run one case in a fresh folder and fail with everything it broke (the other commands
    on about 1 case in ``share``, chosen by the case: see :func:`runs_all_commands`)."""
    with tempfile.TemporaryDirectory() as tmp:
        outcome = run_case(case, Path(tmp), others=runs_all_commands(case, share))
    assert outcome.ok, f"{case.describe()}\n{outcome.problems}\n{outcome.crash}"


def runs_all_commands(case: Case, share: int) -> bool:
    """Whether a case also goes through the other commands: every case for ``share`` 1, else
    1 in ``share`` by a checksum of the whole case (so a replayed or shrunk example is
    picked the same way: hypothesis needs a case to behave the same each time)."""
    text = repr(case).encode("utf-8", "backslashreplace")
    return share <= 1 or zlib.crc32(text) % share == 0


# ---------------------------------------------------------------- the short seeded runs

CI_SHARE = 3  # the other commands on about 1 case in 3 here (every case in bench/fuzz.py)
FAST = settings(
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@settings(FAST, max_examples=90)
@given(case=workbook_cases(hostile_files=False))
def test_fuzz_workbooks_sheet_damage(case: Case) -> None:
    """Damaged sheets (values, headers, merges, hidden/extra sheets): never a lost household."""
    check(case, CI_SHARE)


@settings(FAST, max_examples=80)
@given(case=workbook_cases())
def test_fuzz_workbooks_file_damage(case: Case) -> None:
    """Damaged files (truncated, corrupt, bombs, entities, renamed .xls): exit 2, one line."""
    check(case, CI_SHARE)


@settings(FAST, max_examples=80)
@given(case=table_cases())
def test_fuzz_csv_and_parquet(case: Case) -> None:
    """CSV and Parquet pairs, with byte-level damage and odd encodings."""
    check(case, CI_SHARE)


# ---------------------------------------------------------------- officers' habits (plausible)
# tests/fuzz_habits.py: workbooks laid out as commune officers do (numbered rows, repeated
# headers, merged IDs and communes, two-row headers, total rows, signature blocks, a column
# twice). Oracle: every household has its untouched class or the issue table names it; the
# same households in and out. A few seeded cases here, the >= 5,000 in bench/fuzz.py.


@settings(FAST, max_examples=6)
@given(case=habit_cases())
@example(case=HabitCase(0, ("numbered", "repeat_header", "merge_ids", "total", "signature"), 1))
@example(case=HabitCase(2, ("merge_commune", "two_row_header", "twin_differs"), 7))
@example(case=HabitCase(4, ("numbered", "repeat_header", "merge_ids", "twin"), 3))
def test_fuzz_officer_habits(case: HabitCase) -> None:
    """Plausible layouts never change a household's class silently; layout alone never
    leaves a household unclassed (issue 11: read, not fought)."""
    with tempfile.TemporaryDirectory() as tmp:
        outcome = run_habit_case(case, Path(tmp))
    assert outcome.ok, f"{case.describe()}\n{outcome.problems}"
    if case.layout_only:
        assert outcome.blocked == 0, f"{case.describe()}: {outcome.blocked} households blocked"


def test_habit_oracle_notices_a_silent_misclassification(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The oracle fails a run where a household's class changes and no error names it."""
    import fuzz_habits

    real = fuzz_habits.mdpoverty.classify

    def flipped(path: Any, *args: Any, **kwargs: Any) -> Any:
        result = real(path, *args, **kwargs)
        hh = result.households
        hh.loc[hh.index[0], "class"] = "poor" if hh["class"].iloc[0] != "poor" else "not_poor"
        return result

    case = HabitCase(1, ("numbered",), 5)
    fuzz_habits.base(case.base)  # the untouched classes, before the patch
    monkeypatch.setattr(fuzz_habits.mdpoverty, "classify", flipped)
    outcome = run_habit_case(case, tmp_path, cli=False)
    assert outcome.silent and any("silently misclassified" in p for p in outcome.problems)


def _plain_case(**kw: Any) -> Case:
    hh = SheetModel("Hộ gia đình", [list(HH_HEADER), hh_row("H1"), hh_row("H2")])
    m = SheetModel("Thành viên", [list(M_HEADER), m_row("H1"), m_row("H2")])
    return Case("xlsx", [hh, m], **kw)


def test_harness_can_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The harness notices a lost household, an unneutralised cell and a reasonless rejection."""
    for d in ("a", "b", "c"):
        (tmp_path / d).mkdir()
    case = _plain_case()
    assert run_case(case, tmp_path / "a").ok
    monkeypatch.setattr(sys.modules[__name__], "expected_households", lambda c: 3)
    outcome = run_case(case, tmp_path / "b")
    assert any("the file holds 3" in p for p in outcome.problems), outcome.problems
    problems: list[str] = []
    (tmp_path / "x.csv").write_text("a\n=1+1\n-5\n", encoding="utf-8")
    assert _output_rows(tmp_path / "x.csv", "csv", problems) == 2
    assert len(problems) == 1 and "=1+1" in problems[0]
    case.sheets[0].rows[1][2] = "Vùng cao"  # an unknown area: H1 is not classed
    path = write_case(case, tmp_path / "c")
    result = mdpoverty.classify(path)
    assert _reasons_ok(result, mdpoverty.read_survey(path)) == []
    result.issues = result.issues.iloc[0:0]
    assert _reasons_ok(result, mdpoverty.read_survey(path))


@pytest.mark.parametrize(
    "op", ["doctype", "bomb", "lying_size", "far_cell", "far_dimension_only", "cached_formula"]
)
def test_every_hostile_file_op_once(tmp_path: Path, op: str) -> None:
    """Each hostile file operation, on a plain survey: refused with its id, or read whole."""
    outcome = run_case(_plain_case(file_op=op), tmp_path)
    assert outcome.ok, outcome.problems
    assert outcome.exit_code == (2 if op in REFUSED_OPS else 0)


# ---------------------------------------------------------------- the other commands can fail


def _bad_area(**kw: Any) -> Case:
    """A plain survey whose H1 has an unknown area: H1 is not classed (exit 1)."""
    case = _plain_case(**kw)
    case.sheets[0].rows[1][2] = "Vùng cao"
    return case


def _deprived(**kw: Any) -> Case:
    """A plain survey whose H2 lives in a makeshift house with surface water and no toilet:
    deprived in 3 of 12 indicators, so the measures have M0 > 0."""
    case = _plain_case(**kw)
    case.sheets[0].rows[2] = hh_row(
        "H2",
        **{
            "Loại nhà": "Nhà đơn sơ",
            "Nguồn nước sinh hoạt": "Nước mặt",
            "Loại nhà tiêu": "Không có nhà tiêu",
        },
    )
    return case


class _Escape(BaseException):
    """Gets past every handler, as a Rust panic would."""


def _raising(exc: BaseException) -> Any:
    def replacement(*args: Any, **kwargs: Any) -> Any:
        raise exc

    return lambda orig: replacement


def _echo_first(text: str, exc: BaseException | None = None) -> Any:
    """The original after a line on stderr (then ``exc`` instead, if given)."""

    def wrap(orig: Any) -> Any:
        def replacement(*args: Any, **kwargs: Any) -> Any:
            click.echo(text, err=True)
            if exc is not None:
                raise exc
            return orig(*args, **kwargs)

        return replacement

    return wrap


def _edited(edit: Any) -> Any:
    """The original with ``edit`` applied to what it returns."""

    def wrap(orig: Any) -> Any:
        def replacement(*args: Any, **kwargs: Any) -> Any:
            out = orig(*args, **kwargs)
            edit(out)
            return out

        return replacement

    return wrap


def _exits(code: int) -> Any:
    return lambda orig: lambda *args, **kwargs: sys.exit(code)


def _leave_tmp(orig: Any) -> Any:
    def replacement(frame: Any, path: Any, *args: Any, **kwargs: Any) -> Any:
        Path(path).with_name(Path(path).name + ".x.tmp").write_text("x", encoding="utf-8")
        return orig(frame, path, *args, **kwargs)

    return replacement


def _drop_issue_row(orig: Any) -> Any:
    def replacement(frame: Any, path: Any, *args: Any, **kwargs: Any) -> Any:
        return orig(frame.iloc[:-1] if Path(path).name == "issues.csv" else frame, path, *args)

    return replacement


def _bump_form1(frames: dict[str, pd.DataFrame]) -> None:
    f = frames["1"]
    f.loc[f["level"] == "province", "households"] += 1


def _bump_communes(res: Any) -> None:
    res.measures.loc[res.measures["by"] == "commune", "households"] += 1


def _double_contributions(res: Any) -> None:
    cols = [c for c in res.measures if c.startswith("contrib_")]
    res.measures[cols] = res.measures[cols] * 2 + 1


_WORKBOOK_REPORT = {"out_fmt": "xlsx"}  # the case gets report --form all -o report.xlsx
# A promise of the other commands, the code under test patched to break it, and the problem
# the harness must list: (case, (module or object, attribute), patch, problem).
BREAKS: dict[str, tuple[Any, tuple[Any, str], Any, str]] = {
    "exit 3": (
        _plain_case,
        (cli_measures, "compute_measures"),
        _raising(RuntimeError("a bug")),
        "measures: exit 3",
    ),
    "an exception past the handler": (
        _plain_case,
        (cli_measures, "compute_measures"),
        _raising(_Escape()),
        "measures: crashed",
    ),
    "a traceback on the terminal": (
        _plain_case,
        (cli_measures, "compute_measures"),
        _echo_first("Traceback (most recent call last):"),
        "measures: a traceback on the terminal",
    ),
    "exit 2 with two lines": (
        lambda: _plain_case(file_op="truncate"),
        (cli_measures, "compute_measures"),
        _echo_first("mdpoverty: reading", InputFileError("x: damaged [workbook_damaged]")),
        "measures: exit 2 without one clear line",
    ),
    "a readable file refused": (
        _plain_case,
        (cli_report, "load_round"),
        _raising(InputFileError("x: damaged [workbook_damaged]")),
        "report: exit 2 where classify exits 0",
    ),
    "refused with another line": (
        lambda: _plain_case(file_op="truncate"),
        (cli_measures, "compute_measures"),
        _raising(InputFileError("x: something else [workbook_damaged]")),
        "measures: refused with another line",
    ),
    "a temporary file left": (
        lambda: _plain_case(**_WORKBOOK_REPORT),
        (cli_report, "write_table"),
        _leave_tmp,
        "temporary files left after report",
    ),
    "validate: an issue lost": (
        _bad_area,
        (mdpoverty.cli.main, "write_table"),
        _drop_issue_row,
        "validate: the issue file has",
    ),
    "validate: exit code": (
        _plain_case,
        (main.commands["validate"], "callback"),
        _exits(1),
        "validate: exit 1",
    ),
    "report: Form 1 total (CSV)": (
        _plain_case,
        (cli_report, "build_report"),
        _edited(_bump_form1),
        "report: Form 1 total households",
    ),
    "report: Form 1 total (workbook)": (
        lambda: _plain_case(**_WORKBOOK_REPORT),
        (cli_report, "build_report"),
        _edited(_bump_form1),
        "report: Form 1 total households",
    ),
    "report: exit code": (
        _plain_case,
        (main.commands["report"], "callback"),
        _exits(1),
        "report: exit 1, classify 0",
    ),
    "measures: households left out": (
        _bad_area,
        (cli_measures, "compute_measures"),
        _edited(lambda res: setattr(res, "notes", [])),
        "left out != 2",
    ),
    "measures: unit_count": (
        _plain_case,
        (cli_measures, "compute_measures"),
        _edited(lambda res: res.measures.__setitem__("unit_count", res.measures["unit_count"] + 1)),
        "measures: unit_count",
    ),
    "measures: communes": (
        _plain_case,
        (cli_measures, "compute_measures"),
        _edited(_bump_communes),
        "measures: the communes' households",
    ),
    "measures: ratios": (
        _plain_case,
        (cli_measures, "compute_measures"),
        _edited(lambda res: res.measures.__setitem__("H", 1.5)),
        "measures: H outside [0, 1]",
    ),
    "measures: contributions": (
        _deprived,
        (cli_measures, "compute_measures"),
        _edited(_double_contributions),
        "measures: contributions sum",
    ),
    "measures: exit code": (
        _bad_area,
        (main.commands["measures"], "callback"),
        _exits(0),
        "measures: exit 0",
    ),
}


_UNPATCHED_OK: set[str] = set()


@pytest.mark.parametrize("promise", list(BREAKS))
def test_harness_notices_a_broken_promise_of_the_other_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, promise: str
) -> None:
    """Each check on validate, report and measures fails when the code under test breaks it."""
    make, (target, attr), patch, problem = BREAKS[promise]
    for d in ("before", "after"):
        (tmp_path / d).mkdir()
    key = repr(make())
    if key not in _UNPATCHED_OK:  # the case passes as it is (each case checked once)
        outcome = run_case(make(), tmp_path / "before")
        assert outcome.ok, outcome.problems
        _UNPATCHED_OK.add(key)
    monkeypatch.setattr(target, attr, patch(getattr(target, attr)))
    outcome = run_case(make(), tmp_path / "after")
    assert any(problem in p for p in outcome.problems), outcome.problems


def test_harness_notices_a_household_classed_without_members(tmp_path: Path) -> None:
    """The classify check behind the bug below: fails on a result that classes such a one."""
    case = _plain_case()
    case.sheets.pop()  # no members sheet: refused as a whole (no_members_sheet), so the
    path = write_case(case, tmp_path)  # households are classed below that refusal
    from mdpoverty.core import classify_typed
    from mdpoverty.validate import validate_survey

    raw = mdpoverty.read_survey(path)
    result = classify_typed(validate_survey(raw), mdpoverty.load_standard("vn-2022-2025"))
    assert _members_known(result, raw) == []
    result.households["class"] = "not_poor"
    assert "2 households classed with no member known" in _members_known(result, raw)[0]


# ---------------------------------------------------------------- bugs the fuzz found


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_no_household_is_classed_without_its_members(tmp_path: Path, kind: str) -> None:
    """A workbook without its members sheet (or a households CSV without its members file)
    used to class every household: the six member indicators read "not deprived", exit 0,
    no issue. Then each household got its own ``no_members`` error; now the survey is refused
    in one line naming the sheets found (``no_members_sheet``, exit 2), unless the households
    sheet carries the reviewer's dep_ columns, which then decide (§3, §7)."""
    for d in ("a", "b", "c"):
        (tmp_path / d).mkdir()
    plain = _plain_case()
    hh = plain.sheets[0]
    case = Case("xlsx", [hh]) if kind == "xlsx" else Case("csv", plain.sheets, suffix=".csv")
    case.members_file = "missing"
    path = write_case(case, tmp_path / "a")
    with pytest.raises(mdpoverty.InputFileError, match=r"\[no_members_sheet\]$"):
        mdpoverty.classify(path)
    assert run_case(case, tmp_path / "b").ok
    codes = mdpoverty.load_standard("vn-2022-2025").codes
    hh.rows[0] += [f"dep_{c}" for c in codes]
    hh.rows[1] += ["không"] * len(codes)
    hh.rows[2] += ["có"] * len(codes)
    result = mdpoverty.classify(write_case(case, tmp_path / "c"))
    assert list(result.households["deprivation_count"]) == [0, len(codes)]
    assert result.counts["households_classed"] == 2, result.issues


HOSTILE_CHILD = """
import json, sys
from click.testing import CliRunner
from mdpoverty.cli.main import main
path = sys.argv[1]
out = {}
for name, args in {
    "report": ["report", path, "--form", "1", "--format", "csv"],
    "changes": ["changes", path, path],
    "report --previous": ["report", path, "--form", "2", "--previous", path],
}.items():
    res = CliRunner().invoke(main, [*args, "--lang", "en"])
    out[name] = [res.exit_code, res.stderr]
print(json.dumps(out))
"""


@pytest.mark.parametrize("op", ["far_cell", "lying_size"])
def test_report_and_changes_guard_a_workbook_before_opening_it(tmp_path: Path, op: str) -> None:
    """``report`` and ``changes`` look at a workbook for a classify output (its first sheet
    when no sheet is named like members) before reading it as a survey, and used to open that
    sheet with calamine unguarded: a far cell aborted the process (a Rust allocation failure,
    SIGABRT), a lying zip exited 3 ("internal error (XmlError …)"). Now the survey reader's
    guard runs first. In a child process, so that an abort fails this test only."""
    import subprocess

    case = _plain_case(file_op=op)
    case.sheets.pop()  # households only: the classify-output sniffing opens the first sheet
    path = write_case(case, tmp_path)
    run = subprocess.run(
        [sys.executable, "-c", HOSTILE_CHILD, str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    check_id = REFUSED_OPS[op]
    for name, (code, stderr) in json.loads(run.stdout).items():
        assert code == 2, (name, stderr)
        assert stderr.startswith("mdpoverty: ") and stderr.strip().endswith(f"[{check_id}]")
