"""What every ``mdpoverty`` command shares: exit codes, option groups, the error wrapper,
stderr for people and stdout rendering.

Kept apart from :mod:`mdpoverty.cli.main` so that commands defined in their own modules
(``cli_report``, ``cli_measures``) import it without importing the command group.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import traceback
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import pandas as pd

from ..crash_safety import run_guard
from ..errors import MdpovertyError
from ..i18n import current, pick
from ..read.survey import FORMATS, csv_text, format_for, output_set, to_json
from .lang import lang_option

if TYPE_CHECKING:  # the annotator is imported only by a run that marks a survey
    from ..write.annotate import Annotated


class Exit(IntEnum):
    OK = 0  # every household classed / no errors
    DATA = 1  # data problems: some households not classed (see the issue table)
    USAGE = 2  # bad options, or an input file that cannot be read at all
    INTERNAL = 3  # a bug in mdpoverty: please report it
    INTERRUPTED = 130  # Ctrl+C (128 + SIGINT, as shells report it; SIGTERM gives 143)
    BROKEN_PIPE = 141  # the reader of stdout stopped early (128 + SIGPIPE, as `yes | head`)


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
        self.stderr_closed = False

    def say(self, en: str, vi: str, level: int = 0) -> None:
        if self.verbosity >= level and not self.stderr_closed:
            try:
                click.echo(vi if self.lang == "vi" else en, err=True)
            except BrokenPipeError:
                # `… 2>&1 | head -3`: the reader of the messages has gone. The messages are
                # for people; the run and its files (-o) are not theirs to stop.
                self.stderr_closed = True
                _quiet(sys.stderr)

    def progress(self) -> Any:
        """A live display of the library's stages with their counts, on a terminal only
        (:mod:`mdpoverty.cli.progress`); end it before printing the closing lines."""
        import contextlib

        from .progress import live, wanted

        show, force = wanted(self.tty, self.verbosity)
        return live(self.lang, force) if show else contextlib.nullcontext()

    def closing(self, en: str, vi: str, issues: tuple[int, int, list[str]] | None = None) -> None:
        """The summary line (first of the closing lines): ``en``/``vi``, then the count of
        errors and warnings and where the issue table is (``issues``: errors, warnings,
        places), then every file this run writes."""
        from ..write.tables import staged_outputs
        from .progress import issues_text, written_text

        outputs = staged_outputs()
        tail = {lang: written_text(lang, outputs) for lang in ("en", "vi")}
        if issues is not None:
            for lang in tail:
                tail[lang] = "; " + issues_text(lang, *issues) + tail[lang]
        self.say(en + tail["en"], vi + tail["vi"])


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    raise click.BadParameter(
        pick(
            f"{value!r}: use YYYY-MM-DD or dd/mm/yyyy",
            f"{value!r}: nhập dạng dd/mm/yyyy hoặc YYYY-MM-DD",
        )
    )


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
        lang_option,
        click.option("-q", "--quiet", count=True, help="Less on stderr (repeatable)."),
        click.option("-v", "--verbose", count=True, help="More on stderr (repeatable)."),
    ]
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def engine_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--engine`` / ``--scheduler``: how the partitions of a dataset folder run."""
    decorators = [
        click.option(
            "--engine",
            type=click.Choice(["local", "dask"]),
            default="local",
            show_default=True,
            help="For a dataset folder: class its partitions one after the other in this "
            "process (local), or on a Dask cluster (dask; pip install 'mdpoverty[dask]').",
        ),
        click.option(
            "--scheduler",
            metavar="ADDRESS",
            help="With --engine dask: the scheduler of a running Dask cluster "
            "(tcp://host:8786); without it a local cluster is started for the run.",
        ),
    ]
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def survey_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    decorators = [
        click.argument("survey", type=click.Path()),
        click.option(
            "--members",
            type=click.Path(),
            help="Members CSV/Parquet, when not beside the households file.",
        ),
        click.option(
            "--standard",
            help="Bundled standard id (see `mdpoverty standards`) or a TOML file (default: the "
            "standard of the review round the survey dates belong to).",
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
        lang = kwargs.get("lang") or current()
        try:
            fmt = kwargs.get("fmt")
            if kwargs.get("output") and "fmt" in kwargs:  # an unwritable format: before any work
                format_for(kwargs["output"], None if fmt == "table" else fmt)
            # SIGTERM/SIGHUP: a clean exit; every output of the run lands together, or none
            with run_guard(kwargs.get("output"), lang), output_set():
                code = fn(*args, **kwargs)
        except MdpovertyError as exc:
            click.echo(f"mdpoverty: {exc.text(lang)}", err=True)
            code = exc.exit_code
        except KeyboardInterrupt:
            click.echo(f"mdpoverty: {pick('interrupted', 'đã dừng (Ctrl+C)', lang)}", err=True)
            code = Exit.INTERRUPTED
        except BrokenPipeError:  # `mdpoverty classify x.xlsx | head`: the reader has enough
            _quiet_stdout()
            code = Exit.BROKEN_PIPE
        except Exception as exc:  # a bug: one line, the traceback only with -v
            if kwargs.get("verbose"):
                traceback.print_exc()
            where = f"{type(exc).__name__}: {exc}"
            click.echo(
                "mdpoverty: "
                + pick(
                    f"internal error ({where}); please report it with the command you ran",
                    f"lỗi nội bộ ({where}); xin báo lại kèm câu lệnh đã chạy",
                    lang,
                ),
                err=True,
            )
            code = Exit.INTERNAL
        sys.exit(int(code))

    return wrapper


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush does not fail again
    (the recipe of Python's ``signal`` documentation for SIGPIPE)."""
    _quiet(sys.stdout)


def _quiet(stream: Any) -> None:
    """Point ``stream``'s file descriptor at /dev/null (a closed pipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError):  # no real stream (e.g. under a test runner)
        pass


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
        click.echo(csv_text(frame), nl=False)  # formulas neutralised, as in the files


def say_standard(con: Console, choices: Any, notes: Any = ()) -> None:
    """Which standard the run used and why: one line per distinct choice (a district's files
    in one line), hidden by -q; then the provisional-standard warning, hidden only by -qq;
    then how the files were read where that was a guess (``notes``: a CSV's encoding)."""
    from ..law.rounds import StandardChoice, merge_choices

    if isinstance(choices, StandardChoice):
        choices = [choices]
    merged = merge_choices([c for c in choices or [] if c is not None])
    for c in merged:
        con.say(c.text("en"), c.text("vi"))
    warned = set()
    for c in merged:
        if c.provisional and c.standard_id not in warned:
            warned.add(c.standard_id)
            con.say(c.warning("en"), c.warning("vi"), level=-1)
    for note in dict.fromkeys(notes):
        con.say(note.en, note.vi)


def provisional_note(choices: Any, lang: str) -> str:
    """The provisional-standard warning of a run's choices ("" when none is provisional), for
    the header of its xlsx outputs."""
    from ..law.rounds import StandardChoice

    if isinstance(choices, StandardChoice):
        choices = [choices]
    lines = dict.fromkeys(c.warning(lang) for c in choices or [] if c is not None)
    return " / ".join(line for line in lines if line)


def _issue_summary(con: Console, issues: pd.DataFrame | pd.Series) -> None:
    """The issues by severity and check (``issues``: the table, or those counts), with -v."""
    if issues.empty:
        return
    counts = (
        issues if isinstance(issues, pd.Series) else issues.groupby(["severity", "check"]).size()
    )
    for (sev, check), n in counts.items():
        con.say(f"  {n:>6} {sev:<7} {check}", f"  {n:>6} {sev:<7} {check}", level=1)


def annotate_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--annotate`` / ``--annotate-to``: the survey handed back with its errors marked."""
    decorators = [
        click.option(
            "--annotate",
            is_flag=True,
            help="Also write SURVEY.checked.xlsx: a copy of the workbook with every cell that "
            "has an issue filled red (error) or amber (warning) and commented, and a first "
            "sheet listing the issues with links to their cells (.xlsx surveys only).",
        ),
        click.option(
            "--annotate-to",
            type=click.Path(dir_okay=False),
            help="Write the annotated copy here instead (implies --annotate).",
        ),
    ]
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def annotate_path(
    survey: str, annotate: bool, annotate_to: str | None, output: str | None
) -> Path | None:
    """Where the annotated copy goes, checked before any work (None: not asked for)."""
    if not (annotate or annotate_to):
        return None
    from ..errors import UsageError
    from ..write.annotate import annotate_target

    target = annotate_target(survey, annotate_to)
    if output and Path(output).resolve() == target.resolve():
        raise UsageError(
            f"{target}: both -o and the annotated copy; give --annotate-to another name",
            f"{target}: -o và bản đánh dấu lỗi trùng tên; hãy đặt tên khác cho --annotate-to",
        )
    return target


def write_annotated(
    survey: str, target: Path | None, issues: pd.DataFrame, lang: str
) -> Annotated | None:
    """The annotated copy (None when not asked for); :func:`say_annotated` after the
    summary line says what it holds."""
    if target is None:
        return None
    from ..write.annotate import annotate_workbook

    return annotate_workbook(survey, target, issues, lang=lang)


def say_annotated(con: Console, done: Any) -> None:
    if done is None:
        return
    con.say(
        f"{done.path}: {done.marked_cells} cells marked, {done.listed} issues listed",
        f"{done.path}: đã đánh dấu {done.marked_cells} ô, liệt kê {done.listed} lỗi",
    )
    if done.engine != "zip":
        con.say(f"  (written with openpyxl: {done.note})", f"  (ghi bằng openpyxl: {done.note})", 1)


def redact_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--redact`` / ``--redact-key-file``: outputs that may leave the commune."""
    decorators = [
        click.option(
            "--redact",
            is_flag=True,
            help="Outputs that may leave the commune (Decree 13/2023/NĐ-CP): names and birth "
            "dates dropped, household IDs replaced by a keyed pseudonym (HMAC-SHA256, key from "
            "MDPOVERTY_REDACT_KEY or --redact-key-file; the same key links the rounds). Counts "
            "and forms are unchanged.",
        ),
        click.option(
            "--redact-key-file",
            type=click.Path(dir_okay=False),
            help="Read the pseudonym key from this file (implies --redact).",
        ),
    ]
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def redactor_for(redact: bool, key_file: str | None, annotated: Path | None = None) -> Any:
    """The Redactor the options ask for (None when not asked), checked before any work."""
    from ..redact import load_redactor

    red = load_redactor(redact, key_file)
    if red is not None and annotated is not None:
        from ..errors import UsageError

        raise UsageError(
            "--redact cannot be combined with --annotate: the annotated copy is the officer's "
            "own workbook, with every name and birth date; it stays in the commune",
            "không dùng --redact cùng --annotate: bản đánh dấu lỗi là chính sổ của cán bộ, có "
            "đủ họ tên và ngày sinh; bản đó chỉ để lại ở xã",
        )
    return red
