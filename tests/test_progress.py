"""Progress and pointers (issue 12, item 5): the library reports its long stages with counts
to whoever asks (nobody by default), the command line shows them on a terminal only, and
the closing summary line says which files were written, where the issues are listed and
how many errors and warnings there are."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, hh_row, m_row, write_workbook
from openpyxl import load_workbook

import mdpoverty
from mdpoverty.cli.main import Exit, main
from mdpoverty.progress import Recorder, reporting
from mdpoverty.write.lists import write_lists


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """3 households (H3's income is not a number: an error) and 2 + 1 + 2 members."""
    households = [hh_row("H1"), hh_row("H2"), hh_row("H3", income="không biết")]
    members = [m_row("H1"), m_row("H1", **{"Quan hệ với chủ hộ": "Vợ/chồng"}), m_row("H2")]
    members += [m_row("H3"), m_row("H3", **{"Quan hệ với chủ hộ": "Con"})]
    return write_workbook(tmp_path / "xa.xlsx", households, members)


def _ends(rec: Recorder) -> dict[str, tuple]:
    return {e[1]: e[2:] for e in rec.events if e[0] == "end"}


# ------------------------------------------------------------------------- the library


def test_classify_reports_read_validate_classify_with_counts(small: Path) -> None:
    rec = Recorder()
    result = mdpoverty.classify(small, progress=rec)
    assert rec.names() == ["read", "validate", "classify"]
    ends = _ends(rec)
    assert ends["read"] == (8, None, "rows")  # 3 household rows + 5 member rows, then known
    assert ends["validate"] == (8, 8, "rows")
    assert ends["classify"] == (3, 3, "households")
    # validation counts per sheet: the households' rows, then the members' too
    assert [e[2] for e in rec.events if e[:2] == ("update", "validate")] == [3, 8]
    assert result.households["class"].fillna("").tolist() == ["not_poor", "not_poor", ""]


def test_nothing_is_reported_or_printed_by_default(small: Path, capsys) -> None:
    outer = Recorder()
    with reporting(outer), reporting(None):  # None keeps the active reporter
        mdpoverty.classify(small)
    assert outer.names() == ["read", "validate", "classify"]
    mdpoverty.classify(small)  # no reporter: the library stays quiet
    assert capsys.readouterr() == ("", "")
    assert outer.names() == ["read", "validate", "classify"]  # the block ended: not told


def test_writing_the_lists_workbook_counts_its_rows_a_chunk_at_a_time(
    errors_survey: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mdpoverty.write import excel, lists

    monkeypatch.setattr(lists, "CHUNK", 50)
    monkeypatch.setattr(excel, "CHUNK", 50)
    result = mdpoverty.classify(errors_survey)
    cls = result.households["class"]
    farm = result.households["agricultural"].fillna(False).astype(bool)
    listed = len(cls) + (cls == "poor").sum() + (cls == "near_poor").sum()
    if result.standard.income.average_upper is not None:
        listed += ((cls == "average") & farm).sum()
    # every list sheet, the issue sheet and the data sheet, row by row
    rows = int(listed) + len(result.issues) + len(result.households)
    rec = Recorder()
    with reporting(rec):
        write_lists(result, tmp_path / "k.xlsx")
    begin = next(e for e in rec.events if e[0] == "begin")
    assert begin == ("begin", "write", rows, "rows", "k.xlsx")
    done = [e[2] for e in rec.events if e[0] == "update"]
    assert done == sorted(done) and done[-1] == rows
    assert max(b - a for a, b in zip([0, *done], done, strict=False)) <= 50  # per chunk
    assert len(done) >= rows // 50  # not one report at the end
    assert rec.events[-1] == ("end", "write", rows, rows, "rows")


def test_a_folder_counts_its_files(tmp_path: Path) -> None:
    from mdpoverty.reports.batch import load_round

    for i in range(3):
        write_workbook(tmp_path / f"xa{i}.xlsx", [hh_row(f"H{i}")], [m_row(f"H{i}")])
    rec = Recorder()
    with reporting(rec):
        load_round(tmp_path)
    assert rec.names() == ["files"]  # the worker threads report nothing of their own
    done = [e[2] for e in rec.events if e[0] == "update"]  # as files finish (two may at once)
    assert done == sorted(set(done)) and done[-1] == 3
    assert _ends(rec)["files"] == (3, 3, "files")


# ----------------------------------------------------------------------- on the terminal

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_progress_shows_on_a_terminal_with_counts(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MDPOVERTY_PROGRESS", "1")  # as if stderr were a terminal
    out = tmp_path / "k.xlsx"
    res = run("classify", small, "-o", out)
    assert res.exit_code == Exit.DATA, res.output
    shown = ANSI.sub("", res.stderr)
    written = 3 + len(mdpoverty.validate(small)) + 3  # the list, the issues, the data sheet
    for line in ("Đọc xa.xlsx", "8 dòng", "Kiểm tra dữ liệu", "8/8 dòng", "Phân loại hộ"):
        assert line in shown, shown
    assert "3/3 hộ" in shown and "Ghi k.xlsx" in shown and f"{written}/{written} dòng" in shown
    # the display is cleared; then the closing lines as ever, the summary line first
    closing = res.stderr.rsplit("\x1b[2K", 1)[1].splitlines()
    assert closing[0].startswith(f"{small}: phân loại 2/3 hộ"), closing


def test_english_labels(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MDPOVERTY_PROGRESS", "1")
    res = run("validate", small, "--lang", "en")
    shown = ANSI.sub("", res.stderr)
    assert "Reading xa.xlsx" in shown and "Validating" in shown and "3/3 households" in shown


def test_no_progress_off_a_terminal_or_when_turned_off(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    res = run("classify", small, "-o", tmp_path / "k.xlsx")  # stderr is not a terminal here
    assert "\x1b[" not in res.stderr and "Ghi " not in res.stderr and "dòng" not in res.stderr
    monkeypatch.setenv("MDPOVERTY_PROGRESS", "1")
    res = run("classify", small, "-o", tmp_path / "k.xlsx", "-q")  # -q: no progress either
    assert "\x1b[" not in res.stderr and res.stderr == ""
    monkeypatch.setenv("MDPOVERTY_PROGRESS", "0")
    from mdpoverty.cli.progress import wanted

    assert wanted(True, 0) == (False, False)  # off even on a terminal
    monkeypatch.delenv("MDPOVERTY_PROGRESS")
    assert wanted(True, 0) == (True, False) and wanted(False, 0) == (False, False)


# --------------------------------------------------------------- the closing summary line


def _counts(severity: pd.Series, error: str, warning: str) -> tuple[int, int]:
    return int((severity == error).sum()), int((severity == warning).sum())


def _severity_column(path: Path, sheet: str, head: str) -> pd.Series:
    """The severity column of a workbook's issue sheet, wherever its header row is."""
    ws = load_workbook(path, read_only=True)[sheet]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    top = next(i for i, r in enumerate(rows) if head in r)
    col = rows[top].index(head)
    return pd.Series([r[col] for r in rows[top + 1 :]])


def test_classify_xlsx_names_the_workbook_its_issue_sheet_and_the_counts(
    errors_survey: Path, tmp_path: Path
) -> None:
    survey = shutil.copy(errors_survey, tmp_path / "xa.xlsx")
    out = tmp_path / "ket-qua.xlsx"
    res = run("classify", survey, "-o", out, "--annotate")
    assert res.exit_code == Exit.DATA, res.output
    first = res.stderr.splitlines()[0]
    errors, warnings = _counts(_severity_column(out, "Lỗi", "Mức độ"), "Lỗi", "Cảnh báo")
    assert errors and warnings  # the file has both
    assert f"{errors} lỗi, {warnings} cảnh báo" in first, first
    checked = tmp_path / "xa.checked.xlsx"
    assert f'bảng lỗi: trang "Lỗi" của {out}; {checked}' in first, first
    # both files, in the order written (the marked copy first: the workbook links to it)
    assert sorted(first.rsplit("đã ghi ", 1)[1].split(", ")) == sorted([str(out), str(checked)])
    # then the standard, and what the marked copy holds
    assert any(line.startswith(f"{checked}: đã đánh dấu") for line in res.stderr.splitlines())


def test_classify_csv_names_both_files_in_english(errors_survey: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    res = run("classify", errors_survey, "-o", out, "--lang", "en")
    first = res.stderr.splitlines()[0]
    issues = tmp_path / "out.issues.csv"
    errors, warnings = _counts(pd.read_csv(issues)["severity"], "error", "warning")
    assert f"; {errors} errors, {warnings} warnings (issue table: {issues})" in first, first
    assert first.endswith(f"; written to {out}, {issues}"), first


def test_validate_names_its_output_as_the_issue_table(errors_survey: Path, tmp_path: Path) -> None:
    out = tmp_path / "loi.csv"
    res = run("validate", errors_survey, "-o", out)
    first = res.stderr.splitlines()[0]
    errors, warnings = _counts(pd.read_csv(out)["severity"], "error", "warning")
    assert f"; {errors} lỗi, {warnings} cảnh báo (bảng lỗi: {out})" in first, first
    assert first.endswith(f"đã ghi {out}"), first
    res = run("validate", errors_survey)  # on stdout: nothing written, no path to name
    first = res.stderr.splitlines()[0]
    assert first.endswith(f"; {errors} lỗi, {warnings} cảnh báo"), first  # nothing written


def test_report_names_its_workbook_and_the_sheet_of_households_left_out(
    errors_survey: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bao-cao.xlsx"
    res = run("report", errors_survey, "-o", out)
    assert res.exit_code == Exit.DATA, res.output
    first = res.stderr.splitlines()[0]
    assert first.startswith("báo cáo:"), first
    left_out = load_workbook(out)["Hộ chưa phân loại"].max_row - 1  # one error a row
    warnings = int((mdpoverty.validate(errors_survey)["severity"] == "warning").sum())
    assert f"{left_out} lỗi, {warnings} cảnh báo" in first, first
    assert f'(bảng lỗi: trang "Hộ chưa phân loại" của {out})' in first, first
    assert first.endswith(f"đã ghi {out}"), first
    res = run("report", errors_survey, "--form", "1", "-o", tmp_path / "b1.csv")
    first = res.stderr.splitlines()[0]
    assert f"{left_out} lỗi, {warnings} cảnh báo;" in first and "bảng lỗi" not in first, first
    assert first.endswith(f"đã ghi {tmp_path / 'b1.csv'}"), first


def test_classify_on_stdout_says_how_to_list_the_issues(tmp_path: Path, small: Path) -> None:
    survey = shutil.copy(small, tmp_path / "xã Mường Khương.xlsx")
    res = run("classify", survey)
    first = res.stderr.splitlines()[0]
    assert first.endswith(f"; 1 lỗi, 0 cảnh báo (xem bằng: mdpoverty validate '{survey}')"), first
    res = run("classify", survey, "--standard", "vn-2022-2025", "--lang", "en")
    first = res.stderr.splitlines()[0]
    want = f"mdpoverty validate '{survey}' --standard vn-2022-2025 --lang en"
    assert first.endswith(f"; 1 errors, 0 warnings (to list them: {want})"), first


def test_report_of_a_folder_counts_files_and_sheets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "huyen"
    folder.mkdir()
    for i in range(3):
        write_workbook(folder / f"xa{i}.xlsx", [hh_row(f"H{i}")], [m_row(f"H{i}")])
    monkeypatch.setenv("MDPOVERTY_PROGRESS", "1")
    out = tmp_path / "bao-cao.xlsx"
    res = run("report", folder, "-o", out)
    shown = ANSI.sub("", res.stderr)
    sheets = len(load_workbook(out).sheetnames)
    assert "Đọc và phân loại các tệp" in shown and "3/3 tệp" in shown, shown
    assert "Ghi bao-cao.xlsx" in shown and f"{sheets}/{sheets} trang" in shown, shown
    closing = res.stderr.rsplit("\x1b[2K", 1)[1].splitlines()
    assert closing[0].startswith("báo cáo: 3/3 hộ ở 1 xã") and closing[0].endswith(f"đã ghi {out}")


def test_measures_and_targets_summary_lines_name_their_files(
    example_survey: Path, tmp_path: Path
) -> None:
    out = tmp_path / "m.csv"
    res = run("measures", example_survey, "-o", out)
    assert res.exit_code == Exit.OK, res.output
    first = res.stderr.splitlines()[0]
    # examples/README.md: 300 households, every one classed
    assert first.startswith("chỉ số nghèo đa chiều: dùng 300 hộ, 0 hộ không được tính"), first
    written = first.split("; đã ghi ", 1)[1].split(", ")
    assert written[0] == str(out) and all(Path(p).exists() for p in written), written
    assert sorted(written) == sorted(str(p) for p in tmp_path.iterdir())
    out = tmp_path / "chi-tieu.xlsx"
    res = run("targets", example_survey, "--previous", EXAMPLES / "previous-round.xlsx", "-o", out)
    first = res.stderr.splitlines()[0]
    assert first.startswith("chỉ tiêu (") and first.endswith(f"; đã ghi {out}"), first
