"""The ``mdpoverty`` command line: parse options, call the library, render, exit.

Results go to stdout (or the ``-o`` file); messages for people go to stderr. Exit codes are
defined once, in :class:`Exit`, and shown in ``--help``.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
import traceback
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path
from typing import Any

import click
import pandas as pd

from . import core
from .errors import CHECKS, MdpovertyError, UsageError
from .io import FORMATS, format_for, to_json, write_table
from .safety import run_guard
from .standards import bundled, load_standard
from .validate import ISSUE_COLUMNS


class Exit(IntEnum):
    OK = 0  # every household classed / no errors
    DATA = 1  # data problems: some households not classed (see the issue table)
    USAGE = 2  # bad options, or an input file that cannot be read at all
    INTERNAL = 3  # a bug in mdpoverty: please report it


EXIT_HELP = (
    "\b\nExit codes:\n"
    "  0  done: every household classed\n"
    "  1  data problems: some households not classed (see the issues)\n"
    "  2  usage error, or an input file that cannot be read\n"
    "  3  internal error (a bug: please report it)"
)


class Console:
    """stderr for people: quiet/verbose is one number; colour and progress only on a TTY."""

    def __init__(self, verbosity: int, lang: str) -> None:
        self.verbosity = verbosity
        self.lang = lang
        self.tty = sys.stderr.isatty()

    def say(self, en: str, vi: str, level: int = 0) -> None:
        if self.verbosity >= level:
            click.echo(vi if self.lang == "vi" else en, err=True)

    def status(self, text: str) -> Any:
        import contextlib

        if self.tty and self.verbosity >= 0:
            from rich.console import Console as RichConsole

            return RichConsole(stderr=True).status(text)
        return contextlib.nullcontext()


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    raise click.BadParameter(f"{value!r}: use YYYY-MM-DD or dd/mm/yyyy")


def common_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options every command shares, declared once."""
    decorators = [
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False),
            help="Write to this file (format from its suffix).",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            help="Output format (default: from -o, else csv when piped).",
        ),
        click.option(
            "--lang",
            type=click.Choice(["vi", "en"]),
            default="vi",
            show_default=True,
            help="Language of messages.",
        ),
        click.option("-q", "--quiet", count=True, help="Less on stderr (repeatable)."),
        click.option("-v", "--verbose", count=True, help="More on stderr (repeatable)."),
    ]
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def survey_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    decorators = [
        click.argument("survey", type=click.Path()),
        click.option(
            "--members",
            type=click.Path(dir_okay=False),
            help="Members CSV/Parquet, when not beside the households file.",
        ),
        click.option(
            "--standard", help="Bundled standard id (see `mdpoverty standards`) or a TOML file."
        ),
        click.option(
            "--as-of",
            callback=_parse_date,
            help="Survey date for households without one (YYYY-MM-DD or dd/mm/yyyy).",
        ),
    ]
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def handled(fn: Callable[..., int]) -> Callable[..., None]:
    """Run a command body; turn its return value and any failure into an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        lang = kwargs.get("lang", "vi")
        try:
            with run_guard(kwargs.get("output"), lang):  # SIGTERM/SIGHUP: clean exit
                code = fn(*args, **kwargs)
        except MdpovertyError as exc:
            click.echo(f"mdpoverty: {exc.text(lang)}", err=True)
            code = exc.exit_code
        except KeyboardInterrupt:
            click.echo("mdpoverty: interrupted", err=True)
            code = 130
        except Exception as exc:  # a bug: one line, the traceback only with -v
            if kwargs.get("verbose"):
                traceback.print_exc()
            click.echo(
                f"mdpoverty: internal error ({type(exc).__name__}: {exc}); "
                "please report it with the command you ran",
                err=True,
            )
            code = Exit.INTERNAL
        sys.exit(int(code))

    return wrapper


def _sibling(path: Path, name: str) -> Path:
    return path.with_name(f"{path.stem}.{name}{path.suffix}")


def _emit(frame: pd.DataFrame, fmt: str | None, title: str) -> None:
    """A result table on stdout: a rich table on a TTY, else CSV (or the asked format)."""
    if fmt is None and sys.stdout.isatty():
        from rich.console import Console as RichConsole
        from rich.table import Table

        table = Table(title=title)
        for col in frame.columns:
            table.add_column(str(col), overflow="fold")
        for row in frame.astype("string").fillna("").itertuples(index=False):
            table.add_row(*row)
        RichConsole().print(table)
    elif fmt == "json":
        click.echo(to_json(frame))
    else:
        click.echo(frame.to_csv(index=False), nl=False)


def _issue_summary(con: Console, issues: pd.DataFrame) -> None:
    if issues.empty:
        return
    counts = issues.groupby(["severity", "check"]).size()
    for (sev, check), n in counts.items():
        con.say(f"  {n:>6} {sev:<7} {check}", f"  {n:>6} {sev:<7} {check}", level=1)


@click.group(epilog=EXIT_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mdpoverty")
def main() -> None:
    """Classify Vietnamese households under the multidimensional poverty standard
    (rà soát hộ nghèo, hộ cận nghèo) and write the review reports."""


@main.command(epilog=EXIT_HELP)
@survey_options
@common_options
@handled
def classify(survey, members, standard, as_of, output, fmt, lang, quiet, verbose) -> int:
    """Validate SURVEY and class every household (poor, near_poor, average, not_poor).

    Writes one row per household, in input order. With -o out.xlsx the workbook also has a
    summary sheet and the issue table; with .csv/.parquet/.json the issues go beside it
    (out.issues.csv). Without -o: a table on a terminal, CSV when piped.
    """
    con = Console(verbose - quiet, lang)
    with con.status("Đang phân loại…" if lang == "vi" else "Classifying…"):
        result = core.classify(survey, members=members, standard=standard, as_of=as_of, lang=lang)
    out = result.households
    if output:
        path = Path(output)
        fmt = format_for(path, fmt)
        if fmt == "xlsx":
            from .excel import write_tables

            sheets = {"Kết quả": out, "Tổng hợp": result.summary(), "Lỗi": result.issues}
            write_table(
                out, path, "xlsx", lambda tmp: write_tables(sheets, tmp, issues_sheet="Lỗi")
            )
        else:
            write_table(out, path, fmt)
            write_table(result.issues, _sibling(path, "issues"), fmt)
    else:
        _emit(result.summary() if fmt is None and sys.stdout.isatty() else out, fmt, "mdpoverty")
    _report(con, result, output)
    return (
        Exit.OK
        if result.counts["households_rejected"] == 0 and result.counts["households_in"]
        else Exit.DATA
    )


def _report(con: Console, result: core.Result, output: str | None) -> None:
    c = result.counts
    errors = int((result.issues["severity"] == "error").sum())
    warnings = int((result.issues["severity"] == "warning").sum())
    con.say(
        f"{result.source}: {c['households_classed']} of {c['households_in']} households classed "
        f"({c['households_rejected']} not classed), members {c['members_classed']} of "
        f"{c['members_in']} used ({c['members_rejected']} rejected); {errors} errors, "
        f"{warnings} warnings; standard {result.standard.id}"
        + (f"; written to {output}" if output else ""),
        f"{result.source}: phân loại {c['households_classed']}/{c['households_in']} hộ "
        f"({c['households_rejected']} hộ chưa phân loại được), dùng {c['members_classed']}/"
        f"{c['members_in']} nhân khẩu ({c['members_rejected']} bị loại); {errors} lỗi, "
        f"{warnings} cảnh báo; chuẩn {result.standard.id}"
        + (f"; đã ghi {output}" if output else ""),
    )
    _issue_summary(con, result.issues)


@main.command(epilog=EXIT_HELP)
@survey_options
@common_options
@handled
def validate(survey, members, standard, as_of, output, fmt, lang, quiet, verbose) -> int:
    """Check SURVEY and list every problem, located to the sheet, Excel row and column.

    Columns: sheet, row (as Excel shows it), column (the header as written), value, check,
    severity, message (in --lang), household_id, field, message_vi, message_en. Severity
    "error" means the household cannot be classed; "warning" does not block it.
    """
    con = Console(verbose - quiet, lang)
    result = core.classify(survey, members=members, standard=standard, as_of=as_of, lang=lang)
    issues = result.issues
    if output:
        write_table(issues, output, fmt)
    else:
        shown = issues[["sheet", "row", "column", "value", "check", "severity", "message"]]
        _emit(shown if fmt is None and sys.stdout.isatty() else issues, fmt, "issues")
    _report(con, result, output)
    return Exit.DATA if (issues["severity"] == "error").any() else Exit.OK


@main.command()
@click.argument("check_id", required=False)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@handled
def explain(check_id: str | None, lang: str) -> int:
    """Say what a check id means and how to fix the cell (all ids when none is given)."""
    if check_id is None:
        for c in CHECKS.values():
            click.echo(f"{c.id:<22} {c.severity:<8} {(c.vi if lang == 'vi' else c.en)}")
        return Exit.OK
    if check_id not in CHECKS:
        raise UsageError(
            f"unknown check id {check_id!r}; `mdpoverty explain` lists them",
            f"không có mã kiểm tra {check_id!r}; xem `mdpoverty explain`",
        )
    c = CHECKS[check_id]
    click.echo(f"{c.id} ({c.severity})")
    click.echo(f"  vi: {c.vi}\n      Cách sửa: {c.fix_vi}")
    click.echo(f"  en: {c.en}\n      How to fix: {c.fix_en}")
    return Exit.OK


@main.command()
@click.argument("name", required=False)
@handled
def standards(name: str | None) -> int:
    """List the bundled standards, or show one (its lines, cutoff and indicators)."""
    if name is None:
        for sid in bundled():
            s = load_standard(sid)
            flag = "  (provisional)" if s.provisional else ""
            click.echo(f"{s.id:<14} {s.valid_from} – {s.valid_to}  {s.title}{flag}")
        return Exit.OK
    s = load_standard(name)
    click.echo(f"{s.id}: {s.title}\n  {s.reference} [{s.confidence}]\n  source: {s.source}")
    inc = s.income
    for key in ("policy_line", "poverty_line", "average_upper", "score_line"):
        v = getattr(inc, key)
        if v is not None:
            click.echo(
                f"  {key}: rural {v.rural:,.0f}, urban {v.urban:,.0f} {v.unit}"
                f" — {v.reference} [{v.confidence}]"
            )
    click.echo(
        f"  poor when deprived in >= {s.deprivation.cutoff} of {len(s.indicators)} indicators"
    )
    for code in s.codes:
        ind = s.indicators[code]
        click.echo(
            f"  {ind.number:>2}. {code:<18} {ind.label_vi} — {ind.reference} [{ind.confidence}]"
        )
    return Exit.OK


# Commands defined in their own modules, registered once `main` exists.
from .cli_measures import measures as _measures_command  # noqa: E402
from .cli_report import changes as _changes_command  # noqa: E402
from .cli_report import report as _report_command  # noqa: E402

main.add_command(_report_command, name="report")
main.add_command(_changes_command, name="changes")
main.add_command(_measures_command, name="measures")

__all__ = ["ISSUE_COLUMNS", "Exit", "main"]
