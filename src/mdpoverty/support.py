"""Who gets support: the rules of ``mdpoverty lists`` (issue 13, item 2; docs/lists.md).

Everything the law or a plan sets — the windows of newly escaped households, the priority
groups, what counts as stable work, which agency serves which deprivation, each list's
legal basis — is data: ``data/support/support-lists.toml`` and ``data/support/agencies.toml``
(a province passes its own agency file with ``--agencies FILE``). This module reads them and
selects the households, vectorised; :mod:`mdpoverty.write.support_lists` lays the lists out.

:func:`member_facts` is what the lists need from the members sheet, per household, computed
while classing (the members are not kept in the result): working-age members in stable work,
members with merit, with a disability, children under 16, a woman as head.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import StandardError
from .law.standards import data_dir

SUPPORT_FILE = "support-lists.toml"
AGENCIES_FILE = "agencies.toml"
LISTS = ("beneficiaries", "service-gaps", "stable-work", "credit", "social-protection")
CONFIDENCE = ("confirmed", "secondary", "best_reading")
TARGET_CLASSES = ("poor", "near_poor")


@dataclass(frozen=True)
class Agency:
    code: str
    name_vi: str
    sheet: str
    indicators: tuple[str, ...]
    reference: str
    confidence: str


@dataclass(frozen=True)
class Agencies:
    id: str
    title: str
    reference: str
    confidence: str
    agencies: tuple[Agency, ...]
    source: str

    def of(self, code: str) -> Agency | None:
        return next((a for a in self.agencies if code in a.indicators), None)


def _bad(path: Path | str, key: str, what: str) -> StandardError:
    return StandardError(
        f"{path}: {key}: {what}",
        f"{path}: {key}: {what}",
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StandardError(f"{path}: file not found", f"{path}: không tìm thấy tệp") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StandardError(
            f"{path}: cannot read it ({exc})", f"{path}: không đọc được ({exc})"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise StandardError(
            f"{path}: not valid TOML ({exc})", f"{path}: không đúng cú pháp TOML ({exc})"
        ) from None


def _text(d: dict[str, Any], key: str, path: Path | str, where: str) -> str:
    v = d.get(key)
    if not isinstance(v, str) or not v.strip():
        raise _bad(path, f"{where}.{key}", "a text is required")
    return v


def _confidence(d: dict[str, Any], path: Path | str, where: str) -> str:
    v = d.get("confidence")
    if v not in CONFIDENCE:
        raise _bad(path, f"{where}.confidence", f"one of {', '.join(CONFIDENCE)}")
    return str(v)


def load_agencies(path: str | Path | None = None) -> Agencies:
    """The indicator → agency mapping: the bundled file, or a province's own (``--agencies``).
    An indicator under two agencies, or a file without agencies, is refused (one line)."""
    p = Path(path) if path else data_dir("support") / AGENCIES_FILE
    doc = _read_toml(p)
    table = doc.get("agencies")
    if not isinstance(table, dict) or not table:
        raise _bad(p, "agencies", "at least one [agencies.CODE] table is required")
    out, seen = [], {}
    for code, a in table.items():
        where = f"agencies.{code}"
        if not isinstance(a, dict):
            raise _bad(p, where, "a table is required")
        inds = a.get("indicators")
        if not isinstance(inds, list) or not all(isinstance(i, str) for i in inds):
            raise _bad(p, f"{where}.indicators", "a list of indicator codes is required")
        for i in inds:
            if i in seen:
                raise _bad(p, f"{where}.indicators", f"'{i}' is already under {seen[i]}")
            seen[i] = code
        name = _text(a, "name_vi", p, where)
        sheet = str(a.get("sheet") or name)[:31]
        out.append(
            Agency(
                code,
                name,
                sheet,
                tuple(inds),
                _text(a, "reference", p, where),
                _confidence(a, p, where),
            )
        )
    sheets = [a.sheet for a in out]
    if len(set(sheets)) != len(sheets):
        raise _bad(p, "agencies.*.sheet", "two agencies have the same sheet name")
    return Agencies(
        str(doc.get("id", p.stem)),
        str(doc.get("title", "")),
        str(doc.get("reference", "")),
        _confidence(doc, p, "file") if "confidence" in doc else "best_reading",
        tuple(out),
        str(p) if path else f"data/support/{AGENCIES_FILE}",  # no install path in the output
    )


@functools.lru_cache(maxsize=1)
def load_support() -> dict[str, Any]:
    """The bundled ``support-lists.toml`` (windows, priorities, stable work, list headers)."""
    p = data_dir("support") / SUPPORT_FILE
    doc = _read_toml(p)
    for name, w in doc["windows"].items():
        if not isinstance(w.get("months"), int) or w["months"] <= 0:
            raise _bad(p, f"windows.{name}.months", "a whole number of months > 0")
        _confidence(w, p, f"windows.{name}")
    for name in LISTS:
        _text(doc["lists"][name], "basis_vi", p, f"lists.{name}")
    return doc


# ---------------------------------------------------------------- per-household member facts


def member_facts(ctx: Any, std: Any) -> pd.DataFrame:
    """Per household (aligned with ``ctx.households``): ``stable_workers`` (working-age
    members whose work status counts as stable; blank when no member is known or the
    standard has no working age), ``has_merit``, ``has_disabled``, ``has_children`` (under
    16), ``head_female``. Working age is the standard's (employment indicator's minimum age
    to the retirement age of the member's sex, in completed months), as the rules read it."""
    n = ctx.n
    # members actually listed (a stated member count without a members sheet tells nothing)
    known = ctx.count_members(np.ones(len(ctx.hh_pos), dtype=bool)) > 0
    age = np.nan_to_num(ctx.age, nan=-1.0)
    facts: dict[str, Any] = {}
    cfg = load_support()
    emp = std.indicators.get("employment")
    if emp is not None and std.retirement_age is not None:
        p = std.params("employment")
        retire = std.retirement_age.months_per_member(ctx.survey_year, ctx.sex, -np.inf)
        working = (age >= p.working_age_min) & (np.nan_to_num(ctx.age_months, nan=-1) < retire)
        stable = working & ctx.m_in("work_status", list(cfg["stable_work"]["statuses"]))
        count = ctx.count_members(stable).astype(float)
        facts["stable_workers"] = pd.array(np.where(known, count, np.nan), dtype="Int64")
    else:
        facts["stable_workers"] = pd.array([pd.NA] * n, dtype="Int64")
    children = next(i for i in cfg["priority"]["items"] if i["code"] == "children")
    child_below = children["age_below"]
    for name, mask in (
        ("has_merit", ctx.m_yes("merit")),
        ("has_disabled", ctx.m_yes("disabled")),
        ("has_children", (age >= 0) & (age < child_below)),
        ("head_female", ctx.m_in("relation", ["head"]) & (ctx.sex == "female")),
    ):
        facts[name] = pd.array(np.where(known, ctx.any_member(mask), False), dtype="boolean")
        facts[name][~known] = pd.NA
    return pd.DataFrame(facts)


__all__ = ["LISTS", "Agencies", "Agency", "load_agencies", "load_support", "member_facts"]
