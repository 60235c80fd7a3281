"""Native Excel bar charts (openpyxl.chart) over cells already written: they print with the
sheet and follow its figures when an officer edits them. Presentation only."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference


def bar_chart(
    ws,
    *,
    title: str,
    data: tuple[int, int, int, int],
    categories: tuple[int, int, int],
    horizontal: bool = False,
    axis_title: str | None = None,
    size: tuple[float, float] = (22, 9),
) -> BarChart:
    """A clustered bar chart of the cells ``data`` = (min_col, max_col, header_row, last_row)
    (one series per column, named by its header cell), over the categories in ``categories``
    = (col, first_row, last_row). ``horizontal`` bars list the first category on top."""
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.grouping = "clustered"
    chart.title = title
    min_col, max_col, head, last = data
    chart.add_data(
        Reference(ws, min_col=min_col, max_col=max_col, min_row=head, max_row=last),
        titles_from_data=True,
    )
    col, first, end = categories
    chart.set_categories(Reference(ws, min_col=col, min_row=first, max_row=end))
    if min_col == max_col:
        chart.legend = None
    if axis_title:
        chart.y_axis.title = axis_title
    # openpyxl ≥ 3.1 hides both axes unless told otherwise
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"  # indicator 1 on top, as in the table
    chart.width, chart.height = size
    return chart


__all__ = ["bar_chart"]
