"""Editing an ``.xlsx`` package in place of loading it: relationships, content types,
``workbook.xml``, ``styles.xml`` and members copied compressed as they are.

String-level edits keep every byte the change does not concern (namespaces, extension lists,
attributes openpyxl would drop). Anything unexpected raises :class:`Fallback`, and the caller
takes the slow, safe road.
"""

from __future__ import annotations

import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET

CHUNK = 4 * 1024**2
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_WORKSHEET = NS_REL + "/worksheet"
REL_COMMENTS = NS_REL + "/comments"
REL_VML = NS_REL + "/vmlDrawing"
REL_SST = NS_REL + "/sharedStrings"
REL_STYLES = NS_REL + "/styles"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Fallback(Exception):
    """This workbook is annotated through openpyxl (see the module docstring)."""


def esc(text: object) -> str:
    """Text for XML content or a double-quoted attribute, without characters XML cannot hold."""
    s = _NOT_XML.sub("\ufffd", str(text))
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def col_letters(n: int) -> str:
    """1 -> A, 27 -> AA."""
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def sheet_ref(sheet: str, ref: str) -> str:
    """``'Hộ gia đình'!B17``: an internal hyperlink location."""
    return "'" + sheet.replace("'", "''") + "'!" + ref


def resolve(base: str, target: str) -> str:
    """A relationship target, relative to the folder of part ``base``, as a zip member name."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for p in (str(PurePosixPath(base).parent) + "/" + target).split("/"):
        if p in ("", "."):
            continue
        if p == "..":
            if parts:
                parts.pop()
        else:
            parts.append(p)
    return "/".join(parts)


def rels_name(part: str) -> str:
    p = PurePosixPath(part)
    return f"{p.parent}/_rels/{p.name}.rels"


def relationships(zin: zipfile.ZipFile, part: str) -> list[dict[str, str]]:
    name = rels_name(part)
    if name not in zin.NameToInfo:
        return []
    root = ET.fromstring(zin.read(name))
    return [dict(el.attrib) for el in root if el.tag.endswith("Relationship")]


@dataclass
class SheetInfo:
    name: str
    part: str  # zip member name of its XML
    rid: str


def workbook_part(zin: zipfile.ZipFile) -> str:
    if "_rels/.rels" in zin.NameToInfo:  # the package's relationships name the workbook
        for el in ET.fromstring(zin.read("_rels/.rels")):
            if el.get("Type", "").endswith("/officeDocument"):
                return resolve("/", el.get("Target", ""))
    return "xl/workbook.xml"


def worksheets(zin: zipfile.ZipFile, wb_part: str) -> list[SheetInfo]:
    root = ET.fromstring(zin.read(wb_part))
    rels = {r["Id"]: r for r in relationships(zin, wb_part)}
    out = []
    for el in root.iter(f"{{{NS_MAIN}}}sheet"):
        rid = el.get(f"{{{NS_REL}}}id", "")
        rel = rels.get(rid)
        if rel is None or not rel.get("Type", "").endswith("/worksheet"):
            continue  # a chart sheet, or a dangling sheet entry: nothing to mark there
        out.append(SheetInfo(el.get("name", ""), resolve(wb_part, rel["Target"]), rid))
    return out


_XF = re.compile(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)


class Styles:
    """Cell formats added to ``styles.xml``: clones of marked cells' formats with a fill, and
    the few formats of the issue sheet."""

    def __init__(self, xml: bytes) -> None:
        self.xml = xml
        m = re.search(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", xml, re.S)
        if m is None or not re.search(rb"<fills\b[^>]*>.*?</fills>", xml, re.S):
            raise Fallback("styles.xml without cellXfs/fills")
        self.xfs = _XF.findall(m.group(1))
        self.n_fills = len(
            re.findall(rb"<fill[\s>/]", re.search(rb"<fills\b.*?</fills>", xml, re.S).group(0))
        )
        fonts = re.search(rb"<fonts\b[^>]*>(.*?)</fonts>", xml, re.S)
        if fonts is None:
            raise Fallback("styles.xml without fonts")
        self.n_fonts = len(re.findall(rb"<font[\s>/]", fonts.group(1)))
        self.new_fills: list[bytes] = []
        self.new_fonts: list[bytes] = []
        self.new_xfs: list[bytes] = []
        self._clones: dict[tuple[int, str], int] = {}
        self._lock = threading.Lock()
        self._fill_ids: dict[str, int] = {}

    def fill(self, argb: str) -> int:
        if argb not in self._fill_ids:
            self.new_fills.append(
                f'<fill><patternFill patternType="solid"><fgColor rgb="{argb}"/>'
                f'<bgColor indexed="64"/></patternFill></fill>'.encode()
            )
            self._fill_ids[argb] = self.n_fills + len(self.new_fills) - 1
        return self._fill_ids[argb]

    def font(self, xml: str) -> int:
        self.new_fonts.append(xml.encode())
        return self.n_fonts + len(self.new_fonts) - 1

    def add_xf(self, xml: str) -> int:
        self.new_xfs.append(xml.encode())
        return len(self.xfs) + len(self.new_xfs) - 1

    def marked(self, s: int, argb: str) -> int:
        """The format of a cell of format ``s`` with fill ``argb`` (a clone: number formats,
        fonts, borders and alignment kept)."""
        key = (s, argb)
        with self._lock:  # sheets are edited on threads side by side
            return self._clone(key)

    def _clone(self, key: tuple[int, str]) -> int:
        s, argb = key
        if key not in self._clones:
            base = self.xfs[s] if 0 <= s < len(self.xfs) else self.xfs[0] if self.xfs else b"<xf/>"
            fid = str(self.fill(argb)).encode()
            head_end = base.find(b">")
            head, rest = base[:head_end], base[head_end:]
            if head.endswith(b"/"):
                head, rest = head[:-1], b"/" + rest
            head = re.sub(rb'\s(?:fillId|applyFill)="[^"]*"', b"", head)
            head += b' fillId="' + fid + b'" applyFill="1"'
            self.new_xfs.append(head + rest)
            self._clones[key] = len(self.xfs) + len(self.new_xfs) - 1
        return self._clones[key]

    def render(self) -> bytes:
        xml = self.xml

        def extend(xml: bytes, tag: bytes, items: list[bytes], total: int) -> bytes:
            if not items:
                return xml
            m = re.search(rb"<" + tag + rb"\b([^>]*?)(/?)>", xml)
            attrs = re.sub(rb'\scount="\d*"', b"", m.group(1))
            open_tag = b"<" + tag + attrs + b' count="' + str(total).encode() + b'">'
            if m.group(2):  # <fonts/>: no entries yet
                return (
                    xml[: m.start()]
                    + open_tag
                    + b"".join(items)
                    + b"</"
                    + tag
                    + b">"
                    + xml[m.end() :]
                )
            close = xml.index(b"</" + tag + b">", m.end())
            return (
                xml[: m.start()] + open_tag + xml[m.end() : close] + b"".join(items) + xml[close:]
            )

        xml = extend(xml, b"fonts", self.new_fonts, self.n_fonts + len(self.new_fonts))
        xml = extend(xml, b"fills", self.new_fills, self.n_fills + len(self.new_fills))
        xml = extend(xml, b"cellXfs", self.new_xfs, len(self.xfs) + len(self.new_xfs))
        return xml


def free_name(existing: set[str], pattern: str, start: int = 1) -> tuple[str, int]:
    n = start
    while pattern.format(n) in existing:
        n += 1
    return pattern.format(n), n


def add_rels(xml: bytes | None, rels: list[tuple[str, str, str]]) -> bytes:
    items = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{esc(tg)}"/>' for i, t, tg in rels)
    if xml is None:
        return (f'{XML_DECL}<Relationships xmlns="{NS_PKG_REL}">{items}</Relationships>').encode()
    if re.search(rb"<Relationships\b[^>]*/>", xml):
        return re.sub(
            rb"<Relationships\b([^>]*)/>",
            lambda m: b"<Relationships" + m.group(1) + b">" + items.encode() + b"</Relationships>",
            xml,
        )
    at = xml.rindex(b"</Relationships>")
    return xml[:at] + items.encode() + xml[at:]


def rel_id(existing: Iterable[str], n: int) -> str:
    taken = set(existing)
    rid = f"rIdMdp{n}"
    while rid in taken:
        n += 1000
        rid = f"rIdMdp{n}"
    return rid


def content_types(xml: bytes, overrides: list[tuple[str, str]], vml: bool) -> bytes:
    add = "".join(f'<Override PartName="/{p}" ContentType="{ct}"/>' for p, ct in overrides)
    if vml and not re.search(rb'<Default\b[^>]*Extension="vml"', xml, re.I):
        add = f'<Default Extension="vml" ContentType="{CT_VML}"/>' + add
    at = xml.rindex(b"</Types>")
    return xml[:at] + add.encode() + xml[at:]


def workbook_xml(xml: bytes, title: str, sheet_id_rid: str) -> bytes:
    """The issue sheet first and active; sheet-scoped names and views follow their sheets."""
    prefix = re.search(rb"<sheet\b[^>]*?\s(\w+):id=", xml)
    if prefix is None or b"<sheets>" not in xml:
        raise Fallback("workbook.xml with namespace prefixes")
    ids = [int(x) for x in re.findall(rb'<sheet\b[^>]*?\ssheetId="(\d+)"', xml)]
    r = prefix.group(1).decode()
    el = f'<sheet name="{esc(title)}" sheetId="{max(ids, default=0) + 1}" {r}:id="{sheet_id_rid}"/>'
    xml = xml.replace(b"<sheets>", b"<sheets>" + el.encode(), 1)
    xml = re.sub(
        rb'(\slocalSheetId=")(\d+)"',
        lambda m: m.group(1) + str(int(m.group(2)) + 1).encode() + b'"',
        xml,
    )

    def view(m: re.Match[bytes]) -> bytes:
        tag = re.sub(rb'\s(?:activeTab|firstSheet)="\d*"', b"", m.group(1))
        return tag + b' activeTab="0" firstSheet="0"' + m.group(2)

    return re.sub(rb"(<workbookView\b[^>]*?)(\s*/?>)", view, xml)


def member(name: str, like: zipfile.ZipInfo | None = None) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, like.date_time if like else (2025, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def copy_member(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """An untouched part, its compressed bytes copied as they are (no inflate, no deflate)."""
    try:
        copy_raw(zin, zout, info)
    except (AttributeError, struct.error, OSError, ValueError):  # zipfile internals changed
        with (
            zin.open(info) as fh,
            zout.open(member(info.filename, info), "w", force_zip64=True) as out,
        ):
            while chunk := fh.read(CHUNK):
                out.write(chunk)


def copy_raw(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy one member's compressed bytes through ``zipfile``'s own bookkeeping (what
    ``ZipFile.open(..., "w")`` does, without the compressor). The CRC and sizes are those the
    safety check held the part to; the copy is byte for byte."""
    fin = zin.fp
    fin.seek(info.header_offset)
    local = fin.read(30)
    if local[:4] != b"PK\x03\x04" or info.flag_bits & 0x01:
        raise ValueError("bad local header, or an encrypted member")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    fin.seek(info.header_offset + 30 + name_len + extra_len)
    new = zipfile.ZipInfo(info.filename, info.date_time)
    new.compress_type = info.compress_type
    new.external_attr = info.external_attr
    new.create_system = info.create_system
    new.flag_bits = info.flag_bits & ~0x08  # sizes in the header: no data descriptor
    _put(zout, new, fin, info.CRC, info.file_size, info.compress_size)


def _put(zout: zipfile.ZipFile, new: zipfile.ZipInfo, fin, crc: int, size: int, csize: int):
    new.CRC, new.file_size, new.compress_size = crc, size, csize
    zip64 = max(size, csize) > zipfile.ZIP64_LIMIT
    new.header_offset = zout.fp.tell()
    zout.fp.write(new.FileHeader(zip64))
    left = csize
    while left:
        chunk = fin.read(min(CHUNK, left))
        if not chunk:
            raise ValueError("truncated member")
        zout.fp.write(chunk)
        left -= len(chunk)
    zout.filelist.append(new)
    zout.NameToInfo[new.filename] = new
    zout.start_dir = zout.fp.tell()
    zout._didModify = True


@dataclass
class Deflated:
    """A part deflated ahead into a spool file, to be put into the zip as it is."""

    path: Path
    crc: int = 0
    size: int = 0
    compressed: int = 0


def deflate(pieces: Iterable[bytes], path: Path, level: int) -> Deflated:
    """Deflate ``pieces`` (raw deflate, as a zip member holds it) into ``path``. zlib runs
    without the GIL, so parts deflated on threads side by side use the cores there are."""
    out = Deflated(path)
    z = zlib.compressobj(level, zlib.DEFLATED, -15)
    with path.open("wb") as fh:
        for piece in pieces:
            out.crc = zlib.crc32(piece, out.crc)
            out.size += len(piece)
            fh.write(data := z.compress(piece))
            out.compressed += len(data)
        fh.write(data := z.flush())
        out.compressed += len(data)
    return out


def put_deflated(zout: zipfile.ZipFile, name: str, like: zipfile.ZipInfo, part: Deflated):
    """Put a part :func:`deflate` wrote into the zip, through the same bookkeeping."""
    new = member(name, like)
    with part.path.open("rb") as fin:
        _put(zout, new, fin, part.crc, part.size, part.compressed)
