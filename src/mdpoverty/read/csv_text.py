"""CSV as Excel saves it on a Vietnamese Windows: the encoding and the separator, found.

Excel's "CSV (Comma delimited)" on a Vietnamese Windows writes Windows-1258 text with ``;``
between fields when the list separator is ``;`` (it is wherever ``,`` is the decimal mark);
"CSV UTF-8" writes UTF-8 with a byte-order mark; "Unicode Text" writes UTF-16 with tabs.
:func:`read_csv_grid` reads all of these into a text grid, and says which encoding it took
when it was not UTF-8, so a person can check the accents. A file it cannot read with
certainty is one line naming what was found, never a parser's own message.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import InputFileError, Text

SEPARATORS = ",;\t"
SEPARATOR_NAMES = {",": "','", ";": "';'", "\t": "tab"}
# Windows code pages tried, in order, for a file that is not UTF-8: Vietnamese first.
LEGACY_ENCODINGS = (("cp1258", "Windows-1258"), ("cp1252", "Windows-1252"))
_SAMPLE_LINES = 50


@dataclass
class CsvGrid:
    table: pa.Table  # every cell as text, the first row as written (header or title)
    separator: str
    encoding: str  # as a person knows it: "UTF-8", "UTF-16", "Windows-1258" …
    note: Text | None  # said on stderr: the file was not UTF-8


def _fail(path: Path, check: str, en: str, vi: str) -> InputFileError:
    return InputFileError(f"{path}: {en} [{check}]", f"{path}: {vi} [{check}]")


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """The file's text and the name of its encoding; raise one clear line if unsure."""
    if data.startswith(codecs.BOM_UTF8):
        data, bom = data[len(codecs.BOM_UTF8) :], True
    else:
        bom = False
    if not bom and data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise _fail(
                path,
                "not_utf8",
                "starts like UTF-16 text (Excel's 'Unicode Text') but is damaged",
                "bắt đầu như văn bản UTF-16 ('Unicode Text' của Excel) nhưng bị hỏng",
            ) from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd")
    multibyte = sum(1 for ch in replaced if ord(ch) > 127) - bad
    line = data[:bad_at].count(b"\n") + 1
    if bom or multibyte > bad:
        # mostly UTF-8 with a few broken bytes: reading it as anything else would garble the
        # accents of every other cell, so refuse and point at the first broken byte
        raise _fail(
            path,
            "not_utf8",
            f"is UTF-8 text with {bad} broken byte(s), the first on line {line}; fix or "
            "retype that line and save as 'CSV UTF-8'",
            f"là văn bản UTF-8 có {bad} byte hỏng, đầu tiên ở dòng {line}; sửa hoặc gõ lại "
            "dòng đó rồi lưu dạng 'CSV UTF-8'",
        )
    for codec, name in LEGACY_ENCODINGS:
        try:
            # Windows-1258 writes most tone marks as combining characters: compose them
            return unicodedata.normalize("NFC", data.decode(codec)), name
        except UnicodeDecodeError:
            continue
    raise _fail(
        path,
        "not_utf8",
        f"is neither UTF-8, UTF-16 nor Windows-1258 text (first byte that is not UTF-8 on "
        f"line {line}); save the CSV as 'CSV UTF-8'",
        f"không phải văn bản UTF-8, UTF-16 hay Windows-1258 (byte đầu tiên không phải UTF-8 "
        f"ở dòng {line}); hãy lưu CSV dạng 'CSV UTF-8'",
    )


def _separator(text: str) -> str:
    """The field separator: what csv.Sniffer finds among ``,`` ``;`` tab, else the one the
    busiest of the first lines uses most (a survey's header has many columns)."""
    sample = "\n".join(text.splitlines()[:_SAMPLE_LINES])
    try:
        found = csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
        if found in SEPARATORS:
            return found
    except csv.Error:
        pass
    counts = {
        sep: max((ln.count(sep) for ln in sample.splitlines()), default=0) for sep in SEPARATORS
    }
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


_LINE = re.compile(r"in line (\d+)|starting at row (\d+)")


def _open_quote(path: Path, line: int | None, encoding: str, sep: str) -> InputFileError:
    at, at_vi = (f" (line {line})", f" (dòng {line})") if line else ("", "")
    return _fail(
        path,
        "file_unreadable",
        f"cannot be read as {encoding} CSV separated by {SEPARATOR_NAMES[sep]}{at}: a quote "
        '(") opens a cell that runs over several lines; remove the stray quote or save the '
        "file again from Excel",
        f"không đọc được dạng CSV {encoding} phân cách bằng {SEPARATOR_NAMES[sep]}{at_vi}: một "
        'dấu ngoặc kép (") mở một ô kéo qua nhiều dòng; xoá dấu ngoặc thừa hoặc lưu lại từ Excel',
    )


def _spanning_cell_line(grid: pd.DataFrame, sep: str) -> int | None:
    """The file line of the first row with a cell that holds both a line break and the
    separator: a stray quote that swallowed the lines after it, not a typed cell."""
    cells = grid.to_numpy(dtype=object)
    has_break = pd.DataFrame(cells).apply(lambda c: c.str.contains("\n", regex=False)).to_numpy()
    if not has_break.any():
        return None
    breaks_per_row = pd.DataFrame(cells).apply(lambda c: c.str.count("\n")).sum(axis=1).to_numpy()
    lines_before = np.concatenate([[0], np.cumsum(breaks_per_row)[:-1]])
    for r, c in zip(*np.nonzero(has_break), strict=True):
        if sep in cells[r, c]:
            return int(r + 1 + lines_before[r])
    return None


def read_csv_grid(path: Path) -> CsvGrid:
    """Every cell of a CSV file as text (rows may differ in length: a title line above the
    header is fine)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(
            path, "file_unreadable", f"cannot be opened ({exc.strerror})", "không mở được tệp"
        ) from None
    text, encoding = _decode(path, data)
    if not text.strip():
        raise _fail(path, "file_empty", "the file is empty", "tệp rỗng")
    sep = _separator(text)
    width = max(line.count(sep) for line in text.splitlines()) + 1
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            header=None,
            names=range(width),
            keep_default_na=False,
            skip_blank_lines=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except Exception as exc:  # the parser's words are not for the officer: say what we found
        m = _LINE.search(str(exc))
        raise _open_quote(
            path, int(m.group(1) or m.group(2)) if m else None, encoding, sep
        ) from None
    if grid.shape[0] < text.count("\n"):  # some cell spans lines: typed, or a stray quote?
        line = _spanning_cell_line(grid, sep)
        if line is not None:
            raise _open_quote(path, line, encoding, sep)
    table = pa.table({f"c{i}": pa.array(grid[c].tolist(), pa.string()) for i, c in enumerate(grid)})
    note = None
    if encoding != "UTF-8":
        note = Text(
            f"{path.name}: đọc dạng {encoding}, phân cách bằng {SEPARATOR_NAMES[sep]}; "
            "hãy kiểm tra dấu tiếng Việt trong kết quả",
            f"{path.name}: read as {encoding}, separated by {SEPARATOR_NAMES[sep]}; check the "
            "Vietnamese accents in the results",
        )
    return CsvGrid(table, sep, encoding, note)


__all__ = ["CsvGrid", "read_csv_grid"]
