"""Crash safety for unattended runs: clean exit on SIGTERM/SIGHUP, stale temporary files.

For crash safety every output goes through :func:`mdpoverty.write.tables.atomic_path` (a
temporary file beside the target, renamed into place). :func:`run_guard` makes SIGTERM and
SIGHUP end a run the way Ctrl+C does, so that cleanup runs and no temporary file is left, and
removes temporary files left beside the output by an earlier run that was killed outright
(SIGKILL, power loss).

Split out of :mod:`mdpoverty.read.safety` (which re-exports these names).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import stat
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

#: A temporary output file older than this is taken as left by a killed run and removed.
STALE_TEMP_SECONDS = 15 * 60


class Terminated(SystemExit):
    """SIGTERM or SIGHUP, raised where the run is, so ``finally`` blocks and cleanup run.

    A :class:`SystemExit` (not an ``Exception``): no ``except Exception`` in the library can
    swallow it and carry on. The exit status is 128 + the signal number, as a shell reports it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


_SIGNALS = tuple(
    s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s
)


@contextlib.contextmanager
def exit_cleanly_on_signals() -> Iterator[None]:
    """Within the block, SIGTERM/SIGHUP raise :class:`Terminated` (outside: untouched).

    After the first signal the next ones are ignored until the block ends, so the cleanup the
    first one started (removing a temporary file) is not cut short. Only in the main thread,
    where Python runs signal handlers; elsewhere a no-op.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        for s in _SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        raise Terminated(signum)

    previous = {s: signal.signal(s, handler) for s in _SIGNALS}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def stale_temp_files(
    output: str | os.PathLike[str], max_age: float = STALE_TEMP_SECONDS
) -> list[Path]:
    """Temporary files that :func:`mdpoverty.write.tables.atomic_path` left beside ``output``
    and its sibling outputs (``out.issues.csv`` for ``out.csv``) in a run killed outright.

    Only names that ``atomic_path`` makes (``.<name>.<8 random characters>.tmp``) for this
    output's stem and suffix, in the same folder; only regular files (no links), owned by this
    user, not modified for ``max_age`` seconds: a run writing the same output right now keeps
    its file (an active writer touches it; a 15-minute pause in one write does not happen).
    """
    target = Path(output)
    folder = target.parent
    pattern = re.compile(
        rf"\.{re.escape(target.stem)}(?:\.[^/\\]+)?{re.escape(target.suffix)}\.[a-z0-9_]{{8}}\.tmp"
    )
    found: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found
    now = time.time()
    uid = os.getuid() if hasattr(os, "getuid") else None
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or (uid is not None and st.st_uid != uid):
            continue
        if now - st.st_mtime >= max_age:
            found.append(Path(entry.path))
    return found


def remove_stale_temp_files(output: str | os.PathLike[str] | None) -> list[Path]:
    """Remove what :func:`stale_temp_files` finds; return what was removed (never raises)."""
    if not output or str(output) == "-":
        return []
    removed = []
    for p in stale_temp_files(output):
        with contextlib.suppress(OSError):
            p.unlink()
            removed.append(p)
    return removed


@contextlib.contextmanager
def run_guard(output: str | os.PathLike[str] | None = None, lang: str = "vi") -> Iterator[None]:
    """One command run, unattended-safe: stale temporary outputs removed first, SIGTERM and
    SIGHUP turned into a clean exit (status 128 + signal, one line on stderr, no traceback,
    no temporary file left)."""
    remove_stale_temp_files(output)
    try:
        with exit_cleanly_on_signals():
            yield
    except Terminated as exc:
        name = signal.Signals(exc.signum).name
        text = (
            f"mdpoverty: dừng vì {name}; không để lại tệp kết quả dở dang"
            if lang == "vi"
            else f"mdpoverty: stopped by {name}; no partly written output was left"
        )
        print(text, file=sys.stderr, flush=True)
        # Writers cut short (openpyxl's row generators) complain as they are collected on the
        # way out; the run is over and said so in one line: keep stderr to that line.
        sys.unraisablehook = lambda unraisable: None
        raise


__all__ = [
    "STALE_TEMP_SECONDS",
    "Terminated",
    "exit_cleanly_on_signals",
    "remove_stale_temp_files",
    "run_guard",
    "stale_temp_files",
]
