"""Read a survey (xlsx, csv pair, parquet pair) into raw text frames; write tables atomically.

Every cell is read as text and typed later by :mod:`mdpoverty.validate`: fastexcel infers a
column's type from its first 1,000 rows and silently nulls later cells of another type, so a
typed read could lose a household's income without a word. A raw frame's index is the row
number a person sees in Excel (header = its own row, usually 1).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputFileError
from .schema import SHEETS, fold, header_lookup, sheet_lookup

HEADER_SCAN_ROWS = 30  # a title block above the header is common in hand-made workbooks
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


@dataclass
class RawSurvey:
    source: str
    sheets: dict[str, RawSheet]
    sheet_names: list[str]


# ---------------------------------------------------------------- reading


def _fail(path: Path, en: str, vi: str) -> InputFileError:
    return InputFileError(f"{path}: {en}", f"{path}: {vi}")


def _sniff(path: Path) -> bytes:
    if not path.exists():
        raise _fail(path, "file not found", "không tìm thấy tệp")
    if path.is_dir():
        raise _fail(path, "is a folder, not a survey file", "là thư mục, không phải tệp khảo sát")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise _fail(path, f"cannot be opened ({exc.strerror})", "không mở được tệp") from None
    if not head:
        raise _fail(path, "the file is empty", "tệp rỗng")
    return head


def _header_map(cells: list[object], sheet: str) -> tuple[dict[int, str], int]:
    lookup = header_lookup(sheet)
    mapped = {}
    for i, cell in enumerate(cells):
        if isinstance(cell, str) and cell.strip():
            code = lookup.get(fold(cell))
            if code is not None:
                mapped[i] = code
    return mapped, len(set(mapped.values()))


def _nearest(header: str, sheet: str) -> str:
    import difflib

    lookup = header_lookup(sheet)
    hit = difflib.get_close_matches(fold(header), list(lookup), n=1, cutoff=0.75)
    return lookup[hit[0]] if hit else ""


def _clean_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip cells, blank -> NA, cap very long text, drop rows that are entirely blank."""
    out = {}
    for col in frame.columns:
        s = frame[col].astype("string").str.strip()
        s = s.mask(s == "")
        too_long = s.str.len() > MAX_CELL_CHARS
        if bool(too_long.any()):
            s = s.mask(too_long, s.str.slice(0, MAX_CELL_CHARS))
        out[col] = s
    clean = pd.DataFrame(out, index=frame.index)
    return clean[clean.notna().any(axis=1)] if len(clean.columns) else clean


def _to_raw_sheet(kind: str, name: str, grid: pd.DataFrame, first_row: int) -> RawSheet | None:
    """Find the header row in ``grid`` (rows = sheet rows from ``first_row``) and split it off."""
    best: tuple[int, int, dict[int, str]] = (-1, 0, {})
    for r in range(min(HEADER_SCAN_ROWS, len(grid))):
        mapped, score = _header_map(list(grid.iloc[r]), kind)
        if score > best[1]:
            best = (r, score, mapped)
    r, score, mapped = best
    if score < 2:
        return None
    header_cells = list(grid.iloc[r])
    headers: dict[str, str] = {}
    keep: dict[object, str] = {}
    unknown: list[tuple[str, str]] = []
    repeated: list[tuple[str, str]] = []
    for i, cell in enumerate(header_cells):
        text = str(cell).strip() if isinstance(cell, str) else ""
        if i in mapped:
            code = mapped[i]
            if code in headers:
                repeated.append((text, headers[code]))
                continue
            headers[code] = text
            keep[grid.columns[i]] = code
        elif text:
            unknown.append((text, _nearest(text, kind)))
    body = grid.iloc[r + 1 :][list(keep)].rename(columns=keep)
    body.index = pd.RangeIndex(first_row + r + 1, first_row + len(grid))
    return RawSheet(kind, name, _clean_text(body), headers, first_row + r, unknown, repeated)


def _read_xlsx(path: Path) -> RawSurvey:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
        names = list(reader.sheet_names)
    except Exception as exc:  # fastexcel raises several types; all mean "unreadable"
        raise _unreadable(path, exc) from None
    sheets: dict[str, RawSheet] = {}
    by_name = sheet_lookup()
    order = sorted(range(len(names)), key=lambda i: by_name.get(fold(names[i])) is None)
    for i in order:
        name = names[i]
        wanted = by_name.get(fold(name))
        kinds = [wanted] if wanted else [k for k in SHEETS if k not in sheets]
        kinds = [k for k in kinds if k and k not in sheets]
        if not kinds:
            continue
        try:
            grid = reader.load_sheet(i, header_row=None, skip_rows=0, dtypes="string").to_pandas()
        except Exception as exc:
            raise _unreadable(path, exc, sheet=name) from None
        for kind in kinds:
            raw = _to_raw_sheet(kind, name, grid, first_row=1)
            if raw is not None and (wanted or _looks_like(raw)):
                sheets[kind] = raw
                break
    return RawSurvey(str(path), sheets, names)


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
            "is password-protected or an old .xls saved under another name; "
            "open it in Excel and save it as .xlsx without a password",
            "có mật khẩu hoặc là tệp .xls cũ bị đổi tên; mở bằng Excel và lưu lại dạng .xlsx "
            "không mật khẩu",
        )
    if not head.startswith(b"PK"):
        return _fail(path, "is not an Excel workbook (.xlsx)", "không phải tệp Excel (.xlsx)")
    detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    return _fail(
        path,
        f"the workbook is damaged and cannot be read{where}: {detail}",
        f"tệp Excel bị hỏng, không đọc được{where}: {detail}",
    )


def _read_table_file(path: Path) -> pd.DataFrame:
    """A CSV or Parquet file as a text grid (header included as row 0)."""
    try:
        if path.suffix.lower() == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pq.read_table(path)
            cols = {
                name: table.column(name).cast(pa.string()).to_pandas()
                for name in table.column_names
            }
            body = pd.DataFrame(cols)
            header = pd.DataFrame([list(body.columns)], columns=body.columns)
            grid = pd.concat([header, body], ignore_index=True)
        else:
            grid = pd.read_csv(
                path,
                dtype=str,
                header=None,
                keep_default_na=False,
                encoding="utf-8-sig",
                skip_blank_lines=False,
            )
    except UnicodeDecodeError:
        raise _fail(
            path, "is not UTF-8 text; save the CSV as UTF-8", "không phải văn bản UTF-8"
        ) from None
    except pd.errors.EmptyDataError:
        raise _fail(path, "the file is empty", "tệp rỗng") from None
    except Exception as exc:
        detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise _fail(path, f"cannot be read: {detail}", f"không đọc được: {detail}") from None
    grid.columns = [f"c{i}" for i in range(len(grid.columns))]
    return grid


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
    for kind, p in (("households", path), ("members", members or _pair_path(path))):
        if p is None:
            continue
        _sniff(p)
        raw = _to_raw_sheet(kind, p.name, _read_table_file(p), first_row=1)
        names.append(p.name)
        if raw is not None:
            sheets[kind] = raw
    return RawSurvey(str(path), sheets, names)


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
            raise _fail(p, f"is a zip/workbook file named {suffix}", f"không phải tệp {suffix}")
        return _read_xlsx(p)
    if suffix in (".csv", ".parquet", ".txt"):
        return _read_pair(p, Path(members) if members else None)
    raise _fail(
        p,
        "unsupported file type; give an .xlsx workbook or a .csv/.parquet pair",
        "loại tệp không hỗ trợ; dùng tệp .xlsx hoặc cặp tệp .csv/.parquet",
    )


# ---------------------------------------------------------------- writing


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it into place only on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


FORMATS = ("csv", "xlsx", "parquet", "json")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = r"[+-]?\d[\d.,]*"  # a signed number is data, not a formula


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a quote."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            text = s.astype("string")
            risky = (
                (text.str.startswith(_FORMULA_START) & ~text.str.fullmatch(_PLAIN_NUMBER))
                .fillna(False)
                .to_numpy(bool)
            )
            if risky.any():
                out[col] = s.where(~risky, "'" + text)
    return out


def format_for(path: str | os.PathLike[str] | None, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = Path(path).suffix.lower().lstrip(".") if path else ""
    return suffix if suffix in FORMATS else "csv"


def write_table(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    xlsx_writer: Callable[[Path], None] | None = None,
) -> Path:
    """Write one table atomically in the format of its suffix (or ``fmt``)."""
    fmt = format_for(path, fmt)
    with atomic_path(path) as tmp:
        if fmt == "csv":
            neutralise(frame).to_csv(tmp, index=False, encoding="utf-8")
        elif fmt == "json":
            tmp.write_text(to_json(frame), encoding="utf-8")
        elif fmt == "parquet":
            frame.to_parquet(tmp, index=False, engine="pyarrow")
        elif fmt == "xlsx":
            if xlsx_writer is None:
                from .excel import write_tables

                write_tables({"data": frame}, tmp)
            else:
                xlsx_writer(tmp)
        else:
            raise ValueError(f"unknown format {fmt!r}")
    return Path(path)


def to_json(frame: pd.DataFrame) -> str:
    """Records JSON with nulls for missing values and ISO dates."""
    return frame.to_json(orient="records", force_ascii=False, date_format="iso", indent=1)


def to_numpy_bool(s: pd.Series) -> np.ndarray:
    return s.fillna(False).to_numpy(dtype=bool)
