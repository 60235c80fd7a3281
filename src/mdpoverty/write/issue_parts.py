"""The parts an annotated workbook gains: the comments of a sheet, the legacy VML drawing
Excel needs to show them, and the issue sheet with links to the cells."""

from __future__ import annotations

import re

import pandas as pd

from ..errors import CHECKS
from .ooxml import NS_MAIN, NS_REL, XML_DECL, Fallback, Styles, col_letters, esc, sheet_ref
from .sheet_xml import FILLS, Mark

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
LETTERS = "ABCDEFGHI"
AUTHOR = "mdpoverty"
MAX_COMMENT = 32_000  # Excel keeps at most 32,767 characters in a comment


def fix_text(check_id: str, lang: str) -> str:
    """How to fix a check's cell, as ``mdpoverty explain`` says it."""
    check = CHECKS.get(check_id)
    return (check.fix_vi if lang == "vi" else check.fix_en) if check else ""


_RPR = '<rPr><sz val="9"/><rFont val="Tahoma"/></rPr>'


def _comment(ref: str, mark: Mark, author: int) -> str:
    text = "\n\n".join(mark.notes)[:MAX_COMMENT]
    return (
        f'<comment ref="{ref}" authorId="{author}"><text><r><rPr><sz val="9"/>'
        f'<rFont val="Tahoma"/></rPr><t xml:space="preserve">{esc(text)}</t></r></text></comment>'
    )


def comments_xml(cells: list[tuple[str, Mark]]) -> bytes:
    """A sheet's comments part, one comment per marked cell."""
    body = "".join(_comment(ref, mark, 0) for ref, mark in cells)
    return (
        f'{XML_DECL}<comments xmlns="{NS_MAIN}"><authors><author>{AUTHOR}</author></authors>'
        f"<commentList>{body}</commentList></comments>"
    ).encode()


_COMMENT_REF = re.compile(rb'<comment\b[^>]*?\sref="([A-Za-z]+[0-9]+)"')


def merge_comments(xml: bytes, cells: list[tuple[str, Mark]]) -> tuple[bytes, set[str]]:
    """A sheet's existing comments with the notes added: a cell that already has a comment
    keeps it and gets the notes as a new paragraph; the others get a comment by mdpoverty.
    Returns the part and the cells that already had a comment (their shapes exist)."""
    if b"<comments" not in xml or b"<commentList" not in xml:
        raise Fallback("comments part with namespace prefixes")
    authors = re.search(rb"<authors\s*/>|</authors>", xml)
    if authors is None:
        raise Fallback("comments part without authors")
    author = len(re.findall(rb"<author[\s>/]", xml[: authors.start()]))
    xml = (
        xml[: authors.start()]
        + (
            f"<authors><author>{AUTHOR}</author></authors>"
            if authors.group(0).endswith(b"/>")
            else f"<author>{AUTHOR}</author></authors>"
        ).encode()
        + xml[authors.end() :]
    )
    had = {m.group(1).decode().upper() for m in _COMMENT_REF.finditer(xml)}
    added = []
    for ref, mark in cells:
        if ref not in had:
            added.append(_comment(ref, mark, author))
            continue
        m = re.search(rb'<comment\b[^>]*?\sref="' + ref.encode() + rb'"', xml, re.I)
        end = xml.find(b"</text>", m.end()) if m else -1
        if end == -1:
            raise Fallback("comment without text")
        text = esc("\n\n" + "\n\n".join(mark.notes))
        run = f'<r>{_RPR}<t xml:space="preserve">{text}</t></r>'
        xml = xml[:end] + run.encode() + xml[end:]
    new = "".join(added).encode()
    if re.search(rb"<commentList\s*/>", xml):
        xml = re.sub(
            rb"<commentList\s*/>", lambda _: b"<commentList>" + new + b"</commentList>", xml
        )
    else:
        at = xml.rindex(b"</commentList>")
        xml = xml[:at] + new + xml[at:]
    return xml, had


def vml_blocks(n_comments: int) -> int:
    """Shape-id blocks of 1,024 a drawing of ``n_comments`` shapes takes."""
    return n_comments // 1024 + 1


_SHAPETYPE = (
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202"'
    ' path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
    '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)


def _shapes(cells: list[tuple[int, int, Mark]], block: int) -> str:
    out = []
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
    return "".join(out)


def _blocks(block: int, n: int) -> str:
    return ",".join(str(b) for b in range(block, block + vml_blocks(n)))


def vml_xml(cells: list[tuple[int, int, Mark]], block: int) -> bytes:
    """The legacy drawing Excel needs to show the comments (shape per comment, hidden).

    Shape ids lie in the id blocks the drawing claims (``o:idmap``: blocks of 1,024 from
    ``block``), which must not overlap another drawing's."""
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml"'
        ' xmlns:o="urn:schemas-microsoft-com:office:office"'
        ' xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{_blocks(block, len(cells))}"/>'
        f"</o:shapelayout>{_SHAPETYPE}{_shapes(cells, block)}</xml>"
    ).encode()


_VML_NS = {
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "x": "urn:schemas-microsoft-com:office:excel",
}


def merge_vml(xml: bytes, cells: list[tuple[int, int, Mark]], block: int) -> bytes:
    """An existing legacy drawing with shapes for ``cells`` added, in blocks of their own,
    written with the prefixes the drawing declares (openpyxl writes ns0:, Excel o:)."""
    root = re.search(rb"<xml\b[^>]*>", xml)
    if root is None:
        raise Fallback("legacy drawing without its <xml> root")
    declared = {
        uri.decode(): prefix.decode()
        for prefix, uri in re.findall(rb'xmlns:([\w.-]+)="([^"]*)"', root.group(0))
    }
    prefixes, extra = {}, ""
    for short, uri in _VML_NS.items():
        if uri not in declared:
            declared[uri] = f"mdp{short}"
            extra += f' xmlns:mdp{short}="{uri}"'
        prefixes[short] = declared[uri]
    o = prefixes["o"]
    idmap = re.search(rb"(<" + o.encode() + rb':idmap\b[^>]*?\sdata=")([^"]*)(")', xml)
    if idmap is None:
        raise Fallback("legacy drawing without o:idmap")
    data = idmap.group(2) + b"," + _blocks(block, len(cells)).encode()
    xml = xml[: idmap.start(2)] + data + xml[idmap.end(2) :]
    add = ("" if b'id="_x0000_t202"' in xml else _SHAPETYPE) + _shapes(cells, block)
    add = re.sub(r"(</?|\s)([vox]):", lambda m: m.group(1) + prefixes[m.group(2)] + ":", add)
    at = xml.rindex(b"</xml>")
    xml = xml[:at] + add.encode() + xml[at:]
    if extra:
        end = root.end() - 1
        xml = xml[:end] + extra.encode() + xml[end:]
    return xml


def vml_ids(xml: bytes) -> set[int]:
    """The shape-id blocks a legacy drawing claims."""
    m = re.search(rb'<[\w.-]+:idmap\b[^>]*?\sdata="([^"]*)"', xml)
    return {int(x) for x in re.findall(rb"\d+", m.group(1))} if m else set()


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
    fixes = [fix_text(str(c), lang) for c in col.get("check", empty)]
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


def _height(values: list[tuple[object, int]]) -> str:
    """A row tall enough for its wrapped text (readers do not measure text when they open)."""
    lines = 1
    for (value, _), width in zip(values, WIDTHS, strict=True):
        if isinstance(value, str) and value:
            per_line = max(1, int(width * 1.1))
            lines = max(lines, sum(1 + len(part) // per_line for part in value.split("\n")))
    return "" if lines == 1 else f' ht="{min(409, 15 * lines)}" customHeight="1"'


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
            f'<row r="{n}"{_height(values)}>'
            + "".join(_cell(f"{LETTERS[c]}{n}", v, s) for c, (v, s) in enumerate(values))
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


def sheet_title(names: list[str], lang: str) -> str:
    title, n = SHEET_TITLE[lang], 2
    folded = {x.casefold() for x in names}
    while title.casefold() in folded:
        title = f"{SHEET_TITLE[lang]} ({n})"
        n += 1
    return title
