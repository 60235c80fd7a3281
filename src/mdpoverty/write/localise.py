"""The tables of the ``changes``, ``targets`` and ``measures`` workbooks as people read them:
sheet names, headers and coded values in the run's language.

CSV, Parquet and JSON keep the codes of the output contract (scripts read them); a workbook
is opened by a person, so its sheets say "Tỷ lệ hộ nghèo đầu kỳ (%)", not
``poor_rate_start``. Where a workbook is also read back by scripts (changes), a sheet
"Dữ liệu"/"Data" keeps the codes beside the people's sheet.
"""

from __future__ import annotations

import pandas as pd

from ..law.schema import VOCAB, label

LEVEL = {
    "vi": {"commune": "Xã", "district": "Huyện", "province": "Tỉnh"},
    "en": {"commune": "Commune", "district": "District", "province": "Province"},
}
YES_NO = {"vi": ("Có", "Không"), "en": ("Yes", "No")}

_RATE = {  # prefix -> (vi, en) name of the rate
    "": ("hộ nghèo", "poor households"),
    "em_": ("hộ nghèo dân tộc thiểu số", "ethnic-minority poor households"),
}


def _targets_heads(lang: str) -> dict[str, str]:
    vi = lang == "vi"
    heads = {
        "number": "TT" if vi else "No.",
        "level": "Cấp" if vi else "Level",
        "unit": "Đơn vị" if vi else "Unit",
        "parent": "Cấp trên" if vi else "Parent",
    }
    for p, (rate_vi, rate_en) in _RATE.items():
        all_vi = "hộ dân tộc thiểu số" if p else "hộ"
        all_en = "ethnic-minority households" if p else "households"
        for end, end_vi, end_en in (("start", "đầu kỳ", "start"), ("end", "cuối kỳ", "end")):
            heads[f"{p}households_{end}"] = (
                f"Số {all_vi} {end_vi}" if vi else f"{all_en.capitalize()} ({end_en})"
            )
            heads[f"{p}poor_households_{end}"] = (
                f"Số {rate_vi} {end_vi}" if vi else f"{rate_en.capitalize()} ({end_en})"
            )
            heads[f"{p}poor_rate_{end}"] = (
                f"Tỷ lệ {rate_vi} {end_vi} (%)" if vi else f"Rate of {rate_en}, {end_en} (%)"
            )
        heads[f"{p}poor_rate_fall"] = (
            f"Mức giảm tỷ lệ {rate_vi} (điểm %)" if vi else f"Fall, {rate_en} (points)"
        )
        heads[f"{p}poor_rate_fall_per_year"] = (
            f"Mức giảm tỷ lệ {rate_vi} mỗi năm (điểm %)"
            if vi
            else f"Fall a year, {rate_en} (points)"
        )
        short = "em" if p else "poor"
        heads[f"{short}_target"] = (
            f"Chỉ tiêu giảm tỷ lệ {rate_vi} (điểm %/năm)"
            if vi
            else f"Target, {rate_en} (points a year)"
        )
        heads[f"{short}_target_met"] = (
            f"Đạt chỉ tiêu ({rate_vi})" if vi else f"Target met ({rate_en})"
        )
    heads["above_parent_average"] = (
        "Cao hơn bình quân cấp trên" if vi else "Above the parent's average"
    )
    heads["falls_faster_than_parent"] = (
        "Giảm nhanh hơn cấp trên" if vi else "Falls faster than the parent"
    )
    heads["not_classed"] = "Số hộ chưa phân loại" if vi else "Households not classed"
    return heads


def _yes_no(s: pd.Series, lang: str) -> pd.Series:
    yes, no = YES_NO[lang]
    b = s.astype("boolean")
    return b.map(lambda v: "" if v is pd.NA else (yes if v else no)).astype("string")


def targets_table(table: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The targets table for people; returns it and the header of each code (for charts)."""
    heads = _targets_heads(lang)
    out = table.copy()
    out["level"] = out["level"].map(lambda v: LEVEL[lang].get(v, v))
    for col in out.columns:
        if col.endswith("_met") or col in ("above_parent_average", "falls_faster_than_parent"):
            out[col] = _yes_no(out[col], lang)
    return out.rename(columns=heads), heads


def plan_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The 'Căn cứ' sheet of targets: its headers in the run's language."""
    vi = lang == "vi"
    heads = {
        "key": "Mục" if vi else "Item",
        "value": "Giá trị" if vi else "Value",
        "label": "Nội dung" if vi else "Label",
        "reference": "Căn cứ" if vi else "Reference",
        "confidence": "Độ tin cậy" if vi else "Confidence",
    }
    return frame.rename(columns=heads)


CHANGE_HEADS = {
    "vi": {
        "household_id": "Mã hộ",
        "province": "Tỉnh",
        "district": "Huyện",
        "commune": "Xã",
        "previous_class": "Phân loại kỳ trước",
        "class": "Phân loại kỳ này",
        "transition_vi": "Biến động",
    },
    "en": {
        "household_id": "Household ID",
        "province": "Province",
        "district": "District",
        "commune": "Commune",
        "previous_class": "Previous class",
        "class": "Class",
        "transition_vi": "Change (Vietnamese)",
    },
}


def change_list(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The change list a commune posts: classes in words, one column for the change."""
    heads = CHANGE_HEADS[lang]
    out = table[[c for c in heads if c in table]].copy()
    for col in ("previous_class", "class"):
        if col in out:
            out[col] = out[col].astype("string").map(lambda v: _class_word(v, lang))
    if lang == "en" and "transition" in table:
        out["transition_vi"] = table["transition"].astype("string").str.replace("_", " ")
        heads = {**heads, "transition_vi": "Change"}
    return out.rename(columns=heads)


def _class_word(code: object, lang: str) -> str:
    if code is pd.NA or code is None or code == "":
        return ""
    if code not in VOCAB["class"]:
        return str(code)
    return label("class", str(code)) if lang == "vi" else str(code).replace("_", "-")


MEASURES_SHEETS = {
    "vi": {
        "measures": "Chỉ số AF",
        "indicators": "Theo chỉ số",
        "change": "Thay đổi",
        "inference": "Sai số",
        "excluded": "Hộ không tính",
        "settings": "Thiết lập",
        "notes": "Ghi chú",
    },
}
_MEASURES_HEADS_VI = {
    "group": "Nhóm",
    "unit_count": "Số đơn vị",
    "H": "H (tỷ lệ nghèo)",
    "A": "A (mức thiếu hụt bình quân)",
    "M0": "M0",
    "by": "Theo",
    "households": "Số hộ",
    "population": "Số người",
    "pop_share": "Tỷ trọng dân số",
    "share_of_M0": "Tỷ trọng trong M0 (%)",
    "code": "Mã",
    "number": "TT",
    "service": "Chiều",
    "label_vi": "Chỉ số",
    "label_en": "Chỉ số (tiếng Anh)",
    "weight": "Trọng số",
    "uncensored": "Tỷ lệ thiếu hụt",
    "censored": "Tỷ lệ nghèo và thiếu hụt",
    "contribution": "Đóng góp (%)",
    "measure": "Chỉ số đo",
    "previous": "Kỳ trước",
    "current": "Kỳ này",
    "years": "Số năm",
    "abs": "Thay đổi tuyệt đối",
    "rel": "Thay đổi tương đối (%)",
    "ann_abs": "Thay đổi tuyệt đối mỗi năm",
    "ann_rel": "Thay đổi tương đối mỗi năm (%)",
    "household_id": "Mã hộ",
    "province": "Tỉnh",
    "district": "Huyện",
    "commune": "Xã",
    "village": "Thôn",
    "reason": "Lý do",
    "round": "Kỳ",
    "setting": "Thiết lập",
    "value": "Giá trị",
    "note": "Ghi chú",
}
_PREFIX_VI = {"h_": "Tỷ lệ nghèo và thiếu hụt", "contrib_": "Đóng góp (%)", "u_": "Tỷ lệ thiếu hụt"}


def measures_heads(columns: list[str], labels_vi: dict[str, str], lang: str) -> dict[str, str]:
    """Vietnamese headers of a measures sheet (English keeps the codes, the analyst's
    vocabulary); ``labels_vi``: indicator code -> its label."""
    if lang != "vi":
        return {}
    heads = {}
    for col in columns:
        if col in _MEASURES_HEADS_VI:
            heads[col] = _MEASURES_HEADS_VI[col]
            continue
        for prefix, words in _PREFIX_VI.items():
            code = col.removeprefix(prefix)
            if col.startswith(prefix) and code in labels_vi:
                heads[col] = f"{words}: {labels_vi[code]}"
                break
    return heads


def measures_values(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The group columns of a measures sheet in words: "Toàn bộ" for the whole population,
    the schema's label for a subgroup column (``commune`` -> "Xã")."""
    if lang != "vi":
        return frame
    from ..law.schema import HOUSEHOLDS

    out = frame.copy()
    for col in ("by", "group"):
        if col in out:
            out[col] = out[col].map(lambda v: "Toàn bộ" if v == "all" else v)
    if "by" in out:
        names = {c.name: c.label_vi for c in HOUSEHOLDS.columns}
        out["by"] = out["by"].map(lambda v: names.get(v, v) if isinstance(v, str) else v)
    return out


__all__ = ["change_list", "measures_heads", "measures_values", "plan_frame", "targets_table"]
