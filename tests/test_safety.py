"""Hostile input and crash safety: zip bombs, XML entities, far cells, formulas, output
neutralisation, and a run killed mid-write that leaves the previous output intact."""

from __future__ import annotations

import csv
import io
import os
import signal
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import HH_HEADER, M_HEADER, hh_row, m_row, write_workbook
from openpyxl import load_workbook

import mdpoverty
from mdpoverty.cli.main import Exit, main
from mdpoverty.errors import CHECKS, InputFileError
from mdpoverty.read import safety
from mdpoverty.read.survey import MAX_CELL_CHARS

# ---------------------------------------------------------------- helpers


def _survey(tmp_path: Path, name: str = "s.xlsx", n: int = 2, **hh: object) -> Path:
    rows = [hh_row(f"H{i}", **hh) for i in range(n)]
    return write_workbook(tmp_path / name, rows, [m_row(f"H{i}") for i in range(n)])


def _edit_parts(path: Path, edit, method: int = zipfile.ZIP_DEFLATED) -> Path:
    """Rewrite the workbook with ``edit(name, bytes) -> bytes`` applied to every part."""
    src = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", method) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, edit(info.filename, zin.read(info)))
    path.write_bytes(out.getvalue())
    return path


def _in_sheet(name: str, data: bytes, old: bytes, new: bytes) -> bytes:
    return data.replace(old, new, 1) if name == "xl/worksheets/sheet1.xml" else data


def _refused(path: Path, check: str) -> str:
    """Assert the CLI refuses ``path`` with exit 2, one line naming the file and ``[check]``;
    and that the library raises; return the English line."""
    with pytest.raises(InputFileError) as err:
        mdpoverty.classify(path)
    for lang in ("vi", "en"):
        res = CliRunner().invoke(main, ["classify", str(path), "--lang", lang])
        assert res.exit_code == Exit.USAGE, res.output
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and str(path) in lines[0] and f"[{check}]" in lines[0], res.stderr
        assert "Traceback" not in res.output and res.stdout == ""
    return err.value.text("en")


@pytest.fixture
def no_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if fastexcel is asked to read: a refusal must come before it inflates anything."""
    import fastexcel

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("fastexcel was reached")

    monkeypatch.setattr(fastexcel, "read_excel", boom)


# ---------------------------------------------------------------- zip bombs


def test_ratio_bomb_is_refused_before_reading(tmp_path: Path, no_reader: None) -> None:
    padding = b" " * (8 * 1024 * 1024)  # 8 MiB of spaces: compresses ~1000 to 1
    path = _edit_parts(
        _survey(tmp_path), lambda n, d: _in_sheet(n, d, b"</worksheet>", padding + b"</worksheet>")
    )
    assert path.stat().st_size < 100_000
    line = _refused(path, "zip_bomb")
    assert "xl/worksheets/sheet1.xml" in line and "to 1" in line


def _declare_size(path: Path, part: str, size: int) -> None:
    """Patch the inflated size the zip declares for ``part`` (local and central headers)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        n = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + n]) == part.encode():
            struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 46)
    path.write_bytes(bytes(data))


def test_declared_size_over_the_limit_is_refused_without_inflating(
    tmp_path: Path, no_reader: None
) -> None:
    path = _survey(tmp_path)
    _declare_size(path, "xl/worksheets/sheet1.xml", 0xFFFFFFF0)  # declares ~4 GiB
    started = time.perf_counter()
    line = _refused(path, "zip_bomb")
    assert time.perf_counter() - started < 5
    assert "more than 2.0 GiB" in line


def test_forged_small_size_is_refused_in_constant_memory(tmp_path: Path, no_reader: None) -> None:
    """The reader trusts the deflate stream, not the header: a part declaring 1 KiB that
    inflates to 64 MiB must be caught while inflating, a chunk at a time."""
    row = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>H</t></is></c></row>'
    rows = b"".join(row % (k, k) for k in range(3, 900_000))
    path = _edit_parts(
        _survey(tmp_path), lambda n, d: _in_sheet(n, d, b"</sheetData>", rows + b"</sheetData>")
    )
    _declare_size(path, "xl/worksheets/sheet1.xml", 1024)
    tracemalloc.start()
    try:
        with pytest.raises(InputFileError) as err:
            safety.check_xlsx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "[zip_bomb]" in err.value.text("en") and "declares" in err.value.text("en")
    assert peak < 8 * safety.CHUNK, peak
    _refused(path, "zip_bomb")


def test_too_many_parts(tmp_path: Path, no_reader: None) -> None:
    path = _survey(tmp_path)
    with zipfile.ZipFile(path, "a") as z:
        for i in range(safety.MAX_MEMBERS):
            z.writestr(f"customXml/item{i}.xml", b"")
    assert "parts" in _refused(path, "zip_bomb")


def test_total_limit_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _survey(tmp_path)
    monkeypatch.setattr(safety, "MAX_UNCOMPRESSED_BYTES", 10_000)
    _refused(path, "zip_bomb")


def test_compression_excel_never_writes_is_refused(tmp_path: Path, no_reader: None) -> None:
    path = _edit_parts(_survey(tmp_path), lambda n, d: d, method=zipfile.ZIP_BZIP2)
    res = CliRunner().invoke(main, ["classify", str(path), "--lang", "en"])
    assert res.exit_code == Exit.USAGE and "compression method 12" in res.stderr


def test_a_genuine_workbook_passes_and_stored_parts_too(tmp_path: Path) -> None:
    path = _survey(tmp_path)
    safety.check_xlsx(path)
    stored = _edit_parts(_survey(tmp_path, "t.xlsx"), lambda n, d: d, method=zipfile.ZIP_STORED)
    safety.check_xlsx(stored)
    assert mdpoverty.classify(stored).counts["households_classed"] == 2
    safety.check_xlsx(tmp_path / "nope.xlsx")  # not there: the reader says so, not the check
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    safety.check_xlsx(tmp_path / "old.xls")  # not a zip: not ours to judge


def test_truncated_zip_is_one_damaged_line(tmp_path: Path) -> None:
    path = _survey(tmp_path)
    path.write_bytes(path.read_bytes()[:-30])  # the end of the central directory cut off
    res = CliRunner().invoke(main, ["classify", str(path), "--lang", "en"])
    assert res.exit_code == Exit.USAGE and "damaged" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------- XML entity expansion

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
)


@pytest.mark.parametrize(
    "part, prolog",
    [
        ("xl/worksheets/sheet1.xml", LAUGHS),
        ("xl/workbook.xml", b'<!DOCTYPE x SYSTEM "file:///etc/passwd">'),
        ("[Content_Types].xml", b"<?xml version='1.0'?>\n<!-- hi -->\n<!DOCTYPE t>"),
        ("xl/styles.xml", b"\xef\xbb\xbf  <!doctype x>"),
    ],
)
def test_doctype_in_any_part_is_refused(
    tmp_path: Path, no_reader: None, part: str, prolog: bytes
) -> None:
    def edit(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        return prolog + body.lstrip()

    path = _edit_parts(_survey(tmp_path), edit)
    line = _refused(path, "xml_entity")
    assert part in line


def test_utf16_doctype_and_endless_prolog_are_refused(tmp_path: Path, no_reader: None) -> None:
    def utf16(name: str, data: bytes) -> bytes:
        if name != "xl/workbook.xml":
            return data
        return ('<!DOCTYPE x [<!ENTITY a "b">]>' + data.decode()).encode("utf-16")

    _refused(_edit_parts(_survey(tmp_path), utf16), "xml_entity")

    def long_prolog(name: str, data: bytes) -> bytes:
        comment = b"<!--" + b"x" * (safety.PROLOG_BYTES + 10) + b"-->"
        return comment + data if "sheet1" in name else data

    line = _refused(_edit_parts(_survey(tmp_path, "b.xlsx"), long_prolog), "xml_entity")
    assert "root element" in line


def test_comments_and_declaration_before_the_root_are_fine(tmp_path: Path) -> None:
    def edit(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        return b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- made by hand -->\n' + data

    path = _edit_parts(_survey(tmp_path), edit)
    assert mdpoverty.classify(path).counts["households_classed"] == 2


# ---------------------------------------------------------------- far cells


FAR = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def test_a_value_in_the_last_cell_is_refused_before_the_reader_allocates(
    tmp_path: Path, no_reader: None
) -> None:
    """fastexcel would allocate 1,048,576 x 16,384 cells (512 GB) and abort the process."""
    path = _edit_parts(
        _survey(tmp_path), lambda n, d: _in_sheet(n, d, b"</sheetData>", FAR + b"</sheetData>")
    )
    line = _refused(path, "far_cell")
    assert "XFD1048576" in line and "'Hộ gia đình'" in line


@pytest.mark.parametrize(
    "cell",
    [
        b"<c r = 'XFD9000' t=\"inlineStr\"><is><t>x</t></is></c>",  # spaced, single quotes
        b'<c r="xfd70000" t="inlineStr"><is><t>x</t></is></c>',  # lower case
        b'<c r="AAAAA2"><v>1</v></c>',  # past Excel's last column
        b'<c r="A2" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>',  # the last r wins
        b'<c foo="&gt;>" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>',  # ">" in a value
        # cells without a reference take the next column: a wide row, then a far row
        b'<c t="inlineStr"><is><t>x</t></is></c>' * 20_000
        + b'</row><row r="1048576"><c><v>1</v></c>',
    ],
    ids=["spaced", "lower", "past-excel", "repeated-r", "gt-in-attr", "no-refs"],
)
def test_forged_far_references_are_refused(tmp_path: Path, no_reader: None, cell: bytes) -> None:
    """Each of these makes the reader ask for hundreds of GB and abort the process."""
    row = b'<row r="2">' + cell + b"</row>"
    path = _edit_parts(
        _survey(tmp_path), lambda n, d: _in_sheet(n, d, b"</sheetData>", row + b"</sheetData>")
    )
    _refused(path, "far_cell")


def test_far_formatting_and_far_dimension_alone_are_fine(tmp_path: Path) -> None:
    """Excel's used range may reach far through formatting alone; the reader skips cells
    without a value, so only values count."""
    styled = b'<row r="1048576"><c r="XFD1048576" s="0"/></row>'

    def edit(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        data = data.replace(b"</sheetData>", styled + b"</sheetData>")
        return data.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>', 1)

    path = _edit_parts(_survey(tmp_path), edit)
    assert mdpoverty.classify(path).counts["households_classed"] == 2


def test_three_letter_columns_near_the_data_are_fine(tmp_path: Path) -> None:
    row = b'<row r="2"><c r="AAA2" t="inlineStr"><is><t>ghi chu</t></is></c></row>'
    path = _edit_parts(
        _survey(tmp_path), lambda n, d: _in_sheet(n, d, b"</sheetData>", row + b"</sheetData>")
    )
    assert mdpoverty.classify(path).counts["households_in"] == 2


# ---------------------------------------------------------------- cells and formulas


def test_cell_text_is_capped(tmp_path: Path) -> None:
    path = _survey(tmp_path, n=1, **{"Xã": "X" * 50_000})
    result = mdpoverty.classify(path)
    assert result.households.loc[0, "commune"] == "X" * MAX_CELL_CHARS


def test_formulas_are_never_evaluated_cached_values_are_read(tmp_path: Path) -> None:
    """A formula with a cached value reads as that value (not as its result, which would be
    2 or a web request); one without (as openpyxl writes them) reads as a blank cell."""
    path = _survey(tmp_path, n=2, **{"Xã": "PLACEHOLDER"})
    cached = '<c r="B2" t="str"><f>WEBSERVICE("http://evil.example/")</f><v>Xã Thử</v></c>'.encode()
    income = b'<c r="E2"><f>1+1</f><v>1400000</v></c>'

    def edit(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        import re

        data = re.sub(rb'<c r="B2"[^>]*>.*?</c>', cached, data, count=1)
        return re.sub(rb'<c r="E2"[^>]*>.*?</c>', income, data, count=1)

    _edit_parts(path, edit)
    hh = mdpoverty.classify(path).households
    assert hh.loc[0, "commune"] == "Xã Thử"
    assert hh.loc[0, "income_per_capita"] == 1_400_000
    uncached = _survey(tmp_path, "u.xlsx", n=1, **{"Xã": "=1+1"})
    result = mdpoverty.classify(uncached)
    assert pd.isna(result.households.loc[0, "commune"])
    assert "required" in set(result.issues["check"])


# ---------------------------------------------------------------- output neutralisation

RISKY = [
    "=1+1",
    "+SUM(A1)",
    "-2+3",
    "@cmd",
    '=HYPERLINK("http://x.example","y")',
    "=cmd|' /C calc'!A0",
]


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows([["" if v is None else v for v in r] for r in rows])


def _risky_survey(tmp_path: Path) -> Path:
    """A CSV pair (text kept as typed: a workbook would hold formulas) with formula-like IDs
    and communes, and an area that is both wrong and formula-like (so it reaches the issues)."""
    rows = [hh_row(r, **{"Xã": r}) for r in RISKY]
    rows.append(hh_row("H-ok", **{"Xã": "-5", "Khu vực": "=bad"}))  # -5 is a number: kept
    _write_csv(tmp_path / "households.csv", HH_HEADER, rows)
    _write_csv(tmp_path / "members.csv", M_HEADER, [m_row(r) for r in [*RISKY, "H-ok"]])
    return tmp_path / "households.csv"


def test_leading_tab_and_carriage_return_are_neutralised() -> None:
    from mdpoverty.read.survey import neutralise

    out = neutralise(pd.DataFrame({"a": ["\t=1", "\r=1", "-5", "+84 912", "ok"], "n": [1] * 5}))
    assert out["a"].tolist() == ["'\t=1", "'\r=1", "-5", "'+84 912", "ok"]
    assert out["n"].tolist() == [1] * 5


def _assert_safe_text(value: object) -> None:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        assert value.lstrip("+-").replace(".", "").replace(",", "").isdigit(), repr(value)


def test_csv_outputs_are_neutralised(tmp_path: Path) -> None:
    path = _risky_survey(tmp_path)
    out = tmp_path / "o.csv"
    res = CliRunner().invoke(main, ["classify", str(path), "-o", str(out)])
    assert res.exit_code == Exit.DATA, res.output
    for file in (out, tmp_path / "o.issues.csv"):
        with file.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        for row in rows:
            for cell in row:
                _assert_safe_text(cell)
    with out.open(newline="", encoding="utf-8") as fh:
        ids = [r["household_id"] for r in csv.DictReader(fh)]
    assert ids == ["'" + r for r in RISKY] + ["H-ok"]


@pytest.mark.parametrize("command", ["classify", "validate"])
def test_csv_on_stdout_is_neutralised_like_the_files(tmp_path: Path, command: str) -> None:
    """`mdpoverty classify survey.xlsx > out.csv` is as safe to open in Excel as `-o out.csv`,
    and reads back to the same table."""
    path = _risky_survey(tmp_path)
    res = CliRunner().invoke(main, [command, str(path)])
    assert res.exit_code == Exit.DATA, res.output
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert len(rows) > 1
    for row in rows:
        for cell in row:
            _assert_safe_text(cell)
    out = tmp_path / "o.csv"
    CliRunner().invoke(main, [command, str(path), "-o", str(out)])
    with out.open(newline="", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == rows  # the same cells as the file, booleans included


def test_xlsx_outputs_are_neutralised(tmp_path: Path) -> None:
    path = _risky_survey(tmp_path)
    out = tmp_path / "o.xlsx"
    res = CliRunner().invoke(main, ["classify", str(path), "-o", str(out)])
    assert res.exit_code == Exit.DATA, res.output
    wb = load_workbook(out)
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                _assert_safe_text(cell.value)
                seen += isinstance(cell.value, str) and cell.value.startswith("'=")
    assert seen >= 3
    ids = [c.value for c in wb["Dữ liệu"]["A"][1:]]
    assert ids == ["'" + r for r in RISKY] + ["H-ok"]


def test_control_characters_do_not_crash_the_xlsx_writer(tmp_path: Path) -> None:
    """Fuzz-found: a CSV cell holding \\x07 made openpyxl raise (exit 3). Now U+FFFD."""
    header = ",".join(HH_HEADER)
    row = ",".join(str(v) for v in hh_row("H1", **{"Xã": "Xã\x07Thử\x1b[31m"}))
    (tmp_path / "households.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    members = ",".join(M_HEADER) + "\n" + ",".join(str(v) for v in m_row("H1")) + "\n"
    (tmp_path / "members.csv").write_text(members, encoding="utf-8")
    out = tmp_path / "o.xlsx"
    res = CliRunner().invoke(main, ["classify", str(tmp_path / "households.csv"), "-o", str(out)])
    assert res.exit_code in (Exit.OK, Exit.DATA), res.output
    commune = load_workbook(out)["Dữ liệu"]["D2"].value
    assert commune == "Xã\ufffdThử\ufffd[31m"


def test_members_of_households_without_any_id_do_not_crash(tmp_path: Path) -> None:
    """Fuzz-found: every household ID blank while members exist raised IndexError (exit 3)."""
    path = write_workbook(
        tmp_path / "s.xlsx", [hh_row(None), hh_row(None)], [m_row("H1"), m_row("H2")]
    )
    res = CliRunner().invoke(main, ["classify", str(path), "-o", str(tmp_path / "o.csv")])
    assert res.exit_code == Exit.DATA, res.output
    result = mdpoverty.classify(path)
    assert result.counts["households_rejected"] == 2 and result.counts["members_rejected"] == 2
    assert {"required", "orphan_member"} <= set(result.issues["check"])


# ---------------------------------------------------------------- messages


@pytest.mark.parametrize("check", ["zip_bomb", "xml_entity", "far_cell"])
def test_file_refusals_have_an_id_to_explain(check: str) -> None:
    c = CHECKS[check]
    assert c.severity == "error" and c.en and c.vi and c.fix_en and c.fix_vi
    assert "{detail}" in c.en and "{detail}" in c.vi
    res = CliRunner().invoke(main, ["explain", check, "--lang", "en"])
    assert res.exit_code == 0 and check in res.stdout and "How to fix" in res.stdout


# ---------------------------------------------------------------- crash safety


def test_sigterm_inside_the_guard_raises_terminated_and_handlers_come_back() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(safety.Terminated) as err, safety.exit_cleanly_on_signals():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)  # the handler runs at the next bytecode
    assert err.value.code == 128 + signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) == before


def _temp(folder: Path, name: str, age: float) -> Path:
    p = folder / name
    p.write_bytes(b"half a report")
    t = time.time() - age
    os.utime(p, (t, t))
    return p


def test_stale_temp_files_only_old_only_ours(tmp_path: Path) -> None:
    old = safety.STALE_TEMP_SECONDS + 60
    mine = _temp(tmp_path, ".out.xlsx.ab12_xyz.tmp", old)
    sibling = _temp(tmp_path, ".out.issues.xlsx.zz99zz99.tmp", old)
    fresh = _temp(tmp_path, ".out.xlsx.k3j4h5g6.tmp", 5)  # a run writing right now
    other = _temp(tmp_path, ".report.xlsx.ab12_xyz.tmp", old)  # another output's
    odd = _temp(tmp_path, ".out.xlsx.tmp", old)  # not a name atomic_path makes
    (tmp_path / ".out.xlsx.linklink.tmp").symlink_to(other)
    removed = safety.remove_stale_temp_files(tmp_path / "out.xlsx")
    assert sorted(removed) == sorted([mine, sibling])
    assert fresh.exists() and other.exists() and odd.exists()
    assert (tmp_path / ".out.xlsx.linklink.tmp").is_symlink()
    assert safety.remove_stale_temp_files(None) == []


def _command() -> list[str]:
    script = Path(sys.executable).parent / "mdpoverty"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from mdpoverty.cli.main import main; main()"]


@pytest.fixture(scope="module")
def big_survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Large enough that writing the xlsx output takes a visible fraction of a second."""
    folder = tmp_path_factory.mktemp("big")
    n = 4000
    return write_workbook(
        folder / "big.xlsx",
        [hh_row(f"H{i}") for i in range(n)],
        [m_row(f"H{i}") for i in range(n)],
    )


def _start_and_signal(big: Path, out: Path, sig: int) -> tuple[subprocess.Popen[bytes], bytes]:
    """Start ``classify big -o out`` and send ``sig`` once its temporary output is being
    written (non-empty); return the process (finished) and its stderr."""
    proc = subprocess.Popen(
        [*_command(), "classify", str(big), "-o", str(out), "--lang", "en"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    hit = False
    while proc.poll() is None and time.monotonic() < deadline:
        for tmp in out.parent.glob(f".{out.name}.*.tmp"):
            try:
                if tmp.stat().st_size > 0:
                    proc.send_signal(sig)
                    hit = True
            except FileNotFoundError:
                pass
        if hit:
            break
        time.sleep(0.0005)
    _, err = proc.communicate(timeout=120)
    assert hit, f"the run ended before its output was being written: {err!r}"
    return proc, err


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
def test_killed_mid_write_leaves_the_previous_output_and_the_next_run_cleans_up(
    tmp_path: Path, big_survey: Path
) -> None:
    out = tmp_path / "ket-qua.xlsx"
    out.write_bytes(b"last month's report")
    proc, _ = _start_and_signal(big_survey, out, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    assert out.read_bytes() == b"last month's report"  # intact: never half-overwritten
    stray = list(tmp_path.glob(".ket-qua.xlsx.*.tmp"))
    assert len(stray) == 1  # SIGKILL cannot be caught: the next run must clean it
    # The next run soon after keeps it (it could be a concurrent run's); a later one removes it.
    small = _survey(tmp_path)
    run = subprocess.run([*_command(), "classify", str(small), "-o", str(out)], check=False)
    assert run.returncode == 0 and stray[0].exists()
    old = time.time() - safety.STALE_TEMP_SECONDS - 1
    os.utime(stray[0], (old, old))
    run = subprocess.run([*_command(), "classify", str(small), "-o", str(out)], check=False)
    assert run.returncode == 0
    assert list(tmp_path.glob(".*.tmp")) == []
    assert load_workbook(out)["Dữ liệu"].max_row == 3  # the new report, whole


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="POSIX signals")
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP"])
def test_terminated_mid_write_cleans_up_at_once(tmp_path: Path, big_survey: Path, sig: str) -> None:
    signum = getattr(signal, sig)
    out = tmp_path / "ket-qua.xlsx"
    out.write_bytes(b"last month's report")
    proc, err = _start_and_signal(big_survey, out, signum)
    assert proc.returncode == 128 + signum
    assert out.read_bytes() == b"last month's report"
    assert list(tmp_path.glob(".*.tmp")) == []
    text = err.decode()
    assert "Traceback" not in text
    assert text.strip().splitlines() == [
        f"mdpoverty: stopped by {sig}; no partly written output was left"
    ]


def test_parts_checked_side_by_side_refuse_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large workbooks are checked a part per thread: same refusals, same passes."""
    monkeypatch.setattr(safety, "PARALLEL_MIN_BYTES", 0)
    safety.check_xlsx(_survey(tmp_path))
    far = _edit_parts(
        _survey(tmp_path, "far.xlsx"),
        lambda n, d: _in_sheet(n, d, b"</sheetData>", FAR + b"</sheetData>"),
    )
    with pytest.raises(InputFileError, match=r"\[far_cell\]"):
        safety.check_xlsx(far)
    doctype = _edit_parts(
        _survey(tmp_path, "dt.xlsx"),
        lambda n, d: b"<!DOCTYPE x>" + d if n == "xl/styles.xml" else d,
    )
    with pytest.raises(InputFileError, match=r"\[xml_entity\]"):
        safety.check_xlsx(doctype)


# ---------------------------------------------------------------- outputs land together


def test_outputs_of_one_run_land_together_or_not_at_all(tmp_path: Path) -> None:
    from mdpoverty.read.survey import output_set, write_table

    a, b = tmp_path / "out.csv", tmp_path / "out.issues.csv"
    frame = pd.DataFrame({"x": [1, 2]})
    with pytest.raises(RuntimeError), output_set():
        write_table(frame, a)
        assert not a.exists()  # complete, but waiting for the rest of the run
        raise RuntimeError("the second table could not be written")
    assert not a.exists() and not b.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file either
    with output_set():
        write_table(frame, a)
        write_table(frame, b)
    assert a.read_text() == b.read_text() == '"x"\n1\n2\n'
    assert list(tmp_path.glob(".*.tmp")) == []


def test_a_failed_issue_table_keeps_the_previous_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """classify -o out.csv writes out.csv and out.issues.csv: if the second cannot be
    written, last run's pair stays as it was — never a new result beside old issues."""
    import mdpoverty.write.tables as mio

    out, issues = tmp_path / "ket-qua.csv", tmp_path / "ket-qua.issues.csv"
    out.write_text("last run\n")
    issues.write_text("last run's issues\n")
    real = mio._write_csv

    def failing(frame: pd.DataFrame, path: Path) -> None:
        if ".ket-qua.issues.csv." in path.name:
            raise OSError(28, "No space left on device")
        real(frame, path)

    monkeypatch.setattr(mio, "_write_csv", failing)
    res = CliRunner().invoke(main, ["classify", str(_survey(tmp_path)), "-o", str(out)])
    assert res.exit_code != Exit.OK
    assert out.read_text() == "last run\n" and issues.read_text() == "last run's issues\n"
    assert list(tmp_path.glob(".*.tmp")) == []
    monkeypatch.setattr(mio, "_write_csv", real)
    res = CliRunner().invoke(main, ["classify", str(_survey(tmp_path)), "-o", str(out)])
    assert res.exit_code == Exit.OK, res.output
    assert out.read_text().splitlines()[0].startswith(("household_id,", '"household_id",'))
    assert "row" in issues.read_text().splitlines()[0]
