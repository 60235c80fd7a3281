"""Typed columns (a Parquet file's numbers, yes/no and dates) validated as they are.

A column that already has the type its field takes is checked on its values, never written
out as text and parsed back: a number must be finite and not below the field's minimum, a
date must have a four-digit year (as a date written as text must). A column of another type
(a yes/no field given as integers, a code given as a number, a date given as a year…) is
turned into text and goes through the text parsers of :mod:`.validate`, as a workbook cell
does, so every check fires on typed input as it does on text.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..law.schema import Column

Report = Callable[[str, np.ndarray], None]


def is_text(s: pd.Series) -> bool:
    """True for a text column (what workbooks and CSV files give), False for a typed one."""
    if not isinstance(s.dtype, pd.ArrowDtype):
        return True
    t = s.dtype.pyarrow_dtype
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def arrow(s: pd.Series) -> pa.ChunkedArray:
    """The Arrow data under a pandas Arrow-backed column (no copy)."""
    data = s.array.__arrow_array__()
    return data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])


def as_text(s: pd.Series) -> pd.Series:
    """A typed column as the trimmed text a workbook would have given (blank -> null)."""
    from .survey import _clean_column

    return pd.Series(pd.arrays.ArrowExtensionArray(_clean_column(arrow(s))), index=s.index)


def _numpy(a: pa.ChunkedArray, fill: object) -> np.ndarray:
    return a.fill_null(fill).to_numpy()


def parse_typed(col: Column, s: pd.Series, report: Report) -> pd.Series | pd.DataFrame | None:
    """``s`` (a typed column) validated for ``col``; None when its type is not the field's
    (the caller then reads it as text)."""
    a = arrow(s)
    t = a.type
    idx = s.index
    if col.kind in ("id", "text"):
        return pd.Series(pd.arrays.ArrowExtensionArray(pc.cast(a, pa.string())), index=idx)
    numeric = pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
    if col.kind == "number" and numeric:
        values = _numpy(pc.cast(a, pa.float64()), np.nan).astype(float, copy=True)
        given = _numpy(pc.is_valid(a), False)
        bad = given & ~np.isfinite(values)  # NaN or infinity: "nan" is not a number
        report("not_a_number", bad)
        values[bad] = np.nan
        return pd.Series(values, index=idx)
    if col.kind == "bool" and pa.types.is_boolean(t):
        value = _numpy(a, False).astype(bool)
        missing = _numpy(pc.is_null(a), True).astype(bool)
        return pd.Series(pd.arrays.BooleanArray(value, missing), index=idx)
    is_date = pa.types.is_date(t) or (pa.types.is_timestamp(t) and t.tz is None)
    if col.kind in ("date", "date_or_year") and is_date:
        year = _numpy(pc.year(a), 0).astype(np.int64)
        # written as text, a year is four digits: year 0 or 10000 is not a date either
        bad = _numpy(pc.is_valid(a), False) & ((year < 1) | (year > 9999))
        report("not_a_date", bad)
        out = {}
        for part, fn in (("year", pc.year), ("month", pc.month), ("day", pc.day)):
            v = year if part == "year" else _numpy(fn(a), 0).astype(np.int64)
            v = np.where(bad, 0, v)
            out[part] = pd.arrays.IntegerArray(v, v == 0)
        return pd.DataFrame(out, index=idx)
    return None
