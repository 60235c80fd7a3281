"""Vietnamese by default, English on request, everywhere: help, Click's own usage errors,
every message; no code name inside a Vietnamese sentence; numbers written the reader's way.

The code names forbidden in Vietnamese text are not a hand list: they are every column code
of the survey contract, every code of its code lists, every indicator code of the bundled
standards and the ``dep_`` prefix (mdpoverty.law.schema, data/thresholds).
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import HH_HEADER, hh_row, m_row, write_workbook

import mdpoverty
from mdpoverty import i18n
from mdpoverty.cli.check_examples import EXAMPLES, example
from mdpoverty.cli.common import Exit, handled
from mdpoverty.cli.help_vi import has_vi
from mdpoverty.cli.main import main
from mdpoverty.errors import CHECKS, message
from mdpoverty.law.schema import INDICATOR_LABELS_VI, SHEETS, VOCAB
from mdpoverty.law.standards import bundled, load_standard

FIELDS = {"value", "expected", "detail"}  # what errors.message fills


def _code_names() -> set[str]:
    names = {c.name for sheet in SHEETS.values() for c in sheet.columns}
    names |= {s.name for s in SHEETS.values()}
    names |= {code for vocab in VOCAB.values() for code in vocab}
    names |= set(INDICATOR_LABELS_VI)
    for sid in bundled():
        names |= set(load_standard(sid).codes)
    # the date parts the reader splits a date column into are code names too
    names |= {f"{c}_{p}" for c in names for p in ("year", "month", "day")}
    return names


CODE_NAMES = _code_names()
# a code as a whole word (case-sensitive: "Biogas" is a label, "biogas" the code), or dep_…
CODE_RE = re.compile(
    r"(?<![\w-])(" + "|".join(sorted(map(re.escape, CODE_NAMES), key=len, reverse=True)) + r")"
    r"(?![\w-])|dep_"
)
ENGLISH_THOUSANDS = re.compile(r"\d,\d{3}(?!\d)")


def _code_names_in(text: str) -> list[str]:
    return [m.group(0) for m in CODE_RE.finditer(text)]


def test_the_forbidden_names_come_from_the_schema_and_the_standards() -> None:
    # the pieces the issue found inside Vietnamese sentences are among them
    assert {"income", "water_source", "piped", "drilled_well", "floor_area_m2"} - CODE_NAMES == {
        "income"
    }
    assert {"housing_area", "not_poor", "household_id"} <= CODE_NAMES
    assert _code_names_in("cần một trong: piped (Nước máy)") == ["piped"]
    assert _code_names_in("(Diện tích nhà ở (m²) / floor_area_m2)") == ["floor_area_m2"]
    assert _code_names_in("Có Biogas, Nước máy; vn-2022-2025") == []


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("check", list(CHECKS))
def test_every_message_fills_its_placeholders_and_names_no_code_in_vietnamese(check) -> None:
    """Every check's message in both languages, filled with sample values made from its own
    placeholders: no placeholder left raw; the Vietnamese message and fix name no code."""
    c = CHECKS[check]
    for lang, template in (("vi", c.vi), ("en", c.en)):
        names = _placeholders(template)
        assert names <= FIELDS, f"{check} ({lang}): message() fills only {FIELDS}: {names}"
        sample = {n: f"mẫu-{n}" for n in names}
        text = message(check, lang, **sample)
        assert "{" not in text and "}" not in text, text
        assert all(f"mẫu-{n}" in text for n in names)
        assert "{" not in message(check, lang)  # a run that has nothing to say for a field
    assert _code_names_in(c.vi) == [], c.vi
    assert _code_names_in(c.fix_vi) == [], c.fix_vi


@pytest.mark.parametrize("check", list(CHECKS))
def test_explain_examples_are_filled_and_vietnamese_ones_name_no_code(check) -> None:
    names = _placeholders(CHECKS[check].vi) | _placeholders(CHECKS[check].en)
    assert names <= set(EXAMPLES.get(check, {})), f"{check}: example lacks {names}"
    vi, en = example(check, "vi"), example(check, "en")
    assert "{" not in vi + en
    assert _code_names_in(vi) == [], vi
    assert not ENGLISH_THOUSANDS.search(vi), vi


def _without_value(msg: str, value: object) -> str:
    """The message without the cell's own text (an officer may have typed a code there)."""
    return msg.replace(str(value), "") if str(value) else msg


@pytest.fixture
def odd_survey(tmp_path: Path) -> Path:
    """Problems the bundled error example does not plant: an unknown area and water code, a
    blank floor area, a member with an unknown sex, a members sheet without its sex column."""
    households = [
        hh_row("H1", **{"Khu vực": "Miền núi"}),
        hh_row("H2", **{"Nguồn nước sinh hoạt": "Giếng làng"}),
        hh_row("H3", **{"Diện tích nhà ở (m²)": None}),
        hh_row("H4", income="1.170.000", **{"Loại nhà tiêu": "hố xí"}),
    ]
    members = [m_row("H1"), m_row("H2", **{"Giới tính": "X"}), m_row("H3"), m_row("H9")]
    return write_workbook(tmp_path / "odd.xlsx", households, members)


@pytest.fixture
def headless_survey(tmp_path: Path) -> Path:
    """No 'Khu vực' column (required) and no 'Loại nhà tiêu' (needed by the toilet rule)."""
    header = [h for h in HH_HEADER if h not in ("Khu vực", "Loại nhà tiêu")]
    rows = [[v for h, v in zip(HH_HEADER, hh_row("H1"), strict=True) if h in header]]
    return write_workbook(tmp_path / "headless.xlsx", rows, [m_row("H1")], hh_header=header)


def test_the_issue_table_speaks_vietnamese_without_code_names(
    errors_survey: Path, odd_survey: Path, headless_survey: Path
) -> None:
    seen = set()
    for survey in (errors_survey, odd_survey, headless_survey):
        issues = mdpoverty.classify(survey).issues
        for row in issues.itertuples():
            vi = _without_value(row.message_vi, row.value)
            assert _code_names_in(vi) == [], row.message_vi
            assert not ENGLISH_THOUSANDS.search(vi), row.message_vi
            assert "{" not in row.message_vi + row.message_en
            # nothing Vietnamese made for the Vietnamese message leaks into the English one
            for words in ("kỳ rà soát", "tính được", "có phải", "tuổi"):
                assert words not in _without_value(row.message_en, row.value), row.message_en
            seen.add(row.check)
    # the messages the issue quoted, now with labels and Vietnamese numbers
    assert {"unknown_code", "income_disagree", "unknown_column", "needed", "missing_column"} <= seen
    msgs = set(mdpoverty.classify(errors_survey).issues["message_vi"])
    assert any("không khớp với Thu nhập bình quân người/tháng 1.350.000" in m for m in msgs), msgs
    assert any("có phải cột 'Diện tích nhà ở (m²)'?" in m for m in msgs)
    odd = mdpoverty.classify(odd_survey).issues
    water = odd.loc[odd["value"] == "Giếng làng", "message_vi"].iloc[0]
    assert water.endswith(
        "cần một trong: Nước máy; Giếng khoan; Giếng đào được bảo vệ; "
        "Nước khe mó được bảo vệ; Nước mưa; Nước mua, nước đóng chai; "
        "Giếng đào không được bảo vệ; Nước khe mó không được bảo vệ; "
        "Nước mặt; Khác"
    )
    water_en = odd.loc[odd["value"] == "Giếng làng", "message_en"].iloc[0]
    assert "piped (Nước máy), drilled_well (Giếng khoan)" in water_en


def test_numbers_are_written_the_readers_way() -> None:
    assert i18n.number(1_170_000, "vi") == "1.170.000"
    assert i18n.number(1_170_000, "en") == "1,170,000"
    assert i18n.number(31.96, "vi", 2) == "31,96"
    assert i18n.number(31.96, "en", 2) == "31.96"
    assert i18n.number(0.25, "vi", -1) == "0,25" and i18n.number(3.0, "en", -1) == "3"


def test_the_language_is_read_before_click_parses() -> None:
    env: dict[str, str] = {}
    assert i18n.lang_from([], env) == "vi"
    assert i18n.lang_from(["classify", "--lang", "en", "--help"], env) == "en"
    assert i18n.lang_from(["classify", "--lang=en"], env) == "en"
    assert i18n.lang_from([], {"MDPOVERTY_LANG": "en"}) == "en"
    assert i18n.lang_from(["--lang", "vi"], {"MDPOVERTY_LANG": "en"}) == "vi"
    assert i18n.lang_from(["--", "--lang", "en"], env) == "vi"  # a file named --lang
    assert i18n.lang_from([], {"MDPOVERTY_LANG": "fr"}) == "vi"  # Click then says why


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), prog_name="mdpoverty", env=env or {})


def _help_texts(cmd) -> list[str]:
    texts = [cmd.help, cmd.epilog]
    texts += [p.help for p in cmd.params if getattr(p, "help", None)]
    return [t for t in texts if t]


@pytest.mark.parametrize("command", ["", *sorted(main.commands)])
def test_help_in_both_languages(command: str) -> None:
    """Every command's --help: Vietnamese by default, English with --lang en or
    MDPOVERTY_LANG=en; every help text of the command has its Vietnamese."""
    cmd = main.commands[command] if command else main
    untranslated = [t for t in _help_texts(cmd) if not has_vi(t)]
    assert untranslated == [], "add to mdpoverty/help_vi.py: " + repr(untranslated)
    args = [command] if command else []
    vi = _run(*args, "--help")
    assert vi.exit_code == 0 and vi.stdout.startswith("Cách dùng: mdpoverty")
    assert "Tuỳ chọn:" in vi.stdout and "In hướng dẫn này rồi thoát." in vi.stdout
    assert "Mã thoát" in vi.stdout or command in ("explain", "standards")
    for english in ("Usage:", "Options:", "Show this message", "[OPTIONS]", "Exit codes"):
        assert english not in vi.stdout
    en = _run(*args, "--help", "--lang", "en")
    if command:  # the group itself has no --lang: the environment, or --lang anywhere
        assert en.exit_code == 0 and en.stdout.startswith("Usage: mdpoverty")
    by_env = _run(*args, "--help", env={"MDPOVERTY_LANG": "en"})
    assert by_env.stdout.startswith("Usage: mdpoverty") and "Show this message" in by_env.stdout
    assert "Cách dùng" not in by_env.stdout and "Tuỳ chọn" not in by_env.stdout


def test_clicks_own_usage_errors_in_both_languages() -> None:
    res = _run("classify", "--nope", "x.xlsx")
    assert res.exit_code == Exit.USAGE
    assert "Cách dùng: mdpoverty classify [TUỲ_CHỌN] KHẢO_SÁT" in res.stderr
    assert "Xem hướng dẫn: 'mdpoverty classify --help'." in res.stderr
    assert "Lỗi: Không có tuỳ chọn '--nope'." in res.stderr
    res = _run("classify")
    assert "Lỗi: Thiếu tham số 'KHẢO_SÁT'." in res.stderr
    res = _run("classify", "x.xlsx", "--lang", "fr")
    assert "Lỗi: Giá trị không hợp lệ cho '--lang'" in res.stderr
    res = _run("nosuch")
    assert "Lỗi: Không có lệnh 'nosuch'." in res.stderr
    res = _run("classify", "--nope", "x.xlsx", "--lang", "en")
    assert "Usage: mdpoverty classify [OPTIONS] SURVEY" in res.stderr
    assert "Error: No such option: --nope" in res.stderr or "No such option" in res.stderr
    assert "Try 'mdpoverty classify --help' for help." in res.stderr
    res = _run("classify", env={"MDPOVERTY_LANG": "en"})
    assert "Error: Missing argument 'SURVEY'." in res.stderr
    # a Vietnamese run leaves nothing Vietnamese behind for the next English one
    assert "Show this message and exit." in _run("--help", env={"MDPOVERTY_LANG": "en"}).stdout


def test_version_in_the_run_language() -> None:
    assert _run("--version").stdout.startswith("mdpoverty, phiên bản ")
    assert _run("--version", env={"MDPOVERTY_LANG": "en"}).stdout.startswith("mdpoverty, version ")


def test_option_values_rejected_in_the_run_language() -> None:
    res = _run("classify", "x.xlsx", "--as-of", "hôm qua")
    assert "nhập dạng dd/mm/yyyy hoặc YYYY-MM-DD" in res.stderr
    res = _run("classify", "x.xlsx", "--as-of", "yesterday", "--lang", "en")
    assert "use YYYY-MM-DD or dd/mm/yyyy" in res.stderr


def test_the_language_variable_sets_the_messages(errors_survey: Path) -> None:
    res = _run("validate", str(errors_survey), "--format", "json", env={"MDPOVERTY_LANG": "en"})
    assert res.exit_code == Exit.DATA and "households classed" in res.stderr
    res = _run("validate", str(errors_survey), "--format", "json")
    assert "phân loại" in res.stderr and "households classed" not in res.stderr


@pytest.mark.parametrize(("lang", "said"), [("vi", "đã dừng (Ctrl+C)"), ("en", "interrupted")])
def test_ctrl_c_is_said_in_the_run_language(capsys, lang: str, said: str) -> None:
    @handled
    def body(lang: str) -> int:
        raise KeyboardInterrupt

    with pytest.raises(SystemExit) as stop:
        body(lang=lang)
    assert stop.value.code == Exit.INTERRUPTED
    assert capsys.readouterr().err == f"mdpoverty: {said}\n"


def test_an_internal_error_is_said_in_the_run_language(capsys) -> None:
    @handled
    def body(lang: str) -> int:
        raise ZeroDivisionError("x")

    with pytest.raises(SystemExit):
        body(lang="vi")
    assert capsys.readouterr().err.startswith("mdpoverty: lỗi nội bộ (ZeroDivisionError: x)")


def test_standards_speaks_one_language() -> None:
    vi = _run("standards", "vn-2027-2030").stdout
    assert "TẠM THỜI:" in vi and "hộ nghèo khi thiếu hụt từ 3 trong 12 chỉ số trở lên" in vi
    assert "[theo nguồn thứ cấp]" in vi and "nông thôn 2.200.000, thành thị 2.800.000" in vi
    for english in (
        "lists",
        "rural",
        "urban",
        "PROVISIONAL",
        "not published",
        "source:",
        "[secondary]",
        "poverty_line",
        "employment",
    ):
        assert english not in _program_words(vi), english
    en = _run("standards", "vn-2027-2030", "--lang", "en").stdout
    assert "PROVISIONAL:" in en and "rural 2,200,000, urban 2,800,000" in en


def _program_words(text: str) -> str:
    """What the program says around the legal references (printed as the data holds them):
    each line up to its ' — ' reference."""
    return "\n".join(line.split(" — ")[0] for line in text.splitlines())


def test_template_says_it_is_always_vietnamese(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "mau.xlsx"
    res = _run("template", "-o", str(out), "--lang", "en")
    assert res.exit_code == 0
    assert "in Vietnamese, the language of the national form" in res.stderr
    assert load_workbook(out).sheetnames[:2] == ["Hộ gia đình", "Thành viên"]


@pytest.mark.parametrize(
    ("lang", "sheets", "heads"),
    [
        ("vi", ["Lỗi", "Dữ liệu"], ["Trang tính", "Dòng", "Cột", "Giá trị", "Mã lỗi", "Mức độ"]),
        ("en", ["Issues", "Data"], ["Sheet", "Row", "Column", "Value", "Check", "Severity"]),
    ],
)
def test_validate_workbook_has_sheets_and_headers_in_the_run_language(
    errors_survey: Path, tmp_path: Path, lang: str, sheets: list[str], heads: list[str]
) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "loi.xlsx"
    res = _run("validate", str(errors_survey), "-o", str(out), "--lang", lang)
    assert res.exit_code == Exit.DATA
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == sheets
    people, data = (list(ws.iter_rows(values_only=True)) for ws in wb.worksheets)
    header = next(r for r in people if r and r[0] == heads[0])
    assert list(header[: len(heads)]) == heads
    # the severities in words; the data sheet keeps the issue table's codes
    words = {"vi": {"Lỗi", "Cảnh báo"}, "en": {"Error", "Warning"}}[lang]
    assert words <= {r[5] for r in people if len(r) > 5}
    code_header = next(r for r in data if r and r[0] == "sheet")
    assert list(code_header[:6]) == ["sheet", "row", "column", "value", "check", "severity"]


def test_targets_workbook_headers_and_values_in_the_run_language(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    examples = Path(__file__).resolve().parents[1] / "examples"
    args = [str(examples / "survey.xlsx"), "--previous", str(examples / "previous-round.xlsx")]
    for lang, first, level in (("vi", "TT", "Xã"), ("en", "No.", "Commune")):
        out = tmp_path / f"t-{lang}.xlsx"
        assert _run("targets", *args, "-o", str(out), "--lang", lang).exit_code == Exit.OK
        wb = load_workbook(out)
        rows = list(wb["Chỉ tiêu giảm nghèo"].iter_rows(values_only=True))
        header = next(r for r in rows if r[0] == first)
        assert "poor_rate_start" not in header
        body = rows[rows.index(header) + 1]
        assert body[1] == level and body[2] == "Xã Bảo Thắng"
        assert len(wb["Chỉ tiêu giảm nghèo"]._charts) == 1  # the chart found its columns
    assert "Tỷ lệ hộ nghèo đầu kỳ (%)" in header or "Rate of poor households, start (%)" in header


@pytest.mark.parametrize("name", ["vn-2016-2020", "vn-2022-2025", "vn-2027-2030"])
def test_the_legal_references_are_vietnamese_too(name: str) -> None:
    """The references are data, printed as the data holds them in both languages: they are
    written in Vietnamese (the language of the law), with no English commentary inside."""
    import re

    vi = _run("standards", name).stdout
    english = re.compile(r"\b(the|from|under|kept|draft|sets|extended|unpublished|not|of)\b")
    said = [line for line in vi.splitlines() if english.search(line.split(" — ", 1)[-1])]
    assert said == [], said
