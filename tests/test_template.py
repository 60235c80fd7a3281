"""`mdpoverty template`: an empty survey workbook that reads back, and whose dropdowns hold
only values mdpoverty accepts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import mdpoverty
from mdpoverty.cli.main import Exit, main
from mdpoverty.law.schema import HOUSEHOLDS, MEMBERS, VOCAB, code_lookup, fold
from mdpoverty.law.standards import load_standard
from mdpoverty.write.template import GUIDE_SHEET, LISTS_SHEET, YES_NO


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "mau-ra-soat.xlsx"
    res = CliRunner().invoke(
        main, ["template", "-o", str(path), "--standard", "vn-2022-2025", "--lang", "en"]
    )
    assert res.exit_code == Exit.OK, res.output
    assert str(path) in res.stderr
    return path


def _headers(ws) -> list[str]:
    return [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]


def test_sheets_and_headers_are_the_contract(template: Path) -> None:
    wb = load_workbook(template)
    assert wb.sheetnames[:2] == [HOUSEHOLDS.label_vi, MEMBERS.label_vi]
    assert GUIDE_SHEET in wb.sheetnames and wb[LISTS_SHEET].sheet_state == "hidden"
    hh = _headers(wb[HOUSEHOLDS.label_vi])
    for required in ("Mã hộ", "Xã", "Khu vực"):
        assert required in hh
    # the 12 indicators of the standard get their override column, nothing else
    codes = load_standard("vn-2022-2025").codes
    deps = [h for h in hh if h.startswith("Thiếu hụt")]
    assert len(deps) == len(codes) == 12
    assert _headers(wb[MEMBERS.label_vi]) == [c.label_vi for c in MEMBERS.columns]
    # every header cell tells what to enter
    assert all(c.comment is not None for c in wb[HOUSEHOLDS.label_vi][1])


def test_the_empty_template_reads_back_without_a_header_issue(template: Path) -> None:
    # classed by the template's own standard (with no survey date, today's round would pick
    # the provisional 2027–2030 one, whose standard-level warnings are not header issues)
    issues = mdpoverty.validate(template, standard="vn-2022-2025")
    assert set(issues["check"]) == {"empty_sheet"}, issues.to_string()
    assert set(issues["severity"]) == {"warning"}


def test_every_dropdown_value_is_accepted_and_every_code_offered(template: Path) -> None:
    wb = load_workbook(template)
    lists = wb[LISTS_SHEET]
    offered: dict[str, list[str]] = {}
    for col in lists.iter_cols(values_only=True):
        offered[col[0]] = [v for v in col[1:] if v is not None]
    for vocab, codes in VOCAB.items():
        if vocab not in offered:
            continue
        parsed = [code_lookup(vocab).get(fold(v)) for v in offered[vocab]]
        assert parsed == list(codes), vocab  # each label reads as its own code, all codes
    coded = {c.vocab for s in (HOUSEHOLDS, MEMBERS) for c in s.columns if c.vocab}
    assert coded <= set(offered)
    assert {fold(v) for v in YES_NO} <= {"co", "khong"}  # the yes/no spellings §7 accepts


def test_columns_carry_their_validation(template: Path) -> None:
    ws = load_workbook(template)[HOUSEHOLDS.label_vi]
    headers = _headers(ws)
    by_cell: dict[str, str] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_cell[rng.coord.split(":")[0]] = f"{dv.type}:{dv.formula1}"

    def rule(header: str) -> str:
        from openpyxl.utils import get_column_letter

        return by_cell.get(f"{get_column_letter(headers.index(header) + 1)}2", "")

    assert rule("Khu vực").startswith("list:=") and LISTS_SHEET in rule("Khu vực")
    assert rule("Có ti vi") == 'list:"Có,Không"'
    assert rule("Ngày rà soát").startswith("date:")
    assert rule("Thu nhập bình quân người/tháng") == "decimal:0"
    assert rule("Mã hộ") == ""  # free text, formatted as text
    col = headers.index("Mã hộ") + 1
    from openpyxl.utils import get_column_letter

    assert ws.column_dimensions[get_column_letter(col)].number_format == "@"


def _fill(ws, rows: list[dict[str, object]]) -> None:
    headers = _headers(ws)
    for i, row in enumerate(rows, start=2):
        for header, value in row.items():
            ws.cell(i, headers.index(header) + 1, value)


def test_a_filled_template_is_classed_as_the_law_says(template: Path, tmp_path: Path) -> None:
    """Two rural households, filled with dropdown values only (Decree 07/2021, Art. 3):
    H1 has 1,000,000 VND/person/month (≤ the 1,500,000 rural line) and is deprived in housing
    quality (makeshift), water (surface water) and toilet (none): 3 indicators -> poor.
    H2 has 5,000,000 (above the 2,250,000 MSTB bound) -> not poor, whatever else."""
    wb = load_workbook(template)
    day = dt.datetime(2025, 10, 1)
    common = {
        "Xã": "Xã Thử",
        "Khu vực": "Nông thôn",
        "Ngày rà soát": day,
        "Diện tích nhà ở (m²)": 30,
        "Có ti vi": "Có",
        "Có radio": "Không",
        "Có máy tính": "Không",
        "Có điện thoại thông minh": "Có",
        "Nghe được loa truyền thanh": "Có",
    }
    _fill(
        wb[HOUSEHOLDS.label_vi],
        [
            {
                **common,
                "Mã hộ": "001",
                "Thu nhập bình quân người/tháng": 1_000_000,
                "Loại nhà": "Nhà đơn sơ",
                "Nguồn nước sinh hoạt": "Nước mặt",
                "Loại nhà tiêu": "Không có nhà tiêu",
            },
            {
                **common,
                "Mã hộ": "002",
                "Thu nhập bình quân người/tháng": 5_000_000,
                "Loại nhà": "Nhà kiên cố",
                "Nguồn nước sinh hoạt": "Nước máy",
                "Loại nhà tiêu": "Tự hoại",
            },
        ],
    )
    adult = {
        "Giới tính": "Nam",
        "Ngày sinh": dt.datetime(1980, 5, 1),
        "Quan hệ với chủ hộ": "Chủ hộ",
        "Dân tộc": "Kinh",
        "Tình trạng việc làm": "Làm công có hợp đồng",
        "Có thẻ BHYT": "Có",
        "Bằng cấp cao nhất": "Trung học phổ thông",
        "Đang học cấp": "Không đi học",
        "Khuyết tật": "Không",
        "Trợ cấp xã hội hằng tháng": "Không",
        "Dùng điện thoại/internet": "Có",
    }
    _fill(wb[MEMBERS.label_vi], [{**adult, "Mã hộ": "001"}, {**adult, "Mã hộ": "002"}])
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    result = mdpoverty.classify(filled)
    errors = result.issues[result.issues["severity"] == "error"]
    assert errors.empty, errors.to_string()
    classes = dict(zip(result.households["household_id"], result.households["class"], strict=True))
    assert classes == {"001": "poor", "002": "not_poor"}  # "001" kept its zeros: a text cell


def test_the_template_is_an_xlsx_only(tmp_path: Path) -> None:
    for name in ("mau.csv", "mau.xls"):
        res = CliRunner().invoke(main, ["template", "-o", str(tmp_path / name)])
        assert res.exit_code == Exit.USAGE, res.output
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].endswith("đặt tên tệp .xlsx"), lines
    assert list(tmp_path.iterdir()) == []


def test_an_older_standard_gets_its_own_indicator_columns(tmp_path: Path) -> None:
    path = tmp_path / "mau-2016.xlsx"
    res = CliRunner().invoke(main, ["template", "-o", str(path), "--standard", "vn-2016-2020"])
    assert res.exit_code == Exit.OK, res.output
    headers = _headers(load_workbook(path)[HOUSEHOLDS.label_vi])
    assert "Thiếu hụt tiếp cận dịch vụ y tế" in headers  # 2016–2020 indicator 1
    assert "Thiếu hụt việc làm" not in headers  # a 2022–2025 indicator
