"""Report frames of the Alkire–Foster measures: the measures and inference tables of one round
(one block of rows per ``by`` variable, ``all`` first), the per-indicator table and the change
between two rounds with its design-based standard errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..law.standards import Standard
from .design import (
    Z_95,
    change_coefficients,
    design_variance,
    estimand_names,
    influences,
    make_design,
)
from .inputs import Units, units_design
from .method import (
    ALL,
    CHANGE_KINDS,
    MAIN_MEASURES,
    MISSING_LABEL,
    Totals,
    af_totals,
    change_values,
    div,
    order_levels,
    ratios,
    recode,
)

# --------------------------------------------------------------------------------------------
# One round
# --------------------------------------------------------------------------------------------


def _measures_block(
    t: Totals,
    w: np.ndarray,
    codes: Sequence[str],
    by: str,
    names: Sequence[str],
    unit_count: np.ndarray,
    households: np.ndarray,
    total_population: float,
    total_m0: float,
) -> pd.DataFrame:
    r = ratios(t, w)
    cols: dict[str, Any] = {
        "group": list(names),
        "unit_count": np.rint(unit_count).astype(np.int64),
        "H": r["H"],
        "A": r["A"],
        "M0": r["M0"],
    }
    for j, c in enumerate(codes):
        cols[f"h_{c}"] = r["h"][:, j]
    for j, c in enumerate(codes):
        cols[f"contrib_{c}"] = r["contrib"][:, j]
    cols["by"] = by
    cols["households"] = households.astype(np.int64)
    cols["population"] = t.population
    share = div(t.population, np.full_like(t.population, total_population))
    cols["pop_share"] = share
    cols["share_of_M0"] = div(100.0 * share * r["M0"], np.full_like(share, total_m0))
    for j, c in enumerate(codes):
        cols[f"u_{c}"] = r["u"][:, j]
    return pd.DataFrame(cols)


def _inference_block(
    est: np.ndarray, var: np.ndarray, names: Sequence[str], by: str, estimands: Sequence[str]
) -> pd.DataFrame:
    G, E = est.shape
    se = np.sqrt(var)
    se = np.where(np.isnan(est), np.nan, se)
    return pd.DataFrame(
        {
            "by": by,
            "group": np.repeat(np.asarray(names, dtype=object), E),
            "measure": np.tile(np.asarray(estimands, dtype=object), G),
            "estimate": est.ravel(),
            "se": se.ravel(),
            "ci_low": (est - Z_95 * se).ravel(),
            "ci_high": (est + Z_95 * se).ravel(),
        }
    )


def _group_sets(units: Units, by_vars: Sequence[str]) -> list[tuple[str, np.ndarray, list[str]]]:
    n = len(units.weight)
    sets = [(ALL, np.zeros(n, dtype=np.int64), [ALL])]
    for var in by_vars:
        codes, names = units.groups(var)
        sets.append((var, codes, names))
    return sets


def round_tables(
    units: Units, w: np.ndarray, k: float, codes: Sequence[str], by_vars: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The measures and inference frames of one round."""
    sets = _group_sets(units, by_vars)
    by_totals = [af_totals(units.X, w, k, g, len(names), units.weight) for _, g, names in sets[1:]]
    # the groups of any --by variable partition the units: the total is their sum
    t_all = by_totals[0].total() if by_totals else af_totals(units.X, w, k, weights=units.weight)
    totals = [t_all, *by_totals]
    total_population = float(t_all.population[0])
    total_m0 = float(ratios(t_all, w)["M0"][0])
    design = units_design(units)
    blocks, inference = [], []
    estimands = estimand_names(codes)
    for (by, g, names), t in zip(sets, totals, strict=True):
        G = len(names)
        if by == ALL:
            counts = np.array([units.count.sum()]), np.array([len(g)])
        else:
            counts = np.bincount(g, weights=units.count, minlength=G), np.bincount(g, minlength=G)
        block = _measures_block(t, w, codes, by, names, *counts, total_population, total_m0)
        if design is not None:
            est, u = influences(units.X, w, k, units.weight, g, G)
            var = design_variance(u, g, G, design)
            inf = _inference_block(est, var, names, by, estimands)
            inference.append(inf)
            se = np.sqrt(var)
            for e, m in enumerate(MAIN_MEASURES):
                block[f"{m}_se"] = se[:, e]
                block[f"{m}_ci_low"] = est[:, e] - Z_95 * se[:, e]
                block[f"{m}_ci_high"] = est[:, e] + Z_95 * se[:, e]
            for j, c in enumerate(codes):
                block[f"h_{c}_se"] = se[:, 3 + j]
        blocks.append(block)
    info: dict[str, Any] = {}
    if design is not None:
        n_h = design.psu_per_stratum()
        info = {
            "design": design.kind,
            "strata": design.n_strata,
            "psu": design.n_psu,
            "df": design.df,
            "lonely_strata": int((n_h == 1).sum()),
        }
    inf_frame = (
        pd.concat(inference, ignore_index=True)
        if inference
        else pd.DataFrame(columns=["by", "group", "measure", "estimate", "se", "ci_low", "ci_high"])
    )
    return pd.concat(blocks, ignore_index=True), inf_frame, info


def indicator_table(
    standard: Standard, w: np.ndarray, row: pd.Series, inference: pd.DataFrame
) -> pd.DataFrame:
    codes = standard.codes
    out = pd.DataFrame(
        {
            "code": codes,
            "number": [standard.indicators[c].number for c in codes],
            "service": [standard.indicators[c].service for c in codes],
            "label_vi": [standard.indicators[c].label_vi for c in codes],
            "label_en": [standard.indicators[c].label_en for c in codes],
            "weight": w,
            "uncensored": [row[f"u_{c}"] for c in codes],
            "censored": [row[f"h_{c}"] for c in codes],
            "contribution": [row[f"contrib_{c}"] for c in codes],
        }
    )
    if len(inference):
        tot = inference[inference["by"] == ALL].set_index("measure")
        out["censored_se"] = [tot.loc[f"h_{c}", "se"] for c in codes]
        out["uncensored_se"] = [tot.loc[f"u_{c}", "se"] for c in codes]
    return out


# --------------------------------------------------------------------------------------------
# Change between rounds
# --------------------------------------------------------------------------------------------


def change_table(
    cur: Units,
    prev: Units,
    w: np.ndarray,
    k: float,
    codes: Sequence[str],
    by_vars: Sequence[str],
    years: float | None,
) -> tuple[pd.DataFrame, bool]:
    """One row per group × measure: previous, current and the four changes (± SE)."""
    measures_names = [*MAIN_MEASURES, *(f"h_{c}" for c in codes)]
    E = len(measures_names)
    both_sample = cur.sample and prev.sample
    n0, n1 = len(prev.weight), len(cur.weight)
    if both_sample:
        lab = {}
        for name in ("stratum", "psu"):
            a, b = prev.design_labels[name], cur.design_labels[name]
            lab[name] = (
                None
                if a is None and b is None
                else pd.concat(
                    [
                        (a if a is not None else pd.Series(MISSING_LABEL, index=range(n0))),
                        (b if b is not None else pd.Series(MISSING_LABEL, index=range(n1))),
                    ],
                    ignore_index=True,
                )
                .astype("string")
                .to_numpy(dtype=object)
            )
        psu = lab["psu"]
        if psu is None:  # households are the PSUs: the same household in both rounds is one
            psu = (
                pd.concat(
                    [prev.column("household_id")[prev.keep], cur.column("household_id")[cur.keep]],
                    ignore_index=True,
                )
                .astype("string")
                .to_numpy(dtype=object)
            )
        pooled = make_design(lab["stratum"], psu, n0 + n1)
    rows = []
    for var in [ALL, *by_vars]:
        if var == ALL:
            g0, g1, names = np.zeros(n0, np.int64), np.zeros(n1, np.int64), [ALL]
        else:
            c0, names0 = prev.groups(var)
            c1, names1 = cur.groups(var)
            names = order_levels([*names0, *names1])
            g0, g1 = recode(c0, names0, names), recode(c1, names1, names)
        G = len(names)
        t0 = af_totals(prev.X, w, k, g0, G, prev.weight)
        t1 = af_totals(cur.X, w, k, g1, G, cur.weight)
        r0, r1 = ratios(t0, w), ratios(t1, w)
        x0 = np.column_stack([r0["H"], r0["A"], r0["M0"], r0["h"]])
        x1 = np.column_stack([r1["H"], r1["A"], r1["M0"], r1["h"]])
        ch = change_values(x0, x1, years)
        block = {
            "by": var,
            "group": np.repeat(np.asarray(names, dtype=object), E),
            "measure": np.tile(np.asarray(measures_names, dtype=object), G),
            "previous": x0.ravel(),
            "current": x1.ravel(),
            "years": years if years else np.nan,
        }
        for kind in CHANGE_KINDS:
            block[kind] = ch[kind].ravel()
        if both_sample:
            _, u0 = influences(prev.X, w, k, prev.weight, g0, G)
            _, u1 = influences(cur.X, w, k, cur.weight, g1, G)
            u0, u1 = u0[:, :E], u1[:, :E]
            grads = change_coefficients(x0, x1, years)
            gpool = np.concatenate([g0, g1])
            for kind in CHANGE_KINDS:
                if kind not in grads:
                    se = np.full(G * E, np.nan)
                else:
                    a, b = grads[kind]
                    u = np.concatenate(
                        [np.nan_to_num(a)[g0] * u0, np.nan_to_num(b)[g1] * u1], axis=0
                    )
                    var_ = design_variance(u, gpool, G, pooled)
                    se = np.where(np.isnan(ch[kind]), np.nan, np.sqrt(var_)).ravel()
                block[f"{kind}_se"] = se
                block[f"{kind}_ci_low"] = ch[kind].ravel() - Z_95 * se
                block[f"{kind}_ci_high"] = ch[kind].ravel() + Z_95 * se
        rows.append(pd.DataFrame(block))
    return pd.concat(rows, ignore_index=True), both_sample


__all__ = ["change_table", "indicator_table", "round_tables"]
