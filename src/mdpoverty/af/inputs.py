"""Inputs of the Alkire–Foster measures: a classify :class:`~mdpoverty.core.Result`, a survey
file, a classify output (CSV/Parquet) or such a frame, turned into the analysed units of one
round — the households whose flags are all determined, their unit weights, sample design
labels and the reason each other household is left out — and the ``--by`` variables.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..core import Result
from ..errors import UsageError
from ..law.standards import Standard, load_standard, standard_for_flags
from .design import Design, make_design
from .method import group_codes

Unit = Literal["persons", "households"]


# --------------------------------------------------------------------------------------------
# From a classify result to the analysed units
# --------------------------------------------------------------------------------------------


@dataclass
class Units:
    """The analysed households of one round (rows kept), with what the measures need."""

    X: np.ndarray  # households × indicators (bool)
    weight: np.ndarray  # unit weight v: members × sample weight (persons) or sample weight
    count: np.ndarray  # units each row stands for, unweighted: members (persons) or 1
    excluded: pd.DataFrame
    sample: bool
    design_labels: dict[str, pd.Series | None]
    households: pd.DataFrame  # all rows, as given
    extra: pd.DataFrame  # all rows (or empty)
    keep: np.ndarray  # the rows analysed
    survey_year: int | None = None

    def has(self, name: str) -> bool:
        return name in self.households or name in self.extra

    def column(self, name: str) -> pd.Series:
        """A households (or extra) column, all rows. A district, commune or village is told
        apart from a same-named one elsewhere by its parents (a unit is its whole path, §2b):
        "Xã Tân Lập (Tỉnh A)" and "Xã Tân Lập (Tỉnh B)" are two groups."""
        if name in ("district", "commune", "village") and name in self.households:
            from ..reports.units import path_labels

            return path_labels(self.households, name)
        return self.households[name] if name in self.households else self.extra[name]

    def groups(self, name: str) -> tuple[np.ndarray, list[str]]:
        """Group codes of the analysed rows and the level names of column ``name``."""
        codes, names = group_codes(self.column(name))
        return codes[self.keep], names


EXCLUDED_COLUMNS = ["household_id", "province", "district", "commune", "village", "reason"]
REASONS = {
    "not_classed": (
        "not classed: an error on the household or a member (see the issue table)",
        "chưa phân loại được: có lỗi ở hộ hoặc thành viên (xem bảng lỗi)",
    ),
    "indicator_missing": (
        "an indicator could not be determined",
        "không xác định được một chỉ số thiếu hụt",
    ),
    "no_members": ("no member count (persons unit)", "không có số nhân khẩu (tính theo người)"),
    "no_sample_weight": (
        "no sample weight in a sample survey",
        "thiếu trọng số mẫu trong điều tra chọn mẫu",
    ),
    "design_missing": (
        "stratum or PSU missing while other households have one",
        "thiếu tầng mẫu hoặc địa bàn mẫu trong khi các hộ khác có",
    ),
}


def _filled(extra: pd.DataFrame, name: str, n: int) -> pd.Series | None:
    if name not in extra or len(extra) != n:
        return None
    col = extra[name]
    return col if col.notna().any() else None


def prepare_units(result: Result, unit: Unit, codes: Sequence[str]) -> Units:
    """Keep the households whose 12 flags are all determined; say why each other one is out."""
    hh = result.households.reset_index(drop=True)
    n = len(hh)
    extra = result.extra.reset_index(drop=True) if len(result.extra) == n else pd.DataFrame()
    missing_cols = [c for c in codes if f"dep_{c}" not in hh]
    if missing_cols:
        raise UsageError(
            f"the households table has no flag column for: {', '.join(missing_cols)}",
            f"bảng hộ thiếu cột chỉ số: {', '.join(missing_cols)}",
        )
    X = np.empty((n, len(codes)), dtype=np.bool_)
    flag_na = np.zeros(n, dtype=np.bool_)
    for j, c in enumerate(codes):  # one pass per indicator column
        col = hh[f"dep_{c}"]
        flag_na |= col.isna().to_numpy(dtype=np.bool_)
        X[:, j] = col.to_numpy(dtype=np.bool_, na_value=False)
    cls = hh["class"] if "class" in hh else pd.Series("", index=hh.index)
    not_classed = (cls.isna() | (cls.astype("string") == "")).to_numpy(dtype=bool)
    if "deprivation_count" in hh:
        not_classed |= hh["deprivation_count"].isna().to_numpy(dtype=bool)
    members = pd.to_numeric(hh.get("members", pd.Series(np.nan, index=hh.index)), errors="coerce")
    members = members.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    no_members = (np.isnan(members) | (members <= 0)) if unit == "persons" else np.zeros(n, bool)
    sw_col = _filled(extra, "sample_weight", n)
    sample = sw_col is not None
    sw = (
        pd.to_numeric(sw_col, errors="coerce").astype("Float64").to_numpy(float, na_value=np.nan)
        if sample
        else np.ones(n)
    )
    no_weight = np.isnan(sw) if sample else np.zeros(n, bool)
    labels: dict[str, pd.Series | None] = {"stratum": None, "psu": None}
    design_missing = np.zeros(n, bool)
    if sample:
        for name in ("stratum", "psu"):
            col = _filled(extra, name, n)
            labels[name] = col
            if col is not None:
                design_missing |= col.isna().to_numpy(dtype=bool)
    order = ("", "design_missing", "no_sample_weight", "no_members", "indicator_missing")
    order += ("not_classed",)
    reason = np.zeros(n, dtype=np.int8)
    for i, mask in enumerate(
        (design_missing, no_weight, no_members, flag_na, not_classed), start=1
    ):
        reason[mask] = i  # the last assignment wins: the most basic reason is reported
    keep = reason == 0
    ex = hh.loc[~keep, [c for c in EXCLUDED_COLUMNS[:-1] if c in hh]].copy()
    why = np.asarray(order, dtype=object)[reason[~keep]]
    ex["reason"] = pd.Series(why, index=ex.index, dtype="string")
    ex = ex.reindex(columns=EXCLUDED_COLUMNS)
    m = members[keep]
    count = m if unit == "persons" else np.ones(int(keep.sum()))
    weight = count * sw[keep]
    design_labels = {
        name: (col[keep].reset_index(drop=True) if col is not None else None)
        for name, col in labels.items()
    }
    return Units(
        X[keep] if not keep.all() else X,
        weight,
        count,
        ex.reset_index(drop=True),
        sample,
        design_labels,
        hh,
        extra,
        keep,
        _survey_year(extra),
    )


def _survey_year(extra: pd.DataFrame) -> int | None:
    if "survey_date" not in extra:
        return None
    years = pd.to_numeric(extra["survey_date"].astype("string").str[:4], errors="coerce").dropna()
    return int(years.mode().iloc[0]) if len(years) else None


def units_design(units: Units) -> Design | None:
    if not units.sample:
        return None
    n = len(units.weight)
    s, p = units.design_labels["stratum"], units.design_labels["psu"]
    return make_design(None if s is None else s.to_numpy(), None if p is None else p.to_numpy(), n)


def parse_by(by: str | Sequence[str] | None, available: Sequence[str]) -> list[str]:
    """The --by variables: names of household (or extra) columns, comma-separated or a list."""
    if by is None:
        return []
    names = [b.strip() for b in (by.split(",") if isinstance(by, str) else by) if b.strip()]
    unknown = [b for b in names if b not in available or b.startswith("dep_")]
    if unknown:
        allowed = [a for a in available if not a.startswith("dep_")]
        raise UsageError(
            f"--by: unknown column {', '.join(unknown)}; use any of: {', '.join(allowed)}",
            f"--by: không có cột {', '.join(unknown)}; dùng một trong: {', '.join(allowed)}",
        )
    return list(dict.fromkeys(names))


# --------------------------------------------------------------------------------------------
# Inputs: a Result, a survey file, or a classify output
# --------------------------------------------------------------------------------------------


def _head(path: Path) -> list[str]:
    """The column names of a CSV/Parquet file (none for anything else or a broken file)."""
    try:
        if path.suffix.lower() == ".csv":
            return list(pd.read_csv(path, nrows=0).columns)
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names)
    except Exception:  # not ours to judge: the survey reader says what is wrong
        pass
    return []


def _read_classify_output(path: Path, codes: Sequence[str]) -> pd.DataFrame | None:
    """A classify output (CSV/Parquet with ``class`` and every ``dep_<code>``), else None."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            head = pd.read_csv(path, nrows=0).columns
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            head = pd.Index(pq.read_schema(path).names)
        else:
            return None
    except Exception:  # not ours to judge: the survey reader says what is wrong
        return None
    need = {"class", *(f"dep_{c}" for c in codes)}
    if not need.issubset(set(head)):
        return None
    if suffix == ".csv":
        return pd.read_csv(path, dtype="string", keep_default_na=False, na_values=[""])
    return pd.read_parquet(path)


_TRUE = {"true", "1", "yes", "có", "x"}
_FALSE = {"false", "0", "no", "không", ""}


def result_from_frame(frame: pd.DataFrame, standard: Standard) -> Result:
    """A :class:`Result` from a classify-output table (``dep_<code>``, ``class``, ``members``)."""
    hh = frame.copy()
    for c in standard.codes:
        col = hh[f"dep_{c}"]
        if not pd.api.types.is_bool_dtype(col.dtype):
            text = col.astype("string").str.strip().str.lower()
            col = text.map(lambda s: True if s in _TRUE else (False if s in _FALSE else pd.NA))
        hh[f"dep_{c}"] = col.astype("boolean")
    if "members" in hh:
        hh["members"] = pd.to_numeric(hh["members"], errors="coerce").astype("Float64")
    hh["class"] = hh["class"].astype("string").fillna("")
    extra_cols = [c for c in ("survey_date", "sample_weight", "stratum", "psu") if c in hh]
    extra = hh[extra_cols].reset_index(drop=True) if extra_cols else pd.DataFrame()
    if "sample_weight" in extra:
        extra["sample_weight"] = pd.to_numeric(extra["sample_weight"], errors="coerce")
    return Result(hh.reset_index(drop=True), pd.DataFrame(), standard, extra=extra)


def as_result(
    source: Result | str | os.PathLike[str] | pd.DataFrame,
    standard: Standard | str | None,
    classify_kwargs: dict[str, Any],
) -> Result:
    from .. import core

    if isinstance(source, Result):
        return source
    std = load_standard(standard) if isinstance(standard, str | os.PathLike) else standard
    if isinstance(source, pd.DataFrame):
        return result_from_frame(source, std or load_standard("vn-2022-2025"))
    path = Path(source)
    if std is None:  # a classify output's flag columns say which standard classed it
        std = standard_for_flags(_head(path))
    frame = _read_classify_output(path, (std or load_standard("vn-2022-2025")).codes)
    if frame is not None:
        return result_from_frame(frame, std or load_standard("vn-2022-2025"))
    return core.classify(path, standard=std, **classify_kwargs)


__all__ = [
    "EXCLUDED_COLUMNS",
    "REASONS",
    "Unit",
    "Units",
    "as_result",
    "parse_by",
    "prepare_units",
    "result_from_frame",
    "units_design",
]
