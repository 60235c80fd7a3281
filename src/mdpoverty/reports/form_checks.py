"""The checks that refuse a report whose figures do not add up (``shared/domain.md`` §5, §8).

:func:`check_forms` re-derives every figure of the forms built in :mod:`.forms` from the
frames alone: each district and province row is the sum of the rows under it, every rate is
its own row's counts in percent (half-up, two decimals, empty for a zero denominator), no
part exceeds its whole, Forms 2/3 balance, and figures shared between forms agree unit by
unit. So a hand-made form (like the pictured Form 1 that shows 204 poor out of 10 households,
"2040 %") is refused with the reason, as a :class:`ReportCheckError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import MdpovertyError
from .forms import FORM1_COUNTS, FORM1_RATES, NOT_CLASSED, UNIT_COLUMNS, percent


class ReportCheckError(MdpovertyError):
    """A report whose figures do not add up: never written. Exit code 3 (a bug, or a hand-made
    frame given to :func:`check_forms`)."""

    exit_code = 3

    def __init__(self, problems: Sequence[str]) -> None:
        shown = "; ".join(problems[:5]) + (
            f"; … ({len(problems)} in all)" if len(problems) > 5 else ""
        )
        super().__init__(
            f"the report does not add up, nothing written: {shown}",
            f"báo cáo không khớp số liệu, không ghi tệp: {shown}",
        )
        self.problems = list(problems)


#: A form with several rows per unit names them in one of these columns (Forms 2/3:
#: households / persons; 8, 10, 11: poor / near_poor; 9: the ethnic group).
GROUP_COLUMNS = ("measure", "class", "ethnicity")


def _label(frame: pd.DataFrame, i: int) -> str:
    row = frame.iloc[i]
    number = "" if pd.isna(row.get("number")) else str(row.get("number"))
    by = next((c for c in GROUP_COLUMNS if c in frame), None)
    measure = f" [{row[by]}]" if by is not None and pd.notna(row[by]) else ""
    unit = row["unit"] if "unit" in frame else ""
    return f"{number} {unit}{measure}".strip()


def _ints(frame: pd.DataFrame, col: str) -> np.ndarray:
    return pd.to_numeric(frame[col], errors="coerce").fillna(0).to_numpy(dtype="float64")


def subtotal_problems(frame: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    """Every district row must equal the sum of the commune rows under it, every province
    row the sum of the rows it totals — its district rows, and the communes listed directly
    under it when the province has no districts (two tiers, §2b) — in report order (a
    province row closes its block); by ``measure`` when the frame has one."""
    problems: list[str] = []
    columns = [c for c in columns if c in frame]
    by = next((c for c in GROUP_COLUMNS if c in frame), None)
    groups = [frame] if by is None else [g for _, g in frame.groupby(by, sort=False)]
    for g in groups:
        g = g.reset_index(drop=True)
        level = g["level"].astype(object).fillna("").to_numpy()
        is_d, is_c, is_p = level == "district", level == "commune", level == "province"
        pos = np.arange(len(g))
        # each province row closes a block; rows after the last one form a block of their own
        pblock = np.cumsum(np.concatenate([[False], is_p[:-1]]))
        block_start = np.zeros(len(g), dtype=int)
        if len(g):
            firsts = np.r_[True, pblock[1:] != pblock[:-1]]
            block_start = np.maximum.accumulate(np.where(firsts, pos, 0))
        last_d = np.maximum.accumulate(np.where(is_d, pos, -1)) if len(g) else pos
        under_d = is_c & (last_d >= block_start)  # a commune of a district of this block
        direct = is_c & ~under_d  # a commune listed right under its province
        dblock = np.where(under_d, last_d, -1)
        values = g[columns].apply(pd.to_numeric, errors="coerce").fillna(0).astype(float)
        checks = (
            (is_d, under_d, np.where(is_d, pos, -1), dblock),
            (is_p, is_d | direct, pblock, pblock),
        )
        for parent, child, parent_key, child_key in checks:
            if not parent.any():
                continue
            sums = values[child].groupby(child_key[child]).sum()
            have = values[parent]
            want = sums.reindex(parent_key[parent], fill_value=0)
            diff = have.to_numpy() != want.to_numpy()
            for r, k in zip(*np.nonzero(diff), strict=True):
                i = int(np.flatnonzero(parent)[r])
                problems.append(
                    f"{_label(g, i)}: {columns[k]} {have.iat[r, k]:g} ≠ sum of its rows "
                    f"{want.iat[r, k]:g}"
                )
    return problems


def _rate_problems(frame: pd.DataFrame, rates: Mapping[str, tuple[str, str]]) -> list[str]:
    problems = []
    for rate, (num, den) in rates.items():
        if rate not in frame:
            continue
        n, d = _ints(frame, num), _ints(frame, den)
        have = pd.to_numeric(frame[rate], errors="coerce").astype("Float64")
        want = percent(np.maximum(n, 0).astype("int64"), np.maximum(d, 0).astype("int64"))
        # a count left empty (not assessed: no MSTB band in the standard) has an empty rate
        want = want.mask(pd.to_numeric(frame[num], errors="coerce").isna().to_numpy(bool))
        same = (have.isna().to_numpy() & want.isna().to_numpy()) | (
            (have - want).abs().fillna(1).to_numpy(float) < 1e-9
        )
        for i in np.flatnonzero(~same):
            shown = "" if pd.isna(have.iat[i]) else f"{have.iat[i]:g}"
            expected = "empty (zero denominator)" if pd.isna(want.iat[i]) else f"{want.iat[i]:g}"
            problems.append(
                f"{_label(frame, i)}: {rate} {shown or 'empty'} ≠ {num}/{den}×100 = {expected}"
            )
    return problems


def _bound_problems(frame: pd.DataFrame, parts: Sequence[str], whole: str) -> list[str]:
    cols = [c for c in parts if c in frame]
    if whole not in frame or not cols:
        return []
    values = [_ints(frame, c) for c in cols]
    total = sum(values)
    w = _ints(frame, whole)
    out = []
    for i in np.flatnonzero(total > w):
        parts = " + ".join(f"{c} {v[i]:g}" for c, v in zip(cols, values, strict=True))
        out.append(f"{_label(frame, i)}: {parts} = {total[i]:g} > {whole} {w[i]:g}")
    return out


def _partly_empty_problems(frame: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    """A count left empty (not assessed, e.g. no MSTB band) must be empty in every row: a
    total over some empty rows would pass for a total of them all."""
    out = []
    for c in columns:
        empty = pd.to_numeric(frame[c], errors="coerce").isna().to_numpy(bool)
        if empty.any() and not empty.all():
            rows = ", ".join(_label(frame, i) for i in np.flatnonzero(empty)[:3])
            out.append(f"{c} is empty in some rows only ({rows})")
    return out


def _negative_problems(frame: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    out = []
    for c in columns:
        if c in frame:
            for i in np.flatnonzero(_ints(frame, c) < 0):
                out.append(f"{_label(frame, i)}: {c} is negative")
    return out


def form_problems(frame: pd.DataFrame, form: str) -> list[str]:
    """What is wrong with one form frame (empty when it adds up). Forms "1"–"15"."""
    form = str(form)
    if form not in ("1", "2", "3", "4", "5"):
        from .form_checks_more import more_problems

        return more_problems(frame, form)
    if form == "1":
        counts = [c for c in FORM1_COUNTS if c in frame]
        return (
            _partly_empty_problems(frame, [c for c in counts if c.startswith("average_farm_")])
            + _negative_problems(frame, counts)
            + _bound_problems(
                frame,
                ["poor_households", "near_poor_households", "average_farm_households"],
                "households",
            )
            + _bound_problems(
                frame, ["poor_persons", "near_poor_persons", "average_farm_persons"], "persons"
            )
            + subtotal_problems(frame, [*counts, NOT_CLASSED])
            + _rate_problems(frame, FORM1_RATES)
        )
    if form in ("2", "3"):
        from .changes import balance_problems, form_columns

        cols = form_columns(form)
        return (
            _negative_problems(frame, cols)
            + subtotal_problems(frame, [*cols, NOT_CLASSED])
            + balance_problems(frame, form)
        )
    deps = [c for c in frame.columns if c.startswith("dep_")]
    if form == "4":
        problems = _negative_problems(frame, ["poor_households", "deprivations_total", *deps])
        problems += subtotal_problems(
            frame, ["poor_households", "deprivations_total", *deps, NOT_CLASSED]
        )
        for c in deps:
            problems += _bound_problems(frame, [c], "poor_households")
        if "deprivations_total" in frame:
            total = sum((_ints(frame, c) for c in deps), np.zeros(len(frame)))
            have = _ints(frame, "deprivations_total")
            problems += [
                f"{_label(frame, i)}: deprivations_total {have[i]:g} ≠ sum of indicators "
                f"{total[i]:g}"
                for i in np.flatnonzero(have != total)
            ]
        return problems
    if form == "5":
        problems = _negative_problems(frame, ["poor_households"])
        problems += subtotal_problems(frame, ["poor_households", NOT_CLASSED])
        for c in deps:
            v = pd.to_numeric(frame[c], errors="coerce")
            problems += [
                f"{_label(frame, i)}: {c} {v.iat[i]:g} is not a percentage"
                for i in np.flatnonzero(((v < 0) | (v > 100)).fillna(False).to_numpy(bool))
            ]
            zero = _ints(frame, "poor_households") == 0
            problems += [
                f"{_label(frame, i)}: {c} given for a unit with no poor household"
                for i in np.flatnonzero(zero & v.notna().to_numpy(bool))
            ]
        return problems
    raise ValueError(f"unknown form {form!r}")


def _by_unit(frame: pd.DataFrame, measure: str | None = None) -> pd.DataFrame:
    f = frame if measure is None else frame[frame["measure"] == measure]
    return f.set_index(["number", "level", "unit", "parent"])


def _aligned(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Both frames list the same units in the same order (then compare by position)."""
    return len(a) == len(b) and all(
        (a[c].astype(object).to_numpy() == b[c].astype(object).to_numpy()).all()
        for c in UNIT_COLUMNS
    )


def cross_problems(forms: Mapping[str, pd.DataFrame]) -> list[str]:
    """Figures that two forms share must agree, unit by unit: poor households in Forms 1, 4
    and 5; Form 2's end = Form 1's poor (households, persons), Form 3's end = Form 1's
    near-poor; households moving poor ↔ near-poor counted alike in Forms 2 and 3."""
    pairs: list[tuple[str, str | None, str, str, str | None, str]] = []
    if "1" in forms and "4" in forms:
        pairs.append(("1", None, "poor_households", "4", None, "poor_households"))
    if "4" in forms and "5" in forms:
        pairs.append(("4", None, "poor_households", "5", None, "poor_households"))
    if "1" in forms and "2" in forms:
        pairs += [
            ("1", None, "poor_households", "2", "households", "end"),
            ("1", None, "poor_persons", "2", "persons", "end"),
        ]
    if "1" in forms and "3" in forms:
        pairs += [
            ("1", None, "near_poor_households", "3", "households", "end"),
            ("1", None, "near_poor_persons", "3", "persons", "end"),
        ]
    if "2" in forms and "3" in forms:
        pairs += [
            ("2", "households", "to_near_poor", "3", "households", "from_poor"),
            ("2", "households", "from_near_poor", "3", "households", "to_poor"),
        ]
    if "4" in forms and "5" in forms:
        deps = [c for c in forms["5"].columns if c.startswith("dep_")]
        pairs += [("4", None, c, "5", None, c) for c in deps]
    problems = []
    for fa, ma, ca, fb, mb, cb in pairs:
        if fa == "4" and fb == "5" and ca.startswith("dep_"):
            problems += _share_problems(forms["4"], forms["5"], ca)
            continue
        fra = forms[fa] if ma is None else forms[fa][forms[fa]["measure"] == ma]
        frb = forms[fb] if mb is None else forms[fb][forms[fb]["measure"] == mb]
        if _aligned(fra, frb):
            va, vb = _ints(fra, ca), _ints(frb, cb)
            for i in np.flatnonzero(va != vb):
                problems.append(
                    f"{fra['number'].iat[i]} {fra['unit'].iat[i]}: Form {fa} {ca} {va[i]:g} ≠ "
                    f"Form {fb} {cb} {vb[i]:g}"
                )
            continue
        a = _by_unit(forms[fa], ma)[ca]
        b = _by_unit(forms[fb], mb)[cb]
        joined = pd.concat([a.rename("a"), b.rename("b")], axis=1).fillna(0)
        for key, row in joined[joined["a"] != joined["b"]].iterrows():
            problems.append(
                f"{key[0]} {key[2]}: Form {fa} {ca} {row['a']:g} ≠ Form {fb} {cb} {row['b']:g}"
            )
    return problems


def _share_problems(f4: pd.DataFrame, f5: pd.DataFrame, col: str) -> list[str]:
    """Form 5's share must be Form 4's count over the poor households of the same unit."""
    if _aligned(f4, f5):
        count = _ints(f4, col).astype("int64")
        poor = _ints(f4, "poor_households").astype("int64")
        want = percent(count, poor)
        have = pd.to_numeric(f5[col], errors="coerce").astype("Float64").reset_index(drop=True)
        same = (have.isna() & want.isna()) | ((have - want).abs() < 1e-9).fillna(False)
        return [
            f"{f4['number'].iat[i]} {f4['unit'].iat[i]}: Form 5 {col} "
            f"{'empty' if pd.isna(have.iat[i]) else f'{have.iat[i]:g}'} ≠ Form 4 "
            f"{count[i]}/{poor[i]}×100 = {'empty' if pd.isna(want.iat[i]) else f'{want.iat[i]:g}'}"
            for i in np.flatnonzero(~same.to_numpy(bool))
        ]
    joined = pd.merge(
        _by_unit(f4)[[col, "poor_households"]],
        _by_unit(f5)[[col]].rename(columns={col: f"{col}_share"}),
        left_index=True,
        right_index=True,
        how="outer",
    )
    count = joined[col].fillna(0).to_numpy("int64")
    poor = joined["poor_households"].fillna(0).to_numpy("int64")
    want = percent(count, poor)
    have = pd.to_numeric(joined[f"{col}_share"], errors="coerce").astype("Float64")
    have = have.reset_index(drop=True)
    same = (have.isna() & want.isna()) | ((have - want).abs() < 1e-9).fillna(False)
    out = []
    for i in np.flatnonzero(~same.to_numpy(bool)):
        key = joined.index[i]
        shown = "empty" if pd.isna(have.iat[i]) else f"{have.iat[i]:g}"
        expected = "empty" if pd.isna(want.iat[i]) else f"{want.iat[i]:g}"
        out.append(
            f"{key[0]} {key[2]}: Form 5 {col} {shown} ≠ Form 4 {count[i]}/{poor[i]}×100 = "
            f"{expected}"
        )
    return out


def check_forms(forms: Mapping[str, pd.DataFrame]) -> None:
    """Raise :class:`ReportCheckError` unless every form adds up and the forms agree (§5:
    "a report whose subtotals disagree with its rows is wrong")."""
    problems: list[str] = []
    for form, frame in forms.items():
        problems += [f"Form {form}: {p}" for p in form_problems(frame, form)]
    problems += cross_problems(forms)
    from .form_checks_more import more_cross_problems

    problems += more_cross_problems(forms)
    if problems:
        raise ReportCheckError(problems)


__all__ = [
    "ReportCheckError",
    "check_forms",
    "cross_problems",
    "form_problems",
    "subtotal_problems",
]
