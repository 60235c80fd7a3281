"""Alkire–Foster measures of the 12 deprivations: H, A, M0, headcounts, contributions,
subgroup decomposition, change between rounds and design-based standard errors.

This module is the library entry point, :func:`measures`, with the :class:`MeasuresResult` it
returns and the notes for people about the run. The work is done in:

- :mod:`.af` — the method and its pure core: identification, censoring, totals and ratios,
  groups, change between rounds;
- :mod:`.af_design` — design-based standard errors (Taylor linearisation);
- :mod:`.af_inputs` — a Result, survey file or classify output to the analysed units;
- :mod:`.af_tables` — the measures, inference, indicator and change frames.

The names callers import from here are re-exported (see ``__all__``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core import Result
from ..engines import is_dataset
from ..errors import UsageError
from ..law.standards import Standard
from .design import Z_95 as Z_95
from .design import Design, design_variance, influences, make_design
from .inputs import REASONS, Unit, Units, as_result, parse_by, prepare_units, result_from_frame
from .method import (
    ALL,
    K_TOLERANCE,
    MISSING_LABEL,
    Totals,
    af_totals,
    change_values,
    check_k,
    group_codes,
    identify,
    profiles,
    ratios,
    scores,
)
from .tables import change_table, indicator_table, round_tables
from .weights import WeightsSpec, indicator_weights


@dataclass(frozen=True)
class Note:
    """A message for people about the run (the CLI prints it on stderr)."""

    id: str
    en: str
    vi: str

    def text(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


@dataclass
class MeasuresResult:
    """What :func:`measures` returns; every table is a DataFrame the CLI only renders.

    ``measures``: one row per group (``all`` first, then each level of each ``by`` variable):
    ``group, unit_count, H, A, M0, h_<code>…, contrib_<code>…`` (the output contract), then
    ``by, households, population, pop_share, share_of_M0, u_<code>…`` and, for a sample
    survey, ``H_se, H_ci_low, H_ci_high`` (likewise A, M0) and ``h_<code>_se``.
    ``indicators``: the total's per-indicator table. ``inference``: every estimate with its
    SE and 95 % CI, long (empty for a census). ``change``: one row per group and measure
    when a previous round is given. ``excluded``: households left out, with the reason.
    """

    measures: pd.DataFrame
    indicators: pd.DataFrame
    inference: pd.DataFrame
    change: pd.DataFrame | None
    excluded: pd.DataFrame
    settings: dict[str, Any]
    notes: list[Note] = field(default_factory=list)
    # which standard the (current) round was classed by and why (StandardChoice)
    choices: list = field(default_factory=list)
    # how the files were read where that was a guess (a CSV's encoding: errors.Text), for stderr
    read_notes: list = field(default_factory=list)

    @property
    def census(self) -> bool:
        return not self.settings["sample"]

    def frames(self) -> dict[str, pd.DataFrame]:
        """The non-empty tables by name (for a workbook or JSON)."""
        out = {"measures": self.measures, "indicators": self.indicators}
        if len(self.inference):
            out["inference"] = self.inference
        if self.change is not None:
            out["change"] = self.change
        out["excluded"] = self.excluded
        return out


def measures(
    source: Result | str | os.PathLike[str] | pd.DataFrame,
    *,
    k: float = 0.25,
    weights: WeightsSpec = "equal",
    unit: Unit = "persons",
    by: str | Sequence[str] | None = None,
    previous: Result | str | os.PathLike[str] | pd.DataFrame | None = None,
    years: float | None = None,
    standard: Standard | str | None = None,
    members: str | os.PathLike[str] | None = None,
    as_of: dt.date | None = None,
    lang: str = "vi",
    engine: str = "local",
    scheduler: str | None = None,
) -> MeasuresResult:
    """Alkire–Foster measures of a classified survey (see :mod:`.af` for the method).

    ``source`` is a :class:`~mdpoverty.core.Result`, a survey file (classified here with
    ``standard``/``members``/``as_of``), a classify output (CSV/Parquet) or such a frame.
    ``k`` is a fraction (default 3 of 12 = 0.25); ``weights`` "equal", "nested", a TOML file,
    a mapping code → weight, or a sequence in indicator order; ``unit`` "persons" (each member
    carries the household's deprivations) or "households"; ``by`` household columns
    (``commune``, ``district``, ``area``, ``ethnic_minority``, …), one block of rows per
    variable, one row per level. ``previous`` adds the change table; it is classified with the
    current round's standard so the indicators compare; ``years`` between the rounds defaults
    to the difference of their survey years. A Parquet dataset folder (a census) is measured
    from each partition's totals, on ``engine`` (``local`` or ``dask``, ``scheduler``).

    >>> res = measures("examples/survey.xlsx", by="commune")   # doctest: +SKIP
    >>> res.measures[["group", "H", "A", "M0"]]                 # doctest: +SKIP
    """
    if unit not in ("persons", "households"):
        raise UsageError(
            f"unit must be persons or households, got {unit!r}",
            f"đơn vị đếm phải là persons (người) hoặc households (hộ), không phải {unit!r}",
        )
    if isinstance(source, str | os.PathLike) and is_dataset(source) and previous is None:
        from .partitioned import measures_dataset

        by_parts = measures_dataset(
            source,
            k=k,
            weights=weights,
            unit=unit,
            by=by,
            standard=standard,
            as_of=as_of,
            lang=lang,
            engine=engine,
            scheduler=scheduler,
        )
        if by_parts is not None:  # a census: summed over the partitions
            return by_parts
    kw = {"members": members, "as_of": as_of, "lang": lang}
    kw |= {"engine": engine, "scheduler": scheduler}  # a dataset folder's partitions
    result = as_result(source, standard, kw)
    std = result.standard
    codes = std.codes
    w = indicator_weights(weights, std)
    k = check_k(k)
    cur = prepare_units(result, unit, codes)
    available = [*result.households.columns, *result.extra.columns]
    by_vars = parse_by(by, available)
    table, inference, info = round_tables(cur, w, k, codes, by_vars)
    notes: list[Note] = []
    _excluded_notes(notes, cur, ("", ""))
    if cur.sample:
        kind = info["design"]
        notes.append(
            Note(
                "design",
                f"sample survey ({kind}, {info['strata']} strata, {info['psu']} PSUs): "
                "standard errors by Taylor linearisation, 95 % CI = estimate ± 1.96·SE"
                + (
                    "; weights only: households taken as a simple random sample"
                    if kind == "srs"
                    else ""
                ),
                f"điều tra chọn mẫu ({kind}, {info['strata']} tầng, {info['psu']} địa bàn): "
                "sai số chuẩn theo tuyến tính hoá Taylor, khoảng tin cậy 95 % = ước lượng ± 1,96·SE"
                + (
                    "; chỉ có trọng số: coi các hộ là mẫu ngẫu nhiên đơn giản"
                    if kind == "srs"
                    else ""
                ),
            )
        )
        if info["lonely_strata"]:
            notes.append(
                Note(
                    "lonely_psu",
                    f"{info['lonely_strata']} strata have a single PSU: they add no variance",
                    f"{info['lonely_strata']} tầng chỉ có một địa bàn mẫu: "
                    "không tính vào phương sai",
                )
            )
    else:
        notes.append(CENSUS_NOTE)
    change = None
    settings: dict[str, Any] = {
        **base_settings(k, w, codes, weights, unit),
        "by": by_vars,
        "standard": std.id,
        "sample": cur.sample,
        "households_used": len(cur.weight),
        "households_excluded": len(cur.excluded),
        "units_used": float(cur.count.sum()),
        **info,
    }
    if previous is not None:
        prev_result = as_result(
            previous, std, {"lang": lang, "engine": engine, "scheduler": scheduler}
        )
        if prev_result.standard.codes != codes:
            raise UsageError(
                f"the previous round's indicators ({', '.join(prev_result.standard.codes)}) "
                f"differ from this round's: the measures would not compare",
                "chỉ số của kỳ trước khác kỳ này: không so sánh được",
            )
        prev = prepare_units(prev_result, unit, codes)
        prev_by = [b for b in by_vars if prev.has(b)]
        if prev_by != by_vars:
            raise UsageError(
                f"the previous round has no column {', '.join(set(by_vars) - set(prev_by))}",
                f"kỳ trước không có cột {', '.join(set(by_vars) - set(prev_by))}",
            )
        if years is None and cur.survey_year and prev.survey_year:
            years = float(cur.survey_year - prev.survey_year) or None
        if years is not None and years <= 0:
            raise UsageError(
                f"years must be > 0, got {years:g}", f"số năm phải > 0, nhận {years:g}"
            )
        _excluded_notes(notes, prev, ("previous round: ", "kỳ trước: "))
        change, with_se = change_table(cur, prev, w, k, codes, by_vars, years)
        if years is None:
            notes.append(
                Note(
                    "years_unknown",
                    "years between the rounds unknown (give --years): no annualised change",
                    "không rõ số năm giữa hai kỳ (dùng --years): không tính thay đổi bình quân năm",
                )
            )
        if not with_se and cur.sample != prev.sample:
            notes.append(
                Note(
                    "change_no_se",
                    "one round is a census and the other a sample: "
                    "no standard errors for the change",
                    "một kỳ là tổng điều tra, kỳ kia là điều tra mẫu: "
                    "không tính sai số của thay đổi",
                )
            )
        settings["years"] = years
        settings["previous_households_used"] = len(prev.weight)
        settings["previous_households_excluded"] = len(prev.excluded)
        excluded = pd.concat(
            [
                cur.excluded.assign(round="current"),
                prev.excluded.assign(round="previous"),
            ],
            ignore_index=True,
        )
    else:
        excluded = cur.excluded.assign(round="current")
    indicators = indicator_table(std, w, table.iloc[0], inference)
    choices = [result.choice] if result.choice is not None else []
    return MeasuresResult(
        table, indicators, inference, change, excluded, settings, notes, choices, result.notes
    )


#: A census's measures carry no standard errors: said on every run without sample weights.
CENSUS_NOTE = Note(
    "census",
    "census (no sample weights): the measures are the population's own values; no standard errors",
    "tổng điều tra (không có trọng số mẫu): các chỉ số là giá trị của toàn bộ "
    "tổng thể; không có sai số chuẩn",
)


def base_settings(
    k: float, w: np.ndarray, codes: Sequence[str], weights: WeightsSpec, unit: str
) -> dict[str, Any]:
    """The settings every measures run reports: k, the weights (and how they were given), the
    unit."""
    return {
        "k": k,
        "weights": dict(zip(codes, w.tolist(), strict=True)),
        "weights_spec": weights if isinstance(weights, str) else str(weights),
        "unit": unit,
    }


def _excluded_notes(notes: list[Note], units: Units, prefix: tuple[str, str]) -> None:
    if not len(units.excluded):
        return
    counts = units.excluded["reason"].value_counts()
    parts_en = ", ".join(f"{n} {REASONS[r][0]}" for r, n in counts.items())
    parts_vi = ", ".join(f"{n} {REASONS[r][1]}" for r, n in counts.items())
    n = len(units.excluded)
    notes.append(
        Note(
            "excluded",
            f"{prefix[0]}{n} households left out of the measures ({parts_en})",
            f"{prefix[1]}{n} hộ không được tính vào các chỉ số ({parts_vi})",
        )
    )


__all__ = [
    "ALL",
    "K_TOLERANCE",
    "MISSING_LABEL",
    "Design",
    "MeasuresResult",
    "Note",
    "Totals",
    "af_totals",
    "change_values",
    "check_k",
    "design_variance",
    "group_codes",
    "identify",
    "influences",
    "make_design",
    "measures",
    "prepare_units",
    "profiles",
    "ratios",
    "result_from_frame",
    "scores",
]
