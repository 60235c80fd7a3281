"""Forms 2 and 3 and the change list (shared/domain.md §4, §5, §8): each transition kind as a
two-round case with its expected column, moves, size changes, the balance check, the
pictured forms, properties on generated rounds, and the two-round example."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import readme_tables as expected
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mdpoverty.reports.batch import change_list, report
from mdpoverty.reports.changes import (
    FORM2_COLUMNS,
    FORM3_COLUMNS,
    balance_problems,
    link_rounds,
    transitions,
)
from mdpoverty.reports.form_checks import ReportCheckError, check_forms, form_problems

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
UNIT = ("Tỉnh T", "Huyện H", "Xã X")


def rnd(rows: list[dict]) -> pd.DataFrame:
    """A classify output (§8) from short rows: id, class, members (+ commune, exit date …)."""
    base = {"province": UNIT[0], "district": UNIT[1], "commune": UNIT[2]}
    return pd.DataFrame([{**base, **r} for r in rows])


def commune_row(form_frame: pd.DataFrame, measure: str, commune: str = UNIT[2]) -> dict:
    f = form_frame[(form_frame["level"] == "commune") & (form_frame["unit"] == commune)]
    return f[f["measure"] == measure].iloc[0].to_dict()


def changes_of(previous: pd.DataFrame | None, current: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return report(current, previous=previous, form="2,3")


ZERO2 = dict.fromkeys(FORM2_COLUMNS, 0)
ZERO3 = dict.fromkeys(FORM3_COLUMNS, 0)

# (previous class, previous members, current class, current members, exit date known) →
# the Form 2 and Form 3 cells they fill, for households (h) and persons (p). §4.
CASES = {
    "poor → near-poor": (
        ("poor", 4, "near_poor", 3, False),
        {
            ("2", "h"): {"start": 1, "to_near_poor": 1},
            ("2", "p"): {"start": 4, "to_near_poor": 4},
            ("3", "h"): {"from_poor": 1, "end": 1},
            ("3", "p"): {"from_poor": 3, "end": 3},
        },
    ),
    "poor → average (above near-poor)": (
        ("poor", 5, "average", 5, False),
        {
            ("2", "h"): {"start": 1, "above_near_poor": 1},
            ("2", "p"): {"start": 5, "above_near_poor": 5},
        },
    ),
    "poor → not poor (above near-poor)": (
        ("poor", 2, "not_poor", 3, True),
        {
            ("2", "h"): {"start": 1, "above_near_poor": 1},
            ("2", "p"): {"start": 2, "above_near_poor": 2},
        },
    ),
    "near-poor → poor": (
        ("near_poor", 3, "poor", 4, False),
        {
            ("2", "h"): {"from_near_poor": 1, "end": 1},
            ("2", "p"): {"from_near_poor": 4, "end": 4},
            ("3", "h"): {"start": 1, "to_poor": 1},
            ("3", "p"): {"start": 3, "to_poor": 3},
        },
    ),
    "near-poor escaped": (
        ("near_poor", 6, "not_poor", 6, False),
        {("3", "h"): {"start": 1, "escaped": 1}, ("3", "p"): {"start": 6, "escaped": 6}},
    ),
    "re-poor (escaped earlier, exit date known)": (
        ("average", 5, "poor", 5, True),
        {("2", "h"): {"re_entered": 1, "end": 1}, ("2", "p"): {"re_entered": 5, "end": 5}},
    ),
    "newly poor (no exit date)": (
        ("not_poor", 5, "poor", 4, False),
        {("2", "h"): {"newly_entered": 1, "end": 1}, ("2", "p"): {"newly_entered": 4, "end": 4}},
    ),
    "re-near-poor": (
        ("not_poor", 2, "near_poor", 2, True),
        {("3", "h"): {"re_entered": 1, "end": 1}, ("3", "p"): {"re_entered": 2, "end": 2}},
    ),
    "newly near-poor": (
        ("average", 2, "near_poor", 3, False),
        {("3", "h"): {"newly_entered": 1, "end": 1}, ("3", "p"): {"newly_entered": 3, "end": 3}},
    ),
    "poor, stays poor, smaller": (
        ("poor", 5, "poor", 3, False),
        {
            ("2", "h"): {"start": 1, "end": 1},
            ("2", "p"): {"start": 5, "other_decrease": 2, "end": 3},
        },
    ),
    "near-poor, stays, larger": (
        ("near_poor", 3, "near_poor", 5, False),
        {
            ("3", "h"): {"start": 1, "end": 1},
            ("3", "p"): {"start": 3, "other_increase": 2, "end": 5},
        },
    ),
    "poor, moved out (only in the previous round)": (
        ("poor", 4, None, 0, False),
        {
            ("2", "h"): {"start": 1, "other_decrease": 1},
            ("2", "p"): {"start": 4, "other_decrease": 4},
        },
    ),
    "near-poor, moved in (only in the current round)": (
        (None, 0, "near_poor", 3, True),
        {("3", "h"): {"other_increase": 1, "end": 1}, ("3", "p"): {"other_increase": 3, "end": 3}},
    ),
    "above near-poor both times": (("average", 4, "not_poor", 2, False), {}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_transition_fills_its_column(name):
    (pc, pm, cc, cm, exit_known), expected = CASES[name]
    # a bystander household that stays not poor keeps every other cell at 0
    prev_rows = [{"household_id": "B", "class": "not_poor", "members": 4}]
    cur_rows = [{"household_id": "B", "class": "not_poor", "members": 4}]
    if pc is not None:
        prev_rows.append({"household_id": "H", "class": pc, "members": pm})
    if cc is not None:
        cur_rows.append(
            {
                "household_id": "H",
                "class": cc,
                "members": cm,
                "poverty_exit_date": "2023-05-01" if exit_known else None,
            }
        )
    forms = changes_of(rnd(prev_rows), rnd(cur_rows))
    for form, zero in (("2", ZERO2), ("3", ZERO3)):
        for m, measure in (("h", "households"), ("p", "persons")):
            row = commune_row(forms[form], measure)
            want = {**zero, **expected.get((form, m), {})}
            assert {k: row[k] for k in want} == want, (form, measure)


def test_a_household_moving_between_communes_leaves_one_and_enters_the_other():
    prev = rnd([{"household_id": "H", "class": "poor", "members": 4, "commune": "Xã A"}])
    cur = rnd([{"household_id": "H", "class": "poor", "members": 5, "commune": "Xã B"}])
    f2 = changes_of(prev, cur)["2"]
    a, b = commune_row(f2, "households", "Xã A"), commune_row(f2, "households", "Xã B")
    assert (a["start"], a["other_decrease"], a["end"]) == (1, 1, 0)
    assert (b["start"], b["other_increase"], b["end"]) == (0, 1, 1)
    assert commune_row(f2, "persons", "Xã A")["other_decrease"] == 4  # members then
    assert commune_row(f2, "persons", "Xã B")["other_increase"] == 5  # members now
    district = f2[(f2["level"] == "district") & (f2["measure"] == "households")].iloc[0]
    assert (district["start"], district["other_decrease"], district["other_increase"]) == (1, 1, 1)


def test_not_classed_households_are_off_the_lists_and_counted():
    prev = rnd(
        [
            {"household_id": "H1", "class": "poor", "members": 4},
            {"household_id": "H2", "class": "", "members": 3},  # an error in the previous round
        ]
    )
    cur = rnd(
        [
            {"household_id": "H1", "class": "", "members": 4},  # an error now
            {"household_id": "H2", "class": "poor", "members": 3},
        ]
    )
    f2 = changes_of(prev, cur)["2"]
    h = commune_row(f2, "households")
    assert (h["start"], h["other_decrease"], h["other_increase"], h["end"]) == (1, 1, 1, 1)
    assert h["not_classed"] == 2  # one in each round
    assert commune_row(f2, "persons")["not_classed"] == 7
    link = link_rounds(cur, None, prev, None)
    assert transitions(link).tolist() == ["not_classed", "not_classed"]


def test_previous_class_column_uses_current_members():
    cur = rnd(
        [
            {"household_id": "A", "class": "near_poor", "members": 3, "previous_class": "poor"},
            {"household_id": "B", "class": "poor", "members": 6, "previous_class": "poor"},
            {"household_id": "C", "class": "poor", "members": 2, "previous_class": None},
        ]
    )
    forms = report(cur, form="2,3")
    h, p = commune_row(forms["2"], "households"), commune_row(forms["2"], "persons")
    assert (h["start"], h["to_near_poor"], h["other_increase"], h["end"]) == (2, 1, 1, 2)
    # without a previous survey the previous members are the current ones: no size change
    assert (p["start"], p["to_near_poor"], p["other_decrease"], p["other_increase"]) == (9, 3, 0, 2)
    assert p["end"] == 8
    assert commune_row(forms["3"], "persons")["from_poor"] == 3


def test_change_list_columns_and_codes():
    prev = rnd(
        [
            {"household_id": "A", "class": "poor", "members": 3},
            {"household_id": "B", "class": "near_poor", "members": 3},
            {"household_id": "G", "class": "poor", "members": 1},
        ]
    )
    cur = rnd(
        [
            {"household_id": "A", "class": "poor", "members": 3},
            {"household_id": "B", "class": "average", "members": 3},
            {"household_id": "N", "class": "not_poor", "members": 2},
        ]
    )
    table = change_list(prev, cur)
    assert list(table.columns) == [
        "household_id",
        "province",
        "district",
        "commune",
        "previous_class",
        "class",
        "transition",
        "transition_vi",
    ]
    assert table[["household_id", "previous_class", "class", "transition"]].values.tolist() == [
        ["A", "poor", "poor", "remained_poor"],
        ["B", "near_poor", "average", "escaped_near_poor"],
        ["N", "", "not_poor", "moved_in"],
        ["G", "poor", "", "moved_out"],
    ]
    assert table.loc[1, "transition_vi"] == "Thoát cận nghèo"
    assert change_list(prev, cur, changed_only=True)["household_id"].tolist() == ["B", "N", "G"]


# ------------------------------------------------------------------------------- the pictures


def _picture(text: str, columns: list[str]) -> pd.DataFrame:
    """Rows of a pictured Form 2/3: number, unit, "Hộ"/"NK", figures; blank cells typed 0."""
    rows, district = [], ""
    for line in text.strip().splitlines():
        t = line.split()
        number, measure, figures = t[0], t[-10], [int(v) for v in t[-9:]]
        name = " ".join(t[1:-10])
        level = "commune" if "." in number else "district"
        district = name if level == "district" else district
        rows.append(
            {
                "number": number,
                "level": level,
                "unit": name,
                "parent": district if level == "commune" else "",
                "measure": {"Hộ": "households", "NK": "persons"}[measure],
                **dict(zip(columns, figures, strict=True)),
            }
        )
    return pd.DataFrame(rows)


# The pictured Form 2, Huyện Cư Jút (communes with no poor household left out: all zero).
PICTURE_FORM2 = """
1   Huyện Cư Jút       Hộ  294  64  45 0  5 0 14 0 204
1   Huyện Cư Jút       NK 1313 303 243 0 26 0 59 0 852
1.1 Thị trấn Ea TLing  Hộ   10   5   0 0  0 0  0 0   5
1.1 Thị trấn Ea TLing  NK   43  26   0 0  0 0  0 0  17
1.3 Xã Đăk DRông       Hộ  119  10  45 0  3 0  7 0  74
1.3 Xã Đăk DRông       NK  570  46 243 0 13 0 30 0 324
1.5 Xã Ea Pô           Hộ   85  23   0 0  0 0  5 0  67
1.5 Xã Ea Pô           NK  323  97   0 0  0 0 18 0 244
1.7 Xã Tâm Thắng       Hộ   80  26   0 0  2 0  2 0  58
1.7 Xã Tâm Thắng       NK  377 134   0 0 13 0 11 0 267
"""


def test_pictured_form2_cu_jut_balances():
    f2 = _picture(PICTURE_FORM2, FORM2_COLUMNS)
    assert balance_problems(f2, "2") == []
    assert form_problems(f2, "2") == []


def test_pictured_unbalanced_rows_are_refused():
    # Form 2, Xã Đắk Ha: 256 − 25 − 2 + 5 + 0 + 5 = 239, but 237 typed as the end
    f2 = _picture("2.1 Xã Đắk Ha Hộ 256 25 2 0 5 0 5 0 237", FORM2_COLUMNS)
    assert balance_problems(f2, "2") == [
        "2.1 Xã Đắk Ha [households]: end 237 ≠ start − decreases + increases = 239"
    ]
    # Form 3, Xã Tâm Thắng: 116 − 0 − 2 + 25 + 0 + 4 = 143, but 141 typed
    f3 = _picture("1.7 Xã Tâm Thắng Hộ 116 0 2 0 25 0 4 0 141", FORM3_COLUMNS)
    assert balance_problems(f3, "3") == [
        "1.7 Xã Tâm Thắng [households]: end 141 ≠ start − decreases + increases = 143"
    ]
    with pytest.raises(ReportCheckError):
        check_forms({"3": f3})


# ------------------------------------------------------------------------------- properties

COMMUNES = [("P", "D1", "Xã A"), ("P", "D1", "Xã B"), ("P", "D2", "Xã A"), ("Q", "D3", "Xã C")]
CLASS = st.sampled_from(["poor", "near_poor", "average", "not_poor", ""])
a_household = st.fixed_dictionaries(
    {
        "where_then": st.sampled_from(COMMUNES),
        "moves": st.booleans(),
        "where_now": st.sampled_from(COMMUNES),
        "then": st.one_of(st.none(), CLASS),  # None: not in the previous round
        "now": st.one_of(st.none(), CLASS),  # None: not in the current round
        "m_then": st.integers(0, 9),
        "m_now": st.integers(0, 9),
        "exit": st.booleans(),
        "previous_class": st.one_of(st.none(), st.sampled_from(["poor", "near_poor", "not_poor"])),
    }
)


def _h(
    then: str | None,
    now: str | None,
    m_then: int,
    m_now: int,
    *,
    where: int = 0,
    to: int | None = None,
    exit: bool = False,
    previous_class: str | None = None,
) -> dict:
    """One drawn household, written out (for the pinned examples)."""
    return {
        "where_then": COMMUNES[where],
        "moves": to is not None,
        "where_now": COMMUNES[where if to is None else to],
        "then": then,
        "now": now,
        "m_then": m_then,
        "m_now": m_now,
        "exit": exit,
        "previous_class": previous_class,
    }


# Every column of Forms 2 and 3 with a household whose size changed (the persons rows count
# the previous members on decreases, the current ones on increases, and a size change of a
# household that stays goes to "other"), across two communes of one name in two districts:
# each flow the property checks is reached on every run, whatever hypothesis draws.
EVERY_FLOW = [
    _h("poor", "poor", 2, 5),  # stays poor, grows: persons other_increase 3
    _h("near_poor", "near_poor", 5, 2, where=1),  # stays near-poor, shrinks: other_decrease
    _h("poor", "near_poor", 4, 2, where=2),  # to near-poor (Form 3: from poor)
    _h("near_poor", "poor", 1, 6, where=2),  # from near-poor (Form 3: to poor)
    _h("poor", "average", 3, 4, where=3),  # above near-poor
    _h("near_poor", "not_poor", 6, 1),  # escaped near-poor
    _h("average", "poor", 3, 2, exit=True, where=1),  # re-entered
    _h("not_poor", "near_poor", 2, 3, exit=True),  # re-entered near-poor
    _h("not_poor", "poor", 2, 7, where=3),  # newly poor
    _h(None, "poor", 0, 4, where=2),  # moved in
    _h("poor", None, 5, 0, where=1),  # moved out
    _h("near_poor", "", 3, 3, where=3),  # not classed now: other decrease
    _h("poor", "poor", 2, 3, where=0, to=2),  # stays poor, moves to the other Xã A
    _h("near_poor", "near_poor", 4, 1, where=2, to=0),
    _h("", "poor", 1, 1),  # not classed then
]
PREVIOUS_CLASS_FLOWS = [
    _h(None, "poor", 0, 3, previous_class="poor"),
    _h(None, "poor", 0, 2, where=1, previous_class="near_poor"),
    _h(None, "near_poor", 0, 4, where=2, previous_class="poor"),
    _h(None, "poor", 0, 5, where=3, previous_class="not_poor", exit=True),
    _h(None, "near_poor", 0, 1, previous_class="not_poor"),
    _h(None, "poor", 0, 6, where=2),  # no previous class: moved in (other increase)
    _h(None, "not_poor", 0, 2, where=1, previous_class="poor"),
    _h(None, "", 0, 2, where=3, previous_class="near_poor"),
]


def _two_rounds(draws: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    prev, cur = [], []
    for i, d in enumerate(draws):
        hid = f"H{i}"
        if d["then"] is not None:
            p, dist, c = d["where_then"]
            prev.append(
                {"household_id": hid, "province": p, "district": dist, "commune": c,
                 "class": d["then"], "members": d["m_then"]}
            )  # fmt: skip
        if d["now"] is not None:
            p, dist, c = d["where_now"] if d["moves"] else d["where_then"]
            cur.append(
                {"household_id": hid, "province": p, "district": dist, "commune": c,
                 "class": d["now"], "members": d["m_now"],
                 "poverty_exit_date": "2022" if d["exit"] else None,
                 "previous_class": d["previous_class"]}
            )  # fmt: skip
    columns = ["household_id", "province", "district", "commune", "class", "members"]
    return (
        pd.DataFrame(prev, columns=columns),
        pd.DataFrame(cur, columns=[*columns, "poverty_exit_date", "previous_class"]),
    )


def _balanced(frame: pd.DataFrame, columns: list[str]) -> bool:
    v = frame[columns]
    return bool(
        (
            v.iloc[:, 0] - v.iloc[:, 1:4].sum(axis=1) + v.iloc[:, 4:8].sum(axis=1) == v.iloc[:, 8]
        ).all()
    )


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.lists(a_household, min_size=1, max_size=30))
@example(EVERY_FLOW)
@example(EVERY_FLOW[:2])
@example([_h("poor", "average", 3, 4), _h("near_poor", "poor", 1, 6)])
def test_property_forms_2_3_balance_and_agree(draws):
    prev, cur = _two_rounds(draws)
    if cur.empty:
        return
    forms = report(cur, previous=prev)  # checked inside: balance, subtotals, cross-form
    f1, f2, f3 = forms["1"], forms["2"], forms["3"]
    assert _balanced(f2, FORM2_COLUMNS) and _balanced(f3, FORM3_COLUMNS)
    # Form 2's start is the previous round's poor list, per unit (households and persons)
    before = report(prev, form=1)["1"] if len(prev) else None
    for measure, col in (("households", "poor_households"), ("persons", "poor_persons")):
        starts = f2[f2["measure"] == measure].set_index(["level", "unit", "parent"])["start"]
        ends = f2[f2["measure"] == measure]["end"].to_numpy()
        assert (ends == f1[col].to_numpy()).all()
        if before is not None:
            then = before.set_index(["level", "unit", "parent"])[col]
            assert starts.reindex(then.index).fillna(0).astype(int).tolist() == then.tolist()
            assert starts.sum() == then.reindex(starts.index).fillna(0).sum()
    # the same households move poor → near-poor in Form 2 and Form 3
    h2, h3 = f2[f2["measure"] == "households"], f3[f3["measure"] == "households"]
    assert (h2["to_near_poor"].to_numpy() == h3["from_poor"].to_numpy()).all()
    assert (h2["from_near_poor"].to_numpy() == h3["to_poor"].to_numpy()).all()


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(a_household, min_size=1, max_size=30))
@example(PREVIOUS_CLASS_FLOWS)
def test_property_previous_class_column_balances(draws):
    _, cur = _two_rounds(draws)
    if cur.empty or cur["previous_class"].isna().all():
        return  # no start-of-period list at all: Forms 2/3 cannot be made (a usage error)
    forms = report(cur, form="all")
    for form, cols in (("2", FORM2_COLUMNS), ("3", FORM3_COLUMNS)):
        assert _balanced(forms[form], cols)
        persons = forms[form][forms[form]["measure"] == "persons"]
        # the previous members are the current ones: no size change goes to "other"
        target = "poor" if form == "2" else "near_poor"
        moved_in = cur[cur["previous_class"].isna() & (cur["class"] == target)]["members"].sum()
        provinces = persons[persons["level"] == "province"]
        assert provinces["other_increase"].sum() == moved_in


# ------------------------------------------------------------------------------- the example


@pytest.fixture(scope="module")
def example_forms() -> dict[str, pd.DataFrame]:
    return report(expected.SURVEY, previous=expected.PREVIOUS)


@pytest.fixture(scope="module")
def cross_reform_forms() -> dict[str, pd.DataFrame]:
    return report(expected.PREVIOUS, previous=expected.ROUND_2024)


def _row(frame, unit, measure):
    r = frame[(frame["unit"] == unit) & (frame["measure"] == measure)].iloc[0]
    return r[FORM2_COLUMNS if "to_near_poor" in frame else FORM3_COLUMNS].tolist()


def _matches_readme(frame: pd.DataFrame, heading: str, communes: list[str]) -> None:
    """Every row of a Form 2/3 table of examples/README.md (the generator's reckoning) is
    mdpoverty's row for that unit: a commune by name, the province by level, and the
    province's row for units that no longer exist as the one row that is neither."""
    columns = FORM2_COLUMNS if "to_near_poor" in frame else FORM3_COLUMNS
    assert "district" not in set(frame["level"])  # laid out on the later round's units
    for (unit, measure), want in expected.form_table(heading).items():
        rows = frame[frame["measure"] == measure]
        if unit == expected.PROVINCE:
            rows = rows[rows["level"] == "province"]
        elif unit == expected.FORMER_UNITS:
            rows = rows[(rows["level"] != "province") & ~rows["unit"].isin(communes)]
            if rows.empty and not any(want):
                continue  # no household of a former unit in this form: a row is optional
        else:
            rows = rows[rows["unit"] == unit]
        assert len(rows) == 1, (heading, unit, measure)
        assert rows[columns].iloc[0].tolist() == want, (heading, unit, measure)


def test_example_two_rounds_match_the_readme(example_forms):
    # examples/README.md, 2026 against 2025, by the generator's own reckoning
    communes = expected.communes(expected.SURVEY_CLASSES)
    _matches_readme(example_forms["2"], expected.FORM2_NOW, communes)
    _matches_readme(example_forms["3"], expected.FORM3_NOW, communes)
    f2 = expected.form_table(expected.FORM2_NOW)
    assert f2[(expected.PROVINCE, "households")] == [58, 7, 2, 2, 13, 8, 3, 1, 72]
    assert f2[(expected.PROVINCE, "persons")] == [272, 31, 11, 8, 61, 33, 16, 21, 353]
    # Form 2's end is Form 1's poor: 72 households, 353 persons (2026 round, 2027–2030)
    f1 = example_forms["1"]
    assert f1.iloc[-1][["poor_households", "poor_persons"]].tolist() == [72, 353]


def test_example_across_the_reform_matches_the_readme(cross_reform_forms):
    """The 2025 round (communes, no districts) against the 2024 round (districts, the old
    communes): laid out on the 2025 communes; households in both rounds under their 2025
    commune; those only in 2024 under the 2025 commune of the same name, else in the
    province's row for former units (examples/README.md, "Across the reform")."""
    communes = expected.communes(expected.PREVIOUS_CLASSES)
    _matches_readme(cross_reform_forms["2"], expected.FORM2_CROSS, communes)
    _matches_readme(cross_reform_forms["3"], expected.FORM3_CROSS, communes)
    f2 = expected.form_table(expected.FORM2_CROSS)
    assert f2[(expected.FORMER_UNITS, "households")] == [2, 0, 0, 2, 0, 0, 0, 0, 0]
    assert f2[(expected.PROVINCE, "households")] == [62, 8, 9, 3, 9, 3, 3, 1, 58]
    # start: the 2024 round's poor (62), end: the 2025 round's (58)
    assert expected.class_table(expected.CLASSES_2024)["total"]["poor"] == 62
    assert expected.class_table(expected.PREVIOUS_CLASSES)["total"]["poor"] == 58


def test_example_change_list_moves():
    table = change_list(expected.PREVIOUS, expected.SURVEY)
    moved = table[table["transition"].isin(["moved_in", "moved_out"])]
    # examples/README.md, "The earlier rounds": moved in since 2025 / out after 2025
    assert sorted(zip(moved["household_id"], moved["transition"], strict=True)) == [
        ("LC-BH-01-0004", "moved_in"),
        ("LC-BH-03-0040", "moved_out"),
        ("LC-BT-01-0001", "moved_in"),
        ("LC-BT-01-0057", "moved_out"),
        ("LC-BT-02-0046", "moved_out"),
        ("LC-BT-03-0004", "moved_in"),
    ]
    assert len(table) == 303  # 297 in both rounds, 3 moved in, 3 moved out


def test_a_repeated_id_is_one_household():
    # the later row of a repeated ID is an error (§7): the household counts once, as classed
    cur = rnd(
        [
            {"household_id": "H", "class": "poor", "members": 4, "previous_class": "poor"},
            {"household_id": "H", "class": "", "members": 4, "previous_class": "poor",
             "commune": "Xã Khác"},
        ]
    )  # fmt: skip
    f2 = report(cur, form="2")["2"]
    x = commune_row(f2, "households")
    assert (x["start"], x["end"], x["not_classed"]) == (1, 1, 0)
    other = commune_row(f2, "households", "Xã Khác")
    assert (other["start"], other["end"], other["not_classed"]) == (0, 0, 1)
