"""The typed survey as the rules see it: each member attached to its household, survey
dates and ages, and the checks on them (a birth after the survey, an age past the table)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .errors import Text
from .ids import attach_members
from .law import rules
from .law.schema import SHEETS
from .read.survey import RawSheet
from .validate import MAX_AGE, Typed


def attach_member_rows(t: Typed) -> np.ndarray:
    """Position of each member's household (worked out once, during validation)."""
    if "hh_pos" in t.extras:
        return t.extras["hh_pos"]
    m_ids = t.members.get("household_id")
    if m_ids is None:
        return np.full(len(t.members), -1, dtype=np.int64)
    return attach_members(t.households.get("household_id"), m_ids)


def _survey_dates(t: Typed, as_of: dt.date | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    hh = t.households
    n = len(hh)

    def part(name: str, default: int) -> np.ndarray:
        s = hh.get(f"survey_date_{name}")
        arr = np.full(n, np.nan) if s is None else s.to_numpy(dtype=float, na_value=np.nan)
        if as_of is not None:
            arr = np.where(np.isnan(arr), default, arr)
        return arr

    return (
        part("year", as_of.year if as_of else 0),
        part("month", as_of.month if as_of else 0),
        part("day", as_of.day if as_of else 0),
    )


def _ages(t: Typed, hh_pos: np.ndarray, sy: np.ndarray, sm: np.ndarray, sd: np.ndarray):
    m = t.members
    n = len(m)
    attached = hh_pos >= 0
    pos = np.maximum(hh_pos, 0)
    y = np.where(attached, sy[pos] if len(sy) else np.nan, np.nan)
    mo = np.where(attached, sm[pos] if len(sm) else np.nan, np.nan)
    d = np.where(attached, sd[pos] if len(sd) else np.nan, np.nan)

    def col(name: str) -> np.ndarray:
        s = m.get(name)
        return np.full(n, np.nan) if s is None else s.to_numpy(dtype=float, na_value=np.nan)

    by, bm, bd = col("birth_date_year"), col("birth_date_month"), col("birth_date_day")
    full = ~np.isnan(bm)
    before_birthday = full & ((mo < bm) | ((mo == bm) & (d < bd)))
    age = y - by - before_birthday
    months = np.where(full, (y - by) * 12 + (mo - bm) - (d < bd), (y - by) * 12)
    return age, months, y - by, y


def build_context(t: Typed, as_of: dt.date | None) -> tuple[rules.Ctx, np.ndarray]:
    hh_pos = attach_member_rows(t)
    n = len(t.households)
    counted = np.bincount(hh_pos[hh_pos >= 0], minlength=n)[:n].astype(float)
    if t.m_sheet is None:
        stated = t.households.get("member_count")
        counted = (
            np.full(n, np.nan) if stated is None else stated.to_numpy(dtype=float, na_value=np.nan)
        )
    sy, sm, sd = _survey_dates(t, as_of)
    age, months, school_age, year = _ages(t, hh_pos, sy, sm, sd)
    sex = t.members.get("sex")
    sex_arr = (
        np.full(len(t.members), "", dtype=object)
        if sex is None
        else sex.astype("object").fillna("").to_numpy(dtype=object)
    )
    ctx = rules.Ctx(
        t.households,
        t.members,
        hh_pos,
        counted,
        age,
        months,
        school_age,
        np.nan_to_num(year, nan=0).astype(int),
        sex_arr,
    )
    return ctx, sy


def header(sheet: RawSheet | None, column: str) -> str:
    if sheet is None:
        return column
    return sheet.headers.get(column, column)


def date_checks(t: Typed, ctx: rules.Ctx, sy: np.ndarray, as_of: dt.date | None) -> None:
    issues, hh, m = t.issues, t.households, t.members
    if t.hh_sheet is not None and len(hh):
        missing = np.isnan(sy)
        if missing.any():
            issues.add(
                "needed",
                sheet=t.hh_sheet.name,
                rows=hh.index[missing],
                column=header(t.hh_sheet, "survey_date"),
                field="survey_date",
                household_ids=hh.get("household_id", pd.Series("", index=hh.index))[missing],
                expected=Text("Ngày rà soát, hoặc --as-of", "survey_date, or --as-of"),
                detail=Text(AGE_VI, "age"),
            )
    if t.m_sheet is None or not len(m):
        return
    raw = t.m_sheet
    ids = m.get("household_id", pd.Series("", index=m.index))
    born = raw.frame.get("birth_date", pd.Series("", index=m.index))
    after = np.nan_to_num(ctx.age, nan=0) < 0
    if after.any():
        issues.add(
            "birth_after_survey",
            sheet=raw.name,
            rows=m.index[after],
            column=header(raw, "birth_date"),
            field="birth_date",
            values=born[after],
            household_ids=ids[after],
            detail=_survey_day_text(t, ctx.hh_pos[after]),
        )
    old = np.nan_to_num(ctx.age, nan=0) > MAX_AGE
    if old.any():
        issues.add(
            "out_of_range",
            sheet=raw.name,
            rows=m.index[old],
            column=header(raw, "birth_date"),
            field="birth_date",
            values=born[old],
            household_ids=ids[old],
            expected=Text(f"tuổi 0–{MAX_AGE}", f"age 0–{MAX_AGE}"),
        )
    attached = ctx.hh_pos >= 0
    ctx.need("members", "birth_date_year", attached, always=True)


def _survey_day_text(t: Typed, pos: np.ndarray) -> list[str]:
    hh = t.households
    parts = [hh.get(f"survey_date_{p}") for p in ("day", "month", "year")]
    if any(p is None for p in parts):
        return ["" for _ in pos]
    d, m, y = (p.to_numpy(dtype=float, na_value=np.nan)[pos] for p in parts)
    return [
        "" if np.isnan(yy) else f"{int(dd):02d}/{int(mm):02d}/{int(yy)}"
        for dd, mm, yy in zip(d, m, y, strict=True)
    ]


def label(sheet: str, column: str) -> Text:
    """A column for messages: its label in Vietnamese, label and code in English."""
    spec = SHEETS.get(sheet)
    if spec is None or column not in spec.names:
        return Text(column, column)
    vi = spec.column(column).label_vi
    return Text(vi, f"{vi} / {column}")


AGE_VI = "tuổi"
