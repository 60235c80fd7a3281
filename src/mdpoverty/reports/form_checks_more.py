"""The checks of Forms 6–15 (:mod:`.forms_more`), as :mod:`.form_checks` does for 1–5: each
form re-derived from its own frame (subtotals, rates, parts within their whole), and the
figures shared with another form compared unit by unit. Called by
:func:`.form_checks.check_forms`; a problem refuses the whole report."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .form_checks import (
    _aligned,
    _bound_problems,
    _ints,
    _label,
    _negative_problems,
    _rate_problems,
    _share_problems,
    form_problems,
    subtotal_problems,
)
from .forms import NOT_CLASSED, UNIT_COLUMNS
from .forms_more import CAUSES_TOTAL, FORM9_RATES, LISTED, NO_CAUSE, ratio


def _renamed(problems: list[str]) -> list[str]:
    return [p.replace("poor_households", "near_poor_households") for p in problems]


def _as_poor(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={"near_poor_households": "poor_households"})


def _counts(frame: pd.DataFrame, skip: tuple[str, ...] = ()) -> list[str]:
    return [
        c
        for c in frame.columns
        if c not in (*UNIT_COLUMNS, "class", "ethnicity", *skip)
        and not c.endswith("_rate")
        and c != "deprivations_per_household"
    ]


def _list_problems(frame: pd.DataFrame, form: str) -> list[str]:
    out = []
    numbers = pd.to_numeric(frame["number"], errors="coerce").to_numpy()
    if not np.array_equal(numbers, np.arange(1, len(frame) + 1)):
        out.append(f"rows are not numbered 1 … {len(frame)}")
    bad = ~frame["class"].astype("string").isin(LISTED).fillna(False).to_numpy(bool)
    if bad.any():
        out.append(f"{int(bad.sum())} rows of a household not poor or near-poor")
    if form == "14":
        dup = frame["household_id"].astype("string").duplicated().to_numpy(bool)
        if dup.any():
            out.append(f"household listed twice: {frame['household_id'][dup].iloc[0]}")
    return out


def more_problems(frame: pd.DataFrame, form: str) -> list[str]:
    """What is wrong with one of Forms 6–15 (empty when it adds up)."""
    if form == "6":
        return _renamed(form_problems(_as_poor(frame), "4"))
    if form == "7":
        return _renamed(form_problems(_as_poor(frame), "5"))
    if form in ("14", "15"):
        return _list_problems(frame, form)
    counts = _counts(frame)
    problems = _negative_problems(frame, counts) + subtotal_problems(frame, counts)
    if form in ("8", "10"):
        parts = [c for c in counts if c not in ("households", CAUSES_TOTAL, NOT_CLASSED)]
        for c in parts:
            problems += _bound_problems(frame, [c], "households")
    if form == "10":
        causes = [c for c in counts if c.startswith("reason_")]
        total = sum((_ints(frame, c) for c in causes), np.zeros(len(frame)))
        have = _ints(frame, CAUSES_TOTAL)
        giving = _ints(frame, "households") - _ints(frame, NO_CAUSE)
        for i in np.flatnonzero(have != total):
            problems.append(f"{_label(frame, i)}: causes_total {have[i]:g} ≠ sum {total[i]:g}")
        for i in np.flatnonzero(giving > have):
            problems.append(
                f"{_label(frame, i)}: {giving[i]:g} households give a cause but only "
                f"{have[i]:g} causes are counted"
            )
    if form == "9":
        problems += _bound_problems(
            frame, ["poor_households", "near_poor_households"], "households"
        )
        problems += _rate_problems(frame, FORM9_RATES)
    if form == "11":
        for c in ("no_health_insurance", "malnourished", "out_of_school"):
            problems += _bound_problems(frame, [c], "children")
    if form in ("12", "13"):
        whole = "poor_households" if form == "12" else "near_poor_households"
        for c in [c for c in counts if c.startswith("service_")]:
            problems += _bound_problems(frame, [c], whole)
        want = ratio(frame["deprivations_total"], frame[whole]).reset_index(drop=True)
        have = pd.to_numeric(frame["deprivations_per_household"], errors="coerce")
        have = have.astype("Float64").reset_index(drop=True)
        same = (have.isna() & want.isna()) | ((have - want).abs() < 1e-9).fillna(False)
        for i in np.flatnonzero(~same.to_numpy(bool)):
            problems.append(f"{_label(frame, i)}: deprivations_per_household ≠ total/households")
    return problems


def _compare(a: pd.DataFrame, ca: str, b: pd.DataFrame, cb: str, what: str) -> list[str]:
    """Unit by unit, ``a[ca]`` must equal ``b[cb]`` (frames listing the same units)."""
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    if not _aligned(a, b):
        return [f"{what}: the forms do not list the same units"]
    va, vb = _ints(a, ca), _ints(b, cb)
    return [
        f"{a['number'].iat[i]} {a['unit'].iat[i]}: {what}: {va[i]:g} ≠ {vb[i]:g}"
        for i in np.flatnonzero(va != vb)
    ]


def _class_rows(frame: pd.DataFrame, cls: str) -> pd.DataFrame:
    return frame[frame["class"] == cls]


def _ethnic_sums(f9: pd.DataFrame) -> pd.DataFrame:
    cols = ["households", "poor_households", "near_poor_households"]
    keyed = f9.assign(_i=f9.groupby("ethnicity", sort=False).cumcount())
    sums = keyed.groupby("_i", sort=True)[cols].sum().reset_index(drop=True)
    units = keyed.drop_duplicates("_i")[UNIT_COLUMNS].reset_index(drop=True)
    return pd.concat([units, sums], axis=1)


def more_cross_problems(forms: Mapping[str, pd.DataFrame]) -> list[str]:
    """Figures Forms 6–15 share with Forms 1, 4 and each other, unit by unit."""
    out: list[str] = []
    f1 = forms.get("1")
    if f1 is not None and "6" in forms:
        out += _compare(forms["6"], "near_poor_households", f1, "near_poor_households", "Form 6/1")
    if "6" in forms and "7" in forms:
        f6, f7 = _as_poor(forms["6"]), _as_poor(forms["7"])
        for c in [c for c in f7.columns if c.startswith("dep_")]:
            out += [
                p.replace("Form 5", "Form 7").replace("Form 4", "Form 6")
                for p in _renamed(_share_problems(f6, f7, c))
            ]
    for form in ("8", "10", "11"):
        if f1 is not None and form in forms:
            for cls in LISTED:
                out += _compare(
                    _class_rows(forms[form], cls),
                    "households",
                    f1,
                    f"{cls}_households",
                    f"Form {form} {cls} households / Form 1",
                )
    if f1 is not None and "9" in forms and len(forms["9"]):
        sums = _ethnic_sums(forms["9"])
        for c in ("households", "poor_households", "near_poor_households"):
            out += _compare(sums, c, f1, c, f"Form 9 {c} over ethnic groups / Form 1")
    for form, cls, deps in (("12", "poor", "4"), ("13", "near_poor", "6")):
        if form not in forms:
            continue
        if f1 is not None:
            for c in (f"{cls}_households", f"{cls}_persons"):
                out += _compare(forms[form], c, f1, c, f"Form {form}/1 {c}")
        if deps in forms:
            out += _compare(
                forms[form],
                "deprivations_total",
                forms[deps],
                "deprivations_total",
                f"Form {form}/{deps} deprivations_total",
            )
    out += _list_cross(forms)
    return out


def _list_cross(forms: Mapping[str, pd.DataFrame]) -> list[str]:
    """Form 14 lists exactly Form 1's poor and near-poor households, Form 15 exactly their
    members (the households' member counts)."""
    out: list[str] = []
    f1, f14, f15 = forms.get("1"), forms.get("14"), forms.get("15")
    if f1 is not None and f14 is not None:
        communes = f1[f1["level"] == "commune"]
        for cls in LISTED:
            want = int(_ints(communes, f"{cls}_households").sum())
            have = int((f14["class"] == cls).sum())
            if want != have:
                out.append(f"Form 14 lists {have} {cls} households, Form 1 counts {want}")
            want_p = int(_ints(communes, f"{cls}_persons").sum())
            if f15 is not None:
                have_p = int((f15["class"] == cls).sum())
                if want_p != have_p:
                    out.append(f"Form 15 lists {have_p} {cls} members, Form 1 counts {want_p}")
    if f14 is not None and f15 is not None:
        size = f15.groupby(f15["household_id"].astype("string"), sort=False).size()
        members = pd.to_numeric(f14["members"], errors="coerce").fillna(0).astype(int)
        want = pd.Series(members.to_numpy(), index=f14["household_id"].astype("string"))
        diff = size.reindex(want.index, fill_value=0) != want
        if diff.any():
            out.append(
                f"Form 15: {int(diff.sum())} households with another number of members than "
                "Form 14 says"
            )
    return out


__all__ = ["more_cross_problems", "more_problems"]
