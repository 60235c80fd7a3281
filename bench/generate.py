"""Write the benchmark workbook ``bench/data/survey-<N>.xlsx`` (synthetic, fixed seed).

Uses the example generator (``examples/generate.py``) so the benchmark input has the same
shape as the bundled example: Vietnamese sheet names and labels, written "dirty" the way
commune officers do (title block above the header, some dates and incomes as text). The
file is cached: an existing workbook is kept unless ``--force`` is given.

Usage (from the repository root)::

    python bench/generate.py                       # 100,000 households
    python bench/generate.py --households 10000    # bench/data/survey-10000.xlsx
    python bench/generate.py --force               # regenerate
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

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
    args = parser.parse_args(argv)
    print(ensure_workbook(args.households, force=args.force, plain=args.plain))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
