"""The indicators and the class, as the law states them (Nghị định 07/2021/NĐ-CP, Điều 3).

One small vectorised function per indicator: it takes the survey context and the indicator's
parameters from the standard file, declares the values it needs (a needed value that is blank
is an error on that cell, never a silent "not deprived"), and returns one flag per household.
No number from the law appears here; all come from ``data/thresholds/*.toml``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import standards as S
from .schema import ENROLLED_RANK


@dataclass
class Need:
    indicator: str | None  # the indicator that needs it; None: every age-based indicator
    sheet: str  # "households" or "members"
    column: str
    missing: np.ndarray  # rows of that sheet where the value is needed and blank
    overridable: bool = True  # a filled dep_<indicator> cell makes it unneeded


@dataclass
class Ctx:
    """Typed survey, aligned for the rules. Member arrays are aligned with ``members`` rows."""

    households: pd.DataFrame
    members: pd.DataFrame
    hh_pos: np.ndarray  # household position of each member; -1 if not attached
    n_members: np.ndarray  # members per household (float, NaN if unknown)
    age: np.ndarray  # completed years on the survey date (float, NaN if unknown)
    age_months: np.ndarray  # completed months (full birth date) or years * 12
    school_age: np.ndarray  # survey year - birth year
    survey_year: np.ndarray  # per member
    sex: np.ndarray  # per member: "male" / "female" / ""
    needs: list[Need] = field(default_factory=list)
    current: str | None = None  # the indicator being computed
    # when a dict (``mdpoverty.explain``): each rule's intermediate facts, per indicator —
    # the member or household arrays that decided its flag, read back to explain it
    facts: dict[str, dict[str, np.ndarray]] | None = None
    # the income figures of each household as the class read them (core._income)
    income: dict[str, np.ndarray] = field(default_factory=dict)

    def fact(self, name: str, value: np.ndarray) -> None:
        """Keep an intermediate array of the current rule, when explaining."""
        if self.facts is not None and self.current is not None:
            self.facts.setdefault(self.current, {})[name] = value

    @property
    def n(self) -> int:
        return len(self.households)

    # -- member helpers
    def any_member(self, mask: np.ndarray) -> np.ndarray:
        hit = mask & (self.hh_pos >= 0)
        return np.bincount(self.hh_pos[hit], minlength=self.n)[: self.n] > 0

    def count_members(self, mask: np.ndarray) -> np.ndarray:
        hit = mask & (self.hh_pos >= 0)
        return np.bincount(self.hh_pos[hit], minlength=self.n)[: self.n]

    def _col(self, frame: pd.DataFrame, name: str) -> pd.Series:
        if name in frame:
            return frame[name]
        return pd.Series(pd.NA, index=frame.index, dtype="object")

    def m_yes(self, name: str) -> np.ndarray:
        return self._col(self.members, name).fillna(False).to_numpy(dtype=bool)

    def m_no(self, name: str) -> np.ndarray:
        s = self._col(self.members, name)
        return (s.notna() & ~s.fillna(True).astype(bool)).to_numpy(dtype=bool)

    def m_code(self, name: str) -> np.ndarray:
        return self._col(self.members, name).astype("object").fillna("").to_numpy(dtype=object)

    def hh_yes(self, name: str) -> np.ndarray:
        return self._col(self.households, name).fillna(False).to_numpy(dtype=bool)

    def hh_code(self, name: str) -> np.ndarray:
        return self._col(self.households, name).astype("object").fillna("").to_numpy(dtype=object)

    def m_map(self, name: str, table: dict[str, object], default: object) -> np.ndarray:
        return _lookup(self._col(self.members, name), table, default)

    def m_in(self, name: str, codes: list[str]) -> np.ndarray:
        return _lookup(self._col(self.members, name), dict.fromkeys(codes, True), False).astype(
            bool
        )

    def hh_in(self, name: str, codes: list[str]) -> np.ndarray:
        return _lookup(self._col(self.households, name), dict.fromkeys(codes, True), False).astype(
            bool
        )

    def hh_filled(self, name: str) -> np.ndarray:
        return self._col(self.households, name).notna().to_numpy()

    def hh_num(self, name: str) -> np.ndarray:
        return pd.to_numeric(self._col(self.households, name), errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )

    # -- needs
    def need(self, sheet: str, column: str, where: np.ndarray, *, always: bool = False) -> None:
        """``column`` must be filled on the rows of ``sheet`` selected by ``where``."""
        frame = self.households if sheet == "households" else self.members
        blank = self._col(frame, column).isna().to_numpy()
        self.needs.append(Need(self.current, sheet, column, where & blank, overridable=not always))

    def need_missing(self, sheet: str, column: str, missing: np.ndarray) -> None:
        self.needs.append(Need(self.current, sheet, column, missing))


def _lookup(s: pd.Series, table: dict[str, object], default: object) -> np.ndarray:
    """``table[code]`` for each row (``default`` when blank or absent), looked up once per
    category rather than once per row."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        per_category = [table.get(c, default) for c in s.cat.categories] + [default]
        return np.asarray(per_category)[s.cat.codes.to_numpy()]  # code -1 (blank) -> default
    return np.asarray([table.get(v, default) if isinstance(v, str) else default for v in s])


def _years(values: np.ndarray) -> np.ndarray:
    return np.nan_to_num(values, nan=-1.0)


# ---------------------------------------------------------------- the 12 indicators


def employment(c: Ctx, p: S.EmploymentP, retirement: S.RetirementAge) -> np.ndarray:
    """At least one working-age member is unemployed or works for a wage without a contract.

    Working age: from ``working_age_min`` until the retirement age of the member's sex in the
    survey year (Bộ luật Lao động 2019, Điều 169), compared in completed months.
    """
    age = _years(c.age)
    adult = age >= p.working_age_min
    c.need("members", "sex", adult)
    c.need("members", "work_status", adult)
    retire = retirement.months_per_member(c.survey_year, c.sex, np.inf)
    working = adult & (np.nan_to_num(c.age_months, nan=-1) < retire)
    c.fact("scope", working)
    c.fact("members", working & c.m_in("work_status", p.deprived_work_status))
    return c.any_member(working & c.m_in("work_status", p.deprived_work_status))


def dependents(c: Ctx, p: S.DependentsP) -> np.ndarray:
    """Dependents are more than ``share_above`` of members: children under ``child_age_below``
    and elderly (≥ ``elderly_age_min``) or disabled members on a monthly social allowance."""
    age = _years(c.age)
    child = (age >= 0) & (age < p.child_age_below)
    elderly = age >= p.elderly_age_min
    grown = age >= p.child_age_below
    disabled = c.m_yes("disabled")
    if p.allowance_required:
        allowance = c.m_yes("social_allowance")
        c.need("members", "social_allowance", grown)
        c.need("members", "disabled", grown & ~elderly & allowance)
        dep = child | ((elderly | disabled) & allowance)
    else:
        c.need("members", "disabled", grown & ~elderly)
        dep = child | elderly | disabled
    c.fact("members", dep)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = c.count_members(dep) / c.n_members
    c.fact("share", share)
    return np.nan_to_num(share, nan=0.0) > p.share_above


def nutrition(c: Ctx, p: S.ChildAgeP) -> np.ndarray:
    """At least one child under ``child_age_below`` is stunted or underweight."""
    age = _years(c.age)
    child = (age >= 0) & (age < p.child_age_below)
    c.need("members", "malnourished", child)
    c.fact("scope", child)
    c.fact("members", child & c.m_yes("malnourished"))
    return c.any_member(child & c.m_yes("malnourished"))


def health_insurance(c: Ctx, p: S.AgeMinP) -> np.ndarray:
    """At least one member aged ``age_min`` or older has no health insurance."""
    scope = _years(c.age) >= p.age_min
    c.need("members", "health_insurance", scope)
    c.fact("scope", scope)
    c.fact("members", scope & c.m_no("health_insurance"))
    return c.any_member(scope & c.m_no("health_insurance"))


def adult_education(c: Ctx, p: S.AdultEducationP) -> np.ndarray:
    """At least one member of a band's ages has neither the band's credential nor is studying
    (nor, where the standard allows it, employer-certified on-the-job training)."""
    age = _years(c.age)
    if p.enrolled_counts:
        studying = c.m_map("enrolled", ENROLLED_RANK, 0).astype(int) > ENROLLED_RANK["none"]
    else:
        studying = np.zeros(len(age), dtype=bool)
    excused = studying | (c.m_yes("on_job_training") if p.on_job_training_counts else False)
    deprived = np.zeros(len(age), dtype=bool)
    for band in p.bands:
        upper = np.inf if band.age_max is None else band.age_max
        scope = (age >= band.age_min) & (age <= upper)
        if p.born_from_year is not None:
            born = c.members.get("birth_date_year")
            by = np.zeros(len(age)) if born is None else born.to_numpy(dtype=float, na_value=np.nan)
            scope &= np.nan_to_num(by, nan=-1) >= p.born_from_year
        if p.enrolled_counts:
            c.need("members", "enrolled", scope)
        c.need("members", "education", scope & ~studying)
        deprived |= scope & ~excused & ~c.m_in("education", band.credentials)
    c.fact("members", deprived)
    return c.any_member(deprived)


def school_attendance(c: Ctx, p: S.SchoolAttendanceP) -> np.ndarray:
    """At least one child aged ``age_min`` to under ``age_below`` is not attending the level
    appropriate to their school age (survey year − birth year), or is enrolled below it."""
    scope, behind = school_gaps(c, p)
    c.need("members", "enrolled", scope)
    c.fact("members", behind)
    return c.any_member(behind)


def school_gaps(c: Ctx, p: S.SchoolAttendanceP) -> tuple[np.ndarray, np.ndarray]:
    """Per member: in the indicator's scope (aged ``age_min`` to under ``age_below``), and
    in scope but not attending the level appropriate to their school age. Form 11 counts the
    children of the second mask."""
    age = _years(c.age)
    scope = (age >= p.age_min) & (age < p.age_below)
    levels = sorted(p.levels, key=lambda lv: lv.school_age_min)
    required = np.zeros(len(age), dtype=int)
    for lv in levels:
        required = np.where(c.school_age >= lv.school_age_min, ENROLLED_RANK[lv.level], required)
    rank = c.m_map("enrolled", ENROLLED_RANK, ENROLLED_RANK["none"]).astype(int)
    c.fact("scope", scope)
    c.fact("required", required)
    return scope, scope & (rank < required)


def housing_quality(c: Ctx, p: S.HousingQualityP) -> np.ndarray:
    """The dwelling is not durable: its type is non-durable, or, when no type is given, at
    least ``non_durable_structures_min`` of walls, pillars and roof are not durable."""
    no_type = ~c.hh_filled("housing_type")
    flags = ["durable_walls", "durable_pillars", "durable_roof"]
    flag_blank = np.zeros(c.n, dtype=bool)
    not_durable = np.zeros(c.n, dtype=int)
    for f in flags:
        s = c.households[f] if f in c.households else pd.Series(pd.NA, index=c.households.index)
        flag_blank |= s.isna().to_numpy()
        not_durable += (s.notna() & ~s.fillna(True).astype(bool)).to_numpy(dtype=int)
    c.need_missing("households", "housing_type", no_type & flag_blank)
    by_type = c.hh_in("housing_type", p.non_durable_types)
    c.fact("not_durable", not_durable)
    return np.where(no_type, not_durable >= p.non_durable_structures_min, by_type)


def housing_area(c: Ctx, p: S.HousingAreaP) -> np.ndarray:
    """Floor area per member is below ``min_m2_per_person``."""
    c.need("households", "floor_area_m2", np.ones(c.n, dtype=bool))
    with np.errstate(invalid="ignore", divide="ignore"):
        per_person = c.hh_num("floor_area_m2") / c.n_members
    c.fact("per_person", per_person)
    return np.nan_to_num(per_person, nan=np.inf) < p.min_m2_per_person


def water(c: Ctx, p: S.WaterP) -> np.ndarray:
    """The household has no safe domestic water source."""
    c.need("households", "water_source", np.ones(c.n, dtype=bool))
    return c.hh_filled("water_source") & ~c.hh_in("water_source", p.safe_sources)


def toilet(c: Ctx, p: S.ToiletP) -> np.ndarray:
    """The household has no hygienic latrine."""
    c.need("households", "toilet_type", np.ones(c.n, dtype=bool))
    return c.hh_filled("toilet_type") & ~c.hh_in("toilet_type", p.hygienic_types)


def telecom(c: Ctx, p: S._P) -> np.ndarray:
    """No member uses a telecom service (phone subscription or internet)."""
    c.need("members", "uses_telecom", c.hh_pos >= 0)
    c.fact("members", c.m_yes("uses_telecom"))
    return ~c.any_member(c.m_yes("uses_telecom"))


def info_access(c: Ctx, p: S.InfoAccessP) -> np.ndarray:
    """The household has none of the listed means of access to information and (where the
    standard counts it) cannot hear the village loudspeaker system."""
    everyone = np.ones(c.n, dtype=bool)
    has_any = np.zeros(c.n, dtype=bool)
    items = [*p.assets, *(["hears_loudspeaker"] if p.loudspeaker_counts else [])]
    for item in items:
        c.need("households", item, everyone)
        has_any |= c.hh_yes(item)
    return ~has_any


def reported(c: Ctx, p: S._P) -> np.ndarray:
    """An indicator the survey cannot derive: the reviewer's ``dep_`` column decides."""
    column = f"dep_{c.current}"
    c.need("households", column, np.ones(c.n, dtype=bool), always=True)
    return c.hh_yes(column)


# Rules that read members' ages: a blank birth date leaves them undetermined.
AGE_RULES = frozenset(
    {
        "employment",
        "dependents",
        "nutrition",
        "health_insurance",
        "adult_education",
        "school_attendance",
    }
)

# Rules that read the members or their number: undetermined for a household with none.
MEMBER_RULES = AGE_RULES | {"housing_area", "telecom"}

RULES: dict[str, Callable[..., np.ndarray]] = {
    f.__name__: f
    for f in (
        employment,
        dependents,
        nutrition,
        health_insurance,
        adult_education,
        school_attendance,
        housing_quality,
        housing_area,
        water,
        toilet,
        telecom,
        info_access,
        reported,
    )
}


def derive_flags(c: Ctx, std: S.Standard) -> dict[str, np.ndarray]:
    """The derived flag of every indicator of ``std`` (before reviewer overrides)."""
    flags = {}
    for code in std.codes:
        ind = std.indicators[code]
        c.current = code
        args = [c, std.params(code)]
        if ind.rule == "employment":
            args.append(std.retirement_age)
        flags[code] = RULES[ind.rule](*args)
    c.current = None
    return flags


# ---------------------------------------------------------------- the class


def classify_income(
    std: S.Standard,
    area: np.ndarray,
    income: np.ndarray,
    score: np.ndarray,
    count: np.ndarray,
) -> np.ndarray:
    """The class of each household from its area, income (or score A) and deprivation count.

    Nghị định 07/2021 Điều 3: poor = income ≤ line and ≥ cutoff deprivations; near-poor =
    income ≤ line and fewer; average = line < income ≤ upper band; otherwise not poor.
    Quyết định 59/2015 (``policy_line_or_deprivations``): income ≤ policy line alone is poor.
    Bounds are inclusive as written ("từ … trở xuống"). Returns "" where it cannot decide.
    """
    inc = std.income

    def by_area(v: S.ByArea | None) -> np.ndarray:
        if v is None:
            return np.full(len(area), np.nan)
        return np.where(area == "urban", v.urban, np.where(area == "rural", v.rural, np.nan))

    line, upper = by_area(inc.poverty_line), by_area(inc.average_upper)
    has_income = ~np.isnan(income)
    below = np.where(has_income, income <= line, score <= by_area(inc.score_line))
    known = has_income | ~np.isnan(score)
    deprived = count >= std.deprivation.cutoff
    poor = below & deprived
    near = below & ~deprived
    if std.rule == "policy_line_or_deprivations":
        very_poor = has_income & (income <= by_area(inc.policy_line))
        poor |= very_poor
        near &= ~very_poor
    average = has_income & (income > line) & (income <= upper)
    out = np.where(
        poor, "poor", np.where(near, "near_poor", np.where(average, "average", "not_poor"))
    )
    return np.where(known & ~np.isnan(line), out, "").astype(object)
