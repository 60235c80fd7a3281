"""``classify`` and ``validate`` on a Parquet dataset folder, streamed: each partition is
classed, written (a row group of ``-o out.parquet``, rows of ``out.csv``, or CSV on stdout)
and let go before the next, so the country runs in the memory of its largest partition.

Outputs that need every row at once (a workbook, JSON, a table on the terminal) take the
in-memory path of the commands themselves; a workbook past Excel's row limit is refused
before anything is read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pandas as pd

from ..engines import XLSX_MAX_ROWS, Options, dataset_households, run
from ..errors import UsageError
from ..read.survey import csv_text, format_for
from ..write.stream import STREAMED, TableStream
from .common import Console, _sibling


def streams(output: str | None, fmt: str | None) -> bool:
    """Whether a dataset run writes part by part (CSV/Parquet, or CSV piped to stdout)."""
    if output:
        return format_for(output, fmt) in STREAMED
    return fmt in (None, "csv") and not sys.stdout.isatty()


def refuse_unless_fits(survey: str, output: str | None, fmt: str | None) -> None:
    """A workbook holds 1,048,576 rows: refuse a dataset larger than that before reading."""
    if not output or format_for(output, fmt) != "xlsx":
        return
    n = dataset_households(survey)
    if n > XLSX_MAX_ROWS - 10:  # the lists' title rows above the table
        raise UsageError(
            f"{survey}: {n:,} households do not fit in a workbook (at most {XLSX_MAX_ROWS:,} "
            "rows a sheet); write -o out.parquet or out.csv, or classify a smaller folder",
            f"{survey}: {n:,} hộ không vừa một bảng tính (tối đa {XLSX_MAX_ROWS:,} dòng một "
            "trang); hãy ghi -o ket-qua.parquet hoặc .csv, hoặc phân loại thư mục nhỏ hơn",
        )


class _Stdout:
    """CSV on stdout, part by part: the header once."""

    def __init__(self) -> None:
        self.first = True

    def write(self, frame: pd.DataFrame) -> None:
        text = csv_text(frame)
        if not self.first:
            text = text.split("\n", 1)[1] if "\n" in text else ""
        click.echo(text, nl=False)
        self.first = False


def stream(
    con: Console,
    survey: str,
    output: str | None,
    fmt: str | None,
    options: Options,
    engine: str,
    scheduler: str | None,
    *,
    households: bool,
) -> tuple[dict[str, int], pd.Series, list, list, str, list[str]]:
    """Class the dataset part by part, writing the households (``households``) and the issue
    table, or only the issue table (``validate``). Returns the summed counts, the issue counts
    by (severity, check), the standard choices and notes, the standard id, and where the
    issues are."""
    from contextlib import ExitStack

    counts: dict[str, int] = {}
    by_check: list[pd.Series] = []
    choices: list = []
    notes: list = []
    std_id = ""
    where: list[str] = []
    with ExitStack() as stack, con.progress():
        if output:
            path = Path(output)
            fmt = format_for(path, fmt)
            main = stack.enter_context(TableStream(path, fmt))
            issues_out = (
                stack.enter_context(TableStream(_sibling(path, "issues"), fmt))
                if households
                else main
            )
            where.append(str(_sibling(path, "issues")) if households else str(path))
        else:
            main = issues_out = _Stdout()  # type: ignore[assignment]
        for part in run(survey, options, engine=engine, scheduler=scheduler):
            r = part.result
            if households:
                main.write(r.households)
                if output:
                    issues_out.write(r.issues)
            else:
                issues_out.write(r.issues)
            for k, v in r.counts.items():
                counts[k] = counts.get(k, 0) + v
            by_check.append(r.issues.groupby(["severity", "check"]).size())
            choices.append(r.choice)
            notes.extend(r.notes)
            std_id = r.standard.id
            del part, r  # the next partition is classed with this one let go
    total = pd.concat(by_check).groupby(level=[0, 1]).sum() if by_check else pd.Series(dtype=int)
    return counts, total, choices, notes, std_id, where


def check_options(annotate: bool, annotate_to: str | None, redact: bool) -> None:
    if annotate or annotate_to or redact:
        raise UsageError(
            "--annotate and --redact are for a survey file, not a dataset folder",
            "--annotate và --redact dùng cho tệp khảo sát, không dùng cho thư mục dữ liệu",
        )


__all__ = ["check_options", "refuse_unless_fits", "stream", "streams"]
