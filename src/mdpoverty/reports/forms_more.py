"""Forms 6–15 of the national review software (``docs/output-contract.md``), by content.

Which "Mẫu số 7.x" of Circular 07/2021 each is was not found: the numbers 6–15 are one
province's set of the software's templates, and the layouts below are mdpoverty's reading
of their titles (domain §5), unverified against the official templates.

- 6 / 7: Forms 4 / 5 for near-poor households (:func:`~.forms.form4` with
  ``target="near_poor"``);
- 8: poor and near-poor households by group (no labour capacity, a person with merit, local
  ethnic minority, support received by kind); 10: by cause of poverty; 11: children's
  deprivations; one row per unit and ``class`` (poor, then near_poor);
- 9: households by the ethnicity of their head, one row per unit and ``ethnicity``;
- 12 / 13: the multidimensional results of poor / near-poor households: persons,
  deprivations, and households deprived in each service (dimension) of the standard;
- 14 / 15: the lists of poor and near-poor households and of their members.

Counts are summed from households for communes; district and province rows are sums of the
rows under them (:func:`~.units.unit_tree`), and :mod:`.form_checks_more` re-derives them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..law.groups import load_groups
from ..law.standards import Standard
from ..member_table import fold_ethnicity
from .forms import NOT_CLASSED, form4, form5, percent
from .units import KEYS, UNIT_COLUMNS, commune_sums, unit_tree

LISTED = ("poor", "near_poor")
NO_CAUSE = "no_cause"
CAUSES_TOTAL = "causes_total"
UNKNOWN_ETHNICITY = "(không rõ)"


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """``numerator / denominator`` rounded half-up to two decimals (integer arithmetic);
    empty for a zero denominator."""
    num = np.asarray(numerator, dtype="int64")
    den = np.asarray(denominator, dtype="int64")
    safe = np.where(den > 0, den, 1)
    hundredths = (2 * num * 100 + safe) // (2 * safe)
    return pd.Series(hundredths / 100, index=numerator.index, dtype="Float64").mask(den == 0)


def _yes(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame[name].astype("boolean").fillna(False).to_numpy(bool)


def _by_class(
    hh: pd.DataFrame,
    order: pd.DataFrame,
    columns: Sequence[str],
    per_class: dict[str, dict[str, np.ndarray]],
) -> pd.DataFrame:
    """One unit tree per class, interleaved: each unit's ``poor`` row, then its
    ``near_poor`` row. ``per_class[cls][column]``: the per-household counts."""
    sums = {cls: commune_sums(hh, per_class[cls]) for cls in LISTED}
    return by_class_tree(sums, order, columns)


def by_class_tree(
    sums: dict[str, pd.DataFrame], order: pd.DataFrame, columns: Sequence[str]
) -> pd.DataFrame:
    """Forms 8 and 10 from their commune sums per class (rows of one commune add up)."""
    trees = []
    for k, cls in enumerate(LISTED):
        tree = unit_tree(sums[cls], order, [*columns, NOT_CLASSED])
        tree.insert(4, "class", cls)
        tree["_unit"], tree["_k"] = np.arange(len(tree)), k
        trees.append(tree)
    out = pd.concat(trees, ignore_index=True).sort_values(["_unit", "_k"], kind="stable")
    return out.drop(columns=["_unit", "_k"]).reset_index(drop=True)


def _not_classed(hh: pd.DataFrame) -> np.ndarray:
    return (hh["class"].astype("string").fillna("") == "").to_numpy()


def _class_mask(hh: pd.DataFrame, cls: str) -> np.ndarray:
    return (hh["class"].astype("string").fillna("") == cls).to_numpy()


FORM8_COLUMNS = [
    "households",
    "no_labour_capacity",
    "merit",
    "local_ethnic",
    *load_groups().support.columns,
]


def form8(hh: pd.DataFrame, extra: pd.DataFrame, order: pd.DataFrame) -> pd.DataFrame:
    """Form 8: poor and near-poor households, and those of them with no labour capacity
    (stated, else derived from the members), with a person with merit, of a local ethnic
    minority, and having received each kind of support. A blank answer is not counted."""
    return _by_class(hh, order, FORM8_COLUMNS, form8_counts(hh, extra))


def form8_counts(hh: pd.DataFrame, extra: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    """Form 8's per-household counts, per class."""
    per_class = {}
    for cls in LISTED:
        mask = _class_mask(hh, cls)
        counts = {"households": mask}
        for c in FORM8_COLUMNS[1:]:
            counts[c] = mask & _yes(extra, c)
        counts[NOT_CLASSED] = _not_classed(hh)
        per_class[cls] = counts
    return per_class


FORM10_COLUMNS = ["households", *load_groups().causes.columns, NO_CAUSE, CAUSES_TOTAL]


def form10(hh: pd.DataFrame, extra: pd.DataFrame, order: pd.DataFrame) -> pd.DataFrame:
    """Form 10: poor and near-poor households by cause of poverty. A household is counted
    under each cause it gives; ``no_cause``: households giving none (every cause blank or
    "no"); ``causes_total``: the causes given, all households together."""
    return _by_class(hh, order, FORM10_COLUMNS, form10_counts(hh, extra))


def form10_counts(hh: pd.DataFrame, extra: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    """Form 10's per-household counts, per class."""
    causes = load_groups().causes.columns
    per_class = {}
    for cls in LISTED:
        mask = _class_mask(hh, cls)
        given = {c: mask & _yes(extra, c) for c in causes}
        n_given = np.sum(list(given.values()), axis=0) if given else np.zeros(len(hh))
        per_class[cls] = {
            "households": mask,
            **given,
            NO_CAUSE: mask & (n_given == 0),
            CAUSES_TOTAL: n_given * mask,
            NOT_CLASSED: _not_classed(hh),
        }
    return per_class


FORM11_COLUMNS = ["households", "children", "no_health_insurance", "malnourished", "out_of_school"]


def form11(hh: pd.DataFrame, members: pd.DataFrame, order: pd.DataFrame) -> pd.DataFrame:
    """Form 11: children (under the standard's child age, 16) of poor and near-poor
    households, and those of them without health insurance, malnourished (stunted or
    underweight), and not attending the school level for their age (the indicator's ages,
    3 to under 16)."""
    n = len(hh)
    pos = members["household_pos"].to_numpy()
    attached = (pos >= 0) & (pos < n)
    child = members["child"].fillna(False).to_numpy(bool) & attached

    def per_household(mask: np.ndarray) -> np.ndarray:
        return np.bincount(pos[mask & child], minlength=n)[:n]

    no_ins = members["health_insurance"].astype("boolean")
    counts = {
        "children": per_household(np.ones(len(members), bool)),
        "no_health_insurance": per_household((no_ins == False).fillna(False).to_numpy(bool)),  # noqa: E712
        "malnourished": per_household(members["malnourished"].fillna(False).to_numpy(bool)),
        "out_of_school": per_household(members["out_of_school"].fillna(False).to_numpy(bool)),
    }
    per_class = {}
    for cls in LISTED:
        mask = _class_mask(hh, cls)
        per_class[cls] = {
            "households": mask,
            **{k: v * mask for k, v in counts.items()},
            NOT_CLASSED: _not_classed(hh),
        }
    return _by_class(hh, order, FORM11_COLUMNS, per_class)


FORM9_COLUMNS = [
    "households",
    "poor_households",
    "poor_household_rate",
    "near_poor_households",
    "near_poor_household_rate",
]
FORM9_RATES = {
    "poor_household_rate": ("poor_households", "households"),
    "near_poor_household_rate": ("near_poor_households", "households"),
}


def form9(hh: pd.DataFrame, extra: pd.DataFrame, order: pd.DataFrame) -> pd.DataFrame:
    """Form 9: households classed, poor and near-poor households with their rates, by the
    ethnicity of the head of household (first member listed as head): one row per unit and
    ethnic group — Kinh first, then the others by number of households, then heads of
    unknown ethnicity. Spellings are matched without case or diacritics ("H'Mông",
    "HMONG"); the first spelling met names the group."""
    names = extra.get("head_ethnicity", pd.Series(pd.NA, index=hh.index, dtype=object))
    names = pd.Series(names.astype(object).to_numpy(), dtype=object)
    key = pd.Series(fold_ethnicity(names), dtype=object)
    classed = ~_not_classed(hh)
    first = key[key != ""].drop_duplicates()  # the first spelling met names the group
    shown = {k: str(names.iat[i]).strip() for i, k in first.items()}
    sizes = key[classed].value_counts()
    groups = sorted(shown, key=lambda k: (k != "kinh", -int(sizes.get(k, 0)), shown[k]))
    if (key == "").any():
        groups.append("")
    trees = []
    for g_i, g in enumerate(groups):
        mine = (key == g).to_numpy(bool)
        sums = commune_sums(
            hh,
            {
                "households": classed & mine,
                "poor_households": _class_mask(hh, "poor") & mine,
                "near_poor_households": _class_mask(hh, "near_poor") & mine,
                NOT_CLASSED: ~classed & mine,
            },
        )
        counts = ["households", "poor_households", "near_poor_households", NOT_CLASSED]
        tree = unit_tree(sums, order, counts)
        tree.insert(4, "ethnicity", shown.get(g, UNKNOWN_ETHNICITY))
        tree["_unit"], tree["_k"] = np.arange(len(tree)), g_i
        trees.append(tree)
    if not trees:  # no household at all
        cols = [*UNIT_COLUMNS, "ethnicity", *FORM9_COLUMNS, NOT_CLASSED]
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    out = pd.concat(trees, ignore_index=True).sort_values(["_unit", "_k"], kind="stable")
    out = out.drop(columns=["_unit", "_k"]).reset_index(drop=True)
    for rate, (num, den) in FORM9_RATES.items():
        out[rate] = percent(out[num], out[den])
    return out[[*UNIT_COLUMNS, "ethnicity", *FORM9_COLUMNS, NOT_CLASSED]]


def form12_columns(std: Standard, target: str) -> list[str]:
    return [
        f"{target}_households",
        f"{target}_persons",
        "deprivations_total",
        "deprivations_per_household",
        *(f"service_{s}" for s in _services(std)),
    ]


def _services(std: Standard) -> list[str]:
    """The standard's services (dimensions) that have indicators, in indicator order."""
    return list(dict.fromkeys(std.indicators[c].service for c in std.codes))


def form12(
    hh: pd.DataFrame, std: Standard, order: pd.DataFrame, target: str = "poor"
) -> pd.DataFrame:
    """Form 12 (poor) / 13 (near-poor, ``target="near_poor"``): the multidimensional review
    results: households, persons, their deprivations in all and per household (two
    decimals), and the households deprived in at least one indicator of each service."""
    return form12_tree(commune_sums(hh, form12_counts(hh, std, target)), order, std, target)


def form12_counts(hh: pd.DataFrame, std: Standard, target: str = "poor") -> dict:
    """Form 12's (13's) per-household counts."""
    mask = _class_mask(hh, target)
    members = pd.to_numeric(hh["members"], errors="coerce").fillna(0).to_numpy("int64")
    flags = {
        c: hh[f"dep_{c}"].astype("boolean").fillna(False).to_numpy(bool) & mask for c in std.codes
    }
    total = np.sum(list(flags.values()), axis=0) if flags else np.zeros(len(hh), int)
    counts: dict[str, np.ndarray] = {
        f"{target}_households": mask,
        f"{target}_persons": members * mask,
        "deprivations_total": total,
    }
    for s in _services(std):
        in_s = [flags[c] for c in std.codes if std.indicators[c].service == s]
        counts[f"service_{s}"] = np.any(in_s, axis=0)
    counts[NOT_CLASSED] = _not_classed(hh)
    return counts


def form12_tree(
    sums: pd.DataFrame, order: pd.DataFrame, std: Standard, target: str = "poor"
) -> pd.DataFrame:
    """Form 12 (13) from its commune sums."""
    columns = form12_columns(std, target)
    counted = [c for c in columns if c != "deprivations_per_household"]
    tree = unit_tree(sums, order, [*counted, NOT_CLASSED])
    tree["deprivations_per_household"] = ratio(
        tree["deprivations_total"], tree[f"{target}_households"]
    )
    return tree[[*UNIT_COLUMNS, *columns, NOT_CLASSED]]


def _list_order(hh: pd.DataFrame, order: pd.DataFrame, listed: np.ndarray) -> np.ndarray:
    """Positions of the listed households: by unit (report order), class (poor first),
    village, then input order."""
    o = order[KEYS].astype("string").fillna("").reset_index(drop=True)
    unit_rank = pd.Series(np.arange(len(o)), index=pd.MultiIndex.from_frame(o))
    keys = pd.MultiIndex.from_frame(hh[KEYS].astype("string").fillna(""))
    rank = unit_rank.reindex(keys).fillna(len(o)).to_numpy()
    cls_rank = (hh["class"].astype("string") != "poor").fillna(True).to_numpy(int)
    village = hh.get("village", pd.Series("", index=hh.index)).astype("string").fillna("")
    v_rank = pd.factorize(village, sort=True)[0]
    pos = np.flatnonzero(listed)
    idx = np.lexsort((pos, v_rank[pos], cls_rank[pos], rank[pos]))
    return pos[idx]


FORM14_FIXED = [
    "number",
    *KEYS,
    "village",
    "household_id",
    "head_name",
    "class",
    "members",
    "income_per_capita",
    "deprivation_count",
]


def form14(
    hh: pd.DataFrame, extra: pd.DataFrame, codes: Sequence[str], order: pd.DataFrame
) -> pd.DataFrame:
    """Form 14: the list of poor and near-poor households, numbered 1, 2, 3 … by unit (report
    order), class (poor first) and village, with the deprivation flags, the group columns
    and the causes."""
    listed = np.isin(hh["class"].astype("string").fillna("").to_numpy(), LISTED)
    pos = _list_order(hh, order, listed)
    h = hh.iloc[pos].reset_index(drop=True)
    e = extra.iloc[pos].reset_index(drop=True)
    out = pd.DataFrame({"number": np.arange(1, len(pos) + 1)})
    for c in FORM14_FIXED[1:]:
        if c == "head_name":
            out[c] = e.get("head_name", pd.NA)
        elif c in h:
            out[c] = h[c]
        else:
            out[c] = pd.NA
    for c in codes:
        out[f"dep_{c}"] = h.get(f"dep_{c}", pd.NA)
    g = load_groups()
    for c in [g.no_labour_capacity.column, "merit", g.local_ethnic.column, *g.causes.columns]:
        out[c] = e.get(c, pd.NA)
    return out


FORM15_COLUMNS = [
    "number",
    *KEYS,
    "village",
    "household_id",
    "head_name",
    "class",
    "member_no",
    "full_name",
    "sex",
    "birth_date",
    "relation",
    "ethnicity",
    "work_status",
    "health_insurance",
    "disabled",
    "merit",
]


def form15(
    hh: pd.DataFrame, extra: pd.DataFrame, members: pd.DataFrame, order: pd.DataFrame
) -> pd.DataFrame:
    """Form 15: the members of the households of Form 14, in its order, each household's
    members in sheet order, numbered 1, 2, 3 …"""
    listed = np.isin(hh["class"].astype("string").fillna("").to_numpy(), LISTED)
    pos = _list_order(hh, order, listed)
    rank = np.full(len(hh), -1)
    rank[pos] = np.arange(len(pos))
    mpos = members["household_pos"].to_numpy()
    ok = (mpos >= 0) & (mpos < len(hh))
    r = np.where(ok, rank[np.clip(mpos, 0, max(len(hh) - 1, 0))] if len(hh) else -1, -1)
    keep = np.flatnonzero(r >= 0)
    keep = keep[np.lexsort((keep, r[keep]))]
    m = members.iloc[keep].reset_index(drop=True)
    at = mpos[keep]
    out = pd.DataFrame({"number": np.arange(1, len(keep) + 1)})
    for c in FORM15_COLUMNS[1:]:
        if c in KEYS or c in ("village", "class"):
            out[c] = hh[c].iloc[at].reset_index(drop=True) if c in hh else pd.NA
        elif c == "head_name":
            names = extra.get("head_name", pd.Series(pd.NA, index=hh.index, dtype="string"))
            out[c] = names.iloc[at].reset_index(drop=True)
        elif c == "household_id":
            out[c] = hh["household_id"].iloc[at].reset_index(drop=True)
        else:
            out[c] = m[c]
    return out


#: Forms that need the members and the optional household columns: a survey, not a
#: classify output. Forms that need the deprivation flags (dep_*).
NEED_MEMBERS = ("8", "9", "10", "11", "15")
NEED_FLAGS = ("4", "5", "6", "7", "12", "13", "14")


def build_more(
    hh: pd.DataFrame,
    extra: pd.DataFrame,
    members: pd.DataFrame | None,
    std: Standard | None,
    wanted: Sequence[str],
    order: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """The frames of Forms 6–15 in ``wanted`` for a round's households, their ``extra``
    columns and members (None: read from classify outputs, so Forms 8–11 and 15 are a
    usage error), the units in ``order``."""
    codes = std.codes if std is not None else []
    if members is None and any(f in wanted for f in NEED_MEMBERS):
        raise UsageError(
            "Forms 8–11 and 15 need the survey (its members and household columns), not a "
            "classify output",
            "Biểu 8–11 và 15 cần tệp khảo sát (danh sách thành viên và các cột của hộ), không "
            "dùng được tệp kết quả phân loại",
        )
    out: dict[str, pd.DataFrame] = {}
    if "6" in wanted or "7" in wanted:
        f6 = form4(hh, codes, order, target="near_poor")
        if "6" in wanted:
            out["6"] = f6
        if "7" in wanted:
            out["7"] = form5(f6)
    if "8" in wanted:
        out["8"] = form8(hh, extra, order)
    if "9" in wanted:
        out["9"] = form9(hh, extra, order)
    if "10" in wanted:
        out["10"] = form10(hh, extra, order)
    if "11" in wanted:
        out["11"] = form11(hh, members, order)
    for f, target in (("12", "poor"), ("13", "near_poor")):
        if f in wanted and std is not None:
            out[f] = form12(hh, std, order, target)
    if "14" in wanted:
        out["14"] = form14(hh, extra, codes, order)
    if "15" in wanted:
        out["15"] = form15(hh, extra, members, order)
    return out


__all__ = [
    "FORM8_COLUMNS",
    "FORM9_COLUMNS",
    "FORM9_RATES",
    "FORM10_COLUMNS",
    "FORM11_COLUMNS",
    "FORM14_FIXED",
    "FORM15_COLUMNS",
    "LISTED",
    "NEED_FLAGS",
    "NEED_MEMBERS",
    "build_more",
    "form8",
    "form9",
    "form10",
    "form11",
    "form12",
    "form12_columns",
    "form14",
    "form15",
    "ratio",
]
