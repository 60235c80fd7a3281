"""Alkire–Foster measures of the 12 deprivations: H, A, M0, headcounts, contributions,
subgroup decomposition, change between rounds and design-based standard errors.

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

Standard errors (sample surveys only: a commune review is a census and gets none) are
design-based, by Taylor linearisation of each ratio R = Y/X (Woodruff 1971): the influence of
unit i in group g is u_i = (y_i − R_g x_i)/X_g, summed within PSUs, and
V(R_g) = Σ_h n_h/(n_h − 1) Σ_c (z_hc − z̄_h)², PSUs drawn with replacement within strata — what
Stata's ``svy: mean``/``ratio`` and R's ``survey::svyratio``/``svyby`` compute. Subgroups are
domains: a PSU of the stratum without units of the group counts as a zero (Stata's
``subpop``/``over``, R's ``svyby``), never dropped. With weights only, each household is its own
PSU in one stratum (simple random sampling with replacement). Persons of one household are
never independent: the household (or its PSU) is the cluster. 95 % intervals are R ± 1.96·SE
(normal, as R's ``confint``; Stata uses a t with ``df`` = PSUs − strata, given in ``settings``).
The change between rounds is linearised on the pooled design (Stata's mpitb appends the
rounds): a stratum/PSU label present in both rounds is the same cluster, so a panel — the same
households reviewed again — carries its covariance.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..core import Result
from ..errors import UsageError
from ..standards import Standard, load_standard
from .weights import WeightsSpec, indicator_weights

K_TOLERANCE = 1e-9
Z_95 = 1.959963984540054
MISSING_LABEL = "(missing)"
ALL = "all"
MAX_PATTERN_CELLS = 1 << 25  # groups × profiles cells of the profile table (256 MiB of float64)
PATTERN_ROWS_RATIO = 8  # the profile table pays while it has ≤ 8 cells per row of data
Unit = Literal["persons", "households"]
MAIN_MEASURES = ("H", "A", "M0")


# --------------------------------------------------------------------------------------------
# The core: pure functions on a flag matrix
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


def _as_flags(X: Any) -> np.ndarray:
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
    X = _as_flags(X)
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


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b with NaN where b is 0 (an empty cell, never an infinity)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim > b.ndim:
        b = b.reshape(b.shape + (1,) * (a.ndim - b.ndim))
    out = np.full(np.broadcast(a, b).shape, np.nan)
    np.divide(a, b, out=out, where=b != 0)
    return out


def ratios(t: Totals, w: np.ndarray) -> dict[str, np.ndarray]:
    """H, A, M0 (groups), u and h and contributions in percent (groups × indicators)."""
    H = _div(t.poor, t.population)
    M0 = _div(t.score, t.population)
    h = _div(t.censored, t.population)
    return {
        "H": H,
        "A": _div(t.score, t.poor),
        "M0": M0,
        "u": _div(t.uncensored, t.population),
        "h": h,
        "contrib": _div(100.0 * h * np.asarray(w)[None, :], M0),
    }


# --------------------------------------------------------------------------------------------
# Design-based variance (Taylor linearisation)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """A sample design over the analysed rows: stratum and PSU codes (PSU ids are global)."""

    stratum: np.ndarray
    psu: np.ndarray
    kind: str  # "srs", "stratified", "cluster", "stratified cluster"

    @property
    def n_strata(self) -> int:
        return int(self.stratum.max()) + 1 if len(self.stratum) else 0

    @property
    def n_psu(self) -> int:
        return int(self.psu.max()) + 1 if len(self.psu) else 0

    def psu_per_stratum(self) -> np.ndarray:
        psu_stratum = np.zeros(self.n_psu, dtype=np.int64)
        psu_stratum[self.psu] = self.stratum
        return np.bincount(psu_stratum, minlength=self.n_strata)

    @property
    def df(self) -> int:
        """Design degrees of freedom: PSUs − strata (what Stata's svy uses for its t)."""
        return self.n_psu - self.n_strata


def make_design(stratum: Sequence[Any] | None, psu: Sequence[Any] | None, n: int) -> Design:
    """Codes for a design from stratum and PSU labels (None: one stratum / unit = PSU)."""
    if stratum is None:
        s = np.zeros(n, dtype=np.int64)
    else:
        s = pd.factorize(pd.Series(stratum, dtype="object"), sort=True)[0].astype(np.int64)
    if psu is None:
        p = np.arange(n, dtype=np.int64)
    else:
        pairs = pd.MultiIndex.from_arrays([s, pd.Series(psu, dtype="object").to_numpy()])
        p = pd.factorize(pairs, sort=True)[0].astype(np.int64)
    kind = {
        (False, False): "srs",
        (True, False): "stratified",
        (False, True): "cluster",
        (True, True): "stratified cluster",
    }[(stratum is not None, psu is not None)]
    return Design(s, p, kind)


def _reduce_by(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum the rows of ``values`` per distinct key (sorted keys, sums)."""
    order = np.argsort(keys, kind="stable")
    ks = keys[order]
    if not len(ks):
        return ks, values[:0]
    starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
    return ks[starts], np.add.reduceat(values[order], starts, axis=0)


def design_variance(u: np.ndarray, groups: np.ndarray, n_groups: int, design: Design) -> np.ndarray:
    """Σ_h n_h/(n_h−1) Σ_c (z_hcg − z̄_hg)² per group and column of the influences ``u``.

    ``u`` (units × estimands) are linearised influences, zero outside a unit's group. PSUs
    drawn with replacement within strata; z̄ averages over all n_h PSUs of the stratum, so a
    PSU without units of the group counts as a zero (domain estimation). A stratum with one
    PSU contributes nothing (R's ``survey.lonely.psu = "certainty"``).
    """
    u = np.asarray(u, dtype=np.float64).reshape(len(groups), -1)
    G = int(n_groups)
    cells, z = _reduce_by(design.psu * G + groups, u)
    n_h = design.psu_per_stratum()
    psu_stratum = np.zeros(design.n_psu, dtype=np.int64)
    psu_stratum[design.psu] = design.stratum
    cell_group = cells % G
    cell_stratum = psu_stratum[cells // G]
    keys, s1 = _reduce_by(cell_stratum * G + cell_group, z)
    _, s2 = _reduce_by(cell_stratum * G + cell_group, z * z)
    nh = n_h[keys // G].astype(np.float64)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        part = np.where(nh > 1, nh / (nh - 1) * (s2 - s1 * s1 / nh), 0.0)
    out = np.zeros((G, u.shape[1]))
    np.add.at(out, keys % G, part)  # one row per (stratum, group) cell: small
    return np.maximum(out, 0.0)


def estimand_names(codes: Sequence[str]) -> list[str]:
    """Columns of the influence matrices: H, A, M0, h_<code>…, u_<code>…."""
    return [*MAIN_MEASURES, *(f"h_{c}" for c in codes), *(f"u_{c}" for c in codes)]


def influences(
    X: np.ndarray, w: np.ndarray, k: float, v: np.ndarray, groups: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """Estimates (groups × estimands) and linearised influences (units × estimands).

    Each estimand is a ratio R = Σv·y / Σv·x over the group: H (y = 1[c≥k], x = 1),
    A (y = c·1[c≥k], x = 1[c≥k]), M0 (y = c·1[c≥k], x = 1), h_j (y = 1[c≥k]·x_j, x = 1),
    u_j (y = x_j, x = 1); the influence of unit i is v_i (y_i − R_g x_i) / Σ_g v·x.
    """
    X = _as_flags(X)
    c = scores(X, w)
    p = identify(c, k).astype(np.float64)
    one = np.ones_like(p)
    Xf = X.astype(np.float64)
    y = np.column_stack([p, c * p, c * p, Xf * p[:, None], Xf])
    x = np.column_stack([one, p, one, np.repeat(one[:, None], 2 * X.shape[1], axis=1)])
    vy, vx = y * v[:, None], x * v[:, None]
    E = y.shape[1]
    Y = np.empty((n_groups, E))
    D = np.empty((n_groups, E))
    for e in range(E):  # one pass per estimand
        Y[:, e] = np.bincount(groups, weights=vy[:, e], minlength=n_groups)
        D[:, e] = np.bincount(groups, weights=vx[:, e], minlength=n_groups)
    R = _div(Y, D)
    Rz = np.nan_to_num(R)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = (vy - Rz[groups] * vx) / D[groups]
    return R, np.nan_to_num(u, nan=0.0, posinf=0.0, neginf=0.0)


# --------------------------------------------------------------------------------------------
# From a classify result to the analysed units
# --------------------------------------------------------------------------------------------


@dataclass
class Units:
    """The analysed households of one round (rows kept), with what the measures need."""

    X: np.ndarray  # households × indicators (bool)
    weight: np.ndarray  # unit weight v: members × sample weight (persons) or sample weight
    count: np.ndarray  # units each row stands for, unweighted: members (persons) or 1
    excluded: pd.DataFrame
    sample: bool
    design_labels: dict[str, pd.Series | None]
    households: pd.DataFrame  # all rows, as given
    extra: pd.DataFrame  # all rows (or empty)
    keep: np.ndarray  # the rows analysed
    survey_year: int | None = None

    def has(self, name: str) -> bool:
        return name in self.households or name in self.extra

    def column(self, name: str) -> pd.Series:
        """A households (or extra) column, all rows."""
        return self.households[name] if name in self.households else self.extra[name]

    def groups(self, name: str) -> tuple[np.ndarray, list[str]]:
        """Group codes of the analysed rows and the level names of column ``name``."""
        codes, names = group_codes(self.column(name))
        return codes[self.keep], names


EXCLUDED_COLUMNS = ["household_id", "province", "district", "commune", "village", "reason"]
REASONS = {
    "not_classed": (
        "not classed: an error on the household or a member (see the issue table)",
        "chưa phân loại được: có lỗi ở hộ hoặc thành viên (xem bảng lỗi)",
    ),
    "indicator_missing": (
        "an indicator could not be determined",
        "không xác định được một chỉ số thiếu hụt",
    ),
    "no_members": ("no member count (persons unit)", "không có số nhân khẩu (tính theo người)"),
    "no_sample_weight": (
        "no sample weight in a sample survey",
        "thiếu trọng số mẫu trong điều tra chọn mẫu",
    ),
    "design_missing": (
        "stratum or PSU missing while other households have one",
        "thiếu tầng mẫu hoặc địa bàn mẫu trong khi các hộ khác có",
    ),
}


def _filled(extra: pd.DataFrame, name: str, n: int) -> pd.Series | None:
    if name not in extra or len(extra) != n:
        return None
    col = extra[name]
    return col if col.notna().any() else None


def prepare_units(result: Result, unit: Unit, codes: Sequence[str]) -> Units:
    """Keep the households whose 12 flags are all determined; say why each other one is out."""
    hh = result.households.reset_index(drop=True)
    n = len(hh)
    extra = result.extra.reset_index(drop=True) if len(result.extra) == n else pd.DataFrame()
    missing_cols = [c for c in codes if f"dep_{c}" not in hh]
    if missing_cols:
        raise UsageError(
            f"the households table has no flag column for: {', '.join(missing_cols)}",
            f"bảng hộ thiếu cột chỉ số: {', '.join(missing_cols)}",
        )
    X = np.empty((n, len(codes)), dtype=np.bool_)
    flag_na = np.zeros(n, dtype=np.bool_)
    for j, c in enumerate(codes):  # one pass per indicator column
        col = hh[f"dep_{c}"]
        flag_na |= col.isna().to_numpy(dtype=np.bool_)
        X[:, j] = col.to_numpy(dtype=np.bool_, na_value=False)
    cls = hh["class"] if "class" in hh else pd.Series("", index=hh.index)
    not_classed = (cls.isna() | (cls.astype("string") == "")).to_numpy(dtype=bool)
    if "deprivation_count" in hh:
        not_classed |= hh["deprivation_count"].isna().to_numpy(dtype=bool)
    members = pd.to_numeric(hh.get("members", pd.Series(np.nan, index=hh.index)), errors="coerce")
    members = members.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    no_members = (np.isnan(members) | (members <= 0)) if unit == "persons" else np.zeros(n, bool)
    sw_col = _filled(extra, "sample_weight", n)
    sample = sw_col is not None
    sw = (
        pd.to_numeric(sw_col, errors="coerce").astype("Float64").to_numpy(float, na_value=np.nan)
        if sample
        else np.ones(n)
    )
    no_weight = np.isnan(sw) if sample else np.zeros(n, bool)
    labels: dict[str, pd.Series | None] = {"stratum": None, "psu": None}
    design_missing = np.zeros(n, bool)
    if sample:
        for name in ("stratum", "psu"):
            col = _filled(extra, name, n)
            labels[name] = col
            if col is not None:
                design_missing |= col.isna().to_numpy(dtype=bool)
    order = ("", "design_missing", "no_sample_weight", "no_members", "indicator_missing")
    order += ("not_classed",)
    reason = np.zeros(n, dtype=np.int8)
    for i, mask in enumerate(
        (design_missing, no_weight, no_members, flag_na, not_classed), start=1
    ):
        reason[mask] = i  # the last assignment wins: the most basic reason is reported
    keep = reason == 0
    ex = hh.loc[~keep, [c for c in EXCLUDED_COLUMNS[:-1] if c in hh]].copy()
    why = np.asarray(order, dtype=object)[reason[~keep]]
    ex["reason"] = pd.Series(why, index=ex.index, dtype="string")
    ex = ex.reindex(columns=EXCLUDED_COLUMNS)
    m = members[keep]
    count = m if unit == "persons" else np.ones(int(keep.sum()))
    weight = count * sw[keep]
    design_labels = {
        name: (col[keep].reset_index(drop=True) if col is not None else None)
        for name, col in labels.items()
    }
    return Units(
        X[keep] if not keep.all() else X,
        weight,
        count,
        ex.reset_index(drop=True),
        sample,
        design_labels,
        hh,
        extra,
        keep,
        _survey_year(extra),
    )


def _survey_year(extra: pd.DataFrame) -> int | None:
    if "survey_date" not in extra:
        return None
    years = pd.to_numeric(extra["survey_date"].astype("string").str[:4], errors="coerce").dropna()
    return int(years.mode().iloc[0]) if len(years) else None


def _design(units: Units) -> Design | None:
    if not units.sample:
        return None
    n = len(units.weight)
    s, p = units.design_labels["stratum"], units.design_labels["psu"]
    return make_design(None if s is None else s.to_numpy(), None if p is None else p.to_numpy(), n)


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


def _order(names: Sequence[str]) -> list[str]:
    """Sorted level names, '(missing)' last."""
    return sorted(set(names), key=lambda x: (x == MISSING_LABEL, x))


def group_codes(col: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes of a column's levels and the sorted level names ('(missing)' last).

    The column is factorised once; only its distinct values are turned into labels.
    """
    raw, uniques = pd.factorize(col, use_na_sentinel=True)
    labels = [_label_of(u) for u in uniques] + [MISSING_LABEL]  # the sentinel −1 → last
    names = _order(labels if (raw < 0).any() else labels[:-1])
    position = {name: i for i, name in enumerate(names)}
    remap = np.array([position.get(lab, -1) for lab in labels], dtype=np.int64)
    return remap[raw], names


def recode(codes: np.ndarray, names: Sequence[str], into: Sequence[str]) -> np.ndarray:
    """Codes over ``names`` as codes over the superset ``into``."""
    position = {name: i for i, name in enumerate(into)}
    return np.array([position[n] for n in names], dtype=np.int64)[codes]


def parse_by(by: str | Sequence[str] | None, available: Sequence[str]) -> list[str]:
    """The --by variables: names of household (or extra) columns, comma-separated or a list."""
    if by is None:
        return []
    names = [b.strip() for b in (by.split(",") if isinstance(by, str) else by) if b.strip()]
    unknown = [b for b in names if b not in available or b.startswith("dep_")]
    if unknown:
        allowed = [a for a in available if not a.startswith("dep_")]
        raise UsageError(
            f"--by: unknown column {', '.join(unknown)}; use any of: {', '.join(allowed)}",
            f"--by: không có cột {', '.join(unknown)}; dùng một trong: {', '.join(allowed)}",
        )
    return list(dict.fromkeys(names))


# --------------------------------------------------------------------------------------------
# Frames
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """A message for people about the run (the CLI prints it on stderr)."""

    id: str
    en: str
    vi: str

    def text(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


@dataclass
class MeasuresResult:
    """What :func:`measures` returns; every table is a DataFrame the CLI only renders.

    ``measures``: one row per group (``all`` first, then each level of each ``by`` variable):
    ``group, unit_count, H, A, M0, h_<code>…, contrib_<code>…`` (the output contract), then
    ``by, households, population, pop_share, share_of_M0, u_<code>…`` and, for a sample
    survey, ``H_se, H_ci_low, H_ci_high`` (likewise A, M0) and ``h_<code>_se``.
    ``indicators``: the total's per-indicator table. ``inference``: every estimate with its
    SE and 95 % CI, long (empty for a census). ``change``: one row per group and measure
    when a previous round is given. ``excluded``: households left out, with the reason.
    """

    measures: pd.DataFrame
    indicators: pd.DataFrame
    inference: pd.DataFrame
    change: pd.DataFrame | None
    excluded: pd.DataFrame
    settings: dict[str, Any]
    notes: list[Note] = field(default_factory=list)

    @property
    def census(self) -> bool:
        return not self.settings["sample"]

    def frames(self) -> dict[str, pd.DataFrame]:
        """The non-empty tables by name (for a workbook or JSON)."""
        out = {"measures": self.measures, "indicators": self.indicators}
        if len(self.inference):
            out["inference"] = self.inference
        if self.change is not None:
            out["change"] = self.change
        out["excluded"] = self.excluded
        return out


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
    share = _div(t.population, np.full_like(t.population, total_population))
    cols["pop_share"] = share
    cols["share_of_M0"] = _div(100.0 * share * r["M0"], np.full_like(share, total_m0))
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


def _round_tables(
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
    design = _design(units)
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


def _indicator_table(
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

CHANGE_KINDS = ("abs", "rel", "ann_abs", "ann_rel")


def change_values(x0: np.ndarray, x1: np.ndarray, years: float | None) -> dict[str, np.ndarray]:
    """Absolute, relative (%), annualised absolute and annualised relative (%) change."""
    x0, x1 = np.asarray(x0, float), np.asarray(x1, float)
    ratio = _div(x1, x0)
    out = {"abs": x1 - x0, "rel": 100.0 * (ratio - 1.0)}
    if years:
        out["ann_abs"] = (x1 - x0) / years
        with np.errstate(invalid="ignore"):
            out["ann_rel"] = 100.0 * (np.power(ratio, 1.0 / years) - 1.0)
    else:
        out["ann_abs"] = np.full_like(x0, np.nan)
        out["ann_rel"] = np.full_like(x0, np.nan)
    return out


def _change_coefficients(
    x0: np.ndarray, x1: np.ndarray, years: float | None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Gradients (∂/∂X0, ∂/∂X1) of each change, for the delta method."""
    with np.errstate(invalid="ignore", divide="ignore"):
        inv0 = 1.0 / x0
        r = x1 / x0
        out = {"abs": (-np.ones_like(x0), np.ones_like(x1)), "rel": (-100 * r * inv0, 100 * inv0)}
        if years:
            out["ann_abs"] = (-np.ones_like(x0) / years, np.ones_like(x1) / years)
            f = np.power(r, 1.0 / years - 1.0) / years  # d ann_rel / d r (÷100 scale)
            out["ann_rel"] = (-100 * f * r * inv0, 100 * f * inv0)
    return out


def _change(
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
            names = _order([*names0, *names1])
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
            grads = _change_coefficients(x0, x1, years)
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


# --------------------------------------------------------------------------------------------
# Inputs: a Result, a survey file, or a classify output
# --------------------------------------------------------------------------------------------


def _read_classify_output(path: Path, codes: Sequence[str]) -> pd.DataFrame | None:
    """A classify output (CSV/Parquet with ``class`` and every ``dep_<code>``), else None."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            head = pd.read_csv(path, nrows=0).columns
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            head = pd.Index(pq.read_schema(path).names)
        else:
            return None
    except Exception:  # not ours to judge: the survey reader says what is wrong
        return None
    need = {"class", *(f"dep_{c}" for c in codes)}
    if not need.issubset(set(head)):
        return None
    if suffix == ".csv":
        return pd.read_csv(path, dtype="string", keep_default_na=False, na_values=[""])
    return pd.read_parquet(path)


_TRUE = {"true", "1", "yes", "có", "x"}
_FALSE = {"false", "0", "no", "không", ""}


def result_from_frame(frame: pd.DataFrame, standard: Standard) -> Result:
    """A :class:`Result` from a classify-output table (``dep_<code>``, ``class``, ``members``)."""
    hh = frame.copy()
    for c in standard.codes:
        col = hh[f"dep_{c}"]
        if not pd.api.types.is_bool_dtype(col.dtype):
            text = col.astype("string").str.strip().str.lower()
            col = text.map(lambda s: True if s in _TRUE else (False if s in _FALSE else pd.NA))
        hh[f"dep_{c}"] = col.astype("boolean")
    if "members" in hh:
        hh["members"] = pd.to_numeric(hh["members"], errors="coerce").astype("Float64")
    hh["class"] = hh["class"].astype("string").fillna("")
    extra_cols = [c for c in ("survey_date", "sample_weight", "stratum", "psu") if c in hh]
    extra = hh[extra_cols].reset_index(drop=True) if extra_cols else pd.DataFrame()
    if "sample_weight" in extra:
        extra["sample_weight"] = pd.to_numeric(extra["sample_weight"], errors="coerce")
    return Result(hh.reset_index(drop=True), pd.DataFrame(), standard, extra=extra)


def _as_result(
    source: Result | str | os.PathLike[str] | pd.DataFrame,
    standard: Standard | str | None,
    classify_kwargs: dict[str, Any],
) -> Result:
    from .. import core

    if isinstance(source, Result):
        return source
    std = load_standard(standard) if isinstance(standard, str | os.PathLike) else standard
    if isinstance(source, pd.DataFrame):
        return result_from_frame(source, std or load_standard("vn-2022-2025"))
    path = Path(source)
    frame = _read_classify_output(path, (std or load_standard("vn-2022-2025")).codes)
    if frame is not None:
        return result_from_frame(frame, std or load_standard("vn-2022-2025"))
    return core.classify(path, standard=std, **classify_kwargs)


# --------------------------------------------------------------------------------------------
# The library entry point
# --------------------------------------------------------------------------------------------


def measures(
    source: Result | str | os.PathLike[str] | pd.DataFrame,
    *,
    k: float = 0.25,
    weights: WeightsSpec = "equal",
    unit: Unit = "persons",
    by: str | Sequence[str] | None = None,
    previous: Result | str | os.PathLike[str] | pd.DataFrame | None = None,
    years: float | None = None,
    standard: Standard | str | None = None,
    members: str | os.PathLike[str] | None = None,
    as_of: dt.date | None = None,
    lang: str = "vi",
) -> MeasuresResult:
    """Alkire–Foster measures of a classified survey (see the module doc for the method).

    ``source`` is a :class:`~mdpoverty.core.Result`, a survey file (classified here with
    ``standard``/``members``/``as_of``), a classify output (CSV/Parquet) or such a frame.
    ``k`` is a fraction (default 3 of 12 = 0.25); ``weights`` "equal", "nested", a TOML file,
    a mapping code → weight, or a sequence in indicator order; ``unit`` "persons" (each member
    carries the household's deprivations) or "households"; ``by`` household columns
    (``commune``, ``district``, ``area``, ``ethnic_minority``, …), one block of rows per
    variable, one row per level. ``previous`` adds the change table; it is classified with the
    current round's standard so the indicators compare; ``years`` between the rounds defaults
    to the difference of their survey years.

    >>> res = measures("examples/survey.xlsx", by="commune")   # doctest: +SKIP
    >>> res.measures[["group", "H", "A", "M0"]]                 # doctest: +SKIP
    """
    if unit not in ("persons", "households"):
        raise UsageError(f"unit must be persons or households, got {unit!r}")
    kw = {"members": members, "as_of": as_of, "lang": lang}
    result = _as_result(source, standard, kw)
    std = result.standard
    codes = std.codes
    w = indicator_weights(weights, std)
    k = check_k(k)
    cur = prepare_units(result, unit, codes)
    available = [*result.households.columns, *result.extra.columns]
    by_vars = parse_by(by, available)
    table, inference, info = _round_tables(cur, w, k, codes, by_vars)
    notes: list[Note] = []
    _excluded_notes(notes, cur, ("", ""))
    if cur.sample:
        kind = info["design"]
        notes.append(
            Note(
                "design",
                f"sample survey ({kind}, {info['strata']} strata, {info['psu']} PSUs): "
                "standard errors by Taylor linearisation, 95 % CI = estimate ± 1.96·SE"
                + (
                    "; weights only: households taken as a simple random sample"
                    if kind == "srs"
                    else ""
                ),
                f"điều tra chọn mẫu ({kind}, {info['strata']} tầng, {info['psu']} địa bàn): "
                "sai số chuẩn theo tuyến tính hoá Taylor, khoảng tin cậy 95 % = ước lượng ± 1,96·SE"
                + (
                    "; chỉ có trọng số: coi các hộ là mẫu ngẫu nhiên đơn giản"
                    if kind == "srs"
                    else ""
                ),
            )
        )
        if info["lonely_strata"]:
            notes.append(
                Note(
                    "lonely_psu",
                    f"{info['lonely_strata']} strata have a single PSU: they add no variance",
                    f"{info['lonely_strata']} tầng chỉ có một địa bàn mẫu: "
                    "không tính vào phương sai",
                )
            )
    else:
        notes.append(
            Note(
                "census",
                "census (no sample weights): the measures are the population's own values; "
                "no standard errors",
                "tổng điều tra (không có trọng số mẫu): các chỉ số là giá trị của toàn bộ "
                "tổng thể; không có sai số chuẩn",
            )
        )
    change = None
    settings: dict[str, Any] = {
        "k": k,
        "weights": dict(zip(codes, w.tolist(), strict=True)),
        "weights_spec": weights if isinstance(weights, str) else str(weights),
        "unit": unit,
        "by": by_vars,
        "standard": std.id,
        "sample": cur.sample,
        "households_used": len(cur.weight),
        "households_excluded": len(cur.excluded),
        "units_used": float(cur.count.sum()),
        **info,
    }
    if previous is not None:
        prev_result = _as_result(previous, std, {"lang": lang})
        if prev_result.standard.codes != codes:
            raise UsageError(
                f"the previous round's indicators ({', '.join(prev_result.standard.codes)}) "
                f"differ from this round's: the measures would not compare",
                "chỉ số của kỳ trước khác kỳ này: không so sánh được",
            )
        prev = prepare_units(prev_result, unit, codes)
        prev_by = [b for b in by_vars if prev.has(b)]
        if prev_by != by_vars:
            raise UsageError(
                f"the previous round has no column {', '.join(set(by_vars) - set(prev_by))}",
                f"kỳ trước không có cột {', '.join(set(by_vars) - set(prev_by))}",
            )
        if years is None and cur.survey_year and prev.survey_year:
            years = float(cur.survey_year - prev.survey_year) or None
        if years is not None and years <= 0:
            raise UsageError(
                f"years must be > 0, got {years:g}", f"số năm phải > 0, nhận {years:g}"
            )
        _excluded_notes(notes, prev, ("previous round: ", "kỳ trước: "))
        change, with_se = _change(cur, prev, w, k, codes, by_vars, years)
        if years is None:
            notes.append(
                Note(
                    "years_unknown",
                    "years between the rounds unknown (give --years): no annualised change",
                    "không rõ số năm giữa hai kỳ (dùng --years): không tính thay đổi bình quân năm",
                )
            )
        if not with_se and cur.sample != prev.sample:
            notes.append(
                Note(
                    "change_no_se",
                    "one round is a census and the other a sample: "
                    "no standard errors for the change",
                    "một kỳ là tổng điều tra, kỳ kia là điều tra mẫu: "
                    "không tính sai số của thay đổi",
                )
            )
        settings["years"] = years
        settings["previous_households_used"] = len(prev.weight)
        settings["previous_households_excluded"] = len(prev.excluded)
        excluded = pd.concat(
            [
                cur.excluded.assign(round="current"),
                prev.excluded.assign(round="previous"),
            ],
            ignore_index=True,
        )
    else:
        excluded = cur.excluded.assign(round="current")
    indicators = _indicator_table(std, w, table.iloc[0], inference)
    return MeasuresResult(table, indicators, inference, change, excluded, settings, notes)


def _excluded_notes(notes: list[Note], units: Units, prefix: tuple[str, str]) -> None:
    if not len(units.excluded):
        return
    counts = units.excluded["reason"].value_counts()
    parts_en = ", ".join(f"{n} {REASONS[r][0]}" for r, n in counts.items())
    parts_vi = ", ".join(f"{n} {REASONS[r][1]}" for r, n in counts.items())
    n = len(units.excluded)
    notes.append(
        Note(
            "excluded",
            f"{prefix[0]}{n} households left out of the measures ({parts_en})",
            f"{prefix[1]}{n} hộ không được tính vào các chỉ số ({parts_vi})",
        )
    )


__all__ = [
    "ALL",
    "K_TOLERANCE",
    "MISSING_LABEL",
    "Design",
    "MeasuresResult",
    "Note",
    "Totals",
    "af_totals",
    "change_values",
    "check_k",
    "design_variance",
    "group_codes",
    "identify",
    "influences",
    "make_design",
    "measures",
    "prepare_units",
    "profiles",
    "ratios",
    "result_from_frame",
    "scores",
]
