"""``--annotate``: the survey handed back with each problem marked at its cell.

Expected cells come from the planted-errors table of examples/README.md (as in
test_cli.py) and from the original workbook's own header row, never from the code under test.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import HH_HEADER, M_HEADER, hh_row, m_row, write_workbook
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from mdpoverty.cli.main import Exit, main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

RED, AMBER = "FFFF7C80", "FFFFC000"  # the fills the help promises: red error, amber warning


def planted() -> list[dict[str, str]]:
    """The planted-errors table of examples/README.md, by its header (so a column added to
    the table, like a check id, does not break the test)."""
    text = (EXAMPLES / "README.md").read_text(encoding="utf-8").split("## Planted errors", 1)[1]
    table = []
    for ln in text.splitlines():
        if ln.startswith("|"):
            table.append([c.strip().strip("`*") for c in ln.strip().strip("|").split("|")])
        elif table:
            break
    header, rows = table[0], table[2:]
    return [dict(zip(header, r, strict=True)) for r in rows if r and r[0]]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _column_letter(ws, header: str, header_row: int | None = None) -> str | None:
    """The column whose header cell (in the first 30 rows) reads ``header``."""
    rows = [header_row] if header_row else range(1, 31)
    for r in rows:
        for cell in ws[r]:
            if isinstance(cell.value, str) and cell.value.strip() == header.strip():
                return cell.column_letter
    return None


@pytest.fixture
def annotated(errors_survey: Path, tmp_path: Path):
    survey = tmp_path / "survey-with-errors.xlsx"
    shutil.copy(errors_survey, survey)
    before = survey.read_bytes()
    res = run("validate", str(survey), "--annotate", "-o", str(tmp_path / "issues.csv"))
    assert res.exit_code == Exit.DATA, res.output
    return survey, before, tmp_path / "survey-with-errors.checked.xlsx"


def test_every_planted_problem_is_marked_at_its_cell(annotated) -> None:
    survey, before, checked = annotated
    assert survey.read_bytes() == before  # the original is never modified
    original = load_workbook(survey)
    wb = load_workbook(checked)
    table = planted()
    assert len(table) >= 14
    for p in table:
        sheet, row, column, severity, what = (
            p["sheet"],
            p["row"],
            p["column header"],
            p["severity"],
            p["what is wrong"],
        )
        letter = _column_letter(original[sheet], column)
        assert letter, f"{column!r} not in the header of {sheet}"
        cell = wb[sheet][f"{letter}{row}"]
        expected = RED if severity == "error" else AMBER
        assert cell.fill.fgColor.rgb == expected, f"{sheet}!{letter}{row} ({what}) not filled"
        assert cell.comment is not None and "Cách sửa" in cell.comment.text, what
        assert cell.value == original[sheet][f"{letter}{row}"].value  # marked, not changed


def test_issue_sheet_comes_first_with_links_to_the_cells(annotated, tmp_path: Path) -> None:
    _survey, _before, checked = annotated
    issues = pd.read_csv(tmp_path / "issues.csv", dtype={"row": "Int64"})
    wb = load_workbook(checked)
    assert wb.sheetnames[0] == "Lỗi cần sửa"
    assert wb.sheetnames[1:] == ["Hộ gia đình", "Thành viên"]
    ws = wb.worksheets[0]
    assert wb.active.title == "Lỗi cần sửa"
    assert [c.value for c in ws[1]][:7] == [
        "Trang",
        "Dòng",
        "Cột",
        "Ô",
        "Mã hộ",
        "Giá trị",
        "Mức độ",
    ]
    assert ws.max_row == len(issues) + 1  # every issue listed, whole-file ones included
    links = {
        (c.hyperlink.location if c.hyperlink else None)
        for row in ws.iter_rows(min_row=2)
        for c in row
        if c.hyperlink
    }
    for p in planted():
        sheet, row, column = p["sheet"], p["row"], p["column header"]
        letter = _column_letter(load_workbook(checked, read_only=True)[sheet], column)
        assert f"'{sheet}'!{letter}{row}" in links, (sheet, row, column)
    # only one sheet is selected (several selected tabs would group them in Excel)
    assert [w.title for w in wb.worksheets if w.sheet_view.tabSelected] == ["Lỗi cần sửa"]


def test_other_content_is_unchanged(annotated) -> None:
    survey, _before, checked = annotated
    original, wb = load_workbook(survey), load_workbook(checked)
    for name in original.sheetnames:
        a, b = original[name], wb[name]
        assert a.max_row == b.max_row and a.max_column == b.max_column
        for ra, rb in zip(a.iter_rows(), b.iter_rows(), strict=True):
            for ca, cb in zip(ra, rb, strict=True):
                assert ca.value == cb.value, ca.coordinate
                assert ca.number_format == cb.number_format, ca.coordinate


def test_the_marked_copy_validates_as_the_original(annotated) -> None:
    """Read back by mdpoverty's own reader (calamine): the same households, the same issues;
    the officer can fix the marked copy and validate it again."""
    import mdpoverty

    survey, _before, checked = annotated
    a, b = mdpoverty.classify(survey), mdpoverty.classify(checked)
    key = ["sheet", "row", "column", "check", "severity"]
    assert a.issues[key].equals(b.issues[key])
    assert a.households.equals(b.households)


def _decorated_workbook(path: Path, comment: bool = False) -> Path:
    """A survey as an officer formats it: merged title, widths, a list validation, a date
    format, a notes sheet; blank commune and negative income planted."""
    hh = [hh_row("H1"), hh_row("H2", income=-5), hh_row("H3", **{"Xã": None})]
    write_workbook(path, hh, [m_row("H1"), m_row("H2"), m_row("H3")], title_rows=2)
    wb = load_workbook(path)
    ws = wb["Hộ gia đình"]
    ws.merge_cells("A1:F1")
    ws.column_dimensions["A"].width = 21.5
    ws.column_dimensions["E"].width = 33
    for r in (4, 5, 6):
        ws[f"D{r}"].number_format = "dd/mm/yyyy"
    dv = DataValidation(type="list", formula1='"Nông thôn,Thành thị"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("C4:C100")
    if comment:
        ws["A4"].comment = Comment("đã kiểm tra tại nhà", "Cán bộ xã")
        ws["E5"].comment = Comment("hỏi lại thu nhập", "Cán bộ xã")
    notes = wb.create_sheet("Ghi chú")
    notes["A1"] = "Người lập biểu"
    notes["B2"] = 42
    wb.save(path)
    return path


@pytest.mark.parametrize("comment", [False, True], ids=["plain", "with-comments"])
def test_formatting_merges_widths_validation_and_other_sheets_survive(
    tmp_path: Path, comment: bool
) -> None:
    survey = _decorated_workbook(tmp_path / "xa.xlsx", comment=comment)
    before = survey.read_bytes()
    out = tmp_path / "out" / "danh-dau.xlsx"
    res = run("validate", str(survey), "--annotate-to", str(out), "-q")
    assert res.exit_code == Exit.DATA, res.output
    assert survey.read_bytes() == before
    assert [p.name for p in out.parent.iterdir()] == ["danh-dau.xlsx"]  # no spool left behind
    wb = load_workbook(out)
    assert wb.sheetnames == ["Lỗi cần sửa", "Hộ gia đình", "Thành viên", "Ghi chú"]
    ws = wb["Hộ gia đình"]
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:F1"]
    assert ws.column_dimensions["A"].width == 21.5 and ws.column_dimensions["E"].width == 33
    assert [str(v.sqref) for v in ws.data_validations.dataValidation] == ["C4:C100"]
    assert ws["D5"].number_format == "dd/mm/yyyy"  # a marked row keeps its formats
    assert wb["Ghi chú"]["A1"].value == "Người lập biểu" and wb["Ghi chú"]["B2"].value == 42
    income = get_column_letter(HH_HEADER.index("Thu nhập bình quân người/tháng") + 1)
    commune = get_column_letter(HH_HEADER.index("Xã") + 1)
    assert ws[f"{income}5"].fill.fgColor.rgb == RED and ws[f"{income}5"].value == -5
    assert ws[f"{commune}6"].fill.fgColor.rgb == RED and ws[f"{commune}6"].comment is not None
    assert ws["A4"].fill.fgColor.rgb != RED  # an unmarked cell keeps its (no) fill
    assert [w.title for w in wb.worksheets if w.sheet_view.tabSelected] == ["Lỗi cần sửa"]
    if comment:  # the officer's own comments are kept
        assert ws["A4"].comment.text == "đã kiểm tra tại nhà"
        assert "hỏi lại thu nhập" in ws["E5"].comment.text
    assert len(M_HEADER) == wb["Thành viên"].max_column


def test_header_and_missing_column_issues(tmp_path: Path) -> None:
    """A misspelled header marks the header cell; a missing column is listed, unmarked."""
    header = [h for h in HH_HEADER if h != "Có radio"] + ["Ghi chu ho"]
    rows = [[*(v for h, v in zip(HH_HEADER, hh_row("H1"), strict=True) if h != "Có radio"), ""]]
    survey = write_workbook(tmp_path / "s.xlsx", rows, [m_row("H1")], hh_header=header)
    res = run("validate", str(survey), "--annotate", "-o", str(tmp_path / "i.csv"), "--lang", "en")
    assert res.exit_code in (Exit.OK, Exit.DATA), res.output
    issues = pd.read_csv(tmp_path / "i.csv")
    wb = load_workbook(tmp_path / "s.checked.xlsx")
    assert wb.sheetnames[0] == "Issues to fix"
    extra = get_column_letter(len(header))
    assert wb["Hộ gia đình"][f"{extra}1"].fill.fgColor.rgb == AMBER
    assert "How to fix" in wb["Hộ gia đình"][f"{extra}1"].comment.text
    listed = wb["Issues to fix"]
    assert listed.max_row == len(issues) + 1
    missing = [r for r in listed.iter_rows(min_row=2, values_only=True) if r[3] is None]
    assert len(issues) == 2 and [r[2] for r in missing] == [
        c for c in issues["column"] if c != "Ghi chu ho"
    ]  # the missing column (named as the issue table names it) is listed without a link


def test_classify_annotates_too(example_survey: Path, tmp_path: Path) -> None:
    survey = tmp_path / "survey.xlsx"
    shutil.copy(example_survey, survey)
    res = run("classify", str(survey), "-o", str(tmp_path / "k.csv"), "--annotate", "-q")
    assert res.exit_code == Exit.OK, res.output
    wb = load_workbook(tmp_path / "survey.checked.xlsx")
    assert wb.sheetnames[0] == "Lỗi cần sửa"


def test_csv_survey_is_refused_in_one_line_before_any_work(tmp_path: Path) -> None:
    survey = tmp_path / "ho.csv"
    survey.write_text("Mã hộ,Xã\nH1,Xã Thử\n", encoding="utf-8")
    res = run("validate", str(survey), "--annotate", "--lang", "en")
    assert res.exit_code == Exit.USAGE
    lines = res.stderr.strip().splitlines() if hasattr(res, "stderr") else res.output.splitlines()
    assert len(lines) == 1 and ".xlsx" in lines[0], lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ho.csv"]


def test_annotating_over_the_survey_is_refused(tmp_path: Path) -> None:
    survey = write_workbook(tmp_path / "s.xlsx", [hh_row("H1")], [m_row("H1")])
    before = survey.read_bytes()
    res = run("validate", str(survey), "--annotate-to", str(survey))
    assert res.exit_code == Exit.USAGE
    assert survey.read_bytes() == before
    res = run("validate", str(survey), "--annotate", "-o", str(tmp_path / "s.checked.xlsx"))
    assert res.exit_code == Exit.USAGE and "--annotate-to" in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.xlsx"]


def test_existing_comments_are_merged_without_the_openpyxl_road(tmp_path: Path) -> None:
    """The officer's comments stay; a marked cell that had one keeps it, notes appended."""
    import mdpoverty
    from mdpoverty.write.annotate import annotate_workbook

    survey = _decorated_workbook(tmp_path / "xa.xlsx", comment=True)
    wb = load_workbook(survey)
    income = get_column_letter(HH_HEADER.index("Thu nhập bình quân người/tháng") + 1)
    wb["Hộ gia đình"][f"{income}5"].comment = Comment("thu nhập hỏi lại", "Cán bộ xã")
    wb.save(survey)
    done = annotate_workbook(survey, tmp_path / "x.xlsx", mdpoverty.validate(survey))
    assert done.engine == "zip", done.note
    ws = load_workbook(tmp_path / "x.xlsx")["Hộ gia đình"]
    assert ws["A4"].comment.text == "đã kiểm tra tại nhà"
    assert ws[f"{income}5"].comment.text.startswith("thu nhập hỏi lại\n\n[Lỗi]")
    assert ws[f"{income}5"].fill.fgColor.rgb == RED
    commune = get_column_letter(HH_HEADER.index("Xã") + 1)
    assert "Cách sửa" in ws[f"{commune}6"].comment.text


def test_threaded_or_odd_parts_take_the_openpyxl_road_and_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mdpoverty.write import annotate as a
    from mdpoverty.write.ooxml import Fallback

    def odd(*args, **kwargs):
        raise Fallback("sheet 'Hộ gia đình' has threaded comments")

    monkeypatch.setattr(a, "_zip_annotate", odd)
    survey = _decorated_workbook(tmp_path / "xa.xlsx", comment=True)
    res = run("validate", str(survey), "--annotate", "-v")
    assert "openpyxl" in res.stderr and "threaded" in res.stderr
    ws = load_workbook(tmp_path / "xa.checked.xlsx")["Hộ gia đình"]
    assert ws["A4"].comment.text == "đã kiểm tra tại nhà"


def test_unwritable_target_is_one_line_exit_2(tmp_path: Path) -> None:
    survey = write_workbook(tmp_path / "s.xlsx", [hh_row("H1")], [m_row("H1")])
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = run("validate", str(survey), "--annotate-to", str(blocker / "out.xlsx"))
    assert res.exit_code == Exit.USAGE
    assert res.stderr.count("\n") == 1 and "out.xlsx" in res.stderr


def test_library_call(errors_survey: Path, tmp_path: Path) -> None:
    import mdpoverty
    from mdpoverty.write.annotate import annotate_workbook

    issues = mdpoverty.validate(errors_survey, as_of=dt.date(2025, 10, 9))
    whole = issues.iloc[:1].copy()  # a whole-file problem: no sheet, row or column
    whole[["sheet", "row", "column", "message_en"]] = [None, pd.NA, None, "whole file"]
    issues = pd.concat([issues, whole], ignore_index=True)
    done = annotate_workbook(errors_survey, tmp_path / "x.xlsx", issues, lang="en")
    assert done.engine == "zip" and done.listed == len(issues)
    ws = load_workbook(tmp_path / "x.xlsx").worksheets[0]
    assert ws.title == "Issues to fix"
    rows = {r[7]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["whole file"][:4] == (None, None, None, None)


def test_workbook_without_title_or_issues(tmp_path: Path) -> None:
    """A clean workbook still gets the (empty) issue sheet, and opens."""
    wb = Workbook()
    wb.active.title = "Hộ gia đình"
    wb.active.append(HH_HEADER)
    wb.active.append(hh_row("H1"))
    wm = wb.create_sheet("Thành viên")
    wm.append(M_HEADER)
    wm.append(m_row("H1"))
    wb.save(tmp_path / "s.xlsx")
    res = run("validate", str(tmp_path / "s.xlsx"), "--annotate", "-q")
    assert res.exit_code == Exit.OK, res.output
    out = load_workbook(tmp_path / "s.checked.xlsx")
    assert out.sheetnames == ["Lỗi cần sửa", "Hộ gia đình", "Thành viên"]
