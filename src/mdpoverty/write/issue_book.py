"""``mdpoverty validate -o issues.xlsx``: the issue table as people read it.

The first sheet is the one classify's workbook carries ("Lỗi" / "Issues"): headers, severity
and messages in the run's language, rows coloured by severity. The second ("Dữ liệu" /
"Data") keeps every column of the issue table with its codes, as .csv has them, for scripts.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from .excel import _write_sheet
from .lists import _issue_sheet


def write_issue_book(issues: pd.DataFrame, path: str | Path, lang: str, note: str = "") -> None:
    wb = Workbook(write_only=True)
    _issue_sheet(wb, issues, lang, note)
    _write_sheet(wb, "Dữ liệu" if lang == "vi" else "Data", issues, note=note or None)
    wb.save(str(path))


__all__ = ["write_issue_book"]
