"""Native Excel bar charts (openpyxl.chart) over cells already written: they print with the
sheet and follow its figures when an officer edits them. Presentation only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.series import SeriesLabel


def bar_chart(
    ws,
    *,
    title: str,
    data: tuple[int, int, int, int],
    categories: tuple[int, int, int, int],
    horizontal: bool = False,
    axis_title: str | None = None,
    names: Sequence[str] | None = None,
    from_rows: bool = False,
    size: tuple[float, float] = (22, 9),
) -> BarChart:
    """A clustered bar chart of the cells ``data`` = (min_col, max_col, min_row, max_row):
    one series per column (per row with ``from_rows``), named by ``names`` or else by the
    first cell of each; over the categories in ``categories`` = (min_col, max_col, min_row,
    max_row). ``horizontal`` bars list the first category on top."""
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.grouping = "clustered"
    chart.title = title
    min_col, max_col, min_row, max_row = data
    chart.add_data(
        Reference(ws, min_col=min_col, max_col=max_col, min_row=min_row, max_row=max_row),
        titles_from_data=names is None,
        from_rows=from_rows,
    )
    c0, c1, r0, r1 = categories
    chart.set_categories(Reference(ws, min_col=c0, max_col=c1, min_row=r0, max_row=r1))
    for series, name in zip(chart.series, names or (), strict=False):
        series.tx = SeriesLabel(v=name)
    if len(chart.series) == 1:
        chart.legend = None
    if axis_title:
        chart.y_axis.title = axis_title
    # openpyxl ≥ 3.1 hides both axes unless told otherwise
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.tickLblPos = "low"  # the names clear of bars below zero (a rate that rose)
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"  # the first category on top, as in the table
    chart.width, chart.height = size
    return chart


@dataclass(frozen=True)
class ColumnChart:
    """A chart of a table written by :func:`mdpoverty.write.excel.write_tables`: ``values`` are
    column names (one series each, named by ``names`` or the header), ``category`` the column
    naming the bars; ``skip`` = (column, value) leaves out the rows holding that value (e.g.
    the total row); the rows charted run from the first kept to the last kept."""

    title: str
    values: tuple[str, ...]
    category: str
    names: tuple[str, ...] | None = None
    horizontal: bool = False
    axis_title: str | None = None
    skip: tuple[str, str] | None = None


__all__ = ["ColumnChart", "bar_chart"]
