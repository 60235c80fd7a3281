"""The previous round of one household, for ``mdpoverty.explain``: its class then, its
transition (the change list's, :func:`mdpoverty.reports.changes.transitions`), the Form 2 / 3
columns it counts in (:func:`mdpoverty.reports.changes._flows`) and what changed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .reasons import number
from .reports.changes import TRANSITIONS, _flows, link_rounds, transitions
from .reports.units import on_current_map

TRANSITIONS_EN = {
    "remained_poor": "remained poor",
    "remained_near_poor": "remained near-poor",
    "remained_above": "remained above the near-poor line",
    "poor_to_near_poor": "poor to near-poor",
    "escaped_poor": "escaped poverty, above the near-poor line",
    "near_poor_to_poor": "near-poor to poor",
    "escaped_near_poor": "escaped near-poverty",
    "re_entered_poor": "fell back into poverty",
    "re_entered_near_poor": "fell back into near-poverty",
    "newly_poor": "newly poor",
    "newly_near_poor": "newly near-poor",
    "moved_out": "other decrease: moved out, died, split, merged",
    "moved_in": "other increase: moved in, split",
    "not_classed": "not classed (data errors)",
}


def previous_round(result, pos: int, previous, lang: str) -> dict[str, Any]:
    from .explain import CLASS_TEXT

    hh, extra = result.households, result.extra
    hid = str(hh["household_id"].iloc[pos])
    # only this household's rows are linked: a few rows, not the whole survey per household
    now, now_extra = hh.iloc[[pos]], extra.iloc[[pos]]
    if previous is None:  # the survey's own previous_class column
        link = link_rounds(now, now_extra)
        prev_hh = None
    else:
        ids = previous.households["household_id"].astype("string").fillna("")
        same = (ids == hid).to_numpy(bool)
        # across the 2025 map reform, the previous row takes its current unit, as `changes` does
        prev_hh = on_current_map(previous.households[same], now)
        prev_extra = previous.extra[same] if len(previous.extra) == len(same) else None
        link = link_rounds(now, now_extra, prev_hh, prev_extra)
    mine = link[link["household_id"] == hid]
    here = mine[mine["class"] != ""] if (mine["class"] != "").any() else mine
    mine = here.head(1).reset_index(drop=True)
    if mine.empty:
        return {
            "class": None,
            "class_label": None,
            "transition": None,
            "transition_text": None,
            "form_columns": {},
            "changes": [],
        }
    code = str(transitions(mine).iloc[0])
    pcls = str(mine["previous_class"].iloc[0])
    columns = {}
    for form in ("2", "3"):
        flows = _flows(mine, form)["households"]
        columns[form] = [k for k, v in flows.items() if int(v[0])]
    text = TRANSITIONS.get(code, code) if lang == "vi" else TRANSITIONS_EN.get(code, code)
    return {
        "class": pcls or None,
        "class_label": CLASS_TEXT[lang].get(pcls) if pcls else None,
        "source": "previous_class" if previous is None else "previous",
        "transition": code,
        "transition_text": text,
        "form_columns": columns,
        "changes": _changes(hh.iloc[pos], prev_hh, hid, result.standard, lang),
    }


def _changes(now: pd.Series, prev_hh: pd.DataFrame | None, hid: str, std, lang: str) -> list[str]:
    """What differs between the rounds: income and each indicator's flag."""
    vi = lang == "vi"
    if prev_hh is None:
        return []
    ids = prev_hh["household_id"].astype("string").fillna("")
    hit = np.flatnonzero((ids == hid).to_numpy(bool))
    if not len(hit):
        return ["không có trong kỳ trước" if vi else "not in the previous round"]
    before = prev_hh.iloc[int(hit[0])]
    out = []
    a, b = before.get("income_per_capita"), now.get("income_per_capita")
    if a is not pd.NA and b is not pd.NA and a is not None and b is not None and a != b:
        out.append(
            f"thu nhập: {number(float(a), lang)} → {number(float(b), lang)} đ/người/tháng"
            if vi
            else f"income: {number(float(a), lang)} → {number(float(b), lang)} VND/person/month"
        )
    for code in std.codes:
        col = f"dep_{code}"
        if col not in prev_hh:
            continue
        x, y = before[col], now[col]
        if x is pd.NA or y is pd.NA or bool(x) == bool(y):
            continue
        ind = std.indicators[code]
        label = ind.label_vi if vi else ind.label_en
        if vi:
            out.append(
                f"{label}: {'thiếu hụt' if x else 'không thiếu hụt'} → "
                f"{'thiếu hụt' if y else 'không thiếu hụt'}"
            )
        else:
            out.append(
                f"{label}: {'deprived' if x else 'not deprived'} → "
                f"{'deprived' if y else 'not deprived'}"
            )
    if not out:
        out.append("thu nhập và các chỉ số không đổi" if vi else "income and indicators unchanged")
    return out


__all__ = ["TRANSITIONS_EN", "previous_round"]
