"""A survey as a Parquet dataset folder: ``households/`` and ``members/``, hive-partitioned
the same way, as ``pyarrow.dataset.write_dataset(..., partitioning_flavor="hive")`` writes
them::

    khao-sat/
      households/province=Tỉnh Lào Cai/commune=Xã Bảo Hà/part-0.parquet
      members/province=Tỉnh Lào Cai/commune=Xã Bảo Hà/part-0.parquet

A partition is one folder of each side with the same keys (its files read in name order);
it is classed on its own, as one file of a round is, so memory is bounded by the largest
partition, not the country. The keys (``province=…``) are columns of every row of the
partition when its files do not hold them (pyarrow leaves them out of the files). Partition
values are read as text, as written (``%20`` and the other escapes pyarrow writes decoded):
``commune=01`` stays ``01``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputFileError
from ..law.schema import fold, header_lookup
from .survey import RawSurvey, _fail, _to_raw_sheet, table_grid

#: the two folders of a dataset (English codes, or the Vietnamese file names of the pairs)
SIDES = {"households": ("households", "ho-gia-dinh"), "members": ("members", "thanh-vien")}
#: what pyarrow writes for a null partition value
NULL_VALUE = "__HIVE_DEFAULT_PARTITION__"


@dataclass(frozen=True)
class Partition:
    """One partition of a dataset: its keys and the files of each side (picklable, so a
    Dask worker can read it)."""

    root: str
    keys: tuple[tuple[str, str | None], ...]
    households: tuple[str, ...]
    members: tuple[str, ...]

    @property
    def name(self) -> str:
        """``province=Tỉnh A/commune=Xã B`` (as the folders are named, decoded)."""
        return "/".join(f"{k}={'' if v is None else v}" for k, v in self.keys) or "."

    def rows(self) -> int:
        """The households of the partition, from the files' metadata (nothing read)."""
        import pyarrow.parquet as pq

        total = 0
        for f in self.households:
            try:
                total += pq.ParquetFile(f).metadata.num_rows
            except Exception as exc:  # not Parquet: the same one line as reading it gives
                raise _unreadable(f, exc) from None
        return total


def _unreadable(file: str, exc: Exception) -> InputFileError:
    """A data file Arrow cannot open: the file named once, then Arrow's reason (which
    repeats the path in front of it: left out, so the reason is not cut off)."""
    text = str(exc).replace(f" '{file}'", "").replace(file, "")
    detail = text.splitlines()[0][:160] if text.strip() else type(exc).__name__
    return _fail(
        Path(file), "file_unreadable", f"cannot be read: {detail}", f"không đọc được: {detail}"
    )


def side_dir(root: Path, side: str) -> Path | None:
    for name in SIDES[side]:
        if (root / name).is_dir():
            return root / name
    return None


def is_dataset(path: str | os.PathLike[str]) -> bool:
    """A folder holding a ``households/`` (or ``ho-gia-dinh/``) folder."""
    p = Path(path)
    return p.is_dir() and side_dir(p, "households") is not None


def _files(base: Path) -> dict[tuple[tuple[str, str | None], ...], list[str]]:
    """The data files under ``base``, by their partition keys (``name=value`` folders)."""
    out: dict[tuple[tuple[str, str | None], ...], list[str]] = {}
    # os.walk follows linked folders (a partition linked in from elsewhere is read, not
    # skipped); Path.rglob does not on Python 3.11
    found = [Path(top) / f for top, _, files in os.walk(base, followlinks=True) for f in files]
    for path in sorted(found):
        rel = path.relative_to(base)
        if any(part.startswith((".", "_")) for part in rel.parts) or not path.is_file():
            continue  # hidden files and _SUCCESS / _metadata, as pyarrow skips them
        keys = []
        for folder in rel.parts[:-1]:
            name, eq, value = folder.partition("=")
            if not eq or not name:
                raise _fail(
                    path.parent,
                    "not_hive_partitioned",
                    f"folder '{folder}' is not name=value (a hive partition)",
                    f"thư mục '{folder}' không có dạng tên=giá trị (phân vùng kiểu hive)",
                )
            text = unquote(value)
            keys.append((unquote(name), None if text in ("", NULL_VALUE) else text))
        out.setdefault(tuple(keys), []).append(str(path))
    return out


def discover(path: str | os.PathLike[str]) -> list[Partition]:
    """The partitions of a dataset folder, in key order; households and members must be
    partitioned by the same keys. A partition with members but no households is kept: its
    members are reported as matching no household, never dropped."""
    root = Path(path)
    hh_dir = side_dir(root, "households")
    if hh_dir is None:
        raise _fail(
            root,
            "file_not_found",
            "no households/ folder in the dataset",
            "thư mục dữ liệu không có thư mục households/",
        )
    hh = _files(hh_dir)
    m_dir = side_dir(root, "members")
    m = _files(m_dir) if m_dir is not None else {}
    if not hh:
        raise _fail(
            hh_dir, "file_not_found", "no data files in the folder", "thư mục không có tệp dữ liệu"
        )
    names = {tuple(k for k, _ in keys) for keys in [*hh, *m]}
    if len(names) > 1:
        shown = " | ".join("/".join(n) or "(none)" for n in sorted(names))
        raise _fail(
            root,
            "partitions_differ",
            f"households and members are not partitioned by the same keys ({shown})",
            f"hộ và nhân khẩu không được phân vùng theo cùng các khóa ({shown})",
        )
    order = sorted({*hh, *m}, key=lambda keys: tuple((v is None, v or "") for _, v in keys))
    return [
        Partition(str(root), keys, tuple(hh.get(keys, ())), tuple(m.get(keys, ())))
        for keys in order
    ]


def _table(files: tuple[str, ...], keys: tuple[tuple[str, str | None], ...]) -> pa.Table:
    """The files of one side of a partition as one table, the partition keys (``keys``)
    added as text columns in front where the files do not have them."""
    import pyarrow.parquet as pq

    tables = []
    for f in files:
        try:
            tables.append(pq.read_table(f))
        except Exception as exc:
            raise _unreadable(f, exc) from None
    try:
        table = pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        detail = str(exc).splitlines()[0][:160]
        raise _fail(
            Path(files[0]).parent,
            "partition_schemas_differ",
            f"the files of the partition have different columns or types: {detail}",
            f"các tệp của phân vùng có cột hoặc kiểu khác nhau: {detail}",
        ) from None
    lookup = header_lookup("households")
    for i, (name, value) in enumerate(keys):
        code = lookup.get(fold(name), name)
        inside = [c for c in table.column_names if c == name or lookup.get(fold(c)) == code]
        if inside and _agrees(table.column(inside[0]), value):
            continue  # the files say what the folder says
        # the folder's value, first; where the files hold another, the column given twice
        # is an error on that row (validate: duplicate_column_differs), never a silent pick
        table = table.add_column(i, name, pa.array([value] * table.num_rows, pa.string()))
    return table


def _agrees(column: pa.ChunkedArray, value: str | None) -> bool:
    """Every cell of a partition column inside the files is the folder's value (as text)."""
    text = pc.utf8_trim_whitespace(pc.cast(column, pa.string()))
    if value is None:
        return bool(pc.all(pc.or_(pc.is_null(text), pc.equal(text, ""))).as_py())
    return bool(pc.all(pc.fill_null(pc.equal(text, value), False)).as_py())


def read_partition(part: Partition) -> RawSurvey:
    """One partition as a raw survey (:mod:`mdpoverty.read.survey`): sheets named after the side and
    the partition (``households/province=Tỉnh A``), rows numbered from 2 under a header row
    of column names, across the partition's files in name order. Typed columns stay typed."""
    sheets = {}
    names = []
    for side, files in (("households", part.households), ("members", part.members)):
        if not files:
            continue
        # the keys are household columns (province, commune); members hold their household's
        grid, typed = table_grid(_table(files, part.keys if side == "households" else ()))
        name = f"{side}/{part.name}"
        raw = _to_raw_sheet(side, name, grid, first_row=1, typed=typed)
        names.append(name)
        if raw is not None:
            sheets[side] = raw
    return RawSurvey(f"{part.root}/{part.name}", sheets, names)


__all__ = ["Partition", "discover", "is_dataset", "read_partition"]
