"""``mdpoverty classify -o out.xlsx``: the lists a commune posts, laid out like the official forms
(presentation only).

Sheets: "Danh sách hộ" (every household), "Hộ nghèo", "Hộ cận nghèo", and "Hộ NLNDN mức
sống trung bình" (the farm households of average living standard) where the standard has
that band; each with the UBND letterhead of
:mod:`mdpoverty.write.forms_excel`, a title naming the round and the standard, a three-row header
(the indicators numbered as in the law under "Chỉ số thiếu hụt", then the numbered column
row), a bold row per commune, "x" where deprived, the class in Vietnamese, the signature
block, A4 landscape fitted to the width with the header repeated and page numbers. Then
"Tổng hợp" (Form 1's figures per unit, households by class, deprivation shares, with native
charts), "Lỗi" (the issue table) and "Dữ liệu" (the §8 columns with their codes, for
scripts and for ``mdpoverty report --previous``).

The provisional-standard line, when there is one, is row 1 of every sheet. The official
sheets are Vietnamese whatever ``--lang`` (they are the forms the commune posts, like
``report``'s); the issue sheet's headers, severities and messages follow ``lang``.

Written in openpyxl's write-only mode with shared cell styles: 100,000 rows stream.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ..progress import CHUNK, Stage, stage
from .charts import bar_chart
from .excel import _write_sheet
from .forms_excel import BOX, CENTER, LEFT, _font, issuer_of
from .ooxml import sheet_ref
from .tables import neutralise, target_name

FARM_SHEET = "Hộ NLNDN mức sống trung bình"
CLASS_VI = {
    "poor": "Hộ nghèo",
    "near_poor": "Hộ cận nghèo",
    "average": "Hộ có mức sống trung bình",
    "not_poor": "Hộ không nghèo",
    "": "Chưa phân loại (xem Lỗi)",
}
AREA_VI = {"urban": "Thành thị", "rural": "Nông thôn"}
LIST_TITLES = {
    "Danh sách hộ": "DANH SÁCH HỘ GIA ĐÌNH THEO KẾT QUẢ RÀ SOÁT",
    "Hộ nghèo": "DANH SÁCH HỘ NGHÈO",
    "Hộ cận nghèo": "DANH SÁCH HỘ CẬN NGHÈO",
    # Excel caps a sheet name at 31 characters: "Hộ làm NLNDN có mức sống trung bình" is 35
    FARM_SHEET: "DANH SÁCH HỘ LÀM NÔNG NGHIỆP, LÂM NGHIỆP, "
    "NGƯ NGHIỆP VÀ DIÊM NGHIỆP CÓ MỨC SỐNG TRUNG BÌNH",
}
FIXED = [
    ("STT", 6),
    ("Mã hộ", 12),
    ("Họ tên chủ hộ", 22),
    ("Thôn/Bản", 14),
    ("Xã", 16),
    ("Khu vực", 10),
    ("Số nhân khẩu", 8),
    ("Thu nhập BQ (đồng/ người/ tháng)", 12),
]
REDACTED_ID = ("Mã hộ (bí danh)", 20)  # --redact: the keyed pseudonym, no name column
REASON_WIDTH = 44  # the one-line reason, wrapped (mdpoverty.reasons), in a smaller font
REASON_PT = 9
REASON_CHARS = 64  # characters of REASON_PT that fit a line of the column, for row heights
TOP = 8  # first header row: 1 the provisional line, 2–3 letterhead, 5 title, 6 subtitle
HEADER_ROWS = 3
# the annotated survey's path (as a link target) and each issue's cell there, or None
Marked = tuple[str, Sequence[str | None]]
CELL_HEAD = {"vi": "Ô cần sửa", "en": "Cell to fix"}
ISSUE_HEADS = {
    "vi": {
        "sheet": "Trang tính",
        "row": "Dòng",
        "column": "Cột",
        "value": "Giá trị",
        "check": "Mã lỗi",
        "severity": "Mức độ",
        "message": "Nội dung",
        "household_id": "Mã hộ",
        "source": "Tệp",
    },
    "en": {
        "sheet": "Sheet",
        "row": "Row",
        "column": "Column",
        "value": "Value",
        "check": "Check",
        "severity": "Severity",
        "message": "Message",
        "household_id": "Household ID",
        "source": "File",
    },
}
SEVERITY = {
    "vi": {"error": "Lỗi", "warning": "Cảnh báo", "info": "Thông tin"},
    "en": {"error": "Error", "warning": "Warning", "info": "Info"},
}
NOTE_FONT = Font(name="Times New Roman", bold=True, color="C00000", size=11)
UNKNOWN_FILL = PatternFill("solid", fgColor="FFF2CC")
GROUP_FILL = PatternFill("solid", fgColor="EDEDED")
DATE_LINE = "…………, ngày …… tháng …… năm ……"


class _Styles:
    """One styled template cell per kind; data cells copy its style array (fast)."""

    def __init__(self, ws) -> None:
        def make(**kw) -> object:
            c = WriteOnlyCell(ws)
            for k, v in kw.items():
                setattr(c, k, v)
            return c._style

        body = _font(size=11)
        self.text = make(font=body, border=BOX, alignment=LEFT)
        self.center = make(font=body, border=BOX, alignment=CENTER)
        self.number = make(font=body, border=BOX, alignment=CENTER, number_format="0")
        self.income = make(
            font=body,
            border=BOX,
            alignment=Alignment(horizontal="right", vertical="center"),
            number_format="#,##0",
        )
        self.unknown = make(font=body, border=BOX, alignment=CENTER, fill=UNKNOWN_FILL)
        self.group = make(font=_font(True, 11), border=BOX, alignment=LEFT, fill=GROUP_FILL)
        self.head = make(font=_font(True, 11), border=BOX, alignment=CENTER)
        self.numbered = make(font=_font(False, 10, italic=True), border=BOX, alignment=CENTER)
        self.title = make(font=_font(True, 13), alignment=CENTER)
        self.bold = make(font=_font(True), alignment=CENTER)
        self.italic = make(font=_font(italic=True, size=11), alignment=CENTER)
        self.italic_left = make(
            font=_font(True, 11, italic=True), alignment=Alignment(horizontal="left")
        )
        self.bold_text = make(font=_font(True, 11), border=BOX, alignment=LEFT)
        self.bold_number = make(font=_font(True, 11), border=BOX, alignment=CENTER)
        self.bold_rate = make(
            font=_font(True, 11), border=BOX, alignment=CENTER, number_format="0.00"
        )
        self.note = make(font=NOTE_FONT, alignment=Alignment(horizontal="left", wrap_text=True))
        self.rate = make(font=body, border=BOX, alignment=CENTER, number_format="0.00")
        self.reason = make(font=_font(size=REASON_PT), border=BOX, alignment=LEFT)


def _safe(text: str) -> str:
    """One text neutralised as the tables are (formula-like text, control characters)."""
    return str(neutralise(pd.DataFrame({"t": [text]}, dtype=object))["t"].iloc[0])


def _cell(ws, value: object, style) -> WriteOnlyCell:
    c = WriteOnlyCell(ws, value=value)
    c._style = copy(style)
    return c


def _row(ws, width: int, placed: dict[int, tuple[object, object]]) -> list:
    """A row of ``width`` cells; ``placed`` maps a 1-based column to (value, style)."""
    return [_cell(ws, *placed[c]) if c in placed else None for c in range(1, width + 1)]


def _merge(ws, r0: int, c0: int, r1: int, c1: int) -> None:
    if (r0, c0) != (r1, c1):
        ws.merged_cells.add(f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}")


def _top(
    ws,
    st: _Styles,
    width: int,
    note: str,
    issuer: str,
    title: str,
    subtitle: str,
    basis: tuple[str | None, Any] | None = None,
) -> None:
    """Rows 1–7: the provisional line, the letterhead, the title and subtitle (as the forms);
    ``basis`` (text, style): one more line under the subtitle (an agency list's legal basis)."""
    left = max(3, width // 3)
    right0 = max(left + 1, width - max(6, width // 2) + 1)
    if note:  # row heights go before the rows in write-only mode
        ws.row_dimensions[1].height = 30
    ws.row_dimensions[5].height = 22
    if basis is not None:
        ws.row_dimensions[7].height = 32
    ws.append(_row(ws, width, {1: (note or None, st.note)}))
    ws.append(
        _row(
            ws,
            width,
            {
                1: ("ỦY BAN NHÂN DÂN", st.bold),
                right0: ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st.bold),
            },
        )
    )
    ws.append(
        _row(
            ws,
            width,
            {1: (issuer.upper(), st.bold), right0: ("Độc lập - Tự do - Hạnh phúc", st.bold)},
        )
    )
    ws.append([])
    ws.append(_row(ws, width, {1: (title, st.title)}))
    ws.append(_row(ws, width, {1: (subtitle or None, st.italic)}))
    if basis is not None:
        ws.append(_row(ws, width, {1: basis}))
    ws.append([])
    _merge(ws, 1, 1, 1, width)
    for r in (2, 3):
        _merge(ws, r, 1, r, left)
        _merge(ws, r, right0, r, width)
    for r in (5, 6, 7) if basis is not None else (5, 6):
        _merge(ws, r, 1, r, width)


def _signature(ws, st: _Styles, width: int, first_row: int) -> None:
    """The date line and the signature block, as under the forms."""
    left = max(3, width // 3)
    right0 = max(left + 1, width - max(6, width // 2) + 1)
    ws.append([])
    rows = [
        {right0: (DATE_LINE, st.italic)},
        {1: ("NGƯỜI LẬP BIỂU", st.bold), right0: ("TM. ỦY BAN NHÂN DÂN", st.bold)},
        {1: ("(Ký, ghi rõ họ tên)", st.italic), right0: ("CHỦ TỊCH", st.bold)},
        {right0: ("(Ký tên, đóng dấu)", st.italic)},
    ]
    r = first_row + 1
    for placed in rows:
        ws.append(_row(ws, width, placed))
        if 1 in placed:
            _merge(ws, r, 1, r, left)
        _merge(ws, r, right0, r, width)
        r += 1


def _before_rows(ws, freeze: str | None) -> None:
    """What write-only mode writes with the first row: frozen panes, fit to the page."""
    ws.freeze_panes = freeze
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _print_setup(ws, width: int, title_rows: str | None, last_row: int) -> None:
    """What it writes on closing the sheet: the print setup, the footer, the print titles."""
    if title_rows:
        ws.print_title_rows = title_rows
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.print_area = f"A1:{get_column_letter(width)}{last_row}"


def _ordered(hh: pd.DataFrame) -> pd.Index:
    """Positions grouped by commune (its whole path) then village, each in order of first
    appearance, input order within a village."""
    keys = [hh[k].astype("string").fillna("") for k in ("province", "district", "commune")]
    commune = pd.Series(list(zip(*keys, strict=True)), index=hh.index)
    c_rank = pd.factorize(commune)[0]
    village = hh["village"].astype("string").fillna("")
    v_rank = pd.factorize(pd.Series(list(zip(commune, village, strict=True))))[0]
    order = pd.DataFrame({"c": c_rank, "v": v_rank, "i": range(len(hh))})
    return pd.Index(order.sort_values(["c", "v", "i"], kind="stable")["i"].to_numpy())


def _list_sheet(
    wb: Workbook,
    name: str,
    hh: pd.DataFrame,
    extra: pd.DataFrame,
    indicators: Sequence[tuple[str, int, str]],
    *,
    issuer: str,
    subtitle: str,
    note: str,
    progress: Stage,
    names: bool = True,
) -> None:
    ws = wb.create_sheet(name)
    st = _Styles(ws)
    n_ind = len(indicators)
    fixed = FIXED if names else [FIXED[0], REDACTED_ID, *FIXED[3:]]
    width = len(fixed) + n_ind + 3  # + count, class and the one-line reason ("Lý do")
    for i, (_, w) in enumerate(fixed, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    for c in range(len(fixed) + 1, len(fixed) + n_ind + 1):
        ws.column_dimensions[get_column_letter(c)].width = 7.5
    ws.column_dimensions[get_column_letter(width - 2)].width = 9
    ws.column_dimensions[get_column_letter(width - 1)].width = 16
    ws.column_dimensions[get_column_letter(width)].width = REASON_WIDTH
    ws.row_dimensions[TOP].height = 20
    ws.row_dimensions[TOP + 1].height = 78
    _before_rows(ws, f"D{TOP + HEADER_ROWS}")
    _top(ws, st, width, note, issuer, LIST_TITLES[name], subtitle)

    # the header: fixed columns span two rows, the indicators sit under their group
    first_ind = len(fixed) + 1
    r0, r1, r2 = TOP, TOP + 1, TOP + 2
    row0 = {c: (label, st.head) for c, (label, _) in enumerate(fixed, start=1)}
    row0[first_ind] = ("Chỉ số thiếu hụt", st.head)
    row0[width - 2] = ("Tổng số thiếu hụt", st.head)
    row0[width - 1] = ("Phân loại", st.head)
    row0[width] = ("Lý do", st.head)
    row1 = {c: (None, st.head) for c in range(1, width + 1)}
    for j, (_, number, label) in enumerate(indicators):
        row1[first_ind + j] = (f"{number}. {label}", st.head)
    for c in range(1, width + 1):
        row0.setdefault(c, (None, st.head))
    row2 = {c: (str(c), st.numbered) for c in range(1, width + 1)}
    for row in (row0, row1, row2):
        ws.append(_row(ws, width, row))
    for c in [*range(1, first_ind), width - 2, width - 1, width]:
        _merge(ws, r0, c, r1, c)
    _merge(ws, r0, first_ind, r0, first_ind + n_ind - 1)

    order = _ordered(hh)
    hh = neutralise(hh.iloc[order].reset_index(drop=True))
    heads = neutralise(extra[["head_name"]].iloc[order].reset_index(drop=True))["head_name"]
    deps = [hh[f"dep_{code}"] for code, _, _ in indicators]
    dep_vals = [d.astype(object).where(d.notna(), None).to_numpy() for d in deps]
    cls = hh["class"].astype("string").fillna("").to_numpy()
    cols = {
        k: hh[k].astype(object).where(hh[k].notna(), None).to_numpy()
        for k in ("household_id", "village", "commune", "district", "area", "members")
    }
    income = hh["income_per_capita"].astype(object).where(hh["income_per_capita"].notna(), None)
    count = hh["deprivation_count"].astype(object).where(hh["deprivation_count"].notna(), None)
    income, count = income.to_numpy(), count.to_numpy()
    head = heads.astype(object).where(heads.notna(), None).to_numpy()
    reason = (
        neutralise(extra[["reason_vi"]].iloc[order].reset_index(drop=True))["reason_vi"]
        if "reason_vi" in extra
        else pd.Series(pd.NA, index=hh.index, dtype="string")
    )
    # a row is as tall as its wrapped reason (write-only rows do not grow by themselves)
    lines = (reason.astype("string").str.len().fillna(0).to_numpy() // REASON_CHARS) + 1
    heights = np.maximum(15.0, lines * (REASON_PT + 3.0))
    reason = reason.astype(object).where(reason.notna(), None).to_numpy()
    keys = list(
        zip(
            *(hh[k].astype("string").fillna("") for k in ("province", "district", "commune")),
            strict=True,
        )
    )
    r = TOP + HEADER_ROWS
    current = None
    per_commune = pd.Series(keys).value_counts(sort=False) if len(keys) else pd.Series()
    base = progress.done
    for i in range(len(hh)):
        if i % CHUNK == 0 and i:
            progress.set(base + i)
        if keys[i] != current:
            current = keys[i]
            _, district, commune = current
            label = commune or "(không rõ xã)"
            if district:
                label += f" — {district}"
            label += f" ({int(per_commune[current])} hộ)"
            label = _safe(label)  # a commune named "-5" reads "-5 (1 hộ)": not a formula
            ws.append([_cell(ws, label, st.group)] + [_cell(ws, None, st.group)] * (width - 1))
            _merge(ws, r, 1, r, width)
            r += 1
        v = [
            _cell(ws, i + 1, st.number),
            _cell(ws, cols["household_id"][i], st.text),
            _cell(ws, head[i], st.text),
            _cell(ws, cols["village"][i], st.text),
            _cell(ws, cols["commune"][i], st.text),
            _cell(ws, AREA_VI.get(cols["area"][i], cols["area"][i]), st.center),
            _cell(ws, cols["members"][i], st.number),
            _cell(ws, income[i], st.income),
        ]
        if not names:  # --redact: no name column at all, not an empty one
            del v[2]
        for d in dep_vals:
            flag = d[i]
            if flag is None:
                v.append(_cell(ws, "?", st.unknown))
            else:
                v.append(_cell(ws, "x" if flag else None, st.center))
        v.append(_cell(ws, count[i], st.number))
        v.append(_cell(ws, CLASS_VI.get(cls[i], cls[i]), st.text))
        v.append(_cell(ws, reason[i], st.reason))
        ws.row_dimensions[r].height = float(heights[i])
        ws.append(v)
        r += 1
    progress.set(base + len(hh))
    last = r - 1
    ws.auto_filter.ref = f"A{r2}:{get_column_letter(width)}{max(last, r2)}"
    _signature(ws, st, width, last + 1)
    _print_setup(ws, width, f"{r0}:{r2}", last + 6)


def _table(
    ws,
    st: _Styles,
    at: int,
    heads: Sequence[str],
    rows: Sequence[Sequence[object]],
    styles,
    bold: Sequence[bool] = (),
) -> None:
    """A bordered table whose header is row ``at``; ``bold`` rows (totals) in bold."""
    ws.row_dimensions[at].height = 32  # before the row: write-only mode
    ws.append([_cell(ws, h, st.head) for h in heads])
    strong = {id(st.text): st.bold_text, id(st.number): st.bold_number, id(st.rate): st.bold_rate}
    for i, row in enumerate(rows):
        use = [strong.get(id(s), s) for s in styles] if i < len(bold) and bold[i] else styles
        ws.append([_cell(ws, v, s) for v, s in zip(row, use, strict=True)])


def _value(v: object) -> object:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    return v.item() if hasattr(v, "item") else v


def _summary_sheet(
    wb: Workbook,
    result,
    forms: dict[str, pd.DataFrame],
    indicators: Sequence[tuple[str, int, str]],
    *,
    issuer: str,
    subtitle: str,
    note: str,
    band: bool,
) -> None:
    """Form 1's household figures per unit, households by class per commune, and the share
    of poor households deprived in each indicator — each table with its native chart."""
    ws = wb.create_sheet("Tổng hợp")
    st = _Styles(ws)
    width = 10 if band else 8
    widths = [6, 26, 12, 11, 10, 11, 10, 12, 11, 10]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    _before_rows(ws, None)
    _top(ws, st, width, note, issuer, "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO", subtitle)
    r = TOP - 1

    # 1. per unit (Form 1's frame): counts and rates
    f1 = forms.get("1")
    ws.append(_row(ws, width, {1: ("1. Số hộ và tỷ lệ theo đơn vị", st.italic_left)}))
    r += 1
    heads = ["TT", "Phường/ Xã", "Tổng số hộ", "Hộ nghèo", "Tỷ lệ (%)", "Hộ cận nghèo", "Tỷ lệ (%)"]
    cols = ["number", "unit", "households", "poor_households", "poor_household_rate"]
    cols += ["near_poor_households", "near_poor_household_rate"]
    if band:
        heads += ["Hộ NLNDN có MSTB", "Tỷ lệ (%)"]
        cols += ["average_farm_households", "average_farm_household_rate"]
    heads.append("Hộ chưa phân loại")
    cols.append("not_classed")
    styles = [st.number, st.text] + [st.number if "rate" not in c else st.rate for c in cols[2:]]
    rows, bold = [], []
    if f1 is not None:
        for _, row in neutralise(f1).iterrows():
            values = [_value(row.get(c)) for c in cols]
            if row["level"] == "province":
                values[1] = "Tổng cộng"
            rows.append(values)
            bold.append(row["level"] != "commune")
    _table(ws, st, r + 1, heads, rows, styles, bold)
    r += 1 + len(rows)

    # 2. households by class per commune (the summary's counts): chart 1
    ws.append([])
    ws.append(_row(ws, width, {1: ("2. Số hộ theo phân loại", st.italic_left)}))
    r += 2
    summary = result.summary()
    body = summary[summary["commune"] != "all"]
    classes = ["poor", "near_poor", *(["average"] if band else []), "not_poor", "not_classed"]
    heads2 = ["TT", "Phường/ Xã", *(CLASS_VI[c if c != "not_classed" else ""] for c in classes)]
    rows2 = [
        [i + 1, str(b["commune"]) or "(không rõ xã)", *(int(b[c]) for c in classes)]
        for i, (_, b) in enumerate(neutralise(body).iterrows())
    ]
    _table(ws, st, r + 1, heads2, rows2, [st.number, st.text] + [st.number] * len(classes))
    class_head = r + 1
    r += 1 + len(rows2)

    # 3. share of poor households deprived in each indicator (Form 5's total row)
    ws.append([])
    ws.append(_row(ws, width, {1: ("3. Tỷ lệ hộ nghèo thiếu hụt theo chỉ số (%)", st.italic_left)}))
    r += 2
    f5 = forms.get("5")
    total = f5[f5["level"] == "province"].iloc[0] if f5 is not None and len(f5) else None
    rows3 = [
        [number, label, _value(total[f"dep_{code}"]) if total is not None else None]
        for code, number, label in indicators
    ]
    _table(
        ws, st, r + 1, ["TT", "Chỉ số thiếu hụt", "Tỷ lệ (%)"], rows3, [st.number, st.text, st.rate]
    )
    dep_head = r + 1
    r += 1 + len(rows3)

    # the charts below the tables, inside the printed page
    chart_rows = (16 if rows2 else 0) + (18 if rows3 else 0)  # 15-point rows: one A4 page
    _print_setup(ws, width, None, r + 1 + chart_rows)
    ws.row_breaks.append(Break(id=r))  # the charts on a page of their own, not cut in two
    at = r + 2
    if rows2:
        chart = bar_chart(
            ws,
            title="Số hộ theo phân loại, theo xã",
            data=(3, 2 + len(classes), class_head, class_head + len(rows2)),
            categories=(2, 2, class_head + 1, class_head + len(rows2)),
            axis_title="Số hộ",
            size=(22, 7.5),
        )
        ws.add_chart(chart, f"A{at}")
        at += 16
    if rows3:
        chart = bar_chart(
            ws,
            title="Tỷ lệ hộ nghèo thiếu hụt theo chỉ số (%)",
            data=(3, 3, dep_head, dep_head + len(rows3)),
            categories=(2, 2, dep_head + 1, dep_head + len(rows3)),
            horizontal=True,
            size=(22, 8.8),
        )
        ws.add_chart(chart, f"A{at}")


def _issue_sheet(
    wb: Workbook,
    issues: pd.DataFrame,
    lang: str,
    note: str,
    progress: Stage | None = None,
    marked: Marked | None = None,
) -> None:
    heads = ISSUE_HEADS[lang]
    cols = [c for c in heads if c in issues]
    frame = issues[cols].copy()
    links = None
    if marked is not None:  # each issue's cell in the annotated survey, one click away
        target, refs = marked
        sheets = issues["sheet"].astype(object).to_numpy()
        frame.insert(0, "cell", [ref or None for ref in refs])
        cols.insert(0, "cell")
        links = {
            CELL_HEAD[lang]: [
                None if ref is None else Hyperlink("", target=target, location=sheet_ref(s, ref))
                for s, ref in zip(sheets, refs, strict=True)
            ]
        }
        heads = {"cell": CELL_HEAD[lang], **heads}
    sev = SEVERITY[lang]
    severity = issues["severity"].astype("string") if "severity" in issues else None
    if severity is not None:
        frame["severity"] = severity.map(lambda s: sev.get(s, s) if isinstance(s, str) else s)
    frame.columns = [heads[c] for c in cols]
    _write_sheet(
        wb,
        "Lỗi" if lang == "vi" else "Issues",
        frame,
        note=note or None,
        severity=severity,
        links=links,
        progress=progress,
    )


def write_lists(
    result,
    path: str | Path,
    *,
    lang: str = "vi",
    note: str = "",
    marked: Marked | None = None,
    names: bool = True,
) -> None:
    """Write the classify workbook of ``result`` (:class:`mdpoverty.core.Result`) to ``path``;
    ``note``: the provisional-standard line (row 1 of every sheet); ``marked``: the annotated
    survey (its path as the link's target, relative to ``path``'s folder) and each issue's
    cell there (:attr:`~mdpoverty.write.annotate.Annotated.refs`), linked from the issues;
    ``names=False`` (under ``--redact``): no head-of-household column, the ID column headed as
    a pseudonym."""
    from ..reports.batch import report

    std = result.standard
    hh, extra = result.households, result.extra
    if "head_name" not in extra:
        extra = extra.assign(head_name=pd.Series(pd.NA, index=hh.index, dtype="string"))
    indicators = [(c, std.indicators[c].number, std.indicators[c].label_vi) for c in std.codes]
    band = std.income.average_upper is not None
    classed = hh["class"].astype("string").fillna("") != ""
    forms = report(result, form=("1", "5")) if classed.any() else {}
    issuer = _safe(issuer_of(forms["1"])) if forms else ""
    parts = []
    if result.choice is not None:
        r = result.choice.round
        parts.append(
            f"Kỳ rà soát định kỳ cuối năm {r.year} (xác định danh sách năm {r.lists_year})"
            if r.periodic
            else f"Kỳ rà soát thường xuyên năm {r.year} (theo danh sách năm {r.lists_year})"
        )
    parts.append(f"chuẩn {std.id}" + (" (tạm thời)" if std.provisional else ""))
    subtitle = " — ".join(parts)
    cls = hh["class"].astype("string").fillna("")
    farm = hh["agricultural"].astype("boolean").fillna(False).to_numpy(bool)
    lists = {
        "Danh sách hộ": pd.Series(True, index=hh.index),
        "Hộ nghèo": cls == "poor",
        "Hộ cận nghèo": cls == "near_poor",
    }
    if band:
        lists[FARM_SHEET] = (cls == "average") & farm
    wb = Workbook(write_only=True)
    # rows written, counted a chunk at a time: every list, the issues and the data sheet
    keeps = {name: keep.to_numpy(bool) for name, keep in lists.items()}
    rows = sum(int(k.sum()) for k in keeps.values()) + len(result.issues) + len(hh)
    with stage("write", rows, detail=target_name(path)) as progress:
        for name, keep in keeps.items():
            _list_sheet(
                wb,
                name,
                hh[keep].reset_index(drop=True),
                extra[keep].reset_index(drop=True),
                indicators,
                issuer=issuer,
                subtitle=subtitle,
                note=note,
                progress=progress,
                names=names,
            )
        _summary_sheet(
            wb, result, forms, indicators, issuer=issuer, subtitle=subtitle, note=note, band=band
        )
        _issue_sheet(wb, result.issues.reset_index(drop=True), lang, note, progress, marked)
        _write_sheet(wb, "Dữ liệu", hh, note=note or None, progress=progress)
        wb.save(str(path))


__all__ = ["CLASS_VI", "write_lists"]
