"""The one-line reason of each household's class, for the lists (``classify``'s ``reason``).

Built column by column with string operations over the whole table (never a loop per
household), from what the class itself read: the comparison side comes from the class the
rule gave (``poor``/``near_poor`` are at or below the line), the deprived indicators from the
``dep_*`` flags. Nothing here decides anything; :mod:`mdpoverty.explain` gives the full
reasons of one household.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .law.standards import ByArea, Standard

SEP = {"vi": ".", "en": ","}
NOT_CLASSED = {
    "vi": "Chưa phân loại: dữ liệu có lỗi (xem Lỗi)",
    "en": "Not classed: the data has errors (see the issues)",
}


def money(values: pd.Series, lang: str) -> pd.Series:
    """Whole numbers as the user writes them: 1.500.000 (vi), 1,500,000 (en). Each distinct
    amount is written once (incomes and lines repeat), then taken for every row."""
    digits = pd.Series(values, copy=False).astype("Float64").round().astype("Int64").abs()
    codes, uniques = pd.factorize(digits, use_na_sentinel=True)  # amounts are never negative
    texts = [f"{int(v):,}".replace(",", SEP[lang]) for v in uniques]
    table = pa.array([*texts, None], pa.string())
    return pd.Series(
        pd.arrays.ArrowStringArray(table.take(pa.array(np.where(codes < 0, len(texts), codes)))),
        index=digits.index,
    )


def number(value: float, lang: str, decimals: int = 0) -> str:
    """One number as the user writes it: 1.500.000 / 5,25 (vi), 1,500,000 / 5.25 (en)."""
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def by_area(value: ByArea | None, area: pd.Series) -> np.ndarray:
    """The value for each row's area (NaN where the area or the value is unknown)."""
    a = area.astype("string").fillna("").to_numpy(dtype=object)
    if value is None:
        return np.full(len(a), np.nan)
    return np.where(a == "urban", value.urban, np.where(a == "rural", value.rural, np.nan))


def _arrow(s: pd.Series) -> pa.Array:
    """A text column as an Arrow ``string`` array (pandas may hold ``large_string``)."""
    if isinstance(s.dtype, pd.StringDtype):
        return pc.cast(pa.array(s.array), pa.string())
    return pa.array(s, pa.string())


def _join(*parts: pd.Series | str) -> pd.Series:
    """Text columns and constants joined row by row in one Arrow pass (null if any is)."""
    index = next(p.index for p in parts if isinstance(p, pd.Series))
    arrays = [_arrow(p) if isinstance(p, pd.Series) else pa.scalar(p) for p in parts]
    joined = pc.binary_join_element_wise(*arrays, "")
    return pd.Series(pd.arrays.ArrowStringArray(joined), index=index)


def _deprived_text(hh: pd.DataFrame, std: Standard, lang: str) -> np.ndarray:
    """ "thiếu hụt 2: Việc làm, Bảo hiểm y tế" per household: the text of each distinct set of
    deprivations (a few hundred at most) written once, then taken for every household."""
    flags = np.column_stack(
        [hh[f"dep_{c}"].astype("boolean").fillna(False).to_numpy(bool) for c in std.codes]
    )
    count = hh["deprivation_count"].astype("Float64").to_numpy(float, na_value=np.nan)
    d = flags.shape[1]
    # one integer per household: bit j = indicator j, the count (+1; 0 when unknown) above
    key = flags.astype(np.int64) @ (np.int64(1) << np.arange(d, dtype=np.int64))
    key += (np.nan_to_num(count, nan=-1).astype(np.int64) + 1) << d
    at, uniq = pd.factorize(key)
    bits = (uniq[:, None] >> np.arange(d)) & 1
    sets = np.column_stack([bits, (uniq >> d) - 1])
    labels = [
        std.indicators[c].label_vi if lang == "vi" else std.indicators[c].label_en
        for c in std.codes
    ]
    texts = []
    for row in sets:
        n = int(row[-1])
        names = ", ".join(label for label, on in zip(labels, row[:-1], strict=True) if on)
        if n < 0:  # the count is unknown (the household is not classed)
            texts.append(None)
        elif lang == "vi":
            texts.append(f"thiếu hụt {n}: {names}" if n > 0 else "không thiếu hụt chỉ số nào")
        elif n == 1:
            texts.append(f"1 deprivation: {names}")
        else:
            texts.append(f"{n} deprivations: {names}" if n > 0 else "no deprivation")
    return np.asarray(texts, dtype=object)[at]


def reason_column(
    households: pd.DataFrame, std: Standard, score: np.ndarray, lang: str
) -> pd.Series:
    """One line per household (``lang``): the income comparison and the deprived indicators."""
    hh = households
    n = len(hh)
    if n == 0:
        return pd.Series([], index=hh.index, dtype="string")
    lang = "en" if lang == "en" else "vi"
    cls = hh["class"].astype("string").fillna("")
    below = cls.isin(["poor", "near_poor"]).to_numpy()
    income = hh["income_per_capita"]
    has_income = income.notna().to_numpy()
    line = pd.Series(by_area(std.income.poverty_line, hh["area"]), index=hh.index)
    le, gt = "≤", ">"
    sign = pd.Series(np.where(below, le, gt), index=hh.index, dtype="string")
    unit = " đ" if lang == "vi" else " VND"
    inc_text = _join(
        "Thu nhập " if lang == "vi" else "Income ",
        money(income, lang),
        " ",
        sign,
        " chuẩn " if lang == "vi" else " line ",
        money(line, lang),
        unit,
    )
    if std.rule == "policy_line_or_deprivations" and std.income.policy_line is not None:
        # poor below the policy line alone: the comparison that placed it is with that line
        policy = pd.Series(by_area(std.income.policy_line, hh["area"]), index=hh.index)
        count = hh["deprivation_count"].astype("Float64").fillna(0).to_numpy()
        alone = (cls == "poor").to_numpy() & (count < std.deprivation.cutoff) & has_income
        policy_text = _join(
            "Thu nhập " if lang == "vi" else "Income ",
            money(income, lang),
            " ≤ ",
            "chuẩn chính sách " if lang == "vi" else "policy line ",
            money(policy, lang),
            unit,
        )
        inc_text = inc_text.where(~alone, policy_text)
    score_line = pd.Series(by_area(std.income.score_line, hh["area"]), index=hh.index)
    score_text = _join(
        "Điểm A " if lang == "vi" else "Score A ",
        money(pd.Series(score, index=hh.index), lang),
        " ",
        sign,
        " chuẩn " if lang == "vi" else " line ",
        money(score_line, lang),
    )
    text = inc_text.where(pd.Series(has_income, index=hh.index), score_text)
    dep = _deprived_text(hh, std, lang)
    out = pd.Series(
        pd.arrays.ArrowStringArray(
            pc.binary_join_element_wise(_arrow(text), pa.array(dep, pa.string()), "; ")
        ),
        index=hh.index,
    )
    return out.where(cls != "", NOT_CLASSED[lang]).rename("reason")


__all__ = ["by_area", "money", "number", "reason_column"]
