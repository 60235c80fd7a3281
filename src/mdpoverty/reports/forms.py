"""Forms 1, 4 and 5 of the official review report and the unit tree they share.

``shared/domain.md`` §5 and §8. Every form is a tidy frame with one row per unit:
``number, level, unit, parent`` then the form's columns in the form's order, then
``not_classed`` (households of the unit left out because their inputs have errors).

How units are numbered depends on the map of the round (``shared/domain.md`` §2b, §5):

* two tiers (rounds since 1 July 2025: no district, or the district column blank): the
  communes of a province are numbered 1, 2, 3 … directly under it, their ``parent`` is the
  province, and the province row, the total of its communes, comes last with an empty number;
* three tiers (older rounds, as in the pictured forms, ``shared/reference/forms/``): each
  district is a subtotal row numbered 1, 2, 3 … within its province, followed by its communes
  numbered 1.1, 1.2 … ; the province row, the grand total of its districts, comes last;
* a province where some rows have a district and others not (a data-entry gap, never merged
  silently): its communes without a district are grouped under a district row labelled
  :data:`NO_DISTRICT`, numbered like any district, and :func:`district_gaps` lists them so
  the report can warn.

The map is decided per province, so one report may hold a two-tier and a three-tier
province. A unit is its whole path (province, district, commune): two communes of the same
name in two provinces or districts are two rows, each under its own parent. Units keep the
order in which they first appear in the data (a folder of commune workbooks is read in
file-name order), so the officer controls the order.

Counts are summed from households for the communes only; district and province rows are
sums of the rows under them, and every rate is computed from its own row's counts
(percent, rounded half-up to two decimals with integer arithmetic; a zero denominator
gives an empty cell). :func:`~.form_checks.check_forms` (in :mod:`.form_checks`,
re-exported here) re-derives all of this from the frames alone, so a hand-made form (like
the pictured Form 1 that shows 204 poor out of 10 households, "2040 %") is refused with the
reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

KEYS = ["province", "district", "commune"]
UNIT_COLUMNS = ["number", "level", "unit", "parent"]
LEVELS = ("province", "district", "commune")
NOT_CLASSED = "not_classed"
#: The district row grouping the communes left without a district in a province whose other
#: rows have one (a three-tier round with gaps in the district column).
NO_DISTRICT = "(không có huyện)"

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


# ------------------------------------------------------------------------------- unit tree


def with_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every unit key column, a missing one blank (a survey of the two-tier
    map may have no district column at all)."""
    missing = [k for k in KEYS if k not in frame]
    return frame.assign(**dict.fromkeys(missing, "")) if missing else frame


def unit_order(*frames: pd.DataFrame) -> pd.DataFrame:
    """The units (province, district, commune) in order of first appearance across frames."""
    parts = [f[KEYS] for f in frames if f is not None and len(f)]
    if not parts:
        return pd.DataFrame({k: pd.Series(dtype="string") for k in KEYS})
    keys = pd.concat(parts, ignore_index=True).astype("string").fillna("")
    return keys.drop_duplicates(ignore_index=True)


SEP = "\x1f"  # joins a unit's keys into one label; never typed in a name


def _joined(keys: pd.DataFrame) -> np.ndarray:
    k = keys[KEYS].astype("string").fillna("")
    return (k["province"] + SEP + k["district"] + SEP + k["commune"]).to_numpy(dtype=object)


def _starts(flags: np.ndarray) -> np.ndarray:
    """For each position, the index of the last True at or before it."""
    return np.maximum.accumulate(np.where(flags, np.arange(len(flags)), 0))


def two_tier_provinces(keys: pd.DataFrame) -> np.ndarray:
    """Per row of ``keys``: True when no row of its province has a district (§2b)."""
    k = keys[KEYS].astype("string").fillna("")
    has = (k["district"].str.strip() != "").to_numpy(bool)
    if not len(k):
        return np.zeros(0, bool)
    codes = pd.factorize(k["province"].to_numpy(dtype=object))[0]
    any_district = np.bincount(codes, weights=has, minlength=codes.max() + 1) > 0
    return ~any_district[codes]


def district_gaps(hh: pd.DataFrame) -> pd.DataFrame:
    """Provinces where some households have a district and others none (a three-tier round
    with gaps in the district column): ``province, without_district, with_district``
    (household counts). Their blank-district communes are shown under :data:`NO_DISTRICT`."""
    k = hh[KEYS].astype("string").fillna("") if len(hh) else _keys(hh)
    blank = (k["district"].str.strip() == "").to_numpy(bool)
    mixed = blank & ~two_tier_provinces(k)
    cols = ["province", "without_district", "with_district"]
    if not mixed.any():
        return pd.DataFrame(
            {c: pd.Series(dtype="string" if c == "province" else "int64") for c in cols}
        )
    provinces = pd.unique(k["province"].to_numpy(dtype=object)[mixed])
    prov = k["province"].to_numpy(dtype=object)
    rows = [
        (p, int((mixed & (prov == p)).sum()), int((~blank & (prov == p)).sum())) for p in provinces
    ]
    return pd.DataFrame(rows, columns=cols).astype({"province": "string"})


PATH = [*KEYS, "village"]  # a unit's path, from the province down


def path_labels(hh: pd.DataFrame, level: str) -> pd.Series:
    """The name of each household's unit at ``level`` (district, commune, village), told apart
    by its parents when one name stands for several units (§2b: a unit is its whole path).

    A name used by one unit only is given as is ("Xã Tân Lập"); a name shared by units of
    several parents gets them, nearest first: "Xã Tân Lập (Tỉnh A)", "Xã Tân Lập (Huyện B,
    Tỉnh C)" (blank parents left out, as the district in rounds since 1 July 2025). A blank
    name stays missing.
    """
    parents = [k for k in PATH[: PATH.index(level)] if k in hh]
    name = hh[level].astype("string").str.strip()
    name = name.where(name != "", pd.NA)
    if not parents:
        return name
    up = [hh[k].astype("string").fillna("").str.strip() for k in parents]
    path = up[0]
    for part in up[1:]:
        path = path + SEP + part
    pairs = pd.DataFrame({"name": name, "path": path}).dropna().drop_duplicates()
    shared = pairs["name"][pairs["name"].duplicated(keep=False)].unique()
    where = name.isin(shared).fillna(False).to_numpy(bool)
    if not where.any():
        return name
    shown = pd.Series("", index=hh.index, dtype="string")
    for part in reversed(up):  # nearest parent first
        joined = shown.where(shown == "", shown + ", ") + part
        shown = joined.where(part != "", shown)
    labelled = name + " (" + shown + ")"
    return name.where(~where, labelled)


def unit_tree(sums: pd.DataFrame, order: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Commune sums → rows for every commune, a subtotal per district and per province.

    ``sums`` has the :data:`KEYS` and integer ``columns`` per commune (units missing from
    it count 0); ``order`` lists the units in display order. District and province rows
    are sums of the rows under them: computed, never typed (§5). A province without
    districts lists its communes directly (1, 2, 3 …); see the module docstring.
    """
    columns = list(columns)
    o = order[KEYS].astype("string").fillna("").reset_index(drop=True)
    prov, dist, comm = (o[k].to_numpy(dtype=object) for k in KEYS)
    n = len(o)
    values = np.zeros((n, len(columns)), dtype="int64")
    if len(sums) and n:
        pos = pd.Index(_joined(o)).get_indexer(_joined(sums))
        given = np.column_stack(
            [
                pd.to_numeric(sums[c], errors="coerce").fillna(0).to_numpy("int64")
                if c in sums
                else np.zeros(len(sums), "int64")
                for c in columns
            ]
        )
        np.add.at(values, pos[pos >= 0], given[pos >= 0])
    two_tier = two_tier_provinces(o)
    # a blank district in a province with districts: shown as a group of its own, never merged
    gap = (o["district"].str.strip() == "").to_numpy(bool) & ~two_tier
    dist = np.where(gap, NO_DISTRICT, dist).astype(object)
    # communes grouped by province, then district, each in order of first appearance
    p_code = pd.factorize(prov)[0] if n else np.zeros(0, int)
    d_code = pd.factorize(prov + SEP + dist)[0] if n else np.zeros(0, int)
    idx = np.lexsort((np.arange(n), d_code, p_code))
    prov, dist, comm, values = prov[idx], dist[idx], comm[idx], values[idx]
    p_code, d_code, two_tier = p_code[idx], d_code[idx], two_tier[idx]
    new_p = np.r_[True, p_code[1:] != p_code[:-1]] if n else np.zeros(0, bool)
    new_d = np.r_[True, d_code[1:] != d_code[:-1]] if n else np.zeros(0, bool)
    new_d |= new_p
    d_seen = np.cumsum(new_d)
    d_num = d_seen - d_seen[_starts(new_p)] + 1 if n else np.zeros(0, int)
    # within a two-tier province the one "district" group is the province: numbered 1, 2, 3
    c_num = np.arange(n) - _starts(new_d) + 1 if n else np.zeros(0, int)
    d_first = np.flatnonzero(new_d)
    d_values = np.add.reduceat(values, d_first, axis=0) if n else values
    p_first_d = np.flatnonzero(new_p[d_first])
    p_values = np.add.reduceat(d_values, p_first_d, axis=0) if n else values
    p_first = np.flatnonzero(new_p)
    shown = ~two_tier[d_first]  # district rows exist only in three-tier provinces
    d_rows = d_first[shown]
    big = np.iinfo(np.int64).max
    c_number = np.where(
        two_tier,
        c_num.astype(str).astype(object),
        np.char.add(np.char.add(d_num.astype(str), "."), c_num.astype(str)).astype(object),
    )
    parts = {
        # key columns: province rank, district number (province rows last), level, commune
        "_p": [p_code, p_code[d_rows], p_code[p_first]],
        "_dn": [np.where(two_tier, 0, d_num), d_num[d_rows], np.full(len(p_first), big)],
        "_lvl": [np.ones(n, int), np.zeros(len(d_rows), int), np.zeros(len(p_first), int)],
        "_cn": [c_num, np.zeros(len(d_rows), int), np.zeros(len(p_first), int)],
        "number": [
            c_number,
            d_num[d_rows].astype(str).astype(object),
            np.full(len(p_first), "", dtype=object),
        ],
        "level": [
            np.full(n, "commune", dtype=object),
            np.full(len(d_rows), "district", dtype=object),
            np.full(len(p_first), "province", dtype=object),
        ],
        "unit": [comm, dist[d_rows], prov[p_first]],
        "parent": [
            np.where(two_tier, prov, dist).astype(object),
            prov[d_rows],
            np.full(len(p_first), "", dtype=object),
        ],
    }
    flat = {k: np.concatenate(v) for k, v in parts.items()}
    matrix = np.vstack([values, d_values[shown], p_values]) if n else values
    rank = np.lexsort((flat["_cn"], flat["_lvl"], flat["_dn"], flat["_p"]))
    out = pd.DataFrame({k: pd.array(flat[k][rank], dtype="string") for k in UNIT_COLUMNS})
    for j, col in enumerate(columns):
        out[col] = matrix[rank, j].astype("int64")
    return out


# ------------------------------------------------------------------------------- the forms


def _keys(hh: pd.DataFrame) -> pd.DataFrame:
    return hh[KEYS].astype("string").fillna("")


def commune_sums(hh: pd.DataFrame, per_household: Mapping[str, object]) -> pd.DataFrame:
    """Per-household counts summed by commune (unit keys, then one column per count)."""
    codes, uniques = pd.factorize(_joined(hh))
    first = np.zeros(len(uniques), dtype="int64")
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    out = _keys(hh).iloc[first].reset_index(drop=True)
    for k, v in per_household.items():
        weights = np.asarray(v, dtype="float64")
        out[k] = np.bincount(codes, weights=weights, minlength=len(uniques)).astype("int64")
    return out


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
    cls = hh["class"].astype("string").fillna("")
    members = pd.to_numeric(hh["members"], errors="coerce").fillna(0).astype("int64")
    classed = (cls != "").to_numpy()
    farm = hh["agricultural"].astype("boolean").fillna(False).to_numpy(bool)
    poor = (cls == "poor").to_numpy()
    near = (cls == "near_poor").to_numpy()
    avg_farm = (cls == "average").to_numpy() & farm
    m = members.to_numpy()
    sums = commune_sums(
        hh,
        {
            "households": classed,
            "persons": m * classed,
            "poor_households": poor,
            "near_poor_households": near,
            "average_farm_households": avg_farm,
            "poor_persons": m * poor,
            "near_poor_persons": m * near,
            "average_farm_persons": m * avg_farm,
            NOT_CLASSED: ~classed,
        },
    )
    tree = unit_tree(
        sums, order if order is not None else unit_order(hh), [*FORM1_COUNTS, NOT_CLASSED]
    )
    for rate, (num, den) in FORM1_RATES.items():
        tree[rate] = percent(tree[num], tree[den])
    if not average_band:
        for c in AVERAGE_FARM_COLUMNS:
            tree[c] = pd.array(
                [pd.NA] * len(tree), dtype="Int64" if c in FORM1_COUNTS else "Float64"
            )
    return tree[[*UNIT_COLUMNS, *FORM1_COLUMNS, NOT_CLASSED]]


def form4_columns(codes: Sequence[str]) -> list[str]:
    return ["poor_households", "deprivations_total", *(f"dep_{c}" for c in codes)]


def form5_columns(codes: Sequence[str]) -> list[str]:
    return ["poor_households", *(f"dep_{c}" for c in codes)]


def form4(
    hh: pd.DataFrame, codes: Sequence[str], order: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Form 4, deprivations of poor households (§5, §8): the number of poor households, the
    total of their deprivations, and how many of them are deprived in each indicator
    (columns in the standard's indicator order, 1–12 for 2022–2025)."""
    missing = [f"dep_{c}" for c in codes if f"dep_{c}" not in hh]
    if missing:
        from ..errors import UsageError

        raise UsageError(
            f"Form 4/5 need the deprivation columns; missing: {', '.join(missing)}",
            f"Biểu 4/5 cần các cột thiếu hụt; thiếu: {', '.join(missing)}",
        )
    cls = hh["class"].astype("string").fillna("")
    poor = (cls == "poor").to_numpy()
    flags = {
        f"dep_{c}": hh[f"dep_{c}"].astype("boolean").fillna(False).to_numpy(bool) & poor
        for c in codes
    }
    total = np.sum(list(flags.values()), axis=0) if flags else np.zeros(len(hh), dtype=int)
    sums = commune_sums(
        hh,
        {
            "poor_households": poor,
            "deprivations_total": total,
            **flags,
            NOT_CLASSED: (cls == "").to_numpy(),
        },
    )
    cols = form4_columns(codes)
    tree = unit_tree(sums, order if order is not None else unit_order(hh), [*cols, NOT_CLASSED])
    return tree[[*UNIT_COLUMNS, *cols, NOT_CLASSED]]


def form5(f4: pd.DataFrame) -> pd.DataFrame:
    """Form 5, percentage of poor households deprived in each indicator (§5, §8): Form 4's
    count ÷ poor households × 100, rounded half-up to two decimals; empty when a unit has no
    poor household."""
    deps = [c for c in f4.columns if c.startswith("dep_")]
    out = f4[[*UNIT_COLUMNS, "poor_households"]].copy()
    for c in deps:
        out[c] = percent(f4[c], f4["poor_households"])
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
    "form4",
    "form5",
    "has_average_band",
    "path_labels",
    "percent",
    "two_tier_provinces",
    "unit_order",
    "unit_tree",
    "with_keys",
]
