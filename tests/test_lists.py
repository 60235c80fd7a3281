"""`classify -o x.xlsx`: the official lists, reopened with openpyxl and checked against the
classify CSV of the same survey (issue 12, item 1)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.chart import BarChart

import mdpoverty
from mdpoverty.cli.main import Exit, main
from mdpoverty.law.standards import load_standard

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FIRST = 11  # first data row of a list sheet: note, letterhead, title, three header rows
CLASS_VI = {
    "poor": "Hộ nghèo",
    "near_poor": "Hộ cận nghèo",
    "average": "Hộ có mức sống trung bình",
    "not_poor": "Hộ không nghèo",
}


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _rows(ws) -> list[tuple]:
    """The household rows of a list sheet (group rows and the signature block left out)."""
    out = []
    for row in ws.iter_rows(min_row=FIRST, values_only=True):
        if isinstance(row[0], int):
            out.append(row)
    return out


def _text(v: object) -> object:
    return None if pd.isna(v) else v


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("lists")
    xlsx, csv = folder / "ket-qua.xlsx", folder / "ket-qua.csv"
    survey = EXAMPLES / "survey-with-errors.xlsx"
    assert run("classify", survey, "-o", xlsx).exit_code == Exit.DATA
    assert run("classify", survey, "-o", csv).exit_code == Exit.DATA
    table = pd.read_csv(csv, dtype={"household_id": str})
    return xlsx, table


def test_the_sheets_and_their_print_setup(written) -> None:
    xlsx, _ = written
    wb = load_workbook(xlsx)
    assert wb.sheetnames[:3] == ["Danh sách hộ", "Hộ nghèo", "Hộ cận nghèo"]
    assert wb.sheetnames[3:] == ["Tổng hợp", "Lỗi", "Dữ liệu"]  # 2027–2030: no MSTB band
    for name in ("Danh sách hộ", "Hộ nghèo", "Hộ cận nghèo"):
        ws = wb[name]
        assert "TẠM THỜI" in ws["A1"].value  # the provisional line stays on top
        assert ws["A2"].value == "ỦY BAN NHÂN DÂN" and ws["A3"].value == "TỈNH LÀO CAI"
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in [c.value for c in ws[2]]
        assert ws["A5"].value.startswith(("DANH SÁCH HỘ GIA ĐÌNH", f"DANH SÁCH {name.upper()}"))
        assert "KỲ RÀ SOÁT ĐỊNH KỲ CUỐI NĂM 2026" in ws["A6"].value.upper()
        assert "xác định danh sách năm 2027" in ws["A6"].value
        assert "vn-2027-2030 (tạm thời)" in ws["A6"].value
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$8:$10"
        assert ws.freeze_panes == f"D{FIRST}"
        assert ws.auto_filter.ref.startswith("A10:")
        assert "&P" in ws.oddFooter.center.text
        texts = [c.value for row in ws.iter_rows(min_row=ws.max_row - 5) for c in row]
        assert "NGƯỜI LẬP BIỂU" in texts and "TM. ỦY BAN NHÂN DÂN" in texts
        assert "CHỦ TỊCH" in texts and "(Ký, ghi rõ họ tên)" in texts
        assert any(isinstance(t, str) and "ngày" in t and "tháng" in t for t in texts)


def test_the_header_numbers_the_standards_indicators(written) -> None:
    ws = load_workbook(written[0])["Danh sách hộ"]
    std = load_standard("vn-2027-2030")
    top = [c.value for c in ws[8]]
    assert top[:8] == [
        "STT",
        "Mã hộ",
        "Họ tên chủ hộ",
        "Thôn/Bản",
        "Xã",
        "Khu vực",
        "Số nhân khẩu",
        "Thu nhập BQ (đồng/ người/ tháng)",
    ]
    assert top[8] == "Chỉ số thiếu hụt"
    assert top[-3:] == ["Tổng số thiếu hụt", "Phân loại", "Lý do"]  # the one-line reason last
    labels = [c.value for c in ws[9]][8:-3]
    assert labels == [
        f"{std.indicators[c].number}. {std.indicators[c].label_vi}" for c in std.codes
    ]
    assert any(str(r) == "I8:T8" for r in ws.merged_cells.ranges)  # the group over the twelve


def test_every_household_row_matches_the_csv(written) -> None:
    """Each printed row (ID, head, village, commune, the 12 marks, the count, the class) is a
    row of the CSV: compared as multisets, since the survey repeats some IDs on purpose."""
    xlsx, table = written
    ws = load_workbook(xlsx)["Danh sách hộ"]
    rows = _rows(ws)
    assert [r[0] for r in rows] == list(range(1, len(table) + 1))  # STT
    deps = [c for c in table.columns if c.startswith("dep_")]
    result = mdpoverty.classify(EXAMPLES / "survey-with-errors.xlsx")
    heads = result.extra["head_name"]
    want = []
    for i, row in table.iterrows():
        marks = tuple(
            "?" if pd.isna(row[d]) else ("x" if str(row[d]) == "True" else None) for d in deps
        )
        cls = "" if pd.isna(row["class"]) else row["class"]
        want.append(
            (
                _text(row["household_id"]),
                _text(heads.iloc[i]),
                _text(row["village"]),
                _text(row["commune"]),
                *marks,
                CLASS_VI.get(cls, "Chưa phân loại (xem Lỗi)"),
                row["reason"],  # the CSV's reason (Vietnamese, as the lists always are)
            )
        )
    got = [(r[1], r[2], r[3], r[4], *r[8 : 8 + len(deps)], r[-2], r[-1]) for r in rows]
    key = lambda t: tuple("" if v is None else str(v) for v in t)  # noqa: E731
    assert sorted(got, key=key) == sorted(want, key=key)
    assert (
        sum(r[-2] == "Chưa phân loại (xem Lỗi)" for r in rows)
        == result.counts["households_rejected"]
    )
    assert all(r[2] for r in rows if r[1])  # every household with an ID has its head's name


def test_rows_are_grouped_by_commune(written) -> None:
    xlsx, table = written
    ws = load_workbook(xlsx)["Danh sách hộ"]
    groups = [
        row[0]
        for row in ws.iter_rows(min_row=FIRST, values_only=True)
        if isinstance(row[0], str) and "hộ)" in row[0]
    ]
    communes = list(dict.fromkeys(table["commune"].fillna("(không rõ xã)")))
    assert [g.split(" (")[0].split(" — ")[0] for g in groups] == communes
    order = [row[4] or "(không rõ xã)" for row in _rows(ws)]
    assert order == sorted(order, key=communes.index)  # commune by commune


def test_the_poor_and_near_poor_sheets_list_exactly_those_households(written) -> None:
    xlsx, table = written
    wb = load_workbook(xlsx)
    for sheet, code in (("Hộ nghèo", "poor"), ("Hộ cận nghèo", "near_poor")):
        ids = sorted(str(r[1]) for r in _rows(wb[sheet]))
        assert ids == sorted(table.loc[table["class"] == code, "household_id"]), sheet
        assert {r[-2] for r in _rows(wb[sheet])} == {CLASS_VI[code]}


def test_summary_has_the_two_charts_and_the_issue_sheet_speaks_vietnamese(written) -> None:
    xlsx, _ = written
    wb = load_workbook(xlsx)
    ws = wb["Tổng hợp"]
    assert len(ws._charts) == 2 and all(isinstance(c, BarChart) for c in ws._charts)
    assert [c.type for c in ws._charts] == ["col", "bar"]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "Tổng cộng" in values and "Hộ nghèo" in values
    issues = wb["Lỗi"]
    heads = [c.value for c in issues[2]]
    assert heads[:7] == ["Trang tính", "Dòng", "Cột", "Giá trị", "Mã lỗi", "Mức độ", "Nội dung"]
    severities = {r[5] for r in issues.iter_rows(min_row=3, values_only=True)}
    assert "Lỗi" in severities and severities <= {"Lỗi", "Cảnh báo", "Thông tin"}


def test_a_standard_with_a_band_adds_the_farm_household_list(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    survey = EXAMPLES / "previous-round.xlsx"  # the 2025 round: vn-2022-2025 has the band
    assert run("classify", survey, "-o", out).exit_code in (Exit.OK, Exit.DATA)
    wb = load_workbook(out)
    name = "Hộ NLNDN mức sống trung bình"  # Excel's 31-character cap on sheet names
    assert name in wb.sheetnames
    table = mdpoverty.classify(survey).households
    want = table[(table["class"] == "average") & table["agricultural"].fillna(False)]
    assert sorted(str(r[1]) for r in _rows(wb[name])) == sorted(want["household_id"])
    assert wb[name]["A1"].value is None  # not provisional: no line on top


def test_head_name_falls_back_to_the_member_who_is_head(tmp_path: Path) -> None:
    wb = load_workbook(EXAMPLES / "survey.xlsx")
    ws = wb["Hộ gia đình"]
    col = next(c.column for c in ws[3] if c.value == "Họ tên chủ hộ")
    ws.delete_cols(col)
    path = tmp_path / "no-head-name.xlsx"
    wb.save(path)
    result = mdpoverty.classify(path)
    m = pd.read_excel(EXAMPLES / "survey.xlsx", sheet_name=None, engine="calamine")
    assert result.extra["head_name"].notna().all()
    first = result.extra["head_name"].iloc[0]
    assert any(first in df.astype(str).to_numpy().ravel() for df in m.values())


def _charts(path: Path, sheet: str) -> list[tuple[str, int]]:
    return [(c.type, len(c.series)) for c in load_workbook(path)[sheet]._charts]


def test_report_forms_1_and_5_carry_a_chart_outside_the_printed_form(tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.xlsx"
    survey, previous = EXAMPLES / "survey.xlsx", EXAMPLES / "previous-round.xlsx"
    assert run("report", survey, "--previous", previous, "-o", out).exit_code == Exit.OK
    wb = load_workbook(out)
    assert _charts(out, "Biểu 1") == [("col", 2)]  # poor and near-poor rates per unit
    assert _charts(out, "Biểu 5") == [("bar", 1)]  # the share deprived in each indicator
    for name in ("Biểu 2", "Biểu 3", "Biểu 4"):
        assert _charts(out, name) == []
    for name in ("Biểu 1", "Biểu 5"):
        ws = wb[name]
        anchor = ws._charts[0].anchor._from
        last_printed = str(ws.print_area).split(":")[-1].split("$")[1]  # 'B1'!$A$1:$P$21
        assert anchor.col + 1 > ws[f"{last_printed}1"].column  # beside, not on, the form


def test_measures_and_targets_workbooks_carry_their_chart(tmp_path: Path) -> None:
    survey, previous = EXAMPLES / "survey.xlsx", EXAMPLES / "previous-round.xlsx"
    m = tmp_path / "m.xlsx"
    assert run("measures", survey, "-o", m).exit_code == Exit.OK
    assert _charts(m, "Theo chỉ số") == [("bar", 1)]  # contributions by indicator
    t = tmp_path / "t.xlsx"
    assert run("targets", survey, "--previous", previous, "-o", t).exit_code in (0, 1)
    assert _charts(t, "Chỉ tiêu giảm nghèo") == [("col", 2)]  # the fall and the target
    ws = load_workbook(t)["Chỉ tiêu giảm nghèo"]
    names = [s.tx.v for s in ws._charts[0].series]
    assert names == ["Mức giảm/năm", "Chỉ tiêu"]


def test_form_details_as_on_the_province_forms(tmp_path: Path) -> None:
    """Item 7: figures centred, the "Số hộ / Tỷ lệ (%)" sub-headers in italics, page numbers
    in the footer of every form."""
    out = tmp_path / "bao-cao.xlsx"
    survey, previous = EXAMPLES / "survey.xlsx", EXAMPLES / "previous-round.xlsx"
    assert run("report", survey, "--previous", previous, "-o", out).exit_code == Exit.OK
    wb = load_workbook(out)
    for ws in wb.worksheets:
        assert "&P" in ws.oddFooter.center.text, ws.title
    ws = wb["Biểu 1"]
    subs = [c for row in ws.iter_rows(min_row=7, max_row=10) for c in row if c.value == "Số hộ"]
    assert subs and all(c.font.italic and c.font.bold for c in subs)
    first = next(r for r in range(11, 30) if ws.cell(row=r, column=2).value)
    figure = ws.cell(row=first, column=3)
    assert isinstance(figure.value, int) and figure.alignment.horizontal == "center"


def test_lang_en_keeps_the_official_lists_vietnamese_and_the_issues_english(
    tmp_path: Path,
) -> None:
    out = tmp_path / "r.xlsx"
    survey = EXAMPLES / "survey-with-errors.xlsx"
    assert run("classify", survey, "-o", out, "--lang", "en").exit_code == Exit.DATA
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "Danh sách hộ",
        "Hộ nghèo",
        "Hộ cận nghèo",
        "Tổng hợp",
        "Issues",
        "Dữ liệu",
    ]
    assert wb["Danh sách hộ"]["A8"].value == "STT"  # the commune's document, in Vietnamese
    heads = [c.value for c in wb["Issues"][2]][:7]
    assert heads == ["Sheet", "Row", "Column", "Value", "Check", "Severity", "Message"]
    severities = {r[5] for r in wb["Issues"].iter_rows(min_row=3, values_only=True)}
    assert "Error" in severities and severities <= {"Error", "Warning", "Info"}


def test_issue_sheet_links_each_issue_to_its_cell_in_the_annotated_survey(tmp_path: Path) -> None:
    """Issue 12 item 1: with --annotate, the workbook's issue sheet links each issue that has a
    cell to that cell of the annotated survey (a path relative to the workbook's folder)."""
    survey = tmp_path / "survey-with-errors.xlsx"
    survey.write_bytes((EXAMPLES / "survey-with-errors.xlsx").read_bytes())
    out = tmp_path / "ket-qua" / "kq.xlsx"
    res = CliRunner().invoke(main, ["classify", str(survey), "-o", str(out), "--annotate"])
    assert res.exit_code == Exit.DATA, res.output
    checked = tmp_path / "survey-with-errors.checked.xlsx"
    marked = load_workbook(checked)
    ws = load_workbook(out)["Lỗi"]
    header = [c.value for c in ws[2]]
    assert header[:4] == ["Ô cần sửa", "Trang tính", "Dòng", "Cột"]
    linked = 0
    for row in ws.iter_rows(min_row=3):
        ref, sheet, line = row[0].value, row[1].value, row[2].value
        if row[0].hyperlink is None:
            assert ref is None
            continue
        linked += 1
        assert row[0].hyperlink.target == "../survey-with-errors.checked.xlsx"
        assert row[0].hyperlink.location == f"'{sheet}'!{ref}"
        assert ref.endswith(str(line))  # the issue's Excel row
        cell = marked[sheet][ref]
        assert cell.comment is not None, f"{sheet}!{ref} is not marked in the annotated copy"
    located = mdpoverty.classify(survey).issues["row"].notna().sum()
    assert 0 < linked <= located
    # without --annotate: no link column
    plain = tmp_path / "plain.xlsx"
    CliRunner().invoke(main, ["classify", str(survey), "-o", str(plain)])
    assert load_workbook(plain)["Lỗi"]["A2"].value == "Trang tính"
