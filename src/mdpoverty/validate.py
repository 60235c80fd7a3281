"""Raw text sheets -> typed frames, plus a tidy table of every problem found.

Validation never stops at the first problem and never raises on bad data: each problem is a
row of the issue table (sheet, Excel row, column header as written, value, check id, severity,
message in Vietnamese and English). Parsing works on a column's distinct values and maps the
results back, so a 400,000-row sheet costs a pass over its distinct cells, not over its rows.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .errors import CHECKS, Text, message
from .ids import attach_members as attach_members  # the library API kept its home
from .ids import id_codes, member_checks
from .law.schema import HOUSEHOLDS, NO, SHEETS, TICKS, YES, Column, code_lookup, expected_text, fold
from .progress import stage
from .read import typed
from .read.layout import SKIP_CHECKS
from .read.survey import RawSheet, RawSurvey

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
            if isinstance(v, pd.Series) and not typed.is_text(v):
                v = typed.as_text(v)  # a typed cell as the text it prints ("true", "1500000")
            if isinstance(v, pd.Series | pd.Index | np.ndarray | list):
                a = np.asarray(v, dtype=object)
                return np.where(pd.isna(a), "", a.astype(str)).astype(object)
            return np.full(n, "" if v is None or v is pd.NA else str(v), dtype=object)

        def in_lang(v: Any, lang: str) -> np.ndarray:
            # a Text carries each language's words (a scalar, or one per row)
            return col(v.get(lang) if isinstance(v, Text) else v)

        vals = np.array([shown(v) for v in col(values)], dtype=object)
        c = CHECKS[check]
        msgs = {
            lang: self._messages(check, lang, vals, in_lang(expected, lang), in_lang(detail, lang))
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


# Money as Vietnamese write it. After the spaces (also non-breaking and thin ones) and the
# currency (đ, ₫, đồng, VNĐ, VND) are dropped, the number is read with these rules:
# - "1.500.000", "1,500,000", "1.500.000,5", "1,500,000.5": groups of three digits;
# - a single dot or comma followed by exactly three digits after 1-3 digits ("1.500",
#   "1,500") is a thousands separator: 1500 đồng, never 1.5 (nobody writes an income to a
#   thousandth of a đồng);
# - any other single dot or comma is the decimal mark ("1499999.5", "1499999,5");
# - a multiplier word: "triệu"/"tr" (million), "nghìn"/"ngàn"/"k" (thousand), with a decimal
#   mark before it ("1,5 triệu", "1.5tr", "2 triệu", "1500k") or digits after "tr" ("1tr5" =
#   1,5 triệu, "1tr250" = 1,25 triệu).
_MONEY_DROP = re.compile(r"[\s\u00a0\u2009\u202f\u200b-\u200d\u2060\ufeff]+")
_CURRENCY = re.compile(r"(?:vnđ|vnd|đồng|dong|đ|₫)$")
_SCALE = {"trieu": 1e6, "tr": 1e6, "nghin": 1e3, "ngan": 1e3, "k": 1e3}
_SCALED = re.compile(r"^([+-]?\d+(?:[.,]\d+)?)(triệu|trieu|tr|nghìn|nghin|ngàn|ngan|k)(\d*)$")


def parse_money(text: str) -> float | None:
    """An amount in đồng as people type it (see the rules above); None when unreadable."""
    s = unicodedata.normalize("NFC", _MONEY_DROP.sub("", text)).lower()
    s = _CURRENCY.sub("", s)
    m = _SCALED.match(s)
    if m is None:
        return parse_number(s)
    head, word, tail = m.groups()
    unit = _SCALE[fold(word)]
    if re.search(r"[.,]\d{3}$", head):
        return None  # "1.500 triệu": 1,5 or 1500 million? Ambiguous: refused, never guessed
    if tail and ("," in head or "." in head or unit != 1e6):
        return None  # "1,5tr5", "1k5": not a way anybody writes money
    v = float(head.replace(",", ".") + ("." + tail if tail else ""))
    return v * unit if np.isfinite(v) else None


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


def _at_least(col: Column, out: pd.Series, report: Callable[..., None]) -> pd.Series:
    """A number below the field's minimum: an ``out_of_range`` error, the value dropped."""
    if col.min_value is None:
        return out
    low = (out < col.min_value).to_numpy()
    report("out_of_range", low, Text(f"≥ {col.min_value:g}", f"≥ {col.min_value:g}"))
    return out.mask(low)


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

    if not typed.is_text(s):  # a typed (Parquet) column: validated as it is when it can be
        done = typed.parse_typed(col, s, report)
        if done is None:
            s = typed.as_text(s)  # not the field's type: read as the text it shows
        elif col.kind != "number":
            return done
        else:
            return _at_least(col, done, report)
    if col.kind in ("id", "text"):
        return s
    if col.kind == "number":
        codes, parsed, bad, distinct = _by_unique(s, parse_money if col.money else parse_number)
        report("not_a_number", bad)
        u = np.array([np.nan if p is None else p for p in parsed], dtype=float)
        return _at_least(col, pd.Series(_take(u, codes, np.nan), index=idx), report)
    if col.kind == "bool":
        codes, parsed, bad, distinct = _by_unique(
            s, lambda t: True if fold(t) in YES else False if fold(t) in NO else None
        )
        report("not_yes_no", bad)
        value = _take(np.array([bool(p) for p in parsed], dtype=bool), codes, False)
        missing = _take(np.array([p is None for p in parsed], dtype=bool), codes, True)
        ticks = bool(distinct) and all(fold(u) in TICKS for u in distinct)
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
        for code, header, cells in raw.twins:
            if code == col.name:
                parsed = _twin_check(raw, col, parsed, header, cells, issues, hh_ids)
        if isinstance(parsed, pd.DataFrame):
            for part in ("year", "month", "day"):
                out[f"{col.name}_{part}"] = parsed[part]
        else:
            out[col.name] = parsed
    return pd.DataFrame(out, index=raw.frame.index, copy=False)  # the parsed columns are new


def _twin_check(
    raw: RawSheet,
    col: Column,
    parsed: pd.Series | pd.DataFrame,
    header: str,
    cells: pd.Series,
    issues: Issues,
    hh_ids: pd.Series,
) -> pd.Series | pd.DataFrame:
    """A column given twice, compared as read ("1.500.000" and 1500000 agree): where both
    copies hold a value and the values differ, an error on that row (its household is not
    classed from either copy); where only the copy holds one, it is read; when nothing
    contradicts, one warning on the copy's header. Returns the column as read."""
    twin = replace(raw, frame=pd.DataFrame({col.name: cells}), headers={col.name: header})
    other = _parse_column(twin, col, Issues(), hh_ids)
    a = parsed if isinstance(parsed, pd.DataFrame) else parsed.to_frame()
    b = other if isinstance(other, pd.DataFrame) else other.to_frame()
    a_na = a.isna().all(axis=1).to_numpy()
    b_na = b.isna().all(axis=1).to_numpy()
    same = np.ones(len(a), dtype=bool)
    for x, y in zip(a.columns, b.columns, strict=True):
        u, v = a[x].astype(object), b[y].astype(object)
        same &= ((u == v) | (u.isna() & v.isna())).fillna(False).to_numpy(bool)
    differ = ~a_na & ~b_na & ~same
    first = raw.frame[col.name]
    if differ.any():
        issues.add(
            "duplicate_column_differs",
            sheet=raw.name,
            rows=raw.frame.index[differ],
            column=header,
            field=col.name,
            values=cells[differ],
            household_ids=hh_ids[differ],
            expected=first[differ].astype(object).where(first[differ].notna(), "").to_numpy(),
            detail=raw.headers.get(col.name, col.name),
        )
    else:
        issues.add(
            "duplicate_column",
            sheet=raw.name,
            rows=raw.header_row,
            column=header,
            values=header,
            expected=raw.headers.get(col.name, col.name),
        )
    take = a_na & ~b_na
    if not take.any():
        return parsed
    if isinstance(parsed, pd.DataFrame):
        out = parsed.copy()
        out[take] = other[take].to_numpy()
        return out
    return parsed.where(~take, other)


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
                    expected=Text(col.label_vi, f"{col.label_vi} / {col.name}"),
                )
        for header, nearest in raw.unknown:
            hint: str | Text = ""
            if nearest:
                c = spec.column(nearest)
                hint = Text(f" — có phải cột '{c.label_vi}'?", f" — '{c.label_vi}' ({c.name})?")
            issues.add(
                "unknown_column",
                sheet=raw.name,
                rows=raw.header_row,
                column=header,
                values=header,
                detail=hint,
            )
        for reason, (rows, previews) in raw.skipped.items():
            issues.add(SKIP_CHECKS[reason], sheet=raw.name, rows=rows, values=previews)
        if raw.frame.empty:
            issues.add("empty_sheet", sheet=raw.name, rows=raw.header_row)


def validate_survey(survey: RawSurvey, lang: str = "vi") -> Typed:
    """Type every column of a raw survey and collect structure and cell problems."""
    issues = Issues(lang)
    _structure_checks(survey, issues)
    hh_raw = survey.sheets.get("households")
    m_raw = survey.sheets.get("members")
    rows = [len(raw.frame) if raw is not None else 0 for raw in (hh_raw, m_raw)]
    with stage("validate", sum(rows)) as progress:  # per sheet: the columns are vectorised
        hh = _typed_frame(hh_raw, "households", issues)
        progress.advance(rows[0])
        m = _typed_frame(m_raw, "members", issues)
        typed = Typed(hh, m, issues, hh_raw, m_raw)
        _row_checks(typed)
        progress.advance(rows[1])
    return typed


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
            keys = id_codes(ids)  # folded: "H01" and "h 01" are one ID
            t.extras["id_keys"] = keys  # members are attached on the same keys
            codes, first, _ = keys
            at = np.arange(len(codes))
            first_at = np.append(first, 0)[codes]  # code -1 (a blank ID): the sentinel 0
            dup = (codes >= 0) & (first_at != at)
            if dup.any():
                first_row = pd.Series(hh.index[first_at], index=hh.index)
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
        member_checks(t, hh.get("household_id"))
