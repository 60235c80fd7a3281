"""Why is this household poor? ``mdpoverty.explain(result, household_id)``.

Returns one household's reasons as plain data (the ``--format json`` of ``mdpoverty why``;
schema in ``docs/explain.md``): the standard and round, the income figure against the line,
each indicator with the facts that decided it, the reviewer's override and the legal
reference, the rule that gives the class and what would change it, and, with a previous
round, the transition. The text and workbook renderings (:mod:`mdpoverty.explain_render`)
only present it.

Nothing is decided twice: the flags are re-derived by the same rule functions
(:func:`mdpoverty.law.rules.derive_flags`) on the household's own typed rows, with the rules'
intermediate facts recorded; the class, count and income are the classify result's.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

import numpy as np
import pandas as pd

from .errors import UsageError
from .explain_facts import CONFIDENCE, indicator_facts, sub_context, yes_no
from .ids import fold_id
from .law import rules
from .reasons import number

SCHEMA = "mdpoverty.explain/1"
CLASS_TEXT = {
    "vi": {
        "poor": "Hộ nghèo",
        "near_poor": "Hộ cận nghèo",
        "average": "Hộ có mức sống trung bình",
        "not_poor": "Hộ không nghèo",
        "": "Chưa phân loại",
    },
    "en": {
        "poor": "poor",
        "near_poor": "near-poor",
        "average": "average living standard",
        "not_poor": "not poor",
        "": "not classed",
    },
}
SOURCE_TEXT = {
    "vi": {
        "income_per_capita": "thu nhập bình quân người/tháng ghi trong phiếu",
        "household_income_12m": "tổng thu nhập 12 tháng ÷ 12 ÷ số nhân khẩu",
        "income_score": "điểm A (thu nhập quy đổi theo phiếu B1)",
    },
    "en": {
        "income_per_capita": "the survey's monthly income per person",
        "household_income_12m": "the 12-month household income ÷ 12 ÷ members",
        "income_score": "score A (the checklist's income equivalent)",
    },
}


def _val(v: Any) -> Any:
    """A cell as JSON: None for blank, Python numbers and text."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def find(result, household_id: str) -> int:
    """Position of ``household_id`` in ``result.households`` (the first row that has it);
    :class:`UsageError` naming the closest IDs when none has it."""
    ids = result.households["household_id"].astype("string").fillna("")
    want = str(household_id).strip()
    hit = np.flatnonzero((ids.str.strip() == want).to_numpy(bool))
    if not len(hit):
        folded = pd.Series([fold_id(i) for i in ids.unique()], index=ids.unique())
        hit = np.flatnonzero((ids.map(folded) == fold_id(want)).to_numpy(bool))
    if len(hit):
        return int(hit[0])
    known = [str(i) for i in ids.unique()]
    # an ID typed short ("LC-BT-01-001") is most likely the start of one; then the likest
    near = [k for k in known if k.startswith(want)][:3]
    near += (
        difflib.get_close_matches(want, known, n=3 - len(near), cutoff=0.5) if len(near) < 3 else []
    )
    more = ", ".join(near) if near else "—"
    raise UsageError(
        f"household {want!r} is not in {result.source or 'the survey'} (closest: {more})",
        f"không có hộ {want!r} trong {result.source or 'tệp rà soát'} (mã gần nhất: {more})",
    )


def _issues(result, household_id: str, lang: str) -> tuple[list[dict], list[dict]]:
    iss = result.issues
    mine = iss[iss["household_id"].astype("string").fillna("") == household_id]
    msg = "message_vi" if lang == "vi" and "message_vi" in iss else "message"
    if lang == "en" and "message_en" in iss:
        msg = "message_en"

    def rows(frame: pd.DataFrame) -> list[dict]:
        return [
            {
                "sheet": _val(r["sheet"]),
                "row": _val(r["row"]),
                "column": _val(r["column"]),
                "field": _val(r["field"]) if "field" in r else None,
                "value": _val(r["value"]),
                "check": _val(r["check"]),
                "message": _val(r[msg]),
            }
            for _, r in frame.iterrows()
        ]

    errors = mine[mine["severity"] == "error"]
    warnings = mine[mine["severity"] == "warning"]
    return rows(errors), rows(warnings)


def _income(result, pos: int, lang: str) -> dict[str, Any] | None:
    std, ctx, hh = result.standard, result.context, result.households
    vi = lang == "vi"
    source = str(ctx.income["source"][pos]) if ctx is not None and ctx.income else ""
    cls = str(hh["class"].astype("string").fillna("").iloc[pos])
    area = str(hh["area"].astype("string").fillna("").iloc[pos])
    if not source or area not in ("rural", "urban"):
        return None
    below = cls in ("poor", "near_poor")
    unit = "đ/người/tháng" if vi else "VND/person/month"
    if source == "income_score":
        value = float(ctx.income["score"][pos])
        line = std.income.score_line
        kind, unit = "score_line", ("điểm" if vi else "points")
        name = "Điểm A" if vi else "Score A"
    else:
        value = float(hh["income_per_capita"].iloc[pos])
        line, kind = std.income.poverty_line, "poverty_line"
        name = "Thu nhập bình quân" if vi else "Income per person"
    line_value = line.for_area(area)
    area_text = {"rural": "nông thôn", "urban": "thành thị"}[area] if vi else area
    sign = "≤" if below else ">"
    text = (
        f"{name} {number(value, lang)} {sign} chuẩn {area_text} {number(line_value, lang)} {unit}"
        if vi
        else f"{name} {number(value, lang)} {sign} the {area_text} line "
        f"{number(line_value, lang)} {unit}"
    )
    inputs: dict[str, Any] = {}
    if source == "household_income_12m":
        total = float(ctx.income["total"][pos])
        n = int(ctx.n_members[pos])
        inputs = {"household_income_12m": _val(total), "members": n}
        text += (
            f" ({number(total, lang)} đ ÷ 12 ÷ {n} người)"
            if vi
            else f" ({number(total, lang)} ÷ 12 ÷ {n} members)"
        )
    policy = None
    if (
        std.rule == "policy_line_or_deprivations"
        and std.income.policy_line
        and kind != "score_line"
    ):
        policy = std.income.policy_line.for_area(area)
    upper = std.income.average_upper
    return {
        "source": source,
        "source_text": SOURCE_TEXT[lang][source],
        "value": _val(value),
        "inputs": inputs,
        "area": area,
        "line_kind": kind,
        "line": _val(line_value),
        "line_reference": line.reference,
        "line_confidence": line.confidence,
        "policy_line": _val(policy),
        "average_upper": _val(upper.for_area(area)) if upper is not None else None,
        "comparison": "at_or_below" if below else "above",
        "text": text,
    }


def _indicators(result, pos: int, lang: str) -> list[dict[str, Any]]:
    std, hh = result.standard, result.households
    sub = sub_context(result.context, pos)
    derived = rules.derive_flags(sub, std)  # the same rule functions, on this household
    out = []
    for code in std.codes:
        ind = std.indicators[code]
        flag = hh[f"dep_{code}"].iloc[pos]
        deprived = None if flag is pd.NA else bool(flag)
        cell = sub.households[f"dep_{code}"].iloc[0] if f"dep_{code}" in sub.households else None
        override = None if cell is None or cell is pd.NA else bool(cell)
        value = bool(derived[code][0])
        facts = indicator_facts(std, sub, code, value, lang)
        label = ind.label_vi if lang == "vi" else ind.label_en
        mark = CONFIDENCE[lang][ind.confidence]
        over = None
        if override is not None and ind.rule != "reported":
            over = (
                f"người rà soát ghi “{yes_no(override, lang)}” ở cột dep_{code}, thay cho kết quả "
                f"tính được “{yes_no(value, lang)}”"
                if lang == "vi"
                else f"the reviewer entered “{yes_no(override, lang)}” in dep_{code}, replacing "
                f"the derived “{yes_no(value, lang)}”"
            )
        out.append(
            {
                "code": code,
                "number": ind.number,
                "label": label,
                "deprived": deprived,
                "derived": None if len(sub.members) == 0 and code != "housing_area" else value,
                "override": override,
                "override_text": over,
                "facts": facts,
                "reference": ind.reference,
                "confidence": ind.confidence,
                "confidence_text": mark,
            }
        )
    return out


def _rule_text(std, lang: str) -> str:
    cut = std.deprivation.cutoff
    vi = lang == "vi"
    if std.rule == "policy_line_or_deprivations":
        text = (
            f"hộ nghèo: thu nhập ≤ chuẩn chính sách, hoặc thu nhập ≤ chuẩn nghèo và thiếu hụt "
            f"≥ {cut} chỉ số; hộ cận nghèo: thu nhập ≤ chuẩn nghèo và thiếu hụt < {cut} chỉ số"
            if vi
            else f"poor: income ≤ the policy line, or income ≤ the poverty line and ≥ {cut} "
            f"deprivations; near-poor: income ≤ the poverty line and < {cut} deprivations"
        )
    else:
        text = (
            f"hộ nghèo: thu nhập ≤ chuẩn và thiếu hụt ≥ {cut} chỉ số; hộ cận nghèo: thu nhập ≤ "
            f"chuẩn và thiếu hụt < {cut} chỉ số"
            if vi
            else f"poor: income ≤ the line and ≥ {cut} deprivations; near-poor: income ≤ the "
            f"line and < {cut} deprivations"
        )
    if std.income.average_upper is not None:
        text += (
            "; hộ có mức sống trung bình: chuẩn < thu nhập ≤ mức trung bình"
            if vi
            else "; average living standard: line < income ≤ the average band"
        )
    return text + f" ({std.reference})"


def _verdict(cls: str, income: dict | None, count: int, std, lang: str) -> tuple[str, list[str]]:
    """The household's own reading of the rule, and what would change its class."""
    vi = lang == "vi"
    cut = std.deprivation.cutoff
    label = CLASS_TEXT[lang][cls]
    if income is None:
        return label, []
    ge = "≥" if count >= cut else "<"
    head = f"{income['text']}; " + (
        f"thiếu hụt {count} {ge} {cut} chỉ số → {label}"
        if vi
        else f"{count} deprivations {ge} {cut} → {label}"
    )
    value, line = income["value"], income["line"]
    score = income["line_kind"] == "score_line"
    unit = (" điểm" if vi else " points") if score else (" đ" if vi else " VND")
    what_vi, what_en = ("điểm A", "score A") if score else ("thu nhập", "income")
    change: list[str] = []
    if cls in ("poor", "near_poor"):
        gap = line - value + 1  # the smallest whole amount above an inclusive line
        change.append(
            f"{what_vi} cao hơn hiện nay {number(gap, lang)}{unit} (trên chuẩn) thì không còn "
            "thuộc diện nghèo, cận nghèo"
            if vi
            else f"with {what_en} {number(gap, lang)}{unit} higher (above the line) it would "
            "leave the poor and near-poor lists"
        )
        policy = income.get("policy_line")
        if cls == "poor" and policy is not None and value <= policy and count < cut:
            change.append(
                f"thu nhập ≤ chuẩn chính sách {number(policy, lang)} đ: là hộ nghèo dù thiếu hụt "
                f"dưới {cut} chỉ số"
                if vi
                else f"income ≤ the policy line {number(policy, lang)}: poor whatever its "
                "deprivations"
            )
        elif cls == "poor":
            fewer = count - cut + 1
            change.append(
                f"bớt {fewer} chỉ số thiếu hụt (còn dưới {cut}) thì là hộ cận nghèo"
                if vi
                else f"{fewer} fewer deprivation(s) (below {cut}) would make it near-poor"
            )
        else:
            more = cut - count
            change.append(
                f"thiếu hụt thêm {more} chỉ số thì là hộ nghèo"
                if vi
                else f"{more} more deprivation(s) would make it poor"
            )
    else:
        gap = value - line
        then = "poor" if count >= cut else "near_poor"
        change.append(
            f"{what_vi} cao hơn chuẩn {number(gap, lang)}{unit}; thấp hơn "
            f"{number(gap, lang)}{unit} (về mức chuẩn) thì là {CLASS_TEXT[lang][then].lower()}"
            if vi
            else f"{what_en} {number(gap, lang)}{unit} above the line; {number(gap, lang)}{unit} "
            f"less (down to the line) would make it {CLASS_TEXT[lang][then]}"
        )
    return head, change


def explain(result, household_id: str, *, lang: str = "vi", previous=None) -> dict[str, Any]:
    """The reasons for one household's class (see ``docs/explain.md`` for the structure).

    ``result``: :func:`mdpoverty.classify`'s; ``previous``: the previous round (a
    :class:`~mdpoverty.Result` or :class:`~mdpoverty.reports.batch.Round`), for the
    transition. :class:`~mdpoverty.errors.UsageError` for an ID not in the survey.
    """
    lang = "en" if lang == "en" else "vi"
    if result.context is None:
        raise UsageError("this result keeps no survey to explain", "kết quả này không giữ dữ liệu")
    pos = find(result, household_id)
    hh, extra, std = result.households, result.extra, result.standard
    row = hh.iloc[pos]
    hid = str(row["household_id"])
    cls = "" if row["class"] is pd.NA else str(row["class"])
    errors, warnings = _issues(result, hid, lang)
    if not cls and not errors:  # blocked by a whole-file problem: those errors
        errors, _ = _issues(result, "", lang)
    choice = result.choice
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "lang": lang,
        "household_id": hid,
        "sheet": _val(extra["sheet"].iloc[pos]) if "sheet" in extra else None,
        "row": _val(extra["row"].iloc[pos]) if "row" in extra else None,
        "head_name": _val(extra["head_name"].iloc[pos]) if "head_name" in extra else None,
        **{k: _val(row[k]) for k in ("province", "district", "commune", "village", "area")},
        "members": _val(row["members"]),
        "standard": {
            "id": std.id,
            "title": std.title if lang == "vi" else (std.title_en or std.title),
            "reference": std.reference,
            "confidence": std.confidence,
            "provisional": bool(std.provisional),
            "why": choice.text(lang) if choice is not None else std.id,
        },
        "status": "classed" if cls else "not_classed",
        "errors": errors,
        "warnings": warnings,
        "class": cls,
        "class_label": CLASS_TEXT[lang][cls],
        "income": None,
        "indicators": [],
        "deprivation_count": _val(row["deprivation_count"]),
        "cutoff": std.deprivation.cutoff,
        "rule": _rule_text(std, lang),
        "verdict": None,
        "what_would_change": [],
        "previous": None,
    }
    if cls:
        out["income"] = _income(result, pos, lang)
        out["indicators"] = _indicators(result, pos, lang)
        out["verdict"], out["what_would_change"] = _verdict(
            cls, out["income"], int(row["deprivation_count"]), std, lang
        )
    stated = _val(extra["previous_class"].iloc[pos]) if "previous_class" in extra else None
    if previous is not None or stated:
        from .explain_previous import previous_round

        out["previous"] = previous_round(result, pos, previous, lang)
    return out


__all__ = ["CLASS_TEXT", "SCHEMA", "explain", "find"]
