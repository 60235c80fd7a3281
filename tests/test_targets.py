"""`mdpoverty targets`: the poverty-rate fall of each unit against the programme's targets
(shared/domain.md §1). Cases are written by hand: households, their class in two rounds,
and the rates, falls and verdicts the plan's text gives."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import EXAMPLES
from openpyxl import load_workbook

import mdpoverty
from mdpoverty.cli.main import Exit, main
from mdpoverty.errors import StandardError
from mdpoverty.reports.targets import TARGET_COLUMNS, load_targets, target_table

PLAN = load_targets()  # ntp-2021-2025: ≥ 1 point a year, ≥ 2 for ethnic-minority households


def households(spec: list[tuple[str, int, int, int, int]]) -> pd.DataFrame:
    """(commune, households, poor, ethnic-minority households, of them poor) → one round,
    all in district D of province P."""
    rows = []
    for commune, n, poor, em, em_poor in spec:
        assert poor <= n and em <= n and em_poor <= min(em, poor)
        for i in range(n):
            rows.append(
                {
                    "household_id": f"{commune}-{i}",
                    "province": "P",
                    "district": "D",
                    "commune": commune,
                    "members": 4,
                    # the first em_poor are poor and EM, then the other poor, then other EM
                    "class": "poor" if i < poor else "not_poor",
                    "ethnic_minority": i < em_poor or poor <= i < poor + em - em_poor,
                }
            )
    return pd.DataFrame(rows)


def row(table: pd.DataFrame, unit: str) -> pd.Series:
    return table.set_index("unit").loc[unit]


def test_a_fall_of_two_points_meets_the_one_point_target() -> None:
    prev = households([("A", 100, 10, 0, 0), ("B", 50, 5, 0, 0)])
    cur = households([("A", 100, 8, 0, 0), ("B", 50, 5, 0, 0)])
    t = target_table(cur, prev, PLAN, years=1)
    a, b, d = row(t, "A"), row(t, "B"), row(t, "D")
    assert (a["poor_rate_start"], a["poor_rate_end"], a["poor_rate_fall"]) == (10.0, 8.0, 2.0)
    assert a["poor_rate_fall_per_year"] == 2.0 and a["poor_target_met"]
    assert b["poor_rate_fall"] == 0.0 and not b["poor_target_met"]  # no fall: missed
    # the district: 15/150 = 10.00 % → 13/150 = 8.67 %: 1.33 points ≥ 1
    assert (d["poor_rate_start"], d["poor_rate_end"], d["poor_rate_fall"]) == (10.0, 8.67, 1.33)
    assert d["poor_target_met"] and d["poor_target"] == 1.0


def test_exactly_the_target_meets_it_and_a_rise_is_a_negative_fall() -> None:
    prev = households([("A", 100, 10, 0, 0), ("B", 100, 10, 0, 0)])
    cur = households([("A", 100, 9, 0, 0), ("B", 100, 12, 0, 0)])
    t = target_table(cur, prev, PLAN, years=1)
    assert row(t, "A")["poor_rate_fall_per_year"] == 1.0 and row(t, "A")["poor_target_met"]
    assert row(t, "B")["poor_rate_fall"] == -2.0 and not row(t, "B")["poor_target_met"]


def test_the_yearly_fall_divides_by_the_years_rounding_half_up() -> None:
    # 3 of 100 poor → 0 poor over 2 years: 3.00 points, 1.50 a year; 1 of 3 → 0: 33.33
    # points over 2 years = 16.665 → 16.67 (half up)
    prev = households([("A", 100, 3, 0, 0), ("B", 3, 1, 0, 0)])
    cur = households([("A", 100, 0, 0, 0), ("B", 3, 0, 0, 0)])
    t = target_table(cur, prev, PLAN, years=2)
    assert row(t, "A")["poor_rate_fall_per_year"] == 1.5
    assert row(t, "B")["poor_rate_fall"] == 33.33
    assert row(t, "B")["poor_rate_fall_per_year"] == 16.67


def test_ethnic_minority_rate_is_the_share_of_em_households_that_are_poor() -> None:
    # A: 40 EM households, 10 of them poor (25.00 %) → 40 EM, 9 poor (22.50 %): 2.5 ≥ 2
    # B: 20 EM households, 5 poor (25.00 %) → 20 EM, 5 poor: 0 < 2
    prev = households([("A", 100, 12, 40, 10), ("B", 50, 6, 20, 5)])
    cur = households([("A", 100, 11, 40, 9), ("B", 50, 6, 20, 5)])
    t = target_table(cur, prev, PLAN, years=1)
    a = row(t, "A")
    assert (a["em_households_start"], a["em_poor_households_start"]) == (40, 10)
    assert (a["em_poor_rate_start"], a["em_poor_rate_end"], a["em_poor_rate_fall"]) == (
        25.0,
        22.5,
        2.5,
    )
    assert a["em_target"] == 2.0 and a["em_target_met"]
    assert not row(t, "B")["em_target_met"]


def test_a_unit_above_its_parents_average_must_fall_faster() -> None:
    # district start: 25/200 = 12.50 %, end 23/200 = 11.50 %: a fall of 1.00
    # A starts at 20.00 % (above 12.50): 10 → 8 poor of 50 falls 4.00 > 1.00 → faster;
    # C at 20.00 % stays at 10 poor: 0.00, not faster; B at 5.00 % is below: the rule does
    # not apply to it (empty)
    prev = households([("A", 50, 10, 0, 0), ("B", 100, 5, 0, 0), ("C", 50, 10, 0, 0)])
    cur = households([("A", 50, 8, 0, 0), ("B", 100, 5, 0, 0), ("C", 50, 10, 0, 0)])
    t = target_table(cur, prev, PLAN, years=1)
    d = row(t, "D")
    assert (d["poor_rate_start"], d["poor_rate_end"], d["poor_rate_fall"]) == (12.5, 11.5, 1.0)
    assert row(t, "A")["above_parent_average"] and row(t, "A")["falls_faster_than_parent"]
    assert row(t, "C")["above_parent_average"]
    assert row(t, "C")["falls_faster_than_parent"] == False  # noqa: E712 (pandas NA-aware)
    assert not row(t, "B")["above_parent_average"]
    assert pd.isna(row(t, "B")["falls_faster_than_parent"])
    assert pd.isna(row(t, "P")["above_parent_average"])  # the province has no parent
    # the district, at 12.50 % against the province's 12.50 % (its only district): not above
    assert not d["above_parent_average"]


def test_a_unit_new_in_this_round_has_no_start_rate() -> None:
    prev = households([("A", 10, 1, 0, 0)])
    cur = households([("A", 10, 1, 0, 0), ("New", 10, 5, 0, 0)])
    t = target_table(cur, prev, PLAN, years=1)
    new = row(t, "New")
    assert new["households_start"] == 0 and pd.isna(new["poor_rate_start"])
    assert pd.isna(new["poor_rate_fall"]) and pd.isna(new["poor_target_met"])


def test_households_not_classed_are_left_out_and_counted() -> None:
    prev = households([("A", 10, 2, 0, 0)])
    cur = households([("A", 10, 1, 0, 0)])
    cur.loc[0, "class"] = ""  # a poor household whose inputs have an error
    t = target_table(cur, prev, PLAN, years=1)
    a = row(t, "A")
    assert (a["households_end"], a["poor_households_end"], a["not_classed"]) == (9, 0, 1)


def test_a_province_plan_file_changes_the_verdict(tmp_path: Path) -> None:
    text = (Path(mdpoverty.__file__).parents[2] / "data/targets/ntp-2021-2025.toml").read_text(
        encoding="utf-8"
    )
    own = tmp_path / "tinh.toml"
    own.write_text(text.replace("minimum = 1.0", "minimum = 2.5", 1), encoding="utf-8")
    prev = households([("A", 100, 10, 0, 0)])
    cur = households([("A", 100, 8, 0, 0)])
    assert row(target_table(cur, prev, PLAN, 1), "A")["poor_target_met"]
    strict = load_targets(own)
    assert not row(target_table(cur, prev, strict, 1), "A")["poor_target_met"]
    bad = tmp_path / "sai.toml"
    bad.write_text(text.replace("minimum = 1.0", "minimum = -1", 1), encoding="utf-8")
    with pytest.raises(StandardError, match=r"sai\.toml.*poor_household_rate\.minimum"):
        load_targets(bad)


def test_years_must_be_positive() -> None:
    prev = households([("A", 10, 1, 0, 0)])
    with pytest.raises(mdpoverty.MdpovertyError, match="years"):
        target_table(prev, prev, PLAN, years=0)


# ------------------------------------------------------------------------------- the command

SURVEY, PREVIOUS = str(EXAMPLES / "survey.xlsx"), str(EXAMPLES / "previous-round.xlsx")


def test_csv_columns_and_rates_agree_with_each_rounds_form_1() -> None:
    res = CliRunner().invoke(main, ["targets", SURVEY, "--previous", PREVIOUS, "--format", "csv"])
    assert res.exit_code == Exit.OK, res.output
    import io

    table = pd.read_csv(io.StringIO(res.stdout), dtype={"number": "string"})
    assert list(table.columns) == [
        "number",
        "level",
        "unit",
        "parent",
        *TARGET_COLUMNS,
        "not_classed",
    ]
    f1_now = mdpoverty.report(SURVEY, form=1)["1"].set_index("unit")
    f1_then = mdpoverty.report(PREVIOUS, form=1)["1"].set_index("unit")
    for _, r in table.iterrows():
        assert r["poor_rate_end"] == pytest.approx(f1_now.loc[r["unit"], "poor_household_rate"])
        assert r["poor_rate_start"] == pytest.approx(f1_then.loc[r["unit"], "poor_household_rate"])
        assert r["households_start"] == f1_then.loc[r["unit"], "households"]
    assert "1 năm" in res.stderr  # 2025 − 2024, from the survey dates


def test_terminal_tables_and_workbook(tmp_path: Path) -> None:
    out = tmp_path / "chi-tieu.xlsx"
    res = CliRunner().invoke(main, ["targets", SURVEY, "--previous", PREVIOUS, "-o", str(out)])
    assert res.exit_code == Exit.OK, res.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["Chỉ tiêu giảm nghèo", "Căn cứ"]
    refs = [c.value for c in wb["Căn cứ"]["D"]]
    assert any("90/QĐ-TTg" in str(v) for v in refs)  # every target with its reference


def test_the_previous_round_is_required_and_years_can_be_given() -> None:
    res = CliRunner().invoke(main, ["targets", SURVEY])
    assert res.exit_code == Exit.USAGE
    with pytest.raises(mdpoverty.MdpovertyError, match="previous"):
        mdpoverty.targets(SURVEY, previous=None)
    two = mdpoverty.targets(SURVEY, previous=PREVIOUS, years=2)
    one = mdpoverty.targets(SURVEY, previous=PREVIOUS)
    p2, p1 = (r.table.set_index("level").loc["province"] for r in (two, one))
    assert p2["poor_rate_fall"] == p1["poor_rate_fall"]
    assert p2["poor_rate_fall_per_year"] == pytest.approx(p1["poor_rate_fall"] / 2, abs=0.005)


def test_rounds_under_two_standards_are_said_to_be_so():
    """The 2026 round (2027-2030 standard) against the 2025 round (2022-2025, examples/README.md):
    a rate's fall then mixes the change of the lines with the households' own change."""
    from click.testing import CliRunner

    from mdpoverty.cli.main import main

    examples = Path(__file__).resolve().parents[1] / "examples"
    args = ["targets", str(examples / "survey.xlsx"), "--format", "csv", "--lang", "en"]
    res = CliRunner().invoke(main, [*args, "--previous", str(examples / "previous-round.xlsx")])
    lines = res.stderr.strip().splitlines()
    assert lines[0].startswith("targets (")  # the summary line first
    assert any("classed under different standards" in line for line in lines), lines
    same = CliRunner().invoke(
        main,
        [
            "targets",
            str(examples / "previous-round.xlsx"),
            "--previous",
            str(examples / "round-2024.xlsx"),
            "--format",
            "csv",
            "--lang",
            "en",
        ],
    )
    assert "different standards" not in same.stderr
