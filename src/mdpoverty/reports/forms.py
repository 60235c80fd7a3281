"""Forms 1, 4 and 5 of the official review report.

``shared/domain.md`` §5 and §8. Every form is a tidy frame with one row per unit:
``number, level, unit, parent`` then the form's columns in the form's order, then
``not_classed`` (households of the unit left out because their inputs have errors).

The units and their numbering — communes straight under their province on the two-tier map
of rounds since 1 July 2025, under districts in older rounds — are :mod:`.units`' (its names
are re-exported here). Counts are summed from households for the communes only; district
and province rows are sums of the rows under them, and every rate is computed from its own
row's counts (percent, rounded half-up to two decimals with integer arithmetic; a zero
denominator gives an empty cell). :func:`~.form_checks.check_forms` (in :mod:`.form_checks`,
re-exported here) re-derives all of this from the frames alone, so a hand-made form (like
the pictured Form 1 that shows 204 poor out of 10 households, "2040 %") is refused with the
reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .units import (
    KEYS,
    NO_DISTRICT,
    UNIT_COLUMNS,
    commune_sums,
    district_gaps,
    path_labels,
    two_tier_provinces,
    unit_order,
    unit_tree,
    with_keys,
)

NOT_CLASSED = "not_classed"

# Form 1 (§8): counts, and each rate with its numerator and denominator (column numbers of
# the pictured form: 4 = 3/1*100, 6 = 5/1*100, … 14 = 13/2*100).
FORM1_COLUMNS = [
    "households",
    "persons",
    "poor_households",
    "poor_household_rate",
    "near_poor_households",
    "near_poor_household_rate",
    "average_farm_households",
    "average_farm_household_rate",
    "poor_persons",
    "poor_person_rate",
    "near_poor_persons",
    "near_poor_person_rate",
    "average_farm_persons",
    "average_farm_person_rate",
]
FORM1_RATES: dict[str, tuple[str, str]] = {
    "poor_household_rate": ("poor_households", "households"),
    "near_poor_household_rate": ("near_poor_households", "households"),
    "average_farm_household_rate": ("average_farm_households", "households"),
    "poor_person_rate": ("poor_persons", "persons"),
    "near_poor_person_rate": ("near_poor_persons", "persons"),
    "average_farm_person_rate": ("average_farm_persons", "persons"),
}
FORM1_COUNTS = [c for c in FORM1_COLUMNS if c not in FORM1_RATES]


# ------------------------------------------------------------------------------- arithmetic


def percent(numerator: pd.Series | np.ndarray, denominator: pd.Series | np.ndarray) -> pd.Series:
    """``numerator / denominator × 100`` rounded half-up to two decimals; empty when the
    denominator is 0 (§8). Integer arithmetic: ``(2·n·10⁴ + d) // (2·d)`` hundredths."""
    num = np.asarray(numerator, dtype="int64")
    den = np.asarray(denominator, dtype="int64")
    if (num < 0).any() or (den < 0).any():
        raise ValueError("percent() of negative counts")
    safe = np.where(den > 0, den, 1)
    hundredths = (2 * num * 10_000 + safe) // (2 * safe)
    index = numerator.index if isinstance(numerator, pd.Series) else None
    out = pd.Series(hundredths / 100, index=index, dtype="Float64")
    return out.mask(den == 0)


# ------------------------------------------------------------------------------- the forms


AVERAGE_FARM_COLUMNS = [c for c in FORM1_COLUMNS if c.startswith("average_farm_")]


def has_average_band(standard: object) -> bool:
    """Whether the standard publishes the average-living-standard (MSTB) band. The provisional
    2027–2030 standard does not (§3): its ``income.average_upper`` is absent or None."""
    income = getattr(standard, "income", None)
    return income is not None and getattr(income, "average_upper", None) is not None


#: Why Form 1's average-living-standard columns are empty (the xlsx note and stderr).
NO_BAND_NOTE = (
    "the standard used ({standard}) publishes no average-living-standard band, so the "
    "farm-household average-living-standard columns (7–8, 13–14) are left empty",
    "chuẩn áp dụng ({standard}) chưa công bố chuẩn hộ có mức sống trung bình, nên các cột "
    "hộ nông, lâm, ngư nghiệp có mức sống trung bình (cột 7–8, 13–14) để trống",
)


def form1(
    hh: pd.DataFrame, order: pd.DataFrame | None = None, *, average_band: bool = True
) -> pd.DataFrame:
    """Form 1, official review results (§5, §8): households and persons in total, poor,
    near-poor and farm-household average-living-standard (MSTB) counts with their rates.

    ``hh`` is the classify output (§8): ``class`` empty means not classed (left out of
    every count, counted in ``not_classed``). "Average farm" = class ``average`` and
    ``agricultural`` true. Persons are the households' ``members``. ``average_band=False``
    (a standard without the MSTB band, see :func:`has_average_band`) leaves the
    ``average_farm_*`` columns empty: not assessed, which is not 0.
    """
    order = order if order is not None else unit_order(hh)
    return form1_tree(commune_sums(hh, form1_counts(hh)), order, average_band=average_band)


def form1_counts(hh: pd.DataFrame) -> dict[str, np.ndarray]:
    """Form 1's per-household counts (summed by commune into the form)."""
    cls = hh["class"].astype("string").fillna("")
    members = pd.to_numeric(hh["members"], errors="coerce").fillna(0).astype("int64")
    classed = (cls != "").to_numpy()
    farm = hh["agricultural"].astype("boolean").fillna(False).to_numpy(bool)
    poor = (cls == "poor").to_numpy()
    near = (cls == "near_poor").to_numpy()
    avg_farm = (cls == "average").to_numpy() & farm
    m = members.to_numpy()
    return {
        "households": classed,
        "persons": m * classed,
        "poor_households": poor,
        "near_poor_households": near,
        "average_farm_households": avg_farm,
        "poor_persons": m * poor,
        "near_poor_persons": m * near,
        "average_farm_persons": m * avg_farm,
        NOT_CLASSED: ~classed,
    }


def form1_tree(sums: pd.DataFrame, order: pd.DataFrame, *, average_band: bool) -> pd.DataFrame:
    """Form 1 from its commune sums (rows of one commune, from several parts, add up)."""
    tree = unit_tree(sums, order, [*FORM1_COUNTS, NOT_CLASSED])
    for rate, (num, den) in FORM1_RATES.items():
        tree[rate] = percent(tree[num], tree[den])
    if not average_band:
        for c in AVERAGE_FARM_COLUMNS:
            tree[c] = pd.array(
                [pd.NA] * len(tree), dtype="Int64" if c in FORM1_COUNTS else "Float64"
            )
    return tree[[*UNIT_COLUMNS, *FORM1_COLUMNS, NOT_CLASSED]]


def form4_columns(codes: Sequence[str], target: str = "poor") -> list[str]:
    return [f"{target}_households", "deprivations_total", *(f"dep_{c}" for c in codes)]


def form5_columns(codes: Sequence[str], target: str = "poor") -> list[str]:
    return [f"{target}_households", *(f"dep_{c}" for c in codes)]


def form4(
    hh: pd.DataFrame,
    codes: Sequence[str],
    order: pd.DataFrame | None = None,
    target: str = "poor",
) -> pd.DataFrame:
    """Form 4, deprivations of poor households (§5, §8): the number of poor households, the
    total of their deprivations, and how many of them are deprived in each indicator
    (columns in the standard's indicator order, 1–12 for 2022–2025). ``target="near_poor"``
    gives Form 6, the same for near-poor households (``near_poor_households`` …)."""
    order = order if order is not None else unit_order(hh)
    return form4_tree(commune_sums(hh, form4_counts(hh, codes, target)), order, codes, target)


def form4_counts(hh: pd.DataFrame, codes: Sequence[str], target: str = "poor") -> dict:
    """Form 4's (Form 6's) per-household counts."""
    missing = [f"dep_{c}" for c in codes if f"dep_{c}" not in hh]
    if missing:
        from ..errors import UsageError

        raise UsageError(
            f"Form 4/5 need the deprivation columns; missing: {', '.join(missing)}",
            f"Biểu 4/5 cần các cột thiếu hụt; thiếu: {', '.join(missing)}",
        )
    cls = hh["class"].astype("string").fillna("")
    poor = (cls == target).to_numpy()
    flags = {
        f"dep_{c}": hh[f"dep_{c}"].astype("boolean").fillna(False).to_numpy(bool) & poor
        for c in codes
    }
    total = np.sum(list(flags.values()), axis=0) if flags else np.zeros(len(hh), dtype=int)
    return {
        f"{target}_households": poor,
        "deprivations_total": total,
        **flags,
        NOT_CLASSED: (cls == "").to_numpy(),
    }


def form4_tree(
    sums: pd.DataFrame, order: pd.DataFrame, codes: Sequence[str], target: str = "poor"
) -> pd.DataFrame:
    """Form 4 (6) from its commune sums."""
    cols = form4_columns(codes, target)
    tree = unit_tree(sums, order, [*cols, NOT_CLASSED])
    return tree[[*UNIT_COLUMNS, *cols, NOT_CLASSED]]


def form5(f4: pd.DataFrame) -> pd.DataFrame:
    """Form 5, percentage of poor households deprived in each indicator (§5, §8): Form 4's
    count ÷ poor households × 100, rounded half-up to two decimals; empty when a unit has no
    poor household. Given Form 6 (near-poor), Form 7."""
    deps = [c for c in f4.columns if c.startswith("dep_")]
    whole = next(c for c in f4.columns if c.endswith("_households"))
    out = f4[[*UNIT_COLUMNS, whole]].copy()
    for c in deps:
        out[c] = percent(f4[c], f4[whole])
    if NOT_CLASSED in f4:
        out[NOT_CLASSED] = f4[NOT_CLASSED]
    return out


__all__ = [
    "AVERAGE_FARM_COLUMNS",
    "FORM1_COLUMNS",
    "FORM1_RATES",
    "KEYS",
    "NOT_CLASSED",
    "NO_DISTRICT",
    "UNIT_COLUMNS",
    "district_gaps",
    "form1",
    "form1_counts",
    "form1_tree",
    "form4",
    "form4_counts",
    "form4_tree",
    "form5",
    "has_average_band",
    "path_labels",
    "percent",
    "two_tier_provinces",
    "unit_order",
    "unit_tree",
    "with_keys",
]
