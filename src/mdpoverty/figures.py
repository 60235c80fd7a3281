"""The figures a class is decided on, and what blocks a household: indicators that cannot
be determined, the income (per capita, from the year's total, or the score), the score B
check, and the errors that keep a household out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import context
from .errors import Text
from .i18n import number
from .law import rules
from .law.schema import HOUSEHOLDS, INDICATOR_LABELS_VI
from .law.standards import Standard
from .validate import Typed

INCOME_TOLERANCE = 0.01  # two income figures differing by more than 1 % disagree


def resolve_needs(t: Typed, ctx: rules.Ctx, std: Standard) -> dict[str, np.ndarray]:
    """Turn the rules' needs into located errors, skipping indicators the reviewer decided.

    Returns, per indicator, the households whose flag could not be determined.
    """
    issues, hh = t.issues, t.households
    n = len(hh)
    undetermined = {code: np.zeros(n, dtype=bool) for code in std.codes}
    age_codes = [c for c in std.codes if std.indicators[c].rule in rules.AGE_RULES]
    for need in ctx.needs:
        missing = need.missing.copy()
        if not missing.any():
            continue
        if need.indicator is not None and need.overridable:
            override = hh.get(f"dep_{need.indicator}")
            if override is not None:
                decided = override.notna().to_numpy()
                if need.sheet == "members":
                    pos = ctx.hh_pos
                    missing &= ~np.where(pos >= 0, decided[np.maximum(pos, 0)], False)
                else:
                    missing &= ~decided
        if not missing.any():
            continue
        if need.sheet == "members":
            rows = ctx.hh_pos[missing & (ctx.hh_pos >= 0)]
        else:
            rows = np.flatnonzero(missing)
        for code in [need.indicator] if need.indicator else age_codes:
            undetermined[code][rows] = True
        column = need.column.removesuffix("_year")
        sheet = t.hh_sheet if need.sheet == "households" else t.m_sheet
        frame = hh if need.sheet == "households" else t.members
        ids = frame.get("household_id", pd.Series("", index=frame.index))
        label = need.indicator or "age"
        detail = Text(INDICATOR_LABELS_VI.get(label, context.AGE_VI), label)
        if sheet is not None and column not in sheet.frame:
            # the whole column is absent: one located error, not one per row
            issues.add(
                "missing_column",
                sheet=sheet.name,
                rows=sheet.header_row,
                column=context.label(need.sheet, column).vi,
                field=column,
                expected=context.label(need.sheet, column),
            )
            t.extras.setdefault("blocked_all", True)
            continue
        issues.add(
            "needed",
            sheet=sheet.name if sheet is not None else need.sheet,
            rows=frame.index[missing],
            column=context.header(sheet, column),
            field=column,
            household_ids=ids[missing],
            expected=context.label(need.sheet, column),
            detail=detail,
        )
    return undetermined


# the figure an income check compares with, by what the message calls it
_AMOUNT_VI = {"income_per_capita": HOUSEHOLDS.column("income_per_capita").label_vi}


_AMOUNT_VI["income"] = _AMOUNT_VI["income_per_capita"]


def _amounts(name: str, values: np.ndarray) -> Text:
    """``income 1,170,000`` in English, ``Thu nhập bình quân người/tháng 1.170.000`` in
    Vietnamese: one per row."""
    return Text(
        [f"{_AMOUNT_VI[name]} {number(v, 'vi')}" for v in values],
        [f"{name} {number(v, 'en')}" for v in values],
    )


def income(t: Typed, ctx: rules.Ctx, std: Standard) -> tuple[np.ndarray, np.ndarray]:
    """Per-capita income in whole đồng, half-up (figure first, else 12-month total ÷ 12 ÷
    members) and score A."""
    issues, hh = t.issues, t.households
    per_capita = ctx.hh_num("income_per_capita")
    total = ctx.hh_num("household_income_12m")
    score = ctx.hh_num("income_score")
    with np.errstate(invalid="ignore", divide="ignore"):
        from_total = total / 12.0 / ctx.n_members
    income = np.where(np.isnan(per_capita), from_total, per_capita)
    # compared with the lines in whole đồng, half-up, as the output shows it: 1,500,000.0000001
    # (a formula's tail) is 1,500,000, at the line; 1,499,999.5 is 1,500,000 too. The per-capita
    # figure derived from the 12-month total is rounded the same way.
    income = np.floor(income + 0.5)
    sheet = t.hh_sheet
    ids = hh.get("household_id", pd.Series("", index=hh.index))
    raw = sheet.frame if sheet is not None else pd.DataFrame(index=hh.index)
    both = ~np.isnan(per_capita) & ~np.isnan(from_total)
    differ = both & (np.abs(per_capita - from_total) > INCOME_TOLERANCE * np.maximum(per_capita, 1))
    if differ.any():
        issues.add(
            "income_disagree",
            sheet=sheet.name if sheet else "",
            rows=hh.index[differ],
            column=context.header(sheet, "household_income_12m"),
            field="household_income_12m",
            values=raw["household_income_12m"][differ],
            household_ids=ids[differ],
            detail=_amounts("income_per_capita", per_capita[differ]),
        )
    area = ctx.hh_code("area")
    lines = std.income
    line = np.where(area == "urban", lines.poverty_line.urban, lines.poverty_line.rural)
    if lines.score_line is not None:
        score_line = np.where(area == "urban", lines.score_line.urban, lines.score_line.rural)
        with np.errstate(invalid="ignore"):
            sides = (
                ~np.isnan(income) & ~np.isnan(score) & ((income <= line) != (score <= score_line))
            )
        if sides.any():
            issues.add(
                "income_disagree",
                sheet=sheet.name if sheet else "",
                rows=hh.index[sides],
                column=context.header(sheet, "income_score"),
                field="income_score",
                values=raw["income_score"][sides],
                household_ids=ids[sides],
                detail=_amounts("income", income[sides]),
            )
    no_figure = np.isnan(income) & np.isnan(score)
    if sheet is not None and no_figure.any():
        issues.add(
            "no_income",
            sheet=sheet.name,
            rows=hh.index[no_figure],
            column=context.header(sheet, "income_per_capita"),
            field="income_per_capita",
            household_ids=ids[no_figure],
            expected=Text(
                "Thu nhập bình quân người/tháng, Tổng thu nhập 12 tháng, Điểm A",
                "income_per_capita, household_income_12m, income_score",
            ),
        )
    if lines.score_line is None:
        score_only = np.isnan(income) & ~np.isnan(score)
        if sheet is not None and score_only.any():
            issues.add(
                "no_score_line",
                sheet=sheet.name,
                rows=hh.index[score_only],
                column=context.header(sheet, "income_score"),
                field="income_score",
                household_ids=ids[score_only],
                expected=std.id,
            )
        score = np.full(len(score), np.nan)
    # which figure the class reads, for the reason column and ``mdpoverty.explain``
    source = np.where(
        ~np.isnan(per_capita),
        "income_per_capita",
        np.where(
            ~np.isnan(from_total),
            "household_income_12m",
            np.where(~np.isnan(score), "income_score", ""),
        ),
    )
    ctx.income = {"source": source, "per_capita": per_capita, "total": total, "score": score}
    return income, score


def blocked(t: Typed, ctx: rules.Ctx, issues: pd.DataFrame) -> np.ndarray:
    """Households that an error blocks: errors on their row or on one of their members."""
    n = len(t.households)
    blocked = np.zeros(n, dtype=bool)
    errors = issues[issues["severity"] == "error"]
    if t.extras.get("blocked_all") or (errors["row"].isna().any() and len(errors)):
        return np.ones(n, dtype=bool)
    hh_name = t.hh_sheet.name if t.hh_sheet is not None else None
    m_name = t.m_sheet.name if t.m_sheet is not None else None
    rows_hh = errors.loc[errors["sheet"] == hh_name, "row"].dropna().astype(int)
    header_hh = t.hh_sheet.header_row if t.hh_sheet is not None else -1
    if (rows_hh == header_hh).any():
        return np.ones(n, dtype=bool)
    blocked |= t.households.index.isin(rows_hh.to_numpy())
    if m_name is not None and m_name != hh_name:
        rows_m = errors.loc[errors["sheet"] == m_name, "row"].dropna().astype(int)
        if (rows_m == t.m_sheet.header_row).any():
            return np.ones(n, dtype=bool)
        bad_members = t.members.index.isin(rows_m.to_numpy()) & (ctx.hh_pos >= 0)
        blocked[ctx.hh_pos[bad_members]] = True
    return blocked


def score_b(t: Typed, ctx: rules.Ctx, std: Standard, count: np.ndarray) -> None:
    score_b = ctx.hh_num("deprivation_score")
    expected = count * std.deprivation.points_per_indicator
    off = ~np.isnan(score_b) & (score_b != expected)
    if off.any() and t.hh_sheet is not None:
        hh = t.households
        t.issues.add(
            "score_b_mismatch",
            sheet=t.hh_sheet.name,
            rows=hh.index[off],
            column=context.header(t.hh_sheet, "deprivation_score"),
            field="deprivation_score",
            values=t.hh_sheet.frame["deprivation_score"][off],
            household_ids=hh.get("household_id", pd.Series("", index=hh.index))[off],
            detail=count[off],
            expected=[f"{v:g}" for v in expected[off]],
        )
