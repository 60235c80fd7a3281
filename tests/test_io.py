"""Reading: every cell as text (nothing silently nulled), Excel rows exact, bad files clean."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import HH_HEADER, M_HEADER, hh_row, m_row, write_workbook

import mdpoverty
from mdpoverty.cli.main import Exit, main
from mdpoverty.errors import InputFileError


def test_cells_of_another_type_after_row_1000_are_not_lost(tmp_path: Path) -> None:
    """fastexcel's typed read samples 1,000 rows and nulls later odd cells; we read text."""
    n = 1500
    hh = [hh_row(f"H{i}", income=3_000_000) for i in range(n)]
    members = [m_row(f"H{i}") for i in range(n)]
    hh[-1] = hh_row(f"H{n - 1}", income="1.400.000", **{"Có ti vi": "Có"})
    members[-1] = m_row(f"H{n - 1}", **{"Ngày sinh": "15/03/1980", "Có thẻ BHYT": True})
    path = write_workbook(tmp_path / "s.xlsx", hh, members)
    result = mdpoverty.classify(path)
    last = result.households.iloc[-1]
    assert last["income_per_capita"] == 1_400_000
    assert last["class"] == "near_poor"  # income <= 1,500,000 rural, 0 deprivations
    assert not (result.issues["severity"] == "error").any()


def test_title_rows_keep_excel_row_numbers(tmp_path: Path) -> None:
    hh = [hh_row("H1"), hh_row("H2", **{"Khu vực": "Vùng cao"})]
    path = write_workbook(tmp_path / "s.xlsx", hh, [m_row("H1"), m_row("H2")], title_rows=2)
    issues = mdpoverty.validate(path)
    bad = issues[issues["check"] == "unknown_code"].iloc[0]
    # title in row 1, blank row 2, header row 3, H1 row 4, H2 row 5
    assert (bad["sheet"], bad["row"], bad["column"], bad["value"]) == (
        "Hộ gia đình",
        5,
        "Khu vực",
        "Vùng cao",
    )


@pytest.mark.parametrize("header", ["KHU VỰC", "khu vuc", "Khuvực", "  Khu   vực ", "area", "AREA"])
def test_headers_match_without_case_spaces_or_diacritics(tmp_path: Path, header: str) -> None:
    hh_header = [header if h == "Khu vực" else h for h in HH_HEADER]
    path = write_workbook(tmp_path / "s.xlsx", [hh_row("H1")], [m_row("H1")], hh_header=hh_header)
    result = mdpoverty.classify(path)
    assert result.households.loc[0, "area"] == "rural"
    assert result.counts["households_rejected"] == 0


def test_headers_match_whole_never_by_prefix(tmp_path: Path) -> None:
    """'Điểm B1' is score A; 'Điểm B' is score B (domain.md §7)."""
    header = [*HH_HEADER, "Điểm B1", "Điểm B"]
    rows = [[*hh_row("H1", income=None), 130, 0]]
    path = write_workbook(tmp_path / "s.xlsx", rows, [m_row("H1")], hh_header=header)
    result = mdpoverty.classify(path)
    assert result.households.loc[0, "class"] == "near_poor"  # 130 <= 140 rural, 0 deprivations


@pytest.mark.parametrize("yes", ["Có", "có", "CÓ", "yes", "TRUE", True, 1, "1", "x"])
def test_yes_spellings(tmp_path: Path, yes: object) -> None:
    path = write_workbook(
        tmp_path / "s.xlsx",
        [
            hh_row(
                "H1",
                **{
                    "Có ti vi": yes,
                    "Có điện thoại thông minh": "Không",
                    "Nghe được loa truyền thanh": "Không",
                },
            )
        ],
        [m_row("H1")],
    )
    hh = mdpoverty.classify(path).households
    assert hh.loc[0, "dep_info_access"] is False or not hh.loc[0, "dep_info_access"]


def test_x_column_blank_means_no(tmp_path: Path) -> None:
    rows = [
        hh_row(
            "H1",
            **{
                "Có ti vi": "x",
                "Có điện thoại thông minh": None,
                "Nghe được loa truyền thanh": "Không",
            },
        ),
        hh_row(
            "H2",
            **{
                "Có ti vi": None,
                "Có điện thoại thông minh": None,
                "Nghe được loa truyền thanh": "Không",
            },
        ),
    ]
    header = HH_HEADER
    path = write_workbook(tmp_path / "s.xlsx", rows, [m_row("H1"), m_row("H2")], hh_header=header)
    result = mdpoverty.classify(path)
    # 'Có ti vi' holds only x: blank is no. 'Có điện thoại thông minh' is all blank: missing.
    needed = result.issues[result.issues["check"] == "needed"]
    assert set(needed["field"]) == {"has_smartphone"}


def test_csv_and_parquet_pairs_match_xlsx(example_survey: Path, tmp_path: Path) -> None:
    from_xlsx = mdpoverty.classify(example_survey).households
    raw = mdpoverty.read_survey(example_survey)
    hh = raw.sheets["households"].frame
    m = raw.sheets["members"].frame
    hh.to_csv(tmp_path / "households.csv", index=False)
    m.to_csv(tmp_path / "members.csv", index=False)
    from_csv = mdpoverty.classify(tmp_path / "households.csv").households
    pd.testing.assert_frame_equal(from_csv, from_xlsx)
    hh.to_parquet(tmp_path / "x.households.parquet")
    m.to_parquet(tmp_path / "x.members.parquet")
    from_pq = mdpoverty.classify(tmp_path / "x.households.parquet").households
    pd.testing.assert_frame_equal(from_pq, from_xlsx)


def test_dates_in_every_form(tmp_path: Path) -> None:
    members = [
        m_row("H1", **{"Ngày sinh": dt.date(1985, 5, 10)}),
        m_row(
            "H1", **{"Ngày sinh": "10/05/1985", "Quan hệ với chủ hộ": "Vợ/chồng", "Giới tính": "Nữ"}
        ),
        m_row("H1", **{"Ngày sinh": "1985-05-10", "Quan hệ với chủ hộ": "Khác"}),
        m_row("H1", **{"Ngày sinh": 1985, "Quan hệ với chủ hộ": "Khác"}),
    ]
    path = write_workbook(
        tmp_path / "s.xlsx", [hh_row("H1", **{"Diện tích nhà ở (m²)": 100})], members
    )
    result = mdpoverty.classify(path)
    assert not (result.issues["severity"] == "error").any(), result.issues.to_string()


# ---------------------------------------------------------------- bad files: one clear line


def _corrupt_zip(p: Path) -> None:
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])


BAD_FILES = {
    "empty.xlsx": lambda p: p.write_bytes(b""),
    "text.xlsx": lambda p: p.write_text("this is not a workbook", encoding="utf-8"),
    "truncated.xlsx": _corrupt_zip,
    "password.xlsx": lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
    "image.png": lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100),
    # UTF-8 with one broken byte: reading it as Windows-1258 would garble every other accent
    "broken-utf8.csv": lambda p: p.write_bytes("Mã hộ,Xã\nH1,Xã Thử\n".encode() + b"\xff\xfe"),
    # bytes no Windows code page defines (0x81, 0x8d): not text at all
    "binary.csv": lambda p: p.write_bytes(b"\x81\x8d\x8f\x90\x9d,x\n" * 3),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_one_clear_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    BAD_FILES[name](path)
    with pytest.raises(InputFileError):
        mdpoverty.classify(path)
    for command in ("classify", "validate"):
        res = CliRunner().invoke(main, [command, str(path)])
        assert res.exit_code == Exit.USAGE, res.output
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and name in lines[0], res.stderr
        check = lines[0].rsplit("[", 1)[-1].rstrip("]")  # the id `mdpoverty explain` knows
        assert check in mdpoverty.CHECKS, lines[0]
        assert "Traceback" not in res.output and res.stdout == ""


def test_missing_file_and_folder(tmp_path: Path) -> None:
    for target, check in ((tmp_path / "nope.xlsx", "file_not_found"), (tmp_path, "file_is_folder")):
        res = CliRunner().invoke(main, ["classify", str(target)])
        assert res.exit_code == Exit.USAGE
        assert len(res.stderr.strip().splitlines()) == 1
        assert res.stderr.strip().endswith(f"[{check}]")


def test_workbook_without_households_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(["a", "b"])
    wb.save(tmp_path / "w.xlsx")
    res = CliRunner().invoke(main, ["validate", str(tmp_path / "w.xlsx")])
    assert res.exit_code == Exit.DATA
    assert "missing_sheet" in res.stdout


def test_missing_required_column_blocks_all_and_is_located(tmp_path: Path) -> None:
    header = [h for h in HH_HEADER if h != "Khu vực"]
    rows = [[v for h, v in zip(HH_HEADER, hh_row("H1"), strict=True) if h != "Khu vực"]]
    path = write_workbook(tmp_path / "s.xlsx", rows, [m_row("H1")], hh_header=header)
    result = mdpoverty.classify(path)
    miss = result.issues[result.issues["check"] == "missing_column"]
    assert miss.iloc[0]["row"] == 1 and miss.iloc[0]["field"] == "area"
    assert result.counts["households_rejected"] == 1
    assert len(result.households) == 1  # listed, not dropped


def test_members_sheet_header_variants(tmp_path: Path) -> None:
    header = [h.upper() for h in M_HEADER]
    path = write_workbook(tmp_path / "s.xlsx", [hh_row("H1")], [m_row("H1")], m_header=header)
    assert mdpoverty.classify(path).counts["members_classed"] == 1


def test_no_two_codes_share_a_label_once_folded() -> None:
    """Labels are matched without diacritics: 'Nước mua' (bought) would read as 'Nước mưa'."""
    from mdpoverty.law.schema import VOCAB, fold

    for vocab, codes in VOCAB.items():
        seen: dict[str, str] = {}
        for code, labels in codes.items():
            for text in (code, *labels):
                other = seen.setdefault(fold(text), code)
                assert other == code, f"{vocab}: {text!r} folds like a label of {other!r}"


def test_rainwater_label_is_rainwater(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "s.xlsx", [hh_row("H1", **{"Nguồn nước sinh hoạt": "Nước mưa"})], [m_row("H1")]
    )
    raw = mdpoverty.read_survey(path)
    from mdpoverty.validate import validate_survey

    assert validate_survey(raw).households["water_source"].tolist() == ["rainwater"]
