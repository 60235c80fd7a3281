"""The commands through Click's runner: outputs, exit codes, and CLI == library."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import readme_tables as expected
from click.testing import CliRunner
from openpyxl import load_workbook

import mdpoverty
from mdpoverty.cli.main import Exit, main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

OUTPUT_COLUMNS = [
    "household_id",
    "province",
    "district",
    "commune",
    "village",
    "area",
    "members",
    "income_per_capita",
    "deprivation_count",
    "dep_employment",
    "dep_dependents",
    "dep_nutrition",
    "dep_health_insurance",
    "dep_adult_education",
    "dep_school_attendance",
    "dep_housing_quality",
    "dep_housing_area",
    "dep_water",
    "dep_toilet",
    "dep_telecom",
    "dep_waste",
    "class",
    "ethnic_minority",
    "agricultural",
]  # the output contract, with the 12 indicators of the example's 2027–2030 standard


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_classify_example_writes_contract_columns_one_row_per_household(
    example_survey: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    res = run("classify", str(example_survey), "-o", str(out))
    assert res.exit_code == Exit.OK, res.output
    table = pd.read_csv(out)
    # the contract's columns, in order, then the documented extra one-line reason (issue 15)
    assert list(table.columns) == [*OUTPUT_COLUMNS, "reason"]
    raw = pd.read_excel(example_survey, sheet_name="Hộ gia đình", header=2, engine="calamine")
    assert len(table) == len(raw.dropna(how="all"))
    assert table["household_id"].tolist() == raw["Ma ho"].dropna().tolist()  # input order
    assert set(table["class"]) <= {"poor", "near_poor", "not_poor"}  # no band in 2027–2030
    assert (out.parent / "out.issues.csv").exists()


def test_readme_first_command_classes_the_2026_round_under_2027_2030(
    example_survey: Path, tmp_path: Path
) -> None:
    """The README's first command, with no --standard: the survey dates (Oct–Nov 2026, the
    review that sets the 2027 lists) choose the 2027–2030 standard, and the run says so."""
    res = run("classify", str(example_survey), "-o", str(tmp_path / "ket-qua.xlsx"))
    assert res.exit_code == Exit.OK, res.output
    assert "vn-2027-2030" in res.stderr
    assert mdpoverty.classify(example_survey).standard.id == "vn-2027-2030"


def test_the_2025_round_is_classed_under_2022_2025() -> None:
    """The 2025 review set the 2026 lists, still under 2022–2025 (Decree 351/2025)."""
    result = mdpoverty.classify(expected.PREVIOUS)
    assert result.standard.id == "vn-2022-2025"
    assert mdpoverty.classify(expected.ROUND_2024).standard.id == "vn-2022-2025"


def test_class_counts_are_reproducible_by_hand_from_the_flags(example_survey: Path) -> None:
    """Poor = income <= line and >= 3 flags; near-poor = <= line and fewer; above the line
    not poor (Decree 351/2025: lines 2,200,000 rural and 2,800,000 urban, no band)."""
    hh = mdpoverty.classify(example_survey).households
    flags = hh[[c for c in hh.columns if c.startswith("dep_")]].astype(bool)
    assert (flags.sum(axis=1) == hh["deprivation_count"]).all()
    line = hh["area"].map({"rural": 2_200_000, "urban": 2_800_000})
    known = hh["income_per_capita"].notna()
    assert known.all()  # every household of the 2026 round has an income figure
    below = hh["income_per_capita"] <= line
    poor = known & below & (hh["deprivation_count"] >= 3)
    near = known & below & (hh["deprivation_count"] < 3)
    assert (hh.loc[poor, "class"] == "poor").all()
    assert (hh.loc[near, "class"] == "near_poor").all()
    assert (hh.loc[known & ~below, "class"] == "not_poor").all()


def test_library_equals_cli_json(example_survey: Path) -> None:
    res = run("classify", str(example_survey), "--format", "json")
    assert res.exit_code == Exit.OK
    from_cli = pd.DataFrame(json.loads(res.stdout))
    lib = mdpoverty.classify(example_survey).households
    assert list(from_cli.columns) == list(lib.columns)
    expected = json.loads(lib.to_json(orient="records", force_ascii=False))
    assert json.loads(res.stdout) == expected


def test_piped_output_is_csv_and_messages_go_to_stderr(example_survey: Path) -> None:
    res = run("classify", str(example_survey))
    assert res.stdout.startswith("household_id,province,")
    assert "300/300" in res.stderr and "household_id" not in res.stderr


def _readme_table(heading: str) -> list[list[str]]:
    """Rows of the Markdown table under ``heading`` in examples/README.md."""
    text = (EXAMPLES / "README.md").read_text(encoding="utf-8").split(heading, 1)[1]
    lines = text.splitlines()
    first = next(i for i, ln in enumerate(lines) if ln.startswith("|"))
    rows = []
    for ln in lines[first:]:
        if not ln.startswith("|"):
            break
        rows.append(ln)
    rows = [[c.strip().strip("`*") for c in ln.strip("|").split("|")] for ln in rows]
    return [r for r in rows[2:] if r and r[0]]  # after header and ---


def test_validate_finds_every_planted_error_at_its_cell(
    errors_survey: Path, tmp_path: Path
) -> None:
    """Each error documented in examples/README.md is reported at its sheet, row and column."""
    out = tmp_path / "issues.csv"
    res = run("validate", str(errors_survey), "-o", str(out), "--lang", "en")
    assert res.exit_code == Exit.DATA
    issues = pd.read_csv(out, dtype={"row": "Int64"})
    planted = _readme_table("## Planted errors")
    assert len(planted) >= 16
    for _n, sheet, row, _hid, column, _value, what, severity, check in planted:
        hit = issues[
            (issues["sheet"] == sheet)
            & (issues["row"] == int(row))
            & (issues["column"] == column)
            & (issues["severity"] == severity)
        ]
        assert len(hit) >= 1, f"not reported: {sheet} row {row} {column!r} ({what})"
        assert check in set(hit["check"]), (row, column, check, hit["check"].tolist())
    assert set(issues.columns) >= {
        "sheet",
        "row",
        "column",
        "value",
        "check",
        "severity",
        "message",
    }
    # one problem, one row: the bad water code is not also reported as a blank
    water_row = next(int(p[2]) for p in planted if p[4] == "Nguồn nước sinh hoạt")
    water = issues[(issues["row"] == water_row) & (issues["sheet"] == "Hộ gia đình")]
    assert water["check"].tolist() == ["unknown_code"]


def test_example_classes_match_the_generators_own_counts(example_survey: Path) -> None:
    """The generator decides each household's class first and documents the counts."""
    summary = mdpoverty.classify(example_survey).summary().set_index("commune")
    table = expected.class_table(expected.SURVEY_CLASSES)
    assert list(table["total"]) == ["poor", "near_poor", "not_poor", "households"]
    for commune, want in table.items():
        got = summary.loc["all" if commune == "total" else commune]
        assert {k: int(got[k]) for k in want} == want, commune
        assert int(got.get("average", 0)) == 0  # no band under 2027–2030


def test_earlier_rounds_classes_match_the_generators_own_counts() -> None:
    for path, heading in (
        (expected.PREVIOUS, expected.PREVIOUS_CLASSES),
        (expected.ROUND_2024, expected.CLASSES_2024),
    ):
        summary = mdpoverty.classify(path).summary().set_index("commune")
        for commune, want in expected.class_table(heading).items():
            got = summary.loc["all" if commune == "total" else commune]
            assert {k: int(got[k]) for k in want} == want, (path.name, commune)


def test_classify_with_errors_loses_no_household(errors_survey: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    res = run("classify", str(errors_survey), "-o", str(out))
    assert res.exit_code == Exit.DATA
    result = mdpoverty.classify(errors_survey)
    c = result.counts
    assert c["households_in"] == len(result.households) == 301
    assert c["households_classed"] + c["households_rejected"] == c["households_in"]
    rejected = result.households[
        result.households["class"].isna() | (result.households["class"] == "")
    ]
    assert len(rejected) == c["households_rejected"] > 0
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "Danh sách hộ",
        "Hộ nghèo",
        "Hộ cận nghèo",
        "Tổng hợp",
        "Lỗi",
        "Dữ liệu",
    ]  # no farm-households-of-average-living-standard list: 2027–2030 has no band
    assert wb["Dữ liệu"].max_row == 303  # the provisional-standard note, header, 301 rows
    listed = [c.value for c in wb["Danh sách hộ"]["B"][10:] if c.value]
    assert len(listed) >= 301  # every household, those not classed included


def test_xlsx_data_sheet_keeps_the_codes_and_is_styled(
    example_survey: Path, tmp_path: Path
) -> None:
    """The official lists are tested in test_lists.py; the codes of §8 stay on "Dữ liệu"."""
    out = tmp_path / "ket-qua.xlsx"
    assert run("classify", str(example_survey), "-o", str(out)).exit_code == Exit.OK
    ws = load_workbook(out)["Dữ liệu"]
    # row 1: the 2027–2030 standard is provisional, and the sheet says so above the header
    assert "vn-2027-2030" in ws["A1"].value and "TẠM THỜI" in ws["A1"].value
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref.startswith("A2:")
    assert ws["A2"].font.bold and ws["A2"].value == "household_id"
    assert ws.column_dimensions["A"].width >= 10
    assert [c.value for c in ws[2]] == [*OUTPUT_COLUMNS, "reason"]


def test_parquet_and_json_outputs_round_trip(example_survey: Path, tmp_path: Path) -> None:
    lib = mdpoverty.classify(example_survey).households
    pq = tmp_path / "o.parquet"
    assert run("classify", str(example_survey), "-o", str(pq)).exit_code == Exit.OK
    back = pd.read_parquet(pq)
    assert back["class"].tolist() == lib["class"].tolist()
    assert (tmp_path / "o.issues.parquet").exists()


def test_explain_every_check_and_unknown_id() -> None:
    """Each id explained in the language of the run: an example message with its values
    filled (never a raw {placeholder}) and how to fix the cell."""
    for check in mdpoverty.CHECKS:
        c = mdpoverty.CHECKS[check]
        res = run("explain", check)
        assert res.exit_code == 0 and "Cách sửa: " + c.fix_vi in res.stdout
        assert "How to fix" not in res.stdout and "{" not in res.stdout
        res = run("explain", check, "--lang", "en")
        assert res.exit_code == 0 and "How to fix: " + c.fix_en in res.stdout
        assert "Cách sửa" not in res.stdout and "{" not in res.stdout
    res = run("explain", "no_such_check")
    assert res.exit_code == Exit.USAGE and "no_such_check" in res.stderr


def test_standards_lists_and_shows() -> None:
    res = run("standards")
    assert res.exit_code == 0 and "vn-2022-2025" in res.stdout
    assert "vn-2027-2030   danh sách 2027–2030" in res.stdout and "(tạm thời)" in res.stdout
    res = run("standards", "--lang", "en")
    assert "vn-2027-2030   lists 2027–2030" in res.stdout and "(provisional)" in res.stdout
    # the lines of Nghị định 07/2021/NĐ-CP, Điều 3 khoản 1: 1.500.000 / 2.000.000 đồng
    res = run("standards", "vn-2022-2025")
    assert "nông thôn 1.500.000, thành thị 2.000.000 đồng/người/tháng" in res.stdout
    assert "Nghị định 07/2021" in res.stdout
    res = run("standards", "vn-2022-2025", "--lang", "en")
    assert "rural 1,500,000, urban 2,000,000 VND/person/month" in res.stdout


def test_provisional_standard_warns(example_survey: Path) -> None:
    result = mdpoverty.classify(example_survey, standard="vn-2027-2030")
    assert "provisional_standard" in set(result.issues["check"])


def test_as_of_and_bad_date_option(example_survey: Path) -> None:
    res = run("classify", str(example_survey), "--as-of", "31/13/2025")
    assert res.exit_code == Exit.USAGE


def test_the_2026_households_under_2022_2025_match_the_readme(
    example_survey: Path, tmp_path: Path
) -> None:
    """examples/README.md gives, by the generator's reckoning, the class of each 2026
    household under the 2022–2025 lines too (information assets not asked in 2026: not
    deprived). mdpoverty agrees once the survey says so in a reviewer's column."""
    wb = load_workbook(example_survey)
    ws = wb["Hộ gia đình"]
    col = ws.max_column + 1
    ws.cell(row=3, column=col, value="Thiếu hụt phương tiện tiếp cận thông tin")
    for r in range(4, ws.max_row + 1):
        ws.cell(row=r, column=col, value="Không")
    path = tmp_path / "survey-2022-2025.xlsx"
    wb.save(path)
    old = mdpoverty.classify(path, standard="vn-2022-2025")
    assert old.standard.id == "vn-2022-2025" and old.counts["households_rejected"] == 0
    new = mdpoverty.classify(example_survey).households
    both = pd.crosstab(new["class"], old.households["class"])
    classes = ["poor", "near_poor", "average", "not_poor"]
    for row in expected.table("## The same households under the 2022–2025 standard"):
        if row[0] == "total":
            continue
        got = [int(both.loc[row[0]].get(c, 0)) for c in classes]
        assert got == [int(x) for x in row[1:5]], row[0]
    assert int((new["class"] != old.households["class"]).sum()) == 67  # README: 67 of 300


def test_a_closed_stderr_does_not_lose_the_files_written(tmp_path) -> None:
    """`mdpoverty report … -o x.xlsx 2>&1 | head -1`: the reader of the messages goes away
    after the first line. The run still writes its files and exits as it would have; only a
    closed stdout that carries the results ends a run with 141."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "examples" / "survey.xlsx"
    out = tmp_path / "bao-cao.xlsx"
    r, w = os.pipe()
    os.close(r)  # every write to stderr fails at once: the worst case of `| head`
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mdpoverty.cli.main", "report", str(example), "-o", str(out)],
            stderr=w,
            stdout=subprocess.DEVNULL,
            timeout=300,
        )
    finally:
        os.close(w)
    assert done.returncode == 0
    assert out.exists() and out.stat().st_size > 0
