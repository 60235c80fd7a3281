"""Progress against the poverty-reduction targets, per commune, district and province.

``shared/domain.md`` §1: plans set a yearly fall of the poor-household rate (≥ 1–1.5
percentage points) and of the ethnic-minority poor-household rate (≥ 2–3 points), and a unit
whose rate is above its parent's average must fall faster than the parent. The targets are
data (``data/targets/*.toml``, each value with its reference and confidence mark); a
province loads its own plan with ``--targets FILE``.

Units are compared by their whole path (province, district, commune), laid out on the
current round's map: across the 2025 reform (a previous round with districts, the current one
without) the previous round's households are first moved onto the current units by household
ID (:func:`~mdpoverty.reports.changes.on_current_map`), so a province's communes get a start
rate from the households that live in them now, and households gone from a unit that no
longer exists form a labelled row of their province.

Rates are Form 1's (``percent``: rounded half-up to two decimals, empty for a unit without
households) for the previous and the current round; a fall is the start rate minus the end
rate — the difference a reader can check on the two rounds' Form 1 — and the yearly fall
divides it by the years between the rounds (rounded half-up to hundredths of a point).
The ethnic-minority rate is the share of ethnic-minority households that are poor. Units
are the report's (:func:`~mdpoverty.reports.forms.unit_tree`): rows of both rounds, a unit
present in only one round counting zero households in the other. Households not classed
(errors in their inputs) are left out of both rates and counted in ``not_classed``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pydantic import Field

from ..errors import UsageError
from ..law.standards import Confidence, DataKind, Standard, _Model, load_data_file
from . import forms
from .units import GONE_UNIT

DEFAULT_TARGETS = "ntp-2021-2025"


class Target(_Model):
    """A yearly fall, in percentage points, that a rate must reach."""

    label_vi: str
    minimum: float = Field(ge=0)
    plan: float | None = Field(default=None, ge=0)
    reference: str
    confidence: Confidence


class FasterRule(_Model):
    applies: bool
    reference: str
    confidence: Confidence


class TargetPlan(_Model):
    id: str
    title: str
    reference: str
    confidence: Confidence
    poor_household_rate: Target
    ethnic_minority_poor_household_rate: Target
    above_average_falls_faster: FasterRule
    source: str = ""


TARGETS = DataKind("targets", "target plan", "bộ chỉ tiêu", "tệp chỉ tiêu")


def bundled_targets() -> list[str]:
    return TARGETS.bundled()


def load_targets(name_or_path: str | os.PathLike[str] = DEFAULT_TARGETS) -> TargetPlan:
    """A bundled target plan by id, or a TOML file by path; errors name the file and key."""
    return load_data_file(name_or_path, TARGETS, TargetPlan)


# ------------------------------------------------------------------------------- the table

COUNTS = ["households", "poor_households", "em_households", "em_poor_households"]
TARGET_COLUMNS = [
    "households_start",
    "poor_households_start",
    "poor_rate_start",
    "households_end",
    "poor_households_end",
    "poor_rate_end",
    "poor_rate_fall",
    "poor_rate_fall_per_year",
    "poor_target",
    "poor_target_met",
    "em_households_start",
    "em_poor_households_start",
    "em_poor_rate_start",
    "em_households_end",
    "em_poor_households_end",
    "em_poor_rate_end",
    "em_poor_rate_fall",
    "em_poor_rate_fall_per_year",
    "em_target",
    "em_target_met",
    "above_parent_average",
    "falls_faster_than_parent",
]


def _sums(hh: pd.DataFrame) -> pd.DataFrame:
    cls = hh["class"].astype("string").fillna("")
    classed = (cls != "").to_numpy()
    poor = (cls == "poor").to_numpy()
    from .batch import _parse_bool  # a classify output read back holds "true"/"false" text

    em_col = hh.get("ethnic_minority")
    em = (
        _parse_bool(em_col).fillna(False).to_numpy(bool)
        if em_col is not None
        else np.zeros(len(hh), bool)
    ) & classed
    return forms.commune_sums(
        hh,
        {
            "households": classed,
            "poor_households": poor,
            "em_households": em,
            "em_poor_households": em & poor,
            forms.NOT_CLASSED: ~classed,
        },
    )


def _hundredths(rate: pd.Series) -> np.ndarray:
    return np.round(rate.astype("float64").to_numpy() * 100)  # exact: two-decimal rates


def _per_year(fall_h: np.ndarray, years: float) -> np.ndarray:
    """Hundredths of a point per year, rounded half-up (away from zero) to hundredths."""
    x = fall_h / years
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _to_points(h: np.ndarray) -> pd.arrays.FloatingArray:
    return pd.array(h / 100, dtype="Float64")  # NaN (no households) -> <NA>


def _parents(level: np.ndarray) -> np.ndarray:
    """For each row of a unit tree, the row of its parent (-1 for a province): a commune's
    district row comes before it in its province's block, a district's province row after
    its block; a commune of a province without districts (two tiers, §2b) has its province
    as parent."""
    n = len(level)
    pos = np.arange(n)
    is_p = level == "province"
    last_district = np.maximum.accumulate(np.where(level == "district", pos, -1)) if n else pos
    next_province = np.minimum.accumulate(np.where(is_p, pos, n)[::-1])[::-1] if n else pos
    last_province = (
        np.maximum.accumulate(np.where(np.r_[False, is_p[:-1]], pos - 1, -1)) if n else pos
    )
    in_district = last_district > last_province  # a district row of the same block
    commune_parent = np.where(in_district, last_district, next_province)
    return np.select(
        [level == "commune", level == "district"], [commune_parent, next_province], default=-1
    )


def target_table(
    current: pd.DataFrame, previous: pd.DataFrame, plan: TargetPlan, years: float
) -> pd.DataFrame:
    """The target table from two classify outputs (``household_id … class,
    ethnic_minority``): one row per unit, the report's numbering, :data:`TARGET_COLUMNS`."""
    if not years > 0:
        raise UsageError(f"years must be > 0, got {years:g}", f"số năm phải > 0, nhận {years:g}")
    from .changes import on_current_map

    current, previous = forms.with_keys(current), forms.with_keys(previous)
    previous = on_current_map(previous, current)  # across the 2025 reform: current units
    order = forms.unit_order(current, previous)
    cols = [*COUNTS, forms.NOT_CLASSED]
    start = forms.unit_tree(_sums(previous), order, cols)
    end = forms.unit_tree(_sums(current), order, cols)
    out = end[forms.UNIT_COLUMNS].copy()
    rates = {}
    measures = (
        ("poor", "poor", "households", "poor_households", plan.poor_household_rate),
        (
            "em_poor",
            "em",
            "em_households",
            "em_poor_households",
            plan.ethnic_minority_poor_household_rate,
        ),
    )
    for prefix, key, den, num, target in measures:
        for when, tree in (("start", start), ("end", end)):
            out[f"{den}_{when}"] = tree[den]
            out[f"{num}_{when}"] = tree[num]
            rates[(prefix, when)] = forms.percent(tree[num], tree[den])
            out[f"{prefix}_rate_{when}"] = rates[(prefix, when)]
        fall_h = _hundredths(rates[(prefix, "start")]) - _hundredths(rates[(prefix, "end")])
        per_year = _per_year(fall_h, years)
        out[f"{prefix}_rate_fall"] = _to_points(fall_h)
        out[f"{prefix}_rate_fall_per_year"] = _to_points(per_year)
        out[f"{key}_target"] = target.minimum
        met = pd.array(per_year >= round(target.minimum * 100), dtype="boolean")
        met[np.isnan(per_year)] = pd.NA
        out[f"{key}_target_met"] = met
    level = out["level"].to_numpy(dtype=object)
    parent = _parents(level)
    start_h = _hundredths(rates[("poor", "start")])
    fall_h = start_h - _hundredths(rates[("poor", "end")])
    # a province's row of households gone with their unit in the reform is not a unit
    has = (parent >= 0) & (out["unit"] != GONE_UNIT).to_numpy(bool)
    p = np.where(has, parent, 0)
    above = pd.array(has & (start_h > start_h[p]), dtype="boolean")
    above[~has | np.isnan(start_h) | np.isnan(start_h[p])] = pd.NA
    faster = pd.array(fall_h > fall_h[p], dtype="boolean")
    applies = plan.above_average_falls_faster.applies
    faster[~above.fillna(False).to_numpy(bool) | np.isnan(fall_h) | (not applies)] = pd.NA
    out["above_parent_average"] = above
    out["falls_faster_than_parent"] = faster
    out[forms.NOT_CLASSED] = start[forms.NOT_CLASSED] + end[forms.NOT_CLASSED]
    return out[[*forms.UNIT_COLUMNS, *TARGET_COLUMNS, forms.NOT_CLASSED]]


@dataclass
class TargetsResult:
    """What :func:`targets` found: the table, the plan, the years, and both rounds' counts."""

    table: pd.DataFrame
    plan: TargetPlan
    years: float
    counts: dict[str, dict[str, int]]
    standard: Standard | None
    # which standard each round was classed by and why (StandardChoice), current first
    choices: list = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # warnings (en, vi)
    # how the files were read where that was a guess (a CSV's encoding: errors.Text), for stderr
    read_notes: list = field(default_factory=list)


def targets(
    surveys: object,
    *,
    previous: object,
    years: float | None = None,
    plan: str | os.PathLike[str] | TargetPlan | None = None,
    standard: str | os.PathLike[str] | Standard | None = None,
    as_of: dt.date | None = None,
) -> TargetsResult:
    """Progress of every unit against the poverty-reduction targets between two rounds.

    ``surveys`` and ``previous`` take what :func:`mdpoverty.report` takes (files, folders,
    classify outputs, results). ``years`` between the rounds defaults to the difference of
    their survey years. ``plan``: a bundled target plan id or a TOML file (default
    ``ntp-2021-2025``).
    """
    from .batch import load_round

    if previous is None or (isinstance(previous, Sequence) and not previous):
        raise UsageError(
            "targets need the previous round (--previous): the start rate is its Form 1 rate",
            "cần kết quả kỳ trước (--previous): tỷ lệ đầu kỳ lấy từ biểu 1 của kỳ trước",
        )
    chosen = plan if isinstance(plan, TargetPlan) else load_targets(plan or DEFAULT_TARGETS)
    cur = load_round(surveys, standard=standard, as_of=as_of)  # type: ignore[arg-type]
    prev = load_round(previous, standard=standard)  # type: ignore[arg-type]
    if years is None:
        a, b = cur.survey_year(), prev.survey_year()
        years = float(a - b) if a is not None and b is not None else None
        if not years or years <= 0:
            raise UsageError(
                "years between the rounds unknown from their survey dates: give --years",
                "không xác định được số năm giữa hai kỳ từ ngày rà soát: dùng --years",
            )
    from .batch import map_notes

    table = target_table(cur.households, prev.households, chosen, years)
    return TargetsResult(
        table,
        chosen,
        years,
        {"current": cur.counts, "previous": prev.counts},
        cur.standard,
        [*cur.choices, *prev.choices],
        map_notes([("", cur), ("previous round", prev)]),
        [*cur.notes, *prev.notes],
    )


__all__ = [
    "TARGET_COLUMNS",
    "TargetPlan",
    "TargetsResult",
    "bundled_targets",
    "load_targets",
    "target_table",
    "targets",
]
