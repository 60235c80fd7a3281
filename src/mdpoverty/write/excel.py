"""Styled xlsx writing (presentation only): bold frozen header, filters, widths, number formats.

Uses openpyxl's write-only mode so a 100,000-row table streams instead of building a tree.
Text a spreadsheet would run as a formula is neutralised before it is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import Reference
from openpyxl.chart.legend import Legend
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from ..progress import CHUNK, Stage, stage
from ..read.survey import neutralise
from .charts import ColumnChart, bar_chart
from .tables import target_name

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_FONT = Font(bold=True)
THIN = Side(style="thin", color="999999")
HEADER_BORDER = Border(bottom=THIN, top=THIN, left=THIN, right=THIN)
ERROR_FILL = PatternFill("solid", fgColor="F8CBAD")
WARNING_FILL = PatternFill("solid", fgColor="FFF2CC")


def _cell_value(v: object) -> object:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def _number_format(series: pd.Series) -> str | None:
    name = str(series.name)
    if "rate" in name or name.startswith("share"):
        return "0.00"
    if pd.api.types.is_integer_dtype(series.dtype) and "income" in name:
        return "#,##0"
    return None


NOTE_FONT = Font(bold=True, color="C00000")
LINK_FONT = Font(underline="single", color="0563C1")  # as Excel shows a hyperlink
WRAP = Alignment(wrap_text=True, vertical="top")


def _write_sheet(
    wb: Workbook,
    title: str,
    frame: pd.DataFrame,
    *,
    severity_fill: bool = False,
    note: str | None = None,
    severity: pd.Series | None = None,
    charts: Sequence[ColumnChart] = (),
    links: dict[str, Sequence[Hyperlink | None]] | None = None,
    progress: Stage | None = None,
) -> None:
    """One styled sheet; ``note`` is a line above the header (the table starts on row 2).
    ``severity`` (codes aligned with ``frame``) colours the rows, as ``severity_fill`` does
    from the frame's own column (for a frame whose severities are translated). ``links``:
    a hyperlink per row (or None) for the cells of the named columns. ``progress`` is told
    of the rows written, a chunk at a time."""
    ws = wb.create_sheet(title=title[:31])
    top = 2 if note else 1  # the header row
    frame = neutralise(frame)
    widths = []
    for col in frame.columns:
        sample = frame[col].head(200).astype("string").fillna("")
        # a header wraps (its cell does): a long Vietnamese header ("Tỷ lệ hộ nghèo đầu kỳ
        # (%)") widens its column only as far as its longest word, not its whole length
        words = str(col).split() or [""]
        head = max(min(len(str(col)), 12), *(len(w) for w in words))
        longest = max([head, *(len(s) for s in sample)]) if len(sample) else len(str(col))
        widths.append(min(max(longest + 2, 8), 60))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = f"A{top + 1}"
    # printable as it is: A4 landscape, fitted to the width, the header on every page
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # write-only: before the first row
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = f"{top}:{top}"
    ws.oddFooter.center.text = "&P/&N"
    if len(frame.columns):  # long texts wrap in their column instead of widening the page
        ws.print_area = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + top}"
    wrapped = {i for i, w in enumerate(widths) if w >= 60}
    if len(frame.columns):
        last = get_column_letter(len(frame.columns))
        ws.auto_filter.ref = f"A{top}:{last}{len(frame) + top}"
    if note:
        cell = WriteOnlyCell(ws, value=note)
        cell.font = NOTE_FONT
        ws.append([cell])
    header_lines = max(
        [-(-len(str(col)) // max(w - 2, 1)) for col, w in zip(frame.columns, widths, strict=True)]
        or [1]
    )
    if header_lines > 1:  # a wrapped header shows whole (set before the row is written)
        ws.row_dimensions[top].height = 15 * header_lines
    header = []
    for col in frame.columns:
        cell = WriteOnlyCell(ws, value=str(col))
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    ws.append(header)
    formats = {i: _number_format(frame[c]) for i, c in enumerate(frame.columns)}
    styled = any(formats.values()) or severity_fill or severity is not None or bool(links)
    linked = {list(frame.columns).index(c): v for c, v in (links or {}).items() if c in frame}
    sev_idx = list(frame.columns).index("severity") if severity_fill and "severity" in frame else -1
    sev_codes = None if severity is None else severity.astype(object).to_numpy()
    columns = [frame[c].astype(object).to_numpy() for c in frame.columns]
    base = progress.done if progress is not None else 0
    for r in range(len(frame)):
        if progress is not None and r % CHUNK == 0 and r:
            progress.set(base + r)
        values = [_cell_value(col[r]) for col in columns]
        if not styled:
            ws.append(values)
            continue
        fill = None
        if sev_idx >= 0 or sev_codes is not None:
            sev = values[sev_idx] if sev_codes is None else sev_codes[r]
            fill = ERROR_FILL if sev == "error" else WARNING_FILL if sev == "warning" else None
        row = []
        for i, v in enumerate(values):
            cell = WriteOnlyCell(ws, value=v)
            if formats[i]:
                cell.number_format = formats[i]
            if fill is not None:
                cell.fill = fill
            if i in wrapped:
                cell.alignment = WRAP
            if i in linked and linked[i][r] is not None:
                cell.hyperlink = linked[i][r]
                cell.font = LINK_FONT
            row.append(cell)
        if wrapped:  # as many lines as the longest wrapped text needs (set before the row)
            lines = max(-(-len(str(values[i] or "")) // max(widths[i] - 2, 1)) for i in wrapped)
            if lines > 1:
                ws.row_dimensions[top + 1 + r].height = 15 * lines
        ws.append(row)
    if progress is not None:
        progress.set(base + len(frame))
    _add_charts(ws, frame, top, charts)


def _add_charts(ws, frame: pd.DataFrame, top: int, charts: Sequence[ColumnChart]) -> None:
    """Each chart beside the table (from two columns right of it), one under the other."""
    cols = list(map(str, frame.columns))
    anchor = get_column_letter(len(cols) + 2)
    at = top
    for spec in charts:
        if not len(frame) or spec.category not in cols:
            continue
        keep = np.ones(len(frame), bool)
        if spec.skip and spec.skip[0] in cols:
            keep = (
                (frame[spec.skip[0]].astype("string") != spec.skip[1]).fillna(True).to_numpy(bool)
            )
        if not keep.any():
            continue
        first, last = np.flatnonzero(keep)[[0, -1]]
        idx = [cols.index(v) + 1 for v in spec.values if v in cols]
        if not idx:
            continue
        series = [
            Reference(ws, min_col=c, max_col=c, min_row=top + 1 + first, max_row=top + 1 + last)
            for c in idx
        ]
        cat = cols.index(spec.category) + 1
        chart = bar_chart(
            ws,
            title=spec.title,
            data=(idx[0], idx[0], top + 1 + first, top + 1 + last),
            categories=(cat, cat, top + 1 + first, top + 1 + last),
            horizontal=spec.horizontal,
            axis_title=spec.axis_title,
            names=spec.names or tuple(spec.values),
        )
        for ref, name in zip(series[1:], (spec.names or spec.values)[1:], strict=False):
            chart.add_data(ref, titles_from_data=False)
            chart.series[-1].tx = SeriesLabel(v=name)
        if len(chart.series) > 1:
            chart.legend = Legend()
        ws.add_chart(chart, f"{anchor}{at}")
        at += 20


def write_tables(
    tables: dict[str, pd.DataFrame],
    path: str | Path,
    *,
    issues_sheet: str | None = None,
    notes: dict[str, str] | None = None,
    charts: dict[str, Sequence[ColumnChart]] | None = None,
) -> None:
    """Write each frame to its own styled sheet, in order. ``issues_sheet`` gets row colours;
    ``notes`` puts a line above a sheet's table (e.g. that its standard is provisional);
    ``charts`` adds native bar charts beside a sheet's table."""
    wb = Workbook(write_only=True)
    rows = sum(len(frame) for frame in tables.values())
    with stage("write", rows, detail=target_name(path)) as progress:
        for title, frame in tables.items():
            note = (notes or {}).get(title)
            _write_sheet(
                wb,
                title,
                frame,
                severity_fill=title == issues_sheet,
                note=note,
                charts=(charts or {}).get(title, ()),
                progress=progress,
            )
        wb.save(str(path))
