"""The official report forms as an xlsx workbook laid out like the paper forms (presentation only).

``shared/domain.md`` §5 and the pictures in ``shared/reference/forms/``: each form on its own
sheet ("Biểu 1" … "Biểu 5") with "ỦY BAN NHÂN DÂN <unit>" top left, the national motto top
right, the title, a two- or three-level header whose last row numbers the columns and gives
their formulas (``4=3/1*100``, ``9=1-2-3-4+5+6+7+8``), one row per unit (districts and the
province total in bold), Forms 2/3 with a "Hộ" and a "Nhân khẩu" row per unit, rates with two
decimals, borders, frozen panes and an A4 landscape print setup repeating the header rows.

The frames come from :func:`mdpoverty.reports.batch.report`; nothing here computes a figure.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..progress import stage
from ..read.survey import neutralise
from ..reports.units import GONE_UNIT, NO_DISTRICT
from .forms_excel_more import (
    CLASS_VI,
    NOTES_MORE,
    TITLES_MORE,
    UNVERIFIED_NOTE,
    layout,
    list_issuer,
    list_sheet,
)
from .tables import target_name

FONT_NAME = "Times New Roman"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
CENTER_NUMBER = Alignment(horizontal="center", vertical="center")
PAGE_FOOTER = "Trang &P/&N"
COUNT_FORMAT = "0"
RATE_FORMAT = "0.00"
HEADER_TOP = 7  # first header row (rows 1–2 letterhead, 4–5 title)
SHEET_NAMES = {str(f): f"Biểu {f}" for f in range(1, 16)}
UNIT_HEADER = "Phường/ Xã"
SUB_HEADERS = {"Số hộ", "Nhân khẩu", "Số khẩu", "Tỷ lệ (%)"}

TITLES = {
    "1": "TỔNG HỢP KẾT QUẢ CHÍNH THỨC RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO; "
    "HỘ LÀM NÔNG, LÂM, NGƯ NGHIỆP CÓ MỨC SỐNG TRUNG BÌNH",
    "2": "TỔNG HỢP DIỄN BIẾN HỘ NGHÈO",
    "3": "TỔNG HỢP DIỄN BIẾN HỘ CẬN NGHÈO",
    "4": "PHÂN TÍCH CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ NGHÈO",
    "5": "PHÂN TÍCH TỶ LỆ CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ NGHÈO",
}
TITLES |= TITLES_MORE
LEVEL_PREFIX = {"province": "TỈNH", "district": "HUYỆN", "commune": "XÃ"}
MEASURE_VI = {"households": "Hộ", "persons": "Nhân khẩu", **CLASS_VI}
#: The column naming the several rows of a unit (Forms 2/3, 8–11), if any.
GROUP_COLUMNS = ("measure", "class", "ethnicity")


@dataclass(frozen=True)
class Head:
    """A header cell: rows and columns are 0-based offsets in the header block, inclusive."""

    text: str
    row: int
    col: int
    last_row: int | None = None
    last_col: int | None = None


def _form1_header() -> tuple[list[Head], int]:
    h = [
        Head("TT", 0, 0, 2),
        Head(UNIT_HEADER, 0, 1, 2),
        Head("Tổng số hộ dân cư\n(tại thời điểm rà soát)", 0, 2, 1, 3),
        Head("Kết quả rà soát về hộ (chính thức)", 0, 4, 0, 9),
        Head("Kết quả rà soát về khẩu (chính thức)", 0, 10, 0, 15),
        Head("Tổng số hộ nghèo", 1, 4, None, 5),
        Head("Tổng số hộ cận nghèo", 1, 6, None, 7),
        Head("Tổng số hộ nông, lâm, ngư nghiệp có mức sống trung bình", 1, 8, None, 9),
        Head("Tổng số khẩu nghèo", 1, 10, None, 11),
        Head("Tổng số khẩu cận nghèo", 1, 12, None, 13),
        Head("Tổng số khẩu hộ nông, lâm, ngư nghiệp có mức sống trung bình", 1, 14, None, 15),
        Head("Số hộ", 2, 2),
        Head("Nhân khẩu", 2, 3),
    ]
    for i, (count, share) in enumerate(
        [("Số hộ", "Tỷ lệ (%)")] * 3 + [("Số khẩu", "Tỷ lệ (%)")] * 3
    ):
        h += [Head(count, 2, 4 + 2 * i), Head(share, 2, 5 + 2 * i)]
    numbers = ["A", "B", "1", "2", "3", "4=3/1*100", "5", "6=5/1*100", "7", "8=7/1*100", "9"]
    numbers += ["10=9/2*100", "11", "12=11/2*100", "13", "14=13/2*100"]
    h += [Head(t, 3, i) for i, t in enumerate(numbers)]
    return h, 4


def _change_header(form: str) -> tuple[list[Head], int]:
    poor = form == "2"
    what = "hộ nghèo" if poor else "hộ cận nghèo"
    h = [
        Head("TT", 0, 0, 2),
        Head(UNIT_HEADER, 0, 1, 2),
        Head("Phân tổ", 0, 2, 2),
        Head(f"Tổng số {what} đầu kỳ", 0, 3, 2),
        Head(f"Diễn biến giảm số {what}", 0, 4, 0, 6),
        Head(f"Diễn biến tăng số {what}", 0, 7, 0, 10),
        Head(f"Tổng số {what} cuối kỳ", 0, 11, 2),
    ]
    if poor:
        h += [
            Head("Số hộ thoát nghèo", 1, 4, None, 5),
            Head("Trở thành hộ cận nghèo", 2, 4),
            Head("Vượt chuẩn cận nghèo", 2, 5),
            Head(
                "Số hộ khác: thay đổi nhân khẩu, hộ nghèo đơn thân chết, chuyển đi nơi khác, "
                "tách, nhập hộ",
                1,
                6,
                2,
            ),
            Head("Số hộ cận nghèo trở thành hộ nghèo", 1, 7, 2),
            Head("Số hộ nghèo bổ sung trong kỳ", 1, 8, None, 9),
            Head("Tái nghèo", 2, 8),
            Head("Phát sinh mới", 2, 9),
            Head("Số hộ khác: thay đổi nhân khẩu, chuyển đến, tách, nhập hộ", 1, 10, 2),
        ]
    else:
        h += [
            Head("Số hộ thoát cận nghèo", 1, 4, 2),
            Head("Số hộ cận nghèo trở thành hộ nghèo", 1, 5, 2),
            Head(
                "Số hộ khác: thay đổi nhân khẩu, hộ đơn thân chết, chuyển đi nơi khác, tách, "
                "nhập với hộ khác",
                1,
                6,
                2,
            ),
            Head("Số hộ nghèo trở thành hộ cận nghèo", 1, 7, 2),
            Head("Số hộ bổ sung", 1, 8, None, 9),
            Head("Tái cận nghèo", 2, 8),
            Head("Phát sinh mới", 2, 9),
            Head("Số hộ khác: thay đổi nhân khẩu, chuyển đến, tách, nhập với hộ khác", 1, 10, 2),
        ]
    numbers = ["A", "B", "C", *map(str, range(1, 9)), "9=1-2-3-4+5+6+7+8"]
    h += [Head(t, 3, i) for i, t in enumerate(numbers)]
    return h, 4


# ------------------------------------------------------------------------------- cells


def _font(bold: bool = False, size: float = 12, italic: bool = False) -> Font:
    return Font(name=FONT_NAME, bold=bold, size=size, italic=italic)


def _merge(ws: Worksheet, r0: int, c0: int, r1: int, c1: int, text: str, **style) -> None:
    cell = ws.cell(row=r0, column=c0, value=text)
    for k, v in style.items():
        setattr(cell, k, v)
    if (r0, c0) != (r1, c1):
        ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)


def _letterhead(ws: Worksheet, width: int, issuer: str, title: str, subtitle: str) -> None:
    left = max(3, width // 3)
    right0 = max(left + 1, width - max(6, width // 2) + 1)
    _merge(ws, 1, 1, 1, left, "ỦY BAN NHÂN DÂN", font=_font(True), alignment=CENTER)
    _merge(ws, 2, 1, 2, left, issuer.upper(), font=_font(True), alignment=CENTER)
    _merge(
        ws,
        1,
        right0,
        1,
        width,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        font=_font(True),
        alignment=CENTER,
    )
    _merge(
        ws, 2, right0, 2, width, "Độc lập - Tự do - Hạnh phúc", font=_font(True), alignment=CENTER
    )
    _merge(ws, 4, 1, 4, width, title, font=_font(True, 13), alignment=CENTER)
    if subtitle:
        _merge(ws, 5, 1, 5, width, subtitle, font=_font(italic=True), alignment=CENTER)
    ws.row_dimensions[4].height = 36


def _header(ws: Worksheet, heads: list[Head], rows: int, width: int) -> None:
    top = HEADER_TOP
    for r in range(top, top + rows):
        for c in range(1, width + 1):
            cell = ws.cell(row=r, column=c)
            cell.border = BOX
            cell.alignment = CENTER
    for h in heads:
        numbered = h.row == rows - 1 and rows > 3
        sub = h.text in SUB_HEADERS  # "Số hộ", "Tỷ lệ (%)" …: bold italic, as on Form 1
        _merge(
            ws,
            top + h.row,
            1 + h.col,
            top + (h.last_row if h.last_row is not None else h.row),
            1 + (h.last_col if h.last_col is not None else h.col),
            h.text,
            font=_font(not numbered, 11, italic=numbered or sub),
            alignment=CENTER,
            border=BOX,
        )
    # borders on every cell of a merged range (openpyxl styles only the top-left one)
    for rng in ws.merged_cells.ranges:
        if rng.min_row >= top:
            for row in ws.iter_rows(
                min_row=rng.min_row, max_row=rng.max_row, min_col=rng.min_col, max_col=rng.max_col
            ):
                for cell in row:
                    cell.border = BOX


def _unit_text(row: pd.Series, name_total: bool = True) -> str:
    unit = "" if pd.isna(row["unit"]) else str(row["unit"])
    if row["level"] == "province":
        return f"Tổng cộng ({unit})" if unit and name_total else "Tổng cộng"
    return unit or "(không rõ)"


def _value(v: object) -> object:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def _rows(
    ws: Worksheet,
    frame: pd.DataFrame,
    columns: Sequence[str],
    start: int,
    *,
    measure: bool | str,
    rate_columns: set[str],
    name_total: bool = True,
) -> int:
    """Write the unit rows from ``start``; return the last row written. ``measure``: the
    column naming a unit's several rows (``True``: "measure"), whose labels go in column C
    under the unit's number and name, merged over its rows."""
    group = "measure" if measure is True else (measure or None)
    frame = neutralise(frame.reset_index(drop=True))
    first_data_col = 4 if group else 3
    unit_key = frame[["number", "level", "unit", "parent"]].astype("string").fillna("")
    joined = unit_key.agg("\x1f".join, axis=1).to_numpy(dtype=object)
    r = start
    for i in range(len(frame)):
        row = frame.iloc[i]
        bold = row["level"] != "commune"
        size = 12 if bold else 11
        labelled = row["unit"] in (GONE_UNIT, NO_DISTRICT)  # a group, not a unit: in italics
        if not group or i == 0 or joined[i] != joined[i - 1]:
            span = 0
            while group and i + span + 1 < len(frame) and joined[i + span + 1] == joined[i]:
                span += 1
            number = "" if pd.isna(row["number"]) else str(row["number"])
            _merge(ws, r, 1, r + span, 1, number, font=_font(bold, size), alignment=LEFT)
            _merge(
                ws,
                r,
                2,
                r + span,
                2,
                _unit_text(row, name_total),
                font=_font(bold, size, italic=labelled),
                alignment=LEFT,
            )
            for rr in range(r, r + span + 1):
                ws.cell(row=rr, column=1).border = BOX
                ws.cell(row=rr, column=2).border = BOX
        if group:
            value = row[group]
            text = MEASURE_VI.get(str(value), value) if group != "ethnicity" else value
            cell = ws.cell(row=r, column=3, value=_value(text))
            cell.font, cell.alignment, cell.border = _font(bold, size), CENTER, BOX
        for j, col in enumerate(columns):
            cell = ws.cell(row=r, column=first_data_col + j, value=_value(row[col]))
            # figures centred, as on the province's forms
            cell.font, cell.border, cell.alignment = _font(bold, size), BOX, CENTER_NUMBER
            cell.number_format = RATE_FORMAT if col in rate_columns else COUNT_FORMAT
        r += 1
    return r - 1


def _footer(
    ws: Worksheet,
    row: int,
    width: int,
    frame: pd.DataFrame,
    date_line: str,
    remarks: Sequence[str] = (),
) -> None:
    left = max(3, width // 3)
    right0 = max(left + 1, width - max(6, width // 2) + 1)
    r = row + 2
    for text in remarks:
        _merge(
            ws,
            r,
            1,
            r,
            width,
            f"Ghi chú: {text}.",
            font=_font(italic=True, size=11),
            alignment=LEFT,
        )
        ws.row_dimensions[r].height = 30
        r += 1
    if remarks:
        r += 1
    frame = _per_unit(frame)
    notes = frame[(frame["level"] == "commune") & (frame.get("not_classed", 0) > 0)]
    if len(notes):
        names = notes["unit"].astype("string").fillna("").replace("", "(không rõ xã)")
        same = names.duplicated(keep=False).to_numpy(bool)  # one name, two units: say whose
        names = names.where(~same, names + " (" + notes["parent"].astype("string") + ")")
        parts = ", ".join(
            f"{u} {int(n)} hộ" for u, n in zip(names, notes["not_classed"], strict=True)
        )
        total = int(notes["not_classed"].sum())
        text = (
            f"Ghi chú: {total} hộ chưa phân loại được do lỗi dữ liệu, không tính vào biểu "
            f"({parts}); xem trang “Hộ chưa phân loại”."
        )
        _merge(ws, r, 1, r, width, text, font=_font(italic=True, size=11), alignment=LEFT)
        r += 2
    _merge(ws, r, right0, r, width, date_line, font=_font(italic=True), alignment=CENTER)
    r += 1
    _merge(ws, r, 1, r, left, "NGƯỜI LẬP BIỂU", font=_font(True), alignment=CENTER)
    _merge(ws, r, right0, r, width, "TM. ỦY BAN NHÂN DÂN", font=_font(True), alignment=CENTER)
    _merge(
        ws,
        r + 1,
        1,
        r + 1,
        left,
        "(Ký, ghi rõ họ tên)",
        font=_font(italic=True, size=11),
        alignment=CENTER,
    )
    _merge(
        ws,
        r + 1,
        right0,
        r + 1,
        width,
        "(Ký tên, đóng dấu)",
        font=_font(italic=True, size=11),
        alignment=CENTER,
    )


def _per_unit(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per unit with its households not classed: a form with several rows per unit
    repeats the count on each (by class) or splits it (by ethnic group: summed)."""
    if "not_classed" not in frame:
        return frame
    keys = ["number", "level", "unit", "parent"]
    if "ethnicity" in frame:
        nc = frame.groupby(keys, sort=False, dropna=False)["not_classed"].sum().reset_index()
        return nc
    if any(c in frame for c in GROUP_COLUMNS):
        return frame.drop_duplicates(keys)
    return frame


# (header row heights from the top, width of the figure columns) per form
SIZES = {
    "1": ((36, 48, 32, 18), 10),
    "2": ((36, 40, 80, 30), 11),
    "3": ((36, 40, 80, 30), 11),
    "4": ((36, 62, 18), 10),
    "5": ((36, 62, 18), 9),
    "6": ((36, 62, 18), 10),
    "7": ((36, 62, 18), 9),
    "8": ((30, 40, 40, 18), 11),
    "9": ((36, 24, 18), 11),
    "10": ((30, 40, 40, 18), 10),
    "11": ((30, 40, 40, 18), 11),
    "12": ((30, 30, 50, 18), 11),
    "13": ((30, 30, 50, 18), 11),
}


def _sizes(ws: Worksheet, form: str, rows: int, width: int, measure: bool) -> None:
    heights, figure_width = SIZES[form]
    for i, h in enumerate(heights[:rows]):
        ws.row_dimensions[HEADER_TOP + i].height = h
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 26
    for c in range(3, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = figure_width
    if measure:
        ws.column_dimensions["C"].width = 11


def _print_setup(ws: Worksheet, header_rows: int, freeze_col: int, width: int) -> None:
    first_data = HEADER_TOP + header_rows
    ws.freeze_panes = ws.cell(row=first_data, column=freeze_col)
    ws.print_title_rows = f"{HEADER_TOP}:{first_data - 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_area = f"A1:{get_column_letter(width)}{ws.max_row}"
    ws.oddFooter.center.text = PAGE_FOOTER


def _chart(
    ws: Worksheet, form: str, frame: pd.DataFrame, cols: list[str], first: int, width: int
) -> None:
    """Form 1: the poor and near-poor household rates per unit; Form 5: the share of poor
    households deprived in each indicator (the total row). A native chart beside the form,
    outside its print area, so the printed form stays the province's."""
    from .charts import bar_chart

    levels = frame["level"].astype("string").fillna("").to_numpy()
    anchor = f"{get_column_letter(width + 2)}{HEADER_TOP}"
    if form == "1" and {"poor_household_rate", "near_poor_household_rate"} <= set(cols):
        units = [i for i, lv in enumerate(levels) if lv != "province"]
        if not units:
            return
        poor = 3 + cols.index("poor_household_rate")
        near = 3 + cols.index("near_poor_household_rate")
        r0, r1 = first + units[0], first + units[-1]
        chart = bar_chart(
            ws,
            title="Tỷ lệ hộ nghèo, hộ cận nghèo theo đơn vị (%)",
            data=(poor, poor, r0, r1),
            categories=(2, 2, r0, r1),
            names=("Tỷ lệ hộ nghèo",),
            size=(24, 11),
        )
        from openpyxl.chart import Reference
        from openpyxl.chart.legend import Legend
        from openpyxl.chart.series import SeriesLabel

        chart.add_data(Reference(ws, min_col=near, max_col=near, min_row=r0, max_row=r1))
        chart.series[-1].tx = SeriesLabel(v="Tỷ lệ hộ cận nghèo")
        chart.legend = Legend()
        chart.y_axis.title = "%"
        ws.add_chart(chart, anchor)
    elif form == "5":
        deps = [i for i, c in enumerate(cols) if c.startswith("dep_")]
        total = [i for i, lv in enumerate(levels) if lv == "province"]
        if not deps or not total:
            return
        c0, c1 = 3 + deps[0], 3 + deps[-1]
        row = first + total[-1]
        chart = bar_chart(
            ws,
            title="Tỷ lệ hộ nghèo thiếu hụt theo chỉ số (%)",
            data=(c0, c1, row, row),
            categories=(c0, c1, HEADER_TOP + 1, HEADER_TOP + 1),
            names=("Tỷ lệ hộ nghèo thiếu hụt (%)",),
            from_rows=True,
            horizontal=True,
            size=(22, 12),
        )
        ws.add_chart(chart, anchor)


def issuer_of(frame: pd.DataFrame) -> str:
    """The unit that signs the report: the province when it spans several districts (or,
    without districts, several communes: the two-tier map of §2b), the district when it
    spans several communes, else the one commune ("XÃ …", "PHƯỜNG …", "ĐẶC KHU …"). The row
    of households of units gone in the reform is not a unit of the report."""
    return _issuer(frame)[0]


def _issuer(frame: pd.DataFrame) -> tuple[str, str]:
    """(the issuer's name in capitals, its level); ("", "") for several provinces."""
    levels = frame.drop_duplicates(["level", "unit", "parent"])
    levels = levels[levels["unit"] != GONE_UNIT]
    count = levels["level"].value_counts()
    provinces, districts = count.get("province", 0), count.get("district", 0)
    communes = count.get("commune", 0)
    if provinces == 1 and (districts > 1 or (districts == 0 and communes > 1)):
        level = "province"
    elif districts == 1 and communes > 1:
        level = "district"
    elif communes == 1:
        level = "commune"
    else:
        return "", ""
    name = str(levels.loc[levels["level"] == level, "unit"].iloc[0])
    return _upper_unit(name, level), level


# Names of units already carry their kind ("Xã …", "Phường …", "Đặc khu …", "Thành phố …").
KNOWN_KINDS = (
    "TỈNH",
    "THÀNH PHỐ",
    "HUYỆN",
    "QUẬN",
    "THỊ XÃ",
    "XÃ",
    "PHƯỜNG",
    "THỊ TRẤN",
    "ĐẶC KHU",
)


def _upper_unit(name: str, level: str) -> str:
    """The unit's name in capitals for the letterhead, its kind added only when missing."""
    text = " ".join(unicodedata.normalize("NFC", name).split())
    if not text:
        return ""
    up = text.upper()
    return up if up.startswith(KNOWN_KINDS) else f"{LEVEL_PREFIX[level]} {up}"


UNCLASSED_SHEET = "Hộ chưa phân loại"  # the households left out of the counts, with why


def write_forms(
    forms: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    indicators: Sequence[tuple[int, str]] | None = None,
    issuer: str | None = None,
    subtitle: str = "",
    issues: pd.DataFrame | None = None,
    date_line: str = "…………, ngày …… tháng …… năm ……",
    notes: Mapping[str, Sequence[str]] | None = None,
    services: Sequence[str] | None = None,
) -> None:
    """Write each form frame to its sheet ("Biểu 1" … "Biểu 15"), laid out like the official
    forms.

    ``indicators``: (number, Vietnamese label) per indicator, in the frames' ``dep_*`` order
    (Forms 4–7 headers). ``services``: the Vietnamese labels of the standard's services, in
    the order of Forms 12/13's ``service_*`` columns. ``issuer``: the unit under "ỦY BAN NHÂN
    DÂN" (default: see :func:`issuer_of`, taken from the first form so every sheet has the
    same). ``issues``: the households left out, on a sheet "Hộ chưa phân loại". ``notes``:
    lines written under a form's table, by form (e.g. why Form 1's average columns are empty).
    """
    tables = {k: v for k, v in forms.items() if k not in ("14", "15")}
    first_table = next(iter(tables.values())) if tables else None
    if issuer is None:
        issuer = issuer_of(first_table) if first_table is not None else list_issuer(forms)
    wb = Workbook()
    wb.remove(wb.active)
    sheets = len(forms) + int(issues is not None and len(issues) > 0)
    with stage("write", sheets, unit="sheets", detail=target_name(path)) as progress:
        _write_forms(
            wb,
            forms,
            indicators,
            issuer,
            subtitle,
            issues,
            date_line,
            notes,
            services,
            progress,
            first_table,
        )
        wb.save(str(path))


def _write_forms(
    wb, forms, indicators, issuer, subtitle, issues, date_line, notes, services, progress, first
):
    """The sheets of :func:`write_forms`, one form at a time (``progress`` counts them);
    ``first``: the first tidy form (not a list), whose unit levels say who signs."""
    level = _issuer(first)[1] if first is not None else ""
    # the last row totals the province only in a province's report: else it is the total
    # of the district or the commune that signs (the province row of the tidy frame)
    name_total = level in ("province", "")
    for form, frame in forms.items():
        ws = wb.create_sheet(SHEET_NAMES[form])
        remarks = list((notes or {}).get(form, ()))
        if int(form) >= 6:
            remarks += [t for t in (NOTES_MORE.get("12" if form == "13" else form),) if t]
            remarks.append(UNVERIFIED_NOTE)
        if form in ("14", "15"):
            list_sheet(ws, form, frame, issuer, subtitle, date_line, remarks, indicators)
            progress.advance()
            continue
        who = issuer if issuer is not None else issuer_of(frame)
        group = next((c for c in GROUP_COLUMNS if c in frame), None)
        data_cols = [
            c
            for c in frame.columns
            if c not in ("number", "level", "unit", "parent", "not_classed")
            and c not in GROUP_COLUMNS
        ]
        heads, rows, rates = layout(form, data_cols, indicators, services)
        freeze = 4 if group else 3
        width = (4 if group else 3) + len(data_cols) - 1
        _letterhead(ws, width, who, TITLES[form], subtitle)
        _header(ws, heads, rows, width)
        last = _rows(
            ws,
            frame,
            data_cols,
            HEADER_TOP + rows,
            measure=group or False,
            rate_columns=rates,
            name_total=name_total,
        )
        _footer(ws, last, width, frame, date_line, remarks)
        _sizes(ws, form, rows, width, bool(group))
        if group == "ethnicity":
            ws.column_dimensions["C"].width = 16
        _print_setup(ws, rows, freeze, width)
        _chart(ws, form, frame, data_cols, HEADER_TOP + rows, width)
        progress.advance()
    if issues is not None and len(issues):
        _issues_sheet(wb, issues)
        progress.advance()


def _issues_sheet(wb: Workbook, issues: pd.DataFrame) -> None:
    ws = wb.create_sheet(UNCLASSED_SHEET)
    cols = [
        c
        for c in ("source", "sheet", "row", "column", "household_id", "value", "message")
        if c in issues
    ]
    heads = {
        "source": "Tệp",
        "sheet": "Trang",
        "row": "Dòng",
        "column": "Cột",
        "household_id": "Mã hộ",
        "value": "Giá trị",
        "message": "Lỗi",
    }
    for j, c in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=j, value=heads[c])
        cell.font, cell.border, cell.alignment = _font(True, 11), BOX, CENTER
        ws.column_dimensions[get_column_letter(j)].width = 60 if c == "message" else 16
    body = neutralise(issues[cols].reset_index(drop=True))
    for i in range(len(body)):
        for j, c in enumerate(cols, start=1):
            cell = ws.cell(row=i + 2, column=j, value=_value(body.at[i, c]))
            cell.font, cell.border = _font(size=11), BOX
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.oddFooter.center.text = PAGE_FOOTER
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


__all__ = ["SHEET_NAMES", "TITLES", "issuer_of", "write_forms"]
