"""Read an ``.xlsx`` survey workbook into raw text sheets (:class:`~.survey.RawSurvey`).

The workbook is guarded first (:func:`mdpoverty.read.safety.check_xlsx`: zip bombs, XML entities,
far cells), in a pass that also collects each sheet's merged ranges; fastexcel then reads
every sheet named like the households or members sheet as text, side by side, and
:func:`mdpoverty.read.survey._to_raw_sheet` finds its header and layout rows.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa

from ..errors import InputFileError
from ..law.schema import SHEETS, fold, sheet_lookup
from . import survey as io
from .survey import RawSheet, RawSurvey, _fail


def read_xlsx(path: Path) -> RawSurvey:
    """A survey workbook: its households and members sheets found by name, else by headers."""
    import fastexcel

    from .safety import check_xlsx

    # zip bombs, XML entities, far cells: refused before fastexcel inflates; the same pass
    # finds each sheet's merged ranges
    merges = check_xlsx(path)
    try:
        reader = fastexcel.read_excel(str(path))
        names = list(reader.sheet_names)
    except Exception as exc:  # fastexcel raises several types; all mean "unreadable"
        raise _unreadable(path, exc) from None
    by_part = _sheet_parts(path) if merges else {}
    by_name = sheet_lookup()
    named: dict[str, int] = {}
    for i, name in enumerate(names):
        kind = by_name.get(fold(name))
        if kind is not None and kind not in named:
            named[kind] = i

    def raw_sheet(kind: str, i: int, grid: tuple[pa.Table, int]) -> RawSheet | None:
        sheet_merges = merges.get(by_part.get(names[i], ""), [])
        return io._to_raw_sheet(kind, names[i], grid[0], 1, sheet_merges, grid[1])

    # The named sheets side by side: fastexcel releases the GIL; one reader per thread.
    with ThreadPoolExecutor(max_workers=max(1, len(named))) as pool:
        grids = list(pool.map(lambda i: _load_grid(path, i, names[i]), named.values()))
    sheets: dict[str, RawSheet] = {}
    for (kind, i), grid in zip(named.items(), grids, strict=True):
        raw = raw_sheet(kind, i, grid)
        if raw is not None:
            sheets[kind] = raw
    # A kind not found by name: take another sheet whose headers clearly belong to it.
    for i, name in enumerate(names):
        missing = [k for k in SHEETS if k not in sheets]
        if not missing:
            break
        if i in named.values():
            continue
        grid = _load_grid(path, i, name)
        for kind in missing:
            raw = raw_sheet(kind, i, grid)
            if raw is not None and _looks_like(raw):
                sheets[kind] = raw
                break
    return RawSurvey(str(path), sheets, names)


def _sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> its part in the zip (``xl/worksheets/sheet1.xml``)."""
    from .xlsx_parts import _sheet_names

    with path.open("rb") as fh:
        return {name: part for part, name in _sheet_names(fh).items()}


def _load_grid(path: Path, index: int, name: str) -> tuple[pa.Table, int]:
    """One sheet, every cell as text, rows from Excel row 1 (leading blank rows kept), and
    the sheet column of the grid's first column (leading empty columns are dropped)."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
        sheet = reader.load_sheet(index, header_row=None, skip_rows=0, dtypes="string")
        columns = sheet.available_columns()
        offset = min((c.absolute_index for c in columns), default=0)
        return sheet.to_arrow(), offset
    except Exception as exc:  # fastexcel raises several types; all mean "unreadable"
        raise _unreadable(path, exc, sheet=name) from None


def _looks_like(raw: RawSheet) -> bool:
    """An unnamed sheet is taken only when its headers clearly belong to the kind."""
    marks = {"households": {"area", "commune"}, "members": {"birth_date", "relation", "sex"}}
    return len(marks[raw.kind] & set(raw.headers)) >= 2


def _unreadable(path: Path, exc: Exception, sheet: str | None = None) -> InputFileError:
    head = path.read_bytes()[:8] if path.exists() else b""
    where = f" (sheet '{sheet}')" if sheet else ""
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _fail(
            path,
            "workbook_locked",
            "is password-protected or an old .xls saved under another name; "
            "open it in Excel and save it as .xlsx without a password",
            "có mật khẩu hoặc là tệp .xls cũ bị đổi tên; mở bằng Excel và lưu lại dạng .xlsx "
            "không mật khẩu",
        )
    if not head.startswith(b"PK"):
        return _fail(
            path,
            "not_a_workbook",
            "is not an Excel workbook (.xlsx)",
            "không phải tệp Excel (.xlsx)",
        )
    detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    return _fail(
        path,
        "workbook_damaged",
        f"the workbook is damaged and cannot be read{where}: {detail}",
        f"tệp Excel bị hỏng, không đọc được{where}: {detail}",
    )
