"""Which standard a review round uses (domain.md §2a), from tests/cases/rounds.toml.

Each ``[[round]]`` is a survey of one household per survey date (the baseline household of
``_baseline.toml``), with an optional ``as_of`` and ``standard``, and what the law gives: the
standard used, the year whose lists the round sets, and which rows (1-based positions in
``survey_dates``) are warned as dated in another round. Run through the library and through
``mdpoverty classify``, whose stderr must say which standard it used and why.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import mdpoverty
from mdpoverty.cli.main import main

CASES_DIR = Path(__file__).parent / "cases"
BASELINE = tomllib.loads((CASES_DIR / "_baseline.toml").read_text(encoding="utf-8"))


def _load() -> list[dict]:
    path = CASES_DIR / "rounds.toml"
    if not path.exists():
        return []
    return tomllib.loads(path.read_text(encoding="utf-8")).get("round", [])


ROUNDS = _load()


def _frames(case: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    dates = case["survey_dates"]
    ids = [f"H{i}" for i in range(1, len(dates) + 1)]
    # every indicator decided: the reviewer's dep_waste (2027–2030) and dep_ of the 2016–2020
    # health-care indicator, so that the only issues are about dates
    hh = pd.DataFrame(
        [
            {
                **BASELINE["household"],
                "household_id": i,
                "survey_date": d,
                "dep_waste": "no",
                "dep_healthcare_access": "no",
            }
            for i, d in zip(ids, dates, strict=True)
        ]
    )
    members = pd.DataFrame([{**BASELINE["member"], "household_id": i} for i in ids])
    return hh.replace("", None), members.replace("", None)


def _as_of(case: dict) -> dt.date | None:
    return dt.date.fromisoformat(case["as_of"]) if case.get("as_of") else None


def test_the_round_cases_are_there() -> None:
    assert ROUNDS, "tests/cases/rounds.toml has no [[round]]"


@pytest.mark.parametrize("case", ROUNDS, ids=[c["name"] for c in ROUNDS])
def test_round(case: dict) -> None:
    hh, members = _frames(case)
    result = mdpoverty.classify_frames(
        hh, members, standard=case.get("standard"), as_of=_as_of(case)
    )
    assert result.standard.id == case["expect_standard"], result.choice.text("en")
    assert result.choice is not None
    assert result.choice.lists_year == case["expect_lists_year"], result.choice.text("en")
    issues = result.issues
    warned = issues[issues["check"] == "other_round"]
    assert (warned["field"] == "survey_date").all() and (warned["severity"] == "warning").all()
    rows = sorted(int(r) - 1 for r in warned["row"])  # Excel row: the header is row 1
    assert rows == sorted(case.get("expect_warning_rows", [])), issues.to_string()


@pytest.mark.parametrize("case", ROUNDS, ids=[c["name"] for c in ROUNDS])
def test_round_stderr_says_which_standard_and_why(case: dict, tmp_path: Path) -> None:
    hh, members = _frames(case)
    hh.to_csv(tmp_path / "hh.csv", index=False)
    members.to_csv(tmp_path / "m.csv", index=False)
    args = ["classify", str(tmp_path / "hh.csv"), "--members", str(tmp_path / "m.csv")]
    args += ["--format", "csv", "--lang", "en"]
    if case.get("standard"):
        args += ["--standard", case["standard"]]
    if case.get("as_of"):
        args += ["--as-of", case["as_of"]]
    res = CliRunner().invoke(main, args)
    assert res.exit_code in (0, 1), res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("standard ")]
    assert len(lines) == 1, res.stderr
    line = lines[0]
    assert line.startswith(f"standard {case['expect_standard']}")
    assert f"{case['expect_lists_year']} lists" in line
    if case.get("standard"):
        assert "--standard" in line
    provisional = [ln for ln in res.stderr.splitlines() if "PROVISIONAL" in ln]
    assert len(provisional) == (1 if case["expect_standard"] == "vn-2027-2030" else 0), res.stderr
