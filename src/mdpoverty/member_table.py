"""The members of each household as the forms need them (Forms 9, 11 and 15, and the person
with merit of Form 8): one row per member row of the survey, attached to its household.

Built in :func:`mdpoverty.core.classify_typed` from the typed members and the rules' context,
so the ages and the school-attendance gap are the rules' own (never recomputed another way).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .law import rules
from .law.schema import fold
from .law.standards import Standard

MEMBER_COLUMNS = [
    "household_pos",
    "household_id",
    "member_no",
    "full_name",
    "sex",
    "birth_date",
    "age",
    "relation",
    "ethnicity",
    "work_status",
    "health_insurance",
    "malnourished",
    "enrolled",
    "disabled",
    "merit",
    "child",
    "out_of_school",
]


def _text(m: pd.DataFrame, name: str) -> pd.Series:
    """A member column as text: Arrow text as it is, a code list's categories decoded in
    Arrow (a copy through Python strings costs seconds a million members)."""
    if name not in m:
        return pd.Series(pd.NA, index=m.index, dtype="string")
    s = m[name]
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        return s
    if isinstance(s.dtype, pd.CategoricalDtype):
        decoded = pc.cast(pa.array(s.array), pa.string())  # dictionary → its values
        return pd.Series(pd.arrays.ArrowStringArray(decoded), index=s.index)
    return s.astype("string")


def _yes_no(m: pd.DataFrame, name: str) -> pd.Series:
    if name in m:
        return m[name].astype("boolean")
    return pd.Series(pd.NA, index=m.index, dtype="boolean")


def _birth_text(m: pd.DataFrame) -> pd.Series:
    """``1961-06-30``, or the year alone where the survey gives only a year (in Arrow)."""
    y = m.get("birth_date_year")
    if y is None:
        return pd.Series(pd.NA, index=m.index, dtype="string")

    def text(col: pd.Series, width: int) -> pa.Array:
        digits = pc.cast(pa.array(col.array), pa.string())
        return pc.utf8_lpad(digits, width, "0") if width else digits

    year = text(y, 0)
    mo = m["birth_date_month"]
    full = pc.binary_join_element_wise(
        year, text(mo, 2), text(m["birth_date_day"], 2), "-"
    )  # null where any part is missing
    out = pc.if_else(pa.array(mo.isna().to_numpy()), year, full)
    return pd.Series(pd.arrays.ArrowStringArray(out), index=m.index)


def _ids_of(ids: pd.Series, pos: np.ndarray) -> pd.Series:
    """Each member's household ID (missing where it matches none), taken in Arrow."""
    if not len(ids):
        return pd.Series(pd.array([None] * len(pos), dtype="string"))
    text = pc.cast(pa.array(ids.array), pa.string())
    taken = text.take(pa.array(np.maximum(pos, 0)))
    found = pc.if_else(pa.array(pos >= 0), taken, pa.scalar(None, pa.string()))
    return pd.Series(pd.arrays.ArrowStringArray(found))


def _child_age_below(std: Standard) -> int | None:
    """Children are members under the nutrition indicator's age (under 16 in 2022–2025);
    None when the standard has no such indicator."""
    for ind in std.indicators.values():
        if ind.rule in ("nutrition", "dependents") and "child_age_below" in ind.params:
            return int(ind.params["child_age_below"])
    return None


def member_table(
    members: pd.DataFrame, hh_ids: pd.Series, ctx: rules.Ctx, std: Standard
) -> pd.DataFrame:
    """One row per member row (in sheet order), ``household_pos`` = its household's position
    (-1 when it matches no household). ``child``: younger than the standard's child age;
    ``out_of_school``: a child of the school-attendance indicator's ages not attending the
    level for their school age (blank when the standard has no such indicator)."""
    m = members
    n = len(m)
    age = ctx.age if len(ctx.age) == n else np.full(n, np.nan)
    years = pd.array(np.floor(np.nan_to_num(age, nan=-1)), dtype="Int64")
    years[np.isnan(age)] = pd.NA
    pos = ctx.hh_pos if len(ctx.hh_pos) == n else np.full(n, -1)
    ids = hh_ids.astype("string").reset_index(drop=True)
    out = pd.DataFrame(
        {
            "household_pos": pos.astype("int64"),
            "household_id": _ids_of(ids, pos),
            "member_no": _text(m, "member_no").reset_index(drop=True),
            "full_name": _text(m, "full_name").reset_index(drop=True),
            "sex": _text(m, "sex").reset_index(drop=True),
            "birth_date": _birth_text(m).reset_index(drop=True),
            "age": years,
            "relation": _text(m, "relation").reset_index(drop=True),
            "ethnicity": _text(m, "ethnicity").reset_index(drop=True),
            "work_status": _text(m, "work_status").reset_index(drop=True),
            "health_insurance": _yes_no(m, "health_insurance").reset_index(drop=True),
            "malnourished": _yes_no(m, "malnourished").reset_index(drop=True),
            "enrolled": _text(m, "enrolled").reset_index(drop=True),
            "disabled": _yes_no(m, "disabled").reset_index(drop=True),
            "merit": _yes_no(m, "merit").reset_index(drop=True),
        }
    )
    below = _child_age_below(std)
    known = ~np.isnan(age)
    child = pd.array(np.zeros(n, bool), dtype="boolean")
    if below is None:
        child[:] = pd.NA
    else:
        child = pd.arrays.BooleanArray((np.nan_to_num(age, nan=-1) < below) & known, ~known)
    out["child"] = child
    school = next((c for c, ind in std.indicators.items() if ind.rule == "school_attendance"), None)
    if school is None or not n:
        out["out_of_school"] = pd.array([pd.NA] * n, dtype="boolean")
    else:
        _, behind = rules.school_gaps(ctx, std.params(school))
        out["out_of_school"] = pd.arrays.BooleanArray(np.asarray(behind, bool), ~known)
    return out[MEMBER_COLUMNS]


def join_members(tables: list[pd.DataFrame], households: list[int]) -> pd.DataFrame:
    """Member tables of several parts (files of a round, partitions of a dataset) as one:
    each ``household_pos`` moved past the households of the parts before it (-1 stays). A
    part whose table has no columns adds no rows."""
    parts, offset = [], 0
    for m, n in zip(tables, households, strict=True):
        if not len(m.columns):  # a part without a member table: its households still count
            offset += n
            continue
        m = m.copy()
        pos = m["household_pos"].to_numpy()
        m["household_pos"] = np.where(pos >= 0, pos + offset, -1)
        parts.append(m)
        offset += n
    return pd.concat(parts, ignore_index=True)


def household_facts(table: pd.DataFrame, n: int) -> pd.DataFrame:
    """Per household (``n`` of them): ``head_ethnicity`` (of the first member listed as
    head; blank when none or not given) and ``merit`` (a member is a person with merit;
    blank when no member is listed)."""
    pos = table["household_pos"].to_numpy()
    attached = pos >= 0
    head = (table["relation"] == "head").fillna(False).to_numpy(bool) & attached
    first = np.flatnonzero(head)
    first = first[np.unique(pos[first], return_index=True)[1]]
    eth = pd.Series(pd.NA, index=range(n), dtype="string")
    eth.iloc[pos[first]] = table["ethnicity"].iloc[first].str.strip().to_numpy()
    eth = eth.where(eth != "", pd.NA)
    has = np.bincount(pos[attached], minlength=n)[:n] > 0
    merit_m = table["merit"].fillna(False).to_numpy(bool) & attached
    merit = np.bincount(pos[merit_m], minlength=n)[:n] > 0
    return pd.DataFrame({"head_ethnicity": eth, "merit": pd.arrays.BooleanArray(merit, ~has)})


def fold_ethnicity(names: pd.Series) -> np.ndarray:
    """A key per row that tells ethnic groups apart whatever the spelling: "H'Mông",
    "Hmông", "HMONG" are one group; "" for a blank. Folded once per distinct name."""
    values = pd.Series(names.astype(object).to_numpy(), dtype=object)
    codes, uniques = pd.factorize(values)  # a missing name: -1
    folded = np.array([*(fold(str(u)) for u in uniques), ""], dtype=object)
    return folded[codes]
