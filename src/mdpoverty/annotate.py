"""The survey handed back with its errors marked: a copy of the officer's own workbook where
every cell with an issue is filled red (error) or amber (warning) and carries an Excel comment
(the message and how to fix it), behind a first sheet listing the issues with links to them.

The copy is made by rewriting the zip, not by loading the workbook: every part the marks do
not touch is copied as it is (themes, images, other sheets, data validation, merged cells,
column widths, defined names), and a marked sheet's XML is streamed and edited only on its
marked rows, so a 100,000-household workbook is annotated in seconds and keeps everything
openpyxl would lose. What changes:

- the marked sheets: a style index (``s="N"``) on each marked cell (a cell that does not
  exist yet, a blank one, is inserted) and a ``<legacyDrawing>`` for the comments;
- ``styles.xml``: two fills, and per (style of a marked cell, severity) a clone of that cell
  format with the fill, so number and date formats survive; fonts for the issue list;
- new parts: ``commentsN.xml`` + ``vmlDrawingN.vml`` per marked sheet and the issue sheet,
  with their relationships and content types; ``workbook.xml`` lists the issue sheet first.

A sheet that already has comments or a legacy drawing, or XML written with namespace
prefixes, is annotated through openpyxl instead (slower, keeps less, but merges comments).
"""

from __future__ import annotations

import html
import re
import struct
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET

import pandas as pd

from .errors import CHECKS, UsageError

# Fills (ARGB): red for an error, amber for a warning.
FILLS = {"error": "FFFF7C80", "warning": "FFFFC000"}
SHEET_TITLE = {"vi": "Lỗi cần sửa", "en": "Issues to fix"}
SEVERITY = {
    "vi": {"error": "Lỗi", "warning": "Cảnh báo"},
    "en": {"error": "Error", "warning": "Warning"},
}
FIX = {"vi": "Cách sửa", "en": "How to fix"}
HEADERS = {
    "vi": ["Trang", "Dòng", "Cột", "Ô", "Mã hộ", "Giá trị", "Mức độ", "Nội dung", "Cách sửa"],
    "en": [
        "Sheet",
        "Row",
        "Column",
        "Cell",
        "Household ID",
        "Value",
        "Severity",
        "Message",
        "How to fix",
    ],
}
WIDTHS = [16, 8, 30, 9, 18, 22, 11, 70, 60]
AUTHOR = "mdpoverty"
MAX_COMMENT = 32_000  # Excel keeps at most 32,767 characters in a comment
HEADER_SCAN_ROWS = 30
CHUNK = 4 * 1024**2
COMPRESSLEVEL = 1  # the marked sheets are recompressed: zlib level 1 is ~4x faster than 6

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


@dataclass
class Mark:
    severity: str = "warning"
    notes: list[str] = field(default_factory=list)

    def add(self, severity: str, note: str) -> None:
        if severity == "error":
            self.severity = "error"
        if note not in self.notes:
            self.notes.append(note)


@dataclass
class Annotated:
    """What :func:`annotate_workbook` did: cells marked, issues listed, how it was written."""

    path: Path
    marked_cells: int
    listed: int
    engine: str  # "zip" (the fast rewrite) or "openpyxl"


# ---------------------------------------------------------------- small helpers


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


def _resolve(base: str, target: str) -> str:
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


def _rels_name(part: str) -> str:
    p = PurePosixPath(part)
    return f"{p.parent}/_rels/{p.name}.rels"


def _relationships(zin: zipfile.ZipFile, part: str) -> list[dict[str, str]]:
    name = _rels_name(part)
    if name not in zin.NameToInfo:
        return []
    root = ET.fromstring(zin.read(name))
    return [dict(el.attrib) for el in root if el.tag.endswith("Relationship")]


def annotate_target(survey: str | Path, path: str | Path | None = None) -> Path:
    """Where the annotated copy of ``survey`` goes (``survey.checked.xlsx`` by default).

    Raises :class:`UsageError` for a survey that is not an .xlsx workbook, or a target that
    would overwrite the survey: before any work is done.
    """
    src = Path(survey)
    if src.suffix.lower() != ".xlsx":
        raise UsageError(
            f"{src}: --annotate marks cells in an .xlsx workbook; this survey is "
            f"{src.suffix or 'not a workbook'} (the issue table locates every problem instead)",
            f"{src}: --annotate chỉ đánh dấu được ô trong tệp Excel .xlsx; khảo sát này là "
            f"{src.suffix or 'tệp không phải Excel'} (hãy dùng bảng lỗi để tìm từng lỗi)",
        )
    target = Path(path) if path else src.with_name(f"{src.stem}.checked.xlsx")
    if target.suffix.lower() != ".xlsx":
        raise UsageError(
            f"{target}: the annotated workbook must be an .xlsx file",
            f"{target}: tệp đánh dấu lỗi phải là tệp .xlsx",
        )
    if target.resolve() == src.resolve():
        raise UsageError(
            f"{target}: the annotated copy would overwrite the survey; choose another name",
            f"{target}: bản đánh dấu lỗi sẽ ghi đè lên tệp khảo sát; hãy chọn tên khác",
        )
    return target


# ---------------------------------------------------------------- where the issues are


@dataclass
class _SheetInfo:
    name: str
    part: str  # zip member name of its XML
    rid: str


def _workbook_part(zin: zipfile.ZipFile) -> str:
    if "_rels/.rels" in zin.NameToInfo:  # the package's relationships name the workbook
        for el in ET.fromstring(zin.read("_rels/.rels")):
            if el.get("Type", "").endswith("/officeDocument"):
                return _resolve("/", el.get("Target", ""))
    return "xl/workbook.xml"


def _sheets(zin: zipfile.ZipFile, wb_part: str) -> list[_SheetInfo]:
    root = ET.fromstring(zin.read(wb_part))
    rels = {r["Id"]: r for r in _relationships(zin, wb_part)}
    out = []
    for el in root.iter(f"{{{NS_MAIN}}}sheet"):
        rid = el.get(f"{{{NS_REL}}}id", "")
        rel = rels.get(rid)
        if rel is None or not rel.get("Type", "").endswith("/worksheet"):
            continue  # a chart sheet, or a dangling sheet entry: nothing to mark there
        out.append(_SheetInfo(el.get("name", ""), _resolve(wb_part, rel["Target"]), rid))
    return out


_ROW_TAG = re.compile(rb"<row\b[^>]*?\br=\"(\d+)\"[^>]*?(/?)>")
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR_R = re.compile(rb'\br="([A-Za-z]+)(\d+)"')
_ATTR_T = re.compile(rb'\bt="(\w+)"')
_ATTR_S = re.compile(rb'\bs="(\d+)"')
_V = re.compile(rb"<v>(.*?)</v>", re.S)
_T = re.compile(rb"<t\b[^>]*>(.*?)</t>", re.S)
_RPH = re.compile(rb"<rPh\b.*?</rPh>", re.S)


def _top_rows(zin: zipfile.ZipFile, part: str) -> dict[int, dict[int, tuple[str, bytes]]]:
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
            _resolve(wb_part, r["Target"])
            for r in _relationships(zin, wb_part)
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


def _header_texts(zin, wb_part, top) -> dict[int, dict[int, str]]:
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


def _header_row(rows: dict[int, dict[int, str]], wanted: set[str]) -> int | None:
    """The header row: the one the reader would pick (most known headers), else the one with
    most of the issues' column texts."""
    from .io import _header_map

    best, best_score = None, 0
    for r in sorted(rows):
        width = max(rows[r], default=0)
        cells = [rows[r].get(c) for c in range(1, width + 1)]
        score = max(_header_map(cells, kind)[1] for kind in ("households", "members"))
        if score > best_score:
            best, best_score = r, score
    if best is not None and best_score >= 2:
        return best
    counts = {r: len(wanted & set(cells.values())) for r, cells in rows.items()}
    r = max(counts, key=lambda k: (counts[k], -k), default=None)
    return r if r is not None and counts[r] else None


def _note(issue, lang: str) -> str:
    sev = SEVERITY[lang].get(issue.severity, issue.severity)
    msg = getattr(issue, f"message_{lang}", None) or issue.message
    check = CHECKS.get(issue.check)
    fix = (check.fix_vi if lang == "vi" else check.fix_en) if check else ""
    text = f"[{sev}] {msg}"
    return text + (f"\n{FIX[lang]}: {fix}" if fix else "")


def _fix(check_id: str, lang: str) -> str:
    check = CHECKS.get(check_id)
    return (check.fix_vi if lang == "vi" else check.fix_en) if check else ""


def locate(
    zin: zipfile.ZipFile, wb_part: str, sheets: list[_SheetInfo], issues: pd.DataFrame, lang: str
) -> tuple[dict[str, dict[int, dict[int, Mark]]], list[str | None]]:
    """Marks per sheet part (row -> column -> mark), and each issue's cell reference (None
    when it has no cell: a whole-file issue, or a column the sheet does not have)."""
    by_name = {s.name: s for s in sheets}
    marks: dict[str, dict[int, dict[int, Mark]]] = {}
    refs: list[str | None] = [None] * len(issues)
    columns: dict[str, tuple[int | None, dict[str, int], dict[str, int]]] = {}
    for name in issues["sheet"].dropna().unique():
        info = by_name.get(str(name))
        if info is None:
            continue
        rows = _header_texts(zin, wb_part, _top_rows(zin, info.part))
        wanted = set(issues.loc[issues["sheet"] == name, "column"].dropna().astype(str).str.strip())
        hr = _header_row(rows, wanted)
        first: dict[str, int] = {}
        last: dict[str, int] = {}
        for c, text in sorted((rows.get(hr) or {}).items()):
            first.setdefault(text, c)
            last[text] = c
        columns[str(name)] = (hr, first, last)
    for i, issue in enumerate(issues.itertuples(index=False)):
        sheet = issue.sheet if isinstance(issue.sheet, str) else None
        if sheet not in columns or pd.isna(issue.row) or not isinstance(issue.column, str):
            continue
        hr, first, last = columns[sheet]
        row = int(issue.row)
        text = issue.column.strip()
        col = (last if row == hr else first).get(text)
        if col is None:
            continue  # a missing column: listed, nothing to mark
        refs[i] = f"{col_letters(col)}{row}"
        cell = marks.setdefault(by_name[sheet].part, {}).setdefault(row, {}).setdefault(col, Mark())
        cell.add(issue.severity, _note(issue, lang))
    return marks, refs


# ---------------------------------------------------------------- styles.xml


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
            re.findall(rb"<fill>|<fill\s", re.search(rb"<fills\b.*?</fills>", xml, re.S).group(0))
        )
        fonts = re.search(rb"<fonts\b[^>]*>(.*?)</fonts>", xml, re.S)
        if fonts is None:
            raise Fallback("styles.xml without fonts")
        self.n_fonts = len(re.findall(rb"<font>|<font\s", fonts.group(1)))
        self.new_fills: list[bytes] = []
        self.new_fonts: list[bytes] = []
        self.new_xfs: list[bytes] = []
        self._clones: dict[tuple[int, str], int] = {}
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

    def marked(self, s: int, severity: str) -> int:
        """The format of a cell of format ``s`` marked with ``severity``."""
        key = (s, severity)
        if key not in self._clones:
            base = self.xfs[s] if 0 <= s < len(self.xfs) else self.xfs[0] if self.xfs else b"<xf/>"
            fid = str(self.fill(FILLS[severity])).encode()
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


# ---------------------------------------------------------------- a marked sheet, streamed


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
        new = styles.marked(int(sm.group(1)) if sm else 0, cols[col].severity)
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
            new = styles.marked(int(sm.group(1)) if sm else 0, mark.severity)
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
            s = styles.marked(row_style, mark.severity)
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


# ---------------------------------------------------------------- comments and the issue sheet


def comments_xml(cells: list[tuple[str, Mark]]) -> bytes:
    out = [
        f'{XML_DECL}<comments xmlns="{NS_MAIN}">'
        f"<authors><author>{AUTHOR}</author></authors><commentList>"
    ]
    for ref, mark in cells:
        text = "\n\n".join(mark.notes)[:MAX_COMMENT]
        out.append(
            f'<comment ref="{ref}" authorId="0"><text><r><rPr><sz val="9"/><rFont val="Tahoma"/>'
            f'</rPr><t xml:space="preserve">{esc(text)}</t></r></text></comment>'
        )
    out.append("</commentList></comments>")
    return "".join(out).encode()


def vml_xml(cells: list[tuple[int, int, Mark]], block: int) -> bytes:
    """The legacy drawing Excel needs to show the comments (shape per comment, hidden)."""
    out = [
        '<xml xmlns:v="urn:schemas-microsoft-com:vml"'
        ' xmlns:o="urn:schemas-microsoft-com:office:office"'
        ' xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202"'
        ' path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
        '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
    ]
    for i, (row, col, mark) in enumerate(cells):
        lines = sum(1 + len(n) // 48 for n in mark.notes) + len(mark.notes)
        height = min(400, 18 + 15 * lines)
        out.append(
            f'<v:shape id="_x0000_s{block * 1024 + 1 + i}" type="#_x0000_t202" '
            f'style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:300px;'
            f'height:{height}px;z-index:{i + 1};visibility:hidden" fillcolor="#ffffe1"'
            ' o:insetmode="auto">'
            '<v:fill color2="#ffffe1"/><v:shadow color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            '<div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note">'
            "<x:MoveWithCells/><x:SizeWithCells/><x:AutoFill>False</x:AutoFill>"
            f"<x:Row>{row - 1}</x:Row><x:Column>{col - 1}</x:Column></x:ClientData></v:shape>"
        )
    out.append("</xml>")
    return "".join(out).encode()


def _clean(values: pd.Series) -> list[object]:
    return [
        None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v
        for v in values.tolist()
    ]


def issue_rows(issues: pd.DataFrame, refs: list[str | None], lang: str) -> list[tuple]:
    """The issue sheet's rows: (sheet, row, column, cell, household, value, severity, message,
    fix), errors first, then in the issue table's order (those with a cell first)."""
    n = len(issues)
    col = {c: _clean(issues[c]) if c in issues.columns else [None] * n for c in issues.columns}
    msg = col.get(f"message_{lang}") or col.get("message") or [None] * n
    empty = [None] * n
    rows = [None if r is None else int(r) for r in col.get("row", empty)]
    fixes = [_fix(str(c), lang) for c in col.get("check", empty)]
    sev = col.get("severity", empty)
    out = [
        (
            col["sheet"][i],
            rows[i],
            col["column"][i],
            refs[i],
            col.get("household_id", empty)[i],
            col["value"][i],
            sev[i],
            msg[i],
            fixes[i],
        )
        for i in range(n)
    ]
    order = sorted(range(n), key=lambda i: (sev[i] != "error", refs[i] is None))
    return [out[i] for i in order]


def _cell(ref: str, value: object, style: int) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return f'<c r="{ref}" s="{style}"/>'
    if isinstance(value, int):
        return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'
    text = f'<t xml:space="preserve">{esc(value)}</t>'
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is>{text}</is></c>'


def issue_sheet_xml(
    issues: pd.DataFrame, refs: list[str | None], lang: str, styles: Styles
) -> bytes:
    """The first sheet: one row per issue, a link to its cell where it has one."""
    bold = styles.font('<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>')
    link = styles.font(
        '<font><u/><sz val="11"/><color rgb="FF0563C1"/><name val="Calibri"/>'
        '<family val="2"/></font>'
    )
    grey = styles.fill("FFD9D9D9")
    top = '<alignment vertical="top"/>'
    wrap = '<alignment vertical="top" wrapText="1"/>'
    xf = (
        '<xf numFmtId="0" fontId="{f}" fillId="{fill}" borderId="0" xfId="0" applyFont="1"'
        ' applyFill="1" applyAlignment="1">{a}</xf>'
    )
    s_head = styles.add_xf(xf.format(f=bold, fill=grey, a=wrap))
    s_text = styles.add_xf(xf.format(f=0, fill=0, a=top))
    s_wrap = styles.add_xf(xf.format(f=0, fill=0, a=wrap))
    s_link = styles.add_xf(xf.format(f=link, fill=0, a=top))
    s_sev = {
        sev: styles.add_xf(xf.format(f=0, fill=styles.fill(argb), a=top))
        for sev, argb in FILLS.items()
    }
    rows = [
        '<row r="1">'
        + "".join(_cell(f"{col_letters(i + 1)}1", h, s_head) for i, h in enumerate(HEADERS[lang]))
        + "</row>"
    ]
    links = []
    listed = issue_rows(issues, refs, lang)
    for n, (sheet, row, column, ref, hid, value, sev, message, fix) in enumerate(listed, start=2):
        values = [
            (sheet, s_text),
            (row, s_text),
            (column, s_wrap),
            (ref, s_link),
            (hid, s_text),
            (value, s_wrap),
            (SEVERITY[lang].get(sev, sev), s_sev.get(sev, s_text)),
            (message, s_wrap),
            (fix, s_wrap),
        ]
        rows.append(
            f'<row r="{n}">'
            + "".join(_cell(f"{col_letters(c + 1)}{n}", v, s) for c, (v, s) in enumerate(values))
            + "</row>"
        )
        if ref:
            links.append(
                f'<hyperlink ref="D{n}" location="{esc(sheet_ref(sheet, ref))}" display="{ref}"/>'
            )
    last = len(listed) + 1
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(WIDTHS, 1)
    )
    xml = (
        f'{XML_DECL}<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:I{last}"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
        f"<sheetData>{''.join(rows)}</sheetData>"
        f'<autoFilter ref="A1:I{last}"/>'
        + (f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else "")
        + '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        "</worksheet>"
    )
    return xml.encode()


# ---------------------------------------------------------------- the whole workbook


def _free(existing: set[str], pattern: str, start: int = 1) -> tuple[str, int]:
    n = start
    while pattern.format(n) in existing:
        n += 1
    return pattern.format(n), n


def _title(names: list[str], lang: str) -> str:
    title, n = SHEET_TITLE[lang], 2
    folded = {x.casefold() for x in names}
    while title.casefold() in folded:
        title = f"{SHEET_TITLE[lang]} ({n})"
        n += 1
    return title


def _add_rels(xml: bytes | None, rels: list[tuple[str, str, str]]) -> bytes:
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


def _rel_id(existing: Iterable[str], n: int) -> str:
    taken = set(existing)
    rid = f"rIdMdp{n}"
    while rid in taken:
        n += 1000
        rid = f"rIdMdp{n}"
    return rid


def _content_types(xml: bytes, overrides: list[tuple[str, str]], vml: bool) -> bytes:
    add = "".join(f'<Override PartName="/{p}" ContentType="{ct}"/>' for p, ct in overrides)
    if vml and not re.search(rb'<Default\b[^>]*Extension="vml"', xml, re.I):
        add = f'<Default Extension="vml" ContentType="{CT_VML}"/>' + add
    at = xml.rindex(b"</Types>")
    return xml[:at] + add.encode() + xml[at:]


def _workbook_xml(xml: bytes, title: str, sheet_id_rid: str) -> bytes:
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


def _zip_annotate(source: Path, tmp: Path, issues: pd.DataFrame, lang: str) -> Annotated:
    with zipfile.ZipFile(source) as zin:
        names = set(zin.NameToInfo)
        wb_part = _workbook_part(zin)
        sheets = _sheets(zin, wb_part)
        marks, refs = locate(zin, wb_part, sheets, issues, lang)
        wb_rels = _relationships(zin, wb_part)
        styles_part = next(
            (_resolve(wb_part, r["Target"]) for r in wb_rels if r.get("Type") == REL_STYLES), None
        )
        if styles_part is None or styles_part not in names:
            raise Fallback("workbook without styles.xml")
        styles = Styles(zin.read(styles_part))
        sheet_rels = {s.part: _relationships(zin, s.part) for s in sheets}
        for s in sheets:
            if s.part in marks and any(
                r.get("Type") in (REL_COMMENTS, REL_VML) for r in sheet_rels[s.part]
            ):
                raise Fallback(f"sheet {s.name!r} already has comments")

        # names of the new parts
        new_parts: dict[str, bytes] = {}
        overrides: list[tuple[str, str]] = []
        edits: dict[str, tuple[str | None, bool]] = {}  # sheet part -> (legacy rel id, unselect)
        taken = set(names)
        for k, s in enumerate(sheets, start=1):
            cells = marks.get(s.part)
            if cells:
                cpart, n = _free(taken, "xl/comments{}.xml")
                vpart, _ = _free(taken, "xl/drawings/vmlDrawing{}.vml", n)
                taken |= {cpart, vpart}
                rid_c = _rel_id((r["Id"] for r in sheet_rels[s.part]), 1)
                rid_v = _rel_id((r["Id"] for r in sheet_rels[s.part]), 2)
                flat = sorted(((r, c, m) for r, cols in cells.items() for c, m in cols.items()))
                new_parts[cpart] = comments_xml([(f"{col_letters(c)}{r}", m) for r, c, m in flat])
                new_parts[vpart] = vml_xml(flat, 100 + k)
                rels_name = _rels_name(s.part)
                new_parts[rels_name] = _add_rels(
                    zin.read(rels_name) if rels_name in names else None,
                    [(rid_c, REL_COMMENTS, "/" + cpart), (rid_v, REL_VML, "/" + vpart)],
                )
                overrides.append((cpart, CT_COMMENTS))
                edits[s.part] = (rid_v, True)
        for s in sheets:  # a selected tab left unselected: the issue sheet is the one shown
            if s.part not in edits:
                with zin.open(s.part) as fh:
                    if re.search(rb'tabSelected="(?:1|true)"', fh.read(64 * 1024)):
                        edits[s.part] = (None, True)

        title = _title([s.name for s in sheets], lang)
        ipart, _ = _free(taken, "xl/worksheets/mdpovertyIssues{}.xml")
        wb_rid = _rel_id((r["Id"] for r in wb_rels), 1)
        overrides.append((ipart, CT_WORKSHEET))
        new_parts[_rels_name(wb_part)] = _add_rels(
            zin.read(_rels_name(wb_part)), [(wb_rid, REL_WORKSHEET, "/" + ipart)]
        )
        new_parts[wb_part] = _workbook_xml(zin.read(wb_part), title, wb_rid)
        new_parts["[Content_Types].xml"] = _content_types(
            zin.read("[Content_Types].xml"), overrides, bool(marks)
        )
        new_parts[ipart] = issue_sheet_xml(issues, refs, lang, styles)

        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL) as zout:
            zout.writestr("[Content_Types].xml", new_parts.pop("[Content_Types].xml"))
            for info in zin.infolist():
                name = info.filename
                if name == "[Content_Types].xml" or name == styles_part:
                    continue
                if name in edits:
                    rid, unselect = edits[name]
                    with (
                        zin.open(info) as fh,
                        zout.open(_info(name, info), "w", force_zip64=True) as out,
                    ):
                        chunks = iter(lambda: fh.read(CHUNK), b"")
                        for piece in edit_sheet(chunks, marks.get(name, {}), styles, rid, unselect):
                            out.write(piece)
                elif name in new_parts:
                    zout.writestr(_info(name, info), new_parts.pop(name))
                else:
                    _copy(zin, zout, info)
            for name, data in new_parts.items():
                zout.writestr(_info(name), data)
            zout.writestr(_info(styles_part), styles.render())
    cells = sum(len(cols) for rows in marks.values() for cols in rows.values())
    return Annotated(tmp, cells, len(issues), "zip")


def _info(name: str, like: zipfile.ZipInfo | None = None) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, like.date_time if like else (2025, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def _copy(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """An untouched part, its compressed bytes copied as they are (no inflate, no deflate)."""
    try:
        _copy_raw(zin, zout, info)
    except (AttributeError, struct.error, OSError, ValueError):  # zipfile internals changed
        with (
            zin.open(info) as fh,
            zout.open(_info(info.filename, info), "w", force_zip64=True) as out,
        ):
            while chunk := fh.read(CHUNK):
                out.write(chunk)


def _copy_raw(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
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
    new.CRC = info.CRC
    new.compress_size = info.compress_size
    new.file_size = info.file_size
    new.flag_bits = info.flag_bits & ~0x08  # sizes in the header: no data descriptor
    zip64 = max(info.file_size, info.compress_size) > zipfile.ZIP64_LIMIT
    new.header_offset = zout.fp.tell()
    zout.fp.write(new.FileHeader(zip64))
    left = info.compress_size
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


# ---------------------------------------------------------------- fallback: openpyxl


def _openpyxl_annotate(source: Path, tmp: Path, issues: pd.DataFrame, lang: str) -> Annotated:
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = load_workbook(source, rich_text=True)
    with zipfile.ZipFile(source) as zin:
        wb_part = _workbook_part(zin)
        sheets = _sheets(zin, wb_part)
        marks, refs = locate(zin, wb_part, sheets, issues, lang)
    by_part = {s.part: s.name for s in sheets}
    n = 0
    for part, rows in marks.items():
        ws = wb[by_part[part]]
        for r, cols in rows.items():
            for c, mark in cols.items():
                cell = ws.cell(row=r, column=c)
                cell.fill = PatternFill("solid", fgColor=FILLS[mark.severity])
                text = "\n\n".join(mark.notes)
                if cell.comment is not None:
                    text = f"{cell.comment.text}\n\n{text}"
                cell.comment = Comment(text[:MAX_COMMENT], AUTHOR, width=300, height=150)
                n += 1
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = False
    title = _title(wb.sheetnames, lang)
    ws = wb.create_sheet(title, 0)
    ws.append(HEADERS[lang])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFD9D9D9")
    for sheet, row, column, ref, hid, value, sev, message, fix in issue_rows(issues, refs, lang):
        value = None if value is None else str(value)
        ws.append([sheet, row, column, ref, hid, value, SEVERITY[lang].get(sev, sev), message, fix])
        line = ws.max_row
        ws.cell(line, 7).fill = PatternFill("solid", fgColor=FILLS.get(sev, "FFFFFFFF"))
        if ref:
            link = ws.cell(line, 4)
            link.hyperlink = "#" + sheet_ref(sheet, ref)
            link.font = Font(underline="single", color="FF0563C1")
        for c in (3, 6, 8, 9):
            ws.cell(line, c).alignment = Alignment(wrap_text=True, vertical="top")
    for i, w in enumerate(WIDTHS, 1):
        ws.column_dimensions[col_letters(i)].width = w
    ws.freeze_panes = "A2"
    ws.sheet_view.tabSelected = True
    wb.active = 0
    wb.save(tmp)
    return Annotated(tmp, n, len(issues), "openpyxl")


# ---------------------------------------------------------------- entry point


def annotate_workbook(
    source: str | Path, target: str | Path, issues: pd.DataFrame, lang: str = "vi"
) -> Annotated:
    """Write a copy of workbook ``source`` to ``target`` with ``issues`` marked on their cells.

    ``issues`` is :attr:`mdpoverty.core.Result.issues` for that workbook. ``source`` is never
    written to; ``target`` appears complete or not at all (an atomic write that lands with
    the run's other outputs inside :func:`mdpoverty.io.output_set`).
    """
    from .io import atomic_path
    from .safety import check_xlsx

    source = Path(source)
    check_xlsx(source)  # zip bombs, XML entities, far cells: refused before anything inflates
    lang = lang if lang in SHEET_TITLE else "vi"
    issues = issues.reset_index(drop=True)
    with atomic_path(target) as tmp:
        try:
            done = _zip_annotate(source, tmp, issues, lang)
        except (Fallback, ET.ParseError, KeyError, ValueError, IndexError, AttributeError):
            done = _openpyxl_annotate(source, tmp, issues, lang)
    done.path = Path(target)
    return done


__all__ = ["Annotated", "annotate_target", "annotate_workbook"]
