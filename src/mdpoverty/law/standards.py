"""Load and validate a poverty standard (a TOML file under ``data/thresholds/``).

A standard holds every number the rules use — income lines, bands, score equivalents, the
deprivation cutoff, the retirement-age schedule, each indicator's parameters — with its legal
reference and a confidence mark. The rules read only what is loaded here, so a province can
load its own file with ``--standard path/to/file.toml``.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import StandardError

Confidence = Literal["confirmed", "secondary", "best_reading"]
AREAS = ("rural", "urban")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


M = TypeVar("M", bound=BaseModel)


class ByArea(_Model):
    """A value that differs between rural and urban areas, with its source."""

    rural: float = Field(ge=0)
    urban: float = Field(ge=0)
    unit: str = ""
    reference: str
    confidence: Confidence

    def for_area(self, area: str) -> float:
        return float(getattr(self, area))


class Income(_Model):
    poverty_line: ByArea
    # the average-living-standard band (MSTB): absent when the law has not published it, and
    # then no household is classed "average" (a province may add it in its own file)
    average_upper: ByArea | None = None
    policy_line: ByArea | None = None
    # checklist score A equivalent of the line: absent when unpublished (score-only households
    # are then reported, not guessed)
    score_line: ByArea | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Income:
        for area in AREAS:
            line = self.poverty_line.for_area(area)
            if self.average_upper is not None and self.average_upper.for_area(area) <= line:
                raise ValueError(f"average_upper.{area} must be above poverty_line.{area}")
            if self.policy_line is not None and self.policy_line.for_area(area) >= line:
                raise ValueError(f"policy_line.{area} must be below poverty_line.{area}")
        return self


class Deprivation(_Model):
    cutoff: int = Field(ge=1)
    points_per_indicator: int = Field(ge=1)
    reference: str
    confidence: Confidence


_AGE_RE = re.compile(r"^\s*(\d+)\s*y\s*(\d+)\s*m\s*$")


class RetirementYear(_Model):
    year: int
    male: int  # months
    female: int  # months

    @field_validator("male", "female", mode="before")
    @classmethod
    def _months(cls, value: Any) -> int:
        if isinstance(value, str):
            m = _AGE_RE.match(value)
            if not m:
                raise ValueError(f"expected an age like '60y3m', got {value!r}")
            years, months = int(m.group(1)), int(m.group(2))
            if months > 11:
                raise ValueError(f"months must be 0–11 in {value!r}")
            return years * 12 + months
        return value


class RetirementAge(_Model):
    reference: str
    confidence: Confidence
    schedule: list[RetirementYear] = Field(min_length=1)

    @field_validator("schedule")
    @classmethod
    def _sorted(cls, value: list[RetirementYear]) -> list[RetirementYear]:
        years = [r.year for r in value]
        if years != sorted(set(years)):
            raise ValueError("schedule years must be increasing and unique")
        return value

    def months_for(self, year: int, sex: str) -> int:
        """Retirement age in months for ``sex`` in ``year``; outside the table, its nearest end."""
        row = self.schedule[0]
        for r in self.schedule:
            if r.year <= year:
                row = r
        return int(getattr(row, sex))

    def months_per_member(self, survey_year: Any, sex: Any, fill: float) -> Any:
        """Each member's retirement age in months (NumPy, aligned with ``survey_year`` and
        ``sex``), by the year of their household's survey; ``fill`` where the year or the sex
        is unknown (the callers differ: not retired, unknown, or not of working age)."""
        import numpy as np
        import pandas as pd

        # each distinct year and sex once (hashing, not sorting; unknown: -1, the fill row)
        year_at, years = pd.factorize(np.asarray(survey_year))
        sex_at, sexes = pd.factorize(np.asarray(sex, dtype=object))
        # one value per (year, sex) met, then taken for every member
        table = np.full((len(years) + 1, len(sexes) + 1), fill, dtype=float)
        for i, year in enumerate(years):
            for j, s in enumerate(sexes):
                if year > 0 and s in ("male", "female"):
                    table[i, j] = self.months_for(int(year), s)
        return table[year_at, sex_at]  # -1 (unknown year or sex): the fill row or column


_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


class Review(_Model):
    """Which review round uses a standard (Quyết định 24/2021/QĐ-TTg): the periodic review
    from ``periodic_start`` to ``periodic_end`` (month-day, inclusive) of year N sets the lists
    of year N+1 when ``sets_next_year``; a regular review during year N uses year N's lists."""

    periodic_start: str
    periodic_end: str
    sets_next_year: bool
    reference: str
    confidence: Confidence

    @field_validator("periodic_start", "periodic_end")
    @classmethod
    def _month_day(cls, value: str) -> str:
        m = _MONTH_DAY.match(value)
        if not m:
            raise ValueError(f"expected a month-day like '09-01', got {value!r}")
        try:
            dt.date(2000, int(m.group(1)), int(m.group(2)))  # a leap year: 02-29 is a day
        except ValueError:
            raise ValueError(f"{value!r} is not a day of the year") from None
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Review:
        if self.periodic_end < self.periodic_start:
            raise ValueError("periodic_end is before periodic_start")
        return self

    @staticmethod
    def _key(month_day: str) -> int:
        month, day = month_day.split("-")
        return int(month) * 100 + int(day)

    @property
    def window(self) -> tuple[int, int]:
        """The periodic window as month * 100 + day keys (inclusive)."""
        return self._key(self.periodic_start), self._key(self.periodic_end)


class Service(_Model):
    label_vi: str
    label_en: str


class Indicator(_Model):
    code: str = ""
    number: int = Field(ge=1)
    service: str
    rule: str  # a key of PARAMS (and of rules.RULES); checked in Standard._consistent
    label_vi: str
    label_en: str
    reference: str
    confidence: Confidence
    params: dict[str, Any] = Field(default_factory=dict)


class EducationBand(_Model):
    age_min: int = Field(ge=0)
    age_max: int | None = None
    credentials: list[str]


class SchoolLevel(_Model):
    school_age_min: int = Field(ge=0)
    level: str


# Parameter models per rule: a typo in a standard file is an error naming the key, not a
# KeyError deep in a rule.
class _P(_Model):
    pass


class EmploymentP(_P):
    working_age_min: int
    deprived_work_status: list[str]


class DependentsP(_P):
    child_age_below: int
    elderly_age_min: int
    allowance_required: bool
    share_above: float = Field(gt=0, lt=1)


class ChildAgeP(_P):
    child_age_below: int


class AgeMinP(_P):
    age_min: int


class AdultEducationP(_P):
    enrolled_counts: bool
    on_job_training_counts: bool
    born_from_year: int | None = None
    bands: list[EducationBand] = Field(min_length=1)


class SchoolAttendanceP(_P):
    age_min: int
    age_below: int
    levels: list[SchoolLevel] = Field(min_length=1)


class HousingQualityP(_P):
    non_durable_types: list[str]
    non_durable_structures_min: int = Field(ge=1, le=3)


class HousingAreaP(_P):
    min_m2_per_person: float = Field(gt=0)


class WaterP(_P):
    safe_sources: list[str]


class ToiletP(_P):
    hygienic_types: list[str]


class InfoAccessP(_P):
    assets: list[str]
    loudspeaker_counts: bool


PARAMS: dict[str, type[_P]] = {
    "employment": EmploymentP,
    "dependents": DependentsP,
    "nutrition": ChildAgeP,
    "health_insurance": AgeMinP,
    "adult_education": AdultEducationP,
    "school_attendance": SchoolAttendanceP,
    "housing_quality": HousingQualityP,
    "housing_area": HousingAreaP,
    "water": WaterP,
    "toilet": ToiletP,
    "telecom": _P,
    "info_access": InfoAccessP,
    "reported": _P,
}


class Standard(_Model):
    """A validated poverty standard. ``indicators`` is ordered by indicator number."""

    id: str
    title: str
    title_en: str
    reference: str
    confidence: Confidence
    valid_from: dt.date
    valid_to: dt.date
    provisional: bool = False
    # what is unpublished, said on every run that uses a provisional standard
    provisional_note_vi: str = ""
    provisional_note_en: str = ""
    # valid_from..valid_to is the period whose lists the standard sets; [review] says which
    # review round sets the lists of a year
    review: Review | None = None
    rule: Literal["line_and_deprivations", "policy_line_or_deprivations"]
    income: Income
    deprivation: Deprivation
    retirement_age: RetirementAge | None = None
    services: dict[str, Service]
    indicators: dict[str, Indicator]
    source: str = ""

    @model_validator(mode="before")
    @classmethod
    def _name_indicators(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("indicators"), dict):
            data = dict(data)
            data["indicators"] = {
                code: {**spec, "code": code} if isinstance(spec, dict) else spec
                for code, spec in data["indicators"].items()
            }
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Standard:
        if self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        if self.rule == "policy_line_or_deprivations" and self.income.policy_line is None:
            raise ValueError("rule 'policy_line_or_deprivations' needs income.policy_line")
        numbers = sorted(i.number for i in self.indicators.values())
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"indicator numbers must be 1..{len(numbers)}, got {numbers}")
        for code, ind in self.indicators.items():
            if ind.rule not in PARAMS:
                raise ValueError(
                    f"indicators.{code}.rule {ind.rule!r} is not a known rule "
                    f"({', '.join(sorted(PARAMS))})"
                )
            if ind.service not in self.services:
                raise ValueError(f"indicators.{code}.service {ind.service!r} is not in [services]")
            try:
                PARAMS[ind.rule].model_validate(ind.params)
            except ValidationError as exc:
                raise ValueError(f"indicators.{code}.params: {_first_error(exc)}") from None
            if ind.rule == "employment" and self.retirement_age is None:
                raise ValueError("the employment rule needs a [retirement_age] schedule")
        if self.deprivation.cutoff > len(self.indicators):
            raise ValueError("deprivation.cutoff is larger than the number of indicators")
        return self

    @property
    def codes(self) -> list[str]:
        """Indicator codes in the order of their numbers."""
        return [c for c, _ in sorted(self.indicators.items(), key=lambda kv: kv[1].number)]

    def params(self, code: str) -> Any:
        ind = self.indicators[code]
        return PARAMS[ind.rule].model_validate(ind.params)

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to

    def sets_lists_of(self, year: int) -> bool:
        """Whether this standard sets the poor / near-poor lists used in ``year``."""
        return self.valid_from.year <= year <= self.valid_to.year


def _first_error(exc: ValidationError) -> str:
    """``key.path: message`` of the first error; model-level checks already name their key."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


def data_dir(kind: str) -> Path:
    """Where the bundled ``data/<kind>`` files are: in the wheel, or in a source checkout."""
    packaged = resources.files("mdpoverty").joinpath("_data", kind)
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "data" / kind


def thresholds_dir() -> Path:
    """Where the bundled standard files are."""
    return data_dir("thresholds")


def bundled() -> list[str]:
    return STANDARD.bundled()


class DataKind(NamedTuple):
    """A kind of bundled data file (``data/<folder>/*.toml``) and its name in messages."""

    folder: str
    name_en: str  # "standard"
    name_vi: str  # "chuẩn"
    file_vi: str  # "tệp chuẩn"

    def bundled(self) -> list[str]:
        return sorted(p.stem for p in data_dir(self.folder).glob("*.toml"))


STANDARD = DataKind("thresholds", "standard", "chuẩn", "tệp chuẩn")


def load_data_file(name_or_path: str | os.PathLike[str], kind: DataKind, model: type[M]) -> M:
    """A bundled file of ``kind`` by id, or any TOML file by path, validated as ``model``.

    Raises :class:`StandardError` naming the file and the key at fault.
    """
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        path = data_dir(kind.folder) / f"{name_or_path}.toml"
        if not path.exists():
            names = ", ".join(kind.bundled())
            raise StandardError(
                f"unknown {kind.name_en} {str(name_or_path)!r}; bundled: {names}",
                f"không có {kind.name_vi} {str(name_or_path)!r}; có sẵn: {names}",
            )
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise StandardError(
            f"{path}: {kind.name_en} file not found", f"{path}: không tìm thấy {kind.file_vi}"
        ) from None
    except IsADirectoryError:
        raise StandardError(
            f"{path}: is a folder, not a {kind.name_en} file (.toml)",
            f"{path}: là thư mục, không phải {kind.file_vi} (.toml)",
        ) from None
    except OSError as exc:
        raise StandardError(
            f"{path}: cannot read the {kind.name_en} file ({exc.strerror})",
            f"{path}: không đọc được {kind.file_vi} ({exc.strerror})",
        ) from None
    return _parse_file(path, content, kind, model)


@functools.lru_cache(maxsize=32)
def _parse_file(path: Path, content: bytes, kind: DataKind, model: type[M]) -> M:
    """Parse and validate one file's bytes; cached by path and content (a district batch
    picks the standard once per workbook), so an edited file is always read again. The
    models are frozen."""
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StandardError(
            f"{path}: not a valid TOML file ({exc})", f"{path}: tệp TOML không hợp lệ ({exc})"
        ) from None
    try:
        return model.model_validate({**data, "source": str(path)})
    except ValidationError as exc:
        where = _first_error(exc)
        raise StandardError(
            f"{path}: invalid {kind.name_en}: {where}", f"{path}: {kind.file_vi} sai: {where}"
        ) from None


def load_standard(name_or_path: str | os.PathLike[str]) -> Standard:
    """Load a bundled standard by id (``vn-2022-2025``) or any TOML file by path.

    Raises :class:`StandardError` naming the file and the key at fault.
    """
    return load_data_file(name_or_path, STANDARD, Standard)


def standard_for(day: dt.date) -> Standard:
    """The bundled standard of the review round that ``day`` belongs to: a survey taken in
    the periodic review of late 2026 is classed by the standard that sets the 2027 lists
    (domain §2a; the window is the ``[review]`` table of the standard files)."""
    from .rounds import standard_for_day

    return standard_for_day(day)


def standard_for_flags(columns: Iterable[object]) -> Standard | None:
    """The bundled standard whose flag columns (``dep_<code>`` in its order) are exactly the
    ``dep_`` columns of a classify output, else None: a 2027–2030 output (``dep_waste``) is
    read back as one, not as 2022–2025's."""
    deps = [str(c) for c in columns if str(c).startswith("dep_")]
    if not deps:
        return None
    found = [load_standard(name) for name in bundled()]
    matches = [s for s in found if [f"dep_{c}" for c in s.codes] == deps]
    matches.sort(key=lambda s: s.provisional)  # a settled standard before a provisional one
    return matches[0] if matches else None
