"""Changes between two review rounds: Forms 2 and 3, their balance, and the change list.

``shared/domain.md`` §4, §5 and §8. The two rounds are linked by household ID *and unit*:
a household whose commune changed is a move out of the old commune and a move into the new
one, so that every unit balances on its own. ``average`` and ``not_poor`` are both "above
near-poor" here.

For the poor (Form 2; the near-poor likewise in Form 3), per unit and for households and
persons alike:

* decreases: → near-poor (Form 3: → poor); → above near-poor (Form 3: "escaped"); other
  (only in the previous round: moved away, died, split or merged);
* increases: near-poor → (Form 3: poor →); re-entered (above near-poor at the start, with a
  known ``poverty_exit_date``: escaped in an earlier round); newly entered (above near-poor
  at the start, no exit date); other (only in the current round: moved in, split);
* ``end = start − decreases + increases``, checked by :func:`balance_problems`.

Persons: a household counts the members it had in the round it is counted from (start and
decreases: previous round; increases and end: current round), and a household that stays in
the class but changes size adds the difference to "other" (a decrease when smaller, an
increase when larger), so the persons rows balance exactly as the household rows do.

A household not classed in a round (errors in its inputs) is not on that round's lists: its
movement falls into "other", and the forms' ``not_classed`` column says how many such
households each unit has. Keeping that rule makes Form 2's end equal Form 1's poor count.

Rounds across the reform of 1 July 2025 (a previous round with districts, the current one
without) are first laid on the current round's map by
:func:`~mdpoverty.reports.units.on_current_map` (re-exported here), so that every unit of
the current map balances as above.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .forms import NOT_CLASSED
from .units import (
    GONE_UNIT,
    KEYS,
    UNIT_COLUMNS,
    commune_sums,
    maps_differ,
    on_current_map,
    unit_order,
    unit_tree,
)

GROUPS = {"poor": "poor", "near_poor": "near_poor", "average": "above", "not_poor": "above"}

FORM2_COLUMNS = [
    "start",
    "to_near_poor",
    "above_near_poor",
    "other_decrease",
    "from_near_poor",
    "re_entered",
    "newly_entered",
    "other_increase",
    "end",
]
FORM3_COLUMNS = [
    "start",
    "escaped",
    "to_poor",
    "other_decrease",
    "from_poor",
    "re_entered",
    "newly_entered",
    "other_increase",
    "end",
]
MEASURES = ("households", "persons")

# The transition of one household between the rounds (the change list, `mdpoverty changes`).
TRANSITIONS: dict[str, str] = {
    "remained_poor": "Vẫn là hộ nghèo",
    "remained_near_poor": "Vẫn là hộ cận nghèo",
    "remained_above": "Vẫn trên chuẩn cận nghèo",
    "poor_to_near_poor": "Hộ nghèo trở thành hộ cận nghèo",
    "escaped_poor": "Thoát nghèo, vượt chuẩn cận nghèo",
    "near_poor_to_poor": "Hộ cận nghèo trở thành hộ nghèo",
    "escaped_near_poor": "Thoát cận nghèo",
    "re_entered_poor": "Tái nghèo",
    "re_entered_near_poor": "Tái cận nghèo",
    "newly_poor": "Hộ nghèo phát sinh mới",
    "newly_near_poor": "Hộ cận nghèo phát sinh mới",
    "moved_out": "Giảm khác: chuyển đi, chết, tách, nhập hộ",
    "moved_in": "Tăng khác: chuyển đến, tách hộ",
    "not_classed": "Chưa phân loại được (lỗi dữ liệu)",
}
CHANGE_LIST_COLUMNS = [
    "household_id",
    "province",
    "district",
    "commune",
    "previous_class",
    "class",
    "transition",
    "transition_vi",
]
UNCHANGED = ("remained_poor", "remained_near_poor", "remained_above")


def form_columns(form: str) -> list[str]:
    """The count columns of Form 2 or Form 3, in the form's order (§8)."""
    return list(FORM2_COLUMNS if str(form) == "2" else FORM3_COLUMNS)


# ------------------------------------------------------------------------------- linking


def _side(hh: pd.DataFrame, cls: pd.Series, members: pd.Series) -> pd.DataFrame:
    ids = hh["household_id"].astype("string")
    # a household without an ID cannot be linked: give it a key of its own
    ids = ids.where(
        ids.notna() & (ids != ""),
        "\x00row" + pd.Series(np.arange(len(hh)), index=hh.index).astype(str),
    )
    side = pd.DataFrame(
        {
            "household_id": ids.to_numpy(),
            **{k: hh[k].astype("string").fillna("").to_numpy() for k in KEYS},
            "class": cls.astype("string").fillna("").to_numpy(),
            "members": pd.to_numeric(members, errors="coerce").fillna(0).astype("int64").to_numpy(),
            "_pos": np.arange(len(hh)),
        }
    )
    # a repeated ID is the same household typed twice: the first row stands (§7)
    return side.drop_duplicates("household_id", keep="first")


def _exit_known(extra: pd.DataFrame | None, n: int) -> np.ndarray:
    if extra is None or "poverty_exit_date" not in extra:
        return np.zeros(n, dtype=bool)
    s = extra["poverty_exit_date"].astype("string")
    return (s.notna() & (s.str.strip() != "")).to_numpy(bool)


def link_rounds(
    current: pd.DataFrame,
    current_extra: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
    previous_extra: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per household (and unit) of either round, with both classes.

    ``current`` / ``previous`` are classify outputs (§8; ``class`` empty = not classed).
    Without ``previous``, the start-of-period class is the current survey's
    ``previous_class`` (in ``current_extra``) and **the previous members are taken to be
    the current members** (the survey does not record the earlier size); a blank
    ``previous_class`` means the household was not on the start list (moved in, split).

    Columns: ``household_id``, the unit keys, ``previous_class``, ``class``,
    ``previous_members``, ``members``, ``exit_known`` (a ``poverty_exit_date`` is known, from
    the current round else the previous), ``previous_error`` / ``current_error`` (present but
    not classed), ``_order``.
    """
    cur = _side(current, current["class"], current["members"])
    cur_exit = _exit_known(current_extra, len(current))
    cur["_exit"] = cur_exit[cur["_pos"].to_numpy()]
    if previous is None:
        prev_cls = (
            current_extra["previous_class"].astype("string")
            if current_extra is not None and "previous_class" in current_extra
            else pd.Series(pd.NA, index=current.index, dtype="string")
        )
        prev = _side(current, prev_cls.set_axis(current.index), current["members"])
        prev = prev[prev["class"] != ""].assign(_exit=False)
        prev_is_list = True
    else:
        prev = _side(previous, previous["class"], previous["members"])
        prev["_exit"] = _exit_known(previous_extra, len(previous))[prev["_pos"].to_numpy()]
        prev_is_list = False
    on = ["household_id", *KEYS]
    link = cur.merge(prev, on=on, how="outer", suffixes=("", "_prev"), indicator=True)
    in_cur = link["_merge"].isin(["both", "left_only"]).to_numpy()
    in_prev = link["_merge"].isin(["both", "right_only"]).to_numpy()
    cls = link["class"].astype("string").fillna("")
    pcls = link["class_prev"].astype("string").fillna("")
    out = link[on].copy()
    out["previous_class"] = pcls
    out["class"] = cls
    out["previous_members"] = link["members_prev"].fillna(0).astype("int64")
    out["members"] = link["members"].fillna(0).astype("int64")
    out["exit_known"] = (
        link["_exit"].astype("boolean").fillna(False)
        | link["_exit_prev"].astype("boolean").fillna(False)
    ).to_numpy(bool)
    out["current_error"] = in_cur & (cls == "").to_numpy()
    out["previous_error"] = (in_prev & (pcls == "").to_numpy()) & ~prev_is_list
    big = len(current) + 1
    out["_order"] = np.where(
        in_cur,
        link["_pos"].fillna(0).to_numpy(float),
        big + link["_pos_prev"].fillna(0).to_numpy(float),
    )
    out = out.sort_values("_order", kind="stable").reset_index(drop=True)
    out["household_id"] = out["household_id"].where(~out["household_id"].str.startswith("\x00"), "")
    return out


def _groups(link: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    prev = link["previous_class"].map(GROUPS).fillna("").to_numpy(object)
    cur = link["class"].map(GROUPS).fillna("").to_numpy(object)
    return prev, cur


def transitions(link: pd.DataFrame) -> pd.Series:
    """The transition code of each linked household (keys of :data:`TRANSITIONS`)."""
    p, c = _groups(link)
    exit_known = link["exit_known"].to_numpy(bool)
    error = link["current_error"].to_numpy(bool) | link["previous_error"].to_numpy(bool)
    above_to = (p == "above") & np.isin(c, ["poor", "near_poor"])
    conditions = [
        error,
        (p == "") & (c != ""),
        (p != "") & (c == ""),
        (p == "poor") & (c == "poor"),
        (p == "near_poor") & (c == "near_poor"),
        (p == "above") & (c == "above"),
        (p == "poor") & (c == "near_poor"),
        (p == "poor") & (c == "above"),
        (p == "near_poor") & (c == "poor"),
        (p == "near_poor") & (c == "above"),
        above_to & (c == "poor") & exit_known,
        above_to & (c == "near_poor") & exit_known,
        above_to & (c == "poor"),
        above_to & (c == "near_poor"),
    ]
    choices = [
        "not_classed",
        "moved_in",
        "moved_out",
        "remained_poor",
        "remained_near_poor",
        "remained_above",
        "poor_to_near_poor",
        "escaped_poor",
        "near_poor_to_poor",
        "escaped_near_poor",
        "re_entered_poor",
        "re_entered_near_poor",
        "newly_poor",
        "newly_near_poor",
    ]
    return pd.Series(np.select(conditions, choices, default=""), index=link.index, dtype="string")


def change_list(link: pd.DataFrame, *, changed_only: bool = False) -> pd.DataFrame:
    """The per-household change list that communes post (§4): ``household_id, province,
    district, commune, previous_class, class, transition, transition_vi`` — the whole path of
    the unit, so two communes of one name are told apart; a household that moved between
    communes appears once in each (moved out / moved in)."""
    t = transitions(link)
    out = pd.DataFrame(
        {
            "household_id": link["household_id"],
            "province": link["province"],
            "district": link["district"],
            "commune": link["commune"],
            "previous_class": link["previous_class"],
            "class": link["class"],
            "transition": t,
            "transition_vi": t.map(TRANSITIONS).astype("string"),
        }
    )
    if changed_only:
        out = out[~t.isin(UNCHANGED)]
    return out.reset_index(drop=True)


# ------------------------------------------------------------------------------- Forms 2 and 3


def _flows(link: pd.DataFrame, form: str) -> dict[str, dict[str, np.ndarray]]:
    """Per household: its contribution to each column of Form 2 or 3, for both measures."""
    target, other = ("poor", "near_poor") if form == "2" else ("near_poor", "poor")
    p, c = _groups(link)
    exit_known = link["exit_known"].to_numpy(bool)
    pm = link["previous_members"].to_numpy("int64")
    cm = link["members"].to_numpy("int64")
    start, end = p == target, c == target
    stay = start & end
    masks = {
        "start": start,
        "to_other": start & (c == other),
        "above": start & (c == "above"),
        "other_decrease": start & (c == ""),
        "from_other": (p == other) & end,
        "re_entered": (p == "above") & end & exit_known,
        "newly_entered": (p == "above") & end & ~exit_known,
        "other_increase": (p == "") & end,
        "end": end,
    }
    from_previous = {"start", "to_other", "above", "other_decrease"}
    households = {k: v.astype("int64") for k, v in masks.items()}
    persons = {k: v * (pm if k in from_previous else cm) for k, v in masks.items()}
    persons["other_decrease"] = persons["other_decrease"] + stay * np.maximum(pm - cm, 0)
    persons["other_increase"] = persons["other_increase"] + stay * np.maximum(cm - pm, 0)
    names = (
        {"to_other": "to_near_poor", "above": "above_near_poor", "from_other": "from_near_poor"}
        if form == "2"
        else {"to_other": "to_poor", "above": "escaped", "from_other": "from_poor"}
    )
    rename = lambda d: {names.get(k, k): v for k, v in d.items()}  # noqa: E731
    return {"households": rename(households), "persons": rename(persons)}


def change_form(
    link: pd.DataFrame,
    form: str,
    order: pd.DataFrame | None = None,
    unclassed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Form 2 (poor) or Form 3 (near-poor) of §5/§8: per unit a ``households`` row and a
    ``persons`` row with ``start``, the decreases, the increases and ``end``.

    ``unclassed`` (unit keys + ``members``) lists the rows of either round that were not
    classed; they are counted in ``not_classed`` (households, and their persons).
    """
    form = str(form)
    cols = form_columns(form)
    order = order if order is not None else unit_order(link)
    flows = _flows(link, form)
    if unclassed is None:
        unclassed = pd.DataFrame({**{k: pd.Series(dtype="string") for k in KEYS}, "members": []})
    keys = pd.concat([link[KEYS], unclassed[KEYS]], ignore_index=True)
    n, u = len(link), len(unclassed)
    u_members = pd.to_numeric(unclassed["members"], errors="coerce").fillna(0).to_numpy("int64")
    trees = []
    for measure in MEASURES:
        per = {c: np.concatenate([flows[measure][c], np.zeros(u, "int64")]) for c in cols}
        left_out = np.ones(u, "int64") if measure == "households" else u_members
        per[NOT_CLASSED] = np.concatenate([np.zeros(n, "int64"), left_out])
        sums = commune_sums(keys, per)
        tree = unit_tree(sums, order, [*cols, NOT_CLASSED])
        tree.insert(len(UNIT_COLUMNS), "measure", measure)
        tree["_row"] = np.arange(len(tree))
        trees.append(tree)
    out = pd.concat(trees, ignore_index=True)
    out["_m"] = out["measure"].map({m: i for i, m in enumerate(MEASURES)})
    out = out.sort_values(["_row", "_m"], kind="stable").drop(columns=["_row", "_m"])
    out["measure"] = out["measure"].astype("string")
    return out.reset_index(drop=True)[[*UNIT_COLUMNS, "measure", *cols, NOT_CLASSED]]


def balance_problems(frame: pd.DataFrame, form: str) -> list[str]:
    """Rows where ``end ≠ start − decreases + increases`` (§4: per unit, always)."""
    cols = form_columns(form)
    if not set(cols) <= set(frame.columns):
        missing = sorted(set(cols) - set(frame.columns))
        return [f"missing columns {', '.join(missing)}"]
    v = frame[cols].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy(float)
    computed = v[:, 0] - v[:, 1:4].sum(axis=1) + v[:, 4:8].sum(axis=1)
    bad = np.flatnonzero(computed != v[:, 8])
    out = []
    for i in bad:
        row = frame.iloc[i]
        measure = f" [{row['measure']}]" if "measure" in frame else ""
        out.append(
            f"{row.get('number', '')} {row['unit']}{measure}: end {v[i, 8]:g} ≠ start − decreases "
            f"+ increases = {computed[i]:g}".strip()
        )
    return out


__all__ = [
    "CHANGE_LIST_COLUMNS",
    "FORM2_COLUMNS",
    "FORM3_COLUMNS",
    "GONE_UNIT",
    "TRANSITIONS",
    "balance_problems",
    "change_form",
    "change_list",
    "form_columns",
    "link_rounds",
    "maps_differ",
    "on_current_map",
    "transitions",
]
