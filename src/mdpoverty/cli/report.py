"""``mdpoverty report`` and ``mdpoverty changes``: the official forms and the change list.

Each command parses options, calls the library (:mod:`mdpoverty.reports.batch`) and renders
what it returns: the official-form workbook (``-o report.xlsx``), the tidy tables of
``shared/domain.md`` §8 (CSV, JSON, Parquet), or readable tables on a terminal. Nothing is
asked interactively; colour and progress only on a terminal; outputs are written to a
temporary file and renamed into place; one summary line goes to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import pandas as pd

from ..engines import is_dataset
from ..errors import UsageError
from ..read.survey import format_for, write_table
from ..reports.batch import (
    NEED_FLAGS,
    NEED_MEMBERS,
    Round,
    form_notes,
    load_round,
    map_notes,
    on_current_map,
    parse_forms,
)
from ..reports.batch import report as build_report
from ..reports.changes import UNCHANGED, change_list, link_rounds
from ..reports.units import count_units, path_labels
from ..write.tables import atomic_path
from .common import (
    Console,
    Exit,
    _emit,
    _parse_date,
    _sibling,
    common_options,
    engine_options,
    handled,
    provisional_note,
    redact_options,
    redactor_for,
    say_standard,
)

REPORT_HELP = (
    "\b\nExit codes:\n"
    "  0  done: every household classed and counted\n"
    "  1  data problems: some households not classed, left out of the counts (see the\n"
    "     not_classed column and the sheet 'Hộ chưa phân loại')\n"
    "  2  usage error, or an input file that cannot be read\n"
    "  3  internal error (a bug: please report it), including a report that does not add\n"
    "     up, which is never written"
)


def _round_options(fn):
    for d in reversed(
        [
            click.option(
                "--standard",
                help="Bundled standard id or a TOML file (both rounds; default: the standard "
                "of the review round each round's survey dates belong to).",
            ),
            click.option(
                "--as-of",
                callback=_parse_date,
                help="Survey date for households without one (YYYY-MM-DD or dd/mm/yyyy).",
            ),
        ]
    ):
        fn = d(fn)
    return fn


def _round_text(r: Round, lang: str) -> str:
    return tally_text(r.counts, count_units(r.households), lang)


def tally_text(c: dict[str, int], units: tuple[int, int, int], lang: str) -> str:
    """Households classed of those read, in how many communes (districts, provinces)."""
    communes, districts, provinces = units
    if lang == "vi":
        where = f"({districts} huyện)" if districts else f"({provinces} tỉnh, không có cấp huyện)"
        return (
            f"{c['households_classed']}/{c['households_in']} hộ ở {communes} xã {where}, "
            f"{c['households_rejected']} hộ chưa phân loại (không tính)"
        )
    where = f"({districts} districts)" if districts else f"({provinces} provinces, no districts)"
    return (
        f"{c['households_classed']} of {c['households_in']} households in {communes} communes "
        f"{where}, {c['households_rejected']} not classed (left out)"
    )


def _warn(con: Console, notes: list[tuple[str, str]], kind: tuple[str, str] | None = None) -> None:
    en_kind, vi_kind = kind or ("warning", "cảnh báo")
    for en, vi in notes:
        con.say(f"{en_kind}: {en}", f"{vi_kind}: {vi}")


def _not_classed_lines(con: Console, r: Round) -> None:
    if r.counts["households_rejected"]:
        not_classed_lines(con, r.unclassed())


def not_classed_lines(con: Console, left: pd.DataFrame) -> None:
    """With -v: the households left out, counted per commune (``left``: their unit keys)."""
    labels = path_labels(left, "commune").fillna("")  # a shared name: with its parents
    for commune, n in left.groupby(labels.to_numpy(), sort=False).size().items():
        con.say(
            f"  {commune or '(no commune)'}: {n} households not classed",
            f"  {commune or '(không rõ xã)'}: {n} hộ chưa phân loại",
            level=1,
        )


def _issue_counts(
    lang: str, rounds: list[Round | None], output: str | None, fmt: str | None
) -> tuple[int, int, list[str]]:
    """Errors and warnings of the rounds read, and where they are listed: the report
    workbook's sheet of households left out, when it has one (only errors go there)."""
    from ..write.forms_excel import UNCLASSED_SHEET
    from .progress import sheet_of

    issues = [r.issues for r in rounds if r is not None and "severity" in r.issues]
    errors = sum(int((i["severity"] == "error").sum()) for i in issues)
    warnings = sum(int((i["severity"] == "warning").sum()) for i in issues)
    where = []
    cur = rounds[0]
    listed = cur is not None and "severity" in cur.issues
    listed = listed and bool((cur.issues["severity"] == "error").any())
    if output and listed and format_for(output, fmt) == "xlsx":
        where.append(sheet_of(lang, output, UNCLASSED_SHEET))
    return errors, warnings, where


def _subtitle(r: Round) -> str:
    year = r.survey_year()
    parts = [f"Kỳ rà soát năm {year}"] if year else []
    if r.standard is not None:
        parts.append(r.standard.title)
        if r.standard.provisional:
            parts.append(f"CHUẨN TẠM THỜI: {r.standard.provisional_note_vi}".rstrip(": "))
    return f"({'; '.join(parts)})" if parts else ""


def _json_document(frames: dict[str, pd.DataFrame]) -> str:
    doc = {
        f"form{k}": json.loads(v.to_json(orient="records", force_ascii=False))
        for k, v in frames.items()
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)


def _write(
    frames: dict[str, pd.DataFrame],
    current: Round,
    output: str | None,
    fmt: str | None,
    notes: dict[str, list[tuple[str, str]]] | None = None,
) -> None:
    if output:
        path = Path(output)
        fmt = format_for(path, fmt)
        if fmt == "xlsx":
            from ..write.forms_excel import write_forms

            std = current.standard
            indicators = (
                [(std.indicators[c].number, std.indicators[c].label_vi) for c in std.codes]
                if std
                else None
            )
            services = (
                [
                    std.services[v].label_vi
                    for v in dict.fromkeys(std.indicators[c].service for c in std.codes)
                ]
                if std
                else None
            )
            errors = current.issues
            if len(errors) and "severity" in errors:
                errors = errors[errors["severity"] == "error"]
            first = next(iter(frames.values()))
            write_table(
                first,
                path,
                "xlsx",
                lambda tmp: write_forms(
                    frames,
                    tmp,
                    indicators=indicators,
                    subtitle=_subtitle(current),
                    issues=errors,
                    notes={f: [vi for _, vi in lines] for f, lines in (notes or {}).items()},
                    services=services,
                ),
            )
        elif len(frames) == 1:
            write_table(next(iter(frames.values())), path, fmt)
        elif fmt == "json":
            with atomic_path(path) as tmp:
                tmp.write_text(_json_document(frames), encoding="utf-8")
        else:
            for k, frame in frames.items():
                write_table(frame, _sibling(path, f"form{k}"), fmt)
        return
    if fmt == "xlsx" or fmt == "parquet":
        raise UsageError(f"--format {fmt} needs -o FILE", f"--format {fmt} cần -o TỆP")
    if len(frames) == 1:
        k, frame = next(iter(frames.items()))
        _emit(frame, fmt, f"Biểu {k}")
    elif fmt == "json":
        click.echo(_json_document(frames))
    elif fmt is None and sys.stdout.isatty():
        for k, frame in frames.items():
            _emit(frame, None, f"Biểu {k}")
    else:
        raise UsageError(
            "a CSV holds one form: choose --form N, or write all forms with -o report.xlsx",
            "một tệp CSV chỉ chứa một biểu: chọn --form N, hoặc ghi mọi biểu bằng -o bao-cao.xlsx",
        )


@click.command(epilog=REPORT_HELP)
@click.argument("surveys", nargs=-1, required=True, type=click.Path())
@click.option(
    "--form",
    default="all",
    show_default=True,
    help="Which form: 1 to 15, several (1,4,10) or all.",
)
@click.option(
    "--previous",
    "previous",
    multiple=True,
    type=click.Path(),
    help="The previous round (survey, folder, or classify output; repeatable). "
    "Default: the survey's previous_class column.",
)
@_round_options
@common_options
@redact_options
@engine_options
@handled
def report(
    surveys,
    form,
    previous,
    standard,
    as_of,
    output,
    fmt,
    lang,
    quiet,
    verbose,
    redact,
    redact_key_file,
    engine,
    scheduler,
) -> int:
    """Write the official review report (Forms 1–15) for SURVEYS.

    SURVEYS are one or more survey workbooks (or CSV pairs, or classify outputs), or a
    folder of them: a commune, or every commune of a district, read, validated and classed
    together. Households with errors are left out of the counts; each form says how many
    per unit (column not_classed). Forms 2 and 3 (changes in poor / near-poor households)
    compare with --previous, else with the survey's previous_class column.

    \b
    -o report.xlsx   every form on its own sheet, laid out like the official forms
    -o form1.csv     the tidy table of one form (with --form all: report.form1.csv …)
    (no -o)          tables on a terminal; CSV of one form, or JSON, when piped

    A Parquet dataset folder (see classify) gives Forms 1, 4–8, 10, 12 and 13 from the sums
    of its partitions, one partition in memory at a time; name other forms with --form to
    build them from the whole round in memory.
    """
    red = redactor_for(redact, redact_key_file)
    wanted = parse_forms(form)
    if len(surveys) == 1 and is_dataset(surveys[0]) and not previous:
        from .report_dataset import SUMMED, report_dataset_cli

        if form.strip().lower() == "all" or all(f in SUMMED for f in wanted):
            return report_dataset_cli(
                surveys[0],
                wanted,
                standard,
                as_of,
                output,
                fmt,
                lang,
                verbose - quiet,
                red,
                engine,
                scheduler,
            )
    con = Console(verbose - quiet, lang)
    with con.progress():
        on = {"engine": engine, "scheduler": scheduler}  # a dataset folder's partitions
        current = load_round(list(surveys), standard=standard, as_of=as_of, lang=lang, **on)
        prev = load_round(list(previous), standard=standard, lang=lang, **on) if previous else None
        frames = build_report(current, form=form, previous=prev)
        notes = form_notes(current, frames, prev)
        if red is not None:  # the forms are counted: only what is written is redacted
            frames = {k: red.frame(v) for k, v in frames.items()}
            current = red.round(current)
        if output:
            _write(frames, current, output, fmt, notes)
    if not output:  # the tables on stdout, once the progress display is gone
        _write(frames, current, output, fmt, notes)
    rounds = _round_text(current, lang)
    if prev is not None:
        rounds += ("; kỳ trước: " if lang == "vi" else "; previous round: ") + _round_text(
            prev, lang
        )
    done = ", ".join(frames)
    con.closing(
        f"report: {rounds}; forms {done}",
        f"báo cáo: {rounds}; biểu {done}",
        _issue_counts(lang, [current, prev], output, fmt),
    )
    # the summary line first (cron reads it), then why this standard, then the warnings
    say_standard(
        con,
        [*current.choices, *(prev.choices if prev is not None else [])],
        [*current.notes, *(prev.notes if prev is not None else [])],
    )
    _warn(con, map_notes([("", current), ("previous round", prev)]))
    if any(f in wanted and f not in frames for f in ("2", "3")):
        con.say(
            "forms 2 and 3 skipped: no previous round (--previous) and no previous_class column",
            "bỏ qua biểu 2 và 3: không có kỳ trước (--previous) và không có cột Phân loại đầu kỳ",
        )
    flags = [f for f in NEED_FLAGS if f in wanted and f not in frames]
    if flags:
        con.say(
            f"forms {', '.join(flags)} skipped: the input has no deprivation columns (dep_*)",
            f"bỏ qua biểu {', '.join(flags)}: dữ liệu không có các cột thiếu hụt ('Thiếu hụt …')",
        )
    need = [f for f in NEED_MEMBERS if f in wanted and f not in frames and f not in flags]
    if need:
        con.say(
            f"forms {', '.join(need)} skipped: they need the survey (members, household "
            "columns), not a classify output",
            f"bỏ qua biểu {', '.join(need)}: cần tệp khảo sát (thành viên, các cột của hộ), "
            "không dùng được tệp kết quả phân loại",
        )
    forms_of: dict[tuple[str, str], list[str]] = {}  # each note once, naming its forms
    for form_no, lines in notes.items():
        for line in lines:
            forms_of.setdefault(line, []).append(form_no)
    _warn(
        con,
        [
            (f"Form {', '.join(fs)}: {en}", f"Biểu {', '.join(fs)}: {vi}")
            for (en, vi), fs in forms_of.items()
        ],
        ("note", "ghi chú"),
    )
    _not_classed_lines(con, current)
    rejected = current.counts["households_rejected"] + (
        prev.counts["households_rejected"] if prev else 0
    )
    return Exit.OK if rejected == 0 and current.counts["households_in"] else Exit.DATA


@click.command(epilog=REPORT_HELP)
@click.argument("previous", type=click.Path())
@click.argument("current", type=click.Path())
@click.option("--changed", is_flag=True, help="Only households whose status changed.")
@_round_options
@common_options
@redact_options
@handled
def changes(
    previous,
    current,
    changed,
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
    """List every household with its class in PREVIOUS and CURRENT and the change (§4).

    PREVIOUS and CURRENT are surveys, folders of surveys, or classify outputs; household
    IDs link the rounds. Columns: household_id, province, district, commune,
    previous_class, class, transition, transition_vi (the list a commune posts; the unit's
    whole path, on the current round's map when the previous round had districts and this
    one has none). --changed keeps only the households whose status changed.
    """
    red = redactor_for(redact, redact_key_file)
    con = Console(verbose - quiet, lang)
    with con.progress():
        prev = load_round(previous, standard=standard, lang=lang)
        cur = load_round(current, standard=standard, as_of=as_of, lang=lang)
        map_warnings = map_notes([("", cur), ("previous round", prev)])
        prev = on_current_map(prev, cur)
        link = link_rounds(cur.households, cur.extra, prev.households, prev.extra)
        table = change_list(link, changed_only=changed)
        if red is not None:  # linked on the IDs as read; the same key links redacted rounds
            table = red.frame(table)
        if output:
            path = Path(output)
            fmt = format_for(path, fmt)
            if fmt == "xlsx":
                from ..write.excel import write_tables
                from ..write.localise import change_list as people_list

                # the list a commune posts, in words; the codes of .csv on the sheet after it
                sheet, data = "Danh sách biến động", "Dữ liệu" if lang == "vi" else "Data"
                sheets = {sheet: people_list(table, lang), data: table}
                warning = provisional_note(cur.choices, lang)
                notes = {sheet: warning, data: warning} if warning else None
                write_table(table, path, "xlsx", lambda tmp: write_tables(sheets, tmp, notes=notes))
            else:
                write_table(table, path, fmt)
    if not output:
        if fmt in ("xlsx", "parquet"):
            raise UsageError(f"--format {fmt} needs -o FILE", f"--format {fmt} cần -o TỆP")
        _emit(table, fmt, "Biến động")
    counts = change_list(link)["transition"].value_counts()
    moved = {k: int(counts.get(k, 0)) for k in ("moved_in", "moved_out", "not_classed")}
    n_changed = int(counts[~counts.index.isin([*UNCHANGED, *moved])].sum())
    con.closing(
        f"changes: {len(link)} households, {n_changed} changed class, "
        f"{moved['moved_in']} moved in, "
        f"{moved['moved_out']} moved out, {moved['not_classed']} not classed",
        f"biến động: {len(link)} hộ, {n_changed} hộ thay đổi phân loại, {moved['moved_in']} chuyển "
        f"đến, {moved['moved_out']} chuyển đi, {moved['not_classed']} chưa phân loại",
        _issue_counts(lang, [cur, prev], None, None),
    )
    say_standard(con, [*cur.choices, *prev.choices], [*cur.notes, *prev.notes])
    _warn(con, map_warnings)  # after the summary line, which cron reads first
    _not_classed_lines(con, cur)
    rejected = cur.counts["households_rejected"] + prev.counts["households_rejected"]
    return Exit.OK if rejected == 0 and cur.counts["households_in"] else Exit.DATA


__all__ = ["changes", "report"]
