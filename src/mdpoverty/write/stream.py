"""Tables written part by part: a dataset's result, one partition at a time, to one CSV or
Parquet file (a row group per part), atomically — the file appears only when every part is
in (:func:`mdpoverty.write.tables.atomic_path`).

The columns of the first part fix the file's schema; a later part is cast to it (a column
empty in the first part is typed from the output contract's pandas dtypes, never ``null``).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType

import pandas as pd
import pyarrow as pa

from ..errors import UsageError
from .tables import atomic_path, neutralise

STREAMED = ("csv", "parquet")


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """A part as Arrow; object columns (text, or empty) as text, so an empty part's column
    is not typed ``null``."""
    fixed = {
        c: frame[c].astype("string")
        for c in frame.columns
        if frame[c].dtype == object or isinstance(frame[c].dtype, pd.CategoricalDtype)
    }
    return pa.Table.from_pandas(frame.assign(**fixed) if fixed else frame, preserve_index=False)


class TableStream:
    """``with TableStream(path, fmt) as out: out.write(part)`` for each part."""

    def __init__(self, path: str | os.PathLike[str], fmt: str) -> None:
        if fmt not in STREAMED:
            raise UsageError(
                f"{path}: a dataset is written part by part to .csv or .parquet, not .{fmt}",
                f"{path}: dữ liệu phân vùng được ghi dần vào tệp .csv hoặc .parquet, không "
                f"phải .{fmt}",
            )
        self.path, self.fmt = Path(path), fmt
        self.rows = 0
        self._stack = contextlib.ExitStack()
        self._writer: object | None = None
        self._schema: pa.Schema | None = None

    def __enter__(self) -> TableStream:
        self._tmp = self._stack.enter_context(atomic_path(self.path))
        return self

    def write(self, frame: pd.DataFrame) -> None:
        table = _arrow(frame if self.fmt == "parquet" else neutralise(frame))
        if self._schema is None:
            # a Parquet file keeps the first part's pandas metadata (the parts share their
            # dtypes), so pandas reads the streamed file back as the one a single pass writes
            # (Int64, boolean, string: not int64, bool and object where a value is missing)
            self._schema = table.schema if self.fmt == "parquet" else table.schema.remove_metadata()
            self._writer = self._open(self._schema)
        else:
            table = table.select(self._schema.names).cast(self._schema)
        self._writer.write_table(table)  # type: ignore[attr-defined]
        self.rows += table.num_rows

    def _open(self, schema: pa.Schema) -> object:
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetWriter(self._tmp, schema)
        import pyarrow.csv as pacsv

        return pacsv.CSVWriter(
            self._tmp, schema, write_options=pacsv.WriteOptions(quoting_style="needed")
        )

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._writer is not None:
                self._writer.close()  # type: ignore[attr-defined]
            elif kind is None:  # no part at all: an empty file with no columns is no output
                self._tmp.write_bytes(b"")
        finally:
            self._stack.__exit__(kind, exc, tb)


__all__ = ["STREAMED", "TableStream"]
