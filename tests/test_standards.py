"""Standard files: validated on load, errors name the file and key, the law stays in data."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import hh_row, m_row, write_workbook

import mdpoverty
from mdpoverty.cli.main import Exit, main
from mdpoverty.law.standards import bundled, load_standard, standard_for, thresholds_dir

SRC = Path(mdpoverty.__file__).parent


def test_bundled_standards_load_with_references() -> None:
    assert set(bundled()) >= {"vn-2016-2020", "vn-2022-2025", "vn-2027-2030"}
    for sid in bundled():
        std = load_standard(sid)
        assert std.reference and std.income.poverty_line.reference
        # the review round it is used for is data too (domain.md §2a)
        assert std.review is not None and std.review.reference and std.review.confidence
        for ind in std.indicators.values():
            assert ind.reference and ind.confidence in {"confirmed", "secondary", "best_reading"}


def test_2022_2025_values_as_the_decree_states() -> None:
    """Nghị định 07/2021/NĐ-CP Điều 3 (domain.md §2)."""
    std = load_standard("vn-2022-2025")
    assert (std.income.poverty_line.rural, std.income.poverty_line.urban) == (1_500_000, 2_000_000)
    assert (std.income.average_upper.rural, std.income.average_upper.urban) == (
        2_250_000,
        3_000_000,
    )
    assert (std.income.score_line.rural, std.income.score_line.urban) == (140, 175)
    assert std.deprivation.cutoff == 3 and len(std.codes) == 12
    assert std.retirement_age.months_for(2024, "female") == 56 * 12 + 4
    assert std.retirement_age.months_for(2021, "male") == 60 * 12 + 3
    assert std.retirement_age.months_for(2040, "male") == 62 * 12


def test_standard_of_the_review_round_a_date_belongs_to() -> None:
    """domain.md §2a: the periodic review 1 Sep – 14 Dec of year N sets the lists of N+1; a
    regular review during year N uses year N's standard. (Replaces the old pick by the survey
    date's calendar year, which classed the late-2026 review by the 2022–2025 lines.)"""
    assert standard_for(dt.date(2025, 10, 1)).id == "vn-2022-2025"  # sets the 2026 lists
    assert standard_for(dt.date(2026, 8, 31)).id == "vn-2022-2025"  # regular review of 2026
    assert standard_for(dt.date(2026, 9, 1)).id == "vn-2027-2030"  # periodic, sets 2027
    assert standard_for(dt.date(2026, 12, 14)).id == "vn-2027-2030"
    assert standard_for(dt.date(2026, 12, 15)).id == "vn-2022-2025"  # regular review of 2026
    assert standard_for(dt.date(2027, 1, 15)).id == "vn-2027-2030"
    assert standard_for(dt.date(2021, 10, 1)).id == "vn-2022-2025"  # late 2021 set the 2022 lists
    assert standard_for(dt.date(2021, 6, 1)).id == "vn-2016-2020"  # extended through 2021
    assert standard_for(dt.date(2019, 10, 1)).id == "vn-2016-2020"
    assert standard_for(dt.date(2027, 10, 1)).id == "vn-2027-2030"


def _copy_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (thresholds_dir() / "vn-2022-2025.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "tinh.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("rural = 1_500_000", "rural = -5", "income.poverty_line.rural"),
        ("min_m2_per_person = 8", "min_m2_per_persn = 8", "indicators.housing_area.params"),
        ('confidence = "confirmed"', 'confidence = "sure"', "confidence"),
        ('rule = "water"', 'rule = "wather"', "indicators.water.rule"),
        ("cutoff = 3 ", "cutoff = 30 ", "cutoff"),
    ],
)
def test_bad_standard_file_names_file_and_key(
    tmp_path: Path, old: str, new: str, where: str
) -> None:
    path = _copy_with(tmp_path, old, new)
    with pytest.raises(mdpoverty.StandardError) as err:
        load_standard(path)
    assert str(path) in err.value.message and where in err.value.message


def test_broken_toml_and_unknown_name(tmp_path: Path) -> None:
    bad = tmp_path / "x.toml"
    bad.write_text("id = ", encoding="utf-8")
    with pytest.raises(mdpoverty.StandardError, match="not a valid TOML"):
        load_standard(bad)
    with pytest.raises(mdpoverty.StandardError, match="vn-2022-2025"):
        load_standard("vn-1999")


def test_province_standard_changes_the_class(tmp_path: Path) -> None:
    """A province with a higher line (as Ho Chi Minh City has) loads its own file."""
    path = _copy_with(tmp_path, "rural = 1_500_000", "rural = 1_800_000")
    survey = write_workbook(tmp_path / "s.xlsx", [hh_row("H1", income=1_700_000)], [m_row("H1")])
    assert mdpoverty.classify(survey).households.loc[0, "class"] == "average"
    assert mdpoverty.classify(survey, standard=path).households.loc[0, "class"] == "near_poor"
    res = CliRunner().invoke(
        main, ["classify", str(survey), "--standard", str(path), "--format", "csv"]
    )
    assert res.exit_code == Exit.OK and "near_poor" in res.stdout


def test_bad_standard_from_cli_is_one_line(tmp_path: Path, example_survey: Path) -> None:
    path = _copy_with(tmp_path, "rural = 1_500_000", "rural = 'a lot'")
    res = CliRunner().invoke(main, ["classify", str(example_survey), "--standard", str(path)])
    assert res.exit_code == Exit.USAGE
    assert len(res.stderr.strip().splitlines()) == 1 and "tinh.toml" in res.stderr


def _numbers_in(path: Path) -> set[float]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    doc_nodes = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef)
        and n.body
        and isinstance(n.body[0], ast.Expr)
    }
    return {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, int | float)
        and not isinstance(n.value, bool)
        and id(n) not in doc_nodes
    }


def test_no_number_from_the_law_in_the_rules() -> None:
    """Lines, scores, ages, cutoffs and the review window live in data/thresholds, never in
    the rules, the pipeline or the pick of a round's standard."""
    law_numbers = set()
    for sid in bundled():
        text = (thresholds_dir() / f"{sid}.toml").read_text(encoding="utf-8")
        law_numbers |= {float(x.replace("_", "")) for x in re.findall(r"\b\d[\d_]*\b", text)}
    law_numbers -= {0.0, 1.0, 2.0, 3.0, 12.0}  # indices, month arithmetic, a year's 12 months
    pipeline = ("core.py", "context.py", "figures.py", "frames.py")
    for module in ("law/rules.py", *pipeline, "law/rounds.py", "law/standard_export.py"):
        found = {float(v) for v in _numbers_in(SRC / module)} & law_numbers
        assert not found, f"{module} holds numbers from the law: {sorted(found)}"


def test_every_rule_a_standard_may_name_has_a_function_and_back() -> None:
    """standards.PARAMS (what a file may name) and rules.RULES (what runs) must not drift."""
    from mdpoverty.law.rules import RULES
    from mdpoverty.law.standards import PARAMS

    assert set(PARAMS) == set(RULES)


def test_a_standard_file_edited_on_disk_is_read_again(tmp_path: Path) -> None:
    """Loaded standards are cached (a district batch asks once per workbook), keyed on the
    file's content, so an officer's edit is never ignored — even one of the same size."""
    path = _copy_with(tmp_path, "rural = 1_500_000", "rural = 1_800_000")
    first = load_standard(path)
    assert load_standard(path) is first  # unchanged file: the cached object
    assert first.income.poverty_line.rural == 1_800_000
    text = path.read_text(encoding="utf-8").replace("rural = 1_800_000", "rural = 1_900_000")
    path.write_text(text, encoding="utf-8")
    assert load_standard(path).income.poverty_line.rural == 1_900_000


def test_a_folder_or_unreadable_standard_is_one_line(tmp_path: Path) -> None:
    # a copy of the 2022–2025 file: the example's 2025 round has the columns it needs
    survey = Path(__file__).resolve().parents[1] / "examples" / "previous-round.xlsx"
    unreadable = _copy_with(tmp_path, "rural = 1_500_000", "rural = 1_500_000")
    unreadable.chmod(0)
    for target in (tmp_path, unreadable):
        res = CliRunner().invoke(main, ["classify", str(survey), "--standard", str(target)])
        if target == unreadable and res.exit_code == Exit.OK:
            continue  # running as root: the file can be read after all
        assert res.exit_code == Exit.USAGE, res.output
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and str(target) in lines[0], res.stderr
        assert "lỗi nội bộ" not in res.stderr  # the internal-error line, in Vietnamese
