"""The classify pipeline: raw survey -> typed frames + issues -> flags -> class -> result frames.

Data flows one way and nothing here touches the terminal. Every household row comes out:
classed, or with ``class`` empty and its reasons in the issue table.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import reasons
from .errors import Text, UsageError
from .i18n import number
from .ids import attach_members
from .law import rules
from .law.groups import derived_no_labour_capacity, group_frame
from .law.rounds import ReviewRound, RowRounds, StandardChoice, choose
from .law.schema import HOUSEHOLDS, INDICATOR_LABELS_VI, SHEETS, fold, unused_columns
from .law.standards import Standard
from .member_table import household_facts, member_table
from .progress import Reporter, reporting, stage
from .read.layout import require_members
from .read.survey import RawSheet, RawSurvey, read_survey
from .support import member_facts
from .validate import MAX_AGE, Typed, validate_survey

CLASSES = ("poor", "near_poor", "average", "not_poor")
INCOME_TOLERANCE = 0.01  # two income figures differing by more than 1 % disagree
# the checks of a single cell's value (validate.py), relabelled for unused columns
CELL_CHECKS = {"unknown_code", "not_yes_no", "not_a_number", "not_a_date", "out_of_range"}


@dataclass
class Result:
    """What ``classify`` returns: the households table, the issue table and the accounting."""

    households: pd.DataFrame
    issues: pd.DataFrame
    standard: Standard
    source: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    # which standard was used and why (the line every command prints on stderr)
    choice: StandardChoice | None = None
    # Aligned with ``households`` (same positions), beyond the output contract: sheet and row
    # (where the household is in the workbook), head_name (the survey's, else the name of the
    # member whose relation is head), survey_date, previous_class,
    # poverty_exit_date (ISO date, or a bare year), sample_weight, stratum, psu; then the
    # group columns of data/groups (reason_*, need_*, support_*, no_labour_capacity — derived
    # from the members where blank, see no_labour_capacity_source — and local_ethnic), then
    # head_ethnicity and merit (a member is a person with merit).
    extra: pd.DataFrame = field(default_factory=pd.DataFrame)
    # for the person, on stderr: how the file was read where it was a guess (a CSV's encoding)
    notes: list[Text] = field(default_factory=list)
    # the typed survey as the rules saw it, for ``mdpoverty.explain`` (not part of the output)
    context: rules.Ctx | None = field(default=None, repr=False, compare=False)
    # one row per member row of the survey (mdpoverty.member_table.MEMBER_COLUMNS), with the
    # position of its household in ``households`` (-1: matches none): Forms 9, 11 and 15
    members: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def ok(self) -> bool:
        return (
            self.counts.get("households_rejected", 0) == 0
            and self.counts.get("members_rejected", 0) == 0
        )

    def summary(self) -> pd.DataFrame:
        """Households per commune (in input order) and class, including those not classed,
        with a total row (commune ``all``). A commune is its whole path — ``province``,
        ``district`` (blank in rounds since 1 July 2025), ``commune`` — so two communes of one
        name in two provinces or districts are two rows."""
        hh = self.households
        keys = [
            (hh[k] if k in hh else pd.Series(pd.NA, index=hh.index))
            .astype("string")
            .fillna("")
            .rename(k)
            for k in ("province", "district", "commune")
        ]
        cls = hh["class"].astype("string").fillna("").replace("", "not_classed")
        counts = pd.get_dummies(cls).reindex(columns=[*CLASSES, "not_classed"], fill_value=0)
        table = counts.astype(int).groupby(keys, sort=False).sum()
        table.insert(0, "households", table.sum(axis=1))
        table.loc[("", "", "all"), :] = table.sum()
        return table.astype(int).reset_index()


def _attach_members(t: Typed) -> np.ndarray:
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


def _build_context(t: Typed, as_of: dt.date | None) -> tuple[rules.Ctx, np.ndarray]:
    hh_pos = _attach_members(t)
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


def _header(sheet: RawSheet | None, column: str) -> str:
    if sheet is None:
        return column
    return sheet.headers.get(column, column)


def _date_checks(t: Typed, ctx: rules.Ctx, sy: np.ndarray, as_of: dt.date | None) -> None:
    issues, hh, m = t.issues, t.households, t.members
    if t.hh_sheet is not None and len(hh):
        missing = np.isnan(sy)
        if missing.any():
            issues.add(
                "needed",
                sheet=t.hh_sheet.name,
                rows=hh.index[missing],
                column=_header(t.hh_sheet, "survey_date"),
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
            column=_header(raw, "birth_date"),
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
            column=_header(raw, "birth_date"),
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


def _label(sheet: str, column: str) -> Text:
    """A column for messages: its label in Vietnamese, label and code in English."""
    spec = SHEETS.get(sheet)
    if spec is None or column not in spec.names:
        return Text(column, column)
    vi = spec.column(column).label_vi
    return Text(vi, f"{vi} / {column}")


def _resolve_needs(t: Typed, ctx: rules.Ctx, std: Standard) -> dict[str, np.ndarray]:
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
        detail = Text(INDICATOR_LABELS_VI.get(label, AGE_VI), label)
        if sheet is not None and column not in sheet.frame:
            # the whole column is absent: one located error, not one per row
            issues.add(
                "missing_column",
                sheet=sheet.name,
                rows=sheet.header_row,
                column=_label(need.sheet, column).vi,
                field=column,
                expected=_label(need.sheet, column),
            )
            t.extras.setdefault("blocked_all", True)
            continue
        issues.add(
            "needed",
            sheet=sheet.name if sheet is not None else need.sheet,
            rows=frame.index[missing],
            column=_header(sheet, column),
            field=column,
            household_ids=ids[missing],
            expected=_label(need.sheet, column),
            detail=detail,
        )
    return undetermined


AGE_VI = "tuổi"
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


def _income(t: Typed, ctx: rules.Ctx, std: Standard) -> tuple[np.ndarray, np.ndarray]:
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
            column=_header(sheet, "household_income_12m"),
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
                column=_header(sheet, "income_score"),
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
            column=_header(sheet, "income_per_capita"),
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
                column=_header(sheet, "income_score"),
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


def _blocked(t: Typed, ctx: rules.Ctx, issues: pd.DataFrame) -> np.ndarray:
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


def classify_typed(t: Typed, std: Standard, as_of: dt.date | None = None) -> Result:
    """Classify validated frames with ``std``; see :func:`classify`."""
    issues, hh = t.issues, t.households
    ctx, sy = _build_context(t, as_of)
    n = len(hh)
    _date_checks(t, ctx, sy, as_of)
    if std.provisional:
        ref = std.reference
        note = Text(std.provisional_note_vi or ref, std.provisional_note_en or ref)
        issues.add("provisional_standard", values=std.id, expected=note, field="standard")
    if std.income.average_upper is None:  # said once, not on every household above the line
        issues.add("no_average_band", values=std.id, field="standard")
    derived = rules.derive_flags(ctx, std)
    undetermined = _resolve_needs(t, ctx, std)
    # no members sheet: no household's members are known, so the member indicators cannot be
    # derived (never a silent "not deprived"); the reviewer's dep_ flags are then required
    no_members = (ctx.n_members == 0) if t.m_sheet is not None else np.ones(n, dtype=bool)
    flags: dict[str, np.ndarray] = {}
    sheet = t.hh_sheet
    ids = hh.get("household_id", pd.Series("", index=hh.index))
    for code, value in derived.items():
        if std.indicators[code].rule in rules.MEMBER_RULES:  # no member known: blank, not "no"
            undetermined[code] |= no_members
        override = hh.get(f"dep_{code}")
        if override is None:
            flags[code] = value
            continue
        given = override.notna().to_numpy()
        chosen = override.fillna(False).to_numpy(dtype=bool)
        differs = given & (chosen != value) & ~no_members
        if differs.any() and sheet is not None:
            issues.add(
                "override_differs",
                sheet=sheet.name,
                rows=hh.index[differs],
                column=_header(sheet, f"dep_{code}"),
                field=f"dep_{code}",
                values=sheet.frame[f"dep_{code}"][differs],
                household_ids=ids[differs],
                detail=Text(
                    ["tính được: " + ("có" if v else "không") for v in value[differs]],
                    ["derived: " + ("yes" if v else "no") for v in value[differs]],
                ),
            )
        flags[code] = np.where(given, chosen, value)
        undetermined[code] &= ~given
    all_decided = np.ones(n, dtype=bool)
    for code in std.codes:
        col = hh.get(f"dep_{code}")
        all_decided &= np.zeros(n, bool) if col is None else col.notna().to_numpy()
    lacking = no_members & ~all_decided
    if lacking.any() and sheet is not None:
        issues.add(
            "no_members",
            sheet=sheet.name,
            rows=hh.index[lacking],
            column=_header(sheet, "household_id"),
            field="household_id",
            values=ids[lacking],
            household_ids=ids[lacking],
        )
    count = np.sum([flags[c] for c in std.codes], axis=0) if n else np.zeros(0, dtype=int)
    income, score = _income(t, ctx, std)
    _score_b(t, ctx, std, count)
    area = ctx.hh_code("area")
    cls = rules.classify_income(std, area, income, score, count)
    agricultural = ctx.hh_yes("agricultural")
    unassessed = np.isnan(income) & (cls == "not_poor") & agricultural
    unassessed &= std.income.average_upper is not None
    if unassessed.any() and sheet is not None:
        issues.add(
            "average_not_assessed",
            sheet=sheet.name,
            rows=hh.index[unassessed],
            column=_header(sheet, "income_score"),
            field="income_score",
            household_ids=ids[unassessed],
        )
    issue_frame = issues.frame()
    blocked = _blocked(t, ctx, issue_frame) | lacking
    cls = np.where(blocked, "", cls)
    out = _output_frame(t, ctx, std, flags, count, income, cls, blocked, undetermined)
    counts = _accounting(t, ctx, blocked)
    extra, members = _group_extra(t, ctx, std)
    # the one-line reason, after the contract's columns (in --lang; the lists' is Vietnamese)
    out["reason"] = reasons.reason_column(out, std, score, issues.lang)
    extra["reason_vi"] = (
        out["reason"] if issues.lang == "vi" else reasons.reason_column(out, std, score, "vi")
    )
    # what the agencies' lists need from the members (mdpoverty lists), beside the rest
    extra = pd.concat([extra, member_facts(ctx, std)], axis=1)
    return Result(out, issue_frame, std, counts=counts, extra=extra, members=members, context=ctx)


def _group_extra(t: Typed, ctx: rules.Ctx, std: Standard) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``extra`` with the group columns (data/groups), the head's ethnicity and the person
    with merit; and the member table of the forms."""
    n = len(t.households)
    has_members = (ctx.n_members > 0) if t.m_sheet is not None else np.zeros(n, dtype=bool)
    nlc = derived_no_labour_capacity(
        t.members,
        ctx.hh_pos,
        ctx.age,
        ctx.age_months,
        ctx.survey_year,
        ctx.sex,
        n,
        std.retirement_age,
        np.nan_to_num(has_members, nan=0).astype(bool),
    )
    ids = t.households.get("household_id", pd.Series(pd.NA, index=t.households.index))
    members = member_table(t.members, ids, ctx, std)
    extra = pd.concat(
        [
            _extra_frame(t),
            group_frame(t.households, nlc).reset_index(drop=True),
            household_facts(members, n),
        ],
        axis=1,
    )
    return extra, members


def _score_b(t: Typed, ctx: rules.Ctx, std: Standard, count: np.ndarray) -> None:
    score_b = ctx.hh_num("deprivation_score")
    expected = count * std.deprivation.points_per_indicator
    off = ~np.isnan(score_b) & (score_b != expected)
    if off.any() and t.hh_sheet is not None:
        hh = t.households
        t.issues.add(
            "score_b_mismatch",
            sheet=t.hh_sheet.name,
            rows=hh.index[off],
            column=_header(t.hh_sheet, "deprivation_score"),
            field="deprivation_score",
            values=t.hh_sheet.frame["deprivation_score"][off],
            household_ids=hh.get("household_id", pd.Series("", index=hh.index))[off],
            detail=count[off],
            expected=[f"{v:g}" for v in expected[off]],
        )


def _ethnic_minority(t: Typed, ctx: rules.Ctx) -> pd.Series:
    hh, m = t.households, t.members
    stated = hh.get("ethnic_minority", pd.Series(pd.NA, index=hh.index, dtype="boolean"))
    if "ethnicity" not in m or "relation" not in m or not len(m):
        return stated.astype("boolean")
    head = (m["relation"] == "head").fillna(False).to_numpy(bool) & (ctx.hh_pos >= 0)
    first_head = np.flatnonzero(head)
    pos = ctx.hh_pos[first_head]
    first_head = first_head[np.unique(pos, return_index=True)[1]]  # the first head listed wins
    eth = m["ethnicity"].iloc[first_head]
    minority = pd.Series(pd.NA, index=hh.index, dtype="boolean")
    known = eth.notna().to_numpy()
    codes, uniques = pd.factorize(eth[known])
    is_minority = np.array([fold(u) != "kinh" for u in uniques], dtype=bool)
    minority.iloc[ctx.hh_pos[first_head][known]] = is_minority[codes]
    return stated.astype("boolean").fillna(minority)


def _output_frame(t, ctx, std, flags, count, income, cls, blocked, undetermined) -> pd.DataFrame:
    hh = t.households
    n = len(hh)

    def text(name: str) -> pd.Series:
        return (
            hh[name].astype("string")
            if name in hh
            else pd.Series(pd.NA, index=hh.index, dtype="string")
        )

    members = pd.array(ctx.n_members, dtype="Float64").round().astype("Int64")
    out = pd.DataFrame(
        {
            "household_id": text("household_id"),
            "province": text("province"),
            "district": text("district"),
            "commune": text("commune"),
            "village": text("village"),
            "area": text("area"),
            "members": members,
            "income_per_capita": pd.array(np.round(income), dtype="Float64").astype("Int64"),
            "deprivation_count": pd.array(count if n else [], dtype="Int64"),
        },
        index=hh.index,
    )
    for code in std.codes:
        # an indicator whose needed values are missing is unknown, never "not deprived"
        out[f"dep_{code}"] = pd.arrays.BooleanArray(
            np.asarray(flags[code], dtype=bool), undetermined[code].copy()
        )
    out["class"] = pd.Series(cls, index=hh.index, dtype="string")
    out["ethnic_minority"] = _ethnic_minority(t, ctx)
    out["agricultural"] = hh["agricultural"].astype("boolean") if "agricultural" in hh else pd.NA
    out.loc[blocked, "deprivation_count"] = pd.NA
    out.index.name = "row"
    return out.reset_index(drop=True)


def _date_text(hh: pd.DataFrame, name: str) -> pd.Series:
    """A parsed date column back as ISO text ('2023-06-15'), or the bare year ('2023')."""
    y = hh.get(f"{name}_year")
    if y is None:
        return pd.Series(pd.NA, index=hh.index, dtype="string")
    m, d = hh[f"{name}_month"], hh[f"{name}_day"]
    year = y.to_numpy(dtype=float, na_value=np.nan)
    month = m.to_numpy(dtype=float, na_value=np.nan)
    day = d.to_numpy(dtype=float, na_value=np.nan)
    full = ~np.isnan(year) & ~np.isnan(month) & ~np.isnan(day)
    # whole dates formatted by Arrow (days since 1970 -> date32 -> 'yyyy-mm-dd'), not per row
    days = np.zeros(len(year), dtype="datetime64[D]")
    if full.any():
        ym = (year[full] - 1970) * 12 + month[full] - 1
        days[full] = ym.astype("datetime64[M]").astype("datetime64[D]") + (day[full] - 1).astype(
            "timedelta64[D]"
        )
    text = pc.cast(pa.array(days, mask=~full).cast(pa.date32()), pa.string())
    bare = pa.array(np.where(np.isnan(year), 0, year).astype(np.int64), mask=np.isnan(year))
    text = pc.if_else(pa.array(full), text, pc.cast(bare, pa.string()))
    return pd.Series(pd.arrays.ArrowExtensionArray(text), index=hh.index).astype("string")


def _extra_frame(t: Typed) -> pd.DataFrame:
    hh = t.households

    def col(name: str, dtype: str) -> pd.Series:
        if name in hh:
            return hh[name].astype(dtype)
        return pd.Series(pd.NA, index=hh.index, dtype=dtype)

    extra = pd.DataFrame(
        {
            "sheet": t.hh_sheet.name if t.hh_sheet is not None else "",
            "row": pd.array(hh.index, dtype="Int64"),  # the Excel row a person sees
            "head_name": _head_name(t),
            "survey_date": _date_text(hh, "survey_date"),
            "previous_class": col("previous_class", "string"),
            "poverty_exit_date": _date_text(hh, "poverty_exit_date"),
            "sample_weight": col("sample_weight", "Float64"),
            "stratum": col("stratum", "string"),
            "psu": col("psu", "string"),
        },
        index=hh.index,
    )
    return extra.reset_index(drop=True)


def _head_name(t: Typed) -> pd.Series:
    """The head of household's name: the survey's ``head_name``, else (where blank) the
    ``full_name`` of the first member listed with relation ``head`` — for the printed lists."""
    hh, m = t.households, t.members
    name = (
        hh["head_name"].astype("string")
        if "head_name" in hh
        else pd.Series(pd.NA, index=hh.index, dtype="string")
    )
    if "full_name" not in m or "relation" not in m or not len(m) or not name.isna().any():
        return name
    pos = _attach_members(t)
    head = np.flatnonzero((m["relation"] == "head").fillna(False).to_numpy(bool) & (pos >= 0))
    first = head[np.unique(pos[head], return_index=True)[1]]  # the first head listed wins
    members = pd.Series(pd.NA, index=hh.index, dtype="string")
    members.iloc[pos[first]] = m["full_name"].astype("string").iloc[first].to_numpy()
    return name.fillna(members)


def _accounting(t: Typed, ctx: rules.Ctx, blocked: np.ndarray) -> dict[str, int]:
    n_members = len(t.members)
    attached = ctx.hh_pos >= 0
    used = attached & ~blocked[np.maximum(ctx.hh_pos, 0)] if len(blocked) else attached
    counts = {
        "households_in": len(t.households),
        "households_classed": int((~blocked).sum()),
        "households_rejected": int(blocked.sum()),
        "members_in": n_members,
        "members_classed": int(used.sum()),
        "members_rejected": int(n_members - used.sum()),
    }
    for kind in ("households", "members"):  # every input row is accounted for, always
        if counts[f"{kind}_in"] != counts[f"{kind}_classed"] + counts[f"{kind}_rejected"]:
            raise RuntimeError(f"accounting broken: {kind} in != classed + rejected ({counts})")
    return counts


def _round_checks(
    t: Typed,
    std: Standard,
    choice: StandardChoice,
    rows: RowRounds,
    chosen: float | None,
    as_of: dt.date | None,
) -> None:
    """Warn on each survey-date cell of a row dated in another review round than the one the
    survey is classed for (``other_round``), or in a round whose lists the standard does not
    set (``standard_period``); one warning per cell, never both."""
    hh, sheet = t.households, t.hh_sheet
    if sheet is None or not rows.dated.any() or "survey_date" not in sheet.frame:
        return
    ids = hh.get("household_id", pd.Series("", index=hh.index))
    raw = sheet.frame["survey_date"]
    if as_of is not None:  # a blank date is --as-of's: say so in the value
        raw = raw.fillna(f"{as_of:%d/%m/%Y} (--as-of)")
    other = rows.dated & (rows.key != chosen) if chosen is not None else np.zeros(len(hh), bool)
    if other.any():
        # a survey has a handful of rounds: each round's text once, then indexed per row
        pairs = np.stack([rows.key[other], rows.lists_year[other]], axis=1).astype(int)
        uniq, back = np.unique(pairs, axis=0, return_inverse=True)
        rounds = [ReviewRound.from_key(int(k), int(y)) for k, y in uniq]
        texts = Text(
            *(
                np.array([r.text(lang) for r in rounds], dtype=object)[back.ravel()]
                for lang in ("vi", "en")
            )
        )
        t.issues.add(
            "other_round",
            sheet=sheet.name,
            rows=hh.index[other],
            column=_header(sheet, "survey_date"),
            field="survey_date",
            values=raw[other],
            household_ids=ids[other],
            detail=texts,
            expected=Text(choice.round.text("vi"), choice.round.text("en")),
        )
    first, last = std.valid_from.year, std.valid_to.year
    with np.errstate(invalid="ignore"):
        outside = rows.dated & ~other & ((rows.lists_year < first) | (rows.lists_year > last))
    if outside.any():
        t.issues.add(
            "standard_period",
            sheet=sheet.name,
            rows=hh.index[outside],
            column=_header(sheet, "survey_date"),
            field="survey_date",
            values=raw[outside],
            household_ids=ids[outside],
            detail=rows.lists_year[outside].astype(int),
            expected=f"{first}–{last}",
        )


def classify_survey(
    raw: RawSurvey,
    *,
    standard: str | os.PathLike[str] | Standard | None = None,
    as_of: dt.date | None = None,
    lang: str = "vi",
) -> Result:
    t = validate_survey(raw, lang=lang)
    with stage("classify", len(t.households)) as progress:
        std, choice, rows, chosen = choose(t.households, standard, as_of)
        require_members(raw, [c for c in std.codes if std.indicators[c].rule in rules.MEMBER_RULES])
        # a bad value in a column the standard does not read is worth fixing, never a block
        t.issues.relabel(CELL_CHECKS, unused_columns(std.indicators), "unused_value")
        _round_checks(t, std, choice, rows, chosen, as_of)
        result = classify_typed(t, std, as_of)
        progress.set(len(t.households))
    result.source = raw.source
    result.choice = choice
    result.notes = list(raw.notes)
    # layout rows the reader skipped (listed as info issues): accounted for, not households
    result.counts["rows_skipped"] = sum(
        len(rows) for sheet in raw.sheets.values() for rows, _ in sheet.skipped.values()
    )
    return result


def classify(
    path: str | os.PathLike[str],
    *,
    members: str | os.PathLike[str] | None = None,
    standard: str | os.PathLike[str] | Standard | None = None,
    as_of: dt.date | None = None,
    lang: str = "vi",
    progress: Reporter | None = None,
    engine: str = "local",
    scheduler: str | None = None,
) -> Result:
    """Read, validate and classify a survey file, or a Parquet dataset folder.

    >>> import mdpoverty
    >>> result = mdpoverty.classify("examples/survey.xlsx")   # doctest: +SKIP
    >>> result.households["class"].value_counts()              # doctest: +SKIP

    Raises :class:`~mdpoverty.errors.InputFileError` for an unreadable file and
    :class:`~mdpoverty.errors.StandardError` for a bad standard; data problems never raise.
    ``progress``: a :class:`mdpoverty.progress.Reporter` told of each stage (read, validate,
    classify) with its counts; by default nothing is reported.

    A dataset folder (``households/`` and ``members/``, hive-partitioned alike; see
    :mod:`mdpoverty.read.dataset`) is classed partition by partition on ``engine``
    (``local`` or ``dask``, with ``scheduler`` the address of a Dask cluster) and the parts
    joined here; to write a dataset too large to hold, iterate
    :func:`mdpoverty.engines.run` instead.
    """
    from .engines import Options, combine, is_dataset, run

    if is_dataset(path):
        if members is not None:
            raise UsageError(
                "--members is for a households file; a dataset folder holds its members/",
                "--members dùng cho tệp hộ; thư mục dữ liệu đã có thư mục members/",
            )
        with reporting(progress):
            opts = Options(standard, as_of, lang)
            return combine(list(run(path, opts, engine=engine, scheduler=scheduler)))
    with reporting(progress):
        with stage("read", detail=os.fspath(path)) as s:
            raw = read_survey(path, members)
            s.set(sum(len(sheet.frame) for sheet in raw.sheets.values()))
        return classify_survey(raw, standard=standard, as_of=as_of, lang=lang)


def _frames_to_raw(households: pd.DataFrame, members: pd.DataFrame | None) -> RawSurvey:
    from .read.survey import _to_raw_sheet, keeps_type, text_grid

    sheets = {}
    for kind, frame in (("households", households), ("members", members)):
        if frame is None:
            continue
        typed = {}  # typed columns (numbers, yes/no, dates) are validated as they are
        for i in range(frame.shape[1]):
            try:
                a = pa.chunked_array([pa.array(frame.iloc[:, i], from_pandas=True)])
            except (pa.ArrowException, TypeError, ValueError):
                continue  # mixed Python values: read as the text they show
            if keeps_type(a.type):
                typed[i] = a
        raw = _to_raw_sheet(kind, kind, text_grid(frame), first_row=1, typed=typed)
        if raw is not None:
            sheets[kind] = raw
    return RawSurvey("<frames>", sheets, list(sheets))


def classify_frames(
    households: pd.DataFrame,
    members: pd.DataFrame | None = None,
    *,
    standard: str | os.PathLike[str] | Standard | None = None,
    as_of: dt.date | None = None,
    lang: str = "vi",
    progress: Reporter | None = None,
) -> Result:
    """Classify in-memory tables whose columns are the survey's codes or labels.

    Cells may be text as a person types it or Python values; rows are numbered as if the
    header were row 1 of a sheet named ``households`` / ``members``.
    """
    with reporting(progress):
        return classify_survey(
            _frames_to_raw(households, members), standard=standard, as_of=as_of, lang=lang
        )


def validate(path: str | os.PathLike[str], **kwargs) -> pd.DataFrame:
    """The issue table of a survey file (every problem, located to the cell)."""
    return classify(path, **kwargs).issues


__all__ = ["Result", "classify", "classify_frames", "classify_survey", "validate"]
