"""``mdpoverty lists -o out.xlsx``: the agencies' lists, laid out like the official lists of
:mod:`mdpoverty.write.lists` (its styles, letterhead, commune rows, signature block and print
setup), always in Vietnamese.

One sheet per list — for ``service-gaps`` one sheet per agency, its indicators as columns
with "x" where the household is deprived — each headed by the list's title, the round, and
its legal basis; then "Căn cứ" (the windows, priority groups and the agency mapping with
their references and confidence marks) and "Dữ liệu" (the tidy table with its codes).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from ..support import Agencies, load_support
from .excel import _write_sheet
from .lists import (
    CLASS_VI,
    _before_rows,
    _cell,
    _merge,
    _print_setup,
    _row,
    _safe,
    _signature,
    _Styles,
    _top,
)
from .tables import neutralise

TOP = 9  # 1 provisional line, 2–3 letterhead, 5 title, 6 round, 7 legal basis, 9 header
GROUP_VI = {**CLASS_VI, "newly_escaped": "Hộ mới thoát nghèo"}
SHEETS = {
    "beneficiaries": "Hộ được hỗ trợ",
    "stable-work": "Việc làm bền vững",
    "credit": "Tín dụng chính sách",
    "social-protection": "Trợ giúp xã hội",
}
CONFIDENCE_VI = {
    "confirmed": "đã xác nhận",
    "secondary": "nguồn thứ cấp",
    "best_reading": "cách đọc tốt nhất, cần đối chiếu",
    "": "",
}


def _header(ws, st: _Styles, width: int, note: str, issuer: str, title: str, lines: list[str]):
    """Rows 1–8: the provisional line, the letterhead, the title, the round and the basis."""
    wrapped = _Styles(ws)
    basis_style = _cell(ws, None, wrapped.italic)
    basis_style.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    _top(ws, st, width, note, issuer, title, lines[0], basis=(lines[1] or None, basis_style._style))


def _priority_text(table: pd.DataFrame) -> pd.Series:
    """The priority groups of each row, in Vietnamese, joined ("DTTS; Có người có công")."""
    items = load_support()["priority"]["items"]
    parts = pd.Series("", index=table.index, dtype="string")
    for item in items:
        col = f"prio_{item['code']}"
        if col not in table:
            continue
        yes = table[col].astype("boolean").fillna(False)
        sep = parts.where(parts == "", parts + "; ")
        parts = parts.where(~yes, sep.fillna("") + item["label_vi"])
    return parts.where(parts != "", None)


def _x(series: pd.Series) -> pd.Series:
    return series.astype("boolean").fillna(False).map({True: "x", False: None})


def _date_vi(series: pd.Series) -> pd.Series:
    """ISO '2027-11-15' as the forms write dates, '15/11/2027' (a bare year stays)."""
    s = series.astype("string")
    full = s.str.len() == 10
    return s.where(~full, s.str[8:10] + "/" + s.str[5:7] + "/" + s.str[:4]).astype(object)


def columns_for(kind: str, table: pd.DataFrame) -> list[tuple[str, int, pd.Series, str]]:
    """(heading, width, values, style) of the columns after the fixed ones."""
    support = load_support()
    if kind == "beneficiaries":
        w = support["windows"]
        cols = [
            ("Nhóm", 16, table["group"].map(GROUP_VI), "text"),
            ("Ngày thoát nghèo", 12, _date_vi(table["poverty_exit_date"]), "center"),
        ]
        cols += [
            (f"{w[n]['label_vi']}: đến ngày", 14, _date_vi(table[f"{n}_until"]), "center")
            for n in w
        ]
        return [*cols, ("Đối tượng ưu tiên", 34, _priority_text(table), "text")]
    if kind == "credit":
        labels = {"need_credit": "Có nhu cầu vay vốn", "reason_capital": "Thiếu vốn"}
        labels["reason_tools"] = "Thiếu công cụ sản xuất"
        c = support["credit"]
        cols = [(labels.get(k, k), 11, _x(table[k]), "center") for k in [c["need"], *c["causes"]]]
        cols.append(
            ("Hộ mới thoát nghèo: tín dụng đến ngày", 14, _date_vi(table["credit_until"]), "center")
        )
        return cols
    return [("Đối tượng ưu tiên", 34, _priority_text(table), "text")]


def _list_sheet(
    wb: Workbook,
    sheet: str,
    title: str,
    lines: list[str],
    table: pd.DataFrame,
    extra_cols: Sequence[tuple[str, int, pd.Series, str]],
    *,
    issuer: str,
    note: str,
) -> None:
    ws = wb.create_sheet(sheet)
    st = _Styles(ws)
    names = "head_name" in table
    fixed = [("STT", 6), ("Mã hộ (bí danh)" if not names else "Mã hộ", 12 if names else 20)]
    fixed += [("Họ tên chủ hộ", 22)] if names else []
    fixed += [("Thôn/Bản", 14), ("Xã", 16), ("Phân loại", 14)]
    width = len(fixed) + len(extra_cols)
    for i, (_, w) in enumerate([*fixed, *((h, w) for h, w, _, _ in extra_cols)], start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.row_dimensions[TOP].height = 48
    _before_rows(ws, f"A{TOP + 2}")
    _header(ws, st, width, note, issuer, title, lines)
    heads = [h for h, _ in fixed] + [h for h, _, _, _ in extra_cols]
    ws.append([_cell(ws, h, st.head) for h in heads])
    ws.append([_cell(ws, str(c), st.numbered) for c in range(1, width + 1)])
    t = neutralise(table.reset_index(drop=True))
    values = [
        t["household_id"],
        *([t["head_name"]] if names else []),
        t["village"],
        t["commune"],
        t["class"].astype("string").fillna("").map(CLASS_VI),
        *(
            neutralise(pd.DataFrame({"v": v.reset_index(drop=True)}))["v"]
            for _, _, v, _ in extra_cols
        ),
    ]
    kinds = ["text"] * (len(fixed) - 1) + [k for _, _, _, k in extra_cols]
    styles = [st.text if k == "text" else st.center for k in kinds]
    arrays = [v.astype(object).where(v.notna(), None).to_numpy() for v in values]
    keys = list(
        zip(
            *(t[k].astype("string").fillna("") for k in ("province", "district", "commune")),
            strict=True,
        )
    )
    per_commune = pd.Series(keys).value_counts(sort=False) if keys else pd.Series()
    r, current = TOP + 2, None
    for i in range(len(t)):
        if keys[i] != current:
            current = keys[i]
            label = (current[2] or "(không rõ xã)") + (f" — {current[1]}" if current[1] else "")
            label = _safe(f"{label} ({int(per_commune[current])} hộ)")
            ws.append([_cell(ws, label, st.group)] + [_cell(ws, None, st.group)] * (width - 1))
            _merge(ws, r, 1, r, width)
            r += 1
        row = [_cell(ws, i + 1, st.number)]
        row += [_cell(ws, a[i], s) for a, s in zip(arrays, styles, strict=True)]
        ws.append(row)
        r += 1
    if not len(t):
        ws.append(_row(ws, width, {1: ("Không có hộ nào trong danh sách này.", st.italic_left)}))
        _merge(ws, r, 1, r, width)
        r += 1
    last = r - 1
    ws.auto_filter.ref = f"A{TOP + 1}:{get_column_letter(width)}{max(last, TOP + 1)}"
    _signature(ws, st, width, last + 1)
    _print_setup(ws, width, f"{TOP}:{TOP + 1}", last + 6)


def _unit_order(wide: pd.DataFrame, gaps: pd.DataFrame) -> list[int]:
    """Positions of ``wide`` grouped by commune then village, each in the order it first
    comes in ``gaps`` (already sorted by commune and village within each indicator), then
    by the household's first row there."""
    keys = ["province", "district", "commune"]

    def path(f: pd.DataFrame, cols: list[str]) -> pd.Series:
        parts = [
            f[c].astype("string").fillna("") if c in f else pd.Series("", index=f.index)
            for c in cols
        ]
        return pd.Series(list(zip(*parts, strict=True)), index=f.index)

    c_rank = {k: i for i, k in enumerate(pd.unique(path(gaps, keys)))}
    v_rank = {k: i for i, k in enumerate(pd.unique(path(gaps, [*keys, "village"])))}
    h_rank = {k: i for i, k in enumerate(pd.unique(gaps["household_id"]))}
    order = pd.DataFrame(
        {
            "c": path(wide, keys).map(c_rank).to_numpy(),
            "v": path(wide, [*keys, "village"]).map(v_rank).to_numpy(),
            "h": wide["household_id"].map(h_rank).to_numpy(),
        }
    )
    return order.sort_values(["c", "v", "h"], kind="stable").index.tolist()


def _gap_sheets(wb, gaps: pd.DataFrame, agencies: Agencies, codes, labels, lines, **kw) -> None:
    """One sheet per agency: its poor and near-poor households deprived in any of its
    indicators, one column per indicator ("x" where deprived)."""
    title = load_support()["lists"]["service-gaps"]["title_vi"]
    groups = [
        (a.code, a.name_vi, a.sheet, [c for c in a.indicators if c in codes])
        for a in agencies.agencies
    ]
    mapped = {c for _, _, _, inds in groups for c in inds}
    rest = [c for c in codes if c not in mapped]
    if rest:
        groups.append(("", "Chưa phân công", "Chưa phân công", rest))
    for code, name, sheet, inds in groups:
        if not inds:
            continue
        mine = gaps[gaps["agency_code"] == code]
        base = [
            c
            for c in mine.columns
            if c not in ("agency_code", "agency", "indicator", "mapping_confidence")
        ]
        wide = mine.drop_duplicates("household_id")[base] if len(mine) else mine[base]
        wide = wide.iloc[_unit_order(wide, gaps)]
        flags = mine.assign(v=True).pivot_table(
            index="household_id", columns="indicator", values="v", aggfunc="any"
        )
        cols = [
            (
                f"{labels[c][0]}. {labels[c][1]}",
                11,
                _x(
                    wide["household_id"].map(flags[c])
                    if c in flags
                    else pd.Series(False, index=wide.index)
                ),
                "center",
            )
            for c in inds
        ]
        per = flags.reindex(columns=inds).notna().sum(axis=1)  # an indicator deprived: True
        count = wide["household_id"].map(per).astype("Int64")
        cols.append(("Số chỉ số thiếu hụt của ngành", 10, count, "center"))
        sub = [f"{lines[0]} — {name}".strip(" —"), lines[1]]
        _list_sheet(wb, sheet, title, sub, wide, cols, **kw)


def _basis_sheet(wb: Workbook, kind: str, agencies: Agencies | None, note: str) -> None:
    support = load_support()
    rows = []
    lst = support["lists"][kind]
    rows.append(("Danh sách", lst["title_vi"], lst["basis_vi"], CONFIDENCE_VI[lst["confidence"]]))
    if kind in ("beneficiaries", "credit"):
        for w in support["windows"].values():
            rows.append(
                (
                    f"Thời hạn ({w['months']} tháng)",
                    f"{w['label_vi']}: {w['months']} tháng kể từ ngày thoát nghèo "
                    "(ngày cuối cùng vẫn tính)",
                    w["reference"],
                    CONFIDENCE_VI[w["confidence"]],
                )
            )
    if kind != "service-gaps":
        p = support["priority"]
        rows.append(
            (
                "Đối tượng ưu tiên",
                "; ".join(i["label_vi"] for i in p["items"]),
                p["reference"],
                CONFIDENCE_VI[p["confidence"]],
            )
        )
    if kind == "stable-work":
        s = support["stable_work"]
        rows.append(
            (
                "Việc làm bền vững",
                ", ".join(s["statuses"]),
                s["reference"],
                CONFIDENCE_VI[s["confidence"]],
            )
        )
    if kind == "credit":
        c = support["credit"]
        rows.append(
            (
                "Tín dụng",
                ", ".join([c["need"], *c["causes"]]),
                c["reference"],
                CONFIDENCE_VI[c["confidence"]],
            )
        )
    if kind == "service-gaps" and agencies is not None:
        rows.append(
            (
                "Phân công theo ngành",
                f"{agencies.title} ({agencies.source})",
                agencies.reference,
                CONFIDENCE_VI[agencies.confidence],
            )
        )
        for a in agencies.agencies:
            rows.append(
                (a.name_vi, ", ".join(a.indicators), a.reference, CONFIDENCE_VI[a.confidence])
            )
    _table_sheet(wb, "Căn cứ", ["Mục", "Nội dung", "Căn cứ", "Mức tin cậy"], rows, note)


def _table_sheet(wb: Workbook, name: str, heads: list[str], rows: list, note: str) -> None:
    """A bordered table whose long texts wrap, each row as tall as its longest cell."""
    ws = wb.create_sheet(name)
    st = _Styles(ws)
    widths = [22, 48, 70, 18]
    probe = _cell(ws, None, st.text)
    probe.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
    wrap = probe._style
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    cells = [[_safe(str(v)) for v in row] for row in rows]
    for r, row in enumerate(cells, start=3 if note else 2):
        lines = max(-(-len(v) // int(w * 1.1)) for v, w in zip(row, widths, strict=True))
        ws.row_dimensions[r].height = 15 * max(lines, 1)
    _before_rows(ws, None)
    if note:
        ws.row_dimensions[1].height = 30
        ws.append(_row(ws, len(heads), {1: (note, st.note)}))
        _merge(ws, 1, 1, 1, len(heads))
    ws.append([_cell(ws, h, st.head) for h in heads])
    for row in cells:
        ws.append([_cell(ws, v, wrap) for v in row])
    _print_setup(ws, len(heads), None, len(cells) + (2 if note else 1))


def write_support_list(
    kind: str,
    table: pd.DataFrame,
    path: str | Path,
    *,
    agencies: Agencies | None,
    codes: Sequence[str],
    labels: dict[str, tuple[int, str]],
    issuer: str,
    round_line: str,
    note: str = "",
) -> None:
    """Write list ``kind`` (its tidy ``table``) as a printable workbook at ``path``."""
    lst = load_support()["lists"][kind]
    lines = [round_line, lst["basis_vi"]]
    wb = Workbook(write_only=True)
    kw = {"issuer": issuer, "note": note}
    if kind == "service-gaps":
        assert agencies is not None
        _gap_sheets(wb, table, agencies, list(codes), labels, lines, **kw)
    else:
        _list_sheet(wb, SHEETS[kind], lst["title_vi"], lines, table, columns_for(kind, table), **kw)
    _basis_sheet(wb, kind, agencies, note)
    _write_sheet(wb, "Dữ liệu", table, note=note or None)
    wb.save(str(path))


__all__ = ["write_support_list"]
