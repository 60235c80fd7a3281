"""A worksheet's XML, read and edited as a stream: its first rows (to find the header), and
its marked rows given a filled cell format, never the whole sheet in memory."""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from .ooxml import (
    NS_MAIN,
    NS_REL,
    REL_SST,
    Fallback,
    Styles,
    col_letters,
    col_number,
    relationships,
    resolve,
)

# Fills (ARGB): red for an error, amber for a warning.
FILLS = {"error": "FFFF7C80", "warning": "FFFFC000"}
HEADER_SCAN_ROWS = 30


@dataclass
class Mark:
    """What one cell carries: the worst severity of its issues and their notes."""

    severity: str = "warning"
    notes: list[str] = field(default_factory=list)

    @property
    def fill(self) -> str:
        return FILLS[self.severity]

    def add(self, severity: str, note: str) -> None:
        if severity == "error":
            self.severity = "error"
        if note not in self.notes:
            self.notes.append(note)


_ROW_TAG = re.compile(rb"<row\b[^>]*?\br=\"(\d+)\"[^>]*?(/?)>")
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR_R = re.compile(rb'\br="([A-Za-z]+)(\d+)"')
_ATTR_T = re.compile(rb'\bt="(\w+)"')
_ATTR_S = re.compile(rb'\bs="(\d+)"')
_V = re.compile(rb"<v>(.*?)</v>", re.S)
_T = re.compile(rb"<t\b[^>]*>(.*?)</t>", re.S)
_RPH = re.compile(rb"<rPh\b.*?</rPh>", re.S)


def top_rows(zin: zipfile.ZipFile, part: str) -> dict[int, dict[int, tuple[str, bytes]]]:
    """The first rows of a sheet: row -> column -> (cell type, raw value)."""
    head = b""
    with zin.open(part) as fh:
        while True:
            chunk = fh.read(256 * 1024)
            head += chunk
            rows = list(_ROW_TAG.finditer(head))
            if not chunk or len(rows) > HEADER_SCAN_ROWS or len(head) > 16 * 1024**2:
                break
    out: dict[int, dict[int, tuple[str, bytes]]] = {}
    for m in _ROW_TAG.finditer(head):
        r = int(m.group(1))
        if len(out) >= HEADER_SCAN_ROWS:
            break
        end = head.find(b"</row>", m.end()) if not m.group(2) else m.end()
        if end == -1:
            break
        cells: dict[int, tuple[str, bytes]] = {}
        col = 0
        for c in _CELL.finditer(head, m.end(), end):
            ra = _ATTR_R.search(c.group(1))
            col = col_number(ra.group(1).decode()) if ra else col + 1
            t = _ATTR_T.search(c.group(1))
            body = c.group(2) or b""
            kind = t.group(1).decode() if t else "n"
            if kind == "inlineStr":
                val = b"".join(_T.findall(_RPH.sub(b"", body)))
            else:
                v = _V.search(body)
                val = v.group(1) if v else b""
            cells[col] = (kind, val)
        out[r] = cells
    return out


def _shared_strings(zin: zipfile.ZipFile, wb_part: str, wanted: set[int]) -> dict[int, str]:
    """The shared strings at the ``wanted`` indexes (read only as far as the largest)."""
    if not wanted:
        return {}
    part = next(
        (
            resolve(wb_part, r["Target"])
            for r in relationships(zin, wb_part)
            if r.get("Type") == REL_SST
        ),
        None,
    )
    if part is None or part not in zin.NameToInfo:
        return {}
    last, found, i = max(wanted), {}, -1
    si, t, rph = f"{{{NS_MAIN}}}si", f"{{{NS_MAIN}}}t", f"{{{NS_MAIN}}}rPh"
    with zin.open(part) as fh:
        for _event, el in ET.iterparse(fh, events=("end",)):
            if el.tag != si:
                continue
            i += 1
            if i in wanted:
                skip = {id(x) for p in el.iter(rph) for x in p.iter(t)}
                found[i] = "".join(x.text or "" for x in el.iter(t) if id(x) not in skip)
            el.clear()
            if i >= last:
                break
    return found


def header_texts(zin, wb_part, top) -> dict[int, dict[int, str]]:
    """row -> column -> text (stripped) of the top rows, shared strings resolved."""
    wanted = {
        int(v) for cells in top.values() for k, v in cells.values() if k == "s" and v.isdigit()
    }
    sst = _shared_strings(zin, wb_part, wanted)
    out: dict[int, dict[int, str]] = {}
    for r, cells in top.items():
        row = {}
        for c, (k, v) in cells.items():
            text = (
                sst.get(int(v), "")
                if k == "s" and v.isdigit()
                else html.unescape(v.decode("utf-8", "replace"))
            )
            if text.strip():
                row[c] = text.strip()
        out[r] = row
    return out


def _restyle_in_place(row_xml: bytes, row: int, cols: dict[int, Mark], styles: Styles):
    """The common case, quickly: every marked cell is there, written ``<c r="B17" ...``."""
    out, at = [], 0
    for col in sorted(cols):
        p = row_xml.find(b'<c r="%s%d"' % (col_letters(col).encode(), row), at)
        if p == -1:
            return None
        q = row_xml.find(b">", p)
        tag = row_xml[p:q]
        if tag.endswith(b"/"):
            tag = tag[:-1]
        sm = _ATTR_S.search(tag)
        new = styles.marked(int(sm.group(1)) if sm else 0, cols[col].fill)
        tag = (
            tag[: sm.start()] + b's="%d"' % new + tag[sm.end() :] if sm else tag + b' s="%d"' % new
        )
        out += [row_xml[at:p], tag + (b"/" if row_xml[q - 1 : q] == b"/" else b"")]
        at = q
    return b"".join(out) + row_xml[at:]


def _edit_row(row_xml: bytes, row: int, cols: dict[int, Mark], styles: Styles) -> bytes:
    """One ``<row>`` with its marked cells given a marked format (blank ones inserted)."""
    fast = _restyle_in_place(row_xml, row, cols, styles)
    if fast is not None:
        return fast
    tag_end = row_xml.find(b">")
    open_tag = row_xml[: tag_end + 1]
    body = b"" if open_tag.endswith(b"/>") else row_xml[tag_end + 1 : -len(b"</row>")]
    if open_tag.endswith(b"/>"):
        open_tag = open_tag[:-2].rstrip() + b">"
    open_tag = re.sub(rb'\sspans="[^"]*"', b"", open_tag)  # a hint; new cells may fall outside
    row_style = 0
    if re.search(rb'\bcustomFormat="(?:1|true)"', open_tag):
        m = _ATTR_S.search(open_tag)
        row_style = int(m.group(1)) if m else 0
    cells: list[tuple[int, bytes]] = []
    col = 0
    for m in _CELL.finditer(body):
        attrs = m.group(1)
        ra = _ATTR_R.search(attrs)
        col = col_number(ra.group(1).decode()) if ra else col + 1
        xml = m.group(0)
        mark = cols.get(col)
        if mark is not None:
            sm = _ATTR_S.search(attrs)
            new = styles.marked(int(sm.group(1)) if sm else 0, mark.fill)
            new_attrs = (
                attrs[: sm.start()] + b's="%d"' % new + attrs[sm.end() :]
                if sm
                else attrs + b' s="%d"' % new
            )
            if not ra:
                new_attrs += b' r="%s%d"' % (col_letters(col).encode(), row)
            xml = b"<c" + new_attrs + xml[2 + len(attrs) :]
        cells.append((col, xml))
    present = {c for c, _ in cells}
    for c, mark in cols.items():
        if c not in present:
            s = styles.marked(row_style, mark.fill)
            cells.append((c, b'<c r="%s%d" s="%d"/>' % (col_letters(c).encode(), row, s)))
    cells.sort(key=lambda x: x[0])
    return open_tag + b"".join(x for _, x in cells) + b"</row>"


_TAIL_AFTER = (
    b"<legacyDrawingHF",
    b"<drawingHF",
    b"<picture",
    b"<oleObjects",
    b"<controls",
    b"<webPublishItems",
    b"<tableParts",
    b"<extLst",
    b"</worksheet>",
)


def edit_sheet(
    chunks: Iterable[bytes],
    marks: dict[int, dict[int, Mark]],
    styles: Styles,
    legacy_rid: str | None,
    unselect: bool,
) -> Iterator[bytes]:
    """Stream a worksheet's XML with its marked rows edited, the tab unselected (the issue
    sheet is the selected one) and a ``<legacyDrawing>`` for the comments.

    Rows are found by their ``r="N"`` attribute with ``bytes.find``; the text between marked
    rows is passed on as it is, so the cost is one pass over the XML."""
    targets = sorted(marks)
    ti = 0
    buf, pos = b"", 0  # unsent text is buf[pos:]
    it = iter(chunks)
    exhausted = False

    def more() -> bool:
        nonlocal buf, pos, exhausted
        chunk = next(it, None)
        if chunk is None:
            exhausted = True
            return False
        buf = buf[pos:] + chunk
        pos = 0
        return True

    # the head, up to and including <sheetData>
    while (p := buf.find(b"<sheetData")) == -1 or buf.find(b">", p) == -1:
        if not more():
            raise Fallback("sheet without <sheetData>")
    q = buf.find(b">", p)
    head = buf[:p]
    if b"<worksheet" not in head:
        raise Fallback("worksheet XML with namespace prefixes")
    if unselect:
        head = re.sub(rb'\stabSelected="(?:1|true)"', b"", head)
    yield head
    yield buf[p : q + 1]
    pos = q + 1
    empty = buf[q - 1 : q] == b"/"  # <sheetData/>: no rows at all
    # the marked rows
    while ti < len(targets) and not empty:
        r = targets[ti]
        key = b' r="%d"' % r
        p = buf.find(key, pos)
        while p != -1:
            start = buf.rfind(b"<", pos, p)
            if start != -1 and buf[start : start + 5] in (b"<row ", b"<row\t", b"<row\n"):
                break
            p = buf.find(key, p + 1)
        if p == -1:
            last = buf.rfind(b"<row", pos)
            m = _ROW_TAG.match(buf, last) if last != -1 else None
            if (m and int(m.group(1)) > r) or buf.find(b"</sheetData>", pos) != -1:
                ti += 1  # no such row in the sheet: nothing to mark there
                continue
            if last > pos:
                yield buf[pos:last]
                pos = last
            if not more():
                raise Fallback("sheet XML ends before its marked rows")
            continue
        tag_end = buf.find(b">", p)
        end = -1
        if tag_end != -1:
            if buf[tag_end - 1 : tag_end] == b"/":
                end = tag_end + 1
            else:
                e = buf.find(b"</row>", tag_end)
                end = e + len(b"</row>") if e != -1 else -1
        if end == -1:  # the row goes on in the next chunk
            yield buf[pos:start]
            pos = start
            if not more():
                raise Fallback("sheet XML ends inside a row")
            continue
        yield buf[pos:start]
        yield _edit_row(buf[start:end], r, marks[r], styles)
        pos = end
        ti += 1
    # the rest of sheetData, passed on; then the tail
    while not empty and (e := buf.find(b"</sheetData>", pos)) == -1:
        cut = max(pos, len(buf) - 16)
        yield buf[pos:cut]
        pos = cut
        if not more():
            raise Fallback("sheet XML ends inside <sheetData>")
    if not empty:
        yield buf[pos : e + len(b"</sheetData>")]
        pos = e + len(b"</sheetData>")
    while more():  # the tail (merged cells, validation, page setup...) is small: gather it
        pass
    tail = buf[pos:]
    if legacy_rid:
        if b"<legacyDrawing" in tail:
            raise Fallback("sheet already has a legacy drawing")
        at = min((i for i in (tail.find(t) for t in _TAIL_AFTER) if i != -1), default=-1)
        if at == -1:
            raise Fallback("sheet XML without </worksheet>")
        el = f'<legacyDrawing xmlns:r="{NS_REL}" r:id="{legacy_rid}"/>'.encode()
        tail = tail[:at] + el + tail[at:]
    yield tail
