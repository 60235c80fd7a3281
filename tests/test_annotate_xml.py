"""The XML surgery of ``--annotate`` on hand-written parts: streamed sheets cut anywhere,
blank cells inserted in column order, style clones keeping number formats."""

from __future__ import annotations

import re

import pytest

from mdpoverty.write.ooxml import Fallback, Styles
from mdpoverty.write.sheet_xml import Mark, edit_sheet

STYLES = (
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<fonts count="1"><font/></fonts><fills count="2"><fill/><fill><patternFill '
    b'patternType="gray125"/></fill></fills><cellXfs count="2"><xf numFmtId="0" fontId="0" '
    b'fillId="0"/><xf numFmtId="14" fontId="0" fillId="0" applyNumberFormat="1">'
    b'<alignment wrapText="1"/></xf></cellXfs></styleSheet>'
)
SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>Ma ho</t></is></c><c r="B1" t="inlineStr">'
    b'<is><t>Ngay</t></is></c><c r="D1" t="inlineStr"><is><t>Xa</t></is></c></row>'
    b'<row r="2" spans="1:4"><c r="A2" t="inlineStr"><is><t>H1</t></is></c>'
    b'<c r="B2" s="1"><v>45000</v></c><c r="D2" t="inlineStr"><is><t>X</t></is></c></row>'
    b'<row r="3"><c r="A3" t="inlineStr"><is><t> r="3" </t></is></c></row>'
    b'<row r="12"><c r="A12" t="inlineStr"><is><t>H12</t></is></c></row>'
    b'</sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'
    b'<pageMargins left="0.7" right="0.7" top="0.7" bottom="0.7" header="0.3" footer="0.3"/>'
    b"<tableParts/></worksheet>"
)


def _marks() -> dict[int, dict[int, Mark]]:
    return {
        2: {2: Mark("error", ["date"]), 3: Mark("warning", ["blank C2"])},  # B2 styled, C2 new
        5: {1: Mark("error", ["no row 5: nothing to mark"])},
        12: {1: Mark("warning", ["H12"])},
    }


def _edit(chunk: int) -> tuple[bytes, Styles]:
    styles = Styles(STYLES)
    pieces = [SHEET[i : i + chunk] for i in range(0, len(SHEET), chunk)]
    return b"".join(edit_sheet(pieces, _marks(), styles, "rIdX", True)), styles


@pytest.mark.parametrize("chunk", [1, 7, 64, 10_000])
def test_a_sheet_cut_anywhere_gives_the_same_edit(chunk: int) -> None:
    out, _ = _edit(chunk)
    assert out == _edit(10_000)[0]


def test_marked_cells_get_cloned_formats_and_blank_ones_are_inserted() -> None:
    out, styles = _edit(10_000)
    row2 = re.search(rb'<row r="2".*?</row>', out).group(0)
    assert b"spans" not in row2  # a new cell may lie outside a span hint
    cells = re.findall(rb'<c r="([A-Z]+)2"', row2)
    assert cells == [b"A", b"B", b"C", b"D"]  # C2 inserted in column order
    s_b2 = int(re.search(rb'<c r="B2" s="(\d+)"', row2).group(1))
    s_c2 = int(re.search(rb'<c r="C2" s="(\d+)"/>', row2).group(1))
    rendered = styles.render()
    xfs = re.findall(
        rb"<xf\b[^>]*?(?:/>|>.*?</xf>)",
        re.search(rb"<cellXfs.*?</cellXfs>", rendered, re.S).group(0),
        re.S,
    )
    assert b'numFmtId="14"' in xfs[s_b2] and b"wrapText" in xfs[s_b2]  # the date format kept
    fill_b2 = int(re.search(rb'fillId="(\d+)"', xfs[s_b2]).group(1))
    fill_c2 = int(re.search(rb'fillId="(\d+)"', xfs[s_c2]).group(1))
    fills = re.findall(
        rb"<fill/>|<fill>.*?</fill>",
        re.search(rb"<fills.*?</fills>", rendered, re.S).group(0),
        re.S,
    )
    assert b"FFFF7C80" in fills[fill_b2] and b"FFFFC000" in fills[fill_c2]
    assert b'<fills count="4">' in rendered and b'<cellXfs count="4">' in rendered
    assert b'<c r="A3" t="inlineStr"><is><t> r="3" </t></is></c>' in out  # text is not a row
    assert re.search(rb'<c r="A12" t="inlineStr" s="\d+">', out)
    assert b"tabSelected" not in out
    assert out.index(b"<legacyDrawing") < out.index(b"<tableParts")
    assert b'<mergeCell ref="A1:B1"/>' in out


def test_a_sheet_with_a_legacy_drawing_of_its_own_is_left_to_openpyxl() -> None:
    sheet = SHEET.replace(b"<tableParts/>", b'<legacyDrawing r:id="rId9"/>')
    with pytest.raises(Fallback):
        b"".join(edit_sheet([sheet], _marks(), Styles(STYLES), "rIdX", False))
