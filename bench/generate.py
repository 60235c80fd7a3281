"""Write the benchmark input ``bench/data/survey-<N>.xlsx``, a CSV pair or a typed Parquet pair.

Uses the example generator (``examples/generate.py``) so the benchmark input has the same
shape as the bundled example: Vietnamese sheet names and labels, written "dirty" the way
commune officers do (title block above the header, some dates and incomes as text). The
file is cached: an existing workbook is kept unless ``--force`` is given.

Usage (from the repository root)::

    python bench/generate.py                       # 100,000 households
    python bench/generate.py --households 10000    # bench/data/survey-10000.xlsx
    python bench/generate.py --force               # regenerate
    python bench/generate.py -n 1000000 --format parquet   # bench/data/parquet-1000000/
    python bench/generate.py -n 10000 --format csv         # bench/data/csv-10000/

The CSV pair (``households.csv``, ``members.csv``) is the example generator's
``write_csv_pair`` (English codes, yes/no, ISO dates). The Parquet pair holds the same values
*typed*, as a data system exports them: incomes int64, floor area float64, yes/no bool, survey
and exit dates date32, codes and IDs string; a birth date is a full date or only a year, so
``birth_date`` stays text (``1961-06-30`` or ``1962``).
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
DEFAULT_HOUSEHOLDS = 100_000
SEED = 2025
SURVEY_YEAR = 2025


def _examples_generator() -> ModuleType:
    """Load ``examples/generate.py`` as a module (a script, and its name clashes with ours)."""
    name = "mdpoverty_examples_generate"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses need the module registered while executing
    spec.loader.exec_module(module)
    return module


def workbook_path(n_households: int, *, plain: bool = False) -> Path:
    """Where the benchmark workbook for ``n_households`` lives."""
    return DATA / f"survey-{n_households}{'-plain' if plain else ''}.xlsx"


def ensure_workbook(
    n_households: int = DEFAULT_HOUSEHOLDS,
    *,
    force: bool = False,
    plain: bool = False,
    quiet: bool = False,
) -> Path:
    """Return the benchmark workbook's path, generating it first if missing (or ``force``).

    ``plain`` writes official labels with the header in row 1 and no text-typed dates or
    incomes; the default is the realistic "dirty" workbook.
    """
    path = workbook_path(n_households, plain=plain)
    if path.exists() and not force:
        if not quiet:
            print(f"{path} exists (use --force to regenerate)", file=sys.stderr)
        return path
    gen = _examples_generator()
    t0 = time.perf_counter()
    households, members = gen.generate_district(n_households, seed=SEED, survey_year=SURVEY_YEAR)
    t1 = time.perf_counter()
    if not quiet:
        print(
            f"generated {len(households):,} households, {len(members):,} members "
            f"in {t1 - t0:.1f} s",
            file=sys.stderr,
        )
    tmp = path.with_name(f".{path.name}.tmp.xlsx")
    gen.write_workbook(households, members, tmp, vietnamese=True, dirty=not plain)
    tmp.replace(path)
    if not quiet:
        size = path.stat().st_size / 2**20
        print(f"wrote {path} ({size:.1f} MiB) in {time.perf_counter() - t1:.1f} s", file=sys.stderr)
    return path


def pair_dir(n_households: int, fmt: str) -> Path:
    """Where the CSV or Parquet pair for ``n_households`` lives."""
    return DATA / f"{fmt}-{n_households}"


def typed_tables(households: pd.DataFrame, members: pd.DataFrame) -> tuple[pa.Table, pa.Table]:
    """The generator's frames as typed Arrow tables (see the module docstring)."""

    def table(frame: pd.DataFrame) -> pa.Table:
        cols: dict[str, pa.Array] = {}
        for name in frame.columns:
            s = frame[name]
            if name == "birth_date":
                text = [None if v is None or v is pd.NA else str(v) for v in s.tolist()]
                cols[name] = pa.array(text, pa.string())
            elif name in ("survey_date", "poverty_exit_date"):
                days = pd.to_datetime(s.astype(object), errors="raise")
                cols[name] = pa.array(days.dt.date.where(days.notna(), None), pa.date32())
            elif isinstance(s.dtype, pd.BooleanDtype) or s.dtype == bool:
                cols[name] = pa.array(s, pa.bool_(), from_pandas=True)
            elif isinstance(s.dtype, pd.Int64Dtype) or pd.api.types.is_integer_dtype(s.dtype):
                cols[name] = pa.array(s, pa.int64(), from_pandas=True)
            elif pd.api.types.is_float_dtype(s.dtype):
                cols[name] = pa.array(s, pa.float64(), from_pandas=True)
            elif s.dropna().map(type).isin([bool]).all() and s.notna().any():
                # an object column of True/False and blanks (the optional group columns)
                cols[name] = pa.array(s.astype(object), pa.bool_(), from_pandas=True)
            else:
                cols[name] = pa.array(s.astype(object), pa.string(), from_pandas=True)
        return pa.table(cols)

    return table(households), table(members)


def ensure_pair(
    n_households: int, fmt: str, *, force: bool = False, quiet: bool = False
) -> tuple[Path, Path]:
    """The households and members files of the ``fmt`` ("csv" or "parquet") pair, generated
    first if missing (or ``force``)."""
    directory = pair_dir(n_households, fmt)
    hp, mp = directory / f"households.{fmt}", directory / f"members.{fmt}"
    if hp.exists() and mp.exists() and not force:
        if not quiet:
            print(f"{directory} exists (use --force to regenerate)", file=sys.stderr)
        return hp, mp
    gen = _examples_generator()
    t0 = time.perf_counter()
    households, members = gen.generate_district(n_households, seed=SEED, survey_year=SURVEY_YEAR)
    if not quiet:
        print(f"generated {len(households):,} households in {time.perf_counter() - t0:.1f} s")
    tmp = directory.with_name(f".{directory.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    if fmt == "csv":
        gen.write_csv_pair(households, members, tmp)
    else:
        tmp.mkdir(parents=True)
        ht, mt = typed_tables(households, members)
        pq.write_table(ht, tmp / "households.parquet")
        pq.write_table(mt, tmp / "members.parquet")
    shutil.rmtree(directory, ignore_errors=True)
    tmp.replace(directory)
    return hp, mp


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--households",
        "-n",
        type=int,
        default=DEFAULT_HOUSEHOLDS,
        help=f"number of households (default {DEFAULT_HOUSEHOLDS:,})",
    )
    parser.add_argument("--force", action="store_true", help="regenerate even if cached")
    parser.add_argument(
        "--plain", action="store_true", help="official labels, header in row 1, no text cells"
    )
    parser.add_argument(
        "--format",
        choices=("xlsx", "csv", "parquet"),
        default="xlsx",
        help="a workbook (default), a CSV pair or a typed Parquet pair",
    )
    args = parser.parse_args(argv)
    if args.format != "xlsx":
        print(*ensure_pair(args.households, args.format, force=args.force))
        return 0
    print(ensure_workbook(args.households, force=args.force, plain=args.plain))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
