"""The optional household columns of docs/survey-contract.md: causes of poverty, support
needs, support received, no labour capacity, local ethnic minority."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
from conftest import BASE_HH, BASE_M
from openpyxl import load_workbook

import mdpoverty
from mdpoverty.law.standards import load_standard
from mdpoverty.write.template import write_template

ROOT = Path(__file__).resolve().parents[1]

# the column names of the contract (domain §7), written out by hand
CONTRACT = [
    "reason_land",
    "reason_capital",
    "reason_labour",
    "reason_tools",
    "reason_knowledge",
    "reason_skills",
    "reason_illness",
    "reason_other",
    "need_health",
    "need_education",
    "need_production",
    "need_credit",
    "need_housing",
    "need_other",
    "support_health",
    "support_education",
    "support_production",
    "support_credit",
    "support_housing",
    "no_labour_capacity",
    "local_ethnic",
]

HH = {**BASE_HH, "income_per_capita": "1000000"}
M = BASE_M


def test_the_data_file_names_the_contract_columns_with_references() -> None:
    data = tomllib.loads((ROOT / "data/groups/household-groups.toml").read_text("utf-8"))
    columns = [i["column"] for k in ("causes", "needs", "support") for i in data[k]["items"]]
    columns += [data["no_labour_capacity"]["column"], data["local_ethnic"]["column"]]
    assert columns == CONTRACT
    for key in ("causes", "needs", "support", "no_labour_capacity", "local_ethnic"):
        assert data[key]["reference"].strip()
        assert data[key]["confidence"] in ("confirmed", "secondary", "best_reading")


def test_group_columns_read_by_code_or_label_blanks_allowed() -> None:
    hh = pd.DataFrame(
        [
            {
                **HH,
                "household_id": "A",
                "Thiếu vốn": "Có",
                "Ốm đau, tai nạn": "có",
                "need_credit": "x",
                "Đã được hỗ trợ y tế": "Không",
                "local_ethnic": "1",
            },
            {
                **HH,
                "household_id": "B",
                "Thiếu vốn": "",
                "Ốm đau, tai nạn": "",
                "need_credit": "",
                "Đã được hỗ trợ y tế": "",
                "local_ethnic": "",
            },
        ]
    ).replace("", None)
    m = pd.DataFrame([{**M, "household_id": "A"}, {**M, "household_id": "B"}])
    r = mdpoverty.classify_frames(hh, m)
    assert (r.issues["severity"] != "error").all(), r.issues
    e = r.extra
    assert bool(e["reason_capital"].iloc[0]) and pd.isna(e["reason_capital"].iloc[1])
    assert bool(e["reason_illness"].iloc[0]) and pd.isna(e["reason_illness"].iloc[1])
    # a column of ticks: the blank is "no"
    assert e["need_credit"].tolist() == [True, False]
    assert not e["support_health"].iloc[0] and pd.isna(e["support_health"].iloc[1])
    assert bool(e["local_ethnic"].iloc[0]) and pd.isna(e["local_ethnic"].iloc[1])
    assert pd.isna(e["reason_land"]).all()  # a column the survey lacks is blank
    assert r.households["class"].tolist() == ["near_poor", "near_poor"]


def test_a_bad_group_cell_is_an_error_on_that_cell() -> None:
    hh = pd.DataFrame(
        [
            {**HH, "household_id": "A", "Nhu cầu hỗ trợ nhà ở": "Có"},
            {**HH, "household_id": "B", "Nhu cầu hỗ trợ nhà ở": "có lẽ"},
        ]
    )
    m = pd.DataFrame([{**M, "household_id": "A"}, {**M, "household_id": "B"}])
    r = mdpoverty.classify_frames(hh, m)
    bad = r.issues[r.issues["check"] == "not_yes_no"]
    assert len(bad) == 1
    row = bad.iloc[0]
    assert (row["row"], row["column"], row["value"], row["severity"]) == (
        3,
        "Nhu cầu hỗ trợ nhà ở",
        "có lẽ",
        "error",
    )
    assert row["household_id"] == "B"


def test_no_labour_capacity_derived_from_working_age_members() -> None:
    """Survey 1/10/2025: working age is 15 until 61y3m (men) / 56y8m (women) in 2025
    (Labour Code 2019 Art. 169; Decree 135/2020). Yes when no working-age member is able."""
    ids = ["able", "unable", "old", "old_and_child", "stated", "woman_past", "woman_under"]
    hh = pd.DataFrame([{**HH, "household_id": i} for i in ids])
    hh["no_labour_capacity"] = [None, None, None, None, "Không", None, None]
    m = pd.DataFrame(
        [
            {**M, "household_id": "able"},
            {**M, "household_id": "unable", "work_status": "unable", "disabled": "yes"},
            {**M, "household_id": "old", "birth_date": "1960-01-01", "work_status": "retired"},
            {
                **M,
                "household_id": "old_and_child",
                "birth_date": "1950-01-01",
                "work_status": "retired",
            },
            {
                **M,
                "household_id": "old_and_child",
                "relation": "child",
                "birth_date": "2015-03-01",
                "work_status": "student",
                "enrolled": "primary",
                "education": "none",
            },
            {**M, "household_id": "stated", "work_status": "unable", "disabled": "yes"},
            # 56 y 9 m on 1/10/2025: past the women's 56 y 8 m
            {**M, "household_id": "woman_past", "sex": "female", "birth_date": "1969-01-01"},
            # 56 y 7 m: still of working age
            {**M, "household_id": "woman_under", "sex": "female", "birth_date": "1969-03-01"},
        ]
    )
    r = mdpoverty.classify_frames(hh, m)
    e = r.extra
    got = dict(zip(ids, e["no_labour_capacity"].tolist(), strict=True))
    assert got == {
        "able": False,
        "unable": True,
        "old": True,
        "old_and_child": True,
        "stated": False,
        "woman_past": True,
        "woman_under": False,
    }
    assert e["no_labour_capacity_source"].tolist() == [
        "derived",
        "derived",
        "derived",
        "derived",
        "stated",
        "derived",
        "derived",
    ]


def test_template_has_the_group_columns_in_a_collapsed_group(tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    write_template(path, load_standard("vn-2022-2025"), rows={"households": 3, "members": 3})
    ws = load_workbook(path)["Hộ gia đình"]
    headers = [c.value for c in ws[1]]
    labels = [
        "Thiếu đất sản xuất",
        "Nhu cầu hỗ trợ tín dụng",
        "Đã được hỗ trợ nhà ở",
        "Hộ không có khả năng lao động",
        "Hộ dân tộc thiểu số tại chỗ",
    ]
    for label in labels:
        j = headers.index(label) + 1
        dims = [d for d in ws.column_dimensions.values() if d.min <= j <= d.max]
        assert dims and dims[0].hidden and dims[0].outline_level == 1, label
    # the group sits between shown columns: "Hộ dân tộc thiểu số" before, the exit date after
    first, last = headers.index("Thiếu đất sản xuất"), headers.index("Hộ dân tộc thiểu số tại chỗ")
    assert headers[first - 1] == "Hộ dân tộc thiểu số"
    assert headers[last + 1] == "Ngày thoát nghèo gần nhất"
    assert last - first + 1 == len(CONTRACT)
