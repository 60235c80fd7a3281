"""``mdpoverty measures``: Alkire–Foster measures of a survey, rendered from the library's frames.

The command parses options, calls :func:`mdpoverty.af.measures.measures` once and renders
what it returns: a readable table on a terminal, CSV when piped (``--format csv``: one row per
group, the output contract of ``shared/domain.md`` §8), JSON with every table, or a workbook.
Notes for people (census or sample design, households left out) go to stderr.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import click
import pandas as pd

from ..af.measures import ALL, MeasuresResult
from ..af.measures import measures as compute_measures
from ..errors import UsageError
from ..i18n import number, pick
from ..read.survey import format_for, write_table
from ..redact import PERSONAL
from .common import (
    Console,
    Exit,
    _emit,
    _sibling,
    engine_options,
    handled,
    provisional_note,
    redact_options,
    redactor_for,
    say_standard,
    survey_options,
)
from .lang import lang_option

DECIMALS = 6
TABLES = ("measures", "indicators", "inference", "change", "excluded")

MEASURES_HELP = (
    "\b\nExit codes:\n"
    "  0  done: every household in the measures\n"
    "  1  data problems: some households left out (see stderr and the excluded table)\n"
    "  2  usage error, or an input file that cannot be read\n"
    "  3  internal error (a bug: please report it)"
)


def _parse_k(ctx: click.Context, param: click.Parameter, value: str) -> float:
    try:
        return float(Fraction(value.strip()))
    except (ValueError, ZeroDivisionError):
        raise click.BadParameter(
            pick(
                f"{value!r}: a fraction such as 0.25, 1/3 or 3/12",
                f"{value!r}: cần một phân số, ví dụ 0.25, 1/3 hoặc 3/12",
            )
        ) from None


def rounded(frame: pd.DataFrame, decimals: int = DECIMALS) -> pd.DataFrame:
    """Float columns to ``decimals`` places (ratios are fractions to six decimals)."""
    floats = frame.select_dtypes(include="floating").columns
    return frame.round(dict.fromkeys(floats, decimals))


def to_json_document(res: MeasuresResult) -> str:
    """Every table as records, with the settings and notes: the library's result as JSON."""
    doc: dict[str, Any] = {
        "settings": res.settings,
        "notes": [{"id": n.id, "en": n.en, "vi": n.vi} for n in res.notes],
    }
    for name, frame in res.frames().items():
        doc[name] = json.loads(rounded(frame).to_json(orient="records", force_ascii=False))
    return json.dumps(doc, ensure_ascii=False, indent=1, default=str)


def _pick(res: MeasuresResult, table: str | None) -> pd.DataFrame:
    name = table or ("change" if res.change is not None else "measures")
    frames = res.frames()
    if name not in frames:
        raise UsageError(
            f"--table {name}: not produced by this run (have: {', '.join(frames)})",
            f"--table {name}: lần chạy này không có bảng đó (có: {', '.join(frames)})",
        )
    return frames[name]


def _pct(v: float, digits: int = 1, lang: str = "en") -> str:
    return "" if v is None or pd.isna(v) else number(100 * v, lang, digits)


def _num(v: float, digits: int = 3, lang: str = "en") -> str:
    return "" if v is None or pd.isna(v) else number(v, lang, digits)


_WEIGHTS_VI = {"equal": "trọng số bằng nhau", "nested": "trọng số lồng nhau"}
_GROUP_BY_VI = {"commune": "xã", "district": "huyện", "province": "tỉnh", "village": "thôn"}


def _by_label(by: object, lang: str) -> str:
    """A subgroup column as the reader calls it: the schema's label in Vietnamese."""
    if by == ALL:
        return ""
    if lang != "vi":
        return str(by)
    from ..law.schema import HOUSEHOLDS

    name = str(by)
    if name in _GROUP_BY_VI:
        return _GROUP_BY_VI[name]
    return HOUSEHOLDS.column(name).label_vi if name in HOUSEHOLDS.names else name


def render_tables(res: MeasuresResult, lang: str, width: int | None = None) -> None:
    """Readable tables on stdout: groups, the indicators of the total, and the change."""
    from rich.console import Console as RichConsole
    from rich.table import Table

    vi = lang == "vi"
    s = res.settings
    console = RichConsole(width=width)
    k = number(s["k"], lang, -1)
    if vi:
        weights = _WEIGHTS_VI.get(s["weights_spec"], f"trọng số {s['weights_spec']}")
        unit = "người" if s["unit"] == "persons" else "hộ"
        title = f"Alkire–Foster: k = {k}, {weights}, đơn vị = {unit} ({s['standard']})"
    else:
        title = (
            f"Alkire–Foster: k = {k}, {s['weights_spec']} weights, unit = {s['unit']}"
            f" ({s['standard']})"
        )
    pct = functools.partial(_pct, lang=lang)
    num = functools.partial(_num, lang=lang)
    m = res.measures
    sample = not res.census
    groups = Table(title=title)
    n_head = {"persons": ("người", "persons"), "households": ("hộ", "households")}[s["unit"]]
    heads = ["theo" if vi else "by", "nhóm" if vi else "group", n_head[0 if vi else 1]]
    heads += ["H %", "A %", "M0"]
    if sample:
        heads.append("M0 KTC 95%" if vi else "M0 95% CI")
    heads += ["% dân số" if vi else "pop %", "% của M0" if vi else "% of M0"]
    for h in heads:
        groups.add_column(h, justify="left" if h in heads[:2] else "right", overflow="fold")
    previous_by = None
    for row in m.itertuples(index=False):
        r = row._asdict()
        if previous_by is not None and r["by"] != previous_by:
            groups.add_section()
        previous_by = r["by"]
        cells = [
            _by_label(r["by"], lang),
            ("toàn bộ" if vi else str(r["group"])) if r["by"] == ALL else str(r["group"]),
            number(r["unit_count"], lang),
            pct(r["H"]),
            pct(r["A"]),
            num(r["M0"]),
        ]
        if sample:
            lo, hi = r.get("M0_ci_low"), r.get("M0_ci_high")
            cells.append("" if pd.isna(lo) else f"{num(lo)}–{num(hi)}")
        cells += [pct(r["pop_share"]), num(r["share_of_M0"], 1)]
        groups.add_row(*cells)
    console.print(groups)
    ind = res.indicators
    indicators = Table(title=("Chỉ số (toàn bộ)" if vi else "Indicators (all)"))
    for h in [
        "#",
        "chỉ số" if vi else "indicator",
        "w",
        "thiếu hụt %" if vi else "uncensored %",
        "nghèo và thiếu hụt %" if vi else "censored %",
        "đóng góp %" if vi else "contribution %",
    ]:
        indicators.add_column(h, justify="left" if h in ("chỉ số", "indicator") else "right")
    for r in ind.itertuples(index=False):
        indicators.add_row(
            str(r.number),
            r.label_vi if vi else r.label_en,
            num(r.weight, 4),
            pct(r.uncensored),
            pct(r.censored),
            num(r.contribution, 1),
        )
    console.print(indicators)
    if res.change is not None:
        ch = res.change[res.change["measure"].isin(["H", "A", "M0"])]
        table = Table(title=("Thay đổi giữa hai kỳ" if vi else "Change between rounds"))
        heads = ["by", "group", "", "prev", "now", "Δ", "Δ %", "Δ/yr", "Δ %/yr"]
        if vi:
            heads = ["theo", "nhóm", "", "kỳ trước", "kỳ này", "Δ", "Δ %", "Δ/năm", "Δ %/năm"]
        if "abs_se" in ch:
            heads.append("Δ 95% CI" if not vi else "Δ KTC 95%")
        for i, h in enumerate(heads):
            table.add_column(h, justify="left" if i < 3 else "right")
        for r in ch.to_dict("records"):
            cells = [
                _by_label(r["by"], lang),
                ("toàn bộ" if vi else str(r["group"])) if r["by"] == ALL else str(r["group"]),
                r["measure"],
                num(r["previous"]),
                num(r["current"]),
                num(r["abs"]),
                num(r["rel"], 1),
                num(r["ann_abs"]),
                num(r["ann_rel"], 1),
            ]
            if "abs_se" in r:
                lo, hi = r["abs_ci_low"], r["abs_ci_high"]
                cells.append("" if pd.isna(lo) else f"{num(lo)}–{num(hi)}")
            table.add_row(*cells)
        console.print(table)


def _write(res: MeasuresResult, path: Path, fmt: str, table: str | None, lang: str = "vi") -> None:
    if fmt == "xlsx":
        from ..write.excel import write_tables

        settings = pd.DataFrame(
            {"setting": list(res.settings), "value": [str(v) for v in res.settings.values()]}
        )
        from ..write.localise import MEASURES_SHEETS, measures_heads, measures_values

        notes = pd.DataFrame({"note": [n.text(lang) for n in res.notes]})
        sheets = {name: rounded(f) for name, f in res.frames().items()}
        sheets |= {"settings": settings, "notes": notes}
        labels_vi = dict(zip(res.indicators["code"], res.indicators["label_vi"], strict=True))
        heads = {
            name: measures_heads(list(f.columns), labels_vi, lang) for name, f in sheets.items()
        }
        titles = MEASURES_SHEETS.get(lang, {})  # sheet names and headers in --lang
        sheets = {
            titles.get(n, n): measures_values(f, lang).rename(columns=heads[n])
            for n, f in sheets.items()
        }
        warning = provisional_note(res.choices, lang)  # above the measures, when provisional
        marks = {titles.get("measures", "measures"): warning} if warning else None
        from ..write.charts import ColumnChart

        vi = lang == "vi"
        head = heads["indicators"]
        contributions = ColumnChart(
            "Đóng góp của từng chỉ số vào M0 (%)" if vi else "Contribution to M0 by indicator (%)",
            (head.get("contribution", "contribution"),),
            head.get("label_vi", "label_vi") if vi else "label_en",
            horizontal=True,
        )
        charts = {titles.get("indicators", "indicators"): [contributions]}
        write_table(
            pd.DataFrame(),
            path,
            "xlsx",
            lambda tmp: write_tables(sheets, tmp, notes=marks, charts=charts),
        )
    elif fmt == "json":
        from ..write.tables import atomic_path

        with atomic_path(path) as tmp:
            tmp.write_text(to_json_document(res), encoding="utf-8")
    else:
        main = _pick(res, table)
        write_table(rounded(main), path, fmt)
        for name, frame in res.frames().items():
            if frame is not main:
                write_table(rounded(frame), _sibling(path, name), fmt)


@click.command(epilog=MEASURES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@survey_options
@click.option(
    "--k",
    "k",
    default="0.25",
    show_default=True,
    callback=_parse_k,
    help="Poverty cutoff as a fraction of the weighted indicators (0.25 = 3 of 12; 1/3 works).",
)
@click.option(
    "--weights",
    default="equal",
    show_default=True,
    help="equal (1/12 each), nested (equal per service, then within), a TOML file, or a "
    "bundled weights file by name (vn-2022-2025-services, vn-2022-2025-indicators).",
)
@click.option(
    "--unit",
    type=click.Choice(["persons", "households"]),
    default="persons",
    show_default=True,
    help="Count persons (each member carries the household's flags) or households.",
)
@click.option(
    "--by",
    help="Subgroups, comma-separated household columns: one block of rows per column, "
    "one row per level (e.g. commune,area,ethnic_minority). A commune, district or village "
    "is its whole path: a name shared by two units is shown with its parents, "
    "'Xã Tân Lập (Tỉnh A)'.",
)
@click.option(
    "--previous",
    type=click.Path(),
    help="The previous round (survey or classify output): adds the change table.",
)
@click.option("--years", type=float, help="Years between the rounds (default: from survey dates).")
@click.option(
    "--table",
    "table",
    type=click.Choice(TABLES),
    help="Which table CSV shows (default: measures; change with --previous).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write to this file (format from suffix).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "xlsx"]),
    help="Output format (default: from -o, else a table on a terminal and CSV when piped).",
)
@lang_option
@click.option("-q", "--quiet", count=True, help="Less on stderr (repeatable).")
@click.option("-v", "--verbose", count=True, help="More on stderr (repeatable).")
@redact_options
@engine_options
@handled
def measures(
    survey: str,
    members: str | None,
    standard: str | None,
    as_of: Any,
    k: float,
    weights: str,
    unit: str,
    by: str | None,
    previous: str | None,
    years: float | None,
    table: str | None,
    output: str | None,
    fmt: str | None,
    lang: str,
    quiet: int,
    verbose: int,
    redact: bool,
    redact_key_file: str | None,
    engine: str,
    scheduler: str | None,
) -> int:
    """Alkire–Foster measures of SURVEY: H, A, M0, headcounts and contributions per indicator,
    by subgroup, with the change from a previous round and, for a sample survey, standard
    errors and 95 % confidence intervals (a commune review is a census: none).

    CSV columns: group, unit_count, H, A, M0, h_<code>… (censored headcount ratios),
    contrib_<code>… (percent contributions, summing to 100), then by, households,
    population, pop_share, share_of_M0, u_<code>… (uncensored) and, for a sample,
    standard errors and confidence limits. Ratios are fractions to six decimals.
    """
    red = redactor_for(redact, redact_key_file)
    if red is not None and by and {b.strip() for b in by.split(",")} & {*PERSONAL, "household_id"}:
        raise UsageError(
            f"--redact: --by {by} would write one row per name or household ID",
            f"--redact: --by {by} sẽ ghi ra từng họ tên hoặc mã hộ",
        )
    con = Console(verbose - quiet, lang)
    with con.progress():
        res = compute_measures(
            survey,
            k=k,
            weights=weights,
            unit=unit,  # type: ignore[arg-type]
            by=by,
            previous=previous,
            years=years,
            standard=standard,
            members=members,
            as_of=as_of,
            lang=lang,
            engine=engine,
            scheduler=scheduler,
        )
        if red is not None:  # the households left out are listed by ID
            res = dataclasses.replace(res, excluded=red.frame(res.excluded))
        if output:
            out_fmt = format_for(output, None if fmt == "table" else fmt)
            _write(res, Path(output), out_fmt, table, lang)
    if not output:  # the tables on stdout, once the progress display is gone
        if fmt == "xlsx":
            raise UsageError("--format xlsx needs -o FILE.xlsx", "--format xlsx cần -o TỆP.xlsx")
        if fmt == "table" or (fmt is None and sys.stdout.isatty()):
            render_tables(res, lang, width=None if sys.stdout.isatty() else 200)
        elif fmt == "json":
            click.echo(to_json_document(res))
        else:
            _emit(rounded(_pick(res, table)), "csv", "measures")
    used, left = res.settings["households_used"], res.settings["households_excluded"]
    con.closing(  # the summary line first, as every command's
        f"measures: {used} households used, {left} left out",
        f"chỉ số nghèo đa chiều: dùng {used} hộ, {left} hộ không được tính",
    )
    say_standard(con, res.choices, res.read_notes)
    for note in res.notes:
        con.say(note.en, note.vi)
    used = res.settings["households_used"]
    return Exit.OK if used and not len(res.excluded) else Exit.DATA


__all__ = ["measures", "render_tables", "rounded", "to_json_document"]
