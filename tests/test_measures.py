"""Alkire–Foster measures (issue 5): a published worked example, the method's identities,
missing values, design-based standard errors checked by hand, change between rounds, and
agreement with PyPI's mpitb (optional: skipped when it is not installed)."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mdpoverty
from mdpoverty.af import measures as M
from mdpoverty.af import method as af
from mdpoverty.af.weights import indicator_weights, load_weights_file
from mdpoverty.core import Result
from mdpoverty.errors import InputFileError, UsageError
from mdpoverty.law.standards import load_standard

ROOT = Path(__file__).resolve().parents[1]
STD = load_standard("vn-2022-2025")
CODES = STD.codes
W12 = np.full(12, 1 / 12)


def make_result(
    flags,
    *,
    members=None,
    commune=None,
    cls=None,
    weight=None,
    stratum=None,
    psu=None,
    survey_date=None,
    ids=None,
) -> Result:
    """A classify Result from rows of 12 flags (None = not determined)."""
    n = len(flags)
    hh = pd.DataFrame(
        {
            "household_id": pd.array(ids or [f"H{i:03d}" for i in range(n)], dtype="string"),
            "province": pd.array(["P"] * n, dtype="string"),
            "district": pd.array(["D"] * n, dtype="string"),
            "commune": pd.array(commune or ["C"] * n, dtype="string"),
            "village": pd.array(["V"] * n, dtype="string"),
            "area": pd.array(["rural"] * n, dtype="string"),
            "members": pd.array(members or [1] * n, dtype="Int64"),
        }
    )
    for j, c in enumerate(CODES):
        hh[f"dep_{c}"] = pd.array(
            [row[j] if row[j] is not None else None for row in flags], "boolean"
        )
    cls = cls or ["poor"] * n
    hh["deprivation_count"] = pd.array(
        [
            None if k == "" else sum(bool(v) for v in row if v is not None)
            for row, k in zip(flags, cls, strict=True)
        ],
        dtype="Int64",
    )
    hh["class"] = pd.array(cls, dtype="string")
    extra = pd.DataFrame(
        {
            "survey_date": pd.array(survey_date or [None] * n, dtype="string"),
            "sample_weight": pd.array(weight or [None] * n, dtype="Float64"),
            "stratum": pd.array(stratum or [None] * n, dtype="string"),
            "psu": pd.array(psu or [None] * n, dtype="string"),
        }
    )
    return Result(hh, pd.DataFrame(), STD, extra=extra)


def row(*deprived: int) -> list[bool]:
    """12 flags, deprived in the listed indicator positions (0-based)."""
    return [j in deprived for j in range(12)]


# ------------------------------------------------------------------------------------------
# The published worked example
# ------------------------------------------------------------------------------------------

# Alkire, S. & Foster, J. (2011), "Counting and multidimensional poverty measurement",
# Journal of Public Economics 95(7–8), 476–487, §2–3: four persons, four dimensions, equal
# (unit) weights. The achievement matrix y and the cutoff vector z of the paper's example:
#
#     y = [[13.1, 14, 4, 1],        z = (13, 12, 3, 1); deprived when y_ij < z_j
#          [15.2,  7, 5, 0],
#          [12.5, 10, 1, 0],
#          [20,   11, 3, 1]]
#
# give g0 = [[0,0,0,0],[0,1,0,1],[1,1,1,1],[0,1,0,0]] and counts c = (0, 2, 4, 1). With the
# dimension cutoff k = 2 (of 4) persons 2 and 3 are poor: H = 2/4 = 1/2, A = (2+4)/(2·4) = 3/4,
# M0 = HA = 6/16 = 3/8 — the paper's numbers. The same y and z appear, as the Alkire–Foster
# example, in the examples of the R package perlatex/easyuse (`cutoffs_modify_at`, whose README
# prints the deprivation columns of x and y that g0 below repeats), an independent copy of the
# paper's matrix. The paper's full text could not be retrieved here, so every further number
# below (union, intersection, headcounts, contributions) is derived by hand from g0, shown in
# the comments, never from the code under test.
AF_Y = np.array([[13.1, 14, 4, 1], [15.2, 7, 5, 0], [12.5, 10, 1, 0], [20, 11, 3, 1]])
AF_Z = np.array([13, 12, 3, 1])
AF_W = np.full(4, 1 / 4)  # unit weights 1 per dimension, normalised to sum to 1


def af_example(k: float) -> dict[str, np.ndarray]:
    g0 = AF_Y < AF_Z
    return M.ratios(M.af_totals(g0, AF_W, k), AF_W)


def test_worked_example_deprivation_matrix():
    g0 = (AF_Y < AF_Z).astype(int)
    assert g0.tolist() == [[0, 0, 0, 0], [0, 1, 0, 1], [1, 1, 1, 1], [0, 1, 0, 0]]
    assert (g0.sum(axis=1)).tolist() == [0, 2, 4, 1]


def test_worked_example_k2_of_4():
    r = af_example(2 / 4)
    assert r["H"][0] == pytest.approx(1 / 2, abs=1e-15)
    assert r["A"][0] == pytest.approx(3 / 4, abs=1e-15)
    assert r["M0"][0] == pytest.approx(3 / 8, abs=1e-15)
    # censored g0(k) keeps rows 2 and 3: columns deprived 1, 2, 1, 2 times of 4 persons
    assert r["h"][0] == pytest.approx([1 / 4, 2 / 4, 1 / 4, 2 / 4], abs=1e-15)
    # uncensored g0: columns deprived 1, 3, 1, 2 times
    assert r["u"][0] == pytest.approx([1 / 4, 3 / 4, 1 / 4, 2 / 4], abs=1e-15)
    # contribution w_j h_j / M0: (1/16)/(3/8) = 1/6, (1/8)/(3/8) = 1/3, …
    assert r["contrib"][0] == pytest.approx([100 / 6, 100 / 3, 100 / 6, 100 / 3], abs=1e-12)


def test_worked_example_union_and_intersection():
    # union: k = the smallest weight (1/4): persons 2, 3 and 4 are poor (c = 2, 4, 1)
    r = af_example(1 / 4)
    assert r["H"][0] == pytest.approx(3 / 4)
    assert r["A"][0] == pytest.approx(7 / 12)  # (2 + 4 + 1) / (3 · 4)
    assert r["M0"][0] == pytest.approx(7 / 16)
    # intersection: k = 1: only person 3, deprived in all four
    r = af_example(1.0)
    assert (r["H"][0], r["A"][0], r["M0"][0]) == pytest.approx((1 / 4, 1.0, 1 / 4))
    # union with k = the smallest weight: H is the share deprived in anything
    g0 = AF_Y < AF_Z
    assert af_example(AF_W.min())["H"][0] == pytest.approx(g0.any(axis=1).mean())


def test_worked_example_both_code_paths(monkeypatch):
    fast = af_example(0.5)
    monkeypatch.setattr(af, "MAX_PATTERN_CELLS", 0)  # force the per-indicator path
    slow = af_example(0.5)
    for key in fast:
        np.testing.assert_allclose(fast[key], slow[key], rtol=1e-14)


# ------------------------------------------------------------------------------------------
# k: a fraction, compared with a tolerance
# ------------------------------------------------------------------------------------------


def test_k_one_third_keeps_exactly_four_of_twelve():
    X = np.array([row(0, 1, 2, 3), row(0, 1, 2), row()])
    r = M.ratios(M.af_totals(X, W12, 1 / 3), W12)
    assert r["H"][0] == pytest.approx(1 / 3)  # the household at exactly 4/12 is poor
    assert r["A"][0] == pytest.approx(4 / 12)
    r = M.ratios(M.af_totals(X, W12, 0.25), W12)  # 3 of 12
    assert r["H"][0] == pytest.approx(2 / 3)


@pytest.mark.parametrize("k", [33, 100 / 3, 0, -0.1, float("nan")])
def test_k_out_of_range_is_refused(k):
    with pytest.raises(UsageError):
        M.check_k(k)


def test_k_percent_hint():
    with pytest.raises(UsageError, match=r"did you mean 0\.33"):
        M.check_k(33)


# ------------------------------------------------------------------------------------------
# Identities on random data
# ------------------------------------------------------------------------------------------


@st.composite
def populations(draw):
    n = draw(st.integers(1, 60))
    d = draw(st.integers(1, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    X = rng.random((n, d)) < rng.random(d)
    raw = rng.random(d) + 0.05
    w = raw / raw.sum()
    v = rng.integers(1, 8, n).astype(float)
    G = draw(st.integers(1, 5))
    g = rng.integers(0, G, n)
    k = draw(st.sampled_from(["min", "one", "mid"]))
    k = {"min": w.min(), "one": 1.0, "mid": float(rng.uniform(0.05, 1))}[k]
    return X, w, v, g, G, k


@settings(max_examples=150, deadline=None, derandomize=True)
@given(populations())
def test_identities(pop):
    X, w, v, g, G, k = pop
    t = M.af_totals(X, w, k, g, G, v)
    r = M.ratios(t, w)
    has = t.population > 0
    poor = t.poor > 0
    # M0 = H × A where there are poor; M0 = Σ w_j h_j (censored) everywhere
    np.testing.assert_allclose(r["M0"][poor], (r["H"] * r["A"])[poor], rtol=1e-12)
    np.testing.assert_allclose(r["M0"][has], (r["h"] @ w)[has], rtol=1e-12, atol=1e-15)
    # contributions sum to 100 where M0 > 0
    pos = np.nan_to_num(r["M0"]) > 0
    np.testing.assert_allclose(r["contrib"][pos].sum(axis=1), 100.0, rtol=1e-12)
    # censored ≤ uncensored headcounts
    assert (np.nan_to_num(r["h"]) <= np.nan_to_num(r["u"]) + 1e-15).all()
    # decomposition: population-share weighted M0 of the groups sums back to the total M0
    tot = M.ratios(t.total(), w)
    share = t.population / t.population.sum()
    assert np.nansum(share * r["M0"]) == pytest.approx(tot["M0"][0], rel=1e-12, abs=1e-15)
    # totals per group equal a direct computation, group by group
    c = X.astype(float) @ w
    p = c >= k - M.K_TOLERANCE
    for grp in range(G):
        m = g == grp
        if v[m].sum():
            assert r["H"][grp] == pytest.approx((v[m] * p[m]).sum() / v[m].sum(), rel=1e-12)
            assert r["M0"][grp] == pytest.approx((v[m] * p[m] * c[m]).sum() / v[m].sum(), rel=1e-12)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(populations())
def test_pattern_path_equals_indicator_path(pop):
    X, w, v, g, G, k = pop
    fast = M.af_totals(X, w, k, g, G, v)
    old = af.MAX_PATTERN_CELLS
    try:
        af.MAX_PATTERN_CELLS = 0
        slow = M.af_totals(X, w, k, g, G, v)
    finally:
        af.MAX_PATTERN_CELLS = old
    for a, b in zip(
        (fast.population, fast.poor, fast.score, fast.censored, fast.uncensored),
        (slow.population, slow.poor, slow.score, slow.censored, slow.uncensored),
        strict=True,
    ):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("d", [1, 3, 4, 7, 12, 13, 16])
def test_profiles_number_the_flags(d):
    rng = np.random.default_rng(d)
    X = rng.random((257, d)) < 0.5
    expected = (X.astype(np.int64) << np.arange(d)).sum(axis=1)
    np.testing.assert_array_equal(M.profiles(X), expected)
    np.testing.assert_array_equal(M.profiles(np.asfortranarray(X)), expected)


def test_union_and_intersection_on_twelve():
    X = np.array([row(), row(4), row(0, 1, 2), row(*range(12))])
    union = M.ratios(M.af_totals(X, W12, W12.min()), W12)
    assert union["H"][0] == pytest.approx(3 / 4)  # anyone deprived in anything
    inter = M.ratios(M.af_totals(X, W12, 1.0), W12)
    assert (inter["H"][0], inter["A"][0]) == pytest.approx((1 / 4, 1.0))


def test_no_poor_gives_empty_intensity_and_contributions():
    X = np.array([row(1), row()])
    r = M.ratios(M.af_totals(X, W12, 0.25), W12)
    assert r["H"][0] == 0 and r["M0"][0] == 0
    assert np.isnan(r["A"][0]) and np.isnan(r["contrib"][0]).all()


# ------------------------------------------------------------------------------------------
# From a classify Result: units, subgroups, missing values
# ------------------------------------------------------------------------------------------


def test_persons_weight_households_by_members():
    res = make_result([row(0, 1, 2), row()], members=[3, 1])
    per = M.measures(res)
    hh = M.measures(res, unit="households")
    assert per.measures.loc[0, "H"] == pytest.approx(3 / 4)  # 3 of 4 persons
    assert per.measures.loc[0, "unit_count"] == 4
    assert hh.measures.loc[0, "H"] == pytest.approx(1 / 2)  # 1 of 2 households
    assert hh.measures.loc[0, "unit_count"] == 2


def test_output_contract_columns_and_decomposition():
    res = make_result(
        [row(0, 1, 2), row(3), row(5, 6, 7, 8), row(), row(0, 1, 2, 3, 4)],
        members=[2, 3, 4, 1, 5],
        commune=["A", "A", "B", "B", None],
    )
    out = M.measures(res, by="commune").measures
    head = ["group", "unit_count", "H", "A", "M0"]
    head += [f"h_{c}" for c in CODES] + [f"contrib_{c}" for c in CODES]
    assert list(out.columns[: len(head)]) == head
    assert out["group"].tolist() == ["all", "A", "B", "(missing)"]
    assert out["by"].tolist() == ["all", "commune", "commune", "commune"]
    total = out.iloc[0]
    groups = out.iloc[1:]
    assert (groups["pop_share"] * groups["M0"]).sum() == pytest.approx(total["M0"], rel=1e-12)
    assert groups["share_of_M0"].sum() == pytest.approx(100.0)
    assert groups["unit_count"].sum() == total["unit_count"] == 15
    # by hand: poor persons 2 (A) + 4 (B) + 5 (missing) = 11 of 15, scores 3,4,5 of 12
    assert total["H"] == pytest.approx(11 / 15)
    assert total["M0"] == pytest.approx((2 * 3 + 4 * 4 + 5 * 5) / 12 / 15)
    assert groups.set_index("group").loc["A", "H"] == pytest.approx(2 / 5)
    contrib = out[[f"contrib_{c}" for c in CODES]].sum(axis=1)
    np.testing.assert_allclose(contrib, 100.0)


def test_undetermined_households_are_reported_and_left_out():
    flags = [row(0, 1, 2), row(), row(0, 1, 2, 3), row(0, 1, 2)]
    flags[1] = [None, *row()[1:]]  # one indicator could not be determined
    res = make_result(flags, cls=["poor", "near_poor", "", "poor"], members=[1, 1, 1, 1])
    out = M.measures(res, unit="households")
    ex = out.excluded.set_index("household_id")["reason"]
    assert ex.to_dict() == {"H001": "indicator_missing", "H002": "not_classed"}
    assert out.settings["households_used"] == 2
    assert out.measures.loc[0, "H"] == pytest.approx(1.0)  # never counted as not deprived
    assert any(n.id == "excluded" for n in out.notes)


def test_nothing_left_to_measure():
    out = M.measures(make_result([row(0, 1, 2), row()], cls=["", ""]), by="commune")
    assert out.settings["households_used"] == 0 and len(out.excluded) == 2
    # the commune stays listed, with nothing measured in it
    assert out.measures["group"].tolist() == ["all", "C"]
    assert out.measures["unit_count"].tolist() == [0, 0]
    assert out.measures["H"].isna().all()  # an empty cell, never 0 or an infinity


def test_boolean_by_variable_labels():
    res = make_result([row(0, 1, 2), row()])
    res.households["ethnic_minority"] = pd.array([True, None], dtype="boolean")
    out = M.measures(res, by="ethnic_minority").measures
    assert out["group"].tolist() == ["all", "yes", "(missing)"]


def test_unknown_by_column():
    with pytest.raises(UsageError, match="--by"):
        M.measures(make_result([row()]), by="nope")


def test_census_has_no_standard_errors(example_survey):
    out = M.measures(example_survey, by="commune")
    assert out.census and out.inference.empty
    assert not any(c.endswith("_se") for c in out.measures.columns)
    assert out.notes[-1].id == "census"


def test_example_survey_by_commune_sums_back(example_survey):
    out = M.measures(example_survey, by="commune,village,area,ethnic_minority")
    m = out.measures
    total = m.iloc[0]
    for var in ["commune", "village", "area", "ethnic_minority"]:
        g = m[m["by"] == var]
        assert g["unit_count"].sum() == total["unit_count"]
        assert (g["pop_share"] * g["M0"]).sum() == pytest.approx(total["M0"], rel=1e-12)
    classed = mdpoverty.classify(example_survey).households
    assert total["unit_count"] == classed["members"].sum()


# ------------------------------------------------------------------------------------------
# Weights
# ------------------------------------------------------------------------------------------


def test_nested_equals_equal_under_decree_07():
    np.testing.assert_allclose(indicator_weights("nested", STD), W12)


def test_weights_files():
    ind = load_weights_file(ROOT / "data/weights/vn-2022-2025-indicators.toml", STD)
    np.testing.assert_allclose(ind, W12)
    srv = load_weights_file(ROOT / "data/weights/vn-2022-2025-services.toml", STD)
    by_code = dict(zip(CODES, srv, strict=True))
    assert by_code["nutrition"] == pytest.approx(1 / 8) and by_code["water"] == pytest.approx(
        1 / 16
    )
    assert srv.sum() == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[indicators]\nemployment = 0.5\n", "missing"),
        ("[services]\njobs = 1\n", "missing"),
        ("[indicators]\n" + "".join(f'{c} = "1/11"\n' for c in CODES), "sum to 1"),
        ("[indicators]\n" + "".join(f'{c} = "1/12"\n' for c in CODES) + "x = 0\n", "unknown"),
        ("[indicators]\n" + "".join(f'{c} = "a"\n' for c in CODES), "fraction"),
        ("title = 'none'\n", "exactly one"),
    ],
)
def test_bad_weights_files(tmp_path, text, message):
    p = tmp_path / "w.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        load_weights_file(p, STD)


def test_missing_weights_file(tmp_path):
    with pytest.raises(InputFileError):
        load_weights_file(tmp_path / "none.toml", STD)


def test_unequal_weights_change_the_score():
    w = dict.fromkeys(CODES, 0.05)
    w["employment"] = 0.45
    res = make_result([row(0), row(1, 2, 3)])
    out = M.measures(res, weights=w, k=0.3, unit="households").measures
    # household 1: c = 0.45 ≥ 0.3 poor; household 2: c = 0.15 not poor
    assert out.loc[0, "H"] == pytest.approx(0.5)
    assert out.loc[0, "A"] == pytest.approx(0.45)
    assert out.loc[0, "contrib_employment"] == pytest.approx(100.0)


# ------------------------------------------------------------------------------------------
# Design-based standard errors
# ------------------------------------------------------------------------------------------


def test_srs_se_of_a_proportion_has_its_closed_form():
    rng = np.random.default_rng(5)
    flags = [row(*np.flatnonzero(rng.random(12) < 0.3)) for _ in range(40)]
    res = make_result(flags, weight=[7.0] * 40)
    out = M.measures(res, unit="households")
    H = out.measures.loc[0, "H"]
    # with equal weights and households as PSUs (SRS with replacement), linearisation gives
    # V(H) = n/(n−1) · Σ((p_i − H)/n)² = H(1 − H)/(n − 1)
    assert out.measures.loc[0, "H_se"] == pytest.approx(np.sqrt(H * (1 - H) / 39), rel=1e-12)
    assert out.settings["design"] == "srs"


def tiny_design() -> Result:
    # Stratum A: PSU 1 = households 1 (w 1, poor) and 2 (w 1, not); PSU 2 = household 3
    # (w 2, poor). Stratum B: PSU 3 = household 4 (w 1, not); PSU 4 = household 5 (w 1, not).
    # Communes: X = households 1, 3, 4; Y = households 2, 5.
    poor, rich = row(0, 1, 2, 3), row()
    return make_result(
        [poor, rich, poor, rich, rich],
        weight=[1.0, 1.0, 2.0, 1.0, 1.0],
        stratum=["A", "A", "A", "B", "B"],
        psu=["1", "1", "2", "3", "4"],
        commune=["X", "Y", "X", "X", "Y"],
    )


def test_stratified_cluster_se_by_hand():
    out = M.measures(tiny_design(), unit="households", by="commune")
    m = out.measures.set_index("group")
    # total: N = 6, H = 3/6. Influences w(p − H)/N: 1/12, −1/12, 1/6, −1/12, −1/12.
    # PSU totals: 0, 1/6 | −1/12, −1/12. Stratum A: 2/1 · ((1/12)² + (1/12)²) = 4/144;
    # stratum B: 0. V = 1/36, SE = 1/6.
    assert m.loc["all", "H"] == pytest.approx(0.5)
    assert m.loc["all", "H_se"] == pytest.approx(1 / 6, rel=1e-12)
    # domain X: N = 4, H = 3/4. Influences 1/16, 1/8, −3/16 (zero elsewhere).
    # PSU totals: 1/16, 1/8 | −3/16, 0 (PSU 4 has no X household: a zero, not dropped).
    # A: 2 · 2 · (1/32)² = 4/1024; B: 2 · 2 · (3/32)² = 36/1024. V = 40/1024 = 5/128.
    assert m.loc["X", "H"] == pytest.approx(3 / 4)
    assert m.loc["X", "H_se"] == pytest.approx(np.sqrt(5 / 128), rel=1e-12)
    assert m.loc["all", "H_ci_low"] == pytest.approx(0.5 - M.Z_95 / 6)
    assert out.settings["psu"] == 4 and out.settings["strata"] == 2 and out.settings["df"] == 2


def brute_force_variance(y, x, v, g, target, stratum, psu):
    """Textbook linearised variance of Σv·y/Σv·x over group ``target``, by explicit loops."""
    inside = g == target
    Y, X = (v * y)[inside].sum(), (v * x)[inside].sum()
    R = Y / X
    total = 0.0
    for h in sorted(set(stratum)):
        psus = sorted({p for s, p in zip(stratum, psu, strict=True) if s == h})
        z = []
        for c in psus:
            zc = 0.0
            for i in range(len(y)):
                if stratum[i] == h and psu[i] == c and inside[i]:
                    zc += v[i] * (y[i] - R * x[i]) / X
            z.append(zc)
        if len(z) > 1:
            zbar = sum(z) / len(z)
            total += len(z) / (len(z) - 1) * sum((zc - zbar) ** 2 for zc in z)
    return total


def test_se_matches_a_textbook_loop_on_a_random_design():
    rng = np.random.default_rng(11)
    n = 80
    flags = [row(*np.flatnonzero(rng.random(12) < 0.25)) for _ in range(n)]
    weight = rng.uniform(1, 5, n)
    members = rng.integers(1, 7, n)
    stratum = [f"s{s}" for s in rng.integers(0, 4, n)]
    psu = [f"p{p}" for p in rng.integers(0, 5, n)]
    commune = [f"c{c}" for c in rng.integers(0, 3, n)]
    res = make_result(
        flags,
        weight=weight.tolist(),
        stratum=stratum,
        psu=psu,
        commune=commune,
        members=members.tolist(),
    )
    out = M.measures(res, by="commune")  # persons: v = members × weight
    X = np.array(flags)
    c = X @ W12
    p = (c >= 0.25 - 1e-9).astype(float)
    v = members * weight
    codes = np.array([int(s[1:]) for s in commune])
    inf = out.inference.set_index(["group", "measure"])
    for target, name in [(0, "c0"), (2, "c2")]:
        for measure, y, x in [
            ("H", p, np.ones(n)),
            ("A", c * p, p),
            ("M0", c * p, np.ones(n)),
            ("h_water", p * X[:, 8], np.ones(n)),
        ]:
            var = brute_force_variance(y, x, v, codes, target, stratum, psu)
            assert inf.loc[(name, measure), "se"] == pytest.approx(np.sqrt(var), rel=1e-10)


def test_missing_design_values_are_excluded():
    res = make_result(
        [row(0, 1, 2), row(), row()], weight=[1.0, None, 2.0], stratum=["a", "a", None]
    )
    out = M.measures(res)
    assert out.excluded["reason"].tolist() == ["no_sample_weight", "design_missing"]


# ------------------------------------------------------------------------------------------
# Change between rounds
# ------------------------------------------------------------------------------------------


def test_change_values_by_hand():
    ch = M.change_values(np.array([0.5]), np.array([0.32]), 2)
    assert ch["abs"][0] == pytest.approx(-0.18)
    assert ch["rel"][0] == pytest.approx(-36.0)
    assert ch["ann_abs"][0] == pytest.approx(-0.09)
    assert ch["ann_rel"][0] == pytest.approx(-20.0)  # (0.32/0.5)^(1/2) = 0.8


def test_change_between_two_rounds():
    prev = make_result(
        [row(0, 1, 2), row(0, 1, 2, 3), row(), row()], survey_date=["2023-09-20"] * 4
    )
    cur = make_result([row(0, 1, 2), row(), row(), row()], survey_date=["2025-09-20"] * 4)
    out = M.measures(cur, previous=prev, unit="households")
    ch = out.change.set_index("measure")
    assert out.settings["years"] == 2
    assert ch.loc["H", "previous"] == pytest.approx(0.5) and ch.loc[
        "H", "current"
    ] == pytest.approx(0.25)
    assert ch.loc["H", "abs"] == pytest.approx(-0.25)
    assert ch.loc["H", "rel"] == pytest.approx(-50.0)
    assert ch.loc["H", "ann_rel"] == pytest.approx(100 * (0.5**0.5 - 1))
    # M0: (3 + 4)/12/4 → 3/12/4
    assert ch.loc["M0", "abs"] == pytest.approx(3 / 48 - 7 / 48)
    assert ch.loc["h_dependents", "previous"] == pytest.approx(0.5)
    assert "abs_se" not in out.change  # a census: no standard errors


def test_change_se_independent_rounds_add_and_panel_cancels():
    rng = np.random.default_rng(3)
    n = 50
    flags0 = [row(*np.flatnonzero(rng.random(12) < 0.3)) for _ in range(n)]
    flags1 = [row(*np.flatnonzero(rng.random(12) < 0.2)) for _ in range(n)]
    kw = {"weight": [2.0] * n, "stratum": ["a", "b"] * (n // 2)}
    prev = make_result(flags0, psu=[f"old{i % 10}" for i in range(n)], **kw)
    cur = make_result(flags1, psu=[f"new{i % 10}" for i in range(n)], **kw)
    out = M.measures(cur, previous=prev, years=2, unit="households")
    se0 = M.measures(prev, unit="households").measures.loc[0, "M0_se"]
    se1 = out.measures.loc[0, "M0_se"]
    ch = out.change.set_index("measure")
    # different PSUs in the same strata: pooled n_h doubles, so the change's variance is the
    # pooled-design one; with no shared PSU it equals V0 + V1 up to the n_h/(n_h − 1) factors
    v_pool = ch.loc["M0", "abs_se"] ** 2
    assert v_pool == pytest.approx((se0**2 + se1**2), rel=0.15)
    # the same households, same PSUs, same flags in both rounds: no change, no variance
    same = M.measures(prev, previous=prev, years=1, unit="households").change.set_index("measure")
    assert same.loc["M0", "abs"] == 0 and same.loc["M0", "abs_se"] == pytest.approx(0, abs=1e-15)


def test_change_se_of_independent_srs_rounds_is_the_sum():
    rng = np.random.default_rng(8)
    n = 30
    f0 = [row(*np.flatnonzero(rng.random(12) < 0.3)) for _ in range(n)]
    f1 = [row(*np.flatnonzero(rng.random(12) < 0.3)) for _ in range(n)]
    prev = make_result(f0, weight=[1.0] * n, ids=[f"A{i}" for i in range(n)])
    cur = make_result(f1, weight=[1.0] * n, ids=[f"B{i}" for i in range(n)])
    out = M.measures(cur, previous=prev, years=1, unit="households")
    H0 = M.measures(prev, unit="households").measures.loc[0, "H"]
    H1 = out.measures.loc[0, "H"]
    ch = out.change.set_index("measure")
    # pooled SRS of 2n PSUs: 2n/(2n−1) Σ z² with z the two rounds' influences; by hand
    # Σz² = H0(1−H0)/n + H1(1−H1)/n, so V = 2n/(2n−1) · (H0(1−H0) + H1(1−H1))/n
    expected = 2 * n / (2 * n - 1) * (H0 * (1 - H0) + H1 * (1 - H1)) / n
    assert ch.loc["H", "abs_se"] ** 2 == pytest.approx(expected, rel=1e-12)


def test_previous_with_other_indicators_is_refused():
    prev = make_result([row()])
    prev.standard = load_standard("vn-2016-2020")
    with pytest.raises(UsageError, match="indicators"):
        M.measures(make_result([row()]), previous=prev)


def test_classify_output_as_previous(tmp_path, example_survey):
    res = mdpoverty.classify(example_survey)
    path = tmp_path / "prev.csv"
    res.households.to_csv(path, index=False)
    out = M.measures(res, previous=path, years=1, by="commune")
    assert (out.change["abs"].abs().fillna(0) < 1e-12).all()


# ------------------------------------------------------------------------------------------
# Agreement with PyPI mpitb (optional)
# ------------------------------------------------------------------------------------------


def _mpitb_frame(n: int = 3000, groups: int = 7, seed: int = 1):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 12)) < rng.uniform(0.05, 0.4, 12)
    df = pd.DataFrame(X.astype(int), columns=[f"d{j}" for j in range(12)])
    df["w"] = rng.uniform(0.5, 4.0, n)
    df["grp"] = rng.integers(0, groups, n)
    return X, df


def _mpitb_run(df: pd.DataFrame, k_percent: int, over=None) -> pd.DataFrame:
    mpitb = pytest.importorskip("mpitb")
    tb = mpitb.MPIToolbox()
    names = [f"d{j}" for j in range(12)]
    tb.set(name="vn", dimensions=[(names, "all")])
    tb.svyset(weight="w")
    recs = tb.est(
        df.copy(),  # mpitb writes score/poor columns into the frame it is given
        "vn",
        [k_percent],
        weights=dict.fromkeys(names, 1 / 12),
        svy=True,
        over=over,
    )
    return pd.DataFrame(recs)


def test_agreement_with_mpitb_total_and_groups():
    pytest.importorskip("mpitb")
    X, df = _mpitb_frame()
    theirs = _mpitb_run(df, 33, over=["grp"])
    g = df["grp"].to_numpy()
    ours_all = M.ratios(M.af_totals(X, W12, 0.33, weights=df["w"].to_numpy()), W12)
    ours = M.ratios(M.af_totals(X, W12, 0.33, g, 7, df["w"].to_numpy()), W12)
    nat = theirs[theirs["loa"] == "nat"]
    for m in ("H", "A", "M0"):
        assert nat[nat["measure"] == m]["b"].iloc[0] == pytest.approx(ours_all[m][0], rel=1e-12)
        sub = theirs[(theirs["loa"] == "grp") & (theirs["measure"] == m)].set_index("subg")["b"]
        np.testing.assert_allclose(sub.sort_index().to_numpy(), ours[m], rtol=1e-12)
    for j in range(12):
        ind = nat[nat["indicator"] == f"d{j}"].set_index("measure")["b"]
        assert ind["hdk"] == pytest.approx(ours_all["h"][0, j], rel=1e-12)
        assert ind["hd"] == pytest.approx(ours_all["u"][0, j], rel=1e-12)
        assert 100 * ind["pctb"] == pytest.approx(ours_all["contrib"][0, j], rel=1e-12)


def test_mpitb_integer_percent_drops_exactly_one_third():
    pytest.importorskip("mpitb")
    X = np.array([row(0, 1, 2, 3), row()])
    df = pd.DataFrame(X.astype(int), columns=[f"d{j}" for j in range(12)]).assign(w=1.0, grp=0)
    theirs = _mpitb_run(df, 100 / 3)
    H_theirs = theirs[(theirs["loa"] == "nat") & (theirs["measure"] == "H")]["b"].iloc[0]
    H_ours = M.ratios(M.af_totals(X, W12, 1 / 3), W12)["H"][0]
    assert H_ours == 0.5  # four of twelve is a third: poor at k = 1/3
    if version("mpitb") == "0.2":  # compares c ≥ k/100: 0.3333333333333333 < 0.33333333333333337
        assert H_theirs == 0.0
