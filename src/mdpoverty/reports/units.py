"""The map of a review round: units, their paths, the unit tree of the forms, and the reform.

``shared/domain.md`` §2b and §5. A unit is its whole path (province, district, commune), never
its name alone: since 1 July 2025 Vietnam has two tiers (34 provinces, 3,321 communes, no
district), older rounds three.

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

Across the reform of 1 July 2025 (§2b: a previous round with districts, the current one
without, or the other way round) the units of the two rounds are not the same units, so
:func:`on_current_map` first moves the previous round onto the current round's map: a
household in both rounds is counted, start and end alike, in its current unit (linked by ID:
a commune merged into another is no move); a household only in the previous round is counted
where the previous round put it if that commune still stands in its province (same province
and commune name, one such unit on each side), else in the row :data:`GONE_UNIT` of its
province. Every unit and the total then balance for households and persons as above.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

KEYS = ["province", "district", "commune"]
PATH = [*KEYS, "village"]  # a unit's path, from the province down
UNIT_COLUMNS = ["number", "level", "unit", "parent"]
LEVELS = ("province", "district", "commune")
SEP = "\x1f"  # joins a unit's keys into one label; never typed in a name
#: The district row grouping the communes left without a district in a province whose other
#: rows have one (a three-tier round with gaps in the district column).
NO_DISTRICT = "(không có huyện)"


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


def count_units(keys: pd.DataFrame) -> tuple[int, int, int]:
    """Communes, districts and provinces among ``keys`` (households or a unit order)."""
    communes = keys[KEYS].astype("string").fillna("").drop_duplicates()
    districts = communes.loc[communes["district"].str.strip() != "", ["province", "district"]]
    return len(communes), len(districts.drop_duplicates()), communes["province"].nunique()


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


# ------------------------------------------------------------------------------- the reform


#: The row of a province holding the previous round's households whose unit no longer
#: exists on the current map (across the 2025 reform) and that are not in the current round.
GONE_UNIT = "Hộ của đơn vị cũ không còn (kỳ trước)"


def _has_districts(hh: pd.DataFrame) -> bool:
    return bool((hh["district"].astype("string").fillna("").str.strip() != "").any())


def maps_differ(current: pd.DataFrame, previous: pd.DataFrame) -> bool:
    """True when one round has districts and the other none (rounds across the 2025 reform)."""
    if not len(current) or not len(previous):
        return False
    return _has_districts(current) != _has_districts(previous)


def _ids(hh: pd.DataFrame) -> pd.Series:
    ids = hh["household_id"].astype("string").str.strip()
    return ids.where(ids.notna() & (ids != ""), None).astype(object)


def on_current_map(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """The previous round's households with their unit keys on the current round's map.

    Unchanged when both rounds are on the same map (both with districts, or both without).
    Across the reform (:func:`maps_differ`): a household whose ID is in the current round
    takes its current unit; another one keeps its commune when the current round has exactly
    one unit of that province and commune name and the previous round had exactly one too;
    else it goes to the row :data:`GONE_UNIT` of its province (district blank).
    """
    if not maps_differ(current, previous):
        return previous
    out = previous.copy()
    pk = previous[KEYS].astype("string").fillna("").reset_index(drop=True)
    ck = current[KEYS].astype("string").fillna("").reset_index(drop=True)
    cur_ids = _ids(current).reset_index(drop=True)
    first = cur_ids.notna() & ~cur_ids.duplicated()
    index = pd.Index(cur_ids[first].to_numpy(dtype=object))
    prev_ids = _ids(previous).fillna("\x00none").to_numpy(dtype=object)
    hit = index.get_indexer(prev_ids)
    linked = hit >= 0
    cur_first = ck[first.to_numpy()].reset_index(drop=True)
    new = pk.copy()
    new.loc[linked, KEYS] = cur_first.iloc[hit[linked]][KEYS].to_numpy()
    # households gone: their commune, when it still stands (one unit of that name each side)
    name = lambda k: k["province"] + SEP + k["commune"]  # noqa: E731
    cur_units = ck.drop_duplicates()
    prev_units = pk.drop_duplicates()
    cur_once = ~name(cur_units).duplicated(keep=False)
    prev_once = ~name(prev_units).duplicated(keep=False)
    target = pd.Series(
        cur_units["district"][cur_once].to_numpy(), index=name(cur_units)[cur_once].to_numpy()
    )
    unique_prev = set(name(prev_units)[prev_once])
    gone_names = name(pk)[~linked]
    stands = gone_names.isin(target.index) & gone_names.isin(unique_prev)
    rows = np.flatnonzero(~linked)
    kept, lost = rows[stands.to_numpy(bool)], rows[~stands.to_numpy(bool)]
    new.loc[kept, "district"] = target.reindex(gone_names[stands].to_numpy()).to_numpy()
    new.loc[lost, "district"] = ""
    new.loc[lost, "commune"] = GONE_UNIT
    for k in KEYS:
        out[k] = pd.array(new[k].to_numpy(), dtype="string")
    return out


__all__ = [
    "GONE_UNIT",
    "KEYS",
    "LEVELS",
    "NO_DISTRICT",
    "PATH",
    "SEP",
    "UNIT_COLUMNS",
    "commune_sums",
    "district_gaps",
    "maps_differ",
    "on_current_map",
    "path_labels",
    "two_tier_provinces",
    "unit_order",
    "unit_tree",
    "with_keys",
]
