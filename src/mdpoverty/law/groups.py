"""The optional household columns that group households without changing their class:
causes of poverty, support needs, support received, no labour capacity, local ethnic minority
(docs/survey-contract.md). The code lists, headers and references are data:
``data/groups/household-groups.toml``. Forms 8 and 10 count these columns; the agencies'
lists read them.

:func:`group_frame` gives, per household, each column as stated (nullable boolean) and
``no_labour_capacity`` derived from the members where the survey leaves it blank.
"""

from __future__ import annotations

import functools
import tomllib

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .standards import Confidence, RetirementAge, data_dir

FILE = "household-groups.toml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Model):
    code: str
    column: str
    label_vi: str
    short_vi: str
    label_en: str
    aliases: list[str] = Field(default_factory=list)


class ItemList(_Model):
    reference: str
    confidence: Confidence
    items: list[Item] = Field(min_length=1)

    @property
    def columns(self) -> list[str]:
        return [i.column for i in self.items]


class Flag(_Model):
    column: str
    label_vi: str
    short_vi: str
    label_en: str
    aliases: list[str] = Field(default_factory=list)
    reference: str
    confidence: Confidence
    working_age_min: int | None = None


class Groups(_Model):
    id: str
    title: str
    reference: str
    confidence: Confidence
    causes: ItemList
    needs: ItemList
    support: ItemList
    no_labour_capacity: Flag
    local_ethnic: Flag

    @model_validator(mode="after")
    def _unique(self) -> Groups:
        names = self.columns
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"columns named twice: {', '.join(dup)}")
        return self

    @property
    def columns(self) -> list[str]:
        """Every column, in the contract's order."""
        return [
            *self.causes.columns,
            *self.needs.columns,
            *self.support.columns,
            self.no_labour_capacity.column,
            self.local_ethnic.column,
        ]

    def entries(self) -> list[Item | Flag]:
        return [
            *self.causes.items,
            *self.needs.items,
            *self.support.items,
            self.no_labour_capacity,
            self.local_ethnic,
        ]


@functools.cache
def load_groups() -> Groups:
    """The bundled code lists (a broken file is a programming error of the package: it is
    checked by the tests, so it raises)."""
    path = data_dir("groups") / FILE
    return Groups.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))


def _stated(hh: pd.DataFrame, name: str) -> pd.Series:
    if name in hh:
        return hh[name].astype("boolean")
    return pd.Series(pd.NA, index=hh.index, dtype="boolean")


def derived_no_labour_capacity(
    members: pd.DataFrame,
    hh_pos: np.ndarray,
    age: np.ndarray,
    age_months: np.ndarray,
    survey_year: np.ndarray,
    sex: np.ndarray,
    n_households: int,
    retirement: RetirementAge | None,
    has_members: np.ndarray,
) -> pd.Series:
    """Yes when no member of working age is able to work (work status other than
    ``unable``); no when one is; blank when it cannot be told (no members listed, no
    retirement schedule in the standard, or a working-age member whose work status or
    sex is blank and no other able member)."""
    g = load_groups().no_labour_capacity
    out = pd.array(np.zeros(n_households, bool), dtype="boolean")
    if retirement is None or g.working_age_min is None:
        out[:] = pd.NA
        return pd.Series(out)
    years = np.floor(np.nan_to_num(age, nan=-1))
    retire = retirement.months_per_member(survey_year, sex, np.nan)
    adult = years >= g.working_age_min
    months = np.nan_to_num(age_months, nan=-1)
    # working age where the sex is known; unknown (NaN) where the sex or age is not
    working = adult & (months < retire)
    unsure_age = (np.isnan(age) | (adult & np.isnan(retire))) & (hh_pos >= 0)
    status = members.get("work_status")
    if status is None:
        blank = np.ones(len(members), bool)
        unable = np.zeros(len(members), bool)
    else:
        blank = status.isna().to_numpy()
        unable = (status.astype("object") == "unable").fillna(False).to_numpy(bool)
    attached = hh_pos >= 0

    def per_household(mask: np.ndarray) -> np.ndarray:
        hit = mask & attached
        return np.bincount(hh_pos[hit], minlength=n_households)[:n_households] > 0

    able = per_household(working & ~blank & ~unable)
    unsure = per_household((working & blank) | unsure_age)
    value = ~able
    known = able | ~unsure
    known &= has_members
    return pd.Series(pd.arrays.BooleanArray(value, ~known))


def group_frame(hh: pd.DataFrame, derived_nlc: pd.Series) -> pd.DataFrame:
    """The group columns of each household (nullable booleans, aligned with ``hh``): as
    stated in the survey; ``no_labour_capacity`` derived where the survey leaves it blank,
    with ``no_labour_capacity_source`` = ``stated`` / ``derived`` / blank."""
    g = load_groups()
    out = pd.DataFrame({name: _stated(hh, name) for name in g.columns}, index=hh.index)
    nlc = g.no_labour_capacity.column
    stated = out[nlc]
    derived = pd.Series(derived_nlc.to_numpy(), index=hh.index, dtype="boolean")
    out[nlc] = stated.fillna(derived)
    source = pd.Series(pd.NA, index=hh.index, dtype="string")
    source[stated.notna()] = "stated"
    source[stated.isna() & derived.notna()] = "derived"
    out[f"{nlc}_source"] = source
    return out
