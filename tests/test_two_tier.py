"""The two-tier map of rounds since 1 July 2025 (shared/domain.md §2b, §4, §5): communes right
under their province, the letterhead of the reporting level, units told apart by their whole
path everywhere, rounds across the reform (previous with districts, current without), a
province with gaps in its district column, and Form 1 without an average-living-standard band.

Every expected figure is worked out by hand in the comments from the small frames below;
the names are made up."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from mdpoverty.af.measures import measures
from mdpoverty.cli.main import main
from mdpoverty.cli.targets import _names
from mdpoverty.core import Result
from mdpoverty.law.standards import load_standard
from mdpoverty.reports.batch import change_list, form_notes, frame_round, map_notes, report
from mdpoverty.reports.form_checks import check_forms, form_problems
from mdpoverty.reports.forms import FORM1_COLUMNS
from mdpoverty.reports.targets import load_targets, target_table
from mdpoverty.reports.units import GONE_UNIT, NO_DISTRICT
from mdpoverty.write.forms_excel import issuer_of, write_forms

CODES = load_standard("vn-2022-2025").codes


def rnd(rows: list[tuple], *, districts: bool = True) -> pd.DataFrame:
    """A classify output (§8): (id, province, district, commune, class, members[, extras])."""
    out = []
    for row in rows:
        hid, province, district, commune, cls, members, *more = row
        extra = more[0] if more else {}
        out.append(
            {
                "household_id": hid,
                "province": province,
                "district": district,
                "commune": commune,
                "class": cls,
                "members": members,
                "agricultural": extra.get("agricultural", False),
                "ethnic_minority": extra.get("ethnic_minority", False),
                **{
                    f"dep_{c}": (i + 1) in extra.get("deprived", set()) for i, c in enumerate(CODES)
                },
            }
        )
    frame = pd.DataFrame(out)
    return frame if districts else frame.drop(columns="district")


def rows_of(frame: pd.DataFrame, measure: str | None = None) -> dict[str, dict]:
    f = frame if measure is None else frame[frame["measure"] == measure]
    return {r["unit"]: r for r in f.to_dict("records")}


# ------------------------------------------------------------------------------- two tiers

# Tỉnh An Bình, no districts (the column is absent):
#   Xã An Khê        H1 poor 4, H2 near-poor 3, H3 not poor 5
#   Phường Bình Minh H4 poor 2, H5 average farm household 6
#   Đặc khu Cồn Xanh H6 not poor 3
TWO_TIER = rnd(
    [
        ("H1", "Tỉnh An Bình", "", "Xã An Khê", "poor", 4),
        ("H2", "Tỉnh An Bình", "", "Xã An Khê", "near_poor", 3),
        ("H3", "Tỉnh An Bình", "", "Xã An Khê", "not_poor", 5),
        ("H4", "Tỉnh An Bình", "", "Phường Bình Minh", "poor", 2),
        ("H5", "Tỉnh An Bình", "", "Phường Bình Minh", "average", 6, {"agricultural": True}),
        ("H6", "Tỉnh An Bình", "", "Đặc khu Cồn Xanh", "not_poor", 3),
    ],
    districts=False,
)


def test_two_tier_form1_lists_communes_under_the_province():
    f = report(TWO_TIER, form=1)["1"]
    assert f["number"].tolist() == ["1", "2", "3", ""]
    assert f["level"].tolist() == ["commune", "commune", "commune", "province"]
    assert f["unit"].tolist() == [
        "Xã An Khê",
        "Phường Bình Minh",
        "Đặc khu Cồn Xanh",
        "Tỉnh An Bình",
    ]
    assert f["parent"].tolist() == ["Tỉnh An Bình"] * 3 + [""]
    r = rows_of(f)
    # Xã An Khê: 3 households, 12 persons, 1 poor (4 persons): 33.33 % and 4/12 = 33.33 %
    assert [r["Xã An Khê"][c] for c in ("households", "persons", "poor_households")] == [3, 12, 1]
    assert r["Xã An Khê"]["poor_household_rate"] == 33.33
    # Phường Bình Minh: 2 households, 8 persons, 1 poor (2 p.), 1 average farm (6 p.)
    bm = r["Phường Bình Minh"]
    assert (bm["households"], bm["persons"], bm["average_farm_persons"]) == (2, 8, 6)
    assert (bm["poor_household_rate"], bm["average_farm_person_rate"]) == (50.0, 75.0)
    # the province is the sum of its three communes: 6 households, 23 persons, 2 poor (6 p.)
    p = r["Tỉnh An Bình"]
    assert [p[c] for c in ("households", "persons", "poor_households", "poor_persons")] == [
        6,
        23,
        2,
        6,
    ]
    assert p["near_poor_households"] == 1 and p["average_farm_households"] == 1
    assert p["poor_household_rate"] == 33.33  # 2/6
    assert p["poor_person_rate"] == 26.09  # 6/23 = 26.086…
    assert p["near_poor_person_rate"] == 13.04  # 3/23 = 13.043…
    assert form_problems(f, "1") == []


def test_a_blank_district_column_is_the_same_as_none():
    blank = TWO_TIER.assign(district="")
    assert report(blank, form=1)["1"].equals(report(TWO_TIER, form=1)["1"])


def test_a_province_total_that_is_not_its_communes_is_refused():
    f = report(TWO_TIER, form=1)["1"]
    f.loc[f["level"] == "province", "households"] = 7  # typed, not summed
    problems = form_problems(f, "1")
    assert any("Tỉnh An Bình: households 7 ≠ sum of its rows 6" in p for p in problems)


def test_two_tier_workbook_header_numbering_and_one_commune(tmp_path: Path):
    path = tmp_path / "bao-cao.xlsx"
    write_forms(report(TWO_TIER, form=1), path)
    ws = load_workbook(path)["Biểu 1"]
    assert (ws["A1"].value, ws["A2"].value) == ("ỦY BAN NHÂN DÂN", "TỈNH AN BÌNH")
    assert [ws.cell(row=r, column=1).value for r in range(11, 14)] == ["1", "2", "3"]
    assert ws["B11"].value == "Xã An Khê" and not ws["B11"].font.bold
    assert ws["B14"].value == "Tổng cộng (Tỉnh An Bình)" and ws["B14"].font.bold
    assert ws["C14"].value == 6
    # one commune's report is signed by that commune, its kind not doubled
    one = tmp_path / "phuong.xlsx"
    write_forms(report(TWO_TIER[TWO_TIER["commune"] == "Phường Bình Minh"], form=1), one)
    ws = load_workbook(one)["Biểu 1"]
    assert ws["A2"].value == "PHƯỜNG BÌNH MINH"
    assert ws["A11"].value == "1" and ws["C12"].value == 2  # the commune, then its total
    assert ws["B12"].value == "Tổng cộng"  # the commune's total, not the province's


@pytest.mark.parametrize(
    ("commune", "expected"),
    [
        ("Xã An Khê", "XÃ AN KHÊ"),
        ("Phường Bình Minh", "PHƯỜNG BÌNH MINH"),
        ("Đặc khu Cồn Xanh", "ĐẶC KHU CỒN XANH"),
        ("Thị trấn Ngã Ba", "THỊ TRẤN NGÃ BA"),
        ("An Khê", "XÃ AN KHÊ"),  # no kind in the name: a commune is a xã
    ],
)
def test_one_commune_letterhead(commune, expected):
    frame = rnd([("H1", "Tỉnh An Bình", "", commune, "poor", 2)], districts=False)
    assert issuer_of(report(frame, form=1)["1"]) == expected


# ------------------------------------------------------------------------------- same names

# Xã Tân Lập in two provinces (two tiers): Tỉnh An Bình 2 households (1 poor), Tỉnh Bắc Sơn
# 1 household (not poor). Deprived indicators: the poor one 1, 2, 3 (3 of 12).
SAME = rnd(
    [
        ("A1", "Tỉnh An Bình", "", "Xã Tân Lập", "poor", 3, {"deprived": {1, 2, 3}}),
        ("A2", "Tỉnh An Bình", "", "Xã Tân Lập", "not_poor", 1),
        ("B1", "Tỉnh Bắc Sơn", "", "Xã Tân Lập", "not_poor", 4),
    ]
)


def test_same_named_communes_in_two_provinces_are_two_rows_of_the_report():
    f = report(SAME, form="1,4")["1"]
    assert f[["number", "level", "unit", "parent"]].values.tolist() == [
        ["1", "commune", "Xã Tân Lập", "Tỉnh An Bình"],
        ["", "province", "Tỉnh An Bình", ""],
        ["1", "commune", "Xã Tân Lập", "Tỉnh Bắc Sơn"],
        ["", "province", "Tỉnh Bắc Sơn", ""],
    ]
    assert f["households"].tolist() == [2, 2, 1, 1]
    assert f["poor_households"].tolist() == [1, 1, 0, 0]


def test_same_named_communes_in_the_classify_summary():
    s = Result(SAME, pd.DataFrame(), load_standard("vn-2022-2025")).summary()
    assert s[["province", "district", "commune", "households", "poor"]].values.tolist() == [
        ["Tỉnh An Bình", "", "Xã Tân Lập", 2, 1],
        ["Tỉnh Bắc Sơn", "", "Xã Tân Lập", 1, 0],
        ["", "", "all", 3, 1],
    ]


def test_same_named_communes_in_measures_by_commune():
    m = measures(SAME, by="commune", unit="households").measures.set_index("group")
    assert list(m.index) == ["all", "Xã Tân Lập (Tỉnh An Bình)", "Xã Tân Lập (Tỉnh Bắc Sơn)"]
    # households: An Bình 1 poor of 2 (score 3/12 ≥ k) → H = 1/2; Bắc Sơn none → H = 0
    assert m.loc["Xã Tân Lập (Tỉnh An Bình)", "H"] == pytest.approx(0.5)
    assert m.loc["Xã Tân Lập (Tỉnh Bắc Sơn)", "H"] == 0
    assert m.loc["all", "unit_count"] == 3


def test_same_named_communes_in_two_districts_keep_the_district_in_their_label():
    frame = rnd(
        [
            ("A1", "Tỉnh An Bình", "Huyện Một", "Xã Tân Lập", "poor", 3, {"deprived": {1, 2, 3}}),
            ("A2", "Tỉnh An Bình", "Huyện Hai", "Xã Tân Lập", "not_poor", 1),
            ("A3", "Tỉnh An Bình", "Huyện Hai", "Xã Yên Hà", "not_poor", 1),
        ]
    )
    groups = measures(frame, by="commune").measures["group"].tolist()
    assert groups == [
        "all",
        "Xã Tân Lập (Huyện Hai, Tỉnh An Bình)",
        "Xã Tân Lập (Huyện Một, Tỉnh An Bình)",
        "Xã Yên Hà",  # one unit of that name: as is
    ]


def test_same_named_communes_in_targets_and_changes():
    previous = rnd(
        [
            ("A1", "Tỉnh An Bình", "", "Xã Tân Lập", "poor", 3),
            ("A2", "Tỉnh An Bình", "", "Xã Tân Lập", "not_poor", 1),
            ("B1", "Tỉnh Bắc Sơn", "", "Xã Tân Lập", "poor", 4),
            ("B2", "Tỉnh Bắc Sơn", "", "Xã Tân Lập", "near_poor", 4),
        ]
    )
    current = rnd(
        [
            ("A1", "Tỉnh An Bình", "", "Xã Tân Lập", "poor", 3),
            ("A2", "Tỉnh An Bình", "", "Xã Tân Lập", "not_poor", 1),
            ("B1", "Tỉnh Bắc Sơn", "", "Xã Tân Lập", "not_poor", 4),
            # B2 moved from Tân Lập of Bắc Sơn to Tân Lập of An Bình: a move, not a stay
            ("B2", "Tỉnh An Bình", "", "Xã Tân Lập", "near_poor", 4),
        ]
    )
    t = target_table(current, previous, load_targets(), 1.0)
    communes = t[t["level"] == "commune"]
    # An Bình: 1 poor of 2 → 1 of 3 (50.00 → 33.33); Bắc Sơn: 1 of 2 → 0 of 1 (50.00 → 0.00)
    assert communes[["unit", "parent", "poor_rate_start", "poor_rate_end"]].values.tolist() == [
        ["Xã Tân Lập", "Tỉnh An Bình", 50.0, 33.33],
        ["Xã Tân Lập", "Tỉnh Bắc Sơn", 50.0, 0.0],
    ]
    # on a terminal, the shared name is shown with its province
    assert [n for n in _names(t) if "Tân Lập" in n] == [
        "Xã Tân Lập (Tỉnh An Bình)",
        "Xã Tân Lập (Tỉnh Bắc Sơn)",
    ]
    table = change_list(previous, current)
    moved = table[table["household_id"] == "B2"]
    assert moved[["province", "commune", "transition"]].values.tolist() == [
        ["Tỉnh An Bình", "Xã Tân Lập", "moved_in"],
        ["Tỉnh Bắc Sơn", "Xã Tân Lập", "moved_out"],
    ]
    f3 = rows_of(report(current, previous=previous, form=3)["3"], "households")
    assert f3["Tỉnh An Bình"]["other_increase"] == 1 and f3["Tỉnh Bắc Sơn"]["other_decrease"] == 1


# ------------------------------------------------------------------------------- the reform

# Previous round (2024, with districts), Tỉnh An Bình:
#   Huyện Cũ Một / Xã An Khê:  P1 poor 4, P2 poor 3 (gone; Xã An Khê still stands), P3 near 2
#   Huyện Cũ Một / Xã Đồi Cát: P4 poor 5 (Đồi Cát merged into An Khê: P4 now there, 6 members),
#                              P5 poor 2 (gone; Xã Đồi Cát no longer exists)
#   Huyện Cũ Hai / Phường Bình Minh: P6 near-poor 3
# Current round (2026, no districts):
#   Xã An Khê:        P1 near-poor 4, P3 near-poor 2, P4 poor 6, N1 poor 1 (new household)
#   Phường Bình Minh: P6 poor 3
BEFORE = rnd(
    [
        ("P1", "Tỉnh An Bình", "Huyện Cũ Một", "Xã An Khê", "poor", 4),
        ("P2", "Tỉnh An Bình", "Huyện Cũ Một", "Xã An Khê", "poor", 3),
        ("P3", "Tỉnh An Bình", "Huyện Cũ Một", "Xã An Khê", "near_poor", 2),
        ("P4", "Tỉnh An Bình", "Huyện Cũ Một", "Xã Đồi Cát", "poor", 5),
        ("P5", "Tỉnh An Bình", "Huyện Cũ Một", "Xã Đồi Cát", "poor", 2),
        ("P6", "Tỉnh An Bình", "Huyện Cũ Hai", "Phường Bình Minh", "near_poor", 3),
    ]
)
AFTER = rnd(
    [
        ("P1", "Tỉnh An Bình", "", "Xã An Khê", "near_poor", 4),
        ("P3", "Tỉnh An Bình", "", "Xã An Khê", "near_poor", 2),
        ("P4", "Tỉnh An Bình", "", "Xã An Khê", "poor", 6),
        ("N1", "Tỉnh An Bình", "", "Xã An Khê", "poor", 1),
        ("P6", "Tỉnh An Bình", "", "Phường Bình Minh", "poor", 3),
    ],
    districts=False,
)


def test_forms_2_and_3_across_the_reform_balance_on_the_current_units():
    forms = report(AFTER, previous=BEFORE)
    f2 = forms["2"]
    # laid out on the current units: no district row, the gone row last in its province
    units = f2[f2["measure"] == "households"][["number", "level", "unit", "parent"]]
    assert units.values.tolist() == [
        ["1", "commune", "Xã An Khê", "Tỉnh An Bình"],
        ["2", "commune", "Phường Bình Minh", "Tỉnh An Bình"],
        ["3", "commune", GONE_UNIT, "Tỉnh An Bình"],
        ["", "province", "Tỉnh An Bình", ""],
    ]
    cols = ["start", "to_near_poor", "above_near_poor", "other_decrease", "from_near_poor"]
    cols += ["re_entered", "newly_entered", "other_increase", "end"]
    h, p = rows_of(f2, "households"), rows_of(f2, "persons")
    # An Khê: start P1, P2, P4 = 3; P1 → near-poor; P2 gone (other); N1 new (other); end P4, N1
    assert [h["Xã An Khê"][c] for c in cols] == [3, 1, 0, 1, 0, 0, 0, 1, 2]
    # persons: start 4 + 3 + 5 = 12; P1 4; P2 3; increases N1 1 + P4 grew 5 → 6 (1); end 6 + 1
    assert [p["Xã An Khê"][c] for c in cols] == [12, 4, 0, 3, 0, 0, 0, 2, 7]
    assert [h["Phường Bình Minh"][c] for c in cols] == [0, 0, 0, 0, 1, 0, 0, 0, 1]
    assert [p["Phường Bình Minh"][c] for c in cols] == [0, 0, 0, 0, 3, 0, 0, 0, 3]
    # P5, gone with its commune: counted in its province's labelled row
    assert [h[GONE_UNIT][c] for c in cols] == [1, 0, 0, 1, 0, 0, 0, 0, 0]
    assert [p[GONE_UNIT][c] for c in cols] == [2, 0, 0, 2, 0, 0, 0, 0, 0]
    # the province: 4 − 1 − 2 + 1 + 1 = 3 households; 14 − 4 − 5 + 3 + 2 = 10 persons
    assert [h["Tỉnh An Bình"][c] for c in cols] == [4, 1, 0, 2, 1, 0, 0, 1, 3]
    assert [p["Tỉnh An Bình"][c] for c in cols] == [14, 4, 0, 5, 3, 0, 0, 2, 10]
    f3h, f3p = rows_of(forms["3"], "households"), rows_of(forms["3"], "persons")
    # near-poor: An Khê start P3 (now there) = 1, from poor P1, end P1 + P3; Bình Minh: P6 → poor
    assert (f3h["Xã An Khê"]["start"], f3h["Xã An Khê"]["from_poor"], f3h["Xã An Khê"]["end"]) == (
        1,
        1,
        2,
    )
    assert (f3p["Xã An Khê"]["start"], f3p["Xã An Khê"]["from_poor"], f3p["Xã An Khê"]["end"]) == (
        2,
        4,
        6,
    )
    assert (f3h["Phường Bình Minh"]["start"], f3h["Phường Bình Minh"]["to_poor"]) == (1, 1)
    assert (f3h["Tỉnh An Bình"]["start"], f3h["Tỉnh An Bình"]["end"]) == (2, 2)
    # Form 1 lists the current units only, and its poor equal Form 2's end
    f1 = forms["1"]
    assert f1["unit"].tolist() == ["Xã An Khê", "Phường Bình Minh", "Tỉnh An Bình"]
    assert f1["poor_households"].tolist() == [2, 1, 3]
    check_forms(forms)


def test_the_change_list_across_the_reform():
    table = change_list(BEFORE, AFTER).set_index("household_id")
    assert table.loc["P4", ["district", "commune", "transition"]].tolist() == [
        "",
        "Xã An Khê",
        "remained_poor",
    ]  # merged commune: no move
    assert table.loc["P2", ["commune", "transition"]].tolist() == ["Xã An Khê", "moved_out"]
    assert table.loc["P5", ["commune", "transition"]].tolist() == [GONE_UNIT, "moved_out"]
    assert len(table) == 7  # P1–P6 and N1, each once


def test_the_reform_workbook_has_the_current_units(tmp_path: Path):
    path = tmp_path / "bao-cao.xlsx"
    write_forms(report(AFTER, previous=BEFORE, form="1,2"), path)
    ws = load_workbook(path)["Biểu 2"]
    assert ws["A2"].value == "TỈNH AN BÌNH"
    names = [ws.cell(row=r, column=2).value for r in range(11, 19, 2)]
    assert names == ["Xã An Khê", "Phường Bình Minh", GONE_UNIT, "Tổng cộng (Tỉnh An Bình)"]
    assert ws["B15"].font.italic  # the gone row is a labelled group, not a unit


def test_the_report_command_across_the_reform_says_how_it_laid_out(tmp_path: Path):
    before, after = tmp_path / "ky-truoc.csv", tmp_path / "ky-nay.csv"
    BEFORE.to_csv(before, index=False)
    AFTER.to_csv(after, index=False)
    out = tmp_path / "bao-cao.xlsx"
    r = CliRunner().invoke(main, ["report", str(after), "--previous", str(before), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert r.stderr.count("biểu lập theo các đơn vị của kỳ này") == 1  # once, for Forms 2 and 3
    assert "ghi chú: Biểu 2, 3: kỳ trước có cấp huyện" in r.stderr
    assert (
        "(1 tỉnh, không có cấp huyện)" in r.stderr
        and "kỳ trước: 6/6 hộ ở 3 xã (2 huyện)" in r.stderr
    )
    wb = load_workbook(out)
    for sheet in ("Biểu 2", "Biểu 3"):
        texts = [str(c.value) for row in wb[sheet].iter_rows(min_row=19) for c in row if c.value]
        assert any(GONE_UNIT in t and "theo mã hộ" in t for t in texts), sheet
    assert wb["Biểu 2"]["B15"].value == GONE_UNIT and wb["Biểu 2"]["L17"].value == 3


def test_targets_across_the_reform():
    em = {"ethnic_minority": True}
    before = rnd(
        [
            ("P1", "Tỉnh An Bình", "Huyện Cũ", "Xã An Khê", "poor", 1, em),
            ("P2", "Tỉnh An Bình", "Huyện Cũ", "Xã An Khê", "poor", 1, em),
            ("P3", "Tỉnh An Bình", "Huyện Cũ", "Xã An Khê", "not_poor", 1),
            ("P4", "Tỉnh An Bình", "Huyện Cũ", "Xã An Khê", "not_poor", 1),
            ("P5", "Tỉnh An Bình", "Huyện Cũ", "Xã Đồi Cát", "poor", 1),  # gone with Đồi Cát
            ("P6", "Tỉnh An Bình", "Huyện Cũ", "Xã Đồi Cát", "not_poor", 1),  # now in An Khê
            ("Q1", "Tỉnh An Bình", "Huyện Khác", "Phường Bình Minh", "poor", 1, em),
            ("Q2", "Tỉnh An Bình", "Huyện Khác", "Phường Bình Minh", "not_poor", 1),
            ("Q3", "Tỉnh An Bình", "Huyện Khác", "Phường Bình Minh", "not_poor", 1),
            ("Q4", "Tỉnh An Bình", "Huyện Khác", "Phường Bình Minh", "not_poor", 1),
        ]
    )
    after = rnd(
        [
            ("P1", "Tỉnh An Bình", "", "Xã An Khê", "not_poor", 1, em),
            ("P2", "Tỉnh An Bình", "", "Xã An Khê", "poor", 1, em),
            ("P3", "Tỉnh An Bình", "", "Xã An Khê", "not_poor", 1),
            ("P4", "Tỉnh An Bình", "", "Xã An Khê", "not_poor", 1),
            ("P6", "Tỉnh An Bình", "", "Xã An Khê", "not_poor", 1),
            ("Q1", "Tỉnh An Bình", "", "Phường Bình Minh", "not_poor", 1, em),
            ("Q2", "Tỉnh An Bình", "", "Phường Bình Minh", "not_poor", 1),
            ("Q3", "Tỉnh An Bình", "", "Phường Bình Minh", "not_poor", 1),
            ("Q4", "Tỉnh An Bình", "", "Phường Bình Minh", "not_poor", 1),
        ],
        districts=False,
    )
    t = target_table(after, before, load_targets(), 1.0).set_index("unit")
    assert t["level"].tolist() == ["commune", "commune", "commune", "province"]
    assert t.index.tolist() == ["Xã An Khê", "Phường Bình Minh", GONE_UNIT, "Tỉnh An Bình"]
    # An Khê on the new map: start P1–P4 and P6 = 5 households, 2 poor (40.00 %); end 1 of 5
    ak = t.loc["Xã An Khê"]
    assert (ak["households_start"], ak["poor_households_start"]) == (5, 2)
    assert (ak["poor_rate_start"], ak["poor_rate_end"], ak["poor_rate_fall"]) == (40.0, 20.0, 20.0)
    assert bool(ak["poor_target_met"])
    # ethnic minority: P1, P2 both poor (100.00 %) → P2 of the two (50.00 %)
    assert (ak["em_poor_rate_start"], ak["em_poor_rate_end"]) == (100.0, 50.0)
    assert bool(ak["em_target_met"])
    bm = t.loc["Phường Bình Minh"]
    assert (bm["poor_rate_start"], bm["poor_rate_end"], bm["em_poor_rate_fall"]) == (
        25.0,
        0.0,
        100.0,
    )
    gone = t.loc[GONE_UNIT]
    assert (gone["households_start"], gone["poor_rate_start"]) == (1, 100.0)
    assert gone["households_end"] == 0 and pd.isna(gone["poor_rate_end"])
    # the province: 4 poor of 10 (40.00 %) → 1 of 9 (11.11 %); EM 3 of 3 → 1 of 3 (33.33 %)
    pr = t.loc["Tỉnh An Bình"]
    assert (pr["poor_rate_start"], pr["poor_rate_end"], pr["poor_rate_fall"]) == (
        40.0,
        11.11,
        28.89,
    )
    assert (pr["em_poor_rate_start"], pr["em_poor_rate_end"]) == (100.0, 33.33)
    # neither commune is above the province's 40.00 % at the start (An Khê equals it); the
    # gone row is no unit: not compared
    assert t["above_parent_average"].tolist()[:2] == [False, False]
    assert pd.isna(t.loc[GONE_UNIT, "above_parent_average"])
    assert pd.isna(t.loc[GONE_UNIT, "falls_faster_than_parent"])


# ------------------------------------------------------------------------------- district gaps

# Tỉnh An Bình (an older round with districts): Huyện Một / Xã An Khê 2 households; Xã Bến Đò
# with the district left blank, 1 household. Tỉnh Bắc Sơn: no district at all (two tiers).
MIXED = rnd(
    [
        ("M1", "Tỉnh An Bình", "Huyện Một", "Xã An Khê", "poor", 2),
        ("M2", "Tỉnh An Bình", "", "Xã Bến Đò", "near_poor", 3),
        ("M3", "Tỉnh An Bình", "Huyện Một", "Xã An Khê", "not_poor", 1),
        ("M4", "Tỉnh Bắc Sơn", "", "Xã Cát Vàng", "poor", 5),
    ]
)


def test_a_gap_in_the_district_column_is_its_own_group_never_merged():
    f = report(MIXED, form=1)["1"]
    assert f[["number", "level", "unit", "parent", "households"]].values.tolist() == [
        ["1", "district", "Huyện Một", "Tỉnh An Bình", 2],
        ["1.1", "commune", "Xã An Khê", "Huyện Một", 2],
        ["2", "district", NO_DISTRICT, "Tỉnh An Bình", 1],
        ["2.1", "commune", "Xã Bến Đò", NO_DISTRICT, 1],
        ["", "province", "Tỉnh An Bình", "", 3],
        ["1", "commune", "Xã Cát Vàng", "Tỉnh Bắc Sơn", 1],
        ["", "province", "Tỉnh Bắc Sơn", "", 1],
    ]
    assert form_problems(f, "1") == []
    notes = map_notes([("", frame_round(MIXED))])
    assert len(notes) == 1  # Tỉnh An Bình only: Bắc Sơn has no district at all
    en, vi = notes[0]
    assert "Tỉnh An Bình: 1 households have no district while 2 have one" in en
    assert NO_DISTRICT in vi


def test_the_report_command_warns_about_a_district_gap(tmp_path: Path):
    path = tmp_path / "ket-qua.csv"
    MIXED.to_csv(path, index=False)
    r = CliRunner().invoke(main, ["report", str(path), "--form", "1", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert "cảnh báo: Tỉnh An Bình: 1 hộ không ghi huyện" in r.stderr
    out = pd.read_csv(io.StringIO(r.stdout), keep_default_na=False)
    assert NO_DISTRICT in out["unit"].tolist()


# ------------------------------------------------------------------------------- no MSTB band


@pytest.fixture
def no_band():
    """The 2027–2030 standard as it is once its average-living-standard band is optional and
    absent (``income.average_upper`` None): the provisional standard ships without one (§3)."""
    std = load_standard("vn-2027-2030")
    income = std.income.model_copy(update={"average_upper": None})
    return std.model_copy(update={"income": income})


def test_form1_average_columns_are_empty_without_a_band(no_band, tmp_path: Path):
    rnd_ = frame_round(TWO_TIER, standard=no_band)
    forms = report(rnd_, form=1)
    f = forms["1"]
    average = [c for c in FORM1_COLUMNS if c.startswith("average_farm_")]
    assert f[average].isna().all().all()  # not assessed: empty, never 0
    assert f["poor_households"].tolist() == [1, 1, 0, 2]  # the rest as with a band
    check_forms(forms)
    partly = f.copy()
    partly.loc[0, "average_farm_households"] = 0  # typed in one row only
    assert any("empty in some rows only" in x for x in form_problems(partly, "1"))
    # CSV: empty cells
    csv = f.to_csv(index=False).splitlines()
    assert csv[-1].startswith(",province,Tỉnh An Bình,,6,23,2,33.33,1,16.67,,,6,")
    # xlsx: blank cells and the note under the table
    notes = form_notes(rnd_, forms)
    assert list(notes) == ["1"] and "vn-2027-2030" in notes["1"][0][1]
    path = tmp_path / "bao-cao.xlsx"
    write_forms(forms, path, notes={k: [vi for _, vi in v] for k, v in notes.items()})
    ws = load_workbook(path)["Biểu 1"]
    assert ws["I11"].value is None and ws["J11"].value is None  # columns 7–8
    assert ws["O14"].value is None and ws["P14"].value is None  # columns 13–14
    texts = [c.value for row in ws.iter_rows(min_row=15) for c in row if c.value]
    assert any("chưa công bố chuẩn hộ có mức sống trung bình" in str(t) for t in texts)


def test_with_a_band_the_average_columns_are_counted():
    forms = report(frame_round(TWO_TIER, standard=load_standard("vn-2022-2025")), form=1)
    assert forms["1"]["average_farm_households"].tolist() == [0, 1, 0, 1]
    assert form_notes(frame_round(TWO_TIER, standard=load_standard("vn-2022-2025")), forms) == {}


def test_the_report_command_says_once_why_the_columns_are_empty(no_band, monkeypatch):
    import mdpoverty.cli.report as cli

    monkeypatch.setattr(cli, "load_round", lambda *a, **k: frame_round(TWO_TIER, standard=no_band))
    r = CliRunner().invoke(main, ["report", "x.csv", "--form", "1", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.stderr.count("chưa công bố chuẩn hộ có mức sống trung bình") == 1
    out = pd.read_csv(io.StringIO(r.stdout))
    assert out["average_farm_households"].isna().all()


# ------------------------------------------------------------------------------- property

OLD_PLACES = [
    ("Tỉnh An Bình", "Huyện Một", "Xã An Khê"),
    ("Tỉnh An Bình", "Huyện Một", "Xã Đồi Cát"),  # gone in the reform
    ("Tỉnh An Bình", "Huyện Hai", "Xã Tân Lập"),
    ("Tỉnh An Bình", "Huyện Ba", "Xã Tân Lập"),  # the same name in another district
    ("Tỉnh Cũ", "Huyện Bốn", "Xã Yên Hà"),  # a province merged away
]
NEW_PLACES = [
    ("Tỉnh An Bình", "", "Xã An Khê"),
    ("Tỉnh An Bình", "", "Xã Tân Lập"),
    ("Tỉnh An Bình", "", "Phường Mới"),
    ("Tỉnh Bắc Sơn", "", "Xã Yên Hà"),
]
CLASSES = ["poor", "near_poor", "average", "not_poor", ""]


# Across the reform, pinned: a commune gone in the reform, two Xã Tân Lập merged into one, a
# province merged away, households leaving, staying in and changing class and size, and
# newcomers of every class.
ACROSS_THE_REFORM = (
    [
        (OLD_PLACES[0], "poor", 3, (NEW_PLACES[0], "poor"), 4),
        (OLD_PLACES[1], "near_poor", 2, (NEW_PLACES[0], "poor"), 2),
        (OLD_PLACES[2], "poor", 5, (NEW_PLACES[1], "near_poor"), 3),
        (OLD_PLACES[3], "near_poor", 1, (NEW_PLACES[1], "near_poor"), 6),
        (OLD_PLACES[4], "poor", 2, (NEW_PLACES[3], "average"), 2),
        (OLD_PLACES[1], "poor", 4, None, 1),
        (OLD_PLACES[0], "not_poor", 3, (NEW_PLACES[2], "poor"), 3),
        (OLD_PLACES[3], "", 2, (NEW_PLACES[1], "near_poor"), 2),
    ],
    [(NEW_PLACES[2], "poor", 3), (NEW_PLACES[3], "near_poor", 1), (NEW_PLACES[0], "", 2)],
)


@settings(max_examples=40, deadline=None, derandomize=True)
@example(*ACROSS_THE_REFORM)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(OLD_PLACES),
            st.sampled_from(CLASSES),
            st.integers(1, 6),
            st.one_of(st.none(), st.tuples(st.sampled_from(NEW_PLACES), st.sampled_from(CLASSES))),
            st.integers(1, 6),
        ),
        max_size=25,
    ),
    st.lists(st.tuples(st.sampled_from(NEW_PLACES), st.sampled_from(CLASSES), st.integers(1, 6))),
)
def test_property_across_the_reform_every_unit_balances(draws, newcomers):
    """Any previous round with districts and current round without: every row of Forms 2/3
    balances, the forms agree with Form 1, and the totals are the two rounds' own lists."""
    before, after = [], []
    for i, ((p, d, c), cls, m, now, m_now) in enumerate(draws):
        before.append((f"H{i}", p, d, c, cls, m))
        if now is not None:
            (p2, _, c2), cls2 = now
            after.append((f"H{i}", p2, "", c2, cls2, m_now))
    after += [(f"N{i}", p, "", c, cls, m) for i, ((p, _, c), cls, m) in enumerate(newcomers)]
    if not before or not after:
        return
    prev, cur = rnd(before), rnd(after, districts=False)
    forms = report(cur, previous=prev, form="1,2,3")  # check_forms runs inside
    for form, cls in (("2", "poor"), ("3", "near_poor")):
        f = forms[form]
        assert set(f["level"]) <= {"commune", "province"}  # laid out on the current map
        for measure, col in (("households", None), ("persons", "members")):
            total = f[(f["level"] == "province") & (f["measure"] == measure)]
            was, now_ = prev[prev["class"] == cls], cur[cur["class"] == cls]
            assert total["start"].sum() == (len(was) if col is None else was[col].sum())
            assert total["end"].sum() == (len(now_) if col is None else now_[col].sum())
