"""IDs, money and yes/no as commune officers type them (issue 11, items 2-4).

Expected values come from the survey contract (domain.md §7), the law's lines (§2) and the
issue's list of what must be read; never from running the code.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import hh_row, m_row, write_workbook

import mdpoverty
from mdpoverty.validate import validate_survey


def _typed(path: Path):
    return validate_survey(mdpoverty.read_survey(path))


# ---------------------------------------------------------------- yes/no


@pytest.mark.parametrize(
    ("cell", "want"),
    [
        ("C", True),
        ("c", True),
        ("Đúng", True),
        ("đúng", True),
        ("DUNG", True),
        ("v", True),
        ("V", True),
        ("✓", True),
        ("✔", True),
        ("☑", True),
        ("Có", True),
        ("x", True),
        ("K", False),
        ("k", False),
        ("ko", False),
        ("KO", False),
        ("Sai", False),
        ("☐", False),
        ("Không", False),
    ],
)
def test_yes_no_as_people_type_it(tmp_path: Path, cell: str, want: bool) -> None:
    path = write_workbook(tmp_path / "s.xlsx", [hh_row("H1", **{"Có ti vi": cell})], [m_row("H1")])
    t = _typed(path)
    assert t.households["has_tv"].tolist() == [want]
    assert not (t.issues.frame()["check"] == "not_yes_no").any()


@pytest.mark.parametrize("cell", ["✗", "✘", "☒", "có thể", "-", "?"])
def test_yes_no_not_accepted_is_located_and_lists_what_works(tmp_path: Path, cell: str) -> None:
    """A cross is "ticked" to some and "wrong" to others: refused, never guessed."""
    path = write_workbook(tmp_path / "s.xlsx", [hh_row("H1", **{"Có ti vi": cell})], [m_row("H1")])
    result = mdpoverty.classify(path)
    bad = result.issues[result.issues["check"] == "not_yes_no"]
    assert len(bad) == 1
    row = bad.iloc[0]
    assert (row["sheet"], row["row"], row["column"], row["value"]) == (
        "Hộ gia đình",
        2,
        "Có ti vi",
        cell,
    )
    for word in ("Có", "Không", "Đúng", "Sai", "✓", "ko"):
        assert word in row["message_vi"] and word in row["message_en"]
    assert result.households.loc[0, "class"] == ""  # the household is not classed


def test_a_column_of_ticks_reads_blank_as_no(tmp_path: Path) -> None:
    """domain.md §7: in a column whose filled cells are all ticks, a blank is "no"."""
    rows = [hh_row("H1", **{"Có ti vi": "✓"}), hh_row("H2", **{"Có ti vi": None})]
    path = write_workbook(tmp_path / "s.xlsx", rows, [m_row("H1"), m_row("H2")])
    t = _typed(path)
    assert t.households["has_tv"].tolist() == [True, False]
    assert not (t.issues.frame()["field"] == "has_tv").any()


def test_no_yes_spelling_is_also_a_no_spelling() -> None:
    from mdpoverty.law.schema import NO, TICKS, YES, fold

    assert not YES & NO
    assert TICKS <= YES
    # every spelling is stored folded, else a cell could never match it
    assert all(fold(t) == t for t in YES | NO)


# ---------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("cell", "want"),
    [
        ("1.500.000", 1_500_000),
        ("1,500,000", 1_500_000),
        ("1 500 000", 1_500_000),
        ("1\u00a0500\u00a0000", 1_500_000),
        ("1.500.000 đ", 1_500_000),
        ("1.500.000 VNĐ", 1_500_000),
        ("1.500.000 vnd", 1_500_000),
        ("1.500.000đ", 1_500_000),
        ("1,5 triệu", 1_500_000),
        ("1.5 triệu", 1_500_000),
        ("1tr5", 1_500_000),
        ("1,5tr", 1_500_000),
        ("2 triệu", 2_000_000),
        ("1.500", 1_500),  # a single separator before exactly 3 digits: thousands
        ("1,500", 1_500),
        (1_500_000.0000001, 1_500_000),
        (1_499_999.5, 1_500_000),
    ],
)
def test_money_as_vietnamese_write_it(tmp_path: Path, cell: object, want: int) -> None:
    path = write_workbook(tmp_path / "s.xlsx", [hh_row("H1", income=cell)], [m_row("H1")])
    result = mdpoverty.classify(path)
    assert result.households.loc[0, "income_per_capita"] == want
    assert not (result.issues["severity"] == "error").any()


@pytest.mark.parametrize("cell", ["1.500 triệu", "một triệu", "1,5 tr 5", "1.500.00", "abc đ"])
def test_unreadable_money_is_located_with_an_example(tmp_path: Path, cell: str) -> None:
    path = write_workbook(tmp_path / "s.xlsx", [hh_row("H1", income=cell)], [m_row("H1")])
    result = mdpoverty.classify(path)
    bad = result.issues[result.issues["check"] == "not_a_number"]
    assert len(bad) == 1
    row = bad.iloc[0]
    assert (row["sheet"], row["row"], row["value"]) == ("Hộ gia đình", 2, cell)
    assert row["column"] == "Thu nhập bình quân người/tháng"
    for lang in ("vi", "en"):
        assert "1.500.000" in row[f"message_{lang}"] and "1,5 triệu" in row[f"message_{lang}"]
    assert result.households.loc[0, "class"] == ""


def test_decimal_comma_in_an_area_still_works(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "s.xlsx", [hh_row("H1", **{"Diện tích nhà ở (m²)": "31,96"})], [m_row("H1")]
    )
    assert _typed(path).households["floor_area_m2"].tolist() == [pytest.approx(31.96)]


def test_output_shows_the_value_compared_with_the_line(tmp_path: Path) -> None:
    """Decree 07/2021: <= 1,500,000 rural is at or below the line (near-poor with no
    deprivation); the comparison uses the whole-đồng value the output shows."""
    rows = [
        hh_row("H1", income=1_500_000.0000001),
        hh_row("H2", income=1_499_999.5),
        hh_row("H3", income=1_500_000.5),
    ]
    path = write_workbook(tmp_path / "s.xlsx", rows, [m_row(h) for h in ("H1", "H2", "H3")])
    hh = mdpoverty.classify(path).households
    assert hh["income_per_capita"].tolist() == [1_500_000, 1_500_000, 1_500_001]
    assert hh["class"].tolist() == ["near_poor", "near_poor", "average"]


# ---------------------------------------------------------------- household IDs


def test_member_ids_typed_differently_are_attached_with_a_warning(tmp_path: Path) -> None:
    hh = [hh_row(h) for h in ("HN-01", "HN-02", "HN-03", "HN-04", "HN-05")]
    members = [
        m_row("hn-01"),  # case
        m_row("HN\u00a0-02\u202f"),  # non-breaking spaces inside and after
        m_row("HN\u200b-03"),  # zero-width space inside
        m_row("HN -04"),  # inner space
        m_row("HN-05"),  # exact
    ]
    path = write_workbook(tmp_path / "s.xlsx", hh, members)
    result = mdpoverty.classify(path)
    assert result.counts["members_classed"] == 5
    assert (result.households["members"] == 1).all()
    folded = result.issues[result.issues["check"] == "id_folded"]
    assert sorted(folded["row"].tolist()) == [2, 3, 4, 5]
    assert set(folded["severity"]) == {"warning"}
    assert set(folded["sheet"]) == {"Thành viên"}
    by_row = folded.set_index("row")
    assert by_row.loc[2, "household_id"] == "HN-01"
    assert "case" in by_row.loc[2, "message_en"]
    assert "zero-width" in by_row.loc[4, "message_en"]
    assert not (result.issues["check"] == "orphan_member").any()


def test_households_equal_after_folding_are_duplicates(tmp_path: Path) -> None:
    """domain.md §7: a repeated household_id is an error on the later row."""
    hh = [hh_row("HN-01"), hh_row("hn-01\u200b"), hh_row("HN-02")]
    path = write_workbook(tmp_path / "s.xlsx", hh, [m_row("HN-01"), m_row("HN-02")])
    issues = mdpoverty.validate(path)
    dup = issues[issues["check"] == "duplicate_id"]
    assert dup["row"].tolist() == [3]


def test_orphan_names_the_closest_ids_and_its_neighbour(tmp_path: Path) -> None:
    hh = [hh_row(h) for h in ("LC-01-0014", "LC-01-0015", "LC-02-0016")]
    members = [
        m_row("LC-01-0014"),
        m_row("LC-01-0015"),
        m_row("LC-01-O015", **{"Quan hệ với chủ hộ": "Con"}),  # letter O for zero
        m_row("LC-01-0015", **{"Quan hệ với chủ hộ": "Vợ/chồng"}),
        m_row("LC-02-0016"),
    ]
    path = write_workbook(tmp_path / "s.xlsx", hh, members)
    result = mdpoverty.classify(path)
    orphan = result.issues[result.issues["check"] == "orphan_member"]
    assert orphan["row"].tolist() == [4]
    assert orphan.iloc[0]["severity"] == "error"
    assert "LC-01-0015" in orphan.iloc[0]["message_en"]
    assert "LC-01-0015" in orphan.iloc[0]["message_vi"]
    near = result.issues[result.issues["check"] == "members_unlinked_near"]
    assert "LC-01-0015" in set(near["household_id"])
    named = near[near["household_id"] == "LC-01-0015"].iloc[0]
    assert (named["sheet"], named["row"], named["severity"]) == ("Hộ gia đình", 3, "warning")
    assert "4" in named["message_en"]
    assert "LC-02-0016" not in set(near["household_id"])


# ---------------------------------------------------------------- the example, retyped


def _retyped_example(src: Path, dst: Path, orphan_after: int | None = None) -> dict[int, str]:
    """The example survey with member IDs retyped in three ways officers do; returns the
    members-sheet rows changed."""
    wb = openpyxl.load_workbook(src)
    ws = wb["Thành viên"]
    changed: dict[int, str] = {}
    forms = (
        lambda s: s.lower(),
        lambda s: s[:2] + "\u00a0" + s[2:] + "\u202f",
        lambda s: s[:2] + "\u200b" + s[2:] + "\ufeff",
    )
    for r in range(2, ws.max_row + 1):
        v = ws.cell(r, 1).value
        if isinstance(v, str) and r % 4 != 0:
            new = forms[r % 4 - 1](v)
            ws.cell(r, 1).value = new
            changed[r] = v
    if orphan_after is not None:
        ws.insert_rows(orphan_after + 1)
        for c in range(1, ws.max_column + 1):
            ws.cell(orphan_after + 1, c).value = ws.cell(orphan_after, c).value
        ws.cell(orphan_after + 1, 1).value = "XX-NOT-A-HOUSEHOLD"
    wb.save(dst)
    return changed


def test_example_with_member_ids_retyped_keeps_every_class(
    example_survey: Path, tmp_path: Path
) -> None:
    clean = mdpoverty.classify(example_survey).households
    changed = _retyped_example(example_survey, tmp_path / "retyped.xlsx")
    result = mdpoverty.classify(tmp_path / "retyped.xlsx")
    assert len(result.households) == len(clean)
    pd.testing.assert_series_equal(result.households["class"], clean["class"])
    pd.testing.assert_series_equal(result.households["members"], clean["members"])
    folded = result.issues[result.issues["check"] == "id_folded"]
    assert sorted(folded["row"].tolist()) == sorted(changed)
    assert not (result.issues["check"] == "orphan_member").any()


def test_example_with_an_orphan_among_a_households_members_names_it(
    example_survey: Path, tmp_path: Path
) -> None:
    wb = openpyxl.load_workbook(example_survey, read_only=True)
    ids = [row[0] for row in wb["Thành viên"].iter_rows(min_row=2, max_col=1, values_only=True)]
    # a household with at least two member rows: the orphan goes between the first two
    at = next(i for i in range(len(ids) - 1) if ids[i] == ids[i + 1])
    household = ids[at]
    _retyped_example(example_survey, tmp_path / "orphan.xlsx", orphan_after=at + 2)
    result = mdpoverty.classify(tmp_path / "orphan.xlsx")
    orphan = result.issues[result.issues["check"] == "orphan_member"]
    assert orphan["row"].tolist() == [at + 3]
    near = result.issues[result.issues["check"] == "members_unlinked_near"]
    assert household in set(near["household_id"])
    assert household in near.loc[near["household_id"] == household, "message_vi"].iloc[0]
