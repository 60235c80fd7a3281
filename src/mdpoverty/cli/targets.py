"""``mdpoverty targets``: each unit's poverty-rate fall against the programme's targets.

Parses options, calls :func:`mdpoverty.reports.targets.targets`, renders what it returns: a
readable table on a terminal, the tidy table as CSV when piped (or JSON, Parquet, xlsx).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click
import pandas as pd

from ..errors import UsageError
from ..i18n import number
from ..read.survey import format_for, write_table
from ..reports.targets import TargetsResult
from ..reports.targets import targets as compute_targets
from .common import (
    Console,
    Exit,
    _emit,
    _parse_date,
    common_options,
    handled,
    provisional_note,
    redact_options,
    redactor_for,
    say_standard,
)

TARGETS_HELP = (
    "\b\nExit codes:\n"
    "  0  done: every household of both rounds classed and counted\n"
    "  1  data problems: some households not classed, left out of the rates (see the\n"
    "     not_classed column); a missed target is a result, not an error\n"
    "  2  usage error, or an input file that cannot be read\n"
    "  3  internal error (a bug: please report it)"
)


def _mark(v: object) -> str:
    return "" if v is pd.NA or v is None else ("✓" if v else "✗")


def _num(v: object) -> str:
    return "" if v is pd.NA or v is None else f"{float(v):.2f}"  # type: ignore[arg-type]


def _num_vi(v: object) -> str:
    """Two decimals written the Vietnamese way (15,69)."""
    return "" if v is pd.NA or v is None else number(float(v), "vi", 2)  # type: ignore[arg-type]


# Two tables, so that each fits an 80-column terminal: (title vi, title en, target, columns)
# with columns as (column, header vi, header en, how it is shown).
SCREEN = (
    (
        "Tỷ lệ hộ nghèo",
        "Poor-household rate",
        "poor_household_rate",
        (
            ("poor_rate_start", "đầu\nkỳ %", "start\n%", _num),
            ("poor_rate_end", "cuối\nkỳ %", "end\n%", _num),
            ("poor_rate_fall_per_year", "giảm\n/năm", "fall\n/yr", _num),
            ("poor_target_met", "đạt", "met", _mark),
            ("falls_faster_than_parent", "trên TB:\nnhanh hơn", "above avg:\nfaster", _mark),
        ),
    ),
    (
        "Tỷ lệ hộ nghèo dân tộc thiểu số",
        "Ethnic-minority poor-household rate",
        "ethnic_minority_poor_household_rate",
        (
            ("em_poor_rate_start", "đầu\nkỳ %", "start\n%", _num),
            ("em_poor_rate_end", "cuối\nkỳ %", "end\n%", _num),
            ("em_poor_rate_fall_per_year", "giảm\n/năm", "fall\n/yr", _num),
            ("em_target_met", "đạt", "met", _mark),
        ),
    ),
)


def _names(t: pd.DataFrame) -> list[str]:
    """Unit names as shown, a name shared by two units of one level with its parent."""
    unit = t["unit"].astype("string").fillna("")
    shared = pd.Series(list(zip(t["level"], unit, strict=True))).duplicated(keep=False)
    parent = t["parent"].astype("string").fillna("")
    labelled = unit + " (" + parent + ")"
    return unit.where(~shared.to_numpy(bool) | (parent == ""), labelled).tolist()


def _render(res: TargetsResult, lang: str) -> None:
    """Tables a person reads: numbers never wrapped, unit names wrapped when narrow."""
    from rich.console import Console as RichConsole
    from rich.table import Table

    vi = lang == "vi"
    t = res.table
    console = RichConsole()
    bold = (t["level"] != "commune").to_numpy()
    for title_vi, title_en, key, columns in SCREEN:
        target = getattr(res.plan, key)
        goal = f"≥ {number(target.minimum, lang, -1)} {'điểm %/năm' if vi else 'points a year'}"
        years = number(res.years, lang, -1)
        span = f"{years} " + ("năm" if vi else "year" if res.years == 1 else "years")
        table = Table(title=f"{title_vi if vi else title_en} ({goal}; {span})")
        table.add_column("TT" if vi else "no.", no_wrap=True)
        table.add_column("Đơn vị" if vi else "unit", overflow="fold", min_width=12)
        for _, head_vi, head_en, _show in columns:
            table.add_column(head_vi if vi else head_en, justify="right", no_wrap=True)
        shown = [
            t[col].map(show if show is _mark or not vi else _num_vi) for col, _, _, show in columns
        ]
        names = _names(t)
        for i in range(len(t)):
            row = [str(t["number"].iat[i]), names[i], *(c.iat[i] for c in shown)]
            table.add_row(*row, style="bold" if bold[i] else None)
        console.print(table)


def _plan_frame(res: TargetsResult) -> pd.DataFrame:
    p = res.plan
    rows = [("plan", p.id, p.title, p.reference, p.confidence)]
    for key, t in (
        ("poor_target", p.poor_household_rate),
        ("em_target", p.ethnic_minority_poor_household_rate),
    ):
        value = f"{t.minimum:g}" + (f"–{t.plan:g}" if t.plan else "")
        rows.append((key, value, t.label_vi, t.reference, t.confidence))
    rule = p.above_average_falls_faster
    rows += [
        (
            "falls_faster_than_parent",
            str(rule.applies).lower(),
            "Đơn vị trên mức bình quân phải giảm nhanh hơn",
            rule.reference,
            rule.confidence,
        ),
        ("years", f"{res.years:g}", "Số năm giữa hai kỳ", "", ""),
    ]
    return pd.DataFrame(rows, columns=["key", "value", "label", "reference", "confidence"])


@click.command(epilog=TARGETS_HELP)
@click.argument("surveys", nargs=-1, required=True, type=click.Path())
@click.option(
    "--previous",
    multiple=True,
    required=True,
    type=click.Path(),
    help="The previous round (survey, folder, or classify output; repeatable).",
)
@click.option("--years", type=float, help="Years between the rounds (default: from survey dates).")
@click.option(
    "--targets",
    "plan",
    help="Bundled target plan id or a TOML file (default: ntp-2021-2025).",
)
@click.option("--standard", help="Bundled standard id or a TOML file (both rounds).")
@click.option(
    "--as-of",
    callback=_parse_date,
    help="Survey date for households without one (YYYY-MM-DD or dd/mm/yyyy).",
)
@common_options
@redact_options
@handled
def targets(
    surveys,
    previous,
    years,
    plan,
    standard,
    as_of,
    output,
    fmt,
    lang,
    quiet,
    verbose,
    redact,
    redact_key_file,
) -> int:
    """Put each commune, district and province against the poverty-reduction targets.

    For the poor-household rate and the ethnic-minority poor-household rate: the rate in the
    previous and the current round, the fall in percentage points a year, and whether it
    meets the programme's target (≥ 1 point a year, ≥ 2 for ethnic-minority households, by
    default); a unit above its parent's average must fall faster than the parent.

    Columns (CSV): number, level, unit, parent, then for each rate its households and poor
    households at the start and the end, the two rates (%), the fall and the fall per year
    (points), the target and whether it is met, then above_parent_average,
    falls_faster_than_parent and not_classed.
    """
    red = redactor_for(redact, redact_key_file)
    con = Console(verbose - quiet, lang)
    with con.progress():
        res = compute_targets(
            list(surveys),
            previous=list(previous),
            years=years,
            plan=plan,
            standard=standard,
            as_of=as_of,
        )
        if red is not None:  # per unit only: nothing personal, checked all the same
            res = dataclasses.replace(res, table=red.frame(res.table))
        if output:
            path = Path(output)
            out_fmt = format_for(path, fmt)
            if out_fmt == "xlsx":
                from ..write.excel import write_tables
                from ..write.localise import LEVEL, plan_frame, targets_table

                people, head = targets_table(res.table, lang)  # headers and values in --lang
                sheets = {
                    "Chỉ tiêu giảm nghèo": people,
                    "Căn cứ": plan_frame(_plan_frame(res), lang),
                }
                warning = provisional_note(res.choices, lang)
                notes = {"Chỉ tiêu giảm nghèo": warning} if warning else None
                from ..write.charts import ColumnChart

                fall = ColumnChart(
                    "Mức giảm tỷ lệ hộ nghèo mỗi năm so với chỉ tiêu (điểm %)",
                    (head["poor_rate_fall_per_year"], head["poor_target"]),
                    head["unit"],
                    names=("Mức giảm/năm", "Chỉ tiêu"),
                    skip=(head["level"], LEVEL[lang]["province"]),
                )
                write_table(
                    res.table,
                    path,
                    "xlsx",
                    lambda tmp: write_tables(
                        sheets, tmp, notes=notes, charts={"Chỉ tiêu giảm nghèo": [fall]}
                    ),
                )
            else:
                write_table(res.table, path, out_fmt)
    if not output:  # the tables on stdout, once the progress display is gone
        if fmt in ("xlsx", "parquet"):
            raise UsageError(f"--format {fmt} needs -o FILE", f"--format {fmt} cần -o TỆP")
        if fmt is None and sys.stdout.isatty():
            _render(res, lang)
        else:
            _emit(res.table, fmt, "")
    cur, prev = res.counts["current"], res.counts["previous"]
    province = res.table[res.table["level"] == "province"]
    met = province["poor_target_met"].fillna(False).all() if len(province) else False
    con.closing(
        f"targets ({res.plan.id}, {res.years:g} years): {cur['households_classed']} households "
        f"now, {prev['households_classed']} before; poor-household target "
        f"{'met' if met else 'not met'} for the province",
        f"chỉ tiêu ({res.plan.id}, {res.years:g} năm): {cur['households_classed']} hộ kỳ này, "
        f"{prev['households_classed']} hộ kỳ trước; chỉ tiêu giảm tỷ lệ hộ nghèo toàn tỉnh "
        f"{'đạt' if met else 'chưa đạt'}",
    )
    say_standard(con, res.choices, res.read_notes)
    for en, vi in res.notes:  # after the summary line, which cron reads first
        con.say(f"warning: {en}", f"cảnh báo: {vi}")
    rejected = cur["households_rejected"] + prev["households_rejected"]
    return Exit.OK if rejected == 0 and cur["households_in"] else Exit.DATA
