"""Forms 1, 4 and 5 of the official review report, the unit tree they share, and the checks.

``shared/domain.md`` §5 and §8. Every form is a tidy frame with one row per unit:
``number, level, unit, parent`` then the form's columns in the form's order, then
``not_classed`` (households of the unit left out because their inputs have errors).

How units are numbered (as in the pictured forms, ``shared/reference/forms/``): each
district is a subtotal row numbered 1, 2, 3 … within its province, followed by its communes
numbered 1.1, 1.2 … ; the province row, the grand total of its districts, comes last with
an empty number. Units keep the order in which they first appear in the data (a folder of
commune workbooks is read in file-name order), so the officer controls the order.

Counts are summed from households for the communes only; district and province rows are
sums of the rows under them, and every rate is computed from its own row's counts
(percent, rounded half-up to two decimals with integer arithmetic; a zero denominator
gives an empty cell). :func:`check_forms` re-derives all of this from the frames alone, so
a hand-made form (like the pictured Form 1 that shows 204 poor out of 10 households, "2040
%") is refused with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import MdpovertyError

KEYS = ["province", "district", "commune"]
UNIT_COLUMNS = ["number", "level", "unit", "parent"]
LEVELS = ("province", "district", "commune")
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


class ReportCheckError(MdpovertyError):
    """A report whose figures do not add up: never written. Exit code 3 (a bug, or a hand-made
    frame given to :func:`check_forms`)."""

    exit_code = 3

    def __init__(self, problems: Sequence[str]) -> None:
        shown = "; ".join(problems[:5]) + (
            f"; … ({len(problems)} in all)" if len(problems) > 5 else ""
        )
        super().__init__(
            f"the report does not add up, nothing written: {shown}",
            f"báo cáo không khớp số liệu, không ghi tệp: {shown}",
        )
        self.problems = list(problems)


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


def unit_tree(sums: pd.DataFrame, order: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Commune sums → rows for every commune, a subtotal per district and per province.

    ``sums`` has the :data:`KEYS` and integer ``columns`` per commune (units missing from
    it count 0); ``order`` lists the units in display order. District and province rows
    are sums of the commune rows under them: computed, never typed (§5).
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
    # communes grouped by province, then district, each in order of first appearance
    p_code = pd.factorize(prov)[0] if n else np.zeros(0, int)
    d_code = pd.factorize(prov + SEP + dist)[0] if n else np.zeros(0, int)
    idx = np.lexsort((np.arange(n), d_code, p_code))
    prov, dist, comm, values = prov[idx], dist[idx], comm[idx], values[idx]
    p_code, d_code = p_code[idx], d_code[idx]
    new_p = np.r_[True, p_code[1:] != p_code[:-1]] if n else np.zeros(0, bool)
    new_d = np.r_[True, d_code[1:] != d_code[:-1]] if n else np.zeros(0, bool)
    new_d |= new_p
    d_seen = np.cumsum(new_d)
    d_num = d_seen - d_seen[_starts(new_p)] + 1 if n else np.zeros(0, int)
    c_num = np.arange(n) - _starts(new_d) + 1 if n else np.zeros(0, int)
    d_first = np.flatnonzero(new_d)
    d_values = np.add.reduceat(values, d_first, axis=0) if n else values
    p_first_d = np.flatnonzero(new_p[d_first])
    p_values = np.add.reduceat(d_values, p_first_d, axis=0) if n else values
    p_first = np.flatnonzero(new_p)
    big = np.iinfo(np.int64).max
    parts = {
        # key columns: province rank, district number (province rows last), level, commune
        "_p": [p_code, p_code[d_first], p_code[p_first]],
        "_dn": [d_num, d_num[d_first], np.full(len(p_first), big)],
        "_lvl": [np.ones(n, int), np.zeros(len(d_first), int), np.zeros(len(p_first), int)],
        "_cn": [c_num, np.zeros(len(d_first), int), np.zeros(len(p_first), int)],
        "number": [
            np.array([f"{a}.{b}" for a, b in zip(d_num, c_num, strict=True)], dtype=object),
            d_num[d_first].astype(str).astype(object),
            np.full(len(p_first), "", dtype=object),
        ],
        "level": [
            np.full(n, "commune", dtype=object),
            np.full(len(d_first), "district", dtype=object),
            np.full(len(p_first), "province", dtype=object),
        ],
        "unit": [comm, dist[d_first], prov[p_first]],
        "parent": [dist, prov[d_first], np.full(len(p_first), "", dtype=object)],
    }
    flat = {k: np.concatenate(v) for k, v in parts.items()}
    matrix = np.vstack([values, d_values, p_values]) if n else values
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


def form1(hh: pd.DataFrame, order: pd.DataFrame | None = None) -> pd.DataFrame:
    """Form 1, official review results (§5, §8): households and persons in total, poor,
    near-poor and farm-household average-living-standard (MSTB) counts with their rates.

    ``hh`` is the classify output (§8): ``class`` empty means not classed (left out of
    every count, counted in ``not_classed``). "Average farm" = class ``average`` and
    ``agricultural`` true. Persons are the households' ``members``.
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


# ------------------------------------------------------------------------------- checks


def _label(frame: pd.DataFrame, i: int) -> str:
    row = frame.iloc[i]
    number = "" if pd.isna(row.get("number")) else str(row.get("number"))
    measure = f" [{row['measure']}]" if "measure" in frame and pd.notna(row["measure"]) else ""
    return f"{number} {row['unit']}{measure}".strip()


def _ints(frame: pd.DataFrame, col: str) -> np.ndarray:
    return pd.to_numeric(frame[col], errors="coerce").fillna(0).to_numpy(dtype="float64")


def subtotal_problems(frame: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    """Every district row must equal the sum of the commune rows under it, every province
    row the sum of the district rows above it (rows in report order; by ``measure`` when
    the frame has one)."""
    problems: list[str] = []
    columns = [c for c in columns if c in frame]
    groups = (
        [frame] if "measure" not in frame else [g for _, g in frame.groupby("measure", sort=False)]
    )
    for g in groups:
        g = g.reset_index(drop=True)
        level = g["level"].astype(object).fillna("").to_numpy()
        is_d, is_c, is_p = level == "district", level == "commune", level == "province"
        dblock = np.cumsum(is_d)
        pblock = np.cumsum(np.concatenate([[False], is_p[:-1]]))
        values = g[columns].apply(pd.to_numeric, errors="coerce").fillna(0).astype(float)
        for parent, child, block in ((is_d, is_c, dblock), (is_p, is_d, pblock)):
            if not parent.any():
                continue
            sums = values[child].groupby(block[child]).sum()
            have = values[parent]
            want = sums.reindex(block[parent], fill_value=0)
            diff = have.to_numpy() != want.to_numpy()
            for r, k in zip(*np.nonzero(diff), strict=True):
                i = int(np.flatnonzero(parent)[r])
                problems.append(
                    f"{_label(g, i)}: {columns[k]} {have.iat[r, k]:g} ≠ sum of its rows "
                    f"{want.iat[r, k]:g}"
                )
    return problems


def _rate_problems(frame: pd.DataFrame, rates: Mapping[str, tuple[str, str]]) -> list[str]:
    problems = []
    for rate, (num, den) in rates.items():
        if rate not in frame:
            continue
        n, d = _ints(frame, num), _ints(frame, den)
        have = pd.to_numeric(frame[rate], errors="coerce").astype("Float64")
        want = percent(np.maximum(n, 0).astype("int64"), np.maximum(d, 0).astype("int64"))
        same = (have.isna().to_numpy() & want.isna().to_numpy()) | (
            (have - want).abs().fillna(1).to_numpy(float) < 1e-9
        )
        for i in np.flatnonzero(~same):
            shown = "" if pd.isna(have.iat[i]) else f"{have.iat[i]:g}"
            expected = "empty (zero denominator)" if pd.isna(want.iat[i]) else f"{want.iat[i]:g}"
            problems.append(
                f"{_label(frame, i)}: {rate} {shown or 'empty'} ≠ {num}/{den}×100 = {expected}"
            )
    return problems


def _bound_problems(frame: pd.DataFrame, parts: Sequence[str], whole: str) -> list[str]:
    cols = [c for c in parts if c in frame]
    if whole not in frame or not cols:
        return []
    values = [_ints(frame, c) for c in cols]
    total = sum(values)
    w = _ints(frame, whole)
    out = []
    for i in np.flatnonzero(total > w):
        parts = " + ".join(f"{c} {v[i]:g}" for c, v in zip(cols, values, strict=True))
        out.append(f"{_label(frame, i)}: {parts} = {total[i]:g} > {whole} {w[i]:g}")
    return out


def _negative_problems(frame: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    out = []
    for c in columns:
        if c in frame:
            for i in np.flatnonzero(_ints(frame, c) < 0):
                out.append(f"{_label(frame, i)}: {c} is negative")
    return out


def form_problems(frame: pd.DataFrame, form: str) -> list[str]:
    """What is wrong with one form frame (empty when it adds up). Forms "1"–"5"."""
    form = str(form)
    if form == "1":
        counts = [c for c in FORM1_COUNTS if c in frame]
        return (
            _negative_problems(frame, counts)
            + _bound_problems(
                frame,
                ["poor_households", "near_poor_households", "average_farm_households"],
                "households",
            )
            + _bound_problems(
                frame, ["poor_persons", "near_poor_persons", "average_farm_persons"], "persons"
            )
            + subtotal_problems(frame, [*counts, NOT_CLASSED])
            + _rate_problems(frame, FORM1_RATES)
        )
    if form in ("2", "3"):
        from .changes import balance_problems, form_columns

        cols = form_columns(form)
        return (
            _negative_problems(frame, cols)
            + subtotal_problems(frame, [*cols, NOT_CLASSED])
            + balance_problems(frame, form)
        )
    deps = [c for c in frame.columns if c.startswith("dep_")]
    if form == "4":
        problems = _negative_problems(frame, ["poor_households", "deprivations_total", *deps])
        problems += subtotal_problems(
            frame, ["poor_households", "deprivations_total", *deps, NOT_CLASSED]
        )
        for c in deps:
            problems += _bound_problems(frame, [c], "poor_households")
        if "deprivations_total" in frame:
            total = sum((_ints(frame, c) for c in deps), np.zeros(len(frame)))
            have = _ints(frame, "deprivations_total")
            problems += [
                f"{_label(frame, i)}: deprivations_total {have[i]:g} ≠ sum of indicators "
                f"{total[i]:g}"
                for i in np.flatnonzero(have != total)
            ]
        return problems
    if form == "5":
        problems = _negative_problems(frame, ["poor_households"])
        problems += subtotal_problems(frame, ["poor_households", NOT_CLASSED])
        for c in deps:
            v = pd.to_numeric(frame[c], errors="coerce")
            problems += [
                f"{_label(frame, i)}: {c} {v.iat[i]:g} is not a percentage"
                for i in np.flatnonzero(((v < 0) | (v > 100)).fillna(False).to_numpy(bool))
            ]
            zero = _ints(frame, "poor_households") == 0
            problems += [
                f"{_label(frame, i)}: {c} given for a unit with no poor household"
                for i in np.flatnonzero(zero & v.notna().to_numpy(bool))
            ]
        return problems
    raise ValueError(f"unknown form {form!r}")


def _by_unit(frame: pd.DataFrame, measure: str | None = None) -> pd.DataFrame:
    f = frame if measure is None else frame[frame["measure"] == measure]
    return f.set_index(["number", "level", "unit", "parent"])


def _aligned(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Both frames list the same units in the same order (then compare by position)."""
    return len(a) == len(b) and all(
        (a[c].astype(object).to_numpy() == b[c].astype(object).to_numpy()).all()
        for c in UNIT_COLUMNS
    )


def cross_problems(forms: Mapping[str, pd.DataFrame]) -> list[str]:
    """Figures that two forms share must agree, unit by unit: poor households in Forms 1, 4
    and 5; Form 2's end = Form 1's poor (households, persons), Form 3's end = Form 1's
    near-poor; households moving poor ↔ near-poor counted alike in Forms 2 and 3."""
    pairs: list[tuple[str, str | None, str, str, str | None, str]] = []
    if "1" in forms and "4" in forms:
        pairs.append(("1", None, "poor_households", "4", None, "poor_households"))
    if "4" in forms and "5" in forms:
        pairs.append(("4", None, "poor_households", "5", None, "poor_households"))
    if "1" in forms and "2" in forms:
        pairs += [
            ("1", None, "poor_households", "2", "households", "end"),
            ("1", None, "poor_persons", "2", "persons", "end"),
        ]
    if "1" in forms and "3" in forms:
        pairs += [
            ("1", None, "near_poor_households", "3", "households", "end"),
            ("1", None, "near_poor_persons", "3", "persons", "end"),
        ]
    if "2" in forms and "3" in forms:
        pairs += [
            ("2", "households", "to_near_poor", "3", "households", "from_poor"),
            ("2", "households", "from_near_poor", "3", "households", "to_poor"),
        ]
    if "4" in forms and "5" in forms:
        deps = [c for c in forms["5"].columns if c.startswith("dep_")]
        pairs += [("4", None, c, "5", None, c) for c in deps]
    problems = []
    for fa, ma, ca, fb, mb, cb in pairs:
        if fa == "4" and fb == "5" and ca.startswith("dep_"):
            problems += _share_problems(forms["4"], forms["5"], ca)
            continue
        fra = forms[fa] if ma is None else forms[fa][forms[fa]["measure"] == ma]
        frb = forms[fb] if mb is None else forms[fb][forms[fb]["measure"] == mb]
        if _aligned(fra, frb):
            va, vb = _ints(fra, ca), _ints(frb, cb)
            for i in np.flatnonzero(va != vb):
                problems.append(
                    f"{fra['number'].iat[i]} {fra['unit'].iat[i]}: Form {fa} {ca} {va[i]:g} ≠ "
                    f"Form {fb} {cb} {vb[i]:g}"
                )
            continue
        a = _by_unit(forms[fa], ma)[ca]
        b = _by_unit(forms[fb], mb)[cb]
        joined = pd.concat([a.rename("a"), b.rename("b")], axis=1).fillna(0)
        for key, row in joined[joined["a"] != joined["b"]].iterrows():
            problems.append(
                f"{key[0]} {key[2]}: Form {fa} {ca} {row['a']:g} ≠ Form {fb} {cb} {row['b']:g}"
            )
    return problems


def _share_problems(f4: pd.DataFrame, f5: pd.DataFrame, col: str) -> list[str]:
    """Form 5's share must be Form 4's count over the poor households of the same unit."""
    if _aligned(f4, f5):
        count = _ints(f4, col).astype("int64")
        poor = _ints(f4, "poor_households").astype("int64")
        want = percent(count, poor)
        have = pd.to_numeric(f5[col], errors="coerce").astype("Float64").reset_index(drop=True)
        same = (have.isna() & want.isna()) | ((have - want).abs() < 1e-9).fillna(False)
        return [
            f"{f4['number'].iat[i]} {f4['unit'].iat[i]}: Form 5 {col} "
            f"{'empty' if pd.isna(have.iat[i]) else f'{have.iat[i]:g}'} ≠ Form 4 "
            f"{count[i]}/{poor[i]}×100 = {'empty' if pd.isna(want.iat[i]) else f'{want.iat[i]:g}'}"
            for i in np.flatnonzero(~same.to_numpy(bool))
        ]
    joined = pd.merge(
        _by_unit(f4)[[col, "poor_households"]],
        _by_unit(f5)[[col]].rename(columns={col: f"{col}_share"}),
        left_index=True,
        right_index=True,
        how="outer",
    )
    count = joined[col].fillna(0).to_numpy("int64")
    poor = joined["poor_households"].fillna(0).to_numpy("int64")
    want = percent(count, poor)
    have = pd.to_numeric(joined[f"{col}_share"], errors="coerce").astype("Float64")
    have = have.reset_index(drop=True)
    same = (have.isna() & want.isna()) | ((have - want).abs() < 1e-9).fillna(False)
    out = []
    for i in np.flatnonzero(~same.to_numpy(bool)):
        key = joined.index[i]
        shown = "empty" if pd.isna(have.iat[i]) else f"{have.iat[i]:g}"
        expected = "empty" if pd.isna(want.iat[i]) else f"{want.iat[i]:g}"
        out.append(
            f"{key[0]} {key[2]}: Form 5 {col} {shown} ≠ Form 4 {count[i]}/{poor[i]}×100 = "
            f"{expected}"
        )
    return out


def check_forms(forms: Mapping[str, pd.DataFrame]) -> None:
    """Raise :class:`ReportCheckError` unless every form adds up and the forms agree (§5:
    "a report whose subtotals disagree with its rows is wrong")."""
    problems: list[str] = []
    for form, frame in forms.items():
        problems += [f"Form {form}: {p}" for p in form_problems(frame, form)]
    problems += cross_problems(forms)
    if problems:
        raise ReportCheckError(problems)


__all__ = [
    "FORM1_COLUMNS",
    "FORM1_RATES",
    "KEYS",
    "NOT_CLASSED",
    "UNIT_COLUMNS",
    "ReportCheckError",
    "check_forms",
    "cross_problems",
    "form1",
    "form4",
    "form5",
    "form_problems",
    "percent",
    "subtotal_problems",
    "unit_order",
    "unit_tree",
]
