"""``mdpoverty measures`` through Click's runner: the CSV contract, CLI == library, formats,
notes on stderr and exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from mdpoverty.af.measures import measures
from mdpoverty.cli.main import Exit
from mdpoverty.cli.measures import measures as command
from mdpoverty.law.standards import load_standard

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
# the example survey is the 2026 round, classed under 2027–2030 (waste, no info_access)
CODES = load_standard("vn-2027-2030").codes
CONTRACT = [
    "group",
    "unit_count",
    "H",
    "A",
    "M0",
    *(f"h_{c}" for c in CODES),
    *(f"contrib_{c}" for c in CODES),
]


def run(*args: str):
    return CliRunner().invoke(command, [str(a) for a in args])


def test_csv_by_commune_contract(example_survey):
    r = run(example_survey, "--by", "commune")
    assert r.exit_code == Exit.OK, r.output
    out = pd.read_csv(io.StringIO(r.stdout))
    assert list(out.columns[: len(CONTRACT)]) == CONTRACT
    assert out.loc[0, "group"] == "all"
    assert out["group"].iloc[1:].tolist() == sorted(out["group"].iloc[1:])
    # ratios are fractions to six decimals; contributions sum to 100
    text_rows = r.stdout.splitlines()[1].split(",")
    assert all(len(v.split(".")[1]) <= 6 for v in text_rows[2:5] if "." in v)
    contrib = out[[f"contrib_{c}" for c in CODES]].sum(axis=1)
    assert (contrib - 100).abs().max() < 1e-4
    assert out.loc[0, "unit_count"] == out["unit_count"].iloc[1:].sum()
    assert "census" in r.stderr or "tổng điều tra" in r.stderr


def test_cli_equals_library(example_survey):
    r = run(example_survey, "--by", "commune,area", "--format", "json", "--unit", "households")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    lib = measures(example_survey, by="commune,area", unit="households")
    got = pd.DataFrame(doc["measures"])
    assert got["group"].tolist() == lib.measures["group"].tolist()
    for col in ["H", "A", "M0", *(f"h_{c}" for c in CODES)]:
        assert got[col].tolist() == pytest.approx(lib.measures[col].round(6).tolist())
    assert doc["settings"]["k"] == 0.25 and doc["settings"]["unit"] == "households"
    assert [n["id"] for n in doc["notes"]] == [n.id for n in lib.notes]


def test_table_format_is_readable(example_survey):
    r = run(example_survey, "--by", "commune", "--format", "table", "--lang", "en")
    assert r.exit_code == 0, r.output
    assert "Alkire–Foster" in r.stdout and "Xã Bắc Hà" in r.stdout
    assert "Indicators (all)" in r.stdout and "Domestic water" in r.stdout


def test_k_as_fraction_and_percent_refused(example_survey):
    assert run(example_survey, "--k", "1/3").exit_code == 0
    r = run(example_survey, "--k", "33")
    assert r.exit_code == Exit.USAGE
    assert "0.33" in r.stderr
    assert run(example_survey, "--k", "abc").exit_code == Exit.USAGE


def test_bad_options(example_survey, tmp_path):
    assert run(example_survey, "--by", "nope").exit_code == Exit.USAGE
    assert run(example_survey, "--weights", tmp_path / "none.toml").exit_code == Exit.USAGE
    assert run(example_survey, "--format", "xlsx").exit_code == Exit.USAGE
    assert run(tmp_path / "missing.xlsx").exit_code == Exit.USAGE


def test_weights_file_option(example_survey):
    r = run(example_survey, "--weights", ROOT / "data/weights/vn-2022-2025-services.toml")
    assert r.exit_code == 0, r.output
    equal = pd.read_csv(io.StringIO(run(example_survey).stdout))
    other = pd.read_csv(io.StringIO(r.stdout))
    assert other.loc[0, "H"] != equal.loc[0, "H"] or other.loc[0, "M0"] != equal.loc[0, "M0"]


def test_excluded_households_exit_1(errors_survey):
    r = run(errors_survey, "--format", "json")
    assert r.exit_code == Exit.DATA
    doc = json.loads(r.stdout)
    assert len(doc["excluded"]) == doc["settings"]["households_excluded"] > 0
    assert "left out" in r.stderr or "không được tính" in r.stderr


def test_output_files(example_survey, tmp_path):
    xlsx = tmp_path / "af.xlsx"
    assert run(example_survey, "--by", "commune", "-o", xlsx).exit_code == 0
    sheets = load_workbook(xlsx, read_only=True).sheetnames  # Vietnamese by default
    assert sheets[:2] == ["Chỉ số AF", "Theo chỉ số"] and "Thiết lập" in sheets
    wb = load_workbook(xlsx, read_only=True)
    head = next(r for r in wb["Chỉ số AF"].iter_rows(values_only=True) if r[0] == "Nhóm")
    assert head[:5] == ("Nhóm", "Số đơn vị", "H (tỷ lệ nghèo)", "A (mức thiếu hụt bình quân)", "M0")
    assert "Tỷ lệ nghèo và thiếu hụt: Việc làm" in head and "h_employment" not in head
    en = tmp_path / "af-en.xlsx"
    assert run(example_survey, "--by", "commune", "-o", en, "--lang", "en").exit_code == 0
    sheets = load_workbook(en, read_only=True).sheetnames
    assert sheets[:2] == ["measures", "indicators"] and "settings" in sheets
    csv = tmp_path / "af.csv"
    assert run(example_survey, "-o", csv).exit_code == 0
    assert pd.read_csv(csv).columns[0] == "group"
    assert (tmp_path / "af.indicators.csv").exists() and (tmp_path / "af.excluded.csv").exists()


def test_previous_round_change(example_survey):
    r = run(example_survey, "--by", "commune", "--previous", example_survey, "--years", "1")
    assert r.exit_code == 0, r.output
    out = pd.read_csv(io.StringIO(r.stdout))
    assert list(out.columns[:5]) == ["by", "group", "measure", "previous", "current"]
    assert (out["abs"].abs() < 1e-12).all()
    r = run(example_survey, "--previous", example_survey, "--table", "measures")
    assert pd.read_csv(io.StringIO(r.stdout)).columns[0] == "group"
    r = run(example_survey, "--previous", example_survey, "--format", "table", "--lang", "en")
    assert "Change between rounds" in r.stdout


def test_help_documents_exit_codes():
    r = run("--help")
    assert r.exit_code == 0
    assert "Exit codes" in r.output and "--by" in r.output and "--previous" in r.output


@pytest.fixture
def sample_survey(tmp_path) -> Path:
    """The example province as a sample survey: weights, strata (communes; the 2026 round has
    no districts), PSUs (villages)."""
    wb = load_workbook(EXAMPLES / "survey.xlsx")
    ws = wb["Hộ gia đình"]
    header = 3
    col = ws.max_column + 1
    for offset, label in enumerate(["Trọng số mẫu", "Tầng mẫu", "Địa bàn mẫu"]):
        ws.cell(row=header, column=col + offset, value=label)
    for r in range(header + 1, ws.max_row + 1):
        ws.cell(row=r, column=col, value=10 + r % 3)
        ws.cell(row=r, column=col + 1, value=ws.cell(row=r, column=4).value)  # commune
        ws.cell(row=r, column=col + 2, value=ws.cell(row=r, column=5).value)  # village
    path = tmp_path / "sample.xlsx"
    wb.save(path)
    return path


def test_sample_survey_standard_errors(sample_survey):
    r = run(sample_survey, "--by", "commune")
    assert r.exit_code == 0, r.output
    out = pd.read_csv(io.StringIO(r.stdout))
    assert {"H_se", "H_ci_low", "H_ci_high", "M0_se", "h_water_se"} <= set(out.columns)
    assert (out["M0_se"] > 0).all()
    assert ((out["M0_ci_low"] <= out["M0"]) & (out["M0"] <= out["M0_ci_high"])).all()
    assert "Taylor" in r.stderr  # the design note, in either language
    inf = pd.read_csv(io.StringIO(run(sample_survey, "--table", "inference").stdout))
    assert set(inf["measure"]) >= {"H", "A", "M0", "h_water", "u_water"}
    table = run(sample_survey, "--format", "table", "--lang", "en")
    assert "M0 95% CI" in table.stdout


def test_sample_survey_change_has_standard_errors(sample_survey):
    r = run(sample_survey, "--previous", sample_survey, "--years", "2")
    assert r.exit_code == 0, r.output
    out = pd.read_csv(io.StringIO(r.stdout))
    assert {"abs_se", "rel_se", "ann_abs_se", "ann_rel_se"} <= set(out.columns)
    assert (out["abs"].abs() < 1e-12).all() and (out["abs_se"].abs() < 1e-9).all()


def test_bundled_weights_by_name_equal_the_file(example_survey):
    """``--weights vn-2022-2025-services`` names the bundled file, in a wheel as in a clone."""
    by_path = run(example_survey, "--weights", ROOT / "data/weights/vn-2022-2025-services.toml")
    by_name = run(example_survey, "--weights", "vn-2022-2025-services")
    assert by_name.exit_code == by_path.exit_code
    assert by_name.stdout == by_path.stdout
    assert run(example_survey, "--weights", "no-such-weights").exit_code == Exit.USAGE
