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

from .standards import ByArea, Standard

SEP = {"vi": ".", "en": ","}
NOT_CLASSED = {
    "vi": "Chưa phân loại: dữ liệu có lỗi (xem Lỗi)",
    "en": "Not classed: the data has errors (see the issues)",
}


def money(values: pd.Series, lang: str) -> pd.Series:
    """Whole numbers as the user writes them: 1.500.000 (vi), 1,500,000 (en); vectorised."""
    digits = pd.Series(values, copy=False).astype("Float64").round().astype("Int64")
    digits = digits.abs().astype("string")  # amounts and scores are never negative
    out = digits.str.slice(-3)
    for k in range(1, 7):  # groups of three from the right, sliced column-wise (to 10^21)
        group = digits.str.slice(-3 * (k + 1), -3 * k)
        out = out.where(group.fillna("") == "", group + SEP[lang] + out)
    return out


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
    inc_text = (
        ("Thu nhập " if lang == "vi" else "Income ")
        + money(income, lang)
        + " "
        + sign
        + (" chuẩn " if lang == "vi" else " line ")
        + money(line, lang)
        + unit
    )
    if std.rule == "policy_line_or_deprivations" and std.income.policy_line is not None:
        # poor below the policy line alone: the comparison that placed it is with that line
        policy = pd.Series(by_area(std.income.policy_line, hh["area"]), index=hh.index)
        count = hh["deprivation_count"].astype("Float64").fillna(0).to_numpy()
        alone = (cls == "poor").to_numpy() & (count < std.deprivation.cutoff) & has_income
        policy_text = (
            ("Thu nhập " if lang == "vi" else "Income ")
            + money(income, lang)
            + " ≤ "
            + ("chuẩn chính sách " if lang == "vi" else "policy line ")
            + money(policy, lang)
            + unit
        )
        inc_text = inc_text.where(~alone, policy_text)
    score_line = pd.Series(by_area(std.income.score_line, hh["area"]), index=hh.index)
    score_text = (
        ("Điểm A " if lang == "vi" else "Score A ")
        + money(pd.Series(score, index=hh.index), lang)
        + " "
        + sign
        + (" chuẩn " if lang == "vi" else " line ")
        + money(score_line, lang)
    )
    text = inc_text.where(pd.Series(has_income, index=hh.index), score_text)
    # the deprived indicators by name, joined column by column
    names = pd.Series("", index=hh.index, dtype="string")
    for code in std.codes:
        ind = std.indicators[code]
        label = ind.label_vi if lang == "vi" else ind.label_en
        flag = hh[f"dep_{code}"].astype("boolean").fillna(False).to_numpy(bool)
        joined = names.where(names == "", names + ", ") + label
        names = names.where(~flag, joined)
    count = hh["deprivation_count"].astype("Int64")
    if lang == "vi":
        dep = "thiếu hụt " + count.astype("string") + ": " + names
        dep = dep.where(count.fillna(0).to_numpy() > 0, "không thiếu hụt chỉ số nào")
    else:
        dep = count.astype("string") + " deprivations: " + names
        dep = dep.where(count.fillna(0).to_numpy() != 1, "1 deprivation: " + names)
        dep = dep.where(count.fillna(0).to_numpy() > 0, "no deprivation")
    out = (text + "; " + dep).astype("string")
    return out.where(cls != "", NOT_CLASSED[lang]).rename("reason")


__all__ = ["by_area", "money", "number", "reason_column"]
