"""Progress and pointers on stderr: the stages of a run shown live on a terminal, and the
closing summary's words for where the results and the issues were written.

The library reports its stages through :mod:`mdpoverty.progress` and never imports rich;
this module turns them into a rich display — one line per stage with its count, a bar when
the total is known, and the time taken — shown only when stderr is a terminal (never in a
pipe, a log or a test) and cleared when the run ends, so the closing lines stay as they
were. ``MDPOVERTY_PROGRESS=0`` turns it off on a terminal; ``MDPOVERTY_PROGRESS=1`` forces
it (a recording of a session, the tests).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..progress import Reporter, reporting

ENV = "MDPOVERTY_PROGRESS"

# stage id -> (vi, en) label; "{detail}" is the file the stage works on
LABELS = {
    "read": ("Đọc {detail}", "Reading {detail}"),
    "validate": ("Kiểm tra dữ liệu", "Validating"),
    "classify": ("Phân loại hộ", "Classing households"),
    "files": ("Đọc và phân loại các tệp", "Reading and classing the files"),
    "partitions": ("Phân loại từng phân vùng", "Classing partition by partition"),
    "write": ("Ghi {detail}", "Writing {detail}"),
    "annotate": ("Đánh dấu lỗi vào {detail}", "Marking the issues in {detail}"),
}
UNITS = {
    "rows": ("dòng", "rows"),
    "households": ("hộ", "households"),
    "files": ("tệp", "files"),
    "partitions": ("phân vùng", "partitions"),
    "sheets": ("trang", "sheets"),
    "issues": ("lỗi", "issues"),
}


def number(n: int, lang: str) -> str:
    """12.345 in Vietnamese, 12,345 in English."""
    text = f"{int(n):,}"
    return text.replace(",", ".") if lang == "vi" else text


def wanted(tty: bool, verbosity: int) -> tuple[bool, bool]:
    """(show the display, force a terminal): on a terminal unless -q or MDPOVERTY_PROGRESS=0;
    anywhere with MDPOVERTY_PROGRESS=1."""
    mode = os.environ.get(ENV, "").strip().lower()
    if verbosity < 0 or mode in ("0", "never", "no", "off"):
        return False, False
    force = mode in ("1", "always", "yes", "on")
    return tty or force, force


class LiveReporter(Reporter):
    """A rich :class:`~rich.progress.Progress` on stderr, one task per stage name (a stage
    that comes back — a write per file — reuses its line)."""

    def __init__(self, lang: str, force: bool = False) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.lang = lang
        self.i = 0 if lang == "vi" else 1
        console = Console(stderr=True, force_terminal=True if force else None)
        self.progress = Progress(
            SpinnerColumn(finished_text="✓"),
            TextColumn("{task.description}"),
            BarColumn(bar_width=30),
            TextColumn("{task.fields[count]}"),
            TimeElapsedColumn(),
            console=console,
            # The counts are drawn by rich's own thread (a slow terminal, over SSH, never
            # holds up the work), once a second, with the clock: 4 redraws a second cost
            # 8 % of the CPU of classify writing a 30,000-household xlsx on a busy machine
            # (bench/bench_progress.py), 10 more still.
            refresh_per_second=1,
            transient=True,  # gone at the end: the closing lines follow as they always did
            redirect_stdout=False,  # stdout is the results' (a CSV in a pipe)
            redirect_stderr=False,
        )
        self.tasks: dict[str, Any] = {}
        self.units: dict[str, str] = {}
        self.totals: dict[str, int | None] = {}
        self.started = False

    def _count(self, name: str, done: int) -> str:
        unit = UNITS.get(self.units.get(name, ""), ("", ""))[self.i]
        total = self.totals.get(name)
        shown = number(done, self.lang)
        if total is not None:
            shown += "/" + number(total, self.lang)
        return f"{shown} {unit}".strip()

    def begin(self, name: str, total: int | None, unit: str, detail: str) -> None:
        if not self.started:
            self.progress.start()
            self.started = True
        label = LABELS.get(name, (name, name))[self.i]
        description = label.format(detail=Path(detail).name if detail else "").strip()
        self.units[name], self.totals[name] = unit, total
        count = self._count(name, 0)
        task = self.tasks.get(name)
        if task is None:
            self.tasks[name] = self.progress.add_task(description, total=total, count=count)
        else:
            self.progress.reset(task, total=total, description=description, count=count)

    def update(self, name: str, done: int, total: int | None) -> None:
        task = self.tasks.get(name)
        if task is None:
            return
        if total is not None:
            self.totals[name] = total
            self.progress.update(task, total=total)
        self.progress.update(task, completed=done, count=self._count(name, done))

    def end(self, name: str, done: int) -> None:
        task = self.tasks.get(name)
        if task is None:
            return
        total = self.totals.get(name)
        if total is None:  # the count is the total now: the line shows it finished
            self.totals[name] = total = done
        self.progress.update(
            task, total=max(total, 1), completed=max(total, 1), count=self._count(name, done)
        )
        self.progress.stop_task(task)  # the elapsed time stops with it

    def close(self) -> None:
        if self.started:
            self.progress.stop()


@contextlib.contextmanager
def live(lang: str, force: bool = False) -> Iterator[LiveReporter]:
    """Show every library stage run inside the block; cleared at its end, or on an error."""
    reporter = LiveReporter(lang, force)
    try:
        with reporting(reporter):
            yield reporter
    finally:
        reporter.close()


# ------------------------------------------------------------------------------ pointers


def issues_text(lang: str, errors: int, warnings: int, where: Sequence[str] = ()) -> str:
    """'3 lỗi, 8 cảnh báo (bảng lỗi: out.issues.csv)': the counts and where they are listed;
    a ``where`` starting with "mdpoverty " is the command that lists them."""
    vi = lang == "vi"
    text = f"{errors} lỗi, {warnings} cảnh báo" if vi else f"{errors} errors, {warnings} warnings"
    if where and where[0].startswith("mdpoverty "):
        return text + (f" (xem bằng: {where[0]})" if vi else f" (to list them: {where[0]})")
    if where:
        return text + (
            f" (bảng lỗi: {'; '.join(where)})" if vi else f" (issue table: {'; '.join(where)})"
        )
    return text


def sheet_of(lang: str, path: object, sheet: str) -> str:
    """'trang "Lỗi" của out.xlsx' / 'sheet "Issues" of out.xlsx'."""
    return f'trang "{sheet}" của {path}' if lang == "vi" else f'sheet "{sheet}" of {path}'


def written_text(lang: str, paths: Sequence[object]) -> str:
    """'; đã ghi a.csv, a.issues.csv' (empty when nothing was written)."""
    if not paths:
        return ""
    listed = ", ".join(str(p) for p in paths)
    return f"; đã ghi {listed}" if lang == "vi" else f"; written to {listed}"


__all__ = ["ENV", "LiveReporter", "issues_text", "live", "number", "sheet_of", "written_text"]
