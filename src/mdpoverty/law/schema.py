"""The survey workbook contract: sheets, columns, their Vietnamese labels and code lists.

Headers and labels are matched after :func:`fold`: case, spaces, punctuation and Vietnamese
diacritics removed, so "Khu vực", "KHU VUC" and "khuvuc" are all ``area``. Headers match whole,
never by prefix ("Điểm B1" is score A; "Điểm B" and "Điểm B2" are score B).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from ..errors import Text
from .groups import load_groups

Kind = Literal["id", "text", "number", "date", "date_or_year", "bool", "code"]

_DROP = re.compile(r"[\s_\-.:;,'\"’()\[\]/\\]+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Fold a header or label for matching: no case, spaces, punctuation or diacritics."""
    s = unicodedata.normalize("NFKC", str(text)).replace("đ", "d").replace("Đ", "D")
    s = "".join(ch for ch in unicodedata.normalize("NFD", s) if unicodedata.category(ch) != "Mn")
    return _DROP.sub("", s.lower())


# Code lists with their Vietnamese labels (first label is the official one) and synonyms.
VOCAB: dict[str, dict[str, list[str]]] = {
    "area": {
        "rural": ["Nông thôn", "NT"],
        "urban": ["Thành thị", "Đô thị", "TT"],
    },
    "housing_type": {
        "permanent": ["Nhà kiên cố", "Kiên cố"],
        "semi_permanent": ["Nhà bán kiên cố", "Bán kiên cố"],
        "less_permanent": ["Nhà thiếu kiên cố", "Thiếu kiên cố"],
        "makeshift": ["Nhà đơn sơ", "Đơn sơ"],
    },
    "water_source": {
        "piped": ["Nước máy"],
        "drilled_well": ["Giếng khoan"],
        "protected_well": ["Giếng đào được bảo vệ"],
        "protected_spring": ["Nước khe mó được bảo vệ"],
        "rainwater": ["Nước mưa"],
        # not "Nước mua" alone: without diacritics it is "Nước mưa" (rainwater)
        "bottled": ["Nước mua, nước đóng chai", "Nước đóng chai", "Nước mua đóng chai"],
        "unprotected_well": ["Giếng đào không được bảo vệ"],
        "unprotected_spring": ["Nước khe mó không được bảo vệ"],
        "surface": ["Nước mặt", "Nước sông, suối, ao, hồ"],
        "other": ["Khác"],
    },
    "toilet_type": {
        "flush_septic": ["Tự hoại"],
        "flush_sewer": ["Xả nước vào cống", "Bán tự hoại"],
        "double_vault": ["Hai ngăn"],
        "ventilated_pit": ["Chìm có ống thông hơi"],
        "biogas": ["Biogas"],
        "simple_pit": ["Hố đào đơn giản"],
        "hanging": ["Cầu tiêu", "Cầu tiêu ao cá"],
        "none": ["Không có nhà tiêu", "Không có"],
        "other": ["Khác"],
    },
    "waste_disposal": {
        "collected": ["Thu gom tập trung", "Thu gom"],
        "composted": ["Ủ phân, tái chế", "Ủ phân", "Tái chế"],
        "burned": ["Đốt"],
        "buried": ["Chôn lấp", "Chôn"],
        "dumped": ["Vứt bừa bãi"],
        "other": ["Khác"],
    },
    "sex": {"male": ["Nam"], "female": ["Nữ"]},
    "relation": {
        "head": ["Chủ hộ"],
        "spouse": ["Vợ/chồng", "Vợ", "Chồng"],
        "child": ["Con", "Con đẻ", "Con nuôi", "Con dâu", "Con rể"],
        "parent": ["Bố/mẹ", "Bố", "Mẹ", "Cha", "Cha/mẹ"],
        "grandchild": ["Cháu", "Cháu nội", "Cháu ngoại"],
        "other": ["Khác"],
    },
    "work_status": {
        "wage_contract": ["Làm công có hợp đồng"],
        "wage_no_contract": ["Làm công không có hợp đồng"],
        "self_employed": ["Tự làm"],
        "unemployed": ["Thất nghiệp"],
        "student": ["Đang đi học"],
        "retired": ["Nghỉ hưu"],
        "homemaker": ["Nội trợ"],
        "unable": ["Không có khả năng lao động"],
        "other": ["Khác"],
    },
    "education": {
        "none": ["Chưa có bằng cấp", "Không có bằng cấp", "Không"],
        "primary": ["Tiểu học"],
        "lower_secondary": ["Trung học cơ sở", "THCS"],
        "upper_secondary": ["Trung học phổ thông", "THPT"],
        "vocational": ["Giáo dục nghề nghiệp", "Sơ cấp", "Trung cấp", "Học nghề"],
        "college": ["Cao đẳng"],
        "university": ["Đại học", "Trên đại học"],
    },
    "enrolled": {
        "none": ["Không đi học", "Không"],
        "preschool": ["Mầm non"],
        "primary": ["Tiểu học"],
        "lower_secondary": ["Trung học cơ sở", "THCS"],
        "upper_secondary": ["Trung học phổ thông", "THPT"],
        "vocational": ["Giáo dục nghề nghiệp", "Học nghề"],
        "higher": ["Cao đẳng, đại học", "Cao đẳng", "Đại học"],
    },
    "class": {
        "poor": ["Hộ nghèo", "Nghèo"],
        "near_poor": ["Hộ cận nghèo", "Cận nghèo"],
        "average": ["Hộ có mức sống trung bình", "Mức sống trung bình", "MSTB"],
        "not_poor": ["Hộ không nghèo", "Không nghèo"],
    },
}

# Order of schooling levels, for "enrolled at or above the appropriate level".
ENROLLED_RANK = {
    "none": 0,
    "preschool": 1,
    "primary": 2,
    "lower_secondary": 3,
    "upper_secondary": 4,
    "vocational": 4,
    "higher": 5,
}

# Yes/no as people type it, folded (no case, no diacritics): Có/C, Không/K/ko, Đúng/Sai,
# yes/no, true/false, 1/0, and the tick marks x, v, ✓, ✔, ☑ (yes) and ☐ (an empty box: no).
# Not accepted, because people use them both ways: ✗ ✘ ☒ (a cross: "ticked" or "wrong"?).
YES = frozenset({"yes", "y", "true", "1", "10", "co", "c", "x", "dung", "v", "✓", "✔", "☑"})
NO = frozenset({"no", "n", "false", "0", "00", "khong", "k", "ko", "sai", "☐"})
# a column whose filled cells are all ticks: a blank is "no" (domain.md §7, the x column)
TICKS = frozenset({"x", "v", "✓", "✔", "☑"})
YES_NO_TEXT = Text(
    "Có/Không: Có, C, x, v, ✓, 1, Đúng — Không, K, ko, 0, Sai (trống là Không trong cột chỉ đánh"
    " dấu x/✓)",
    "yes/no: Có, C, yes, x, v, ✓, 1, true, Đúng — Không, K, ko, no, 0, false, Sai (blank is no in a"
    " column of x/✓ ticks)",
)


@lru_cache(maxsize=64)
def code_lookup(vocab: str) -> dict[str, str]:
    """Folded code or label -> code."""
    table: dict[str, str] = {}
    for code, labels in VOCAB[vocab].items():
        table[fold(code)] = code
        for label in labels:
            table[fold(label)] = code
    return table


def label(vocab: str, code: str) -> str:
    return VOCAB[vocab][code][0]


@dataclass(frozen=True)
class Column:
    name: str
    label_vi: str
    kind: Kind
    vocab: str | None = None
    required: bool = False
    aliases: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    # the indicator whose rule reads the column: it is templated (and needed) only under a
    # standard that has that indicator; None: every standard uses it
    indicator: str | None = None
    # no rule of any standard reads it yet: a bad value is a warning, never blocks a household
    unread: bool = False
    # an amount in VND: read as Vietnamese write money (1.500.000 đ, 1,5 triệu, 1tr5) and
    # compared with the lines in whole đồng
    money: bool = False

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.name, self.label_vi, *self.aliases)


@dataclass(frozen=True)
class Sheet:
    name: str
    label_vi: str
    aliases: tuple[str, ...]
    columns: tuple[Column, ...]
    key_columns: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


INDICATOR_LABELS_VI = {
    "employment": "việc làm",
    "dependents": "người phụ thuộc",
    "nutrition": "dinh dưỡng",
    "health_insurance": "bảo hiểm y tế",
    "adult_education": "trình độ giáo dục người lớn",
    "school_attendance": "tình trạng đi học của trẻ em",
    "housing_quality": "chất lượng nhà ở",
    "housing_area": "diện tích nhà ở",
    "water": "nguồn nước",
    "toilet": "nhà tiêu",
    "telecom": "dịch vụ viễn thông",
    "info_access": "phương tiện tiếp cận thông tin",
    "waste": "xử lý rác thải",
    "healthcare_access": "tiếp cận dịch vụ y tế",
}


def _group_columns() -> tuple[Column, ...]:
    """Causes of poverty, support needs and received, no labour capacity, local ethnic
    minority: yes/no columns from ``data/groups/household-groups.toml``. No rule of the
    class reads them; a bad value is still an error on its cell, as in every column a report
    counts (Forms 8 and 10)."""
    return tuple(
        Column(e.column, e.label_vi, "bool", aliases=tuple(e.aliases))
        for e in load_groups().entries()
    )


#: The optional group columns, in the contract's order.
GROUP_COLUMNS = tuple(load_groups().columns)


def _dep_columns() -> tuple[Column, ...]:
    return tuple(
        Column(
            f"dep_{code}",
            f"Thiếu hụt {vi}",
            "bool",
            aliases=(f"TH {vi}", f"Thiếu {vi}"),
        )
        for code, vi in INDICATOR_LABELS_VI.items()
    )


HOUSEHOLDS = Sheet(
    "households",
    "Hộ gia đình",
    ("Ho gia dinh", "Hộ", "Danh sách hộ", "HGD", "household"),
    (
        Column("household_id", "Mã hộ", "id", required=True, aliases=("Mã số hộ", "ID hộ")),
        Column("head_name", "Họ tên chủ hộ", "text", aliases=("Chủ hộ", "Tên chủ hộ")),
        Column("province", "Tỉnh", "text", aliases=("Tỉnh/thành phố",)),
        Column("district", "Huyện", "text", aliases=("Quận/huyện", "Huyện/thị xã")),
        Column("commune", "Xã", "text", required=True, aliases=("Xã/phường", "Xã/phường/thị trấn")),
        Column("village", "Thôn", "text", aliases=("Thôn/bản", "Thôn/tổ", "Bản", "Tổ dân phố")),
        Column("area", "Khu vực", "code", vocab="area", required=True),
        Column("survey_date", "Ngày rà soát", "date"),
        Column(
            "income_per_capita",
            "Thu nhập bình quân người/tháng",
            "number",
            aliases=("Thu nhập bình quân đầu người/tháng", "Thu nhập bình quân đầu người"),
            min_value=0,
            money=True,
        ),
        Column(
            "household_income_12m",
            "Tổng thu nhập 12 tháng",
            "number",
            aliases=("Tổng thu nhập của hộ 12 tháng",),
            min_value=0,
            money=True,
        ),
        Column("income_score", "Điểm A", "number", aliases=("Điểm B1",), min_value=0),
        Column("deprivation_score", "Điểm B", "number", aliases=("Điểm B2",), min_value=0),
        Column("member_count", "Số nhân khẩu", "number", aliases=("Số khẩu",), min_value=1),
        Column("housing_type", "Loại nhà", "code", vocab="housing_type"),
        Column("durable_walls", "Tường bền chắc", "bool"),
        Column("durable_pillars", "Cột bền chắc", "bool"),
        Column("durable_roof", "Mái bền chắc", "bool"),
        Column(
            "floor_area_m2",
            "Diện tích nhà ở (m²)",
            "number",
            aliases=("Diện tích nhà ở", "Diện tích nhà (m²)"),
            min_value=0,
        ),
        Column("water_source", "Nguồn nước sinh hoạt", "code", vocab="water_source"),
        Column("toilet_type", "Loại nhà tiêu", "code", vocab="toilet_type"),
        Column(
            "waste_disposal",
            "Xử lý rác thải sinh hoạt",
            "code",
            vocab="waste_disposal",
            aliases=("Xử lý rác thải", "Hình thức xử lý rác thải"),
            indicator="waste",
            unread=True,
        ),
        Column("has_tv", "Có ti vi", "bool", aliases=("Có tivi",), indicator="info_access"),
        Column("has_radio", "Có radio", "bool", indicator="info_access"),
        Column("has_computer", "Có máy tính", "bool", indicator="info_access"),
        Column("has_smartphone", "Có điện thoại thông minh", "bool", indicator="info_access"),
        Column("hears_loudspeaker", "Nghe được loa truyền thanh", "bool", indicator="info_access"),
        Column(
            "agricultural",
            "Hộ làm nông, lâm, ngư, diêm nghiệp",
            "bool",
            aliases=("Hộ làm nông lâm ngư diêm nghiệp", "Hộ nông nghiệp"),
        ),
        Column("ethnic_minority", "Hộ dân tộc thiểu số", "bool", aliases=("Hộ DTTS",)),
        *_group_columns(),
        *_dep_columns(),
        Column(
            "poverty_exit_date",
            "Ngày thoát nghèo gần nhất",
            "date_or_year",
            aliases=("Năm thoát nghèo",),
        ),
        Column("previous_class", "Phân loại đầu kỳ", "code", vocab="class"),
        # sample-survey design (Alkire–Foster inference); a commune review is a census
        Column(
            "sample_weight", "Trọng số mẫu", "number", aliases=("Quyền số", "weight"), min_value=0
        ),
        Column("stratum", "Tầng mẫu", "text", aliases=("strata",)),
        Column("psu", "Địa bàn mẫu", "text", aliases=("Đơn vị mẫu cấp 1", "cluster")),
    ),
    key_columns=("household_id",),
)

MEMBERS = Sheet(
    "members",
    "Thành viên",
    ("Thanh vien", "Nhân khẩu", "Thành viên hộ", "member"),
    (
        Column("household_id", "Mã hộ", "id", required=True, aliases=("Mã số hộ", "ID hộ")),
        Column("member_no", "STT", "text", aliases=("Số thứ tự",)),
        Column("full_name", "Họ và tên", "text", aliases=("Họ tên",)),
        Column("sex", "Giới tính", "code", vocab="sex"),
        Column(
            "birth_date", "Ngày sinh", "date_or_year", aliases=("Năm sinh", "Ngày tháng năm sinh")
        ),
        Column("relation", "Quan hệ với chủ hộ", "code", vocab="relation"),
        Column("ethnicity", "Dân tộc", "text"),
        Column("work_status", "Tình trạng việc làm", "code", vocab="work_status"),
        Column("health_insurance", "Có thẻ BHYT", "bool", aliases=("Có BHYT", "Thẻ BHYT")),
        Column("education", "Bằng cấp cao nhất", "code", vocab="education"),
        Column("enrolled", "Đang học cấp", "code", vocab="enrolled"),
        Column("malnourished", "Suy dinh dưỡng", "bool"),
        Column("disabled", "Khuyết tật", "bool"),
        Column(
            "social_allowance",
            "Trợ cấp xã hội hằng tháng",
            "bool",
            aliases=("Trợ cấp xã hội hàng tháng",),
        ),
        Column("merit", "Người có công", "bool"),
        Column(
            "uses_telecom",
            "Dùng điện thoại/internet",
            "bool",
            aliases=("Sử dụng điện thoại/internet",),
        ),
        Column("on_job_training", "Đào tạo nghề tại chỗ có xác nhận", "bool"),
    ),
)

SHEETS = {"households": HOUSEHOLDS, "members": MEMBERS}


def unused_columns(indicators: Iterable[str]) -> set[str]:
    """Survey columns no rule reads under a standard with these indicator codes: those of
    another standard's indicator, and those no rule reads yet."""
    codes = set(indicators)
    return {
        c.name
        for sheet in SHEETS.values()
        for c in sheet.columns
        if c.unread or (c.indicator is not None and c.indicator not in codes)
    }


@lru_cache(maxsize=8)
def header_lookup(sheet: str) -> dict[str, str]:
    """Folded header -> column code for ``sheet``."""
    table: dict[str, str] = {}
    for col in SHEETS[sheet].columns:
        for h in col.headers:
            table.setdefault(fold(h), col.name)
    return table


def sheet_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for s in SHEETS.values():
        for h in (s.name, s.label_vi, *s.aliases):
            table[fold(h)] = s.name
    return table


def expected_text(col: Column) -> Text:
    """What a column takes, for messages, in both languages."""
    if col.kind == "code" and col.vocab:
        # a Vietnamese reader is given the labels (what the dropdowns of the template offer);
        # codes are accepted too, and named in English
        labels = "; ".join(label(col.vocab, c) for c in VOCAB[col.vocab])  # labels hold commas
        codes = ", ".join(f"{c} ({label(col.vocab, c)})" for c in VOCAB[col.vocab])
        return Text(labels, codes)
    vi, en = {
        "id": ("văn bản", "text"),
        "text": ("văn bản", "text"),
        "number": ("số", "number"),
        "date": ("ngày dd/mm/yyyy", "date dd/mm/yyyy"),
        "date_or_year": ("ngày dd/mm/yyyy hoặc năm", "date dd/mm/yyyy or year"),
        "bool": (YES_NO_TEXT.vi, YES_NO_TEXT.en),
        "code": ("mã", "code"),
    }[col.kind]
    if col.kind == "number" and col.min_value == 0:
        vi, en = f"{vi} ≥ 0", f"{en} ≥ 0"
    if col.money:
        vi += ", ví dụ 1500000, 1.500.000, 1 500 000, 1.500.000 đ, 1,5 triệu, 1tr5"
        en += " (VND), e.g. 1500000, 1.500.000, 1,500,000, 1 500 000, 1.500.000 đ, 1,5 triệu, 1tr5"
    elif col.kind == "number":
        vi += ", ví dụ 31,96 hoặc 31.96"
        en += ", e.g. 31.96 or 31,96"
    return Text(vi, en)
