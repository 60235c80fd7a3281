"""The result frames: the households table of the output contract, the extra columns
(groups, head, dates), the member table of the forms, and the accounting of every row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import context
from .law import rules
from .law.groups import derived_no_labour_capacity, group_frame
from .law.schema import fold
from .law.standards import Standard
from .member_table import household_facts, member_table
from .validate import Typed


def group_extra(t: Typed, ctx: rules.Ctx, std: Standard) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``extra`` with the group columns (data/groups), the head's ethnicity and the person
    with merit; and the member table of the forms."""
    n = len(t.households)
    has_members = (ctx.n_members > 0) if t.m_sheet is not None else np.zeros(n, dtype=bool)
    nlc = derived_no_labour_capacity(
        t.members,
        ctx.hh_pos,
        ctx.age,
        ctx.age_months,
        ctx.survey_year,
        ctx.sex,
        n,
        std.retirement_age,
        np.nan_to_num(has_members, nan=0).astype(bool),
    )
    ids = t.households.get("household_id", pd.Series(pd.NA, index=t.households.index))
    members = member_table(t.members, ids, ctx, std)
    extra = pd.concat(
        [
            _extra_frame(t),
            group_frame(t.households, nlc).reset_index(drop=True),
            household_facts(members, n),
        ],
        axis=1,
    )
    return extra, members


def _ethnic_minority(t: Typed, ctx: rules.Ctx) -> pd.Series:
    hh, m = t.households, t.members
    stated = hh.get("ethnic_minority", pd.Series(pd.NA, index=hh.index, dtype="boolean"))
    if "ethnicity" not in m or "relation" not in m or not len(m):
        return stated.astype("boolean")
    head = (m["relation"] == "head").fillna(False).to_numpy(bool) & (ctx.hh_pos >= 0)
    first_head = np.flatnonzero(head)
    pos = ctx.hh_pos[first_head]
    first_head = first_head[np.unique(pos, return_index=True)[1]]  # the first head listed wins
    eth = m["ethnicity"].iloc[first_head]
    minority = pd.Series(pd.NA, index=hh.index, dtype="boolean")
    known = eth.notna().to_numpy()
    codes, uniques = pd.factorize(eth[known])
    is_minority = np.array([fold(u) != "kinh" for u in uniques], dtype=bool)
    minority.iloc[ctx.hh_pos[first_head][known]] = is_minority[codes]
    return stated.astype("boolean").fillna(minority)


def output_frame(t, ctx, std, flags, count, income, cls, blocked, undetermined) -> pd.DataFrame:
    hh = t.households
    n = len(hh)

    def text(name: str) -> pd.Series:
        return (
            hh[name].astype("string")
            if name in hh
            else pd.Series(pd.NA, index=hh.index, dtype="string")
        )

    members = pd.array(ctx.n_members, dtype="Float64").round().astype("Int64")
    out = pd.DataFrame(
        {
            "household_id": text("household_id"),
            "province": text("province"),
            "district": text("district"),
            "commune": text("commune"),
            "village": text("village"),
            "area": text("area"),
            "members": members,
            "income_per_capita": pd.array(np.round(income), dtype="Float64").astype("Int64"),
            "deprivation_count": pd.array(count if n else [], dtype="Int64"),
        },
        index=hh.index,
    )
    for code in std.codes:
        # an indicator whose needed values are missing is unknown, never "not deprived"
        out[f"dep_{code}"] = pd.arrays.BooleanArray(
            np.asarray(flags[code], dtype=bool), undetermined[code].copy()
        )
    out["class"] = pd.Series(cls, index=hh.index, dtype="string")
    out["ethnic_minority"] = _ethnic_minority(t, ctx)
    out["agricultural"] = hh["agricultural"].astype("boolean") if "agricultural" in hh else pd.NA
    out.loc[blocked, "deprivation_count"] = pd.NA
    out.index.name = "row"
    return out.reset_index(drop=True)


def _date_text(hh: pd.DataFrame, name: str) -> pd.Series:
    """A parsed date column back as ISO text ('2023-06-15'), or the bare year ('2023')."""
    y = hh.get(f"{name}_year")
    if y is None:
        return pd.Series(pd.NA, index=hh.index, dtype="string")
    m, d = hh[f"{name}_month"], hh[f"{name}_day"]
    year = y.to_numpy(dtype=float, na_value=np.nan)
    month = m.to_numpy(dtype=float, na_value=np.nan)
    day = d.to_numpy(dtype=float, na_value=np.nan)
    full = ~np.isnan(year) & ~np.isnan(month) & ~np.isnan(day)
    # whole dates formatted by Arrow (days since 1970 -> date32 -> 'yyyy-mm-dd'), not per row
    days = np.zeros(len(year), dtype="datetime64[D]")
    if full.any():
        ym = (year[full] - 1970) * 12 + month[full] - 1
        days[full] = ym.astype("datetime64[M]").astype("datetime64[D]") + (day[full] - 1).astype(
            "timedelta64[D]"
        )
    text = pc.cast(pa.array(days, mask=~full).cast(pa.date32()), pa.string())
    bare = pa.array(np.where(np.isnan(year), 0, year).astype(np.int64), mask=np.isnan(year))
    text = pc.if_else(pa.array(full), text, pc.cast(bare, pa.string()))
    return pd.Series(pd.arrays.ArrowExtensionArray(text), index=hh.index).astype("string")


def _extra_frame(t: Typed) -> pd.DataFrame:
    hh = t.households

    def col(name: str, dtype: str) -> pd.Series:
        if name in hh:
            return hh[name].astype(dtype)
        return pd.Series(pd.NA, index=hh.index, dtype=dtype)

    extra = pd.DataFrame(
        {
            "sheet": t.hh_sheet.name if t.hh_sheet is not None else "",
            "row": pd.array(hh.index, dtype="Int64"),  # the Excel row a person sees
            "head_name": _head_name(t),
            "survey_date": _date_text(hh, "survey_date"),
            "previous_class": col("previous_class", "string"),
            "poverty_exit_date": _date_text(hh, "poverty_exit_date"),
            "sample_weight": col("sample_weight", "Float64"),
            "stratum": col("stratum", "string"),
            "psu": col("psu", "string"),
        },
        index=hh.index,
    )
    return extra.reset_index(drop=True)


def _head_name(t: Typed) -> pd.Series:
    """The head of household's name: the survey's ``head_name``, else (where blank) the
    ``full_name`` of the first member listed with relation ``head`` — for the printed lists."""
    hh, m = t.households, t.members
    name = (
        hh["head_name"].astype("string")
        if "head_name" in hh
        else pd.Series(pd.NA, index=hh.index, dtype="string")
    )
    if "full_name" not in m or "relation" not in m or not len(m) or not name.isna().any():
        return name
    pos = context.attach_member_rows(t)
    head = np.flatnonzero((m["relation"] == "head").fillna(False).to_numpy(bool) & (pos >= 0))
    first = head[np.unique(pos[head], return_index=True)[1]]  # the first head listed wins
    members = pd.Series(pd.NA, index=hh.index, dtype="string")
    members.iloc[pos[first]] = m["full_name"].astype("string").iloc[first].to_numpy()
    return name.fillna(members)


def accounting(t: Typed, ctx: rules.Ctx, blocked: np.ndarray) -> dict[str, int]:
    n_members = len(t.members)
    attached = ctx.hh_pos >= 0
    used = attached & ~blocked[np.maximum(ctx.hh_pos, 0)] if len(blocked) else attached
    counts = {
        "households_in": len(t.households),
        "households_classed": int((~blocked).sum()),
        "households_rejected": int(blocked.sum()),
        "members_in": n_members,
        "members_classed": int(used.sum()),
        "members_rejected": int(n_members - used.sum()),
    }
    for kind in ("households", "members"):  # every input row is accounted for, always
        if counts[f"{kind}_in"] != counts[f"{kind}_classed"] + counts[f"{kind}_rejected"]:
            raise RuntimeError(f"accounting broken: {kind} in != classed + rejected ({counts})")
    return counts
