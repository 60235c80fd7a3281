"""CSV as Excel writes it on a Vietnamese Windows: ';' or tabs, UTF-8 with a BOM, UTF-16,
Windows-1258 — read exactly as the same survey from the workbook, and said when not UTF-8."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import mdpoverty
from mdpoverty.cli.common import Exit
from mdpoverty.cli.main import main

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "survey.xlsx"


def cp1258(text: str) -> bytes:
    """Encode as Excel does on a Vietnamese Windows: a precomposed letter the code page lacks
    ('ệ') is written as the nearest base letter it has ('ê') plus combining tone marks."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        for i in [*range(len(marks)), -1]:  # compose one mark with the base ('Ộ' -> 'Ô' + dot)
            head = unicodedata.normalize("NFC", base + marks[i]) if i >= 0 else base
            rest = marks[:i] + marks[i + 1 :] if i >= 0 else marks
            try:
                out += head.encode("cp1258") + rest.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise UnicodeEncodeError("cp1258", ch, 0, 1, "not encodable")
    return bytes(out)


@pytest.fixture(scope="module")
def example_frames():
    raw = mdpoverty.read_survey(EXAMPLE)
    hh = raw.sheets["households"].frame
    m = raw.sheets["members"].frame
    return mdpoverty.classify(EXAMPLE).households, hh, m


VARIANTS = {
    # name: (separator, encode, encoding name said on stderr or None)
    "utf8-bom-semicolon": (";", lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), None),
    "utf16-tab": ("\t", lambda t: t.encode("utf-16"), "UTF-16"),
    "cp1258-semicolon": (";", cp1258, "Windows-1258"),
    "cp1258-comma": (",", cp1258, "Windows-1258"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_excel_csv_variants_read_like_the_workbook(example_frames, tmp_path: Path, variant: str):
    expected, hh, m = example_frames
    sep, encode, said = VARIANTS[variant]
    for name, frame in (("households", hh), ("members", m)):
        text = frame.to_csv(index=False, sep=sep, lineterminator="\r\n")
        if name == "households":  # a title line above the header, as officers write
            text = "DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT\r\n" + text
        (tmp_path / f"{name}.csv").write_bytes(encode(text))
    raw = mdpoverty.read_survey(tmp_path / "households.csv")
    got = mdpoverty.classify(tmp_path / "households.csv").households
    pd.testing.assert_frame_equal(got, expected)
    if said is None:
        assert raw.notes == []
    else:
        assert len(raw.notes) == 2  # one per file
        assert all(said in n.en and said in n.vi for n in raw.notes)
        assert "Thành viên" not in got.columns  # accents composed: same frame as the xlsx


def test_unclosed_quote_is_one_line_without_the_parsers_words(tmp_path: Path):
    path = tmp_path / "households.csv"
    path.write_text('Mã hộ;Xã;Khu vực\nH1;"Xã Thử;Nông thôn\nH2;Xã Hai;Nông thôn\n' * 2)
    res = CliRunner().invoke(main, ["validate", str(path), "--lang", "en"])
    assert res.exit_code == Exit.USAGE  # never rows silently merged into one cell
    line = res.stderr.strip()
    assert len(line.splitlines()) == 1 and "C error" not in line and "tokeniz" not in line
    assert "(line 2)" in line and "[file_unreadable]" in line
    path.write_text('Mã hộ;Xã;Khu vực\nH1;Xã Một;Nông thôn\nH2;"Xã Hai;Nông thôn\n')  # to EOF
    res = CliRunner().invoke(main, ["validate", str(path), "--lang", "en"])
    assert res.exit_code == Exit.USAGE and len(res.stderr.strip().splitlines()) == 1


def test_a_cell_typed_over_two_lines_is_kept(tmp_path: Path):
    """Alt+Enter in Excel: a quoted cell with a line break (and no separator) is one cell."""
    path = tmp_path / "households.csv"
    path.write_text('Mã hộ;Xã;Thôn;Khu vực\nH1;Xã Một;"Thôn 1\nxóm Đồi";Nông thôn\n')
    frame = mdpoverty.read_survey(path).sheets["households"].frame
    assert frame["village"].tolist() == ["Thôn 1\nxóm Đồi"]


def test_broken_utf8_names_the_line(tmp_path: Path):
    path = tmp_path / "households.csv"
    good = "Mã hộ,Xã,Khu vực\n" + "".join(f"H{i},Xã Thử,Nông thôn\n" for i in range(5))
    path.write_bytes(good.encode("utf-8") + b"H9,X\xe3 Th\xf6,N\xf4ng th\xf4n\n")
    res = CliRunner().invoke(main, ["validate", str(path), "--lang", "en"])
    assert res.exit_code == Exit.USAGE
    assert "line 7" in res.stderr and "[not_utf8]" in res.stderr


def test_parquet_with_a_list_column_is_read_as_text_not_an_internal_error(tmp_path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "households.parquet"
    pq.write_table(pa.table({"Mã hộ": ["H1"], "Xã": [[1, 2]], "Khu vực": ["Nông thôn"]}), path)
    frame = mdpoverty.read_survey(path).sheets["households"].frame
    assert frame["commune"].tolist() == ["[1, 2]"]  # as a person would see it printed
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code in (Exit.DATA, Exit.USAGE) and "lỗi nội bộ" not in res.output


@pytest.mark.parametrize("command", ["classify", "validate", "report", "measures"])
def test_the_encoding_taken_is_said_on_stderr(example_frames, tmp_path: Path, command: str):
    """Issue 11 item 6: Windows-1258 is read when it decodes cleanly *and says so on stderr*,
    for every command that reads a survey; a UTF-8 file says nothing of its encoding."""
    _, hh, m = example_frames
    (tmp_path / "utf8").mkdir(exist_ok=True)
    for name, frame in (("households", hh), ("members", m)):
        text = frame.to_csv(index=False, sep=";", lineterminator="\r\n")
        (tmp_path / f"{name}.csv").write_bytes(cp1258(text))
        (tmp_path / "utf8" / f"{name}.csv").write_text(text, encoding="utf-8")
    runner = CliRunner()
    extra = ["--form", "1"] if command == "report" else []
    for lang, words in (("vi", "đọc dạng Windows-1258"), ("en", "read as Windows-1258")):
        args = [command, str(tmp_path / "households.csv"), "--lang", lang, *extra]
        res = runner.invoke(main, args)
        assert res.exit_code in (Exit.OK, Exit.DATA), res.output
        said = [line for line in res.stderr.splitlines() if words in line]
        # once per file read (households and members), naming the file
        assert sorted(line.split(":")[0] for line in said) == ["households.csv", "members.csv"]
    args = [command, str(tmp_path / "utf8" / "households.csv"), "--lang", "en", *extra]
    res = runner.invoke(main, args)
    assert res.exit_code in (Exit.OK, Exit.DATA), res.output
    assert "read as" not in res.stderr
