"""An example of each check's message, filled as a run fills it, for ``mdpoverty explain``.

The values are what an officer's workbook typically holds; the words around them come from
the same places a run takes them (the schema's labels and code lists), so an example reads
exactly like the message it stands for.
"""

from __future__ import annotations

from ..errors import CHECKS, Text, message
from ..i18n import number
from ..law.schema import HOUSEHOLDS, MEMBERS, expected_text

_HH = HOUSEHOLDS.column
_M = MEMBERS.column


def _both(label: str, code: str) -> Text:
    """A column as messages name it: the label in Vietnamese, label and code in English."""
    return Text(label, f"{label} / {code}")


def _money(label_code: str, amount: float) -> Text:
    label = _HH(label_code).label_vi
    return Text(f"{label} {number(amount, 'vi')}", f"{label_code} {number(amount, 'en')}")


# check id -> the fields of its message (value, expected, detail); a Text per language
EXAMPLES: dict[str, dict[str, str | Text]] = {
    "missing_sheet": {"expected": HOUSEHOLDS.label_vi, "detail": "Sheet1, Sheet2"},
    "missing_column": {"expected": _both(_HH("area").label_vi, "area")},
    "unknown_column": {
        "value": "Dien tich nha o m2x",
        "detail": Text(
            f" — có phải cột '{_HH('floor_area_m2').label_vi}'?",
            f" — '{_HH('floor_area_m2').label_vi}' (floor_area_m2)?",
        ),
    },
    "duplicate_column": {"value": "Mã hộ (2)", "expected": "Mã hộ"},
    "required": {"expected": _HH("commune").label_vi},
    "needed": {
        "expected": _both(_HH("floor_area_m2").label_vi, "floor_area_m2"),
        "detail": Text("diện tích nhà ở", "housing_area"),
    },
    "duplicate_id": {"value": "LC-BH-01-0015", "detail": "214"},
    "orphan_member": {"value": "LC-BH-02-O015", "detail": "LC-BH-02-0015, LC-BT-02-0015"},
    "not_a_number": {
        "value": "khoảng 2 triệu",
        "expected": expected_text(_HH("income_per_capita")),
    },
    "not_a_date": {"value": "31/02/2026", "expected": expected_text(_HH("survey_date"))},
    "not_yes_no": {"value": "chưa rõ", "expected": expected_text(_HH("has_tv"))},
    "unknown_code": {"value": "Giếng làng", "expected": expected_text(_HH("water_source"))},
    "unused_value": {
        "detail": Text(
            "'Đốt ngoài vườn' không phải là giá trị hợp lệ",
            "'Đốt ngoài vườn' is not a known value",
        )
    },
    "out_of_range": {"value": "-1200000", "expected": "≥ 0"},
    "birth_after_survey": {"value": "08/12/2026", "detail": "24/10/2026"},
    "no_income": {
        "expected": Text(
            ", ".join(
                _HH(c).label_vi
                for c in ("income_per_capita", "household_income_12m", "income_score")
            ),
            "income_per_capita, household_income_12m, income_score",
        )
    },
    "no_score_line": {"expected": "vn-2027-2030"},
    "income_disagree": {"value": "185", "detail": _money("income_per_capita", 1_170_000)},
    "score_b_mismatch": {"value": "50", "detail": "4", "expected": "40"},
    "override_differs": {
        "value": "Có",
        "detail": Text("tính được: không", "derived: no"),
    },
    "members_disagree": {"value": "5", "detail": "4"},
    "standard_period": {"value": "15/10/2021", "detail": "2022", "expected": "2016–2021"},
    "other_round": {
        "value": "20/08/2026",
        "detail": Text(
            "kỳ rà soát thường xuyên năm 2026, theo danh sách năm 2026",
            "the regular review of 2026, under the 2026 lists",
        ),
        "expected": Text(
            "kỳ rà soát định kỳ cuối năm 2026, xác định danh sách năm 2027",
            "the periodic review of late 2026, which sets the 2027 lists",
        ),
    },
    "provisional_standard": {
        "value": "vn-2027-2030",
        "expected": Text(
            "chưa có mức sống trung bình và điểm quy đổi",
            "no average-living-standard band or score equivalents yet",
        ),
    },
    "no_average_band": {"value": "vn-2027-2030"},
    "zip_bomb": {
        "detail": Text(
            "giải nén ra hơn 2 GB từ một tệp 40 KB", "unpacks to over 2 GB from a 40 KB file"
        )
    },
    "xml_entity": {
        "value": "xl/sharedStrings.xml",
        "detail": Text("khai báo thực thể", "declares entities"),
    },
    "far_cell": {
        "value": "XFD1048576",
        "detail": Text("dữ liệu kết thúc ở ô AZ1400", "the data ends at AZ1400"),
    },
    "duplicate_column_differs": {"value": "1.500.000", "expected": "1.200.000", "detail": "Xã"},
    "total_row": {"value": "Tổng cộng"},
    "signature_row": {"value": "Người lập biểu"},
    "id_folded": {
        "value": "lc-bh-01-0015 ",
        "detail": "LC-BH-01-0015",
        "expected": Text("chữ hoa/thường, dấu cách", "case, spaces"),
    },
    "members_unlinked_near": {"value": "LC-BH-02-0015", "detail": "1355"},
}


def example(check: str, lang: str) -> str:
    """The message of ``check`` as a run writes it, with the example's values."""
    fields = {
        name: (v.get(lang) if isinstance(v, Text) else v)
        for name, v in EXAMPLES.get(check, {}).items()
    }
    return message(check, lang, **fields)


__all__ = ["CHECKS", "EXAMPLES", "example"]
