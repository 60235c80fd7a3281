"""Generate synthetic multidimensional-poverty survey data for mdpoverty.

Everything here is invented: household and person names are random combinations of
common Vietnamese family, middle and given names, and no row describes a real person.
Place names are used only to make the example look like a real district review.

The data follow the survey workbook contract (docs/) and are built so that the standard of
their review round gives plausible classes: each household is given a target class and a
set of deprivations first, and its members, dwelling and income are then drawn so that the
rules derive exactly those deprivations. The round decides the standard and the map: the
2026 review (the bundled ``survey.xlsx``) sets the 2027 lists under the 2027–2030 standard
(Decree 351/2025/NĐ-CP) and, like the 2025 one, has no districts (abolished on 1/7/2025);
rounds up to 2024 use the 2022–2025 standard (Decree 07/2021/NĐ-CP) and have districts.

Library use::

    from generate import generate_district, write_workbook, write_csv_pair
    households, members = generate_district(300, seed=2025)
    write_workbook(households, members, "survey.xlsx", dirty=True)

Command line (from the repository root)::

    python examples/generate.py                  # examples/survey.xlsx, errors workbook, README
    python examples/generate.py --households 100000 --out /tmp/big.xlsx   # benchmark input
    python examples/generate.py --csv /tmp/pair  # households.csv + members.csv

Only numpy, pandas and openpyxl are needed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import re
import sys
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

sys.path.insert(0, str(Path(__file__).resolve().parent))
from household_groups import COLUMNS as GROUP_COLUMNS
from household_groups import LABELS as GROUP_LABELS
from household_groups import draw_groups

HERE = Path(__file__).resolve().parent
DEFAULT_SEED = 2025
DEFAULT_HOUSEHOLDS = 300
SURVEY_YEAR = 2026  # the review under way (1 Sep – 14 Dec 2026), setting the 2027 lists

# --------------------------------------------------------------------------------------
# Contract (§7): columns, labels, codes
# --------------------------------------------------------------------------------------

# The 2022–2025 standard's 12 indicators (Decree 07/2021); the 2027–2030 standard (Decree
# 351/2025) keeps the first 11, drops ``info_access`` and adds ``waste`` in the 12th place.
INDICATORS: tuple[str, ...] = (
    "employment",
    "dependents",
    "nutrition",
    "health_insurance",
    "adult_education",
    "school_attendance",
    "housing_quality",
    "housing_area",
    "water",
    "toilet",
    "telecom",
    "info_access",
)
INDICATORS_2027: tuple[str, ...] = (*INDICATORS[:11], "waste")
IND = {**{code: i for i, code in enumerate(INDICATORS)}, "waste": 11}

INDICATOR_VI = {
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
}

# Every household column a round may have, in the order written; a round keeps those of its
# standard and map (``household_columns``).
HOUSEHOLD_COLUMNS: tuple[str, ...] = (
    "household_id",
    "head_name",
    "province",
    "district",
    "commune",
    "village",
    "area",
    "survey_date",
    "income_per_capita",
    "household_income_12m",
    "income_score",
    "deprivation_score",
    "housing_type",
    "durable_walls",
    "durable_pillars",
    "durable_roof",
    "floor_area_m2",
    "water_source",
    "toilet_type",
    "waste_disposal",
    "has_tv",
    "has_radio",
    "has_computer",
    "has_smartphone",
    "hears_loudspeaker",
    "agricultural",
    "ethnic_minority",
    *GROUP_COLUMNS,
    *(f"dep_{code}" for code in INDICATORS_2027[:11]),
    "dep_info_access",
    "dep_waste",
    "poverty_exit_date",
    "previous_class",
)
INFO_COLUMNS = ("has_tv", "has_radio", "has_computer", "has_smartphone", "hears_loudspeaker")

MEMBER_COLUMNS: tuple[str, ...] = (
    "household_id",
    "member_no",
    "full_name",
    "sex",
    "birth_date",
    "relation",
    "ethnicity",
    "work_status",
    "health_insurance",
    "education",
    "enrolled",
    "malnourished",
    "disabled",
    "social_allowance",
    "merit",
    "uses_telecom",
    "on_job_training",
)

# The official Vietnamese labels of §7 (written when ``dirty=False``).
LABELS: dict[str, dict[str, str]] = {
    "households": {
        "household_id": "Mã hộ",
        "head_name": "Họ tên chủ hộ",
        "province": "Tỉnh",
        "district": "Huyện",
        "commune": "Xã",
        "village": "Thôn",
        "area": "Khu vực",
        "survey_date": "Ngày rà soát",
        "income_per_capita": "Thu nhập bình quân người/tháng",
        "household_income_12m": "Tổng thu nhập 12 tháng",
        "income_score": "Điểm A",
        "deprivation_score": "Điểm B",
        "housing_type": "Loại nhà",
        "durable_walls": "Tường bền chắc",
        "durable_pillars": "Cột bền chắc",
        "durable_roof": "Mái bền chắc",
        "floor_area_m2": "Diện tích nhà ở (m²)",
        "water_source": "Nguồn nước sinh hoạt",
        "toilet_type": "Loại nhà tiêu",
        "waste_disposal": "Xử lý rác thải sinh hoạt",
        "has_tv": "Có ti vi",
        "has_radio": "Có radio",
        "has_computer": "Có máy tính",
        "has_smartphone": "Có điện thoại thông minh",
        "hears_loudspeaker": "Nghe được loa truyền thanh",
        "agricultural": "Hộ làm nông, lâm, ngư, diêm nghiệp",
        "ethnic_minority": "Hộ dân tộc thiểu số",
        **GROUP_LABELS,
        **{f"dep_{code}": f"Thiếu hụt {vi}" for code, vi in INDICATOR_VI.items()},
        "poverty_exit_date": "Ngày thoát nghèo gần nhất",
        "previous_class": "Phân loại đầu kỳ",
    },
    "members": {
        "household_id": "Mã hộ",
        "member_no": "STT",
        "full_name": "Họ và tên",
        "sex": "Giới tính",
        "birth_date": "Ngày sinh",
        "relation": "Quan hệ với chủ hộ",
        "ethnicity": "Dân tộc",
        "work_status": "Tình trạng việc làm",
        "health_insurance": "Có thẻ BHYT",
        "education": "Bằng cấp cao nhất",
        "enrolled": "Đang học cấp",
        "malnourished": "Suy dinh dưỡng",
        "disabled": "Khuyết tật",
        "social_allowance": "Trợ cấp xã hội hằng tháng",
        "merit": "Người có công",
        "uses_telecom": "Dùng điện thoại/internet",
        "on_job_training": "Đào tạo nghề tại chỗ có xác nhận",
    },
}

# Headers as commune officers actually type them (``dirty=True``): the same labels with
# capitals, missing diacritics, extra spaces and the "Điểm B1/B2" names of real workbooks.
# The reader folds case, spaces and diacritics, so every one of these must still match.
DIRTY_LABELS: dict[str, dict[str, str]] = {
    "households": {
        **LABELS["households"],
        "household_id": "Ma ho",
        "district": "HUYỆN",
        "village": " Thôn",
        "area": "KHU VỰC",
        "survey_date": "Ngày  rà soát",
        "income_score": "Điểm B1",
        "deprivation_score": "Điểm B2",
        "floor_area_m2": "Diện tích nhà ở (m2)",
        "toilet_type": "Loai nha tieu",
        "waste_disposal": "Xử lý rác thải  sinh hoạt",
        "dep_waste": "THIẾU HỤT XỬ LÝ RÁC THẢI",
        "has_tv": "Có tivi",
        "dep_water": "Thiếu hụt  nguồn nước",
        "dep_toilet": "THIẾU HỤT NHÀ TIÊU",
        "previous_class": "PHÂN LOẠI ĐẦU KỲ",
    },
    "members": {
        **LABELS["members"],
        "member_no": "STT ",
        "full_name": "HỌ VÀ TÊN",
        "birth_date": "Ngay sinh",
        "health_insurance": "Có thẻ BHYT",
        "social_allowance": "Tro cap xa hoi hang thang",
    },
}

SHEET_NAMES = {
    True: {"households": "Hộ gia đình", "members": "Thành viên"},
    False: {"households": "households", "members": "members"},
}

CODE_LABELS: dict[str, dict[str, str]] = {
    "area": {"rural": "Nông thôn", "urban": "Thành thị"},
    "housing_type": {
        "permanent": "Nhà kiên cố",
        "semi_permanent": "Nhà bán kiên cố",
        "less_permanent": "Nhà thiếu kiên cố",
        "makeshift": "Nhà đơn sơ",
    },
    "water_source": {
        "piped": "Nước máy",
        "drilled_well": "Giếng khoan",
        "protected_well": "Giếng đào được bảo vệ",
        "protected_spring": "Nước khe mó được bảo vệ",
        "rainwater": "Nước mưa",
        "bottled": "Nước mua, nước đóng chai",
        "unprotected_well": "Giếng đào không được bảo vệ",
        "unprotected_spring": "Nước khe mó không được bảo vệ",
        "surface": "Nước mặt",
        "other": "Khác",
    },
    "toilet_type": {
        "flush_septic": "Tự hoại",
        "flush_sewer": "Xả nước vào cống",
        "double_vault": "Hai ngăn",
        "ventilated_pit": "Chìm có ống thông hơi",
        "biogas": "Biogas",
        "simple_pit": "Hố đào đơn giản",
        "hanging": "Cầu tiêu",
        "none": "Không có nhà tiêu",
        "other": "Khác",
    },
    "waste_disposal": {
        "collected": "Thu gom tập trung",
        "composted": "Ủ phân, tái chế",
        "burned": "Đốt",
        "buried": "Chôn lấp",
        "dumped": "Vứt bừa bãi",
        "other": "Khác",
    },
    "sex": {"male": "Nam", "female": "Nữ"},
    "relation": {
        "head": "Chủ hộ",
        "spouse": "Vợ/chồng",
        "child": "Con",
        "parent": "Bố/mẹ",
        "grandchild": "Cháu",
        "other": "Khác",
    },
    "work_status": {
        "wage_contract": "Làm công có hợp đồng",
        "wage_no_contract": "Làm công không có hợp đồng",
        "self_employed": "Tự làm",
        "unemployed": "Thất nghiệp",
        "student": "Đang đi học",
        "retired": "Nghỉ hưu",
        "homemaker": "Nội trợ",
        "unable": "Không có khả năng lao động",
        "other": "Khác",
    },
    "education": {
        "none": "Chưa có bằng cấp",
        "primary": "Tiểu học",
        "lower_secondary": "Trung học cơ sở",
        "upper_secondary": "Trung học phổ thông",
        "vocational": "Giáo dục nghề nghiệp",
        "college": "Cao đẳng",
        "university": "Đại học",
    },
    "enrolled": {
        "none": "Không đi học",
        "preschool": "Mầm non",
        "primary": "Tiểu học",
        "lower_secondary": "Trung học cơ sở",
        "upper_secondary": "Trung học phổ thông",
        "vocational": "Giáo dục nghề nghiệp",
        "higher": "Cao đẳng, đại học",
    },
    "class": {
        "poor": "Hộ nghèo",
        "near_poor": "Hộ cận nghèo",
        "average": "Hộ có mức sống trung bình",
        "not_poor": "Hộ không nghèo",
    },
}
# Which code list each coded column uses.
CODED_COLUMNS = {
    "area": "area",
    "housing_type": "housing_type",
    "water_source": "water_source",
    "toilet_type": "toilet_type",
    "waste_disposal": "waste_disposal",
    "previous_class": "class",
    "sex": "sex",
    "relation": "relation",
    "work_status": "work_status",
    "education": "education",
    "enrolled": "enrolled",
}
BOOL_COLUMNS = frozenset(
    {
        "durable_walls",
        "durable_pillars",
        "durable_roof",
        "has_tv",
        "has_radio",
        "has_computer",
        "has_smartphone",
        "hears_loudspeaker",
        "agricultural",
        "ethnic_minority",
        *GROUP_COLUMNS,
        *(f"dep_{code}" for code in (*INDICATORS, "waste")),
        "health_insurance",
        "malnourished",
        "disabled",
        "social_allowance",
        "merit",
        "uses_telecom",
        "on_job_training",
    }
)
# In the "dirty" workbook these yes/no columns are Excel booleans; these others are
# "x" or blank (a column whose filled cells are all "x": blank means no).
EXCEL_BOOL_COLUMNS = frozenset({"has_computer", "disabled"})
X_COLUMNS = frozenset({"merit", "on_job_training"})
MONEY_COLUMNS = frozenset({"income_per_capita", "household_income_12m"})
DATE_COLUMNS = frozenset({"survey_date", "birth_date", "poverty_exit_date"})

CLASSES = ("poor", "near_poor", "average", "not_poor")

# 2022–2025 standard (Decree 07/2021/NĐ-CP): line, top of the MSTB band, score A threshold.
LINE = {"rural": 1_500_000, "urban": 2_000_000}
BAND_TOP = {"rural": 2_250_000, "urban": 3_000_000}
SCORE_LINE = {"rural": 140, "urban": 175}


@dataclass(frozen=True)
class Standard:
    """What the generator needs of a poverty standard (the law, not mdpoverty's data files)."""

    id: str
    indicators: tuple[str, ...]
    line: dict[str, int]
    band_top: dict[str, int] | None  # top of the average-living-standard band, if published
    score_line: dict[str, int] | None  # checklist score A equivalent to the line, if published


STANDARD_2022 = Standard("vn-2022-2025", INDICATORS, LINE, BAND_TOP, SCORE_LINE)
# Decree 351/2025/NĐ-CP: lines 2,200,000 rural / 2,800,000 urban ("đô thị"); no band and no
# score equivalent published, so a household above the line is not_poor and every household
# needs an income figure; the waste indicator is decided by the reviewer's ``dep_waste``.
STANDARD_2027 = Standard(
    "vn-2027-2030", INDICATORS_2027, {"rural": 2_200_000, "urban": 2_800_000}, None, None
)


def standard_for_round(survey_year: int) -> Standard:
    """The standard of the periodic review of ``survey_year`` (1 Sep – 14 Dec): the one that
    sets the next year's lists (2025 review: the 2026 lists, 2022–2025 standard extended by
    Decree 351/2025; 2026 review: the 2027 lists, 2027–2030 standard)."""
    return STANDARD_2027 if survey_year >= 2026 else STANDARD_2022


def has_districts(survey_year: int) -> bool:
    """Districts were abolished on 1/7/2025: reviews from 2025 on are province → commune."""
    return survey_year <= 2024


def household_columns(standard: Standard, districts: bool) -> tuple[str, ...]:
    """The households-sheet columns of a round under ``standard``, with or without districts."""
    drop = set()
    if not districts:
        drop.add("district")
    if standard.score_line is None:
        drop.add("income_score")
    if "info_access" not in standard.indicators:
        drop.update(INFO_COLUMNS)
    if "waste" not in standard.indicators:
        drop.add("waste_disposal")
    drop.update(f"dep_{c}" for c in ("info_access", "waste") if c not in standard.indicators)
    return tuple(c for c in HOUSEHOLD_COLUMNS if c not in drop)


# --------------------------------------------------------------------------------------
# Geography and people (all synthetic)
# --------------------------------------------------------------------------------------

ETHNICITIES: tuple[str, ...] = ("Kinh", "Tày", "H'Mông", "Dao", "Thái", "Nùng", "Giáy", "Phù Lá")
KINH = 0

PROVINCE = ("LC", "Tỉnh Lào Cai")


@dataclass(frozen=True)
class Commune:
    district_code: str
    district: str
    name: str
    weight: float
    villages: tuple[tuple[str, bool], ...]  # (name, urban)
    ethnic_mix: tuple[float, ...]  # over ETHNICITIES


COMMUNES: tuple[Commune, ...] = (
    Commune(
        "BT",
        "Huyện Bảo Thắng",
        "Thị trấn Phố Lu",
        0.20,
        (
            ("Tổ dân phố 1", True),
            ("Tổ dân phố 2", True),
            ("Tổ dân phố 3", True),
            ("Tổ dân phố 4", True),
            ("Thôn Phú Hà", False),
        ),
        (0.80, 0.08, 0.01, 0.04, 0.02, 0.03, 0.01, 0.01),
    ),
    Commune(
        "BT",
        "Huyện Bảo Thắng",
        "Xã Sơn Hải",
        0.13,
        (("Thôn Cốc Sâm", False), ("Thôn Hải Khê", False), ("Thôn Tân Sơn", False)),
        (0.60, 0.15, 0.03, 0.12, 0.03, 0.04, 0.02, 0.01),
    ),
    Commune(
        "BT",
        "Huyện Bảo Thắng",
        "Xã Xuân Quang",
        0.15,
        (
            ("Thôn Cốc Tủm", False),
            ("Thôn Khởi Khe", False),
            ("Thôn Xuân Hà", False),
            ("Thôn Bản Cầm", False),
        ),
        (0.45, 0.20, 0.08, 0.12, 0.05, 0.05, 0.03, 0.02),
    ),
    Commune(
        "BT",
        "Huyện Bảo Thắng",
        "Xã Phong Niên",
        0.14,
        (("Thôn Phú Thịnh", False), ("Thôn Làng Cung", False), ("Thôn Cốc Phương", False)),
        (0.40, 0.15, 0.05, 0.20, 0.05, 0.05, 0.08, 0.02),
    ),
    Commune(
        "BH",
        "Huyện Bắc Hà",
        "Xã Tà Chải",
        0.14,
        (("Thôn Na Kim", False), ("Thôn Sán Sả Hồ", False), ("Thôn Tả Hồ", False)),
        (0.15, 0.08, 0.50, 0.05, 0.02, 0.15, 0.03, 0.02),
    ),
    Commune(
        "BH",
        "Huyện Bắc Hà",
        "Xã Bản Phố",
        0.12,
        (
            ("Thôn Bản Phố 1", False),
            ("Thôn Bản Phố 2", False),
            ("Thôn Làng Mới", False),
            ("Thôn Sín Chải", False),
        ),
        (0.05, 0.05, 0.65, 0.03, 0.02, 0.15, 0.02, 0.03),
    ),
    Commune(
        "BH",
        "Huyện Bắc Hà",
        "Xã Lùng Phình",
        0.12,
        (("Thôn Lùng Phình", False), ("Thôn Sảng Mào Phố", False), ("Thôn Pả Chư Tỷ", False)),
        (0.03, 0.02, 0.75, 0.05, 0.01, 0.12, 0.01, 0.01),
    ),
)


# Since 1/7/2025 (no districts; communes merged): each new commune and the old ones it took
# in. Two keep an old name, two are new; a household's village, area and ID do not change.
NEW_COMMUNES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Xã Bảo Thắng", ("Thị trấn Phố Lu", "Xã Sơn Hải")),
    ("Xã Xuân Quang", ("Xã Xuân Quang", "Xã Phong Niên")),
    ("Xã Bắc Hà", ("Xã Tà Chải", "Xã Bản Phố")),
    ("Xã Lùng Phình", ("Xã Lùng Phình",)),
)
NEW_COMMUNE_OF = {old: new for new, olds in NEW_COMMUNES for old in olds}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_KINH_MALE = _words(
    "Hùng Dũng Tuấn Minh Nam Long Hải Sơn Thắng Cường Đức Quang Bình Toàn Phong Hiếu Khánh "
    "Trung Việt An Hưng Tùng Kiên Lâm Thành Hoàng Vinh Phúc Tài Lợi"
)
_KINH_FEMALE = _words(
    "Lan Hương Mai Hoa Thảo Hằng Nga Linh Trang Thủy Hạnh Yến Nhung Phương Thu Hà Loan Vân "
    "Ngọc Dung Huyền Liên Oanh Tâm Thơm Xuân Hiền Quyên Ánh Vy"
)
_MONG_MALE = _words(
    "Páo Chứ Sử Dính Chính Lử Pó Sài Chư Dìn Lềnh Tủa Phử Xá Quáng Sính Chẩn Sếnh Vư Dơ"
)
_MONG_FEMALE = _words("Mỷ Pà Dở Súa Sy Chía Mai Dung Xúa Sua Dế Gia Say Máy Chu Vư Mẩy Lìa")
_DAO_MALE = _words("Sành Chòi Lở Vảng Phin Quẩy Kiềm Tả Sinh Phẩu Chàn Lai Phù Táo Dùn")
_DAO_FEMALE = _words("Mẩy Xuân Mùi Phây Liều Dín Nái Chỉn Pham Xiêm Mai Tả Kiều")


@dataclass(frozen=True)
class NameBook:
    surnames: tuple[str, ...]
    male_middle: tuple[str, ...]
    female_middle: tuple[str, ...]
    male_given: tuple[str, ...]
    female_given: tuple[str, ...]


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split(","))


NAMEBOOKS: dict[str, NameBook] = {
    "Kinh": NameBook(
        _split(
            "Nguyễn,Nguyễn,Nguyễn,Trần,Trần,Lê,Lê,Phạm,Hoàng,Vũ,Đỗ,Bùi,Đặng,Ngô,Đinh,"
            "Phan,Dương,Lương,Trịnh,Đào"
        ),
        _split("Văn,Văn,Đức,Minh,Quốc,Xuân,Hữu,Công,Thanh,Mạnh"),
        _split("Thị,Thị,Thị,Thu,Ngọc,Thanh,Minh,Hồng"),
        _KINH_MALE,
        _KINH_FEMALE,
    ),
    "Tày": NameBook(
        _split("Hoàng,Nông,Hà,Ma,Lục,Vi,La,Hứa,Hoàng,Nông"),
        _split("Văn,Văn,Đức,Thanh"),
        _split("Thị,Thị,Thị,Thu"),
        _KINH_MALE,
        _KINH_FEMALE,
    ),
    "Nùng": NameBook(
        _split("Nông,Hoàng,Lục,Vi,Sầm,Lương,Chu,Mã,Lù"),
        _split("Văn,Văn,Seo"),
        _split("Thị"),
        _KINH_MALE,
        _KINH_FEMALE,
    ),
    "H'Mông": NameBook(
        _split("Giàng,Sùng,Vàng,Thào,Lù,Lý,Hầu,Mùa,Sình,Tráng,Ly,Cư"),
        _split("A,A,Seo,Seo,Văn"),
        _split("Thị,Thị,Thị,Seo"),
        _MONG_MALE,
        _MONG_FEMALE,
    ),
    "Dao": NameBook(
        _split("Triệu,Bàn,Đặng,Lý,Chảo,Tẩn,Phàn,Lò"),
        _split("Văn,Văn,Láo,Seo"),
        _split("Thị,Thị,Mùi"),
        _DAO_MALE,
        _DAO_FEMALE,
    ),
    "Thái": NameBook(
        _split("Lò,Cầm,Lường,Vì,Quàng,Tòng,Hà"),
        _split("Văn"),
        _split("Thị"),
        _KINH_MALE,
        _KINH_FEMALE,
    ),
    "Giáy": NameBook(
        _split("Lù,Hoàng,Vương,Sần,Ngôn,Lồ,Thền"),
        _split("Văn,Văn,Seo"),
        _split("Thị"),
        _KINH_MALE,
        _KINH_FEMALE,
    ),
    "Phù Lá": NameBook(
        _split("Vàng,Lý,Pờ,Sần,Thào"),
        _split("Seo,Văn"),
        _split("Thị"),
        _MONG_MALE,
        _MONG_FEMALE,
    ),
}

# Household size 1..9, by group (ethnic-minority households are larger on average).
_SIZE_P_KINH = np.array([0.09, 0.16, 0.21, 0.27, 0.14, 0.07, 0.03, 0.02, 0.01])
_SIZE_P_MINORITY = np.array([0.04, 0.09, 0.14, 0.20, 0.19, 0.15, 0.10, 0.06, 0.03])

# Weight of each indicator when choosing which ones a household lacks.
_DEPRIVATION_WEIGHT = np.array([1.2, 0.0, 0.6, 0.5, 1.2, 0.5, 1.0, 0.6, 0.9, 1.3, 0.3, 0.4])

# Number of deprivations by target class (poor: ≥ 3; near-poor: < 3).
_DEPRIVATION_COUNTS = {
    0: ((3, 4, 5, 6, 7), (0.35, 0.30, 0.20, 0.10, 0.05)),
    1: ((0, 1, 2), (0.20, 0.40, 0.40)),
    2: ((0, 1, 2, 3, 4), (0.35, 0.30, 0.20, 0.10, 0.05)),
    3: ((0, 1, 2, 3), (0.55, 0.30, 0.10, 0.05)),
}

# Start-of-period class given the current class (rows: current; columns: previous).
_PREVIOUS_GIVEN_CURRENT = np.array(
    [
        [0.82, 0.10, 0.03, 0.05],  # poor now
        [0.25, 0.60, 0.05, 0.10],  # near-poor now
        [0.06, 0.12, 0.70, 0.12],  # average now
        [0.03, 0.04, 0.08, 0.85],  # not poor now
    ]
)

# The same for the first round under the 2027–2030 standard (columns: class in the 2025
# round, under 2022–2025). Its line is higher (2.2 M rural against 1.5 M), so many of today's
# poor and near-poor were near-poor or in the average band a year ago. Rows: poor, near-poor,
# the band 1–1.5 x the line (not_poor under 2027–2030, which has no band), above it.
_PREVIOUS_GIVEN_CURRENT_2027 = np.array(
    [
        [0.62, 0.18, 0.14, 0.06],
        [0.12, 0.42, 0.34, 0.12],
        [0.02, 0.08, 0.62, 0.28],
        [0.02, 0.02, 0.07, 0.89],
    ]
)

# --------------------------------------------------------------------------------------
# Small vectorised helpers
# --------------------------------------------------------------------------------------


def _categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of ``probs`` (rows need not be normalised)."""
    cdf = np.cumsum(probs, axis=1)
    cdf /= cdf[:, -1:]
    u = rng.random(probs.shape[0])[:, None]
    return np.minimum((u > cdf).sum(axis=1), probs.shape[1] - 1)


def _choice(
    rng: np.random.Generator, codes: Sequence[str], p: Sequence[float], n: int
) -> np.ndarray:
    pa = np.asarray(p, dtype=float)
    return np.asarray(codes, dtype=object)[rng.choice(len(codes), size=n, p=pa / pa.sum())]


def _pick_one(
    rng: np.random.Generator,
    hh: np.ndarray,
    eligible: np.ndarray,
    ends: np.ndarray,
    bonus: np.ndarray | None = None,
) -> np.ndarray:
    """For each household, the index of one random eligible member, or -1 if none."""
    keys = rng.random(hh.size)
    if bonus is not None:
        keys = keys + bonus
    keys = np.where(eligible, keys, -1.0)
    order = np.lexsort((keys, hh))  # by household, then key; the last of each group wins
    chosen = order[ends]
    return np.where(keys[chosen] >= 0, chosen, -1)


def _any_by_household(hh: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(hh, weights=mask.astype(float), minlength=n) > 0


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(int) + 1970
    m = d.astype("datetime64[M]").astype(int) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(int) + 1
    return y, m, day


def _school_level(school_age: np.ndarray) -> np.ndarray:
    """Appropriate schooling level by school age (survey year − birth year)."""
    return np.select(
        [school_age <= 2, school_age <= 5, school_age <= 10, school_age <= 14],
        ["none", "preschool", "primary", "lower_secondary"],
        "upper_secondary",
    ).astype(object)


_LEVEL_BELOW = {
    "primary": "preschool",
    "lower_secondary": "primary",
    "upper_secondary": "lower_secondary",
}
_COMPLETED_BELOW = {  # highest credential of a pupil at a given level
    "none": None,
    "preschool": None,
    "primary": "none",
    "lower_secondary": "primary",
    "upper_secondary": "lower_secondary",
}


def _names(
    rng: np.random.Generator,
    ethnicity: np.ndarray,
    male: np.ndarray,
    takes_family: np.ndarray,
    head: np.ndarray,
) -> np.ndarray:
    """Random "Family Middle Given" names; where ``takes_family``, the family name of the
    member at index ``head`` (the household head, who never takes another's)."""
    n = ethnicity.size
    sur = np.empty(n, dtype=object)
    mid = np.empty(n, dtype=object)
    given = np.empty(n, dtype=object)
    for e, group in enumerate(ETHNICITIES):
        idx = np.flatnonzero(ethnicity == e)
        if idx.size == 0:
            continue
        book = NAMEBOOKS[group]
        m = male[idx]

        def draw(words: tuple[str, ...], k: int = idx.size) -> np.ndarray:
            return np.asarray(words, dtype=object)[rng.integers(len(words), size=k)]

        sur[idx] = draw(book.surnames)
        mid[idx] = np.where(m, draw(book.male_middle), draw(book.female_middle))
        given[idx] = np.where(m, draw(book.male_given), draw(book.female_given))
    sur = np.where(takes_family, sur[head], sur)
    return np.array([f"{a} {b} {c}" for a, b, c in zip(sur, mid, given, strict=True)], dtype=object)


def _nullable_bool(values: np.ndarray, present: np.ndarray | None = None) -> pd.Series:
    s = pd.Series(values.astype(bool), dtype="boolean")
    if present is not None:
        s[~present] = pd.NA
    return s


def _nullable_int(values: np.ndarray, present: np.ndarray) -> pd.Series:
    s = pd.Series(np.where(present, values, 0).astype(np.int64), dtype="Int64")
    s[~present] = pd.NA
    return s


# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------


@dataclass
class Truth:
    """What the generator intends the rules of its standard to derive, per household."""

    flags: np.ndarray  # (n, 12) final deprivation flags (after reviewer overrides)
    expected_class: np.ndarray  # class code per household
    standard: Standard = STANDARD_2022


def generate_district(
    n_households: int,
    seed: int = DEFAULT_SEED,
    survey_year: int = SURVEY_YEAR,
    *,
    standard: Standard | None = None,
    districts: bool | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic survey data: (households, members) with the English column codes of §7.

    Values are what a person enters (codes as English codes, yes/no as nullable booleans,
    dates as dates, a bare birth year as an int); labels are applied when writing.
    The standard and the map follow the review round of ``survey_year`` unless given:
    2026 on, the 2027–2030 standard (no information assets, a waste indicator, no score A);
    before, 2022–2025; a district column up to 2024, none after the reform of 1/7/2025.
    Deterministic for a given ``seed``.
    """
    households, members, _ = _generate(
        n_households, seed, survey_year, standard=standard, districts=districts
    )
    return households, members


def _generate(
    n_households: int,
    seed: int,
    survey_year: int,
    *,
    standard: Standard | None = None,
    districts: bool | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, Truth]:
    if n_households < 1:
        raise ValueError("n_households must be at least 1")
    std = standard_for_round(survey_year) if standard is None else standard
    with_districts = has_districts(survey_year) if districts is None else districts
    twelfth = std.indicators[11]  # "info_access" (2022–2025) or "waste" (2027–2030)
    rng = np.random.default_rng(seed)
    n = n_households

    # ---- geography -----------------------------------------------------------------
    commune_w = np.array([c.weight for c in COMMUNES])
    village_name = np.array([v for c in COMMUNES for v, _ in c.villages], dtype=object)
    village_urban = np.array([u for c in COMMUNES for _, u in c.villages])
    village_commune = np.repeat(np.arange(len(COMMUNES)), [len(c.villages) for c in COMMUNES])
    v_start = np.concatenate([[0], np.cumsum([len(c.villages) for c in COMMUNES])[:-1]])
    v_count = np.array([len(c.villages) for c in COMMUNES])

    commune0 = rng.choice(len(COMMUNES), size=n, p=commune_w / commune_w.sum())
    village = np.sort(v_start[commune0] + (rng.random(n) * v_count[commune0]).astype(int))
    commune = village_commune[village]
    urban = village_urban[village]
    area = np.where(urban, "urban", "rural").astype(object)

    first_in_commune = np.searchsorted(commune, commune, side="left")
    seq = np.arange(n) - first_in_commune + 1
    width = max(4, len(str(int(seq.max()))))
    # commune numbers restart in each district: BT-01..04, BH-01..03
    district_codes = [c.district_code for c in COMMUNES]
    c_code = np.array(
        [
            f"{PROVINCE[0]}-{dc}-{district_codes[: i + 1].count(dc):02d}"
            for i, dc in enumerate(district_codes)
        ],
        dtype=object,
    )
    household_id = np.array(
        [f"{c}-{s:0{width}d}" for c, s in zip(c_code[commune], seq, strict=True)], dtype=object
    )

    # ---- survey date: each commune reviews over a few weeks of October and November -----
    start = np.datetime64(f"{survey_year}-10-01")
    last = np.datetime64(f"{survey_year}-11-30")
    c_off = rng.integers(0, 35, size=len(COMMUNES))
    v_off = rng.integers(0, 10, size=village_name.size)
    sdate = start + (c_off[commune] + v_off[village] + rng.integers(0, 15, size=n)).astype(
        "timedelta64[D]"
    )
    weekday = (sdate.astype(np.int64) + 3) % 7  # 0 = Monday
    sdate = np.where(weekday == 6, sdate + np.timedelta64(1, "D"), sdate)  # no Sundays
    sdate = np.minimum(sdate, last)

    # ---- ethnicity, target class, size -----------------------------------------------
    mix = np.array([c.ethnic_mix for c in COMMUNES])
    head_eth = _categorical(rng, mix[commune])
    minority = head_eth != KINH

    p_poor = np.where(minority, 0.30, 0.07) * np.where(urban, 0.35, 1.0)
    p_near = np.where(minority, 0.09, 0.06) * np.where(urban, 0.6, 1.0)
    if std.band_top is None:  # 2027–2030: a higher line takes in more households
        p_poor, p_near = p_poor * 1.3, p_near * 1.7
    p_avg = np.where(minority, 0.22, 0.18)
    target = _categorical(
        rng, np.column_stack([p_poor, p_near, p_avg, 1.0 - p_poor - p_near - p_avg])
    )
    poorish = target <= 1

    size_p = np.where(minority[:, None], _SIZE_P_MINORITY, _SIZE_P_KINH)
    size = _categorical(rng, size_p) + 1

    # ---- members: relation, sex, age ---------------------------------------------------
    m_total = int(size.sum())
    hh = np.repeat(np.arange(n), size)
    ends = np.cumsum(size) - 1
    starts = ends - size + 1
    slot = np.arange(m_total) - starts[hh]

    head_age = np.where(size == 1, 28 + rng.beta(2.0, 1.4, n) * 60, 21 + rng.beta(2.0, 2.4, n) * 62)
    head_age = np.maximum(head_age, 17 + 3.2 * size)
    head_male = rng.random(n) < np.where(minority, 0.9, 0.8)

    ha = head_age[hh]
    u = rng.random(m_total)
    young_head = ha < 50
    rel_other = np.where(
        young_head,
        np.select([u < 0.82, u < 0.92], ["child", "parent"], "other"),
        np.select([u < 0.45, u < 0.87, u < 0.90], ["child", "grandchild", "parent"], "other"),
    )
    spouse_here = rng.random(m_total) < np.where(ha < 75, 0.88, 0.6)
    relation = np.where(
        slot == 0, "head", np.where((slot == 1) & spouse_here, "spouse", rel_other)
    ).astype(object)

    age = np.select(
        [
            relation == "head",
            relation == "spouse",
            relation == "child",
            relation == "parent",
            relation == "grandchild",
        ],
        [
            ha,
            np.clip(ha + rng.normal(-2.5, 4.0, m_total), 18, 95),
            ha - rng.uniform(19, 42, m_total),
            np.minimum(ha + rng.uniform(20, 34, m_total), 99),
            rng.uniform(0, 1, m_total) * np.clip(ha - 40, 1, 22),
        ],
        rng.uniform(3, 75, m_total),
    )
    young_child = (relation == "child") & (age < 0.1)
    age = np.where(young_child, rng.random(m_total) * np.maximum(ha - 18, 0.5), age)
    age = np.maximum(age, 0.1)

    male = np.select(
        [relation == "head", relation == "spouse"],
        [head_male[hh], ~head_male[hh]],
        rng.random(m_total) < 0.5,
    )
    eth = head_eth[hh].copy()
    married_in = (relation == "spouse") & (rng.random(m_total) < 0.15)
    eth[married_in] = _categorical(rng, mix[commune[hh[married_in]]])

    # birth dates and the ages the rules will compute from what is written
    s_days = sdate[hh]
    birth = s_days - np.maximum((age * 365.25).astype(np.int64), 20).astype("timedelta64[D]")
    sy, sm, sd = _ymd(s_days)
    by, bm, bd = _ymd(birth)
    bare_year = rng.random(m_total) < (0.06 + 0.25 * (age >= 60) + 0.08 * minority[hh])
    completed = sy - by - ((sm < bm) | ((sm == bm) & (sd < bd)))
    rule_age = np.where(bare_year, sy - by, completed)
    school_age = survey_year - by

    # ---- schooling and credentials (the non-deprived pattern first) --------------------
    is_min = minority[hh]
    level = _school_level(school_age)
    enrolled = np.full(m_total, None, dtype=object)
    education = np.full(m_total, None, dtype=object)

    pupil = (rule_age <= 15) & (school_age >= 3)
    enrolled[pupil] = level[pupil]
    teen = (rule_age >= 16) & (rule_age <= 17)
    teen_school = teen & (rng.random(m_total) < np.where(is_min, 0.7, 0.85))
    enrolled[teen_school] = "upper_secondary"
    enrolled[teen & ~teen_school] = "none"
    education[teen] = np.where(rng.random(m_total) < 0.9, "lower_secondary", "vocational")[teen]

    young_adult = (rule_age >= 18) & (rule_age <= 31)
    studying = young_adult & (rng.random(m_total) < np.where(is_min, 0.06, 0.15))
    enrolled[studying] = np.where(rng.random(m_total) < 0.4, "vocational", "higher")[studying]
    enrolled[young_adult & ~studying & (rule_age <= 30)] = "none"
    edu_young = np.where(
        is_min,
        _choice(
            rng,
            ["upper_secondary", "vocational", "college", "university"],
            [0.6, 0.3, 0.05, 0.05],
            m_total,
        ),
        _choice(
            rng,
            ["upper_secondary", "vocational", "college", "university"],
            [0.5, 0.2, 0.1, 0.2],
            m_total,
        ),
    )
    education[young_adult] = edu_young[young_adult]
    education[studying] = "upper_secondary"
    on_job = young_adult & ~studying & (rng.random(m_total) < 0.03)
    education[on_job] = "lower_secondary"

    older = rule_age >= 32
    old_probs = np.where(
        (is_min | (rule_age >= 60))[:, None],
        [0.30, 0.35, 0.25, 0.07, 0.02, 0.005, 0.005],
        [0.05, 0.15, 0.35, 0.30, 0.08, 0.03, 0.04],
    )
    edu_codes = np.array(
        [
            "none",
            "primary",
            "lower_secondary",
            "upper_secondary",
            "vocational",
            "college",
            "university",
        ],
        dtype=object,
    )
    education[older] = edu_codes[_categorical(rng, old_probs[older])]
    kid = pupil & (school_age >= 6)
    education[kid] = np.array([_COMPLETED_BELOW[x] for x in level[kid]], dtype=object)

    # ---- disability, allowances, merit -------------------------------------------------
    disabled = rng.random(m_total) < (0.015 + 0.06 * (rule_age >= 65))
    p_allow = np.select(
        [rule_age >= 80, rule_age >= 60, rule_age < 16],
        [0.9, np.where(poorish[hh], 0.25, 0.08), 0.01],
        0.01,
    )
    social_allowance = rng.random(m_total) < np.where(disabled, 0.6, p_allow)
    merit = rng.random(m_total) < np.select([rule_age >= 60, rule_age >= 40], [0.03, 0.005], 0.0)

    dependent = (rule_age < 16) | (((rule_age >= 60) | disabled) & social_allowance)
    dependents_flag = 2 * np.bincount(hh, weights=dependent, minlength=n) > size

    # ---- which indicators each household lacks ----------------------------------------
    emp_ok = (
        (rule_age >= 16)
        & (rule_age <= 54)
        & ~disabled
        & ~np.isin(enrolled, ["upper_secondary", "vocational", "higher"])
    )
    nut_ok = rule_age < 16
    adult_ok = (rule_age >= 17) & (rule_age <= 29)
    school_ok = (rule_age >= 4) & (rule_age <= 14)
    feasible = np.ones((n, len(INDICATORS)), dtype=bool)
    feasible[:, IND["dependents"]] = False
    feasible[:, IND["employment"]] = _any_by_household(hh, emp_ok, n)
    feasible[:, IND["nutrition"]] = _any_by_household(hh, nut_ok, n)
    feasible[:, IND["adult_education"]] = _any_by_household(hh, adult_ok, n)
    feasible[:, IND["school_attendance"]] = _any_by_household(hh, school_ok, n)

    weight = np.tile(_DEPRIVATION_WEIGHT, (n, 1))
    if twelfth == "waste":  # no collection in most villages up the mountains
        weight[:, IND["waste"]] = 0.9
    for code in ("housing_quality", "water", "toilet", *(("waste",) if twelfth == "waste" else ())):
        weight[:, IND[code]] *= np.where(minority, 1.5, 1.0) * np.where(urban, 0.4, 1.0)
    weight[:, IND["housing_area"]] *= np.where(urban, 1.8, 1.0)
    weight[:, IND["employment"]] *= np.where(urban, 1.4, 1.0)
    with np.errstate(divide="ignore"):
        keys = np.log(weight) + rng.gumbel(size=weight.shape)
    keys[~feasible] = -np.inf

    k_total = np.zeros(n, dtype=int)
    for cls, (counts, probs) in _DEPRIVATION_COUNTS.items():
        sel = target == cls
        k_total[sel] = rng.choice(counts, size=int(sel.sum()), p=probs)
    k_choose = np.clip(k_total - dependents_flag, 0, feasible.sum(axis=1))
    ranks = np.argsort(np.argsort(-keys, axis=1), axis=1)
    flags = ranks < k_choose[:, None]
    flags[:, IND["dependents"]] = dependents_flag

    def lacks(code: str) -> np.ndarray:
        return flags[:, IND[code]]

    # ---- realise member-level deprivations ---------------------------------------------
    # school attendance: one child aged 4–14 out of school (or a level behind)
    pick = _pick_one(rng, hh, school_ok, ends)
    sel = pick[lacks("school_attendance") & (pick >= 0)]
    behind = rng.random(sel.size) < 0.2
    below = np.array([_LEVEL_BELOW.get(x, "none") for x in level[sel]], dtype=object)
    enrolled[sel] = np.where(behind, below, "none")
    more = np.isin(hh, np.flatnonzero(lacks("school_attendance"))) & school_ok
    more &= rng.random(m_total) < 0.15
    enrolled[more] = "none"

    # adult education: one member aged 17–29 without the credential and not studying
    pick = _pick_one(rng, hh, adult_ok, ends)
    sel = pick[lacks("adult_education") & (pick >= 0)]
    enrolled[sel] = "none"
    education[sel] = np.where(
        rule_age[sel] <= 17,
        _choice(rng, ["primary", "none"], [0.7, 0.3], sel.size),
        _choice(rng, ["lower_secondary", "primary", "none"], [0.5, 0.35, 0.15], sel.size),
    )
    on_job[sel] = False

    # employment: one working-age member unemployed or working without a contract
    working = (rule_age >= 15) & (rule_age < np.where(male, 60, 55))
    student = np.isin(enrolled, ["upper_secondary", "vocational", "higher"])
    work_status = np.full(m_total, None, dtype=object)
    urb_m = urban[hh]
    normal_work = np.where(
        urb_m,
        _choice(
            rng,
            ["self_employed", "wage_contract", "homemaker", "other"],
            [0.4, 0.45, 0.1, 0.05],
            m_total,
        ),
        _choice(
            rng,
            ["self_employed", "wage_contract", "homemaker", "other"],
            [0.78, 0.1, 0.08, 0.04],
            m_total,
        ),
    )
    past_work = np.where(
        urb_m,
        _choice(
            rng,
            ["retired", "self_employed", "unable", "homemaker"],
            [0.4, 0.3, 0.15, 0.15],
            m_total,
        ),
        _choice(
            rng,
            ["retired", "self_employed", "unable", "homemaker"],
            [0.08, 0.5, 0.22, 0.2],
            m_total,
        ),
    )
    adult = rule_age >= 15
    work_status[adult] = np.where(working, normal_work, past_work)[adult]
    work_status[adult & disabled & (rng.random(m_total) < 0.7)] = "unable"
    work_status[adult & student] = "student"
    pick = _pick_one(rng, hh, emp_ok, ends)
    sel = pick[lacks("employment") & (pick >= 0)]
    work_status[sel] = _choice(rng, ["wage_no_contract", "unemployed"], [0.65, 0.35], sel.size)
    more = np.isin(hh, np.flatnonzero(lacks("employment"))) & emp_ok
    more &= rng.random(m_total) < 0.3
    work_status[more] = "wage_no_contract"

    # nutrition: one child under 16 (most likely a small one) stunted or underweight
    malnourished = np.zeros(m_total, dtype=bool)
    pick = _pick_one(rng, hh, nut_ok, ends, bonus=np.where(rule_age < 5, 1.0, 0.0))
    malnourished[pick[lacks("nutrition") & (pick >= 0)]] = True

    # health insurance: one member aged 7+ without a card, perhaps more
    insured = np.ones(m_total, dtype=bool)
    pick = _pick_one(rng, hh, rule_age >= 7, ends)
    insured[pick[lacks("health_insurance") & (pick >= 0)]] = False
    more = lacks("health_insurance")[hh] & (rule_age >= 6) & (rng.random(m_total) < 0.4)
    insured[more] = False

    # telecom: nobody uses a phone or the internet, or at least one adult does
    p_tel = np.select([rule_age >= 15, rule_age >= 10], [np.where(is_min, 0.65, 0.9), 0.15], 0.0)
    telecom = rng.random(m_total) < p_tel
    pick = _pick_one(rng, hh, rule_age >= 15, ends)
    telecom[pick[pick >= 0]] = True
    telecom[lacks("telecom")[hh]] = False

    # ---- dwelling, water, toilet, information ------------------------------------------
    no_house = lacks("housing_quality")
    permanent_p = np.where(urban, 0.55, np.where(minority, 0.12, 0.3))
    housing_type = np.where(
        no_house,
        np.where(rng.random(n) < 0.65, "less_permanent", "makeshift"),
        np.where(rng.random(n) < permanent_p, "permanent", "semi_permanent"),
    ).astype(object)
    use_flags = rng.random(n) < 0.15
    n_durable = np.where(
        no_house,
        (rng.random(n) < 0.7).astype(int),  # 0 or 1 durable structures
        np.where(rng.random(n) < 0.6, 3, 2),
    )
    structure_rank = np.argsort(rng.random((n, 3)), axis=1)
    durable = structure_rank < n_durable[:, None]
    housing_type[use_flags] = None

    per_head = np.where(
        lacks("housing_area"),
        rng.uniform(3.5, 7.8, n),
        rng.uniform(8.2, 16, n) * np.where(target == 3, rng.uniform(1.0, 2.5, n), 1.0),
    )
    floor_area = np.where(
        lacks("housing_area"), np.floor(per_head * size), np.ceil(per_head * size)
    )
    floor_area = np.maximum(floor_area, np.where(lacks("housing_area"), 3, 12))
    floor_area = np.where(
        ~lacks("housing_area") & (rng.random(n) < 0.1), floor_area + 0.5, floor_area
    )

    safe_rural = _choice(
        rng,
        ["piped", "drilled_well", "protected_well", "protected_spring", "rainwater", "bottled"],
        [0.2, 0.3, 0.2, 0.25, 0.03, 0.02],
        n,
    )
    safe_urban = _choice(rng, ["piped", "drilled_well", "bottled"], [0.85, 0.1, 0.05], n)
    unsafe = _choice(
        rng,
        ["unprotected_well", "unprotected_spring", "surface", "other"],
        [0.3, 0.4, 0.25, 0.05],
        n,
    )
    water = np.where(lacks("water"), unsafe, np.where(urban, safe_urban, safe_rural))

    hygienic = np.where(
        urban,
        _choice(rng, ["flush_septic", "flush_sewer", "double_vault"], [0.75, 0.22, 0.03], n),
        _choice(
            rng,
            ["flush_septic", "double_vault", "ventilated_pit", "biogas", "flush_sewer"],
            [0.6, 0.18, 0.12, 0.06, 0.04],
            n,
        ),
    )
    unhygienic = _choice(rng, ["simple_pit", "hanging", "none", "other"], [0.6, 0.1, 0.25, 0.05], n)
    toilet = np.where(lacks("toilet"), unhygienic, hygienic)

    # information assets (2022–2025 only: they are not asked under 2027–2030)
    no_info = lacks("info_access") if twelfth == "info_access" else np.zeros(n, dtype=bool)
    has_tv = (rng.random(n) < np.where(urban, 0.9, 0.72)) & ~no_info
    has_radio = (rng.random(n) < 0.12) & ~no_info
    has_computer = (rng.random(n) < np.where(urban, 0.35, 0.08)) & ~no_info
    has_smartphone = (rng.random(n) < 0.75) & ~no_info & ~lacks("telecom")
    hears = (rng.random(n) < np.where(urban, 0.85, 0.6)) & ~no_info
    nothing = ~(has_tv | has_radio | has_computer | has_smartphone | hears) & ~no_info
    hears |= nothing

    # waste treatment (2027–2030): how the household disposes of its rubbish, and the
    # reviewer's verdict (dep_waste, which decides): dumped or burned in the open is deprived
    if twelfth == "waste":
        bad = _choice(rng, ["dumped", "burned", "other"], [0.5, 0.42, 0.08], n)
        good = np.where(
            urban,
            _choice(rng, ["collected", "composted"], [0.95, 0.05], n),
            _choice(rng, ["collected", "composted", "buried"], [0.45, 0.3, 0.25], n),
        )
        waste_disposal = np.where(lacks("waste"), bad, good).astype(object)

    # ---- reviewer overrides: a few households, mostly confirming the derived value -----
    line = np.where(urban, std.line["urban"], std.line["rural"])
    # where the income of a household of the "average" target is drawn: the band of the
    # standard, or 1–1.5 x the line where none is published (such households are not_poor)
    top = std.band_top or {k: v * 3 // 2 for k, v in std.line.items()}
    band_top = np.where(urban, top["urban"], top["rural"])
    overrides = np.full((n, len(INDICATORS)), -1, dtype=np.int8)  # -1 blank, 0 no, 1 yes
    reviewed = np.flatnonzero(rng.random(n) < 0.03)
    for j in range(2):
        rows = reviewed if j == 0 else reviewed[rng.random(reviewed.size) < 0.4]
        cols = rng.integers(len(INDICATORS), size=rows.size)
        overrides[rows, cols] = flags[rows, cols]
    if twelfth == "waste":  # the reviewer's verdict is the value: filled for every household
        overrides[:, IND["waste"]] = flags[:, IND["waste"]]

    # ---- income: per capita, 12-month total, or checklist score A ----------------------
    pc = np.select(
        [target == 0, target == 1, target == 2],
        [
            line * rng.uniform(0.35, 0.98, n),
            line * rng.uniform(0.6, 0.99, n),
            rng.uniform(line + 20_000, band_top - 20_000),
        ],
        band_top * (1.0 + np.exp(rng.normal(-0.8, 0.8, n))),
    )
    pc = np.where(target <= 1, np.minimum(pc, line - 20_000), pc)
    pc = np.where(target <= 1, np.floor(pc / 10_000), np.round(pc / 10_000)) * 10_000
    pc = pc.astype(np.int64)
    below_line = target <= 1

    # flips allowed only where the class cannot change (income above the line)
    flip = (overrides >= 0) & ~below_line[:, None] & (rng.random((n, len(INDICATORS))) < 0.3)
    if twelfth == "waste":
        flip[:, IND["waste"]] = False
    overrides[flip] = 1 - overrides[flip]
    flags = np.where(overrides >= 0, overrides.astype(bool), flags)

    form = rng.random(n)
    has_pc = form < 0.62
    has_total = (form >= 0.62) & (form < 0.80)
    has_score = (form >= 0.55) & (form < 0.62) | (form >= 0.80)
    if std.score_line is None:  # no score equivalent: every household needs an income figure
        has_pc = form < 0.72
        has_total = ~has_pc
        has_score = np.zeros(n, dtype=bool)
    total_12m = (np.round(pc * 12 * size / 100_000) * 100_000).astype(np.int64)
    sl = std.score_line or SCORE_LINE
    score_line = np.where(urban, sl["urban"], sl["rural"])
    raw_score = np.round(score_line * pc / line + rng.normal(0, 8, n))
    score = np.where(
        below_line,
        np.clip(raw_score, 40, score_line),
        np.clip(raw_score, score_line + 1, score_line * 2.2),
    ).astype(np.int64)

    count = flags.sum(axis=1)
    has_b = rng.random(n) < 0.1
    deprivation_score = 10 * count

    # ---- expected class and the start-of-period class ---------------------------------
    eff_pc = np.where(has_pc, pc, np.where(has_total, total_12m / 12 / size, np.nan))
    in_band = (eff_pc > line) & (eff_pc <= band_top)
    drawn = np.where(below_line, np.where(count >= 3, 0, 1), np.where(in_band, 2, 3))
    if std.band_top is None:  # no band published: above the line is not_poor
        expected = np.where(drawn == 2, 3, drawn)
        previous = _categorical(rng, _PREVIOUS_GIVEN_CURRENT_2027[drawn])
    else:
        expected = drawn
        previous = _categorical(rng, _PREVIOUS_GIVEN_CURRENT[expected])
    re_entered = (previous >= 2) & (expected <= 1) & (rng.random(n) < 0.45)
    escaped_before = (previous >= 2) & (expected >= 2) & (rng.random(n) < 0.06)
    exit_known = re_entered | escaped_before
    exit_days = np.datetime64(f"{survey_year - 4}-12-01") + rng.integers(
        0, 365 * 3 + 31, size=n
    ).astype("timedelta64[D]")
    exit_as_year = rng.random(n) < 0.4

    # ---- names -------------------------------------------------------------------------
    head_idx = starts
    # children and grandchildren of a male head, and his father, carry his family name
    takes_family = np.isin(relation, ["child", "grandchild"]) & head_male[hh]
    takes_family |= (relation == "parent") & male & head_male[hh]
    full_name = _names(rng, eth, male, takes_family, head_idx[hh])

    # ---- assemble ------------------------------------------------------------------------
    h_eth_minority = head_eth != KINH
    em_given = rng.random(n) < 0.8
    agricultural = rng.random(n) < np.where(urban, 0.08, 0.78)

    old_names = np.array([c.name for c in COMMUNES], dtype=object)
    new_names = np.array([NEW_COMMUNE_OF[c.name] for c in COMMUNES], dtype=object)
    households = pd.DataFrame(
        {
            "household_id": household_id,
            "head_name": full_name[head_idx],
            "province": PROVINCE[1],
            "district": np.array([c.district for c in COMMUNES], dtype=object)[commune],
            "commune": (old_names if with_districts else new_names)[commune],
            "village": village_name[village],
            "area": area,
            "survey_date": pd.to_datetime(sdate),
            "income_per_capita": _nullable_int(pc, has_pc),
            "household_income_12m": _nullable_int(total_12m, has_total),
            "income_score": _nullable_int(score, has_score),
            "deprivation_score": _nullable_int(deprivation_score, has_b),
            "housing_type": housing_type,
            "durable_walls": _nullable_bool(durable[:, 0], use_flags),
            "durable_pillars": _nullable_bool(durable[:, 1], use_flags),
            "durable_roof": _nullable_bool(durable[:, 2], use_flags),
            "floor_area_m2": floor_area.astype(float),
            "water_source": water,
            "toilet_type": toilet,
            "waste_disposal": waste_disposal if twelfth == "waste" else None,
            "has_tv": _nullable_bool(has_tv),
            "has_radio": _nullable_bool(has_radio),
            "has_computer": _nullable_bool(has_computer),
            "has_smartphone": _nullable_bool(has_smartphone),
            "hears_loudspeaker": _nullable_bool(hears),
            "agricultural": _nullable_bool(agricultural),
            "ethnic_minority": _nullable_bool(h_eth_minority, em_given),
        }
    )
    for code in std.indicators:
        o = overrides[:, IND[code]]
        households[f"dep_{code}"] = _nullable_bool(o == 1, o >= 0)
    exit_dates = exit_days.astype("datetime64[D]").astype(object)
    exit_years = exit_days.astype("datetime64[Y]").astype(int) + 1970
    households["poverty_exit_date"] = pd.Series(
        np.where(exit_known, np.where(exit_as_year, exit_years.astype(object), exit_dates), None),
        dtype=object,
    )
    households["previous_class"] = np.asarray(CLASSES, dtype=object)[previous]
    able = (rule_age >= 15) & (rule_age < 60) & (work_status != "unable")
    groups = draw_groups(
        seed,
        expected,
        previous,
        np.asarray(ETHNICITIES, dtype=object)[head_eth],
        _any_by_household(hh, able, n),
    )
    for col in GROUP_COLUMNS:
        households[col] = groups[col].to_numpy()
    households = households[list(household_columns(std, with_districts))]

    birth_obj = birth.astype("datetime64[D]").astype(object)
    members = pd.DataFrame(
        {
            "household_id": household_id[hh],
            "member_no": (slot + 1).astype(np.int64),
            "full_name": full_name,
            "sex": np.where(male, "male", "female").astype(object),
            "birth_date": pd.Series(
                np.where(bare_year, by.astype(object), birth_obj), dtype=object
            ),
            "relation": relation,
            "ethnicity": np.asarray(ETHNICITIES, dtype=object)[eth],
            "work_status": work_status,
            "health_insurance": _nullable_bool(insured),
            "education": education,
            "enrolled": enrolled,
            "malnourished": _nullable_bool(malnourished, rule_age < 16),
            "disabled": _nullable_bool(disabled),
            "social_allowance": _nullable_bool(social_allowance),
            "merit": _nullable_bool(merit),
            "uses_telecom": _nullable_bool(telecom),
            "on_job_training": _nullable_bool(on_job, on_job),
        }
    )
    truth = Truth(
        flags=flags, expected_class=np.asarray(CLASSES, dtype=object)[expected], standard=std
    )
    return households, members, truth


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def header_labels(
    sheet: str, columns: Iterable[str], *, vietnamese: bool = True, dirty: bool = False
) -> list[str]:
    """The header cell written for each column (unknown columns are written as named)."""
    if not vietnamese:
        return list(columns)
    table = DIRTY_LABELS[sheet] if dirty else LABELS[sheet]
    return [table.get(c, c) for c in columns]


def _vn_money(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _is_blank(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and np.isnan(value)


def _cells(
    name: str,
    series: pd.Series,
    *,
    vietnamese: bool,
    dirty: bool,
    rng: np.random.Generator,
) -> list[Any]:
    """The values of one column as they go into the workbook, None for blank."""
    n = len(series)
    values = series.astype(object).to_numpy()
    blank = np.fromiter((_is_blank(v) for v in values), dtype=bool, count=n)
    out = np.where(blank, None, values).astype(object)
    u = rng.random(n)

    if name in BOOL_COLUMNS:
        if not vietnamese:
            yes, no = "yes", "no"
        elif dirty and name in EXCEL_BOOL_COLUMNS:
            yes, no = True, False
        elif dirty and name in X_COLUMNS:
            yes, no = "x", None
        else:
            yes, no = "Có", "Không"
        is_bool = np.array([isinstance(v, bool | np.bool_) for v in out], dtype=bool)
        truth = np.array([bool(v) if b else False for v, b in zip(out, is_bool, strict=True)])
        out = np.where(is_bool, np.where(truth, yes, no), out).astype(object)
        if no is None or isinstance(no, bool):
            out[is_bool & ~truth] = no
        return out.tolist()

    if name in CODED_COLUMNS and vietnamese:
        table = CODE_LABELS[CODED_COLUMNS[name]]
        mapped = pd.Series(out).map(table).to_numpy(dtype=object)
        known = pd.notna(mapped)
        out = np.where(known, mapped, out).astype(object)
        if dirty and name == "housing_type":
            strip = known & (u < 0.25)
            out[strip] = [s.removeprefix("Nhà ").capitalize() for s in out[strip]]
        return out.tolist()

    if name in DATE_COLUMNS:
        as_text = dirty and vietnamese
        result: list[Any] = []
        for v, r in zip(out, u, strict=True):
            if isinstance(v, dt.datetime):  # also pd.Timestamp
                v = v.date()
            if isinstance(v, dt.date) and as_text and r < 0.1:
                result.append(v.strftime("%d/%m/%Y"))
            else:
                result.append(v)
        return result

    if name in MONEY_COLUMNS and dirty and vietnamese:
        return [
            _vn_money(int(v)) if isinstance(v, int | np.integer) and v >= 0 and r < 0.15 else v
            for v, r in zip(out, u, strict=True)
        ]

    return [int(v) if isinstance(v, np.integer) else v for v in out]


def _date_cell(ws: WriteOnlyWorksheet, value: Any) -> Any:
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell
    return value


def _write_sheet(
    ws: WriteOnlyWorksheet,
    frame: pd.DataFrame,
    sheet: str,
    *,
    vietnamese: bool,
    dirty: bool,
    title: str | None,
) -> None:
    if title is not None:
        ws.append([title])
        ws.append([])
    ws.append(header_labels(sheet, frame.columns, vietnamese=vietnamese, dirty=dirty))
    columns = []
    for i, name in enumerate(frame.columns):
        rng = np.random.default_rng([DEFAULT_SEED, i, 0 if sheet == "households" else 1])
        cells = _cells(name, frame[name], vietnamese=vietnamese, dirty=dirty, rng=rng)
        if name in DATE_COLUMNS:
            cells = [_date_cell(ws, v) for v in cells]
        columns.append(cells)
    for row in zip(*columns, strict=True):
        ws.append(list(row))


def write_workbook(
    households: pd.DataFrame,
    members: pd.DataFrame,
    path: str | Path,
    *,
    vietnamese: bool = True,
    dirty: bool = False,
    title: str | None = None,
) -> Path:
    """Write a survey workbook with sheets "Hộ gia đình" and "Thành viên".

    ``vietnamese`` writes the Vietnamese sheet names, headers and code labels (else the
    English codes). ``dirty`` writes it the way commune officers do: varied headers
    (capitals, missing diacritics, extra spaces), a title row and a blank row above the
    households header (header in row 3), some dates and incomes as text ("dd/mm/yyyy",
    "1.500.000"), Excel booleans in ``has_computer`` and ``disabled``, "x"/blank in
    ``merit`` and ``on_job_training``. A ``title`` given is written above the households
    header in any mode (row 1, then a blank row).
    Dirty here means untidy, not wrong: a dirty workbook has no data errors.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if title is None and dirty and vietnamese:
        dates = pd.to_datetime(households.get("survey_date"), errors="coerce")
        year = int(dates.dt.year.max()) if dates is not None and dates.notna().any() else None
        title = "DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT" + (f" NĂM {year}" if year else "")
    wb = Workbook(write_only=True)
    names = SHEET_NAMES[vietnamese]
    ws = wb.create_sheet(names["households"])
    _write_sheet(ws, households, "households", vietnamese=vietnamese, dirty=dirty, title=title)
    ws = wb.create_sheet(names["members"])
    _write_sheet(ws, members, "members", vietnamese=vietnamese, dirty=dirty, title=None)
    wb.save(path)
    return path


def _iso(value: Any) -> str | None:
    """A date as yyyy-mm-dd, a bare year as itself, blank as None."""
    if _is_blank(value):
        return None
    if isinstance(value, dt.datetime):  # also pd.Timestamp
        value = value.date()
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        s = frame[name]
        if name in BOOL_COLUMNS:
            out[name] = s.map({True: "yes", False: "no"}).astype(object)
        elif name in DATE_COLUMNS:
            out[name] = [_iso(v) for v in s]
        else:
            out[name] = s
    return out


def write_csv_pair(
    households: pd.DataFrame, members: pd.DataFrame, directory: str | Path
) -> tuple[Path, Path]:
    """Write ``households.csv`` and ``members.csv`` (UTF-8, English headers and codes)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    hp, mp = directory / "households.csv", directory / "members.csv"
    _csv_frame(households).to_csv(hp, index=False, encoding="utf-8")
    _csv_frame(members).to_csv(mp, index=False, encoding="utf-8")
    return hp, mp


# --------------------------------------------------------------------------------------
# Planted errors
# --------------------------------------------------------------------------------------

HOUSEHOLD_FIRST_ROW = 4  # title row, blank row, header row 3
MEMBER_FIRST_ROW = 2  # header row 1
UNKNOWN_COLUMN = "Dien tich nha o m2x"


@dataclass
class PlantedError:
    sheet: str  # "households" / "members"
    index: int  # row position in the frame (-1 for the header row)
    column: str  # English code, or the unknown header
    problem: str
    severity: str
    row: int = 0  # Excel row, filled in when planted
    shown: str = ""  # the cell as written, filled in after writing
    household_id: str = ""  # the row's household code, filled in when planted
    check: str = ""  # the check of the survey contract (docs/checks.md) that must catch it


# Which documented check catches each planted mistake, by the start of its description.
_CHECK_OF_PROBLEM = (
    ("unknown column header", "unknown_column"),
    ("negative income", "out_of_range"),
    ("income is text", "not_a_number"),
    ("unknown water source", "unknown_code"),
    ("floor area missing", "needed"),
    ("the 12-month total", "income_disagree"),
    ("score B is not", "score_b_mismatch"),
    ("commune (required)", "required"),
    ("the reviewer's waste-treatment verdict", "needed"),
    ("survey date", "other_round"),
    ("duplicate household code", "duplicate_id"),
    ("sex missing", "needed"),
    ("birth date is after", "birth_after_survey"),
    ("impossible age", "out_of_range"),
    ("health insurance missing", "needed"),
    ("household code not in", "orphan_member"),
)


def plant_errors(
    households: pd.DataFrame, members: pd.DataFrame, truth: Truth
) -> tuple[pd.DataFrame, pd.DataFrame, list[PlantedError]]:
    """Copy the data and plant one instance of each documented mistake."""
    hh = households.copy()
    mem = members.copy()
    std = truth.standard
    for name in ("income_per_capita", "household_income_12m", "water_source", "floor_area_m2"):
        hh[name] = hh[name].astype(object)
    mem["sex"] = mem["sex"].astype(object)
    mem["health_insurance"] = mem["health_insurance"].astype(object)
    n = len(hh)
    used: set[str] = set()
    # households with no reviewer's cell (dep_waste, the reviewer's verdict, is always filled)
    reviewed = [f"dep_{c}" for c in std.indicators if c != "waste"]
    no_override = hh[reviewed].isna().all(axis=1).to_numpy()
    base = no_override & hh["deprivation_score"].isna().to_numpy()
    errors: list[PlantedError] = []

    def pick_household(cond: np.ndarray, frac: float) -> int:
        ok = cond & base & ~hh["household_id"].isin(used).to_numpy()
        idx = np.flatnonzero(ok)
        if idx.size == 0:
            raise ValueError("too few households to plant every error: use 100 or more")
        after = idx[idx >= int(frac * n)]
        i = int(after[0] if after.size else idx[0])
        used.add(hh.at[i, "household_id"])
        return i

    def pick_member(cond: np.ndarray, frac: float) -> int:
        ok = cond & ~mem["household_id"].isin(used).to_numpy()
        in_base = mem["household_id"].isin(households.loc[base, "household_id"]).to_numpy()
        idx = np.flatnonzero(ok & in_base)
        if idx.size == 0:
            raise ValueError("too few members to plant every error: use 100 households or more")
        after = idx[idx >= int(frac * len(mem))]
        i = int(after[0] if after.size else idx[0])
        used.add(mem.at[i, "household_id"])
        return i

    def add(sheet: str, index: int, column: str, problem: str, severity: str) -> None:
        check = next(c for start, c in _CHECK_OF_PROBLEM if problem.startswith(start))
        errors.append(PlantedError(sheet, index, column, problem, severity, check=check))

    score = hh["income_score"] if "income_score" in hh else pd.Series(pd.NA, index=hh.index)
    pc_only = (
        hh["income_per_capita"].notna() & hh["household_income_12m"].isna() & score.isna()
    ).to_numpy()
    rural = (hh["area"] == "rural").to_numpy()
    low_pc = (households["income_per_capita"].fillna(10**9) <= 1_400_000).to_numpy()
    anyhh = np.ones(n, dtype=bool)

    i = pick_household(pc_only, 0.05)
    hh.at[i, "income_per_capita"] = -1_200_000
    add("households", i, "income_per_capita", "negative income", "error")

    i = pick_household(pc_only, 0.12)
    hh.at[i, "income_per_capita"] = "khoảng 2 triệu"
    add("households", i, "income_per_capita", "income is text, not a number", "error")

    i = pick_household(anyhh, 0.2)
    hh.at[i, "water_source"] = "Giếng làng"
    add("households", i, "water_source", "unknown water source (not in the code list)", "error")

    i = pick_household(anyhh, 0.3)
    hh.at[i, "floor_area_m2"] = None
    add("households", i, "floor_area_m2", "floor area missing (needed for housing area)", "error")

    # two income figures that disagree: the 12-month total (the later column) says twice
    # the per-capita figure; the per-capita figure, below the line, is used
    i = pick_household(pc_only & rural & low_pc, 0.38)
    members_n = int((mem["household_id"] == hh.at[i, "household_id"]).sum())
    pc = int(households.at[i, "income_per_capita"])
    hh.at[i, "household_income_12m"] = 2 * pc * 12 * members_n
    add(
        "households",
        i,
        "household_income_12m",
        f"the 12-month total ({members_n} members) is twice the per-capita income "
        f"{pc:,} in the same row; the per-capita figure is used",
        "warning",
    )

    i = pick_household(truth.expected_class == "poor", 0.45)
    flags = truth.flags[i]
    for code in std.indicators:
        hh.at[i, f"dep_{code}"] = bool(flags[IND[code]])
    hh.at[i, "deprivation_score"] = 10 * (int(flags.sum()) + 1)
    add(
        "households",
        i,
        "deprivation_score",
        f"score B is not 10 × the deprivations: all {len(std.indicators)} Thiếu hụt cells of "
        f"{std.id} are filled and {int(flags.sum())} of them say Có, so it should be "
        f"{10 * int(flags.sum())}",
        "warning",
    )

    i = pick_household(anyhh, 0.55)
    hh.at[i, "commune"] = None
    add("households", i, "commune", "commune (required) is blank", "error")

    if "dep_waste" in hh:
        hh["dep_waste"] = hh["dep_waste"].astype(object)
        i = pick_household(anyhh, 0.62)
        hh.at[i, "dep_waste"] = None
        add(
            "households",
            i,
            "dep_waste",
            "the reviewer's waste-treatment verdict is blank (it decides the indicator "
            "under 2027–2030; the disposal column alone does not)",
            "error",
        )

    # a household surveyed before the periodic review opened (1 Sep): another round's date
    year = int(pd.Timestamp(households["survey_date"].max()).year)
    i = pick_household(anyhh, 0.66)
    hh.at[i, "survey_date"] = pd.Timestamp(year, 8, 20)
    add(
        "households",
        i,
        "survey_date",
        f"survey date 20/08/{year} belongs to another review round (the periodic review "
        f"runs 1 Sep – 14 Dec {year}); the household is still classed",
        "warning",
    )

    # a misspelled extra column: unknown header, a few values under it
    hh[UNKNOWN_COLUMN] = None
    for j in range(0, n, max(1, n // 6))[:5]:
        hh.at[j, UNKNOWN_COLUMN] = hh.at[j, "floor_area_m2"]
    add("households", -1, UNKNOWN_COLUMN, "unknown column header (misspelled)", "warning")

    # members
    ages = _rough_ages(mem, hh)
    adult = (ages >= 20).to_numpy()
    i = pick_member(adult & (mem["relation"] != "head").to_numpy(), 0.1)
    mem.at[i, "sex"] = None
    add("members", i, "sex", "sex missing for an adult (needed from age 15)", "error")

    full_date = mem["birth_date"].map(lambda v: isinstance(v, dt.date)).to_numpy()
    i = pick_member(full_date & (ages < 10).to_numpy(), 0.25)
    survey = hh.set_index("household_id")["survey_date"]
    sd = pd.Timestamp(survey[mem.at[i, "household_id"]]).date()
    mem.at[i, "birth_date"] = sd + dt.timedelta(days=45)
    add("members", i, "birth_date", f"birth date is after the survey date ({sd:%d/%m/%Y})", "error")

    i = pick_member((mem["relation"] == "parent").to_numpy() & (ages >= 60).to_numpy(), 0.4)
    mem.at[i, "birth_date"] = 1850
    add(
        "members",
        i,
        "birth_date",
        f"impossible age: born in 1850 ({year - 1850} years old)",
        "error",
    )

    i = pick_member((ages >= 10).to_numpy() & (mem["relation"] == "child").to_numpy(), 0.6)
    mem.at[i, "health_insurance"] = None
    add(
        "members",
        i,
        "health_insurance",
        "health insurance missing for a member aged 6 or more",
        "error",
    )

    # appended rows: a household typed twice, and a member under a mistyped household code
    k = pick_household(anyhh, 0.7)
    dup = hh.iloc[[k]].copy()
    dup["survey_date"] = dup["survey_date"] + pd.Timedelta(days=3)
    hh = pd.concat([hh, dup], ignore_index=True)
    add(
        "households",
        len(hh) - 1,
        "household_id",
        f"duplicate household code (first at row {k + HOUSEHOLD_FIRST_ROW}); "
        "the later row is the error",
        "error",
    )

    src_i = pick_member((mem["relation"] == "child").to_numpy(), 0.8)
    orphan = mem.iloc[[src_i]].copy()
    real = str(orphan["household_id"].iloc[0])
    prefix, number = real.rsplit("-", 1)
    fake = f"{prefix}-{number.replace('0', 'O', 1)}"  # letter O typed for a zero
    assert fake != real and fake not in set(hh["household_id"])
    orphan["household_id"] = fake
    orphan["member_no"] = 9
    mem = pd.concat([mem, orphan], ignore_index=True)
    add(
        "members",
        len(mem) - 1,
        "household_id",
        "household code not in the households sheet",
        "error",
    )

    for e in errors:
        first = HOUSEHOLD_FIRST_ROW if e.sheet == "households" else MEMBER_FIRST_ROW
        e.row = first - 1 if e.index < 0 else e.index + first
        frame = hh if e.sheet == "households" else mem
        e.household_id = "" if e.index < 0 else str(frame.at[e.index, "household_id"])
    return hh, mem, errors


def _rough_ages(mem: pd.DataFrame, hh: pd.DataFrame) -> pd.Series:
    survey_year = hh.set_index("household_id")["survey_date"].dt.year
    year = mem["birth_date"].map(lambda v: v.year if isinstance(v, dt.date) else int(v))
    return mem["household_id"].map(survey_year) - year


# --------------------------------------------------------------------------------------
# README and command line
# --------------------------------------------------------------------------------------


def _shown(value: Any) -> str:
    if value is None:
        return "(blank)"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y") + " (date)"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _read_back(path: Path, errors: list[PlantedError], columns: dict[str, list[str]]) -> None:
    """Record each planted cell exactly as it was written."""
    wb = load_workbook(path)
    for e in errors:
        ws = wb[SHEET_NAMES[True][e.sheet]]
        col = columns[e.sheet].index(e.column) + 1
        e.shown = _shown(ws.cell(row=e.row, column=col).value)
    wb.close()


def _markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def classes_under(
    standard: Standard, households: pd.DataFrame, members: pd.DataFrame, truth: Truth
) -> np.ndarray:
    """The class each household of a generated round would have under another standard, by
    the generator's own reckoning: its income against that standard's line and band, its
    intended deprivations counted over the indicators both standards share (an indicator
    the round does not ask, such as information assets in 2026, counts as not deprived)."""
    size = households["household_id"].map(members.groupby("household_id").size())
    pc = households["income_per_capita"].astype("Float64")
    if "household_income_12m" in households:
        total = households["household_income_12m"].astype("Float64")
        pc = pc.fillna(total / 12 / size)
    pc = pc.to_numpy(dtype=float, na_value=np.nan)
    urban = (households["area"] == "urban").to_numpy()
    line = np.where(urban, standard.line["urban"], standard.line["rural"])
    top = standard.band_top or {"urban": 0, "rural": 0}
    band = np.where(urban, top["urban"], top["rural"])
    shared = [IND[c] for c in standard.indicators if c in truth.standard.indicators]
    count = truth.flags[:, shared].sum(axis=1)
    return np.where(
        pc <= line,
        np.where(count >= 3, "poor", "near_poor"),
        np.where(pc <= band, "average", "not_poor"),
    ).astype(object)


def _readme(
    households: pd.DataFrame,
    members: pd.DataFrame,
    truth: Truth,
    errors: list[PlantedError],
    seed: int,
) -> str:
    std = truth.standard
    year = int(pd.Timestamp(households["survey_date"].max()).year)
    rounds = {
        "2026": household_columns(STANDARD_2027, False),
        "2025": household_columns(STANDARD_2022, False),
        "2024": household_columns(STANDARD_2022, True),
    }
    hh_cols = list(HOUSEHOLD_COLUMNS)
    hh_head = header_labels("households", hh_cols, dirty=True)
    m_head = header_labels("members", members.columns, dirty=True)
    hdr_rows = [
        (
            c,
            f"`{h}`",
            f"`{LABELS['households'][c]}`",
            ", ".join(y for y, cols in rounds.items() if c in cols),
        )
        for c, h in zip(hh_cols, hh_head, strict=True)
    ]
    mhdr_rows = [
        (c, f"`{h}`", f"`{LABELS['members'][c]}`")
        for c, h in zip(members.columns, m_head, strict=True)
    ]
    shown = [c for c in CLASSES if c != "average" or std.band_top is not None]
    cls = pd.crosstab(
        households["commune"], pd.Categorical(truth.expected_class, categories=CLASSES)
    )[shown]
    cls_rows = [
        (c, *cls.loc[c].tolist(), int(cls.loc[c].sum())) for c in households["commune"].unique()
    ]
    totals = cls.sum()
    cls_rows.append(("**total**", *totals.tolist(), int(totals.sum())))
    map_rows = [
        (
            new,
            ", ".join(
                f"{old} ({next(c.district for c in COMMUNES if c.name == old)})" for old in olds
            ),
            "kept" if new in olds else "new",
        )
        for new, olds in NEW_COMMUNES
    ]
    err_rows = []
    for k, e in enumerate(sorted(errors, key=lambda e: (e.sheet != "households", e.row)), 1):
        sheet = SHEET_NAMES[True][e.sheet]
        if e.index < 0:
            header = f"`{e.column}`"
            value = "(the header itself)"
        else:
            header = f"`{header_labels(e.sheet, [e.column], dirty=True)[0]}`"
            value = e.shown
        hid = f"`{e.household_id}`" if e.household_id else ""
        err_rows.append(
            (k, sheet, e.row, hid, header, value, e.problem, e.severity, f"`{e.check}`")
        )
    n_err = sum(e.severity == "error" for e in errors)
    n_warn = len(errors) - n_err
    n_communes = households["commune"].nunique()
    old = classes_under(STANDARD_2022, households, members, truth)
    cross = pd.crosstab(
        pd.Categorical(truth.expected_class, categories=CLASSES),
        pd.Categorical(old, categories=CLASSES),
        dropna=False,
    )
    cross_rows = [(c, *cross.loc[c].tolist(), int(cross.loc[c].sum())) for c in shown]
    cross_rows.append(("**total**", *cross.sum().tolist(), len(old)))
    n_differ = int((old != truth.expected_class).sum())
    return f"""# Example survey workbooks

Synthetic data for trying mdpoverty and for its tests. **Every name in these files is
invented**: household heads and members are random combinations of common Vietnamese
family, middle and given names; no row describes a real person or a real household.
The province, district, commune and village names only make the example look like a
real review.

## Three review rounds of one province's communes

| file | review round | survey dates | units | standard |
|---|---|---|---|---|
| `survey.xlsx` | **{year}, the round under way** (sets the {year + 1} lists) | Oct–Nov {year} | \
Tỉnh Lào Cai → {n_communes} communes → villages, no district | `{std.id}` (Decree 351/2025) |
| `survey-with-errors.xlsx` | the same, with {len(errors)} planted mistakes ({n_err} errors, \
{n_warn} warnings) | | | |
| `survey-officer-layout.xlsx` | the same survey laid out as officers do: a numbered row \
under each header, the header repeated for printing, member IDs and communes merged down, a \
"Tổng cộng" row and a signature block (`officer_habits.py`); classed exactly as `survey.xlsx`, \
the layout rows listed as `info` | | | |
| `previous-round.xlsx` | {year - 1} (sets the {year} lists) | Oct–Nov {year - 1} | \
the same {n_communes} communes, no district | `vn-2022-2025` (extended to {year}) |
| `round-2024.xlsx` | 2024 (sets the 2025 lists) | Oct–Nov 2024 | \
Tỉnh Lào Cai → 2 districts → 7 communes (before the reform) | `vn-2022-2025` |

`survey.xlsx` ({len(households)} households, {len(members)} members) is the periodic review
running now (1 Sep – 14 Dec {year}): it sets the {year + 1} lists, so it is classed under the
2027–2030 standard (Decree 351/2025/NĐ-CP): lines 2,200,000 rural and 2,800,000 urban
VND/person/month; poor = income at or below the line **and** at least 3 deprivations,
near-poor = at or below the line and fewer; above the line is `not_poor` (no average-living
band is published for 2027–2030, so no household is `average`). Its 12 indicators are the
11 of 2022–2025 from employment to telecom, and waste treatment (`waste`), decided by the
reviewer's `Thiếu hụt xử lý rác thải`; information assets are no longer asked. No checklist
score equivalent is published either, so every household carries an income figure (per
capita, or the 12-month total) and no score A. mdpoverty chooses that standard from the
survey dates: no `--standard` is needed.

The example runs across the reform of 1 July 2025, when districts were abolished and
communes merged. The {year - 1} and {year} rounds list province → commune (xã) → village with no
district column; the 2024 round has the two districts and their seven communes. Each new
commune took in whole old communes, so a household keeps its village, area and ID (IDs
still carry the old district and commune code: `LC-BT-01-…` was Thị trấn Phố Lu in Huyện
Bảo Thắng):

{_markdown_table(("commune since 1/7/2025", "old communes (district)", "name"), map_rows)}

Regenerate (from the repository root; both scripts use fixed seeds, and running them again
gives byte-identical files):

```sh
python examples/generate.py          # survey.xlsx, survey-with-errors.xlsx,
                                     # survey-officer-layout.xlsx, this README
python examples/generate_rounds.py   # previous-round.xlsx, round-2024.xlsx, the rounds section
```

Try them:

```sh
mdpoverty classify examples/survey.xlsx -o ket-qua.xlsx        # {year} round: {std.id}
mdpoverty validate examples/survey-with-errors.xlsx
mdpoverty classify examples/survey-officer-layout.xlsx         # same classes, layout rows as info
mdpoverty report examples/survey.xlsx --previous examples/previous-round.xlsx -o bao-cao.xlsx
mdpoverty report examples/previous-round.xlsx --previous examples/round-2024.xlsx \\
  -o bao-cao-{year - 1}.xlsx
```

The last is the cross-reform case: the {year - 1} round against the 2024 round, which has
districts and the old communes (see "The earlier rounds" below).

Other uses:

```sh
python examples/generate.py --households 100000 --out /tmp/district.xlsx  # benchmark input
python examples/generate.py --households 2000 --seed 7 --csv /tmp/pair  # CSV pair
python examples/generate.py --year 2024 --out /tmp/2024.xlsx  # an older round, with districts
```

From Python: `generate_district(n_households, seed={seed}, survey_year={SURVEY_YEAR})` returns
`(households, members)` with the English column codes of the survey contract (docs/); the
standard and the map follow the survey year (`standard=`, `districts=` override them);
`write_workbook(households, members, path, vietnamese=True, dirty=False)` and
`write_csv_pair(households, members, directory)` write them.

## What the workbooks look like

All the workbooks are written the way commune officers type them (`dirty=True`):

- sheet `Hộ gia đình`: a title in row 1 ("DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT NĂM {year}"), row 2
  blank, **the header in row 3**, households from row 4;
- sheet `Thành viên`: header in row 1, members from row 2;
- headers vary like real ones (capitals, missing diacritics, doubled or leading
  spaces, "Điểm B1"/"Điểm B2" for scores A and B); the reader matches them case-,
  space- and diacritics-insensitively (table below);
- coded cells hold their Vietnamese labels ("Nông thôn", "Nhà bán kiên cố", "Giếng khoan",
  "Tự hoại", "Thu gom tập trung", "Chủ hộ", "Nam"/"Nữ", "Hộ nghèo" …); about a quarter of
  the housing types are written without the leading "Nhà" ("Bán kiên cố");
- yes/no cells are "Có"/"Không", except `Có máy tính` and `Khuyết tật` (Excel TRUE/FALSE)
  and `Người có công` and `Đào tạo nghề tại chỗ có xác nhận` ("x" or blank: blank = no);
- dates are Excel dates shown dd/mm/yyyy; about one in ten is text "dd/mm/yyyy";
  about 15 % of the birth dates are a bare year (more for older people);
- about 15 % of the incomes are text with Vietnamese thousands separators ("1.250.000");
- income evidence: in the {year} round, the per-capita income or the 12-month total
  (every household has one); in the 2022–2025 rounds also score A only, or per capita and
  score A together (consistent); about 10 % of households also carry score B (`Điểm B2` =
  10 × their deprivations); about 3 % have a reviewer's `Thiếu hụt …` cell or two filled
  (mostly confirming the derived value; where one differs, income is above the line, so the
  class does not change); a fifth of the households leave `Hộ dân tộc thiểu số` blank, to
  be derived from the head's ethnicity; `Ngày thoát nghèo gần nhất` is filled for a few (a
  date or a year); `Phân loại đầu kỳ` is filled for all;
- waste ({year} round): `Xử lý rác thải sinh hoạt` and `Thiếu hụt xử lý rác thải` are filled for
  every household; dumped, burned in the open or "other" goes with Có, collected, composted
  or buried with Không. The verdict decides (the disposal column is read once a threshold
  is published).

### Households sheet headers

{
        _markdown_table(
            ("column", "header in the examples", "official label", "rounds"),
            hdr_rows,
        )
    }

### Members sheet headers

{_markdown_table(("column", "header in the examples", "official label"), mhdr_rows)}

## Expected classes in `survey.xlsx` ({std.id} standard)

The generator gives each household a class and a set of deprivations first, then draws
members, dwelling and income so that the rules of the {std.id} standard (the survey
contract, docs/) derive exactly those. Counts by the generator's own reckoning, by
commune (no `average` column: the 2027–2030 standard has no average-living band):

{_markdown_table(("commune", *shown, "households"), cls_rows)}

## The same households under the 2022–2025 standard

What the {year} round's households would be under the 2022–2025 lines (1,500,000 rural /
2,000,000 urban, the average band up to 2,250,000 / 3,000,000), by the generator's own
reckoning: the same incomes and deprivations, counted over the 11 indicators both
standards share (waste is not a 2022–2025 indicator; information assets are not asked in
{year}, so they count as not deprived). {n_differ} of the {len(old)} households change class.
Rows: class under {std.id} (the example's); columns: class under vn-2022-2025.

{_markdown_table(("class under 2027–2030", *CLASSES, "households"), cross_rows)}

To see it with mdpoverty, add a column `Thiếu hụt phương tiện tiếp cận thông tin` filled
with "Không" to a copy of `survey.xlsx` and classify it with `--standard vn-2022-2025`
(without that column the 2022–2025 standard rejects every household: the five
information-asset columns it needs are missing).

## Planted errors in `survey-with-errors.xlsx`

Rows are the Excel rows a person sees (households: header in row 3, data from row 4;
members: header in row 1). Everything else is identical to `survey.xlsx`.
The clean workbook itself has no errors; it does carry legitimate warnings, which a
validator reports for both files: the few reviewer `Thiếu hụt …` cells that differ from
the derived value (`override_differs`), and, for the whole file, that the 2027–2030
standard is provisional (`provisional_standard`) and has no average band
(`no_average_band`). The last column names the check (docs/checks.md) that catches each.

{
        _markdown_table(
            (
                "#",
                "sheet",
                "row",
                "Mã hộ",
                "column header",
                "bad value",
                "what is wrong",
                "severity",
                "check",
            ),
            err_rows,
        )
    }
"""


def _make_reproducible(path: Path) -> None:
    """Pin the zip entry times and document dates so that rerunning gives identical bytes."""
    with zipfile.ZipFile(path) as z:
        entries = [(info.filename, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-01-01T00:00:00Z", data)
            z.writestr(
                zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )


KEPT_SECTION = "## The earlier rounds"


def _officer_habits() -> Any:
    """``officer_habits.py`` beside this script (imported by path: run from anywhere)."""
    spec = importlib.util.spec_from_file_location("officer_habits", HERE / "officer_habits.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def build_examples(directory: Path, n_households: int, seed: int) -> dict[str, Path]:
    """Write the example workbooks and README into ``directory``."""
    households, members, truth = _generate(n_households, seed, SURVEY_YEAR)
    clean = write_workbook(households, members, directory / "survey.xlsx", dirty=True)
    bad_hh, bad_mem, errors = plant_errors(households, members, truth)
    bad = write_workbook(bad_hh, bad_mem, directory / "survey-with-errors.xlsx", dirty=True)
    columns = {"households": list(bad_hh.columns), "members": list(bad_mem.columns)}
    _read_back(bad, errors, columns)
    _make_reproducible(clean)
    _make_reproducible(bad)
    # the same survey as officers lay it out: mdpoverty must class it exactly as survey.xlsx
    _officer_habits().lay_out(clean, directory / "survey-officer-layout.xlsx")
    _make_reproducible(directory / "survey-officer-layout.xlsx")
    readme = directory / "README.md"
    # Sections other scripts append (generate_rounds.py: "## The earlier rounds…") are kept.
    old = readme.read_text(encoding="utf-8") if readme.exists() else ""
    cut = old.find(KEPT_SECTION)
    kept = "\n" + old[cut:] if cut >= 0 else ""
    text = _readme(households, members, truth, errors, seed).rstrip("\n") + "\n" + kept
    readme.write_text(text, encoding="utf-8")
    laid = directory / "survey-officer-layout.xlsx"
    return {"survey": clean, "errors": bad, "laid": laid, "readme": readme}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Generate synthetic mdpoverty survey workbooks (all names invented)."
    )
    parser.add_argument("--households", type=int, default=None, help="number of households")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument(
        "--year",
        type=int,
        default=SURVEY_YEAR,
        help="survey year (--out, --csv): its standard and map",
    )
    parser.add_argument("--out", type=Path, help="write one workbook here (e.g. a benchmark)")
    parser.add_argument(
        "--csv", type=Path, metavar="DIR", help="write households.csv and members.csv"
    )
    parser.add_argument(
        "--plain", action="store_true", help="with --out: official labels, no title rows"
    )
    parser.add_argument("--english", action="store_true", help="with --out: English codes")
    args = parser.parse_args(argv)

    if args.out is None and args.csv is None:
        n = args.households or DEFAULT_HOUSEHOLDS
        paths = build_examples(HERE, n, args.seed)
        for p in paths.values():
            print(p, file=sys.stderr)
        return 0

    n = args.households or DEFAULT_HOUSEHOLDS
    t0 = time.perf_counter()
    households, members = generate_district(n, seed=args.seed, survey_year=args.year)
    t1 = time.perf_counter()
    print(
        f"generated {len(households)} households, {len(members)} members in {t1 - t0:.1f} s",
        file=sys.stderr,
    )
    if args.out is not None:
        write_workbook(
            households, members, args.out, vietnamese=not args.english, dirty=not args.plain
        )
        print(f"wrote {args.out} in {time.perf_counter() - t1:.1f} s", file=sys.stderr)
    if args.csv is not None:
        for p in write_csv_pair(households, members, args.csv):
            print(f"wrote {p}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
