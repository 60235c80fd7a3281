"""How commune officers lay a table out in Excel: read it, do not fight it.

Every official Vietnamese table has habits a plain reader trips on: a header of two or three
rows under merged group titles, a row of column numbers (1, 2, 3 … or A, B, C) under it, the
header repeated every printed page, "Tổng cộng" rows, a signature block under the table, and
merged cells (a household ID merged down its members' rows, a commune merged down its
households). This module finds them on a sheet's text grid:

- :func:`fill_merges` spreads a merged cell's value over every cell of its range (the ranges
  come from the workbook, never guessed from blanks);
- :func:`find_header` finds the header block and names each column from the lowest row that
  names it (a group title spanning several columns never names one);
- :func:`layout_rows` marks the rows that are layout, not data, each with its reason; the
  reader skips them and the issue table lists each one (severity ``info``) with its Excel row.

Everything that looks at the body of a sheet is vectorised (Arrow/NumPy): a 400,000-row sheet
is a few passes over its columns, never a Python loop over its rows.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputFileError
from ..law.schema import HOUSEHOLDS, fold, header_lookup

HEADER_SCAN_ROWS = 30  # a title block above the header is common in hand-made workbooks
HEADER_ROWS_MAX = 3  # a header of up to three rows (group titles over sub-headers)

#: Why a row was skipped -> the check id of its ``info`` issue.
SKIP_CHECKS = {
    "numbered": "numbered_row",
    "header": "repeated_header",
    "total": "total_row",
    "signature": "signature_row",
}

Merge = tuple[int, int, int, int]  # (row0, col0, row1, col1), 0-based, inclusive


# ---------------------------------------------------------------- merged cells


def fill_merges(grid: pa.Table, merges: Sequence[Merge], col_offset: int = 0) -> pa.Table:
    """``grid`` with each merged range's top-left value in every cell of the range.

    ``grid`` row 0 is the sheet's row 1; its column 0 is the sheet's column ``col_offset``
    (the reader drops leading empty columns). Ranges are clipped to the grid.
    """
    if not merges or not grid.num_rows or not grid.num_columns:
        return grid
    m = np.asarray(merges, dtype=np.int64).reshape(-1, 4)
    r0, c0, r1, c1 = m[:, 0], m[:, 1] - col_offset, m[:, 2], m[:, 3] - col_offset
    n, width = grid.num_rows, grid.num_columns
    keep = (r0 < n) & (c0 < width) & (c0 >= 0) & ((r1 > r0) | (c1 > c0))
    r0, c0, r1, c1 = (
        r0[keep],
        c0[keep],
        np.minimum(r1[keep], n - 1),
        np.minimum(c1[keep], width - 1),
    )
    if not len(r0):
        return grid
    columns = [grid.column(j) for j in range(width)]
    out = list(columns)
    cover = np.zeros(width + 1, dtype=np.int64)  # columns some range covers (no loop)
    np.add.at(cover, c0, 1)
    np.add.at(cover, c1 + 1, -1)
    for j in np.flatnonzero(np.cumsum(cover)[:width] > 0):
        sel = (c0 <= j) & (c1 >= j)
        lengths = r1[sel] - r0[sel] + 1
        starts = np.repeat(r0[sel], lengths)
        targets = (
            starts + np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        )
        sources = np.repeat(c0[sel], lengths)
        others = [int(s) for s in np.unique(sources) if s != j]
        pieces = [_plain(columns[j])] + [_plain(columns[s]) for s in others]
        offset = {int(j): 0, **{s: (k + 1) * n for k, s in enumerate(others)}}
        index = np.arange(n, dtype=np.int64)
        index[targets] = starts + np.array([offset[int(s)] for s in sources], dtype=np.int64)
        whole = pieces[0] if len(pieces) == 1 else pa.concat_arrays(pieces)
        out[j] = whole.take(pa.array(index))
    return pa.table(out, names=[str(n) for n in grid.column_names])


def _plain(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    return col if pa.types.is_string(col.type) else pc.cast(col, pa.string())


def group_cells(merges: Sequence[Merge], col_offset: int = 0) -> dict[tuple[int, int], int]:
    """Grid cells of the header area covered by a range merged across columns, each with the
    grid column of its range's first cell. Such a range is a group title over sub-headers —
    which never names a column by itself — or one label merged wider for its width, which
    names its first column when no row under it names a column of its range."""
    cells: dict[tuple[int, int], int] = {}
    for r0, c0, r1, c1 in merges:
        if c1 > c0 and r0 < HEADER_SCAN_ROWS:
            for r in range(r0, min(r1, HEADER_SCAN_ROWS - 1) + 1):
                for c in range(c0, c1 + 1):
                    cells.setdefault((r, c - col_offset), c0 - col_offset)
    return cells


# ---------------------------------------------------------------- the header


@dataclass
class Header:
    top: int  # grid row of the header block's first row
    bottom: int  # grid row of its last (lowest) row: the body starts below it
    codes: dict[int, str]  # grid column -> column code
    texts: dict[int, str]  # grid column -> header text as written (codes and unknown columns)


def find_header(
    rows: list[list[object]], kind: str, groups: dict[tuple[int, int], int]
) -> Header | None:
    """The header block among the first rows of a sheet; None when no row has two known
    headers. A column is named by the lowest row of the block that names it."""
    lookup = header_lookup(kind)

    def named(r: int) -> dict[int, str]:
        out = {}
        for c, cell in enumerate(rows[r]):
            if isinstance(cell, str) and cell.strip() and groups.get((r, c), c) == c:
                code = lookup.get(fold(cell))
                if code is not None:
                    out[c] = code
        return out

    maps = [named(r) for r in range(len(rows))]
    scores = [len(set(m.values())) for m in maps]
    if not scores or max(scores) < 2:
        return None
    best = scores.index(max(scores))
    top = bottom = best
    while bottom + 1 < len(rows) and bottom - top + 1 < HEADER_ROWS_MAX:
        block = {c for r in range(top, bottom + 1) for c in maps[r]}
        if len(set(maps[bottom + 1]) - block) < 2:  # sub-headers under group titles
            break
        bottom += 1
    while top > 0 and bottom - top + 1 < HEADER_ROWS_MAX:
        above = top - 1
        has_group = any((above, c) in groups for c in range(len(rows[above])))
        lower = {c for r in range(top, bottom + 1) for c in maps[r]}
        if not has_group and not (set(maps[above]) - lower):
            break
        top = above
    codes: dict[int, str] = {}
    texts: dict[int, str] = {}
    for r in range(top, bottom + 1):  # lower rows overwrite: the lowest naming row wins
        for c, code in maps[r].items():
            if (r, c) in groups and any(  # a group title: a lower row names its columns
                groups.get((r, c2)) == c and c2 in maps[r2]
                for r2 in range(r + 1, bottom + 1)
                for c2 in range(c, len(rows[r]))
            ):
                continue
            codes[c] = code
            texts[c] = str(rows[r][c]).strip()
    for c, cell in enumerate(rows[best]):
        if c not in codes and isinstance(cell, str) and cell.strip() and (best, c) not in groups:
            texts[c] = cell.strip()
    return Header(top, bottom, codes, texts)


# ---------------------------------------------------------------- layout rows

_NUMBER_TOKEN = re.compile(r"^\(?\s*(\d{1,3}|[A-Za-z])(?:\.0+)?\s*\)?(?:\s*=.*)?$")
_TOTAL = r"^(?:t[ổo]ng\s*c[ộo]ng|t[ổo]ng\s*s[ốo]|t[ổo]ng|c[ộo]ng)\s*[:.]?$"
_SIGNATURE = (
    r"^\(?\s*(?:ng[ưu][ờo]i\s+l[ậa]p(?:\s+bi[ểe]u)?|tr[ưu][ởo]ng\s+(?:th[ôo]n|b[ảa]n|[ấa]p|x[óo]m|"
    r"t[ổo]|kh[ốo]i)|ch[ủu]\s+t[ịi]ch|(?:tm|kt)\s*[./]?\s*(?:ubnd|[ủu]y\s+ban|ch[ủu]\s+t[ịi]ch)|"
    r"x[áa]c\s+nh[ậa]n|c[áa]n\s+b[ộo]|k[ýy],?\s+ghi\s+r[õo]|k[ýy]\s+t[êe]n)"
    r"|ng[àa]y\s*[\d.…_ ]*\s*th[áa]ng\s*[\d.…_ ]*\s*n[ăa]m"
)
TOTAL_SCAN_COLUMNS = 3  # a total row's label stands in one of the first columns
MAX_SUM_CANDIDATES = 200  # rows without an ID checked as possible total rows (no labels)


def numbered(cells: Iterable[object], min_cells: int) -> bool:
    """A row of column numbers: 1, 2, 3 … or (1), (2) … or A, B, C … (letters then numbers,
    as official forms number descriptive then numeric columns), each increasing."""
    tokens = [str(c).strip() for c in cells if c is not None and str(c).strip()]
    if len(tokens) < max(3, min_cells):
        return False
    letters: list[int] = []
    numbers: list[int] = []
    for t in tokens:
        m = _NUMBER_TOKEN.match(t)
        if not m:
            return False
        v = m.group(1)
        if v.isdigit():
            numbers.append(int(v))
        elif numbers:
            return False  # a letter after the numbers
        else:
            letters.append(ord(v.upper()))
    return all(b > a for seq in (letters, numbers) for a, b in itertools.pairwise(seq))


def _text(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """A column as text: a typed (Parquet) column is cast, as it reads printed."""
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return col
    return pc.cast(col, pa.string())


def _text_table(table: pa.Table) -> pa.Table:
    """``table`` (a few rows) with its typed columns as text."""
    return pa.table({name: _text(table.column(name)) for name in table.column_names})


def _equal_text(col: pa.ChunkedArray | pa.Array, text: str) -> np.ndarray:
    """Cells of ``col`` that read ``text``. A typed column is not turned into text: ``text``
    is read as the column's type and compared typed when it reads back as itself (``12``
    in an integer column, ``true`` in a yes/no one); otherwise no cell of that column can
    read ``text``."""
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return np.asarray(pc.equal(col, pa.scalar(text)).fill_null(False), dtype=bool)
    try:
        value = pc.cast(pa.scalar(text), col.type)
        same = pc.cast(value, pa.string()).as_py() == text
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        same = False
    if not same:
        return np.zeros(len(col), dtype=bool)
    return np.asarray(pc.equal(col, value).fill_null(False), dtype=bool)


def _text_rows(body: pa.Table, rows: np.ndarray) -> list[list[object]]:
    part = _text_table(body.take(pa.array(rows, type=pa.int64()))).to_pydict()
    return [list(r) for r in zip(*part.values(), strict=True)] if part else []


def layout_rows(
    body: pa.Table,
    header_rows: list[list[object]],
    id_column: int | None,
    named: Sequence[int],
) -> dict[str, np.ndarray]:
    """Rows of ``body`` (cleaned text: trimmed, blanks null; or typed columns of a Parquet
    file, read as the text they print) that are layout, not data.

    Returns reason -> boolean mask over the body's rows: ``numbered`` (a row of column
    numbers), ``header`` (a header row repeated further down), ``total`` (a total row: a
    label such as "Tổng cộng" in the first columns, or no household ID and every cell a sum
    or count of its column), ``signature`` (the block under the last data row).
    """
    n = body.num_rows
    width = body.num_columns
    masks = {k: np.zeros(n, dtype=bool) for k in SKIP_CHECKS}
    if not n or not width:
        return masks
    valid = [np.asarray(pc.is_valid(body.column(j)), dtype=bool) for j in range(width)]
    filled = np.zeros(n, dtype=np.int32)  # filled cells per row, column by column
    for v in valid:
        filled += v
    nonblank = np.flatnonzero(filled)
    if not len(nonblank):
        return masks
    min_cells = max(3, len(named) // 2)
    templates = [(r, "header") for r in header_rows if sum(c is not None for c in r) >= 2]
    first = int(nonblank[0])
    first_row = _text_rows(body, np.array([first]))[0]
    if numbered(first_row, min_cells):
        masks["numbered"][first] = True
        templates.append((first_row, "numbered"))
    for template, reason in templates:  # header rows (and the numbered row) repeated to print
        matches = np.zeros(n, dtype=np.int32)
        cells = 0
        for j, value in enumerate(template[:width]):
            if value is None or not str(value).strip():
                continue
            cells += 1
            matches += _equal_text(body.column(j), str(value).strip())
        # nearly every filled cell of the row is the template's cell in that column
        repeat = (matches >= min(2, cells)) & (5 * matches >= 4 * filled)
        masks[reason] |= repeat
    layout = masks["numbered"] | masks["header"]
    masks["total"] = _total_rows(body, id_column, layout, filled, valid)
    layout |= masks["total"]
    masks["signature"] = _signature_rows(body, filled, layout, min(6, min_cells))
    return masks


def _total_rows(
    body: pa.Table,
    id_column: int | None,
    layout: np.ndarray,
    filled: np.ndarray,
    valid: list[np.ndarray],
) -> np.ndarray:
    """Rows with a total label ("Tổng cộng", "Cộng", "Tổng", "Tổng số") in one of the first
    columns and no household ID but that label; rows without an ID that sum their columns.

    Only rows that can be totals are looked at: without an ID, or with an ID that could be
    a label (short, starting with T or C), so a sheet where every row has an ID costs two
    cheap passes over the ID column."""
    n = body.num_rows
    total = np.zeros(n, dtype=bool)
    if id_column is None:
        rows = np.flatnonzero(filled > 0)
    else:
        ids = _text(body.column(id_column))
        size = pc.binary_length(ids)
        short = pc.and_(pc.greater_equal(size, 4), pc.less_equal(size, 24))
        first = pc.utf8_slice_codeunits(ids, 0, 1)
        could = pc.and_(short, pc.is_in(first, pa.array(["T", "t", "C", "c"]))).fill_null(False)
        rows = np.flatnonzero(np.asarray(could, dtype=bool) | (~valid[id_column] & (filled > 0)))
    if len(rows):
        part = _text_table(body.take(pa.array(rows, type=pa.int64())))
        label = np.zeros(len(rows), dtype=bool)
        for j in range(min(TOTAL_SCAN_COLUMNS, part.num_columns)):
            hit = pc.match_substring_regex(part.column(j), _TOTAL, ignore_case=True)
            label |= np.asarray(hit.fill_null(False), dtype=bool)
        if id_column is not None:
            ids = part.column(id_column)
            own = pc.match_substring_regex(ids, _TOTAL, ignore_case=True).fill_null(False)
            label &= ~np.asarray(pc.is_valid(ids), dtype=bool) | np.asarray(own, dtype=bool)
        total[rows[label]] = True
    if id_column is not None:
        candidates = np.flatnonzero(~valid[id_column] & (filled > 0) & ~layout & ~total)
        if 0 < len(candidates) <= MAX_SUM_CANDIDATES:
            total[_sum_rows(body, candidates, layout | total, filled, valid)] = True
    return total & ~layout


_THOUSANDS = r"^[+-]?\d{1,3}(?:[.,  ]\d{3})+$"


def _numbers(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A text column as floats (NaN where not a plain number; "1.500.000" is a number)."""
    s = pc.if_else(
        pc.match_substring_regex(col, _THOUSANDS).fill_null(False),
        pc.replace_substring_regex(col, r"[.,  ]", ""),
        col,
    )
    ok = pc.match_substring_regex(s, r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$").fill_null(
        False
    )
    s = pc.if_else(ok, s, pa.scalar(None, pa.string()))
    return np.asarray(pc.cast(s, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)


def _sum_rows(
    body: pa.Table,
    candidates: np.ndarray,
    skip: np.ndarray,
    filled: np.ndarray,
    valid: list[np.ndarray],
) -> np.ndarray:
    """Candidates (rows without a household ID) whose every cell is a number equal to the sum
    or the count of its column over the data rows above it (since the previous total row, or
    since the first row), with at least two data rows summed."""
    data = (filled > 0) & ~skip
    data[candidates] = False
    used = [j for j in range(body.num_columns) if valid[j][candidates].any()]
    values = {j: _numbers(_text(body.column(j))) for j in used}
    found: list[int] = []
    for i in candidates:
        cols = [j for j in used if valid[j][i]]
        if not cols or any(np.isnan(values[j][i]) for j in cols):
            continue
        starts = [found[-1] + 1 if found else 0, 0]
        for start in starts:
            rows = np.flatnonzero(data[start:i]) + start
            if len(rows) < 2:
                continue
            ok = True
            for j in cols:
                v = values[j][i]
                col_values = values[j][rows]
                sums = np.nansum(col_values)
                counts = (valid[j][rows]).sum()
                if not (abs(v - sums) <= 0.5 + 1e-9 * abs(sums) or v == counts):
                    ok = False
                    break
            if ok:
                found.append(int(i))
                break
    return np.array(found, dtype=np.int64)


def _signature_rows(
    body: pa.Table, filled: np.ndarray, layout: np.ndarray, dense_cells: int
) -> np.ndarray:
    """The block under the table: from the first row after the last data row (a row with at
    least ``dense_cells`` filled cells) that reads like a signature line or a date line
    ("Người lập biểu", "Trưởng thôn", "TM. UBND", "(Ký, ghi rõ họ tên)", "…, ngày … tháng …
    năm …"), to the end of the sheet."""
    n = body.num_rows
    out = np.zeros(n, dtype=bool)
    dense = np.flatnonzero((filled >= dense_cells) & ~layout)
    start = int(dense[-1]) + 1 if len(dense) else 0
    if start >= n:
        return out
    tail = _text_table(body.slice(start))
    hit = np.zeros(tail.num_rows, dtype=bool)
    for j in range(tail.num_columns):
        m = pc.match_substring_regex(tail.column(j), _SIGNATURE, ignore_case=True)
        hit |= np.asarray(m.fill_null(False), dtype=bool)
    if hit.any():
        out[start + int(np.flatnonzero(hit)[0]) :] = True
    return out & (filled > 0) & ~layout


def previews(body: pa.Table, rows: np.ndarray) -> list[str]:
    """The first filled cell of each of ``rows`` (what the person sees first in the row)."""
    if not len(rows):
        return []
    part = _text_table(body.take(pa.array(rows, type=pa.int64())))
    first = pc.coalesce(*[part.column(j) for j in range(part.num_columns)])
    return [("" if v is None else v[:60]) for v in first.to_pylist()]


# ---------------------------------------------------------------- sheets


def _dep_label(code: str) -> str:
    """The Vietnamese header of the reviewer's ``dep_<code>`` column, quoted."""
    name = f"dep_{code}"
    return f"'{HOUSEHOLDS.column(name).label_vi}'" if name in HOUSEHOLDS.names else name


def require_members(survey, member_codes: Iterable[str]) -> None:
    """A survey without a members sheet is refused in one line (the sheets it has, what was
    expected), unless its households sheet has a ``dep_<code>`` column for every indicator
    derived from the members: the reviewer's flags then decide them (§7)."""
    hh = survey.sheets.get("households")
    if hh is None or "members" in survey.sheets:
        return
    lacking = [c for c in member_codes if f"dep_{c}" not in hh.headers]
    if not lacking:
        return
    found = ", ".join(f"'{s}'" for s in survey.sheet_names) or "-"
    where = survey.source
    raise InputFileError(
        f"{where}: no members sheet ('Thành viên' / members); sheets found: {found}; without it "
        f"the households sheet needs the columns {', '.join('dep_' + c for c in lacking)} "
        "[no_members_sheet]",
        f"{where}: không có trang thành viên ('Thành viên'); các trang có: {found}; nếu không có "
        f"trang này, trang hộ cần các cột {', '.join(_dep_label(c) for c in lacking)} "
        "[no_members_sheet]",
    )
