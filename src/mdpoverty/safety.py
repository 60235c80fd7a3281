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
``mdpoverty.io.MAX_CELL_CHARS`` characters after reading.

Crash safety for unattended runs (:func:`run_guard`, :class:`Terminated`, stale temporary
files) lives in :mod:`mdpoverty.crash_safety`; its names are re-exported here.
"""

from __future__ import annotations

import codecs
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from .crash_safety import (
    STALE_TEMP_SECONDS as STALE_TEMP_SECONDS,
)
from .crash_safety import (
    Terminated,
    exit_cleanly_on_signals,
    remove_stale_temp_files,
    run_guard,
    stale_temp_files,
)
from .errors import InputFileError, message

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
#: Most cells the rectangle of one sheet's used range may hold: the reader allocates 32 bytes
#: per cell of it, so 50 million cells is 1.6 GB. 1,048,576 rows x 13 columns is 13.6 million.
MAX_GRID_CELLS = 50_000_000
#: Excel's own sheet limits; a reference beyond them is forged.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
#: How much of an XML part is read for its prolog (where a DOCTYPE would have to stand).
PROLOG_BYTES = 64 * 1024
#: Parts up to this size (inflated) have their cell references checked, cheaply (~4 ms/MiB).
SCAN_REFS_BYTES = 16 * 1024**2
#: Inflation step: each part is inflated in pieces of at most this size.
CHUNK = 1024**2
#: Parts are checked side by side when two or more are at least this large (inflated).
PARALLEL_MIN_BYTES = 8 * 1024**2
#: Threads for that (zlib inflates without the GIL).
THREADS = max(1, min(4, os.cpu_count() or 1))

_STORED, _DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name length, extra length
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"

# A cell or row reference that may lie far out: 3+ column letters, a column from BA on, or a
# row number of 7+ digits; or an attribute written with spaces around "=" (Excel never does).
# Cheap to search for (~4 ms/MiB); the exact extent is then measured.
_SUSPICIOUS_REF = re.compile(
    rb"""r(?:=["'](?:[A-Za-z]{3}|[B-Zb-z][A-Za-z]|[A-Za-z]{0,2}\d{7})|\s+=|=\s)"""
)
# Exact: every <row> and <c> (cell) start tag with all its attributes (values may hold ">"),
# and whether it closes itself (a cell without a value, which the reader skips).
_TAG = re.compile(rb"""<(?:[\w.-]+:)?(row|c)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>""")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"\s*\$?([A-Za-z]*)\$?(\d*)\s*")
_CARRY_MAX = 1024**2  # an unfinished tag is carried to the next chunk, up to this much
_DIMENSION = re.compile(rb"""<(?:[\w.-]+:)?dimension\s[^>]*?\bref\s*=\s*["']([^"']*)["']""")
_PROLOG_ITEM = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)
_OVERLAP = 64  # bytes kept from the previous chunk so a reference split by a chunk is found


def _refuse(path: Path, check: str, en: str, vi: str, value: str = "") -> InputFileError:
    """An :class:`InputFileError` with the catalogue's message for ``check``, naming the file."""
    return InputFileError(
        f"{path}: {message(check, 'en', value=value, detail=en)} [{check}]",
        f"{path}: {message(check, 'vi', value=value, detail=vi)} [{check}]",
    )


def _damaged(path: Path, en: str, vi: str) -> InputFileError:
    return InputFileError(
        f"{path}: the workbook is damaged and cannot be read: {en} [workbook_damaged]",
        f"{path}: tệp Excel bị hỏng, không đọc được: {vi} [workbook_damaged]",
    )


def _size(n: int) -> str:
    for unit, step in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= step:
            return f"{n / step:.1f} {unit}"
    return f"{n} bytes"


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


# ---------------------------------------------------------------- streaming one part


def _stream(path: Path, fh, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's inflated bytes in chunks, refusing as soon as it outgrows its declared size.

    The workbook reader inflates the deflate stream to its end whatever the header says, so
    the header alone cannot be trusted. Memory stays at about :data:`CHUNK`.
    """
    fh.seek(info.header_offset)
    head = fh.read(_LOCAL_HEADER.size)
    if len(head) < _LOCAL_HEADER.size or head[:4] != b"PK\x03\x04":
        raise _damaged(
            path, f"part '{info.filename}' is missing", f"thiếu thành phần '{info.filename}'"
        )
    _, name_len, extra_len = _LOCAL_HEADER.unpack(head)
    fh.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
    left = info.compress_size
    if info.compress_type == _STORED:
        while left > 0:
            piece = fh.read(min(left, CHUNK))
            if not piece:
                return
            left -= len(piece)
            yield piece
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    limit = info.file_size
    while left > 0 and not inflater.eof:
        piece = fh.read(min(left, CHUNK))
        if not piece:
            return  # truncated: the reader stops here too
        left -= len(piece)
        data = piece
        while data and not inflater.eof:
            try:
                out = inflater.decompress(data, CHUNK)
            except zlib.error:
                return  # corrupt from here on: the reader cannot inflate past it either
            data = inflater.unconsumed_tail
            if not out:
                break
            produced += len(out)
            if produced > limit:
                raise _refuse(
                    path,
                    "zip_bomb",
                    f"part '{info.filename}' inflates to more than the {_size(limit)} "
                    "its zip header declares",
                    f"thành phần '{info.filename}' giải nén ra nhiều hơn {_size(limit)} "
                    "ghi trong tệp zip",
                )
            yield out


def _decoder(first: bytes) -> tuple[str, int]:
    """The text encoding of an XML part from its first bytes, and the BOM length to skip."""
    if first.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if first.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if first.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    if first[:2] == b"<\0":
        return "utf-16-le", 0
    if first[:2] == b"\0<":
        return "utf-16-be", 0
    return "utf-8", 0


def _prolog_problem(prefix: bytes, complete: bool) -> str | None:
    """'declaration' / 'long' when the prolog of an XML part is refused, else None."""
    encoding, skip = _decoder(prefix)
    text = prefix[skip:].decode(encoding, errors="replace")
    if not text.lstrip().startswith("<"):
        return None  # not XML (an image, a binary part): the reader does not parse it as XML
    pos = 0
    while m := _PROLOG_ITEM.match(text, pos):
        pos = m.end()
    rest = text[pos:].lstrip()
    if rest.startswith("<!--") and not complete:
        return "long"  # a comment running past 64 KiB
    if rest.startswith("<!"):
        return "declaration"  # <!DOCTYPE (and the <!ENTITY inside it): never in OOXML
    if not rest and not complete:
        return "long"  # 64 KiB of prolog and still no root element
    return None


def _looks_like_xml(head: bytes) -> bool:
    encoding, skip = _decoder(head)
    return head[skip:].decode(encoding, errors="replace").lstrip().startswith("<")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def _ref_extent(ref: bytes) -> tuple[int, int]:
    """(rows, columns) of a dimension reference such as ``A1:N433000`` (its far corner)."""
    last = ref.split(b":")[-1].replace(b"$", b"")
    m = re.fullmatch(rb"([A-Za-z]{0,7})(\d{0,12})", last.strip())
    if not m:
        return 0, 0
    return int(m.group(2) or 0), _column_number(m.group(1))


class _Part:
    """What one pass over a part found: its size, prolog and far-reference hints."""

    def __init__(self) -> None:
        self.size = 0
        self.head = b""
        self.xml: bool | None = None
        self.suspicious = False
        self.dimension: tuple[int, int] = (0, 0)


def _scan_part(path: Path, fh, info: zipfile.ZipInfo) -> _Part:
    """Inflate one part once: its real size, its first :data:`PROLOG_BYTES`, and whether a
    reference in it may lie far out (every part may be a sheet: the workbook's relations,
    not the part's name, say which parts are sheets)."""
    part = _Part()
    scan_refs = max(info.file_size, info.compress_size) <= SCAN_REFS_BYTES
    tail = b""
    for chunk in _stream(path, fh, info):
        part.size += len(chunk)
        if len(part.head) < PROLOG_BYTES:
            part.head += chunk[: PROLOG_BYTES - len(part.head)]
        if part.xml is None:
            part.xml = _looks_like_xml(part.head)
        if scan_refs and part.xml and not part.suspicious:
            part.suspicious = _SUSPICIOUS_REF.search(tail + chunk) is not None
            tail = chunk[-_OVERLAP:]
    if part.xml:
        m = _DIMENSION.search(part.head)
        if m:
            part.dimension = _ref_extent(m.group(1))
    return part


def _exact_extent(path: Path, fh, info: zipfile.ZipInfo) -> tuple[int, int, str]:
    """(rows, columns, farthest reference) of the cells that may hold a value (slow path).

    Follows the reader: a cell's own reference wins (the last ``r`` if repeated); a cell
    without one takes the next column of the current row; a row without ``r`` is the next row.
    """
    rows = cols = 0
    far = ""
    row = col = 0
    carry = b""
    for chunk in _stream(path, fh, info):
        buf = carry + chunk
        end = 0
        for m in _TAG.finditer(buf):
            end = m.end()
            refs = [a or b for a, b in _R_ATTR.findall(m.group(2))]
            ref = _REF.fullmatch(refs[-1]) if refs else None
            if m.group(1) == b"row":
                row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                col = 0
                continue
            if ref and ref.group(1) and ref.group(2):
                col, cell_row = _column_number(ref.group(1)), int(ref.group(2))
            else:
                col, cell_row = col + 1, row
            if m.group(3):
                continue  # <c r="XFD9" s="1"/>: formatting only, the reader skips it
            if cell_row > rows or col > cols:
                rows, cols = max(rows, cell_row), max(cols, col)
                far = f"{_column_letters(col)}{cell_row}"
        carry = buf[end:]
        if len(carry) > _CARRY_MAX:
            carry = carry[-_OVERLAP:]
    return rows, cols, far


def _column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _sheet_names(fh) -> dict[str, str]:
    """Part name -> sheet name as the person sees it (best effort; {} when unclear)."""
    import xml.etree.ElementTree as ET

    try:
        with zipfile.ZipFile(fh) as zf:
            book = zf.getinfo("xl/workbook.xml")
            rels = zf.getinfo("xl/_rels/workbook.xml.rels")
            if book.file_size > CHUNK or rels.file_size > CHUNK:
                return {}
            targets = {
                el.get("Id"): el.get("Target", "")
                for el in ET.fromstring(zf.read(rels)).iter()
                if el.get("Id")
            }
            names = {}
            for el in ET.fromstring(zf.read(book)).iter():
                if el.tag.endswith("}sheet") and el.get("name"):
                    rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
                    target = targets.get(rid, "")
                    if target:
                        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                        names[part] = el.get("name", "")
            return names
    except Exception:  # a message helper: never the reason a check fails
        return {}


def _far_refusal(
    path: Path, fh, info: zipfile.ZipInfo, rows: int, cols: int, far: str
) -> InputFileError:
    sheet = _sheet_names(fh).get(info.filename, info.filename)
    cells = rows * cols
    return _refuse(
        path,
        "far_cell",
        f"sheet '{sheet}' spans {rows:,} rows x {cols:,} columns ({cells:,} cells; limit "
        f"{MAX_GRID_CELLS:,}, Excel's edge {EXCEL_MAX_ROWS:,} x {EXCEL_MAX_COLUMNS:,})",
        f"trang '{sheet}' trải trên {rows:,} dòng x {cols:,} cột ({cells:,} ô; tối đa "
        f"{MAX_GRID_CELLS:,}, giới hạn của Excel {EXCEL_MAX_ROWS:,} x {EXCEL_MAX_COLUMNS:,})",
        value=far,
    )


def _too_far(rows: int, cols: int) -> bool:
    return rows * cols > MAX_GRID_CELLS or rows > EXCEL_MAX_ROWS or cols > EXCEL_MAX_COLUMNS


def _check_part(path: Path, info: zipfile.ZipInfo) -> None:
    """Inflate one part once (constant memory) and refuse it if hostile."""
    with path.open("rb") as fh:
        try:
            part = _scan_part(path, fh, info)
        except (OSError, ValueError, OverflowError, struct.error) as exc:  # offsets out of reach
            detail = f"part '{info.filename}': {str(exc)[:120]}"
            raise _damaged(path, detail, detail) from None
        problem = _prolog_problem(part.head, complete=part.size <= len(part.head))
        if problem:
            en = (
                "declares a DOCTYPE or ENTITY"
                if problem == "declaration"
                else f"has no root element in its first {_size(PROLOG_BYTES)}"
            )
            vi = (
                "khai báo DOCTYPE hoặc ENTITY"
                if problem == "declaration"
                else f"không có phần tử gốc trong {_size(PROLOG_BYTES)} đầu tiên"
            )
            raise _refuse(path, "xml_entity", en, vi, value=info.filename)
        if part.xml and (part.suspicious or _too_far(*part.dimension)):
            rows, cols, far = _exact_extent(path, fh, info)
            if _too_far(rows, cols):
                raise _far_refusal(path, fh, info, rows, cols, far)


def check_xlsx(path: str | os.PathLike[str]) -> None:
    """Refuse a zip bomb, XML entity declarations or a far-flung sheet before reading.

    Does nothing for a file that is not a zip (an old ``.xls``, a text file): the reader's own
    messages cover those. Raises :class:`~mdpoverty.errors.InputFileError` with one line naming
    the file, the part and the limit. Memory stays at about :data:`CHUNK` per part being
    checked; time is one inflate of the workbook (about 1 s per GB of XML on one core), parts
    side by side on up to :data:`THREADS` threads (zlib runs without the GIL).

    Every part is held to the size the zip declares for it, and the declared sizes to
    :data:`MAX_UNCOMPRESSED_BYTES` in total, so the real total is held to it too.
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            if fh.read(2) != b"PK":
                return
    except OSError:
        return  # the reader reports a file it cannot open
    infos = _directory(p)
    _check_directory(p, infos)
    parts = [i for i in infos if not i.is_dir()]
    large = [i for i in parts if max(i.file_size, i.compress_size) >= PARALLEL_MIN_BYTES]
    if len(large) < 2:
        for info in parts:
            _check_part(p, info)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(THREADS, len(parts))) as pool:
        futures = [pool.submit(_check_part, p, info) for info in parts]
        try:
            for future in futures:  # the first hostile part in zip order is the one reported
                future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise


__all__ = [
    "MAX_GRID_CELLS",
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_UNCOMPRESSED_BYTES",
    "Terminated",
    "check_xlsx",
    "exit_cleanly_on_signals",
    "remove_stale_temp_files",
    "run_guard",
    "stale_temp_files",
]
