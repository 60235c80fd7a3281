"""The classify pipeline: raw survey -> typed frames + issues -> flags -> class -> result frames.

Data flows one way and nothing here touches the terminal. Every household row comes out:
classed, or with ``class`` empty and its reasons in the issue table. The steps live beside
it: :mod:`.context` (members attached, dates and ages), :mod:`.figures` (what a class is
decided on, what blocks a household) and :mod:`.frames` (the result frames).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from . import context, figures, frames, reasons
from .errors import Text, UsageError
from .law import rules
from .law.rounds import ReviewRound, RowRounds, StandardChoice, choose
from .law.schema import unused_columns
from .law.standards import Standard
from .progress import Reporter, reporting, stage
from .read.layout import require_members
from .read.survey import RawSurvey, read_survey
from .support import member_facts
from .validate import Typed, validate_survey

CLASSES = ("poor", "near_poor", "average", "not_poor")
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


def classify_typed(t: Typed, std: Standard, as_of: dt.date | None = None) -> Result:
    """Classify validated frames with ``std``; see :func:`classify`."""
    issues, hh = t.issues, t.households
    ctx, sy = context.build_context(t, as_of)
    n = len(hh)
    context.date_checks(t, ctx, sy, as_of)
    if std.provisional:
        ref = std.reference
        note = Text(std.provisional_note_vi or ref, std.provisional_note_en or ref)
        issues.add("provisional_standard", values=std.id, expected=note, field="standard")
    if std.income.average_upper is None:  # said once, not on every household above the line
        issues.add("no_average_band", values=std.id, field="standard")
    derived = rules.derive_flags(ctx, std)
    undetermined = figures.resolve_needs(t, ctx, std)
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
                column=context.header(sheet, f"dep_{code}"),
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
            column=context.header(sheet, "household_id"),
            field="household_id",
            values=ids[lacking],
            household_ids=ids[lacking],
        )
    count = np.sum([flags[c] for c in std.codes], axis=0) if n else np.zeros(0, dtype=int)
    income, score = figures.income(t, ctx, std)
    figures.score_b(t, ctx, std, count)
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
            column=context.header(sheet, "income_score"),
            field="income_score",
            household_ids=ids[unassessed],
        )
    issue_frame = issues.frame()
    blocked = figures.blocked(t, ctx, issue_frame) | lacking
    cls = np.where(blocked, "", cls)
    out = frames.output_frame(t, ctx, std, flags, count, income, cls, blocked, undetermined)
    counts = frames.accounting(t, ctx, blocked)
    extra, members = frames.group_extra(t, ctx, std)
    # the one-line reason, after the contract's columns (in --lang; the lists' is Vietnamese)
    out["reason"] = reasons.reason_column(out, std, score, issues.lang)
    extra["reason_vi"] = (
        out["reason"] if issues.lang == "vi" else reasons.reason_column(out, std, score, "vi")
    )
    # what the agencies' lists need from the members (mdpoverty lists), beside the rest
    extra = pd.concat([extra, member_facts(ctx, std)], axis=1)
    return Result(out, issue_frame, std, counts=counts, extra=extra, members=members, context=ctx)


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
            column=context.header(sheet, "survey_date"),
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
            column=context.header(sheet, "survey_date"),
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
