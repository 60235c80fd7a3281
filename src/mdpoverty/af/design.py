"""Design-based inference for the Alkire–Foster measures: sample designs, linearised
influences, their variance, and the gradients of the change between rounds.

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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .method import MAIN_MEASURES, as_flags, div, identify, scores

Z_95 = 1.959963984540054


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
    X = as_flags(X)
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
    R = div(Y, D)
    Rz = np.nan_to_num(R)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = (vy - Rz[groups] * vx) / D[groups]
    return R, np.nan_to_num(u, nan=0.0, posinf=0.0, neginf=0.0)


def change_coefficients(
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


__all__ = [
    "Z_95",
    "Design",
    "change_coefficients",
    "design_variance",
    "estimand_names",
    "influences",
    "make_design",
]
