"""Shared fixtures: paths to the bundled examples and a small workbook builder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def example_survey() -> Path:
    return EXAMPLES / "survey.xlsx"


@pytest.fixture
def errors_survey() -> Path:
    return EXAMPLES / "survey-with-errors.xlsx"


# One rural household deprived in nothing, with one member (codes, as the contract's
# columns): the baseline that hand-written cases change one field of.
BASE_HH = {
    "commune": "Xã Thử",
    "area": "rural",
    "survey_date": "2025-10-01",
    "income_per_capita": "5000000",
    "housing_type": "permanent",
    "floor_area_m2": "100",
    "water_source": "piped",
    "toilet_type": "flush_septic",
    "has_tv": "yes",
    "has_radio": "no",
    "has_computer": "no",
    "has_smartphone": "yes",
    "hears_loudspeaker": "yes",
}
BASE_M = {
    "sex": "male",
    "birth_date": "1985-05-10",
    "relation": "head",
    "ethnicity": "Kinh",
    "work_status": "self_employed",
    "health_insurance": "yes",
    "education": "upper_secondary",
    "enrolled": "none",
    "malnourished": "no",
    "disabled": "no",
    "social_allowance": "no",
    "uses_telecom": "yes",
}


HH_HEADER = [
    "Mã hộ",
    "Xã",
    "Khu vực",
    "Ngày rà soát",
    "Thu nhập bình quân người/tháng",
    "Loại nhà",
    "Diện tích nhà ở (m²)",
    "Nguồn nước sinh hoạt",
    "Loại nhà tiêu",
    "Có ti vi",
    "Có radio",
    "Có máy tính",
    "Có điện thoại thông minh",
    "Nghe được loa truyền thanh",
]
M_HEADER = [
    "Mã hộ",
    "Giới tính",
    "Ngày sinh",
    "Quan hệ với chủ hộ",
    "Dân tộc",
    "Tình trạng việc làm",
    "Có thẻ BHYT",
    "Bằng cấp cao nhất",
    "Đang học cấp",
    "Suy dinh dưỡng",
    "Khuyết tật",
    "Trợ cấp xã hội hằng tháng",
    "Dùng điện thoại/internet",
]


def hh_row(hid: str, income: object = 5_000_000, **over: object) -> list[object]:
    base = {
        "Mã hộ": hid,
        "Xã": "Xã Thử",
        "Khu vực": "Nông thôn",
        "Ngày rà soát": dt.date(2025, 10, 1),
        "Thu nhập bình quân người/tháng": income,
        "Loại nhà": "Nhà kiên cố",
        "Diện tích nhà ở (m²)": 60,
        "Nguồn nước sinh hoạt": "Nước máy",
        "Loại nhà tiêu": "Tự hoại",
        "Có ti vi": "Có",
        "Có radio": "Không",
        "Có máy tính": "Không",
        "Có điện thoại thông minh": "Có",
        "Nghe được loa truyền thanh": "Có",
    }
    base.update(over)
    return [base[h] for h in HH_HEADER]


def m_row(hid: str, **over: object) -> list[object]:
    base = {
        "Mã hộ": hid,
        "Giới tính": "Nam",
        "Ngày sinh": dt.date(1985, 5, 10),
        "Quan hệ với chủ hộ": "Chủ hộ",
        "Dân tộc": "Kinh",
        "Tình trạng việc làm": "Tự làm",
        "Có thẻ BHYT": "Có",
        "Bằng cấp cao nhất": "Trung học phổ thông",
        "Đang học cấp": "Không đi học",
        "Suy dinh dưỡng": "Không",
        "Khuyết tật": "Không",
        "Trợ cấp xã hội hằng tháng": "Không",
        "Dùng điện thoại/internet": "Có",
    }
    base.update(over)
    return [base[h] for h in M_HEADER]


def write_workbook(
    path: Path,
    households: list[list[object]],
    members: list[list[object]],
    *,
    title_rows: int = 0,
    hh_header: list[str] = HH_HEADER,
    m_header: list[str] = M_HEADER,
) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Hộ gia đình"
    for i in range(title_rows):
        ws.append(["DANH SÁCH HỘ GIA ĐÌNH" if i == 0 else None])
    ws.append(hh_header)
    for r in households:
        ws.append(r)
    wm = wb.create_sheet("Thành viên")
    wm.append(m_header)
    for r in members:
        wm.append(r)
    wb.save(path)
    return path
