"""Progress of the long stages of a run, for whoever wants it; the library never displays it.

The library wraps each long step in :func:`stage` — reading, validating, classing, writing,
marking the survey, reading a folder's files — and reports counts per sheet, per chunk of
rows or per file (never per household). By default nobody listens: a library call stays
quiet and pays a few function calls per stage. A caller who wants to see it passes a
:class:`Reporter` (``mdpoverty.classify(path, progress=...)``) or installs one around any
calls with :func:`reporting`; the command line installs a rich display on a terminal
(:mod:`mdpoverty.cli.progress`). This module imports nothing outside the standard library.

>>> from mdpoverty.progress import Recorder, reporting
>>> with reporting(Recorder()) as rec:        # doctest: +SKIP
...     mdpoverty.classify("examples/survey.xlsx")
>>> rec.events[-1]                             # doctest: +SKIP
('end', 'classify', 300, 300, 'households')
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Stage names (stable ids: a display translates them) and the unit of their counts.
STAGES = {
    "read": "rows",  # rows read from the survey's sheets
    "validate": "rows",  # rows typed and checked
    "classify": "households",  # households classed
    "files": "files",  # files of a round (a folder) read and classed
    "partitions": "partitions",  # partitions of a dataset folder read and classed
    "write": "rows",  # rows (or sheets, for the forms) written to an output
    "annotate": "issues",  # issues marked on the survey's copy
}

CHUNK = 2000  # rows between two reports inside a writing loop


class Reporter:
    """Receives the stages of a run. This base class ignores them (the library's default).

    ``begin`` opens a stage (``total`` None when unknown), ``update`` gives the count done so
    far (and the total, if it changed), ``end`` closes it with its final count. ``detail``
    names what the stage works on (a file name), ``unit`` what it counts.
    """

    def begin(self, name: str, total: int | None, unit: str, detail: str) -> None:
        pass

    def update(self, name: str, done: int, total: int | None) -> None:
        pass

    def end(self, name: str, done: int) -> None:
        pass


class Recorder(Reporter):
    """Keeps every event as a tuple: ``('begin', name, total, unit, detail)``,
    ``('update', name, done, total)``, ``('end', name, done, total, unit)``."""

    def __init__(self) -> None:
        self.events: list[tuple] = []
        self._open: dict[str, tuple[int | None, str]] = {}

    def begin(self, name: str, total: int | None, unit: str, detail: str) -> None:
        self._open[name] = (total, unit)
        self.events.append(("begin", name, total, unit, detail))

    def update(self, name: str, done: int, total: int | None) -> None:
        if total is not None:
            self._open[name] = (total, self._open.get(name, (None, ""))[1])
        self.events.append(("update", name, done, total))

    def end(self, name: str, done: int) -> None:
        total, unit = self._open.pop(name, (None, ""))
        self.events.append(("end", name, done, total, unit))

    def names(self) -> list[str]:
        """The stages in the order they began."""
        return [e[1] for e in self.events if e[0] == "begin"]


QUIET = Reporter()
_ACTIVE: ContextVar[Reporter] = ContextVar("mdpoverty_progress", default=QUIET)


class Stage:
    """A running stage: ``advance(n)`` adds to its count, ``set(done, total)`` replaces it."""

    __slots__ = ("_reporter", "done", "name", "total")

    def __init__(self, reporter: Reporter, name: str, total: int | None) -> None:
        self._reporter, self.name, self.total, self.done = reporter, name, total, 0

    def advance(self, n: int = 1) -> None:
        self.done += int(n)
        self._reporter.update(self.name, self.done, None)

    def set(self, done: int, total: int | None = None) -> None:
        self.done = int(done)
        if total is not None:
            self.total = int(total)
        self._reporter.update(self.name, self.done, None if total is None else int(total))


@contextmanager
def stage(
    name: str, total: int | None = None, *, unit: str | None = None, detail: str = ""
) -> Iterator[Stage]:
    """One long step of the library, reported to the active :class:`Reporter`."""
    reporter = _ACTIVE.get()
    s = Stage(reporter, name, None if total is None else int(total))
    reporter.begin(name, s.total, unit or STAGES.get(name, ""), detail)
    try:
        yield s
    finally:
        reporter.end(name, s.done)


@contextmanager
def reporting(reporter: Reporter | None) -> Iterator[Reporter]:
    """Report the stages of every library call inside the block to ``reporter`` (None: keep
    the active one). Threads the library starts report nothing of their own."""
    if reporter is None:
        yield _ACTIVE.get()
        return
    token = _ACTIVE.set(reporter)
    try:
        yield reporter
    finally:
        _ACTIVE.reset(token)


__all__ = ["CHUNK", "QUIET", "STAGES", "Recorder", "Reporter", "Stage", "reporting", "stage"]
