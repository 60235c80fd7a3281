"""The five lists of ``mdpoverty lists`` as tidy tables (codes, not labels): who is on each
list and why. The xlsx layout is :mod:`mdpoverty.write.support_lists`.

- ``beneficiaries``: poor, near-poor, and newly escaped households inside a window of
  ``support-lists.toml`` (counted from ``poverty_exit_date``, or from the survey date when
  the household leaves the lists in this round; the window's last day is inside), with the
  priority flags;
- ``service-gaps``: one row per poor or near-poor household and indicator it is deprived in,
  with the agency the mapping gives that indicator;
- ``stable-work``: poor and near-poor households with no working-age member in stable work;
- ``credit``: poor, near-poor and credit-window households asking for credit or giving a
  credit cause (capital, production tools);
- ``social-protection``: poor and near-poor households with no labour capacity.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..support import TARGET_CLASSES, Agencies, load_support

BASE = ["household_id", "head_name", "province", "district", "commune", "village", "class"]
UNASSIGNED = ("", "Chưa phân công")


def _days(text: pd.Series, *, year_end: bool) -> np.ndarray:
    """ISO dates ('2023-06-15') or bare years ('2023') as datetime64[D] (NaT if blank); a
    bare year is 31 December when ``year_end``, else 1 January."""
    s = text.astype("string")
    y = pd.to_numeric(s.str[:4], errors="coerce")
    m = pd.to_numeric(s.str[5:7], errors="coerce")
    d = pd.to_numeric(s.str[8:10], errors="coerce")
    bare = y.notna() & m.isna()
    m = m.where(~bare, 12 if year_end else 1)
    d = d.where(~bare, 31 if year_end else 1)
    ok = (y.notna() & m.notna() & d.notna()).to_numpy()
    out = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[D]")
    months = (y[ok] - 1970) * 12 + (m[ok] - 1)
    out[ok] = months.to_numpy(dtype="int64").astype("datetime64[M]").astype("datetime64[D]") + (
        d[ok].to_numpy(dtype="int64") - 1
    )
    return out


def add_months(day: np.ndarray, months: int) -> np.ndarray:
    """``day`` plus whole calendar months; a day past the month's end is its last day
    (31 Jan + 1 month = 28/29 Feb), as a period "N tháng kể từ" ends."""
    month = day.astype("datetime64[M]")
    dom = (day - month.astype("datetime64[D]")).astype("int64")
    target = month + months
    last = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype("int64")
    return target.astype("datetime64[D]") + np.minimum(dom, last - 1)


def windows(hh: pd.DataFrame, extra: pd.DataFrame, as_of: dt.date | None = None) -> pd.DataFrame:
    """Per household: ``newly_escaped`` (not poor or near-poor now, escaped on
    ``exit_day``), and for each window of the data ``<name>_until`` (its last day, ISO) and
    ``<name>`` (inside it on the survey date)."""
    cls = hh["class"].astype("string").fillna("")
    prev = extra.get("previous_class", pd.Series(pd.NA, index=hh.index)).astype("string")
    survey = _days(extra.get("survey_date", pd.Series(pd.NA, index=hh.index)), year_end=False)
    if as_of is not None:
        survey = np.where(np.isnat(survey), np.datetime64(as_of, "D"), survey)
    exit_day = _days(
        extra.get("poverty_exit_date", pd.Series(pd.NA, index=hh.index)), year_end=True
    )
    out_now = cls.isin(["average", "not_poor"]).to_numpy()
    # leaving the lists in this round: the window starts on this survey's date
    leaving = out_now & prev.isin(list(TARGET_CLASSES)).fillna(False).to_numpy()
    exit_day = np.where(leaving, survey, exit_day)
    escaped = out_now & ~np.isnat(exit_day) & ~(exit_day > survey)
    frame = pd.DataFrame(
        {
            "newly_escaped": escaped,
            "escaped_this_round": leaving,
            "exit_day": pd.Series(exit_day).dt.strftime("%Y-%m-%d").where(escaped, None),
        },
        index=hh.index,
    )
    for name, w in load_support()["windows"].items():
        end = add_months(exit_day, int(w["months"]))
        inside = escaped & ~np.isnat(survey) & (survey <= end)
        frame[name] = inside
        frame[f"{name}_until"] = pd.Series(end).dt.strftime("%Y-%m-%d").where(inside, None).values
    return frame


def priorities(hh: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """One boolean column per priority group of the data (``prio_<code>``); a group whose
    column the survey lacks is blank (unknown), not "no"."""
    out = {}
    source = {
        "household": lambda col: hh[col] if col in hh else extra.get(col),
        "members": lambda col: extra.get(f"has_{col}"),
        "children": lambda col: extra.get("has_children"),
        "head_female": lambda col: extra.get("head_female"),
    }
    for item in load_support()["priority"]["items"]:
        values = source[item["source"]](item["column"])
        if values is None:
            values = pd.Series(pd.NA, index=hh.index)
        out[f"prio_{item['code']}"] = pd.array(values.to_numpy(), dtype="boolean")
    return pd.DataFrame(out, index=hh.index)


def _base(hh: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    base = hh[[c for c in BASE if c in hh]].copy()
    base.insert(1, "head_name", extra.get("head_name", pd.Series(pd.NA, index=hh.index)))
    return base


def _yes(frame: pd.DataFrame, col: str) -> np.ndarray:
    s = frame.get(col)
    return (
        np.zeros(len(frame), bool)
        if s is None
        else s.astype("boolean").fillna(False).to_numpy(bool)
    )


def _targets(hh: pd.DataFrame) -> np.ndarray:
    return hh["class"].astype("string").isin(list(TARGET_CLASSES)).fillna(False).to_numpy()


def beneficiaries(hh: pd.DataFrame, extra: pd.DataFrame, as_of=None) -> pd.DataFrame:
    w = windows(hh, extra, as_of)
    names = list(load_support()["windows"])
    inside = w[names].to_numpy().any(axis=1)
    keep = _targets(hh) | inside
    group = np.where(_targets(hh), hh["class"].astype("string").fillna(""), "newly_escaped")
    given = extra.get("poverty_exit_date", pd.Series(pd.NA, index=hh.index)).astype("string")
    # the exit date as the survey gives it (a bare year stays a year); this round's leavers: today
    shown = given.where(~w["escaped_this_round"], w["exit_day"]).where(w["newly_escaped"], None)
    out = _base(hh, extra).assign(group=group, poverty_exit_date=shown)
    out = out.assign(escaped_this_round=w["escaped_this_round"])
    for n in names:
        out[n] = w[n]
        out[f"{n}_until"] = w[f"{n}_until"]
    out = pd.concat([out, priorities(hh, extra)], axis=1)
    return out[keep]


def service_gaps(hh: pd.DataFrame, extra: pd.DataFrame, codes: list[str], agencies: Agencies):
    """Long: one row per (poor or near-poor household, deprived indicator)."""
    keep = _targets(hh)
    base = _base(hh, extra)[keep]
    deps = hh.loc[keep, [f"dep_{c}" for c in codes if f"dep_{c}" in hh]]
    deps = deps.astype("boolean").fillna(False)
    deps.columns = [c[4:] for c in deps.columns]
    long = deps.stack()
    long = long[long.to_numpy(bool)]
    pos = long.index.get_level_values(0)
    ind = pd.Series(long.index.get_level_values(1), dtype="string")
    order = {c: i for i, c in enumerate(codes)}
    lookup = {c: agencies.of(c) for c in codes}
    agency_code = ind.map(lambda c: lookup[c].code if lookup[c] else UNASSIGNED[0])
    agency = ind.map(lambda c: lookup[c].name_vi if lookup[c] else UNASSIGNED[1])
    confidence = ind.map(lambda c: lookup[c].confidence if lookup[c] else "")
    rows = base.loc[pos].reset_index(drop=True)
    rows.insert(0, "agency_code", agency_code.to_numpy())
    rows.insert(1, "agency", agency.to_numpy())
    rows.insert(2, "indicator", ind.to_numpy())
    rows["mapping_confidence"] = confidence.to_numpy()
    rank = [i for i, _ in enumerate(agencies.agencies)]
    a_rank = {a.code: r for a, r in zip(agencies.agencies, rank, strict=True)}
    rows["_a"] = rows["agency_code"].map(lambda c: a_rank.get(c, len(rank)))
    rows["_i"] = rows["indicator"].map(order)
    rows["_h"] = unit_rank(hh)[pos.to_numpy()]
    rows = rows.sort_values(["_a", "_i", "_h"], kind="stable")
    return rows.drop(columns=["_a", "_i", "_h"]).reset_index(drop=True)


def stable_work(hh: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    workers = extra.get("stable_workers", pd.Series(pd.NA, index=hh.index)).astype("Int64")
    keep = _targets(hh) & (workers == 0).fillna(False).to_numpy(bool)
    out = _base(hh, extra).assign(stable_workers=workers)
    return pd.concat([out, priorities(hh, extra)], axis=1)[keep]


def credit(hh: pd.DataFrame, extra: pd.DataFrame, as_of=None) -> pd.DataFrame:
    cfg = load_support()["credit"]
    w = windows(hh, extra, as_of)
    eligible = _targets(hh) | w["credit"].to_numpy(bool)
    need = _yes(extra, cfg["need"])
    causes = {c: _yes(extra, c) for c in cfg["causes"]}
    asks = need | np.any(list(causes.values()), axis=0) if causes else need
    out = _base(hh, extra).assign(**{cfg["need"]: need}, **causes)
    out = out.assign(newly_escaped=w["credit"], credit_until=w["credit_until"])
    return out[eligible & asks]


def social_protection(hh: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    nlc = extra.get("no_labour_capacity", pd.Series(pd.NA, index=hh.index))
    keep = _targets(hh) & _yes(pd.DataFrame({"x": nlc}), "x")
    out = _base(hh, extra).assign(no_labour_capacity=True)
    return pd.concat([out, priorities(hh, extra)], axis=1)[keep]


def unit_rank(hh: pd.DataFrame) -> np.ndarray:
    """A sort key per household: its commune (the whole path) then its village, each in the
    order they first appear in the survey, then the input order (as the classify lists)."""
    keys = [
        hh[k].astype("string").fillna("") if k in hh else pd.Series("", index=hh.index)
        for k in ("province", "district", "commune", "village")
    ]
    commune = pd.factorize(pd.Series(list(zip(*keys[:3], strict=True))))[0]
    village = pd.factorize(pd.Series(list(zip(*keys, strict=True))))[0]
    order = pd.DataFrame({"c": commune, "v": village, "i": np.arange(len(hh))})
    rank = np.empty(len(hh), dtype=np.int64)
    rank[order.sort_values(["c", "v", "i"], kind="stable")["i"].to_numpy()] = np.arange(len(hh))
    return rank


def build(kind: str, hh, extra, *, codes, agencies, as_of=None) -> pd.DataFrame:
    """The list ``kind`` (one of :data:`mdpoverty.support.LISTS`), sorted by commune and
    village (service-gaps: by agency and indicator first)."""
    hh = hh.reset_index(drop=True)
    extra = extra.reset_index(drop=True)
    if kind == "service-gaps":
        return service_gaps(hh, extra, codes, agencies)
    if kind == "beneficiaries":
        out = beneficiaries(hh, extra, as_of)
    elif kind == "stable-work":
        out = stable_work(hh, extra)
    elif kind == "credit":
        out = credit(hh, extra, as_of)
    else:
        out = social_protection(hh, extra)
    rank = unit_rank(hh)[out.index.to_numpy()]
    return out.iloc[np.argsort(rank, kind="stable")].reset_index(drop=True)


__all__ = ["add_months", "beneficiaries", "build", "service_gaps", "windows"]
