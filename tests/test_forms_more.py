"""Forms 6–15 on a small survey written by hand, every figure counted by hand from it.

Survey of 1/10/2025 (the 2022–2025 standard, rural line 1,500,000 đ): three communes of
one province (two tiers, no district). The reviewer's dep_* cells decide every indicator,
so the classes are: A1 poor (3 deprivations), A2 near-poor (1), A3 not poor (income above
the line), B1 poor (4), B2 near-poor (0), C1 not poor — Xã C has no poor or near-poor
household at all.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import BASE_HH, BASE_M

import mdpoverty
from mdpoverty.reports import forms
from mdpoverty.reports.form_checks import ReportCheckError, check_forms

CODES = [
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
]
HH = {
    "province": "Tỉnh T",
    **{k: v for k, v in BASE_HH.items() if k not in ("commune", "income_per_capita")},
}
M = {**BASE_M, "merit": "no"}
CHILD = {
    "relation": "child",
    "work_status": None,
    "education": "none",
    "social_allowance": None,
}


def household(hid: str, commune: str, income: int, deprived: list[str], **cols) -> dict:
    row = {**HH, "household_id": hid, "commune": commune, "income_per_capita": str(income)}
    row |= {f"dep_{c}": "Có" if c in deprived else "Không" for c in CODES}
    return row | cols


@pytest.fixture(scope="module")
def result() -> mdpoverty.Result:
    hh = pd.DataFrame(
        [
            household(
                "A1",
                "Xã A",
                1_000_000,
                ["employment", "health_insurance", "water"],
                reason_land="Có",
                reason_capital="Có",
                support_health="Có",
                local_ethnic="Có",
            ),
            household("A2", "Xã A", 1_200_000, ["toilet"]),
            household("A3", "Xã A", 5_000_000, []),
            household(
                "B1",
                "Xã B",
                900_000,
                ["employment", "nutrition", "housing_area", "telecom"],
                reason_capital="Có",
                reason_illness="Có",
                reason_other="Có",
                no_labour_capacity="Có",
            ),
            household(
                "B2",
                "Xã B",
                1_400_000,
                [],
                **{f"reason_{c}": "Không" for c in ("land", "capital", "illness", "other")},
            ),
            household("C1", "Xã C", 3_000_000, []),
        ]
    )
    m = pd.DataFrame(
        [
            {**M, "household_id": "A1", "ethnicity": "Tày"},
            # 7 years old: no health insurance, malnourished, not in school (primary due)
            {
                **M,
                **CHILD,
                "household_id": "A1",
                "ethnicity": "Tày",
                "birth_date": "2018-03-01",
                "health_insurance": "no",
                "malnourished": "yes",
            },
            {**M, "household_id": "A2", "birth_date": "1980-01-01"},
            {
                **M,
                **CHILD,
                "household_id": "A2",
                "birth_date": "2012-02-02",
                "enrolled": "lower_secondary",
                "education": "primary",
            },
            {**M, "household_id": "A3"},
            {
                **M,
                "household_id": "B1",
                "ethnicity": "H'Mông",
                "merit": "Có",
                "birth_date": "1988-01-01",
            },
            # the only adult cannot work: no labour capacity, derived
            {
                **M,
                "household_id": "B2",
                "ethnicity": "h'mông",
                "birth_date": "1990-01-01",
                "work_status": "unable",
                "disabled": "yes",
            },
            {
                **M,
                **CHILD,
                "household_id": "B2",
                "ethnicity": "h'mông",
                "birth_date": "2020-06-01",
                "enrolled": "preschool",
            },
            {**M, "household_id": "C1"},
        ]
    )
    r = mdpoverty.classify_frames(hh, m)
    assert r.households["class"].tolist() == [
        "poor",
        "near_poor",
        "not_poor",
        "poor",
        "near_poor",
        "not_poor",
    ], r.issues
    return r


@pytest.fixture(scope="module")
def report(result) -> dict[str, pd.DataFrame]:
    return mdpoverty.report(result)  # checked before it is returned


def rows(frame: pd.DataFrame, columns: list[str], by: str | None = None) -> list[tuple]:
    keys = ["unit", by] if by else ["unit"]
    return [tuple(r) for r in frame[keys + columns].itertuples(index=False)]


def test_every_form_but_the_changes(report) -> None:
    assert list(report) == ["1", *map(str, range(4, 16))]  # no previous round: no 2, 3


def test_form6_and_7_near_poor_deprivations(report) -> None:
    f6, f7 = report["6"], report["7"]
    assert rows(f6, ["near_poor_households", "deprivations_total", "dep_toilet"]) == [
        ("Xã A", 1, 1, 1),
        ("Xã B", 1, 0, 0),
        ("Xã C", 0, 0, 0),
        ("Tỉnh T", 2, 1, 1),
    ]
    toilet = f7["dep_toilet"].tolist()
    assert toilet[:2] == [100.0, 0.0] and pd.isna(toilet[2]) and toilet[3] == 50.0


def test_form6_7_are_forms_4_5_of_the_near_poor(result, report) -> None:
    hh = result.households.copy()
    hh["class"] = hh["class"].replace({"poor": "other", "near_poor": "poor"})
    f4 = forms.form4(hh, CODES)
    f5 = forms.form5(f4)
    six = report["6"].rename(columns={"near_poor_households": "poor_households"})
    seven = report["7"].rename(columns={"near_poor_households": "poor_households"})
    pd.testing.assert_frame_equal(six, f4, check_dtype=False)
    pd.testing.assert_frame_equal(seven, f5, check_dtype=False)


def test_form8_groups_and_support(report) -> None:
    cols = [
        "households",
        "no_labour_capacity",
        "merit",
        "local_ethnic",
        "support_health",
        "support_credit",
    ]
    assert rows(report["8"], cols, "class") == [
        ("Xã A", "poor", 1, 0, 0, 1, 1, 0),
        ("Xã A", "near_poor", 1, 0, 0, 0, 0, 0),
        ("Xã B", "poor", 1, 1, 1, 0, 0, 0),  # stated
        ("Xã B", "near_poor", 1, 1, 0, 0, 0, 0),  # derived: its one adult cannot work
        ("Xã C", "poor", 0, 0, 0, 0, 0, 0),
        ("Xã C", "near_poor", 0, 0, 0, 0, 0, 0),
        ("Tỉnh T", "poor", 2, 1, 1, 1, 1, 0),
        ("Tỉnh T", "near_poor", 2, 1, 0, 0, 0, 0),
    ]


def test_form9_by_ethnicity_of_the_head(report) -> None:
    f9 = report["9"]
    cols = [
        "households",
        "poor_households",
        "poor_household_rate",
        "near_poor_households",
        "near_poor_household_rate",
    ]
    got = {(u, e): v for u, e, *v in rows(f9, cols, "ethnicity")}
    # Kinh first, then by households (H'Mông 2, spelt two ways; Tày 1)
    assert list(dict.fromkeys(f9["ethnicity"])) == ["Kinh", "H'Mông", "Tày"]
    assert got[("Xã A", "Kinh")] == [2, 0, 0.0, 1, 50.0]
    assert got[("Xã A", "Tày")] == [1, 1, 100.0, 0, 0.0]
    assert got[("Xã B", "H'Mông")] == [2, 1, 50.0, 1, 50.0]
    assert got[("Xã C", "Kinh")] == [1, 0, 0.0, 0, 0.0]
    assert got[("Xã C", "Tày")][:2] == [0, 0] and pd.isna(got[("Xã C", "Tày")][2])
    assert got[("Tỉnh T", "Kinh")] == [3, 0, 0.0, 1, 33.33]


def test_form10_counts_every_cause_and_households_giving_none(report) -> None:
    cols = [
        "households",
        "reason_land",
        "reason_capital",
        "reason_illness",
        "reason_other",
        "no_cause",
        "causes_total",
    ]
    assert rows(report["10"], cols, "class") == [
        ("Xã A", "poor", 1, 1, 1, 0, 0, 0, 2),
        ("Xã A", "near_poor", 1, 0, 0, 0, 0, 1, 0),  # blank: gives none
        ("Xã B", "poor", 1, 0, 1, 1, 1, 0, 3),  # three causes, counted under each
        ("Xã B", "near_poor", 1, 0, 0, 0, 0, 1, 0),  # "Không" to each: gives none
        ("Xã C", "poor", 0, 0, 0, 0, 0, 0, 0),
        ("Xã C", "near_poor", 0, 0, 0, 0, 0, 0, 0),
        ("Tỉnh T", "poor", 2, 1, 2, 1, 1, 0, 5),
        ("Tỉnh T", "near_poor", 2, 0, 0, 0, 0, 2, 0),
    ]


def test_form11_children(report) -> None:
    cols = ["households", "children", "no_health_insurance", "malnourished", "out_of_school"]
    assert rows(report["11"], cols, "class") == [
        ("Xã A", "poor", 1, 1, 1, 1, 1),
        ("Xã A", "near_poor", 1, 1, 0, 0, 0),
        ("Xã B", "poor", 1, 0, 0, 0, 0),
        ("Xã B", "near_poor", 1, 1, 0, 0, 0),  # aged 5, in preschool
        ("Xã C", "poor", 0, 0, 0, 0, 0),
        ("Xã C", "near_poor", 0, 0, 0, 0, 0),
        ("Tỉnh T", "poor", 2, 1, 1, 1, 1),
        ("Tỉnh T", "near_poor", 2, 2, 0, 0, 0),
    ]


def test_form12_13_multidimensional_results(report) -> None:
    cols = [
        "poor_households",
        "poor_persons",
        "deprivations_total",
        "deprivations_per_household",
        "service_jobs",
        "service_health",
        "service_education",
        "service_housing",
        "service_water_sanitation",
        "service_information",
    ]
    f12 = rows(report["12"], cols)
    assert f12[0] == ("Xã A", 1, 2, 3, 3.0, 1, 1, 0, 0, 1, 0)
    assert f12[1] == ("Xã B", 1, 1, 4, 4.0, 1, 1, 0, 1, 0, 1)
    assert f12[2][:4] == ("Xã C", 0, 0, 0) and pd.isna(f12[2][4])
    assert f12[3] == ("Tỉnh T", 2, 3, 7, 3.5, 2, 2, 0, 1, 1, 1)
    near = [c.replace("poor_", "near_poor_") if c.startswith("poor_") else c for c in cols]
    f13 = rows(report["13"], near[:4])
    assert f13[0] == ("Xã A", 1, 2, 1, 1.0)
    assert f13[1] == ("Xã B", 1, 2, 0, 0.0)
    assert f13[3] == ("Tỉnh T", 2, 4, 1, 0.5)


def test_form14_15_lists(report) -> None:
    f14, f15 = report["14"], report["15"]
    assert f14["household_id"].tolist() == ["A1", "A2", "B1", "B2"]
    assert f14["number"].tolist() == [1, 2, 3, 4]
    assert f14["class"].tolist() == ["poor", "near_poor", "poor", "near_poor"]
    capital = f14["reason_capital"]
    assert capital[0] and pd.isna(capital[1]) and capital[2] and not capital[3]
    assert f15["household_id"].tolist() == ["A1", "A1", "A2", "A2", "B1", "B2", "B2"]
    assert f15["number"].tolist() == list(range(1, 8))
    assert f15["relation"].tolist()[:2] == ["head", "child"]


def test_a_form_that_does_not_add_up_is_refused(report) -> None:
    for form, col, row in (
        ("8", "merit", 0),
        ("10", "reason_land", 0),
        ("11", "children", 1),
        ("9", "households", 0),
        ("12", "service_jobs", 0),
    ):
        bad = dict(report)
        frame = bad[form].copy()
        frame.loc[row, col] = frame.loc[row, col] + 1
        bad[form] = frame
        with pytest.raises(ReportCheckError):
            check_forms(bad)
    bad = dict(report)
    bad["14"] = report["14"].iloc[:-1]
    with pytest.raises(ReportCheckError, match="Form 14 lists 1 near_poor households"):
        check_forms(bad)


def test_workbook_sheets_of_the_new_forms(report, tmp_path) -> None:
    from openpyxl import load_workbook

    from mdpoverty.write.forms_excel import write_forms

    path = tmp_path / "bao-cao.xlsx"
    write_forms(report, path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Biểu 1", *(f"Biểu {i}" for i in range(4, 16))]
    ws = wb["Biểu 8"]
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN" and ws["A2"].value == "TỈNH T"
    texts = {str(c.value) for row in ws.iter_rows(min_row=7, max_row=10) for c in row if c.value}
    assert {"Hộ không có khả năng lao động", "Hộ đã được hỗ trợ", "Tín dụng"} <= texts
    # Xã A: its poor row, then its near-poor row, the unit's number and name merged over both
    first = 7 + 4
    assert [ws.cell(first, c).value for c in (1, 2, 3, 4)] == ["1", "Xã A", "Hộ nghèo", 1]
    assert ws.cell(first + 1, 3).value == "Hộ cận nghèo"
    notes = [str(c.value) for row in ws.iter_rows(min_row=first + 8) for c in row if c.value]
    assert any("chưa được đối chiếu" in t for t in notes)  # the "Mẫu số" is unverified
    lists = wb["Biểu 15"]
    header = [c.value for c in lists[7]]
    ids = [lists.cell(r, header.index("Mã hộ") + 1).value for r in range(8, 15)]
    assert ids == ["A1", "A1", "A2", "A2", "B1", "B2", "B2"]
    sexes = {lists.cell(r, header.index("Giới tính") + 1).value for r in range(8, 15)}
    assert sexes == {"Nam"}  # codes shown as their Vietnamese labels


def test_cli_form10_csv_adds_up() -> None:
    from pathlib import Path

    from click.testing import CliRunner

    from mdpoverty.cli.report import report as report_cmd

    survey = Path(__file__).resolve().parents[1] / "examples" / "survey.xlsx"
    r = CliRunner().invoke(report_cmd, [str(survey), "--form", "10", "--format", "csv"])
    assert r.exit_code == 0, r.output
    f10 = pd.read_csv(__import__("io").StringIO(r.stdout), dtype={"number": str})
    assert list(f10.columns[:6]) == ["number", "level", "unit", "parent", "class", "households"]
    causes = [c for c in f10.columns if c.startswith("reason_")]
    assert (f10[causes].sum(axis=1) == f10["causes_total"]).all()
    for cls in ("poor", "near_poor"):
        rows_ = f10[f10["class"] == cls]
        communes = rows_[rows_["level"] == "commune"]
        total = rows_[rows_["level"] == "province"].iloc[0]
        assert (
            communes[["households", *causes, "no_cause"]].sum()
            == total[["households", *causes, "no_cause"]]
        ).all()
    # the example's 72 poor and 36 near-poor households (examples/README.md)
    assert f10.loc[f10["level"] == "province", "households"].tolist() == [72, 36]


def test_forms_needing_the_survey_are_skipped_from_a_classify_output(result, tmp_path) -> None:
    out = tmp_path / "ket-qua.csv"
    result.households.to_csv(out, index=False)
    got = mdpoverty.report(str(out))
    assert list(got) == ["1", "4", "5", "6", "7", "12", "13", "14"]
    with pytest.raises(mdpoverty.errors.UsageError):
        mdpoverty.report(str(out), form="10")


def test_a_survey_without_households_gives_empty_forms(tmp_path) -> None:
    from mdpoverty.write.forms_excel import write_forms

    hh = pd.DataFrame(columns=[*HH, "household_id", "commune", "income_per_capita"])
    m = pd.DataFrame(columns=[*M, "household_id"])
    got = mdpoverty.report(mdpoverty.classify_frames(hh, m))
    assert all(len(frame) == 0 for frame in got.values())
    assert "15" in got and "9" in got
    write_forms(got, tmp_path / "r.xlsx")  # every sheet written, none fails


def test_form9_heads_of_unknown_ethnicity(result) -> None:
    from mdpoverty.reports import forms_more

    hh = result.households
    for names in (
        pd.Series(pd.NA, index=hh.index, dtype="string"),
        pd.Series([None] * len(hh), index=hh.index, dtype=object),
    ):
        extra = result.extra.assign(head_ethnicity=names)
        f9 = forms_more.form9(hh, extra, forms.unit_order(hh))
        assert set(f9["ethnicity"]) == {"(không rõ)"}
        assert f9.loc[f9["level"] == "province", "households"].tolist() == [6]  # all classed
