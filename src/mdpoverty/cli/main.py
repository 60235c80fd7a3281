"""The ``mdpoverty`` command line: parse options, call the library, render, exit.

Results go to stdout (or the ``-o`` file); messages for people go to stderr. Exit codes are
defined once, in :class:`Exit`, and shown in ``--help``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
import pandas as pd

from .. import core
from ..engines import is_dataset
from ..errors import CHECKS, UsageError
from ..i18n import pick
from ..law.standard_text import details, listing_line
from ..law.standards import bundled, load_standard
from ..read.survey import format_for, write_table
from ..validate import ISSUE_COLUMNS
from .common import (
    EXIT_HELP,
    Console,
    Exit,
    _emit,
    _issue_summary,
    _sibling,
    annotate_options,
    annotate_path,
    common_options,
    engine_options,
    handled,
    provisional_note,
    redact_options,
    redactor_for,
    say_annotated,
    say_standard,
    survey_options,
    write_annotated,
)
from .dataset import check_options, refuse_unless_fits, stream, streams
from .lang import LangGroup, lang_option
from .progress import sheet_of


@click.group(
    cls=LangGroup, epilog=EXIT_HELP, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, param, value: _version(ctx, value),
    help="Show the version and exit.",
)
def main() -> None:
    """Classify Vietnamese households under the multidimensional poverty standard
    (rà soát hộ nghèo, hộ cận nghèo) and write the review reports."""


def _version(ctx: click.Context, value: bool) -> None:
    """``--version`` in the run's language (Click's own option fixes its words at import)."""
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import version

    v = version("mdpoverty")
    click.echo(pick(f"mdpoverty, version {v}", f"mdpoverty, phiên bản {v}"))
    ctx.exit()


@main.command(epilog=EXIT_HELP)
@survey_options
@common_options
@annotate_options
@redact_options
@engine_options
@handled
def classify(
    survey,
    members,
    standard,
    as_of,
    output,
    fmt,
    lang,
    quiet,
    verbose,
    annotate,
    annotate_to,
    redact,
    redact_key_file,
    engine,
    scheduler,
) -> int:
    """Validate SURVEY and class every household (poor, near_poor, average, not_poor).

    Writes one row per household, in input order. With -o out.xlsx the workbook is the
    official lists, laid out like the forms and always in Vietnamese: every household, the
    poor, the near-poor (and the farm households of average living standard where the
    standard has that band), a summary with charts, the issue table (in --lang) and a sheet
    "Dữ liệu" with the columns and codes of .csv. With .csv/.parquet/.json the issues go
    beside it (out.issues.csv). Without -o: a table on a terminal, CSV when piped.

    SURVEY may be a Parquet dataset folder (households/ and members/, hive-partitioned
    alike, e.g. by province and commune): it is classed partition by partition, and a .csv
    or .parquet output (or CSV piped to stdout) is written as it goes, so memory is bounded
    by the largest partition.
    """
    if is_dataset(survey):
        check_options(annotate, annotate_to, redact)
        refuse_unless_fits(survey, output, fmt)
        if streams(output, fmt):
            return _stream(
                survey,
                standard,
                as_of,
                output,
                fmt,
                lang,
                quiet,
                verbose,
                engine,
                scheduler,
                households=True,
            )
    marked = annotate_path(survey, annotate, annotate_to, output)
    red = redactor_for(redact, redact_key_file, marked)
    con = Console(verbose - quiet, lang)
    where: list[str] = []  # where the issue table is, for the summary line
    with con.progress():
        result = core.classify(
            survey,
            members=members,
            standard=standard,
            as_of=as_of,
            lang=lang,
            engine=engine,
            scheduler=scheduler,
        )
        if red is not None:  # after classing: the counts do not depend on it
            result = red.round(result)
        out = result.households
        # the annotated survey first: the workbook's issue sheet links to its cells
        done = write_annotated(survey, marked, result.issues, lang)
        if output:
            path = Path(output)
            fmt = format_for(path, fmt)
            if fmt == "xlsx":
                from ..write.lists import write_lists

                # a provisional standard says so on row 1 of every sheet, where the reader looks
                warning = provisional_note(result.choice, lang)
                links = None
                if done is not None and marked is not None:
                    rel = os.path.relpath(marked.resolve(), path.resolve().parent)
                    links = (Path(rel).as_posix(), done.refs)
                write_table(
                    out,
                    path,
                    "xlsx",
                    lambda tmp: write_lists(
                        result, tmp, lang=lang, note=warning, marked=links, names=red is None
                    ),
                )
                where.append(sheet_of(lang, path, "Lỗi" if lang == "vi" else "Issues"))
            else:
                write_table(out, path, fmt)
                write_table(result.issues, _sibling(path, "issues"), fmt)
                where.append(str(_sibling(path, "issues")))
    if done is not None:
        where.append(str(done.path))  # its first sheet lists them, linked to their cells
    if not output:
        _emit(result.summary() if fmt is None and sys.stdout.isatty() else out, fmt, "mdpoverty")
    if not where and len(result.issues):  # listed nowhere yet: the command that lists them
        import shlex

        again = ["mdpoverty", "validate", survey, *(["--members", members] if members else [])]
        again += ["--standard", standard] if standard else []
        again += ["--as-of", f"{as_of:%Y-%m-%d}"] if as_of else []
        where.append(shlex.join(again + (["--lang", "en"] if lang == "en" else [])))
    _report(con, result, where)
    say_annotated(con, done)
    return (
        Exit.OK
        if result.counts["households_rejected"] == 0 and result.counts["households_in"]
        else Exit.DATA
    )


def _report(con: Console, result: core.Result, where: list[str]) -> None:
    """The summary line: the counts, the errors and warnings and where they are listed
    (``where``), the standard, the files written; then why this standard."""
    by_check = result.issues.groupby(["severity", "check"]).size()
    _closing(con, result.source, result.counts, result.standard.id, by_check, where)
    say_standard(con, result.choice, result.notes)
    _issue_summary(con, by_check)


def _stream(
    survey,
    standard,
    as_of,
    output,
    fmt,
    lang,
    quiet,
    verbose,
    engine,
    scheduler,
    *,
    households: bool,
) -> int:
    """classify/validate of a dataset folder, written part by part (:mod:`.cli_dataset`)."""
    from ..engines import Options

    con = Console(verbose - quiet, lang)
    counts, by_check, choices, notes, std_id, where = stream(
        con,
        survey,
        output,
        fmt,
        Options(standard, as_of, lang),
        engine,
        scheduler,
        households=households,
    )
    _closing(con, survey, counts, std_id, by_check, where)
    say_standard(con, choices, notes)
    _issue_summary(con, by_check)
    errors = int(by_check.get("error", pd.Series(dtype=int)).sum())
    if households:
        return (
            Exit.OK
            if counts.get("households_rejected", 0) == 0 and counts.get("households_in")
            else Exit.DATA
        )
    return Exit.DATA if errors else Exit.OK


def _closing(con, source, c, std_id, by_check, where) -> None:
    errors = int(by_check.get("error", pd.Series(dtype=int)).sum())
    warnings = int(by_check.get("warning", pd.Series(dtype=int)).sum())
    skipped = c.get("rows_skipped", 0)
    con.closing(
        f"{source}: {c['households_classed']} of {c['households_in']} households classed "
        f"({c['households_rejected']} not classed), members {c['members_classed']} of "
        f"{c['members_in']} used ({c['members_rejected']} rejected); standard "
        f"{std_id}" + (f"; {skipped} layout rows skipped (listed as info)" if skipped else ""),
        f"{source}: phân loại {c['households_classed']}/{c['households_in']} hộ "
        f"({c['households_rejected']} hộ chưa phân loại được), dùng {c['members_classed']}/"
        f"{c['members_in']} nhân khẩu ({c['members_rejected']} bị loại); chuẩn "
        f"{std_id}" + (f"; bỏ qua {skipped} dòng trình bày (xem mục info)" if skipped else ""),
        (errors, warnings, where),
    )


@main.command(epilog=EXIT_HELP)
@survey_options
@common_options
@annotate_options
@redact_options
@engine_options
@handled
def validate(
    survey,
    members,
    standard,
    as_of,
    output,
    fmt,
    lang,
    quiet,
    verbose,
    annotate,
    annotate_to,
    redact,
    redact_key_file,
    engine,
    scheduler,
) -> int:
    """Check SURVEY and list every problem, located to the sheet, Excel row and column.

    Columns: sheet, row (as Excel shows it), column (the header as written), value, check,
    severity, message (in --lang), household_id, field, message_vi, message_en. Severity
    "error" means the household cannot be classed; "warning" does not block it; "info" lists
    a layout row skipped (numbered row, repeated header, total row, signature block). With
    -o issues.xlsx the first sheet is for people (headers, severity and messages in --lang),
    the second keeps these columns and codes.

    SURVEY may be a Parquet dataset folder (see classify): with -o .csv/.parquet, or CSV
    piped to stdout, its issues are written partition by partition.
    """
    if is_dataset(survey):
        check_options(annotate, annotate_to, redact)
        if streams(output, fmt):
            return _stream(
                survey,
                standard,
                as_of,
                output,
                fmt,
                lang,
                quiet,
                verbose,
                engine,
                scheduler,
                households=False,
            )
    marked = annotate_path(survey, annotate, annotate_to, output)
    red = redactor_for(redact, redact_key_file, marked)
    con = Console(verbose - quiet, lang)
    with con.progress():
        result = core.classify(
            survey,
            members=members,
            standard=standard,
            as_of=as_of,
            lang=lang,
            engine=engine,
            scheduler=scheduler,
        )
        issues = result.issues if red is None else red.frame(result.issues)
        warning = provisional_note(result.choice, lang)
        if output and format_for(output, fmt) == "xlsx":  # for people: headers in --lang
            from ..write.issue_book import write_issue_book

            write_table(
                issues, output, "xlsx", lambda tmp: write_issue_book(issues, tmp, lang, warning)
            )
        elif output:
            write_table(issues, output, fmt)
        done = write_annotated(survey, marked, issues, lang)
    where = [str(output)] if output else []
    if done is not None:
        where.append(str(done.path))  # its first sheet lists them, linked to their cells
    if not output:
        shown = issues[["sheet", "row", "column", "value", "check", "severity", "message"]]
        _emit(shown if fmt is None and sys.stdout.isatty() else issues, fmt, "issues")
    _report(con, result, where)
    say_annotated(con, done)
    return Exit.DATA if (issues["severity"] == "error").any() else Exit.OK


@main.command()
@click.argument("check_id", required=False)
@lang_option
@handled
def explain(check_id: str | None, lang: str) -> int:
    """Say what a check id means and how to fix the cell (all ids when none is given)."""
    from .check_examples import example

    vi = lang == "vi"
    if check_id is None:
        for c in CHECKS.values():
            click.echo(f"{c.id:<26} {_severity(c.severity, lang):<10} {example(c.id, lang)}")
        return Exit.OK
    if check_id not in CHECKS:
        raise UsageError(
            f"unknown check id {check_id!r}; `mdpoverty explain` lists them",
            f"không có mã kiểm tra {check_id!r}; xem `mdpoverty explain`",
        )
    c = CHECKS[check_id]
    click.echo(f"{c.id} ({_severity(c.severity, lang)})")
    click.echo(f"  {'Ví dụ' if vi else 'Example'}: {example(c.id, lang)}")
    click.echo(f"  {'Cách sửa' if vi else 'How to fix'}: {c.fix_vi if vi else c.fix_en}")
    return Exit.OK


_SEVERITY_VI = {"error": "lỗi", "warning": "cảnh báo", "info": "thông tin"}


def _severity(severity: str, lang: str) -> str:
    return _SEVERITY_VI.get(severity, severity) if lang == "vi" else severity


@main.command()
@click.argument("name", required=False)
@click.option(
    "--export",
    "export",
    type=click.Path(dir_okay=False),
    help="Write an editable copy of NAME to this .toml file (a province's own standard): the "
    "values the law has not published are commented placeholders to fill.",
)
@lang_option
@handled
def standards(name: str | None, export: str | None, lang: str) -> int:
    """List the bundled standards, or show one (its lines, cutoff, indicators and the review
    round it is used for)."""
    con = Console(0, lang)
    if name is None:
        if export:
            raise UsageError(
                "--export needs the standard to copy: mdpoverty standards NAME --export FILE",
                "--export cần tên chuẩn: mdpoverty standards TÊN --export TỆP",
            )
        for sid in bundled():
            click.echo(listing_line(load_standard(sid), lang))
        return Exit.OK
    s = load_standard(name)
    if export:
        return _export_standard(con, s, Path(export))
    for line in details(s, lang):
        click.echo(line)
    return Exit.OK


def _export_standard(con: Console, std, path: Path) -> int:
    from ..law.standard_export import export_text, unpublished
    from ..write.tables import atomic_path

    if path.suffix.lower() != ".toml":
        raise UsageError(
            f"{path}: a standard file is TOML; name it .toml",
            f"{path}: tệp chuẩn là tệp TOML; đặt tên tệp .toml",
        )
    text = export_text(std, path.stem)
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    missing = ", ".join(f"[income.{m}]" for m in unpublished(std))
    con.say(
        f"{std.id} copied to {path} as standard '{path.stem}'"
        + (f"; to fill (commented at the end): {missing}" if missing else ""),
        f"đã chép chuẩn {std.id} vào {path} thành chuẩn '{path.stem}'"
        + (f"; cần điền (ở cuối tệp, đang để chú thích): {missing}" if missing else ""),
    )
    return Exit.OK


@main.command(epilog=EXIT_HELP)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="The workbook to write (.xlsx).",
)
@click.option(
    "--standard",
    help="Bundled standard id or a TOML file: which columns the survey needs "
    "(default: the standard of the review round running today).",
)
@lang_option
@click.option("-q", "--quiet", count=True, help="Less on stderr (repeatable).")
@handled
def template(output: str, standard: str | None, lang: str, quiet: int) -> int:
    """Write an empty survey workbook to hand to village heads.

    Sheets 'Hộ gia đình' and 'Thành viên' with the headers mdpoverty reads, dropdown lists of
    the official labels for every coded and Có/Không column, dates and amounts validated as
    they are typed, ID columns as text, a note on every header, and a sheet 'Hướng dẫn' that
    lists every column. Fill it, then run `mdpoverty validate` on it. The workbook is always
    in Vietnamese, the language of the national form: --lang sets the language of the
    messages only.
    """
    import datetime as dt

    from ..law.rounds import provisional_line
    from ..law.standards import standard_for
    from ..write.tables import atomic_path
    from ..write.template import write_template

    if Path(output).suffix.lower() != ".xlsx":
        raise UsageError(
            f"{output}: the template is an Excel workbook; name it .xlsx",
            f"{output}: mẫu là tệp Excel; đặt tên tệp .xlsx",
        )
    std = load_standard(standard) if standard else standard_for(dt.date.today())
    with atomic_path(output) as tmp:
        write_template(tmp, std)
    con = Console(-quiet, lang)
    con.say(
        f"template for standard {std.id} written to {output} (in Vietnamese, the language of "
        "the national form, whatever --lang says)",
        f"đã ghi mẫu phiếu theo chuẩn {std.id} vào {output}",
    )
    if std.provisional:
        args = (std.id, std.provisional_note_vi, std.provisional_note_en)
        con.say(provisional_line(*args, "en"), provisional_line(*args, "vi"), level=-1)
    return Exit.OK


# Commands defined in their own modules, registered once `main` exists.
from .lists import lists as _lists_command  # noqa: E402
from .measures import measures as _measures_command  # noqa: E402
from .report import changes as _changes_command  # noqa: E402
from .report import report as _report_command  # noqa: E402
from .targets import targets as _targets_command  # noqa: E402
from .why import why as _why_command  # noqa: E402

main.add_command(_report_command, name="report")
main.add_command(_changes_command, name="changes")
main.add_command(_measures_command, name="measures")
main.add_command(_targets_command, name="targets")
main.add_command(_lists_command, name="lists")
main.add_command(_why_command, name="why")

__all__ = ["ISSUE_COLUMNS", "Exit", "main"]

if __name__ == "__main__":  # python -m mdpoverty.cli.main
    main()
