"""Alkire–Foster measures of a dataset folder from per-partition totals.

The measures of a census are ratios of weighted totals — population, poor, censored score,
censored and uncensored headcounts per indicator (:class:`~.af.Totals`) — and totals add
up over any split of the households (AF's decomposability). So each partition is classed,
its totals per group of every ``--by`` variable are taken with the same
:func:`~.af.af_totals` a file uses, and it is let go; the groups' totals are summed over
the partitions and the tables built once (:func:`~.af_tables._measures_block`): the same
numbers as one pass over the whole round.

A district, commune or village is grouped by its whole path while the partitions run (two
communes of one name in two provinces stay apart even when no partition holds both), and
labelled at the end as a file's would be (:func:`~.units.path_labels` over every unit).
A sample survey's standard errors need every household at once (Taylor linearisation
over strata and PSUs): :func:`measures_dataset` returns None for one, and the caller
computes the measures in memory.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from types import SimpleNamespace

import numpy as np
import pandas as pd

from ..engines import Options, run
from ..reports.units import PATH, SEP, path_labels
from .inputs import Unit, parse_by, prepare_units
from .method import ALL, Totals, _label_of, af_totals, check_k, order_levels, ratios
from .tables import _measures_block, indicator_table
from .weights import WeightsSpec, indicator_weights

INFERENCE_COLUMNS = ["by", "group", "measure", "estimate", "se", "ci_low", "ci_high"]


def _frame(
    names: Sequence[str], t: Totals, count: np.ndarray, hh: np.ndarray, codes
) -> pd.DataFrame:
    """One partition's totals per group, as rows to add up."""
    cols = {
        "group": list(names),
        "population": t.population,
        "poor": t.poor,
        "score": t.score,
        "unit_count": count,
        "households": hh,
    }
    for j, c in enumerate(codes):
        cols[f"c_{c}"] = t.censored[:, j]
        cols[f"u_{c}"] = t.uncensored[:, j]
    return pd.DataFrame(cols)


def _totals(frame: pd.DataFrame, codes: Sequence[str]) -> Totals:
    return Totals(
        frame["population"].to_numpy(float),
        frame["poor"].to_numpy(float),
        frame["score"].to_numpy(float),
        frame[[f"c_{c}" for c in codes]].to_numpy(float),
        frame[[f"u_{c}" for c in codes]].to_numpy(float),
    )


def _path_key(hh: pd.DataFrame, level: str) -> pd.Series:
    """Each household's unit at ``level`` as its whole path (a partition-proof group key)."""
    parts = [hh[k].astype("string").fillna("").str.strip() for k in PATH[: PATH.index(level) + 1]]
    key = parts[0]
    for part in parts[1:]:
        key = key + SEP + part
    return key


def _path_names(keys: Sequence[str], level: str) -> list[str]:
    """The labels a file's measures give these unit paths (:func:`path_labels`)."""
    levels = PATH[: PATH.index(level) + 1]
    split = pd.DataFrame([k.split(SEP) for k in keys], columns=levels, dtype="string")
    return [_label_of(v) for v in path_labels(split, level)]


def measures_dataset(
    path: str | os.PathLike[str],
    *,
    k: float = 0.25,
    weights: WeightsSpec = "equal",
    unit: Unit = "persons",
    by: str | Sequence[str] | None = None,
    standard=None,
    as_of: dt.date | None = None,
    lang: str = "vi",
    engine: str = "local",
    scheduler: str | None = None,
):  # -> MeasuresResult | None
    """The measures of a dataset folder (a census), partition by partition; None for a
    sample survey (see the module)."""
    from .measures import CENSUS_NOTE, MeasuresResult, Note, _excluded_notes, base_settings

    k = check_k(k)
    rows: dict[str, list[pd.DataFrame]] = {}
    excluded, choices, read_notes = [], [], []
    by_vars: list[str] | None = None
    std = w = None
    for part in run(path, Options(standard, as_of, lang), engine=engine, scheduler=scheduler):
        result = part.result
        if std is None:
            std = result.standard
            w = indicator_weights(weights, std)
            available = [*result.households.columns, *result.extra.columns]
            by_vars = parse_by(by, available)
        units = prepare_units(result, unit, std.codes)
        if units.sample:
            return None
        excluded.append(units.excluded)
        choices.append(result.choice)
        read_notes.extend(result.notes)
        n = len(units.weight)
        sets: list[tuple[str, np.ndarray, list[str]]] = [(ALL, np.zeros(n, np.int64), [ALL])]
        for var in by_vars or []:
            if var in PATH[1:] and var in result.households:
                # every household's unit, as a file's groups are (the excluded too: 0 rows)
                codes, uniques = pd.factorize(_path_key(result.households, var))
                sets.append((var, codes[units.keep], list(uniques)))
            else:
                sets.append((var, *units.groups(var)))
        for var, g, names in sets:
            G = len(names)
            t = af_totals(units.X, w, k, g, G, units.weight)
            count = np.bincount(g, weights=units.count, minlength=G)
            rows.setdefault(var, []).append(
                _frame(names, t, count, np.bincount(g, minlength=G), std.codes)
            )
        del part, result, units, sets  # only the totals stay
    if std is None:
        raise ValueError("no partitions")
    codes = std.codes
    summed = {
        var: pd.concat(parts, ignore_index=True).groupby("group", sort=False).sum()
        for var, parts in rows.items()
    }
    t_all = _totals(summed[ALL], codes)
    total_population = float(t_all.population[0])
    total_m0 = float(ratios(t_all, w)["M0"][0])
    blocks = []
    for var in [ALL, *(by_vars or [])]:
        frame = summed[var]
        if var in PATH[1:] and var != ALL:
            frame = frame.set_axis(_path_names(frame.index, var)).groupby(level=0).sum()
        frame = frame.loc[order_levels(frame.index)] if var != ALL else frame
        blocks.append(
            _measures_block(
                _totals(frame, codes),
                w,
                codes,
                var,
                list(frame.index),
                frame["unit_count"].to_numpy(),
                frame["households"].to_numpy(),
                total_population,
                total_m0,
            )
        )
    table = pd.concat(blocks, ignore_index=True)
    inference = pd.DataFrame(columns=INFERENCE_COLUMNS)
    ex = pd.concat(excluded, ignore_index=True) if excluded else pd.DataFrame()
    notes: list[Note] = []
    _excluded_notes(notes, SimpleNamespace(excluded=ex), ("", ""))  # type: ignore[arg-type]
    notes.append(CENSUS_NOTE)
    settings = {
        **base_settings(k, w, codes, weights, unit),
        "by": by_vars,
        "standard": std.id,
        "sample": False,
        "households_used": int(summed[ALL]["households"].sum()),
        "households_excluded": len(ex),
        "units_used": float(summed[ALL]["unit_count"].sum()),
    }
    indicators = indicator_table(std, w, table.iloc[0], inference)
    from ..law.rounds import merge_choices

    return MeasuresResult(
        table,
        indicators,
        inference,
        None,
        ex.assign(round="current"),
        settings,
        notes,
        merge_choices([c for c in choices if c is not None]),
        read_notes,
    )


__all__ = ["measures_dataset"]
