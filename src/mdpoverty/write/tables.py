"""Write result tables atomically: CSV, JSON, Parquet or styled xlsx, by the output's suffix.

Every output goes to a temporary file beside its target and is renamed into place only when
complete (:func:`atomic_path`); the outputs of one run land together or not at all
(:func:`output_set`). Text that a spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import UsageError
from ..progress import stage


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


# The outputs of one run written so far, when they are to land together (:func:`output_set`).
_STAGED: contextvars.ContextVar[list[tuple[Path, Path]] | None] = contextvars.ContextVar(
    "mdpoverty_staged_outputs", default=None
)


def _commit(tmp_path: Path, target: Path) -> None:
    # mkstemp makes the file owner-only; the output gets the mode a plain open() would
    # (or keeps the mode of the file it replaces), so a shared folder can still read it
    os.chmod(tmp_path, target.stat().st_mode & 0o777 if target.exists() else _default_mode())
    os.replace(tmp_path, target)


def target_name(path: str | os.PathLike[str]) -> str:
    """The name of the file a temporary path of :func:`atomic_path` becomes (for progress
    displays); any other path's own name."""
    name = Path(path).name
    if name.startswith(".") and name.endswith(".tmp") and name.count(".") >= 3:
        return name[1:].rsplit(".", 2)[0]
    return name


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it into place only on success.

    Inside :func:`output_set` the finished file waits, and lands with the run's other outputs.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    staged = _STAGED.get()
    handed_over = False
    try:
        yield tmp_path
        if staged is None:
            _commit(tmp_path, target)
        else:
            staged.append((tmp_path, target))
            handed_over = True  # output_set renames it, or removes it
    finally:
        if not handed_over:
            with contextlib.suppress(FileNotFoundError):
                tmp_path.unlink()


@contextlib.contextmanager
def output_set() -> Iterator[None]:
    """The files written inside the block land together, or none of them does.

    ``out.csv`` and its ``out.issues.csv`` (or every form of a report) are written to
    temporary files first; only when all are complete are they renamed into place, one after
    the other with SIGINT/SIGTERM/SIGHUP held back, so a killed run never leaves a new result
    beside the previous run's issue table. A failure anywhere removes every temporary file
    and touches no output.
    """
    staged: list[tuple[Path, Path]] = []
    token = _STAGED.set(staged)
    try:
        yield
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise
    finally:
        _STAGED.reset(token)
    with _signals_held():
        pending = list(staged)
        try:
            while pending:
                _commit(*pending[0])
                pending.pop(0)
        except BaseException:
            for tmp, _ in pending:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
            raise


def staged_outputs() -> list[Path]:
    """The files this run's :func:`output_set` will put in place, in the order written (for
    the closing summary); empty outside one."""
    staged = _STAGED.get()
    return [target for _, target in staged] if staged is not None else []


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back the signals that end a run for the few renames that must land together."""
    import signal
    import threading

    held = {getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)}
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not (
        threading.main_thread()
    ):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


FORMATS = ("csv", "xlsx", "parquet", "json")


_RISKY = r"^[=+\-@\t\r]"
_NUMBER = r"^[+-]?\d[\d.,]*$"  # a signed number is data, not a formula
_NOT_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"  # control characters XML cannot hold


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a quote, and replace
    control characters (which an xlsx cannot hold, and a terminal may obey) with U+FFFD."""
    out = frame.copy(deep=False)
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            continue
        text = s.astype("string")
        arr = pa.array(text)
        if pc.any(pc.match_substring_regex(arr, _NOT_XML)).as_py():  # fuzz: xlsx writer crashed
            arr = pc.replace_substring_regex(arr, _NOT_XML, "\ufffd")
            text = pd.Series(arr.to_pandas(), index=s.index, dtype="string")
            out[col] = text
        risky = pc.and_(
            pc.match_substring_regex(arr, _RISKY), pc.invert(pc.match_substring_regex(arr, _NUMBER))
        )
        if pc.any(risky).as_py():
            mask = risky.fill_null(False).to_numpy(zero_copy_only=False)
            out[col] = text.where(~mask, "'" + text)
    return out


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    import pyarrow.csv as pacsv

    table = pa.Table.from_pandas(neutralise(frame), preserve_index=False)
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))


def csv_text(frame: pd.DataFrame) -> str:
    """CSV for stdout: neutralised as the files are, booleans ``true``/``false`` as the files
    and JSON have them, quotes only where a value needs them (so ``cut -d,`` works)."""
    out = neutralise(frame)
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col].dtype):
            out[col] = out[col].astype("boolean").map({True: "true", False: "false"})
    return out.to_csv(index=False)


def format_for(path: str | os.PathLike[str] | None, fmt: str | None) -> str:
    """The output format: ``fmt`` if given, else the path's suffix; CSV for no suffix.

    A suffix that names no format we write (``.xls``, ``.docx``) is refused rather than
    guessed: CSV text saved as ``ketqua.xls`` is not what the officer who typed it expects.
    """
    if fmt:
        return fmt
    suffix = Path(path).suffix.lower().lstrip(".") if path else ""
    if not suffix or suffix in FORMATS:
        return suffix or "csv"
    raise UsageError(
        f"{path}: cannot tell the output format from '.{suffix}'; name the file .xlsx, .csv, "
        ".parquet or .json, or give --format",
        f"{path}: không xác định được định dạng ghi từ đuôi '.{suffix}'; đặt tên tệp .xlsx, "
        ".csv, .parquet hoặc .json, hoặc dùng --format",
    )


def write_table(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    xlsx_writer: Callable[[Path], None] | None = None,
) -> Path:
    """Write one table atomically in the format of its suffix (or ``fmt``)."""
    fmt = format_for(path, fmt)
    with atomic_path(path) as tmp:
        if fmt in ("csv", "json", "parquet"):  # one call each: the count when it is done
            with stage("write", len(frame), detail=Path(path).name) as progress:
                if fmt == "csv":
                    _write_csv(frame, tmp)
                elif fmt == "json":
                    tmp.write_text(to_json(frame), encoding="utf-8")
                else:
                    frame.to_parquet(tmp, index=False, engine="pyarrow")
                progress.set(len(frame))
        elif fmt == "xlsx":  # the workbook writers report their own rows
            if xlsx_writer is None:
                from .excel import write_tables

                write_tables({"data": frame}, tmp)
            else:
                xlsx_writer(tmp)
        else:
            raise ValueError(f"unknown format {fmt!r}")
    return Path(path)


def to_json(frame: pd.DataFrame) -> str:
    """Records JSON with nulls for missing values and ISO dates."""
    return frame.to_json(orient="records", force_ascii=False, date_format="iso", indent=1)


def to_numpy_bool(s: pd.Series) -> np.ndarray:
    return s.fillna(False).to_numpy(dtype=bool)
