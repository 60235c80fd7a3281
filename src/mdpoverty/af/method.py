"""Alkire–Foster measures, the pure core: identification, censoring, weighted totals and the
ratios built from them (H, A, M0, headcounts, contributions), groups and change between rounds.

Method (Alkire & Foster 2011, "Counting and multidimensional poverty measurement", J. Public
Econ. 95(7–8): 476–487; Alkire, Foster, Seth, Santos, Roche & Ballon 2015, *Multidimensional
Poverty Measurement and Analysis*, OUP, ch. 5): with indicator weights w (summing to 1) and a
unit's deprivation flags x, its score is c = Σ_j w_j x_j; it is poor when c ≥ k. Over a
population with unit weights v:

- H = Σ v·1[c≥k] / Σ v (headcount ratio), A = Σ v·c·1[c≥k] / Σ v·1[c≥k] (intensity),
  M0 = Σ v·c·1[c≥k] / Σ v = H × A (adjusted headcount ratio);
- uncensored headcount u_j = Σ v·x_j / Σ v; censored h_j = Σ v·1[c≥k]·x_j / Σ v, so that
  M0 = Σ_j w_j h_j, and the percentage contribution of indicator j is 100·w_j h_j / M0;
- subgroups: M0 = Σ_g (N_g/N)·M0_g, the group's contribution 100·(N_g/N)·M0_g / M0;
- change between rounds (book ch. 9): absolute X1 − X0, relative 100·(X1 − X0)/X0, annualised
  absolute (X1 − X0)/T, annualised relative 100·((X1/X0)^(1/T) − 1).

``k`` is a fraction of the weighted indicators (0 < k ≤ 1), compared as c ≥ k − 1e-9 so that
k = 1/3 and four deprivations of weight 1/12 meet despite floating point — never an integer
percent (k = 33 would be an error; PyPI's ``mpitb`` 0.2 compares ``c >= k/100``).

Every measure is a ratio of weighted totals, so the whole computation is a few weighted
``bincount``s: the rows' deprivation profiles are packed into integers (12 flags → 4,096
patterns), one ``bincount`` over (group, pattern) gives the weighted count of every profile in
every group, and every measure of every group follows from that small table by matrix products.

Standard errors are in :mod:`.af_design`; the report frames in :mod:`.af_tables`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UsageError

K_TOLERANCE = 1e-9
MISSING_LABEL = "(missing)"
ALL = "all"
MAX_PATTERN_CELLS = 1 << 25  # groups × profiles cells of the profile table (256 MiB of float64)
PATTERN_ROWS_RATIO = 8  # the profile table pays while it has ≤ 8 cells per row of data
MAIN_MEASURES = ("H", "A", "M0")
CHANGE_KINDS = ("abs", "rel", "ann_abs", "ann_rel")


# --------------------------------------------------------------------------------------------
# Pure functions on a flag matrix
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """Weighted sufficient statistics of the AF measures, one row per group.

    ``population`` Σv, ``poor`` Σv·1[c≥k], ``score`` Σv·c·1[c≥k] (censored score total),
    ``censored`` Σv·1[c≥k]·x_j and ``uncensored`` Σv·x_j (groups × indicators).
    """

    population: np.ndarray
    poor: np.ndarray
    score: np.ndarray
    censored: np.ndarray
    uncensored: np.ndarray

    def total(self) -> Totals:
        """The totals of all groups together (groups partition the population)."""
        return Totals(
            self.population.sum(keepdims=True),
            self.poor.sum(keepdims=True),
            self.score.sum(keepdims=True),
            self.censored.sum(axis=0, keepdims=True),
            self.uncensored.sum(axis=0, keepdims=True),
        )


def check_k(k: float, w: np.ndarray | None = None) -> float:
    """``k`` as a float in (0, 1]; an integer percent such as 33 is refused, not divided."""
    try:
        k = float(k)
    except (TypeError, ValueError):
        raise UsageError(
            f"k must be a number, got {k!r}", f"k phải là số, không phải {k!r}"
        ) from None
    if not (0.0 < k <= 1.0 + K_TOLERANCE) or math.isnan(k):
        hint = f" (did you mean {k / 100:g}?)" if 1 < k <= 100 else ""
        hint_vi = f" (có phải {k / 100:g}?)" if 1 < k <= 100 else ""
        raise UsageError(
            f"k is a fraction of the weighted indicators, 0 < k ≤ 1, got {k:g}{hint}",
            f"k là tỷ lệ của tổng trọng số các chỉ số, 0 < k ≤ 1, nhận được {k:g}{hint_vi}",
        )
    return min(k, 1.0)


def scores(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted deprivation score c = X·w of each row."""
    return np.asarray(X, dtype=np.float64) @ np.asarray(w, dtype=np.float64)


def identify(c: np.ndarray, k: float) -> np.ndarray:
    """The poor: c ≥ k, within :data:`K_TOLERANCE` (AF 2011's ρ_k)."""
    return c >= k - K_TOLERANCE


def as_flags(X: Any) -> np.ndarray:
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError("the flag matrix must be 2-D (units × indicators)")
    return X if X.dtype == np.bool_ else X != 0


def profiles(X: np.ndarray) -> np.ndarray:
    """Each row's flags as one integer, bit j = flag j (at most 16 indicators).

    Four 0/1 bytes b0…b3 read as a little-endian 32-bit word w give b0 + 2b1 + 4b2 + 8b3 as
    bits 24–27 of w × 0x01020408 (each product term lands on its own bit, so nothing carries):
    a few passes over the bytes instead of ``np.packbits``' bit loop.
    """
    n, d = X.shape
    d4 = -(-d // 4) * 4
    if d4 != d or not X.flags.c_contiguous:
        padded = np.zeros((n, d4), dtype=np.bool_)
        padded[:, :d] = X
        X = padded
    words = X.view(np.uint8).view("<u4")
    nibbles = (words * np.uint32(0x01020408)) >> np.uint32(24)
    code = nibbles[:, 0].astype(np.uint32)
    for b in range(1, d4 // 4):
        code |= nibbles[:, b] << np.uint32(4 * b)
    return code


def af_totals(
    X: Any,
    w: Any,
    k: float,
    groups: np.ndarray | None = None,
    n_groups: int | None = None,
    weights: np.ndarray | None = None,
) -> Totals:
    """Weighted AF totals per group for flag matrix ``X`` (units × indicators, bool or 0/1).

    ``groups`` holds integer codes 0 … n_groups − 1 (one group when omitted); ``weights`` the
    unit weights v (1 when omitted). Up to 16 indicators each row's flags become one integer
    (:func:`profiles`); one ``bincount`` over (group, profile) counts every profile in every
    group, and one matrix product of that table with the profiles' [1, poor, censored score,
    censored flags, flags] gives every total. When the table would cost more than the data
    (many groups, few rows), one ``bincount`` per indicator instead.
    """
    X = as_flags(X)
    w = np.asarray(w, dtype=np.float64)
    n, d = X.shape
    if groups is None:
        n_groups = 1
    elif n_groups is None:
        n_groups = int(groups.max()) + 1 if n else 1
    G = int(n_groups)
    v = None if weights is None else np.asarray(weights, dtype=np.float64)
    if 0 < d <= 16 and n:
        code = profiles(X)
        seen = np.bincount(code, minlength=1 << d)
        present = np.flatnonzero(seen)
        Pp = len(present)
        if G * Pp <= max(PATTERN_ROWS_RATIO * n, 1 << d) and G * Pp <= MAX_PATTERN_CELLS:
            return _pattern_totals(code, seen, present, d, w, k, groups, G, v)
    return _indicator_totals(X, w, k, groups, G, v)


def _pattern_totals(
    code: np.ndarray,
    seen: np.ndarray,
    present: np.ndarray,
    d: int,
    w: np.ndarray,
    k: float,
    groups: np.ndarray | None,
    G: int,
    v: np.ndarray | None,
) -> Totals:
    Pp = len(present)
    if groups is None and v is None:
        table = seen[present].astype(np.float64)[None, :]
    else:
        if Pp < len(seen):  # number the profiles that occur: a smaller table
            lookup = np.zeros(len(seen), dtype=np.int64)
            lookup[present] = np.arange(Pp)
            code = lookup[code]
        key = code if groups is None else groups.astype(np.int64) * Pp + code
        table = np.bincount(key, weights=v, minlength=G * Pp).reshape(G, Pp)
        table = table.astype(np.float64, copy=False)
    bits = ((present[:, None] >> np.arange(d)) & 1).astype(np.float64)
    c = bits @ w
    poor = identify(c, k).astype(np.float64)
    basis = np.column_stack([np.ones(Pp), poor, c * poor, bits * poor[:, None], bits])
    t = table @ basis  # one product for every total of every group
    return Totals(t[:, 0], t[:, 1], t[:, 2], t[:, 3 : 3 + d], t[:, 3 + d :])


def _indicator_totals(
    X: np.ndarray, w: np.ndarray, k: float, groups: np.ndarray | None, G: int, v: np.ndarray | None
) -> Totals:
    n, d = X.shape
    g = np.zeros(n, dtype=np.int64) if groups is None else groups
    c = scores(X, w)
    poor = identify(c, k)
    gp, Xp = g[poor], X[poor]
    censored = np.empty((G, d))
    uncensored = np.empty((G, d))
    if v is None:
        for j in range(d):  # one pass per indicator, never per unit or group
            censored[:, j] = np.bincount(gp[Xp[:, j]], minlength=G)
            uncensored[:, j] = np.bincount(g[X[:, j]], minlength=G)
        return Totals(
            np.bincount(g, minlength=G).astype(np.float64),
            np.bincount(gp, minlength=G).astype(np.float64),
            np.bincount(gp, weights=c[poor], minlength=G),
            censored,
            uncensored,
        )
    vp = v[poor]
    for j in range(d):
        censored[:, j] = np.bincount(gp, weights=vp * Xp[:, j], minlength=G)
        uncensored[:, j] = np.bincount(g, weights=v * X[:, j], minlength=G)
    return Totals(
        np.bincount(g, weights=v, minlength=G),
        np.bincount(gp, weights=vp, minlength=G),
        np.bincount(gp, weights=vp * c[poor], minlength=G),
        censored,
        uncensored,
    )


def div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b with NaN where b is 0 (an empty cell, never an infinity)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim > b.ndim:
        b = b.reshape(b.shape + (1,) * (a.ndim - b.ndim))
    out = np.full(np.broadcast(a, b).shape, np.nan)
    np.divide(a, b, out=out, where=b != 0)
    return out


def ratios(t: Totals, w: np.ndarray) -> dict[str, np.ndarray]:
    """H, A, M0 (groups), u and h and contributions in percent (groups × indicators)."""
    H = div(t.poor, t.population)
    M0 = div(t.score, t.population)
    h = div(t.censored, t.population)
    return {
        "H": H,
        "A": div(t.score, t.poor),
        "M0": M0,
        "u": div(t.uncensored, t.population),
        "h": h,
        "contrib": div(100.0 * h * np.asarray(w)[None, :], M0),
    }


# --------------------------------------------------------------------------------------------
# Groups
# --------------------------------------------------------------------------------------------


def _label_of(value: Any) -> str:
    """A group level as text: yes/no for booleans, '(missing)' for blanks."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return MISSING_LABEL
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    text = str(value).strip()
    return text if text else MISSING_LABEL


def order_levels(names: Sequence[str]) -> list[str]:
    """Sorted level names, '(missing)' last."""
    return sorted(set(names), key=lambda x: (x == MISSING_LABEL, x))


def group_codes(col: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes of a column's levels and the sorted level names ('(missing)' last).

    The column is factorised once; only its distinct values are turned into labels.
    """
    raw, uniques = pd.factorize(col, use_na_sentinel=True)
    labels = [_label_of(u) for u in uniques] + [MISSING_LABEL]  # the sentinel −1 → last
    names = order_levels(labels if (raw < 0).any() else labels[:-1])
    position = {name: i for i, name in enumerate(names)}
    remap = np.array([position.get(lab, -1) for lab in labels], dtype=np.int64)
    return remap[raw], names


def recode(codes: np.ndarray, names: Sequence[str], into: Sequence[str]) -> np.ndarray:
    """Codes over ``names`` as codes over the superset ``into``."""
    position = {name: i for i, name in enumerate(into)}
    return np.array([position[n] for n in names], dtype=np.int64)[codes]


# --------------------------------------------------------------------------------------------
# Change between rounds
# --------------------------------------------------------------------------------------------


def change_values(x0: np.ndarray, x1: np.ndarray, years: float | None) -> dict[str, np.ndarray]:
    """Absolute, relative (%), annualised absolute and annualised relative (%) change."""
    x0, x1 = np.asarray(x0, float), np.asarray(x1, float)
    ratio = div(x1, x0)
    out = {"abs": x1 - x0, "rel": 100.0 * (ratio - 1.0)}
    if years:
        out["ann_abs"] = (x1 - x0) / years
        with np.errstate(invalid="ignore"):
            out["ann_rel"] = 100.0 * (np.power(ratio, 1.0 / years) - 1.0)
    else:
        out["ann_abs"] = np.full_like(x0, np.nan)
        out["ann_rel"] = np.full_like(x0, np.nan)
    return out


__all__ = [
    "ALL",
    "CHANGE_KINDS",
    "K_TOLERANCE",
    "MAIN_MEASURES",
    "MAX_PATTERN_CELLS",
    "MISSING_LABEL",
    "Totals",
    "af_totals",
    "as_flags",
    "change_values",
    "check_k",
    "div",
    "group_codes",
    "identify",
    "order_levels",
    "profiles",
    "ratios",
    "recode",
    "scores",
]
