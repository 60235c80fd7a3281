"""An empty survey workbook to hand to village heads: the §7 contract, with its checks built in.

Most errors mdpoverty reports are made at data entry: a code typed in a variant nobody reads,
"co" for "Có", a date as 2024.10.03, an ID that Excel turned into a number and lost its
leading zeros. The template prevents them where Excel can: every coded column is a
dropdown of the official labels, yes/no columns a Có/Không dropdown, dates and amounts are
validated as they are typed, IDs are text cells. Header cells carry a note saying what the
column takes, and a sheet "Hướng dẫn" lists every column. The headers are the Vietnamese
labels of :mod:`mdpoverty.law.schema`, so the filled workbook reads back with no header issue.

Presentation only: the lists come from :data:`mdpoverty.law.schema.VOCAB`, the columns from
:data:`mdpoverty.law.schema.SHEETS`, the indicators from the standard file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..law.schema import (
    GROUP_COLUMNS,
    HOUSEHOLDS,
    MEMBERS,
    VOCAB,
    Column,
    Sheet,
    expected_text,
    label,
)
from ..law.standards import Standard
from .excel import HEADER_BORDER

#: Rows prepared (validated, formatted) below the header: a large commune's households, and
#: about five members each.
ROWS = {"households": 10_000, "members": 50_000}
YES_NO = ("Có", "Không")
LISTS_SHEET = "Danh mục"
GUIDE_SHEET = "Hướng dẫn"

# Household columns shown by default: all of the contract's but these. The alternatives to
# "Loại nhà" (the three durability flags) and the reviewer's dep_* overrides are in a
# collapsed group at the right, present with their exact headers for whoever needs them;
# the members count (a members sheet is given) and the sample-design columns (a commune
# review is a census) are left out. The optional group columns (causes of poverty, support
# needs and received, no labour capacity, local ethnic minority) are a collapsed group of
# their own, after "Hộ dân tộc thiểu số" (COLLAPSED).
GROUPED = ("durable_walls", "durable_pillars", "durable_roof")
COLLAPSED = frozenset(GROUP_COLUMNS)
LEFT_OUT = ("member_count", "sample_weight", "stratum", "psu")
SHOWN = tuple(
    c
    for c in HOUSEHOLDS.names
    if c not in GROUPED and c not in LEFT_OUT and not c.startswith("dep_")
)

REQUIRED_FILL = PatternFill("solid", fgColor="F4B183")
SHOWN_FILL = PatternFill("solid", fgColor="DDEBF7")
GROUPED_FILL = PatternFill("solid", fgColor="E7E6E6")

NOTES = {
    "household_id": "Mã duy nhất của hộ, giữ nguyên qua các kỳ rà soát (nhập dạng văn bản).",
    "commune": "Bắt buộc.",
    "area": "Bắt buộc: Nông thôn hoặc Thành thị.",
    "survey_date": "Ngày rà soát, dd/mm/yyyy (để trống thì dùng --as-of khi chạy).",
    "income_per_capita": "Đồng/người/tháng. Nhập một trong ba: thu nhập bình quân, tổng "
    "thu nhập 12 tháng, hoặc điểm A.",
    "household_income_12m": "Đồng, cả hộ, 12 tháng qua (chia 12 và chia số nhân khẩu).",
    "income_score": "Điểm A (B1) của phiếu, khi không có số thu nhập.",
    "deprivation_score": "Điểm B (B2), không bắt buộc: mdpoverty đối chiếu với các chỉ số.",
    "poverty_exit_date": "Lần gần nhất hộ thoát nghèo/cận nghèo (ngày hoặc năm), để biết tái "
    "nghèo.",
    "previous_class": "Phân loại chính thức đầu kỳ, khi không có tệp kỳ trước.",
    "birth_date": "dd/mm/yyyy, hoặc chỉ năm sinh.",
    "ethnicity": "Tên dân tộc (Kinh, Tày, Mông…).",
    "malnourished": "Trẻ dưới 16 tuổi.",
    "no_labour_capacity": "Để trống: mdpoverty suy ra từ trang Thành viên (không ai trong tuổi "
    "lao động có khả năng lao động). Chỉ điền khi Ban rà soát xác định.",
    "local_ethnic": "Hộ đồng bào dân tộc thiểu số tại chỗ (theo xác định của xã).",
    "waste_disposal": "Hình thức xử lý rác thải sinh hoạt của hộ. Chuẩn chưa công bố ngưỡng "
    "nên cột này chưa dùng để tính: cột 'Thiếu hụt xử lý rác thải' quyết định.",
}
REPORTED_NOTE = (
    "Bắt buộc: chuẩn chưa có cách tính chỉ số này từ phiếu, Ban rà soát đánh giá hộ có thiếu "
    "hụt hay không (Có/Không)."
)
DEP_NOTE = (
    "Để trống: mdpoverty tự xác định. Chỉ điền khi Ban rà soát đánh giá khác (điền sẽ thay "
    "giá trị tự xác định)."
)


def _used(col: Column, std: Standard) -> bool:
    """A column tied to an indicator is templated only under a standard that has it."""
    return col.indicator is None or col.indicator in std.indicators


def _columns(sheet: Sheet, std: Standard) -> tuple[list[Column], list[Column]]:
    """(shown, grouped) columns of ``sheet`` for the standard's indicators. The reviewer's
    column of an indicator the survey cannot derive (rule ``reported``, e.g. waste treatment
    under 2027–2030) decides it, so it is shown, after the columns of the same indicator."""
    if sheet is MEMBERS:
        return [c for c in sheet.columns if _used(c, std)], []
    shown = [sheet.column(c) for c in SHOWN if _used(sheet.column(c), std)]
    deps = [sheet.column(f"dep_{code}") for code in std.codes if f"dep_{code}" in sheet.names]
    decided = [d for d in deps if _reported(d, std)]
    for dep in decided:
        code = dep.name.removeprefix("dep_")
        same = [i for i, c in enumerate(shown) if c.indicator == code]
        shown.insert(same[-1] + 1 if same else len(shown), dep)
    grouped = [d for d in deps if d not in decided]
    return shown, [*(sheet.column(c) for c in GROUPED), *grouped]


def _reported(col: Column, std: Standard) -> bool:
    """The reviewer's column of an indicator the survey cannot derive: needed for every
    household."""
    ind = std.indicators.get(col.name.removeprefix("dep_")) if col.name.startswith("dep_") else None
    return ind is not None and ind.rule == "reported"


def _required(col: Column, std: Standard) -> bool:
    return col.required or _reported(col, std)


def _note(col: Column, std: Standard) -> str:
    if not col.name.startswith("dep_"):
        return NOTES.get(col.name, "")
    return REPORTED_NOTE if _reported(col, std) else DEP_NOTE


def _lists_sheet(wb: Workbook) -> dict[str, str]:
    """The hidden sheet of dropdown lists; vocab -> its range formula."""
    ws = wb.create_sheet(LISTS_SHEET)
    ranges: dict[str, str] = {}
    vocabs = sorted({c.vocab for s in (HOUSEHOLDS, MEMBERS) for c in s.columns if c.vocab})
    for j, vocab in enumerate(vocabs, start=1):
        letter = get_column_letter(j)
        ws.cell(1, j, vocab)
        labels = [label(vocab, code) for code in VOCAB[vocab]]
        for i, text in enumerate(labels, start=2):
            ws.cell(i, j, text)
        ranges[vocab] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(labels) + 1}"
    ws.sheet_state = "hidden"
    return ranges


def _validation(col: Column, lists: dict[str, str]) -> DataValidation | None:
    title, prompt = col.label_vi[:32], expected_text(col).vi
    if col.kind == "code" and col.vocab:
        dv = DataValidation(type="list", formula1=f"={lists[col.vocab]}")
    elif col.kind == "bool":
        dv = DataValidation(type="list", formula1=f'"{",".join(YES_NO)}"')
    elif col.kind == "date":
        dv = DataValidation(type="date", operator="between", formula1="1", formula2="73051")
        prompt = "ngày dd/mm/yyyy"
    elif col.kind == "number" and col.min_value is not None:
        dv = DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1=str(col.min_value)
        )
    else:
        return None
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.errorStyle = "stop"
    dv.errorTitle = title
    dv.error = f"Giá trị không hợp lệ. Cần: {prompt}"[:255]
    dv.showInputMessage = True
    dv.promptTitle = title
    dv.prompt = prompt[:255]
    return dv


def _data_sheet(
    ws: Worksheet, sheet: Sheet, std: Standard, lists: dict[str, str], rows: int
) -> list[Column]:
    shown, grouped = _columns(sheet, std)
    columns = [*shown, *grouped]
    last = rows + 1
    for j, col in enumerate(columns, start=1):
        letter = get_column_letter(j)
        cell = ws.cell(1, j, col.label_vi)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = HEADER_BORDER
        fill = GROUPED_FILL if col in grouped or col.name in COLLAPSED else SHOWN_FILL
        cell.fill = REQUIRED_FILL if _required(col, std) else fill
        note = _note(col, std)
        text = f"{col.label_vi} ({col.name}){' — bắt buộc' if _required(col, std) else ''}\n"
        text += f"Nhập: {expected_text(col).vi}" + (f"\n{note}" if note else "")
        cell.comment = Comment(text, "mdpoverty", width=300, height=120)
        dim = ws.column_dimensions[letter]
        dim.width = min(max(len(col.label_vi) * 0.9, 12), 32)
        if col.kind in ("id", "text"):
            dim.number_format = "@"  # IDs stay text: "007" keeps its zeros
        elif col.kind == "date":
            dim.number_format = "DD/MM/YYYY"
        elif col.kind == "number":
            dim.number_format = "#,##0"
        dv = _validation(col, lists)
        if dv is not None:
            dv.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(dv)
    if grouped:
        first, end = get_column_letter(len(shown) + 1), get_column_letter(len(columns))
        ws.column_dimensions.group(first, end, hidden=True, outline_level=1)
    optional = [j for j, c in enumerate(columns, start=1) if c.name in COLLAPSED]
    if optional:  # contiguous in the contract's order, between two shown columns
        first, end = get_column_letter(optional[0]), get_column_letter(optional[-1])
        ws.column_dimensions.group(first, end, hidden=True, outline_level=1)
    ws.row_dimensions[1].height = 45
    ws.freeze_panes = "B2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "1:1"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"
    return columns


def _guide(ws: Worksheet, std: Standard, parts: list[tuple[Sheet, list[Column]]]) -> None:
    from .. import __version__

    ws.append([f"Mẫu phiếu rà soát hộ nghèo, hộ cận nghèo — chuẩn {std.id}: {std.title}"])
    ws["A1"].font = Font(bold=True, size=13)
    lines = [
        "Mỗi hộ một dòng ở trang 'Hộ gia đình'; mỗi người một dòng ở trang 'Thành viên', "
        "cùng Mã hộ với hộ của mình. Không đổi tên trang, không sửa dòng tiêu đề.",
        "Cột tô cam là bắt buộc. Các ô mã và Có/Không chọn trong danh sách thả xuống. "
        "Rê chuột lên ô tiêu đề để xem cách nhập.",
        "Cột xám (ẩn, bấm dấu + phía trên để mở) chỉ dùng khi cần: ba cột bền chắc thay cho "
        "'Loại nhà', và các cột 'Thiếu hụt …' khi Ban rà soát đánh giá khác. Nhóm cột xám sau "
        "'Hộ dân tộc thiểu số' (không bắt buộc): nguyên nhân nghèo (hộ có thể có nhiều nguyên "
        "nhân), nhu cầu hỗ trợ, hỗ trợ đã nhận, hộ không có khả năng lao động, hộ dân tộc "
        "thiểu số tại chỗ — dùng cho biểu 8, biểu 10 và danh sách gửi các ngành.",
        "Kiểm tra tệp: mdpoverty validate <tệp>.xlsx — phân loại: mdpoverty classify <tệp>.xlsx "
        "-o ket-qua.xlsx",
        f"Tạo bởi mdpoverty {__version__} ngày {dt.date.today():%d/%m/%Y}.",
    ]
    if std.provisional:
        lines.insert(0, f"CHUẨN TẠM THỜI: {std.provisional_note_vi}".rstrip(": "))
    for line in lines:
        ws.append([line])
    ws.append([])
    header = ["Trang", "Tiêu đề cột", "Mã cột", "Bắt buộc", "Nhập", "Ghi chú"]
    ws.append(header)
    first_entry = ws.max_row + 1
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = SHOWN_FILL
        cell.border = HEADER_BORDER
    for sheet, columns in parts:
        for col in columns:
            note = _note(col, std)
            ws.append(
                [
                    sheet.label_vi,
                    col.label_vi,
                    col.name,
                    "có" if _required(col, std) else "",
                    expected_text(col).vi,
                    note,
                ]
            )
    for letter, width in zip("ABCDEF", (14, 34, 22, 9, 60, 70), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=first_entry):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_template(path: str | Path, std: Standard, rows: dict[str, int] | None = None) -> None:
    """Write the empty survey workbook for ``std`` to ``path`` (an .xlsx)."""
    rows = {**ROWS, **(rows or {})}
    wb = Workbook()
    hh = wb.active
    hh.title = HOUSEHOLDS.label_vi
    members = wb.create_sheet(MEMBERS.label_vi)
    guide = wb.create_sheet(GUIDE_SHEET)
    lists = _lists_sheet(wb)
    parts = [
        (HOUSEHOLDS, _data_sheet(hh, HOUSEHOLDS, std, lists, rows["households"])),
        (MEMBERS, _data_sheet(members, MEMBERS, std, lists, rows["members"])),
    ]
    _guide(guide, std, parts)
    wb.active = 0
    wb.save(path)
