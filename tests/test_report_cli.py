"""``mdpoverty report`` and ``mdpoverty changes`` through Click's runner: outputs, a folder of
commune workbooks as one batch, duplicate IDs across files, exit codes, atomic writes, and
the one-line summary on stderr (GitHub issue 4)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pandas as pd
import pytest
import readme_tables as expected
from click.testing import CliRunner
from openpyxl import load_workbook

from mdpoverty.cli.main import Exit, main
from mdpoverty.cli.report import changes, report
from mdpoverty.reports import batch
from mdpoverty.reports import changes as changes_module
from mdpoverty.reports.batch import report as library_report

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SURVEY = EXAMPLES / "survey.xlsx"
PREVIOUS = EXAMPLES / "previous-round.xlsx"


def run(command, *args):
    # through the main group, as a user runs it: a subcommand invoked on its own caches
    # Click's help option without -h, and the docs check run after it would see that
    return CliRunner().invoke(main, [command.name, *(str(a) for a in args)])


@pytest.fixture(scope="module")
def generator():
    sys.path.insert(0, str(EXAMPLES))
    try:
        import generate
    finally:
        sys.path.remove(str(EXAMPLES))
    return generate


@pytest.fixture(scope="module")
def commune_folder(tmp_path_factory, generator) -> Path:
    """The example district as one workbook per commune (what communes send the district)."""
    households, members = generator.generate_district(
        300, seed=generator.DEFAULT_SEED, survey_year=generator.SURVEY_YEAR
    )
    folder = tmp_path_factory.mktemp("communes")
    for i, (commune, hh) in enumerate(households.groupby("commune", sort=False), start=1):
        m = members[members["household_id"].isin(hh["household_id"])]
        generator.write_workbook(hh, m, folder / f"{i:02d} {commune}.xlsx", dirty=True)
    (folder / "~$01 lock file.xlsx").write_bytes(b"")  # an Excel lock file is skipped
    return folder


def test_one_command_all_forms_xlsx(tmp_path):
    out = tmp_path / "bao-cao.xlsx"
    r = run(report, SURVEY, "--previous", PREVIOUS, "-o", out)
    assert r.exit_code == Exit.OK, r.output
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    # one summary line, for cron; which standard each round was classed by and why (issue
    # 10: every run says it; the two rounds are two review rounds, so two lines); warnings
    summary = [line for line in lines if line.startswith("báo cáo:")]
    assert len(summary) == 1, lines
    assert "300/300 hộ ở 4 xã" in summary[0] and "biểu 1, 2, 3, 4, 5" in summary[0]
    # neither round has districts (examples/README.md): no district is counted
    assert "không có cấp huyện" in summary[0] and "(1 huyện)" not in summary[0]
    # the 2026 round under 2027–2030, the 2025 round under 2022–2025 (examples/README.md)
    chosen = sorted(line.split(":")[0] for line in lines if line.startswith("chuẩn "))
    assert chosen == ["chuẩn vn-2022-2025", "chuẩn vn-2027-2030"], lines
    assert all(": ngày rà soát" in line for line in lines if line.startswith("chuẩn "))
    assert any(line.startswith("cảnh báo: chuẩn vn-2027-2030 là chuẩn TẠM THỜI") for line in lines)
    assert lines[0] == summary[0]  # the summary line first, for cron
    # the 2026 round's standard publishes no average band: Form 1 says why its columns are empty
    assert any(line.startswith("ghi chú: Biểu 1:") for line in lines), lines
    assert {line.split(":")[0] for line in lines} <= {"báo cáo", "cảnh báo", "ghi chú", *chosen}
    assert "\x1b[" not in r.stderr  # no colour when not on a terminal
    wb = load_workbook(out)
    assert wb.sheetnames == [f"Biểu {i}" for i in range(1, 16)]
    assert [p.name for p in tmp_path.iterdir()] == ["bao-cao.xlsx"]  # no temporary left


def test_form1_csv_on_stdout_equals_library():
    r = run(report, SURVEY, "--form", "1", "--lang", "en")
    assert r.exit_code == Exit.OK, r.output
    got = pd.read_csv(io.StringIO(r.stdout), dtype={"number": str}, keep_default_na=False)
    lib = library_report(SURVEY, form=1)["1"]
    assert list(got.columns) == list(lib.columns)
    assert got["households"].tolist() == lib["households"].tolist()
    assert got["poor_household_rate"].tolist() == lib["poor_household_rate"].tolist()
    # examples/README.md, by the generator's reckoning: 72 poor of 300 households, 1353 persons
    total = got[got["level"] == "province"].iloc[0]
    want = expected.class_table(expected.SURVEY_CLASSES)["total"]
    assert (total["households"], total["persons"]) == (want["households"], 1353)
    assert total["poor_households"] == want["poor"] == 72
    assert total["poor_household_rate"] == 24.0  # 72/300
    summary = next(line for line in r.stderr.splitlines() if line.startswith("report:"))
    assert summary.startswith("report: 300 of 300 households in 4 communes")
    assert "no districts" in summary


def test_all_forms_as_csv_files_and_json(tmp_path, generator):
    r = run(report, SURVEY, "--previous", PREVIOUS, "-o", tmp_path / "r.csv")
    assert r.exit_code == Exit.OK, r.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"r.form{k}.csv" for k in range(1, 16))
    f2 = pd.read_csv(tmp_path / "r.form2.csv", keep_default_na=False, dtype={"number": str})
    assert list(f2.columns[:6]) == ["number", "level", "unit", "parent", "measure", "start"]
    total = f2[(f2["level"] == "province") & (f2["measure"] == "households")].iloc[0]
    want = expected.form_table(expected.FORM2_NOW)[(expected.PROVINCE, "households")]
    assert (total["start"], total["end"]) == (want[0], want[-1])  # examples/README.md, Form 2
    r = run(report, SURVEY, "--form", "4,5", "--format", "json")
    doc = json.loads(r.stdout)
    assert list(doc) == ["form4", "form5"]
    first = doc["form5"][0]
    assert first["unit"] == "Xã Bảo Thắng"
    # the generator's intended flags: 9 of the 19 poor households of Xã Bảo Thắng lack
    # employment (47.37 %)
    hh, _, truth = generator._generate(300, generator.DEFAULT_SEED, generator.SURVEY_YEAR)
    poor = (hh["commune"] == "Xã Bảo Thắng").to_numpy() & (truth.expected_class == "poor")
    lacking = int(truth.flags[poor, generator.IND["employment"]].sum())
    assert (lacking, int(poor.sum())) == (9, 19)
    assert first["dep_employment"] == 47.37


def test_a_folder_of_commune_workbooks_is_one_district(commune_folder, tmp_path):
    out = tmp_path / "huyen.xlsx"
    r = run(report, commune_folder, "--previous", PREVIOUS, "-o", out)
    assert r.exit_code == Exit.OK, r.output
    whole = library_report(SURVEY, previous=PREVIOUS)
    folder = library_report(commune_folder, previous=PREVIOUS)
    for k in "12345":
        pd.testing.assert_frame_equal(folder[k], whole[k])
    # several files given one by one are the same batch
    files = sorted(p for p in commune_folder.iterdir() if not p.name.startswith("~$"))
    r = run(report, *files, "--form", "1")
    assert r.exit_code == Exit.OK, r.output
    assert pd.read_csv(io.StringIO(r.stdout))["households"].iloc[-1] == 300


def test_duplicate_ids_across_files(generator, tmp_path):
    households, members = generator.generate_district(40, seed=7, survey_year=2025)
    a, b = households.iloc[:25], households.iloc[20:]  # five households in both files
    for name, hh in (("a.xlsx", a), ("b.xlsx", b)):
        m = members[members["household_id"].isin(hh["household_id"])]
        generator.write_workbook(hh, m, tmp_path / name)
    rnd = batch.load_round(tmp_path)
    assert rnd.counts["households_in"] == 45 and rnd.counts["households_rejected"] == 5
    dup = rnd.issues[rnd.issues["check"] == "duplicate_id"]
    assert len(dup) == 5 and set(dup["source"]) == {"b.xlsx"}
    # located in the later file: b.xlsx starts with the five shared households, rows 2-6
    assert dup["row"].tolist() == [2, 3, 4, 5, 6] and set(dup["sheet"]) == {"Hộ gia đình"}
    assert dup["message"].iloc[0].endswith("đã có trong tệp a.xlsx; hộ ở tệp này không được dùng")
    r = run(report, tmp_path, "--form", "1", "-o", tmp_path / "out" / "f1.csv")
    assert r.exit_code == Exit.DATA  # data problems: report written, 5 left out
    f1 = pd.read_csv(tmp_path / "out" / "f1.csv", keep_default_na=False)
    assert f1[f1["level"] == "province"]["not_classed"].iloc[0] == 5
    assert f1[f1["level"] == "province"]["households"].iloc[0] == 40


def test_survey_with_errors_is_reported_with_its_households_left_out(tmp_path):
    out = tmp_path / "r.xlsx"
    r = run(report, EXAMPLES / "survey-with-errors.xlsx", "--previous", PREVIOUS, "-o", out)
    assert r.exit_code == Exit.DATA, r.output
    # 11 households with an error: 7 planted in the households sheet (the duplicate's
    # later row included), 4 members' (examples/README.md, planted errors)
    assert "11 hộ chưa phân loại" in r.stderr
    wb = load_workbook(out)
    assert "Hộ chưa phân loại" in wb.sheetnames
    ws = wb["Biểu 1"]
    notes = [c.value for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("Ghi chú")]
    assert any(n.startswith("Ghi chú: 11 hộ chưa phân loại được do lỗi dữ liệu") for n in notes)
    f1 = library_report(EXAMPLES / "survey-with-errors.xlsx", form=1)["1"]
    assert f1.iloc[-1][["households", "not_classed"]].tolist() == [290, 11]


def test_a_report_that_does_not_add_up_is_not_written(tmp_path, monkeypatch):
    real = changes_module.change_form

    def broken(*args, **kwargs):
        frame = real(*args, **kwargs)
        frame.loc[0, "end"] += 1  # a bug that breaks the balance of one row
        return frame

    monkeypatch.setattr(changes_module, "change_form", broken)
    out = tmp_path / "r.xlsx"
    r = run(report, SURVEY, "--previous", PREVIOUS, "-o", out)
    assert r.exit_code == Exit.INTERNAL
    assert "không khớp" in r.stderr and "start − decreases + increases" in r.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--form", "16"], "không có biểu"),
        (["--form", "2"], "Biểu 2 và 3 cần kết quả kỳ trước"),
        (["--format", "xlsx"], "cần -o"),
    ],
)
def test_usage_errors(tmp_path, generator, args, message):
    households, members = generator.generate_district(10, seed=3, survey_year=2025)
    plain = tmp_path / "plain.xlsx"
    generator.write_workbook(households.drop(columns="previous_class"), members, plain)
    r = run(report, plain, *args)
    assert r.exit_code == Exit.USAGE
    assert message in r.stderr
    assert "Traceback" not in r.output


def test_all_forms_as_csv_on_stdout_is_a_usage_error():
    r = run(report, SURVEY, "--format", "csv")
    assert r.exit_code == Exit.USAGE and "--form N" in r.stderr


def test_unreadable_survey_is_exit_2(tmp_path):
    r = run(report, tmp_path / "missing.xlsx")
    assert r.exit_code == Exit.USAGE and "không tìm thấy tệp" in r.stderr
    (tmp_path / "empty").mkdir()
    r = run(report, tmp_path / "empty")
    assert r.exit_code == Exit.USAGE


def test_without_previous_all_means_every_form_but_2_and_3(tmp_path, generator):
    households, members = generator.generate_district(10, seed=3, survey_year=2025)
    plain = tmp_path / "plain.xlsx"
    generator.write_workbook(households.drop(columns="previous_class"), members, plain)
    r = run(report, plain, "-o", tmp_path / "r.xlsx")
    assert r.exit_code == Exit.OK, r.output
    sheets = load_workbook(tmp_path / "r.xlsx").sheetnames
    assert sheets == [f"Biểu {i}" for i in (1, *range(4, 16))]
    assert "bỏ qua biểu 2 và 3" in r.stderr


def test_previous_round_as_classify_output(tmp_path):
    from mdpoverty import classify

    prev = classify(PREVIOUS).households
    prev.to_csv(tmp_path / "ket-qua-2025.csv", index=False)
    r = run(report, SURVEY, "--previous", tmp_path / "ket-qua-2025.csv", "--form", "2")
    assert r.exit_code == Exit.OK, r.output
    f2 = pd.read_csv(io.StringIO(r.stdout), keep_default_na=False)
    total = f2[(f2["level"] == "province") & (f2["measure"] == "persons")].iloc[0]
    want = expected.form_table(expected.FORM2_NOW)[(expected.PROVINCE, "persons")]
    assert (total["start"], total["end"]) == (want[0], want[-1]) == (272, 353)


def test_changes_command(tmp_path):
    r = run(changes, PREVIOUS, SURVEY, "--changed", "--lang", "en")
    assert r.exit_code == Exit.OK, r.output
    table = pd.read_csv(io.StringIO(r.stdout), keep_default_na=False)
    assert list(table.columns) == [
        "household_id",
        "province",
        "district",
        "commune",
        "previous_class",
        "class",
        "transition",
        "transition_vi",
    ]
    assert "remained_poor" not in set(table["transition"])
    row = table[table["household_id"] == "LC-BT-01-0057"].iloc[0]  # moved out after 2025
    assert (row["previous_class"], row["class"], row["transition"]) == ("poor", "", "moved_out")
    assert r.stderr.startswith("changes: 303 households")
    out = tmp_path / "bien-dong.xlsx"
    r = run(changes, PREVIOUS, SURVEY, "-o", out)
    assert r.exit_code == Exit.OK
    wb = load_workbook(out)
    assert wb.sheetnames == ["Danh sách biến động", "Dữ liệu"]
    ws = wb["Danh sách biến động"]  # the list a commune posts: in Vietnamese
    # row 1: the note that the 2026 round's standard (2027–2030) is provisional
    assert "vn-2027-2030" in ws["A1"].value and "TẠM THỜI" in ws["A1"].value
    assert [c.value for c in ws[2]][:7] == [
        "Mã hộ",
        "Tỉnh",
        "Huyện",
        "Xã",
        "Phân loại kỳ trước",
        "Phân loại kỳ này",
        "Biến động",
    ]
    assert ws.max_row == 305  # note, header, 303 households
    gone = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] == "LC-BT-01-0057")
    assert gone[4:6] == ("Hộ nghèo", None)  # poor, moved out after 2025 (as the CSV above)
    data = wb["Dữ liệu"]  # the codes of the CSV, for scripts
    assert [c.value for c in data[2]][:7] == [
        "household_id",
        "province",
        "district",
        "commune",
        "previous_class",
        "class",
        "transition",
    ]
    assert data.max_row == 305


def test_readme_form1_excerpt_is_what_the_command_prints():
    """examples/README.md shows Form 1's CSV as the generator reckons it: the command agrees."""
    text = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### The 2026 round against the 2025 round") :]
    block = section[section.index("```csv\n") + 7 :]
    excerpt = block[: block.index("```")].strip().splitlines()
    r = run(report, SURVEY, "--form", "1", "--format", "csv")
    assert r.exit_code == Exit.OK, r.output
    printed = r.stdout.splitlines()
    assert excerpt[0] == printed[0]
    assert all(line in printed for line in excerpt[1:]), excerpt


def test_files_read_at_once_keep_file_order(commune_folder, tmp_path, monkeypatch):
    """A folder is read several files at once; the result is the same as one after the other,
    and of two broken files the first in name order is the one reported."""
    monkeypatch.setattr(batch, "FILES_AT_ONCE", 1)
    one_by_one = library_report(commune_folder, form=1)["1"]
    monkeypatch.setattr(batch, "FILES_AT_ONCE", 3)
    at_once = library_report(commune_folder, form=1)["1"]
    pd.testing.assert_frame_equal(one_by_one, at_once)
    folder = tmp_path / "district"
    folder.mkdir()
    for p in sorted(commune_folder.glob("*.xlsx")):
        (folder / p.name).write_bytes(p.read_bytes())
    (folder / "zz-b.xlsx").write_text("not a workbook", encoding="utf-8")
    (folder / "zz-c.xlsx").write_bytes(b"")
    r = run(report, folder, "--form", "1", "--format", "csv")
    assert r.exit_code == Exit.USAGE
    assert "zz-b.xlsx" in r.stderr and "zz-c.xlsx" not in r.stderr
