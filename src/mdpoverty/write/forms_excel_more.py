"""The header blocks of Forms 6–13 and the list sheets of Forms 14–15 (presentation only).

Laid out like Forms 1–5 (:mod:`.forms_excel`): "TT", the unit, for Forms 8–11 a column
naming the unit's rows (poor / near-poor households, or the ethnic group of the head), the
figure columns with a numbered last header row. The layouts are mdpoverty's reading of
the titles of one province's set of the national software's templates: the "Mẫu số"
numbers and the exact official layouts are unverified.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from ..law.groups import load_groups
from ..law.schema import VOCAB

CLASS_VI = {"poor": "Hộ nghèo", "near_poor": "Hộ cận nghèo"}

TITLES_MORE = {
    "6": "PHÂN TÍCH CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ CẬN NGHÈO",
    "7": "PHÂN TÍCH TỶ LỆ CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ CẬN NGHÈO",
    "8": "TỔNG HỢP HỘ NGHÈO, HỘ CẬN NGHÈO THEO NHÓM ĐỐI TƯỢNG VÀ HỖ TRỢ ĐÃ NHẬN",
    "9": "TỔNG HỢP HỘ NGHÈO, HỘ CẬN NGHÈO THEO DÂN TỘC CỦA CHỦ HỘ",
    "10": "TỔNG HỢP HỘ NGHÈO, HỘ CẬN NGHÈO THEO NGUYÊN NHÂN NGHÈO",
    "11": "TỔNG HỢP THIẾU HỤT CỦA TRẺ EM TRONG HỘ NGHÈO, HỘ CẬN NGHÈO",
    "12": "KẾT QUẢ RÀ SOÁT HỘ NGHÈO THEO CHUẨN NGHÈO ĐA CHIỀU",
    "13": "KẾT QUẢ RÀ SOÁT HỘ CẬN NGHÈO THEO CHUẨN NGHÈO ĐA CHIỀU",
    "14": "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO",
    "15": "DANH SÁCH THÀNH VIÊN HỘ NGHÈO, HỘ CẬN NGHÈO",
}

#: The column naming a unit's rows, and its header.
GROUP_HEADER = {"class": "Phân loại", "ethnicity": "Dân tộc của chủ hộ"}

#: Printed under the forms whose layout is mdpoverty's reading.
UNVERIFIED_NOTE = (
    "bố cục biểu theo nội dung tên biểu của bộ mẫu phần mềm rà soát (bản của một tỉnh); "
    "số hiệu 'Mẫu số' và bố cục chính thức chưa được đối chiếu"
)
NOTES_MORE = {
    "8": "hộ không có khả năng lao động: theo cột của phiếu, nếu để trống thì suy ra từ "
    "danh sách thành viên (không ai trong tuổi lao động có khả năng lao động); ô để trống "
    "(không trả lời) không được tính",
    "10": "một hộ nêu nhiều nguyên nhân được tính ở mỗi nguyên nhân; 'không nêu nguyên "
    "nhân' là hộ không đánh dấu nguyên nhân nào",
    "11": "trẻ em: thành viên dưới tuổi trẻ em của chỉ số dinh dưỡng trong chuẩn áp dụng; "
    "không đi học đúng cấp: theo chỉ số tình trạng đi học của trẻ em",
    "12": "số hộ thiếu hụt theo dịch vụ: hộ thiếu hụt ít nhất một chỉ số của dịch vụ đó",
}


def _head(text: str, row: int, col: int, last_row: int | None = None, last_col=None):
    from .forms_excel import Head

    return Head(text, row, col, last_row, last_col)


def deprivation_header(form: str, indicators: Sequence[tuple[int, str]]):
    """Forms 4–7: Form 4's header, for near-poor households in Forms 6 and 7."""
    count = form in ("4", "6")
    what = "hộ nghèo" if form in ("4", "5") else "hộ cận nghèo"
    first = 4 if count else 3
    last = first + len(indicators) - 1
    h = [_head("TT", 0, 0, 2), _head("Phường/ Xã", 0, 1, 2), _head(f"Tổng số {what}", 0, 2, 2)]
    if count:
        h.append(_head("Tổng số thiếu hụt", 0, 3, 2))
    group = (
        f"Chỉ số thiếu hụt dịch vụ xã hội cơ bản của {what}"
        if count
        else f"Tỷ lệ chỉ số thiếu hụt dịch vụ xã hội cơ bản của {what} (%)"
    )
    h.append(_head(group, 0, first, 0, last))
    for i, (number, label) in enumerate(indicators):
        h += [_head(label, 1, first + i), _head(str(number), 2, first + i)]
    return h, 3


def _grouped(first_head: str, spans: list[tuple[str, list[str]]], total: str):
    """TT | unit | group | total | then (group title, sub-labels) spans; numbered row 3."""
    h = [
        _head("TT", 0, 0, 2),
        _head("Phường/ Xã", 0, 1, 2),
        _head(first_head, 0, 2, 2),
        _head(total, 0, 3, 2),
    ]
    col = 4
    for title, subs in spans:
        if not subs:
            h.append(_head(title, 0, col, 2))
            col += 1
            continue
        h.append(_head(title, 0, col, 0 if len(subs) > 1 or title else 2, col + len(subs) - 1))
        for i, s in enumerate(subs):
            h.append(_head(s, 1, col + i, 2))
        col += len(subs)
    numbers = ["A", "B", "C", *map(str, range(1, col - 2))]
    h += [_head(t, 3, i) for i, t in enumerate(numbers)]
    return h, 4


def form8_header():
    g = load_groups()
    return _grouped(
        "Phân loại",
        [
            (g.no_labour_capacity.short_vi, []),
            ("Hộ có người có công với cách mạng", []),
            (g.local_ethnic.short_vi, []),
            ("Hộ đã được hỗ trợ", [i.short_vi for i in g.support.items]),
        ],
        "Tổng số hộ",
    )


def form10_header():
    g = load_groups()
    heads, rows = _grouped(
        "Phân loại",
        [
            (
                "Số hộ theo nguyên nhân (một hộ có thể nêu nhiều nguyên nhân)",
                [i.short_vi for i in g.causes.items],
            ),
            ("Hộ không nêu nguyên nhân", []),
            ("Tổng số lượt nguyên nhân", []),
        ],
        "Tổng số hộ",
    )
    n = len(g.causes.items)
    last = heads[-1]
    heads[-1] = _head(f"{n + 3}={'+'.join(str(2 + i) for i in range(n))}", last.row, last.col)
    return heads, rows


def form11_header():
    return _grouped(
        "Phân loại",
        [
            ("Số trẻ em", []),
            (
                "Trong đó, số trẻ em",
                ["Không có thẻ bảo hiểm y tế", "Suy dinh dưỡng", "Không đi học đúng cấp"],
            ),
        ],
        "Tổng số hộ",
    )


def form9_header():
    h = [
        _head("TT", 0, 0, 1),
        _head("Phường/ Xã", 0, 1, 1),
        _head("Dân tộc của chủ hộ", 0, 2, 1),
        _head("Tổng số hộ", 0, 3, 1),
        _head("Hộ nghèo", 0, 4, None, 5),
        _head("Hộ cận nghèo", 0, 6, None, 7),
        _head("Số hộ", 1, 4),
        _head("Tỷ lệ (%)", 1, 5),
        _head("Số hộ", 1, 6),
        _head("Tỷ lệ (%)", 1, 7),
    ]
    numbers = ["A", "B", "C", "1", "2", "3=2/1*100", "4", "5=4/1*100"]
    h += [_head(t, 2, i) for i, t in enumerate(numbers)]
    return h, 3


def form12_header(form: str, services: Sequence[str]):
    what = "hộ nghèo" if form == "12" else "hộ cận nghèo"
    last = 6 + len(services) - 1
    h = [
        _head("TT", 0, 0, 2),
        _head("Phường/ Xã", 0, 1, 2),
        _head(f"Tổng số {what}", 0, 2, 2),
        _head("Số nhân khẩu", 0, 3, 2),
        _head("Tổng số thiếu hụt", 0, 4, 2),
        _head("Bình quân số thiếu hụt của một hộ", 0, 5, 2),
        _head(f"Số {what} thiếu hụt theo dịch vụ xã hội cơ bản", 0, 6, 1, last),
    ]
    h += [_head(s, 2, 6 + i) for i, s in enumerate(services)]
    numbers = ["A", "B", "1", "2", "3", "4=3/1", *map(str, range(5, 5 + len(services)))]
    h += [_head(t, 3, i) for i, t in enumerate(numbers)]
    return h, 4


# ------------------------------------------------------------------------------- lists


def _label(vocab: str, code: object) -> object:
    if code is None or code is pd.NA or (isinstance(code, float) and code != code):
        return None
    labels = VOCAB.get(vocab, {}).get(str(code))
    return labels[0] if labels else code


def _tick(v: object) -> str:
    return "x" if v is True or (not isinstance(v, str) and v == 1 and v is not pd.NA) else ""


def _date(v: object) -> object:
    if not isinstance(v, str):
        return None
    parts = v.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else v


def list_table(
    form: str, frame: pd.DataFrame, indicators: Sequence[tuple[int, str]] | None
) -> tuple[list[str], list[list[object]]]:
    """The printed columns and rows of Form 14 or 15 (Vietnamese labels, "x" for yes)."""
    f = frame.reset_index(drop=True)
    has_district = "district" in f and f["district"].astype("string").fillna("").ne("").any()
    where = [("district", "Huyện")] if has_district else []
    where += [("commune", "Phường/ Xã"), ("village", "Thôn")]
    common = [
        ("household_id", "Mã hộ"),
        ("head_name", "Họ tên chủ hộ"),
        ("class", "Phân loại"),
    ]
    rows: list[list[object]] = []
    if form == "14":
        deps = [c for c in f.columns if c.startswith("dep_")]
        numbers = [n for n, _ in indicators] if indicators else list(range(1, len(deps) + 1))
        g = load_groups()
        causes = [(i.column, i.short_vi) for i in g.causes.items]
        head = ["TT", *(t for _, t in where), *(t for _, t in common)]
        head += ["Số nhân khẩu", "Thu nhập bình quân (đồng/người/tháng)", "Số chỉ số thiếu hụt"]
        head += ["Các chỉ số thiếu hụt (số thứ tự)", g.no_labour_capacity.short_vi]
        head += ["Có người có công", g.local_ethnic.short_vi, "Nguyên nhân nghèo"]
        for d in f.to_dict("records"):
            lacking = [str(n) for n, c in zip(numbers, deps, strict=False) if d.get(c) is True]
            given = [t for c, t in causes if d.get(c) is True]
            rows.append(
                [
                    d["number"],
                    *(d.get(c) for c, _ in where),
                    d["household_id"],
                    d.get("head_name"),
                    CLASS_VI.get(str(d["class"]), d["class"]),
                    d.get("members"),
                    d.get("income_per_capita"),
                    d.get("deprivation_count"),
                    ", ".join(lacking),
                    _tick(d.get(g.no_labour_capacity.column)),
                    _tick(d.get("merit")),
                    _tick(d.get(g.local_ethnic.column)),
                    "; ".join(given),
                ]
            )
        return head, rows
    head = ["TT", *(t for _, t in where), *(t for _, t in common)]
    head += ["STT trong hộ", "Họ và tên", "Giới tính", "Ngày sinh", "Quan hệ với chủ hộ"]
    head += ["Dân tộc", "Tình trạng việc làm", "Có thẻ BHYT", "Khuyết tật", "Người có công"]
    for d in f.to_dict("records"):
        rows.append(
            [
                d["number"],
                *(d.get(c) for c, _ in where),
                d["household_id"],
                d.get("head_name"),
                CLASS_VI.get(str(d["class"]), d["class"]),
                d.get("member_no"),
                d.get("full_name"),
                _label("sex", d.get("sex")),
                _date(d.get("birth_date")),
                _label("relation", d.get("relation")),
                d.get("ethnicity"),
                _label("work_status", d.get("work_status")),
                _tick(d.get("health_insurance")),
                _tick(d.get("disabled")),
                _tick(d.get("merit")),
            ]
        )
    return head, rows


def write_list(
    ws: Worksheet,
    form: str,
    frame: pd.DataFrame,
    top: int,
    indicators: Sequence[tuple[int, str]] | None,
) -> tuple[int, int]:
    """Write Form 14 or 15's table from row ``top``; return (last row written, width)."""
    from copy import copy

    from openpyxl.cell import Cell
    from openpyxl.utils import get_column_letter

    from .forms_excel import BOX, CENTER, LEFT, _font, _value
    from .tables import neutralise

    head, rows = list_table(form, neutralise(frame), indicators)
    for j, text in enumerate(head, start=1):
        cell = ws.cell(row=top, column=j, value=text)
        cell.font, cell.alignment, cell.border = _font(True, 11), CENTER, BOX
    ws.row_dimensions[top].height = 48
    text_cols = {"Họ tên chủ hộ", "Họ và tên", "Phường/ Xã", "Thôn", "Huyện", "Nguyên nhân nghèo"}
    widths = {"TT": 6, "Họ tên chủ hộ": 22, "Họ và tên": 22, "Phường/ Xã": 16, "Thôn": 16}
    widths |= {"Nguyên nhân nghèo": 36, "Mã hộ": 16, "Các chỉ số thiếu hụt (số thứ tự)": 16}
    widths |= {"Thu nhập bình quân (đồng/người/tháng)": 14, "Tình trạng việc làm": 24}
    widths |= {"Phân loại": 14, "Dân tộc": 10, "Quan hệ với chủ hộ": 10}
    for j, text in enumerate(head, start=1):
        ws.column_dimensions[get_column_letter(j)].width = widths.get(text, 11)
    left = [head[j] in text_cols for j in range(len(head))]
    money = [head[j].startswith("Thu nhập") for j in range(len(head))]
    fits = [max(int(widths.get(h, 11) * 1.05), 1) for h in head]
    # each column's style registered once and copied to its cells: setting font, border and
    # alignment per cell hashes the style objects each time (70 % of a 30,000-household list)
    body = _font(size=11)
    styles = []
    for j in range(len(head)):
        model = Cell(ws)
        model.font, model.border = body, BOX
        model.alignment = LEFT if left[j] else CENTER
        if money[j]:
            model.number_format = "#,##0"
        styles.append(model._style)
    for i, row in enumerate(rows, start=top + 1):
        lines = 1
        for j, v in enumerate(row):
            cell = ws.cell(row=i, column=j + 1, value=_value(v))
            cell._style = copy(styles[j])
            if left[j] and isinstance(v, str):  # wrapped: the row grows
                lines = max(lines, -(-len(v) // fits[j]))
        if lines > 1:
            ws.row_dimensions[i].height = 15 * lines
    return top + len(rows), len(head)


def list_issuer(forms: Mapping[str, pd.DataFrame]) -> str:
    """The signing unit of a report of Forms 14/15 alone: its one commune, else its one
    province (the two-tier map), else its one district."""
    from .forms_excel import _upper_unit

    frame = next(iter(forms.values()), None)
    if frame is None or not len(frame):
        return ""
    for level in ("commune", "province", "district"):
        names = frame[level].astype("string").fillna("").unique() if level in frame else []
        if level == "commune" and len(names) == 1 and names[0]:
            return _upper_unit(str(names[0]), "commune")
        if level != "commune" and len(names) == 1 and names[0]:
            return _upper_unit(str(names[0]), level)
    return ""


def list_sheet(
    ws: Worksheet,
    form: str,
    frame: pd.DataFrame,
    issuer: str,
    subtitle: str,
    date_line: str,
    remarks: Sequence[str],
    indicators: Sequence[tuple[int, str]] | None,
) -> None:
    """Forms 14/15: the letterhead, one row per household (member), the signatures."""
    from .forms_excel import HEADER_TOP, TITLES, _footer, _letterhead, _print_setup

    last, width = write_list(ws, form, frame, HEADER_TOP, indicators)
    _letterhead(ws, width, issuer, TITLES[form], subtitle)
    empty = pd.DataFrame({"level": pd.Series(dtype=object)})
    _footer(ws, last, width, empty, date_line, remarks)
    _print_setup(ws, 1, 3, width)


def layout(
    form: str,
    data_cols: list[str],
    indicators: Sequence[tuple[int, str]] | None,
    services: Sequence[str] | None,
) -> tuple[list, int, set[str]]:
    """(header cells, header rows, the columns shown as rates) of a form's table."""
    from .forms_excel import _change_header, _form1_header

    if form == "1":
        heads, rows = _form1_header()
        return heads, rows, {c for c in data_cols if c.endswith("_rate")}
    if form in ("2", "3"):
        heads, rows = _change_header(form)
        return heads, rows, set()
    if form in ("4", "5", "6", "7"):
        deps = [c for c in data_cols if c.startswith("dep_")]
        labels = list(indicators) if indicators else [(i + 1, c[4:]) for i, c in enumerate(deps)]
        heads, rows = deprivation_header(form, labels)
        return heads, rows, set(deps) if form in ("5", "7") else set()
    if form == "9":
        heads, rows = form9_header()
        return heads, rows, {c for c in data_cols if c.endswith("_rate")}
    if form in ("12", "13"):
        cols = [c for c in data_cols if c.startswith("service_")]
        labels = list(services) if services else [c[8:] for c in cols]
        heads, rows = form12_header(form, labels)
        return heads, rows, {"deprivations_per_household"}
    builders = {"8": form8_header, "10": form10_header, "11": form11_header}
    heads, rows = builders[form]()
    return heads, rows, set()
