"""Forms 1, 4 and 5 (shared/domain.md §5, §8): rates, the unit tree and its numbering, the
checks that refuse a report that does not add up, and the official-form workbook.

Expected values are worked out by hand from the spec, or copied from the pictured real forms
(shared/reference/forms/) where those are internally consistent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import readme_tables as tables
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from mdpoverty.law.standards import load_standard
from mdpoverty.reports.batch import report
from mdpoverty.reports.form_checks import (
    ReportCheckError,
    check_forms,
    cross_problems,
    form_problems,
)
from mdpoverty.reports.forms import FORM1_COLUMNS, NO_DISTRICT, form1, form4, form5, percent
from mdpoverty.write.forms_excel import write_forms

CODES = load_standard("vn-2022-2025").codes
DEPS = [f"dep_{c}" for c in CODES]
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def households(rows: list[tuple]) -> pd.DataFrame:
    """(province, district, commune, class, members, agricultural, deprived indicator numbers)"""
    frame = pd.DataFrame(
        [
            {
                "household_id": f"H{i:03d}",
                "province": p,
                "district": d,
                "commune": c,
                "class": k,
                "members": m,
                "agricultural": a,
                **{dep: (n + 1) in deprived for n, dep in enumerate(DEPS)},
            }
            for i, (p, d, c, k, m, a, deprived) in enumerate(rows)
        ]
    )
    return frame


def rate(n: int, d: int) -> float | None:
    """The spec's rate, independently: Decimal, half-up, two decimals; None for d = 0."""
    if d == 0:
        return None
    q = (Decimal(n) * 100 / Decimal(d)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(q)


# ------------------------------------------------------------------------------- percent


@pytest.mark.parametrize(
    ("n", "d", "expected"),
    [
        (121, 237, 51.05),  # pictured Form 4 → 5, Xã Đắk Ha, indicator 1
        (4, 5, 80.0),  # Thị trấn Ea TLing, indicator 1
        (128, 204, 62.75),  # Huyện Cư Jút, indicator 10 (62.745…)
        (1, 32, 3.13),  # 3.125 exactly: half-up, where float round() gives 3.12
        (1, 800, 0.13),  # 0.125 exactly
        (1, 160, 0.63),  # 0.625 exactly
        (5, 8000, 0.06),  # 0.0625
        (2, 3, 66.67),
        (1, 3, 33.33),
        (0, 7, 0.0),
        (7, 7, 100.0),
    ],
)
def test_percent_half_up(n, d, expected):
    assert percent(pd.Series([n]), pd.Series([d])).iloc[0] == expected


def test_percent_zero_denominator_is_empty():
    out = percent(pd.Series([0, 3]), pd.Series([0, 0]))
    assert out.isna().all()


# ------------------------------------------------------------------------------- Form 1


TREE = [
    # two districts, the second listed first in the data: order of first appearance wins
    ("Tỉnh T", "Huyện B", "Xã B1", "poor", 5, True, {1, 2, 3}),
    ("Tỉnh T", "Huyện B", "Xã B1", "near_poor", 3, True, {1}),
    ("Tỉnh T", "Huyện B", "Xã B1", "average", 4, True, set()),
    ("Tỉnh T", "Huyện B", "Xã B1", "average", 2, False, set()),  # not a farm household
    ("Tỉnh T", "Huyện A", "Xã A1", "not_poor", 4, False, set()),
    ("Tỉnh T", "Huyện A", "Xã A1", "poor", 6, True, {1, 4, 9, 10}),
    ("Tỉnh T", "Huyện A", "Xã A1", "", 3, True, set()),  # not classed: left out
    ("Tỉnh T", "Huyện B", "Xã B2", "not_poor", 2, False, set()),
    ("Tỉnh T", "Huyện A", "Xã A2", "near_poor", 1, False, set()),
]


def test_form1_counts_and_rates_by_hand():
    f = form1(households(TREE))
    assert f["number"].tolist() == ["1", "1.1", "1.2", "2", "2.1", "2.2", ""]
    assert f["level"].tolist() == [
        "district",
        "commune",
        "commune",
        "district",
        "commune",
        "commune",
        "province",
    ]
    assert f["unit"].tolist() == [
        "Huyện B",
        "Xã B1",
        "Xã B2",
        "Huyện A",
        "Xã A1",
        "Xã A2",
        "Tỉnh T",
    ]
    assert f["parent"].tolist() == [
        "Tỉnh T",
        "Huyện B",
        "Huyện B",
        "Tỉnh T",
        "Huyện A",
        "Huyện A",
        "",
    ]
    assert list(f.columns) == ["number", "level", "unit", "parent", *FORM1_COLUMNS, "not_classed"]
    b1 = f.iloc[1]
    # Xã B1: 4 households, 14 persons; 1 poor (5 p.), 1 near-poor (3 p.), 1 average farm (4 p.)
    assert b1[["households", "persons", "poor_households", "near_poor_households"]].tolist() == [
        4,
        14,
        1,
        1,
    ]
    assert b1["average_farm_households"] == 1 and b1["average_farm_persons"] == 4
    assert b1["poor_household_rate"] == 25.0 and b1["near_poor_household_rate"] == 25.0
    assert b1["poor_person_rate"] == 35.71  # 5/14 = 35.714…
    assert b1["near_poor_person_rate"] == 21.43  # 3/14 = 21.428…
    assert b1["average_farm_person_rate"] == 28.57  # 4/14
    a1 = f.iloc[4]
    # Xã A1: the household with an error is not counted anywhere but in not_classed
    assert a1[["households", "persons", "poor_households", "not_classed"]].tolist() == [2, 10, 1, 1]
    assert a1["poor_person_rate"] == 60.0
    huyen_a = f.iloc[3]
    assert huyen_a[
        ["households", "persons", "poor_households", "near_poor_households"]
    ].tolist() == [
        3,
        11,
        1,
        1,
    ]
    assert huyen_a["poor_household_rate"] == 33.33
    province = f.iloc[6]
    assert province[["households", "persons", "poor_households", "not_classed"]].tolist() == [
        8,
        27,
        2,
        1,
    ]
    assert province["poor_person_rate"] == 40.74  # 11/27 = 40.740…
    assert form_problems(f, "1") == []


def test_zero_households_gives_empty_rates():
    f = form1(households([("P", "D", "X", "", 4, True, set())]))
    commune = f.iloc[1]
    assert commune["households"] == 0 and commune["not_classed"] == 1
    assert all(pd.isna(commune[c]) for c in FORM1_COLUMNS if c.endswith("_rate"))


def test_same_commune_name_in_two_districts_is_two_units():
    f = form1(
        households(
            [
                ("P", "Huyện 1", "Xã Tân Lập", "poor", 2, False, {1, 2, 3}),
                ("P", "Huyện 2", "Xã Tân Lập", "not_poor", 3, False, set()),
            ]
        )
    )
    assert f["number"].tolist() == ["1", "1.1", "2", "2.1", ""]
    assert f["poor_households"].tolist() == [1, 1, 0, 0, 1]
    assert form_problems(f, "1") == []


# The pictured Form 1, Huyện Cư Jút: a hand-made district row with 10 households and 204 poor
# "at 2040 %". Columns 1–14 as in the picture.
PICTURE_FORM1 = """
1   Huyện Cư Jút       10 100 204 2040 305 3050 2 20 852 852 1389 1389 3 3
1.1 Thị trấn Ea TLing  10 100   5   50  15  150 2 20  17  17   70   70 3 3
1.2 Xã Cư Knia          0   0   0    0   0    0 0  0   0   0    0    0 0 0
1.3 Xã Đăk DRông        0   0  74    0  79    0 0  0 324   0  362    0 0 0
1.4 Xã Đăk Wil          0   0   0    0   0    0 0  0   0   0    0    0 0 0
1.5 Xã Ea Pô            0   0  67    0  70    0 0  0 244   0  287    0 0 0
1.6 Xã Nam Dong         0   0   0    0   0    0 0  0   0   0    0    0 0 0
1.7 Xã Tâm Thắng        0   0  58    0 141    0 0  0 267   0  670    0 0 0
1.8 Xã Trúc Sơn         0   0   0    0   0    0 0  0   0   0    0    0 0 0
"""


def _picture(text: str, columns: list[str]) -> pd.DataFrame:
    """Rows typed from a pictured form: number, unit name, then the figures in column order.
    A number without a dot is a district; the communes under it have it as parent."""
    rows, district = [], ""
    for line in text.strip().splitlines():
        tokens = line.split()
        k = len(columns)
        number, name, figures = tokens[0], " ".join(tokens[1:-k]), tokens[-k:]
        level = "commune" if "." in number else "district"
        parent = district if level == "commune" else ""
        district = name if level == "district" else district
        values = [float(v) if "." in v else int(v) for v in figures]
        rows.append(
            dict(
                zip(
                    ["number", "level", "unit", "parent", *columns],
                    [number, level, name, parent, *values],
                    strict=True,
                )
            )
        )
    return pd.DataFrame(rows)


def test_pictured_form1_2040_is_refused():
    frame = _picture(PICTURE_FORM1, FORM1_COLUMNS)
    # the rows do add up (a subtotal is the sum of its rows), and 2040 is 204/10×100 …
    assert not any("sum of its rows" in p for p in form_problems(frame, "1"))
    problems = form_problems(frame, "1")
    # … but 204 poor out of 10 households is impossible: exactly what the tool refuses
    assert (
        "1 Huyện Cư Jút: poor_households 204 + near_poor_households 305 + "
        "average_farm_households 2 = 511 > households 10"
    ) in problems
    assert any(p.startswith("1.3 Xã Đăk DRông:") and "> households 0" in p for p in problems)
    # a rate given for a commune with no household must be empty, not 0
    assert any(
        p.startswith("1.3 Xã Đăk DRông: poor_household_rate 0 ≠")
        and "empty (zero denominator)" in p
        for p in problems
    ), problems
    with pytest.raises(ReportCheckError) as err:
        check_forms({"1": frame})
    assert err.value.exit_code == 3
    assert "204" in str(err.value)


def test_a_typed_subtotal_is_refused():
    f = form1(households(TREE))
    f.loc[0, "households"] += 1  # a district total typed by hand
    assert form_problems(f, "1")[0].startswith("1 Huyện B: households 6 ≠ sum of its rows 5")


# ------------------------------------------------------------------------------- Forms 4, 5

# The pictured Form 4, Huyện Cư Jút: poor households, total deprivations, indicators 1–12.
PICTURE_FORM4 = """
1   Huyện Cư Jút       204 716 93 94 37 52 62 13 51 107 4 128 53 22
1.1 Thị trấn Ea TLing    5  19  4  2  1  1  0  0  0   2 2   3  3  1
1.2 Xã Cư Knia           0   0  0  0  0  0  0  0  0   0 0   0  0  0
1.3 Xã Đăk DRông        74 261 18 36  9  3 37  3 38  40 2  57 11  7
1.4 Xã Đăk Wil           0   0  0  0  0  0  0  0  0   0 0   0  0  0
1.5 Xã Ea Pô            67 233 29 25 27  7 19  8  7  34 0  41 25 11
1.6 Xã Nam Dong          0   0  0  0  0  0  0  0  0   0 0   0  0  0
1.7 Xã Tâm Thắng        58 203 42 31  0 41  6  2  6  31 0  27 14  3
1.8 Xã Trúc Sơn          0   0  0  0  0  0  0  0  0   0 0   0  0  0
"""
# The pictured Form 5 for the same rows (None: the empty cell of a commune without poor).
PICTURE_FORM5 = {
    "Huyện Cư Jút": [45.59, 46.08, 18.14, 25.49, 30.39, 6.37, 25, 52.45, 1.96, 62.75, 25.98, 10.78],
    "Thị trấn Ea TLing": [80, 40, 20, 20, 0, 0, 0, 40, 40, 60, 60, 20],
    "Xã Cư Knia": [None] * 12,
    "Xã Đăk DRông": [24.32, 48.65, 12.16, 4.05, 50, 4.05, 51.35, 54.05, 2.7, 77.03, 14.86, 9.46],
    "Xã Đăk Wil": [None] * 12,
    "Xã Ea Pô": [43.28, 37.31, 40.3, 10.45, 28.36, 11.94, 10.45, 50.75, 0, 61.19, 37.31, 16.42],
    "Xã Nam Dong": [None] * 12,
    "Xã Tâm Thắng": [72.41, 53.45, 0, 70.69, 10.34, 3.45, 10.34, 53.45, 0, 46.55, 24.14, 5.17],
    "Xã Trúc Sơn": [None] * 12,
}
FORM4_COLUMNS = ["poor_households", "deprivations_total", *DEPS]


def test_pictured_form4_gives_pictured_form5():
    f4 = _picture(PICTURE_FORM4, FORM4_COLUMNS)
    assert form_problems(f4, "4") == []  # the pictured Cư Jút block adds up
    f5 = form5(f4)
    for unit, expected in PICTURE_FORM5.items():
        got = f5.loc[f5["unit"] == unit, DEPS].iloc[0].tolist()
        assert [None if pd.isna(v) else v for v in got] == expected, unit
    assert form_problems(f5, "5") == []
    assert cross_problems({"4": f4, "5": f5}) == []


def test_pictured_dak_ha_and_dak_plao():
    # Xã Đắk Ha (Huyện Đắk Glong) is consistent: 237 poor, 121 deprived in indicator 1 → 51.05
    # (the district row here sums these two communes; the pictured one has seven)
    f4 = _picture(
        """
        2   Huyện Đắk Glong  346 1636 125 127 179 115 183 189 127 183 26 122 154 106
        2.1 Xã Đắk Ha        237 1029 121  68 129  22 107  89  78 128 21 114  64  88
        2.2 Xã Đắk Plao      109  607   4  59  50  93  76 100  49  55  5   8  90  18
        """,
        FORM4_COLUMNS,
    )
    assert form_problems(f4, "4") == []
    f5 = form5(f4)
    dak_ha = "51.05 28.69 54.43 9.28 45.15 37.55 32.91 54.01 8.86 48.1 27 37.13"
    assert f5.iloc[1][DEPS].tolist() == [float(v) for v in dak_ha.split()]
    # Xã Đắk Plao's pictured Form 5 is not its Form 4 divided: 51.38 for 55/109 (= 50.46) and
    # 81.65 for 90/109 (= 82.57). The cross-check names both.
    pictured = f5.copy()
    dak_plao = "3.67 54.13 45.87 85.32 69.72 91.74 44.95 51.38 4.59 7.34 81.65 16.51"
    pictured.loc[2, DEPS] = [float(v) for v in dak_plao.split()]
    assert cross_problems({"4": f4, "5": pictured}) == [
        "2.2 Xã Đắk Plao: Form 5 dep_housing_area 51.38 ≠ Form 4 55/109×100 = 50.46",
        "2.2 Xã Đắk Plao: Form 5 dep_telecom 81.65 ≠ Form 4 90/109×100 = 82.57",
    ]


def test_form4_form5_by_hand():
    f4 = form4(households(TREE), CODES)
    f5 = form5(f4)
    # poor: B1 (indicators 1, 2, 3) and A1 (1, 4, 9, 10)
    b1 = f4[f4["unit"] == "Xã B1"].iloc[0]
    assert b1["poor_households"] == 1 and b1["deprivations_total"] == 3
    assert b1[DEPS].tolist() == [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    province = f4.iloc[-1]
    assert province["poor_households"] == 2 and province["deprivations_total"] == 7
    assert province[DEPS].tolist() == [2, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0]
    assert f5.iloc[-1][DEPS].tolist() == [100, 50, 50, 50, 0, 0, 0, 0, 50, 50, 0, 0]
    b2 = f5[f5["unit"] == "Xã B2"].iloc[0]
    assert b2["poor_households"] == 0 and b2[DEPS].isna().all()  # no poor: empty cells
    check_forms({"1": form1(households(TREE)), "4": f4, "5": f5})


# ------------------------------------------------------------------------------- properties

PLACES = [
    ("Tỉnh Lào Cai", "Huyện Bảo Thắng", "Xã Tân Lập"),
    ("Tỉnh Lào Cai", "Huyện Bảo Thắng", "Xã Sơn Hải"),
    ("Tỉnh Lào Cai", "Huyện Bắc Hà", "Xã Tân Lập"),  # same commune name, another district
    ("Tỉnh Lào Cai", "Huyện Bắc Hà", "Xã Bản Phố"),
    ("Tỉnh Yên Bái", "Huyện Văn Bàn", "Xã Tân Lập"),
    ("Tỉnh Lào Cai", "", "Xã Không Huyện"),  # district left blank
]
household = st.tuples(
    st.sampled_from(PLACES),
    st.sampled_from(["poor", "near_poor", "average", "not_poor", ""]),
    st.integers(0, 9),
    st.booleans(),
    st.sets(st.integers(1, 12), max_size=12),
)


# Every place (two communes named Xã Tân Lập in two districts of one province and one in
# another province, a commune with its district blank), every class with a household not
# classed, farm and non-farm average, and deprivations: pinned, so that the row sums, rates
# and subtotals the properties check are reached on every run whatever hypothesis draws.
EVERY_UNIT = [
    (PLACES[0], "poor", 3, False, {1, 4, 9}),
    (PLACES[0], "average", 4, True, set()),
    (PLACES[1], "near_poor", 2, False, {2}),
    (PLACES[1], "", 5, True, {1}),
    (PLACES[2], "poor", 6, True, {1, 2, 3, 12}),
    (PLACES[2], "average", 1, False, set()),
    (PLACES[3], "not_poor", 0, False, set()),
    (PLACES[4], "poor", 2, False, {5, 6, 7}),
    (PLACES[4], "average", 3, True, {8}),
    (PLACES[5], "near_poor", 4, True, {10, 11}),
    (PLACES[5], "poor", 1, False, {1, 2, 3}),
    (PLACES[5], "", 2, False, set()),
]


def _district(draw_rows) -> pd.DataFrame:
    return households([(*place, k, m, a, d) for place, k, m, a, d in draw_rows])


def _walk(frame: pd.DataFrame):
    """(row, key) for each row; the key a (province, district, commune) prefix."""
    current = ""  # communes before any district row are right under the province (2 tiers)
    pending = []
    for i, row in frame.iterrows():
        if row["level"] == "district":
            # the group of communes left without a district holds the rows with it blank
            current = "" if row["unit"] == NO_DISTRICT else row["unit"]
            pending.append((i, ("district", current)))
        elif row["level"] == "commune":
            pending.append((i, ("commune", current, row["unit"])))
        else:
            for j, key in pending:
                yield j, (row["unit"], *key[1:]), key[0]
            pending = []
            current = ""
            yield i, (row["unit"],), "province"


@settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(household, max_size=40))
@example(EVERY_UNIT)
@example([r for r in EVERY_UNIT if r[1] != "poor"])  # no poor household: rates empty
@example([(PLACES[2], "", 3, True, {1})])  # nothing classed in a unit
def test_property_form1_rows_are_the_households(rows):
    hh = _district(rows)
    f = form1(hh) if len(hh) else None
    if f is None:
        return
    assert form_problems(f, "1") == []
    keys = hh[["province", "district", "commune"]].astype(str)
    for i, key, level in _walk(f):
        depth = {"province": 1, "district": 2, "commune": 3}[level]
        mask = np.ones(len(hh), dtype=bool)
        for k, v in zip(["province", "district", "commune"][:depth], key, strict=True):
            mask &= (keys[k] == v).to_numpy()
        unit = hh[mask]
        classed = unit[unit["class"] != ""]
        row = f.loc[i]
        assert row["households"] == len(classed)
        assert row["persons"] == classed["members"].sum()
        assert row["not_classed"] == (unit["class"] == "").sum()
        poor = classed[classed["class"] == "poor"]
        farm = classed[(classed["class"] == "average") & classed["agricultural"]]
        assert row["poor_households"] == len(poor)
        assert row["poor_persons"] == poor["members"].sum()
        assert row["average_farm_households"] == len(farm)
        expected = rate(len(poor), len(classed))
        assert (pd.isna(row["poor_household_rate"]) and expected is None) or row[
            "poor_household_rate"
        ] == expected
        expected = rate(int(farm["members"].sum()), int(classed["members"].sum()))
        got = row["average_farm_person_rate"]
        assert (pd.isna(got) and expected is None) or got == expected
        assert pd.isna(got) or 0 <= got <= 100


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(household, max_size=40))
@example(EVERY_UNIT)
@example([r for r in EVERY_UNIT if r[1] != "poor"])
def test_property_subtotals_and_form5(rows):
    hh = _district(rows)
    if not len(hh):
        return
    f4 = form4(hh, CODES)
    f5 = form5(f4)
    check_forms({"1": form1(hh), "4": f4, "5": f5})
    # every district row is the sum of the commune rows under it, the province of its districts
    level = f4["level"].tolist()
    for i, lv in enumerate(level):
        if lv == "district":
            j = i + 1
            while j < len(level) and level[j] == "commune":
                j += 1
            assert (f4.loc[i, FORM4_COLUMNS] == f4.loc[i + 1 : j - 1, FORM4_COLUMNS].sum()).all()
    # Form 5 = Form 4 / poor households × 100, half-up to two decimals; empty without poor
    for i in range(len(f4)):
        poor = int(f4.loc[i, "poor_households"])
        for dep in DEPS:
            expected = rate(int(f4.loc[i, dep]), poor)
            got = f5.loc[i, dep]
            assert (expected is None and pd.isna(got)) or got == expected


# ------------------------------------------------------------------------------- the example


def test_example_form1_matches_the_readme(example_survey):
    # examples/README.md: expected classes per commune (2026 round, 2027–2030 standard)
    table = tables.class_table(tables.SURVEY_CLASSES)
    f = report(example_survey, form=1)["1"]
    communes = f[f["level"] == "commune"].set_index("unit")
    for commune, want in table.items():
        if commune == "total":
            continue
        got = communes.loc[commune, ["poor_households", "near_poor_households", "households"]]
        assert tuple(got) == (want["poor"], want["near_poor"], want["households"]), commune
    # the 2026 round has no districts: its communes are numbered 1, 2 … under the province
    assert f["number"].tolist() == ["1", "2", "3", "4", ""]
    assert f["unit"].tolist()[:4] == list(table)[:4]
    assert "district" not in set(f["level"])
    province = f.iloc[-1]
    assert province["unit"] == "Tỉnh Lào Cai"
    assert province[
        ["households", "persons", "poor_households", "near_poor_households"]
    ].tolist() == [300, 1353, 72, 36]
    assert province["poor_household_rate"] == 24.0  # 72/300
    assert province["near_poor_household_rate"] == 12.0  # 36/300
    first = f.iloc[0]
    assert first[["households", "poor_households"]].tolist() == [101, 19]
    assert first["poor_household_rate"] == 18.81  # 19/101 = 18.8118…


def test_example_2024_round_has_district_rows():
    """The 2024 round, before the reform: district rows with subtotals, communes under them
    (examples/README.md, classes in round-2024.xlsx)."""
    table = tables.class_table(tables.CLASSES_2024)
    f = report(tables.ROUND_2024, form=1)["1"]
    assert f["number"].tolist() == ["1", "1.1", "1.2", "1.3", "1.4", "2", "2.1", "2.2", "2.3", ""]
    bao_thang = f.iloc[0]
    assert bao_thang["unit"] == "Huyện Bảo Thắng"
    communes = ["Thị trấn Phố Lu", "Xã Sơn Hải", "Xã Xuân Quang", "Xã Phong Niên"]
    assert bao_thang["households"] == sum(table[c]["households"] for c in communes) == 197
    assert bao_thang["poor_households"] == sum(table[c]["poor"] for c in communes) == 37
    assert f.iloc[-1]["households"] == table["total"]["households"] == 302


# ------------------------------------------------------------------------------- xlsx


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    """The 2024 round, which still has districts (the layout with district subtotals);
    Forms 2/3 from its own "Phân loại đầu kỳ" column."""
    frames = report(tables.ROUND_2024)
    std = load_standard("vn-2022-2025")
    path = tmp_path_factory.mktemp("wb") / "bao-cao.xlsx"
    write_forms(
        frames,
        path,
        indicators=[(std.indicators[c].number, std.indicators[c].label_vi) for c in std.codes],
        subtitle="(Kỳ rà soát năm 2024)",
    )
    return path


def _bao_thang_2024() -> tuple[int, int, int]:
    """Huyện Bảo Thắng in round-2024.xlsx: households and poor (examples/README.md), and poor
    at the start of the period as its "Phân loại đầu kỳ" column says (read with pandas)."""
    table = tables.class_table(tables.CLASSES_2024)
    communes = ["Thị trấn Phố Lu", "Xã Sơn Hải", "Xã Xuân Quang", "Xã Phong Niên"]
    raw = pd.read_excel(tables.ROUND_2024, sheet_name="Hộ gia đình", header=2, engine="calamine")
    in_district = raw["HUYỆN"] == "Huyện Bảo Thắng"
    start = int((in_district & (raw["PHÂN LOẠI ĐẦU KỲ"] == "Hộ nghèo")).sum())
    households = sum(table[c]["households"] for c in communes)
    return households, sum(table[c]["poor"] for c in communes), start


def _texts(ws, rows) -> list[str]:
    return [
        str(c.value) for r in ws.iter_rows(min_row=rows[0], max_row=rows[1]) for c in r if c.value
    ]


def test_workbook_layout_form1(workbook):
    wb = load_workbook(workbook)
    assert wb.sheetnames == [f"Biểu {i}" for i in range(1, 16)]  # Forms 1–15 (issue 13)
    ws = wb["Biểu 1"]
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN"
    assert ws["A2"].value == "TỈNH LÀO CAI"
    top_right = _texts(ws, (1, 2))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in top_right
    assert "Độc lập - Tự do - Hạnh phúc" in top_right
    assert ws["A4"].value.startswith("TỔNG HỢP KẾT QUẢ CHÍNH THỨC RÀ SOÁT HỘ NGHÈO")
    header = _texts(ws, (7, 9))
    for text in (
        "TT",
        "Phường/ Xã",
        "Kết quả rà soát về hộ (chính thức)",
        "Tổng số hộ nghèo",
        "Tỷ lệ (%)",
    ):
        assert text in header
    numbers = [c.value for c in ws[10]]
    assert numbers[:6] == ["A", "B", "1", "2", "3", "4=3/1*100"]
    assert numbers[15] == "14=13/2*100"
    # data: district rows bold, communes not; numbering 1, 1.1 …; rates with two decimals
    assert [ws.cell(row=r, column=1).value for r in range(11, 15)] == ["1", "1.1", "1.2", "1.3"]
    assert ws["B11"].value == "Huyện Bảo Thắng" and ws["B11"].font.bold
    assert ws["B12"].value == "Thị trấn Phố Lu" and not ws["B12"].font.bold
    households, poor, _ = _bao_thang_2024()
    assert ws["C11"].value == households == 197 and ws["C11"].number_format == "0"
    assert ws["E11"].value == poor == 37
    assert ws["F11"].value == 18.78 and ws["F11"].number_format == "0.00"  # 37/197
    assert ws["B20"].value == "Tổng cộng (Tỉnh Lào Cai)" and ws["B20"].font.bold
    assert ws["C20"].value == tables.class_table(tables.CLASSES_2024)["total"]["households"]
    assert ws["C11"].border.left.style == "thin"
    assert ws.freeze_panes == "C11"
    assert ws.print_title_rows == "$7:$10"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(
        ws.PAPERSIZE_A4
    )
    assert "E7:J7" in {str(r) for r in ws.merged_cells.ranges}


def test_workbook_layout_form2_and_form5(workbook):
    wb = load_workbook(workbook)
    ws = wb["Biểu 2"]
    assert ws["A4"].value == "TỔNG HỢP DIỄN BIẾN HỘ NGHÈO"
    header = _texts(ws, (7, 9))
    for text in (
        "Phân tổ",
        "Tổng số hộ nghèo đầu kỳ",
        "Tái nghèo",
        "Phát sinh mới",
        "Tổng số hộ nghèo cuối kỳ",
    ):
        assert text in header
    assert ws["L10"].value == "9=1-2-3-4+5+6+7+8"
    # each unit: a "Hộ" row and a "Nhân khẩu" row, the name merged over both
    assert [ws.cell(row=r, column=3).value for r in (11, 12, 13, 14)] == [
        "Hộ",
        "Nhân khẩu",
        "Hộ",
        "Nhân khẩu",
    ]
    assert "B11:B12" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["B11"].value == "Huyện Bảo Thắng" and ws["D11"].font.bold
    _, poor, start = _bao_thang_2024()
    assert (ws["D11"].value, ws["L11"].value) == (start, poor)
    assert ws.freeze_panes == "D11"
    ws = wb["Biểu 3"]
    assert "Tổng số hộ cận nghèo đầu kỳ" in _texts(ws, (7, 9))
    ws = wb["Biểu 5"]
    assert ws["A4"].value.startswith("PHÂN TÍCH TỶ LỆ CÁC CHỈ SỐ THIẾU HỤT")
    assert [ws.cell(row=9, column=c).value for c in range(4, 16)] == [str(i) for i in range(1, 13)]
    assert ws["D8"].value == "Việc làm"
    ws4 = wb["Biểu 4"]
    assert ws4["D7"].value == "Tổng số thiếu hụt" and ws4["C10"].value == 37  # Bảo Thắng's poor
    # Form 5 = Form 4's count / poor households, in percent with two decimals
    share = Decimal(ws4["E10"].value * 100) / Decimal(37)
    assert ws["D10"].value == float(share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    assert ws["D10"].number_format == "0.00"
