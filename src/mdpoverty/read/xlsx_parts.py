"""Reading one part of an ``.xlsx`` zip safely: inflated in pieces, its prolog and its cell
references examined, before any reader sees it.

The part-level half of :mod:`mdpoverty.read.safety` (which holds the zip-directory checks and
:func:`~mdpoverty.read.safety.check_xlsx`, and re-exports the limits here): a part is inflated at
most :data:`CHUNK` at a time and refused as soon as it outgrows the size the zip declares
(``zip_bomb``); an XML part with a ``<!DOCTYPE``/``<!ENTITY`` in its prolog is refused
(``xml_entity``); a sheet whose used range would make the reader allocate more than
:data:`MAX_GRID_CELLS` cells, or beyond Excel's limits, is refused (``far_cell``).
"""

from __future__ import annotations

import codecs
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputFileError, message

# ---------------------------------------------------------------- limits

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

_STORED, _DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name length, extra length

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
_MERGE = re.compile(
    rb"""<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref\s*=\s*["']\s*\$?([A-Za-z]{1,3})\$?(\d{1,7})"""
    rb"""(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?\s*["']"""
)
_MERGE_TAG_MAX = 256  # a <mergeCell> tag cut by a chunk's end is found with the next chunk
#: Most merged ranges one sheet may declare (one per Excel row is already far more than a
#: survey has: a merged household ID spans two or more member rows).
MAX_MERGES = EXCEL_MAX_ROWS
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
        self.merges: list[tuple[int, int, int, int]] = []  # (row0, col0, row1, col1), 0-based


def _scan_part(path: Path, fh, info: zipfile.ZipInfo) -> _Part:
    """Inflate one part once: its real size, its first :data:`PROLOG_BYTES`, and whether a
    reference in it may lie far out (every part may be a sheet: the workbook's relations,
    not the part's name, say which parts are sheets)."""
    part = _Part()
    scan_refs = max(info.file_size, info.compress_size) <= SCAN_REFS_BYTES
    tail = b""
    merge_tail = b""
    for chunk in _stream(path, fh, info):
        part.size += len(chunk)
        if len(part.head) < PROLOG_BYTES:
            part.head += chunk[: PROLOG_BYTES - len(part.head)]
        if part.xml is None:
            part.xml = _looks_like_xml(part.head)
        if part.xml:
            # merged ranges follow every row: only what follows a chunk's last </row> can
            # hold one (rfind stops at the last row's end; a whole search cost 0.3 s/400 MiB)
            last_row = chunk.rfind(b"</row>")
            after = chunk if last_row < 0 else chunk[last_row:]
            if b"mergeCell" in after or b"mergeCell" in merge_tail + chunk[:16]:
                _merges(path, info, merge_tail + chunk, len(merge_tail), part.merges)
            merge_tail = chunk[-_MERGE_TAG_MAX:]
        if scan_refs and part.xml and not part.suspicious:
            part.suspicious = _SUSPICIOUS_REF.search(tail + chunk) is not None
            tail = chunk[-_OVERLAP:]
    if part.xml:
        m = _DIMENSION.search(part.head)
        if m:
            part.dimension = _ref_extent(m.group(1))
    return part


def _merges(
    path: Path, info: zipfile.ZipInfo, buf: bytes, seen: int, out: list[tuple[int, int, int, int]]
) -> None:
    """Add the merged ranges (``<mergeCell ref="A2:A5"/>``) that end past ``seen`` in ``buf``
    (the bytes before ``seen`` were searched with the previous chunk)."""
    for m in _MERGE.finditer(buf):
        if m.end() <= seen:
            continue
        c0, r0 = _column_number(m.group(1)), int(m.group(2))
        c1 = _column_number(m.group(3)) if m.group(3) else c0
        r1 = int(m.group(4)) if m.group(4) else r0
        out.append((min(r0, r1) - 1, min(c0, c1) - 1, max(r0, r1) - 1, max(c0, c1) - 1))
    if len(out) > MAX_MERGES:
        raise _refuse(
            path,
            "zip_bomb",
            f"part '{info.filename}' declares more than {MAX_MERGES:,} merged cells",
            f"thành phần '{info.filename}' khai báo hơn {MAX_MERGES:,} ô gộp",
        )


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


def _check_part(path: Path, info: zipfile.ZipInfo) -> list[tuple[int, int, int, int]]:
    """Inflate one part once (constant memory) and refuse it if hostile; return the merged
    ranges it declares (0-based ``(row0, col0, row1, col1)``, for the reader)."""
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
        return part.merges


__all__ = [
    "CHUNK",
    "EXCEL_MAX_COLUMNS",
    "EXCEL_MAX_ROWS",
    "MAX_GRID_CELLS",
    "MAX_MERGES",
    "PROLOG_BYTES",
    "SCAN_REFS_BYTES",
]
