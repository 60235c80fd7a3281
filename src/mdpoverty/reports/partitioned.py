"""The official forms of a dataset folder from per-partition sums.

Forms 1, 4–8, 10, 12 and 13 are counts of households summed by commune, then subtotalled
up the unit tree, with every rate computed from its own row (:mod:`.units`). So a dataset's
forms need only each partition's commune sums: a partition is classed, its sums are taken
(:func:`~.forms.form1_counts` … the same per-household counts the forms of a file use), and
it is let go. Rows of one commune from two partitions add up (``unit_tree`` sums them), so
the result is the forms of the whole round, exactly. Forms 2, 3 (a household-by-household
link to the previous round), 9 (ethnic groups ordered by size), 11, 14 and 15 (members,
lists) need the round in memory: :func:`mdpoverty.reports.batch.report` builds them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..engines import Options, run
from ..law.standards import Standard
from ..validate import ISSUE_COLUMNS
from . import forms, forms_more
from .batch import most_common_year, round_counts, year_counts
from .form_checks import check_forms
from .units import KEYS, commune_sums, count_units, unit_order

#: the forms a dataset's partitions give by their sums
SUMMED = ("1", "4", "5", "6", "7", "8", "10", "12", "13")
LISTED = forms_more.LISTED


@dataclass
class DatasetReport:
    """What ``mdpoverty report`` says of a dataset: the forms and the round's tally."""

    frames: dict[str, pd.DataFrame]
    standard: Standard
    counts: dict[str, int]
    units: tuple[int, int, int]  # communes, districts, provinces
    errors: pd.DataFrame  # the issue rows that kept a household out of the counts
    warnings: int
    unclassed: pd.DataFrame  # province, district, commune, members of those households
    choices: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    survey_year: int | None = None


class FormSums:
    """The commune sums of each wanted form, partition after partition."""

    def __init__(self, standard: Standard, wanted: Sequence[str]) -> None:
        self.std, self.wanted = standard, list(wanted)
        self.sums: dict[str, list[pd.DataFrame]] = {}
        self.orders: list[pd.DataFrame] = []

    def _put(self, key: str, hh: pd.DataFrame, counts: dict) -> None:
        self.sums.setdefault(key, []).append(commune_sums(hh, counts))

    def add(self, hh: pd.DataFrame, extra: pd.DataFrame) -> None:
        want, std = self.wanted, self.std
        self.orders.append(unit_order(hh))
        if "1" in want:
            self._put("1", hh, forms.form1_counts(hh))
        for form, derived, target in (("4", "5", "poor"), ("6", "7", "near_poor")):
            if form in want or derived in want:
                self._put(form, hh, forms.form4_counts(hh, std.codes, target))
        for form, counts in (("8", forms_more.form8_counts), ("10", forms_more.form10_counts)):
            if form in want:
                for cls, per in counts(hh, extra).items():
                    self._put(f"{form}/{cls}", hh, per)
        for form, target in (("12", "poor"), ("13", "near_poor")):
            if form in want:
                self._put(form, hh, forms_more.form12_counts(hh, std, target))

    def frames(self, average_band: bool) -> dict[str, pd.DataFrame]:
        order = unit_order(*self.orders)
        std, want = self.std, self.wanted

        def summed(key: str) -> pd.DataFrame:
            return pd.concat(self.sums[key], ignore_index=True)

        out: dict[str, pd.DataFrame] = {}
        if "1" in want:
            out["1"] = forms.form1_tree(summed("1"), order, average_band=average_band)
        for form, derived, target in (("4", "5", "poor"), ("6", "7", "near_poor")):
            if form in want or derived in want:
                tree = forms.form4_tree(summed(form), order, std.codes, target)
                if form in want:
                    out[form] = tree
                if derived in want:
                    out[derived] = forms.form5(tree)
        for form, columns in (("8", forms_more.FORM8_COLUMNS), ("10", forms_more.FORM10_COLUMNS)):
            if form in want:
                per = {cls: summed(f"{form}/{cls}") for cls in LISTED}
                out[form] = forms_more.by_class_tree(per, order, columns)
        for form, target in (("12", "poor"), ("13", "near_poor")):
            if form in want:
                out[form] = forms_more.form12_tree(summed(form), order, std, target)
        return {k: out[k] for k in sorted(out, key=int)}


def report_dataset(
    path: str | os.PathLike[str],
    wanted: Sequence[str],
    *,
    standard: str | os.PathLike[str] | Standard | None = None,
    as_of: dt.date | None = None,
    lang: str = "vi",
    engine: str = "local",
    scheduler: str | None = None,
) -> DatasetReport:
    """Forms ``wanted`` (all in :data:`SUMMED`) of a dataset folder, partition by partition;
    memory is the largest partition's plus the commune sums."""
    bad = [f for f in wanted if f not in SUMMED]
    if bad:
        raise ValueError(f"forms {bad} are not sums by commune")
    sums: FormSums | None = None
    std: Standard | None = None
    counts: dict[str, int] = {}
    errors, unclassed, years = [], [], []
    warnings = 0
    choices, notes = [], []
    for part in run(path, Options(standard, as_of, lang), engine=engine, scheduler=scheduler):
        r = part.result
        hh = r.households
        if sums is None:
            std = r.standard
            sums = FormSums(std, wanted)
        sums.add(hh, r.extra)
        for k, v in round_counts(hh).items():
            counts[k] = counts.get(k, 0) + v
        left = (hh["class"].astype("string").fillna("") == "").to_numpy()
        if left.any():
            unclassed.append(hh.loc[left, [*KEYS, "members"]])
        severity = r.issues["severity"]
        errors.append(r.issues[severity == "error"])
        warnings += int((severity == "warning").sum())
        years.append(year_counts(r.extra))
        choices.append(r.choice)
        notes.extend(r.notes)
        del part, r, hh  # only the sums stay: one partition in memory at a time
    if sums is None or std is None:
        raise ValueError("no partitions")
    frames = sums.frames(forms.has_average_band(std))
    check_forms(frames)
    return DatasetReport(
        frames,
        std,
        counts,
        count_units(unit_order(*sums.orders)),
        pd.concat(errors, ignore_index=True) if errors else pd.DataFrame(columns=ISSUE_COLUMNS),
        warnings,
        pd.concat(unclassed, ignore_index=True) if unclassed else pd.DataFrame(columns=KEYS),
        choices,
        notes,
        most_common_year(pd.concat(years)),
    )


__all__ = ["SUMMED", "DatasetReport", "FormSums", "report_dataset"]
