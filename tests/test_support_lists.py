"""mdpoverty lists (issue 13, item 2): membership from each rule, window boundaries, the
agency mapping and a province's own. Cases written by hand from domain.md §1 and the data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import HH_HEADER, M_HEADER, hh_row, m_row, write_workbook

from mdpoverty.cli.main import main
from mdpoverty.reports.support_lists import add_months, windows

EXTRA_HH = [
    "Họ tên chủ hộ",
    "Thôn",
    "Thiếu hụt nguồn nước",
    "Thiếu hụt nhà tiêu",
    "Thiếu hụt dịch vụ viễn thông",
    "Ngày thoát nghèo gần nhất",
    "Phân loại đầu kỳ",
    # the optional columns of docs/survey-contract.md (causes, needs, labour capacity)
    "Nhu cầu hỗ trợ tín dụng",
    "Thiếu vốn",
    "Thiếu công cụ sản xuất",
    "Hộ không có khả năng lao động",
]
GROUPS = ("need_credit", "reason_capital", "reason_tools", "no_labour_capacity")
SURVEY_DAY = dt.date(2025, 10, 1)


def _hh(hid, name, village, income, deps=(), exit_date=None, prev=None, **groups):
    flags = ["Có" if d in deps else None for d in ("water", "toilet", "telecom")]
    more = [groups.get(g) for g in GROUPS]
    return [*hh_row(hid, income), name, village, *flags, exit_date, prev, *more]


HOUSEHOLDS = [
    # poor: 3 deprivations at or under the rural line (1,500,000)
    _hh(
        "XT-P1-0001",
        "Tòng Văn Pọm",
        "Bản Nà",
        1_000_000,
        ("water", "toilet", "telecom"),
        need_credit="Có",
        no_labour_capacity="Không",
    ),
    _hh(
        "XT-P2-0002",
        "Lò Thị Khiên",
        "Bản Co",
        1_000_000,
        ("water", "toilet", "telecom"),
        reason_capital="Có",
    ),
    # near-poor, asks for nothing, no labour capacity
    _hh("XT-N1-0003", "Cầm Thị Ún", "Bản Nà", 1_000_000, ("water",), no_labour_capacity="Có"),
    # newly escaped: exit dates 35, 36, 37, 59, 60, 61 months before 1 Oct 2025
    _hh(
        "XT-E35-004",
        "Quàng Văn Ẻn",
        "Bản Nà",
        5_000_000,
        exit_date=dt.date(2022, 11, 1),
        reason_tools="Có",
    ),
    _hh("XT-E36-005", "Lường Văn Ón", "Bản Nà", 5_000_000, exit_date=dt.date(2022, 10, 1)),
    _hh(
        "XT-E37-006",
        "Vì Văn Ỏn",
        "Bản Co",
        5_000_000,
        exit_date=dt.date(2022, 9, 1),
        need_credit="Có",
    ),
    _hh("XT-E59-007", "Hà Văn Ẳm", "Bản Co", 5_000_000, exit_date=dt.date(2020, 11, 1)),
    _hh("XT-E60-008", "Sầm Văn Ọt", "Bản Nà", 5_000_000, exit_date=dt.date(2020, 10, 1)),
    _hh("XT-E61-009", "Khà Văn Ịt", "Bản Nà", 5_000_000, exit_date=dt.date(2020, 9, 1)),
    _hh("XT-X00-010", "Mè Văn Ửng", "Bản Co", 5_000_000, need_credit="Có"),
    # was poor at the start of the period, not now: escapes in this round
    _hh("XT-L00-011", "Lù Văn Ọc", "Bản Co", 5_000_000, prev="Hộ nghèo"),
]
MEMBERS = [
    m_row("XT-P1-0001", **{"Dân tộc": "Thái"}),
    m_row("XT-P2-0002", **{"Tình trạng việc làm": "Thất nghiệp"}),
    m_row("XT-N1-0003", **{"Giới tính": "Nữ"}),
    *(m_row(h[0]) for h in HOUSEHOLDS[3:]),
]
NAMES = {h[0]: h[len(HH_HEADER)] for h in HOUSEHOLDS}


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    members = [[*m, NAMES[m[0]]] for m in MEMBERS]
    return write_workbook(
        tmp_path / "xa-thu.xlsx",
        HOUSEHOLDS,
        members,
        hh_header=[*HH_HEADER, *EXTRA_HH],
        m_header=[*M_HEADER, "Họ và tên"],
    )


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _csv(survey: Path, kind: str, tmp: Path, *more: str) -> pd.DataFrame:
    out = tmp / f"{kind}.csv"
    r = run("lists", str(survey), "--list", kind, "-o", str(out), *more)
    assert r.exit_code == 0, r.output
    return pd.read_csv(out, dtype=str, keep_default_na=False)


def test_beneficiaries_windows(survey: Path, tmp_path: Path) -> None:
    t = _csv(survey, "beneficiaries", tmp_path).set_index("household_id")
    assert set(t.index) == {
        "XT-P1-0001",
        "XT-P2-0002",
        "XT-N1-0003",
        "XT-E35-004",
        "XT-E36-005",
        "XT-E37-006",
        "XT-E59-007",
        "XT-E60-008",
        "XT-L00-011",
    }  # 61 months out, and never poor: not on it
    assert t.loc["XT-P1-0001", "group"] == "poor" and t.loc["XT-N1-0003", "group"] == "near_poor"
    credit = t["credit"] == "true"
    health = t["health_insurance"] == "true"
    # 36 months of credit: 35 and exactly 36 inside, 37 out
    assert set(t.index[credit]) == {"XT-E35-004", "XT-E36-005", "XT-L00-011"}
    # 60 months of the health-insurance subsidy: 59 and exactly 60 inside
    assert set(t.index[health]) == {
        "XT-E35-004",
        "XT-E36-005",
        "XT-E37-006",
        "XT-E59-007",
        "XT-E60-008",
        "XT-L00-011",
    }
    assert t.loc["XT-E36-005", "credit_until"] == "2025-10-01"  # the survey day: inside
    assert t.loc["XT-E60-008", "health_insurance_until"] == "2025-10-01"
    assert t.loc["XT-L00-011", "poverty_exit_date"] == "2025-10-01"
    assert t.loc["XT-L00-011", "credit_until"] == "2028-10-01"
    assert t.loc["XT-P1-0001", "prio_ethnic_minority"] == "true"
    assert t.loc["XT-N1-0003", "prio_female_head"] == "true"
    # sorted by commune then village (Bản Nà first: it comes first in the survey)
    villages = t["village"].tolist()
    assert villages == sorted(villages, key=["Bản Nà", "Bản Co"].index)


def test_window_arithmetic_by_hand() -> None:
    day = np.array(["2023-01-31", "2024-02-29", "2022-10-01"], dtype="datetime64[D]")
    assert add_months(day, 1).astype(str).tolist() == ["2023-02-28", "2024-03-29", "2022-11-01"]
    assert add_months(day[2:], 36).astype(str).tolist() == ["2025-10-01"]
    hh = pd.DataFrame({"class": ["not_poor"] * 4})
    extra = pd.DataFrame(
        {
            "survey_date": ["2026-11-15", "2026-11-16", "2026-12-31", "2027-01-01"],
            # a bare year counts from its last day
            "poverty_exit_date": ["2023-11-15", "2023-11-15", "2023", "2023"],
        }
    )
    w = windows(hh, extra)
    assert w["credit"].tolist() == [True, False, True, False]


def test_stable_work(survey: Path, tmp_path: Path) -> None:
    t = _csv(survey, "stable-work", tmp_path)
    # P2's only working-age member is unemployed; P1's and N1's are self-employed
    assert t["household_id"].tolist() == ["XT-P2-0002"]
    assert t["stable_workers"].tolist() == ["0"]


def test_credit(survey: Path, tmp_path: Path) -> None:
    t = _csv(survey, "credit", tmp_path).set_index("household_id")
    # P1 asks; P2 lacks capital; E35 lacks tools and is inside the 36-month window. Not N1
    # (asks for nothing), not E37 (asks, 37 months out), not X (asks, never poor).
    assert t.index.tolist() == ["XT-P1-0001", "XT-E35-004", "XT-P2-0002"]  # Bản Nà, then Bản Co
    assert t.loc["XT-E35-004", "credit_until"] == "2025-11-01"
    assert t.loc["XT-P2-0002", "reason_capital"] == "true"


def test_social_protection(survey: Path, tmp_path: Path) -> None:
    t = _csv(survey, "social-protection", tmp_path)
    assert t["household_id"].tolist() == ["XT-N1-0003"]


def test_service_gaps_by_agency(survey: Path, tmp_path: Path) -> None:
    t = _csv(survey, "service-gaps", tmp_path)
    got = set(zip(t["agency_code"], t["indicator"], t["household_id"], strict=True))
    assert got == {
        ("noi_vu", "employment", "XT-P2-0002"),
        ("nong_nghiep_moi_truong", "water", "XT-P1-0001"),
        ("nong_nghiep_moi_truong", "water", "XT-P2-0002"),
        ("nong_nghiep_moi_truong", "water", "XT-N1-0003"),
        ("nong_nghiep_moi_truong", "toilet", "XT-P1-0001"),
        ("nong_nghiep_moi_truong", "toilet", "XT-P2-0002"),
        ("khoa_hoc_cong_nghe", "telecom", "XT-P1-0001"),
        ("khoa_hoc_cong_nghe", "telecom", "XT-P2-0002"),
    }
    assert set(t["mapping_confidence"]) == {"best_reading"}
    out = tmp_path / "theo-nganh.xlsx"
    assert run("lists", str(survey), "--list", "service-gaps", "-o", str(out)).exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [
        "Sở Nội vụ",
        "Sở Y tế",
        "Sở GD&ĐT",
        "Sở Xây dựng",
        "Sở NN&MT",
        "Sở KH&CN",
        "Sở VH,TT&DL",  # info_access, in the 2022–2025 standard this survey is classed by
        "Căn cứ",
        "Dữ liệu",
    ]
    ws = wb["Sở NN&MT"]
    text = [str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN" in text
    assert any(s.startswith("Căn cứ: Nghị định 07/2021/NĐ-CP") for s in text)
    assert {"XT-P1-0001", "XT-P2-0002", "XT-N1-0003"} <= set(text)
    assert "Tòng Văn Pọm" in text
    assert "XT-P1-0001" not in [str(c.value) for c in wb["Sở Nội vụ"]["B"]]


PROVINCE = """
id = "tinh-thu"
title = "Phân công của tỉnh thử"
reference = "Quyết định của UBND tỉnh thử"
confidence = "confirmed"

[agencies.xay_dung]
name_vi = "Sở Xây dựng"
sheet = "Xây dựng"
indicators = ["water", "toilet", "housing_quality", "housing_area"]
reference = "Quyết định của UBND tỉnh thử, Điều 2"
confidence = "confirmed"

[agencies.cong_an]
name_vi = "Công an tỉnh"
indicators = ["employment"]
reference = "thử"
confidence = "secondary"
"""


def test_province_mapping_from_file(survey: Path, tmp_path: Path) -> None:
    own = tmp_path / "phan-cong.toml"
    own.write_text(PROVINCE, encoding="utf-8")
    t = _csv(survey, "service-gaps", tmp_path, "--agencies", str(own))
    by = t.groupby("agency_code")["indicator"].agg(set).to_dict()
    # telecom is under no agency of this file: listed as not assigned, never dropped
    assert by == {"xay_dung": {"water", "toilet"}, "cong_an": {"employment"}, "": {"telecom"}}
    assert set(t.loc[t["agency_code"] == "xay_dung", "mapping_confidence"]) == {"confirmed"}
    out = tmp_path / "own.xlsx"
    run("lists", str(survey), "--list", "service-gaps", "--agencies", str(own), "-o", str(out))
    names = openpyxl.load_workbook(out).sheetnames
    assert names == ["Xây dựng", "Công an tỉnh", "Chưa phân công", "Căn cứ", "Dữ liệu"]


def test_bad_mapping_is_one_line(survey: Path, tmp_path: Path) -> None:
    own = tmp_path / "sai.toml"
    own.write_text(
        PROVINCE.replace('indicators = ["employment"]', 'indicators = ["water"]'),
        encoding="utf-8",
    )
    r = run("lists", str(survey), "--list", "service-gaps", "--agencies", str(own))
    assert r.exit_code == 2 and "water" in r.output and r.output.count("\n") == 1


def test_redacted_list(survey: Path, tmp_path: Path) -> None:
    import zipfile

    env = {"MDPOVERTY_REDACT_KEY": "a-province-key-kept-offline-2026"}
    out = tmp_path / "r.xlsx"
    r = run("lists", str(survey), "--list", "service-gaps", "-o", str(out), "--redact", env=env)
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(out) as z:
        text = "".join(z.read(n).decode("utf-8") for n in z.namelist())
    assert not [s for s in [*NAMES, *NAMES.values()] if s in text]
    assert "Mã hộ (bí danh)" in text and "Sở NN&amp;MT" in text
    plain = _csv(survey, "service-gaps", tmp_path)
    red = tmp_path / "r.csv"
    run("lists", str(survey), "--list", "service-gaps", "-o", str(red), "--redact", env=env)
    red_t = pd.read_csv(red, dtype=str, keep_default_na=False)
    assert "head_name" not in red_t
    assert red_t.drop(columns="household_id").equals(
        plain.drop(columns=["household_id", "head_name"])
    )
