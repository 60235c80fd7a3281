"""Raw text sheets -> typed frames, plus a tidy table of every problem found.

Validation never stops at the first problem and never raises on bad data: each problem is a
row of the issue table (sheet, Excel row, column header as written, value, check id, severity,
message in Vietnamese and English). Parsing works on a column's distinct values and maps the
results back, so a 400,000-row sheet costs a pass over its distinct cells, not over its rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import CHECKS, Text, message
from .io import RawSheet, RawSurvey
from .schema import (
    HOUSEHOLDS,
    MEMBERS,
    NO,
    SHEETS,
    YES,
    Column,
    code_lookup,
    expected_text,
    fold,
)

ISSUE_COLUMNS = [
    "sheet",
    "row",
    "column",
    "value",
    "check",
    "severity",
    "message",
    "household_id",
    "field",
    "message_vi",
    "message_en",
]

MAX_AGE = 120


class Issues:
    """Collects issue rows in column-oriented chunks; one ``frame()`` at the end."""

    def __init__(self, lang: str = "vi") -> None:
        self.lang = lang
        self._chunks: list[pd.DataFrame] = []

    def add(
        self,
        check: str,
        *,
        sheet: str = "",
        rows: Any = None,
        column: str = "",
        field: str = "",
        values: Any = "",
        household_ids: Any = "",
        expected: Any = "",
        detail: Any = "",
    ) -> None:
        """Add one issue, or one per element when ``rows`` is an array."""
        rows_arr = np.atleast_1d(np.asarray(rows if rows is not None else [pd.NA], dtype=object))
        n = len(rows_arr)
        if n == 0:
            return

        def col(v: Any) -> np.ndarray:
            if isinstance(v, pd.Series | pd.Index | np.ndarray | list):
                a = np.asarray(v, dtype=object)
                return np.where(pd.isna(a), "", a.astype(str)).astype(object)
            return np.full(n, "" if v is None or v is pd.NA else str(v), dtype=object)

        vals, details = col(values), col(detail)
        vals = np.array([shown(v) for v in vals], dtype=object)
        c = CHECKS[check]
        msgs = {
            lang: self._messages(
                check,
                lang,
                vals,
                col(expected.get(lang) if isinstance(expected, Text) else expected),
                details,
            )
            for lang in ("vi", "en")
        }
        self._chunks.append(
            pd.DataFrame(
                {
                    "sheet": sheet,
                    "row": rows_arr,
                    "column": column,
                    "value": vals,
                    "check": check,
                    "severity": c.severity,
                    "message": msgs[self.lang],
                    "household_id": col(household_ids),
                    "field": field,
                    "message_vi": msgs["vi"],
                    "message_en": msgs["en"],
                }
            )
        )

    @staticmethod
    def _messages(
        check: str, lang: str, vals: np.ndarray, expects: np.ndarray, details: np.ndarray
    ) -> list[str]:
        if len(set(vals)) == 1 and len(set(details)) == 1 and len(set(expects)) == 1:
            one = message(check, lang, value=vals[0], expected=expects[0], detail=details[0])
            return [one] * len(vals)
        return [
            message(check, lang, value=v, expected=e, detail=d)
            for v, e, d in zip(vals, expects, details, strict=True)
        ]

    def relabel(self, checks: set[str], fields: set[str], to: str) -> None:
        """Turn the ``checks`` issues on cells of ``fields`` into ``to`` issues, keeping their
        wording: e.g. a bad value in a column the chosen standard does not read warns instead
        of blocking the household."""
        c = CHECKS[to]
        for chunk in self._chunks:
            hit = chunk["check"].isin(checks) & chunk["field"].isin(fields)
            if not hit.any():
                continue
            chunk.loc[hit, "check"] = to
            chunk.loc[hit, "severity"] = c.severity
            for lang in ("vi", "en"):
                template = c.vi if lang == "vi" else c.en
                chunk.loc[hit, f"message_{lang}"] = chunk.loc[hit, f"message_{lang}"].map(
                    lambda m, t=template: t.format(value="", expected="", detail=m)
                )
            chunk.loc[hit, "message"] = chunk.loc[hit, f"message_{self.lang}"]

    def frame(self) -> pd.DataFrame:
        if not self._chunks:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in ISSUE_COLUMNS}).astype(
                {"row": "Int64"}
            )
        out = pd.concat(self._chunks, ignore_index=True)
        out["row"] = pd.array(pd.to_numeric(out["row"], errors="coerce"), dtype="Int64")
        out = _drop_cascades(out)[ISSUE_COLUMNS]
        # the order an officer walks the workbook: file-level first, then sheet by sheet, row by row
        return out.sort_values(["sheet", "row"], kind="stable", na_position="first").reset_index(
            drop=True
        )


# A blank left by a bad cell is not a second problem: these checks give way to an error
# already reported on the same cell (or, for the whole-row checks, on the same row).
_INCOME_FIELDS = {"income_per_capita", "household_income_12m", "income_score"}


def _drop_cascades(issues: pd.DataFrame) -> pd.DataFrame:
    errors = issues[
        (issues["severity"] == "error")
        & ~issues["check"].isin(["needed", "no_income", "no_members"])
    ]
    cell = set(zip(errors["sheet"], errors["row"], errors["field"], strict=True))
    income_rows = set(
        zip(
            *(errors.loc[errors["field"].isin(_INCOME_FIELDS), c] for c in ("sheet", "row")),
            strict=True,
        )
    )
    dup_rows = set(
        zip(
            *(errors.loc[errors["check"] == "duplicate_id", c] for c in ("sheet", "row")),
            strict=True,
        )
    )
    keys = list(zip(issues["sheet"], issues["row"], issues["field"], strict=True))
    drop = [
        (chk == "needed" and k in cell)
        or (chk == "no_income" and k[:2] in income_rows)
        or (chk == "no_members" and k[:2] in dup_rows)
        for chk, k in zip(issues["check"], keys, strict=True)
    ]
    return issues[~np.array(drop, dtype=bool)] if len(issues) else issues


_ISO_MIDNIGHT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: 00:00:00)?$")


def shown(value: str) -> str:
    """A cell as the person saw it: Excel dates read back as dd/mm/yyyy."""
    m = _ISO_MIDNIGHT.match(value)
    return f"{m.group(3)}/{m.group(2)}/{m.group(1)}" if m else value


# ---------------------------------------------------------------- cell parsers

_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_SPACES = re.compile(r"[\s\u00a0]+")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?$")
_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_number(text: str) -> float | None:
    s = _SPACES.sub("", text).replace("đ", "").replace("VND", "").replace("vnd", "")
    if _THOUSANDS_DOT.match(s):
        s = s.replace(".", "").replace(",", ".")
    elif _THOUSANDS_COMMA.match(s):
        s = s.replace(",", "")
    elif _DECIMAL_COMMA.match(s):
        s = s.replace(",", ".")
    try:
        v = float(s)
    except ValueError:
        return None
    return v if np.isfinite(v) else None


def parse_date(text: str, year_ok: bool = False) -> tuple[int, int, int] | None:
    """(year, month, day) with month = day = 0 for a bare year; None when not a date."""
    s = text.strip()
    m = _YMD.match(s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _DMY.match(s):
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif year_ok and (m := _YEAR.match(s)):
        return (int(m.group(1)), 0, 0)
    elif m := _SERIAL.match(s):
        day = _EXCEL_EPOCH + dt.timedelta(days=int(m.group(1)))
        return (day.year, day.month, day.day)
    else:
        return None
    try:
        dt.date(y, mo, d)
    except ValueError:
        return None
    return (y, mo, d)


def _by_unique(
    s: pd.Series, fn: Callable[[str], Any]
) -> tuple[np.ndarray, list[Any], np.ndarray, list[str]]:
    """Apply ``fn`` once per distinct non-blank cell.

    Returns the factorize codes (-1 for a blank), the parsed distinct values (None where
    ``fn`` could not parse), the mask of cells that could not be parsed, and the distinct
    cells themselves. Callers build
    typed arrays from the distinct results and index them with the codes.
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    parsed = [fn(u) for u in uniques]
    ok_u = np.array([p is not None for p in parsed] + [True], dtype=bool)
    return codes, parsed, ~ok_u[codes], list(uniques)


def _take(values: np.ndarray, codes: np.ndarray, blank: Any) -> np.ndarray:
    """``values[codes]`` with ``blank`` where the code is -1."""
    return np.append(values, np.asarray([blank], dtype=values.dtype))[codes]


@dataclass
class Typed:
    """Typed frames after validation, with the raw text kept for messages."""

    households: pd.DataFrame
    members: pd.DataFrame
    issues: Issues
    hh_sheet: RawSheet | None
    m_sheet: RawSheet | None
    extras: dict[str, Any] = field(default_factory=dict)


def _parse_column(
    raw: RawSheet, col: Column, issues: Issues, hh_ids: pd.Series
) -> pd.Series | pd.DataFrame:
    s = raw.frame[col.name]
    header = raw.headers.get(col.name, col.name)
    idx = s.index

    def report(check: str, bad: np.ndarray, expected: str | Text = "") -> None:
        if bad.any():
            issues.add(
                check,
                sheet=raw.name,
                rows=idx[bad],
                column=header,
                field=col.name,
                values=s[bad],
                household_ids=hh_ids[bad],
                expected=expected or expected_text(col),
            )

    if col.kind in ("id", "text"):
        return s
    if col.kind == "number":
        codes, parsed, bad, distinct = _by_unique(s, parse_number)
        report("not_a_number", bad)
        u = np.array([np.nan if p is None else p for p in parsed], dtype=float)
        out = pd.Series(_take(u, codes, np.nan), index=idx)
        if col.min_value is not None:
            low = (out < col.min_value).to_numpy()
            report("out_of_range", low, Text(f"≥ {col.min_value:g}", f"≥ {col.min_value:g}"))
            out = out.mask(low)
        return out
    if col.kind == "bool":
        codes, parsed, bad, distinct = _by_unique(
            s, lambda t: True if fold(t) in YES else False if fold(t) in NO else None
        )
        report("not_yes_no", bad)
        value = _take(np.array([bool(p) for p in parsed], dtype=bool), codes, False)
        missing = _take(np.array([p is None for p in parsed], dtype=bool), codes, True)
        ticks = bool(distinct) and all(fold(u) == "x" for u in distinct)
        if ticks:
            missing = missing & bad  # a column of ticks: blank means no
        return pd.Series(pd.arrays.BooleanArray(value, missing), index=idx)
    if col.kind == "code":
        lookup = code_lookup(col.vocab or "")
        codes, parsed, bad, distinct = _by_unique(s, lambda t: lookup.get(fold(t)))
        report("unknown_code", bad)
        categories = list(dict.fromkeys(p for p in parsed if p is not None))
        position = {c: i for i, c in enumerate(categories)}
        u = np.array([position.get(p, -1) for p in parsed], dtype=np.int64)
        cat = pd.Categorical.from_codes(_take(u, codes, -1), categories=categories)
        return pd.Series(cat, index=idx)
    if col.kind in ("date", "date_or_year"):
        year_ok = col.kind == "date_or_year"
        codes, parsed, bad, distinct = _by_unique(s, lambda t: parse_date(t, year_ok))
        report("not_a_date", bad)
        parts = np.array([p or (0, 0, 0) for p in parsed], dtype=np.int64).reshape(-1, 3)
        out = {}
        for i, part in enumerate(("year", "month", "day")):
            values = _take(parts[:, i], codes, 0)
            out[part] = pd.arrays.IntegerArray(values, values == 0)
        return pd.DataFrame(out, index=idx)
    raise AssertionError(col.kind)


def _typed_frame(raw: RawSheet | None, sheet_name: str, issues: Issues) -> pd.DataFrame:
    spec = SHEETS[sheet_name]
    if raw is None:
        return pd.DataFrame({c.name: pd.Series(dtype=object) for c in spec.columns})
    hh_ids = (
        raw.frame["household_id"]
        if "household_id" in raw.frame
        else pd.Series(pd.NA, index=raw.frame.index, dtype="string")
    )
    out: dict[str, Any] = {}
    for col in spec.columns:
        if col.name not in raw.frame:
            continue
        parsed = _parse_column(raw, col, issues, hh_ids)
        if isinstance(parsed, pd.DataFrame):
            for part in ("year", "month", "day"):
                out[f"{col.name}_{part}"] = parsed[part]
        else:
            out[col.name] = parsed
    return pd.DataFrame(out, index=raw.frame.index)


def _structure_checks(survey: RawSurvey, issues: Issues) -> None:
    names = ", ".join(survey.sheet_names)
    for kind, spec in SHEETS.items():
        raw = survey.sheets.get(kind)
        if raw is None:
            if kind == "households":
                issues.add("missing_sheet", expected=spec.label_vi, detail=names, field=kind)
            continue
        for col in spec.columns:
            if col.required and col.name not in raw.frame:
                issues.add(
                    "missing_column",
                    sheet=raw.name,
                    rows=raw.header_row,
                    column=col.label_vi,
                    field=col.name,
                    expected=f"{col.label_vi} / {col.name}",
                )
        for header, nearest in raw.unknown:
            hint = ""
            if nearest:
                c = spec.column(nearest)
                hint = f" — '{c.label_vi}' ({c.name})?"
            issues.add(
                "unknown_column",
                sheet=raw.name,
                rows=raw.header_row,
                column=header,
                values=header,
                detail=hint,
            )
        for header, first in raw.repeated:
            issues.add(
                "duplicate_column",
                sheet=raw.name,
                rows=raw.header_row,
                column=header,
                values=header,
                expected=first,
            )
        if raw.frame.empty:
            issues.add("empty_sheet", sheet=raw.name, rows=raw.header_row)


def validate_survey(survey: RawSurvey, lang: str = "vi") -> Typed:
    """Type every column of a raw survey and collect structure and cell problems."""
    issues = Issues(lang)
    _structure_checks(survey, issues)
    hh_raw = survey.sheets.get("households")
    m_raw = survey.sheets.get("members")
    hh = _typed_frame(hh_raw, "households", issues)
    m = _typed_frame(m_raw, "members", issues)
    typed = Typed(hh, m, issues, hh_raw, m_raw)
    _row_checks(typed)
    return typed


def attach_members(hh_ids: pd.Series | None, m_ids: pd.Series) -> np.ndarray:
    """Position of each member's household (first row of a repeated ID); -1 if none.

    One hash lookup (pandas' string ``isin`` would build an Arrow scalar per known ID).
    """
    if hh_ids is None or len(m_ids) == 0:
        return np.full(len(m_ids), -1, dtype=np.int64)
    first = (~hh_ids.duplicated(keep="first") & hh_ids.notna()).to_numpy(dtype=bool)
    index = pd.Index(hh_ids.to_numpy()[first])
    where = index.get_indexer(m_ids.to_numpy())
    if not len(index):  # no household has an ID: every member is an orphan (fuzz-found crash)
        return np.full(len(m_ids), -1, dtype=np.int64)
    return np.where(where >= 0, np.flatnonzero(first)[np.maximum(where, 0)], -1).astype(np.int64)


def _row_checks(t: Typed) -> None:
    hh, m, issues = t.households, t.members, t.issues
    if t.hh_sheet is not None:
        raw = t.hh_sheet
        for name in ("household_id", "commune", "area"):
            if name not in hh:
                continue
            missing = hh[name].isna().to_numpy()
            if missing.any():
                col = HOUSEHOLDS.column(name)
                issues.add(
                    "required",
                    sheet=raw.name,
                    rows=hh.index[missing],
                    column=raw.headers.get(name, col.label_vi),
                    field=name,
                    household_ids=hh.get("household_id", pd.Series("", index=hh.index))[missing],
                    expected=col.label_vi,
                )
        if "household_id" in hh:
            ids = hh["household_id"]
            dup = (ids.duplicated(keep="first") & ids.notna()).to_numpy()
            if dup.any():
                first_row = (
                    pd.Series(hh.index, index=hh.index).groupby(ids.to_numpy()).transform("first")
                )
                issues.add(
                    "duplicate_id",
                    sheet=raw.name,
                    rows=hh.index[dup],
                    column=raw.headers.get("household_id", "household_id"),
                    field="household_id",
                    values=ids[dup],
                    household_ids=ids[dup],
                    detail=first_row[dup],
                )
            t.extras["duplicate_rows"] = dup
    if t.m_sheet is not None and "household_id" in m:
        raw = t.m_sheet
        mid = m["household_id"]
        hh_pos = attach_members(hh.get("household_id"), mid)
        t.extras["hh_pos"] = hh_pos
        orphan = (hh_pos < 0) & mid.notna().to_numpy()
        if orphan.any():
            issues.add(
                "orphan_member",
                sheet=raw.name,
                rows=m.index[orphan],
                column=raw.headers.get("household_id", "household_id"),
                field="household_id",
                values=mid[orphan],
                household_ids=mid[orphan],
            )
        missing = mid.isna().to_numpy()
        if missing.any():
            issues.add(
                "required",
                sheet=raw.name,
                rows=m.index[missing],
                column=raw.headers.get("household_id", MEMBERS.column("household_id").label_vi),
                field="household_id",
                expected=MEMBERS.column("household_id").label_vi,
            )
        t.extras["orphan_rows"] = orphan | missing
