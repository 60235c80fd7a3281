"""The facts that decided each indicator of one household, read from the rules' own
intermediate arrays (``rules.Ctx.facts``) and the typed cells they read — worded for a person.

Nothing here decides a flag: the flag is the rule's; the comparison sign is the flag's; the
numbers (per-person area, dependents' share, structures not durable) are the rule's own
intermediate values. This module only says them in Vietnamese or English.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .law import rules
from .law.schema import ENROLLED_RANK, HOUSEHOLDS, MEMBERS, VOCAB
from .law.standards import Standard
from .reasons import number

CONFIDENCE = {
    "vi": {
        "confirmed": "đã xác nhận",
        "secondary": "nguồn thứ cấp",
        "best_reading": "cách hiểu tốt nhất, cần kiểm tra",
    },
    "en": {
        "confirmed": "confirmed",
        "secondary": "secondary source",
        "best_reading": "best reading, to verify",
    },
}


def yes_no(value: bool, lang: str) -> str:
    return ("có" if value else "không") if lang == "vi" else ("yes" if value else "no")


def code_label(vocab: str, code: object, lang: str) -> str:
    """A code as a person reads it: its Vietnamese label (vi) or the code itself (en)."""
    if code is None or (isinstance(code, float) and math.isnan(code)) or code is pd.NA:
        return "(trống)" if lang == "vi" else "(blank)"
    code = str(code)
    labels = VOCAB.get(vocab, {}).get(code)
    return labels[0] if lang == "vi" and labels else code


def _cell(frame: pd.DataFrame, i: int, name: str) -> object:
    if name not in frame:
        return None
    v = frame[name].iloc[i]
    return None if v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v


def sub_context(ctx: rules.Ctx, pos: int) -> rules.Ctx:
    """The context of one household (its row and its members' rows), facts recorded."""
    sel = ctx.hh_pos == pos
    return rules.Ctx(
        ctx.households.iloc[[pos]],
        ctx.members[sel],
        np.zeros(int(sel.sum()), dtype=np.int64),
        ctx.n_members[[pos]],
        ctx.age[sel],
        ctx.age_months[sel],
        ctx.school_age[sel],
        ctx.survey_year[sel],
        ctx.sex[sel],
        facts={},
    )


def _who(c: rules.Ctx, i: int, lang: str) -> str:
    name = _cell(c.members, i, "full_name")
    if name is None:
        row = c.members.index[i]
        name = f"thành viên dòng {row}" if lang == "vi" else f"the member on row {row}"
    age = c.age[i]
    if np.isnan(age):
        return str(name)
    return f"{name}, {int(age)} tuổi" if lang == "vi" else f"{name}, aged {int(age)}"


def _member_detail(rule: str, c: rules.Ctx, i: int, lang: str) -> str:
    vi = lang == "vi"
    m = c.members
    if rule == "employment":
        return code_label("work_status", _cell(m, i, "work_status"), lang)
    if rule == "nutrition":
        return "suy dinh dưỡng" if vi else "stunted or underweight"
    if rule == "health_insurance":
        return "không có thẻ BHYT" if vi else "no health insurance card"
    if rule == "adult_education":
        edu = code_label("education", _cell(m, i, "education"), lang)
        enrolled = code_label("enrolled", _cell(m, i, "enrolled"), lang)
        return (
            f"bằng cấp cao nhất: {edu}; đang học: {enrolled}"
            if vi
            else f"highest credential: {edu}; enrolled: {enrolled}"
        )
    if rule == "school_attendance":
        enrolled = code_label("enrolled", _cell(m, i, "enrolled"), lang)
        born = _cell(m, i, "birth_date_year")
        school_age = int(c.school_age[i]) if not np.isnan(c.school_age[i]) else None
        extra = f" (sinh năm {int(born)}, tuổi đi học {school_age})" if vi else ""
        if not vi and born is not None:
            extra = f" (born {int(born)}, school age {school_age})"
        return (f"đang học: {enrolled}" if vi else f"enrolled: {enrolled}") + extra
    if rule == "dependents":
        parts = []
        if _cell(m, i, "disabled") is True:
            parts.append("khuyết tật" if vi else "disabled")
        if _cell(m, i, "social_allowance") is True:
            parts.append("hưởng trợ cấp xã hội hằng tháng" if vi else "monthly social allowance")
        return ", ".join(parts) or ("trẻ em" if vi else "child")
    if rule == "telecom":
        return "dùng điện thoại/internet" if vi else "uses a phone or the internet"
    return ""


def _members_facts(rule: str, c: rules.Ctx, facts: dict, deprived: bool, lang: str) -> list[str]:
    vi = lang == "vi"
    hits = np.flatnonzero(facts.get("members", np.zeros(0, bool)))
    lines = [f"{_who(c, i, lang)}: {_member_detail(rule, c, i, lang)}" for i in hits]
    if rule == "school_attendance" and "required" in facts:  # the level the rule asked for
        names = facts.get("_levels", {})
        needed = [names.get(int(facts["required"][i]), "") for i in hits]
        lines = [
            f"{line}; {'cần' if vi else 'required'}: {code_label('enrolled', lv, lang)}"
            if lv
            else line
            for line, lv in zip(lines, needed, strict=True)
        ]
    if rule == "telecom":
        if deprived:
            return [
                "không thành viên nào dùng điện thoại/internet"
                if vi
                else "no member uses a phone or the internet"
            ]
        return lines[:1]
    if rule == "dependents":
        share = float(facts["share"][0]) if "share" in facts else float("nan")
        n = int(c.n_members[0]) if not np.isnan(c.n_members[0]) else 0
        if np.isnan(share):
            return lines
        p = facts.get("_share_above")
        sign = ">" if deprived else "≤"
        pct = number(share * 100, lang, 1)
        limit = number(float(p) * 100, lang, 0) if p is not None else ""
        head = (
            f"{len(hits)}/{n} người phụ thuộc = {pct}% {sign} {limit}%"
            if vi
            else f"{len(hits)}/{n} dependents = {pct}% {sign} {limit}%"
        )
        return [head, *lines]
    if deprived:
        return lines
    scope = facts.get("scope")
    if scope is not None:
        k = int(scope.sum())
        if k == 0:
            return ["không có thành viên nào trong diện xét" if vi else "no member in its scope"]
        return [
            f"{k} thành viên trong diện xét, không ai thiếu hụt"
            if vi
            else f"{k} members in its scope, none deprived"
        ]
    return ["không thành viên nào thiếu hụt" if vi else "no member deprived"]


def _label(sheet: str, name: str) -> str:
    spec = HOUSEHOLDS if sheet == "households" else MEMBERS
    return spec.column(name).label_vi if name in spec.names else name


def _household_facts(
    rule: str, c: rules.Ctx, facts: dict, deprived: bool, params, code: str, lang: str
) -> list[str]:
    vi = lang == "vi"
    hh = c.households
    if rule == "housing_area":
        area = _cell(hh, 0, "floor_area_m2")
        per = float(facts["per_person"][0]) if "per_person" in facts else float("nan")
        n = c.n_members[0]
        if area is None or np.isnan(per):
            return []
        sign = "<" if deprived else "≥"
        limit = number(params.min_m2_per_person, lang, 0)
        return [
            f"diện tích {number(float(area), lang, 0 if float(area).is_integer() else 2)} m² / "
            f"{int(n)} người = {number(per, lang, 2)} m² {sign} {limit} m²"
            if vi
            else f"floor area {number(float(area), lang, 2)} m² / {int(n)} members = "
            f"{number(per, lang, 2)} m² {sign} {limit} m²"
        ]
    if rule == "housing_quality":
        kind = _cell(hh, 0, "housing_type")
        if kind is not None:
            return [
                ("loại nhà: " if vi else "dwelling type: ") + code_label("housing_type", kind, lang)
            ]
        k = int(facts["not_durable"][0]) if "not_durable" in facts else 0
        sign = "≥" if deprived else "<"
        return [
            f"{k}/3 kết cấu (tường, cột, mái) không bền chắc {sign} "
            f"{params.non_durable_structures_min}"
            if vi
            else f"{k} of 3 structures (walls, pillars, roof) not durable {sign} "
            f"{params.non_durable_structures_min}"
        ]
    if rule in ("water", "toilet"):
        col = "water_source" if rule == "water" else "toilet_type"
        head = _label("households", col) if vi else col
        return [f"{head}: {code_label(col, _cell(hh, 0, col), lang)}"]
    if rule == "info_access":
        items = [*params.assets, *(["hears_loudspeaker"] if params.loudspeaker_counts else [])]
        has = [i for i in items if _cell(hh, 0, i) is True]
        names = [(_label("households", i) if vi else i) for i in (has or items)]
        if has:
            return [("có: " if vi else "has: ") + ", ".join(names)]
        return [("không có: " if vi else "none of: ") + ", ".join(names)]
    if rule == "reported":
        return [
            f"do người rà soát ghi ở cột dep_{code}"
            if vi
            else f"as the reviewer entered it in column dep_{code}"
        ]
    return []


def indicator_facts(std: Standard, c: rules.Ctx, code: str, derived: bool, lang: str) -> list[str]:
    """The facts behind ``code``'s derived flag, for the one-household context ``c``."""
    ind = std.indicators[code]
    facts = dict((c.facts or {}).get(code, {}))
    params = std.params(code)
    if ind.rule == "dependents":
        facts["_share_above"] = params.share_above
    if ind.rule == "school_attendance":
        facts["_levels"] = {ENROLLED_RANK[lv.level]: lv.level for lv in params.levels}
    if ind.rule in rules.MEMBER_RULES - {"housing_area"} and len(c.members) == 0:
        return ["không có thành viên nào" if lang == "vi" else "no member listed"]
    if ind.rule in rules.MEMBER_RULES - {"housing_area"}:
        return _members_facts(ind.rule, c, facts, derived, lang)
    return _household_facts(ind.rule, c, facts, derived, params, code, lang)


__all__ = ["CONFIDENCE", "code_label", "indicator_facts", "sub_context", "yes_no"]
