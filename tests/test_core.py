"""Pipeline behaviour beyond single rules: derived fields, accounting, standard choice."""

from __future__ import annotations

import pandas as pd
from conftest import BASE_HH, BASE_M

import mdpoverty


def test_ethnic_minority_from_the_first_head_when_not_stated() -> None:
    """domain.md §7: ethnic_minority, else derived from the head's ethnicity (all but Kinh)."""
    hh = pd.DataFrame(
        [
            {**BASE_HH, "household_id": "A", "ethnic_minority": ""},
            {**BASE_HH, "household_id": "B", "ethnic_minority": ""},
            {**BASE_HH, "household_id": "C", "ethnic_minority": "Có"},
            {**BASE_HH, "household_id": "D", "ethnic_minority": ""},
            {**BASE_HH, "household_id": "E", "ethnic_minority": ""},
        ]
    ).replace("", None)
    m = pd.DataFrame(
        [
            {**BASE_M, "household_id": "A", "ethnicity": "Tày"},
            {**BASE_M, "household_id": "B", "ethnicity": "KINH"},
            {**BASE_M, "household_id": "C", "ethnicity": "Kinh"},  # stated wins
            {**BASE_M, "household_id": "D", "ethnicity": "Kinh"},  # first head wins
            {**BASE_M, "household_id": "D", "ethnicity": "H'Mông"},
            {**BASE_M, "household_id": "E", "relation": "child", "ethnicity": "Dao"},  # no head
        ]
    )
    out = mdpoverty.classify_frames(hh, m).households.set_index("household_id")
    got = out["ethnic_minority"].astype(object).where(out["ethnic_minority"].notna(), None)
    assert got.to_dict() == {"A": True, "B": False, "C": True, "D": False, "E": None}


def test_every_row_accounted_for() -> None:
    hh = pd.DataFrame(
        [
            {**BASE_HH, "household_id": "A"},
            {**BASE_HH, "household_id": "A"},  # duplicate: rejected
            {**BASE_HH, "household_id": "B", "area": "mountain"},  # bad code: rejected
        ]
    )
    m = pd.DataFrame(
        [
            {**BASE_M, "household_id": "A"},
            {**BASE_M, "household_id": "B"},
            {**BASE_M, "household_id": "Z"},  # orphan
        ]
    )
    r = mdpoverty.classify_frames(hh, m)
    assert r.counts == {
        "households_in": 3,
        "households_classed": 1,
        "households_rejected": 2,
        "members_in": 3,
        "members_classed": 1,
        "members_rejected": 2,
        "rows_skipped": 0,  # layout rows (numbered, repeated header, total, signature)
    }
    assert r.households["class"].tolist() == ["not_poor", "", ""]


def test_undetermined_indicator_is_blank_never_not_deprived() -> None:
    """domain.md §7: a needed value that is missing is never a silent 'not deprived'."""
    hh = pd.DataFrame(
        [{**BASE_HH, "household_id": "A"}, {**BASE_HH, "household_id": "B", "water_source": ""}]
    ).replace("", None)
    m = pd.DataFrame(
        [
            {**BASE_M, "household_id": "A", "health_insurance": ""},  # aged 40: needed
            {**BASE_M, "household_id": "B", "birth_date": ""},  # every age-based rule
        ]
    ).replace("", None)
    out = mdpoverty.classify_frames(hh, m).households.set_index("household_id")
    assert out.loc["A", "class"] == "" and pd.isna(out.loc["A", "dep_health_insurance"])
    assert out.loc["A", "dep_water"] == False  # noqa: E712 - determined, and not deprived
    for code in (
        "employment",
        "dependents",
        "nutrition",
        "health_insurance",
        "adult_education",
        "school_attendance",
        "water",
    ):
        assert pd.isna(out.loc["B", f"dep_{code}"]), code
    assert out.loc["B", "dep_telecom"] == False  # noqa: E712 - needs no age


MEMBER_INDICATORS = (
    "employment",
    "dependents",
    "nutrition",
    "health_insurance",
    "adult_education",
    "school_attendance",
    "housing_area",  # floor area per member
    "telecom",  # whether any member uses a phone or the internet
)


def test_a_household_without_members_has_its_member_indicators_blank() -> None:
    """domain.md §7: with no member known, the member indicators cannot be derived — blank,
    never 'not deprived' — and the household is not classed unless the reviewer's dep_
    columns decide every indicator. Its dwelling, water, toilet and information flags are
    still the household's own."""
    hh = pd.DataFrame([{**BASE_HH, "household_id": "A"}, {**BASE_HH, "household_id": "B"}])
    m = pd.DataFrame([{**BASE_M, "household_id": "A"}])
    res = mdpoverty.classify_frames(hh, m)
    out = res.households.set_index("household_id")
    assert out.loc["A", "class"] == "not_poor"
    assert out.loc["B", "class"] == ""
    for code in MEMBER_INDICATORS:
        assert pd.isna(out.loc["B", f"dep_{code}"]), code
    for code in ("housing_quality", "water", "toilet", "info_access"):
        assert out.loc["B", f"dep_{code}"] == False, code  # noqa: E712 - decided
    assert list(res.issues.loc[res.issues["check"] == "no_members", "household_id"]) == ["B"]


def test_without_a_members_sheet_the_reviewers_flags_decide() -> None:
    """No members at all: each household needs the reviewer's 12 dep_ flags (domain.md §7);
    given them, it is classed by them (income 1,000,000 ≤ the rural line, 3 deprivations:
    poor, Decree 07/2021 Art. 3)."""
    deprived = {"housing_quality", "water", "toilet"}
    flags = {f"dep_{c}": ("yes" if c in deprived else "no") for c in MEMBER_INDICATORS}
    flags |= {f"dep_{c}": ("yes" if c in deprived else "no") for c in deprived | {"info_access"}}
    hh = pd.DataFrame(
        [
            {**BASE_HH, "household_id": "A", "income_per_capita": "1000000", **flags},
            {**BASE_HH, "household_id": "B", "income_per_capita": "1000000"},
        ]
    )
    res = mdpoverty.classify_frames(hh, None)
    out = res.households.set_index("household_id")
    assert out.loc["A", "class"] == "poor" and out.loc["A", "deprivation_count"] == 3
    assert out.loc["B", "class"] == "" and pd.isna(out.loc["B", "dep_employment"])


def test_outputs_get_ordinary_permissions(tmp_path) -> None:
    """Atomic writes go through a private temp file; the output must not stay owner-only."""
    import os
    import stat

    from mdpoverty.read.survey import write_table

    old = os.umask(0o022)
    try:
        out = write_table(pd.DataFrame({"a": [1]}), tmp_path / "out.csv")
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        out.chmod(0o664)  # replacing a file keeps its mode
        write_table(pd.DataFrame({"a": [2]}), out)
        assert stat.S_IMODE(out.stat().st_mode) == 0o664
    finally:
        os.umask(old)


def test_summary_by_district_and_commune_in_input_order() -> None:
    hh = pd.DataFrame(
        [
            {**BASE_HH, "household_id": "A", "district": "Huyện Z", "commune": "Xã Z1"},
            {**BASE_HH, "household_id": "B", "district": "Huyện A", "commune": "Xã A1"},
            {
                **BASE_HH,
                "household_id": "C",
                "district": "Huyện Z",
                "commune": "Xã Z1",
                "income_per_capita": "1000000",
            },
            {
                **BASE_HH,
                "household_id": "D",
                "district": "Huyện A",
                "commune": "Xã A1",
                "area": "mountain",
            },  # an error: counted as not classed
        ]
    )
    m = pd.DataFrame([{**BASE_M, "household_id": h} for h in "ABCD"])
    s = mdpoverty.classify_frames(hh, m).summary()
    assert s[
        ["district", "commune", "households", "near_poor", "not_poor", "not_classed"]
    ].values.tolist() == [
        ["Huyện Z", "Xã Z1", 2, 1, 1, 0],
        ["Huyện A", "Xã A1", 2, 0, 1, 1],
        ["", "all", 4, 1, 2, 1],
    ]
