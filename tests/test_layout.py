"""Officers' layout habits (issue 11): each is read, never fought, never silently wrong.

The expected classes come from the untouched example workbook; each test lays one habit (or
all of them) on a copy with ``examples/officer_habits.py`` and checks the property that
matters: every household has its untouched class, or the issue table names it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, HH_HEADER, hh_row, m_row, write_workbook

import mdpoverty
from mdpoverty.cli.main import Exit, main


def _habits_module():
    name = "mdpoverty_officer_habits"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, EXAMPLES / "officer_habits.py")
        assert spec is not None and spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


@pytest.fixture(scope="module")
def untouched() -> pd.Series:
    """household_id -> class in the untouched example (the oracle)."""
    result = mdpoverty.classify(EXAMPLES / "survey.xlsx")
    assert result.counts["households_rejected"] == 0
    return result.households.set_index("household_id")["class"]


def _lay_out(tmp_path: Path, habits: list[str]) -> tuple[Path, dict]:
    target = tmp_path / f"{'-'.join(habits)}.xlsx"
    info = _habits_module().lay_out(EXAMPLES / "survey.xlsx", target, habits)
    return target, info


def _check_property(result: mdpoverty.Result, untouched: pd.Series) -> set[str]:
    """Every household has its untouched class, or the issue table names it; the same
    households in and out. Returns the IDs that differ (all named)."""
    out = result.households.set_index("household_id")["class"]
    assert sorted(out.index) == sorted(untouched.index)
    differ = set(out.index[out.to_numpy() != untouched.reindex(out.index).to_numpy()])
    named = set(result.issues.loc[result.issues["severity"] == "error", "household_id"])
    assert differ <= named, f"silently changed: {sorted(differ - named)[:10]}"
    return differ


SKIPPING = {
    "numbered": {"numbered_row"},
    "repeat_header": {"repeated_header"},
    "total": {"total_row"},
    "signature": {"signature_row"},
    "merge_ids": set(),
    "merge_commune": set(),
    "two_row_header": set(),
    "twin": set(),
}


@pytest.mark.parametrize("habit", sorted(SKIPPING))
def test_each_habit_keeps_every_class(tmp_path: Path, untouched: pd.Series, habit: str) -> None:
    path, _ = _lay_out(tmp_path, [habit])
    result = mdpoverty.classify(path)
    assert _check_property(result, untouched) == set()
    assert result.counts["households_rejected"] == 0, result.issues.head()
    assert result.counts["members_rejected"] == 0
    assert not (result.issues["severity"] == "error").any()
    infos = set(result.issues.loc[result.issues["severity"] == "info", "check"])
    assert infos == SKIPPING[habit]
    if habit == "twin":
        dup = result.issues[result.issues["check"] == "duplicate_column"]
        assert len(dup) == 1 and dup.iloc[0]["severity"] == "warning"


def test_all_habits_together_class_as_the_clean_example_exit_0(
    tmp_path: Path, untouched: pd.Series
) -> None:
    """The issue's 'done when': numbered row, merged member IDs, repeated header, total row
    and signature block (plus a two-row header and merged communes): every household has
    its untouched class, exit 0, every skipped row listed as info with its Excel row."""
    habits = [
        "two_row_header",
        "numbered",
        "repeat_header",
        "merge_commune",
        "merge_ids",
        "total",
        "signature",
    ]
    path, _ = _lay_out(tmp_path, habits)
    result = mdpoverty.classify(path)
    out = result.households.set_index("household_id")["class"]
    pd.testing.assert_series_equal(out.sort_index(), untouched.sort_index())
    info = result.issues[result.issues["severity"] == "info"]
    assert set(info["check"]) == {"numbered_row", "repeated_header", "total_row", "signature_row"}
    assert info["row"].notna().all() and len(info) == result.counts["rows_skipped"]
    # every row of each sheet is a household/member, a skipped row, a header row or blank
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    for sheet, n_data in (
        ("Hộ gia đình", result.counts["households_in"]),
        ("Thành viên", result.counts["members_in"]),
    ):
        filled = sum(
            any(v is not None and str(v).strip() for v in row)
            for row in wb[sheet].iter_rows(values_only=True)
        )
        skipped = int((info["sheet"] == sheet).sum())
        header_rows = {"Hộ gia đình": 1 + 1 + 1, "Thành viên": 2}[sheet]  # title, 2 header rows
        assert filled == n_data + skipped + header_rows, sheet
    res = CliRunner().invoke(main, ["classify", str(path), "-o", str(tmp_path / "out.csv")])
    assert res.exit_code == Exit.OK, res.stderr
    listed = CliRunner().invoke(main, ["validate", str(path), "--format", "csv"])
    assert listed.exit_code == Exit.OK and listed.stdout.count(",info,") == len(info)
    assert f"{result.counts['rows_skipped']} layout rows skipped" in res.stderr or (
        f"bỏ qua {result.counts['rows_skipped']} dòng" in res.stderr
    )


def test_duplicate_column_that_differs_names_those_households(
    tmp_path: Path, untouched: pd.Series
) -> None:
    path, info = _lay_out(tmp_path, ["twin_differs"])
    result = mdpoverty.classify(path)
    differ = result.issues[result.issues["check"] == "duplicate_column_differs"]
    assert sorted(differ["household_id"]) == sorted(info["differs"]) and len(info["differs"]) == 5
    assert set(differ["severity"]) == {"error"}
    out = result.households.set_index("household_id")["class"]
    assert (out[info["differs"]] == "").all()  # classed from neither copy
    _check_property(result, untouched)
    assert result.counts["households_rejected"] == 5


def test_no_members_sheet_is_one_line_exit_2(tmp_path: Path) -> None:
    path, _ = _lay_out(tmp_path, ["drop_members"])
    with pytest.raises(mdpoverty.InputFileError, match="no_members_sheet"):
        mdpoverty.classify(path)
    res = CliRunner().invoke(main, ["classify", str(path), "--lang", "en"])
    assert res.exit_code == Exit.USAGE
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "'Hộ gia đình'" in lines[0] and "Thành viên" in lines[0]
    assert lines[0].endswith("[no_members_sheet]") and "no_members_sheet" in mdpoverty.CHECKS


def test_households_only_with_every_member_dep_column_works(
    tmp_path: Path, untouched: pd.Series
) -> None:
    """No members sheet, but the reviewer's dep_ flags for every indicator (here, the flags
    of the untouched run) and a per-capita income: each household keeps its class."""
    clean = mdpoverty.classify(EXAMPLES / "survey.xlsx").households
    codes = [c.removeprefix("dep_") for c in clean.columns if c.startswith("dep_")]
    hh = clean[["household_id", "commune", "area", "income_per_capita"]].copy()
    hh["survey_date"] = "2026-10-15"  # the example's round (examples/README.md)
    hh["housing_type"] = "permanent"
    for code in codes:
        hh[f"dep_{code}"] = clean[f"dep_{code}"].map({True: "có", False: "không"})
    # the untouched run's 'average' band and score-only households need data dropped here
    keep = (
        clean["class"].isin(["poor", "near_poor", "not_poor"]) & clean["income_per_capita"].notna()
    )
    hh = hh[keep.to_numpy()]
    hh.to_csv(tmp_path / "households.csv", index=False)
    result = mdpoverty.classify(tmp_path / "households.csv")
    out = result.households.set_index("household_id")["class"]
    expected = untouched[hh["household_id"]]
    assert (out[expected.index] == expected).all(), result.issues.head()


# ---------------------------------------------------------------- small, exact cases


def test_numbered_row_keeps_x_columns_blank_meaning_no(tmp_path: Path) -> None:
    """The bug of issue 11: column numbers landed in the x columns, which then stopped
    reading a blank as 'no', and every household was blocked."""
    header = [*HH_HEADER, "Người có công"]
    rows = [
        [f"({i})" for i in range(1, len(header) + 1)],
        [*hh_row("H1"), "x"],
        [*hh_row("H2"), None],
    ]
    path = write_workbook(tmp_path / "s.xlsx", rows, [m_row("H1"), m_row("H2")], hh_header=header)
    result = mdpoverty.classify(path)
    assert result.counts["households_classed"] == 2, result.issues.to_string()
    skipped = result.issues[result.issues["check"] == "numbered_row"]
    assert skipped[["sheet", "row", "severity"]].values.tolist() == [["Hộ gia đình", 2, "info"]]
    assert list(result.extra["row"]) == [3, 4]  # Excel rows kept


@pytest.mark.parametrize(
    "cells",
    [["A", "B", "C", 1, 2, 3, 4], [1, 2, 3, 4, 5, 6, 7], ["(1)", "(2)", "(3)", "(4)=(2)+(3)"]],
)
def test_numbered_row_forms(cells: list[object]) -> None:
    from mdpoverty.read.layout import numbered

    assert numbered(cells, 3)
    assert not numbered(["H1", 1, 2, 3], 3)
    assert not numbered([1, 3, 2, 4], 3)
    assert not numbered([1, 2], 1)


def test_total_row_by_sums_without_a_label(tmp_path: Path) -> None:
    """A row without an ID whose numbers are the sums of their columns is a total row; a
    row without an ID that holds a household's text is not (it is named, not skipped)."""
    rows = [hh_row("H1", income=1_000_000), hh_row("H2", income=2_000_000)]
    total: list[object] = [None] * len(HH_HEADER)
    total[HH_HEADER.index("Thu nhập bình quân người/tháng")] = 3_000_000
    total[HH_HEADER.index("Diện tích nhà ở (m²)")] = 120
    no_id = hh_row(None, income=3_000_000)
    path = write_workbook(tmp_path / "s.xlsx", [*rows, total, no_id], [m_row("H1"), m_row("H2")])
    result = mdpoverty.classify(path)
    skipped = result.issues[result.issues["check"] == "total_row"]
    assert list(skipped["row"]) == [4]
    required = result.issues[result.issues["check"] == "required"]
    assert list(required["row"]) == [5]  # the household without an ID is named, not skipped


def test_merged_household_id_reaches_every_member(tmp_path: Path) -> None:
    """A household ID merged down its members' rows: every member is attached (the range
    is read from the workbook, not guessed from the blanks)."""
    from openpyxl import load_workbook

    members = [
        m_row("H1"),
        m_row(
            "H1", **{"Quan hệ với chủ hộ": "Con", "Ngày sinh": 2015, "Tình trạng việc làm": None}
        ),
        m_row("H2"),
        m_row("H2"),
    ]
    path = write_workbook(tmp_path / "s.xlsx", [hh_row("H1"), hh_row("H2")], members)
    wb = load_workbook(path)
    ws = wb["Thành viên"]
    ws["A3"] = None
    ws["A5"] = None
    ws.merge_cells("A2:A3")
    ws.merge_cells("A4:A5")
    wb.save(path)
    result = mdpoverty.classify(path)
    assert list(result.households["members"]) == [2, 2]
    assert result.counts["members_classed"] == 4


def test_blank_without_merge_is_not_filled(tmp_path: Path) -> None:
    """A blank ID that is not part of a merged range stays blank (an error on its row)."""
    members = [m_row("H1"), m_row(None)]
    path = write_workbook(tmp_path / "s.xlsx", [hh_row("H1")], members)
    result = mdpoverty.classify(path)
    assert list(result.issues.loc[result.issues["check"] == "required", "row"]) == [3]


def test_group_title_never_names_a_column(tmp_path: Path) -> None:
    """A group title spanning columns that happens to be a column's label ('Khu vực') does
    not name them; the sub-headers under it do."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Hộ gia đình"
    top = [None] * len(HH_HEADER)
    top[HH_HEADER.index("Có ti vi")] = "Khu vực"  # a (bad) group title
    ws.append(top)
    ws.append(HH_HEADER)
    ws.merge_cells(start_row=1, start_column=10, end_row=1, end_column=14)
    ws.append(hh_row("H1"))
    wm = wb.create_sheet("Thành viên")
    from conftest import M_HEADER

    wm.append(M_HEADER)
    wm.append(m_row("H1"))
    wb.save(tmp_path / "s.xlsx")
    result = mdpoverty.classify(tmp_path / "s.xlsx")
    assert result.households.loc[0, "area"] == "rural"
    assert result.counts["households_classed"] == 1, result.issues.to_string()


def test_a_label_merged_wider_names_its_first_column(tmp_path: Path) -> None:
    """One header row where 'Khu vực' is merged over its own and the next (empty) cell, for
    width: with no sub-header under it, it names its first column (a fuzz case found the
    whole households sheet missed when such a label was taken for a group title)."""
    from openpyxl import Workbook

    header = [*HH_HEADER, None]
    at = header.index("Khu vực")
    header.insert(at + 1, None)  # the merged-over cell
    row = hh_row("H1")
    row.insert(at + 1, None)
    wb = Workbook()
    ws = wb.active
    ws.title = "Hộ gia đình (2)"  # not a known sheet name: found by its headers
    ws.append(header)
    ws.append(row)
    ws.merge_cells(start_row=1, start_column=at + 1, end_row=1, end_column=at + 2)
    wm = wb.create_sheet("Thành viên")
    from conftest import M_HEADER

    wm.append(M_HEADER)
    wm.append(m_row("H1"))
    wb.save(tmp_path / "s.xlsx")
    result = mdpoverty.classify(tmp_path / "s.xlsx")
    assert result.households.loc[0, "area"] == "rural"
    assert result.counts["households_classed"] == 1, result.issues.to_string()


def test_merges_are_read_from_the_safety_pass(tmp_path: Path) -> None:
    from mdpoverty.read.safety import check_xlsx

    path, _ = _lay_out(tmp_path, ["merge_ids"])
    merges = check_xlsx(path)
    assert list(merges) == ["xl/worksheets/sheet2.xml"]
    assert all(c0 == c1 == 0 and r1 > r0 for r0, c0, r1, c1 in merges["xl/worksheets/sheet2.xml"])
