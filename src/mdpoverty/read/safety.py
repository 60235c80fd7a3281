"""Guards against hostile workbooks, and help for crash-safe unattended runs.

Survey workbooks arrive from hundreds of hands and over chat apps; mdpoverty runs from cron.
:func:`check_xlsx` looks at an ``.xlsx`` (a zip of XML parts) *before* the reader inflates it
and refuses, with one clear line naming the file and a check id (``mdpoverty explain ID``):

- **zip bombs** (``zip_bomb``): more than :data:`MAX_MEMBERS` parts, more than
  :data:`MAX_UNCOMPRESSED_BYTES` once inflated, a part compressed more than :data:`MAX_RATIO`
  to 1, a part that inflates to more than the size the zip declares (the reader trusts the
  stream, not the header, so every part is inflated once here, in constant memory, to check),
  or a compression method Excel never writes;
- **XML entity expansion** (``xml_entity``): a ``<!DOCTYPE``/``<!ENTITY`` declaration in the
  prolog of any XML part (Excel never writes one). Only the prolog is examined, at most
  :data:`PROLOG_BYTES`; a declaration can stand nowhere else in a well-formed document;
- **far cells** (``far_cell``): a sheet whose used range spans more than
  :data:`MAX_GRID_CELLS` cells or goes beyond Excel's own limits. The reader allocates the
  whole rectangle from the first to the last cell holding a value, so one stray value in
  column XFD, or a forged reference, makes it ask for hundreds of gigabytes and abort the
  process (fastexcel issue 487). The ``<dimension>`` Excel writes is checked for every sheet,
  and the cell references of every part up to :data:`SCAN_REFS_BYTES` are searched for far
  ones (3+ column letters, a column from BA on, a 7-digit row, odd spacing); either sends the
  part through an exact pass that follows the reader (repeated ``r``, cells without ``r``).
  Left open, until the reader is fixed: a forged part over :data:`SCAN_REFS_BYTES` with an
  honest-looking dimension, or a far cell within column AZ and row 999,999 (at most about
  52 million cells, 1.7 GB).

Formulas are never evaluated: the reader takes the value Excel cached when it last saved the
file, and a formula without a cached value reads as a blank cell. Cell text is capped at
``mdpoverty.read.survey.MAX_CELL_CHARS`` characters after reading.

Reading one part (inflating it in pieces, its prolog, its cell references) lives in
:mod:`mdpoverty.read.xlsx_parts`; crash safety for unattended runs (:func:`run_guard`,
:class:`Terminated`, stale temporary files) in :mod:`mdpoverty.crash_safety`. Their public
names are re-exported here.
"""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path

from ..crash_safety import STALE_TEMP_SECONDS as STALE_TEMP_SECONDS
from ..crash_safety import (
    Terminated,
    exit_cleanly_on_signals,
    remove_stale_temp_files,
    run_guard,
    stale_temp_files,
)
from .xlsx_parts import (  # the part-level limits, re-exported: mdpoverty.read.safety.CHUNK …
    _DEFLATED,
    _STORED,
    CHUNK,
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    MAX_GRID_CELLS,
    PROLOG_BYTES,
    SCAN_REFS_BYTES,
    _check_part,
    _damaged,
    _refuse,
    _size,
)

# ---------------------------------------------------------------- limits

#: Most parts a workbook may hold. A survey workbook has a dozen or two; images, comments and
#: pivot caches add a few hundred at most.
MAX_MEMBERS = 10_000
#: Most bytes all parts may inflate to: 2 GiB. openpyxl writes about 4.4 kB per household with
#: its members (100,000 households: 437 MB), so this allows ~450,000 households; the reader
#: needs about twice the inflated size in memory.
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
#: Highest compression ratio of one part. Real sheets compress 10-20 to 1; deflate can reach
#: 1032 to 1 on repeated bytes, which is what a bomb is made of.
MAX_RATIO = 100
#: Parts smaller than this once inflated are not held to :data:`MAX_RATIO` (tiny parts of
#: repeated markup compress well and cannot cost memory).
RATIO_MIN_BYTES = 1024**2
#: Parts are checked side by side when two or more are at least this large (inflated).
PARALLEL_MIN_BYTES = 8 * 1024**2
#: Threads for that (zlib inflates without the GIL).
THREADS = max(1, min(4, os.cpu_count() or 1))

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"


# ---------------------------------------------------------------- the zip directory


def _entry_count(path: Path, fh) -> int:
    """Entries the zip's end record declares (zip64 too), read before the directory itself."""
    size = fh.seek(0, os.SEEK_END)
    back = min(size, 22 + 65535)
    fh.seek(size - back)
    tail = fh.read(back)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise _damaged(path, "not a complete zip archive", "không phải tệp zip hoàn chỉnh")
    (entries,) = struct.unpack_from("<H", tail, at + 10)
    if entries == 0xFFFF and at >= 20 and tail[at - 20 : at - 16] == _EOCD64_LOCATOR:
        (offset,) = struct.unpack_from("<Q", tail, at - 20 + 8)
        if offset + 56 <= size:
            fh.seek(offset)
            record = fh.read(56)
            if record[:4] == b"PK\x06\x06":
                (entries,) = struct.unpack_from("<Q", record, 32)
    return entries


def _directory(path: Path) -> list[zipfile.ZipInfo]:
    with path.open("rb") as fh:
        count = _entry_count(path, fh)
    if count > MAX_MEMBERS:
        raise _refuse(
            path,
            "zip_bomb",
            f"it holds {count:,} parts (limit {MAX_MEMBERS:,})",
            f"tệp chứa {count:,} thành phần (tối đa {MAX_MEMBERS:,})",
        )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except Exception as exc:  # BadZipFile, struct.error, ValueError, ... all mean "damaged"
        detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise _damaged(path, detail, detail) from None
    if len(infos) > MAX_MEMBERS:
        raise _refuse(
            path,
            "zip_bomb",
            f"it holds {len(infos):,} parts (limit {MAX_MEMBERS:,})",
            f"tệp chứa {len(infos):,} thành phần (tối đa {MAX_MEMBERS:,})",
        )
    return infos


def _check_directory(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """What the zip declares: sizes, ratios, methods. Costs nothing: nothing is inflated."""
    total = 0
    for info in infos:
        name = info.filename
        if info.compress_type not in (_STORED, _DEFLATED):
            raise _damaged(
                path,
                f"part '{name}' uses compression method {info.compress_type}, which Excel does "
                "not write; open the file in Excel and save it again as .xlsx",
                f"thành phần '{name}' dùng kiểu nén {info.compress_type} mà Excel không dùng; "
                "mở tệp bằng Excel và lưu lại dạng .xlsx",
            )
        if info.flag_bits & 0x1:
            raise _damaged(
                path,
                f"part '{name}' is encrypted",
                f"thành phần '{name}' bị mã hoá",
            )
        size = info.file_size if info.compress_type == _DEFLATED else info.compress_size
        total += size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise _refuse(
                path,
                "zip_bomb",
                f"it would inflate to more than {_size(MAX_UNCOMPRESSED_BYTES)}",
                f"tệp giải nén ra hơn {_size(MAX_UNCOMPRESSED_BYTES)}",
            )
        ratio = size / max(info.compress_size, 1)
        if size >= RATIO_MIN_BYTES and ratio > MAX_RATIO:
            raise _refuse(
                path,
                "zip_bomb",
                f"part '{name}' is compressed {ratio:,.0f} to 1 (limit {MAX_RATIO} to 1)",
                f"thành phần '{name}' nén {ratio:,.0f} lần (tối đa {MAX_RATIO} lần)",
            )


def check_xlsx(path: str | os.PathLike[str]) -> dict[str, list[tuple[int, int, int, int]]]:
    """Refuse a zip bomb, XML entity declarations or a far-flung sheet before reading.

    Does nothing for a file that is not a zip (an old ``.xls``, a text file): the reader's own
    messages cover those. Raises :class:`~mdpoverty.errors.InputFileError` with one line naming
    the file, the part and the limit. Memory stays at about :data:`CHUNK` per part being
    checked; time is one inflate of the workbook (about 1 s per GB of XML on one core), parts
    side by side on up to :data:`THREADS` threads (zlib runs without the GIL).

    Every part is held to the size the zip declares for it, and the declared sizes to
    :data:`MAX_UNCOMPRESSED_BYTES` in total, so the real total is held to it too.

    Returns the merged ranges each part declares (part name -> 0-based ``(row0, col0, row1,
    col1)``), found in the same pass: the reader spreads a merged cell's value over its range.
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            if fh.read(2) != b"PK":
                return {}
    except OSError:
        return {}  # the reader reports a file it cannot open
    infos = _directory(p)
    _check_directory(p, infos)
    parts = [i for i in infos if not i.is_dir()]
    large = [i for i in parts if max(i.file_size, i.compress_size) >= PARALLEL_MIN_BYTES]
    if len(large) < 2:
        return {info.filename: m for info in parts if (m := _check_part(p, info))}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(THREADS, len(parts))) as pool:
        futures = [pool.submit(_check_part, p, info) for info in parts]
        merges = {}
        try:
            for info, future in zip(parts, futures, strict=True):
                # the first hostile part in zip order is the one reported
                if m := future.result():
                    merges[info.filename] = m
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return merges


__all__ = [
    "CHUNK",
    "EXCEL_MAX_COLUMNS",
    "EXCEL_MAX_ROWS",
    "MAX_GRID_CELLS",
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_UNCOMPRESSED_BYTES",
    "PROLOG_BYTES",
    "SCAN_REFS_BYTES",
    "Terminated",
    "check_xlsx",
    "exit_cleanly_on_signals",
    "remove_stale_temp_files",
    "run_guard",
    "stale_temp_files",
]
