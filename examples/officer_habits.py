"""Lay a survey workbook out the way commune officers do (synthetic; fixed seed).

Takes a workbook written by ``examples/generate.py`` (or any survey workbook with a
households and a members sheet) and writes a copy with the habits of official Vietnamese
tables. None of them changes a household's data, so mdpoverty must class every household of
the copy exactly as in the original, exit 0, and list the rows it skipped as ``info``:

- ``numbered``: a row of column numbers under each header ("1", "2" … or "(1)", "(2)" …,
  or "A", "B", "C" over the first columns then numbers);
- ``repeat_header``: the header (and its numbered row) repeated every ~40 rows, for printing;
- ``merge_ids``: each household's ID merged down its members' rows (one merged cell per
  household) on the members sheet;
- ``merge_commune``: each run of households of one commune merged down the commune column;
- ``two_row_header``: group titles merged across columns over the sub-headers, the other
  headers merged down both rows;
- ``total``: a "Tổng cộng" row under each table (sums of the numbers, counts of the rest);
- ``signature``: the date line and the signature block under the table.

And transformations that change what a household reads (for tests): ``twin`` (a column
given twice, identical) and ``twin_differs`` (a copy whose value differs for a few
households), ``drop_members`` (no members sheet, nor the dep_ columns that would replace
it).

Usage (from the repository root)::

    python examples/officer_habits.py examples/survey.xlsx /tmp/survey-habits.xlsx
    python examples/officer_habits.py in.xlsx out.xlsx --habits numbered,merge_ids
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

SEED = 2025
DEFAULT_HABITS = ("numbered", "merge_ids", "repeat_header", "total", "signature")
ALL_HABITS = (
    "numbered",
    "repeat_header",
    "merge_ids",
    "merge_commune",
    "two_row_header",
    "total",
    "signature",
    "twin",
    "twin_differs",
    "drop_members",
)
HOUSEHOLD_SHEETS = ("hộ gia đình", "households", "ho gia dinh")
MEMBER_SHEETS = ("thành viên", "members", "thanh vien")


@dataclass
class Sheet:
    """A sheet as rows of values; ``header`` is the index of the header row (0-based)."""

    title: str
    rows: list[list[Any]]
    header: int
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based, inclusive
    numbered: int | None = None  # index of the numbered row, if any
    top: int | None = None  # first header row when the header has two rows

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def column(self, *labels: str) -> int | None:
        wanted = {_fold(x) for x in labels}
        for j, cell in enumerate(self.rows[self.header]):
            if isinstance(cell, str) and _fold(cell) in wanted:
                return j
        return None

    def data_rows(self) -> list[int]:
        start = self.header + 1 + (self.numbered is not None)
        return [i for i in range(start, len(self.rows)) if any(_filled(v) for v in self.rows[i])]


def _fold(text: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D").lower())
    return "".join(ch for ch in s if ch.isalnum())


def _filled(v: Any) -> bool:
    return v is not None and not (isinstance(v, str) and not v.strip())


def read(path: Path) -> tuple[Sheet | None, Sheet | None]:
    wb = load_workbook(path)
    hh = m = None
    for ws in wb.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        header = max(range(min(30, len(rows))), key=lambda i: sum(_filled(v) for v in rows[i]))
        sheet = Sheet(ws.title, rows, header)
        if ws.title.lower() in HOUSEHOLD_SHEETS and hh is None:
            hh = sheet
        elif ws.title.lower() in MEMBER_SHEETS and m is None:
            m = sheet
    return hh, m


def write(path: Path, sheets: Sequence[Sheet]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title)
        for row in sheet.rows:
            ws.append(row)
        for r0, c0, r1, c1 in sheet.merges:
            ws.merge_cells(
                f"{get_column_letter(c0 + 1)}{r0 + 1}:{get_column_letter(c1 + 1)}{r1 + 1}"
            )
    wb.save(path)
    return path


def _insert(sheet: Sheet, at: int, row: list[Any]) -> None:
    sheet.rows.insert(at, row)
    sheet.merges = [(r0 + (r0 >= at), c0, r1 + (r1 >= at), c1) for r0, c0, r1, c1 in sheet.merges]
    if sheet.numbered is not None and sheet.numbered >= at:
        sheet.numbered += 1


def numbered(sheet: Sheet, rng: random.Random) -> None:
    width = len(sheet.rows[sheet.header])
    style = rng.choice(["plain", "paren", "letters"])
    if style == "plain":
        row: list[Any] = list(range(1, width + 1))
    elif style == "paren":
        row = [f"({i})" for i in range(1, width + 1)]
    else:
        k = min(3, width)
        row = [chr(65 + i) for i in range(k)] + list(range(1, width - k + 1))
    _insert(sheet, sheet.header + 1, row)
    sheet.numbered = sheet.header + 1


def repeat_header(sheet: Sheet, rng: random.Random, every: int = 40) -> None:
    """The header block (with its merges and numbered row) copied before every ``every``-th
    data row, as an officer pastes it to print each page with its header."""
    top = sheet.top if sheet.top is not None else sheet.header
    block = [list(r) for r in sheet.rows[top : sheet.header + 1]]
    if sheet.numbered is not None:
        block.append(list(sheet.rows[sheet.numbered]))
    merges = [m for m in sheet.merges if m[0] >= top and m[2] <= sheet.header]
    for i in reversed(sheet.data_rows()[every::every]):
        for k, r in enumerate(block):
            _insert(sheet, i + k, list(r))
        sheet.merges += [(r0 - top + i, c0, r1 - top + i, c1) for r0, c0, r1, c1 in merges]


def merge_ids(sheet: Sheet, rng: random.Random) -> None:
    """Each household's ID merged down its consecutive member rows (top cell keeps it)."""
    j = sheet.column("Mã hộ", "household_id", "Ma ho")
    if j is None:
        return
    _merge_runs(sheet, j)


def merge_commune(sheet: Sheet, rng: random.Random) -> None:
    j = sheet.column("Xã", "commune", "Xã/Phường/Đặc khu")
    if j is not None:
        _merge_runs(sheet, j)


def _merge_runs(sheet: Sheet, j: int) -> None:
    rows = sheet.data_rows()
    run: list[int] = []
    for i in [*rows, None]:
        value = sheet.rows[i][j] if i is not None else object()
        if run and (i != run[-1] + 1 or value != sheet.rows[run[0]][j]):
            if len(run) > 1:
                for k in run[1:]:
                    sheet.rows[k][j] = None
                sheet.merges.append((run[0], j, run[-1], j))
            run = []
        if i is not None:
            run.append(i)


GROUPS = (("Có ti vi", "Tài sản, phương tiện"), ("Thiếu hụt việc làm", "Thiếu hụt"))


def two_row_header(sheet: Sheet, rng: random.Random) -> None:
    """A group-title row above the header: titles merged across the grouped columns; every
    other header moved up and merged down both rows."""
    h = sheet.header
    header = sheet.rows[h]
    width = len(header)
    groups: list[tuple[int, int, str]] = []
    folded = [_fold(c) if isinstance(c, str) else "" for c in header]
    for first, title in GROUPS:
        if _fold(first) in folded:
            start = folded.index(_fold(first))
            end = start
            prefix = folded[start][:6]
            while end + 1 < width and folded[end + 1][:6] == prefix:
                end += 1
            if end > start:
                groups.append((start, end, title))
    if not groups:
        start = min(3, width - 2)
        groups.append((start, start + 1, "Thông tin"))
    top = [None] * width
    grouped = set()
    for start, end, title in groups:
        top[start] = title
        grouped.update(range(start, end + 1))
    _insert(sheet, h, top)
    sheet.merges += [(h, start, h, end) for start, end, _ in groups]
    for j in range(width):
        if j not in grouped and _filled(sheet.rows[h + 1][j]):
            sheet.rows[h][j] = sheet.rows[h + 1][j]
            sheet.rows[h + 1][j] = None
            sheet.merges.append((h, j, h + 1, j))
    sheet.top = h
    sheet.header = h + 1
    if sheet.numbered is not None and sheet.numbered == h + 1:
        sheet.numbered = h + 2


def total(sheet: Sheet, rng: random.Random) -> None:
    rows = sheet.data_rows()
    width = sheet.width
    out: list[Any] = [None] * width
    for j in range(width):
        values = [sheet.rows[i][j] for i in rows if j < len(sheet.rows[i])]
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if numbers and len(numbers) == sum(_filled(v) for v in values):
            out[j] = sum(numbers)
    out[0] = rng.choice(["Tổng cộng", "TỔNG CỘNG", "Cộng", "Tổng số"])
    sheet.rows.append(out)


def signature(sheet: Sheet, rng: random.Random) -> None:
    width = max(sheet.width, 8)

    def row(*cells: tuple[int, str]) -> list[Any]:
        out: list[Any] = [None] * width
        for j, text in cells:
            out[min(j, width - 1)] = text
        return out

    right = width - 3
    sheet.rows.append([None] * width)
    sheet.rows.append(row((right, "Xã Thử, ngày 15 tháng 12 năm 2025")))
    sheet.rows.append(row((1, "Người lập biểu"), (4, "Trưởng thôn"), (right, "TM. UBND XÃ")))
    sheet.rows.append(row((right, "CHỦ TỊCH")))
    sheet.rows.append(
        row((1, "(Ký, ghi rõ họ tên)"), (4, "(Ký, ghi rõ họ tên)"), (right, "(Ký tên, đóng dấu)"))
    )
    sheet.rows.append([None] * width)
    sheet.rows.append(row((1, "Nguyễn Thị Lan"), (4, "Trần Văn Hùng"), (right, "Lê Văn Minh")))


def twin(sheet: Sheet, rng: random.Random, differs: int = 0) -> list[Any]:
    """Append a copy of the area column (or the first coded one) at the right; with
    ``differs``, that many households get another value in the copy. Returns their IDs."""
    j = sheet.column("Khu vực", "KHU VỰC", "area")
    if j is None:
        j = 1
    ids = sheet.column("Mã hộ", "household_id", "Ma ho")
    rows = sheet.data_rows()
    width = sheet.width
    for i, r in enumerate(sheet.rows):
        r.extend([None] * (width - len(r)))
        r.append(r[j] if i >= sheet.header else None)
    changed = rng.sample(rows, min(differs, len(rows)))
    swap = {"nông thôn": "Thành thị", "thành thị": "Nông thôn"}
    for i in changed:
        value = sheet.rows[i][j]
        sheet.rows[i][-1] = swap.get(str(value).strip().lower(), "Thành thị")
    return [sheet.rows[i][ids] for i in changed] if ids is not None else []


HABITS = {
    "numbered": numbered,
    "repeat_header": repeat_header,
    "merge_ids": merge_ids,
    "merge_commune": merge_commune,
    "two_row_header": two_row_header,
    "total": total,
    "signature": signature,
}
# the order in which habits are laid on, whatever order they are asked in
ORDER = (
    "two_row_header",
    "numbered",
    "repeat_header",
    "merge_commune",
    "merge_ids",
    "total",
    "signature",
)


def lay_out(
    source: str | Path, target: str | Path, habits: Sequence[str] = DEFAULT_HABITS, seed: int = SEED
) -> dict[str, Any]:
    """Write ``target``: ``source`` with ``habits``. Returns what was changed for tests:
    ``{"differs": [household IDs whose copy differs]}``."""
    unknown = set(habits) - set(ALL_HABITS)
    if unknown:
        raise ValueError(f"unknown habits: {sorted(unknown)}; known: {', '.join(ALL_HABITS)}")
    rng = random.Random(seed)
    hh, m = read(Path(source))
    if hh is None:
        raise ValueError(f"{source}: no households sheet")
    sheets = [s for s in (hh, m) if s is not None]
    info: dict[str, Any] = {"differs": []}
    if "twin" in habits:
        twin(hh, rng)
    if "twin_differs" in habits:
        info["differs"] = twin(hh, rng, differs=5)
    for name in ORDER:
        if name in habits:
            for sheet in sheets:
                if name == "merge_ids" and sheet is hh:
                    continue  # one row per household: nothing to merge
                if name == "merge_commune" and sheet is m:
                    continue
                HABITS[name](sheet, rng)
    if "drop_members" in habits:  # and the reviewer's dep_ columns that could replace it
        sheets = [hh]
        drop = [
            j
            for j, c in enumerate(hh.rows[hh.header])
            if isinstance(c, str) and (_fold(c).startswith(("thieuhut", "dep")))
        ]
        for r in hh.rows:
            for j in reversed(drop):
                if j < len(r):
                    del r[j]
    write(Path(target), sheets)
    return info


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument(
        "--habits",
        default=",".join(DEFAULT_HABITS),
        help=f"comma-separated, from: {', '.join(ALL_HABITS)} (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    habits = [h.strip() for h in args.habits.split(",") if h.strip()]
    lay_out(args.source, args.target, habits, seed=args.seed)
    print(args.target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
