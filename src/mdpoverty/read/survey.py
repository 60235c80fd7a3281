"""Read a survey (xlsx, csv pair, parquet pair) into raw text frames (writing: .write.tables).

Every workbook and CSV cell is read as text and typed later by :mod:`mdpoverty.validate`:
fastexcel infers a column's type from its first 1,000 rows and silently nulls later cells of
another type, so a typed read could lose a household's income without a word. A Parquet
column that is already typed (numbers, yes/no, dates: :func:`keeps_type`) keeps its Arrow type
in the raw frame and is validated as it is, without a round trip through text; its text form
is only used to find the header and the layout rows. A raw frame's index is the row number a
person sees in Excel (header = its own row, usually 1).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputFileError, Text
from ..law.schema import fold, header_lookup
from . import layout
from .csv_text import read_csv_grid
from .layout import HEADER_SCAN_ROWS

MAX_CELL_CHARS = 2000


@dataclass
class RawSheet:
    """One sheet as text. ``frame`` columns are column codes; index = Excel row number."""

    kind: str  # "households" or "members"
    name: str  # the sheet name (or file name) as the person sees it
    frame: pd.DataFrame
    headers: dict[str, str]  # code -> header text as written
    header_row: int
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (header, nearest code or "")
    repeated: list[tuple[str, str]] = field(default_factory=list)  # (header, code it repeats)
    # layout rows skipped (:mod:`.layout`): reason -> (Excel rows, first filled cell of each)
    skipped: dict[str, tuple[np.ndarray, list[str]]] = field(default_factory=dict)
    # a column given twice: (code, the copy's header as written, the copy's cells)
    twins: list[tuple[str, str, pd.Series]] = field(default_factory=list)


@dataclass
class RawSurvey:
    source: str
    sheets: dict[str, RawSheet]
    sheet_names: list[str]
    notes: list[Text] = field(default_factory=list)  # for the person, on stderr (not issues)


# ---------------------------------------------------------------- reading


def _fail(path: Path, check: str, en: str, vi: str) -> InputFileError:
    """One line naming the file, what is wrong, and the check id ``mdpoverty explain`` knows."""
    return InputFileError(f"{path}: {en} [{check}]", f"{path}: {vi} [{check}]")


def _sniff(path: Path) -> bytes:
    if not path.exists():
        raise _fail(path, "file_not_found", "file not found", "không tìm thấy tệp")
    if path.is_dir():
        raise _fail(
            path,
            "file_is_folder",
            "is a folder, not a survey file",
            "là thư mục, không phải tệp khảo sát",
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise _fail(
            path, "file_unreadable", f"cannot be opened ({exc.strerror})", "không mở được tệp"
        ) from None
    if not head:
        raise _fail(path, "file_empty", "the file is empty", "tệp rỗng")
    return head


def _nearest(header: str, sheet: str) -> str:
    import difflib

    lookup = header_lookup(sheet)
    hit = difflib.get_close_matches(fold(header), list(lookup), n=1, cutoff=0.75)
    return lookup[hit[0]] if hit else ""


def _clean_column(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Trim a text column, turn blanks into nulls and cap very long cells (in Arrow)."""
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        col = pc.cast(col, pa.string())
    s = pc.utf8_trim_whitespace(col)
    if pc.all(pc.equal(pc.binary_length(s), pc.binary_length(col))).as_py() is not False:
        s = col  # nothing trimmed: the copy is dropped (a column of codes is kept as read)
    blank = pc.equal(pc.binary_length(s), 0)
    if pc.any(blank).as_py():
        s = pc.if_else(blank, pa.scalar(None, s.type), s)
    longest = pc.max(pc.binary_length(s)).as_py()  # bytes >= characters: a cheap first test
    if longest is not None and longest > MAX_CELL_CHARS:
        s = pc.utf8_slice_codeunits(s, 0, MAX_CELL_CHARS)
    return s


def _to_frame(
    table: pa.Table, first_excel_row: int, rows: np.ndarray | None = None
) -> pd.DataFrame:
    """Arrow text table -> pandas, index = Excel row numbers (``rows``, else consecutive from
    ``first_excel_row``), entirely blank rows dropped."""
    index = (
        rows if rows is not None else np.arange(first_excel_row, first_excel_row + table.num_rows)
    )
    if table.num_columns and table.num_rows:
        filled = pc.is_valid(table.column(0))
        for col in table.columns[1:]:
            filled = pc.or_(filled, pc.is_valid(col))
        if not pc.all(filled).as_py():
            keep = np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)
            table = table.filter(filled)
            index = index[keep]
    frame = table.to_pandas(types_mapper=pd.ArrowDtype)  # zero-copy Arrow strings
    frame.index = pd.Index(index)
    return frame


def keeps_type(t: pa.DataType) -> bool:
    """A column of this Arrow type is validated typed (numbers, yes/no, dates, timestamps
    without a time zone); any other type is read as text, as a workbook cell is."""
    return (
        pa.types.is_integer(t)
        or pa.types.is_floating(t)
        or pa.types.is_decimal(t)
        or pa.types.is_boolean(t)
        or pa.types.is_date(t)
        or (pa.types.is_timestamp(t) and t.tz is None)
    )


def _to_raw_sheet(
    kind: str,
    name: str,
    grid: pa.Table,
    first_row: int,
    merges: Sequence[layout.Merge] = (),
    col_offset: int = 0,
    typed: dict[int, pa.ChunkedArray] | None = None,
) -> RawSheet | None:
    """Find the header block in ``grid`` (text rows of a sheet from Excel row ``first_row``),
    split it off, skip the layout rows (:mod:`.layout`) and clean the body. ``merges`` are the
    sheet's merged ranges (0-based; the grid's column 0 is the sheet's column ``col_offset``).
    ``typed``: grid column -> the same column typed, from the grid's second row (a Parquet
    file: the grid's first row is its column names, and a typed column's text in the grid
    may stop after the rows the header is looked for in); it replaces that column's text in
    the body and the frame when the header is that first row, else it is read as text.
    None when no row looks like ``kind``'s header."""
    grid = layout.fill_merges(grid, merges, col_offset)
    top = grid.slice(0, HEADER_SCAN_ROWS).to_pydict()
    top_rows = [list(row) for row in zip(*top.values(), strict=True)] if top else []
    header = layout.find_header(top_rows, kind, layout.group_cells(merges, col_offset))
    if header is None:
        return None
    headers: dict[str, str] = {}
    keep: dict[str, int] = {}
    copies: list[tuple[str, int]] = []
    unknown: list[tuple[str, str]] = []
    repeated: list[tuple[str, str]] = []
    for i, text in sorted(header.texts.items()):
        code = header.codes.get(i)
        if code is None:
            unknown.append((text, _nearest(text, kind)))
        elif code in headers:
            repeated.append((text, headers[code]))
            copies.append((code, i))
        else:
            headers[code] = text
            keep[code] = i
    start = header.bottom + 1
    body = grid.slice(start)
    typed = typed or {}
    if start != 1:  # the header is not the first row: the typed columns are read as text
        typed = {j: pc.cast(c.slice(start - 1), pa.string()) for j, c in typed.items()}
    # the body: text columns cleaned, typed columns as they are (layout reads them typed)
    cleaned = pa.table(
        {
            f"c{j}": typed[j] if j in typed else _clean_column(body.column(j))
            for j in range(body.num_columns)
        }
    )
    id_column = keep.get("household_id")
    masks = layout.layout_rows(
        cleaned, top_rows[header.top : header.bottom + 1], id_column, list(keep.values())
    )
    skip = np.zeros(body.num_rows, dtype=bool)
    skipped: dict[str, tuple[np.ndarray, list[str]]] = {}
    for reason, mask in masks.items():
        if mask.any():
            rows = np.flatnonzero(mask)
            skipped[reason] = (rows + first_row + start, layout.previews(cleaned, rows))
            skip |= mask

    def column(i: int) -> pa.ChunkedArray | pa.Array:
        return typed[i] if i in typed else cleaned.column(i)

    columns = {code: column(i) for code, i in keep.items()}
    columns |= {f"{code}#{i}": column(i) for code, i in copies}
    table = pa.table(columns) if columns else pa.table({})
    if skip.any():
        table = table.filter(pa.array(~skip))
        row_numbers = np.flatnonzero(~skip) + first_row + start
    else:
        row_numbers = None
    frame = _to_frame(table, first_row + start, row_numbers)
    twins = [(code, header.texts[i], frame.pop(f"{code}#{i}")) for code, i in copies]
    return RawSheet(
        kind,
        name,
        frame,
        headers,
        first_row + header.bottom,
        unknown,
        repeated,
        skipped,
        twins,
    )


def _text(v: object) -> str | None:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    return str(v)


def text_grid(frame: pd.DataFrame, header: bool = True) -> pa.Table:
    """A pandas frame as an Arrow text grid, its column names as the first row."""
    cols = {}
    for i, name in enumerate(frame.columns):
        values = [_text(v) for v in frame.iloc[:, i].tolist()]
        cols[f"c{i}"] = pa.array(([str(name)] if header else []) + values, type=pa.string())
    return pa.table(cols)


def _read_table_file(
    path: Path, notes: list[Text] | None = None
) -> tuple[pa.Table, dict[int, pa.ChunkedArray]]:
    """A CSV or Parquet file as an Arrow text grid (header included as the first row), and
    the Parquet columns that keep their type (:func:`keeps_type`), by grid column.

    A CSV's encoding and separator are found (:mod:`.csv_text`); when it was not UTF-8, a
    note saying which encoding was taken is added to ``notes``, for the person to check."""
    if path.suffix.lower() != ".parquet":
        grid = read_csv_grid(path)
        if grid.note is not None and notes is not None:
            notes.append(grid.note)
        return grid.table, {}
    try:
        import pyarrow.parquet as pq

        return table_grid(pq.read_table(path))
    except Exception as exc:
        detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise _fail(
            path, "file_unreadable", f"cannot be read: {detail}", f"không đọc được: {detail}"
        ) from None


def table_grid(table: pa.Table) -> tuple[pa.Table, dict[int, pa.ChunkedArray]]:
    """A typed Arrow table (a Parquet file, a dataset partition) as a text grid whose first
    row is its column names, and its columns that keep their type (:func:`keeps_type`), by
    grid column: these are validated as they are, with no text round trip."""
    header = pa.table({f"c{i}": [n] for i, n in enumerate(table.column_names)})
    typed = {i: c for i, c in enumerate(table.columns) if keeps_type(c.type)}
    n = table.num_rows
    top = HEADER_SCAN_ROWS
    body = pa.table(
        {
            # a typed column as text only where the header is looked for (:func:`_to_raw_sheet`)
            f"c{i}": (
                pa.chunked_array(
                    [
                        *pc.cast(c.slice(0, top), pa.string()).chunks,
                        pa.nulls(max(n - top, 0), pa.string()),
                    ],
                    pa.string(),
                )
                if i in typed
                else _as_text(c)
            )
            for i, c in enumerate(table.columns)
        }
    )
    return pa.concat_tables([header, body]), typed


def _as_text(col: pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
    """A Parquet column as text; a type Arrow cannot cast (a list, a struct, bytes that are
    not UTF-8) is written out cell by cell, as the person would see it printed."""
    try:
        return pc.cast(col, pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return pa.array([None if v is None else str(v) for v in col.to_pylist()], pa.string())


def _pair_path(path: Path) -> Path | None:
    """``households.csv`` -> ``members.csv`` (also ``x.households.csv`` -> ``x.members.csv``)."""
    for a, b in (("households", "members"), ("ho-gia-dinh", "thanh-vien")):
        if a in path.name:
            other = path.with_name(path.name.replace(a, b))
            return other if other.exists() else None
    return None


def _read_pair(path: Path, members: Path | None) -> RawSurvey:
    sheets: dict[str, RawSheet] = {}
    names = []
    notes: list[Text] = []
    for kind, p in (("households", path), ("members", members or _pair_path(path))):
        if p is None:
            continue
        _sniff(p)
        grid, typed = _read_table_file(p, notes)
        raw = _to_raw_sheet(kind, p.name, grid, first_row=1, typed=typed)
        names.append(p.name)
        if raw is not None:
            sheets[kind] = raw
    return RawSurvey(str(path), sheets, names, notes)


def read_survey(
    path: str | os.PathLike[str], members: str | os.PathLike[str] | None = None
) -> RawSurvey:
    """Read a survey file into raw text sheets; raise :class:`InputFileError` if unreadable.

    ``path`` is an ``.xlsx`` workbook, or a households ``.csv``/``.parquet`` whose members file
    is ``members`` or found beside it (``households.csv`` -> ``members.csv``).
    """
    p = Path(path)
    head = _sniff(p)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls") or head.startswith(b"PK"):
        if suffix in (".csv", ".parquet"):
            raise _fail(
                p,
                "not_a_workbook",
                f"is a zip/workbook file named {suffix}",
                f"không phải tệp {suffix}",
            )
        from .xlsx import read_xlsx

        return read_xlsx(p)
    if suffix in (".csv", ".parquet", ".txt"):
        return _read_pair(p, Path(members) if members else None)
    raise _fail(
        p,
        "unsupported_file",
        "unsupported file type; give an .xlsx workbook or a .csv/.parquet pair",
        "loại tệp không hỗ trợ; dùng tệp .xlsx hoặc cặp tệp .csv/.parquet",
    )


# ---------------------------------------------------------------- writing (mdpoverty.write)

from ..write.tables import (  # noqa: E402 - re-exported: io was both the reader and the writer
    FORMATS,
    atomic_path,
    csv_text,
    format_for,
    neutralise,
    output_set,
    to_json,
    to_numpy_bool,
    write_table,
)

__all__ = [
    "FORMATS",
    "RawSheet",
    "RawSurvey",
    "atomic_path",
    "csv_text",
    "format_for",
    "neutralise",
    "output_set",
    "read_survey",
    "text_grid",
    "to_json",
    "to_numpy_bool",
    "write_table",
]
