"""Generate the previous review round of the example district: ``examples/previous-round.xlsx``.

Everything here is invented, like ``generate.py`` (whose functions it uses): no row
describes a real person or household.

``survey.xlsx`` is the 2025 round; its ``Phân loại đầu kỳ`` column (previous_class) holds
each household's class at the start of the period. This script writes the 2024 round that
produced that list, so that ``mdpoverty report survey.xlsx --previous previous-round.xlsx``
can be checked against the generator's own reckoning:

* every 2025 household but a few "moved in" ones is in the 2024 round under the same ID,
  classed in 2024 exactly as its 2025 ``previous_class`` says; its members and dwelling are
  those of a household drawn for that class (same area, head's sex and ethnic group) from
  a synthetic 2024 district, so households also change size between the rounds;
* a few 2024 households are gone in 2025 ("moved out": moved away, died, merged), with IDs
  after the last one of their commune;
* ``Ngày thoát nghèo gần nhất`` (poverty_exit_date) of the 2025 survey tells re-entered
  households from newly entered ones.

The expected Forms 2 and 3 are computed here from those intentions, not by mdpoverty, and
appended to ``examples/README.md`` (the section is replaced when the script runs again).

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
    _generate,
    _make_reproducible,
    _markdown_table,
    write_workbook,
)

PREVIOUS_YEAR = 2024
PREVIOUS_SEED = 2024
POOL_SIZE = 3000
RESIZED_SHARE = 0.17
README_HEADING = "## Two review rounds: `previous-round.xlsx`"

# (commune, class now) of the households that moved in since 2024, and (commune, class in
# 2024) of those that moved out: one of each kind a district officer meets.
MOVED_IN = (("Xã Xuân Quang", "poor"), ("Xã Tà Chải", "near_poor"), ("Xã Bản Phố", "not_poor"))
MOVED_OUT = (("Xã Sơn Hải", "poor"), ("Xã Lùng Phình", "near_poor"), ("Thị trấn Phố Lu", "poor"))

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


@dataclass
class Rounds:
    current: pd.DataFrame  # 2025 households (generator codes) with "class" = expected class
    current_members: pd.DataFrame
    previous: pd.DataFrame  # 2024 households with "class" = intended class
    previous_members: pd.DataFrame


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


def build_rounds(seed: int = DEFAULT_SEED, previous_seed: int = PREVIOUS_SEED) -> Rounds:
    """The 2025 example round and the 2024 round behind its ``previous_class`` column."""
    cur, cur_m, truth = _generate(DEFAULT_HOUSEHOLDS, seed, 2025)
    cur = cur.assign(**{"class": truth.expected_class})
    pool, pool_m, pool_truth = _generate(POOL_SIZE, previous_seed, PREVIOUS_YEAR)
    rng = np.random.default_rng(previous_seed)
    order = rng.permutation(len(pool))  # draw from every pool commune, not the first ones
    pool = pool.iloc[order].reset_index(drop=True)
    pool_class = pool_truth.expected_class[order]
    pool_size = pool["household_id"].map(pool_m.groupby("household_id").size()).to_numpy()
    pool_keys = _heads(pool, pool_m).assign(
        area=pool["area"].to_numpy(), cls=pool_class, size=pool_size
    )

    # households that moved in since 2024: not in the previous round
    moved_in = [
        int(np.flatnonzero((cur["commune"] == c).to_numpy() & (cur["class"] == k).to_numpy())[0])
        for c, k in MOVED_IN
    ]
    stay = np.setdiff1d(np.arange(len(cur)), moved_in)
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
        raise SystemExit("the pool is too small for the previous round; raise POOL_SIZE")

    prev = pool.iloc[pick].reset_index(drop=True)
    src_ids = prev["household_id"].to_numpy()
    for col in ("household_id", "head_name", "province", "district", "commune", "village"):
        prev[col] = cur[col].to_numpy()[stay]
    prev["class"] = pool_class[pick]
    # escaped before 2024 (off the lists then): the 2024 survey records the same exit date
    prev["poverty_exit_date"] = cur["poverty_exit_date"].to_numpy()[stay]

    # households that left after 2024: pool households not used, IDs after their commune's last
    free = np.setdiff1d(np.arange(len(pool)), pick)
    gone_rows = []
    for commune, cls in MOVED_OUT:
        spec = next(c for c in COMMUNES if c.name == commune)
        rural_village = next(v for v, urban in spec.villages if not urban)
        k = next(i for i in free if pool_class[i] == cls and pool.at[i, "area"] == "rural")
        free = free[free != k]
        ids = cur.loc[cur["commune"] == commune, "household_id"]
        prefix, last = ids.iloc[-1].rsplit("-", 1)
        row = pool.iloc[[k]].copy()
        row["household_id"] = f"{prefix}-{int(last) + 1 + len(gone_rows):0{len(last)}d}"
        row["district"], row["commune"], row["village"] = spec.district, commune, rural_village
        row["class"], row["poverty_exit_date"] = cls, None
        gone_rows.append((row, pool.at[k, "household_id"]))
    prev = pd.concat([prev, *(r for r, _ in gone_rows)], ignore_index=True)
    src_ids = np.concatenate([src_ids, [s for _, s in gone_rows]])

    # members: the drawn household's, under the new ID; the head keeps the 2025 head's name
    new_id = dict(zip(src_ids, prev["household_id"], strict=True))
    members = pool_m[pool_m["household_id"].isin(new_id)].copy()
    members["household_id"] = members["household_id"].map(new_id)
    head_name = prev.set_index("household_id")["head_name"]
    head_eth = dict(zip(cur["household_id"], heads["ethnicity"], strict=True))
    is_head = (members["relation"] == "head").to_numpy()
    members.loc[is_head, "full_name"] = members.loc[is_head, "household_id"].map(head_name)
    kept_eth = members.loc[is_head, "household_id"].map(head_eth)
    members.loc[is_head, "ethnicity"] = kept_eth.fillna(members.loc[is_head, "ethnicity"])

    commune_rank = {c.name: i for i, c in enumerate(COMMUNES)}
    prev["_r"] = prev["commune"].map(commune_rank)
    prev = prev.sort_values(["_r", "household_id"], kind="stable").drop(columns="_r")
    prev = prev.reset_index(drop=True)
    rank = {h: i for i, h in enumerate(prev["household_id"])}
    members = members.assign(_r=members["household_id"].map(rank))
    members = members.sort_values(["_r", "member_no"], kind="stable").drop(columns="_r")
    return Rounds(cur, cur_m, prev, members.reset_index(drop=True))


# ------------------------------------------------------------------------------- expectations


def expected_changes(r: Rounds) -> dict[str, pd.DataFrame]:
    """Forms 2 and 3 per commune as the generator intends them (§4 of shared/domain.md):
    per form, one row per commune and measure, columns named as in mdpoverty's tidy output
    (§8). Written independently of mdpoverty."""
    size_now = r.current_members.groupby("household_id").size()
    size_then = r.previous_members.groupby("household_id").size()
    both = pd.merge(
        r.previous[["household_id", "commune", "class"]],
        r.current[["household_id", "commune", "class", "poverty_exit_date"]],
        on=["household_id", "commune"],
        how="outer",
        suffixes=("_then", "_now"),
    )
    then = both["class_then"].map(GROUP).fillna("gone")
    now = both["class_now"].map(GROUP).fillna("gone")
    exit_known = both["poverty_exit_date"].notna()
    m_then = both["household_id"].map(size_then).fillna(0).astype(int)
    m_now = both["household_id"].map(size_now).fillna(0).astype(int)
    rows = []
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
        for measure in ("households", "persons"):
            w_then = 1 if measure == "households" else m_then
            w_now = 1 if measure == "households" else m_now
            frame = pd.DataFrame(
                {
                    "commune": both["commune"],
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
            sums = frame.groupby("commune", sort=False).sum()
            sums = sums.assign(form=form, measure=measure).reset_index()
            rows.append(sums)
    out = pd.concat(rows, ignore_index=True)
    out["_c"] = out["commune"].map({c.name: i for i, c in enumerate(COMMUNES)})
    out = out.sort_values(["form", "_c"], kind="stable").drop(columns="_c")
    tables = []
    for form, names in FORM_NAMES.items():
        f = out[out["form"] == form].rename(columns=names)
        tables.append(f[["form", "commune", "measure", *FORM_COLUMNS[form]]])
    return {t["form"].iloc[0]: t.drop(columns="form").reset_index(drop=True) for t in tables}


def _district_of(commune: str) -> str:
    return next(c.district for c in COMMUNES if c.name == commune)


def _rate(n: int, d: int) -> str:
    """A percentage rounded half-up to two decimals, as text; empty for d = 0 (§8)."""
    if d == 0:
        return ""
    q = (Decimal(int(n)) * 100 / Decimal(int(d))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{float(q)!r}"


def expected_form1(r: Rounds) -> list[list[str]]:
    """Form 1 of the 2025 round as CSV rows (§8), by the generator's own reckoning."""
    hh = r.current
    size = hh["household_id"].map(r.current_members.groupby("household_id").size())
    farm = hh["agricultural"].fillna(False).astype(bool)
    counts = pd.DataFrame(
        {
            "district": hh["district"],
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
    counts = counts.astype({c: int for c in counts.columns[2:]})
    rows = []

    def row(number, level, unit, parent, t):
        cells = [number, level, unit, parent, t["households"], t["persons"]]
        for kind in ("poor", "near_poor", "average_farm"):
            n = t[f"{kind}_households"]
            cells += [n, _rate(n, t["households"])]
        for kind in ("poor", "near_poor", "average_farm"):
            n = t[f"{kind}_persons"]
            cells += [n, _rate(n, t["persons"])]
        rows.append([str(c) for c in [*cells, 0]])

    districts = list(dict.fromkeys(c.district for c in COMMUNES))
    for i, district in enumerate(districts, 1):
        row(
            str(i),
            "district",
            district,
            "Tỉnh Lào Cai",
            counts[counts["district"] == district].sum(),
        )
        names = [c.name for c in COMMUNES if c.district == district]
        for j, commune in enumerate(names, 1):
            t = counts[counts["commune"] == commune].sum()
            row(f"{i}.{j}", "commune", commune, district, t)
    row("", "province", "Tỉnh Lào Cai", "", counts.sum())
    return rows


FORM1_HEADER = (
    "number,level,unit,parent,households,persons,poor_households,poor_household_rate,"
    "near_poor_households,near_poor_household_rate,average_farm_households,"
    "average_farm_household_rate,poor_persons,poor_person_rate,near_poor_persons,"
    "near_poor_person_rate,average_farm_persons,average_farm_person_rate,not_classed"
)


def readme_section(r: Rounds) -> str:
    exp = expected_changes(r)
    cur, prev = r.current, r.previous
    in_both = cur["household_id"].isin(prev["household_id"])
    moved_in = cur.loc[~in_both, ["household_id", "commune", "class"]]
    moved_out = prev.loc[
        ~prev["household_id"].isin(cur["household_id"]), ["household_id", "commune", "class"]
    ]
    size_now = r.current_members.groupby("household_id").size()
    size_then = r.previous_members.groupby("household_id").size()
    linked = cur.loc[in_both, "household_id"]
    resized = int((linked.map(size_now) != linked.map(size_then)).sum())

    def form_table(form: str) -> str:
        names = {
            "2": ["thành cận nghèo", "vượt chuẩn cận nghèo", "giảm khác", "cận nghèo thành nghèo"],
            "3": ["thoát cận nghèo", "thành nghèo", "giảm khác", "nghèo thành cận nghèo"],
        }[form]
        names = ["đầu kỳ", *names, "tái " + ("nghèo" if form == "2" else "cận nghèo")]
        names = [f"{i} {t}" for i, t in enumerate([*names, "phát sinh mới", "tăng khác"], 1)]
        names.append("9 cuối kỳ")
        f = exp[form].copy()
        f["district"] = f["commune"].map(_district_of)
        value_cols = FORM_COLUMNS[form]
        lines = []
        for district, d in f.groupby("district", sort=False):
            for measure, label in (("households", "Hộ"), ("persons", "Nhân khẩu")):
                dm = d[d["measure"] == measure]
                lines.append((f"**{district}**", label, *dm[value_cols].sum().tolist()))
            for commune, c in d.groupby("commune", sort=False):
                for measure, label in (("households", "Hộ"), ("persons", "Nhân khẩu")):
                    cm = c[c["measure"] == measure]
                    lines.append((commune, label, *cm[value_cols].sum().tolist()))
        for measure, label in (("households", "Hộ"), ("persons", "Nhân khẩu")):
            fm = f[f["measure"] == measure]
            lines.append(("**Tỉnh Lào Cai**", label, *fm[value_cols].sum().tolist()))
        return _markdown_table(("unit", "", *names), lines)

    f1 = expected_form1(r)
    form1_excerpt = "\n".join([FORM1_HEADER, *(",".join(x) for x in [*f1[:3], f1[-1]])])
    gone = "; ".join(f"`{h}` {c} ({k})" for h, c, k in moved_out.itertuples(index=False))
    came = "; ".join(f"`{h}` {c} (now {k})" for h, c, k in moved_in.itertuples(index=False))
    return f"""{README_HEADING}

`previous-round.xlsx` is the 2024 review round behind `survey.xlsx`'s `Phân loại đầu kỳ`
column, written by `generate_rounds.py` (fixed seed {PREVIOUS_SEED}; `python
examples/generate_rounds.py` rewrites it and this section). It has {len(prev)} households
and {len(r.previous_members)} members in the same 2 districts and 7 communes, written the same
untidy way (title row, varied headers, Vietnamese labels). Household IDs link the rounds:

- {int(in_both.sum())} households are in both rounds, each classed in 2024 as its 2025
  `previous_class` says; {resized} of them changed size between the rounds;
- moved out after 2024 (only in `previous-round.xlsx`): {gone};
- moved in since 2024 (only in `survey.xlsx`): {came};
- re-entered households are the 2025 households that were above near-poor in 2024 and are
  poor or near-poor again with a `Ngày thoát nghèo gần nhất` filled in.

One command makes the five official forms of the two districts:

```sh
mdpoverty report examples/survey.xlsx --previous examples/previous-round.xlsx -o bao-cao.xlsx
```

`mdpoverty report … --form 1 --format csv` gives Form 1 as the tidy table of §8; by the
generator's own reckoning its first rows and the province total are:

```csv
{form1_excerpt}
```

Expected Forms 2 and 3 by the generator's own reckoning (shared/domain.md §4; persons
count the members of the round a household is counted from, and a size change of a
household that stays goes to "other"):

Form 2 (poor households):

{form_table("2")}

Form 3 (near-poor households):

{form_table("3")}
"""


def write_readme_section(r: Rounds, readme: Path) -> None:
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    cut = text.find(README_HEADING)
    if cut >= 0:
        text = text[:cut]
    readme.write_text(text.rstrip("\n") + "\n\n" + readme_section(r), encoding="utf-8")


def _check_with_mdpoverty(r: Rounds, path: Path) -> None:
    """Class the written workbook with mdpoverty (when installed): it must agree."""
    try:
        import mdpoverty
    except ImportError:  # the example can be built without mdpoverty
        return
    got = mdpoverty.classify(path).households.set_index("household_id")["class"]
    want = r.previous.set_index("household_id")["class"]
    bad = got.reindex(want.index) != want
    if bad.any():
        raise SystemExit(
            f"{int(bad.sum())} households classed otherwise than intended: "
            f"{list(want.index[bad])[:5]}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "previous-round.xlsx")
    parser.add_argument("--readme", type=Path, default=HERE / "README.md")
    parser.add_argument("--no-readme", action="store_true", help="do not touch the README")
    args = parser.parse_args(argv)
    rounds = build_rounds()
    prev = rounds.previous.drop(columns="class")
    write_workbook(prev, rounds.previous_members, args.out, dirty=True)
    _make_reproducible(args.out)
    _check_with_mdpoverty(rounds, args.out)
    if not args.no_readme:
        write_readme_section(rounds, args.readme)
    print(args.out, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["Rounds", "build_rounds", "expected_changes", "readme_section"]
