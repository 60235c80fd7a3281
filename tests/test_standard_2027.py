"""The 2027–2030 standard as far as it is published (domain.md §3), and loud about the rest.

Expected values come from domain.md: lines 2,200,000 rural / 2,800,000 urban; poor = income
≤ line and ≥ 3 deprivations; the average band and the checklist score lines unpublished
(none shipped; a province supplies them); info_access dropped; waste treatment added, the
reviewer's dep_waste deciding; every run under it says it is provisional.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

import mdpoverty
from mdpoverty.cli.main import Exit, main
from mdpoverty.law.standards import load_standard

INFO = (
    "Có ti vi",
    "Có radio",
    "Có máy tính",
    "Có điện thoại thông minh",
    "Nghe được loa truyền thanh",
)
HH = [
    "Mã hộ",
    "Xã",
    "Khu vực",
    "Ngày rà soát",
    "Thu nhập bình quân người/tháng",
    "Điểm A",
    "Loại nhà",
    "Diện tích nhà ở (m²)",
    "Nguồn nước sinh hoạt",
    "Loại nhà tiêu",
    "Xử lý rác thải sinh hoạt",
    "Thiếu hụt xử lý rác thải",
    "Hộ làm nông, lâm, ngư, diêm nghiệp",
]
M = [
    "Mã hộ",
    "Giới tính",
    "Ngày sinh",
    "Quan hệ với chủ hộ",
    "Dân tộc",
    "Tình trạng việc làm",
    "Có thẻ BHYT",
    "Bằng cấp cao nhất",
    "Đang học cấp",
    "Suy dinh dưỡng",
    "Khuyết tật",
    "Trợ cấp xã hội hằng tháng",
    "Dùng điện thoại/internet",
]
DAY = dt.date(2026, 10, 15)  # the periodic review of late 2026: it sets the 2027 lists


def household(hid: str, **over: object) -> dict[str, object]:
    """A rural household deprived in nothing under 2027–2030 (no information-item columns:
    that indicator is dropped), income 5,000,000 unless said."""
    row: dict[str, object] = {
        "Mã hộ": hid,
        "Xã": "Xã Thử",
        "Khu vực": "Nông thôn",
        "Ngày rà soát": DAY,
        "Thu nhập bình quân người/tháng": 5_000_000,
        "Điểm A": None,
        "Loại nhà": "Nhà kiên cố",
        "Diện tích nhà ở (m²)": 60,
        "Nguồn nước sinh hoạt": "Nước máy",
        "Loại nhà tiêu": "Tự hoại",
        "Xử lý rác thải sinh hoạt": "Thu gom tập trung",
        "Thiếu hụt xử lý rác thải": "Không",
        "Hộ làm nông, lâm, ngư, diêm nghiệp": "Có",
    }
    row.update(over)
    return row


def member(hid: str) -> list[object]:
    values = {
        "Mã hộ": hid,
        "Giới tính": "Nam",
        "Ngày sinh": dt.date(1985, 5, 10),
        "Quan hệ với chủ hộ": "Chủ hộ",
        "Dân tộc": "Kinh",
        "Tình trạng việc làm": "Tự làm",
        "Có thẻ BHYT": "Có",
        "Bằng cấp cao nhất": "Trung học phổ thông",
        "Đang học cấp": "Không đi học",
        "Suy dinh dưỡng": "Không",
        "Khuyết tật": "Không",
        "Trợ cấp xã hội hằng tháng": "Không",
        "Dùng điện thoại/internet": "Có",
    }
    return [values[h] for h in M]


def survey(path: Path, households: list[dict[str, object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Hộ gia đình"
    ws.append(HH)
    for h in households:
        ws.append([h[c] for c in HH])
    wm = wb.create_sheet("Thành viên")
    wm.append(M)
    for h in households:
        wm.append(member(str(h["Mã hộ"])))
    wb.save(path)
    return path


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


# ------------------------------------------------------------------ the data file


def test_the_2027_file_is_what_decree_351_publishes_and_nothing_more() -> None:
    std = load_standard("vn-2027-2030")
    assert std.provisional
    assert (std.income.poverty_line.rural, std.income.poverty_line.urban) == (2_200_000, 2_800_000)
    assert std.income.poverty_line.confidence == "confirmed"
    assert std.rule == "line_and_deprivations" and std.deprivation.cutoff == 3
    assert std.income.average_upper is None  # unpublished: no invented band
    assert std.income.score_line is None  # unpublished: no invented score lines
    carried = [
        "employment",
        "dependents",
        "nutrition",
        "health_insurance",
        "adult_education",
        "school_attendance",
        "housing_quality",
        "housing_area",
        "water",
        "toilet",
        "telecom",
    ]
    assert std.codes == [*carried, "waste"]  # numbered 1–11 carried over, waste = 12
    assert "info_access" not in std.indicators
    waste = std.indicators["waste"]
    assert waste.rule == "reported" and waste.confidence == "secondary"
    assert "351/2025" in waste.reference
    assert std.services[waste.service].label_vi == "Nước sinh hoạt, vệ sinh và môi trường"
    assert std.services["information"] and std.indicators["telecom"].service == "information"


def test_no_window_date_from_the_law_in_python() -> None:
    """The review window (1 Sep – 14 Dec, Quyết định 24/2021) lives in data/thresholds only."""
    src = Path(mdpoverty.__file__).parent
    for path in src.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        code = re.sub(r"'09-01'", "", text)  # the format example in a validation message
        for needle in ('"09-01"', '"12-14"', "(9, 1)", "(12, 14)", "1/9", "14/12"):
            assert needle not in code, f"{path.name} holds the review window: {needle}"


# ------------------------------------------------------------------ classing under it


def test_above_the_line_without_a_band_is_not_poor_and_said_once(tmp_path: Path) -> None:
    """Without the (unpublished) band no household is 'average': 2,300,000 rural is above the
    2,200,000 line, so not poor (the old made-up 1.5x band would have said 'average')."""
    path = survey(
        tmp_path / "s.xlsx",
        [
            household("H1", **{"Thu nhập bình quân người/tháng": 2_300_000}),
            household("H2", **{"Thu nhập bình quân người/tháng": 3_000_000}),
            household("H3", **{"Thu nhập bình quân người/tháng": 2_200_000}),
        ],
    )
    res = mdpoverty.classify(path)
    assert res.standard.id == "vn-2027-2030"
    assert list(res.households["class"]) == ["not_poor", "not_poor", "near_poor"]
    checks = list(res.issues["check"])
    assert checks.count("no_average_band") == 1 and "average_not_assessed" not in checks


def test_a_score_only_household_is_an_error_that_says_how_to_supply_score_lines(
    tmp_path: Path,
) -> None:
    path = survey(
        tmp_path / "s.xlsx",
        [household("H1", **{"Thu nhập bình quân người/tháng": None, "Điểm A": 120})],
    )
    res = mdpoverty.classify(path, lang="en")
    hit = res.issues[res.issues["check"] == "no_score_line"]
    assert len(hit) == 1
    row = hit.iloc[0]
    assert (row["sheet"], row["row"], row["field"], row["severity"]) == (
        "Hộ gia đình",
        2,
        "income_score",
        "error",
    )
    assert "[income.score_line]" in row["message_en"] and "[income.score_line]" in row["message_vi"]
    assert res.households.loc[0, "class"] == ""


def test_blank_dep_waste_is_a_located_error(tmp_path: Path) -> None:
    path = survey(
        tmp_path / "s.xlsx",
        [household("H1"), household("H2", **{"Thiếu hụt xử lý rác thải": None})],
    )
    res = mdpoverty.classify(path)
    hit = res.issues[(res.issues["check"] == "needed") & (res.issues["severity"] == "error")]
    assert [(r.sheet, r.row, r.field) for r in hit.itertuples()] == [
        ("Hộ gia đình", 3, "dep_waste")
    ]
    assert list(res.households["class"]) == ["not_poor", ""]


def test_waste_deprivation_counts_towards_the_three(tmp_path: Path) -> None:
    """Income 2,000,000 rural (≤ 2,200,000), deprived in water, toilet and (the reviewer's
    assessment) waste: 3 indicators, poor."""
    path = survey(
        tmp_path / "s.xlsx",
        [
            household(
                "H1",
                **{
                    "Thu nhập bình quân người/tháng": 2_000_000,
                    "Nguồn nước sinh hoạt": "Nước mặt",
                    "Loại nhà tiêu": "Không có nhà tiêu",
                    "Thiếu hụt xử lý rác thải": "Có",
                },
            )
        ],
    )
    out = mdpoverty.classify(path).households.iloc[0]
    assert (bool(out["dep_waste"]), out["deprivation_count"], out["class"]) == (True, 3, "poor")


def test_a_survey_without_information_columns_is_not_an_error(tmp_path: Path) -> None:
    path = survey(tmp_path / "s.xlsx", [household("H1"), household("H2")])
    res = mdpoverty.classify(path)
    assert not (res.issues["severity"] == "error").any(), res.issues.to_string()
    assert "dep_info_access" not in res.households and "dep_waste" in res.households


def test_a_bad_waste_code_is_a_warning_on_its_cell_never_a_block(tmp_path: Path) -> None:
    """No rule reads waste_disposal yet (dep_waste decides): a bad code is worth fixing but
    must not stop the household being classed."""
    path = survey(tmp_path / "s.xlsx", [household("H1", **{"Xử lý rác thải sinh hoạt": "Ném"})])
    res = mdpoverty.classify(path)
    hit = res.issues[res.issues["check"] == "unused_value"]
    assert [(r.row, r.field, r.severity, r.value) for r in hit.itertuples()] == [
        (2, "waste_disposal", "warning", "Ném")
    ]
    assert "Thu gom tập trung" in hit.iloc[0]["message_vi"]  # what the cell takes, still said
    assert res.households.loc[0, "class"] == "not_poor"


def test_a_bad_value_in_a_column_the_standard_does_not_read_only_warns(tmp_path: Path) -> None:
    """The information items are not read under 2027–2030 (that indicator is dropped): a bad
    'Có ti vi' warns there, and is an error under 2022–2025, which reads it."""
    households = [household("H1"), household("H2")]
    path = tmp_path / "s.xlsx"
    survey(path, households)
    wb = load_workbook(path)
    ws = wb["Hộ gia đình"]
    ws.cell(1, len(HH) + 1, "Có ti vi")
    ws.cell(2, len(HH) + 1, "hmm")
    ws.cell(3, len(HH) + 1, "Có")
    wb.save(path)
    res = mdpoverty.classify(path)
    hit = res.issues[res.issues["field"] == "has_tv"]
    assert [(r.row, r.check, r.severity) for r in hit.itertuples()] == [
        (2, "unused_value", "warning")
    ]
    assert list(res.households["class"]) == ["not_poor", "not_poor"]
    old = mdpoverty.classify(path, standard="vn-2022-2025")
    assert "not_yes_no" in set(old.issues.loc[old.issues["field"] == "has_tv", "check"])


def test_a_waste_column_in_a_2022_2025_survey_is_read_but_not_used(tmp_path: Path) -> None:
    day = {"Ngày rà soát": dt.date(2025, 10, 1)}
    path = survey(
        tmp_path / "s.xlsx", [household("H1", **day, **{"Thiếu hụt xử lý rác thải": "Có"})]
    )
    res = mdpoverty.classify(path, standard="vn-2022-2025")
    assert "dep_waste" not in res.households
    # the information items are needed again under 2022–2025: their column is missing
    assert "missing_column" in set(res.issues["check"])


# ------------------------------------------------------------------ what a run says


def test_every_run_under_it_prints_one_provisional_line(tmp_path: Path) -> None:
    path = survey(tmp_path / "s.xlsx", [household("H1")])
    for quiet, choice_shown, warning_shown in (
        ([], True, True),
        (["-q"], False, True),
        (["-qq"], False, False),
    ):
        res = run("classify", path, "--format", "csv", "--lang", "en", *quiet)
        assert res.exit_code == Exit.OK, res.output
        lines = res.stderr.splitlines()
        warnings = [
            ln for ln in lines if ln.startswith("warning: standard vn-2027-2030 is PROVISIONAL")
        ]
        assert len(warnings) == (1 if warning_shown else 0), res.stderr
        why = [
            ln
            for ln in lines
            if ln.startswith("standard vn-2027-2030: the survey dates 15/10/2026")
        ]
        assert len(why) == (1 if choice_shown else 0), res.stderr
    res = run("classify", path, "--format", "csv")
    line = next(ln for ln in res.stderr.splitlines() if ln.startswith("chuẩn vn-2027-2030"))
    assert line == (
        "chuẩn vn-2027-2030: ngày rà soát 15/10/2026 thuộc kỳ rà soát định kỳ cuối năm 2026, "
        "xác định danh sách năm 2027"
    )


def test_a_2022_2025_run_prints_no_provisional_line() -> None:
    # the bundled 2025 round (examples/README.md: surveyed Oct-Nov 2025, sets the 2026 lists)
    previous = Path(__file__).resolve().parents[1] / "examples" / "previous-round.xlsx"
    res = run("classify", previous, "--format", "csv", "--lang", "en")
    assert "PROVISIONAL" not in res.stderr
    assert "standard vn-2022-2025: the survey dates" in res.stderr


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "parquet", "json"])
def test_output_flag_columns_are_the_standards_in_its_order(tmp_path: Path, suffix: str) -> None:
    path = survey(tmp_path / "s.xlsx", [household("H1"), household("H2")])
    out = tmp_path / f"out.{suffix}"
    res = run("classify", path, "-o", out)
    assert res.exit_code == Exit.OK, res.output
    if suffix == "csv":
        frame = pd.read_csv(out)
    elif suffix == "parquet":
        frame = pd.read_parquet(out)
    elif suffix == "json":
        frame = pd.DataFrame(json.loads(out.read_text(encoding="utf-8")))
    else:
        wb = load_workbook(out)
        for ws in wb.worksheets:  # the provisional line, on top of every sheet
            note = ws["A1"].value
            assert "TẠM THỜI" in note and "vn-2027-2030" in note, ws.title
        frame = pd.read_excel(out, sheet_name="Dữ liệu", header=1, engine="calamine")
    deps = [c for c in frame.columns if str(c).startswith("dep_")]
    std = load_standard("vn-2027-2030")
    assert deps == [f"dep_{c}" for c in std.codes]
    assert deps[-1] == "dep_waste" and "dep_info_access" not in deps


def test_a_provisional_classify_xlsx_reads_back_as_a_round(tmp_path: Path) -> None:
    """The note line above the table does not stop `report` reading the classify output."""
    path = survey(tmp_path / "s.xlsx", [household("H1"), household("H2")])
    out = tmp_path / "ket-qua.xlsx"
    assert run("classify", path, "-o", out).exit_code == Exit.OK
    from mdpoverty.reports.batch import read_classify_output

    frame = read_classify_output(out)
    assert frame is not None and list(frame["household_id"]) == ["H1", "H2"]


# ------------------------------------------------------------------ a province's own file


def _fill(text: str, values: dict[str, dict[str, int]]) -> str:
    """Uncomment the placeholder tables and put the province's numbers in."""
    lines = text.splitlines()
    out, table = [], None
    for line in lines:
        if line.startswith("# [income."):
            table = line[len("# [income.") : -1]
        if table in values and line.startswith("# "):
            line = line[2:]
            for area, v in values[table].items():
                if line.startswith(f"{area} = "):
                    line = f"{area} = {v}"
        out.append(line)
    return "\n".join(out) + "\n"


def test_export_round_trip_gives_a_province_standard(tmp_path: Path) -> None:
    exported = tmp_path / "tinh.toml"
    res = run("standards", "vn-2027-2030", "--export", exported)
    assert res.exit_code == Exit.OK, res.output
    text = exported.read_text(encoding="utf-8")
    assert "# [income.average_upper]" in text and "# [income.score_line]" in text
    # unchanged, it loads, as the same standard under the new id, still with no band
    same = load_standard(exported)
    bundled = load_standard("vn-2027-2030")
    assert same.id == "tinh" and same.income.average_upper is None
    assert same.income.score_line is None and same.codes == bundled.codes
    assert same.income.poverty_line == bundled.income.poverty_line
    # uncommented but not filled: a loud error naming the key, never a silent zero
    blank = tmp_path / "blank.toml"
    blank.write_text(_fill(text, {"average_upper": {}}), encoding="utf-8")
    with pytest.raises(mdpoverty.StandardError, match=r"income\.average_upper\.rural"):
        load_standard(blank)
    # filled with the province's own decision (values a province sets, not law)
    province = tmp_path / "tinh-filled.toml"
    province.write_text(
        _fill(
            text,
            {
                "average_upper": {"rural": 3_000_000, "urban": 3_900_000},
                "score_line": {"rural": 150, "urban": 185},
            },
        ),
        encoding="utf-8",
    )
    std = load_standard(province)
    assert (std.income.average_upper.rural, std.income.score_line.urban) == (3_000_000, 185)
    path = survey(
        tmp_path / "s.xlsx",
        [
            household("H1", **{"Thu nhập bình quân người/tháng": 2_500_000}),  # in the band
            household("H2", **{"Thu nhập bình quân người/tháng": None, "Điểm A": 150}),
            household("H3", **{"Thu nhập bình quân người/tháng": None, "Điểm A": 151}),
        ],
    )
    res = mdpoverty.classify(path, standard=province)
    errors = res.issues[res.issues["severity"] == "error"]
    assert errors.empty, errors.to_string()
    # H1: 2,200,000 < 2,500,000 <= 3,000,000 -> average; H2: score 150 <= 150, no
    # deprivation -> near-poor; H3: 151 above the score line, score only -> not poor
    assert list(res.households["class"]) == ["average", "near_poor", "not_poor"]
    assert "no_average_band" not in set(res.issues["check"])


def test_export_needs_a_toml_name(tmp_path: Path) -> None:
    res = run("standards", "vn-2027-2030", "--export", tmp_path / "tinh.txt")
    assert res.exit_code == Exit.USAGE and list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ the template


def _template_headers(path: Path) -> list[str]:
    ws = load_workbook(path)["Hộ gia đình"]
    return [c.value for c in ws[1]]


def test_template_columns_follow_the_standard(tmp_path: Path) -> None:
    new, old = tmp_path / "mau-2027.xlsx", tmp_path / "mau-2022.xlsx"
    res = run("template", "-o", new, "--standard", "vn-2027-2030", "--lang", "en")
    assert res.exit_code == Exit.OK and "PROVISIONAL" in res.stderr
    assert run("template", "-o", old, "--standard", "vn-2022-2025").exit_code == Exit.OK
    h27, h22 = _template_headers(new), _template_headers(old)
    assert "Xử lý rác thải sinh hoạt" in h27 and "Thiếu hụt xử lý rác thải" in h27
    assert not set(INFO) & set(h27) and "Thiếu hụt phương tiện tiếp cận thông tin" not in h27
    assert set(INFO) <= set(h22) and "Xử lý rác thải sinh hoạt" not in h22
    assert "Thiếu hụt xử lý rác thải" not in h22


def test_template_default_is_the_standard_of_todays_round(tmp_path: Path) -> None:
    res = run("template", "-o", tmp_path / "mau.xlsx", "--lang", "en")
    want = mdpoverty.standard_for(dt.date.today()).id
    assert res.exit_code == Exit.OK and f"standard {want}" in res.stderr


def test_a_2027_classify_output_reads_back_under_its_own_standard(tmp_path: Path) -> None:
    """report and measures take a classify output: its dep_ columns say which standard
    classed it (dep_waste, no dep_info_access), so Form 4 and the measures follow them.
    H1 (income 2,000,000 ≤ 2,200,000; water, toilet, waste) is poor with 3 deprivations."""
    deprived = {
        "Thu nhập bình quân người/tháng": 2_000_000,
        "Nguồn nước sinh hoạt": "Nước mặt",
        "Loại nhà tiêu": "Không có nhà tiêu",
        "Thiếu hụt xử lý rác thải": "Có",
    }
    path = survey(tmp_path / "s.xlsx", [household("H1", **deprived), household("H2")])
    out = tmp_path / "ket-qua.csv"
    assert run("classify", path, "-o", out).exit_code == Exit.OK
    res = run("report", out, "--form", "4", "--format", "csv")
    assert res.exit_code == Exit.OK, res.output
    form4 = pd.read_csv(pd.io.common.StringIO(res.stdout))
    total = form4[form4["level"] == "province"].iloc[0]
    assert "dep_info_access" not in form4 and total["dep_waste"] == 1
    assert (total["poor_households"], total["deprivations_total"]) == (1, 3)
    res = run("measures", out, "--format", "csv")
    assert res.exit_code == Exit.OK, res.output
    measures = pd.read_csv(pd.io.common.StringIO(res.stdout))
    assert "h_waste" in measures and "h_info_access" not in measures
    assert measures.loc[0, "unit_count"] == 2  # both households used, none left out


def test_validate_xlsx_carries_the_provisional_line(tmp_path: Path) -> None:
    path = survey(tmp_path / "s.xlsx", [household("H1")])
    out = tmp_path / "loi.xlsx"
    assert run("validate", path, "-o", out).exit_code == Exit.OK
    wb = load_workbook(out)
    people, data = wb.worksheets  # the issue sheet in Vietnamese, then the codes
    assert "TẠM THỜI" in people["A1"].value and people["A2"].value == "Trang tính"
    assert "TẠM THỜI" in data["A1"].value and data["A2"].value == "sheet"


def test_a_district_in_one_round_says_its_standard_in_one_line(tmp_path: Path) -> None:
    """Batch mode: one line per run, not per file, when the files agree (their dates join)."""
    folder = tmp_path / "huyen"
    folder.mkdir()
    survey(folder / "xa-a.xlsx", [household("A1", **{"Ngày rà soát": dt.date(2026, 10, 15)})])
    survey(folder / "xa-b.xlsx", [household("B1", **{"Ngày rà soát": dt.date(2026, 11, 14)})])
    res = run("report", folder, "--form", "1", "--format", "csv", "--lang", "en")
    assert res.exit_code == Exit.OK, res.output
    lines = res.stderr.splitlines()
    why = [ln for ln in lines if ln.startswith("standard ")]
    assert why == [
        "standard vn-2027-2030: the survey dates 15/10–14/11/2026 belong to the periodic "
        "review of late 2026, which sets the 2027 lists"
    ]
    assert sum("PROVISIONAL" in ln for ln in lines) == 1


def test_measures_xlsx_carries_the_provisional_line(tmp_path: Path) -> None:
    path = survey(tmp_path / "s.xlsx", [household("H1"), household("H2")])
    out = tmp_path / "af.xlsx"
    res = run("measures", path, "-o", out)
    assert res.exit_code == Exit.OK, res.output
    assert "TẠM THỜI" in load_workbook(out)["Chỉ số AF"]["A1"].value  # the measures sheet


def test_report_xlsx_subtitle_says_the_standard_is_provisional(tmp_path: Path) -> None:
    path = survey(tmp_path / "s.xlsx", [household("H1"), household("H2")])
    out = tmp_path / "bao-cao.xlsx"
    res = run("report", path, "--form", "1", "-o", out)
    assert res.exit_code == Exit.OK, res.output
    ws = load_workbook(out)["Biểu 1"]
    top = [c.value for row in ws.iter_rows(max_row=8) for c in row if isinstance(c.value, str)]
    assert any("TẠM THỜI" in v for v in top), top
