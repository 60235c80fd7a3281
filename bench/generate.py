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
    python bench/generate.py -n 5000000 --format dataset   # bench/data/dataset-5000000/
    python bench/generate.py -n 5000000 --format dataset --partition-by province,commune

The CSV pair (``households.csv``, ``members.csv``) is the example generator's
``write_csv_pair`` (English codes, yes/no, ISO dates). The Parquet pair holds the same values
*typed*, as a data system exports them: incomes int64, floor area float64, yes/no bool, survey
and exit dates date32, codes and IDs string; a birth date is a full date or only a year, so
``birth_date`` stays text (``1961-06-30`` or ``1962``).

The partitioned dataset (``--format dataset``, see :func:`ensure_dataset`) is the country
as one folder: ``households/`` and ``members/``, hive-partitioned by province (or province
and commune), written from one base block of typed households copied once per partition.
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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
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


# ---- the partitioned dataset: the country on one machine ----------------------------------

# The 34 provinces and centrally-run cities since 12/6/2025 (Resolution 202/2025/QH15).
PROVINCES = tuple(
    [f"Thành phố {c}" for c in ("Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ")]
    + [
        f"Tỉnh {p}"
        for p in (
            "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa",
            "Nghệ An", "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên",
            "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Ninh Bình", "Quảng Trị", "Quảng Ngãi",
            "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Đồng Nai", "Tây Ninh",
            "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
        )
    ]
)  # fmt: skip
# Commune names as they commonly are (two syllables); a province takes a run of them.
_FIRST = ("Tân", "An", "Phú", "Bình", "Hòa", "Long", "Vĩnh", "Thạnh", "Mỹ", "Phước")
_SECOND = ("Lập", "Hưng", "Thành", "Lợi", "Hòa", "An", "Phú", "Bình", "Thuận", "Tiến")
COMMUNES = tuple(f"Xã {a} {b}" for a in _FIRST for b in _SECOND if a != b)
DEFAULT_COMMUNES = 10  # per province with --partition-by province,commune
BLOCK = 300_000  # households in the base block copied into every partition


def dataset_dir(
    n_households: int,
    by_commune: bool = False,
    provinces: int = 34,
    communes: int = DEFAULT_COMMUNES,
) -> Path:
    """Where the partitioned dataset for these settings lives (default ``dataset-N``)."""
    name = f"dataset-{n_households}"
    if provinces != len(PROVINCES):
        name += f"-p{provinces}"
    return DATA / (name + (f"-c{communes}" if by_commune else ""))


def _weights(k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` weights from 1 to 2 in a shuffled order: the largest part is twice the smallest."""
    return 1 + rng.permutation(k) / max(k - 1, 1)


def _split(total: int, weights: np.ndarray) -> list[int]:
    """``total`` in parts proportional to ``weights``, summing exactly to ``total``."""
    exact = total * weights / weights.sum()
    sizes = np.floor(exact).astype(np.int64)
    sizes[np.argsort(sizes - exact, kind="stable")[: total - int(sizes.sum())]] += 1
    return sizes.tolist()


def dataset_layout(
    n_households: int,
    by_commune: bool = False,
    provinces: int = 34,
    communes: int = DEFAULT_COMMUNES,
) -> list[tuple[dict[str, str], int]]:
    """The partitions in write order: (partition keys, households), sizes summing to ``n``."""
    if not 1 <= provinces <= len(PROVINCES):
        raise ValueError(f"provinces must be 1..{len(PROVINCES)}")
    if by_commune and not 1 <= communes <= len(COMMUNES):
        raise ValueError(f"communes must be 1..{len(COMMUNES)} per province")
    parts = provinces * (communes if by_commune else 1)
    if n_households < parts:
        raise ValueError(f"{n_households} households cannot fill {parts} partitions")
    rng = np.random.default_rng(SEED)
    out: list[tuple[dict[str, str], int]] = []
    for p, size in enumerate(_split(n_households, _weights(provinces, rng))):
        if not by_commune:
            out.append(({"province": PROVINCES[p]}, size))
            continue
        names = [COMMUNES[(p * 7 + c) % len(COMMUNES)] for c in range(communes)]
        for name, part in zip(names, _split(size, _weights(communes, rng)), strict=True):
            out.append(({"province": PROVINCES[p], "commune": name}, part))
    return out


def _base_block(n_households: int) -> tuple[pa.Table, pa.Table, np.ndarray]:
    """The typed base block without its province, its ``commune`` column as a number from 0
    (each copy names them), and each household's first member row (``starts[i]:starts[i + 1]``
    are household ``i``'s members)."""
    gen = _examples_generator()
    households, members = gen.generate_district(n_households, seed=SEED, survey_year=SURVEY_YEAR)
    ht, mt = typed_tables(households, members)
    del households, members
    ht = ht.drop_columns([c for c in ("province", "district") if c in ht.schema.names])
    communes = pc.index_in(ht["commune"], value_set=pc.unique(ht["commune"]))
    ht = ht.set_column(ht.schema.get_field_index("commune"), "commune", communes)
    row = pc.index_in(mt["household_id"], value_set=ht["household_id"]).to_numpy()
    if not (row[1:] >= row[:-1]).all():  # members grouped by household, in household order
        order = np.argsort(row, kind="stable")
        mt, row = mt.take(order), row[order]
    return ht, mt, np.searchsorted(row, np.arange(ht.num_rows + 1))


def _prefixed(table: pa.Table, prefix: str) -> pa.Table:
    i = table.schema.get_field_index("household_id")
    ids = pc.binary_join_element_wise(prefix, table["household_id"], "")
    return table.set_column(i, "household_id", ids)


def _named_communes(households: pa.Table, keys: dict[str, str], first: int) -> pa.Table:
    """The copy's ``commune`` column: the partition's key if partitioned by commune (then not
    in the file), else the base block's communes named from ``COMMUNES[first:]``."""
    if "commune" in keys:
        return households.drop_columns(["commune"])
    k = int(pc.max(households["commune"]).as_py()) + 1
    names = pa.array([COMMUNES[(first + j) % len(COMMUNES)] for j in range(k)], pa.string())
    i = households.schema.get_field_index("commune")
    return households.set_column(i, "commune", pc.take(names, households["commune"]))


def write_dataset(
    directory: Path,
    n_households: int,
    *,
    by_commune: bool = False,
    provinces: int = 34,
    communes: int = DEFAULT_COMMUNES,
    block: int = BLOCK,
    quiet: bool = False,
) -> list[tuple[dict[str, str], int]]:
    """Write the dataset into ``directory`` (``households/``, ``members/``): each partition a
    run of the base block (wrapping around; several copies if larger), household IDs
    prefixed ``PPPP.K-`` (partition number, copy number) in both tables so that they are
    unique across the country and members still join. Returns the layout."""
    layout = dataset_layout(n_households, by_commune, provinces, communes)
    ht, mt, starts = _base_block(min(block, n_households))
    b, n_communes = ht.num_rows, int(pc.max(ht["commune"]).as_py()) + 1
    schemas = {
        "households": _named_communes(ht.slice(0, 1), layout[0][0], 0).schema,
        "members": mt.schema,
    }
    fields = [pa.field(k, pa.string()) for k in layout[0][0]]
    hive = ds.partitioning(pa.schema(fields), flavor="hive")
    cursor = 0
    for number, (keys, size) in enumerate(layout):
        expr = None
        for k, v in keys.items():
            expr = ds.field(k) == v if expr is None else expr & (ds.field(k) == v)
        folder = hive.format(expr)[0]
        writers = {}
        for name, schema in schemas.items():
            path = directory / name / folder / "part-0.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            writers[name] = pq.ParquetWriter(path, schema)
        copy, left = 0, size
        while left:
            take = min(left, b)
            runs = [(cursor, min(cursor + take, b))]
            if cursor + take > b:
                runs.append((0, cursor + take - b))
            prefix = f"{number:04d}.{copy}-"
            hh = pa.concat_tables([ht.slice(a, z - a) for a, z in runs])
            hh = _named_communes(hh, keys, number * 7 + copy * n_communes)
            mm = pa.concat_tables([mt.slice(starts[a], starts[z] - starts[a]) for a, z in runs])
            writers["households"].write_table(_prefixed(hh, prefix))
            writers["members"].write_table(_prefixed(mm, prefix))
            cursor, left, copy = (cursor + take) % b, left - take, copy + 1
        for w in writers.values():
            w.close()
        if not quiet and sys.stderr.isatty():
            print(f"\r{number + 1}/{len(layout)} partitions", end="", file=sys.stderr)
    if not quiet and sys.stderr.isatty():
        print(file=sys.stderr)
    return layout


def disk_size(directory: Path) -> int:
    """Bytes of the files under ``directory``."""
    return sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())


def ensure_dataset(
    n_households: int,
    *,
    by_commune: bool = False,
    provinces: int = 34,
    communes: int = DEFAULT_COMMUNES,
    out: Path | None = None,
    force: bool = False,
    quiet: bool = False,
) -> Path:
    """The partitioned dataset's folder, generated first if missing (or ``force``)."""
    directory = out or dataset_dir(n_households, by_commune, provinces, communes)
    if (directory / "households").is_dir() and (directory / "members").is_dir() and not force:
        if not quiet:
            print(f"{directory} exists (use --force to regenerate)", file=sys.stderr)
        return directory
    t0 = time.perf_counter()
    tmp = directory.with_name(f".{directory.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    layout = write_dataset(
        tmp,
        n_households,
        by_commune=by_commune,
        provinces=provinces,
        communes=communes,
        quiet=quiet,
    )
    shutil.rmtree(directory, ignore_errors=True)
    tmp.replace(directory)
    if not quiet:
        sizes = [size for _, size in layout]
        print(
            f"wrote {directory}: {n_households:,} households in {len(layout)} partitions "
            f"({min(sizes):,}–{max(sizes):,} households), {disk_size(directory) / 2**20:,.1f} MiB "
            f"on disk, in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )
    return directory


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
        choices=("xlsx", "csv", "parquet", "dataset"),
        default="xlsx",
        help="a workbook (default), a CSV pair, a typed Parquet pair or a partitioned dataset",
    )
    parser.add_argument(
        "--partition-by",
        choices=("province", "province,commune"),
        default="province",
        help="the dataset's hive partitioning (default: province)",
    )
    parser.add_argument(
        "--provinces", type=int, default=len(PROVINCES), help="provinces in the dataset (1-34)"
    )
    parser.add_argument(
        "--communes",
        type=int,
        default=DEFAULT_COMMUNES,
        help=f"communes per province with --partition-by province,commune "
        f"(default {DEFAULT_COMMUNES})",
    )
    parser.add_argument("--out", type=Path, help="the dataset's folder (default bench/data/…)")
    args = parser.parse_args(argv)
    if args.format == "dataset":
        print(
            ensure_dataset(
                args.households,
                by_commune=args.partition_by == "province,commune",
                provinces=args.provinces,
                communes=args.communes,
                out=args.out,
                force=args.force,
            )
        )
        return 0
    if args.format != "xlsx":
        print(*ensure_pair(args.households, args.format, force=args.force))
        return 0
    print(ensure_workbook(args.households, force=args.force, plain=args.plain))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
