"""The optional household columns of the survey contract, drawn for the example surveys:
causes of poverty, support needs, support received, no labour capacity, local ethnic
minority (docs/survey-contract.md). Written from the contract, not from mdpoverty's data.

They are drawn from their own random stream (seeded from the survey's seed), so adding them
changed no other value of the examples: every household keeps its class.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CAUSES = {
    "reason_land": ("Thiếu đất sản xuất", 0.25),
    "reason_capital": ("Thiếu vốn", 0.45),
    "reason_labour": ("Thiếu lao động", 0.12),
    "reason_tools": ("Thiếu công cụ sản xuất", 0.18),
    "reason_knowledge": ("Thiếu kiến thức sản xuất", 0.22),
    "reason_skills": ("Thiếu kỹ năng lao động", 0.2),
    "reason_illness": ("Ốm đau / tai nạn", 0.14),
    "reason_other": ("Nguyên nhân khác", 0.05),
}
NEEDS = {
    "need_health": ("Nhu cầu hỗ trợ y tế", 0.3),
    "need_education": ("Nhu cầu hỗ trợ giáo dục", 0.25),
    "need_production": ("Nhu cầu hỗ trợ sản xuất", 0.4),
    "need_credit": ("Nhu cầu hỗ trợ tín dụng", 0.45),
    "need_housing": ("Nhu cầu hỗ trợ nhà ở", 0.15),
    "need_other": ("Nhu cầu hỗ trợ khác", 0.04),
}
SUPPORT = {
    "support_health": ("Đã được hỗ trợ y tế", 0.65),
    "support_education": ("Đã được hỗ trợ giáo dục", 0.3),
    "support_production": ("Đã được hỗ trợ sản xuất", 0.2),
    "support_credit": ("Đã được hỗ trợ tín dụng", 0.25),
    "support_housing": ("Đã được hỗ trợ nhà ở", 0.05),
}
FLAGS = {
    "no_labour_capacity": "Hộ không có khả năng lao động",
    "local_ethnic": "Hộ dân tộc thiểu số tại chỗ",
}
COLUMNS: tuple[str, ...] = (*CAUSES, *NEEDS, *SUPPORT, *FLAGS)
LABELS: dict[str, str] = {
    **{c: v[0] for c, v in (CAUSES | NEEDS | SUPPORT).items()},
    **FLAGS,
}
# Ethnic groups living in the example's highland communes before others settled there
LOCAL_GROUPS = frozenset({"H'Mông", "Dao", "Phù Lá", "Giáy"})


def _answers(
    rng: np.random.Generator, table: dict[str, tuple[str, float]], asked: np.ndarray
) -> dict[str, pd.Series]:
    """Yes/no per column where ``asked`` (blank elsewhere); about one asked household in
    eight leaves the whole block blank (it did not answer)."""
    n = asked.size
    answered = asked & (rng.random(n) >= 0.12)
    out = {}
    for col, (_, p) in table.items():
        yes = rng.random(n) < p
        out[col] = pd.Series(pd.arrays.BooleanArray(yes, ~answered))
    return out


def draw_groups(
    seed: int,
    expected: np.ndarray,
    previous: np.ndarray,
    head_ethnicity: np.ndarray,
    able_member: np.ndarray,
) -> pd.DataFrame:
    """The group columns of ``n`` households.

    ``expected`` / ``previous``: class index (0 poor, 1 near-poor, 2 average, 3 not poor)
    now and at the start of the period; ``head_ethnicity`` the head's ethnic group;
    ``able_member``: a member aged 15–59 whose work status is not "unable".
    Causes and needs are asked of poor and near-poor households; support received of those
    on the lists at the start of the period or now. No labour capacity is stated for a few
    households only (mdpoverty derives it from the members elsewhere); local ethnic
    minority is stated for every household.
    """
    rng = np.random.default_rng([seed, 13])
    n = expected.size
    listed = expected <= 1
    out = {
        **_answers(rng, CAUSES, listed),
        **_answers(rng, NEEDS, listed),
        **_answers(rng, SUPPORT, listed | (previous <= 1)),
    }
    stated = rng.random(n) < 0.05
    out["no_labour_capacity"] = pd.Series(pd.arrays.BooleanArray(~able_member, ~stated))
    local = np.isin(head_ethnicity, list(LOCAL_GROUPS)) & (rng.random(n) < 0.9)
    out["local_ethnic"] = pd.Series(pd.arrays.BooleanArray(local, np.zeros(n, bool)))
    return pd.DataFrame(out)
