"""Generate the earlier review rounds of the example: ``examples/previous-round.xlsx`` (2025)
and ``examples/round-2024.xlsx`` (2024, before the reform of 1/7/2025).

Everything here is invented, like ``generate.py`` (whose functions it uses): no row
describes a real person or household.

``survey.xlsx`` is the 2026 round (2027–2030 standard, no districts); its ``Phân loại đầu
kỳ`` column (previous_class) holds each household's class at the start of the period. This
script writes the 2025 round that produced that list (2022–2025 standard, the same four
communes, no districts), and the 2024 round behind the 2025 round's own ``Phân loại đầu kỳ``
(2022–2025 standard, two districts and the seven communes that the four were merged from),
so that

    mdpoverty report survey.xlsx --previous previous-round.xlsx          # 2026 against 2025
    mdpoverty report previous-round.xlsx --previous round-2024.xlsx      # across the reform

can be checked against the generator's own reckoning:

* every household of a round but a few "moved in" ones is in the round before under the same
  ID, classed there exactly as its ``previous_class`` says; its members and dwelling are
  those of a household drawn for that class (same area, head's sex and ethnic group) from a
  synthetic district of that year, so households also change size between the rounds;
* a household keeps its village; before the reform its commune and district are those of
  the old commune the village belonged to (IDs keep the old code, ``LC-BT-01-…``);
* a few households of each earlier round are gone in the next ("moved out": moved away,
  died, merged), with IDs after the last one of their old commune;
* ``Ngày thoát nghèo gần nhất`` (poverty_exit_date) tells re-entered households from newly
  entered ones.

The expected Forms 2 and 3 are computed here from those intentions, not by mdpoverty, and
appended to ``examples/README.md`` (the section is replaced when the script runs again).
Forms are laid out on the units of the later round: a household in both rounds is counted
under its unit in the later round (start and end alike); a household only in the earlier
round under the later round's commune of the same province and name, else in a row of its
province for units that no longer exist ("former units").

Run from the repository root (after ``python examples/generate.py``, which rewrites the
README without this section)::

    python examples/generate_rounds.py
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import (  # noqa: E402
    COMMUNES,
    DEFAULT_HOUSEHOLDS,
    DEFAULT_SEED,
    NEW_COMMUNE_OF,
    NEW_COMMUNES,
    PROVINCE,
    SURVEY_YEAR,
    _generate,
    _make_reproducible,
    _markdown_table,
    standard_for_round,
    write_workbook,
)

PREVIOUS_YEAR = SURVEY_YEAR - 1  # 2025: after the reform, 2022–2025 standard
OLDER_YEAR = PREVIOUS_YEAR - 1  # 2024: districts, 2022–2025 standard
PREVIOUS_SEED = 2024
OLDER_SEED = 2023
POOL_SIZE = 3000
RESIZED_SHARE = 0.17
README_HEADING = "## The earlier rounds: `previous-round.xlsx` and `round-2024.xlsx`"
FORMER_UNITS = "former units"

# Households only in the later round of a pair ("moved in": commune then, class now), and
# those only in the earlier one ("moved out": their old commune, for the village and the
# ID, and their class then). One of each kind an officer meets; two of the 2024 ones were
# in communes whose name is gone (Xã Sơn Hải, Xã Tà Chải): "former units".
MOVED_IN_2026 = (
    ("Xã Xuân Quang", "poor"),
    ("Xã Bắc Hà", "near_poor"),
    ("Xã Bảo Thắng", "not_poor"),
)
MOVED_OUT_2025 = (
    ("Thị trấn Phố Lu", "poor"),
    ("Xã Sơn Hải", "poor"),
    ("Xã Lùng Phình", "near_poor"),
)
MOVED_IN_2025 = (("Xã Bảo Thắng", "poor"), ("Xã Lùng Phình", "near_poor"))
MOVED_OUT_2024 = (
    ("Xã Sơn Hải", "poor"),
    ("Xã Xuân Quang", "near_poor"),
    ("Xã Tà Chải", "poor"),
    ("Xã Lùng Phình", "poor"),
)

FORM_NAMES = {
    "2": {"to_other": "to_near_poor", "above": "above_near_poor", "from_other": "from_near_poor"},
    "3": {"to_other": "to_poor", "above": "escaped", "from_other": "from_poor"},
}
FORM_COLUMNS = {
    "2": ["start", "to_near_poor", "above_near_poor", "other_decrease", "from_near_poor"],
    "3": ["start", "escaped", "to_poor", "other_decrease", "from_poor"],
}
for _cols in FORM_COLUMNS.values():
    _cols += ["re_entered", "newly_entered", "other_increase", "end"]
GROUP = {"poor": "poor", "near_poor": "near_poor", "average": "above", "not_poor": "above"}

OLD_COMMUNE_OF_VILLAGE = {v: c.name for c in COMMUNES for v, _ in c.villages}
COMMUNE_CODE = {
    c.name: f"{PROVINCE[0]}-{c.district_code}-"
    f"{[d.district_code for d in COMMUNES][: i + 1].count(c.district_code):02d}"
    for i, c in enumerate(COMMUNES)
}


@dataclass
class Round:
    households: pd.DataFrame  # generator codes, with "class" = the intended class
    members: pd.DataFrame
    year: int


@dataclass
class Rounds:
    current: Round  # 2026, survey.xlsx
    previous: Round  # 2025, previous-round.xlsx
    older: Round  # 2024, round-2024.xlsx


def _heads(households: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    head = members[members["relation"] == "head"].drop_duplicates("household_id")
    head = head.set_index("household_id").reindex(households["household_id"])
    return pd.DataFrame(
        {
            "sex": head["sex"].to_numpy(),
            "ethnicity": head["ethnicity"].to_numpy(),
            "minority": (head["ethnicity"] != "Kinh").to_numpy(),
        },
        index=households.index,
    )


def _match(want: pd.DataFrame, pool: pd.DataFrame, levels: Sequence[Sequence[str]]) -> np.ndarray:
    """For each row of ``want``, a distinct row of ``pool`` with equal keys (the first level
    that finds one, from the strictest); -1 where none is left."""
    chosen = np.full(len(want), -1)
    used = np.zeros(len(pool), dtype=bool)
    for cols in levels:
        todo = want[chosen < 0].assign(_pos=np.flatnonzero(chosen < 0))
        free = pool[~used].assign(_pos=np.flatnonzero(~used))
        todo["_k"] = todo.groupby(list(cols)).cumcount()
        free["_k"] = free.groupby(list(cols)).cumcount()
        pairs = todo.merge(free, on=[*cols, "_k"], suffixes=("", "_pool"))
        chosen[pairs["_pos"].to_numpy()] = pairs["_pos_pool"].to_numpy()
        used[pairs["_pos_pool"].to_numpy()] = True
    return chosen


def _place(frame: pd.DataFrame, districts: bool) -> None:
    """Set commune (and district) from the village: the old units, or the merged ones."""
    old = frame["village"].map(OLD_COMMUNE_OF_VILLAGE)
    if districts:
        district = {c.name: c.district for c in COMMUNES}
        frame["district"] = old.map(district).to_numpy()
        frame["commune"] = old.to_numpy()
    else:
        frame["commune"] = old.map(NEW_COMMUNE_OF).to_numpy()


def _round_before(
    later: Round,
    *,
    seed: int,
    moved_in: Sequence[tuple[str, str]],
    moved_out: Sequence[tuple[str, str]],
    taken_ids: set[str],
) -> Round:
    """The round a year before ``later``: its households but the ``moved_in`` ones, each
    classed as its ``previous_class`` says, and the ``moved_out`` households."""
    year = later.year - 1
    cur, cur_m = later.households, later.members
    pool, pool_m, pool_truth = _generate(POOL_SIZE, seed, year)
    districts = "district" in pool.columns
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(pool))  # draw from every pool commune, not the first ones
    pool = pool.iloc[order].reset_index(drop=True)
    pool_class = pool_truth.expected_class[order]
    pool_size = pool["household_id"].map(pool_m.groupby("household_id").size()).to_numpy()
    pool_keys = _heads(pool, pool_m).assign(
        area=pool["area"].to_numpy(), cls=pool_class, size=pool_size
    )

    came = [
        int(np.flatnonzero((cur["commune"] == c).to_numpy() & (cur["class"] == k).to_numpy())[0])
        for c, k in moved_in
    ]
    stay = np.setdiff1d(np.arange(len(cur)), came)
    heads = _heads(cur, cur_m)
    # most households keep their size; about one in six had a birth, death or move since
    size = cur["household_id"].map(cur_m.groupby("household_id").size()).to_numpy()[stay]
    resized = rng.random(len(stay)) < RESIZED_SHARE
    want = heads.iloc[stay].assign(
        area=cur["area"].to_numpy()[stay],
        cls=cur["previous_class"].to_numpy()[stay],
        size=np.where(resized, -1, size),
    )
    levels = [
        ["area", "cls", "minority", "sex", "size"],
        ["area", "cls", "minority", "sex"],
        ["area", "cls", "sex"],
        ["area", "cls"],
    ]
    pick = _match(want.reset_index(drop=True), pool_keys, levels)
    if (pick < 0).any():
        raise SystemExit("the pool is too small for the earlier round; raise POOL_SIZE")

    prev = pool.iloc[pick].reset_index(drop=True)
    src_ids = prev["household_id"].to_numpy()
    for col in ("household_id", "head_name", "province", "village"):
        prev[col] = cur[col].to_numpy()[stay]
    _place(prev, districts)
    prev["class"] = pool_class[pick]
    # the later survey's exit date (escaped before: off the lists then) where this round
    # has none and the household was above near-poor; a re-entry of this round keeps its own
    later_exit = cur["poverty_exit_date"].to_numpy()[stay]
    above = np.isin(prev["class"].to_numpy(), ["average", "not_poor"])
    own_exit = prev["poverty_exit_date"].notna().to_numpy()
    prev["poverty_exit_date"] = pd.Series(
        np.where(~own_exit & above, later_exit, prev["poverty_exit_date"].to_numpy()),
        dtype=object,
    )

    # households that left after this round: pool households not used, new IDs
    free = np.setdiff1d(np.arange(len(pool)), pick)
    gone_rows = []
    taken = set(taken_ids) | set(prev["household_id"])
    for old_commune, cls in moved_out:
        spec = next(c for c in COMMUNES if c.name == old_commune)
        rural_village = next(v for v, urban in spec.villages if not urban)
        k = next(i for i in free if pool_class[i] == cls and pool.at[i, "area"] == "rural")
        free = free[free != k]
        prefix = COMMUNE_CODE[old_commune]
        last = max(int(h.rsplit("-", 1)[1]) for h in taken if h.startswith(prefix + "-"))
        new_id = f"{prefix}-{last + 1:04d}"
        taken.add(new_id)
        row = pool.iloc[[k]].copy()
        row["household_id"], row["village"] = new_id, rural_village
        _place(row, districts)
        row["class"] = cls
        gone_rows.append((row, pool.at[k, "household_id"]))
    prev = pd.concat([prev, *(r for r, _ in gone_rows)], ignore_index=True)
    src_ids = np.concatenate([src_ids, [s for _, s in gone_rows]])

    # members: the drawn household's, under the new ID; the head keeps the later head's name
    new_id_of = dict(zip(src_ids, prev["household_id"], strict=True))
    members = pool_m[pool_m["household_id"].isin(new_id_of)].copy()
    members["household_id"] = members["household_id"].map(new_id_of)
    head_name = prev.set_index("household_id")["head_name"]
    head_eth = dict(zip(cur["household_id"], heads["ethnicity"], strict=True))
    is_head = (members["relation"] == "head").to_numpy()
    members.loc[is_head, "full_name"] = members.loc[is_head, "household_id"].map(head_name)
    kept_eth = members.loc[is_head, "household_id"].map(head_eth)
    members.loc[is_head, "ethnicity"] = kept_eth.fillna(members.loc[is_head, "ethnicity"])

    units = [c.name for c in COMMUNES] if districts else [n for n, _ in NEW_COMMUNES]
    prev["_r"] = prev["commune"].map({u: i for i, u in enumerate(units)})
    prev = prev.sort_values(["_r", "household_id"], kind="stable").drop(columns="_r")
    prev = prev.reset_index(drop=True)
    rank = {h: i for i, h in enumerate(prev["household_id"])}
    members = members.assign(_r=members["household_id"].map(rank))
    members = members.sort_values(["_r", "member_no"], kind="stable").drop(columns="_r")
    return Round(prev, members.reset_index(drop=True), year)


def build_rounds(seed: int = DEFAULT_SEED) -> Rounds:
    """The 2026 example round, the 2025 round behind its ``previous_class`` column, and the
    2024 round behind the 2025 round's."""
    cur, cur_m, truth = _generate(DEFAULT_HOUSEHOLDS, seed, SURVEY_YEAR)
    current = Round(cur.assign(**{"class": truth.expected_class}), cur_m, SURVEY_YEAR)
    taken = set(cur["household_id"])
    previous = _round_before(
        current,
        seed=PREVIOUS_SEED,
        moved_in=MOVED_IN_2026,
        moved_out=MOVED_OUT_2025,
        taken_ids=taken,
    )
    taken |= set(previous.households["household_id"])
    older = _round_before(
        previous,
        seed=OLDER_SEED,
        moved_in=MOVED_IN_2025,
        moved_out=MOVED_OUT_2024,
        taken_ids=taken,
    )
    return Rounds(current, previous, older)


# ------------------------------------------------------------------------------- expectations


def _units(later: Round) -> list[str]:
    return list(dict.fromkeys(later.households["commune"]))


def expected_changes(earlier: Round, later: Round) -> dict[str, pd.DataFrame]:
    """Forms 2 and 3 per unit of the later round as the generator intends them (the survey
    contract's section on transitions): per form, one row per unit and measure, columns
    named as in mdpoverty's tidy output. Written independently of mdpoverty.

    A household in both rounds is counted under its unit in the later round; one only in
    the earlier round under the later round's commune of the same province and name, else
    under FORMER_UNITS."""
    size_now = later.members.groupby("household_id").size()
    size_then = earlier.members.groupby("household_id").size()
    both = pd.merge(
        earlier.households[["household_id", "province", "commune", "class"]],
        later.households[["household_id", "province", "commune", "class", "poverty_exit_date"]],
        on="household_id",
        how="outer",
        suffixes=("_then", "_now"),
    )
    now_units = set(zip(later.households["province"], later.households["commune"], strict=True))
    same_name = [
        (p, c) in now_units
        for p, c in zip(both["province_then"], both["commune_then"], strict=True)
    ]
    unit = both["commune_now"].where(
        both["commune_now"].notna(),
        both["commune_then"].where(same_name, FORMER_UNITS),
    )
    then = both["class_then"].map(GROUP).fillna("gone")
    now = both["class_now"].map(GROUP).fillna("gone")
    exit_known = both["poverty_exit_date"].notna()
    m_then = both["household_id"].map(size_then).fillna(0).astype(int)
    m_now = both["household_id"].map(size_now).fillna(0).astype(int)
    order = {u: i for i, u in enumerate([*_units(later), FORMER_UNITS])}
    tables = {}
    for form, target, other in (("2", "poor", "near_poor"), ("3", "near_poor", "poor")):
        kind = pd.Series("", index=both.index)
        kind[(then == target) & (now == other)] = "to_other"
        kind[(then == target) & (now == "above")] = "above"
        kind[(then == target) & (now == "gone")] = "other_decrease"
        kind[(then == other) & (now == target)] = "from_other"
        kind[(then == "above") & (now == target) & exit_known] = "re_entered"
        kind[(then == "above") & (now == target) & ~exit_known] = "newly_entered"
        kind[(then == "gone") & (now == target)] = "other_increase"
        stays = (then == target) & (now == target)
        rows = []
        for measure in ("households", "persons"):
            w_then = 1 if measure == "households" else m_then
            w_now = 1 if measure == "households" else m_now
            frame = pd.DataFrame(
                {
                    "unit": unit,
                    "start": (then == target) * w_then,
                    "end": (now == target) * w_now,
                }
            )
            for k in ("to_other", "above", "other_decrease"):
                frame[k] = (kind == k) * w_then
            for k in ("from_other", "re_entered", "newly_entered", "other_increase"):
                frame[k] = (kind == k) * w_now
            if measure == "persons":
                frame["other_decrease"] += stays * (m_then - m_now).clip(lower=0)
                frame["other_increase"] += stays * (m_now - m_then).clip(lower=0)
            sums = frame.groupby("unit", sort=False).sum().reset_index()
            rows.append(sums.assign(measure=measure))
        out = pd.concat(rows, ignore_index=True)
        out = out.assign(_u=out["unit"].map(order), _m=out["measure"].eq("persons"))
        out = out.sort_values(["_u", "_m"], kind="stable").drop(columns=["_u", "_m"])
        out = out.rename(columns=FORM_NAMES[form])
        tables[form] = out[["unit", "measure", *FORM_COLUMNS[form]]].reset_index(drop=True)
    return tables


def _rate(n: int, d: int) -> str:
    """A percentage rounded half-up to two decimals, as text; empty for d = 0."""
    if d == 0:
        return ""
    q = (Decimal(int(n)) * 100 / Decimal(int(d))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{float(q)!r}"


def expected_form1(r: Round) -> list[list[str]]:
    """Form 1 of a round as CSV rows (the tidy output), by the generator's own reckoning:
    district rows with their communes (1, 1.1 …) when the round has districts, else the
    communes (1, 2 …), then the province. Under a standard with no average-living band
    (2027–2030) the average-farm cells are empty: not assessed, rather than zero."""
    hh = r.households
    size = hh["household_id"].map(r.members.groupby("household_id").size())
    farm = hh["agricultural"].fillna(False).astype(bool)
    counts = pd.DataFrame(
        {
            "commune": hh["commune"],
            "households": 1,
            "persons": size,
            "poor_households": hh["class"] == "poor",
            "near_poor_households": hh["class"] == "near_poor",
            "average_farm_households": (hh["class"] == "average") & farm,
        }
    )
    for kind in ("poor", "near_poor", "average_farm"):
        counts[f"{kind}_persons"] = counts[f"{kind}_households"] * size
    counts = counts.astype({c: int for c in counts.columns[1:]})
    province = PROVINCE[1]
    band = standard_for_round(r.year).band_top is not None
    rows = []

    def row(number, level, unit, parent, t):
        cells = [number, level, unit, parent, t["households"], t["persons"]]
        for measure, total in (("households", t["households"]), ("persons", t["persons"])):
            for kind in ("poor", "near_poor", "average_farm"):
                n = t[f"{kind}_{measure}"]
                cells += [n, _rate(n, total)] if band or kind != "average_farm" else ["", ""]
        rows.append([str(c) for c in [*cells, 0]])

    if "district" in hh.columns:
        counts["district"] = hh["district"]
        for i, district in enumerate(dict.fromkeys(hh["district"]), 1):
            in_d = counts[counts["district"] == district]
            row(str(i), "district", district, province, in_d.drop(columns="district").sum())
            for j, commune in enumerate(dict.fromkeys(in_d["commune"]), 1):
                t = in_d[in_d["commune"] == commune].drop(columns=["district", "commune"]).sum()
                row(f"{i}.{j}", "commune", commune, district, t)
        counts = counts.drop(columns="district")
    else:
        for i, commune in enumerate(_units(r), 1):
            t = counts[counts["commune"] == commune].drop(columns="commune").sum()
            row(str(i), "commune", commune, province, t)
    row("", "province", province, "", counts.drop(columns="commune").sum())
    return rows


FORM1_HEADER = (
    "number,level,unit,parent,households,persons,poor_households,poor_household_rate,"
    "near_poor_households,near_poor_household_rate,average_farm_households,"
    "average_farm_household_rate,poor_persons,poor_person_rate,near_poor_persons,"
    "near_poor_person_rate,average_farm_persons,average_farm_person_rate,not_classed"
)

FORM_HEADINGS = {
    "2": ["thành cận nghèo", "vượt chuẩn cận nghèo", "giảm khác", "cận nghèo thành nghèo"],
    "3": ["thoát cận nghèo", "thành nghèo", "giảm khác", "nghèo thành cận nghèo"],
}


def _form_table(exp: dict[str, pd.DataFrame], form: str) -> str:
    names = ["đầu kỳ", *FORM_HEADINGS[form], "tái " + ("nghèo" if form == "2" else "cận nghèo")]
    names = [f"{i} {t}" for i, t in enumerate([*names, "phát sinh mới", "tăng khác"], 1)]
    names.append("9 cuối kỳ")
    f = exp[form]
    value_cols = FORM_COLUMNS[form]
    lines = []
    for u, d in f.groupby("unit", sort=False):
        label = f"**{u}**" if u == FORMER_UNITS else u
        for measure, m_label in (("households", "Hộ"), ("persons", "Nhân khẩu")):
            lines.append((label, m_label, *d[d["measure"] == measure][value_cols].sum().tolist()))
    for measure, m_label in (("households", "Hộ"), ("persons", "Nhân khẩu")):
        fm = f[f["measure"] == measure]
        lines.append((f"**{PROVINCE[1]}**", m_label, *fm[value_cols].sum().tolist()))
    return _markdown_table(("unit", "", *names), lines)


def _class_table(r: Round) -> str:
    hh = r.households
    classes = ["poor", "near_poor", "average", "not_poor"]
    keys = ["district", "commune"] if "district" in hh.columns else ["commune"]
    rows = []
    for key, g in hh.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        counts = [int((g["class"] == c).sum()) for c in classes]
        rows.append((*key, *counts, len(g)))
    total = [int((hh["class"] == c).sum()) for c in classes]
    rows.append(("**total**", *([""] * (len(keys) - 1)), *total, len(hh)))
    return _markdown_table((*keys, *classes, "households"), rows)


def _links(earlier: Round, later: Round, earlier_file: str, later_file: str) -> str:
    e, lt = earlier.households, later.households
    in_both = lt["household_id"].isin(e["household_id"])
    came = lt.loc[~in_both, ["household_id", "commune", "class"]]
    gone = e.loc[~e["household_id"].isin(lt["household_id"]), ["household_id", "commune", "class"]]
    size_now = later.members.groupby("household_id").size()
    size_then = earlier.members.groupby("household_id").size()
    linked = lt.loc[in_both, "household_id"]
    resized = int((linked.map(size_now) != linked.map(size_then)).sum())
    moved = ""
    if "district" in e.columns:
        old = e.set_index("household_id")["commune"]
        new = lt.set_index("household_id")["commune"]
        common = old.index.intersection(new.index)
        renamed = int((old[common] != new[common]).sum())
        moved = (
            f"; {renamed} of them are under another commune name in {later.year} only "
            "because their commune was merged (they did not move)"
        )
    gone_s = "; ".join(f"`{h}` {c} ({k})" for h, c, k in gone.itertuples(index=False))
    came_s = "; ".join(f"`{h}` {c} (now {k})" for h, c, k in came.itertuples(index=False))
    n_both = int(in_both.sum())
    return f"""- {n_both} households are in both rounds, each classed in {earlier.year} as \
its {later.year} `previous_class` says; {resized} of them changed size between the rounds{moved};
- moved out after {earlier.year} (only in `{earlier_file}`): {gone_s};
- moved in since {earlier.year} (only in `{later_file}`): {came_s};
- re-entered households are the {later.year} households that were above near-poor in \
{earlier.year} and are poor or near-poor again with a `Ngày thoát nghèo gần nhất` filled in."""


def readme_section(r: Rounds) -> str:
    cur, prev, old = r.current, r.previous, r.older
    exp_now = expected_changes(prev, cur)
    exp_cross = expected_changes(old, prev)
    f1 = expected_form1(cur)
    form1_excerpt = "\n".join([FORM1_HEADER, *(",".join(x) for x in [*f1[:2], f1[-1]])])
    province = PROVINCE[1]
    return f"""{README_HEADING}

Written by `generate_rounds.py` (fixed seeds {PREVIOUS_SEED} and {OLDER_SEED}; `python
examples/generate_rounds.py` rewrites both workbooks and this section), the same untidy
way as `survey.xlsx` (title row, varied headers, Vietnamese labels). Both earlier rounds use
the 2022–2025 standard (lines 1,500,000 rural / 2,000,000 urban, the average-living band up
to 2,250,000 / 3,000,000, score A lines 140 / 175, 12 indicators with information assets):
the {prev.year} review set the {prev.year + 1} lists, which Decree 351/2025 still puts under
2022–2025. They carry the information-asset columns and no waste columns.

- `previous-round.xlsx`: the {prev.year} review, {len(prev.households)} households and \
{len(prev.members)} members in the same {cur.households["commune"].nunique()} communes as \
`survey.xlsx`, no district column, surveyed Oct–Nov {prev.year};
- `round-2024.xlsx`: the {old.year} review, {len(old.households)} households and \
{len(old.members)} members in 2 districts and {old.households["commune"].nunique()} communes \
(before the reform), surveyed Oct–Nov {old.year}.

Household IDs link the rounds. `survey.xlsx` against `previous-round.xlsx`:

{_links(prev, cur, "previous-round.xlsx", "survey.xlsx")}

`previous-round.xlsx` against `round-2024.xlsx`:

{_links(old, prev, "round-2024.xlsx", "previous-round.xlsx")}

### Classes in `previous-round.xlsx` (vn-2022-2025), by the generator's own reckoning

{_class_table(prev)}

### Classes in `round-2024.xlsx` (vn-2022-2025), by the generator's own reckoning

{_class_table(old)}

### The {cur.year} round against the {prev.year} round

One command makes the five official forms of the province's communes:

```sh
mdpoverty report examples/survey.xlsx --previous examples/previous-round.xlsx -o bao-cao.xlsx
```

`mdpoverty report examples/survey.xlsx --form 1 --format csv` gives Form 1 as a tidy table;
by the generator's own reckoning its first rows and the province total are (no average
band under 2027–2030, so the average-farm columns are empty):

```csv
{form1_excerpt}
```

Expected Forms 2 and 3 by the generator's own reckoning (persons count the members of the
round a household is counted from, and a size change of a household that stays goes to
"other"):

#### Form 2 (poor households), {cur.year} against {prev.year}

{_form_table(exp_now, "2")}

#### Form 3 (near-poor households), {cur.year} against {prev.year}

{_form_table(exp_now, "3")}

### Across the reform: the {prev.year} round against the {old.year} round

```sh
mdpoverty report examples/previous-round.xlsx --previous examples/round-2024.xlsx \\
  -o bao-cao-{prev.year}.xlsx
```

The forms are laid out on the units of the {prev.year} round ({province} and its communes, no
districts). A household in both rounds is counted under its {prev.year} commune, at the start
as at the end, even where its {old.year} commune had another name; a household only in the
{old.year} round is counted under the {prev.year} commune of the same province and name (Xã
Xuân Quang, Xã Lùng Phình), else in a row of the province for units that no longer exist
("{FORMER_UNITS}" below; mdpoverty may word that row otherwise).

#### Form 2 (poor households), {prev.year} against {old.year}

{_form_table(exp_cross, "2")}

#### Form 3 (near-poor households), {prev.year} against {old.year}

{_form_table(exp_cross, "3")}
"""


def write_readme_section(r: Rounds, readme: Path) -> None:
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    cut = text.find(README_HEADING)
    if cut >= 0:
        text = text[:cut]
    readme.write_text(text.rstrip("\n") + "\n\n" + readme_section(r), encoding="utf-8")


def _check_with_mdpoverty(r: Round, path: Path) -> None:
    """Class the written workbook with mdpoverty (when installed): it must agree."""
    try:
        import mdpoverty
    except ImportError:  # the example can be built without mdpoverty
        return
    got = mdpoverty.classify(path, standard="vn-2022-2025").households
    got = got.set_index("household_id")["class"]
    want = r.households.set_index("household_id")["class"]
    bad = got.reindex(want.index) != want
    if bad.any():
        raise SystemExit(
            f"{path.name}: {int(bad.sum())} households classed otherwise than intended: "
            f"{list(want.index[bad])[:5]}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "previous-round.xlsx")
    parser.add_argument("--older", type=Path, default=HERE / "round-2024.xlsx")
    parser.add_argument("--readme", type=Path, default=HERE / "README.md")
    parser.add_argument("--no-readme", action="store_true", help="do not touch the README")
    args = parser.parse_args(argv)
    rounds = build_rounds()
    for rnd, path in ((rounds.previous, args.out), (rounds.older, args.older)):
        write_workbook(rnd.households.drop(columns="class"), rnd.members, path, dirty=True)
        _make_reproducible(path)
        _check_with_mdpoverty(rnd, path)
        print(path, file=sys.stderr)
    if not args.no_readme:
        write_readme_section(rounds, args.readme)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["Round", "Rounds", "build_rounds", "expected_changes", "readme_section"]
